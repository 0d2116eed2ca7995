//! One item's expected complete-data log-likelihood given the E-step's
//! counts, with its gradient and (negative) Hessian or Fisher information.
//!
//! With `n_q` persons expected at node `q` and `r_kq` of them scoring `k`,
//! the objective is `Σ_q Σ_k r_kq log P(k | θ_q)` (Bock & Aitkin 1981; Baker
//! & Kim 2004, ch. 6).

/// The objective, gradient and negative Hessian of one item.
#[derive(Debug, Clone)]
pub(crate) struct Terms {
    pub value: f64,
    pub grad: Vec<f64>,
    /// Negative Hessian (or expected information), row-major.
    pub info: Vec<f64>,
}

impl Terms {
    fn zero(p: usize) -> Self {
        Self {
            value: 0.0,
            grad: vec![0.0; p],
            info: vec![0.0; p * p],
        }
    }
}

/// `log(1 + e^x)` without overflow.
#[inline]
pub(crate) fn softplus(x: f64) -> f64 {
    if x > 0.0 {
        x + (-x).exp().ln_1p()
    } else {
        x.exp().ln_1p()
    }
}

/// Terms of a GPCM item (the 2PL when `d.len() == 1`) in the parameters
/// `(a, d_1..d_m)`: `P(k | θ) ∝ exp(a·k·θ + d_k)`, `d_0 = 0`. `r` holds the
/// counts of categories `1..=m` node-major per category
/// (`r[(k − 1)·Q + q]`), `n` the totals per node. The information is the
/// exact negative Hessian, `Σ_q n_q Cov_q(s)` for the sufficient statistic
/// `s = (kθ, 1[k = 1], .., 1[k = m])`.
pub(crate) fn gpcm(theta: &[f64], r: &[f64], n: &[f64], a: f64, d: &[f64]) -> Terms {
    let m = d.len();
    let p = m + 1;
    let nq = theta.len();
    let mut t = Terms::zero(p);
    let mut z = vec![0.0; m + 1];
    let mut prob = vec![0.0; m + 1];
    for q in 0..nq {
        if n[q] <= 0.0 {
            continue;
        }
        let th = theta[q];
        let mut max: f64 = 0.0;
        for k in 1..=m {
            z[k] = a * k as f64 * th + d[k - 1];
            max = max.max(z[k]);
        }
        let mut sum = 0.0;
        for k in 0..=m {
            prob[k] = (z[k] - max).exp();
            sum += prob[k];
        }
        let log_norm = max + sum.ln();
        let mut mean_k = 0.0;
        let mut mean_k2 = 0.0;
        for (k, pk) in prob.iter_mut().enumerate() {
            *pk /= sum;
            mean_k += k as f64 * *pk;
            mean_k2 += (k * k) as f64 * *pk;
        }
        let nn = n[q];
        let mut k_total = 0.0;
        for k in 1..=m {
            let rk = r[(k - 1) * nq + q];
            k_total += k as f64 * rk;
            t.value += rk * z[k];
            t.grad[k] += rk - nn * prob[k];
        }
        t.value -= nn * log_norm;
        t.grad[0] += th * (k_total - nn * mean_k);
        // Information: n · Cov(s).
        t.info[0] += nn * th * th * (mean_k2 - mean_k * mean_k);
        for k in 1..=m {
            let cov_ak = nn * th * prob[k] * (k as f64 - mean_k);
            t.info[k] += cov_ak;
            t.info[k * p] += cov_ak;
            for l in 1..=m {
                let delta = if k == l { prob[k] } else { 0.0 };
                t.info[k * p + l] += nn * (delta - prob[k] * prob[l]);
            }
        }
    }
    t
}

/// Terms of a 3PL item in `(a, d, g)` with `c = logistic(g)`:
/// `P = c + (1 − c)·logistic(aθ + d)`. The information is Fisher's expected
/// information `Σ_q n_q ∇P ∇Pᵀ / (P(1 − P))` (Fisher scoring).
pub(crate) fn three_pl(theta: &[f64], r: &[f64], n: &[f64], a: f64, d: f64, g: f64) -> Terms {
    let mut t = Terms::zero(3);
    let c = exam_core::irt::logistic(g);
    let log_1mc = -softplus(g);
    for q in 0..theta.len() {
        let nn = n[q];
        if nn <= 0.0 {
            continue;
        }
        let th = theta[q];
        let z = a * th + d;
        let s = exam_core::irt::logistic(z);
        let p = c + (1.0 - c) * s;
        let log_q = log_1mc - softplus(z);
        let one_minus_p = log_q.exp();
        let rq = r[q];
        t.value += rq * p.ln() + (nn - rq) * log_q;
        let ds = (1.0 - c) * s * (1.0 - s);
        let grad_p = [ds * th, ds, (1.0 - s) * c * (1.0 - c)];
        let w = 1.0 / (p * one_minus_p);
        let resid = (rq - nn * p) * w;
        for i in 0..3 {
            t.grad[i] += resid * grad_p[i];
            for j in 0..3 {
                t.info[i * 3 + j] += nn * w * grad_p[i] * grad_p[j];
            }
        }
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numeric_grad(f: impl Fn(&[f64]) -> f64, x: &[f64]) -> Vec<f64> {
        (0..x.len())
            .map(|i| {
                let h = 1e-6;
                let mut up = x.to_vec();
                let mut dn = x.to_vec();
                up[i] += h;
                dn[i] -= h;
                (f(&up) - f(&dn)) / (2.0 * h)
            })
            .collect()
    }

    #[test]
    fn gpcm_gradient_and_hessian_match_finite_differences() {
        let theta = [-1.5, -0.3, 0.4, 1.7];
        let n = [10.0, 20.0, 15.0, 5.0];
        // categories 1 and 2
        let r = [2.0, 6.0, 5.0, 1.0, 1.0, 5.0, 7.0, 3.5];
        let x = [1.2, 0.3, -0.4];
        let value = |x: &[f64]| gpcm(&theta, &r, &n, x[0], &x[1..]).value;
        let t = gpcm(&theta, &r, &n, x[0], &x[1..]);
        let g = numeric_grad(value, &x);
        for (i, gi) in g.iter().enumerate() {
            assert!((t.grad[i] - gi).abs() < 1e-6, "{i}: {} vs {gi}", t.grad[i]);
            let grad_i = |x: &[f64]| gpcm(&theta, &r, &n, x[0], &x[1..]).grad[i];
            let h = numeric_grad(grad_i, &x);
            for (j, hj) in h.iter().enumerate() {
                assert!((t.info[i * 3 + j] + hj).abs() < 1e-5);
            }
        }
    }

    #[test]
    fn three_pl_gradient_matches_finite_differences() {
        let theta = [-2.0, -0.5, 0.5, 2.0];
        let n = [10.0, 20.0, 15.0, 5.0];
        let r = [3.0, 8.0, 11.0, 4.8];
        let x = [1.1, -0.2, -1.2];
        let value = |x: &[f64]| three_pl(&theta, &r, &n, x[0], x[1], x[2]).value;
        let t = three_pl(&theta, &r, &n, x[0], x[1], x[2]);
        let g = numeric_grad(value, &x);
        for (ours, numeric) in t.grad.iter().zip(&g) {
            assert!((ours - numeric).abs() < 1e-6);
        }
    }
}
