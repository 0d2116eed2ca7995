//! JSON documents: pretty-printed with a trailing newline, read with the
//! document's name in every error.

use crate::FormatError;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::io::{Read, Write};

/// Writes `value` as one pretty JSON document followed by a newline.
pub fn write_pretty<T: Serialize>(
    mut out: impl Write,
    value: &T,
    name: &str,
) -> Result<(), FormatError> {
    serde_json::to_writer_pretty(&mut out, value).map_err(|e| FormatError::io(name, e.into()))?;
    writeln!(out).map_err(|e| FormatError::io(name, e))?;
    out.flush().map_err(|e| FormatError::io(name, e))
}

/// Reads one JSON document of type `T` from `input`; `expected` says what
/// the document should be, for the error.
pub fn read<T: DeserializeOwned>(
    input: impl Read,
    name: &str,
    expected: &'static str,
) -> Result<T, FormatError> {
    serde_json::from_reader(std::io::BufReader::new(input))
        .map_err(|e| FormatError::json(name, expected, e))
}
