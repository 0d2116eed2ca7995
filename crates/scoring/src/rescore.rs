//! Rescoring after an administration: when a key is corrected or an item
//! withdrawn (credited to everyone or dropped), every submission is scored
//! again under the new rules and every candidate whose score or decision
//! changed is listed with old and new values.
//!
//! The corrections are [`crate::rules::ItemAdjustment`]s in a new version
//! of the [`crate::rules::ScoringRules`]; the rescoring compares the reports
//! of a [`Scorer`] built with the old rules against one built with the new.

use crate::keyed::{Scorer, ScoringError};
use crate::report::ScoreReport;
use exam_core::ids::{CandidateId, FormId};
use exam_core::submission::Submission;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// Scores differing by no more than this are the same score (credits are
/// sums of fractions).
pub const SCORE_TOLERANCE: f64 = 1e-9;

/// One candidate whose result changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoreChange {
    /// The candidate.
    pub candidate: CandidateId,
    /// The form sat.
    pub form: FormId,
    /// Raw score before.
    pub old_raw: f64,
    /// Raw score after.
    pub new_raw: f64,
    /// Maximum before.
    pub old_max: f64,
    /// Maximum after.
    pub new_max: f64,
    /// Scaled score before, where scaled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old_scaled: Option<i64>,
    /// Scaled score after, where scaled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_scaled: Option<i64>,
    /// Decision before, where a cut is set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old_passed: Option<bool>,
    /// Decision after, where a cut is set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_passed: Option<bool>,
}

impl ScoreChange {
    /// Whether the pass/fail decision changed.
    pub fn decision_changed(&self) -> bool {
        self.old_passed != self.new_passed
    }
}

/// The outcome of a rescoring.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rescoring {
    /// Submissions rescored.
    pub rescored: usize,
    /// Candidates whose decision changed.
    pub decisions_changed: usize,
    /// Every candidate whose raw score, maximum, scaled score or decision
    /// changed, in input order.
    pub changes: Vec<ScoreChange>,
    /// The new reports of every submission, in input order.
    pub reports: Vec<ScoreReport>,
}

/// The change between two reports of one submission, if anything changed.
pub fn compare(old: &ScoreReport, new: &ScoreReport) -> Option<ScoreChange> {
    let passed = |r: &ScoreReport| r.decision.as_ref().map(|d| d.passed);
    let changed = (old.raw - new.raw).abs() > SCORE_TOLERANCE
        || (old.max - new.max).abs() > SCORE_TOLERANCE
        || old.scaled != new.scaled
        || passed(old) != passed(new);
    changed.then(|| ScoreChange {
        candidate: new.candidate.clone(),
        form: new.form.clone(),
        old_raw: old.raw,
        new_raw: new.raw,
        old_max: old.max,
        new_max: new.max,
        old_scaled: old.scaled,
        new_scaled: new.scaled,
        old_passed: passed(old),
        new_passed: passed(new),
    })
}

/// Rescores every submission under `after` and lists the changes against
/// `before` (rayon-parallel). Any bad submission is an error.
pub fn rescore(
    submissions: &[Submission],
    before: &Scorer,
    after: &Scorer,
) -> Result<Rescoring, ScoringError> {
    let pairs: Vec<(ScoreReport, ScoreReport)> = submissions
        .par_iter()
        .map(|s| Ok((before.report(s)?, after.report(s)?)))
        .collect::<Result<_, ScoringError>>()?;
    let changes: Vec<ScoreChange> = pairs.iter().filter_map(|(o, n)| compare(o, n)).collect();
    Ok(Rescoring {
        rescored: submissions.len(),
        decisions_changed: changes.iter().filter(|c| c.decision_changed()).count(),
        changes,
        reports: pairs.into_iter().map(|(_, n)| n).collect(),
    })
}
