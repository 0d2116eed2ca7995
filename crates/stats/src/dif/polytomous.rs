//! DIF statistics for items scored `0..=m` (partial credit), on the same
//! strata as Mantel–Haenszel (one per form and matching score; strata with
//! an empty group or fewer than two persons dropped):
//!
//! - Mantel's (1963, *JASA* 58, 690–700) chi-square for ordered
//!   categories: with `F_k` the focal group's item score sum in stratum `k`,
//!   `T_k` and `S_k` the sum and sum of squares of the item scores of both
//!   groups, `n_Rk`, `n_Fk`, `n_k` the group and stratum sizes,
//!   `E(F_k) = n_Fk T_k / n_k`,
//!   `Var(F_k) = n_Rk n_Fk (n_k S_k − T_k²) / (n_k² (n_k − 1))`, and
//!   `χ² = (Σ F_k − Σ E(F_k))² / Σ Var(F_k)` on 1 df (no continuity
//!   correction).
//! - The standardized mean difference (Dorans & Schmitt 1991; Zwick, Thayer
//!   & Mazzeo 1997, *Applied Measurement in Education* 10, 321–344):
//!   `SMD = Σ_k (n_Fk / n_F) (m_Fk − m_Rk)`, the focal-weighted difference of
//!   the groups' mean item scores (positive: easier for the focal group),
//!   and its effect size `SMD / SD` with `SD` the item score's standard
//!   deviation (n − 1) over both groups in those strata.
//! - ETS classes for polytomous items (Zwick, Thayer & Mazzeo 1997): AA if
//!   Mantel's p ≥ .05 or `|SMD/SD| ≤ .17`; CC if p < .05 and
//!   `|SMD/SD| > .25`; BB otherwise.
//! - Ordinal logistic regression (Zumbo 1999; French & Miller 1996): the
//!   cumulative logit (proportional odds) model
//!   `logit P(Y ≥ j) = α_j + b1 X + b2 G + b3 X·G`, `j = 1..m`, with `X` the
//!   matching score and `G` the focal indicator, fitted to every stratum
//!   (as the binary logistic DIF); likelihood-ratio chi-squares for the
//!   group term (uniform, 1 df), the interaction (non-uniform, 1 df) and
//!   both (2 df), the change in Nagelkerke's R² from the score-only model to
//!   the full one, and the Jodoin & Gierl (2001) classes as for 0/1 items.
//!   On a 0/1 item the model is the binary logistic regression.

use super::{LogisticDif, Stratum, chi2_sf_1, nested_lr_dif};
use crate::calibration::linalg::spd_solve;
use crate::undefined::Reason;
use serde::{Deserialize, Serialize};

/// ETS DIF category of a polytomous item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[allow(missing_docs)] // the classes are named AA, BB, CC in the literature
pub enum PolytomousDifClass {
    AA,
    BB,
    CC,
}

/// Mantel's chi-square and the standardized mean difference of one item.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MantelSmd {
    /// Mantel's (1963) chi-square for ordered categories (1 df).
    pub mantel_chi2: f64,
    /// Its p-value.
    pub mantel_p_value: f64,
    /// Standardized mean difference, focal minus reference, in item score
    /// points.
    pub smd: f64,
    /// Standard deviation (n − 1) of the item score over both groups.
    pub item_sd: f64,
    /// `SMD / SD`.
    pub smd_effect_size: f64,
    /// The ETS class (AA, BB, CC).
    pub ets_class: PolytomousDifClass,
}

/// Mantel's chi-square, SMD and the ETS class over the strata `used`.
pub(super) fn mantel_smd(used: &[Stratum]) -> Result<MantelSmd, Reason> {
    if used.is_empty() {
        return Err(Reason::EmptyGroup);
    }
    let (mut f_sum, mut e_sum, mut v_sum) = (0.0, 0.0, 0.0);
    let (mut smd_num, mut n_focal) = (0.0, 0.0);
    let (mut n_all, mut sum_all, mut squares_all) = (0.0, 0.0, 0.0);
    for s in used {
        let n = s.n[0] + s.n[1];
        let t = s.right[0] + s.right[1];
        let squares: f64 = (0..2)
            .map(|g| {
                s.cats[g]
                    .iter()
                    .enumerate()
                    .map(|(y, c)| (y * y) as f64 * c)
                    .sum::<f64>()
            })
            .sum();
        f_sum += s.right[1];
        e_sum += s.n[1] * t / n;
        v_sum += s.n[0] * s.n[1] * (n * squares - t * t) / (n * n * (n - 1.0));
        smd_num += s.n[1] * (s.right[1] / s.n[1] - s.right[0] / s.n[0]);
        n_focal += s.n[1];
        n_all += n;
        sum_all += t;
        squares_all += squares;
    }
    if v_sum <= 0.0 || n_all < 2.0 {
        return Err(Reason::ConstantItem);
    }
    let mantel_chi2 = (f_sum - e_sum).powi(2) / v_sum;
    let mantel_p_value = chi2_sf_1(mantel_chi2);
    let smd = smd_num / n_focal;
    let item_sd = ((squares_all - sum_all * sum_all / n_all) / (n_all - 1.0)).sqrt();
    let smd_effect_size = smd / item_sd;
    let size = smd_effect_size.abs();
    let ets_class = if mantel_p_value >= 0.05 || size <= 0.17 {
        PolytomousDifClass::AA
    } else if size > 0.25 {
        PolytomousDifClass::CC
    } else {
        PolytomousDifClass::BB
    };
    Ok(MantelSmd {
        mantel_chi2,
        mantel_p_value,
        smd,
        item_sd,
        smd_effect_size,
        ets_class,
    })
}

/// Persons of one group in one stratum, by item score.
struct Cell<'a> {
    score: f64,
    focal: f64,
    counts: &'a [f64],
}

/// Ordinal logistic-regression DIF over all strata.
pub(super) fn ordinal_logistic_dif(strata: &[Stratum]) -> Result<LogisticDif, Reason> {
    let cells: Vec<Cell<'_>> = strata
        .iter()
        .flat_map(|s| {
            (0..2).filter(|&g| s.n[g] > 0.0).map(move |g| Cell {
                score: s.score,
                focal: g as f64,
                counts: &s.cats[g],
            })
        })
        .collect();
    if !cells.iter().any(|c| c.focal > 0.0) || !cells.iter().any(|c| c.focal == 0.0) {
        return Err(Reason::EmptyGroup);
    }
    let m = cells.first().map_or(0, |c| c.counts.len() - 1);
    let mut marginal = vec![0.0; m + 1];
    for c in &cells {
        for (t, x) in marginal.iter_mut().zip(c.counts) {
            *t += x;
        }
    }
    let total: f64 = marginal.iter().sum();
    if marginal.iter().filter(|&&x| x > 0.0).count() < 2 || total < 2.0 {
        return Err(Reason::ConstantItem);
    }
    if marginal.contains(&0.0) {
        // A category nobody reached has no threshold to estimate.
        return Err(Reason::NotEstimable);
    }
    let ll_null: f64 = marginal.iter().map(|&x| x * (x / total).ln()).sum();
    let mean_score = cells
        .iter()
        .map(|c| c.score * c.counts.iter().sum::<f64>())
        .sum::<f64>()
        / total;
    let covariates = |c: &Cell<'_>| {
        let x = c.score - mean_score;
        [x, c.focal, x * c.focal]
    };
    // Thresholds start at the marginal cumulative logits.
    let mut start = Vec::with_capacity(m);
    let mut above = total;
    for count in &marginal[..m] {
        above -= count;
        start.push((above / (total - above)).ln());
    }
    let ll1 = fit_cumulative_logit(&cells, &covariates, 1, &start)?;
    let ll2 = fit_cumulative_logit(&cells, &covariates, 2, &start)?;
    let ll3 = fit_cumulative_logit(&cells, &covariates, 3, &start)?;
    Ok(nested_lr_dif(total, ll_null, [ll1, ll2, ll3]))
}

fn logistic(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// Log-likelihood, gradient and negative Hessian of the cumulative logit
/// model at `theta = (α_1..α_m, b_1..b_terms)`.
fn cumulative_logit_terms(
    cells: &[Cell<'_>],
    covariates: &dyn Fn(&Cell<'_>) -> [f64; 3],
    terms: usize,
    theta: &[f64],
) -> (f64, Vec<f64>, Vec<f64>) {
    let m = theta.len() - terms;
    let q = theta.len();
    let (mut ll, mut grad, mut info) = (0.0, vec![0.0; q], vec![0.0; q * q]);
    let mut d_p = vec![0.0; q];
    for c in cells {
        let z = covariates(c);
        let linear: f64 = (0..terms).map(|t| z[t] * theta[m + t]).sum();
        // P(Y ≥ j) for j = 0..=m+1 and the logistic densities.
        let upper = |j: usize| -> (f64, f64) {
            match j {
                0 => (1.0, 0.0),
                j if j > m => (0.0, 0.0),
                j => {
                    let f = logistic(theta[j - 1] + linear);
                    (f, f * (1.0 - f))
                }
            }
        };
        for (y, &count) in c.counts.iter().enumerate() {
            if count == 0.0 {
                continue;
            }
            let ((f_lo, d_lo), (f_hi, d_hi)) = (upper(y), upper(y + 1));
            let p = f_lo - f_hi;
            if p <= 0.0 {
                return (f64::NEG_INFINITY, grad, info);
            }
            ll += count * p.ln();
            // ∂p/∂θ: α_y gets d_lo, α_{y+1} gets −d_hi, each b_t z_t (d_lo − d_hi).
            d_p.iter_mut().for_each(|v| *v = 0.0);
            if y >= 1 {
                d_p[y - 1] += d_lo;
            }
            if y < m {
                d_p[y] -= d_hi;
            }
            for t in 0..terms {
                d_p[m + t] = z[t] * (d_lo - d_hi);
            }
            // ∂²p: the logistic density's derivative f(1 − F)(1 − 2F).
            let curv = |f: f64, d: f64| d * (1.0 - 2.0 * f);
            let (c_lo, c_hi) = (
                if y >= 1 { curv(f_lo, d_lo) } else { 0.0 },
                if y < m { curv(f_hi, d_hi) } else { 0.0 },
            );
            let index_vector = |j: usize| -> Vec<f64> {
                let mut v = vec![0.0; q];
                v[j - 1] = 1.0;
                v[m..m + terms].copy_from_slice(&z[..terms]);
                v
            };
            let lo_vec = (y >= 1).then(|| index_vector(y));
            let hi_vec = (y < m).then(|| index_vector(y + 1));
            for a in 0..q {
                grad[a] += count * d_p[a] / p;
                for b in 0..q {
                    let mut second = 0.0;
                    if let Some(v) = &lo_vec {
                        second += c_lo * v[a] * v[b];
                    }
                    if let Some(v) = &hi_vec {
                        second -= c_hi * v[a] * v[b];
                    }
                    // −∂² ln p = (∂p ∂pᵀ)/p² − ∂²p / p.
                    info[a * q + b] += count * (d_p[a] * d_p[b] / (p * p) - second / p);
                }
            }
        }
    }
    (ll, grad, info)
}

/// Maximum log-likelihood of the cumulative logit model with the first
/// `terms` covariates, by Newton–Raphson with step halving.
fn fit_cumulative_logit(
    cells: &[Cell<'_>],
    covariates: &dyn Fn(&Cell<'_>) -> [f64; 3],
    terms: usize,
    start: &[f64],
) -> Result<f64, Reason> {
    let mut theta: Vec<f64> = start
        .iter()
        .copied()
        .chain((0..terms).map(|_| 0.0))
        .collect();
    let q = theta.len();
    let (mut ll, mut grad, mut info) = cumulative_logit_terms(cells, covariates, terms, &theta);
    for _ in 0..200 {
        let Some(step) = spd_solve(&info, q, &grad) else {
            return Err(Reason::NotEstimable);
        };
        let mut scale = 1.0;
        let mut accepted = false;
        for _ in 0..40 {
            let trial: Vec<f64> = theta
                .iter()
                .zip(&step)
                .map(|(t, s)| t + scale * s)
                .collect();
            let next = cumulative_logit_terms(cells, covariates, terms, &trial);
            if next.0 >= ll - 1e-12 * ll.abs() {
                let small = step.iter().all(|s| (scale * s).abs() < 1e-9);
                theta = trial;
                (ll, grad, info) = next;
                accepted = true;
                if small {
                    return Ok(ll);
                }
                break;
            }
            scale /= 2.0;
        }
        if !accepted {
            return Ok(ll);
        }
        if theta.iter().any(|t| !t.is_finite() || t.abs() > 1e6) {
            return Err(Reason::NotEstimable);
        }
    }
    Err(Reason::NotEstimable)
}
