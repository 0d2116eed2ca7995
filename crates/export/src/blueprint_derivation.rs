//! `blueprint.json` of `exam pilot`: a blueprint with its derivation from
//! the JTA and how it differs from it ([`BlueprintDerivationDocument`]).
//! Pretty JSON with every object's keys in sorted order and no newline
//! after it (as the pilot has always written it).

use crate::FormatError;
use crate::json;
use exam_core::blueprint::{Blueprint, DerivationMismatch, DerivationRow};
use serde::{Deserialize, Serialize};
use std::io::{Read, Write};

/// A blueprint, its derivation and the comparison of the two.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlueprintDerivationDocument {
    /// The stored blueprint.
    pub blueprint: Blueprint,
    /// How the JTA derives its domains' weights and counts (absent when
    /// the JTA has no domains).
    pub derivation: Option<Vec<DerivationRow>>,
    /// Whether the stored blueprint is exactly the derivation.
    pub matches_derivation: bool,
    /// How it differs (empty when it matches).
    pub mismatches: Vec<DerivationMismatch>,
}

impl BlueprintDerivationDocument {
    /// Reads a document.
    pub fn read(input: impl Read, name: &str) -> Result<Self, FormatError> {
        json::read(input, name, "a blueprint derivation document")
    }

    /// Writes the document (keys sorted).
    pub fn write(&self, out: impl Write, name: &str) -> Result<(), FormatError> {
        json::write_pretty_sorted(out, self, name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use exam_core::blueprint::{BlueprintSettings, derivation_mismatches, derive};
    use exam_core::strategies::{blueprint, jta};
    use proptest::prelude::*;

    proptest! {
        /// Any blueprint with the derivation of any JTA (matching or not)
        /// reads back equal.
        #[test]
        fn written_documents_read_back_equal(blueprint in blueprint(), jta in jta()) {
            let derivation = derive(&jta, &BlueprintSettings::from(&blueprint)).map(|d| d.1);
            let mismatches = derivation_mismatches(&jta, &blueprint, None);
            let doc = BlueprintDerivationDocument {
                blueprint,
                derivation,
                matches_derivation: mismatches.is_empty(),
                mismatches,
            };
            let mut bytes = Vec::new();
            doc.write(&mut bytes, "b").unwrap();
            prop_assert_eq!(BlueprintDerivationDocument::read(bytes.as_slice(), "b").unwrap(), doc);
        }
    }
}
