//! Parameter recovery on data simulated from known parameters (seeded
//! ChaCha8), small enough for debug-mode CI, plus the reporting of runs and
//! items that cannot be estimated.

#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

use crate::recovery_generator::normal;
use crate::tolerance::ROUNDING;
use exam_core::ids::{ItemId, PersonId};
use exam_core::irt::ItemParams;
use exam_core::responses::{Cell, ResponseMatrix, ResponseMatrixBuilder};
use exam_stats::calibration::{
    Calibration, CalibrationError, CalibrationOptions, IrtModel, ItemFlag, StopReason, calibrate,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A generating item: slope, intercepts `d_1..d_m` (GPCM form) and `c`.
#[derive(Clone)]
struct True {
    a: f64,
    d: Vec<f64>,
    c: f64,
}

impl True {
    /// A dichotomous item of slope `a`, difficulty `b` and lower asymptote
    /// `c` (intercept `d = −a b`).
    fn dichotomous(a: f64, b: f64, c: f64) -> Self {
        Self {
            a,
            d: vec![-a * b],
            c,
        }
    }

    fn draw(&self, theta: f64, rng: &mut ChaCha8Rng) -> u8 {
        if self.d.len() == 1 {
            let p = self.c + (1.0 - self.c) / (1.0 + (-(self.a * theta + self.d[0])).exp());
            return u8::from(rng.random::<f64>() < p);
        }
        let mut z: Vec<f64> = std::iter::once(0.0)
            .chain(
                self.d
                    .iter()
                    .enumerate()
                    .map(|(k, d)| self.a * (k + 1) as f64 * theta + d),
            )
            .map(f64::exp)
            .collect();
        let total: f64 = z.iter().sum();
        z.iter_mut().for_each(|v| *v /= total);
        let u: f64 = rng.random();
        let mut acc = 0.0;
        for (k, p) in z.iter().enumerate() {
            acc += p;
            if u < acc {
                return k as u8;
            }
        }
        (z.len() - 1) as u8
    }
}

/// Simulates persons with θ ~ N(mean, sd²); `form(p)` says which items
/// person `p` sees (None: all).
fn simulate(
    items: &[True],
    n: usize,
    (mean, sd): (f64, f64),
    seed: u64,
    form: impl Fn(usize) -> Option<Vec<usize>>,
) -> ResponseMatrix {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let ids = (0..items.len())
        .map(|j| ItemId::new(format!("Q{j}")))
        .collect();
    let mut builder = ResponseMatrixBuilder::new(ids).unwrap();
    for p in 0..n {
        let theta = mean + sd * normal(&mut rng);
        let seen = form(p);
        let cells: Vec<Cell> = items
            .iter()
            .enumerate()
            .map(|(j, it)| {
                let x = it.draw(theta, &mut rng);
                match &seen {
                    Some(list) if !list.contains(&j) => Cell::NotPresented,
                    _ => Cell::Score(x),
                }
            })
            .collect();
        builder
            .push(PersonId::new(format!("P{p}")), &cells)
            .unwrap();
    }
    builder.build()
}

/// `k` generating items, item `j` drawn by `draw(j, rng)` from one
/// generator seeded with `seed`.
fn generate(
    k: usize,
    seed: u64,
    mut draw: impl FnMut(usize, &mut ChaCha8Rng) -> True,
) -> Vec<True> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..k).map(|j| draw(j, &mut rng)).collect()
}

fn two_pl_items(k: usize, seed: u64) -> Vec<True> {
    generate(k, seed, |_, rng| {
        let a = 0.6 + 1.4 * rng.random::<f64>();
        let b = (1.2 * normal(rng)).clamp(-2.2, 2.2);
        True::dichotomous(a, b, 0.0)
    })
}

fn rmse(
    fit: &Calibration,
    items: &[True],
    f: impl Fn(&True) -> f64,
    g: impl Fn(&exam_stats::calibration::ItemEstimate) -> f64,
) -> f64 {
    let mut n = 0.0;
    let mut sse = 0.0;
    for (item, t) in fit.items.iter().zip(items) {
        if let Some(e) = &item.estimate {
            if !item.fixed {
                sse += (g(e) - f(t)).powi(2);
                n += 1.0;
            }
        }
    }
    (sse / n).sqrt()
}

/// Asserts that `fit` converged and recovered its free two-step GPCM items
/// (generated as `items`): slope RMSE below 0.1, each step's below 0.15.
fn assert_gpcm_recovered(fit: &Calibration, items: &[True]) {
    assert!(fit.convergence.converged);
    let a = rmse(fit, items, |t| t.a, |e| e.a);
    let b1 = rmse(fit, items, |t| -t.d[0] / t.a, |e| e.steps()[0]);
    let b2 = rmse(fit, items, |t| -(t.d[1] - t.d[0]) / t.a, |e| e.steps()[1]);
    assert!(a < 0.1, "a RMSE {a}");
    assert!(b1 < 0.15 && b2 < 0.15, "step RMSE {b1} {b2}");
}

/// No standard errors and 31 quadrature points: plenty for recovery at
/// these sample sizes, and half the work of the default 61 in debug builds.
fn quick(model: IrtModel) -> CalibrationOptions {
    let mut o = CalibrationOptions::new(model);
    o.standard_errors = false;
    o.quadrature_points = 31;
    o
}

#[test]
fn two_pl_recovers_slopes_and_difficulties() {
    // The errors should be of the size of the sampling error the SEs
    // predict: RMSE within 1.5 times the root-mean-square SE.
    let items = two_pl_items(15, 1);
    let data = simulate(&items, 3000, (0.0, 1.0), 2, |_| None);
    let fit = calibrate(&data, &CalibrationOptions::new(IrtModel::TwoPl)).unwrap();
    assert!(fit.convergence.converged);
    let a = rmse(&fit, &items, |t| t.a, |e| e.a);
    let b = rmse(&fit, &items, |t| -t.d[0] / t.a, |e| e.b().unwrap());
    let rms_se = |f: fn(&exam_stats::calibration::ItemEstimate) -> f64| {
        (fit.items
            .iter()
            .map(|i| f(i.estimate.as_ref().unwrap()).powi(2))
            .sum::<f64>()
            / 15.0)
            .sqrt()
    };
    let (se_a, se_b) = (rms_se(|e| e.se_a.unwrap()), rms_se(|e| e.se_b.unwrap()));
    assert!(a < 1.5 * se_a, "a RMSE {a}, RMS SE {se_a}");
    assert!(b < 1.5 * se_b, "b RMSE {b}, RMS SE {se_b}");
    assert!(a < 0.15 && b < 0.1, "a RMSE {a}, b RMSE {b}");
}

#[test]
fn standard_errors_cover_the_sampling_error() {
    // With SEs from the observed information, (estimate − truth)/SE over the
    // 30 slopes and intercepts should look standard normal: its mean square
    // near 1 (between 0.4 and 2 for 30 draws).
    let items = two_pl_items(15, 3);
    let data = simulate(&items, 2000, (0.0, 1.0), 4, |_| None);
    let fit = calibrate(&data, &CalibrationOptions::new(IrtModel::TwoPl)).unwrap();
    let mut z2 = 0.0;
    for (item, t) in fit.items.iter().zip(&items) {
        let e = item.estimate.as_ref().unwrap();
        z2 += ((e.a - t.a) / e.se_a.unwrap()).powi(2);
        z2 += ((e.d[0] - t.d[0]) / e.se_d.as_ref().unwrap()[0]).powi(2);
    }
    let mean_square = z2 / 30.0;
    assert!((0.4..2.0).contains(&mean_square), "{mean_square}");
}

#[test]
fn three_pl_with_beta_prior_recovers_parameters() {
    let items = generate(20, 5, |_, rng| {
        let a = 0.8 + 1.2 * rng.random::<f64>();
        let b = (normal(rng)).clamp(-1.8, 2.0);
        True::dichotomous(a, b, 0.1 + 0.2 * rng.random::<f64>())
    });
    let data = simulate(&items, 6000, (0.0, 1.0), 6, |_| None);
    let fit = calibrate(&data, &quick(IrtModel::ThreePl)).unwrap();
    assert!(fit.convergence.converged);
    let a = rmse(&fit, &items, |t| t.a, |e| e.a);
    let b = rmse(&fit, &items, |t| -t.d[0] / t.a, |e| e.b().unwrap());
    let c = rmse(&fit, &items, |t| t.c, |e| e.c);
    assert!(a < 0.25, "a RMSE {a}");
    assert!(b < 0.2, "b RMSE {b}");
    assert!(c < 0.06, "c RMSE {c}");
}

#[test]
fn gpcm_recovers_slopes_and_steps() {
    let items = generate(10, 7, |_, rng| {
        let a = 0.7 + 1.0 * rng.random::<f64>();
        let b1 = -1.0 + 0.8 * normal(rng).clamp(-1.0, 1.0);
        let b2 = b1 + 0.5 + rng.random::<f64>();
        // d_k = −a Σ_{v ≤ k} b_v.
        True {
            a,
            d: vec![-a * b1, -a * (b1 + b2)],
            c: 0.0,
        }
    });
    let data = simulate(&items, 3000, (0.0, 1.0), 8, |_| None);
    let fit = calibrate(&data, &quick(IrtModel::Gpcm)).unwrap();
    assert_gpcm_recovered(&fit, &items);
    let params = fit.items[0]
        .estimate
        .as_ref()
        .unwrap()
        .gpcm_params()
        .unwrap();
    assert_eq!(params.max_score(), 2);
}

/// A GPCM run beside fixed 3PL anchors (the pilot's second run): the
/// anchors' lower asymptotes switch the E-step to its tabled kernel, which
/// must carry every category of the partial-credit items, not only the
/// first. Checked by recovery and by the log-likelihood written out here
/// from the models' formulas.
#[test]
fn gpcm_items_beside_fixed_three_pl_anchors_recover() {
    let mut rng = ChaCha8Rng::seed_from_u64(21);
    let mut items: Vec<True> = (0..12)
        .map(|_| {
            let a = 0.8 + rng.random::<f64>();
            let b = (normal(&mut rng)).clamp(-1.5, 1.5);
            True::dichotomous(a, b, 0.2)
        })
        .collect();
    items.extend((0..6).map(|_| {
        let a = 0.7 + rng.random::<f64>();
        let b1 = -0.8 + 0.5 * normal(&mut rng).clamp(-1.0, 1.0);
        let b2 = b1 + 0.6 + rng.random::<f64>();
        True {
            a,
            d: vec![-a * b1, -a * (b1 + b2)],
            c: 0.0,
        }
    }));
    let data = simulate(&items, 3000, (0.0, 1.0), 22, |_| None);
    let mut options = quick(IrtModel::Gpcm);
    options.anchors = items[..12]
        .iter()
        .enumerate()
        .map(|(j, t)| {
            let params = ItemParams::new(t.a, -t.d[0] / t.a, t.c).unwrap();
            (ItemId::new(format!("Q{j}")), params)
        })
        .collect();
    let fit = calibrate(&data, &options).unwrap();
    assert_gpcm_recovered(&fit, &items);

    // Σ_p ln Σ_q w_q Π_j P_j(x_pj | μ + σ z_q), 3PL or GPCM per item.
    let rule = exam_core::quadrature::Quadrature::gauss_hermite(31);
    let estimates: Vec<_> = fit
        .items
        .iter()
        .map(|i| i.estimate.clone().unwrap())
        .collect();
    let prob = |j: usize, x: u8, theta: f64| -> f64 {
        let e = &estimates[j];
        if e.d.len() == 1 {
            let p = e.c + (1.0 - e.c) / (1.0 + (-(e.a * theta + e.d[0])).exp());
            return if x == 1 { p } else { 1.0 - p };
        }
        let z: Vec<f64> = std::iter::once(0.0)
            .chain(
                e.d.iter()
                    .enumerate()
                    .map(|(k, d)| e.a * (k + 1) as f64 * theta + d),
            )
            .map(f64::exp)
            .collect();
        z[usize::from(x)] / z.iter().sum::<f64>()
    };
    let mut loglik = 0.0;
    for p in 0..data.n_persons() {
        let row: Vec<u8> = (0..data.n_items())
            .map(|j| match data.cell(p, j) {
                Cell::Score(x) => x,
                other => panic!("complete data: {other:?}"),
            })
            .collect();
        let marginal: f64 = rule
            .nodes()
            .iter()
            .zip(rule.weights())
            .map(|(z, w)| {
                let theta = fit.latent.mean + fit.latent.sd * z;
                w * row
                    .iter()
                    .enumerate()
                    .map(|(j, &x)| prob(j, x, theta))
                    .product::<f64>()
            })
            .sum();
        loglik += marginal.ln();
    }
    assert!(
        (loglik - fit.log_likelihood).abs() < 1e-6 * loglik.abs(),
        "{loglik} against {}",
        fit.log_likelihood
    );
}

#[test]
fn concurrent_calibration_over_linked_forms() {
    // Three forms of 10 items over a 24-item bank; neighbouring forms share
    // 3 items. Each person sees one form; the rest is "not presented".
    let items = two_pl_items(24, 9);
    let forms: Vec<Vec<usize>> = vec![(0..10).collect(), (7..17).collect(), (14..24).collect()];
    let data = simulate(&items, 4500, (0.0, 1.0), 10, |p| Some(forms[p % 3].clone()));
    assert_eq!(data.blocks().len(), 3);
    let fit = calibrate(&data, &quick(IrtModel::TwoPl)).unwrap();
    assert!(fit.convergence.converged);
    assert!(fit.items.iter().all(|i| i.estimate.is_some()));
    assert_eq!(fit.items[8].n, 3000);
    assert_eq!(fit.items[0].n, 1500);
    let b = rmse(&fit, &items, |t| -t.d[0] / t.a, |e| e.b().unwrap());
    let a = rmse(&fit, &items, |t| t.a, |e| e.a);
    assert!(a < 0.15 && b < 0.15, "a RMSE {a}, b RMSE {b}");
}

#[test]
fn fixed_item_calibration_puts_pretest_items_on_the_bank_scale() {
    // The population is N(0.5, 1.2²) on the bank scale. Twelve operational
    // items are held at their bank parameters; six pretest items are
    // estimated, and must come out on the bank scale (not standardised).
    let items = two_pl_items(18, 11);
    let data = simulate(&items, 5000, (0.5, 1.2), 12, |_| None);
    let mut options = quick(IrtModel::TwoPl);
    options.anchors = items[..12]
        .iter()
        .enumerate()
        .map(|(j, t)| {
            (
                ItemId::new(format!("Q{j}")),
                ItemParams::from_slope_intercept(t.a, t.d[0], 0.0).unwrap(),
            )
        })
        .collect();
    let fit = calibrate(&data, &options).unwrap();
    assert!(fit.convergence.converged);
    assert!((fit.latent.mean - 0.5).abs() < 0.08, "{:?}", fit.latent);
    assert!((fit.latent.sd - 1.2).abs() < 0.08, "{:?}", fit.latent);
    for (item, t) in fit.items.iter().zip(&items).take(12) {
        assert!(item.fixed);
        assert!((item.estimate.as_ref().unwrap().a - t.a).abs() < ROUNDING);
    }
    let pretest_b = rmse(&fit, &items, |t| -t.d[0] / t.a, |e| e.b().unwrap());
    let pretest_a = rmse(&fit, &items, |t| t.a, |e| e.a);
    assert!(
        pretest_b < 0.15 && pretest_a < 0.15,
        "{pretest_a} {pretest_b}"
    );
    assert_eq!(fit.n_parameters, 6 * 2 + 2);
}

#[test]
fn items_without_variance_are_reported_not_estimated() {
    let mut items = two_pl_items(8, 13);
    items[3] = True {
        a: 1.0,
        d: vec![60.0], // everyone right
        c: 0.0,
    };
    let data = simulate(&items, 500, (0.0, 1.0), 14, |_| None);
    let fit = calibrate(&data, &quick(IrtModel::TwoPl)).unwrap();
    assert!(fit.items[3].estimate.is_none());
    assert_eq!(fit.items[3].flags, vec![ItemFlag::NoVariance { score: 1 }]);
    assert!(
        fit.items
            .iter()
            .enumerate()
            .all(|(j, i)| j == 3 || i.estimate.is_some())
    );
    assert_eq!(fit.n_parameters, 14);
}

#[test]
fn a_run_that_stops_early_says_so() {
    let items = two_pl_items(10, 15);
    let data = simulate(&items, 500, (0.0, 1.0), 16, |_| None);
    let mut options = quick(IrtModel::TwoPl);
    options.max_iterations = 2;
    let fit = calibrate(&data, &options).unwrap();
    assert!(!fit.convergence.converged);
    assert_eq!(fit.convergence.reason, StopReason::IterationLimit);
    assert!(fit.convergence.max_change > options.tolerance);
}

#[test]
fn bad_requests_are_typed_errors() {
    let items = two_pl_items(4, 17);
    let data = simulate(&items, 100, (0.0, 1.0), 18, |_| None);
    let mut options = quick(IrtModel::TwoPl);
    options.anchors = vec![(ItemId::new("nope"), ItemParams::two_pl(1.0, 0.0).unwrap())];
    assert_eq!(
        calibrate(&data, &options).unwrap_err(),
        CalibrationError::UnknownAnchor {
            item: ItemId::new("nope")
        }
    );
    let mut options = quick(IrtModel::TwoPl);
    options.quadrature_points = 1;
    assert!(matches!(
        calibrate(&data, &options),
        Err(CalibrationError::InvalidOption {
            name: "quadrature_points",
            ..
        })
    ));
    let poly = vec![
        True {
            a: 1.0,
            d: vec![0.5, 0.0],
            c: 0.0,
        };
        3
    ];
    let data = simulate(&poly, 100, (0.0, 1.0), 19, |_| None);
    assert!(matches!(
        calibrate(&data, &quick(IrtModel::TwoPl)),
        Err(CalibrationError::Polytomous { .. })
    ));
}

#[test]
fn s_x2_accepts_the_true_model_and_rejects_a_wrong_one() {
    use exam_stats::calibration::fit::s_x2;
    let items = generate(12, 21, |j, rng| {
        // Slopes from 0.4 to 2.6: far from common.
        let a = 0.4 + 0.2 * j as f64;
        let b = (normal(rng)).clamp(-1.5, 1.5);
        True::dichotomous(a, b, 0.0)
    });
    let data = simulate(&items, 3000, (0.0, 1.0), 22, |_| None);
    let two_pl = calibrate(&data, &quick(IrtModel::TwoPl)).unwrap();
    let fits: Vec<_> = s_x2(&data, &two_pl)
        .into_iter()
        .map(Option::unwrap)
        .collect();
    let mean_ratio = fits.iter().map(|f| f.statistic / f.df as f64).sum::<f64>() / 12.0;
    assert!((0.6..1.6).contains(&mean_ratio), "{mean_ratio}");
    assert!(fits.iter().filter(|f| f.p_value < 0.01).count() <= 1);
    // Under the common-slope model the flattest and steepest items misfit.
    let rasch = calibrate(&data, &quick(IrtModel::Rasch)).unwrap();
    let fits = s_x2(&data, &rasch);
    assert!(fits[0].unwrap().p_value < 1e-3, "{:?}", fits[0]);
    assert!(fits[11].unwrap().p_value < 1e-3, "{:?}", fits[11]);
}

#[test]
fn infit_and_outfit_flag_over_and_under_discriminating_items() {
    use exam_stats::calibration::{fit::rasch_item_fit, rasch_cml};
    let items = generate(16, 23, |j, rng| {
        let a = match j {
            0 => 3.0,
            1 => 0.25,
            _ => 1.0,
        };
        let b = (normal(rng)).clamp(-1.0, 1.0);
        True::dichotomous(a, b, 0.0)
    });
    let data = simulate(&items, 2000, (0.0, 1.0), 24, |_| None);
    let cml = rasch_cml(&data).unwrap();
    let fit: Vec<_> = rasch_item_fit(&data, &cml)
        .into_iter()
        .map(Option::unwrap)
        .collect();
    assert!(fit[0].infit < 0.85 && fit[0].outfit < 0.85, "{:?}", fit[0]);
    assert!(fit[1].infit > 1.15 && fit[1].outfit > 1.15, "{:?}", fit[1]);
    for f in &fit[2..] {
        assert!((0.85..1.15).contains(&f.infit), "{f:?}");
    }
}

#[test]
fn reported_log_likelihood_is_the_marginal_likelihood_by_brute_force() {
    // Σ_p ln Σ_q w_q Π_j P_j(x_pj | θ_q) at the 3PL estimates, computed
    // here directly from exam-core's response function (so both E-step
    // kernels, adding right answers and subtracting wrong ones, are
    // checked), with some cells not presented.
    use exam_core::quadrature::Quadrature;
    let items = generate(8, 31, |_, rng| {
        let a = 0.8 + rng.random::<f64>();
        True::dichotomous(a, 0.8 - normal(rng), 0.2)
    });
    let data = simulate(&items, 400, (0.0, 1.0), 32, |p| {
        (p % 4 == 0).then(|| (0..8).filter(|j| j % 3 != 0).collect())
    });
    let fit = calibrate(&data, &quick(IrtModel::ThreePl)).unwrap();
    let params: Vec<ItemParams> = fit
        .items
        .iter()
        .map(|i| i.estimate.as_ref().unwrap().params().unwrap())
        .collect();
    let quadrature = Quadrature::gauss_hermite(31);
    let mut loglik = 0.0;
    for p in 0..data.n_persons() {
        let mut marginal = 0.0;
        for (&theta, &w) in quadrature.nodes().iter().zip(quadrature.weights()) {
            let mut like = w;
            for (j, item) in params.iter().enumerate() {
                match data.cell(p, j) {
                    Cell::Score(1) => like *= item.prob(theta),
                    Cell::Score(_) => like *= 1.0 - item.prob(theta),
                    _ => {}
                }
            }
            marginal += like;
        }
        loglik += marginal.ln();
    }
    assert!(
        (fit.log_likelihood - loglik).abs() < 1e-8 * loglik.abs(),
        "{} vs {loglik}",
        fit.log_likelihood
    );
}
