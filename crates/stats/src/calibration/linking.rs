//! Linking a separate calibration to the bank scale through common items.
//!
//! The linear transformation `θ_bank = A·θ_new + B` carries item parameters
//! as `a* = a/A`, `b* = A·b + B`, `c* = c` (Kolen & Brennan 2014, *Test
//! Equating, Scaling, and Linking*, 3rd ed., ch. 6). Four methods find `A`
//! and `B` from the common items' two sets of estimates:
//!
//! - [`LinkingMethod::MeanSigma`] (Marco 1977): `A = σ(b_bank)/σ(b_new)`,
//!   `B = μ(b_bank) − A·μ(b_new)` (population SDs).
//! - [`LinkingMethod::MeanMean`] (Loyd & Hoover 1980): `A = μ(a_new)/μ(a_bank)`,
//!   `B` as above.
//! - [`LinkingMethod::Haebara`] (Haebara 1980): minimises
//!   `Σ_θ w(θ) Σ_j [P_j(θ; bank) − P_j(θ; new → bank)]²`.
//! - [`LinkingMethod::StockingLord`] (Stocking & Lord 1983): minimises
//!   `Σ_θ w(θ) [Σ_j P_j(θ; bank) − Σ_j P_j(θ; new → bank)]²`.
//!
//! The characteristic-curve criteria are evaluated on 41 equally spaced
//! abilities over `[−4, 4]` on the bank scale with N(0, 1) weights, and
//! minimised by Levenberg–Marquardt from the mean-sigma solution.

use super::linalg::spd_solve;
use exam_core::irt::{ItemParams, ParamsError, logistic};
use exam_core::quadrature::Quadrature;
use serde::{Deserialize, Serialize};

/// How the linking constants are found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LinkingMethod {
    /// Means and SDs of the difficulties.
    MeanSigma,
    /// Means of the slopes and of the difficulties.
    MeanMean,
    /// Item characteristic curves, summed squared differences per item.
    Haebara,
    /// Test characteristic curve, squared difference of the sums.
    StockingLord,
}

/// Why linking failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum LinkingError {
    /// Linking needs at least two common items.
    #[error("linking needs at least 2 common items, got {0}")]
    TooFewItems(usize),
    /// The new calibration's difficulties (or slopes) do not vary, so the
    /// moment methods cannot find a slope.
    #[error("the common items' {0} do not vary; the moment method is undefined")]
    Degenerate(&'static str),
    /// The transformed parameters are not valid.
    #[error(transparent)]
    Params(#[from] ParamsError),
}

/// The constants of `θ_bank = A·θ_new + B`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LinkingConstants {
    /// Slope `A` (> 0).
    pub a: f64,
    /// Intercept `B`.
    pub b: f64,
}

impl LinkingConstants {
    /// Item parameters of the new calibration carried to the bank scale.
    pub fn transform(&self, item: &ItemParams) -> Result<ItemParams, ParamsError> {
        ItemParams::new(item.a() / self.a, self.a * item.b() + self.b, item.c())
    }
}

/// One common item: its parameters in the new calibration and in the bank.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CommonItem {
    /// Estimates from the calibration to be linked.
    pub new: ItemParams,
    /// The bank's parameters.
    pub bank: ItemParams,
}

/// Finds the linking constants from the common items.
pub fn link(
    common: &[CommonItem],
    method: LinkingMethod,
) -> Result<LinkingConstants, LinkingError> {
    if common.len() < 2 {
        return Err(LinkingError::TooFewItems(common.len()));
    }
    let mean =
        |f: &dyn Fn(&CommonItem) -> f64| common.iter().map(f).sum::<f64>() / common.len() as f64;
    let sd = |f: &dyn Fn(&CommonItem) -> f64| {
        let m = mean(f);
        (common.iter().map(|c| (f(c) - m).powi(2)).sum::<f64>() / common.len() as f64).sqrt()
    };
    let (mb_new, mb_bank) = (mean(&|c| c.new.b()), mean(&|c| c.bank.b()));
    let sd_new = sd(&|c| c.new.b());
    let mean_sigma = || -> Result<LinkingConstants, LinkingError> {
        if sd_new <= 1e-12 {
            return Err(LinkingError::Degenerate("difficulties"));
        }
        let a = sd(&|c| c.bank.b()) / sd_new;
        if a <= 1e-12 {
            return Err(LinkingError::Degenerate("bank difficulties"));
        }
        Ok(LinkingConstants {
            a,
            b: mb_bank - a * mb_new,
        })
    };
    match method {
        LinkingMethod::MeanSigma => mean_sigma(),
        LinkingMethod::MeanMean => {
            let a = mean(&|c| c.new.a()) / mean(&|c| c.bank.a());
            Ok(LinkingConstants {
                a,
                b: mb_bank - a * mb_new,
            })
        }
        LinkingMethod::Haebara | LinkingMethod::StockingLord => {
            let start = mean_sigma().unwrap_or(LinkingConstants { a: 1.0, b: 0.0 });
            Ok(characteristic_curve(common, method, start))
        }
    }
}

/// Residuals (weighted by √w) and their Jacobian in `(A, B)`.
fn residuals(
    common: &[CommonItem],
    method: LinkingMethod,
    grid: &Quadrature,
    k: LinkingConstants,
) -> (Vec<f64>, Vec<[f64; 2]>) {
    let mut res = Vec::new();
    let mut jac = Vec::new();
    for (&theta, &w) in grid.nodes().iter().zip(grid.weights()) {
        let sw = w.sqrt();
        let (mut sum_r, mut sum_j) = (0.0, [0.0, 0.0]);
        for item in common {
            let (a, b, c) = (item.new.a(), item.new.b(), item.new.c());
            // P*(θ) = c + (1 − c)·logistic((a/A)(θ − A·b − B)).
            let z = a / k.a * (theta - k.a * b - k.b);
            let s = logistic(z);
            let dp = (1.0 - c) * s * (1.0 - s);
            let dz = [-a * (theta - k.b) / (k.a * k.a), -a / k.a];
            let r = item.bank.prob(theta) - (c + (1.0 - c) * s);
            let dr = [-dp * dz[0], -dp * dz[1]];
            if method == LinkingMethod::Haebara {
                res.push(sw * r);
                jac.push([sw * dr[0], sw * dr[1]]);
            } else {
                sum_r += r;
                sum_j[0] += dr[0];
                sum_j[1] += dr[1];
            }
        }
        if method == LinkingMethod::StockingLord {
            res.push(sw * sum_r);
            jac.push([sw * sum_j[0], sw * sum_j[1]]);
        }
    }
    (res, jac)
}

fn characteristic_curve(
    common: &[CommonItem],
    method: LinkingMethod,
    start: LinkingConstants,
) -> LinkingConstants {
    let grid = Quadrature::rectangular(41, 4.0);
    let loss = |k: LinkingConstants| {
        residuals(common, method, &grid, k)
            .0
            .iter()
            .map(|r| r * r)
            .sum::<f64>()
    };
    let mut k = start;
    let mut lambda = 1e-3;
    let mut current = loss(k);
    for _ in 0..200 {
        let (res, jac) = residuals(common, method, &grid, k);
        let mut jtj = [0.0; 4];
        let mut jtr = [0.0; 2];
        for (r, j) in res.iter().zip(&jac) {
            jtj[0] += j[0] * j[0];
            jtj[1] += j[0] * j[1];
            jtj[3] += j[1] * j[1];
            jtr[0] -= j[0] * r;
            jtr[1] -= j[1] * r;
        }
        jtj[2] = jtj[1];
        let mut improved = false;
        while lambda < 1e12 {
            let damped = [
                jtj[0] * (1.0 + lambda),
                jtj[1],
                jtj[2],
                jtj[3] * (1.0 + lambda),
            ];
            let Some(step) = spd_solve(&damped, 2, &jtr) else {
                lambda *= 10.0;
                continue;
            };
            let trial = LinkingConstants {
                a: (k.a + step[0]).max(1e-6),
                b: k.b + step[1],
            };
            let value = loss(trial);
            if value <= current {
                let moved = (trial.a - k.a).abs().max((trial.b - k.b).abs());
                k = trial;
                current = value;
                lambda = (lambda * 0.1).max(1e-12);
                improved = moved > 1e-12;
                break;
            }
            lambda *= 10.0;
        }
        if !improved {
            break;
        }
    }
    k
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items() -> Vec<ItemParams> {
        [
            (1.2, -1.0, 0.0),
            (0.8, 0.3, 0.2),
            (1.6, 1.1, 0.1),
            (1.0, -0.2, 0.15),
            (0.7, 1.8, 0.0),
        ]
        .iter()
        .map(|&(a, b, c)| ItemParams::new(a, b, c).unwrap())
        .collect()
    }

    #[test]
    fn every_method_recovers_an_exact_transformation() {
        let truth = LinkingConstants { a: 1.3, b: -0.4 };
        let common: Vec<CommonItem> = items()
            .into_iter()
            .map(|new| CommonItem {
                new,
                bank: truth.transform(&new).unwrap(),
            })
            .collect();
        for method in [
            LinkingMethod::MeanSigma,
            LinkingMethod::MeanMean,
            LinkingMethod::Haebara,
            LinkingMethod::StockingLord,
        ] {
            let k = link(&common, method).unwrap();
            assert!(
                (k.a - 1.3).abs() < 1e-6 && (k.b + 0.4).abs() < 1e-6,
                "{method:?}: {k:?}"
            );
        }
    }

    #[test]
    fn curve_methods_minimise_their_criterion() {
        // Perturbed bank values: the solution is a minimum of the loss.
        let truth = LinkingConstants { a: 0.9, b: 0.25 };
        let noise = [0.05, -0.08, 0.03, 0.06, -0.04];
        let common: Vec<CommonItem> = items()
            .into_iter()
            .zip(noise)
            .map(|(new, e)| {
                let t = truth.transform(&new).unwrap();
                CommonItem {
                    new,
                    bank: ItemParams::new(t.a() * (1.0 + e), t.b() + e, t.c()).unwrap(),
                }
            })
            .collect();
        let grid = Quadrature::rectangular(41, 4.0);
        for method in [LinkingMethod::Haebara, LinkingMethod::StockingLord] {
            let k = link(&common, method).unwrap();
            let loss = |k| {
                residuals(&common, method, &grid, k)
                    .0
                    .iter()
                    .map(|r| r * r)
                    .sum::<f64>()
            };
            let best = loss(k);
            for (da, db) in [(1e-3, 0.0), (-1e-3, 0.0), (0.0, 1e-3), (0.0, -1e-3)] {
                let other = LinkingConstants {
                    a: k.a + da,
                    b: k.b + db,
                };
                assert!(loss(other) > best, "{method:?}");
            }
            assert!((k.a - 0.9).abs() < 0.1 && (k.b - 0.25).abs() < 0.1);
        }
    }

    #[test]
    fn degenerate_inputs_are_errors() {
        let one = [CommonItem {
            new: items()[0],
            bank: items()[0],
        }];
        assert_eq!(
            link(&one, LinkingMethod::MeanSigma),
            Err(LinkingError::TooFewItems(1))
        );
        let same = ItemParams::two_pl(1.0, 0.5).unwrap();
        let flat = [CommonItem {
            new: same,
            bank: same,
        }; 3];
        assert_eq!(
            link(&flat, LinkingMethod::MeanSigma),
            Err(LinkingError::Degenerate("difficulties"))
        );
    }
}
