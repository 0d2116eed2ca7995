#![allow(missing_docs)] // criterion_group! generates undocumented items
//! Form assembly at the sizes of issue 4: synthetic banks of 500, 2,000 and
//! 10,000 items (2PL, testlets, enemies) and 1, 5 and 20 forms of a 60-item
//! blueprint (8 domains, per-level counts, a time limit, an absolute
//! information target at θ = −1, 0, 1), at most 6 items shared between two
//! forms and each item on at most 3 forms; and one LOFT form from 2,000
//! and 10,000 items. Before timing, each case prints its quality: the largest
//! deviation from the target (the optimum is at least 0) and whether every
//! form passes the coverage check.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use exam_core::assembly::synthetic::{SyntheticSpec, synthetic_bank};
use exam_core::assembly::{
    AssemblyOptions, ExposureState, LoftOptions, LoftPlan, MaxOverlap, assemble,
};
use exam_core::attempt::HandleKey;
use exam_core::coverage::coverage;
use std::collections::HashSet;
use std::hint::black_box;
use std::sync::Arc;

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

criterion_group!(benches, fixed_forms, on_the_fly);
criterion_main!(benches);
