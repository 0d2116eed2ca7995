//! A blueprint checked on its own, against the JTA, and against what the
//! bank can supply.

use super::ItemBank;
use super::problem::{Location, Problem, ProblemKind};
use crate::blueprint::{Blueprint, Count, DomainSpec, apportion};
use crate::ids::DomainId;
use crate::item::ItemStatus;
use crate::jta::{CompetencyLevel, Jta};
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// The tolerance on the sum of blueprint weights.
pub const WEIGHT_SUM_TOLERANCE: f64 = 1e-9;

/// Checks a blueprint against its JTA: the JTA id, known and unique
/// domains, finite non-negative weights summing to one (within
/// [`WEIGHT_SUM_TOLERANCE`]), and counts that add up: exact level counts
/// to the domain's largest-remainder share of the scored items
/// (`apportion(weights, scored_items)`) and over all domains to the scored
/// length; a domain with ranges must contain its share in its count, its
/// level ranges must be able to reach its count, and the domain ranges the
/// scored length. [`super::CheckedBlueprint`] is the one caller.
pub(crate) fn check_blueprint(jta: &Jta, blueprint: &Blueprint, at: &Location) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut push = |field: String, kind: ProblemKind| {
        problems.push(Problem::new(at.clone().field(field), kind));
    };
    if blueprint.jta != jta.id {
        push(
            "jta".to_owned(),
            ProblemKind::OtherJta {
                blueprint_jta: blueprint.jta.clone(),
                bank_jta: jta.id.clone(),
            },
        );
    }
    let mut seen = HashSet::new();
    let mut weights_valid = true;
    for (i, d) in blueprint.domains.iter().enumerate() {
        if jta.domain(&d.domain).is_none() {
            push(
                format!("domains[{i}].domain"),
                ProblemKind::UnknownDomain {
                    domain: d.domain.clone(),
                },
            );
        }
        if !seen.insert(&d.domain) {
            push(
                format!("domains[{i}].domain"),
                ProblemKind::DuplicateBlueprintDomain {
                    domain: d.domain.clone(),
                },
            );
        }
        if !d.weight.is_finite() || d.weight < 0.0 {
            weights_valid = false;
            push(
                format!("domains[{i}].weight"),
                ProblemKind::InvalidWeight {
                    domain: d.domain.clone(),
                    weight: d.weight,
                },
            );
        }
    }
    for d in &jta.domains {
        if !seen.contains(&d.id) {
            push(
                "domains".to_owned(),
                ProblemKind::DomainNotInBlueprint {
                    domain: d.id.clone(),
                },
            );
        }
    }
    let weights: Vec<f64> = blueprint.domains.iter().map(|d| d.weight).collect();
    let sum: f64 = weights.iter().sum();
    if weights_valid && (sum - 1.0).abs() > WEIGHT_SUM_TOLERANCE {
        push(
            "domains".to_owned(),
            ProblemKind::WeightsDoNotSumToOne { sum },
        );
    }
    if weights_valid {
        if let Some(counts) = apportion(&weights, blueprint.scored_items) {
            for (i, (d, &apportioned)) in blueprint.domains.iter().zip(&counts).enumerate() {
                if let Some(levels) = d.levels.exact_total().filter(|_| d.is_exact()) {
                    if levels != apportioned {
                        push(
                            format!("domains[{i}].levels"),
                            ProblemKind::DomainCountMismatch {
                                domain: d.domain.clone(),
                                levels,
                                apportioned,
                            },
                        );
                    }
                } else if !d.count_range().contains(apportioned) {
                    push(
                        format!("domains[{i}].count"),
                        ProblemKind::DomainRangeMismatch {
                            domain: d.domain.clone(),
                            count: d.count_range(),
                            apportioned,
                        },
                    );
                }
            }
        }
    }
    for (i, d) in blueprint.domains.iter().enumerate() {
        let levels = DomainSpec {
            count: None,
            ..d.clone()
        }
        .count_range();
        let count = d.count_range();
        let reachable =
            levels.min() <= count.max_or(u32::MAX) && count.min() <= levels.max_or(u32::MAX);
        if !reachable {
            push(
                format!("domains[{i}].levels"),
                ProblemKind::LevelRangesUnreachable {
                    domain: d.domain.clone(),
                    levels,
                    count,
                },
            );
        }
    }
    if blueprint.scored_items == 0 {
        push("scored_items".to_owned(), ProblemKind::NoScoredItems);
    }
    if let Some(raw_cut) = blueprint.passing.raw_cut
        && raw_cut > blueprint.scored_items
    {
        push(
            "passing.raw_cut".to_owned(),
            ProblemKind::CutOutOfRange {
                raw_cut,
                scored_items: blueprint.scored_items,
            },
        );
    }
    if blueprint.is_exact() {
        let levels = blueprint
            .domains
            .iter()
            .filter_map(|d| d.levels.exact_total())
            .fold(0u32, u32::saturating_add);
        if levels != blueprint.scored_items {
            push(
                "scored_items".to_owned(),
                ProblemKind::ScoredTotalMismatch {
                    levels,
                    scored_items: blueprint.scored_items,
                },
            );
        }
    } else {
        let min = blueprint
            .domains
            .iter()
            .map(|d| d.count_range().min())
            .fold(0u32, u32::saturating_add);
        let max: Option<u32> = blueprint
            .domains
            .iter()
            .map(|d| d.count_range().max())
            .try_fold(0u32, |sum, m| Some(sum.saturating_add(m?)));
        let domains = Count::range(min, max.map(|m| m.max(min))).unwrap_or_default();
        if !domains.contains(blueprint.scored_items) {
            push(
                "scored_items".to_owned(),
                ProblemKind::ScoredRangeMismatch {
                    domains,
                    scored_items: blueprint.scored_items,
                },
            );
        }
    }
    problems
}

/// Demand and supply in one domain × level cell of a blueprint.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CellSupply {
    /// The domain.
    pub domain: DomainId,
    /// The competency level.
    pub level: CompetencyLevel,
    /// Scored items a form needs at least from this cell (the blueprint's
    /// count, or the minimum of its range).
    pub demand: u32,
    /// Operational items in the bank in this cell.
    pub supply: u32,
    /// `supply / demand`; absent when the cell has no demand.
    pub ratio: Option<f64>,
    /// How many forms without a shared item the cell supports:
    /// `⌊supply / demand⌋`; absent when the cell has no demand.
    pub disjoint_forms: Option<u32>,
}

/// Pretest slots against pretest items.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PretestSupply {
    /// Pretest slots per form.
    pub slots: u32,
    /// Items with status pretest.
    pub supply: u32,
    /// `⌊supply / slots⌋`: forms with disjoint pretest items; absent when a
    /// form has no pretest slots.
    pub disjoint_forms: Option<u32>,
}

/// What a bank can supply against a blueprint.
///
/// The disjoint-form counts are upper bounds from counts alone: enemies and
/// item sets can only lower them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SupplyReport {
    /// One row per blueprint domain × level, in blueprint order, levels
    /// lowest first (cells without demand included).
    pub cells: Vec<CellSupply>,
    /// The pretest supply.
    pub pretest: PretestSupply,
    /// The fewest disjoint forms over the cells with demand (the bank's
    /// capacity for forms without overlap in scored items); absent when no
    /// cell has demand.
    pub disjoint_forms: Option<u32>,
}

impl SupplyReport {
    /// The problems: cells short of one form, and pretest slots short of
    /// items.
    pub fn problems(&self, at: &Location) -> Vec<Problem> {
        let mut problems: Vec<Problem> = self
            .cells
            .iter()
            .filter(|c| c.supply < c.demand)
            .map(|c| {
                Problem::new(
                    at.clone(),
                    ProblemKind::CellShortfall {
                        domain: c.domain.clone(),
                        level: c.level,
                        demand: c.demand,
                        supply: c.supply,
                    },
                )
            })
            .collect();
        if self.pretest.supply < self.pretest.slots {
            problems.push(Problem::new(
                at.clone(),
                ProblemKind::PretestShortfall {
                    slots: self.pretest.slots,
                    supply: self.pretest.supply,
                },
            ));
        }
        problems
    }
}

/// Counts, per blueprint cell, the operational items of the bank, and the
/// pretest items against the pretest slots.
pub fn supply(bank: &ItemBank, blueprint: &Blueprint) -> SupplyReport {
    let mut operational: HashMap<(&DomainId, CompetencyLevel), u32> = HashMap::new();
    let mut pretest = 0u32;
    for item in bank.items() {
        match item.status {
            ItemStatus::Operational => {
                *operational.entry((&item.domain, item.level)).or_default() += 1;
            }
            ItemStatus::Pretest => pretest += 1,
            ItemStatus::Draft | ItemStatus::Retired => {}
        }
    }
    let cells: Vec<CellSupply> = blueprint
        .domains
        .iter()
        .flat_map(|d| {
            let operational = &operational;
            CompetencyLevel::ALL.into_iter().map(move |level| {
                let demand = d.levels.get(level).min();
                let supply = operational.get(&(&d.domain, level)).copied().unwrap_or(0);
                CellSupply {
                    domain: d.domain.clone(),
                    level,
                    demand,
                    supply,
                    ratio: (demand > 0).then(|| f64::from(supply) / f64::from(demand)),
                    disjoint_forms: (demand > 0).then(|| supply / demand),
                }
            })
        })
        .collect();
    let disjoint_forms = cells.iter().filter_map(|c| c.disjoint_forms).min();
    let slots = blueprint.pretest_items;
    SupplyReport {
        cells,
        pretest: PretestSupply {
            slots,
            supply: pretest,
            disjoint_forms: (slots > 0).then(|| pretest / slots),
        },
        disjoint_forms,
    }
}
