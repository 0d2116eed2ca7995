//! Log-likelihood of dichotomous responses under the 3PL and its first two
//! derivatives in θ (Baker & Kim 2004, ch. 5; Lord 1980, ch. 4).

use crate::item_response::Response;
use exam_core::irt::{ItemParams, logistic};

/// `ln(1 + eˣ)` without overflow or loss of precision.
#[inline]
pub(crate) fn softplus(x: f64) -> f64 {
    x.max(0.0) + (-x.abs()).exp().ln_1p()
}

/// `(ln P(θ), ln Q(θ))` for one item, computed stably in the tails.
#[inline]
pub(crate) fn log_p_q(item: &ItemParams, theta: f64) -> (f64, f64) {
    let z = item.a() * (theta - item.b());
    let c = item.c();
    if c > 0.0 {
        let log_q = (1.0 - c).ln() - softplus(z);
        let p = c + (1.0 - c) * logistic(z);
        (p.ln(), log_q)
    } else {
        (-softplus(-z), -softplus(z))
    }
}

/// The log-likelihood `Σ x ln P + (1 − x) ln Q` over presented items.
pub(crate) fn log_likelihood(items: &[ItemParams], responses: &[Response], theta: f64) -> f64 {
    items
        .iter()
        .zip(responses)
        .map(|(item, r)| match r {
            Response::Correct => log_p_q(item, theta).0,
            Response::Incorrect => log_p_q(item, theta).1,
            Response::NotPresented => 0.0,
        })
        .sum()
}

/// The log-likelihood with its first and second derivatives in θ.
pub(crate) fn log_likelihood_derivatives(
    items: &[ItemParams],
    responses: &[Response],
    theta: f64,
) -> (f64, f64, f64) {
    let (d1, d2) = slope_and_curvature(items, responses, theta);
    (log_likelihood(items, responses, theta), d1, d2)
}

/// The first and second derivatives of the log-likelihood in θ.
///
/// With `L = logistic(a(θ − b))` and `P = c + (1 − c)L`:
/// `d ln Q/dθ = −aL`, `d² ln Q/dθ² = −a²L(1 − L)`;
/// `d ln P/dθ = g/P` with `g = (1 − c)aL(1 − L)`, and
/// `d² ln P/dθ² = g'/P − (g/P)²` with `g' = (1 − c)a²L(1 − L)(1 − 2L)`.
pub(crate) fn slope_and_curvature(
    items: &[ItemParams],
    responses: &[Response],
    theta: f64,
) -> (f64, f64) {
    let (mut d1, mut d2) = (0.0, 0.0);
    for (item, r) in items.iter().zip(responses) {
        let a = item.a();
        let l = logistic(a * (theta - item.b()));
        match r {
            Response::Correct => {
                let c = item.c();
                let p = c + (1.0 - c) * l;
                let g = (1.0 - c) * a * l * (1.0 - l);
                let g1 = g * a * (1.0 - 2.0 * l);
                d1 += g / p;
                d2 += g1 / p - (g / p) * (g / p);
            }
            Response::Incorrect => {
                d1 -= a * l;
                d2 -= a * a * l * (1.0 - l);
            }
            Response::NotPresented => {}
        }
    }
    (d1, d2)
}

/// Test information `Σ I_j(θ)` over the presented items.
pub(crate) fn information(items: &[ItemParams], responses: &[Response], theta: f64) -> f64 {
    items
        .iter()
        .zip(responses)
        .filter(|(_, r)| **r != Response::NotPresented)
        .map(|(item, _)| item.information(theta))
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derivatives_match_finite_differences() {
        let items = [
            ItemParams::new(1.3, -0.4, 0.2).unwrap(),
            ItemParams::new(0.7, 0.9, 0.0).unwrap(),
            ItemParams::new(2.1, 0.1, 0.15).unwrap(),
        ];
        let responses = [Response::Correct, Response::Incorrect, Response::Correct];
        for theta in [-3.0, -0.5, 0.0, 0.8, 2.5] {
            let h = 1e-5;
            let (v, d1, d2) = log_likelihood_derivatives(&items, &responses, theta);
            let f = |t| log_likelihood(&items, &responses, t);
            assert!((v - f(theta)).abs() < 1e-14);
            assert!((d1 - (f(theta + h) - f(theta - h)) / (2.0 * h)).abs() < 1e-8);
            let (_, d1p, _) = log_likelihood_derivatives(&items, &responses, theta + h);
            let (_, d1m, _) = log_likelihood_derivatives(&items, &responses, theta - h);
            assert!((d2 - (d1p - d1m) / (2.0 * h)).abs() < 1e-7);
        }
    }

    #[test]
    fn log_probabilities_stay_finite_far_out() {
        let item = ItemParams::two_pl(3.0, 0.0).unwrap();
        let (lp, lq) = log_p_q(&item, 400.0);
        assert!(lp.abs() < 1e-300 && (lq + 1200.0).abs() < 1e-9);
        let (lp, _) = log_p_q(&item, -400.0);
        assert!((lp + 1200.0).abs() < 1e-9);
    }
}
