//! Item analysis on large synthetic response matrices (seeded, Rasch-like).
//!
//! - dense 200,000 x 100 and 1,000,000 x 100 (one form);
//! - sparse: a bank of 2,000 items seen through 50 forms of 60 items by
//!   500,000 persons.
//!
//! `summary` is the one pass over the cells that every statistic comes
//! from; `analyze` is the whole classical analysis from that summary;
//! `full` is both.

#![allow(clippy::unwrap_used, clippy::expect_used)] // bench setup
#![allow(missing_docs)] // criterion_group! generates an undocumented pub fn

use criterion::{Criterion, criterion_group, criterion_main};
use exam_core::ids::{ItemId, PersonId};
use exam_core::responses::{Cell, ResponseMatrix, ResponseMatrixBuilder};
use exam_stats::distractors::{Choices, distractors};
use exam_stats::flags::FlagThresholds;
use exam_stats::{AnalysisOptions, Summary, analyze};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::hint::black_box;

/// Persons with N(0,1)-ish abilities answering items of spread difficulty
/// under the Rasch model; `forms[f]` lists the items of form `f`, persons
/// are assigned to forms in turn.
fn synthetic(n_persons: usize, n_items: usize, forms: &[Vec<usize>], seed: u64) -> ResponseMatrix {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let difficulty: Vec<f64> = (0..n_items).map(|_| rng.random_range(-2.0..2.0)).collect();
    let items: Vec<ItemId> = (0..n_items).map(|i| ItemId::new(format!("i{i}"))).collect();
    let mut builder = ResponseMatrixBuilder::new(items).unwrap();
    let mut cells = vec![Cell::NotPresented; n_items];
    for p in 0..n_persons {
        // Sum of uniforms: a cheap bell-shaped ability.
        let theta: f64 = (0..4).map(|_| rng.random_range(-1.0..1.0)).sum::<f64>() * 0.87;
        let form = &forms[p % forms.len()];
        cells.fill(Cell::NotPresented);
        for &i in form {
            let prob = 1.0 / (1.0 + (difficulty[i] - theta).exp());
            cells[i] = Cell::Score(u8::from(rng.random::<f64>() < prob));
        }
        builder.push(PersonId::new(p.to_string()), &cells).unwrap();
    }
    builder.build()
}

/// Option choices consistent with the matrix: the key `A` when the score is
/// 1, otherwise one of `B`, `C`, `D` (seeded).
fn synthetic_choices(matrix: &ResponseMatrix, seed: u64) -> Choices {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut choices = Choices::new(matrix.items().to_vec());
    let mut row: Vec<Option<&str>> = vec![None; matrix.n_items()];
    let block = &matrix.blocks()[0];
    for r in 0..block.n_persons() {
        for (cell, &x) in row.iter_mut().zip(block.row(r)) {
            *cell = Some(if x == 1 {
                "A"
            } else {
                ["B", "C", "D"][rng.random_range(0..3)]
            });
        }
        choices.push(&row).unwrap();
    }
    choices
}

fn bench_dense(c: &mut Criterion, n_persons: usize) {
    let all: Vec<usize> = (0..100).collect();
    let matrix = synthetic(n_persons, 100, &[all], 20261127);
    let label = format!("dense_{n_persons}x100");
    let options = AnalysisOptions::default();
    let summary = Summary::of(&matrix);
    let mut group = c.benchmark_group(&label);
    group.sample_size(10);
    group.bench_function("summary", |b| b.iter(|| Summary::of(black_box(&matrix))));
    group.bench_function("analyze", |b| {
        b.iter(|| analyze(black_box(&summary), &options).unwrap())
    });
    group.bench_function("full", |b| {
        b.iter(|| analyze(&Summary::of(black_box(&matrix)), &options).unwrap())
    });
    if n_persons <= 200_000 {
        let choices = synthetic_choices(&matrix, 3);
        let keys = vec!["A".to_owned(); 100];
        let thresholds = FlagThresholds::default();
        group.bench_function("distractors", |b| {
            b.iter(|| distractors(black_box(&matrix), &choices, &keys, &thresholds).unwrap())
        });
        group.bench_function("full_with_distractors", |b| {
            b.iter(|| {
                let a = analyze(&Summary::of(black_box(&matrix)), &options).unwrap();
                let d = distractors(&matrix, &choices, &keys, &thresholds).unwrap();
                (a, d)
            })
        });
    }
    group.finish();
}

fn dense_200k(c: &mut Criterion) {
    bench_dense(c, 200_000);
}

fn dense_1m(c: &mut Criterion) {
    bench_dense(c, 1_000_000);
}

fn sparse_bank(c: &mut Criterion) {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let forms: Vec<Vec<usize>> = (0..50)
        .map(|_| {
            let mut form: Vec<usize> = Vec::with_capacity(60);
            while form.len() < 60 {
                let i = rng.random_range(0..2000);
                if !form.contains(&i) {
                    form.push(i);
                }
            }
            form.sort_unstable();
            form
        })
        .collect();
    let matrix = synthetic(500_000, 2000, &forms, 11);
    let options = AnalysisOptions::default();
    let summary = Summary::of(&matrix);
    let mut group = c.benchmark_group("sparse_2000items_50forms_500k");
    group.sample_size(10);
    group.bench_function("summary", |b| b.iter(|| Summary::of(black_box(&matrix))));
    group.bench_function("analyze", |b| {
        b.iter(|| analyze(black_box(&summary), &options).unwrap())
    });
    group.finish();
}

criterion_group!(benches, dense_200k, dense_1m, sparse_bank);
criterion_main!(benches);
