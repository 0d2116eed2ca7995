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

use crate::FormatError;
use crate::json;
use exam_core::form::{AnswerKey, Form, ScoringKey};
use exam_core::ids::{CandidateId, FormId};
use exam_core::submission::{Answer, Submission};
use exam_scoring::report::ScoreReport;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::{Read, Write};
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

/// A language map (`{"en-US": "answered"}`).
pub type LanguageMap = BTreeMap<String, String>;

/// One xAPI statement, with the properties this module writes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Statement {
    /// The statement's UUID.
    pub id: String,
    /// Who: the candidate's account on the delivery system.
    pub actor: Agent,
    /// What was done.
    pub verb: Verb,
    /// To what: the AU or an item.
    pub object: Activity,
    /// The registration, session and cmi5 categories.
    pub context: Context,
    /// When (RFC 3339).
    pub timestamp: String,
    /// The outcome, where the verb has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<StatementResult>,
}

/// An agent identified by an account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Agent {
    /// `Agent`.
    pub object_type: String,
    /// The account.
    pub account: Account,
}

/// An account on a system.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Account {
    /// The system's home page.
    pub home_page: String,
    /// The account's name there (the candidate id).
    pub name: String,
}

/// A verb: an ADL verb IRI with its display name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verb {
    /// The verb's IRI.
    pub id: String,
    /// Its name by language.
    pub display: LanguageMap,
}

/// An activity: the object of a statement, or a context activity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Activity {
    /// `Activity`, where stated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object_type: Option<String>,
    /// The activity's IRI.
    pub id: String,
    /// Its definition, where given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub definition: Option<ActivityDefinition>,
}

/// What an activity is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivityDefinition {
    /// The activity type's IRI.
    #[serde(rename = "type")]
    pub kind: String,
    /// Its name by language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<LanguageMap>,
    /// `choice`, `sequencing` or `matching` (items only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interaction_type: Option<String>,
    /// The key in xAPI's response syntax (items only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correct_responses_pattern: Option<Vec<String>>,
}

/// A statement's context.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Context {
    /// The registration's UUID (one per candidate and AU).
    pub registration: String,
    /// The cmi5 extensions.
    pub extensions: Extensions,
    /// The cmi5 categories, or the AU as the parent of an item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context_activities: Option<ContextActivities>,
}

/// The cmi5 context extensions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Extensions {
    /// The session's UUID ([`SESSION_EXTENSION`]).
    #[serde(rename = "https://w3id.org/xapi/cmi5/context/extensions/sessionid")]
    pub session_id: String,
    /// The mastery score, the cut as a share of the maximum
    /// ([`MASTERY_EXTENSION`]; cmi5-defined statements of a report with a
    /// decision).
    #[serde(
        rename = "https://w3id.org/xapi/cmi5/context/extensions/masteryscore",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub mastery_score: Option<f64>,
}

/// Context activities.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContextActivities {
    /// The cmi5 categories.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<Vec<Activity>>,
    /// The AU an item belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<Vec<Activity>>,
}

/// A statement's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatementResult {
    /// The candidate's response in xAPI's syntax (items).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<String>,
    /// Full credit (items), or passed (the AU).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub success: Option<bool>,
    /// The attempt was completed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completion: Option<bool>,
    /// The score.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<StatementScore>,
    /// ISO 8601 duration (`PT90S`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<String>,
}

impl StatementResult {
    /// A result with only a duration.
    fn lasting(seconds: u64) -> Self {
        Self {
            response: None,
            success: None,
            completion: None,
            score: None,
            duration: Some(duration(seconds)),
        }
    }
}

/// A score: raw within `[min, max]` and scaled to `[0, 1]`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct StatementScore {
    /// `raw / max`.
    pub scaled: f64,
    /// The raw score.
    pub raw: f64,
    /// The least score.
    pub min: f64,
    /// The greatest score.
    pub max: f64,
}

fn verb(name: &str) -> Verb {
    Verb {
        id: format!("http://adlnet.gov/expapi/verbs/{name}"),
        display: LanguageMap::from([("en-US".to_owned(), name.to_owned())]),
    }
}

/// The statements of one attempt, in the order cmi5 requires.
pub fn statements(attempt: &Attempt<'_>) -> Vec<Statement> {
    let report = attempt.report;
    let au = format!("{}/forms/{}", attempt.activity_base, attempt.form.id);
    let registration = Uuid::new_v5(
        &Uuid::NAMESPACE_URL,
        format!("{au}/candidates/{}", report.candidate).as_bytes(),
    );
    let session = Uuid::new_v5(&registration, b"session");
    let actor = Agent {
        object_type: "Agent".to_owned(),
        account: Account {
            home_page: attempt.home_page.to_owned(),
            name: report.candidate.to_string(),
        },
    };
    let mastery = report
        .decision
        .as_ref()
        .filter(|_| report.max > 0.0)
        .map(|d| d.raw_cut / report.max);
    let context = |categories: &[&str]| Context {
        registration: registration.to_string(),
        extensions: Extensions {
            session_id: session.to_string(),
            mastery_score: mastery.filter(|_| !categories.is_empty()),
        },
        context_activities: (!categories.is_empty()).then(|| ContextActivities {
            category: Some(
                categories
                    .iter()
                    .map(|c| Activity {
                        object_type: None,
                        id: (*c).to_owned(),
                        definition: None,
                    })
                    .collect(),
            ),
            parent: None,
        }),
    };
    let au_object = Activity {
        object_type: Some("Activity".to_owned()),
        id: au.clone(),
        definition: Some(ActivityDefinition {
            kind: "https://w3id.org/xapi/cmi5/activitytype/course".to_owned(),
            name: None,
            interaction_type: None,
            correct_responses_pattern: None,
        }),
    };
    let statement =
        |name: &str, tag: &str, at: OffsetDateTime, object: Activity, ctx: Context| Statement {
            id: Uuid::new_v5(&registration, tag.as_bytes()).to_string(),
            actor: actor.clone(),
            verb: verb(name),
            object,
            context: ctx,
            timestamp: rfc3339(at),
            result: None,
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
        let object = Activity {
            object_type: Some("Activity".to_owned()),
            id: format!("{}/items/{}", attempt.activity_base, score.item),
            definition: Some(ActivityDefinition {
                kind: "http://adlnet.gov/expapi/activities/cmi.interaction".to_owned(),
                name: Some(LanguageMap::from([(
                    "en-US".to_owned(),
                    score.item.to_string(),
                )])),
                interaction_type: Some(kind.to_owned()),
                correct_responses_pattern: Some(vec![pattern]),
            }),
        };
        let mut ctx = context(&[]);
        ctx.context_activities = Some(ContextActivities {
            category: None,
            parent: Some(vec![Activity {
                object_type: Some("Activity".to_owned()),
                id: au.clone(),
                definition: None,
            }]),
        });
        let mut s = statement(
            "answered",
            &format!("answered/{}", score.item),
            at,
            object,
            ctx,
        );
        s.result = Some(StatementResult {
            response: Some(response),
            success: Some(score.credit >= 1.0),
            completion: None,
            score: Some(StatementScore {
                scaled: score.credit,
                raw: score.credit,
                min: 0.0,
                max: 1.0,
            }),
            duration: (seconds > 0).then(|| duration(seconds)),
        });
        out.push(s);
    }
    let total = report.seconds.unwrap_or(elapsed);
    let scaled = if report.max > 0.0 {
        report.raw / report.max
    } else {
        0.0
    };
    let score = StatementScore {
        scaled,
        raw: report.raw,
        min: 0.0,
        max: report.max,
    };
    let mut completed = statement(
        "completed",
        "completed",
        at,
        au_object.clone(),
        context(&[CMI5_CATEGORY, MOVEON_CATEGORY]),
    );
    completed.result = Some(StatementResult {
        completion: Some(true),
        ..StatementResult::lasting(total)
    });
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
        s.result = Some(StatementResult {
            success: Some(decision.passed),
            score: Some(score),
            ..StatementResult::lasting(total)
        });
        out.push(s);
    }
    let mut terminated = statement(
        "terminated",
        "terminated",
        at,
        au_object,
        context(&[CMI5_CATEGORY]),
    );
    terminated.result = Some(StatementResult::lasting(total));
    out.push(terminated);
    out
}

/// The statements of one candidate's attempt at a form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttemptStatements {
    /// The candidate.
    pub candidate: CandidateId,
    /// The form.
    pub form: FormId,
    /// Its statements ([`statements`]).
    pub statements: Vec<Statement>,
}

/// The statements document of `exam export xapi` and the pilot's
/// `xapi-statements.json`: `{"attempts": [{"candidate", "form",
/// "statements": [...]}]}`, pretty JSON with every object's keys in sorted
/// order and no newline after it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatementsDocument {
    /// One entry per attempt.
    pub attempts: Vec<AttemptStatements>,
}

impl StatementsDocument {
    /// Reads a document.
    pub fn read(input: impl Read, name: &str) -> Result<Self, FormatError> {
        json::read(input, name, "an xAPI statements document")
    }

    /// Writes the document (keys sorted).
    pub fn write(&self, out: impl Write, name: &str) -> Result<(), FormatError> {
        json::write_pretty_sorted(out, self, name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use exam_core::strategies::{text, token};
    use proptest::collection::{btree_map, vec};
    use proptest::option::of;
    use proptest::prelude::*;

    fn language_map() -> impl Strategy<Value = LanguageMap> {
        btree_map(token(), text(), 1..3)
    }

    fn definition() -> impl Strategy<Value = ActivityDefinition> {
        (
            token(),
            of(language_map()),
            of(token()),
            of(vec(text(), 0..3)),
        )
            .prop_map(
                |(kind, name, interaction_type, correct_responses_pattern)| ActivityDefinition {
                    kind,
                    name,
                    interaction_type,
                    correct_responses_pattern,
                },
            )
    }

    fn activity() -> impl Strategy<Value = Activity> {
        (any::<bool>(), token(), of(definition())).prop_map(|(typed, id, definition)| Activity {
            object_type: typed.then(|| "Activity".to_owned()),
            id,
            definition,
        })
    }

    fn context() -> impl Strategy<Value = Context> {
        let activities = of((of(vec(activity(), 0..3)), of(vec(activity(), 0..2))));
        (token(), token(), of(0.0f64..=1.0), activities).prop_map(
            |(registration, session_id, mastery_score, activities)| Context {
                registration,
                extensions: Extensions {
                    session_id,
                    mastery_score,
                },
                context_activities: activities
                    .map(|(category, parent)| ContextActivities { category, parent }),
            },
        )
    }

    fn result() -> impl Strategy<Value = StatementResult> {
        let score = (
            0.0f64..=1.0,
            -100.0f64..100.0,
            -10.0f64..=0.0,
            0.0f64..100.0,
        )
            .prop_map(|(scaled, raw, min, max)| StatementScore {
                scaled,
                raw,
                min,
                max,
            });
        (
            of(text()),
            of(any::<bool>()),
            of(any::<bool>()),
            of(score),
            of(token()),
        )
            .prop_map(
                |(response, success, completion, score, duration)| StatementResult {
                    response,
                    success,
                    completion,
                    score,
                    duration,
                },
            )
    }

    fn statement() -> impl Strategy<Value = Statement> {
        (
            (token(), token(), token()),
            (token(), language_map()),
            activity(),
            context(),
            token(),
            of(result()),
        )
            .prop_map(
                |((id, home_page, name), (verb, display), object, context, timestamp, result)| {
                    Statement {
                        id,
                        actor: Agent {
                            object_type: "Agent".to_owned(),
                            account: Account { home_page, name },
                        },
                        verb: Verb { id: verb, display },
                        object,
                        context,
                        timestamp,
                        result,
                    }
                },
            )
    }

    fn document() -> impl Strategy<Value = StatementsDocument> {
        vec((token(), token(), vec(statement(), 0..4)), 0..3).prop_map(|attempts| {
            StatementsDocument {
                attempts: attempts
                    .into_iter()
                    .map(|(candidate, form, statements)| AttemptStatements {
                        candidate: CandidateId::new(candidate),
                        form: FormId::new(form),
                        statements,
                    })
                    .collect(),
            }
        })
    }

    #[test]
    fn a_statement_without_an_actor_is_refused_naming_the_file() {
        let text =
            r#"{"attempts": [{"candidate": "C1", "form": "F1", "statements": [{"id": "x"}]}]}"#;
        let err = StatementsDocument::read(text.as_bytes(), "xapi.json").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("xapi.json: not an xAPI statements document: missing field `actor`"),
            "{err}"
        );
    }

    proptest! {
        #[test]
        fn written_documents_read_back_equal(doc in document()) {
            let mut bytes = Vec::new();
            doc.write(&mut bytes, "x").unwrap();
            prop_assert_eq!(StatementsDocument::read(bytes.as_slice(), "x").unwrap(), doc);
        }
    }
}
