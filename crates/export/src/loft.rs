//! The two files of on-the-fly delivery (`exam loft`): the attempt document
//! (one candidate's form with its delivery view, scoring key, compact
//! record and quality) and the exposure state the next attempt reads.
//!
//! The attempt document holds the key: it stays on the server, and only its
//! `delivery_view` goes to the candidate.

use crate::FormatError;
use crate::json;
use exam_core::assembly::{Attempt, AttemptRecord, ExposureState, LoftQuality};
use exam_core::form::{DeliveryView, Form, ScoringKey};
use exam_core::ids::CandidateId;
use serde::{Deserialize, Serialize};
use std::io::{Read, Write};

/// One on-the-fly attempt as `exam loft --out` writes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoftDocument {
    /// The candidate the form was built for.
    pub candidate: CandidateId,
    /// The seed of the attempt (also in `form` and `record`).
    pub seed: u64,
    /// The form (server side).
    pub form: Form,
    /// What the candidate is sent: items under per-form handles, no keys.
    pub delivery_view: DeliveryView,
    /// The scoring key (server side).
    pub scoring_key: ScoringKey,
    /// The compact record a service stores until the submission.
    pub record: AttemptRecord,
    /// How the form came out against the target and the exposure cap.
    pub quality: LoftQuality,
}

impl LoftDocument {
    /// The document of `attempt`, built for `candidate`.
    pub fn new(candidate: CandidateId, attempt: Attempt) -> Self {
        Self {
            candidate,
            seed: attempt.record.seed,
            form: attempt.form,
            delivery_view: attempt.view,
            scoring_key: attempt.key,
            record: attempt.record,
            quality: attempt.quality,
        }
    }

    /// Reads a document; errors name `name`.
    pub fn read(input: impl Read, name: &str) -> Result<Self, FormatError> {
        json::read(input, name, "an on-the-fly attempt document")
    }

    /// Writes the document as pretty JSON with a trailing newline.
    pub fn write(&self, out: impl Write, name: &str) -> Result<(), FormatError> {
        json::write_pretty(out, self, name)
    }
}

/// Reads an exposure state (`{"forms_delivered": N, "uses": {item: n}}`);
/// errors name `name`.
pub fn read_exposure(input: impl Read, name: &str) -> Result<ExposureState, FormatError> {
    json::read(input, name, "an exposure state")
}

/// Writes an exposure state as pretty JSON with a trailing newline.
pub fn write_exposure(
    state: &ExposureState,
    out: impl Write,
    name: &str,
) -> Result<(), FormatError> {
    json::write_pretty(out, state, name)
}
