#![allow(missing_docs)] // criterion_group! generates undocumented items
//! What one attempt costs an LMS service on the shipped bank (issue 19):
//! `create` is `LoftPlan::attempt` on an exposure state of 1,000 forms and
//! more, `ExposureState::record` and the delivery view to JSON
//! (`DeliveryView::to_json`); its parts are timed apart: the library's
//! attempt and record without JSON (`create/library`), and the view's
//! JSON by `to_json` and by `serde_json::to_vec` (`create/view_json`,
//! `create/view_serde_json`); `submit` is
//! `LoftPlan::restore` from the stored record, `CompiledFormKey::new`,
//! `score_attempt` (handles mapped back, answers checked and scored, full
//! report) and the candidate view to JSON. Before timing, prints the bytes
//! a service stores per open attempt (the `AttemptRecord` in memory, and
//! as JSON) next to what the form and key alone would take as JSON.
//!
//! Each call is timed twice: by the wall clock (criterion's default) and by
//! the CPU time of the benchmark's thread (`/cpu` names), which does not
//! count the time other processes hold the core: the figure to read on a
//! shared machine. Under valgrind (callgrind counts instructions whatever
//! the load) run only the wall-clock names: the `/cpu` clock's vDSO call
//! does not run there.

use criterion::{Criterion, criterion_group, criterion_main};
use exam_core::assembly::{AttemptRecord, ExposureState, LoftOptions, LoftPlan};
use exam_core::attempt::{CandidateSubmission, HandleKey};
use exam_core::bank::ItemBank;
use exam_core::ids::CandidateId;
use exam_scoring::candidate::score_attempt;
use exam_scoring::keyed::CompiledFormKey;
use exam_scoring::rules::ScoringRules;
use std::hint::black_box;
use std::mem::size_of;
use std::sync::Arc;
use std::time::Duration;

/// The CPU time the calling thread has used.
fn thread_cpu() -> Duration {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
    Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
}

/// Times `iters` calls of `f` in the thread's CPU time (for
/// `Bencher::iter_custom`).
fn cpu_time<T>(iters: u64, mut f: impl FnMut() -> T) -> Duration {
    let start = thread_cpu();
    for _ in 0..iters {
        black_box(f());
    }
    thread_cpu() - start
}

/// Heap and inline bytes of a record held in memory: the struct, the form
/// id's text with its `Arc` counts, and the unit list's allocation.
fn stored_bytes(record: &AttemptRecord) -> usize {
    size_of::<AttemptRecord>()
        + 2 * size_of::<usize>()
        + record.form.as_str().len()
        + record.units.capacity() * size_of::<u32>()
}

fn attempts(c: &mut Criterion) {
    let Ok(bank) = ItemBank::load(concat!(env!("CARGO_MANIFEST_DIR"), "/item-bank")) else {
        return;
    };
    let Some(blueprint) = bank.blueprint(&"die-2026".into()).cloned() else {
        return;
    };
    let (Ok(rules), Ok(params)) = (ScoringRules::from_blueprint(&blueprint), bank.irt_params())
    else {
        return;
    };
    let options = LoftOptions {
        max_exposure_rate: 0.3,
        ..LoftOptions::default()
    };
    let Ok(plan) = LoftPlan::new(
        Arc::new(bank),
        Arc::new(blueprint),
        &options,
        HandleKey::new([6; 16]),
    ) else {
        return;
    };
    let mut state = ExposureState::default();
    for seed in 0..1_000 {
        if let Ok(a) = plan.attempt(&state, seed) {
            state.record(&a.form);
        }
    }
    let Ok(sample) = plan.attempt(&state, 5_000) else {
        return;
    };
    eprintln!(
        "stored per attempt: AttemptRecord {} bytes in memory, {} bytes as JSON; form + scoring key as JSON: {} bytes",
        stored_bytes(&sample.record),
        json_len(&sample.record),
        json_len(&sample.form) + json_len(&sample.key)
    );
    let candidate = CandidateId::new("C-1");
    let Ok(scorer) = CompiledFormKey::new(&sample.form, &sample.key, &rules, &params) else {
        return;
    };
    let sent = CandidateSubmission::by_handle(&scorer.key_submission("C-1"), plan.handles());

    let mut seed = 10_000u64;
    // A live service: each attempt is counted in the state the next reads.
    let mut create = || {
        seed += 1;
        let a = plan.attempt(black_box(&state), seed).ok()?;
        state.record(&a.form);
        Some(a.view.to_json())
    };
    c.bench_function("lms/create", |b| b.iter(&mut create));
    c.bench_function("lms/create/cpu", |b| {
        b.iter_custom(|iters| cpu_time(iters, &mut create))
    });
    // The parts of create: the library's attempt and record (no JSON), and
    // the view to JSON alone, written by `to_json` and by serde_json.
    let mut library = || {
        seed += 1;
        let a = plan.attempt(black_box(&state), seed).ok()?;
        state.record(&a.form);
        Some(a)
    };
    c.bench_function("lms/create/library", |b| b.iter(&mut library));
    c.bench_function("lms/create/library/cpu", |b| {
        b.iter_custom(|iters| cpu_time(iters, &mut library))
    });
    let view_json = || black_box(&sample.view).to_json();
    c.bench_function("lms/create/view_json", |b| b.iter(view_json));
    c.bench_function("lms/create/view_json/cpu", |b| {
        b.iter_custom(|iters| cpu_time(iters, view_json))
    });
    let view_serde = || serde_json::to_vec(black_box(&sample.view)).ok();
    c.bench_function("lms/create/view_serde_json", |b| b.iter(view_serde));
    c.bench_function("lms/create/view_serde_json/cpu", |b| {
        b.iter_custom(|iters| cpu_time(iters, view_serde))
    });
    let submit = || {
        let (form, key) = plan.restore(black_box(&sample.record)).ok()?;
        let scorer = CompiledFormKey::new(&form, &key, &rules, &params).ok()?;
        let report = score_attempt(&scorer, &form, plan.handles(), &candidate, &sent).ok()?;
        serde_json::to_vec(&report.candidate_view()).ok()
    };
    c.bench_function("lms/submit", |b| b.iter(submit));
    c.bench_function("lms/submit/cpu", |b| {
        b.iter_custom(|iters| cpu_time(iters, submit))
    });
}

/// Bytes of a value as JSON.
fn json_len<T: serde::Serialize>(value: &T) -> usize {
    serde_json::to_vec(value).map_or(0, |v| v.len())
}

criterion_group!(benches, attempts);
criterion_main!(benches);
