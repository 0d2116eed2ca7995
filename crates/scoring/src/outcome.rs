//! What scoring a submission gives: per item whether and how it was
//! answered and the credit earned, and the raw score.

use exam_core::ids::{CandidateId, FormId};
use serde::{Deserialize, Serialize};

/// Whether and how an item was answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResponseStatus {
    /// The candidate gave an answer.
    Answered,
    /// Presented and left blank.
    Omitted,
    /// Not reached.
    NotReached,
}

/// The result of one item for one candidate, in form order.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ItemOutcome {
    /// Whether and how the item was answered.
    pub status: ResponseStatus,
    /// Credit earned in `[0, 1]` under the rules and adjustments (kept for
    /// pretest and dropped items too: item statistics read it).
    pub credit: f64,
}

/// A submission scored: per-item outcomes in form order and the raw score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoredSubmission {
    /// The candidate.
    pub candidate: CandidateId,
    /// The form.
    pub form: FormId,
    /// One outcome per slot of the form, in delivery order.
    pub outcomes: Vec<ItemOutcome>,
    /// Raw score: `Σ credit × weight` over the scored, not dropped items.
    pub raw: f64,
    /// Maximum raw score: `Σ weight` over the same items.
    pub max: f64,
    /// Total time the candidate spent on the items that carry a recorded
    /// time, in seconds; absent when no answer carries one.
    pub seconds: Option<u64>,
}
