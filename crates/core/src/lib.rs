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
//! ```
//! use exam_core::irt::ItemParams;
//!
//! let item = ItemParams::new(1.2, 0.5, 0.2)?;
//! assert!((item.prob(0.5) - 0.6).abs() < 1e-12);
//! # Ok::<(), exam_core::irt::ParamsError>(())
//! ```
#![deny(missing_docs)]

pub mod assembly;
pub mod bank;
pub mod blueprint;
pub mod coverage;
pub mod cues;
mod disk;
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
