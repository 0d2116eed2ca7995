//! The beta-binomial model of true and observed scores behind the
//! Livingston-Lewis and Hanson-Brennan classification indices.
//!
//! Observed scores on `n` (effective) items are binomial given the true
//! proportional score `τ` (the binomial error model, Lord 1965), so the
//! factorial moments of the observed score give the raw moments of `τ`:
//! `E[X(X−1)…(X−r+1)] = n(n−1)…(n−r+1) E[τ^r]` (Lord 1965, *Psychometrika*
//! 30, 239–270). The distribution of `τ` is a four-parameter beta on
//! `[lower, upper]` whose shape and limits match the first four moments
//! (Pearson's method of moments for the type I curve, as in Hanson 1991,
//! ACT Research Report 91-5): with `β1` the squared skewness and `β2` the
//! kurtosis, `ν = α + β = 6(β2 − β1 − 1)/(6 + 3β1 − 2β2)`, `α, β =
//! ν/2 (1 ∓ 1/√(1 + 16(ν + 1)/((ν + 2)² β1)))` (the smaller first when the
//! skewness is positive), `upper − lower = σ ν √((ν + 1)/(αβ))` and
//! `lower = μ − (upper − lower) α/ν`.
//!
//! When the moments admit no four-parameter beta within [0, 1] (a limit
//! outside it, or no admissible shape), the standard fall-back fixes
//! parameters, in this order, and the first admissible fit is used (its
//! [`BetaFit`] says which): the lower limit at 0 with shape and upper
//! limit from three moments; the upper limit at 1 with shape and lower limit
//! from three moments; both limits at 0 and 1 with the shape from the mean
//! and variance (the two-parameter beta).

use crate::undefined::Reason;
use serde::{Deserialize, Serialize};
use statrs::function::beta::beta_reg;

/// Which parameters of the true-score beta were fitted by moments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BetaFit {
    /// Shape and both limits, from four moments.
    FourParameter,
    /// Shape and upper limit from three moments, the lower limit at 0
    /// (the four-parameter fit put it below 0 or had no solution).
    LowerAtZero,
    /// Shape and lower limit from three moments, the upper limit at 1.
    UpperAtOne,
    /// Shape from the mean and variance, on [0, 1].
    TwoParameter,
}

/// A beta distribution of true proportional scores on `[lower, upper]`:
/// `(τ − lower)/(upper − lower) ~ Beta(alpha, beta)`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TrueScoreBeta {
    /// First shape parameter (> 0).
    pub alpha: f64,
    /// Second shape parameter (> 0).
    pub beta: f64,
    /// Lower limit, in [0, 1).
    pub lower: f64,
    /// Upper limit, in (lower, 1].
    pub upper: f64,
    /// Which parameters were fitted, and so which fall-back was taken.
    pub fit: BetaFit,
}

impl TrueScoreBeta {
    /// `P(τ ≤ t)`.
    pub fn cdf(&self, t: f64) -> f64 {
        let z = (t - self.lower) / (self.upper - self.lower);
        if z <= 0.0 {
            0.0
        } else if z >= 1.0 {
            1.0
        } else {
            beta_reg(self.alpha, self.beta, z)
        }
    }
}

/// The raw moments `E[τ], E[τ²], E[τ³], E[τ⁴]` of the true proportional
/// score under binomial error on `length` items, from observed scores on
/// that scale: `scores` pairs each score (any real in `[0, length]`, as the
/// Livingston-Lewis rescaling gives) with its count. The moment of order
/// `r` needs at least `r` items; on fewer it is NaN, which leaves only the
/// fall-backs that do not read it.
pub(crate) fn true_score_moments(scores: &[(f64, u64)], length: f64) -> [f64; 4] {
    let n: u64 = scores.iter().map(|&(_, c)| c).sum();
    let mut moments = [0.0; 4];
    for (r, m) in moments.iter_mut().enumerate() {
        let falling = |x: f64| (0..=r).map(|i| x - i as f64).product::<f64>();
        let observed = scores
            .iter()
            .map(|&(x, c)| falling(x) * c as f64)
            .sum::<f64>()
            / n as f64;
        *m = if length > r as f64 {
            observed / falling(length)
        } else {
            f64::NAN
        };
    }
    moments
}

/// The four-parameter beta matching the raw moments `m` of `τ`, or the
/// first admissible fall-back (see the module's documentation).
pub(crate) fn fit_true_score_beta(m: [f64; 4]) -> Result<TrueScoreBeta, Reason> {
    four_parameter(m)
        .or_else(|| lower_at_zero(m))
        .or_else(|| upper_at_one(m))
        .or_else(|| two_parameter(m))
        .ok_or(Reason::NotEstimable)
}

/// Whether a fit is a proper beta within [0, 1].
fn admissible(b: TrueScoreBeta) -> Option<TrueScoreBeta> {
    let finite = [b.alpha, b.beta, b.lower, b.upper]
        .iter()
        .all(|v| v.is_finite());
    (finite
        && b.alpha > 0.0
        && b.beta > 0.0
        && b.lower >= 0.0
        && b.upper <= 1.0
        && b.upper > b.lower)
        .then_some(b)
}

fn four_parameter(m: [f64; 4]) -> Option<TrueScoreBeta> {
    let mean = m[0];
    let var = m[1] - mean * mean;
    let mu3 = m[2] - 3.0 * mean * m[1] + 2.0 * mean.powi(3);
    let mu4 = m[3] - 4.0 * mean * m[2] + 6.0 * mean * mean * m[1] - 3.0 * mean.powi(4);
    if var <= 0.0 {
        return None;
    }
    let b1 = mu3 * mu3 / var.powi(3);
    let b2 = mu4 / (var * var);
    let nu = 6.0 * (b2 - b1 - 1.0) / (6.0 + 3.0 * b1 - 2.0 * b2);
    if nu.is_nan() || nu <= 0.0 {
        return None;
    }
    let spread = if b1 > 0.0 {
        1.0 / (1.0 + 16.0 * (nu + 1.0) / ((nu + 2.0).powi(2) * b1)).sqrt()
    } else {
        0.0
    };
    let (small, large) = (nu / 2.0 * (1.0 - spread), nu / 2.0 * (1.0 + spread));
    let (alpha, beta) = if mu3 > 0.0 {
        (small, large)
    } else {
        (large, small)
    };
    let range = var.sqrt() * nu * ((nu + 1.0) / (alpha * beta)).sqrt();
    let lower = mean - range * alpha / nu;
    admissible(TrueScoreBeta {
        alpha,
        beta,
        lower,
        upper: lower + range,
        fit: BetaFit::FourParameter,
    })
}

/// Beta on `[0, upper]` from the first three raw moments: with `S = α + β`,
/// `E[τ^{r+1}]/E[τ^r] = upper (α + r)/(S + r)` for r = 1, 2 and
/// `E[τ] = upper α/S` give `S = 2(R2 − R3)/(R3 − 2R2 + m1)`, `upper =
/// R2(S + 1) − m1 S`, `α = m1 S/upper`.
fn zero_lower(m: [f64; 3]) -> Option<(f64, f64, f64)> {
    let (r2, r3) = (m[1] / m[0], m[2] / m[1]);
    let s = 2.0 * (r2 - r3) / (r3 - 2.0 * r2 + m[0]);
    let upper = r2 * (s + 1.0) - m[0] * s;
    let alpha = m[0] * s / upper;
    Some((alpha, s - alpha, upper)).filter(|_| s > 0.0 && upper > 0.0)
}

fn lower_at_zero(m: [f64; 4]) -> Option<TrueScoreBeta> {
    let (alpha, beta, upper) = zero_lower([m[0], m[1], m[2]])?;
    admissible(TrueScoreBeta {
        alpha,
        beta,
        lower: 0.0,
        upper,
        fit: BetaFit::LowerAtZero,
    })
}

/// The same for `1 − τ` (raw moments by the binomial theorem), reflected
/// back.
fn upper_at_one(m: [f64; 4]) -> Option<TrueScoreBeta> {
    let r1 = 1.0 - m[0];
    let r2 = 1.0 - 2.0 * m[0] + m[1];
    let r3 = 1.0 - 3.0 * m[0] + 3.0 * m[1] - m[2];
    let (alpha, beta, upper) = zero_lower([r1, r2, r3])?;
    admissible(TrueScoreBeta {
        alpha: beta,
        beta: alpha,
        lower: 1.0 - upper,
        upper: 1.0,
        fit: BetaFit::UpperAtOne,
    })
}

fn two_parameter(m: [f64; 4]) -> Option<TrueScoreBeta> {
    let mean = m[0];
    let var = m[1] - mean * mean;
    let common = mean * (1.0 - mean) / var - 1.0;
    admissible(TrueScoreBeta {
        alpha: mean * common,
        beta: (1.0 - mean) * common,
        lower: 0.0,
        upper: 1.0,
        fit: BetaFit::TwoParameter,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Raw moments of a four-parameter beta: `E[τ^r] = Σ_j C(r, j) l^{r−j}
    /// (u − l)^j Π_{i<j} (α + i)/(α + β + i)`.
    fn raw(alpha: f64, beta: f64, l: f64, u: f64) -> [f64; 4] {
        let z = |j: usize| {
            (0..j)
                .map(|i| (alpha + i as f64) / (alpha + beta + i as f64))
                .product::<f64>()
        };
        let choose = |r: usize, j: usize| {
            (0..j).map(|i| (r - i) as f64).product::<f64>()
                / (1..=j).map(|i| i as f64).product::<f64>()
        };
        let mut out = [0.0; 4];
        for (k, o) in out.iter_mut().enumerate() {
            let r = k + 1;
            *o = (0..=r)
                .map(|j| choose(r, j) * l.powi((r - j) as i32) * (u - l).powi(j as i32) * z(j))
                .sum();
        }
        out
    }

    fn close(a: TrueScoreBeta, want: [f64; 4], fit: BetaFit) {
        assert_eq!(a.fit, fit);
        let got = [a.alpha, a.beta, a.lower, a.upper];
        for (g, w) in got.iter().zip(want) {
            assert!((g - w).abs() < 1e-9, "{got:?} vs {want:?}");
        }
    }

    #[test]
    fn moments_of_a_four_parameter_beta_give_it_back() {
        for (a, b, l, u) in [
            (2.0, 5.0, 0.2, 0.9),
            (6.0, 2.5, 0.1, 0.95),
            (3.0, 3.0, 0.3, 0.8),
        ] {
            let fit = fit_true_score_beta(raw(a, b, l, u)).unwrap();
            close(fit, [a, b, l, u], BetaFit::FourParameter);
        }
    }

    #[test]
    fn the_fall_backs_recover_betas_with_a_limit_at_the_edge() {
        // A beta on [0, 0.8] has four-parameter moments whose fit gives
        // lower = 0 up to rounding; one on [0, 1] likewise. Perturb the
        // fourth moment so the four-parameter fit leaves [0, 1]: the
        // three-moment fall-backs do not read it.
        let mut m = raw(2.0, 4.0, 0.0, 0.8);
        m[3] *= 1.05;
        close(
            fit_true_score_beta(m).unwrap(),
            [2.0, 4.0, 0.0, 0.8],
            BetaFit::LowerAtZero,
        );
        let mut m = raw(4.0, 2.0, 0.3, 1.0);
        m[3] *= 1.05;
        close(
            fit_true_score_beta(m).unwrap(),
            [4.0, 2.0, 0.3, 1.0],
            BetaFit::UpperAtOne,
        );
    }

    #[test]
    fn binomial_factorial_moments_give_the_true_score_moments() {
        // Two persons at τ = 0.25 and 0.75 on 4 items have E[X_(r)] =
        // 4_(r) E[τ^r]; the exact beta-binomial distribution of scores
        // for τ a point mass at 0.5 is Bin(4, 0.5) = 1, 4, 6, 4, 1 (/16).
        let scores: Vec<(f64, u64)> = [1, 4, 6, 4, 1]
            .iter()
            .enumerate()
            .map(|(x, &c)| (x as f64, c))
            .collect();
        let m = true_score_moments(&scores, 4.0);
        for (r, v) in m.iter().enumerate() {
            assert!((v - 0.5f64.powi(r as i32 + 1)).abs() < 1e-12, "{m:?}");
        }
    }
}
