//! Reports people look at: each a single self-contained HTML page with
//! inline SVG plots, written from the values the `exam` commands compute.
//!
//! - [`analysis`]: the item analysis (Iteman's layout): test summary and
//!   score histogram with the cut, then per item the statistics, the option
//!   table and the option quantile plot, with flags and DIF.
//! - [`calibration`]: an IRT calibration: item characteristic and
//!   information curves, the test information and conditional SEM, the
//!   parameter table with standard errors, fit and flags.
//! - [`forms`]: assembled forms against their blueprint: coverage, test
//!   information and CSEM of all forms against the target, expected time,
//!   overlap between forms.
//! - [`candidate`]: one candidate's score report: the scaled score with
//!   its conditional-SEM band, pass/fail, domain subscores with their bands.
//! - [`pilot`]: the index page of a pilot's folder (findings and links).
//!
//! Every page stands alone: the stylesheet is inline, plots are SVG written
//! here ([`svg`](self) module), and nothing is fetched (no scripts, fonts or
//! images), so a report reads offline, without JavaScript, and prints
//! cleanly. A statistic that is undefined is shown with its reason, never
//! as NaN. Numbers appear with a few decimals and carry their exact value
//! in a `data-value` attribute, so tools can check them against the JSON.

pub mod analysis;
pub mod calibration;
pub mod candidate;
pub mod forms;
mod page;
pub mod pilot;
mod svg;

pub use analysis::{AnalysisReport, analysis_report};
pub use calibration::{Empirical, calibration_report};
pub use candidate::candidate_report;
pub use forms::forms_report;
pub use pilot::pilot_index;
