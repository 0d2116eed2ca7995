//! Tests of assembly: hard constraints on random banks (proptest), exact
//! optima of small instances by enumeration, infeasibility explanations,
//! delivery and LOFT exposure.

use super::synthetic::{SyntheticSpec, synthetic_bank};
use super::*;
use crate::bank::{CheckedBlueprint, ItemBank, Location};
use crate::blueprint::Blueprint;
use crate::coverage::coverage;
use crate::form::SlotRole;
use crate::ids::SetId;
use crate::item::{Item, ItemKind, ItemStatus};
use crate::jta::LifecyclePhase;
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// `blueprint` after `edit`, checked again against the bank's JTA.
fn edited(
    bank: &ItemBank,
    blueprint: CheckedBlueprint,
    edit: impl FnOnce(&mut Blueprint),
) -> CheckedBlueprint {
    let mut blueprint = blueprint.into_inner();
    edit(&mut blueprint);
    CheckedBlueprint::new(bank.jta(), blueprint, &Location::default()).unwrap()
}

/// Checks every hard constraint of a set of forms directly from the bank,
/// independently of [`coverage`]. Returns the first breach found.
pub(super) fn breaches(
    bank: &ItemBank,
    blueprint: &Blueprint,
    forms: &[Form],
    max_shared: u32,
    max_uses: u32,
) -> Option<String> {
    let mut uses: HashMap<&ItemId, u32> = HashMap::new();
    for form in forms {
        let items: Vec<&Item> = form
            .slots
            .iter()
            .map(|s| bank.item(&s.item).expect("form items are in the bank"))
            .collect();
        let mut cells: HashMap<(String, CompetencyLevel), u32> = HashMap::new();
        let mut domains: HashMap<String, u32> = HashMap::new();
        let mut phases: HashMap<LifecyclePhase, u32> = HashMap::new();
        let mut kinds: HashMap<ItemKind, u32> = HashMap::new();
        let mut scored = 0;
        let mut pretest = 0;
        for (slot, item) in form.slots.iter().zip(&items) {
            *uses.entry(&item.id).or_default() += 1;
            match slot.role {
                SlotRole::Scored if item.status == ItemStatus::Operational => {
                    *cells
                        .entry((item.domain.to_string(), item.level))
                        .or_default() += 1;
                    *domains.entry(item.domain.to_string()).or_default() += 1;
                    *phases.entry(item.phase).or_default() += 1;
                    *kinds.entry(item.interaction.kind()).or_default() += 1;
                    scored += 1;
                }
                SlotRole::Pretest if item.status == ItemStatus::Pretest => pretest += 1,
                _ => {
                    return Some(format!(
                        "{}: status {} in {:?} slot",
                        item.id, item.status, slot.role
                    ));
                }
            }
            let order: BTreeSet<_> = slot.option_order.iter().collect();
            let options: BTreeSet<_> = item.interaction.options().iter().map(|c| &c.id).collect();
            if order != options || slot.option_order.len() != options.len() {
                return Some(format!("{}: option order not a permutation", item.id));
            }
            if !item.shuffle_options
                && slot
                    .option_order
                    .iter()
                    .ne(item.interaction.options().iter().map(|c| &c.id))
            {
                return Some(format!("{}: fixed option order was shuffled", item.id));
            }
        }
        // Each count within its bounds, read from the blueprint directly.
        let within = |got: u32, c: crate::blueprint::Count| {
            got >= c.min() && c.max().is_none_or(|m| got <= m)
        };
        for d in &blueprint.domains {
            let mut in_domain = 0;
            for level in CompetencyLevel::ALL {
                let got = cells
                    .get(&(d.domain.to_string(), level))
                    .copied()
                    .unwrap_or(0);
                in_domain += got;
                if !within(got, d.levels.get(level)) {
                    return Some(format!(
                        "{} {level}: {got} not in {}",
                        d.domain,
                        d.levels.get(level)
                    ));
                }
            }
            let count = d.count.unwrap_or_else(|| d.count_range());
            if !within(in_domain, count)
                || domains.get(d.domain.as_str()) != Some(&in_domain) && in_domain > 0
            {
                return Some(format!("{}: {in_domain} not in {count}", d.domain));
            }
        }
        if scored != blueprint.scored_items {
            return Some(format!("scored {scored} != {}", blueprint.scored_items));
        }
        for (phase, c) in &blueprint.phases {
            let got = phases.get(phase).copied().unwrap_or(0);
            if !within(got, *c) {
                return Some(format!("phase {phase}: {got} not in {c}"));
            }
        }
        for (kind, c) in &blueprint.kinds {
            let got = kinds.get(kind).copied().unwrap_or(0);
            if !within(got, *c) {
                return Some(format!("kind {kind}: {got} not in {c}"));
            }
        }
        if pretest != blueprint.pretest_items {
            return Some(format!("pretest {pretest} != {}", blueprint.pretest_items));
        }
        let ids: BTreeSet<&ItemId> = items.iter().map(|i| &i.id).collect();
        if ids.len() != items.len() {
            return Some("duplicate item".into());
        }
        for a in &items {
            for e in &a.enemies {
                if ids.contains(e) {
                    return Some(format!("enemies {} and {e}", a.id));
                }
            }
        }
        // Sets: all deliverable members present, in consecutive slots.
        let mut positions: BTreeMap<&SetId, Vec<usize>> = BTreeMap::new();
        for (p, item) in items.iter().enumerate() {
            if let Some(s) = &item.set {
                positions.entry(s).or_default().push(p);
            }
        }
        for (set, pos) in positions {
            if pos[pos.len() - 1] - pos[0] + 1 != pos.len() {
                return Some(format!("set {set} split"));
            }
            let members = bank
                .items()
                .iter()
                .filter(|i| i.set.as_ref() == Some(set))
                .filter(|i| matches!(i.status, ItemStatus::Operational | ItemStatus::Pretest))
                .count();
            if members != pos.len() {
                return Some(format!("set {set} incomplete"));
            }
        }
        let seconds: u32 = items.iter().filter_map(|i| i.expected_seconds).sum();
        if seconds > blueprint.time_limit_minutes * 60 {
            return Some(format!("time {seconds}"));
        }
    }
    for (a, fa) in forms.iter().enumerate() {
        let ids: BTreeSet<_> = fa.slots.iter().map(|s| &s.item).collect();
        for fb in &forms[a + 1..] {
            let shared = fb.slots.iter().filter(|s| ids.contains(&s.item)).count() as u32;
            if shared > max_shared {
                return Some(format!("overlap {shared} > {max_shared}"));
            }
        }
    }
    if let Some((id, n)) = uses.iter().find(|(_, n)| **n > max_uses) {
        return Some(format!("{id} used {n} times"));
    }
    None
}

fn small_spec() -> SyntheticSpec {
    SyntheticSpec {
        items: 600,
        domains: 3,
        scored_items: 12,
        pretest_items: 2,
        time_limit_minutes: 30,
        ..SyntheticSpec::default()
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn every_form_meets_every_hard_constraint(
        bank_seed in 0u64..1000,
        seed in 0u64..1000,
        domains in 1usize..5,
        scored in 4u32..16,
        pretest in 0u32..4,
        set_share in 0.0f64..0.4,
        enemy_share in 0.0f64..0.5,
        forms in 1u32..4,
        max_shared in 2u32..8,
        max_uses in 1u32..3,
        objective in 0usize..4,
        sections in any::<bool>(),
        level_minimum in prop::option::of(0u32..2),
        at_most_one_ordering in any::<bool>(),
    ) {
        let spec = SyntheticSpec {
            items: 60 * scored as usize,
            domains,
            scored_items: scored,
            pretest_items: pretest,
            set_share,
            enemy_share,
            time_limit_minutes: 2 * (scored + pretest),
            level_minimum,
            ..SyntheticSpec::default()
        };
        // Level minimums a domain's count cannot hold make an inconsistent
        // blueprint (the blueprint check says so); not this test's subject.
        let per_domain = scored / domains as u32;
        prop_assume!(level_minimum.unwrap_or(0) * 3 <= per_domain);
        let (bank, blueprint) = synthetic_bank(&spec, bank_seed).unwrap();
        let blueprint = if at_most_one_ordering {
            edited(&bank, blueprint, |b| {
                b.kinds.insert(ItemKind::Ordering, crate::blueprint::Count::range(0, Some(1)).unwrap());
                b.phases.insert(LifecyclePhase::Design, crate::blueprint::Count::range(1, None).unwrap());
            })
        } else {
            blueprint
        };
        let options = AssemblyOptions {
            forms,
            max_overlap: Some(MaxOverlap::Items(max_shared)),
            max_item_uses: Some(max_uses),
            objective: match objective {
                0 => Objective::Auto,
                1 => Objective::Parallel { thetas: vec![-1.0, 1.0] },
                2 => Objective::MeanPValue { target: Some(0.6) },
                _ => Objective::Random,
            },
            order: if sections { DeliveryOrder::Sections } else { DeliveryOrder::Randomised },
            ..AssemblyOptions::default()
        };
        // Random banks can be provably infeasible (a cell whose items sit in
        // sets that do not fit, ...): those cases are discarded; a heuristic
        // failure (`Stuck`) fails the test.
        let assembly = match assemble(&bank, &blueprint, &options, seed) {
            Err(
                AssemblyError::Short { .. }
                | AssemblyError::OverlapShort { .. }
                | AssemblyError::ContentShort { .. }
                | AssemblyError::TimeShort { .. },
            ) => return Err(TestCaseError::reject("provably infeasible")),
            other => other.unwrap(),
        };
        prop_assert_eq!(assembly.forms.len(), forms as usize);
        prop_assert_eq!(breaches(&bank, &blueprint, &assembly.forms, max_shared, max_uses), None);
        for form in &assembly.forms {
            let c = coverage(form, &bank, &blueprint, &assembly.forms);
            prop_assert!(c.meets_blueprint(), "{:?}", c.problems);
            prop_assert!(c.max_overlap() <= max_shared);
            if sections {
                let order: Vec<usize> = form.slots.iter().map(|s| {
                    blueprint.domains.iter().position(|d| d.domain == s.section).unwrap()
                }).collect();
                prop_assert!(order.windows(2).all(|w| w[0] <= w[1]));
            }
        }
    }
}

#[test]
fn same_inputs_and_seed_give_the_same_forms_and_ids() {
    let (bank, blueprint) = synthetic_bank(&small_spec(), 3).unwrap();
    let options = AssemblyOptions {
        forms: 3,
        max_overlap: Some(MaxOverlap::Fraction(0.25)),
        ..AssemblyOptions::default()
    };
    let a = assemble(&bank, &blueprint, &options, 42).unwrap();
    let b = assemble(&bank, &blueprint, &options, 42).unwrap();
    assert_eq!(a, b);
    let c = assemble(&bank, &blueprint, &options, 43).unwrap();
    assert_ne!(a.forms[0].id, c.forms[0].id);
    let ids: BTreeSet<_> = a.forms.iter().map(|f| &f.id).collect();
    assert_eq!(ids.len(), 3);
    // 25% of 14 items rounds down to 3.
    assert_eq!(a.max_shared, 3);
}

#[test]
fn information_target_is_met_closely() {
    let spec = SyntheticSpec {
        items: 1000,
        ..SyntheticSpec::default()
    };
    let (bank, blueprint) = synthetic_bank(&spec, 11).unwrap();
    let options = AssemblyOptions {
        forms: 4,
        max_overlap: Some(MaxOverlap::Items(6)),
        max_item_uses: Some(3),
        ..AssemblyOptions::default()
    };
    let a = assemble(&bank, &blueprint, &options, 5).unwrap();
    assert!(matches!(
        a.objective,
        ResolvedObjective::InformationTarget { .. }
    ));
    let targets = blueprint.irt_targets.clone().unwrap();
    for form in &a.forms {
        // Recomputed from the items, not taken from the assembly.
        let c = coverage(form, &bank, &blueprint, &a.forms);
        assert!(c.meets_blueprint());
        for (p, t) in c.theta_points.iter().zip(&targets.information) {
            assert!((p.information - t).abs() < 0.05, "{} vs {t}", p.information);
        }
    }
    assert!(a.max_deviation().unwrap() <= 0.05);
}

/// Small instances: one domain, two cells of two items each from seven
/// candidates per cell (441 forms), an information target at θ = −1, 0, 1
/// drawn away from the bank mean so the optimum is not zero. The heuristic
/// searched to a local optimum (tolerance 0) is compared with the exact
/// minimax optimum found by enumeration.
#[test]
fn heuristic_matches_the_exact_optimum_on_small_instances() {
    let (exact_single, worst_single) = gaps_to_optimum(1);
    let (exact, worst) = gaps_to_optimum(8);
    // Measured before issue 17: one run finds the exact optimum on 22 of 30, eight
    // restarts on 28 of 30; the worst gap is 0.048 information units either
    // way (the instances are tiny: 49 x 21 swaps, few escape routes).
    // With the seeded random construction of issue 17 (other seeds, other
    // forms) one run finds 26 of 30 but its worst gap is 0.105: a single
    // randomised run can stop in a poorer local optimum of these toy
    // instances (4 of 14 items per form); restarts remove it.
    assert!(
        exact_single >= 22 && worst_single < 0.11,
        "{exact_single} {worst_single}"
    );
    assert!(exact >= 28 && worst < 0.05, "{exact} {worst}");
}

/// Over 30 instances: on how many the heuristic finds the exact optimum, and
/// its largest gap to it.
fn gaps_to_optimum(restarts: u32) -> (usize, f64) {
    let mut gaps = Vec::new();
    for instance in 0..30u64 {
        let (bank, blueprint) = tiny_instance(instance);
        let targets = blueprint.irt_targets.clone().unwrap();
        let options = AssemblyOptions {
            tolerance: 0.0,
            restarts,
            ..AssemblyOptions::default()
        };
        let heuristic = assemble(&bank, &blueprint, &options, instance)
            .unwrap()
            .max_deviation()
            .unwrap();
        let info = |i: &Item| -> Vec<f64> {
            let p = i.stats.irt.as_ref().unwrap().params().unwrap();
            targets.thetas.iter().map(|&t| p.information(t)).collect()
        };
        let by_level = |l: CompetencyLevel| -> Vec<Vec<f64>> {
            bank.items()
                .iter()
                .filter(|i| i.level == l)
                .map(info)
                .collect()
        };
        let (f, a) = (
            by_level(CompetencyLevel::Foundational),
            by_level(CompetencyLevel::Advanced),
        );
        let mut best = f64::INFINITY;
        for i in 0..f.len() {
            for j in i + 1..f.len() {
                for k in 0..a.len() {
                    for l in k + 1..a.len() {
                        let dev = (0..3)
                            .map(|t| {
                                (f[i][t] + f[j][t] + a[k][t] + a[l][t] - targets.information[t])
                                    .abs()
                            })
                            .fold(0.0, f64::max);
                        best = best.min(dev);
                    }
                }
            }
        }
        assert!(
            heuristic >= best - 1e-12,
            "below the optimum: {heuristic} < {best}"
        );
        gaps.push(heuristic - best);
    }
    let exact = gaps.iter().filter(|g| **g <= 1e-9).count();
    let worst = gaps.iter().copied().fold(0.0, f64::max);
    eprintln!("restarts {restarts}: exact on {exact} of 30, worst gap {worst}");
    (exact, worst)
}

fn tiny_instance(seed: u64) -> (ItemBank, CheckedBlueprint) {
    let spec = SyntheticSpec {
        items: 14,
        domains: 1,
        scored_items: 4,
        pretest_share: 0.0,
        set_share: 0.0,
        enemy_share: 0.0,
        ..SyntheticSpec::default()
    };
    let (bank, blueprint) = synthetic_bank(&spec, seed).unwrap();
    // Seven foundational and seven advanced items; two of each per form.
    let mut items: Vec<Item> = bank.items().to_vec();
    for (n, item) in items.iter_mut().enumerate() {
        item.level = if n < 7 {
            CompetencyLevel::Foundational
        } else {
            CompetencyLevel::Advanced
        };
        item.enemies.clear();
    }
    let bank = ItemBank::new(bank.jta().clone(), bank.sets().to_vec(), items).unwrap();
    let blueprint = edited(&bank, blueprint, |b| {
        b.domains[0].levels = crate::blueprint::LevelCounts::exact(2, 0, 2);
        if let Some(t) = &mut b.irt_targets {
            t.information = vec![0.7, 1.1, 0.6];
        }
    });
    (bank, blueprint)
}

#[test]
fn infeasible_cell_is_explained_with_numbers() {
    let (bank, blueprint) = tiny_instance(1);
    let options = AssemblyOptions {
        forms: 4,
        max_overlap: Some(MaxOverlap::Items(0)),
        objective: Objective::Random,
        ..AssemblyOptions::default()
    };
    let err = assemble(&bank, &blueprint, &options, 1).unwrap_err();
    // 4 forms x 2 foundational items, no sharing: 8 distinct needed, 7 exist.
    match &err {
        AssemblyError::Short {
            scope,
            needed,
            available,
            ..
        } => {
            assert_eq!(
                scope,
                &Scope::Cell {
                    domain: "d0".into(),
                    level: CompetencyLevel::Foundational
                }
            );
            assert_eq!((*needed, *available), (8, 7));
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(
        err.to_string(),
        "domain d0, level foundational: 4 form(s) x 2 item(s) with at most 0 shared item(s) between two forms and each item on at most 4 form(s) need 8 distinct items; the bank has 7 operational (7 usable under the exposure limit and enemy rules)"
    );
}

#[test]
fn overlap_budget_is_shared_by_all_cells() {
    // Three items per cell, two per form, three forms: each cell fills 6
    // slots from 3 items, so every item is used twice and each cell spends
    // 3 shared incidences. One shared item per pair allows C(3,2) x 1 = 3:
    // each cell alone fits, the two together (6) do not.
    let (bank, blueprint) = tiny_instance(1);
    let items: Vec<Item> = bank
        .items()
        .iter()
        .enumerate()
        .filter(|(n, _)| n % 7 < 3)
        .map(|(_, i)| i.clone())
        .collect();
    let bank = ItemBank::new(bank.jta().clone(), Vec::new(), items).unwrap();
    let options = AssemblyOptions {
        forms: 3,
        max_overlap: Some(MaxOverlap::Items(1)),
        objective: Objective::Random,
        ..AssemblyOptions::default()
    };
    let err = assemble(&bank, &blueprint, &options, 1).unwrap_err();
    assert_eq!(
        err,
        AssemblyError::OverlapShort {
            forms: 3,
            max_shared: 1,
            needed: 6,
            allowed: 3
        }
    );
    // Two shared items per pair allow 6: feasible, and the forms keep it.
    let options = AssemblyOptions {
        max_overlap: Some(MaxOverlap::Items(2)),
        ..options
    };
    let a = assemble(&bank, &blueprint, &options, 1).unwrap();
    assert_eq!(breaches(&bank, &blueprint, &a.forms, 2, 3), None);
}

#[test]
fn infeasible_time_and_pretest_are_explained() {
    let (bank, blueprint) = tiny_instance(2);
    let blueprint = edited(&bank, blueprint, |b| b.time_limit_minutes = 1);
    let err = assemble(&bank, &blueprint, &AssemblyOptions::default(), 1).unwrap_err();
    assert!(
        matches!(err, AssemblyError::TimeShort { limit_seconds: 60, fastest_seconds } if fastest_seconds > 60)
    );
    let blueprint = edited(&bank, blueprint, |b| {
        b.time_limit_minutes = 60;
        b.pretest_items = 1;
    });
    let err = assemble(&bank, &blueprint, &AssemblyOptions::default(), 1).unwrap_err();
    assert!(
        matches!(
            err,
            AssemblyError::Short {
                scope: Scope::Pretest,
                available: 0,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn exposure_limit_removes_overused_items() {
    let (bank, blueprint) = tiny_instance(3);
    // Every item has 0..500 administrations; a limit of 0 more leaves none.
    let options = AssemblyOptions {
        exposure: Some(ExposureLimit {
            max_administrations: 0,
            candidates_per_form: 100,
        }),
        ..AssemblyOptions::default()
    };
    let err = assemble(&bank, &blueprint, &options, 1).unwrap_err();
    assert!(
        matches!(err, AssemblyError::Short { usable: 0, .. }),
        "{err}"
    );
}

#[test]
fn bad_options_are_rejected() {
    let (bank, blueprint) = tiny_instance(4);
    let zero = AssemblyOptions {
        forms: 0,
        ..AssemblyOptions::default()
    };
    assert_eq!(
        assemble(&bank, &blueprint, &zero, 1),
        Err(AssemblyError::NoForms)
    );
    let bad = AssemblyOptions {
        max_overlap: Some(MaxOverlap::Fraction(1.5)),
        ..AssemblyOptions::default()
    };
    assert_eq!(
        assemble(&bank, &blueprint, &bad, 1),
        Err(AssemblyError::BadOverlap(1.5))
    );
    let no_targets = edited(&bank, blueprint.clone(), |b| b.irt_targets = None);
    let want = AssemblyOptions {
        objective: Objective::InformationTarget,
        ..AssemblyOptions::default()
    };
    assert!(matches!(
        assemble(&bank, &no_targets, &want, 1),
        Err(AssemblyError::NoTargets { .. })
    ));
}

#[test]
fn objectives_without_irt_fall_back_to_p_values_then_randomisation() {
    let spec = SyntheticSpec {
        irt: false,
        target_scale: None,
        ..small_spec()
    };
    let (bank, blueprint) = synthetic_bank(&spec, 5).unwrap();
    let a = assemble(&bank, &blueprint, &AssemblyOptions::default(), 1).unwrap();
    assert!(matches!(a.objective, ResolvedObjective::MeanPValue { .. }));
    let want = AssemblyOptions {
        objective: Objective::MeanPValue { target: Some(0.55) },
        ..AssemblyOptions::default()
    };
    let a = assemble(&bank, &blueprint, &want, 1).unwrap();
    let c = coverage(&a.forms[0], &bank, &blueprint, &[]);
    assert!((c.mean_p_value.unwrap() - 0.55).abs() < 0.005);
    let spec = SyntheticSpec {
        irt: false,
        ctt: false,
        target_scale: None,
        ..small_spec()
    };
    let (bank, blueprint) = synthetic_bank(&spec, 5).unwrap();
    let a = assemble(&bank, &blueprint, &AssemblyOptions::default(), 1).unwrap();
    assert_eq!(a.objective, ResolvedObjective::Random);
    assert_eq!(a.max_deviation(), None);
    assert!(coverage(&a.forms[0], &bank, &blueprint, &[]).meets_blueprint());
    // IRT objectives on an uncalibrated bank say which item lacks parameters.
    let want = AssemblyOptions {
        objective: Objective::Parallel { thetas: vec![0.0] },
        ..AssemblyOptions::default()
    };
    assert!(matches!(
        assemble(&bank, &blueprint, &want, 1),
        Err(AssemblyError::MissingIrt { .. })
    ));
}

#[test]
fn most_information_at_the_cut_beats_random_forms() {
    let (bank, blueprint) = synthetic_bank(&small_spec(), 6).unwrap();
    let blueprint = edited(&bank, blueprint, |b| {
        b.passing.theta_cut = Some(0.5);
        b.irt_targets = None;
    });
    let a = assemble(&bank, &blueprint, &AssemblyOptions::default(), 1).unwrap();
    let ResolvedObjective::MaxInformationAtCut { bound, .. } = a.objective else {
        panic!("expected the cut objective, got {:?}", a.objective);
    };
    let at_cut = coverage(&a.forms[0], &bank, &blueprint, &[])
        .cut
        .unwrap()
        .information;
    let random = AssemblyOptions {
        objective: Objective::Random,
        ..AssemblyOptions::default()
    };
    let r = assemble(&bank, &blueprint, &random, 1).unwrap();
    let random_at_cut = coverage(&r.forms[0], &bank, &blueprint, &[])
        .cut
        .unwrap()
        .information;
    assert!(at_cut > random_at_cut);
    assert!(at_cut <= bound + 1e-9);
    // The bound is the best items of each cell, ignoring sets, enemies and
    // the time limit: the form comes within 10% of it.
    assert!(bound - at_cut < 0.1 * bound, "{at_cut} vs bound {bound}");
}

#[test]
fn parallel_forms_agree_in_information_and_expected_score() {
    let spec = SyntheticSpec {
        items: 1000,
        ..SyntheticSpec::default()
    };
    let (bank, blueprint) = synthetic_bank(&spec, 8).unwrap();
    let blueprint = edited(&bank, blueprint, |b| b.irt_targets = None);
    let options = AssemblyOptions {
        forms: 2,
        max_overlap: Some(MaxOverlap::Items(6)),
        ..AssemblyOptions::default()
    };
    let a = assemble(&bank, &blueprint, &options, 2).unwrap();
    assert!(matches!(a.objective, ResolvedObjective::Parallel { .. }));
    let curves: Vec<Vec<(f64, f64)>> = a
        .forms
        .iter()
        .map(|f| {
            coverage(f, &bank, &blueprint, &[])
                .theta_points
                .iter()
                .map(|p| (p.information, p.expected_score))
                .collect()
        })
        .collect();
    for x in &curves {
        for y in &curves {
            for (p, q) in x.iter().zip(y) {
                // Measured: at most 0.023 apart (information 11-13, score 18-42).
                assert!(
                    (p.0 - q.0).abs() < 0.05 && (p.1 - q.1).abs() < 0.05,
                    "{p:?} vs {q:?}"
                );
            }
        }
    }
}

#[test]
fn delivery_view_hides_keys_and_scoring_key_maps_options() {
    let (bank, blueprint) = synthetic_bank(&small_spec(), 9).unwrap();
    let a = assemble(&bank, &blueprint, &AssemblyOptions::default(), 3).unwrap();
    let form = &a.forms[0];
    let handles = crate::attempt::HandleKey::new([3; 16]);
    let view = form
        .delivery_view(&bank, blueprint.time_limit_minutes, &handles)
        .unwrap();
    let key = form.scoring_key(&bank).unwrap();
    let json = serde_json::to_string(&view).unwrap();
    for leak in [
        "key",
        "rationale",
        "why ",
        "p_value",
        "pretest",
        "scored",
        "\"a\"",
        "weight",
    ] {
        assert!(!json.contains(leak), "delivery view leaks {leak}");
    }
    assert_eq!(view.items.len(), key.entries.len());
    for ((item, entry), slot) in view.items.iter().zip(&key.entries).zip(&form.slots) {
        assert_eq!(item.handle, handles.item(&form.id, &entry.item));
        assert!(
            !json.contains(entry.item.as_str()),
            "delivery view names {}",
            entry.item
        );
        let ids: Vec<_> = item.options.iter().map(|o| o.id.clone()).collect();
        assert_eq!(ids, slot.option_order.to_vec());
        let bank_item = bank.item(&entry.item).unwrap();
        assert_eq!(
            entry.key,
            crate::form::AnswerKey::of(&bank_item.interaction)
        );
        let weight = if entry.role == SlotRole::Scored {
            1.0
        } else {
            0.0
        };
        assert!((entry.weight - weight).abs() < 1e-15);
    }
    assert_eq!(
        key.entries
            .iter()
            .filter(|e| e.role == SlotRole::Pretest)
            .count(),
        2
    );
    // A form built from another version of an item is refused.
    let mut stale = form.clone();
    stale.slots[0].version += 1;
    assert!(matches!(
        stale.delivery_view(&bank, 30, &handles),
        Err(crate::form::FormError::VersionMismatch { .. })
    ));
    let mut bad = form.clone();
    let mut short = bad.slots[0].option_order.to_vec();
    short.pop();
    bad.slots[0].option_order = short.into();
    assert!(matches!(
        bad.scoring_key(&bank),
        Err(crate::form::FormError::BadOptionOrder { .. })
    ));
}

#[test]
fn forms_views_and_keys_round_trip_through_json() {
    let (bank, blueprint) = synthetic_bank(&small_spec(), 13).unwrap();
    let a = assemble(&bank, &blueprint, &AssemblyOptions::default(), 3).unwrap();
    let form = &a.forms[0];
    let back: Form = serde_json::from_str(&serde_json::to_string(form).unwrap()).unwrap();
    assert_eq!(&back, form);
    let view = form
        .delivery_view(&bank, 30, &crate::attempt::HandleKey::new([1; 16]))
        .unwrap();
    let back: crate::form::DeliveryView =
        serde_json::from_str(&serde_json::to_string(&view).unwrap()).unwrap();
    assert_eq!(back, view);
    let key = form.scoring_key(&bank).unwrap();
    let back: crate::form::ScoringKey =
        serde_json::from_str(&serde_json::to_string(&key).unwrap()).unwrap();
    assert_eq!(back, key);
    let too_many = AssemblyOptions {
        forms: 70_000,
        ..AssemblyOptions::default()
    };
    assert_eq!(
        assemble(&bank, &blueprint, &too_many, 1),
        Err(AssemblyError::TooManyForms(70_000))
    );
}

#[test]
fn option_orders_vary_across_forms() {
    let (bank, blueprint) = synthetic_bank(&small_spec(), 10).unwrap();
    let options = AssemblyOptions {
        forms: 3,
        ..AssemblyOptions::default()
    };
    let a = assemble(&bank, &blueprint, &options, 3).unwrap();
    let shuffled = a
        .forms
        .iter()
        .flat_map(|f| &f.slots)
        .filter(|s| {
            let item = bank.item(&s.item).unwrap();
            s.option_order
                .iter()
                .ne(item.interaction.options().iter().map(|c| &c.id))
        })
        .count();
    assert!(shuffled > 0);
}

/// Published forms: `n` forms of `blueprint` from `bank`, as published.
fn publish(bank: &ItemBank, blueprint: &CheckedBlueprint, n: u32, seed: u64) -> Vec<PublishedForm> {
    let options = AssemblyOptions {
        forms: n,
        max_overlap: Some(MaxOverlap::Items(4)),
        ..AssemblyOptions::default()
    };
    let a = assemble(bank, blueprint, &options, seed).unwrap();
    a.forms.iter().map(PublishedForm::from).collect()
}

/// The most items any of `forms` shares with any published form.
fn published_overlap(forms: &[Form], published: &[PublishedForm]) -> usize {
    forms
        .iter()
        .flat_map(|f| {
            published
                .iter()
                .map(move |p| f.slots.iter().filter(|s| p.items.contains(&s.item)).count())
        })
        .max()
        .unwrap_or(0)
}

#[test]
fn new_forms_keep_the_overlap_and_uses_limits_against_published_forms() {
    let (bank, blueprint) = synthetic_bank(&small_spec(), 21).unwrap();
    let published = publish(&bank, &blueprint, 3, 1);
    let options = AssemblyOptions {
        forms: 3,
        max_overlap: Some(MaxOverlap::Items(3)),
        published: published.clone(),
        max_overlap_published: Some(1),
        ..AssemblyOptions::default()
    };
    let a = assemble(&bank, &blueprint, &options, 2).unwrap();
    assert_eq!(breaches(&bank, &blueprint, &a.forms, 3, 3), None);
    assert!(published_overlap(&a.forms, &published) <= 1);
    // Many published forms over a small bank: the limit binds.
    let (bank, blueprint) = synthetic_bank(
        &SyntheticSpec {
            items: 120,
            ..small_spec()
        },
        21,
    )
    .unwrap();
    let many = publish(&bank, &blueprint, 8, 3);
    let limited = AssemblyOptions {
        forms: 2,
        max_overlap: Some(MaxOverlap::Items(6)),
        published: many.clone(),
        max_overlap_published: Some(3),
        ..AssemblyOptions::default()
    };
    let free = AssemblyOptions {
        max_overlap_published: None,
        ..limited.clone()
    };
    let b = assemble(&bank, &blueprint, &free, 2).unwrap();
    assert!(published_overlap(&b.forms, &many) > 3);
    let b = assemble(&bank, &blueprint, &limited, 2).unwrap();
    assert!(published_overlap(&b.forms, &many) <= 3);
    assert_eq!(breaches(&bank, &blueprint, &b.forms, 6, 2), None);
    let (bank, blueprint) = synthetic_bank(&small_spec(), 21).unwrap();
    // Each item on at most one form: a published item is used up.
    let once = AssemblyOptions {
        max_item_uses: Some(1),
        max_overlap_published: None,
        ..options.clone()
    };
    let c = assemble(&bank, &blueprint, &once, 2).unwrap();
    assert_eq!(published_overlap(&c.forms, &published), 0);
    assert_eq!(breaches(&bank, &blueprint, &c.forms, 3, 1), None);
    // A published form naming an unknown item is refused, not ignored.
    let mut unknown = options.clone();
    unknown.published[0].items.push(ItemId::new("nowhere"));
    assert!(matches!(
        assemble(&bank, &blueprint, &unknown, 2),
        Err(AssemblyError::UnknownPublishedItem { .. })
    ));
}

#[test]
fn ranges_let_forms_differ_in_mix_and_supply_more_forms() {
    // Few items per cell: exact counts cannot supply 9 disjoint forms, a
    // fixed count per domain with at least one item of each level can.
    let spec = SyntheticSpec {
        items: 150,
        domains: 2,
        scored_items: 10,
        pretest_items: 0,
        set_share: 0.0,
        time_limit_minutes: 30,
        ..SyntheticSpec::default()
    };
    let (bank, exact) = synthetic_bank(&spec, 4).unwrap();
    let options = AssemblyOptions {
        forms: 9,
        max_overlap: Some(MaxOverlap::Items(0)),
        ..AssemblyOptions::default()
    };
    let err = assemble(&bank, &exact, &options, 1).err();
    assert!(
        matches!(
            err,
            Some(AssemblyError::Short {
                scope: Scope::Cell { .. },
                ..
            })
        ),
        "{err:?}"
    );
    let (_, ranged) = synthetic_bank(
        &SyntheticSpec {
            level_minimum: Some(1),
            ..spec
        },
        4,
    )
    .unwrap();
    let a = assemble(&bank, &ranged, &options, 1).unwrap();
    assert_eq!(breaches(&bank, &ranged, &a.forms, 0, 9), None);
    for form in &a.forms {
        let c = coverage(form, &bank, &ranged, &a.forms);
        assert!(c.meets_blueprint(), "{:?}", c.problems);
    }
    let mixes: BTreeSet<Vec<u32>> = a
        .forms
        .iter()
        .map(|f| {
            coverage(f, &bank, &ranged, &[])
                .cells
                .iter()
                .map(|c| c.actual)
                .collect()
        })
        .collect();
    assert!(mixes.len() > 1, "every form has the same mix");
    // With a mix limit of 0 every form has the same mix; coverage flags the
    // differing forms above against that limit.
    let same = edited(&bank, ranged.clone(), |b| b.max_mix_difference = Some(0));
    let b = assemble(&bank, &same, &options, 1).unwrap();
    let cells = |f: &Form| -> Vec<u32> {
        coverage(f, &bank, &same, &[])
            .cells
            .iter()
            .map(|c| c.actual)
            .collect()
    };
    assert!(b.forms.iter().all(|f| cells(f) == cells(&b.forms[0])));
    for form in &b.forms {
        assert!(coverage(form, &bank, &same, &b.forms).meets_blueprint());
    }
    let flagged = a.forms.iter().any(|f| {
        coverage(f, &bank, &same, &a.forms)
            .problems
            .iter()
            .any(|p| matches!(p, crate::coverage::CoverageProblem::MixDifference { .. }))
    });
    assert!(flagged);
}

#[test]
fn attribute_constraints_hold_and_infeasible_ones_are_named() {
    let (bank, blueprint) = synthetic_bank(&small_spec(), 22).unwrap();
    let count = |min, max| crate::blueprint::Count::range(min, max).unwrap();
    let blueprint = edited(&bank, blueprint, |b| {
        b.phases.insert(LifecyclePhase::Design, count(4, None));
        b.kinds.insert(ItemKind::Ordering, count(0, Some(0)));
        b.kinds.insert(ItemKind::Matching, count(2, Some(3)));
    });
    let options = AssemblyOptions {
        forms: 3,
        max_overlap: Some(MaxOverlap::Items(4)),
        ..AssemblyOptions::default()
    };
    let a = assemble(&bank, &blueprint, &options, 1).unwrap();
    assert_eq!(breaches(&bank, &blueprint, &a.forms, 4, 3), None);
    for form in &a.forms {
        assert!(coverage(form, &bank, &blueprint, &a.forms).meets_blueprint());
    }
    // More design items than a form has scored slots in exact cells of
    // other phases can give: named by the phase.
    let blueprint = edited(&bank, blueprint, |b| {
        b.phases.insert(LifecyclePhase::Design, count(13, None));
    });
    let err = assemble(&bank, &blueprint, &options, 1).unwrap_err();
    assert!(
        matches!(
            &err,
            AssemblyError::MixShort {
                scope: Scope::Phase {
                    phase: LifecyclePhase::Design
                },
                min: 13,
                ..
            }
        ),
        "{err}"
    );
    assert!(
        err.to_string().contains("phase design needs at least 13"),
        "{err}"
    );
    // A kind the bank has too few items of, in any mix.
    let blueprint = edited(&bank, blueprint, |b| {
        b.phases.clear();
        b.kinds.insert(ItemKind::Matching, count(500, None));
    });
    let err = assemble(&bank, &blueprint, &options, 1).unwrap_err();
    assert!(
        matches!(
            &err,
            AssemblyError::ContentShort {
                scope: Scope::ItemKind {
                    item_kind: ItemKind::Matching
                },
                min: 500,
                ..
            }
        ),
        "{err}"
    );
}

/// The most items a form of `a` shares with a form of `b`.
fn most_shared(a: &[Form], b: &[Form]) -> usize {
    a.iter()
        .flat_map(|f| {
            let ids: BTreeSet<_> = f.slots.iter().map(|s| &s.item).collect();
            b.iter()
                .map(move |g| g.slots.iter().filter(|s| ids.contains(&s.item)).count())
        })
        .max()
        .unwrap_or(0)
}

#[test]
fn other_seeds_give_other_near_optimal_forms_without_needless_repeats() {
    let spec = SyntheticSpec {
        items: 1000,
        ..SyntheticSpec::default()
    };
    let (bank, blueprint) = synthetic_bank(&spec, 31).unwrap();
    let options = AssemblyOptions {
        forms: 3,
        max_overlap: Some(MaxOverlap::Items(6)),
        max_item_uses: Some(3),
        ..AssemblyOptions::default()
    };
    let runs: Vec<Assembly> = (1..=3)
        .map(|seed| assemble(&bank, &blueprint, &options, seed).unwrap())
        .collect();
    for (i, a) in runs.iter().enumerate() {
        assert!(
            a.max_deviation().unwrap() <= 0.01,
            "{:?}",
            a.max_deviation()
        );
        assert_eq!(breaches(&bank, &blueprint, &a.forms, 6, 3), None);
        // The bank allows nearly disjoint forms near the target: the limits
        // would allow 18 repeats (6 per pair), the secondary objective
        // keeps them to half of that (measured: 8 with seed 1).
        let e = crate::coverage::exposure(&a.forms);
        assert!(e.distinct_items >= 171, "{e:?}");
        for b in &runs[i + 1..] {
            // Two seeds share at most half of any form's 60 items.
            let shared = most_shared(&a.forms, &b.forms);
            assert!(shared <= 30, "{shared}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    /// Many forms from a bank with room to spare (each cell has at least
    /// twice the distinct items the limits require): the exposure plan and
    /// the repair complete every form (no `Stuck`), every form meets every
    /// hard constraint, the pairwise overlap limit holds exactly, and the
    /// construction gave no item more uses than its plan allows unless the
    /// limits did (the largest exposure stays within the use limit).
    #[test]
    fn many_forms_with_room_are_all_built_within_every_limit(
        bank_seed in 0u64..1000,
        seed in 0u64..1000,
        forms in 20u32..60,
        max_shared in 1u32..4,
        max_uses in 2u32..6,
        level_minimum in prop::option::of(0u32..2),
    ) {
        let spec = SyntheticSpec {
            items: 900,
            domains: 3,
            scored_items: 9,
            pretest_items: 1,
            time_limit_minutes: 30,
            level_minimum,
            ..SyntheticSpec::default()
        };
        let (bank, blueprint) = synthetic_bank(&spec, bank_seed).unwrap();
        let options = limits(forms, max_shared, max_uses);
        let pool = pool::Pool::build(&bank, &blueprint, &options.objective, &pool::Limits {
            capacity: max_uses,
            exposure: None,
            item_caps: None,
        }).unwrap();
        let needs = mix::choose(&pool, forms as usize, max_uses, false, seed).unwrap();
        let slack = (0..pool.kinds()).all(|k| {
            let total: u32 = needs.iter().map(|n| n[k]).sum();
            let per_form = needs.iter().map(|n| n[k]).max().unwrap_or(0);
            pool.usable[k] >= 2 * feasibility::min_distinct(forms, per_form, max_uses, max_shared)
                .max(total.div_ceil(max_uses))
        });
        prop_assume!(slack);
        let assembly = assemble(&bank, &blueprint, &options, seed).unwrap();
        prop_assert_eq!(assembly.forms.len(), forms as usize);
        prop_assert_eq!(breaches(&bank, &blueprint, &assembly.forms, max_shared, max_uses), None);
        let exposure = crate::coverage::exposure(&assembly.forms);
        prop_assert!(exposure.max_exposure <= max_uses);
    }

    /// Tight instances (the forms need most of the bank's uses and of the
    /// overlap budget), where picks are forced past the overlap limit and
    /// repaired: whatever comes back meets every hard constraint by the
    /// independent checker, or is an explained failure.
    #[test]
    fn tight_instances_give_checked_forms_or_an_explanation(
        bank_seed in 0u64..1000,
        seed in 0u64..1000,
        forms in 8u32..24,
        max_shared in 1u32..4,
        max_uses in 2u32..4,
        level_minimum in prop::option::of(0u32..2),
    ) {
        let spec = SyntheticSpec {
            items: 120,
            domains: 3,
            scored_items: 9,
            pretest_items: 0,
            pretest_share: 0.0,
            time_limit_minutes: 20,
            level_minimum,
            ..SyntheticSpec::default()
        };
        let (bank, blueprint) = synthetic_bank(&spec, bank_seed).unwrap();
        let options = limits(forms, max_shared, max_uses);
        match assemble(&bank, &blueprint, &options, seed) {
            Ok(a) => {
                prop_assert_eq!(a.forms.len(), forms as usize);
                prop_assert_eq!(breaches(&bank, &blueprint, &a.forms, max_shared, max_uses), None);
            }
            Err(e) => prop_assert!(
                matches!(
                    e,
                    AssemblyError::Short { .. }
                        | AssemblyError::OverlapShort { .. }
                        | AssemblyError::TimeShort { .. }
                        | AssemblyError::TimeBudgetShort { .. }
                        | AssemblyError::ContentShort { .. }
                        | AssemblyError::MixShort { .. }
                        | AssemblyError::Stuck { .. }
                        | AssemblyError::OverlapUnresolved { .. }
                ),
                "{e}"
            ),
        }
    }

    /// The exposure plan covers the demand of every slot kind (the planned
    /// uses of its items add up to at least what the forms need) and never
    /// exceeds a unit's capacity.
    #[test]
    fn exposure_plan_covers_the_demand_within_capacity(
        bank_seed in 0u64..1000,
        forms in 1u32..200,
        max_uses in 1u32..10,
        level_minimum in prop::option::of(0u32..2),
    ) {
        let spec = SyntheticSpec {
            items: 600,
            domains: 3,
            scored_items: 9,
            pretest_items: 1,
            level_minimum,
            ..SyntheticSpec::default()
        };
        let (bank, blueprint) = synthetic_bank(&spec, bank_seed).unwrap();
        let pool = pool::Pool::build(&bank, &blueprint, &Objective::Auto, &pool::Limits {
            capacity: max_uses,
            exposure: None,
            item_caps: None,
        }).unwrap();
        let needs = mix::choose(&pool, forms as usize, max_uses, false, bank_seed).unwrap();
        let published = search::Published { shares: vec![Vec::new(); pool.units.len()], forms: 0, max_shared: u32::MAX };
        let plan = search::exposure_plan(&pool, &needs, &published);
        for (unit, &p) in pool.units.iter().zip(&plan) {
            prop_assert!(p >= 1 && p <= unit.capacity);
        }
        for k in 0..pool.kinds() {
            let demand: u64 = needs.iter().map(|n| u64::from(n[k])).sum();
            let supply: u64 = pool.units.iter().zip(&plan)
                .map(|(u, &p)| u64::from(pool.shapes[u.shape][k]) * u64::from(p))
                .sum();
            let capacity: u64 = pool.units.iter()
                .map(|u| u64::from(pool.shapes[u.shape][k]) * u64::from(u.capacity))
                .sum();
            prop_assert!(supply >= demand.min(capacity), "kind {}: {} < {}", k, supply, demand);
        }
    }
}

/// The 500-item instance of issue 17 in van der Linden's formulation (all
/// items operational, 60-item forms over 8 domains with a fixed count per
/// domain and at least 2 items of each level in it, testlets, enemies, the
/// time limit, an absolute information target at θ = −1, 0, 1; at most 6
/// items shared by two forms, each item on at most 3 forms): 20 forms use
/// about 90% of the bank's uses and of the overlap budget. The greedy alone
/// got stuck; forced picks, ejections and the overlap repair complete it,
/// and the independent checker confirms every constraint.
#[test]
fn tight_instance_of_twenty_forms_from_five_hundred_items_is_solved() {
    let spec = SyntheticSpec {
        items: 500,
        pretest_share: 0.0,
        level_minimum: Some(2),
        ..SyntheticSpec::default()
    };
    let (bank, blueprint) = synthetic_bank(&spec, 7).unwrap();
    let options = limits(20, 6, 3);
    // By hand: 20 x 60 = 1,200 slots from 500 items of at most 3 uses.
    let operational = bank
        .items()
        .iter()
        .filter(|i| i.status == ItemStatus::Operational)
        .count();
    assert!(20 * 60 > 2 * operational && 20 * 60 <= 3 * operational);
    for seed in [1, 2] {
        let a = assemble(&bank, &blueprint, &options, seed).unwrap();
        assert_eq!(a.forms.len(), 20);
        assert_eq!(breaches(&bank, &blueprint, &a.forms, 6, 3), None);
        for form in &a.forms {
            let c = coverage(form, &bank, &blueprint, &a.forms);
            assert!(
                c.meets_blueprint() && c.max_overlap() <= 6,
                "{:?}",
                c.problems
            );
        }
        let deviation = a.max_deviation().unwrap();
        assert!(deviation.is_finite() && deviation >= 0.0);
    }
}

/// The same instance from the benchmark's default bank, where 10% of the
/// items are pretest items and cannot fill scored slots: domain d7 has too
/// few operational advanced items for 2 on each of 20 forms at 3 uses per
/// item, and the counting check says so.
#[test]
fn level_minimums_the_bank_cannot_supply_are_proved_infeasible() {
    let spec = SyntheticSpec {
        items: 500,
        level_minimum: Some(2),
        ..SyntheticSpec::default()
    };
    let (bank, blueprint) = synthetic_bank(&spec, 7).unwrap();
    // By hand from the bank: 2 per form x 20 forms = 40 slots, and each
    // operational d7 advanced item fills at most 3 of them.
    let supply = bank
        .items()
        .iter()
        .filter(|i| i.status == ItemStatus::Operational)
        .filter(|i| i.domain.as_str() == "d7" && i.level == CompetencyLevel::Advanced)
        .count();
    assert!(3 * supply < 40, "{supply}");
    let options = limits(20, 6, 3);
    match assemble(&bank, &blueprint, &options, 1) {
        Err(AssemblyError::Short {
            scope: Scope::Cell { domain, level },
            needed: 14,
            usable,
            ..
        }) => {
            assert_eq!((domain.as_str(), level), ("d7", CompetencyLevel::Advanced));
            assert!(usable as usize <= supply);
        }
        other => panic!("{other:?}"),
    }
}

/// Options for `forms` forms with at most `max_shared` items shared by two
/// forms and `max_uses` forms per item.
fn limits(forms: u32, max_shared: u32, max_uses: u32) -> AssemblyOptions {
    AssemblyOptions {
        forms,
        max_overlap: Some(MaxOverlap::Items(max_shared)),
        max_item_uses: Some(max_uses),
        ..AssemblyOptions::default()
    }
}

/// A case the property test found (bank seed 945): four domains of one
/// intermediate item each, at least one Design item, at most one Ordering
/// item. Every Design item of d0/intermediate belongs to a set of three
/// d0/intermediate items (of three phases, so three slot kinds of one
/// each), which the cell's one slot cannot hold; stand-alone Design items
/// wait in other domains' cells.
fn design_in_sets_instance() -> (ItemBank, CheckedBlueprint) {
    let spec = SyntheticSpec {
        items: 240,
        domains: 4,
        scored_items: 4,
        pretest_items: 0,
        set_share: 0.24165417571324616,
        enemy_share: 0.0,
        time_limit_minutes: 8,
        level_minimum: None,
        ..SyntheticSpec::default()
    };
    let (bank, blueprint) = synthetic_bank(&spec, 945).unwrap();
    let blueprint = edited(&bank, blueprint, |b| {
        let at_most_one = crate::blueprint::Count::range(0, Some(1)).unwrap();
        b.kinds.insert(ItemKind::Ordering, at_most_one);
        let at_least_one = crate::blueprint::Count::range(1, None).unwrap();
        b.phases.insert(LifecyclePhase::Design, at_least_one);
    });
    (bank, blueprint)
}

/// The instance above is solved: the mix counts only items in units a form
/// can hold, so it puts the Design slot where a stand-alone Design item is
/// (and the exchange of slots between cells would repair it otherwise).
#[test]
fn design_slot_goes_to_a_cell_with_a_stand_alone_design_item() {
    let (bank, blueprint) = design_in_sets_instance();
    // The situation described above, read from the bank.
    let standalone_design = |domain: &str| {
        bank.items().iter().any(|i| {
            i.set.is_none()
                && i.status == ItemStatus::Operational
                && i.phase == LifecyclePhase::Design
                && i.level == CompetencyLevel::Intermediate
                && i.domain.as_str() == domain
        })
    };
    assert!(!standalone_design("d0"));
    assert!(["d1", "d2", "d3"].into_iter().any(standalone_design));
    let a = assemble(&bank, &blueprint, &limits(1, 2, 1), 0).unwrap();
    assert_eq!(a.forms.len(), 1);
    assert_eq!(breaches(&bank, &blueprint, &a.forms, 2, 1), None);
    let c = coverage(&a.forms[0], &bank, &blueprint, &a.forms);
    assert!(c.meets_blueprint(), "{:?}", c.problems);
}

/// No unit of the pool holds more items of a content constraint than the
/// constraint's maximum: the d0/intermediate sets of three above are left
/// out (and their items are not counted as usable), though each of their
/// slot kinds alone may hold one item.
#[test]
fn sets_a_cell_cannot_hold_are_not_usable() {
    let (bank, blueprint) = design_in_sets_instance();
    let in_d0_intermediate =
        |i: &Item| i.domain.as_str() == "d0" && i.level == CompetencyLevel::Intermediate;
    // By hand from the bank: some set has all three items in d0/intermediate.
    let mut per_set: HashMap<&SetId, usize> = HashMap::new();
    for item in bank.items().iter().filter(|i| in_d0_intermediate(i)) {
        if let Some(set) = &item.set {
            *per_set.entry(set).or_default() += 1;
        }
    }
    assert!(per_set.values().any(|&n| n == 3), "{per_set:?}");
    let limits = pool::Limits {
        capacity: 1,
        exposure: None,
        item_caps: None,
    };
    let pool = pool::Pool::build(&bank, &blueprint, &Objective::Auto, &limits).unwrap();
    for unit in &pool.units {
        let shape = &pool.shapes[unit.shape];
        for bound in &pool.bounds {
            let items: u32 = bound.kinds.iter().map(|&k| shape[k]).sum();
            assert!(items <= bound.max, "{:?} {:?}", unit.set, bound.scope);
        }
    }
    let d0_intermediate = pool
        .bounds
        .iter()
        .find(|b| {
            b.scope
                == Scope::Cell {
                    domain: crate::ids::DomainId::new("d0"),
                    level: CompetencyLevel::Intermediate,
                }
        })
        .unwrap();
    let usable: u32 = d0_intermediate.kinds.iter().map(|&k| pool.usable[k]).sum();
    let standalone = bank
        .items()
        .iter()
        .filter(|i| i.set.is_none() && i.status == ItemStatus::Operational)
        .filter(|i| in_d0_intermediate(i))
        .count();
    assert_eq!(usable as usize, standalone);
}

/// Two domains of one intermediate item each, at least one Design item, an
/// 8-minute limit; ten items: d0 has three Design items (0-2) and three
/// Discovery items (3-5), d1 one Design item (6) and three Discovery items
/// (7-9), each of 60 s and without enemies; then `edit` on the items.
fn design_in_two_domains(edit: impl FnOnce(&mut [Item])) -> (ItemBank, CheckedBlueprint) {
    let spec = SyntheticSpec {
        items: 10,
        domains: 2,
        scored_items: 2,
        pretest_share: 0.0,
        set_share: 0.0,
        enemy_share: 0.0,
        time_limit_minutes: 8,
        ..SyntheticSpec::default()
    };
    let (bank, blueprint) = synthetic_bank(&spec, 1).unwrap();
    let mut items: Vec<Item> = bank.items().to_vec();
    for (n, item) in items.iter_mut().enumerate() {
        let domain = if n < 6 { "d0" } else { "d1" };
        item.domain = crate::ids::DomainId::new(domain);
        item.task = crate::ids::TaskId::new(format!("T-{domain}"));
        item.level = CompetencyLevel::Intermediate;
        item.phase = match n {
            0..3 | 6 => LifecyclePhase::Design,
            _ => LifecyclePhase::Discovery,
        };
        item.enemies.clear();
        item.expected_seconds = Some(60);
    }
    edit(&mut items);
    let bank = ItemBank::new(bank.jta().clone(), bank.sets().to_vec(), items).unwrap();
    let blueprint = edited(&bank, blueprint, |b| {
        for d in &mut b.domains {
            d.levels = crate::blueprint::LevelCounts::exact(0, 1, 0);
        }
        let at_least_one = crate::blueprint::Count::range(1, None).unwrap();
        b.phases.insert(LifecyclePhase::Design, at_least_one);
    });
    (bank, blueprint)
}

/// Asserts that seeds 0-3 each give a form of d1's Design item and a d0
/// Discovery item, meeting every hard constraint.
fn assert_d1_design_and_d0_discovery(bank: &ItemBank, blueprint: &CheckedBlueprint) {
    let ids: Vec<&str> = bank.items().iter().map(|i| i.id.as_str()).collect();
    for seed in 0..4 {
        let a = assemble(bank, blueprint, &limits(1, 2, 1), seed).unwrap();
        let form: BTreeSet<&str> = a.forms[0].slots.iter().map(|s| s.item.as_str()).collect();
        assert!(form.contains(ids[6]), "{form:?}");
        assert!(ids[3..6].iter().any(|i| form.contains(i)), "{form:?}");
        assert_eq!(breaches(bank, blueprint, &a.forms, 2, 1), None);
        let c = coverage(&a.forms[0], bank, blueprint, &a.forms);
        assert!(c.meets_blueprint(), "{:?}", c.problems);
    }
}

/// The exchange of two slots between cells, by hand: in
/// [`design_in_two_domains`], every d0 Design item is an enemy of every d1
/// item. The mix puts the Design slot on d0 (three items against one), but
/// the only forms are d1's Design item with a d0 Discovery item: the Design
/// slot must move to d1 and d1's slot back to d0 as Discovery, which no
/// single move of one slot (cells are exact) nor forcing an item in
/// (enemies stay hard) can do.
#[test]
fn design_slot_and_a_cell_slot_change_places_when_enemies_block_the_mix() {
    let (bank, blueprint) = design_in_two_domains(|items| {
        let ids: Vec<ItemId> = items.iter().map(|i| i.id.clone()).collect();
        for (n, item) in items.iter_mut().enumerate() {
            item.enemies = match n {
                0..3 => ids[6..].to_vec(),
                6.. => ids[..3].to_vec(),
                _ => Vec::new(),
            };
        }
    });
    assert_d1_design_and_d0_discovery(&bank, &blueprint);
}

/// A slow chosen mix proves nothing: in [`design_in_two_domains`], d0's
/// Design items take 450 s each and every other item 60 s. The mix puts the
/// Design slot on d0, which needs 510 s of the 480; the form of d1's Design
/// item and a d0 Discovery item takes 120 s. The time check must not call
/// the request infeasible, and the assembler must move the Design slot.
#[test]
fn a_slow_mix_is_no_proof_that_the_time_limit_cannot_be_met() {
    let slow = |items: &mut [Item], which: &[usize]| {
        for &n in which {
            items[n].expected_seconds = Some(450);
        }
    };
    let (bank, blueprint) = design_in_two_domains(|items| slow(items, &[0, 1, 2]));
    assert_d1_design_and_d0_discovery(&bank, &blueprint);
    // With d1's Design item as slow, no form fits (450 s + 60 s). The
    // counting bound keeps only the cells' ranges (every Design item could
    // be avoided there), so the search is what reports it.
    let (bank, blueprint) = design_in_two_domains(|items| slow(items, &[0, 1, 2, 6]));
    assert!(assemble(&bank, &blueprint, &limits(1, 2, 1), 0).is_err());
}

/// A phase minimum that the forms together cannot meet is named, whatever
/// mixes the assembler would choose: in [`design_in_two_domains`] with item
/// 2 turned Discovery, three Design items remain; four forms of at least
/// one Design item each, every item on at most one form, need four (by
/// hand). Each cell could supply its four slots (d0 six items, d1 four).
#[test]
fn a_phase_minimum_all_forms_cannot_meet_is_proved_infeasible() {
    let (bank, blueprint) =
        design_in_two_domains(|items| items[2].phase = LifecyclePhase::Discovery);
    match assemble(&bank, &blueprint, &limits(4, 2, 1), 0) {
        Err(AssemblyError::Short {
            scope: Scope::Phase { phase },
            forms: 4,
            per_form: 1,
            needed: 4,
            available: 3,
            usable: 3,
            ..
        }) => assert_eq!(phase, LifecyclePhase::Design),
        other => panic!("{other:?}"),
    }
    // Three forms fit: one Design item each.
    let a = assemble(&bank, &blueprint, &limits(3, 2, 1), 0).unwrap();
    assert_eq!(breaches(&bank, &blueprint, &a.forms, 2, 1), None);
}
