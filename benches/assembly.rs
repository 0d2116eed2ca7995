#![allow(missing_docs)] // criterion_group! generates undocumented items
//! Form assembly at the sizes of issue 4: synthetic banks of 500, 2,000 and
//! 10,000 items (2PL, testlets, enemies) and 1, 5 and 20 forms of a 60-item
//! blueprint (8 domains, per-level counts, a time limit, an absolute
//! information target at θ = −1, 0, 1), at most 6 items shared between two
//! forms and each item on at most 3 forms; and one LOFT form from 2,000
//! items. Before timing, each case prints its quality: the largest
//! deviation from the target (the optimum is at least 0) and whether every
//! form passes the coverage check.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use exam_core::assembly::synthetic::{SyntheticSpec, synthetic_bank};
use exam_core::assembly::{
    AssemblyOptions, ExposureState, LoftOptions, LoftPlan, MaxOverlap, assemble,
    assemble_on_the_fly,
};
use exam_core::coverage::coverage;
use std::hint::black_box;

fn fixed_forms(c: &mut Criterion) {
    let mut group = c.benchmark_group("assemble");
    group.sample_size(10);
    for items in [500, 2_000, 10_000] {
        let spec = SyntheticSpec {
            items,
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
            match assemble(&bank, &blueprint, &options, 1) {
                Ok(a) => {
                    let ok = a.forms.iter().all(|f| {
                        coverage(f, &bank, &blueprint, &a.forms).meets_blueprint()
                            && coverage(f, &bank, &blueprint, &a.forms).max_overlap() <= 6
                    });
                    eprintln!(
                        "{items} items, {forms} forms: max deviation {:.5}, constraints met: {ok}",
                        a.max_deviation().unwrap_or(f64::NAN)
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

fn on_the_fly(c: &mut Criterion) {
    let spec = SyntheticSpec {
        items: 2_000,
        pretest_items: 10,
        target_scale: None,
        ..SyntheticSpec::default()
    };
    let Ok((bank, blueprint)) = synthetic_bank(&spec, 7) else {
        return;
    };
    let options = LoftOptions {
        max_exposure_rate: 0.2,
        ..LoftOptions::default()
    };
    let mut state = ExposureState::default();
    // Warm the state up to a realistic history.
    for seed in 0..50 {
        if let Ok((_, next)) = assemble_on_the_fly(&bank, &blueprint, &options, &state, seed) {
            state = next;
        }
    }
    let mut seed = 1_000u64;
    c.bench_function("loft/2000_items/one_shot", |b| {
        b.iter(|| {
            seed += 1;
            assemble_on_the_fly(&bank, &blueprint, black_box(&options), &state, seed)
        })
    });
    let Ok(plan) = LoftPlan::new(&bank, &blueprint, &options) else {
        return;
    };
    c.bench_function("loft/2000_items/prepared_plan", |b| {
        b.iter(|| {
            seed += 1;
            plan.next_form(black_box(&state), seed)
        })
    });
}

criterion_group!(benches, fixed_forms, on_the_fly);
criterion_main!(benches);
