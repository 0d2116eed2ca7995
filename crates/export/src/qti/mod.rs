//! IMS QTI 3.0: items, tests and content packages out and back in, usage
//! data (item statistics) and results reporting.
//!
//! Mapping of the bank's item kinds (the 1EdTech ASI information model):
//!
//! | bank kind           | interaction               | response declaration                  |
//! | ------------------- | ------------------------- | ------------------------------------- |
//! | single choice       | `qti-choice-interaction`  | single, identifier, `max-choices` 1   |
//! | multiple response   | `qti-choice-interaction`  | multiple, identifier                  |
//! | ordering            | `qti-order-interaction`   | ordered, identifier                   |
//! | matching            | `qti-match-interaction`   | multiple, directedPair (prompt option) |
//!
//! Scoring follows the program's [`ScoringRules`](exam_scoring::rules::ScoringRules): a rule
//! that gives partial credit becomes a `qti-mapping` with the standard
//! `map_response` template, an all-or-nothing rule the standard
//! `match_correct` template. Rationales become `qti-modal-feedback`, one per
//! option, keyed by the option's identifier. The JTA domain, task, lifecycle
//! phase, competency level, status, version, expected time and enemies travel
//! in the manifest's LOM metadata ([`manifest`]).
//!
//! Identifiers: QTI identifiers are XML NCNames. Bank ids that are not (an
//! ordering step `1`) or that start with `_` are written with a leading `_`
//! (`_1`), and an importer strips one leading `_`; so every bank id
//! round-trips ([`qti_identifier`], [`bank_identifier`]).

pub mod import;
pub mod item;
pub mod manifest;
pub mod package;
pub mod results;
pub mod test;
pub mod usage;

use std::path::PathBuf;

/// The namespace of QTI 3.0 assessment items, tests and stimuli.
pub const ASI_NS: &str = "http://www.imsglobal.org/xsd/imsqtiasi_v3p0";
/// The published location of the QTI 3.0 ASI schema.
pub const ASI_XSD: &str =
    "https://purl.imsglobal.org/spec/qti/v3p0/schema/xsd/imsqti_asiv3p0_v1p0.xsd";
/// The XML Schema instance namespace.
pub const XSI_NS: &str = "http://www.w3.org/2001/XMLSchema-instance";
/// The standard response processing template: 1 for the correct response, else 0.
pub const MATCH_CORRECT: &str =
    "https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/match_correct.xml";
/// The standard response processing template: the sum of the mapping's values.
pub const MAP_RESPONSE: &str =
    "https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/map_response.xml";
/// The response variable every exported item declares.
pub const RESPONSE: &str = "RESPONSE";
/// The outcome whose value selects the modal feedback (rationale) shown.
pub const FEEDBACK: &str = "FEEDBACK";

/// Why a QTI document or package could not be written or read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum QtiError {
    /// An id of the bank cannot be written as a QTI identifier.
    #[error(
        "item `{item}`: id `{id}` cannot be a QTI identifier (letters, digits, `-`, `_`, `.` only)"
    )]
    Identifier {
        /// The item.
        item: String,
        /// The offending id.
        id: String,
    },
    /// Two choices of one interaction would share a QTI identifier.
    #[error("item `{item}`: prompt and option share the identifier `{id}`")]
    DuplicateChoice {
        /// The item.
        item: String,
        /// The shared identifier.
        id: String,
    },
    /// A scoring rule that QTI's standard templates cannot express.
    #[error("scoring rule `{rule}` cannot be written as a QTI mapping or template")]
    UnsupportedRule {
        /// The rule.
        rule: String,
    },
    /// A form names an item the bank does not have.
    #[error("form `{form}`: item `{item}` is not in the bank")]
    UnknownItem {
        /// The form.
        form: String,
        /// The item.
        item: String,
    },
    /// A document is not well-formed XML.
    #[error("{file}: line {line}: broken XML: {message}")]
    Xml {
        /// The file (or package entry).
        file: String,
        /// The 1-based line.
        line: usize,
        /// The parser's message.
        message: String,
    },
    /// An element the importer does not support (an interaction kind other
    /// than choice, order and match, a cardinality or base type that does
    /// not fit the interaction).
    #[error("{file}: line {line}: `{element}`: {what}")]
    Unsupported {
        /// The file (or package entry).
        file: String,
        /// The 1-based line of the element.
        line: usize,
        /// The element.
        element: String,
        /// What is unsupported.
        what: String,
    },
    /// Something an item needs is missing (a correct response, an
    /// identifier, metadata without a default).
    #[error("{file}: line {line}: `{element}`: missing {what}")]
    Missing {
        /// The file (or package entry).
        file: String,
        /// The 1-based line of the element that lacks it.
        line: usize,
        /// The element.
        element: String,
        /// What is missing.
        what: String,
    },
    /// A value that does not fit its field.
    #[error("{file}: line {line}: `{element}`: {what}")]
    Invalid {
        /// The file (or package entry).
        file: String,
        /// The 1-based line of the element.
        line: usize,
        /// The element.
        element: String,
        /// What is wrong.
        what: String,
    },
    /// A package entry that is refused: a path outside the package (`../`,
    /// absolute), a symbolic link, an entry or package too large when
    /// decompressed.
    #[error("package entry `{entry}`: {reason}")]
    UnsafeEntry {
        /// The entry's name as stored in the package.
        entry: String,
        /// Why it is refused.
        reason: String,
    },
    /// The package is not a readable zip archive, or lacks an entry it names.
    #[error("package: {0}")]
    Package(String),
    /// Reading or writing a file failed.
    #[error("{path}: {message}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The system's message.
        message: String,
    },
}

/// The QTI identifier of a bank id: the id itself when it is an NCName not
/// starting with `_`, else the id after a `_`. `None` when no identifier can
/// hold it (characters outside letters, digits, `-`, `_`, `.`).
pub fn qti_identifier(id: &str) -> Option<String> {
    let allowed = |c: char| c.is_alphanumeric() || matches!(c, '-' | '_' | '.');
    if id.is_empty() || !id.chars().all(allowed) {
        return None;
    }
    let starts_name = id.chars().next().is_some_and(char::is_alphabetic);
    Some(if starts_name {
        id.to_owned()
    } else {
        format!("_{id}")
    })
}

/// The bank id of a QTI identifier: [`qti_identifier`] reversed (one
/// leading `_` dropped).
pub fn bank_identifier(identifier: &str) -> String {
    identifier
        .strip_prefix('_')
        .unwrap_or(identifier)
        .to_owned()
}

/// Text whose whitespace carries meaning (line breaks, runs of spaces) or
/// not: written as `<pre>` or `<p>` so that reading it back gives the same
/// string.
pub(crate) fn is_plain(text: &str) -> bool {
    text.split_whitespace().collect::<Vec<_>>().join(" ") == text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_round_trip_and_bad_ids_are_refused() {
        for id in ["A", "AUT-001", "1", "_x", "P1", "o.2"] {
            let q = qti_identifier(id).unwrap();
            assert!(
                q.starts_with(|c: char| c.is_alphabetic() || c == '_'),
                "{q}"
            );
            assert_eq!(bank_identifier(&q), id);
        }
        assert_eq!(qti_identifier("1").as_deref(), Some("_1"));
        assert_eq!(qti_identifier("A").as_deref(), Some("A"));
        assert_eq!(qti_identifier("a b"), None);
        assert_eq!(qti_identifier(""), None);
    }
}
