//! The scored response file in either of its formats: Parquet
//! ([`scored_parquet`]) when its name ends in
//! `.parquet`, the scored CSV ([`scored_csv`])
//! otherwise; both give the same [`ResponseMatrix`].

use crate::scored_csv;
use crate::scored_parquet::{self, ParquetResponsesError};
use exam_core::responses::{CsvOptions, ResponseMatrix, ResponsesError};
use std::io::Read;
use std::path::Path;

/// Why a scored response file could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ScoredResponsesError {
    /// The scored CSV was refused.
    #[error(transparent)]
    Csv(#[from] ResponsesError),
    /// The Parquet file was refused.
    #[error(transparent)]
    Parquet(#[from] ParquetResponsesError),
}

/// Whether `path` names a Parquet file (extension `.parquet`, any case).
pub fn is_parquet(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("parquet"))
}

/// Reads the scored responses in `input`, the contents of `path` (whose
/// extension chooses the format, and which names the file in errors).
pub fn read(
    input: impl Read,
    path: &Path,
    options: CsvOptions,
) -> Result<ResponseMatrix, ScoredResponsesError> {
    let name = path.display().to_string();
    Ok(if is_parquet(path) {
        scored_parquet::read(input, &name, options)?
    } else {
        scored_csv::read(input, &name, options)?
    })
}
