//! exam-stats: statistics on scored response data.
//!
//! [`calibration`] estimates item parameters under item response theory:
//! Rasch by conditional maximum likelihood, Rasch/1PL, 2PL, 3PL and the
//! generalized partial credit model by marginal maximum likelihood (Bock &
//! Aitkin 1981 EM over Gauss–Hermite quadrature), fixed-item (anchor)
//! calibration, linking to a bank scale, and item fit.
//!
//! Key design decision: every estimator reads the block-sparse
//! [`exam_core::responses::ResponseMatrix`], so a "not presented" cell never
//! enters a likelihood, and the hot loops run over contiguous bytes.
//!
//! ```
//! use exam_core::responses::{CsvOptions, ResponseMatrix};
//! use exam_stats::calibration::{calibrate, CalibrationOptions, Model};
//!
//! let csv = "A,B,C\n1,0,0\n1,1,0\n0,1,1\n1,1,1\n0,0,0\n1,0,1\n1,1,0\n0,0,1\n";
//! let data = ResponseMatrix::from_csv(csv.as_bytes(), "example", CsvOptions { id_column: false })?;
//! let fit = calibrate(&data, &CalibrationOptions::new(Model::TwoPl))?;
//! assert_eq!(fit.items.len(), 3);
//! assert!(fit.log_likelihood < 0.0);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod calibration;
