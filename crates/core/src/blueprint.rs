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
use crate::irt::{ItemParams, ParamsError};
use crate::item::{IrtStats, ItemKind};
use crate::jta::{CompetencyLevel, Jta, LifecyclePhase};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

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

/// A number of items: exact (`5` in a file) or a range (`{"min": 3}`,
/// `{"max": 8}`, `{"min": 3, "max": 8}`), both ends inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(try_from = "CountText", into = "CountText")]
#[schemars(with = "CountText")]
pub struct Count {
    min: u32,
    max: Option<u32>,
}

/// The file form of a [`Count`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
enum CountText {
    /// Exactly this many items.
    Exact(u32),
    /// A range.
    Range(RangeText),
}

/// At least `min` (0 when absent) and at most `max` (no limit when absent).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct RangeText {
    /// The least number of items.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    min: Option<u32>,
    /// The largest number of items.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    max: Option<u32>,
}

impl TryFrom<CountText> for Count {
    type Error = String;

    fn try_from(text: CountText) -> Result<Self, String> {
        match text {
            CountText::Exact(n) => Ok(Count::exact(n)),
            CountText::Range(RangeText { min, max }) => Count::range(min.unwrap_or(0), max)
                .ok_or_else(|| {
                    format!(
                        "range minimum {} exceeds its maximum {}",
                        min.unwrap_or(0),
                        max.unwrap_or(0)
                    )
                }),
        }
    }
}

impl From<Count> for CountText {
    fn from(c: Count) -> Self {
        match c.as_exact() {
            Some(n) => CountText::Exact(n),
            None => CountText::Range(RangeText {
                min: (c.min > 0).then_some(c.min),
                max: c.max,
            }),
        }
    }
}

impl Default for Count {
    /// Exactly zero.
    fn default() -> Self {
        Count::exact(0)
    }
}

impl From<u32> for Count {
    fn from(n: u32) -> Self {
        Count::exact(n)
    }
}

impl Count {
    /// Exactly `n`.
    pub const fn exact(n: u32) -> Self {
        Count {
            min: n,
            max: Some(n),
        }
    }

    /// From `min` to `max` inclusive (no upper limit when `max` is absent);
    /// `None` when `min > max`.
    pub fn range(min: u32, max: Option<u32>) -> Option<Self> {
        (max.is_none_or(|m| min <= m)).then_some(Count { min, max })
    }

    /// The least number allowed.
    pub fn min(&self) -> u32 {
        self.min
    }

    /// The largest number allowed (`None`: no limit).
    pub fn max(&self) -> Option<u32> {
        self.max
    }

    /// The largest number allowed, or `cap` when there is no limit or it
    /// is above `cap`.
    pub fn max_or(&self, cap: u32) -> u32 {
        self.max.map_or(cap, |m| m.min(cap))
    }

    /// The number, when the count is exact.
    pub fn as_exact(&self) -> Option<u32> {
        (self.max == Some(self.min)).then_some(self.min)
    }

    /// Whether `n` lies in the range.
    pub fn contains(&self, n: u32) -> bool {
        n >= self.min && self.max.is_none_or(|m| n <= m)
    }
}

impl fmt::Display for Count {
    /// `5`, `3-8`, `>= 3` or `<= 8`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.as_exact(), self.max) {
            (Some(n), _) => write!(f, "{n}"),
            (None, Some(max)) if self.min > 0 => write!(f, "{}-{max}", self.min),
            (None, Some(max)) => write!(f, "<= {max}"),
            (None, None) => write!(f, ">= {}", self.min),
        }
    }
}

/// The number of items per competency level, each exact or a range.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LevelCounts {
    /// Foundational items.
    pub foundational: Count,
    /// Intermediate items.
    pub intermediate: Count,
    /// Advanced items.
    pub advanced: Count,
}

impl LevelCounts {
    /// Exact counts per level.
    pub fn exact(foundational: u32, intermediate: u32, advanced: u32) -> Self {
        Self::from_array([foundational, intermediate, advanced])
    }

    /// The count for one level.
    pub fn get(&self, level: CompetencyLevel) -> Count {
        match level {
            CompetencyLevel::Foundational => self.foundational,
            CompetencyLevel::Intermediate => self.intermediate,
            CompetencyLevel::Advanced => self.advanced,
        }
    }

    /// The total over levels, when every level is exact (saturating at
    /// `u32::MAX`, so an absurd count never wraps to a small one).
    pub fn exact_total(&self) -> Option<u32> {
        CompetencyLevel::ALL.iter().try_fold(0u32, |sum, l| {
            Some(sum.saturating_add(self.get(*l).as_exact()?))
        })
    }

    /// The least total over levels (saturating at `u32::MAX`).
    pub fn min_total(&self) -> u32 {
        CompetencyLevel::ALL
            .iter()
            .fold(0u32, |sum, l| sum.saturating_add(self.get(*l).min))
    }

    fn from_array(c: [u32; 3]) -> Self {
        Self {
            foundational: Count::exact(c[0]),
            intermediate: Count::exact(c[1]),
            advanced: Count::exact(c[2]),
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
    /// Scored items in this domain, exact or a range; when absent, the sum
    /// of the level counts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<Count>,
    /// Scored items per level in this domain, each exact or a range.
    pub levels: LevelCounts,
}

impl DomainSpec {
    /// The domain's scored items: `count` where given, else from the sum of
    /// the level minimums to the sum of the level maximums.
    pub fn count_range(&self) -> Count {
        self.count.unwrap_or_else(|| {
            let max = CompetencyLevel::ALL.iter().try_fold(0u32, |sum, l| {
                Some(sum.saturating_add(self.levels.get(*l).max?))
            });
            Count {
                min: self.levels.min_total(),
                max,
            }
        })
    }

    /// Whether the domain and every level in it are exact counts.
    pub fn is_exact(&self) -> bool {
        self.levels.exact_total().is_some()
            && self
                .count
                .is_none_or(|c| c.as_exact() == self.levels.exact_total())
    }
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

/// The IRT scale the bank's parameters are on.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IrtScale {
    /// The scaling constant `D` of the logistic model
    /// `P(θ) = c + (1 − c) / (1 + exp(−D·a·(θ − b)))`: 1 (the default, the
    /// logistic metric) or 1.702 (the normal-ogive metric, Haley 1952).
    pub d: f64,
}

impl Default for IrtScale {
    fn default() -> Self {
        Self { d: 1.0 }
    }
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
    /// Scored items per form (the total the domain and level ranges must
    /// add up to on every form).
    pub scored_items: u32,
    /// Unscored pretest items per form.
    pub pretest_items: u32,
    /// Time limit in minutes.
    pub time_limit_minutes: u32,
    /// The passing standard.
    pub passing: PassingStandard,
    /// Domains with weights and per-level counts.
    pub domains: Vec<DomainSpec>,
    /// Scored items per JTA lifecycle phase (e.g. `{"design": {"min": 5}}`);
    /// phases not named are free.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub phases: BTreeMap<LifecyclePhase, Count>,
    /// Scored items per item kind (e.g. `{"ordering": {"max": 4}}`); kinds
    /// not named are free.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub kinds: BTreeMap<ItemKind, Count>,
    /// The largest difference between two forms in the scored items of any
    /// domain or domain × level cell (forms may differ in mix within the
    /// ranges; no limit when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_mix_difference: Option<u32>,
    /// The IRT scale of the bank's parameters (D = 1 when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub irt: Option<IrtScale>,
    /// The largest number of items two forms may share: a number of items
    /// (1 or more) or a fraction of the form length (below 1); assembly
    /// options override it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_overlap: Option<f64>,
    /// The most forms one item may appear on; assembly options override it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_item_uses: Option<u32>,
    /// The absolute target test information for assembly, where the bank is
    /// calibrated (`irt_targets` in older files).
    #[serde(
        default,
        rename = "information_target",
        alias = "irt_targets",
        skip_serializing_if = "Option::is_none"
    )]
    pub irt_targets: Option<IrtTargets>,
    /// The rule the domain weights and level mix came from.
    pub derivation: String,
}

/// The thetas at which the information of forms whose blueprint sets no
/// IRT targets is reported and matched: −1, 0 and 1.
pub const DEFAULT_INFORMATION_THETAS: [f64; 3] = [-1.0, 0.0, 1.0];

impl Blueprint {
    /// The thetas at which forms' information is reported and parallel
    /// forms are matched: the IRT targets' thetas, or
    /// [`DEFAULT_INFORMATION_THETAS`] without targets.
    pub fn information_thetas(&self) -> Vec<f64> {
        self.irt_targets
            .as_ref()
            .map_or_else(|| DEFAULT_INFORMATION_THETAS.to_vec(), |t| t.thetas.clone())
    }

    /// Total items per form (scored + pretest).
    pub fn form_length(&self) -> u32 {
        self.scored_items.saturating_add(self.pretest_items)
    }

    /// The spec of a domain.
    pub fn domain(&self, id: &DomainId) -> Option<&DomainSpec> {
        self.domains.iter().find(|d| &d.domain == id)
    }

    /// Whether every domain and level is an exact count and no phase or
    /// kind is constrained: every form has the same mix.
    pub fn is_exact(&self) -> bool {
        self.domains.iter().all(DomainSpec::is_exact)
            && self.phases.is_empty()
            && self.kinds.is_empty()
    }

    /// The scaling constant `D` of the bank's IRT parameters.
    pub fn irt_d(&self) -> f64 {
        self.irt.unwrap_or_default().d
    }

    /// An item's IRT parameters on the logistic metric the IRT functions
    /// use (D = 1): the slope times the blueprint's `D`.
    pub fn item_params(&self, irt: &IrtStats) -> Result<ItemParams, ParamsError> {
        ItemParams::new(self.irt_d() * irt.a, irt.b, irt.c)
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
    /// With a tolerance ([`derive_ranges`]): the domain's range of items.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<Count>,
    /// With a tolerance: the ranges per level.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ranges: Option<LevelCounts>,
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
            count: None,
            ranges: None,
        });
        specs.push(DomainSpec {
            domain: d.id.clone(),
            weight,
            count: None,
            levels,
        });
    }
    let blueprint = settings
        .clone()
        .blueprint(jta, specs, DERIVATION_RULE.to_owned());
    Some((blueprint, rows))
}

impl BlueprintSettings {
    /// The blueprint of these settings over `jta` with the `domains` that
    /// `derivation` produced, and no other constraint: no phase or kind
    /// counts, no limit on mix difference, overlap or item uses, no IRT
    /// scale or information target.
    pub fn blueprint(self, jta: &Jta, domains: Vec<DomainSpec>, derivation: String) -> Blueprint {
        Blueprint {
            id: self.id,
            version: self.version,
            title: self.title,
            jta: jta.id.clone(),
            scored_items: self.scored_items,
            pretest_items: self.pretest_items,
            time_limit_minutes: self.time_limit_minutes,
            passing: self.passing,
            domains,
            phases: BTreeMap::new(),
            kinds: BTreeMap::new(),
            max_mix_difference: None,
            irt: None,
            max_overlap: None,
            max_item_uses: None,
            irt_targets: None,
            derivation,
        }
    }
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

/// The text added to [`DERIVATION_RULE`] by [`derive_ranges`].
pub fn range_rule(tolerance: f64) -> String {
    format!(
        "; each domain and level count c with exact quota q widened to the range [ceil(q - t·n), floor(q + t·n)] (containing c, at least 0) with t = {tolerance} and n the scored items"
    )
}

/// Derives a blueprint by [`derive()`] and widens its exact counts into
/// ranges: a count `c` with exact quota `q` (a domain's `weight · n`, a
/// level's `weight · n · mix`) becomes `[⌈q − t·n⌉, ⌊q + t·n⌋]`, widened to
/// contain `c` and cut at 0, with `t = tolerance` a share of the `n` scored
/// items (0.025 turns a 17.5% domain of 60 items into 9-12 items). The total
/// stays fixed by `scored_items`. `None` when the JTA has no domains or the
/// tolerance is negative or not finite.
pub fn derive_ranges(
    jta: &Jta,
    settings: &BlueprintSettings,
    tolerance: f64,
) -> Option<(Blueprint, Vec<DerivationRow>)> {
    if !(tolerance.is_finite() && tolerance >= 0.0) {
        return None;
    }
    let (mut blueprint, mut rows) = derive(jta, settings)?;
    let n = f64::from(settings.scored_items);
    let widen = |quota: f64, c: u32| -> Count {
        // Forgive binary error so that a quota of exactly 10 ± 1.5 reads as 9-11.
        let low = (quota - tolerance * n - 1e-9).ceil().max(0.0) as u32;
        let high = (quota + tolerance * n + 1e-9).floor().max(0.0) as u32;
        Count {
            min: low.min(c),
            max: Some(high.max(c)),
        }
    };
    for (row, spec) in rows.iter_mut().zip(&mut blueprint.domains) {
        let mix = level_mix(row.jta_level);
        let mut ranges = LevelCounts::default();
        for (l, level) in CompetencyLevel::ALL.iter().enumerate() {
            let c = row.levels.get(*level).min;
            let r = widen(row.quota * mix[l], c);
            match level {
                CompetencyLevel::Foundational => ranges.foundational = r,
                CompetencyLevel::Intermediate => ranges.intermediate = r,
                CompetencyLevel::Advanced => ranges.advanced = r,
            }
        }
        let count = widen(row.quota, row.levels.min_total());
        row.count = Some(count);
        row.ranges = Some(ranges);
        spec.count = Some(count);
        spec.levels = ranges;
    }
    blueprint.derivation = format!("{DERIVATION_RULE}{}", range_rule(tolerance));
    Some((blueprint, rows))
}

/// Tolerance on a weight when comparing a stored blueprint with its
/// derivation (the stored value went through decimal text).
pub const DERIVED_WEIGHT_TOLERANCE: f64 = 1e-12;

/// A way a stored blueprint differs from what [`derive()`] makes of its JTA
/// and settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, thiserror::Error)]
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
    /// A domain count that differs.
    #[error("domain `{domain}`: {stored} item(s), derived {derived}")]
    Count {
        /// The domain.
        domain: DomainId,
        /// Stored count.
        stored: Count,
        /// Derived count.
        derived: Count,
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

/// Derives a blueprint from `jta` with the settings of `stored` (exact
/// counts, or ranges with `tolerance` by [`derive_ranges`]) and lists how
/// `stored` differs from it (empty when it is exactly the derivation; the
/// assembly settings, phases, kinds and IRT targets are not part of the
/// derivation and are not compared).
pub fn derivation_mismatches(
    jta: &Jta,
    stored: &Blueprint,
    tolerance: Option<f64>,
) -> Vec<DerivationMismatch> {
    let settings = BlueprintSettings::from(stored);
    let derived = match tolerance {
        None => derive(jta, &settings),
        Some(t) => derive_ranges(jta, &settings, t),
    };
    let Some((derived, _)) = derived else {
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
            if s.count != d.count {
                mismatches.push(DerivationMismatch::Count {
                    domain: s.domain.clone(),
                    stored: s.count_range(),
                    derived: d.count_range(),
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
        assert_eq!(derivation_mismatches(&jta, &stored, None), vec![]);
        let (derived, _) = derive(&jta, &BlueprintSettings::from(&stored)).unwrap();
        assert_eq!(derived, stored);
    }

    #[test]
    fn counts_read_and_write_as_numbers_or_ranges() {
        let levels: LevelCounts = serde_json::from_str(
            r#"{"foundational": 2, "intermediate": {"min": 3}, "advanced": {"min": 1, "max": 4}}"#,
        )
        .unwrap();
        assert_eq!(levels.foundational, Count::exact(2));
        assert_eq!(levels.intermediate, Count::range(3, None).unwrap());
        assert_eq!(levels.advanced, Count::range(1, Some(4)).unwrap());
        assert_eq!(levels.exact_total(), None);
        assert_eq!(levels.min_total(), 6);
        assert_eq!(
            serde_json::to_string(&levels).unwrap(),
            r#"{"foundational":2,"intermediate":{"min":3},"advanced":{"min":1,"max":4}}"#
        );
        // {"max": 5} is 0-5; {"min": 2, "max": 2} is exactly 2 and written so.
        let c: Count = serde_json::from_str(r#"{"max": 5}"#).unwrap();
        assert!(c.contains(0) && c.contains(5) && !c.contains(6));
        let c: Count = serde_json::from_str(r#"{"min": 2, "max": 2}"#).unwrap();
        assert_eq!(serde_json::to_string(&c).unwrap(), "2");
        let err = serde_json::from_str::<Count>(r#"{"min": 5, "max": 2}"#).unwrap_err();
        assert!(err.to_string().contains("exceeds its maximum"), "{err}");
        assert!(serde_json::from_str::<Count>(r#"{"least": 1}"#).is_err());
        // A domain without a count spans its level ranges.
        let spec = DomainSpec {
            domain: DomainId::new("d"),
            weight: 1.0,
            count: None,
            levels,
        };
        assert_eq!(spec.count_range(), Count::range(6, None).unwrap());
    }

    #[test]
    fn ranges_are_derived_with_the_stated_tolerance() {
        let jta: Jta = shipped("jta/jta.json");
        let stored: Blueprint = shipped("blueprints/die-2026.json");
        let settings = BlueprintSettings::from(&stored);
        let (ranged, rows) = derive_ranges(&jta, &settings, 0.025).unwrap();
        let (exact, _) = derive(&jta, &settings).unwrap();
        for ((r, d), e) in rows.iter().zip(&ranged.domains).zip(&exact.domains) {
            // ±0.025 · 60 = ±1.5 items around the quota, widened to hold
            // the exact count.
            let c = d.count.unwrap();
            let low = (r.quota - 1.5 - 1e-9).ceil() as u32;
            let high = (r.quota + 1.5 + 1e-9).floor() as u32;
            let exact_count = e.levels.exact_total().unwrap();
            assert_eq!(c.min(), low.min(exact_count));
            assert_eq!(c.max(), Some(high.max(exact_count)));
            for level in CompetencyLevel::ALL {
                assert!(d.levels.get(level).contains(e.levels.get(level).min()));
            }
        }
        // infrastructure: weight 1/7, quota 8.571: 7.07..10.07 -> 8-10.
        assert_eq!(ranged.domains[0].count, Count::range(8, Some(10)));
        // The stored (exact) blueprint is not the ranged derivation, and
        // the ranged one is.
        assert!(!derivation_mismatches(&jta, &stored, Some(0.025)).is_empty());
        let mut stored_ranged = ranged.clone();
        stored_ranged.irt_targets = None;
        assert_eq!(
            derivation_mismatches(&jta, &stored_ranged, Some(0.025)),
            vec![]
        );
        assert!(derive_ranges(&jta, &settings, -0.1).is_none());
        // Tolerance 0 gives back the exact counts.
        let (zero, _) = derive_ranges(&jta, &settings, 0.0).unwrap();
        for (z, e) in zero.domains.iter().zip(&exact.domains) {
            assert_eq!(z.levels.exact_total(), e.levels.exact_total());
        }
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
        blueprint.domains[1].levels.advanced =
            Count::exact(blueprint.domains[1].levels.advanced.min() + 1);
        let mismatches = derivation_mismatches(&jta, &blueprint, None);
        assert_eq!(mismatches.len(), 2, "{mismatches:?}");
        assert!(matches!(mismatches[0], DerivationMismatch::Weight { .. }));
        assert!(matches!(mismatches[1], DerivationMismatch::Levels { .. }));
    }
}
