//! Person parameters of a partial credit or rating scale fit by Warm's
//! (1989, *Psychometrika* 54, 427–450) weighted likelihood.
//!
//! For a raw score `r` on items with cumulative category parameters `δ_ih`
//! the log-likelihood in θ is `rθ − Σ_i ln Σ_h exp(hθ − δ_ih)`; its score is
//! `r − E(θ)` and the test information `I(θ) = Σ_i Var_i(θ)`. The weighted
//! likelihood estimate maximises `L(θ)·I(θ)^{1/2}`, i.e. solves
//! `r − E(θ) + I′(θ) / (2 I(θ)) = 0` with `I′(θ) = Σ_i κ₃ᵢ(θ)`, the sum of
//! the items' third central moments. Unlike the maximum likelihood
//! estimate it is finite for zero and perfect scores, and its bias is of
//! order `1/n²`. The standard error is `1/√I(θ)`.

use super::PcmFit;
use serde::{Deserialize, Serialize};

/// The weighted likelihood estimate for one raw score.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ScoreTheta {
    /// The raw score.
    pub score: usize,
    /// θ by weighted likelihood.
    pub theta: f64,
    /// Its standard error `1/√I(θ)`.
    pub se: f64,
}

/// Mean, variance and third central moment of the score on the items.
fn moments(items: &[Vec<f64>], theta: f64) -> (f64, f64, f64) {
    let (mut mean, mut var, mut third) = (0.0, 0.0, 0.0);
    let mut logits = Vec::new();
    for delta in items {
        logits.clear();
        logits.push(0.0);
        logits.extend(
            delta
                .iter()
                .enumerate()
                .map(|(h, d)| (h + 1) as f64 * theta - d),
        );
        let top = logits.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let weights: Vec<f64> = logits.iter().map(|l| (l - top).exp()).collect();
        let total: f64 = weights.iter().sum();
        let mu: f64 = weights
            .iter()
            .enumerate()
            .map(|(h, w)| h as f64 * w)
            .sum::<f64>()
            / total;
        let central = |power: i32| {
            weights
                .iter()
                .enumerate()
                .map(|(h, w)| (h as f64 - mu).powi(power) * w)
                .sum::<f64>()
                / total
        };
        mean += mu;
        var += central(2);
        third += central(3);
    }
    (mean, var, third)
}

/// Weighted likelihood estimates for every raw score `0..=R` on the items
/// `items` (indices into `fit.items`; all of them for a complete test).
pub fn wle_score_table(fit: &PcmFit, items: &[usize]) -> Vec<ScoreTheta> {
    let deltas: Vec<Vec<f64>> = items.iter().map(|&i| fit.items[i].cumulative()).collect();
    let top: usize = deltas.iter().map(Vec::len).sum();
    (0..=top)
        .map(|score| {
            let r = score as f64;
            let equation = |theta: f64| {
                let (mean, var, third) = moments(&deltas, theta);
                r - mean + third / (2.0 * var)
            };
            // The equation falls from positive to negative over θ: bisect.
            let (mut lo, mut hi) = (-30.0, 30.0);
            for _ in 0..200 {
                let mid = 0.5 * (lo + hi);
                if equation(mid) > 0.0 {
                    lo = mid;
                } else {
                    hi = mid;
                }
                if hi - lo < 1e-12 {
                    break;
                }
            }
            let theta = 0.5 * (lo + hi);
            ScoreTheta {
                score,
                theta,
                se: 1.0 / moments(&deltas, theta).1.sqrt(),
            }
        })
        .collect()
}
