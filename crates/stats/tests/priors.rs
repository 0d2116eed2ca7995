//! Priors stated and switchable: which objective a calibration maximised
//! (ML or MAP), with which priors, and the log-posterior beside the
//! log-likelihood, with the BILOG-MG prior densities written out here.

#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

use crate::common::reference_matrix;
use crate::tolerance::{CLOSED_FORM, ROUNDING};
use exam_stats::calibration::{
    BetaPrior, CalibrationOptions, Estimation, IrtModel, LogNormalPrior, calibrate,
};

fn ln_factorial(n: u32) -> f64 {
    (2..=n).map(|k| f64::from(k).ln()).sum()
}

/// The BILOG-MG priors' log-densities, written out: lognormal(0, 0.5) and
/// Beta(6, 16) with `B(6, 16) = 5! 15! / 21!`.
fn bilog_log_prior(a: f64, c: f64) -> f64 {
    let z = a.ln() / 0.5;
    let lognormal = -a.ln() - 0.5f64.ln() - 0.5 * (2.0 * std::f64::consts::PI).ln() - 0.5 * z * z;
    let ln_beta_fn = ln_factorial(5) + ln_factorial(15) - ln_factorial(21);
    let beta = 5.0 * c.ln() + 15.0 * (1.0 - c).ln() - ln_beta_fn;
    lognormal + beta
}

#[test]
fn three_pl_default_is_map_and_says_so() {
    let data = reference_matrix("lsat6.csv");
    let mut options = CalibrationOptions::new(IrtModel::ThreePl);
    options.standard_errors = false;
    let fit = calibrate(&data, &options).unwrap();
    assert_eq!(fit.estimation, Estimation::Map);
    assert_eq!(
        fit.priors.a,
        Some(LogNormalPrior {
            mean_log: 0.0,
            sd_log: 0.5
        })
    );
    assert_eq!(
        fit.priors.c,
        Some(BetaPrior {
            alpha: 6.0,
            beta: 16.0
        })
    );
    let prior: f64 = fit
        .items
        .iter()
        .map(|i| {
            let e = i.estimate.as_ref().unwrap();
            bilog_log_prior(e.a, e.c)
        })
        .sum();
    assert!((fit.log_posterior - (fit.log_likelihood + prior)).abs() < CLOSED_FORM);
    let json = serde_json::to_value(&fit).unwrap();
    assert_eq!(json["estimation"], "map");
    assert_eq!(json["priors"]["a"]["distribution"], "lognormal");
    assert_eq!(json["priors"]["c"]["distribution"], "beta");
}

#[test]
fn two_pl_default_is_ml_and_a_slope_prior_makes_it_map() {
    let data = reference_matrix("lsat6.csv");
    let mut options = CalibrationOptions::new(IrtModel::TwoPl);
    options.standard_errors = false;
    let ml = calibrate(&data, &options).unwrap();
    assert_eq!(ml.estimation, Estimation::Ml);
    assert_eq!(ml.priors.a, None);
    assert!((ml.log_posterior - ml.log_likelihood).abs() < ROUNDING);
    options.priors.a = Some(LogNormalPrior::BILOG);
    let map = calibrate(&data, &options).unwrap();
    assert_eq!(map.estimation, Estimation::Map);
    // The prior moves the estimates: the likelihood can only fall.
    assert!(map.log_likelihood <= ml.log_likelihood + CLOSED_FORM);
    assert!(map.log_posterior < map.log_likelihood);
}
