//! exam-export: every file format exam-engine writes or reads back.
//!
//! Each format is one type with its reader and its writer side by side, so a
//! document written by one version of the engine is read back by the same
//! code that defines it. The computations stay in exam-core, exam-scoring and
//! exam-stats; this crate only turns their values into bytes and back.
//!
//! The standards: [`qti`] (QTI 3.0 items, tests and content packages out and
//! in, usage data, results reporting), [`xapi`] (xAPI 1.0.3 statements in
//! the cmi5 profile) and [`lti`] (LTI Advantage AGS scores).
//! [`loft`]: the on-the-fly attempt document and exposure state of `exam loft`.
//! [`report`]: the HTML reports (item analysis, calibration, forms,
//! candidate score report), one self-contained page each with inline SVG plots.
//! [`pilot`]: a program's first administration simulated end to end into
//! one folder of these files (`exam pilot`).
#![deny(missing_docs)]
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod analysis;
pub mod blueprint_derivation;
pub mod calibration;
mod csv_lines;
pub mod csv_table;
pub mod cue_audit;
mod error;
pub mod forms;
pub mod groups;
mod json;
pub mod loft;
pub mod lti;
pub mod params;
pub mod pilot;
pub mod qti;
pub mod raw_csv;
pub mod raw_responses;
pub mod report;
pub mod rescore;
pub mod score_reports;
pub mod scored_csv;
pub mod scored_parquet;
pub mod scored_responses;
pub mod scoring_rules;
pub mod standard_setting;
pub mod submission_files;
pub mod submissions;
pub mod table;
#[cfg(test)]
mod test_matrices;
pub mod theta;
pub mod xapi;
pub mod xml;

pub use error::FormatError;

// The libraries below, re-exported so that the `exam` binary depends on
// this crate alone (the crate graph core <- {scoring, stats} <- export <-
// exam-engine).
pub use exam_core as core;
pub use exam_scoring as scoring;
pub use exam_stats as stats;
