//! The blueprint: the exam's specification, derived from the JTA by a stated
//! rule and then kept as data in `item-bank/blueprints/`.
//!
//! A blueprint fixes the form length (scored and pretest items), the time
//! limit, the passing standard, each domain's weight and the number of items
//! per competency level in it, and optional IRT targets. Weights become
//! integer item counts by largest-remainder apportionment ([`apportion`]).
//!
//! # The derivation rule ([`derive()`])
//!
//! 1. A domain's raw weight is the factor of the level the JTA requires in it
//!    (foundational 1, intermediate 2, advanced 3), times the mean criticality
//!    of its tasks where the JTA carries survey ratings (criticality =
//!    importance × frequency, normalised by the mean over all rated tasks),
//!    or 1 where it does not. Weights are the raw weights normalised to sum
//!    to one.
//! 2. The scored length is apportioned to domains by those weights.
//! 3. Within each domain, items are apportioned to levels by the mix of the
//!    JTA level: an advanced domain takes 15% foundational, 25% intermediate
//!    and 60% advanced items; an intermediate domain 25% / 50% / 25%; a
//!    foundational domain 60% / 30% / 10%.

use crate::ids::{BlueprintId, DomainId};
use crate::jta::{CompetencyLevel, Jta};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Splits `total` into integer counts proportional to `weights` by the
/// largest-remainder (Hamilton) method: each count is the floor of its exact
/// quota `total · w_i / Σw`, and the units left over go to the largest
/// fractional remainders, ties to the lower index.
///
/// Properties: the counts sum to `total` exactly; each count is within one of
/// its quota (floor or ceiling); the result depends only on the inputs.
/// Negative, non-finite or all-zero weights give `None`.
pub fn apportion(weights: &[f64], total: u32) -> Option<Vec<u32>> {
    if weights.is_empty() || weights.iter().any(|w| !w.is_finite() || *w < 0.0) {
        return None;
    }
    let sum: f64 = weights.iter().sum();
    if sum <= 0.0 {
        return None;
    }
    let quotas: Vec<f64> = weights.iter().map(|w| f64::from(total) * w / sum).collect();
    let mut counts: Vec<u32> = quotas.iter().map(|q| q.floor() as u32).collect();
    let assigned: u32 = counts.iter().sum();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    // Largest remainder first; the stable sort keeps lower indices first in ties.
    order.sort_by(|&i, &j| {
        let ri = quotas[i] - quotas[i].floor();
        let rj = quotas[j] - quotas[j].floor();
        rj.total_cmp(&ri)
    });
    for &i in order.iter().take(total.saturating_sub(assigned) as usize) {
        counts[i] += 1;
    }
    Some(counts)
}

/// The number of items per competency level.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LevelCounts {
    /// Foundational items.
    pub foundational: u32,
    /// Intermediate items.
    pub intermediate: u32,
    /// Advanced items.
    pub advanced: u32,
}

impl LevelCounts {
    /// The count for one level.
    pub fn get(&self, level: CompetencyLevel) -> u32 {
        match level {
            CompetencyLevel::Foundational => self.foundational,
            CompetencyLevel::Intermediate => self.intermediate,
            CompetencyLevel::Advanced => self.advanced,
        }
    }

    /// The total over levels (saturating at `u32::MAX`, so an absurd
    /// count never wraps to a small one).
    pub fn total(&self) -> u32 {
        self.foundational
            .saturating_add(self.intermediate)
            .saturating_add(self.advanced)
    }

    fn from_array(c: [u32; 3]) -> Self {
        Self {
            foundational: c[0],
            intermediate: c[1],
            advanced: c[2],
        }
    }
}

/// The share of each level in a domain the JTA rates at `level` (rule step 3).
pub fn level_mix(level: CompetencyLevel) -> [f64; 3] {
    match level {
        CompetencyLevel::Foundational => [0.6, 0.3, 0.1],
        CompetencyLevel::Intermediate => [0.25, 0.5, 0.25],
        CompetencyLevel::Advanced => [0.15, 0.25, 0.6],
    }
}

/// The factor of a JTA level in a domain's raw weight (rule step 1).
pub fn level_factor(level: CompetencyLevel) -> f64 {
    match level {
        CompetencyLevel::Foundational => 1.0,
        CompetencyLevel::Intermediate => 2.0,
        CompetencyLevel::Advanced => 3.0,
    }
}

/// One domain's share of the form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DomainSpec {
    /// The JTA domain.
    pub domain: DomainId,
    /// Its weight (the weights of a blueprint sum to one).
    pub weight: f64,
    /// Scored items per level in this domain.
    pub levels: LevelCounts,
}

/// How the pass/fail decision is made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PassingStandard {
    /// The cut on the raw (number-correct) scale of the scored items, where
    /// set: a candidate passes with a raw score at or above it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw_cut: Option<u32>,
    /// The cut on the theta scale, where set (carried across forms).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub theta_cut: Option<f64>,
    /// The scaled score at which the cut lands (e.g. 700).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scaled_cut: Option<f64>,
    /// How the cut was set (e.g. "provisional: 70% pending a modified-Angoff study").
    pub method: String,
    /// The reporting scale's ends, where scores are reported on a scale:
    /// raw 0 maps to `low`, the raw cut to `scaled_cut`, a full score to
    /// `high` (two linear pieces; exam-scoring's
    /// `ScoringRules::from_blueprint` builds the conversion).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<ReportingScale>,
}

/// The ends of a reporting scale (e.g. 100 to 1000).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportingScale {
    /// The scaled score of raw 0.
    pub low: f64,
    /// The scaled score of a full raw score.
    pub high: f64,
}

/// IRT targets for assembly: target test information at given theta points.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IrtTargets {
    /// Theta points.
    pub thetas: Vec<f64>,
    /// Target information at each point (same length as `thetas`).
    pub information: Vec<f64>,
}

/// The exam's specification: the file format of `item-bank/blueprints/*.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Blueprint {
    /// Stable id.
    pub id: BlueprintId,
    /// Version of this blueprint.
    pub version: String,
    /// Title of the exam.
    pub title: String,
    /// The id of the JTA it is derived from.
    pub jta: String,
    /// Scored items per form.
    pub scored_items: u32,
    /// Unscored pretest items per form.
    pub pretest_items: u32,
    /// Time limit in minutes.
    pub time_limit_minutes: u32,
    /// The passing standard.
    pub passing: PassingStandard,
    /// Domains with weights and per-level counts.
    pub domains: Vec<DomainSpec>,
    /// IRT targets, where the bank is calibrated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub irt_targets: Option<IrtTargets>,
    /// The rule the domain weights and level mix came from.
    pub derivation: String,
}

impl Blueprint {
    /// Total items per form (scored + pretest).
    pub fn form_length(&self) -> u32 {
        self.scored_items.saturating_add(self.pretest_items)
    }

    /// The spec of a domain.
    pub fn domain(&self, id: &DomainId) -> Option<&DomainSpec> {
        self.domains.iter().find(|d| &d.domain == id)
    }
}

/// The fixed parts of a blueprint that the JTA does not determine.
#[derive(Debug, Clone, PartialEq)]
pub struct BlueprintSettings {
    /// Id of the blueprint.
    pub id: BlueprintId,
    /// Version.
    pub version: String,
    /// Title.
    pub title: String,
    /// Scored items per form.
    pub scored_items: u32,
    /// Pretest items per form.
    pub pretest_items: u32,
    /// Time limit in minutes.
    pub time_limit_minutes: u32,
    /// The passing standard.
    pub passing: PassingStandard,
}

/// One row of a blueprint derivation: how a domain's weight and counts arose.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DerivationRow {
    /// The domain.
    pub domain: DomainId,
    /// The level the JTA requires in it.
    pub jta_level: CompetencyLevel,
    /// Rule step 1: level factor.
    pub level_factor: f64,
    /// Rule step 1: relative mean task criticality (1 without survey data).
    pub criticality: f64,
    /// The normalised weight.
    pub weight: f64,
    /// The exact quota `weight × scored_items`.
    pub quota: f64,
    /// Items per level after apportionment.
    pub levels: LevelCounts,
}

/// The text of the derivation rule, stored in each derived blueprint.
pub const DERIVATION_RULE: &str = "weight ∝ JTA level factor (foundational 1, intermediate 2, advanced 3) × relative mean task criticality (importance × frequency; 1 without survey ratings); scored items apportioned to domains by largest remainder, then to levels by the JTA level's mix (advanced 15/25/60, intermediate 25/50/25, foundational 60/30/10 % foundational/intermediate/advanced)";

/// Derives a blueprint from a JTA by the rule in the module docs, returning
/// it with the table of the derivation. `None` when the JTA has no domains.
pub fn derive(jta: &Jta, settings: &BlueprintSettings) -> Option<(Blueprint, Vec<DerivationRow>)> {
    let rated: Vec<f64> = jta
        .tasks
        .iter()
        .filter_map(|t| t.ratings.map(|r| r.importance * r.frequency))
        .collect();
    let mean_all = if rated.is_empty() {
        None
    } else {
        Some(rated.iter().sum::<f64>() / rated.len() as f64)
    };
    let criticality: Vec<f64> = jta
        .domains
        .iter()
        .map(|d| {
            let ratings: Vec<f64> = jta
                .tasks
                .iter()
                .filter(|t| t.domain == d.id)
                .filter_map(|t| t.ratings.map(|r| r.importance * r.frequency))
                .collect();
            match mean_all {
                Some(m) if !ratings.is_empty() && m > 0.0 => {
                    ratings.iter().sum::<f64>() / ratings.len() as f64 / m
                }
                _ => 1.0,
            }
        })
        .collect();
    let raw: Vec<f64> = jta
        .domains
        .iter()
        .zip(&criticality)
        .map(|(d, c)| level_factor(d.level) * c)
        .collect();
    let total: f64 = raw.iter().sum();
    let counts = apportion(&raw, settings.scored_items)?;
    let mut rows = Vec::with_capacity(jta.domains.len());
    let mut specs = Vec::with_capacity(jta.domains.len());
    for (i, d) in jta.domains.iter().enumerate() {
        let weight = raw[i] / total;
        let per_level = apportion(&level_mix(d.level), counts[i])?;
        let levels = LevelCounts::from_array([per_level[0], per_level[1], per_level[2]]);
        rows.push(DerivationRow {
            domain: d.id.clone(),
            jta_level: d.level,
            level_factor: level_factor(d.level),
            criticality: criticality[i],
            weight,
            quota: weight * f64::from(settings.scored_items),
            levels,
        });
        specs.push(DomainSpec {
            domain: d.id.clone(),
            weight,
            levels,
        });
    }
    let blueprint = Blueprint {
        id: settings.id.clone(),
        version: settings.version.clone(),
        title: settings.title.clone(),
        jta: jta.id.clone(),
        scored_items: settings.scored_items,
        pretest_items: settings.pretest_items,
        time_limit_minutes: settings.time_limit_minutes,
        passing: settings.passing.clone(),
        domains: specs,
        irt_targets: None,
        derivation: DERIVATION_RULE.to_owned(),
    };
    Some((blueprint, rows))
}

impl From<&Blueprint> for BlueprintSettings {
    /// The settings a stored blueprint was derived with (to re-derive it).
    fn from(b: &Blueprint) -> Self {
        Self {
            id: b.id.clone(),
            version: b.version.clone(),
            title: b.title.clone(),
            scored_items: b.scored_items,
            pretest_items: b.pretest_items,
            time_limit_minutes: b.time_limit_minutes,
            passing: b.passing.clone(),
        }
    }
}

/// Tolerance on a weight when comparing a stored blueprint with its
/// derivation (the stored value went through decimal text).
pub const DERIVED_WEIGHT_TOLERANCE: f64 = 1e-12;

/// A way a stored blueprint differs from what [`derive()`] makes of its JTA
/// and settings.
#[derive(Debug, Clone, PartialEq, Serialize, thiserror::Error)]
#[serde(tag = "code", rename_all = "snake_case")]
#[non_exhaustive]
pub enum DerivationMismatch {
    /// The JTA has no domains: nothing can be derived.
    #[error("the JTA has no domains")]
    NothingDerived,
    /// The blueprint names another JTA.
    #[error("blueprint is for JTA `{stored}`, derived from `{derived}`")]
    Jta {
        /// The JTA id in the blueprint.
        stored: String,
        /// The JTA derived from.
        derived: String,
    },
    /// Other domains, or another order.
    #[error(
        "domains [{}] differ from the derived [{}]",
        join_ids(stored),
        join_ids(derived)
    )]
    Domains {
        /// The blueprint's domains.
        stored: Vec<DomainId>,
        /// The derived domains.
        derived: Vec<DomainId>,
    },
    /// A weight that differs (beyond [`DERIVED_WEIGHT_TOLERANCE`]).
    #[error("domain `{domain}`: weight {stored}, derived {derived}")]
    Weight {
        /// The domain.
        domain: DomainId,
        /// Stored weight.
        stored: f64,
        /// Derived weight.
        derived: f64,
    },
    /// Level counts that differ.
    #[error("domain `{domain}`: levels {}/{}/{}, derived {}/{}/{} (foundational/intermediate/advanced)", stored.foundational, stored.intermediate, stored.advanced, derived.foundational, derived.intermediate, derived.advanced)]
    Levels {
        /// The domain.
        domain: DomainId,
        /// Stored counts.
        stored: LevelCounts,
        /// Derived counts.
        derived: LevelCounts,
    },
    /// The stored rule text is not [`DERIVATION_RULE`].
    #[error("the stored derivation rule is not the current rule")]
    Rule,
}

fn join_ids(ids: &[DomainId]) -> String {
    ids.iter()
        .map(DomainId::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Derives a blueprint from `jta` with the settings of `stored` and lists
/// how `stored` differs from it (empty when it is exactly the derivation;
/// IRT targets are not part of the derivation and are not compared).
pub fn derivation_mismatches(jta: &Jta, stored: &Blueprint) -> Vec<DerivationMismatch> {
    let Some((derived, _)) = derive(jta, &BlueprintSettings::from(stored)) else {
        return vec![DerivationMismatch::NothingDerived];
    };
    let mut mismatches = Vec::new();
    if stored.jta != derived.jta {
        mismatches.push(DerivationMismatch::Jta {
            stored: stored.jta.clone(),
            derived: derived.jta.clone(),
        });
    }
    let ids = |b: &Blueprint| {
        b.domains
            .iter()
            .map(|d| d.domain.clone())
            .collect::<Vec<_>>()
    };
    if ids(stored) != ids(&derived) {
        mismatches.push(DerivationMismatch::Domains {
            stored: ids(stored),
            derived: ids(&derived),
        });
    } else {
        for (s, d) in stored.domains.iter().zip(&derived.domains) {
            if (s.weight - d.weight).abs() > DERIVED_WEIGHT_TOLERANCE {
                mismatches.push(DerivationMismatch::Weight {
                    domain: s.domain.clone(),
                    stored: s.weight,
                    derived: d.weight,
                });
            }
            if s.levels != d.levels {
                mismatches.push(DerivationMismatch::Levels {
                    domain: s.domain.clone(),
                    stored: s.levels,
                    derived: d.levels,
                });
            }
        }
    }
    if stored.derivation != derived.derivation {
        mismatches.push(DerivationMismatch::Rule);
    }
    mismatches
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A file of the shipped item bank, parsed.
    fn shipped<T: serde::de::DeserializeOwned>(file: &str) -> T {
        let path = format!("{}/../../item-bank/{file}", env!("CARGO_MANIFEST_DIR"));
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
    }

    #[test]
    fn apportionment_of_a_worked_example() {
        // Quotas 60·(3,3,2)/8 = 22.5, 22.5, 15: the tie between the two .5
        // remainders goes to the lower index.
        assert_eq!(apportion(&[3.0, 3.0, 2.0], 60), Some(vec![23, 22, 15]));
        assert_eq!(apportion(&[1.0, 1.0, 1.0], 10), Some(vec![4, 3, 3]));
        assert_eq!(apportion(&[0.0, 1.0], 5), Some(vec![0, 5]));
        assert_eq!(apportion(&[0.0, 0.0], 5), None);
        assert_eq!(apportion(&[-1.0, 2.0], 5), None);
        assert_eq!(apportion(&[], 5), None);
    }

    proptest! {
        #[test]
        fn apportionment_is_exact_within_quota_and_deterministic(
            weights in prop::collection::vec(0.0f64..10.0, 1..12),
            total in 0u32..500,
        ) {
            prop_assume!(weights.iter().sum::<f64>() > 1e-9);
            let counts = apportion(&weights, total).unwrap();
            prop_assert_eq!(counts.iter().sum::<u32>(), total);
            let sum: f64 = weights.iter().sum();
            for (c, w) in counts.iter().zip(&weights) {
                let quota = f64::from(total) * w / sum;
                prop_assert!(f64::from(*c) >= quota.floor() - 1e-9);
                prop_assert!(f64::from(*c) <= quota.ceil() + 1e-9);
            }
            prop_assert_eq!(apportion(&weights, total).unwrap(), counts);
        }
    }

    #[test]
    fn shipped_blueprint_is_the_derivation_of_the_shipped_jta() {
        let jta: Jta = shipped("jta/jta.json");
        let stored: Blueprint = shipped("blueprints/die-2026.json");
        assert_eq!(derivation_mismatches(&jta, &stored), vec![]);
        let (derived, _) = derive(&jta, &BlueprintSettings::from(&stored)).unwrap();
        assert_eq!(derived, stored);
    }

    #[test]
    fn a_changed_blueprint_shows_its_mismatches() {
        let jta: Jta = shipped("jta/jta.json");
        let (mut blueprint, _) = derive(
            &jta,
            &BlueprintSettings {
                id: BlueprintId::new("b"),
                version: "1".to_owned(),
                title: "t".to_owned(),
                scored_items: 60,
                pretest_items: 0,
                time_limit_minutes: 60,
                passing: PassingStandard {
                    raw_cut: None,
                    theta_cut: None,
                    scaled_cut: None,
                    method: "none".to_owned(),
                    scale: None,
                },
            },
        )
        .unwrap();
        blueprint.domains[0].weight += 0.01;
        blueprint.domains[1].levels.advanced += 1;
        let mismatches = derivation_mismatches(&jta, &blueprint);
        assert_eq!(mismatches.len(), 2, "{mismatches:?}");
        assert!(matches!(mismatches[0], DerivationMismatch::Weight { .. }));
        assert!(matches!(mismatches[1], DerivationMismatch::Levels { .. }));
    }
}
