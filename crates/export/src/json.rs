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
    write_pretty_unterminated(&mut out, value, name)?;
    writeln!(out).map_err(|e| FormatError::io(name, e))?;
    out.flush().map_err(|e| FormatError::io(name, e))
}

/// Writes `value` as one pretty JSON document with no newline after it
/// (the documents the pilot has always written so).
pub fn write_pretty_unterminated<T: Serialize>(
    mut out: impl Write,
    value: &T,
    name: &str,
) -> Result<(), FormatError> {
    serde_json::to_writer_pretty(&mut out, value).map_err(|e| FormatError::io(name, e.into()))?;
    out.flush().map_err(|e| FormatError::io(name, e))
}

/// Writes `value` as [`write_pretty_unterminated`] does, every object's
/// keys in sorted order (a document first built as a `serde_json::Value`).
pub fn write_pretty_sorted<T: Serialize>(
    out: impl Write,
    value: &T,
    name: &str,
) -> Result<(), FormatError> {
    let value = serde_json::to_value(value).map_err(|e| FormatError::io(name, e.into()))?;
    write_pretty_unterminated(out, &value, name)
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
