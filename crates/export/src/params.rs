//! The item-parameter document (DESIGN.md): what calibration writes and
//! scoring, simulation and `exam theta` read,
//! `{"model": "2pl", "items": [{"id": "...", "a": 1.1, "b": -0.3, "c": 0.2}]}`.
//! `c` defaults to 0; unknown fields (standard errors, fit: a calibration
//! document is also an item-parameter document) are ignored on reading.
//! Generalized partial credit items of a mixed test (the pilot's generating
//! parameters) are listed apart, `"gpcm_items": [{"id": "...", "a": 0.9,
//! "steps": [-0.8, 0.1, 0.9]}]`; readers that score with `a`, `b`, `c`
//! ignore them.

use crate::FormatError;
use crate::json;
use exam_core::ids::ItemId;
use exam_core::irt::{GpcmParams, IrtModel, ItemParams, ItemParamsEntry};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::io::{Read, Write};

/// An item-parameter document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParamsDocument {
    /// The model the parameters belong to; absent means read from the values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<IrtModel>,
    /// Parameters per item.
    pub items: Vec<ItemParamsEntry>,
    /// Generalized partial credit items, apart from the dichotomous ones.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub gpcm_items: Vec<GpcmParamsEntry>,
}

/// One generalized partial credit item of a parameter document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GpcmParamsEntry {
    /// The item.
    pub id: ItemId,
    /// Its slope and step difficulties (flattened into the entry).
    #[serde(flatten)]
    pub params: GpcmParams,
}

impl ParamsDocument {
    /// Reads a document. Its entries hold `a`, `b`, `c`: a document that
    /// declares the GPCM model is refused (its items need step
    /// difficulties).
    pub fn read(input: impl Read, name: &str) -> Result<Self, FormatError> {
        let doc: Self = json::read(input, name, "a valid item parameter file")?;
        match doc.model {
            Some(model @ IrtModel::Gpcm) => Err(FormatError::ParamsModel {
                name: name.to_owned(),
                model,
            }),
            _ => Ok(doc),
        }
    }

    /// Writes the document as pretty JSON with a trailing newline.
    pub fn write(&self, out: impl Write, name: &str) -> Result<(), FormatError> {
        json::write_pretty(out, self, name)
    }

    /// The parameters by item; an item listed twice is an error naming it.
    pub fn by_item(&self, name: &str) -> Result<HashMap<ItemId, ItemParams>, FormatError> {
        let mut out = HashMap::with_capacity(self.items.len());
        for entry in &self.items {
            if out.insert(entry.id.clone(), entry.params).is_some() {
                return Err(FormatError::DuplicateItem {
                    name: name.to_owned(),
                    item: entry.id.clone(),
                });
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use exam_core::strategies::{dichotomous_model, gpcm_params, item_params_entries};
    use proptest::prelude::*;

    #[test]
    fn reads_the_design_shape_and_ignores_calibration_fields() {
        let doc = ParamsDocument::read(
            r#"{"model": "2pl", "items": [{"id": "Q1", "a": 1.1, "b": -0.3, "se_a": 0.1}, {"id": "Q2", "a": 0.8, "b": 1, "c": 0.2}]}"#.as_bytes(),
            "p.json",
        )
        .unwrap();
        assert_eq!(doc.model, Some(IrtModel::TwoPl));
        assert!(doc.items[0].params.c().abs() < f64::EPSILON);
        assert!((doc.items[1].params.c() - 0.2).abs() < f64::EPSILON);
    }

    #[test]
    fn an_item_listed_twice_is_named() {
        let doc = ParamsDocument::read(
            r#"{"items": [{"id": "Q1", "a": 1, "b": 0}, {"id": "Q1", "a": 2, "b": 0}]}"#.as_bytes(),
            "p.json",
        )
        .unwrap();
        let err = doc.by_item("p.json").unwrap_err();
        assert_eq!(err.to_string(), "p.json: item `Q1` appears twice");
    }

    proptest! {
        #[test]
        fn written_documents_read_back_equal(
            model in proptest::option::of(dichotomous_model()),
            items in item_params_entries(),
            gpcm in proptest::collection::vec(gpcm_params(), 0..4),
        ) {
            let gpcm_items = gpcm
                .into_iter()
                .enumerate()
                .map(|(i, params)| GpcmParamsEntry { id: ItemId::new(format!("G{i}")), params })
                .collect();
            let doc = ParamsDocument { model, items, gpcm_items };
            let mut bytes = Vec::new();
            doc.write(&mut bytes, "p.json").unwrap();
            prop_assert_eq!(ParamsDocument::read(bytes.as_slice(), "p.json").unwrap(), doc);
        }
    }
}
