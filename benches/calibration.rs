//! IRT calibration benchmarks at the sizes of issue 7, on seeded synthetic
//! data (rand_chacha): 2PL and 3PL on 20,000 x 60 and 200,000 x 100, Rasch
//! CML on 20,000 x 60, and a concurrent calibration of 50 forms x 60 items
//! over a 2,000-item bank. Each fit's parameter recovery (slope bias and
//! RMSE against the generating values) is printed once before timing.
//!
//! Issue 15: the same fits with standard errors (2PL and 3PL 20,000 x 60,
//! 2PL 200,000 x 100), the full covariance of 4,000 parameters (a 2PL
//! concurrent calibration of 50 forms x 60 over a 2,000-item bank, 50,000
//! persons, with and without errors), and S-X² item fit of 500 and 2,000
//! items.
//!
//! `CALIBRATION_BENCH=quick` skips the 200,000-person and concurrent cases;
//! `CALIBRATION_BENCH=errors` runs only the cases with standard errors and
//! their fits without (2 threads).

#![allow(missing_docs)] // criterion_group! generates undocumented functions

use criterion::{Criterion, criterion_group, criterion_main};
use exam_core::ids::{ItemId, PersonId};
use exam_core::responses::{Cell, ResponseMatrix, ResponseMatrixBuilder};
use exam_stats::calibration::fit::s_x2;
use exam_stats::calibration::{
    Calibration, CalibrationOptions, IrtModel, Priors, calibrate, rasch_cml,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::hint::black_box;
use std::time::{Duration, Instant};

// The recovery data sets' generator: its normal draws and generating
// parameters (the bench draws its own sizes, not the recovery `SETS`, and
// builds matrices directly).
#[allow(dead_code)]
#[path = "../crates/stats/tests/recovery_generator.rs"]
mod recovery_generator;
use recovery_generator::{Truth, normal, truth};

/// Complete data: every person answers every item.
fn simulate(n_persons: usize, truth: &Truth, seed: u64) -> ResponseMatrix {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let k = truth.a.len();
    let ids: Vec<ItemId> = (0..k).map(|j| ItemId::new(format!("I{j}"))).collect();
    let mut builder = ResponseMatrixBuilder::new(ids).expect("unique ids");
    let mut cells = vec![Cell::Score(0); k];
    for p in 0..n_persons {
        let theta = normal(&mut rng);
        for (j, cell) in cells.iter_mut().enumerate() {
            let prob = truth.c[j]
                + (1.0 - truth.c[j]) / (1.0 + (-truth.a[j] * (theta - truth.b[j])).exp());
            *cell = Cell::Score(u8::from(rng.random::<f64>() < prob));
        }
        builder
            .push(PersonId::new(p.to_string()), &cells)
            .expect("valid row");
    }
    builder.build()
}

/// `forms` forms of `form_len` items over a bank of `truth.a.len()` items;
/// persons assigned to forms in turn.
fn simulate_forms(
    n_persons: usize,
    truth: &Truth,
    forms: usize,
    form_len: usize,
    seed: u64,
) -> ResponseMatrix {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let bank = truth.a.len();
    // Form f holds items f·step .. f·step + form_len (mod bank): neighbouring
    // forms share form_len − step items, a chain that links the whole bank.
    let step = bank / forms;
    let form_items: Vec<Vec<usize>> = (0..forms)
        .map(|f| {
            let mut items: Vec<usize> = (0..form_len).map(|i| (f * step + i) % bank).collect();
            items.sort_unstable();
            items
        })
        .collect();
    let ids: Vec<ItemId> = (0..bank).map(|j| ItemId::new(format!("I{j}"))).collect();
    let mut builder = ResponseMatrixBuilder::new(ids).expect("unique ids");
    let mut cells = vec![Cell::NotPresented; bank];
    for p in 0..n_persons {
        let theta = normal(&mut rng);
        cells.iter_mut().for_each(|c| *c = Cell::NotPresented);
        for &j in &form_items[p % forms] {
            let prob = 1.0 / (1.0 + (-truth.a[j] * (theta - truth.b[j])).exp());
            cells[j] = Cell::Score(u8::from(rng.random::<f64>() < prob));
        }
        builder
            .push(PersonId::new(p.to_string()), &cells)
            .expect("valid row");
    }
    builder.build()
}

fn report(label: &str, fit: &Calibration, truth: &Truth, seconds: f64) {
    let mut n = 0.0;
    let (mut bias_a, mut sse_a, mut sse_b, mut sse_c) = (0.0, 0.0, 0.0, 0.0);
    for (j, item) in fit.items.iter().enumerate() {
        let Some(e) = &item.estimate else { continue };
        let b = e.b().unwrap_or(f64::NAN);
        n += 1.0;
        bias_a += e.a - truth.a[j];
        sse_a += (e.a - truth.a[j]).powi(2);
        sse_b += (b - truth.b[j]).powi(2);
        sse_c += (e.c - truth.c[j]).powi(2);
    }
    let polish = fit.convergence.polish.as_ref().map_or_else(
        || "no polish".to_owned(),
        |p| format!("polish {} E-steps, gain {:.2e}", p.evaluations, p.gain),
    );
    eprintln!(
        "{label}: {seconds:.3} s, {} EM steps, {polish}, {:?}, converged {}, loglik {:.3}; a bias {:+.4} RMSE {:.4}; b RMSE {:.4}; c RMSE {:.4}",
        fit.iterations,
        fit.convergence.reason,
        fit.convergence.converged,
        fit.log_likelihood,
        bias_a / n,
        (sse_a / n).sqrt(),
        (sse_b / n).sqrt(),
        (sse_c / n).sqrt()
    );
}

fn options(model: IrtModel, parallel: bool) -> CalibrationOptions {
    let mut o = CalibrationOptions::new(model);
    o.parallel = parallel;
    o.standard_errors = false;
    o
}

fn bench_mml(
    c: &mut Criterion,
    label: &str,
    data: &ResponseMatrix,
    truth: &Truth,
    model: IrtModel,
) {
    bench_mml_with(c, label, data, truth, model, None);
}

/// [`bench_mml`] with the model's default priors replaced by `priors`.
fn bench_mml_with(
    c: &mut Criterion,
    label: &str,
    data: &ResponseMatrix,
    truth: &Truth,
    model: IrtModel,
    priors: Option<Priors>,
) {
    let threads: &[bool] = if errors_only() {
        &[true]
    } else {
        &[false, true]
    };
    for &parallel in threads {
        let name = format!(
            "{label}/{}",
            if parallel { "2 threads" } else { "1 thread" }
        );
        let mut opts = options(model, parallel);
        if let Some(priors) = priors {
            opts.priors = priors;
        }
        let start = Instant::now();
        let fit = calibrate(data, &opts).expect("calibrates");
        report(&name, &fit, truth, start.elapsed().as_secs_f64());
        bench_briefly(c, "calibration", &name, || {
            calibrate(black_box(data), &opts).expect("calibrates")
        });
    }
}

/// `CALIBRATION_BENCH=errors`: only the fits with standard errors and
/// their fits without.
fn errors_only() -> bool {
    std::env::var("CALIBRATION_BENCH").is_ok_and(|v| v == "errors")
}

/// Ten samples of `f` after half a second of warm-up.
fn bench_briefly<T>(c: &mut Criterion, group: &str, name: &str, mut f: impl FnMut() -> T) {
    let mut g = c.benchmark_group(group);
    g.sample_size(10);
    g.warm_up_time(Duration::from_millis(500));
    g.bench_function(name, |bench| bench.iter(&mut f));
    g.finish();
}

/// The fit with standard errors (all threads).
fn bench_with_standard_errors(
    c: &mut Criterion,
    label: &str,
    data: &ResponseMatrix,
    model: IrtModel,
) {
    let mut opts = options(model, true);
    opts.standard_errors = true;
    let name = format!("{label} with SE/2 threads");
    let start = Instant::now();
    let fit = calibrate(data, &opts).expect("calibrates");
    eprintln!(
        "{name}: {:.3} s; {}",
        start.elapsed().as_secs_f64(),
        fit.standard_errors
    );
    bench_briefly(c, "calibration", &name, || {
        calibrate(black_box(data), &opts).expect("calibrates")
    });
}

/// S-X² of every item of a 2PL fit of `n_items` items x 2,000 persons (the
/// fit stops after a few EM steps: its estimates do not change the cost).
fn bench_item_fit(c: &mut Criterion, n_items: usize, seed: u64) {
    let truth = truth(n_items, false, seed);
    let data = simulate(2_000, &truth, 8);
    let mut opts = options(IrtModel::TwoPl, true);
    opts.max_iterations = 3;
    let fit = calibrate(&data, &opts).expect("calibrates");
    bench_briefly(
        c,
        "item fit",
        &format!("s_x2 {n_items} items x 2000"),
        || s_x2(black_box(&data), &fit),
    );
}

fn benches(c: &mut Criterion) {
    let quick = std::env::var("CALIBRATION_BENCH").is_ok_and(|v| v == "quick");
    let t60 = truth(60, false, 7);
    let d60 = simulate(20_000, &t60, 1);
    bench_mml(c, "2pl 20000x60", &d60, &t60, IrtModel::TwoPl);
    bench_with_standard_errors(c, "2pl 20000x60", &d60, IrtModel::TwoPl);

    let errors = errors_only();
    let rasch = Truth {
        a: vec![1.0; 60],
        b: t60.b.clone(),
        c: vec![0.0; 60],
    };
    let r60 = simulate(20_000, &rasch, 2);
    let start = Instant::now();
    let cml = rasch_cml(&r60).expect("calibrates");
    let mean_b = rasch.b.iter().sum::<f64>() / 60.0;
    let rmse = (cml
        .items
        .iter()
        .zip(&rasch.b)
        .map(|(e, b)| (e.difficulty.unwrap_or(f64::NAN) - (b - mean_b)).powi(2))
        .sum::<f64>()
        / 60.0)
        .sqrt();
    eprintln!(
        "rasch cml 20000x60: {:.4} s, {} iterations, b RMSE {rmse:.4}",
        start.elapsed().as_secs_f64(),
        cml.iterations
    );
    if !errors {
        c.bench_function("calibration/rasch cml 20000x60", |bench| {
            bench.iter(|| rasch_cml(black_box(&r60)).expect("calibrates"))
        });
    }

    let g60 = truth(60, true, 9);
    let d3 = simulate(20_000, &g60, 3);
    bench_mml(c, "3pl 20000x60", &d3, &g60, IrtModel::ThreePl);
    bench_with_standard_errors(c, "3pl 20000x60", &d3, IrtModel::ThreePl);
    // Plain ML (`--prior-a none --prior-c none`): where the EM stalls and
    // the quasi-Newton polish takes over.
    bench_mml_with(
        c,
        "3pl ml 20000x60",
        &d3,
        &g60,
        IrtModel::ThreePl,
        Some(Priors::NONE),
    );
    for n_items in [500, 2_000] {
        if !errors {
            bench_item_fit(c, n_items, 10 + n_items as u64);
        }
    }

    if quick {
        return;
    }
    let t100 = truth(100, false, 11);
    let d100 = simulate(200_000, &t100, 4);
    bench_mml(c, "2pl 200000x100", &d100, &t100, IrtModel::TwoPl);
    bench_with_standard_errors(c, "2pl 200000x100", &d100, IrtModel::TwoPl);
    drop(d100);

    let g100 = truth(100, true, 12);
    if !errors {
        let d3_100 = simulate(200_000, &g100, 5);
        bench_mml(c, "3pl 200000x100", &d3_100, &g100, IrtModel::ThreePl);
    }

    let bank = truth(2000, false, 13);
    let few = simulate_forms(50_000, &bank, 50, 60, 9);
    let label = "2pl concurrent 50 forms x 60 / 2000 items / 50000";
    let opts = options(IrtModel::TwoPl, true);
    let start = Instant::now();
    let fit = calibrate(&few, &opts).expect("calibrates");
    report(label, &fit, &bank, start.elapsed().as_secs_f64());
    bench_briefly(c, "calibration", &format!("{label}/2 threads"), || {
        calibrate(black_box(&few), &opts).expect("calibrates")
    });
    bench_with_standard_errors(c, label, &few, IrtModel::TwoPl);
    drop(few);
    if errors {
        return;
    }
    let forms = simulate_forms(500_000, &bank, 50, 60, 6);
    bench_mml(
        c,
        "2pl concurrent 50 forms x 60 / 2000 items / 500000",
        &forms,
        &bank,
        IrtModel::TwoPl,
    );
}

criterion_group!(calibration, benches);
criterion_main!(calibration);
