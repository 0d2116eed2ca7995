//! Typed identifiers.
//!
//! Every id that crosses an API boundary has its own type, so an item id can
//! never be passed where a person id is expected. Ids are non-empty strings
//! without leading or trailing whitespace or control characters, at most
//! [`MAX_ID_LEN`] bytes long; they serialize as plain strings.
//!
//! Ids read from JSON (or any serde format) are checked as they are read:
//! surrounding whitespace is trimmed as by [`ItemId::new`], and an empty or
//! blank id, one with a control character or one longer than
//! [`MAX_ID_LEN`] bytes is an error. So an id that reached the engine from
//! outside is short, and a message that names it stays short.
//!
//! An id holds its text in an `Arc<str>`: cloning one (forms, keys and
//! reports name the same item ids over and over) copies a pointer, not the
//! text.
//!
//! ```
//! use exam_core::ids::{CandidateId, IdError};
//!
//! let id: CandidateId = serde_json::from_str(r#"" C-0001 ""#)?;
//! assert_eq!(id.as_str(), "C-0001");
//! assert!(serde_json::from_str::<CandidateId>(r#""  ""#).is_err());
//! assert_eq!(CandidateId::parse(&"x".repeat(200)), Err(IdError::TooLong { len: 200 }));
//! # Ok::<(), serde_json::Error>(())
//! ```

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::sync::Arc;

/// The longest id accepted from outside, in bytes.
pub const MAX_ID_LEN: usize = 128;

/// Why a string is not a valid id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
#[non_exhaustive]
pub enum IdError {
    /// Empty, or only whitespace.
    #[error("an id must not be empty or blank")]
    Empty,
    /// Longer than [`MAX_ID_LEN`] bytes (after trimming).
    #[error("an id of {len} bytes is longer than the {MAX_ID_LEN} allowed")]
    TooLong {
        /// Its length in bytes.
        len: usize,
    },
    /// Holds a control character (a line break, a tab, NUL, ...).
    #[error("an id must not hold control characters")]
    Control,
}

/// Trims `id` and checks it (see the module docs).
fn checked(id: &str) -> Result<&str, IdError> {
    let id = id.trim();
    if id.is_empty() {
        Err(IdError::Empty)
    } else if id.len() > MAX_ID_LEN {
        Err(IdError::TooLong { len: id.len() })
    } else if id.chars().any(char::is_control) {
        Err(IdError::Control)
    } else {
        Ok(id)
    }
}

/// The order of `str`'s `Ord` (bytewise, then by length), by a plain
/// loop: ids are short and mostly differ in their first bytes, where a
/// call to `memcmp` (what `str`'s `cmp` becomes) costs more than the
/// comparison itself (the exposure state's map and the LOFT plan compare
/// ids on every attempt).
fn cmp_text(a: &str, b: &str) -> std::cmp::Ordering {
    for (x, y) in a.bytes().zip(b.bytes()) {
        if x != y {
            return x.cmp(&y);
        }
    }
    a.len().cmp(&b.len())
}

macro_rules! string_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Eq)]
        pub struct $name(Arc<str>);

        /// Ordered by text; clones of one id are equal without reading it
        /// (the exposure state's ids are clones of the bank's).
        impl Ord for $name {
            fn cmp(&self, other: &Self) -> std::cmp::Ordering {
                if Arc::ptr_eq(&self.0, &other.0) {
                    std::cmp::Ordering::Equal
                } else {
                    cmp_text(&self.0, &other.0)
                }
            }
        }

        impl PartialOrd for $name {
            fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
                Some(self.cmp(other))
            }
        }

        /// Equal when the texts are; clones of one id compare by pointer
        /// first (a form's ids are clones of the bank's).
        impl PartialEq for $name {
            fn eq(&self, other: &Self) -> bool {
                Arc::ptr_eq(&self.0, &other.0) || self.0 == other.0
            }
        }

        /// Hashes the text, as equality compares it.
        impl std::hash::Hash for $name {
            fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
                self.0.hash(state);
            }
        }

        impl $name {
            /// Wraps a string as an id. Leading and trailing whitespace is
            /// trimmed; nothing else is checked (for ids the program itself
            /// makes; [`Self::parse`] checks input from outside).
            pub fn new(id: impl AsRef<str>) -> Self {
                Self(Arc::from(id.as_ref().trim()))
            }

            /// Trims and checks an id from outside: not empty or blank, no
            /// control characters, at most [`MAX_ID_LEN`] bytes.
            pub fn parse(id: &str) -> Result<Self, IdError> {
                checked(id).map(|id| Self(Arc::from(id)))
            }

            /// The id as a string slice.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(id: &str) -> Self {
                Self::new(id)
            }
        }

        impl From<String> for $name {
            fn from(id: String) -> Self {
                Self::new(id)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = std::borrow::Cow::<'de, str>::deserialize(d)?;
                Self::parse(&text).map_err(serde::de::Error::custom)
            }
        }

        impl schemars::JsonSchema for $name {
            fn inline_schema() -> bool {
                true
            }

            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }

            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!({
                    "type": "string",
                    "minLength": 1,
                    "maxLength": MAX_ID_LEN
                })
            }
        }
    };
}

string_id!(
    /// The stable id of an item in the bank (e.g. `IAC-0042`).
    ItemId
);
string_id!(
    /// The id of a person (candidate, examinee) in response data.
    PersonId
);
string_id!(
    /// The id of a candidate sitting an exam (the LMS's identifier).
    CandidateId
);
string_id!(
    /// The id of an option of an item (`A`, `B`, ... or any stable token);
    /// keys refer to options by id, never by position.
    OptionId
);
string_id!(
    /// The id of a JTA domain (e.g. `infrastructure`).
    DomainId
);
string_id!(
    /// The id of a JTA task statement (e.g. `T-IMP-03`).
    TaskId
);
string_id!(
    /// The id of an item set (testlet): items sharing one stimulus.
    SetId
);
string_id!(
    /// The id of a blueprint.
    BlueprintId
);
string_id!(
    /// The id of a form, derived from the inputs and seed that built it.
    FormId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_ordered_as_their_texts() {
        let texts = [
            "",
            "A",
            "AB",
            "AA",
            "B",
            "a",
            "A\u{0}",
            "COM-001",
            "COM-0010",
            "COM-002",
            "COM-0001",
            "COM-00010",
            "COM-00011",
            "COM-0001\u{0}",
            "é",
            "e",
            "COM-00010-x",
        ];
        for a in texts {
            for b in texts {
                assert_eq!(cmp_text(a, b), a.cmp(b), "{a:?} {b:?}");
            }
        }
        let (x, y) = (ItemId::new("COM-010"), ItemId::new("COM-009"));
        assert!(y < x && x.clone() == x && x.cmp(&x.clone()).is_eq());
    }

    #[test]
    fn ids_trim_and_round_trip() {
        let id = ItemId::new("  IAC-1 ");
        assert_eq!(id.as_str(), "IAC-1");
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, "\"IAC-1\"");
        let back: ItemId = serde_json::from_str(&json).unwrap();
        assert_eq!(back, id);
        let trimmed: ItemId = serde_json::from_str("\" IAC-1\\t\"").unwrap();
        assert_eq!(trimmed, id);
    }

    #[test]
    fn ids_from_outside_are_checked_when_read() {
        for bad in ["\"\"", "\"   \"", "\"a\\nb\"", "\"a\\u0000\""] {
            assert!(serde_json::from_str::<CandidateId>(bad).is_err(), "{bad}");
        }
        let huge = format!("\"{}\"", "x".repeat(1 << 20));
        let err = serde_json::from_str::<ItemId>(&huge)
            .unwrap_err()
            .to_string();
        // The message names the length, not the text.
        assert!(err.len() < 200, "{err}");
        assert!(err.contains("1048576 bytes"));
        let longest = "y".repeat(MAX_ID_LEN);
        assert!(ItemId::parse(&longest).is_ok());
        assert_eq!(
            ItemId::parse(&format!("{longest}y")),
            Err(IdError::TooLong {
                len: MAX_ID_LEN + 1
            })
        );
    }
}
