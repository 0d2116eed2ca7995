//! The summary of a valid bank: items per domain × level by status, kinds,
//! sets, key statistics, and the supply against each blueprint.

use super::CheckedBlueprint;
use super::{ItemBank, SupplyReport, supply};
use crate::ids::{DomainId, SetId};
use crate::item::{ItemKind, ItemStatus};
use crate::jta::CompetencyLevel;
use crate::lint::{KeyStats, LintConfig, key_stats, measured_tasks};
use serde::Serialize;
use std::collections::BTreeMap;

/// Items of one domain × level, by status.
#[derive(Debug, Serialize)]
pub struct CellCounts {
    /// The domain.
    pub domain: DomainId,
    /// The competency level.
    pub level: CompetencyLevel,
    /// Draft items.
    pub draft: usize,
    /// Pretest items.
    pub pretest: usize,
    /// Operational items.
    pub operational: usize,
    /// Retired items.
    pub retired: usize,
}

/// One item set and its size.
#[derive(Debug, Serialize)]
pub struct SetSummary {
    /// The set.
    pub id: SetId,
    /// Its title.
    pub title: String,
    /// Its member items.
    pub items: usize,
    /// The domains of its members, sorted.
    pub domains: Vec<DomainId>,
}

/// The supply against one blueprint.
#[derive(Debug, Serialize)]
pub struct BlueprintSupply {
    /// The blueprint's id.
    pub blueprint: String,
    /// Its scored items per form.
    pub scored_items: u32,
    /// Its pretest items per form.
    pub pretest_items: u32,
    /// The bank's supply for it.
    #[serde(flatten)]
    pub report: SupplyReport,
}

/// The summary of a valid bank, as `exam validate` prints it.
#[derive(Debug, Serialize)]
pub struct BankSummary {
    /// The JTA's id and version.
    pub jta: String,
    /// Items in the bank.
    pub items: usize,
    /// Tasks of the JTA.
    pub tasks: usize,
    /// Tasks some item measures.
    pub tasks_measured: usize,
    /// Items per domain × level, by status.
    pub by_cell: Vec<CellCounts>,
    /// Items per kind.
    pub kinds: BTreeMap<&'static str, usize>,
    /// The item sets.
    pub sets: Vec<SetSummary>,
    /// Key positions and lengths of single-choice items.
    pub keys: KeyStats,
    /// The supply against each blueprint.
    pub supply: Vec<BlueprintSupply>,
}

/// The summary of a valid bank: items per domain × level by status, kinds,
/// sets, key statistics, and the supply against each of `blueprints`.
pub fn summarize(bank: &ItemBank, blueprints: &[&CheckedBlueprint]) -> BankSummary {
    let mut by_cell: Vec<CellCounts> = Vec::new();
    for domain in &bank.jta().domains {
        for level in CompetencyLevel::ALL {
            let mut cell = CellCounts {
                domain: domain.id.clone(),
                level,
                draft: 0,
                pretest: 0,
                operational: 0,
                retired: 0,
            };
            for item in bank
                .items()
                .iter()
                .filter(|i| i.domain == domain.id && i.level == level)
            {
                match item.status {
                    ItemStatus::Draft => cell.draft += 1,
                    ItemStatus::Pretest => cell.pretest += 1,
                    ItemStatus::Operational => cell.operational += 1,
                    ItemStatus::Retired => cell.retired += 1,
                }
            }
            by_cell.push(cell);
        }
    }
    let mut kinds: BTreeMap<&'static str, usize> = [
        ItemKind::SingleChoice,
        ItemKind::MultipleResponse,
        ItemKind::Ordering,
        ItemKind::Matching,
    ]
    .into_iter()
    .map(|k| (k.as_str(), 0))
    .collect();
    for item in bank.items() {
        *kinds.entry(item.kind().as_str()).or_default() += 1;
    }
    let sets = bank
        .sets()
        .iter()
        .map(|s| {
            let members: Vec<_> = bank
                .items()
                .iter()
                .filter(|i| i.set.as_ref() == Some(&s.id))
                .collect();
            let mut domains: Vec<DomainId> = members.iter().map(|i| i.domain.clone()).collect();
            domains.sort();
            domains.dedup();
            SetSummary {
                id: s.id.clone(),
                title: s.title.clone(),
                items: members.len(),
                domains,
            }
        })
        .collect();
    let measured = measured_tasks(bank);
    BankSummary {
        jta: format!("{} {}", bank.jta().id, bank.jta().version),
        items: bank.items().len(),
        tasks: bank.jta().tasks.len(),
        tasks_measured: bank
            .jta()
            .tasks
            .iter()
            .filter(|t| measured.contains(&t.id))
            .count(),
        by_cell,
        kinds,
        sets,
        keys: key_stats(bank, LintConfig::default().single_choice_options),
        supply: blueprints
            .iter()
            .map(|bp| BlueprintSupply {
                blueprint: bp.id.to_string(),
                scored_items: bp.scored_items,
                pretest_items: bp.pretest_items,
                report: supply(bank, bp),
            })
            .collect(),
    }
}
