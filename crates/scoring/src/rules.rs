//! Scoring rules: how a candidate's answer to an item becomes credit.
//!
//! Every rule gives an item a **credit** in `[0, 1]`, the fraction of the
//! item's weight earned; the item's score is `credit × weight`. The rules
//! (one per item kind) are:
//!
//! - **Single choice**: 1 for the key, 0 otherwise.
//! - **Multiple response** ([`MultipleResponseRule`]), with `k` keyed
//!   options, `h` keyed options selected (hits) and `f` unkeyed options
//!   selected (false selections):
//!   - *all-or-nothing* (the default): 1 when `h = k` and `f = 0`;
//!   - *partial credit*: `max(0, (h − penalty · f) / k)`, one `1/k` per hit
//!     and `penalty/k` off per false selection, floored at 0 (the "+1/n,
//!     −penalty/n" family compared by Kanzow et al. 2023, JMIR Med Educ 9,
//!     e43792; with `penalty = 1` the rule many delivery platforms call
//!     "right minus wrong");
//!   - *N − 1*: full credit for the key, `near_miss_credit` (default ½) when
//!     exactly one option decision is wrong (one keyed option missed **or**
//!     one unkeyed option selected, `(k − h) + f = 1`), 0 otherwise (the
//!     half-point scoring of Bauer et al. 2011, Adv Health Sci Educ 16,
//!     211–221).
//! - **Ordering** ([`OrderingRule`]): *exact* (1 for the key's order, the
//!   default) or *pairwise*: the share of the `n(n − 1)/2` pairs of options
//!   the candidate put in the same relative order as the key (the
//!   concordant-pair proportion behind Kendall's τ: `(τ + 1) / 2`).
//! - **Matching** ([`MatchingRule`]): *per pair* (the default): the share of
//!   the key's prompts matched to their keyed option; or all-or-nothing.
//!
//! Pretest items are scored with the same rules (their credit feeds item
//! statistics) but never enter the candidate's result. Items withdrawn after
//! an administration are handled by [`ItemAdjustment`]s: credited to
//! everyone, dropped, or re-keyed.

use crate::scale::{Knot, ScaleConversion};
use exam_core::bank::CheckedBlueprint;
use exam_core::form::AnswerKey;
use exam_core::ids::{FormId, ItemId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Why a set of scoring rules was rejected.
#[derive(Debug, Clone, PartialEq, thiserror::Error, serde::Serialize)]
#[serde(tag = "code", content = "detail", rename_all = "snake_case")]
#[non_exhaustive]
pub enum RulesError {
    /// The partial-credit penalty is negative or not finite.
    #[error("partial-credit penalty {0} must be finite and non-negative")]
    Penalty(f64),
    /// The N − 1 near-miss credit is outside `[0, 1]`.
    #[error("N-1 near-miss credit {0} must lie in [0, 1]")]
    NearMissCredit(f64),
    /// The subscore band width is negative or not finite.
    #[error("subscore band z = {0} must be finite and non-negative")]
    BandZ(f64),
    /// A raw cut is negative or not finite.
    #[error("raw cut {0} must be finite and non-negative")]
    Cut(f64),
    /// A scale conversion's cut is not the raw cut it is given with.
    #[error("the scale conversion's cut {scale_cut} differs from the raw cut {raw_cut}")]
    ScaleCut {
        /// The raw cut of the passing rule.
        raw_cut: f64,
        /// The score at the conversion's cut knot.
        scale_cut: f64,
    },
    /// Two adjustments name the same item.
    #[error("two adjustments for item `{0}`")]
    DuplicateAdjustment(ItemId),
    /// The blueprint's reporting scale has no scaled cut to pass through.
    #[error("blueprint {blueprint}: passing.scale needs passing.scaled_cut")]
    NoScaledCut {
        /// The blueprint.
        blueprint: String,
    },
    /// The blueprint's reporting scale does not make a conversion.
    #[error("blueprint {blueprint}: passing.scale: {source}")]
    Scale {
        /// The blueprint.
        blueprint: String,
        /// What is wrong.
        source: crate::scale::ScaleError,
    },
}

/// How multiple-response items are scored (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case", deny_unknown_fields)]
pub enum MultipleResponseRule {
    /// 1 for exactly the key, 0 otherwise.
    #[default]
    AllOrNothing,
    /// `max(0, (hits − penalty · false selections) / keyed options)`.
    PartialCredit {
        /// Credit taken off per unkeyed option selected, in units of one
        /// hit (1 cancels one hit).
        penalty: f64,
    },
    /// Full credit for the key, `near_miss_credit` for one wrong option
    /// decision, 0 otherwise.
    NMinusOne {
        /// Credit for exactly one wrong option decision.
        #[serde(default = "half")]
        near_miss_credit: f64,
    },
}

fn half() -> f64 {
    0.5
}

/// How ordering items are scored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderingRule {
    /// 1 for exactly the key's order, 0 otherwise.
    #[default]
    Exact,
    /// The share of option pairs in the key's relative order.
    Pairwise,
}

/// How matching items are scored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchingRule {
    /// The share of prompts matched to their keyed option.
    #[default]
    PerPair,
    /// 1 when every prompt is matched to its keyed option, 0 otherwise.
    AllOrNothing,
}

/// What is done with an item after an administration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Adjustment {
    /// Withdrawn, scored as correct for every candidate presented it
    /// (answered, omitted or not reached): the maximum is unchanged.
    CreditAll,
    /// Withdrawn and removed from the score: it counts neither toward the
    /// raw score nor toward the maximum.
    Drop,
    /// The key was wrong: score against this corrected key (in option ids;
    /// of the same kind as the item).
    Rekey {
        /// The corrected key.
        key: AnswerKey,
    },
}

/// An adjustment of one item, with the reason recorded for the audit trail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemAdjustment {
    /// The item adjusted (on every form that carries it).
    pub item: ItemId,
    /// What is done.
    pub action: Adjustment,
    /// Why (e.g. "two defensible keys found in post-administration review").
    pub reason: String,
}

/// The passing standard applied to a form: a cut on the raw score of the
/// scored items, where it came from, and optionally the raw-to-scale
/// conversion whose cut knot is that raw cut.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PassingRule {
    /// A candidate passes with a raw score at or above this.
    pub raw_cut: f64,
    /// Where the cut came from (e.g. "modified Angoff, panel of 2026-03-02",
    /// "blueprint die-2026 2026.1: provisional 70%").
    pub source: String,
    /// The raw-to-scale conversion for this form, if scores are reported on
    /// a scale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<ScaleConversion>,
}

/// A versioned set of scoring rules, read from a `--scoring` file. Reports
/// record its id and version, so a result can be recomputed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScoringRules {
    /// Stable id of this rule set.
    pub id: String,
    /// Its version; change it whenever anything below changes.
    pub version: String,
    /// The multiple-response rule.
    #[serde(default)]
    pub multiple_response: MultipleResponseRule,
    /// The ordering rule.
    #[serde(default)]
    pub ordering: OrderingRule,
    /// The matching rule.
    #[serde(default)]
    pub matching: MatchingRule,
    /// Width of the subscore bands in standard errors (see
    /// [`crate::report`]); default 1.
    #[serde(default = "one")]
    pub subscore_band_z: f64,
    /// The passing standard for every form without its own entry in
    /// `form_passing`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub passing: Option<PassingRule>,
    /// Passing standards of individual forms (a cut carried to each form).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub form_passing: BTreeMap<FormId, PassingRule>,
    /// Post-administration adjustments of items.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub adjustments: Vec<ItemAdjustment>,
}

fn one() -> f64 {
    1.0
}

impl Default for ScoringRules {
    fn default() -> Self {
        Self {
            id: "default".to_owned(),
            version: "1".to_owned(),
            multiple_response: MultipleResponseRule::default(),
            ordering: OrderingRule::default(),
            matching: MatchingRule::default(),
            subscore_band_z: 1.0,
            passing: None,
            form_passing: BTreeMap::new(),
            adjustments: Vec::new(),
        }
    }
}

impl ScoringRules {
    /// The rules a blueprint implies: the default item rules, and where
    /// the blueprint sets a raw cut, that cut as the passing standard with
    /// its method as the source; where it also sets a reporting scale and a
    /// scaled cut, the conversion through the cut (raw 0 → `scale.low`,
    /// raw cut → `scaled_cut`, full score → `scale.high`). The rules' id is
    /// `<blueprint>-rules`, their version the blueprint's. The blueprint is
    /// a checked one, so its cut lies within its scored items.
    ///
    /// ```
    /// # use exam_scoring::rules::ScoringRules;
    /// # let bank = exam_core::bank::ItemBank::load(concat!(env!("CARGO_MANIFEST_DIR"), "/../../item-bank"))?;
    /// let blueprint = bank.blueprint(&"die-2026".into()).unwrap();
    /// let rules = ScoringRules::from_blueprint(blueprint)?;
    /// let passing = rules.passing.unwrap();
    /// assert_eq!(passing.raw_cut, 42.0);
    /// assert_eq!(passing.scale.unwrap().reported(42.0), 700);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`RulesError`] when the scale lacks a scaled cut or its ends do not
    /// rise through the cut.
    pub fn from_blueprint(blueprint: &CheckedBlueprint) -> Result<Self, RulesError> {
        let at = || format!("{} {}", blueprint.id, blueprint.version);
        let p = &blueprint.passing;
        let passing = match p.raw_cut {
            None => None,
            Some(raw_cut) => {
                let raw_cut = f64::from(raw_cut);
                let scale = match p.scale {
                    None => None,
                    Some(ends) => {
                        let scaled_cut = p
                            .scaled_cut
                            .ok_or_else(|| RulesError::NoScaledCut { blueprint: at() })?;
                        let knot = |score, scaled| Knot { score, scaled };
                        let conversion = ScaleConversion::through_cut(
                            knot(0.0, ends.low),
                            knot(raw_cut, scaled_cut),
                            knot(f64::from(blueprint.scored_items), ends.high),
                        )
                        .map_err(|source| RulesError::Scale {
                            blueprint: at(),
                            source,
                        })?;
                        Some(conversion)
                    }
                };
                Some(PassingRule {
                    raw_cut,
                    source: format!("blueprint {}: {}", at(), p.method),
                    scale,
                })
            }
        };
        let rules = Self {
            id: format!("{}-rules", blueprint.id),
            version: blueprint.version.clone(),
            passing,
            ..Self::default()
        };
        rules.validate()?;
        Ok(rules)
    }

    /// These rules, with the blueprint's passing standard (its raw cut and
    /// scale, as [`ScoringRules::from_blueprint`] gives them, the source
    /// naming the blueprint) where they set none for all forms; their
    /// per-form standards stay. Unchanged when the blueprint sets no cut.
    ///
    /// ```
    /// # use exam_scoring::rules::ScoringRules;
    /// # let bank = exam_core::bank::ItemBank::load(concat!(env!("CARGO_MANIFEST_DIR"), "/../../item-bank"))?;
    /// let blueprint = bank.blueprint(&"die-2026".into()).unwrap();
    /// let rules = ScoringRules::default().or_blueprint_cut(blueprint)?;
    /// let passing = rules.passing.unwrap();
    /// assert_eq!(passing.raw_cut, 42.0);
    /// assert!(passing.source.starts_with("blueprint die-2026"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`RulesError`] as [`ScoringRules::from_blueprint`].
    pub fn or_blueprint_cut(mut self, blueprint: &CheckedBlueprint) -> Result<Self, RulesError> {
        if self.passing.is_none() {
            self.passing = Self::from_blueprint(blueprint)?.passing;
            self.validate()?;
        }
        Ok(self)
    }

    /// Checks every parameter; scorers only accept checked rules.
    pub fn validate(&self) -> Result<(), RulesError> {
        match self.multiple_response {
            MultipleResponseRule::PartialCredit { penalty }
                if !(penalty.is_finite() && penalty >= 0.0) =>
            {
                return Err(RulesError::Penalty(penalty));
            }
            MultipleResponseRule::NMinusOne { near_miss_credit }
                if !(0.0..=1.0).contains(&near_miss_credit) =>
            {
                return Err(RulesError::NearMissCredit(near_miss_credit));
            }
            _ => {}
        }
        if !(self.subscore_band_z.is_finite() && self.subscore_band_z >= 0.0) {
            return Err(RulesError::BandZ(self.subscore_band_z));
        }
        for passing in self.passing.iter().chain(self.form_passing.values()) {
            if !(passing.raw_cut.is_finite() && passing.raw_cut >= 0.0) {
                return Err(RulesError::Cut(passing.raw_cut));
            }
            if let Some(scale) = &passing.scale
                && (scale.cut().score - passing.raw_cut).abs() > 1e-9
            {
                return Err(RulesError::ScaleCut {
                    raw_cut: passing.raw_cut,
                    scale_cut: scale.cut().score,
                });
            }
        }
        let mut seen = std::collections::BTreeSet::new();
        for adj in &self.adjustments {
            if !seen.insert(&adj.item) {
                return Err(RulesError::DuplicateAdjustment(adj.item.clone()));
            }
        }
        Ok(())
    }

    /// The passing standard of a form, where one is set.
    pub fn passing_for(&self, form: &FormId) -> Option<&PassingRule> {
        self.form_passing.get(form).or(self.passing.as_ref())
    }

    /// The adjustment of an item, where there is one.
    pub fn adjustment(&self, item: &ItemId) -> Option<&ItemAdjustment> {
        self.adjustments.iter().find(|a| &a.item == item)
    }
}

/// Credit of a multiple-response answer with `hits` of the `keyed` options
/// and `false_selections` unkeyed options selected.
pub fn multiple_response_credit(
    rule: MultipleResponseRule,
    keyed: u32,
    hits: u32,
    false_selections: u32,
) -> f64 {
    if keyed == 0 {
        return 0.0;
    }
    match rule {
        MultipleResponseRule::AllOrNothing => {
            if hits == keyed && false_selections == 0 {
                1.0
            } else {
                0.0
            }
        }
        MultipleResponseRule::PartialCredit { penalty } => {
            let raw = (f64::from(hits) - penalty * f64::from(false_selections)) / f64::from(keyed);
            raw.clamp(0.0, 1.0)
        }
        MultipleResponseRule::NMinusOne { near_miss_credit } => {
            match (keyed - hits.min(keyed)) + false_selections {
                0 => 1.0,
                1 => near_miss_credit,
                _ => 0.0,
            }
        }
    }
}

/// Credit of an ordering answer. `ranks[i]` is the key position of the
/// option the candidate put in position `i` (so the key's order gives
/// `0, 1, 2, ...`); `ranks` must be a permutation of `0..n`.
pub fn ordering_credit(rule: OrderingRule, ranks: &[u8]) -> f64 {
    let exact = ranks.iter().enumerate().all(|(i, &r)| usize::from(r) == i);
    match rule {
        OrderingRule::Exact => f64::from(u8::from(exact)),
        OrderingRule::Pairwise => {
            let n = ranks.len();
            if n < 2 {
                return f64::from(u8::from(exact));
            }
            let mut concordant = 0u32;
            for i in 0..n {
                for j in i + 1..n {
                    concordant += u32::from(ranks[i] < ranks[j]);
                }
            }
            let pairs = (n * (n - 1) / 2) as f64;
            f64::from(concordant) / pairs
        }
    }
}

/// Credit of a matching answer with `correct` of the key's `prompts`
/// matched to their keyed option.
pub fn matching_credit(rule: MatchingRule, prompts: u32, correct: u32) -> f64 {
    if prompts == 0 {
        return 0.0;
    }
    match rule {
        MatchingRule::PerPair => f64::from(correct.min(prompts)) / f64::from(prompts),
        MatchingRule::AllOrNothing => f64::from(u8::from(correct >= prompts)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn multiple_response_rules_by_hand() {
        // Key {A, C, E} (k = 3) out of six options.
        let aon = MultipleResponseRule::AllOrNothing;
        assert!(close(multiple_response_credit(aon, 3, 3, 0), 1.0));
        assert!(close(multiple_response_credit(aon, 3, 3, 1), 0.0));
        assert!(close(multiple_response_credit(aon, 3, 2, 0), 0.0));

        let pc = MultipleResponseRule::PartialCredit { penalty: 1.0 };
        // {A, C}: 2/3. {A, C, B}: (2 − 1)/3. {A, B, D}: (1 − 2)/3 → floor 0.
        assert!(close(multiple_response_credit(pc, 3, 2, 0), 2.0 / 3.0));
        assert!(close(multiple_response_credit(pc, 3, 2, 1), 1.0 / 3.0));
        assert!(close(multiple_response_credit(pc, 3, 1, 2), 0.0));
        // Everything selected: (3 − 3)/3 = 0; selecting all never pays.
        assert!(close(multiple_response_credit(pc, 3, 3, 3), 0.0));
        let half_penalty = MultipleResponseRule::PartialCredit { penalty: 0.5 };
        assert!(close(
            multiple_response_credit(half_penalty, 3, 3, 1),
            2.5 / 3.0
        ));

        let n1 = MultipleResponseRule::NMinusOne {
            near_miss_credit: 0.5,
        };
        assert!(close(multiple_response_credit(n1, 3, 3, 0), 1.0));
        assert!(close(multiple_response_credit(n1, 3, 2, 0), 0.5)); // one missed
        assert!(close(multiple_response_credit(n1, 3, 3, 1), 0.5)); // one extra
        assert!(close(multiple_response_credit(n1, 3, 2, 1), 0.0)); // two errors
        assert!(close(multiple_response_credit(n1, 3, 0, 0), 0.0));
    }

    #[test]
    fn ordering_rules_by_hand() {
        // Key A B C D; the candidate answers B A C D: ranks 1 0 2 3.
        // Of the 6 pairs only (B, A) is reversed: 5/6.
        assert!(close(
            ordering_credit(OrderingRule::Pairwise, &[1, 0, 2, 3]),
            5.0 / 6.0
        ));
        assert!(close(
            ordering_credit(OrderingRule::Exact, &[1, 0, 2, 3]),
            0.0
        ));
        assert!(close(
            ordering_credit(OrderingRule::Exact, &[0, 1, 2, 3]),
            1.0
        ));
        // Fully reversed: no concordant pair.
        assert!(close(
            ordering_credit(OrderingRule::Pairwise, &[3, 2, 1, 0]),
            0.0
        ));
        // D A B C: ranks 3 0 1 2; pairs with D first are all reversed (3 of 6).
        assert!(close(
            ordering_credit(OrderingRule::Pairwise, &[3, 0, 1, 2]),
            0.5
        ));
    }

    #[test]
    fn matching_rules_by_hand() {
        assert!(close(matching_credit(MatchingRule::PerPair, 4, 3), 0.75));
        assert!(close(
            matching_credit(MatchingRule::AllOrNothing, 4, 3),
            0.0
        ));
        assert!(close(
            matching_credit(MatchingRule::AllOrNothing, 4, 4),
            1.0
        ));
    }

    #[test]
    fn rules_read_from_json_with_defaults_and_are_checked() {
        let rules: ScoringRules = serde_json::from_str(
            r#"{"id": "die-rules", "version": "3",
                "multiple_response": {"rule": "n_minus_one"},
                "ordering": "pairwise",
                "passing": {"raw_cut": 42, "source": "blueprint die-2026 2026.1"},
                "adjustments": [{"item": "COM-004", "action": "credit_all", "reason": "ambiguous stem"}]}"#,
        )
        .unwrap();
        assert_eq!(
            rules.multiple_response,
            MultipleResponseRule::NMinusOne {
                near_miss_credit: 0.5
            }
        );
        assert_eq!(rules.matching, MatchingRule::PerPair);
        assert!(close(rules.subscore_band_z, 1.0));
        assert!(rules.validate().is_ok());
        assert_eq!(
            rules.adjustment(&"COM-004".into()).map(|a| &a.action),
            Some(&Adjustment::CreditAll)
        );

        let bad = ScoringRules {
            multiple_response: MultipleResponseRule::PartialCredit { penalty: -1.0 },
            ..ScoringRules::default()
        };
        assert_eq!(bad.validate(), Err(RulesError::Penalty(-1.0)));
        let bad = ScoringRules {
            subscore_band_z: f64::NAN,
            ..ScoringRules::default()
        };
        assert!(matches!(bad.validate(), Err(RulesError::BandZ(_))));
    }
}
