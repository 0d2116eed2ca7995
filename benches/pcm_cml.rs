//! Partial credit and rating scale models by CML at the size of issue 18:
//! 20,000 persons x 40 items scored 0–3, seeded synthetic PCM data
//! (rand_chacha). The recovery of the generating thresholds (RMSE) is
//! printed once before timing.

#![allow(missing_docs)] // criterion_group! generates undocumented functions

use criterion::{Criterion, criterion_group, criterion_main};
use exam_core::ids::{ItemId, PersonId};
use exam_core::random::standard_normal;
use exam_core::responses::{Cell, ResponseMatrix, ResponseMatrixBuilder};
use exam_stats::calibration::{PolytomousRasch, pcm_cml};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::hint::black_box;
use std::time::{Duration, Instant};

const PERSONS: usize = 20_000;
const ITEMS: usize = 40;
const CATEGORIES: usize = 3;

/// Thresholds τ_ih: item location ~ U(−1.5, 1.5) plus ordered steps.
fn thresholds(rng: &mut ChaCha8Rng) -> Vec<Vec<f64>> {
    (0..ITEMS)
        .map(|_| {
            let location = 3.0 * rng.random::<f64>() - 1.5;
            (0..CATEGORIES)
                .map(|h| location + (h as f64 - 1.0) * 0.8 + 0.2 * standard_normal(rng))
                .collect()
        })
        .collect()
}

fn simulate(tau: &[Vec<f64>], seed: u64) -> ResponseMatrix {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let ids: Vec<ItemId> = (0..ITEMS).map(|j| ItemId::new(format!("I{j}"))).collect();
    let mut builder = ResponseMatrixBuilder::new(ids).expect("unique ids");
    let mut cells = vec![Cell::Score(0); ITEMS];
    for p in 0..PERSONS {
        let theta = standard_normal(&mut rng);
        for (cell, item) in cells.iter_mut().zip(tau) {
            let mut logits = vec![0.0];
            for t in item {
                logits.push(logits.last().copied().unwrap_or(0.0) + theta - t);
            }
            let weights: Vec<f64> = logits.iter().map(|l| l.exp()).collect();
            let mut u = rng.random::<f64>() * weights.iter().sum::<f64>();
            let mut score = 0;
            for (h, w) in weights.iter().enumerate() {
                score = h;
                if u < *w {
                    break;
                }
                u -= w;
            }
            *cell = Cell::Score(score as u8);
        }
        builder
            .push(PersonId::new(format!("P{p}")), &cells)
            .expect("valid row");
    }
    builder.build()
}

fn benches(c: &mut Criterion) {
    let mut rng = ChaCha8Rng::seed_from_u64(18);
    let tau = thresholds(&mut rng);
    let data = simulate(&tau, 1818);
    for (label, model) in [
        ("pcm", PolytomousRasch::PartialCredit),
        ("rsm", PolytomousRasch::RatingScale),
    ] {
        let start = Instant::now();
        let fit = pcm_cml(&data, model).expect("fits");
        let seconds = start.elapsed().as_secs_f64();
        if model == PolytomousRasch::PartialCredit {
            // Compare after centring (the generating thresholds' mean is
            // not the fit's normalisation).
            let mean_true = tau.iter().flatten().sum::<f64>() / (ITEMS * CATEGORIES) as f64;
            let fitted: Vec<f64> = fit
                .items
                .iter()
                .flat_map(|i| i.thresholds.iter().map(|t| t.value))
                .collect();
            let mean_fit = fitted.iter().sum::<f64>() / fitted.len() as f64;
            let rmse = (tau
                .iter()
                .flatten()
                .zip(&fitted)
                .map(|(t, f)| (t - mean_true - (f - mean_fit)).powi(2))
                .sum::<f64>()
                / fitted.len() as f64)
                .sqrt();
            eprintln!(
                "{label} 20000x40x4: {seconds:.3} s, {} iterations, threshold RMSE {rmse:.4}",
                fit.iterations
            );
        } else {
            eprintln!(
                "{label} 20000x40x4: {seconds:.3} s, {} iterations",
                fit.iterations
            );
        }
        let mut group = c.benchmark_group("pcm_cml");
        group
            .sample_size(10)
            .measurement_time(Duration::from_secs(5));
        group.bench_function(format!("{label}_20000x40x4"), |b| {
            b.iter(|| black_box(pcm_cml(&data, model).expect("fits")))
        });
        group.finish();
    }
}

criterion_group!(pcm, benches);
criterion_main!(pcm);
