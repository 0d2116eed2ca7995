//! What can go wrong reading or writing a format: every error names the
//! document (a file name or another label the caller gives) and what in it
//! is wrong. The underlying reason is part of the message, not repeated as
//! an error source, so a chain of messages names it once.

use exam_core::ids::{FormId, ItemId};

/// Why a document could not be read or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FormatError {
    /// The bytes could not be read or written.
    #[error("{name}: {error}")]
    Io {
        /// The document.
        name: String,
        /// The I/O error.
        error: std::io::Error,
    },
    /// The JSON is malformed or not of the format's shape.
    #[error("{name}: not {expected}: {error}")]
    Json {
        /// The document.
        name: String,
        /// What the document should have been.
        expected: &'static str,
        /// Where the JSON parser stopped.
        error: serde_json::Error,
    },
    /// The CSV is malformed.
    #[error("{name}: {error}")]
    Csv {
        /// The document.
        name: String,
        /// The CSV error (with its position).
        error: csv::Error,
    },
    /// The Parquet writer failed.
    #[error("{name}: {error}")]
    Parquet {
        /// The document.
        name: String,
        /// The Parquet error.
        error: parquet::errors::ParquetError,
    },
    /// A CSV cell does not hold what its column holds.
    #[error("{name}, line {line}: column `{column}`: `{value}` is not {expected}")]
    Cell {
        /// The document.
        name: String,
        /// The 1-based line.
        line: u64,
        /// The column's header.
        column: String,
        /// The cell as read.
        value: String,
        /// What the column holds.
        expected: &'static str,
    },
    /// A CSV header is not the format's header.
    #[error("{name}: the header is `{found}`, expected `{expected}`")]
    Header {
        /// The document.
        name: String,
        /// The header as read.
        found: String,
        /// The format's header.
        expected: String,
    },
    /// A scoring rules document is malformed or not of the format's shape
    /// (the reason is in the message, not repeated as a source).
    #[error("{name}: not a scoring rules file: {}{error}", field_of(.field))]
    RulesJson {
        /// The document.
        name: String,
        /// The field at fault (`passing.raw_cut`), where known.
        field: Option<String>,
        /// What the JSON parser found, with the line and column.
        error: serde_json::Error,
    },
    /// A scoring rules document holds rules that do not check (the reason
    /// is in the message, not repeated as a source).
    #[error("{name}: invalid scoring rules: {error}")]
    InvalidRules {
        /// The document.
        name: String,
        /// The rule at fault.
        error: exam_scoring::rules::RulesError,
    },
    /// A forms document holds no form.
    #[error("{name}: no forms")]
    NoForms {
        /// The document.
        name: String,
    },
    /// A parameter document declares a model whose parameters it cannot
    /// hold (GPCM items need step difficulties, not `a`/`b`).
    #[error("{name}: model {model} needs step difficulties; this file gives a, b and c only")]
    ParamsModel {
        /// The document.
        name: String,
        /// The model declared.
        model: exam_core::irt::IrtModel,
    },
    /// Two forms carry the same id.
    #[error("{name}: form {form} appears twice (forms {first} and {second})")]
    DuplicateForm {
        /// The document.
        name: String,
        /// The form.
        form: FormId,
        /// 1-based position of the first.
        first: usize,
        /// 1-based position of the second.
        second: usize,
    },
    /// Two scoring keys name the same form.
    #[error("{name}: two scoring keys for form {form}")]
    DuplicateKey {
        /// The document.
        name: String,
        /// The form.
        form: FormId,
    },
    /// A form has no scoring key.
    #[error("{name}: form {form} has no scoring key")]
    MissingKey {
        /// The document.
        name: String,
        /// The form.
        form: FormId,
    },
    /// A scoring key names a form the document does not hold.
    #[error("{name}: scoring key for form {form}, which is not in `forms`")]
    OrphanKey {
        /// The document.
        name: String,
        /// The form of the key.
        form: FormId,
    },
    /// An item appears twice in an item-parameter document.
    #[error("{name}: item `{item}` appears twice")]
    DuplicateItem {
        /// The document.
        name: String,
        /// The item.
        item: ItemId,
    },
}

/// `field `x`: ` before a reason, or nothing.
fn field_of(field: &Option<String>) -> String {
    field
        .as_ref()
        .map_or_else(String::new, |f| format!("field `{f}`: "))
}

impl FormatError {
    /// An I/O error of `name`.
    pub(crate) fn io(name: &str, source: std::io::Error) -> Self {
        Self::Io {
            name: name.to_owned(),
            error: source,
        }
    }

    /// A CSV error of `name`.
    pub(crate) fn csv(name: &str, source: csv::Error) -> Self {
        Self::Csv {
            name: name.to_owned(),
            error: source,
        }
    }

    /// A Parquet error of `name`.
    pub(crate) fn parquet(name: &str, source: parquet::errors::ParquetError) -> Self {
        Self::Parquet {
            name: name.to_owned(),
            error: source,
        }
    }

    /// A JSON error of `name`, which should have been `expected`.
    pub(crate) fn json(name: &str, expected: &'static str, source: serde_json::Error) -> Self {
        Self::Json {
            name: name.to_owned(),
            expected,
            error: source,
        }
    }
}
