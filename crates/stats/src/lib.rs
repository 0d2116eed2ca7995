//! exam-stats: the statistics psychometricians run on response data.
//!
//! - [`ctt`]: classical item analysis. Per item: p-value, point-biserial
//!   (corrected and not), biserial, upper-lower discrimination index, alpha
//!   if deleted, review flags. Per form: mean, SD, score distribution,
//!   alpha / KR-20 with Feldt's interval, KR-21, odd-even split-half with
//!   Spearman-Brown, SEM, and (with a cut score) [`decision`] consistency and
//!   accuracy (Livingston-Lewis, Subkoviak) with the CSEM at the cut.
//! - [`pairwise`]: R psych's pairwise whole-test statistics for one form
//!   with missing cells.
//! - [`dif`]: Mantel-Haenszel, STD P-DIF and logistic-regression DIF, with
//!   optional purification.
//! - [`distractors`]: option analysis from the options persons chose.
//! - [`calibration`]: IRT calibration: Rasch by conditional maximum
//!   likelihood, Rasch/1PL, 2PL, 3PL and the generalized partial credit model
//!   by marginal maximum likelihood (Bock & Aitkin 1981 EM over Gauss–Hermite
//!   quadrature), fixed-item (anchor) calibration, linking to a bank scale,
//!   and item fit.
//!
//! The missing-data convention is stated in [`ctt`] and in every result.
//!
//! Key design decisions: every classical statistic is a function of a
//! [`Summary`], a table of integer sufficient statistics that merges exactly,
//! so data analysed in chunks and merged (incrementally after each sitting,
//! or in parallel) gives the same numbers as the data analysed whole; and
//! every estimator reads the block-sparse
//! [`exam_core::responses::ResponseMatrix`], so a "not presented" cell never
//! enters a statistic or a likelihood, and the hot loops run over contiguous
//! bytes.
//!
//! ```
//! use exam_core::responses::{CsvOptions, ResponseMatrix};
//! use exam_stats::{AnalysisOptions, Summary, analyze};
//! use exam_stats::calibration::{calibrate, CalibrationOptions, IrtModel};
//!
//! let csv = "id,A,B,C\np1,1,1,1\np2,1,0,1\np3,0,0,1\np4,0,0,0\n";
//! let matrix = ResponseMatrix::from_csv(csv.as_bytes(), "example.csv", CsvOptions::default())?;
//! let analysis = analyze(&Summary::of(&matrix), &AnalysisOptions::default())?;
//! assert_eq!(analysis.items[0].p_value, Some(0.5));
//! let alpha = analysis.forms[0].alpha.unwrap();
//! assert!((alpha - 0.75).abs() < 1e-12);
//!
//! let csv = "A,B,C\n1,0,0\n1,1,0\n0,1,1\n1,1,1\n0,0,0\n1,0,1\n1,1,0\n0,0,1\n";
//! let data = ResponseMatrix::from_csv(csv.as_bytes(), "example", CsvOptions { id_column: false })?;
//! let fit = calibrate(&data, &CalibrationOptions::new(IrtModel::TwoPl))?;
//! assert_eq!(fit.items.len(), 3);
//! assert!(fit.log_likelihood < 0.0);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod calibration;
pub mod ctt;
pub mod decision;
pub mod dif;
pub mod distractors;
pub mod flags;
mod moments;
pub mod pairwise;
pub mod summary;
pub mod undefined;

pub use ctt::{AnalysisOptions, ItemAnalysis, analyze};
pub use summary::Summary;
