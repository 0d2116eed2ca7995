//! The scoring rules document (`--scoring` of `exam score`, `exam rescore`,
//! `exam simulate`, `exam export`): one [`ScoringRules`] as JSON,
//! `{"id": "...", "version": "1", "ordering": "pairwise", "passing":
//! {"raw_cut": 3.5, "source": "..."}}`; every field but `id` and `version`
//! has a default, unknown fields are refused. Reading checks the rules
//! ([`ScoringRules::validate`]), so a document read is one a scorer accepts.

use crate::FormatError;
use crate::json;
use exam_scoring::rules::ScoringRules;
use std::io::{Read, Write};

/// Reads and checks a scoring rules document named `name` (for errors). A
/// document that does not parse names the file, the field where serde
/// knows it, and the line and column; rules that do not check name the
/// file and the rule.
pub fn read_rules(input: impl Read, name: &str) -> Result<ScoringRules, FormatError> {
    let mut de = serde_json::Deserializer::from_reader(std::io::BufReader::new(input));
    let rules = serde_path_to_error::deserialize::<_, ScoringRules>(&mut de)
        .map_err(|e| {
            let path = e.path().to_string();
            let error = e.into_inner();
            // A top-level unknown field is its own path: the reason names it.
            let named = error
                .to_string()
                .starts_with(&format!("unknown field `{path}`"));
            let field = (path != "." && path != "?" && !named).then_some(path);
            (field, error)
        })
        .and_then(|rules| de.end().map(|()| rules).map_err(|e| (None, e)))
        .map_err(|(field, error)| FormatError::RulesJson {
            name: name.to_owned(),
            field,
            error,
        })?;
    rules
        .validate()
        .map_err(|error| FormatError::InvalidRules {
            name: name.to_owned(),
            error,
        })?;
    Ok(rules)
}

/// Writes `rules` as pretty JSON, with no newline after it (as the pilot
/// has always written its `scoring-rules.json`); `name` (for errors) is
/// where it goes.
pub fn write_rules(out: impl Write, rules: &ScoringRules, name: &str) -> Result<(), FormatError> {
    json::write_pretty_unterminated(out, rules, name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use exam_core::form::AnswerKey;
    use exam_core::ids::{FormId, ItemId};
    use exam_core::strategies::{interaction, text, token};
    use exam_scoring::rules::{
        Adjustment, ItemAdjustment, MatchingRule, MultipleResponseRule, OrderingRule, PassingRule,
    };
    use exam_scoring::scale::{Knot, ScaleConversion};
    use proptest::prelude::*;

    fn read(text: &str) -> Result<ScoringRules, FormatError> {
        read_rules(text.as_bytes(), "rules.json")
    }

    #[test]
    fn reads_the_documented_shape_with_defaults() {
        let rules = read(
            r#"{"id": "r", "version": "2", "ordering": "pairwise", "passing": {"raw_cut": 3.5, "source": "panel"}}"#,
        )
        .unwrap();
        assert_eq!(rules.ordering, OrderingRule::Pairwise);
        assert_eq!(rules.matching, MatchingRule::PerPair);
        assert_eq!(rules.multiple_response, MultipleResponseRule::AllOrNothing);
        assert!((rules.subscore_band_z - 1.0).abs() < f64::EPSILON);
        assert_eq!(rules.passing.unwrap().source, "panel");
    }

    #[test]
    fn a_bad_field_is_named_with_its_line_and_column() {
        let err = read("{\"id\": \"r\", \"version\": \"1\",\n \"passing\": {\"raw_cut\": \"high\", \"source\": \"s\"}}")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with(
                "rules.json: not a scoring rules file: field `passing.raw_cut`: invalid type: string \"high\", expected f64 at line 2 column 30"
            ),
            "{err}"
        );
    }

    #[test]
    fn an_unknown_top_level_field_is_refused() {
        let err = read(r#"{"id": "r", "version": "1", "colour": 1}"#)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with(
                "rules.json: not a scoring rules file: unknown field `colour`, expected one of `id`"
            ),
            "{err}"
        );
        assert!(err.ends_with("at line 1 column 37"), "{err}");
    }

    #[test]
    fn trailing_text_is_refused() {
        let err = read(r#"{"id": "r", "version": "1"} x"#)
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "rules.json: not a scoring rules file: trailing characters at line 1 column 29"
        );
    }

    #[test]
    fn rules_that_do_not_check_are_refused_with_the_rule() {
        let err = read(r#"{"id": "r", "version": "1", "subscore_band_z": -1}"#)
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "rules.json: invalid scoring rules: subscore band z = -1 must be finite and non-negative"
        );
    }

    fn multiple_response() -> impl Strategy<Value = MultipleResponseRule> {
        prop_oneof![
            Just(MultipleResponseRule::AllOrNothing),
            (0.0f64..3.0).prop_map(|penalty| MultipleResponseRule::PartialCredit { penalty }),
            (0.0f64..=1.0)
                .prop_map(|near_miss_credit| MultipleResponseRule::NMinusOne { near_miss_credit }),
        ]
    }

    /// A passing rule at a cut in 0..100, with a scale through it or none.
    fn passing() -> impl Strategy<Value = PassingRule> {
        (0.0f64..100.0, text(), any::<bool>(), 1.0f64..20.0).prop_map(
            |(raw_cut, source, scaled, span)| PassingRule {
                raw_cut,
                source,
                scale: scaled.then(|| {
                    ScaleConversion::through_cut(
                        Knot {
                            score: raw_cut - span,
                            scaled: 100.0,
                        },
                        Knot {
                            score: raw_cut,
                            scaled: 700.0,
                        },
                        Knot {
                            score: raw_cut + span,
                            scaled: 1000.0,
                        },
                    )
                    .unwrap()
                }),
            },
        )
    }

    fn adjustment() -> impl Strategy<Value = Adjustment> {
        prop_oneof![
            Just(Adjustment::CreditAll),
            Just(Adjustment::Drop),
            interaction().prop_map(|i| Adjustment::Rekey {
                key: AnswerKey::of(&i)
            }),
        ]
    }

    fn rules() -> impl Strategy<Value = ScoringRules> {
        let item_rules = (
            multiple_response(),
            prop_oneof![Just(OrderingRule::Exact), Just(OrderingRule::Pairwise)],
            prop_oneof![
                Just(MatchingRule::PerPair),
                Just(MatchingRule::AllOrNothing)
            ],
            0.0f64..4.0,
        );
        let adjustments = proptest::collection::btree_map(token(), (adjustment(), text()), 0..4);
        (
            token(),
            token(),
            item_rules,
            proptest::option::of(passing()),
            proptest::collection::btree_map(token(), passing(), 0..3),
            adjustments,
        )
            .prop_map(
                |(id, version, (mr, ordering, matching, z), passing, forms, adjustments)| {
                    ScoringRules {
                        id,
                        version,
                        multiple_response: mr,
                        ordering,
                        matching,
                        subscore_band_z: z,
                        passing,
                        form_passing: forms
                            .into_iter()
                            .map(|(form, rule)| (FormId::new(form), rule))
                            .collect(),
                        adjustments: adjustments
                            .into_iter()
                            .map(|(item, (action, reason))| ItemAdjustment {
                                item: ItemId::new(item),
                                action,
                                reason,
                            })
                            .collect(),
                    }
                },
            )
    }

    proptest! {
        #[test]
        fn written_rules_read_back_equal(rules in rules()) {
            let mut bytes = Vec::new();
            write_rules(&mut bytes, &rules, "rules.json").unwrap();
            prop_assert_eq!(read_rules(bytes.as_slice(), "rules.json").unwrap(), rules);
        }
    }
}
