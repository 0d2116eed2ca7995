#![allow(missing_docs)] // criterion_group! generates undocumented items
//! Form assembly at the sizes of issues 4 and 17: the standard automated
//! test assembly instance (van der Linden 2005): seeded synthetic banks of
//! 500, 2,000 and 10,000 items (2PL, testlets of three, enemy pairs, all
//! operational as in the MIP formulation), and 1, 5 and 20 forms of 60
//! scored items over 8 domains with a fixed count per domain and at least
//! 2 items of each level in it (forms may differ in mix), a time limit and
//! an absolute information target at θ = −1, 0, 1; at most 6 items shared
//! between two forms, each item on at most 3 forms. Before timing, each
//! case prints its quality: the largest deviation from the target (the
//! optimum is at least 0), whether every form passes the coverage check,
//! distinct items with mean and max exposure, and (20 forms) the most
//! items a form of seed 1 shares with a form of seed 2; the 500-item case
//! also says what exact level counts, and a bank with 10% pretest items,
//! give for 20 forms. Then many forms (issue 15): 200 and 1,000 forms of
//! 60 from the 10,000-item bank with exact domain x level counts, at most
//! 12 items shared by two forms and 20 uses per item, and 10,000 forms
//! timed once (the counting proof of infeasibility). Then one LOFT form
//! from 2,000 and 10,000 items.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use exam_core::assembly::synthetic::{SyntheticSpec, synthetic_bank};
use exam_core::assembly::{
    Assembly, AssemblyOptions, ExposureState, LoftOptions, LoftPlan, MaxOverlap, assemble,
};
use exam_core::attempt::HandleKey;
use exam_core::coverage::{coverage, exposure};
use std::collections::{BTreeSet, HashSet};
use std::hint::black_box;
use std::sync::Arc;

/// The most items any form of `a` shares with any form of `b`.
fn seed_overlap(a: &Assembly, b: &Assembly) -> usize {
    a.forms
        .iter()
        .flat_map(|f| {
            let ids: BTreeSet<_> = f.slots.iter().map(|s| &s.item).collect();
            b.forms
                .iter()
                .map(move |g| g.slots.iter().filter(|s| ids.contains(&s.item)).count())
        })
        .max()
        .unwrap_or(0)
}

fn fixed_forms(c: &mut Criterion) {
    let mut group = c.benchmark_group("assemble");
    group.sample_size(10);
    for items in [500, 2_000, 10_000] {
        let spec = SyntheticSpec {
            items,
            pretest_share: 0.0,
            level_minimum: Some(2),
            ..SyntheticSpec::default()
        };
        let Ok((bank, blueprint)) = synthetic_bank(&spec, 7) else {
            continue;
        };
        for forms in [1, 5, 20] {
            let options = AssemblyOptions {
                forms,
                max_overlap: Some(MaxOverlap::Items(6)),
                max_item_uses: Some(3),
                ..AssemblyOptions::default()
            };
            if items == 500 && forms == 20 {
                let variants = [
                    (
                        "exact counts",
                        SyntheticSpec {
                            level_minimum: None,
                            ..spec.clone()
                        },
                    ),
                    (
                        "10% pretest items",
                        SyntheticSpec {
                            pretest_share: 0.1,
                            ..spec.clone()
                        },
                    ),
                ];
                for (name, variant) in variants {
                    if let Ok((bank, blueprint)) = synthetic_bank(&variant, 7) {
                        match assemble(&bank, &blueprint, &options, 1) {
                            Ok(a) => eprintln!(
                                "{items} items, {forms} forms, {name}: max deviation {:.5}",
                                a.max_deviation().unwrap_or(f64::NAN)
                            ),
                            Err(e) => eprintln!("{items} items, {forms} forms, {name}: {e}"),
                        }
                    }
                }
            }
            let start = std::time::Instant::now();
            match assemble(&bank, &blueprint, &options, 1) {
                Ok(a) => {
                    let elapsed = start.elapsed();
                    let ok = a.forms.iter().all(|f| {
                        let report = coverage(f, &bank, &blueprint, &a.forms);
                        report.meets_blueprint() && report.max_overlap() <= 6
                    });
                    let e = exposure(&a.forms);
                    let seeds = if forms == 20 {
                        assemble(&bank, &blueprint, &options, 2)
                            .map(|b| {
                                format!(
                                    ", seeds 1 and 2 share at most {} of 60 items",
                                    seed_overlap(&a, &b)
                                )
                            })
                            .unwrap_or_default()
                    } else {
                        String::new()
                    };
                    eprintln!(
                        "{items} items, {forms} forms: max deviation {:.5}, constraints met: {ok}, {} distinct items, exposure mean {:.2} max {}{seeds} ({:.0} ms once)",
                        a.max_deviation().unwrap_or(f64::NAN),
                        e.distinct_items,
                        e.mean_exposure,
                        e.max_exposure,
                        elapsed.as_secs_f64() * 1e3,
                    );
                }
                Err(e) => {
                    eprintln!("{items} items, {forms} forms: infeasible: {e}");
                    continue;
                }
            }
            group.bench_with_input(
                BenchmarkId::new(format!("{items}_items"), forms),
                &options,
                |b, options| b.iter(|| assemble(&bank, &blueprint, black_box(options), 1)),
            );
        }
    }
    group.finish();
}

/// 1,000 forms of 60 from the 10,000-item bank (exact domain x level
/// counts, testlets, enemies, the information target at θ = −1, 0, 1) with
/// `--max-overlap 12 --max-item-uses 20`: the exposure plan spreads the
/// uses so every cell keeps room. Prints the largest deviation, distinct
/// items and exposure first; the overlap limit is checked by the unit and
/// property tests (a check of all 499,500 pairs here would outlast the run).
/// 10,000 forms are timed once: 20 uses per item cannot supply them (the
/// counting check says which cell falls short).
fn many_forms(c: &mut Criterion) {
    let spec = SyntheticSpec {
        items: 10_000,
        ..SyntheticSpec::default()
    };
    let Ok((bank, blueprint)) = synthetic_bank(&spec, 7) else {
        return;
    };
    let options = AssemblyOptions {
        forms: 10_000,
        max_overlap: Some(MaxOverlap::Items(12)),
        max_item_uses: Some(20),
        ..AssemblyOptions::default()
    };
    let start = std::time::Instant::now();
    let outcome = match assemble(&bank, &blueprint, &options, 1) {
        Ok(a) => format!("max deviation {:.5}", a.max_deviation().unwrap_or(f64::NAN)),
        Err(e) => e.to_string(),
    };
    eprintln!(
        "10000 items, 10000 forms: {outcome} ({:.2} s once)",
        start.elapsed().as_secs_f64()
    );
    let mut group = c.benchmark_group("assemble_many");
    group.sample_size(10);
    for forms in [200, 1_000] {
        let options = AssemblyOptions {
            forms,
            max_overlap: Some(MaxOverlap::Items(12)),
            max_item_uses: Some(20),
            ..AssemblyOptions::default()
        };
        let start = std::time::Instant::now();
        match assemble(&bank, &blueprint, &options, 1) {
            Ok(a) => {
                let e = exposure(&a.forms);
                eprintln!(
                    "10000 items, {forms} forms: max deviation {:.5}, {} distinct items, exposure mean {:.2} max {} ({:.2} s once)",
                    a.max_deviation().unwrap_or(f64::NAN),
                    e.distinct_items,
                    e.mean_exposure,
                    e.max_exposure,
                    start.elapsed().as_secs_f64(),
                );
            }
            Err(e) => {
                eprintln!("10000 items, {forms} forms: {e}");
                continue;
            }
        }
        group.bench_with_input(
            BenchmarkId::new("10000_items", forms),
            &options,
            |b, options| b.iter(|| assemble(&bank, &blueprint, black_box(options), 1)),
        );
    }
    group.finish();
}

/// One LOFT form per call from a compiled plan, on the 2,000- and
/// 10,000-item banks with the information target and an expected overlap
/// of at most 6 items, after 200 forms of exposure history. Before timing,
/// prints the quality of 200 further forms: the largest information
/// deviation and the mean and largest pairwise overlap.
fn on_the_fly(c: &mut Criterion) {
    for items in [2_000, 10_000] {
        let spec = SyntheticSpec {
            items,
            pretest_items: 10,
            ..SyntheticSpec::default()
        };
        let Ok((bank, blueprint)) = synthetic_bank(&spec, 7) else {
            continue;
        };
        let options = LoftOptions {
            max_expected_overlap: Some(6),
            ..LoftOptions::default()
        };
        let plan = match LoftPlan::new(
            Arc::new(bank),
            Arc::new(blueprint),
            &options,
            HandleKey::new([1; 16]),
        ) {
            Ok(plan) => plan,
            Err(e) => {
                eprintln!("loft {items}: {e}");
                continue;
            }
        };
        let mut state = ExposureState::default();
        let mut forms = Vec::new();
        let mut worst: f64 = 0.0;
        for seed in 0..400 {
            let Ok(a) = plan.attempt(&state, seed) else {
                continue;
            };
            state.record(&a.form);
            if seed >= 200 {
                worst = worst.max(a.quality.max_deviation.unwrap_or(f64::NAN));
                forms.push(a.form);
            }
        }
        let (mut total, mut most, mut pairs) = (0usize, 0usize, 0usize);
        for (i, a) in forms.iter().enumerate() {
            let ids: HashSet<_> = a.slots.iter().map(|s| &s.item).collect();
            for b in &forms[i + 1..] {
                let o = b.slots.iter().filter(|s| ids.contains(&s.item)).count();
                total += o;
                most = most.max(o);
                pairs += 1;
            }
        }
        eprintln!(
            "loft {items} items: largest information deviation {worst:.3}, pairwise overlap mean {:.2} max {most}, exposure rate {:.3} (max item rate {:.3})",
            total as f64 / pairs.max(1) as f64,
            plan.exposure_rate(),
            state.max_rate()
        );
        let mut seed = 1_000u64;
        c.bench_function(&format!("loft/{items}_items/attempt"), |b| {
            b.iter(|| {
                seed += 1;
                plan.attempt(black_box(&state), seed)
            })
        });
    }
}

criterion_group!(benches, fixed_forms, many_forms, on_the_fly);
criterion_main!(benches);
