//! The pilot (`exam pilot`) end to end on the shipped bank, small: 500
//! candidates on 2 forms, written into a temporary folder. The default run
//! (5,000 candidates, 4 forms) is measured with `/usr/bin/time` on the
//! release binary (see README).

#![allow(missing_docs)] // criterion_group! generates undocumented functions

use criterion::{Criterion, criterion_group, criterion_main};
use exam_export::pilot::{PilotOptions, run_pilot};
use std::path::Path;

fn pilot(c: &mut Criterion) {
    let bank = Path::new(env!("CARGO_MANIFEST_DIR")).join("item-bank");
    let out = tempfile::tempdir().expect("a temporary folder");
    let options = PilotOptions {
        candidates: 500,
        forms: 2,
        seed: 1,
    };
    let mut group = c.benchmark_group("pilot");
    group.sample_size(10);
    group.bench_function("500 candidates, 2 forms", |b| {
        b.iter(|| run_pilot(&bank, out.path(), &options, &mut |_| {}).expect("the pilot runs"));
    });
    group.finish();
}

criterion_group!(benches, pilot);
criterion_main!(benches);
