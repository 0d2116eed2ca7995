//! Test information, conditional standard error of measurement and the
//! expected-score curve from calibrated parameters.
//!
//! For a dichotomous item (3PL, D = 1) the Fisher information is
//! `I(θ) = a² (Q/P) ((P − c)/(1 − c))²` (Lord 1980, eq. 10-6); for a GPCM
//! item `I(θ) = a² Var(K | θ)` (Muraki 1993). Test information is the sum
//! over items, the conditional SEM of the maximum-likelihood ability is
//! `1/√I(θ)` (Lord 1980, ch. 10), and the expected score (test
//! characteristic curve) is `Σ_j E[X_j | θ]`. Items without estimates add
//! nothing; their absence is visible in the calibration itself.

use super::{Calibration, ItemEstimate};
use exam_core::irt::logistic;
use serde::{Deserialize, Serialize};

/// The test curves at one ability.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CurvePoint {
    /// Ability on the calibration's scale.
    pub theta: f64,
    /// Test information.
    pub information: f64,
    /// Conditional SEM `1/√I(θ)`; absent where the information is zero.
    pub csem: Option<f64>,
    /// Expected summed score.
    pub expected_score: f64,
}

/// Expected score and information of one item at `theta`.
fn item_curves(e: &ItemEstimate, theta: f64) -> (f64, f64) {
    if let [d] = e.d.as_slice() {
        let s = logistic(e.a * theta + d);
        let p = e.c + (1.0 - e.c) * s;
        let q = 1.0 - p;
        let info = if p > 0.0 && q > 0.0 {
            e.a * e.a * (q / p) * ((p - e.c) / (1.0 - e.c)).powi(2)
        } else {
            0.0
        };
        return (p, info);
    }
    let z: Vec<f64> = std::iter::once(0.0)
        .chain(
            e.d.iter()
                .enumerate()
                .map(|(k, d)| e.a * (k + 1) as f64 * theta + d),
        )
        .collect();
    let max = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let weights: Vec<f64> = z.iter().map(|v| (v - max).exp()).collect();
    let total: f64 = weights.iter().sum();
    let (mut mean, mut second) = (0.0, 0.0);
    for (k, w) in weights.iter().enumerate() {
        let p = w / total;
        mean += k as f64 * p;
        second += (k * k) as f64 * p;
    }
    (mean, e.a * e.a * (second - mean * mean))
}

/// The curves of the calibrated items at each of `thetas`.
pub fn test_curves(fit: &Calibration, thetas: &[f64]) -> Vec<CurvePoint> {
    thetas
        .iter()
        .map(|&theta| {
            let (mut expected_score, mut information) = (0.0, 0.0);
            for e in fit.items.iter().filter_map(|i| i.estimate.as_ref()) {
                let (score, info) = item_curves(e, theta);
                expected_score += score;
                information += info;
            }
            CurvePoint {
                theta,
                information,
                csem: (information > 0.0).then(|| 1.0 / information.sqrt()),
                expected_score,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn estimate(a: f64, d: Vec<f64>, c: f64) -> ItemEstimate {
        ItemEstimate {
            a,
            d,
            c,
            se_a: None,
            se_d: None,
            se_b: None,
            se_c: None,
        }
    }

    #[test]
    fn two_pl_information_peaks_at_b_with_a_squared_over_four() {
        // a = 1.6, b = 0.5, so d = −0.8.
        let (p, info) = item_curves(&estimate(1.6, vec![-0.8], 0.0), 0.5);
        assert!((p - 0.5).abs() < 1e-15);
        assert!((info - 0.64).abs() < 1e-15);
    }

    #[test]
    fn one_step_gpcm_item_matches_the_two_pl_and_core() {
        let two_pl = estimate(1.2, vec![0.3], 0.0);
        let params = exam_core::irt::ItemParams::from_slope_intercept(1.2, 0.3, 0.2).unwrap();
        let three_pl = estimate(1.2, vec![0.3], 0.2);
        for theta in [-2.0, 0.0, 1.5] {
            let (p2, i2) = item_curves(&two_pl, theta);
            let mut gpcm = two_pl.clone();
            gpcm.d.push(-1e300); // a second category nobody reaches
            let (pg, ig) = item_curves(&gpcm, theta);
            assert!((p2 - pg).abs() < 1e-12 && (i2 - ig).abs() < 1e-12);
            let (p3, i3) = item_curves(&three_pl, theta);
            assert!((p3 - params.prob(theta)).abs() < 1e-15);
            assert!((i3 - params.information(theta)).abs() < 1e-12);
        }
    }
}
