//! Benchmarks of ability estimation (issue 5): EAP for one candidate on a
//! 60-item form, and EAP for 200,000 persons x 100 items through the
//! library call behind `exam theta`. Seeded synthetic 2PL/3PL data.

// criterion_group! generates an undocumented public function.
#![allow(missing_docs)]

use criterion::{Criterion, black_box, criterion_group, criterion_main};
use exam_core::ids::ItemId;
use exam_core::irt::{ItemParams, ItemParamsEntry};
use exam_core::random::standard_normal;
use exam_core::responses::ResponseMatrix;
use exam_scoring::{
    EapEstimator, Method, NormalPrior, Response, eap, estimate_abilities, simulate_abilities,
    simulate_responses,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn items(rng: &mut ChaCha8Rng, n: usize, guessing: bool) -> Vec<ItemParams> {
    (0..n)
        .map(|_| {
            let a = rng.random_range(0.5..2.0);
            let b = standard_normal(rng);
            let c = if guessing {
                rng.random_range(0.0..0.3)
            } else {
                0.0
            };
            ItemParams::new(a, b, c).expect("valid synthetic parameters")
        })
        .collect()
}

fn pattern(rng: &mut ChaCha8Rng, items: &[ItemParams], theta: f64) -> Vec<bool> {
    items
        .iter()
        .map(|i| rng.random::<f64>() < i.prob(theta))
        .collect()
}

fn matrix(items: &[ItemParams], persons: usize, seed: u64) -> ResponseMatrix {
    let entries: Vec<ItemParamsEntry> = items
        .iter()
        .enumerate()
        .map(|(j, &params)| ItemParamsEntry {
            id: ItemId::new(format!("I{j}")),
            params,
        })
        .collect();
    let abilities = simulate_abilities(persons, NormalPrior::standard(), seed);
    simulate_responses(&entries, &abilities, seed + 1)
        .expect("valid synthetic data")
        .responses
}

fn one_candidate(c: &mut Criterion) {
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let prior = NormalPrior::standard();
    for (label, guessing) in [("2pl", false), ("3pl", true)] {
        let form = items(&mut rng, 60, guessing);
        let answers: Vec<Response> = pattern(&mut rng, &form, 0.4)
            .into_iter()
            .map(Response::from)
            .collect();
        let scorer = EapEstimator::new(&form, prior);
        c.bench_function(
            &format!("eap_one_candidate_60_items_{label}_prepared_form"),
            |b| b.iter(|| scorer.score(black_box(&answers))),
        );
        c.bench_function(
            &format!("eap_one_candidate_60_items_{label}_one_shot"),
            |b| b.iter(|| eap(black_box(&form), black_box(&answers), &prior)),
        );
    }
}

fn theta_200k(c: &mut Criterion) {
    let mut rng = ChaCha8Rng::seed_from_u64(55);
    let form = items(&mut rng, 100, false);
    let data = matrix(&form, 200_000, 56);
    let method = Method::Eap {
        prior: NormalPrior::standard(),
    };
    let mut group = c.benchmark_group("theta");
    group.sample_size(10);
    group.bench_function("eap_200000_persons_x_100_items_2pl", |b| {
        b.iter(|| estimate_abilities(black_box(&data), &form, &method))
    });
    group.finish();
}

criterion_group!(benches, one_candidate, theta_200k);
criterion_main!(benches);
