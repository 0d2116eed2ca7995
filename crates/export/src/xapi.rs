//! xAPI 1.0.3 statements of an attempt, in the cmi5 profile of an
//! assessment AU: `initialized`, one `answered` per delivered item (a
//! cmi5 "allowed" statement, with the interaction type `choice`,
//! `sequencing` or `matching`, its `correctResponsesPattern` and the
//! candidate's `response`), then `completed`, `passed` or `failed` where
//! the report has a decision, and `terminated`.
//!
//! Ids are UUID v5, so the same input gives the same statements: the
//! registration from the AU and the candidate, each statement from the
//! registration and its verb (and item). The actor is an account on the
//! delivery system (`homePage`) named by the candidate id.

use exam_core::form::{AnswerKey, Form, ScoringKey};
use exam_core::submission::{Answer, Submission};
use exam_scoring::report::ScoreReport;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

/// The cmi5 context category of cmi5-defined statements.
pub const CMI5_CATEGORY: &str = "https://w3id.org/xapi/cmi5/context/categories/cmi5";
/// The cmi5 context category of statements that satisfy "move on".
pub const MOVEON_CATEGORY: &str = "https://w3id.org/xapi/cmi5/context/categories/moveon";
/// The cmi5 session id context extension.
pub const SESSION_EXTENSION: &str = "https://w3id.org/xapi/cmi5/context/extensions/sessionid";
/// The cmi5 mastery score context extension.
pub const MASTERY_EXTENSION: &str = "https://w3id.org/xapi/cmi5/context/extensions/masteryscore";

/// One attempt to describe.
pub struct Attempt<'a> {
    /// The form sat.
    pub form: &'a Form,
    /// Its scoring key.
    pub key: &'a ScoringKey,
    /// The candidate's submission.
    pub submission: &'a Submission,
    /// The candidate's score report.
    pub report: &'a ScoreReport,
    /// The delivery system's home page (the actor's account).
    pub home_page: &'a str,
    /// The IRI under which the AU and items are named: the AU is
    /// `{base}/forms/{form}`, an item `{base}/items/{item}`.
    pub activity_base: &'a str,
    /// When the attempt started.
    pub started: OffsetDateTime,
}

fn verb(name: &str) -> Value {
    json!({"id": format!("http://adlnet.gov/expapi/verbs/{name}"), "display": {"en-US": name}})
}

fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&Rfc3339).unwrap_or_default()
}

fn duration(seconds: u64) -> String {
    format!("PT{seconds}S")
}

/// The interaction type, correct responses pattern and response of an item.
fn interaction(key: &AnswerKey, answer: Option<&Answer>) -> (&'static str, String, String) {
    let list = |ids: &mut dyn Iterator<Item = String>| ids.collect::<Vec<_>>().join("[,]");
    let pairs = |p: &[exam_core::item::MatchPair]| {
        list(&mut p.iter().map(|p| format!("{}[.]{}", p.prompt, p.option)))
    };
    let response = match answer {
        Some(Answer::Selected(o) | Answer::Ordered(o)) => {
            list(&mut o.iter().map(|o| o.to_string()))
        }
        Some(Answer::Matched(p)) => pairs(p),
        _ => String::new(),
    };
    match key {
        AnswerKey::SingleChoice { option } => ("choice", option.to_string(), response),
        AnswerKey::MultipleResponse { options } => (
            "choice",
            list(&mut options.iter().map(|o| o.to_string())),
            response,
        ),
        AnswerKey::Ordering { order } => (
            "sequencing",
            list(&mut order.iter().map(|o| o.to_string())),
            response,
        ),
        AnswerKey::Matching { pairs: p } => ("matching", pairs(p), response),
    }
}

/// The statements of one attempt, in the order cmi5 requires.
pub fn statements(attempt: &Attempt<'_>) -> Vec<Value> {
    let report = attempt.report;
    let au = format!("{}/forms/{}", attempt.activity_base, attempt.form.id);
    let registration = Uuid::new_v5(
        &Uuid::NAMESPACE_URL,
        format!("{au}/candidates/{}", report.candidate).as_bytes(),
    );
    let session = Uuid::new_v5(&registration, b"session");
    let actor = json!({
        "objectType": "Agent",
        "account": {"homePage": attempt.home_page, "name": report.candidate.to_string()}
    });
    let mastery = report
        .decision
        .as_ref()
        .filter(|_| report.max > 0.0)
        .map(|d| d.raw_cut / report.max);
    let context = |categories: &[&str]| {
        let mut extensions = json!({ SESSION_EXTENSION: session.to_string() });
        if let Some(m) = mastery
            && !categories.is_empty()
        {
            extensions[MASTERY_EXTENSION] = json!(m);
        }
        let mut ctx = json!({"registration": registration.to_string(), "extensions": extensions});
        if !categories.is_empty() {
            let list: Vec<Value> = categories.iter().map(|c| json!({"id": c})).collect();
            ctx["contextActivities"] = json!({"category": list});
        }
        ctx
    };
    let au_object = json!({"objectType": "Activity", "id": au,
        "definition": {"type": "https://w3id.org/xapi/cmi5/activitytype/course"}});
    let statement = |name: &str, tag: &str, at: OffsetDateTime, object: Value, ctx: Value| {
        json!({
            "id": Uuid::new_v5(&registration, tag.as_bytes()).to_string(),
            "actor": actor,
            "verb": verb(name),
            "object": object,
            "context": ctx,
            "timestamp": rfc3339(at),
        })
    };
    let mut at = attempt.started;
    let mut out = vec![statement(
        "initialized",
        "initialized",
        at,
        au_object.clone(),
        context(&[CMI5_CATEGORY]),
    )];
    let mut elapsed: u64 = 0;
    for score in &report.items {
        let Some(entry) = attempt.key.entries.iter().find(|e| e.item == score.item) else {
            continue;
        };
        let given = attempt.submission.answer(&score.item);
        let seconds = given.and_then(|a| a.seconds).map_or(0, u64::from);
        elapsed += seconds;
        at += time::Duration::seconds(i64::try_from(seconds).unwrap_or(i64::MAX));
        let (kind, pattern, response) = interaction(&entry.key, given.map(|a| &a.answer));
        let object = json!({
            "objectType": "Activity",
            "id": format!("{}/items/{}", attempt.activity_base, score.item),
            "definition": {
                "type": "http://adlnet.gov/expapi/activities/cmi.interaction",
                "name": {"en-US": score.item.to_string()},
                "interactionType": kind,
                "correctResponsesPattern": [pattern],
            }
        });
        let mut result = json!({
            "response": response,
            "success": score.credit >= 1.0,
            "score": {"raw": score.credit, "min": 0.0, "max": 1.0, "scaled": score.credit},
        });
        if seconds > 0 {
            result["duration"] = json!(duration(seconds));
        }
        let mut s = statement(
            "answered",
            &format!("answered/{}", score.item),
            at,
            object,
            context(&[]),
        );
        s["result"] = result;
        s["context"]["contextActivities"] =
            json!({"parent": [{"id": au, "objectType": "Activity"}]});
        out.push(s);
    }
    let total = report.seconds.unwrap_or(elapsed);
    let scaled = if report.max > 0.0 {
        report.raw / report.max
    } else {
        0.0
    };
    let score = json!({"scaled": scaled, "raw": report.raw, "min": 0.0, "max": report.max});
    let mut completed = statement(
        "completed",
        "completed",
        at,
        au_object.clone(),
        context(&[CMI5_CATEGORY, MOVEON_CATEGORY]),
    );
    completed["result"] = json!({"completion": true, "duration": duration(total)});
    out.push(completed);
    if let Some(decision) = &report.decision {
        let name = if decision.passed { "passed" } else { "failed" };
        let mut s = statement(
            name,
            name,
            at,
            au_object.clone(),
            context(&[CMI5_CATEGORY, MOVEON_CATEGORY]),
        );
        s["result"] =
            json!({"success": decision.passed, "score": score, "duration": duration(total)});
        out.push(s);
    }
    let mut terminated = statement(
        "terminated",
        "terminated",
        at,
        au_object,
        context(&[CMI5_CATEGORY]),
    );
    terminated["result"] = json!({"duration": duration(total)});
    out.push(terminated);
    out
}
