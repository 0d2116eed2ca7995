//! Proptest strategies for the core types, shared by the tests of every
//! crate (enable the `proptest` feature of exam-core in a dev-dependency).
//!
//! The value strategies ([`item`], [`item_set`], [`jta`], [`blueprint`])
//! produce arbitrary well-typed values, for serialization round-trips.
//! [`valid_bank`] produces a [`BankDocument`] that passes every check of
//! [`crate::bank::ItemBank`]: items keyed correctly, in the JTA's domains and
//! tasks, with enemies and sets that exist.

use crate::bank::BankDocument;
use crate::blueprint::{
    Blueprint, Count, DomainSpec, IrtScale, IrtTargets, LevelCounts, PassingStandard,
};
use crate::ids::{BlueprintId, DomainId, ItemId, OptionId, SetId, TaskId};
use crate::irt::{GpcmParams, IrtModel, ItemParams, ItemParamsEntry};
use crate::item::{
    Choice, CttStats, Interaction, IrtStats, Item, ItemSet, ItemStatistics, ItemStatus, MatchPair,
    ParamErrors, Provenance,
};
use crate::jta::{CompetencyLevel, Domain, Jta, LifecyclePhase, Task, TaskRatings};
use proptest::prelude::*;
use proptest::sample::select;
use std::collections::BTreeMap;

/// A short identifier-like string (`[A-Za-z][A-Za-z0-9_-]{0,7}`).
pub fn token() -> impl Strategy<Value = String> {
    "[A-Za-z][A-Za-z0-9_-]{0,7}"
}

/// Free text, including non-ASCII characters and quotes.
pub fn text() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 äéß\"'{}:,.?-]{1,40}"
}

/// A competency level.
pub fn level() -> impl Strategy<Value = CompetencyLevel> {
    select(CompetencyLevel::ALL.to_vec())
}

/// A lifecycle phase.
pub fn phase() -> impl Strategy<Value = LifecyclePhase> {
    select(LifecyclePhase::ALL.to_vec())
}

/// An item status.
pub fn status() -> impl Strategy<Value = ItemStatus> {
    select(ItemStatus::ALL.to_vec())
}

/// `n` options with ids `O0..On` and distinct texts, some with rationales.
fn choices(n: usize, prefix: &'static str) -> impl Strategy<Value = Vec<Choice>> {
    prop::collection::vec((text(), prop::option::of(text())), n).prop_map(move |v| {
        v.into_iter()
            .enumerate()
            .map(|(i, (t, rationale))| Choice {
                id: OptionId::new(format!("{prefix}{i}")),
                text: format!("{i}: {t}"),
                rationale,
            })
            .collect()
    })
}

/// A correctly keyed interaction of any kind.
pub fn interaction() -> impl Strategy<Value = Interaction> {
    let single = (2usize..6)
        .prop_flat_map(|n| (choices(n, "O"), 0..n))
        .prop_map(|(options, k)| Interaction::SingleChoice {
            key: options[k].id.clone(),
            options,
        });
    let multiple = (3usize..7)
        .prop_flat_map(|n| {
            (
                choices(n, "O"),
                prop::sample::subsequence((0..n).collect::<Vec<_>>(), 1..n),
                any::<bool>(),
            )
        })
        .prop_map(|(options, keyed, stated)| Interaction::MultipleResponse {
            key: keyed.iter().map(|&i| options[i].id.clone()).collect(),
            select: stated.then(|| u32::try_from(keyed.len()).unwrap_or(u32::MAX)),
            options,
        });
    let ordering = (2usize..6)
        .prop_flat_map(|n| {
            (
                choices(n, "O"),
                Just((0..n).collect::<Vec<_>>()).prop_shuffle(),
            )
        })
        .prop_map(|(options, order)| Interaction::Ordering {
            key: order.iter().map(|&i| options[i].id.clone()).collect(),
            options,
        });
    let matching = (2usize..5)
        .prop_flat_map(|n| {
            (
                choices(n, "P"),
                choices(n + 1, "O"),
                prop::collection::vec(0..=n, n),
            )
        })
        .prop_map(|(prompts, options, targets)| Interaction::Matching {
            key: prompts
                .iter()
                .zip(&targets)
                .map(|(p, &t)| MatchPair {
                    prompt: p.id.clone(),
                    option: options[t].id.clone(),
                })
                .collect(),
            prompts,
            options,
        });
    prop_oneof![single, multiple, ordering, matching]
}

/// Where a statistic came from.
pub fn provenance() -> impl Strategy<Value = Provenance> {
    (
        text(),
        "20[0-9]{2}-[01][0-9]-[0-3][0-9]",
        any::<u32>(),
        prop::option::of(text()),
    )
        .prop_map(|(dataset, date, sample_size, run)| Provenance {
            dataset,
            date,
            sample_size,
            run,
        })
}

/// Item statistics, each part optional.
pub fn statistics() -> impl Strategy<Value = ItemStatistics> {
    let ctt = (0.0f64..=1.0, prop::option::of(-1.0f64..=1.0), provenance()).prop_map(
        |(p_value, point_biserial, provenance)| CttStats {
            p_value,
            point_biserial,
            provenance,
        },
    );
    let se = (
        prop::option::of(0.0f64..1.0),
        prop::option::of(0.0f64..1.0),
        prop::option::of(0.0f64..1.0),
    )
        .prop_map(|(a, b, c)| ParamErrors { a, b, c });
    let irt = (
        dichotomous_model(),
        0.2f64..3.0,
        -4.0f64..4.0,
        0.0f64..0.4,
        prop::option::of(se),
        provenance(),
    )
        .prop_map(|(model, a, b, c, se, provenance)| IrtStats {
            model,
            a,
            b,
            c,
            se,
            provenance,
        });
    (prop::option::of(ctt), prop::option::of(irt), any::<u64>()).prop_map(
        |(ctt, irt, administrations)| ItemStatistics {
            ctt,
            irt,
            administrations,
        },
    )
}

/// Checked 3PL parameters (`a` in 0.2..3, `b` in -4..4, `c` in 0..0.4).
pub fn item_params() -> impl Strategy<Value = ItemParams> {
    (0.2f64..3.0, -4.0f64..4.0, 0.0f64..0.4).prop_filter_map("valid parameters", |(a, b, c)| {
        ItemParams::new(a, b, c).ok()
    })
}

/// A dichotomous IRT model.
pub fn dichotomous_model() -> impl Strategy<Value = IrtModel> {
    select(vec![IrtModel::Rasch, IrtModel::TwoPl, IrtModel::ThreePl])
}

/// 0–5 items with checked parameters, as an item-parameter document lists them.
pub fn item_params_entries() -> impl Strategy<Value = Vec<ItemParamsEntry>> {
    prop::collection::vec((token(), item_params()), 0..5).prop_map(|items| {
        items
            .into_iter()
            .map(|(id, params)| ItemParamsEntry {
                id: ItemId::new(id),
                params,
            })
            .collect()
    })
}

/// Checked generalized partial credit parameters with 1–4 steps.
pub fn gpcm_params() -> impl Strategy<Value = GpcmParams> {
    (0.2f64..3.0, prop::collection::vec(-3.0f64..3.0, 1..5))
        .prop_filter_map("valid parameters", |(a, steps)| {
            GpcmParams::new(a, steps).ok()
        })
}

/// An arbitrary item: metadata ids drawn freely, the interaction correctly keyed.
pub fn item() -> impl Strategy<Value = Item> {
    (
        (
            token(),
            any::<u32>(),
            token(),
            level(),
            phase(),
            token(),
            status(),
        ),
        (text(), interaction(), any::<bool>()),
        (
            prop::collection::vec(token(), 0..3),
            prop::option::of(token()),
            prop::option::of(any::<u32>()),
            statistics(),
        ),
    )
        .prop_map(
            |(
                (id, version, domain, level, phase, task, status),
                (stem, interaction, shuffle_options),
                (enemies, set, expected_seconds, stats),
            )| Item {
                id: ItemId::new(id),
                version,
                domain: DomainId::new(domain),
                level,
                phase,
                task: TaskId::new(task),
                status,
                stem,
                interaction,
                shuffle_options,
                enemies: enemies.into_iter().map(ItemId::new).collect(),
                set: set.map(SetId::new),
                expected_seconds,
                stats,
            },
        )
}

/// An item set.
pub fn item_set() -> impl Strategy<Value = ItemSet> {
    (
        token(),
        text(),
        text(),
        select(vec!["text", "log", "yaml", "json", "hcl", "markdown"]),
    )
        .prop_map(|(id, title, stimulus, format)| ItemSet {
            id: SetId::new(id),
            title,
            stimulus,
            format: format.to_owned(),
        })
}

/// A JTA with 1–6 domains `D0..`, and 1–4 tasks `T<d>-<t>` in each.
pub fn jta() -> impl Strategy<Value = Jta> {
    prop::collection::vec(
        (
            level(),
            prop::collection::vec(
                (
                    phase(),
                    text(),
                    prop::option::of((1.0f64..5.0, 1.0f64..5.0)),
                ),
                1..5,
            ),
        ),
        1..7,
    )
    .prop_map(|domains| {
        let mut jta = Jta {
            id: "jta".to_owned(),
            title: "Job".to_owned(),
            version: "1".to_owned(),
            source: "generated".to_owned(),
            domains: Vec::new(),
            tasks: Vec::new(),
        };
        for (d, (level, tasks)) in domains.into_iter().enumerate() {
            let domain = DomainId::new(format!("D{d}"));
            jta.domains.push(Domain {
                id: domain.clone(),
                name: format!("Domain {d}"),
                competency: "generated".to_owned(),
                level,
            });
            for (t, (phase, statement, ratings)) in tasks.into_iter().enumerate() {
                jta.tasks.push(Task {
                    id: TaskId::new(format!("T{d}-{t}")),
                    statement,
                    domain: domain.clone(),
                    phase,
                    source: "generated".to_owned(),
                    ratings: ratings.map(|(importance, frequency)| TaskRatings {
                        importance,
                        frequency,
                        respondents: None,
                    }),
                });
            }
        }
        jta
    })
}

/// An item count: exact, or a range with a minimum, a maximum or both.
pub fn count() -> impl Strategy<Value = Count> {
    prop_oneof![
        (0u32..10).prop_map(Count::exact),
        (0u32..10, prop::option::of(0u32..10)).prop_filter_map("min above max", |(min, extra)| {
            Count::range(min, extra.map(|e| min + e))
        }),
    ]
}

/// An arbitrary blueprint (not necessarily consistent with any JTA).
pub fn blueprint() -> impl Strategy<Value = Blueprint> {
    let domain = (
        token(),
        0.0f64..1.0,
        prop::option::of(count()),
        (count(), count(), count()),
    )
        .prop_map(
            |(id, weight, count, (foundational, intermediate, advanced))| DomainSpec {
                domain: DomainId::new(id),
                weight,
                count,
                levels: LevelCounts {
                    foundational,
                    intermediate,
                    advanced,
                },
            },
        );
    let phases = prop::collection::btree_map(
        prop::sample::select(LifecyclePhase::ALL.to_vec()),
        count(),
        0..3,
    );
    let assembly = (
        phases,
        prop::option::of(0u32..5),
        prop::option::of(prop_oneof![Just(1.0), Just(1.702)]),
        prop::option::of(0u32..20),
        prop::option::of(1u32..5),
    );
    let targets = prop::collection::vec((-3.0f64..3.0, 0.0f64..20.0), 1..5).prop_map(|points| {
        let (thetas, information) = points.into_iter().unzip();
        IrtTargets {
            thetas,
            information,
        }
    });
    (
        (token(), token(), text(), token()),
        (0u32..200, 0u32..30, 1u32..300),
        (
            prop::option::of(0u32..200),
            prop::option::of(-3.0f64..3.0),
            prop::option::of(100.0f64..900.0),
            text(),
        ),
        prop::collection::vec(domain, 1..6),
        prop::option::of(targets),
        text(),
        assembly,
    )
        .prop_map(
            |(
                (id, version, title, jta),
                (scored_items, pretest_items, time_limit_minutes),
                (raw_cut, theta_cut, scaled_cut, method),
                domains,
                irt_targets,
                derivation,
                (phases, max_mix_difference, d, max_overlap, max_item_uses),
            )| Blueprint {
                id: BlueprintId::new(id),
                version,
                title,
                jta,
                scored_items,
                pretest_items,
                time_limit_minutes,
                passing: PassingStandard {
                    raw_cut,
                    theta_cut,
                    scaled_cut,
                    method,
                    scale: None,
                },
                domains,
                phases,
                kinds: BTreeMap::new(),
                max_mix_difference,
                irt: d.map(|d| IrtScale { d }),
                max_overlap: max_overlap.map(f64::from),
                max_item_uses,
                irt_targets,
                derivation,
            },
        )
}

/// A bank document that passes every check: a generated JTA, `1..max_items`
/// items (ids `I0..`) in its domains and tasks with correctly keyed
/// interactions, some in one set per domain, some with enemies among
/// earlier items. No blueprints.
pub fn valid_bank(max_items: usize) -> impl Strategy<Value = BankDocument> {
    jta()
        .prop_flat_map(move |jta| {
            let tasks = jta.tasks.clone();
            let item = (
                select(tasks),
                level(),
                status(),
                text(),
                interaction(),
                any::<bool>(),
                prop::option::of(any::<prop::sample::Index>()),
            );
            (Just(jta), prop::collection::vec(item, 1..max_items.max(2)))
        })
        .prop_map(|(jta, drafts)| {
            let mut items: Vec<Item> = Vec::with_capacity(drafts.len());
            let mut sets: Vec<ItemSet> = Vec::new();
            for (n, (task, level, status, stem, interaction, in_set, enemy)) in
                drafts.into_iter().enumerate()
            {
                let set = in_set.then(|| SetId::new(format!("S-{}", task.domain)));
                if let Some(id) = &set {
                    if !sets.iter().any(|s| &s.id == id) {
                        sets.push(ItemSet {
                            id: id.clone(),
                            title: format!("Set {id}"),
                            stimulus: "shared stimulus".to_owned(),
                            format: "text".to_owned(),
                        });
                    }
                }
                let enemies = match enemy {
                    Some(index) if n > 0 => vec![items[index.index(n)].id.clone()],
                    _ => Vec::new(),
                };
                items.push(Item {
                    id: ItemId::new(format!("I{n}")),
                    version: 1,
                    domain: task.domain.clone(),
                    level,
                    phase: task.phase,
                    task: task.id.clone(),
                    status,
                    stem: format!("Item {n}: {stem}"),
                    interaction,
                    shuffle_options: true,
                    enemies,
                    set,
                    expected_seconds: None,
                    stats: ItemStatistics::default(),
                });
            }
            BankDocument {
                jta,
                sets,
                items,
                blueprints: Vec::new(),
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bank::ItemBank;
    use crate::item::ItemFile;
    use serde::Serialize;
    use serde::de::DeserializeOwned;

    fn round_trip<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(
        value: &T,
    ) -> Result<(), TestCaseError> {
        let json = serde_json::to_string(value).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let back: T =
            serde_json::from_str(&json).map_err(|e| TestCaseError::fail(format!("{e}: {json}")))?;
        prop_assert_eq!(&back, value);
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        #[test]
        fn items_round_trip(item in item()) {
            round_trip(&item)?;
        }

        #[test]
        fn item_files_round_trip(sets in prop::collection::vec(item_set(), 0..3), items in prop::collection::vec(item(), 0..3)) {
            round_trip(&ItemFile { sets, items })?;
        }

        #[test]
        fn item_parameters_round_trip(entries in item_params_entries(), gpcm in gpcm_params()) {
            round_trip(&entries)?;
            round_trip(&gpcm)?;
        }

        #[test]
        fn jtas_round_trip(jta in jta()) {
            round_trip(&jta)?;
        }

        #[test]
        fn blueprints_round_trip(blueprint in blueprint()) {
            round_trip(&blueprint)?;
        }

        #[test]
        fn valid_banks_pass_every_check_and_round_trip(doc in valid_bank(20)) {
            round_trip(&doc)?;
            let json = serde_json::to_string(&doc).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let bank = ItemBank::from_json(&json).map_err(|e| TestCaseError::fail(format!("{:?}", e.problems)))?;
            prop_assert!(bank.warnings().is_empty(), "{:?}", bank.warnings());
            prop_assert_eq!(bank.to_document(), doc);
        }
    }
}
