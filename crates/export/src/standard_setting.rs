//! The documents of a standard setting, as `exam pilot` writes them: the
//! panel's Angoff ratings (`angoff-ratings.json`, [`AngoffStudy`]'s JSON
//! `{"items": [...], "raters": [...], "rounds": [[[...]]]}`, checked on
//! reading) and what came of them ([`StandardSettingDocument`],
//! `standard-setting.json`: the rounds and the cut carried to each form).
//! Both are pretty JSON with no newline after it; the standard setting
//! document's keys are in sorted order (as the pilot has always written
//! them).

use crate::FormatError;
use crate::json;
use exam_core::ids::FormId;
use exam_scoring::angoff::{AngoffRound, AngoffStudy};
use exam_scoring::equating::CarriedCut;
use serde::{Deserialize, Serialize};
use std::io::{Read, Write};

/// Reads Angoff ratings, checked as [`AngoffStudy::new`] checks them.
pub fn read_angoff_ratings(input: impl Read, name: &str) -> Result<AngoffStudy, FormatError> {
    json::read(input, name, "Angoff ratings")
}

/// Writes Angoff ratings.
pub fn write_angoff_ratings(
    out: impl Write,
    study: &AngoffStudy,
    name: &str,
) -> Result<(), FormatError> {
    json::write_pretty_unterminated(out, study, name)
}

/// What a standard setting found: the panel's rounds and the cut of every
/// form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StandardSettingDocument {
    /// The cut carried to each form (form 1's own included).
    pub cuts: Vec<FormCut>,
    /// The panel's rounds (absent when they could not be summarised).
    pub rounds: Option<Vec<AngoffRound>>,
}

/// The cut of one form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormCut {
    /// The base form's cut carried to this form.
    pub cut: CarriedCut,
    /// The form.
    pub form: FormId,
}

impl StandardSettingDocument {
    /// Reads a document.
    pub fn read(input: impl Read, name: &str) -> Result<Self, FormatError> {
        json::read(input, name, "a standard setting document")
    }

    /// Writes the document (keys sorted).
    pub fn write(&self, out: impl Write, name: &str) -> Result<(), FormatError> {
        json::write_pretty_sorted(out, self, name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use exam_core::ids::ItemId;
    use exam_scoring::angoff::RaterId;
    use proptest::prelude::*;

    /// Ratings of 1–4 items by 1–4 raters in 1–3 rounds.
    fn study() -> impl Strategy<Value = AngoffStudy> {
        (1usize..5, 1usize..5, 1usize..4)
            .prop_flat_map(|(items, raters, rounds)| {
                proptest::collection::vec(
                    proptest::collection::vec(
                        proptest::collection::vec(0.0f64..=1.0, items),
                        raters,
                    ),
                    rounds,
                )
                .prop_map(move |ratings| (items, raters, ratings))
            })
            .prop_map(|(items, raters, ratings)| {
                AngoffStudy::new(
                    (0..items).map(|i| ItemId::new(format!("Q{i}"))).collect(),
                    (0..raters).map(|r| RaterId::new(format!("R{r}"))).collect(),
                    ratings,
                )
                .unwrap()
            })
    }

    fn carried_cut() -> impl Strategy<Value = CarriedCut> {
        (0.0f64..60.0, -3.0f64..3.0, 0.0f64..60.0).prop_map(|(base, theta, new)| CarriedCut {
            base_raw_cut: base,
            theta_cut: theta,
            new_true_cut: new,
            new_raw_cut: new.ceil() as usize,
        })
    }

    #[test]
    fn ratings_out_of_range_are_refused_naming_the_file() {
        let text = r#"{"items": ["Q1"], "raters": ["R1"], "rounds": [[[1.5]]]}"#;
        let err = read_angoff_ratings(text.as_bytes(), "angoff.json").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("angoff.json: not Angoff ratings: "),
            "{err}"
        );
    }

    proptest! {
        #[test]
        fn written_ratings_read_back_equal(study in study()) {
            let mut bytes = Vec::new();
            write_angoff_ratings(&mut bytes, &study, "a").unwrap();
            prop_assert_eq!(read_angoff_ratings(bytes.as_slice(), "a").unwrap(), study);
        }

        #[test]
        fn written_standard_settings_read_back_equal(
            study in study(),
            cuts in proptest::collection::vec(carried_cut(), 1..4),
            summarised in any::<bool>(),
        ) {
            let doc = StandardSettingDocument {
                cuts: cuts
                    .into_iter()
                    .enumerate()
                    .map(|(i, cut)| FormCut { cut, form: FormId::new(format!("F{i}")) })
                    .collect(),
                rounds: summarised.then(|| study.rounds(2.0).unwrap()),
            };
            let mut bytes = Vec::new();
            doc.write(&mut bytes, "s").unwrap();
            prop_assert_eq!(StandardSettingDocument::read(bytes.as_slice(), "s").unwrap(), doc);
        }
    }
}
