//! LOFT checked from the outside: the bank's own parameters and ids, not the
//! plan's compiled pool.

use super::*;
use crate::assembly::synthetic::{SyntheticSpec, synthetic_bank};
use crate::assembly::tests::breaches;
use crate::bank::Location;
use crate::error::ApiError;
use crate::form::SlotRole;
use std::collections::BTreeSet;

fn plan(spec: &SyntheticSpec, seed: u64, options: &LoftOptions) -> LoftPlan {
    let (bank, blueprint) = synthetic_bank(spec, seed).unwrap();
    LoftPlan::new(
        Arc::new(bank),
        Arc::new(blueprint),
        options,
        HandleKey::new([5; 16]),
    )
    .unwrap()
}

fn small() -> SyntheticSpec {
    SyntheticSpec {
        items: 400,
        scored_items: 12,
        pretest_items: 2,
        domains: 3,
        time_limit_minutes: 40,
        ..SyntheticSpec::default()
    }
}

/// Test information of a form's scored items at `theta`, from the bank.
fn information(bank: &ItemBank, form: &Form, theta: f64) -> f64 {
    form.slots
        .iter()
        .filter(|s| s.role == SlotRole::Scored)
        .map(|s| {
            let irt = bank.item(&s.item).unwrap().stats.irt.as_ref().unwrap();
            irt.params().unwrap().information(theta)
        })
        .sum()
}

fn overlap(a: &Form, b: &Form) -> usize {
    let ids: BTreeSet<_> = a.slots.iter().map(|s| &s.item).collect();
    b.slots.iter().filter(|s| ids.contains(&s.item)).count()
}

#[test]
fn exposure_stays_within_the_soft_cap_where_the_bank_allows() {
    let options = LoftOptions {
        max_exposure_rate: 0.25,
        ..LoftOptions::default()
    };
    let plan = plan(&small(), 12, &options);
    let mut state = ExposureState::default();
    let mut forms = Vec::new();
    for seed in 0..40 {
        let attempt = plan.attempt(&state, seed).unwrap();
        assert_eq!(attempt.quality.over_exposed, 0);
        assert_eq!(
            breaches(
                plan.bank(),
                plan.blueprint(),
                std::slice::from_ref(&attempt.form),
                100,
                100
            ),
            None
        );
        state.record(&attempt.form);
        let n = state.forms_delivered as f64;
        let cap = (0.25 * n).max(1.0);
        assert!(
            state.items().all(|(_, u)| u as f64 <= cap + 1e-9),
            "after {n} forms"
        );
        forms.push(attempt.form);
    }
    // The state round-trips through JSON and gives the same next form.
    let back: ExposureState =
        serde_json::from_str(&serde_json::to_string(&state).unwrap()).unwrap();
    assert_eq!(
        plan.attempt(&back, 99).unwrap(),
        plan.attempt(&state, 99).unwrap()
    );
}

/// `DeliveryView::to_json` writes serde_json's bytes, on views with set
/// stimuli, matching prompts and multiple-response counts.
#[test]
fn views_written_as_json_are_serde_jsons_bytes() {
    let plan = plan(&small(), 5, &LoftOptions::default());
    let (mut stimuli, mut prompts, mut select) = (false, false, false);
    for seed in 0..30 {
        let view = plan.attempt(&ExposureState::default(), seed).unwrap().view;
        assert_eq!(
            String::from_utf8(view.to_json()).unwrap(),
            serde_json::to_string(&view).unwrap()
        );
        stimuli |= !view.stimuli.is_empty();
        prompts |= view.items.iter().any(|i| !i.prompts.is_empty());
        select |= view.items.iter().any(|i| i.select.is_some());
    }
    assert!(stimuli && prompts && select, "{stimuli} {prompts} {select}");
}

#[test]
fn record_release_and_merge_keep_exact_counts() {
    let plan = plan(&small(), 4, &LoftOptions::default());
    let forms: Vec<Form> = (0..6)
        .map(|s| plan.attempt(&ExposureState::default(), s).unwrap().form)
        .collect();
    let mut whole = ExposureState::default();
    let (mut a, mut b) = (ExposureState::default(), ExposureState::default());
    for (i, f) in forms.iter().enumerate() {
        whole.record(f);
        if i % 2 == 0 { a.record(f) } else { b.record(f) }
    }
    let mut merged = b.clone();
    merged.merge(&a);
    assert_eq!(merged, whole);
    let mut released = whole.clone();
    released.record(&forms[0]);
    released.release(&forms[0]);
    assert_eq!(released, whole);
    let mut empty = ExposureState::default();
    for f in &forms {
        empty.record(f);
    }
    for f in &forms {
        empty.release(f);
    }
    assert_eq!(empty, ExposureState::default());
}

#[test]
fn attempts_are_deterministic_and_restore_from_their_record() {
    let plan = plan(&small(), 7, &LoftOptions::default());
    let state = ExposureState::default();
    let a = plan.attempt(&state, 3).unwrap();
    assert_eq!(a, plan.attempt(&state, 3).unwrap());
    assert_ne!(a.form, plan.attempt(&state, 4).unwrap().form);
    let (form, key) = plan.restore(&a.record).unwrap();
    assert_eq!((&form, &key), (&a.form, &a.key));
    assert_eq!(key, a.form.scoring_key(plan.bank()).unwrap());
    assert_eq!(
        a.view,
        a.form
            .delivery_view(
                plan.bank(),
                plan.blueprint().time_limit_minutes,
                plan.handles()
            )
            .unwrap()
    );
    let json = serde_json::to_string(&a.view).unwrap();
    for slot in &a.form.slots {
        assert!(
            !json.contains(slot.item.as_str()),
            "view names {}",
            slot.item
        );
    }
    let other = super::tests::plan(&small(), 8, &LoftOptions::default());
    let err = other.restore(&a.record).unwrap_err();
    assert_eq!(err.code(), "foreign_record");
}

#[test]
fn a_hard_use_limit_ends_in_exposure_exhausted_naming_the_part() {
    let spec = SyntheticSpec {
        items: 60,
        scored_items: 6,
        pretest_items: 0,
        domains: 2,
        enemy_share: 0.0,
        set_share: 0.0,
        ..SyntheticSpec::default()
    };
    let options = LoftOptions {
        max_item_uses: Some(2),
        ..LoftOptions::default()
    };
    let plan = plan(&spec, 1, &options);
    let mut state = ExposureState::default();
    let err = (0..100)
        .find_map(|seed| match plan.attempt(&state, seed) {
            Ok(a) => {
                state.record(&a.form);
                None
            }
            Err(e) => Some(e),
        })
        .expect("the limit runs out");
    assert!(state.items().all(|(_, u)| u <= 2));
    assert!(matches!(
        err,
        AssemblyError::ExposureExhausted {
            max_item_uses: 2,
            ..
        }
    ));
    assert_eq!(err.code(), "exposure_exhausted");
    assert!(err.to_string().contains("raise max_item_uses"), "{err}");
    let json = serde_json::to_value(&err).unwrap();
    assert_eq!(json["code"], "exposure_exhausted");
}

#[test]
fn a_small_bank_at_a_low_rate_degrades_gracefully_instead_of_failing() {
    // 3 scored items per form from 20 operational items at rate 0.05: the
    // least the bank allows is 3 / 20 = 0.15 per item.
    let spec = SyntheticSpec {
        items: 22,
        scored_items: 3,
        pretest_items: 0,
        domains: 1,
        pretest_share: 0.1,
        enemy_share: 0.0,
        set_share: 0.0,
        ..SyntheticSpec::default()
    };
    let options = LoftOptions {
        max_exposure_rate: 0.05,
        ..LoftOptions::default()
    };
    let plan = plan(&spec, 2, &options);
    let mut state = ExposureState::default();
    for seed in 0..400 {
        let a = plan.attempt(&state, seed).unwrap();
        state.record(&a.form);
    }
    // Least-exposed-first when over the cap: every item ends close to the
    // floor of its cell, need / supply.
    let bank = plan.bank();
    for item in bank.items() {
        let cell = |i: &crate::item::Item| {
            i.status == crate::item::ItemStatus::Operational
                && i.domain == item.domain
                && i.level == item.level
        };
        if !cell(item) {
            continue;
        }
        let supply = bank.items().iter().filter(|i| cell(i)).count() as f64;
        let need = f64::from(plan.blueprint().domains[0].levels.get(item.level).min());
        let floor = (need / supply).max(0.05);
        let rate = state.rate(&item.id);
        assert!(rate <= floor + 0.01, "{}: {rate} > {floor}", item.id);
    }
}

/// The LOFT quality claims on the 500- and 2,000-item instances: each form
/// within 0.5 of the information target at every theta point, the mean
/// pairwise overlap at most the expected-overlap setting, checked from the
/// bank's parameters.
#[test]
fn forms_meet_the_information_target_and_the_overlap_setting() {
    for (items, max_overlap) in [(500, 10), (2000, 6)] {
        let spec = SyntheticSpec {
            items,
            ..SyntheticSpec::default()
        };
        let options = LoftOptions {
            max_expected_overlap: Some(max_overlap),
            ..LoftOptions::default()
        };
        let plan = plan(&spec, 7, &options);
        let targets = plan.blueprint().irt_targets.clone().unwrap();
        let mut state = ExposureState::default();
        let mut forms = Vec::new();
        let mut worst: f64 = 0.0;
        for seed in 0..120 {
            let a = plan.attempt(&state, seed).unwrap();
            for (&theta, &target) in targets.thetas.iter().zip(&targets.information) {
                let d = (information(plan.bank(), &a.form, theta) - target).abs();
                worst = worst.max(d);
            }
            assert!(a.quality.max_deviation.unwrap() <= 0.5);
            state.record(&a.form);
            forms.push(a.form);
        }
        assert_eq!(
            breaches(plan.bank(), plan.blueprint(), &forms[..1], 100, 1000),
            None
        );
        let mut total = 0;
        let mut most = 0;
        let mut pairs = 0;
        // Pairs of forms delivered after the soft start.
        for (i, a) in forms.iter().enumerate().skip(20) {
            for b in &forms[i + 1..] {
                let o = overlap(a, b);
                total += o;
                most = most.max(o);
                pairs += 1;
            }
        }
        let mean = total as f64 / f64::from(pairs);
        eprintln!(
            "{items} items: worst information deviation {worst:.3}, pairwise overlap mean {mean:.2} max {most}"
        );
        assert!(worst <= 0.5 + 1e-9, "{items}: deviation {worst}");
        assert!(
            mean <= f64::from(max_overlap),
            "{items}: mean overlap {mean}"
        );
    }
}

#[test]
fn a_blueprint_checked_against_another_jta_is_refused_as_assembly_refuses_it() {
    let (bank, blueprint) = synthetic_bank(&small(), 3).unwrap();
    let mut jta = bank.jta().clone();
    jta.id = "another".to_owned();
    let mut other = blueprint.into_inner();
    other.jta = jta.id.clone();
    let other = CheckedBlueprint::new(&jta, other, &Location::default()).unwrap();
    let fixed = crate::assembly::assemble(
        &bank,
        &other,
        &crate::assembly::AssemblyOptions::default(),
        1,
    )
    .unwrap_err();
    let loft = LoftPlan::new(
        Arc::new(bank),
        Arc::new(other),
        &LoftOptions::default(),
        HandleKey::new([5; 16]),
    )
    .unwrap_err();
    assert!(matches!(loft, AssemblyError::OtherJta { .. }), "{loft}");
    assert_eq!(loft.to_string(), fixed.to_string());
    assert_eq!(
        loft.to_string(),
        "blueprint synthetic is for JTA `another`, the bank's is `synthetic`"
    );
}
