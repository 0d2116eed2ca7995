//! QTI 3.0 Results Reporting: one `assessmentResult` per candidate, with the
//! test's outcomes (SCORE the raw score, MAXSCORE, PERCENT, SCALED_SCORE and
//! PASSED where the report has them) and one `itemResult` per delivered
//! item (the delivered option order as `choiceSequence`, the correct and
//! the candidate's response, the item's SCORE, i.e. its credit in [0, 1],
//! and its completion status).

use super::qti_identifier;
use crate::xml::El;
use exam_core::form::{AnswerKey, Form, ScoringKey};
use exam_core::submission::{Answer, Submission};
use exam_scoring::keyed::ResponseStatus;
use exam_scoring::report::ScoreReport;

/// The results namespace.
pub const RESULT_NS: &str = "http://www.imsglobal.org/xsd/imsqti_result_v3p0";
const RESULT_XSD: &str =
    "https://purl.imsglobal.org/spec/qti/v3p0/schema/xsd/imsqti_resultv3p0_v1p0.xsd";

/// One candidate's attempt, as the results document describes it.
pub struct Attempt<'a> {
    /// The form sat.
    pub form: &'a Form,
    /// Its scoring key.
    pub key: &'a ScoringKey,
    /// The candidate's score report.
    pub report: &'a ScoreReport,
    /// The candidate's submission, for the responses given (without it the
    /// item results carry no candidate response values).
    pub submission: Option<&'a Submission>,
    /// The session: a URI of the delivery system and the attempt's id.
    pub session: (&'a str, &'a str),
    /// When the result was recorded (RFC 3339).
    pub datestamp: &'a str,
}

fn id(raw: &str) -> String {
    qti_identifier(raw).unwrap_or_else(|| raw.to_owned())
}

fn outcome(identifier: &str, base_type: &str, value: String) -> El {
    El::new("outcomeVariable")
        .attr("identifier", identifier)
        .attr("cardinality", "single")
        .attr("baseType", base_type)
        .child(El::new("value").text(value))
}

/// Cardinality, base type and values of a key.
fn key_values(key: &AnswerKey) -> (&'static str, &'static str, Vec<String>) {
    match key {
        AnswerKey::SingleChoice { option } => ("single", "identifier", vec![id(option.as_str())]),
        AnswerKey::MultipleResponse { options } => (
            "multiple",
            "identifier",
            options.iter().map(|o| id(o.as_str())).collect(),
        ),
        AnswerKey::Ordering { order } => (
            "ordered",
            "identifier",
            order.iter().map(|o| id(o.as_str())).collect(),
        ),
        AnswerKey::Matching { pairs } => (
            "multiple",
            "directedPair",
            pairs
                .iter()
                .map(|p| format!("{} {}", id(p.prompt.as_str()), id(p.option.as_str())))
                .collect(),
        ),
    }
}

fn answer_values(answer: &Answer) -> Vec<String> {
    match answer {
        Answer::Selected(options) | Answer::Ordered(options) => {
            options.iter().map(|o| id(o.as_str())).collect()
        }
        Answer::Matched(pairs) => pairs
            .iter()
            .map(|p| format!("{} {}", id(p.prompt.as_str()), id(p.option.as_str())))
            .collect(),
        Answer::Omitted | Answer::NotReached => Vec::new(),
    }
}

/// The `assessmentResult` of one attempt.
pub fn result_element(attempt: &Attempt<'_>) -> El {
    let report = attempt.report;
    let (source, session) = attempt.session;
    let mut test = El::new("testResult")
        .attr("identifier", id(report.form.as_str()))
        .attr("datestamp", attempt.datestamp)
        .child(outcome("SCORE", "float", report.raw.to_string()))
        .child(outcome("MAXSCORE", "float", report.max.to_string()));
    if let Some(percent) = report.percent {
        test = test.child(outcome("PERCENT", "float", percent.to_string()));
    }
    if let Some(scaled) = report.scaled {
        test = test.child(outcome("SCALED_SCORE", "integer", scaled.to_string()));
    }
    if let Some(decision) = &report.decision {
        test = test.child(outcome("PASSED", "boolean", decision.passed.to_string()));
    }
    let mut root = El::new("assessmentResult")
        .attr("xmlns", RESULT_NS)
        .attr("xmlns:xsi", super::XSI_NS)
        .attr("xsi:schemaLocation", format!("{RESULT_NS} {RESULT_XSD}"))
        .child(
            El::new("context")
                .attr("sourcedId", id(report.candidate.as_str()))
                .child(
                    El::new("sessionIdentifier")
                        .attr("sourceID", source)
                        .attr("identifier", id(session)),
                ),
        )
        .child(test);
    for (index, score) in report.items.iter().enumerate() {
        let slot = attempt.form.slots.iter().find(|s| s.item == score.item);
        let entry = attempt.key.entries.iter().find(|e| e.item == score.item);
        let answer = attempt
            .submission
            .and_then(|s| s.answer(&score.item))
            .map(|a| &a.answer);
        let mut response = El::new("responseVariable").attr("identifier", super::RESPONSE);
        let mut correct = None;
        if let Some(entry) = entry {
            let (cardinality, base_type, values) = key_values(&entry.key);
            response = response
                .attr("cardinality", cardinality)
                .attr("baseType", base_type);
            correct = Some(
                El::new("correctResponse")
                    .children(values.into_iter().map(|v| El::new("value").text(v))),
            );
        }
        if let Some(slot) = slot {
            let order: Vec<String> = slot
                .prompt_order
                .iter()
                .chain(slot.option_order.iter())
                .map(|o| id(o.as_str()))
                .collect();
            response = response.attr("choiceSequence", order.join(" "));
        }
        let answered = match score.status {
            ResponseStatus::Answered => "answered",
            ResponseStatus::Omitted => "presented",
            ResponseStatus::NotReached => "notpresented",
        };
        response = response.attr("answeredStatus", answered);
        if let Some(correct) = correct {
            response = response.child(correct);
        }
        response = response.child(
            El::new("candidateResponse").children(
                answer
                    .map(answer_values)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|v| El::new("value").text(v)),
            ),
        );
        let completion = match score.status {
            ResponseStatus::Answered => "completed",
            ResponseStatus::Omitted => "incomplete",
            ResponseStatus::NotReached => "not_attempted",
        };
        root = root.child(
            El::new("itemResult")
                .attr("identifier", id(score.item.as_str()))
                .attr("sequenceIndex", (index + 1).to_string())
                .attr("datestamp", attempt.datestamp)
                .attr("sessionStatus", "final")
                .child(response)
                .child(outcome("completionStatus", "identifier", completion.into()))
                .child(outcome("SCORE", "float", score.credit.to_string())),
        );
    }
    root
}
