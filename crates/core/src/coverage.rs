//! Coverage of a form against its blueprint: what users' own tests assert
//! on to check that a form (or the bank behind it) still meets the blueprint.
//!
//! [`coverage`] recomputes everything from the form and the bank; it does
//! not trust the assembly. Every hard constraint of assembly is re-checked
//! and each breach is listed in [`Coverage::problems`].

use crate::bank::{CheckedBlueprint, ItemBank};
use crate::blueprint::{Blueprint, Count};
use crate::form::{Form, SlotRole};
use crate::ids::{BlueprintId, DomainId, FormId, ItemId, SetId};
use crate::irt::ItemParams;
use crate::item::{ItemKind, ItemStatus};
use crate::jta::{CompetencyLevel, LifecyclePhase};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Target and actual scored items of one blueprint cell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CellCoverage {
    /// The domain.
    pub domain: DomainId,
    /// The competency level.
    pub level: CompetencyLevel,
    /// Scored items the blueprint asks for (exact or a range).
    pub target: Count,
    /// Scored items on the form.
    pub actual: u32,
}

/// Test information and expected score of the scored items at one theta
/// (Lord 1980: `I(θ) = Σ I_j(θ)`, `τ(θ) = Σ P_j(θ)`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThetaPoint {
    /// The ability.
    pub theta: f64,
    /// Test information.
    pub information: f64,
    /// The blueprint's target information at this theta, where set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_information: Option<f64>,
    /// Expected number-correct score of the scored items.
    pub expected_score: f64,
}

/// Items shared with another form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormOverlap {
    /// The other form.
    pub form: FormId,
    /// Items on both forms.
    pub shared: u32,
}

/// A breach of the blueprint or of an assembly rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum CoverageProblem {
    /// A cell has the wrong number of scored items.
    #[error(
        "domain {domain}, level {level}: {actual} scored item(s), the blueprint asks for {target}"
    )]
    CellCount {
        /// Domain.
        domain: DomainId,
        /// Level.
        level: CompetencyLevel,
        /// Required (exact or a range).
        target: Count,
        /// Present.
        actual: u32,
    },
    /// A domain has a number of scored items outside its count.
    #[error("domain {domain}: {actual} scored item(s), the blueprint asks for {target}")]
    DomainCount {
        /// Domain.
        domain: DomainId,
        /// Required (exact or a range).
        target: Count,
        /// Present.
        actual: u32,
    },
    /// The form has the wrong number of scored items.
    #[error("{actual} scored item(s), the blueprint asks for {target}")]
    ScoredCount {
        /// Required.
        target: u32,
        /// Present.
        actual: u32,
    },
    /// A lifecycle phase or item kind the blueprint constrains has a number
    /// of scored items outside its range.
    #[error("{attribute}: {actual} scored item(s), the blueprint asks for {target}")]
    AttributeCount {
        /// `phase <name>` or `kind <name>`.
        attribute: String,
        /// Required (exact or a range).
        target: Count,
        /// Present.
        actual: u32,
    },
    /// The form's mix differs from another form's by more than the
    /// blueprint's `max_mix_difference`.
    #[error(
        "{scope}: {actual} scored item(s) here and {other_actual} on form {other}, more than {limit} apart"
    )]
    MixDifference {
        /// The domain, or domain and level.
        scope: String,
        /// Items here.
        actual: u32,
        /// The other form.
        other: FormId,
        /// Items there.
        other_actual: u32,
        /// The largest difference allowed.
        limit: u32,
    },
    /// The form has the wrong number of pretest items.
    #[error("{actual} pretest item(s), the blueprint asks for {target}")]
    PretestCount {
        /// Required.
        target: u32,
        /// Present.
        actual: u32,
    },
    /// A scored slot holds an item outside the blueprint's domains.
    #[error("item `{item}` is scored but its domain {domain} is not in the blueprint")]
    UnknownDomain {
        /// The item.
        item: ItemId,
        /// Its domain.
        domain: DomainId,
    },
    /// The form names an item the bank does not hold.
    #[error("item `{item}` is not in the bank")]
    UnknownItem {
        /// The item.
        item: ItemId,
    },
    /// An item appears twice.
    #[error("item `{item}` appears more than once")]
    DuplicateItem {
        /// The item.
        item: ItemId,
    },
    /// A scored slot holds an item that is not operational, or a pretest
    /// slot one that is not a pretest item.
    #[error("item `{item}` has status {status} but sits in a {role} slot")]
    WrongStatus {
        /// The item.
        item: ItemId,
        /// Its status.
        status: ItemStatus,
        /// The slot's role.
        role: SlotRole,
    },
    /// Two enemies are on the form.
    #[error("items `{first}` and `{second}` are enemies")]
    Enemies {
        /// One item.
        first: ItemId,
        /// The other.
        second: ItemId,
    },
    /// A set's deliverable items are not all on the form.
    #[error("set {set}: item `{missing}` is missing")]
    IncompleteSet {
        /// The set.
        set: SetId,
        /// A deliverable item of the set not on the form.
        missing: ItemId,
    },
    /// A set's items are not in consecutive slots.
    #[error("set {set}: items are not contiguous")]
    SplitSet {
        /// The set.
        set: SetId,
    },
    /// The total expected time exceeds the limit.
    #[error("expected response time {seconds} s exceeds the limit of {limit} s")]
    OverTime {
        /// Expected seconds.
        seconds: u64,
        /// Limit in seconds.
        limit: u64,
    },
}

/// Coverage of one form against its blueprint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Coverage {
    /// The form.
    pub form: FormId,
    /// The blueprint checked against.
    pub blueprint: BlueprintId,
    /// Its version.
    pub blueprint_version: String,
    /// Per domain and level, target and actual scored items.
    pub cells: Vec<CellCoverage>,
    /// Scored items required.
    pub scored_target: u32,
    /// Scored items present.
    pub scored_actual: u32,
    /// Pretest items required.
    pub pretest_target: u32,
    /// Pretest items present.
    pub pretest_actual: u32,
    /// Total expected response time of items that carry one.
    pub expected_seconds: u64,
    /// The time limit in seconds.
    pub time_limit_seconds: u64,
    /// Information and expected score at the blueprint's target thetas
    /// (θ = −1, 0, 1 without targets); empty when a scored item has no IRT
    /// parameters.
    pub theta_points: Vec<ThetaPoint>,
    /// Information and expected score at the theta cut, where the blueprint
    /// sets one and the scored items are calibrated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cut: Option<ThetaPoint>,
    /// Scored items without IRT parameters.
    pub uncalibrated: u32,
    /// Mean p-value of the scored items that carry one, where any does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mean_p_value: Option<f64>,
    /// Items shared with each other form given.
    pub overlaps: Vec<FormOverlap>,
    /// Every breach found; empty when the form meets the blueprint.
    pub problems: Vec<CoverageProblem>,
}

impl Coverage {
    /// Whether the form meets the blueprint and every assembly rule checked.
    pub fn meets_blueprint(&self) -> bool {
        self.problems.is_empty()
    }

    /// The largest number of items shared with any other form given.
    pub fn max_overlap(&self) -> u32 {
        self.overlaps.iter().map(|o| o.shared).max().unwrap_or(0)
    }
}

/// The scored items of a form per domain × level, domain, phase and kind.
struct Mix {
    cells: HashMap<(DomainId, CompetencyLevel), u32>,
    domains: HashMap<DomainId, u32>,
    phases: HashMap<LifecyclePhase, u32>,
    kinds: HashMap<ItemKind, u32>,
    scored: u32,
}

impl Mix {
    /// Counts the scored slots of `form` whose items are in the bank.
    fn of(form: &Form, bank: &ItemBank) -> Self {
        let mut mix = Mix {
            cells: HashMap::new(),
            domains: HashMap::new(),
            phases: HashMap::new(),
            kinds: HashMap::new(),
            scored: 0,
        };
        for slot in form.slots.iter().filter(|s| s.role == SlotRole::Scored) {
            mix.scored += 1;
            if let Some(item) = bank.item(&slot.item) {
                *mix.cells
                    .entry((item.domain.clone(), item.level))
                    .or_default() += 1;
                *mix.domains.entry(item.domain.clone()).or_default() += 1;
                *mix.phases.entry(item.phase).or_default() += 1;
                *mix.kinds.entry(item.interaction.kind()).or_default() += 1;
            }
        }
        mix
    }
}

/// The blueprint's phase and kind ranges with the form's counts.
fn attribute_counts(blueprint: &Blueprint, mix: &Mix) -> Vec<(String, Count, u32)> {
    let phases = blueprint.phases.iter().map(|(p, c)| {
        let actual = mix.phases.get(p).copied().unwrap_or(0);
        (format!("phase {p}"), *c, actual)
    });
    let kinds = blueprint.kinds.iter().map(|(k, c)| {
        let actual = mix.kinds.get(k).copied().unwrap_or(0);
        (format!("kind {k}"), *c, actual)
    });
    phases.chain(kinds).collect()
}

/// Per domain and cell, the differences from each other form beyond `limit`.
fn mix_differences(
    blueprint: &Blueprint,
    form: &Form,
    mix: &Mix,
    bank: &ItemBank,
    others: &[Form],
    limit: u32,
    problems: &mut Vec<CoverageProblem>,
) {
    for other in others.iter().filter(|o| o.id != form.id) {
        let theirs = Mix::of(other, bank);
        for d in &blueprint.domains {
            let scopes = std::iter::once((
                d.domain.to_string(),
                mix.domains.get(&d.domain),
                theirs.domains.get(&d.domain),
            ))
            .chain(CompetencyLevel::ALL.iter().map(|l| {
                let key = (d.domain.clone(), *l);
                (
                    format!("domain {}, level {l}", d.domain),
                    mix.cells.get(&key),
                    theirs.cells.get(&key),
                )
            }));
            for (scope, a, b) in scopes {
                let (a, b) = (a.copied().unwrap_or(0), b.copied().unwrap_or(0));
                if a.abs_diff(b) > limit {
                    problems.push(CoverageProblem::MixDifference {
                        scope,
                        actual: a,
                        other: other.id.clone(),
                        other_actual: b,
                        limit,
                    });
                }
            }
        }
    }
}

/// Checks `form` against `blueprint` using the items in `bank`, and counts
/// its overlap with `others` (a form with the same id is skipped). With a
/// `max_mix_difference` in the blueprint, the form's domain and cell counts
/// are compared with each of `others`.
pub fn coverage(
    form: &Form,
    bank: &ItemBank,
    blueprint: &CheckedBlueprint,
    others: &[Form],
) -> Coverage {
    let mut problems = Vec::new();
    let mut pretest_actual = 0;
    let mut seconds = 0u64;
    let mut params: Vec<Option<ItemParams>> = Vec::new();
    let mut p_values = Vec::new();
    let mut on_form: BTreeSet<&ItemId> = BTreeSet::new();
    let mut present = Vec::new();
    for slot in &form.slots {
        if !on_form.insert(&slot.item) {
            problems.push(CoverageProblem::DuplicateItem {
                item: slot.item.clone(),
            });
        }
        let Some(item) = bank.item(&slot.item) else {
            problems.push(CoverageProblem::UnknownItem {
                item: slot.item.clone(),
            });
            continue;
        };
        present.push(item);
        seconds += u64::from(item.expected_seconds.unwrap_or(0));
        match slot.role {
            SlotRole::Scored => {
                if item.status != ItemStatus::Operational {
                    problems.push(CoverageProblem::WrongStatus {
                        item: item.id.clone(),
                        status: item.status,
                        role: SlotRole::Scored,
                    });
                }
                if blueprint.domain(&item.domain).is_none() {
                    problems.push(CoverageProblem::UnknownDomain {
                        item: item.id.clone(),
                        domain: item.domain.clone(),
                    });
                }
                params.push(
                    item.stats
                        .irt
                        .as_ref()
                        .and_then(|p| blueprint.item_params(p).ok()),
                );
                if let Some(c) = &item.stats.ctt {
                    p_values.push(c.p_value);
                }
            }
            SlotRole::Pretest => {
                pretest_actual += 1;
                if item.status != ItemStatus::Pretest {
                    problems.push(CoverageProblem::WrongStatus {
                        item: item.id.clone(),
                        status: item.status,
                        role: SlotRole::Pretest,
                    });
                }
            }
        }
    }
    let mix = Mix::of(form, bank);
    let mut cells = Vec::new();
    for d in &blueprint.domains {
        let mut in_domain = 0;
        for level in CompetencyLevel::ALL {
            let target = d.levels.get(level);
            let key = (d.domain.clone(), level);
            let actual = mix.cells.get(&key).copied().unwrap_or(0);
            in_domain += actual;
            if !target.contains(actual) {
                problems.push(CoverageProblem::CellCount {
                    domain: d.domain.clone(),
                    level,
                    target,
                    actual,
                });
            }
            cells.push(CellCoverage {
                domain: d.domain.clone(),
                level,
                target,
                actual,
            });
        }
        if !d.count_range().contains(in_domain) {
            problems.push(CoverageProblem::DomainCount {
                domain: d.domain.clone(),
                target: d.count_range(),
                actual: in_domain,
            });
        }
    }
    if mix.scored != blueprint.scored_items {
        problems.push(CoverageProblem::ScoredCount {
            target: blueprint.scored_items,
            actual: mix.scored,
        });
    }
    for (attribute, target, actual) in attribute_counts(blueprint, &mix) {
        if !target.contains(actual) {
            problems.push(CoverageProblem::AttributeCount {
                attribute,
                target,
                actual,
            });
        }
    }
    if let Some(limit) = blueprint.max_mix_difference {
        mix_differences(blueprint, form, &mix, bank, others, limit, &mut problems);
    }
    if pretest_actual != blueprint.pretest_items {
        problems.push(CoverageProblem::PretestCount {
            target: blueprint.pretest_items,
            actual: pretest_actual,
        });
    }
    // Enemies, both directions.
    for (i, a) in present.iter().enumerate() {
        for b in &present[i + 1..] {
            if a.enemies.contains(&b.id) || b.enemies.contains(&a.id) {
                problems.push(CoverageProblem::Enemies {
                    first: a.id.clone(),
                    second: b.id.clone(),
                });
            }
        }
    }
    // Sets: complete and contiguous.
    let mut set_slots: BTreeMap<&SetId, Vec<usize>> = BTreeMap::new();
    for (pos, slot) in form.slots.iter().enumerate() {
        if let Some(set) = bank.item(&slot.item).and_then(|it| it.set.as_ref()) {
            set_slots.entry(set).or_default().push(pos);
        }
    }
    for (set, positions) in &set_slots {
        if positions.last().map(|l| l - positions[0] + 1) != Some(positions.len()) {
            problems.push(CoverageProblem::SplitSet {
                set: (*set).clone(),
            });
        }
        let missing = bank.items().iter().find(|it| {
            it.set.as_ref() == Some(*set)
                && matches!(it.status, ItemStatus::Operational | ItemStatus::Pretest)
                && !on_form.contains(&it.id)
        });
        if let Some(m) = missing {
            problems.push(CoverageProblem::IncompleteSet {
                set: (*set).clone(),
                missing: m.id.clone(),
            });
        }
    }
    let limit = u64::from(blueprint.time_limit_minutes) * 60;
    if seconds > limit {
        problems.push(CoverageProblem::OverTime { seconds, limit });
    }
    let uncalibrated = params.iter().filter(|p| p.is_none()).count() as u32;
    let calibrated: Vec<ItemParams> = params.iter().flatten().copied().collect();
    let point = |theta: f64, target: Option<f64>| ThetaPoint {
        theta,
        information: crate::irt::test_information(&calibrated, theta),
        target_information: target,
        expected_score: crate::irt::expected_score(&calibrated, theta),
    };
    let (theta_points, cut) = if uncalibrated == 0 && !calibrated.is_empty() {
        let targets = blueprint
            .irt_targets
            .as_ref()
            .map(|t| t.information.as_slice());
        let points = blueprint
            .information_thetas()
            .into_iter()
            .zip(
                targets
                    .unwrap_or_default()
                    .iter()
                    .map(Some)
                    .chain(std::iter::repeat(None)),
            )
            .map(|(theta, target)| point(theta, target.copied()))
            .collect();
        (points, blueprint.passing.theta_cut.map(|t| point(t, None)))
    } else {
        (Vec::new(), None)
    };
    let overlaps = others
        .iter()
        .filter(|o| o.id != form.id)
        .map(|o| FormOverlap {
            form: o.id.clone(),
            shared: o.slots.iter().filter(|s| on_form.contains(&s.item)).count() as u32,
        })
        .collect();
    Coverage {
        form: form.id.clone(),
        blueprint: blueprint.id.clone(),
        blueprint_version: blueprint.version.clone(),
        cells,
        scored_target: blueprint.scored_items,
        scored_actual: form.slots.len() as u32 - pretest_actual,
        pretest_target: blueprint.pretest_items,
        pretest_actual,
        expected_seconds: seconds,
        time_limit_seconds: limit,
        theta_points,
        cut,
        uncalibrated,
        mean_p_value: (!p_values.is_empty())
            .then(|| p_values.iter().sum::<f64>() / p_values.len() as f64),
        overlaps,
        problems,
    }
}

/// How often the items of a set of forms are used: the exposure of an item
/// is the number of the forms it is on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Exposure {
    /// Forms counted.
    pub forms: u32,
    /// Distinct items over all forms.
    pub distinct_items: u32,
    /// Mean exposure over the distinct items (slots / distinct items).
    pub mean_exposure: f64,
    /// The largest exposure of any item.
    pub max_exposure: u32,
}

/// The exposure of the items of `forms` (all zeros without forms).
pub fn exposure(forms: &[Form]) -> Exposure {
    let mut uses: HashMap<&ItemId, u32> = HashMap::new();
    for slot in forms.iter().flat_map(|f| &f.slots) {
        *uses.entry(&slot.item).or_default() += 1;
    }
    let slots: u32 = uses.values().sum();
    Exposure {
        forms: forms.len() as u32,
        distinct_items: uses.len() as u32,
        mean_exposure: if uses.is_empty() {
            0.0
        } else {
            f64::from(slots) / uses.len() as f64
        },
        max_exposure: uses.values().copied().max().unwrap_or(0),
    }
}
