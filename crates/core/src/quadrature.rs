//! Quadrature rules for integrating over a normal ability distribution.
//!
//! [`Quadrature::gauss_hermite`] gives the `n`-point Gauss–Hermite rule for
//! the standard normal density: `∫ f(θ) φ(θ) dθ ≈ Σ w_i f(x_i)`, exact for
//! polynomials of degree `2n − 1`. Nodes are found by Newton's method on the
//! physicists' Hermite polynomials from the usual asymptotic starting values
//! (Golub & Welsch 1969 give the equivalent eigenvalue formulation; Press et
//! al., *Numerical Recipes*, 3rd ed., §4.6 the iteration), then rescaled:
//! `x = √2·t`, `w = ω/√π`.
//!
//! [`Quadrature::rectangular`] is the equally spaced grid with normal-density
//! weights normalised to sum to one (BILOG-style).

use serde::{Deserialize, Serialize};

/// A quadrature rule for the standard normal: nodes and weights summing to one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Quadrature {
    nodes: Vec<f64>,
    weights: Vec<f64>,
}

impl Quadrature {
    /// The `n`-point Gauss–Hermite rule for N(0, 1), nodes ascending.
    /// `n` is clamped to `1..=200`.
    pub fn gauss_hermite(n: usize) -> Self {
        let n = n.clamp(1, 200);
        let mut t = vec![0.0f64; n];
        let mut omega = vec![0.0f64; n];
        let pim4 = std::f64::consts::PI.powf(-0.25);
        let m = n.div_ceil(2);
        let nf = n as f64;
        let mut z = 0.0f64;
        for i in 0..m {
            z = match i {
                0 => (2.0 * nf + 1.0).sqrt() - 1.85575 * (2.0 * nf + 1.0).powf(-1.0 / 6.0),
                1 => z - 1.14 * nf.powf(0.426) / z,
                2 => 1.86 * z - 0.86 * t[0],
                3 => 1.91 * z - 0.91 * t[1],
                _ => 2.0 * z - t[i - 2],
            };
            let mut pp = 0.0;
            for _ in 0..100 {
                // Orthonormal recurrence for the Hermite polynomials.
                let mut p1 = pim4;
                let mut p2 = 0.0;
                for j in 0..n {
                    let p3 = p2;
                    p2 = p1;
                    let jf = j as f64;
                    p1 = z * (2.0 / (jf + 1.0)).sqrt() * p2 - (jf / (jf + 1.0)).sqrt() * p3;
                }
                pp = (2.0 * nf).sqrt() * p2;
                let z1 = z;
                z = z1 - p1 / pp;
                if (z - z1).abs() <= 1e-15 * z.abs().max(1.0) {
                    break;
                }
            }
            t[i] = z;
            t[n - 1 - i] = -z;
            omega[i] = 2.0 / (pp * pp);
            omega[n - 1 - i] = omega[i];
        }
        let sqrt2 = std::f64::consts::SQRT_2;
        let sqrt_pi = std::f64::consts::PI.sqrt();
        let mut nodes: Vec<f64> = t.iter().map(|x| x * sqrt2).collect();
        let mut weights: Vec<f64> = omega.iter().map(|w| w / sqrt_pi).collect();
        nodes.reverse();
        weights.reverse();
        let total: f64 = weights.iter().sum();
        weights.iter_mut().for_each(|w| *w /= total);
        Self { nodes, weights }
    }

    /// `n` equally spaced nodes on `[-limit, limit]` with weights
    /// proportional to the standard normal density, summing to one.
    /// `n` is clamped to `2..=1000` (so the rule is bounded by
    /// construction) and `limit` to `(1e-6, 50]` (6 when outside).
    pub fn rectangular(n: usize, limit: f64) -> Self {
        let n = n.clamp(2, 1000);
        let limit = if limit > 1e-6 && limit <= 50.0 {
            limit
        } else {
            6.0
        };
        let step = 2.0 * limit / (n - 1) as f64;
        let nodes: Vec<f64> = (0..n).map(|i| -limit + step * i as f64).collect();
        let mut weights: Vec<f64> = nodes.iter().map(|x| (-0.5 * x * x).exp()).collect();
        let total: f64 = weights.iter().sum();
        weights.iter_mut().for_each(|w| *w /= total);
        Self { nodes, weights }
    }

    /// The nodes, ascending.
    pub fn nodes(&self) -> &[f64] {
        &self.nodes
    }

    /// The weights, summing to one.
    pub fn weights(&self) -> &[f64] {
        &self.weights
    }

    /// Number of points.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether the rule has no points (never true for the constructors here).
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn moment(q: &Quadrature, k: i32) -> f64 {
        q.nodes()
            .iter()
            .zip(q.weights())
            .map(|(x, w)| w * x.powi(k))
            .sum()
    }

    #[test]
    fn gauss_hermite_integrates_normal_moments_exactly() {
        // E[Z^2] = 1, E[Z^4] = 3, E[Z^6] = 15, E[Z^8] = 105 (odd moments 0).
        for n in [5, 21, 61, 121] {
            let q = Quadrature::gauss_hermite(n);
            assert_eq!(q.len(), n);
            assert!(moment(&q, 0).sub_abs(1.0) < 1e-13);
            assert!(moment(&q, 1).abs() < 1e-12);
            assert!(moment(&q, 2).sub_abs(1.0) < 1e-12);
            assert!(moment(&q, 4).sub_abs(3.0) < 1e-11);
            if n >= 5 {
                assert!(moment(&q, 8).sub_abs(105.0) < 1e-8 * 105.0 || n == 5);
            }
            assert!(q.nodes().windows(2).all(|w| w[0] < w[1]));
        }
    }

    #[test]
    fn three_point_rule_matches_the_closed_form() {
        // Nodes 0, ±√3 with weights 2/3, 1/6, 1/6.
        let q = Quadrature::gauss_hermite(3);
        assert!((q.nodes()[2] - 3f64.sqrt()).abs() < 1e-14);
        assert!((q.weights()[1] - 2.0 / 3.0).abs() < 1e-14);
        assert!((q.weights()[0] - 1.0 / 6.0).abs() < 1e-14);
    }

    #[test]
    fn rectangular_grid_is_symmetric_and_normalised() {
        let q = Quadrature::rectangular(81, 6.0);
        assert!(moment(&q, 0).sub_abs(1.0) < 1e-14);
        assert!(moment(&q, 2).sub_abs(1.0) < 1e-6);
        assert!((q.nodes()[0] + 6.0).abs() < 1e-14);
    }

    trait SubAbs {
        fn sub_abs(self, other: f64) -> f64;
    }
    impl SubAbs for f64 {
        fn sub_abs(self, other: f64) -> f64 {
            (self - other).abs()
        }
    }
}
