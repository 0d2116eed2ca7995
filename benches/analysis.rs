//! Item analysis on large synthetic response matrices (seeded, Rasch-like).
//!
//! - dense 200,000 x 100 and 1,000,000 x 100 (one form);
//! - sparse: a bank of 2,000 items seen through 50 forms of 60 items by
//!   500,000 persons;
//! - many patterns: one form of 100 items whose 60,000 persons were each
//!   not presented 3 of the first 50 items (19,600 patterns), summarised
//!   with the cross products of the pairwise statistics.
//!
//! `read_csv` (200,000 x 100) parses the scored CSV of the dense matrix
//! from memory (the file's 40 MB), `read_parquet` the same matrix as wide
//! Parquet; `summary` is the one pass over the
//! cells that every statistic comes
//! from; `analyze` is the whole classical analysis from that summary;
//! `full` is both.

#![allow(clippy::unwrap_used, clippy::expect_used)] // bench setup
#![allow(missing_docs)] // criterion_group! generates an undocumented pub fn

use criterion::{Criterion, criterion_group, criterion_main};
use exam_core::ids::{ItemId, PersonId};
use exam_core::responses::{Cell, CsvOptions, ResponseMatrix, ResponseMatrixBuilder};
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

/// The scored CSV of a complete one-block matrix (id column, 0/1 cells).
fn scored_csv(matrix: &ResponseMatrix) -> Vec<u8> {
    let mut csv = b"id".to_vec();
    for item in matrix.items() {
        csv.push(b',');
        csv.extend_from_slice(item.as_str().as_bytes());
    }
    csv.push(b'\n');
    let block = &matrix.blocks()[0];
    for r in 0..block.n_persons() {
        csv.extend_from_slice(matrix.persons()[block.persons()[r]].as_str().as_bytes());
        for &x in block.row(r) {
            csv.push(b',');
            csv.push(b'0' + x);
        }
        csv.push(b'\n');
    }
    csv
}

fn bench_dense(c: &mut Criterion, n_persons: usize) {
    let all: Vec<usize> = (0..100).collect();
    let matrix = synthetic(n_persons, 100, &[all], 20261127);
    let label = format!("dense_{n_persons}x100");
    let options = AnalysisOptions::default();
    let summary = Summary::of(&matrix);
    let mut group = c.benchmark_group(&label);
    group.sample_size(10);
    if n_persons <= 200_000 {
        // The scored CSV of the matrix, read back: the parse that
        // dominates `exam analyze`.
        let csv = scored_csv(&matrix);
        group.bench_function("read_csv", |b| {
            b.iter(|| {
                ResponseMatrix::from_csv(
                    black_box(csv.as_slice()),
                    "bench.csv",
                    CsvOptions::default(),
                )
                .unwrap()
            })
        });
        // The same matrix as wide Parquet (Snappy), read back.
        let parquet = exam_export::scored_parquet::write(Vec::new(), &matrix, "bench").unwrap();
        group.bench_function("read_parquet", |b| {
            b.iter(|| {
                exam_export::scored_parquet::read(
                    black_box(parquet.as_slice()),
                    "bench.parquet",
                    CsvOptions::default(),
                )
                .unwrap()
            })
        });
    }
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

/// One form of 100 items; person `p` was not presented three of the first
/// 50 items (each of the `C(50, 3)` = 19,600 triples in turn).
fn many_patterns(c: &mut Criterion) {
    let n_items = 100;
    let triples: Vec<[usize; 3]> = (0..50)
        .flat_map(|a| (a + 1..50).flat_map(move |b| (b + 1..50).map(move |c| [a, b, c])))
        .collect();
    let mut rng = ChaCha8Rng::seed_from_u64(13);
    let difficulty: Vec<f64> = (0..n_items).map(|_| rng.random_range(-2.0..2.0)).collect();
    let items: Vec<ItemId> = (0..n_items).map(|i| ItemId::new(format!("i{i}"))).collect();
    let mut builder = ResponseMatrixBuilder::new(items).unwrap();
    let mut cells = vec![Cell::NotPresented; n_items];
    for p in 0..60_000 {
        let theta: f64 = (0..4).map(|_| rng.random_range(-1.0..1.0)).sum::<f64>() * 0.87;
        for (i, cell) in cells.iter_mut().enumerate() {
            let prob = 1.0 / (1.0 + (difficulty[i] - theta).exp());
            *cell = Cell::Score(u8::from(rng.random::<f64>() < prob));
        }
        for &i in &triples[p % triples.len()] {
            cells[i] = Cell::NotPresented;
        }
        builder.push(PersonId::new(p.to_string()), &cells).unwrap();
    }
    let matrix = builder.build();
    assert_eq!(matrix.blocks().len(), triples.len());
    let mut group = c.benchmark_group("patterns_100items_19600_60k");
    group.sample_size(10);
    group.bench_function("summary_with_cross_products", |b| {
        b.iter(|| Summary::with_cross_products(black_box(&matrix)))
    });
    group.finish();
}

criterion_group!(benches, dense_200k, dense_1m, sparse_bank, many_patterns);
criterion_main!(benches);
