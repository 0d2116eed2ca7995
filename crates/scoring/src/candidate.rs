//! What a candidate may see: the candidate view of a score report, and the
//! scoring of an attempt's submission sent by handle.
//!
//! Which type goes where:
//!
//! | type | goes to | holds |
//! | --- | --- | --- |
//! | `exam_core::form::DeliveryView` | the candidate | stems and options under per-form handles |
//! | `exam_core::attempt::CandidateSubmission` | from the candidate | answers by handle |
//! | [`CandidateReport`] | the candidate, the LMS's result pages | scores, pass/fail, domain bands |
//! | [`ScoreReport`] | the server's records, psychometricians | every item's role, status and credit, the key's fingerprint |
//! | `Form`, `ScoringKey`, `AttemptRecord` | the server only | bank ids, keys |
//!
//! A [`CandidateReport`] has no item-level detail (no item ids, roles,
//! statuses or credits, so neither pretest items nor keys can be read off
//! it) and no audit block (no key fingerprint).
//!
//! ```json
//! {"candidate": "C-2026-000417", "form": "die-2026-3f0c9a1b7d2e4c58",
//!  "raw": 44.0, "max": 60.0, "percent": 73.3, "scaled": 730,
//!  "passed": true, "scaled_cut": 700.0,
//!  "domains": [{"domain": "infrastructure", "raw": 7.0, "max": 9.0, "percent": 77.8, "band": "near"}],
//!  "answered": 68, "omitted": 2, "not_reached": 0}
//! ```

use crate::keyed::{AnswerProblem, CompiledFormKey, ScoringError};
use crate::report::{Band, ScoreReport};
use exam_core::attempt::{CandidateSubmission, Handle, HandleKey, SubmissionError};
use exam_core::error::{ApiError, Fault};
use exam_core::form::Form;
use exam_core::ids::{CandidateId, DomainId, FormId};
use serde::{Deserialize, Serialize};

/// One domain's subscore as the candidate sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CandidateDomain {
    /// The domain.
    pub domain: DomainId,
    /// Raw subscore.
    pub raw: f64,
    /// Its maximum.
    pub max: f64,
    /// `100 · raw / max`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub percent: Option<f64>,
    /// Above, near or below the standard (see [`crate::report`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub band: Option<Band>,
}

/// The candidate view of a [`ScoreReport`] (see the module docs).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CandidateReport {
    /// The candidate.
    pub candidate: CandidateId,
    /// The form sat.
    pub form: FormId,
    /// Raw score of the counted items.
    pub raw: f64,
    /// Its maximum.
    pub max: f64,
    /// `100 · raw / max`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub percent: Option<f64>,
    /// The scaled score, where scores are scaled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scaled: Option<i64>,
    /// Pass or fail, where a cut is set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub passed: Option<bool>,
    /// The scaled score needed to pass, where scores are scaled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scaled_cut: Option<f64>,
    /// Domain subscores.
    pub domains: Vec<CandidateDomain>,
    /// Items answered.
    pub answered: u32,
    /// Items seen and left blank.
    pub omitted: u32,
    /// Items not reached.
    pub not_reached: u32,
}

impl From<&ScoreReport> for CandidateReport {
    fn from(r: &ScoreReport) -> Self {
        Self {
            candidate: r.candidate.clone(),
            form: r.form.clone(),
            raw: r.raw,
            max: r.max,
            percent: r.percent,
            scaled: r.scaled,
            passed: r.decision.as_ref().map(|d| d.passed),
            scaled_cut: r.decision.as_ref().and_then(|d| d.scaled_cut),
            domains: r
                .domains
                .iter()
                .map(|d| CandidateDomain {
                    domain: d.domain.clone(),
                    raw: d.raw,
                    max: d.max,
                    percent: d.percent,
                    band: d.band,
                })
                .collect(),
            answered: r.responses.answered,
            omitted: r.responses.omitted,
            not_reached: r.responses.not_reached,
        }
    }
}

impl ScoreReport {
    /// The candidate view of this report.
    pub fn candidate_view(&self) -> CandidateReport {
        CandidateReport::from(self)
    }
}

/// Why an attempt's submission was refused, in terms the client sent
/// (handles, never bank ids).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(tag = "code", content = "detail", rename_all = "snake_case")]
#[non_exhaustive]
pub enum AttemptError {
    /// The submission does not map onto the form.
    #[error(transparent)]
    Submission(#[from] SubmissionError),
    /// An answer is not valid for its item.
    #[error("handle {handle}: {problem}")]
    Answer {
        /// The item's handle.
        handle: Handle,
        /// What is wrong.
        problem: AnswerProblem,
    },
    /// The scorer given is not the scorer of the attempt's form.
    #[error("the scorer is for form {scorer}, the attempt's form is {form}")]
    WrongScorer {
        /// The attempt's form.
        form: FormId,
        /// The scorer's form.
        scorer: FormId,
    },
}

impl ApiError for AttemptError {
    fn code(&self) -> &'static str {
        match self {
            Self::Submission(e) => e.code(),
            Self::Answer { problem, .. } => problem.code(),
            Self::WrongScorer { .. } => "wrong_scorer",
        }
    }

    fn fault(&self) -> Fault {
        match self {
            Self::Submission(_) | Self::Answer { .. } => Fault::Caller,
            Self::WrongScorer { .. } => Fault::Server,
        }
    }
}

/// Scores what a client sent for an attempt: maps the handles back to the
/// form's items ([`CandidateSubmission::resolve`]), scores the submission
/// with the form's scorer and returns the full report (keep it) — send the
/// candidate its [`ScoreReport::candidate_view`].
///
/// # Errors
///
/// [`AttemptError`] naming the handle when an answer is invalid or the
/// submission does not map onto the form.
pub fn score_attempt(
    scorer: &CompiledFormKey,
    form: &Form,
    handles: &HandleKey,
    candidate: &CandidateId,
    sent: &CandidateSubmission,
) -> Result<ScoreReport, AttemptError> {
    if scorer.form() != &form.id {
        return Err(AttemptError::WrongScorer {
            form: form.id.clone(),
            scorer: scorer.form().clone(),
        });
    }
    let submission = sent.resolve(candidate, form, handles)?;
    let scored = scorer.score(&submission).map_err(|e| match e {
        ScoringError::InvalidAnswer { item, problem, .. } => AttemptError::Answer {
            handle: handles.item(&form.id, &item),
            problem,
        },
        // resolve() gave only the form's items, once each, on this form.
        _ => AttemptError::WrongScorer {
            form: form.id.clone(),
            scorer: scorer.form().clone(),
        },
    })?;
    Ok(scorer.report(&scored))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keyed::ResponseStatus;
    use crate::rules::ScoringRules;
    use exam_core::assembly::{ExposureState, LoftOptions, LoftPlan};
    use exam_core::bank::ItemBank;
    use exam_core::submission::Answer;
    use std::sync::Arc;

    /// How many of a report's items had each status: a check that the
    /// candidate view's counts cover every item.
    fn statuses(report: &ScoreReport) -> [u32; 3] {
        let mut n = [0; 3];
        for i in &report.items {
            n[match i.status {
                ResponseStatus::Answered => 0,
                ResponseStatus::Omitted => 1,
                ResponseStatus::NotReached => 2,
            }] += 1;
        }
        n
    }

    fn shipped() -> (LoftPlan, ScoringRules) {
        let bank = ItemBank::load(concat!(env!("CARGO_MANIFEST_DIR"), "/../../item-bank")).unwrap();
        let blueprint = bank.blueprint(&"die-2026".into()).unwrap().clone();
        let rules = ScoringRules::from_blueprint(&blueprint).unwrap();
        let plan = LoftPlan::new(
            Arc::new(bank),
            Arc::new(blueprint),
            &LoftOptions::default(),
            HandleKey::new([9; 16]),
        )
        .unwrap();
        (plan, rules)
    }

    #[test]
    fn the_key_answered_by_handle_passes_and_the_view_hides_the_items() {
        let (plan, rules) = shipped();
        let attempt = plan.attempt(&ExposureState::default(), 11).unwrap();
        let params = plan.bank().irt_params().unwrap();
        let scorer = CompiledFormKey::new(&attempt.form, &attempt.key, &rules, &params).unwrap();
        let key = scorer.key_submission("C-1");
        let sent = CandidateSubmission::by_handle(&key, plan.handles());
        let c = CandidateId::new("C-1");
        let report = score_attempt(&scorer, &attempt.form, plan.handles(), &c, &sent).unwrap();
        let view = report.candidate_view();
        assert!((view.raw - 60.0).abs() < 1e-12);
        assert_eq!(view.passed, Some(true));
        assert_eq!(view.scaled, Some(1000));
        assert_eq!(
            [view.answered, view.omitted, view.not_reached],
            statuses(&report)
        );
        let json = serde_json::to_string(&view).unwrap();
        for slot in &attempt.form.slots {
            assert!(!json.contains(slot.item.as_str()));
        }
        // A bad option is reported by handle, not by item id.
        let mut bad = sent.clone();
        bad.answers[0].answer = match &sent.answers[0].answer {
            Answer::Selected(_) => Answer::Selected(vec!["no-such-option".into()]),
            Answer::Ordered(_) => Answer::Ordered(vec!["no-such-option".into()]),
            _ => Answer::Selected(vec![]),
        };
        let err = score_attempt(&scorer, &attempt.form, plan.handles(), &c, &bad).unwrap_err();
        assert_eq!(err.fault(), Fault::Caller);
        assert!(
            err.to_string()
                .contains(&sent.answers[0].handle.to_string())
        );
        assert!(!err.to_string().contains(key.answers[0].item.as_str()));
    }
}
