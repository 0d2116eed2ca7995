//! The partial credit and rating scale models by CML against R eRm 1.0.2
//! (`PCM(x, sum0 = TRUE)`, `thresholds()`, `RSM(x, sum0 = TRUE)`) on the
//! 0/1/2 verbal-aggression data (`tests/data/reference/verbal_aggression.json`,
//! section `pcm_cml`), and, on 0/1 data, against eRm's Rasch CML and its
//! Andersen LR test (`LRtest(RM(x), splitcr = "mean")`, section `rasch_cml`
//! of each data set); provenance in SOURCE-README.md there.

#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

use crate::common::reference_matrix;
use crate::reference_data::{floats, reference};
use crate::tolerance::{CLOSED_FORM, CML, ITERATIVE, ROUNDING};
use exam_stats::calibration::{PolytomousRasch, ScoreSplit, andersen_lr, pcm_cml};

#[test]
fn partial_credit_model_matches_erm() {
    let data = reference_matrix("verbal_aggression_poly.csv");
    let expected = &reference("verbal_aggression")["pcm_cml"];
    let fit = pcm_cml(&data, PolytomousRasch::PartialCredit).unwrap();
    assert!(fit.convergence.converged);
    assert_eq!(fit.n_parameters, 47);
    let dl = fit.conditional_log_likelihood - expected["loglik_conditional"].as_f64().unwrap();
    let (mut max_tau, mut max_loc) = (0.0f64, 0.0f64);
    for (item, want) in fit.items.iter().zip(expected["items"].as_array().unwrap()) {
        assert_eq!(item.id.as_str(), want["id"].as_str().unwrap());
        for (t, w) in item.thresholds.iter().zip(floats(&want["thresholds"])) {
            max_tau = max_tau.max((t.value - w).abs());
            assert!(t.se.is_some_and(|se| se > 0.0 && se < 1.0));
        }
        max_loc = max_loc.max((item.location.value - want["location"].as_f64().unwrap()).abs());
    }
    eprintln!(
        "PCM: Δ cond. loglik {dl:.2e}, max |Δτ| {max_tau:.2e}, max |Δlocation| {max_loc:.2e}"
    );
    assert!(dl.abs() < CML && max_tau < CML && max_loc < CML);
}

/// eRm's RSM `eta`: item parameters of items 2..k (item 1's is minus their
/// sum, so the k values sum to zero), then `κ_2 − κ_1`, the spread of the
/// two category thresholds (0/1/2 items).
#[test]
fn rating_scale_model_matches_erm() {
    let data = reference_matrix("verbal_aggression_poly.csv");
    let expected = &reference("verbal_aggression")["pcm_cml"]["rsm"];
    let fit = pcm_cml(&data, PolytomousRasch::RatingScale).unwrap();
    assert!(fit.convergence.converged);
    assert_eq!(fit.n_parameters, 24);
    let dl = fit.conditional_log_likelihood - expected["loglik_conditional"].as_f64().unwrap();
    let eta = floats(&expected["eta"]);
    let k = fit.items.len();
    let mut erm_items = vec![-eta[..k - 1].iter().sum::<f64>()];
    erm_items.extend_from_slice(&eta[..k - 1]);
    let mean = fit.items.iter().map(|i| i.location.value).sum::<f64>() / k as f64;
    let max_loc = fit
        .items
        .iter()
        .zip(&erm_items)
        .map(|(i, e)| (i.location.value - mean - e).abs())
        .fold(0.0f64, f64::max);
    let kappa = fit.category_thresholds.as_ref().unwrap();
    let spread = kappa[1].value - kappa[0].value;
    assert!((kappa[0].value + kappa[1].value).abs() < ROUNDING);
    // Every item's thresholds are its location plus the common κ's.
    for item in &fit.items {
        for (t, c) in item.thresholds.iter().zip(kappa) {
            assert!((t.value - item.location.value - c.value).abs() < CLOSED_FORM);
        }
    }
    eprintln!(
        "RSM: Δ cond. loglik {dl:.2e}, max |Δ centred location| {max_loc:.2e}, Δ threshold spread {:.2e}",
        spread - eta[k - 1]
    );
    assert!(dl.abs() < CML && max_loc < CML && (spread - eta[k - 1]).abs() < CML);
}

/// On 0/1 items the PCM is the Rasch model: the same difficulties,
/// standard errors and conditional log-likelihood as eRm's `RM`, and
/// Andersen's LR for eRm's mean split equals `LRtest`'s.
#[test]
fn on_dichotomous_items_it_is_erm_rasch_with_its_lr_test() {
    for name in ["lsat6", "raschdat1", "verbal_aggression"] {
        let data = reference_matrix(&format!("{name}.csv"));
        let reference = &reference(name)["rasch_cml"];
        let fit = pcm_cml(&data, PolytomousRasch::PartialCredit).unwrap();
        let (b, se) = (floats(&reference["difficulty"]), floats(&reference["se"]));
        for (j, item) in fit.items.iter().enumerate() {
            assert!((item.location.value - b[j]).abs() < CML, "{name} {j}");
            assert!(
                (item.location.se.unwrap() - se[j]).abs() < CML,
                "{name} {j}"
            );
        }
        let loglik = reference["conditional_loglik"].as_f64().unwrap();
        assert!(
            (fit.conditional_log_likelihood - loglik).abs() < CML,
            "{name}"
        );
        let want = &reference["andersen_LR_mean_split_erm"];
        let lr = andersen_lr(&data, &fit, ScoreSplit::Mean).unwrap();
        eprintln!(
            "{name}: LR {} (eRm {}), df {} (eRm {}), p {} (eRm {})",
            lr.lr, want["LR"], lr.df, want["df"], lr.p_value, want["p_value"]
        );
        assert!((lr.lr - want["LR"].as_f64().unwrap()).abs() < CML, "{name}");
        assert_eq!(lr.df as u64, want["df"].as_u64().unwrap());
        assert!(
            (lr.p_value - want["p_value"].as_f64().unwrap()).abs() < CML,
            "{name}"
        );
    }
}

/// Warm's weighted likelihood estimates, checked against a direct
/// maximisation of `ln L(θ) + ½ ln I(θ)` written here from the PCM's
/// definition (a fine grid refined by golden-section search).
#[test]
fn person_parameters_maximise_the_weighted_likelihood() {
    use exam_stats::calibration::wle_score_table;
    let data = reference_matrix("verbal_aggression_poly.csv");
    let fit = pcm_cml(&data, PolytomousRasch::PartialCredit).unwrap();
    let all: Vec<usize> = (0..fit.items.len()).collect();
    let table = wle_score_table(&fit, &all);
    assert_eq!(table.len(), 49);
    let cumulative: Vec<Vec<f64>> = fit.items.iter().map(|i| i.cumulative()).collect();
    let weighted = |r: f64, theta: f64| {
        let (mut loglik, mut info) = (r * theta, 0.0);
        for delta in &cumulative {
            let mut probs = vec![1.0];
            probs.extend(
                delta
                    .iter()
                    .enumerate()
                    .map(|(h, d)| ((h + 1) as f64 * theta - d).exp()),
            );
            let z: f64 = probs.iter().sum();
            loglik -= z.ln();
            let mean: f64 = probs
                .iter()
                .enumerate()
                .map(|(h, p)| h as f64 * p / z)
                .sum();
            let second: f64 = probs
                .iter()
                .enumerate()
                .map(|(h, p)| (h * h) as f64 * p / z)
                .sum();
            info += second - mean * mean;
        }
        (loglik + 0.5 * info.ln(), info)
    };
    for row in &table {
        let r = row.score as f64;
        let grid_best = (-1200..=1200)
            .map(|i| f64::from(i) * 0.01)
            .max_by(|a, b| weighted(r, *a).0.total_cmp(&weighted(r, *b).0))
            .unwrap();
        let (mut lo, mut hi) = (grid_best - 0.01, grid_best + 0.01);
        let golden = 0.5 * (5f64.sqrt() - 1.0);
        for _ in 0..100 {
            let (x1, x2) = (hi - golden * (hi - lo), lo + golden * (hi - lo));
            if weighted(r, x1).0 < weighted(r, x2).0 {
                lo = x1;
            } else {
                hi = x2;
            }
        }
        let theta = 0.5 * (lo + hi);
        assert!(
            (row.theta - theta).abs() < ITERATIVE,
            "score {}: {} vs {theta}",
            row.score,
            row.theta
        );
        assert!((row.se - 1.0 / weighted(r, theta).1.sqrt()).abs() < ITERATIVE);
    }
    // Finite at the extremes and increasing in the score.
    assert!(table.windows(2).all(|w| w[0].theta < w[1].theta));
}
