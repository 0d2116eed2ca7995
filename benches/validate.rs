//! Loading and checking the shipped item bank, and linting it: the work of
//! `exam validate --lint` (run from the package root).
// criterion_group! generates undocumented functions.
#![allow(missing_docs)]

use criterion::{Criterion, criterion_group, criterion_main};
use exam_core::bank::ItemBank;
use exam_core::lint::{LintConfig, lint};
use std::hint::black_box;

const BANK: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/item-bank");

fn validate(c: &mut Criterion) {
    c.bench_function("load and check the shipped bank", |b| {
        b.iter(|| ItemBank::load(black_box(BANK)).map(|bank| bank.items().len()))
    });
    let Ok(bank) = ItemBank::load(BANK) else {
        return;
    };
    let blueprints: Vec<_> = bank.blueprints().iter().collect();
    let config = LintConfig::default();
    c.bench_function("lint the shipped bank", |b| {
        b.iter(|| lint(black_box(&bank), &blueprints, &config).len())
    });
}

criterion_group!(benches, validate);
criterion_main!(benches);
