//! Seeded synthetic banks and blueprints for tests, benchmarks and
//! demonstrations of assembly (not for real programs).
//!
//! Items get 2PL parameters (`a = exp(N(0, 0.25²))`, `b ~ N(0, 1)` by the
//! Box–Muller transform), a classical p-value consistent with them (the
//! probability of a correct answer at θ = 0), expected response times of
//! 40–120 s, one of the four interaction kinds, a lifecycle phase (by
//! position, in turn), enemies (pairs within a domain) and item sets of
//! three items of one domain.

use crate::bank::{BankErrors, CheckedBlueprint, ItemBank, Location};
use crate::blueprint::{
    Blueprint, BlueprintSettings, Count, DomainSpec, IrtTargets, LevelCounts, PassingStandard,
    apportion,
};
use crate::ids::{BlueprintId, DomainId, ItemId, OptionId, SetId, TaskId};
use crate::irt::IrtModel;
use crate::item::{
    Choice, CttStats, Interaction, IrtStats, Item, ItemSet, ItemStatistics, ItemStatus, MatchPair,
    Provenance,
};
use crate::jta::{CompetencyLevel, Domain, Jta, LifecyclePhase, Task};
use crate::random::standard_normal;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// What to generate.
#[derive(Debug, Clone, PartialEq)]
pub struct SyntheticSpec {
    /// Items in the bank.
    pub items: usize,
    /// Content domains.
    pub domains: usize,
    /// Scored items per form.
    pub scored_items: u32,
    /// Pretest items per form.
    pub pretest_items: u32,
    /// Share of items with pretest status (the rest are operational).
    pub pretest_share: f64,
    /// Share of items in sets of three.
    pub set_share: f64,
    /// Share of items with an enemy.
    pub enemy_share: f64,
    /// Time limit in minutes.
    pub time_limit_minutes: u32,
    /// Information target at θ = −1, 0, 1 as a multiple of the bank's mean
    /// item information times the scored length (`None`: no IRT targets).
    pub target_scale: Option<f64>,
    /// Whether items carry IRT parameters.
    pub irt: bool,
    /// Whether items carry classical p-values.
    pub ctt: bool,
    /// With `Some(m)`: the blueprint fixes each domain's count and asks only
    /// for at least `m` items of each level in it (the per-domain level
    /// minimums of van der Linden 2005's instances), so forms may differ in
    /// mix; with `None`, exact counts per level (25/50/25 in each domain).
    pub level_minimum: Option<u32>,
}

impl Default for SyntheticSpec {
    /// 2,000 items, 8 domains, 60 scored + 0 pretest, 10% pretest items,
    /// 15% of items in sets, 10% with an enemy, 95 minutes, target at the
    /// bank mean.
    fn default() -> Self {
        Self {
            items: 2000,
            domains: 8,
            scored_items: 60,
            pretest_items: 0,
            pretest_share: 0.1,
            set_share: 0.15,
            enemy_share: 0.1,
            time_limit_minutes: 95,
            target_scale: Some(1.0),
            irt: true,
            ctt: true,
            level_minimum: None,
        }
    }
}

fn choices(prefix: &str, n: usize) -> Vec<Choice> {
    (0..n)
        .map(|j| Choice {
            id: OptionId::new(format!("{prefix}{j}")),
            text: format!("option {prefix}{j}"),
            rationale: Some(format!("why {prefix}{j}")),
        })
        .collect()
}

fn interaction(i: usize, rng: &mut ChaCha8Rng) -> Interaction {
    let options = choices("o", 4);
    let id = |j: usize| options[j].id.clone();
    match i % 10 {
        0 => Interaction::Matching {
            prompts: choices("p", 3),
            key: (0..3)
                .map(|j| MatchPair {
                    prompt: OptionId::new(format!("p{j}")),
                    option: id(j),
                })
                .collect(),
            options,
        },
        1 => Interaction::Ordering {
            key: vec![id(2), id(0), id(3), id(1)],
            options,
        },
        2 => Interaction::MultipleResponse {
            key: vec![id(0), id(2)],
            select: Some(2),
            options,
        },
        _ => {
            let key = id(rng.random_range(0..4));
            Interaction::SingleChoice { options, key }
        }
    }
}

/// A seeded bank and a blueprint for it (the bank's checks apply as to any
/// bank, and the blueprint's as to any blueprint).
pub fn synthetic_bank(
    spec: &SyntheticSpec,
    seed: u64,
) -> Result<(ItemBank, CheckedBlueprint), BankErrors> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let provenance = Provenance {
        dataset: "synthetic".to_owned(),
        date: "2026-01-01".to_owned(),
        sample_size: 1000,
        run: None,
    };
    let domain_ids: Vec<DomainId> = (0..spec.domains.max(1))
        .map(|d| DomainId::new(format!("d{d}")))
        .collect();
    let jta = Jta {
        id: "synthetic".to_owned(),
        title: "Synthetic job".to_owned(),
        version: "1".to_owned(),
        source: "generated".to_owned(),
        domains: domain_ids
            .iter()
            .map(|id| Domain {
                id: id.clone(),
                name: id.to_string(),
                competency: "synthetic".to_owned(),
                level: CompetencyLevel::Intermediate,
            })
            .collect(),
        tasks: domain_ids
            .iter()
            .map(|id| Task {
                id: TaskId::new(format!("T-{id}")),
                statement: "do the job".to_owned(),
                domain: id.clone(),
                phase: LifecyclePhase::Implementation,
                source: "generated".to_owned(),
                ratings: None,
            })
            .collect(),
    };
    let mut items: Vec<Item> = Vec::with_capacity(spec.items);
    let mut sets = Vec::new();
    let mut i = 0;
    while i < spec.items {
        let domain = rng.random_range(0..domain_ids.len());
        let in_set = rng.random::<f64>() < spec.set_share && i + 3 <= spec.items;
        let status = if rng.random::<f64>() < spec.pretest_share {
            ItemStatus::Pretest
        } else {
            ItemStatus::Operational
        };
        let set = in_set.then(|| {
            let id = SetId::new(format!("S{:05}", sets.len()));
            sets.push(ItemSet {
                id: id.clone(),
                title: format!("scenario {id}"),
                stimulus: format!("stimulus of {id}"),
                format: "text".to_owned(),
            });
            id
        });
        for _ in 0..if in_set { 3 } else { 1 } {
            let a = (0.25 * standard_normal(&mut rng)).exp();
            let b = standard_normal(&mut rng);
            let level = CompetencyLevel::ALL[rng.random_range(0..3)];
            let stats = ItemStatistics {
                ctt: spec.ctt.then(|| CttStats {
                    p_value: 1.0 / (1.0 + (a * b).exp()),
                    point_biserial: None,
                    provenance: provenance.clone(),
                }),
                irt: spec.irt.then(|| IrtStats {
                    model: IrtModel::TwoPl,
                    a,
                    b,
                    c: 0.0,
                    se: None,
                    provenance: provenance.clone(),
                }),
                administrations: rng.random_range(0..500),
            };
            items.push(Item {
                id: ItemId::new(format!("Q{i:05}")),
                version: 1,
                domain: domain_ids[domain].clone(),
                level,
                phase: LifecyclePhase::ALL[i % LifecyclePhase::ALL.len()],
                task: TaskId::new(format!("T-{}", domain_ids[domain])),
                status,
                stem: format!("stem of item {i}"),
                interaction: interaction(i, &mut rng),
                shuffle_options: i % 7 != 3,
                enemies: Vec::new(),
                set: set.clone(),
                expected_seconds: Some(rng.random_range(40..=120)),
                stats,
            });
            i += 1;
        }
    }
    // Enemy pairs within a domain, recorded on both items.
    let n = items.len();
    for j in 0..n {
        if rng.random::<f64>() < spec.enemy_share / 2.0 {
            let k = rng.random_range(0..n);
            if k != j
                && items[k].domain == items[j].domain
                && !items[j].enemies.contains(&items[k].id)
            {
                let (a, b) = (items[j].id.clone(), items[k].id.clone());
                items[j].enemies.push(b);
                items[k].enemies.push(a);
            }
        }
    }
    let per_domain = apportion(&vec![1.0; domain_ids.len()], spec.scored_items).unwrap_or_default();
    let domains = domain_ids
        .iter()
        .zip(per_domain)
        .map(|(id, count)| {
            let l = apportion(&[1.0, 2.0, 1.0], count).unwrap_or_else(|| vec![0, count, 0]);
            let (count, levels) = match spec.level_minimum {
                None => (None, LevelCounts::exact(l[0], l[1], l[2])),
                Some(m) => {
                    let at_least = Count::range(m, None).unwrap_or_default();
                    let levels = LevelCounts {
                        foundational: at_least,
                        intermediate: at_least,
                        advanced: at_least,
                    };
                    (Some(Count::exact(count)), levels)
                }
            };
            DomainSpec {
                domain: id.clone(),
                weight: 1.0 / domain_ids.len() as f64,
                count,
                levels,
            }
        })
        .collect();
    let thetas = crate::blueprint::DEFAULT_INFORMATION_THETAS.to_vec();
    let irt_targets = spec.target_scale.filter(|_| spec.irt).map(|scale| {
        let operational: Vec<&Item> = items
            .iter()
            .filter(|it| it.status == ItemStatus::Operational)
            .collect();
        let information = thetas
            .iter()
            .map(|&t| {
                let mean = operational
                    .iter()
                    .filter_map(|it| it.stats.irt.as_ref()?.params().ok())
                    .map(|p| p.information(t))
                    .sum::<f64>()
                    / operational.len().max(1) as f64;
                // Round to 0.01 so the target reads as a designed value.
                (scale * mean * f64::from(spec.scored_items) * 100.0).round() / 100.0
            })
            .collect();
        IrtTargets {
            thetas: thetas.clone(),
            information,
        }
    });
    let settings = BlueprintSettings {
        id: BlueprintId::new("synthetic"),
        version: "1".to_owned(),
        title: "Synthetic exam".to_owned(),
        scored_items: spec.scored_items,
        pretest_items: spec.pretest_items,
        time_limit_minutes: spec.time_limit_minutes,
        passing: PassingStandard {
            raw_cut: None,
            theta_cut: None,
            scaled_cut: None,
            method: "synthetic".to_owned(),
            scale: None,
        },
    };
    let blueprint = Blueprint {
        irt_targets,
        ..settings.blueprint(
            &jta,
            domains,
            "equal domain weights, levels 25/50/25".to_owned(),
        )
    };
    let bank = ItemBank::new(jta, sets, items)?;
    let blueprint = CheckedBlueprint::new(bank.jta(), blueprint, &Location::default())?;
    Ok((bank, blueprint))
}
