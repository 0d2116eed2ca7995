//! Typed identifiers.
//!
//! Every id that crosses an API boundary has its own type, so an item id can
//! never be passed where a person id is expected. Ids are non-empty strings
//! without leading or trailing whitespace; they serialize as plain strings.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! string_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, schemars::JsonSchema)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Wraps a string as an id. Leading and trailing whitespace is trimmed.
            pub fn new(id: impl Into<String>) -> Self {
                let id: String = id.into();
                let trimmed = id.trim();
                if trimmed.len() == id.len() {
                    Self(id)
                } else {
                    Self(trimmed.to_owned())
                }
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
    fn ids_trim_and_round_trip() {
        let id = ItemId::new("  IAC-1 ");
        assert_eq!(id.as_str(), "IAC-1");
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, "\"IAC-1\"");
        let back: ItemId = serde_json::from_str(&json).unwrap();
        assert_eq!(back, id);
    }
}
