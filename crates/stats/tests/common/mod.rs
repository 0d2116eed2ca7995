//! Helpers of exam-stats' tests over the reference data sets read through
//! `reference_data.rs`.

use crate::reference_data::reference_path;
use exam_core::responses::{CsvOptions, ResponseMatrix};

/// A scored CSV of the reference directory (no id column).
pub fn reference_matrix(file: &str) -> ResponseMatrix {
    let path = reference_path(file);
    let reader = std::fs::File::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    ResponseMatrix::from_csv(reader, file, CsvOptions { id_column: false })
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}
