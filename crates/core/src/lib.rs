//! exam-core: the domain model of exam-engine.
//!
//! Items and the item bank, the Job Task Analysis and the blueprint derived
//! from it, forms and their keys, submissions, scored response matrices, and
//! the IRT item response functions that assembly, scoring and statistics all
//! share.
//!
//! Key design decision: every on-disk or on-the-wire record is checked into a
//! validated type on the way in, so a value of a core type is always valid.
//!
//! # Start here: an LMS or delivery backend
//!
//! `examples/lms_service/` is a small axum service doing all of this
//! (`cargo run --example lms_service`), and `examples/lms_backend.rs` the
//! same steps without HTTP. In short:
//!
//! 1. At start-up: [`bank::ItemBank::load`], then an
//!    [`assembly::LoftPlan`] (it owns `Arc`s of the bank and blueprint and
//!    the server's secret [`attempt::HandleKey`]; keep it in the service
//!    state), exam-scoring's `ScoringRules::from_blueprint` and
//!    [`bank::ItemBank::irt_params`], and the [`assembly::ExposureState`]
//!    read back from where it was saved.
//! 2. Per attempt: [`assembly::LoftPlan::attempt`] gives the form, its
//!    [`form::DeliveryView`] (send it to the candidate; its
//!    [`to_json`](form::DeliveryView::to_json) writes serde_json's bytes
//!    several times faster, its shared texts copied), its scoring key
//!    and a compact [`assembly::AttemptRecord`] (store it); count the form
//!    with [`assembly::ExposureState::record`] (or
//!    [`release`](assembly::ExposureState::release) it if the attempt is
//!    abandoned).
//! 3. On submission: parse the client's
//!    [`attempt::CandidateSubmission`] (answers by handle), rebuild form
//!    and key with [`assembly::LoftPlan::restore`], and score with
//!    exam-scoring's `candidate::score_attempt`: keep the full
//!    `ScoreReport`, show the candidate its `CandidateReport`.
//! 4. Errors: every error type implements [`error::ApiError`] (a stable
//!    code, caller or server at fault) and serializes;
//!    [`error::ErrorBody`] is the response body.
//!
//! Which type goes where: to the candidate only [`form::DeliveryView`]
//! and exam-scoring's `CandidateReport` (neither carries a key, a role, a
//! credit or a bank id); from the candidate
//! [`attempt::CandidateSubmission`]; everything else ([`form::Form`],
//! [`form::ScoringKey`], [`assembly::AttemptRecord`], `ScoreReport`) stays
//! on the server.
//!
//! ```
//! use exam_core::irt::ItemParams;
//!
//! let item = ItemParams::new(1.2, 0.5, 0.2)?;
//! assert!((item.prob(0.5) - 0.6).abs() < 1e-12);
//! # Ok::<(), exam_core::irt::ParamsError>(())
//! ```
#![deny(missing_docs)]

pub mod assembly;
pub mod attempt;
pub mod bank;
pub mod blueprint;
pub mod coverage;
pub mod cues;
mod disk;
pub mod error;
pub mod form;
pub mod hash;
pub mod ids;
pub mod irt;
pub mod item;
pub mod jta;
pub mod lint;
pub mod overlap;
pub mod quadrature;
pub mod random;
pub mod responses;
pub mod schema;
#[cfg(any(test, feature = "proptest"))]
pub mod strategies;
pub mod submission;
#[cfg(test)]
mod test_banks;
pub mod text;

pub use ids::{CandidateId, ItemId, PersonId};
