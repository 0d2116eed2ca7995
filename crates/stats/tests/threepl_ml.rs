//! The 3PL by plain marginal ML (`--prior-a none --prior-c none`): the EM
//! followed by the quasi-Newton polish reaches the maximum, and says so.
//!
//! The oracles are Python mirt 1.2.0 (`tests/data/threepl-ml/`, provenance
//! in its README) and the marginal log-likelihood written out here from
//! its definition, whose finite differences check that the gradient of
//! every parameter off a bound is zero at the estimates (and points out of
//! the box for those on a bound).

#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

use crate::common::reference_matrix;
use crate::reference_data::{floats, reference_path};
use exam_core::quadrature::Quadrature;
use exam_core::responses::{CsvOptions, ResponseMatrix};
use exam_stats::calibration::{
    BoundParameter, Calibration, CalibrationOptions, Estimation, IrtModel, ItemFlag, Priors,
    StopReason, calibrate,
};
use serde_json::Value;

fn data_path(file: &str) -> String {
    format!(
        "{}/../../tests/data/threepl-ml/{file}",
        env!("CARGO_MANIFEST_DIR")
    )
}

fn mirt() -> Value {
    let path = data_path("mirt_3pl.json");
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn plain_ml() -> CalibrationOptions {
    let mut options = CalibrationOptions::new(IrtModel::ThreePl);
    options.priors = Priors::NONE;
    options.standard_errors = false;
    options
}

/// The 0/1 rows of a headed CSV without an id column, read here.
fn rows(path: &std::path::Path) -> Vec<Vec<u8>> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| l.split(',').map(|v| v.trim().parse().unwrap()).collect())
        .collect()
}

/// `Σ_p ln Σ_q w_q Π_j P_j(x_pj | z_q)` with
/// `P = c + (1 − c)/(1 + exp(−(a z + d)))` over the 61-point Gauss–Hermite
/// rule for N(0, 1); `params[j] = (a, d, c)`. Patterns are counted first.
fn marginal_loglik(rows: &[Vec<u8>], params: &[[f64; 3]]) -> f64 {
    let rule = Quadrature::gauss_hermite(61);
    let mut patterns: std::collections::BTreeMap<&[u8], f64> = Default::default();
    for r in rows {
        *patterns.entry(r.as_slice()).or_default() += 1.0;
    }
    patterns
        .iter()
        .map(|(x, count)| {
            let marginal: f64 = rule
                .nodes()
                .iter()
                .zip(rule.weights())
                .map(|(z, w)| {
                    w * x
                        .iter()
                        .zip(params)
                        .map(|(&x, [a, d, c])| {
                            let p = c + (1.0 - c) / (1.0 + (-(a * z + d)).exp());
                            if x == 1 { p } else { 1.0 - p }
                        })
                        .product::<f64>()
                })
                .sum();
            count * marginal.ln()
        })
        .sum()
}

fn estimates(fit: &Calibration) -> Vec<[f64; 3]> {
    fit.items
        .iter()
        .map(|i| {
            let e = i.estimate.as_ref().unwrap();
            [e.a, e.d[0], e.c]
        })
        .collect()
}

fn c_at_bound(fit: &Calibration, j: usize) -> bool {
    fit.items[j].flags.iter().any(|f| {
        matches!(
            f,
            ItemFlag::AtBound {
                parameter: BoundParameter::C,
                ..
            }
        )
    })
}

#[test]
fn lsat6_plain_ml_three_pl_reaches_mirt_and_is_converged() {
    let data = reference_matrix("lsat6.csv");
    let fit = calibrate(&data, &plain_ml()).unwrap();
    let reference = mirt();
    let best_mirt = ["python_em", "rust_em"]
        .iter()
        .map(|run| reference["lsat6"][run]["loglik"].as_f64().unwrap())
        .fold(f64::NEG_INFINITY, f64::max);
    eprintln!(
        "LSAT6 plain-ML 3PL: ours {:.9} (EM steps {}, {:?}), mirt {best_mirt:.9}",
        fit.log_likelihood, fit.iterations, fit.convergence
    );
    assert_eq!(fit.estimation, Estimation::Ml);
    assert!(fit.convergence.converged, "{:?}", fit.convergence);
    assert!(matches!(
        fit.convergence.reason,
        StopReason::ParameterChange | StopReason::ProjectedGradient
    ));
    // mirt's fit is a maximum inside its box (c ≥ 0, a ≤ 5); ours is inside
    // a box at least as wide, so it cannot be lower.
    assert!(
        fit.log_likelihood >= best_mirt,
        "{} < {best_mirt}",
        fit.log_likelihood
    );
    let params = estimates(&fit);
    let x = rows(&reference_path("lsat6.csv"));
    let ll = marginal_loglik(&x, &params);
    assert!((ll - fit.log_likelihood).abs() < 1e-8, "{ll}");
    // The polish stops at a projected gradient of 1e-6 per person.
    check_stationary(&fit, |p| marginal_loglik(&x, p), 1e-3);
}

/// Central differences of a written-out objective: every parameter off a
/// bound has a derivative of at most `tol`; a `c` on its lower bound
/// (flagged) has a non-positive one-sided derivative into the box.
fn check_stationary(fit: &Calibration, objective: impl Fn(&[[f64; 3]]) -> f64, tol: f64) {
    let params = estimates(fit);
    let h = 1e-5;
    for j in 0..params.len() {
        for (k, name) in ["a", "d", "c"].iter().enumerate() {
            let at = |delta: f64| {
                let mut p = params.clone();
                p[j][k] += delta;
                objective(&p)
            };
            if k == 2 && c_at_bound(fit, j) {
                let forward = (at(h) - at(0.0)) / h;
                eprintln!(
                    "item {j} c at bound {:.3e}: d/dc {forward:.3e}",
                    params[j][2]
                );
                assert!(forward <= tol, "item {j} c: {forward}");
                continue;
            }
            let derivative = (at(h) - at(-h)) / (2.0 * h);
            eprintln!(
                "item {j} {name} {:.6}: derivative {derivative:.3e}",
                params[j][k]
            );
            assert!(derivative.abs() <= tol, "item {j} {name}: {derivative}");
        }
    }
}

#[test]
fn simulated_plain_ml_three_pl_agrees_with_mirt_inside_its_box() {
    let reference = mirt();
    let sim = &reference["simulated_3pl"];
    // Both of mirt's runs ended strictly inside its box: an unconstrained
    // maximum (the two agree to 1.3e-4 in every parameter).
    for run in ["python_em", "rust_em"] {
        assert!(sim[run]["inside_box"].as_bool().unwrap());
    }
    let data = simulated();
    let counts: Vec<usize> = (0..data.n_items())
        .map(|j| {
            data.blocks()
                .iter()
                .map(|b| {
                    let col = b.items().iter().position(|&i| i == j).unwrap();
                    b.scores()
                        .chunks_exact(b.n_items())
                        .filter(|row| row[col] == 1)
                        .count()
                })
                .sum()
        })
        .collect();
    // The file is the one mirt read (its item sums, counted by the script).
    let expected: Vec<usize> = sim["item_correct_counts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap() as usize)
        .collect();
    assert_eq!(counts, expected);
    let fit = calibrate(&data, &plain_ml()).unwrap();
    let mirt_fit = &sim["rust_em"];
    let loglik = mirt_fit["loglik"].as_f64().unwrap();
    eprintln!(
        "simulated plain-ML 3PL: ours {:.6} (EM steps {}, {:?}), mirt {loglik:.6}",
        fit.log_likelihood, fit.iterations, fit.convergence
    );
    assert!(fit.convergence.converged, "{:?}", fit.convergence);
    assert!((fit.log_likelihood - loglik).abs() < 1e-3);
    let params = estimates(&fit);
    let (a, d, c) = (
        floats(&mirt_fit["a"]),
        floats(&mirt_fit["d"]),
        floats(&mirt_fit["c"]),
    );
    let mut worst = [0.0f64; 3];
    for (j, p) in params.iter().enumerate() {
        assert!(fit.items[j].flags.is_empty(), "{:?}", fit.items[j].flags);
        for (k, m) in [a[j], d[j], c[j]].iter().enumerate() {
            worst[k] = worst[k].max((p[k] - m).abs());
        }
    }
    eprintln!(
        "largest differences from mirt: a {:.2e}, d {:.2e}, c {:.2e}",
        worst[0], worst[1], worst[2]
    );
    // mirt's two runs differ by up to 1.3e-4; a quarter of the shared
    // reference data's 1e-3 for MML slopes and intercepts is allowed.
    assert!(worst.iter().all(|w| *w < 5e-4), "{worst:?}");
}

fn simulated() -> ResponseMatrix {
    let path = data_path("simulated_3pl.csv");
    let reader = std::fs::File::open(&path).unwrap();
    ResponseMatrix::from_csv(reader, &path, CsvOptions { id_column: false }).unwrap()
}

/// The EM stopped far too early (its parameter-change rule at 1e-2): the
/// polish alone must carry the fit to mirt's maximum.
#[test]
fn a_stalled_em_is_polished_to_mirts_maximum() {
    let reference = mirt();
    let mirt_fit = &reference["simulated_3pl"]["rust_em"];
    let mut options = plain_ml();
    options.tolerance = 1e-2;
    let fit = calibrate(&simulated(), &options).unwrap();
    eprintln!("stalled EM then polish: {:?}", fit.convergence);
    assert!(fit.convergence.converged);
    assert_eq!(fit.convergence.reason, StopReason::ProjectedGradient);
    let polish = fit.convergence.polish.as_ref().unwrap();
    assert!(polish.evaluations > 0 && polish.gain > 0.0);
    assert!((fit.log_likelihood - mirt_fit["loglik"].as_f64().unwrap()).abs() < 1e-3);
    let (a, d, c) = (
        floats(&mirt_fit["a"]),
        floats(&mirt_fit["d"]),
        floats(&mirt_fit["c"]),
    );
    for (j, p) in estimates(&fit).iter().enumerate() {
        for (k, m) in [a[j], d[j], c[j]].iter().enumerate() {
            assert!(
                (p[k] - m).abs() < 5e-4,
                "item {j} parameter {k}: {} vs {m}",
                p[k]
            );
        }
    }
}

/// Under MAP the polish maximises the log-posterior: with BILOG-MG's
/// priors (lognormal(0, 0.5) on a, Beta(6, 16) on c, their log-densities
/// written out here up to constants) the derivatives vanish at the
/// estimates after an EM stopped early.
#[test]
fn map_polish_maximises_the_log_posterior() {
    let data = reference_matrix("lsat6.csv");
    let mut options = CalibrationOptions::new(IrtModel::ThreePl);
    options.standard_errors = false;
    options.tolerance = 1e-2;
    let fit = calibrate(&data, &options).unwrap();
    eprintln!("MAP, stalled EM then polish: {:?}", fit.convergence);
    assert_eq!(fit.estimation, Estimation::Map);
    assert!(fit.convergence.converged);
    assert_eq!(fit.convergence.reason, StopReason::ProjectedGradient);
    let x = rows(&reference_path("lsat6.csv"));
    let log_posterior = |p: &[[f64; 3]]| {
        marginal_loglik(&x, p)
            + p.iter()
                .map(|[a, _, c]| {
                    let z = a.ln() / 0.5;
                    -a.ln() - 0.5 * z * z + 5.0 * c.ln() + 15.0 * (1.0 - c).ln()
                })
                .sum::<f64>()
    };
    check_stationary(&fit, log_posterior, 1e-3);
}
