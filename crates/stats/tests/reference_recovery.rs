//! Parameter recovery against the reference tools on the same data: a 2PL
//! and a 3PL data set simulated from known parameters with the calibration
//! benchmarks' seeded generator (ChaCha8), fitted by Python mirt 1.2.0 and
//! girth 0.8.0 (their estimates and the exact calls are in
//! tests/data/recovery/, see PROVENANCE.md). Our RMSE against the
//! generating values must be no larger than the best reference tool's.
//!
//! The data are regenerated here, not stored; the fixture holds each
//! item's number of correct answers in the data the tools fitted, so a
//! change in the generator fails the test instead of comparing different
//! data. The generator is `recovery_generator.rs`; `cargo run -p
//! exam-stats --example write_recovery_data -- DIR` writes the CSVs the
//! tools read.

#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

use exam_core::ids::{ItemId, PersonId};
use exam_core::responses::{Cell, ResponseMatrix, ResponseMatrixBuilder};
use exam_stats::calibration::{Calibration, CalibrationOptions, IrtModel, calibrate};
use serde_json::Value;

use crate::recovery_generator::{SETS, simulate, truth};
use crate::reference_data::floats;
use crate::tolerance::RECOVERY_MARGIN;

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/data/recovery/reference_estimates.json"
);

fn matrix(rows: &[Vec<u8>]) -> ResponseMatrix {
    let k = rows[0].len();
    let ids = (0..k).map(|j| ItemId::new(format!("I{j}"))).collect();
    let mut builder = ResponseMatrixBuilder::new(ids).unwrap();
    for (p, row) in rows.iter().enumerate() {
        let cells: Vec<Cell> = row.iter().map(|&x| Cell::Score(x)).collect();
        builder
            .push(PersonId::new(format!("P{p}")), &cells)
            .unwrap();
    }
    builder.build()
}

/// Root mean square error and mean error (bias) of `est` against `truth`.
fn rmse_bias(est: &[f64], truth: &[f64]) -> (f64, f64) {
    let n = truth.len() as f64;
    let sse: f64 = est.iter().zip(truth).map(|(e, t)| (e - t).powi(2)).sum();
    let bias: f64 = est.iter().zip(truth).map(|(e, t)| e - t).sum::<f64>() / n;
    ((sse / n).sqrt(), bias)
}

fn ours(fit: &Calibration) -> [Vec<f64>; 3] {
    let e: Vec<_> = fit
        .items
        .iter()
        .map(|i| i.estimate.as_ref().unwrap())
        .collect();
    [
        e.iter().map(|e| e.a).collect(),
        e.iter().map(|e| e.b().unwrap()).collect(),
        e.iter().map(|e| e.c).collect(),
    ]
}

/// Our RMSE of each parameter is at most the best reference tool's.
fn check(set: usize, model: IrtModel) {
    let (name, n, k, guessing, item_seed, person_seed) = SETS[set];
    let fixture: Value = serde_json::from_str(&std::fs::read_to_string(FIXTURE).unwrap()).unwrap();
    let reference = &fixture[name];
    let truth = truth(k, guessing, item_seed);
    let rows = simulate(n, &truth, person_seed);
    let correct: Vec<f64> = (0..k)
        .map(|j| rows.iter().map(|r| f64::from(r[j])).sum())
        .collect();
    assert_eq!(
        correct,
        floats(&reference["item_correct_counts"]),
        "{name}: not the data the tools fitted"
    );
    let mut options = CalibrationOptions::new(model);
    options.standard_errors = false;
    let fit = calibrate(&matrix(&rows), &options).unwrap();
    assert!(fit.convergence.converged, "{name}: {:?}", fit.convergence);
    let [a, b, c] = ours(&fit);
    let mut params = vec![("a", a, &truth.a), ("b", b, &truth.b)];
    if guessing {
        params.push(("c", c, &truth.c));
    }
    for (param, est, true_values) in params {
        let (rmse, bias) = rmse_bias(&est, true_values);
        let best = ["mirt", "girth"]
            .iter()
            .map(|tool| {
                let (r, _) = rmse_bias(&floats(&reference[tool][param]), true_values);
                (r, *tool)
            })
            .fold((f64::INFINITY, ""), |x, y| if y.0 < x.0 { y } else { x });
        eprintln!(
            "{name} {param}: ours RMSE {rmse:.4} bias {bias:+.4}; best reference {} RMSE {:.4}",
            best.1, best.0
        );
        assert!(
            rmse <= best.0 * (1.0 + RECOVERY_MARGIN),
            "{name} {param}: our RMSE {rmse} above {}'s {}",
            best.1,
            best.0
        );
    }
}

#[test]
fn two_pl_recovery_no_worse_than_mirt_and_girth() {
    check(0, IrtModel::TwoPl);
}

#[test]
fn three_pl_recovery_no_worse_than_mirt_and_girth() {
    check(1, IrtModel::ThreePl);
}
