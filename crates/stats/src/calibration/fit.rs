//! Item fit.
//!
//! - [`s_x2`]: the S-X² statistic of Orlando & Thissen (2000, *Applied
//!   Psychological Measurement* 24, 50–64) for dichotomous items calibrated
//!   by MML. Persons are grouped by their summed score `s` on the calibrated
//!   items; the observed proportion correct on item `j` in each group is
//!   compared with the model's
//!   `E_js = ∫ P_j(θ) f*_j(s − 1 | θ) g(θ) dθ / ∫ f(s | θ) g(θ) dθ`, where
//!   `f` and `f*_j` (without item `j`) are the summed-score distributions of
//!   Lord & Wingersky (1984), integrated over the calibration's latent
//!   distribution with 61 Gauss–Hermite points. `f` comes from one
//!   recursion per node; each `f*_j` from `f` by removing item `j` again
//!   (dividing out its factor `(1 − P_j) + P_j·z` of the generating
//!   function, upwards from score 0 where `P_j ≤ ½` and downwards from the
//!   top score otherwise, so no step divides by less than ½), which makes
//!   the whole statistic `O(n²·Q)` per form instead of `O(n³·Q)`. Scores 1..n−1 are used;
//!   adjacent score groups are merged, from the low end up, until the
//!   expected numbers right and wrong are both at least 1 (the last group
//!   absorbs a short remainder). `X² = Σ_g [(O_g − E_g)²/E_g + (O'_g −
//!   E'_g)²/E'_g]` over groups (right and wrong), with degrees of freedom the
//!   number of groups less the item's estimated parameters. Sparse data
//!   add up block by block (each form has its own summed scores).
//! - [`rasch_item_fit`]: infit and outfit mean squares of the Rasch model
//!   (Wright & Masters 1982, *Rating Scale Analysis*, ch. 5) from a CML
//!   calibration, with each person at the maximum-likelihood ability for
//!   their raw score (persons with a zero or perfect score are left out).
//!   Outfit is the mean of the squared standardised residuals
//!   `(x − P)²/(P(1 − P))`; infit is `Σ(x − P)² / Σ P(1 − P)`.

use super::{Calibration, CmlFit, IrtModel};
use exam_core::irt::logistic;
use exam_core::quadrature::Quadrature;
use exam_core::responses::ResponseMatrix;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use statrs::distribution::{ChiSquared, ContinuousCDF};

/// Expected counts below this merge score groups.
const MIN_EXPECTED: f64 = 1.0;

/// The S-X² statistic of one item.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SX2 {
    /// The statistic.
    pub statistic: f64,
    /// Its degrees of freedom.
    pub df: usize,
    /// The upper-tail chi-square probability.
    pub p_value: f64,
}

/// Infit and outfit mean squares of one Rasch item.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RaschItemFit {
    /// Information-weighted mean square.
    pub infit: f64,
    /// Unweighted mean square of the standardised residuals.
    pub outfit: f64,
    /// Persons contributing.
    pub n: usize,
}

/// S-X² per item of a dichotomous MML calibration of `data` (the matrix it
/// was calibrated from). Absent for items that were not calibrated, for
/// GPCM items, and where the degrees of freedom are not positive.
pub fn s_x2(data: &ResponseMatrix, fit: &Calibration) -> Vec<Option<SX2>> {
    s_x2_with(data, fit, |full, probs, i, q, rest| {
        remove_item(full, probs[i][q], rest);
    })
}

/// Tests up to this many items get their item fit by default (`exam
/// calibrate --fit`): S-X² costs `O(n²·Q)` per form, about a second at
/// 2,000 items.
pub const DEFAULT_FIT_MAX_ITEMS: usize = 2_000;

/// S-X² with `rest(full, probs, i, q, out)` writing the summed-score
/// distribution at node `q` without item `i` into `out` (length `n`), given
/// `full` (length `n + 1`), the distribution with every item.
fn s_x2_with(
    data: &ResponseMatrix,
    fit: &Calibration,
    rest: impl Fn(&[f64], &[Vec<f64>], usize, usize, &mut [f64]) + Sync,
) -> Vec<Option<SX2>> {
    let n_items = fit.items.len();
    let quadrature = Quadrature::gauss_hermite(61);
    let theta: Vec<f64> = quadrature
        .nodes()
        .iter()
        .map(|z| fit.latent.mean + fit.latent.sd * z)
        .collect();
    let weights = quadrature.weights();
    let nq = theta.len();
    let dichotomous = |j: usize| fit.items[j].estimate.as_ref().filter(|e| e.d.len() == 1);
    let mut chi = vec![0.0; n_items];
    let mut groups = vec![0usize; n_items];
    for block in data.blocks() {
        let cols: Vec<usize> = (0..block.n_items())
            .filter(|&c| dichotomous(block.items()[c]).is_some())
            .collect();
        let k = cols.len();
        if k < 3 {
            continue;
        }
        // P_j(θ_q) for the block's items.
        let probs: Vec<Vec<f64>> = cols
            .iter()
            .map(|&c| {
                dichotomous(block.items()[c]).map_or_else(Vec::new, |e| {
                    theta
                        .iter()
                        .map(|t| e.c + (1.0 - e.c) * logistic(e.a * t + e.d[0]))
                        .collect()
                })
            })
            .collect();
        // Observed: persons per score, right answers per item and score.
        let mut n_s = vec![0.0; k + 1];
        let mut right = vec![vec![0.0; k + 1]; k];
        let width = block.n_items();
        for row in block.scores().chunks_exact(width) {
            let s: usize = cols.iter().map(|&c| usize::from(row[c])).sum();
            n_s[s] += 1.0;
            for (i, &c) in cols.iter().enumerate() {
                if row[c] > 0 {
                    right[i][s] += 1.0;
                }
            }
        }
        // Marginal probability of each score.
        let full = lord_wingersky(&probs, nq);
        let marginal: Vec<f64> = (0..=k)
            .map(|s| (0..nq).map(|q| weights[q] * full[q * (k + 1) + s]).sum())
            .collect();
        // Items in parallel (each is O(k·Q)); each item's sums are added
        // in block order, so the result does not depend on the threads.
        let per_item: Vec<(usize, f64, usize)> = cols
            .par_iter()
            .enumerate()
            .map_init(
                || vec![0.0; k],
                |without, (i, &c)| {
                    let j = block.items()[c];
                    // ∫ P_j f*_j(s − 1 | θ) g(θ) dθ for s = 1..k−1.
                    let mut joint = vec![0.0; k];
                    for q in 0..nq {
                        rest(&full[q * (k + 1)..(q + 1) * (k + 1)], &probs, i, q, without);
                        let w = weights[q] * probs[i][q];
                        for (acc, f) in joint[1..].iter_mut().zip(without.iter()) {
                            *acc += w * f;
                        }
                    }
                    // Expected right answers and persons per score 1..k−1.
                    let mut cells = Vec::with_capacity(k);
                    for s in 1..k {
                        if marginal[s] <= 0.0 {
                            continue;
                        }
                        let e_js = joint[s] / marginal[s];
                        cells.push((n_s[s], right[i][s], e_js * n_s[s]));
                    }
                    let (x2, g) = collapsed_chi_square(&cells);
                    (j, x2, g)
                },
            )
            .collect();
        for (j, x2, g) in per_item {
            chi[j] += x2;
            groups[j] += g;
        }
    }
    (0..n_items)
        .map(|j| {
            let item = &fit.items[j];
            dichotomous(j)?;
            let n_params = if item.fixed {
                0
            } else {
                match fit.model {
                    IrtModel::Rasch => 1,
                    IrtModel::TwoPl => 2,
                    // S-X² is computed for dichotomous items only: a GPCM
                    // item scored 0/1 has a, d and no c.
                    IrtModel::ThreePl => 3,
                    IrtModel::Gpcm => 2,
                }
            };
            let df = groups[j].checked_sub(n_params).filter(|&df| df > 0)?;
            let p_value = ChiSquared::new(df as f64).ok()?.sf(chi[j]);
            Some(SX2 {
                statistic: chi[j],
                df,
                p_value,
            })
        })
        .collect()
}

/// The summed-score distribution without one item of probability `p`,
/// from the distribution `full` with it (length `n + 1`) into `out`
/// (length `n`): the inverse of one Lord–Wingersky step,
/// `full[s] = (1 − p)·out[s] + p·out[s − 1]`, solved from score 0 up when
/// `p ≤ ½` and from the top down otherwise (each step then divides by at
/// least ½, so rounding errors are not amplified). Round-off below zero is
/// set to zero.
fn remove_item(full: &[f64], p: f64, out: &mut [f64]) {
    let n = out.len();
    if p <= 0.5 {
        let inv = 1.0 / (1.0 - p);
        let mut previous = 0.0;
        for s in 0..n {
            previous = ((full[s] - p * previous) * inv).max(0.0);
            out[s] = previous;
        }
    } else {
        let inv = 1.0 / p;
        let mut next = 0.0;
        for s in (0..n).rev() {
            next = ((full[s + 1] - (1.0 - p) * next) * inv).max(0.0);
            out[s] = next;
        }
    }
}

/// Summed-score distributions at each node (Lord & Wingersky 1984),
/// `out[q * (n + 1) + s]` with `n` the number of items.
fn lord_wingersky(probs: &[Vec<f64>], nq: usize) -> Vec<f64> {
    let n = probs.len();
    let mut out = vec![0.0; nq * (n + 1)];
    for (q, f) in out.chunks_exact_mut(n + 1).enumerate() {
        lord_wingersky_at(probs, None, q, f);
    }
    out
}

/// The summed-score distribution at node `q` of the items in `probs`
/// except `skip`, into `f` (length: the items used + 1).
fn lord_wingersky_at(probs: &[Vec<f64>], skip: Option<usize>, q: usize, f: &mut [f64]) {
    f.fill(0.0);
    f[0] = 1.0;
    let mut used = 0;
    for (i, p) in probs.iter().enumerate() {
        if Some(i) == skip {
            continue;
        }
        let pq = p[q];
        used += 1;
        for s in (1..=used).rev() {
            f[s] = f[s] * (1.0 - pq) + f[s - 1] * pq;
        }
        f[0] *= 1.0 - pq;
    }
}

/// Merges adjacent score cells `(persons, observed right, expected right)`
/// until expected right and wrong are both at least [`MIN_EXPECTED`], and
/// returns the chi-square and the number of groups.
fn collapsed_chi_square(cells: &[(f64, f64, f64)]) -> (f64, usize) {
    let mut merged: Vec<(f64, f64, f64)> = Vec::new();
    let mut open = (0.0, 0.0, 0.0);
    for &(n, o, e) in cells {
        open = (open.0 + n, open.1 + o, open.2 + e);
        if open.2 >= MIN_EXPECTED && open.0 - open.2 >= MIN_EXPECTED {
            merged.push(open);
            open = (0.0, 0.0, 0.0);
        }
    }
    if open.0 > 0.0 {
        match merged.last_mut() {
            Some(last) => *last = (last.0 + open.0, last.1 + open.1, last.2 + open.2),
            None => merged.push(open),
        }
    }
    let x2 = merged
        .iter()
        .filter(|(n, _, e)| *e > 0.0 && n - e > 0.0)
        .map(|(n, o, e)| (o - e).powi(2) / e + ((n - o) - (n - e)).powi(2) / (n - e))
        .sum();
    (x2, merged.len())
}

/// Infit and outfit per item of a CML calibration of `data`. Absent for
/// items without a difficulty.
pub fn rasch_item_fit(data: &ResponseMatrix, fit: &CmlFit) -> Vec<Option<RaschItemFit>> {
    let n_items = fit.items.len();
    let mut sq_std = vec![0.0; n_items]; // Σ (x − P)²/W
    let mut sq = vec![0.0; n_items]; // Σ (x − P)²
    let mut info = vec![0.0; n_items]; // Σ W
    let mut count = vec![0usize; n_items];
    for block in data.blocks() {
        let cols: Vec<usize> = (0..block.n_items())
            .filter(|&c| fit.items[block.items()[c]].difficulty.is_some())
            .collect();
        let k = cols.len();
        if k < 2 {
            continue;
        }
        let beta: Vec<f64> = cols
            .iter()
            .map(|&c| fit.items[block.items()[c]].difficulty.unwrap_or(0.0))
            .collect();
        // Persons and right answers per raw score.
        let mut n_r = vec![0.0; k + 1];
        let mut right = vec![vec![0.0; k + 1]; k];
        let width = block.n_items();
        for row in block.scores().chunks_exact(width) {
            let r: usize = cols.iter().map(|&c| usize::from(row[c])).sum();
            n_r[r] += 1.0;
            for (i, &c) in cols.iter().enumerate() {
                right[i][r] += f64::from(row[c]);
            }
        }
        for r in 1..k {
            if n_r[r] == 0.0 {
                continue;
            }
            let theta = ml_theta(&beta, r);
            for (i, &c) in cols.iter().enumerate() {
                let j = block.items()[c];
                let p = logistic(theta - beta[i]);
                let w = p * (1.0 - p);
                let (n1, n0) = (right[i][r], n_r[r] - right[i][r]);
                let s = n1 * (1.0 - p).powi(2) + n0 * p * p;
                sq[j] += s;
                sq_std[j] += s / w;
                info[j] += n_r[r] * w;
                count[j] += n_r[r] as usize;
            }
        }
    }
    (0..n_items)
        .map(|j| {
            (count[j] > 0 && info[j] > 0.0).then(|| RaschItemFit {
                infit: sq[j] / info[j],
                outfit: sq_std[j] / count[j] as f64,
                n: count[j],
            })
        })
        .collect()
}

/// The maximum-likelihood ability for raw score `r` (0 < r < k) on Rasch
/// items of difficulties `beta`: the root of `Σ P_j(θ) = r`.
fn ml_theta(beta: &[f64], r: usize) -> f64 {
    let k = beta.len() as f64;
    let r = r as f64;
    let mean = beta.iter().sum::<f64>() / k;
    let mut theta = (r / (k - r)).ln() + mean;
    for _ in 0..100 {
        let (mut f, mut df) = (-r, 0.0);
        for b in beta {
            let p = logistic(theta - b);
            f += p;
            df += p * (1.0 - p);
        }
        let step = (f / df).clamp(-2.0, 2.0);
        theta -= step;
        if step.abs() < 1e-12 {
            break;
        }
    }
    theta
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests: a panic is the failure report
mod tests {
    use super::*;

    #[test]
    fn lord_wingersky_matches_enumeration_for_three_items() {
        let p = [0.2, 0.5, 0.7];
        let probs: Vec<Vec<f64>> = p.iter().map(|&x| vec![x]).collect();
        let f = lord_wingersky(&probs, 1);
        // P(s = 3) = 0.07; P(s = 0) = 0.8·0.5·0.3 = 0.12;
        // P(s = 1) = 0.2·0.5·0.3 + 0.8·0.5·0.3 + 0.8·0.5·0.7 = 0.43.
        assert!((f[3] - 0.07).abs() < 1e-15);
        assert!((f[0] - 0.12).abs() < 1e-15);
        assert!((f[1] - 0.43).abs() < 1e-15);
        assert!((f.iter().sum::<f64>() - 1.0).abs() < 1e-15);
        let mut without_middle = [0.0; 3];
        lord_wingersky_at(&probs, Some(1), 0, &mut without_middle);
        assert!((without_middle[2] - 0.14).abs() < 1e-15);
        // Removing the middle item again gives 0.8·0.3, 0.2·0.3 + 0.8·0.7, 0.14.
        let mut removed = [0.0; 3];
        remove_item(&f, 0.5, &mut removed);
        for (got, want) in removed.iter().zip([0.24, 0.62, 0.14]) {
            assert!((got - want).abs() < 1e-15, "{removed:?}");
        }
    }

    #[test]
    fn removing_an_item_inverts_its_recursion_step_in_both_directions() {
        // Forty items with probabilities from 0.01 to 0.99: each removed
        // from the full distribution equals the recursion without it.
        let probs: Vec<Vec<f64>> = (0..40)
            .map(|i| vec![0.01 + 0.98 * f64::from(i) / 39.0])
            .collect();
        let full = lord_wingersky(&probs, 1);
        let (mut removed, mut direct) = (vec![0.0; 40], vec![0.0; 40]);
        for i in 0..40 {
            remove_item(&full, probs[i][0], &mut removed);
            lord_wingersky_at(&probs, Some(i), 0, &mut direct);
            for (r, d) in removed.iter().zip(&direct) {
                assert!((r - d).abs() <= 1e-15 + 1e-12 * d, "item {i}: {r} vs {d}");
            }
        }
    }

    /// A reference data set of the workspace (no id column).
    fn reference(file: &str) -> ResponseMatrix {
        let path = format!(
            "{}/../../tests/data/reference/{file}",
            env!("CARGO_MANIFEST_DIR")
        );
        let reader = std::fs::File::open(&path).unwrap();
        let options = exam_core::responses::CsvOptions { id_column: false };
        ResponseMatrix::from_csv(reader, file, options).unwrap()
    }

    #[test]
    fn s_x2_by_removal_equals_s_x2_by_one_recursion_per_item() {
        // The oracle is the former implementation: a full Lord–Wingersky
        // recursion without each item. SAT12 under the 3PL has items with
        // P above and below ½ at every node range.
        let data = reference("sat12.csv");
        for model in [IrtModel::TwoPl, IrtModel::ThreePl] {
            let mut options = super::super::CalibrationOptions::new(model);
            options.standard_errors = false;
            let fit = super::super::calibrate(&data, &options).unwrap();
            let fast = s_x2(&data, &fit);
            let oracle = s_x2_with(&data, &fit, |_, probs, i, q, out| {
                lord_wingersky_at(probs, Some(i), q, out);
            });
            assert_eq!(fast.len(), 32);
            for (f, o) in fast.iter().zip(&oracle) {
                let (f, o) = (f.unwrap(), o.unwrap());
                assert_eq!(f.df, o.df);
                assert!(
                    (f.statistic - o.statistic).abs() <= 1e-9 * o.statistic,
                    "{f:?} vs {o:?}"
                );
            }
        }
    }

    #[test]
    fn ml_theta_solves_the_score_equation() {
        let beta = [-1.0, 0.0, 0.5, 1.5];
        let theta = ml_theta(&beta, 3);
        let expected: f64 = beta.iter().map(|b| logistic(theta - b)).sum();
        assert!((expected - 3.0).abs() < 1e-10);
    }

    #[test]
    fn sparse_cells_merge_until_expected_counts_reach_one() {
        // Expected right 0.4 + 0.5 + 3.0; the first two merge with the third.
        let cells = [
            (2.0, 0.0, 0.4),
            (3.0, 1.0, 0.5),
            (10.0, 4.0, 3.0),
            (10.0, 6.0, 6.0),
        ];
        let (x2, groups) = collapsed_chi_square(&cells);
        assert_eq!(groups, 2);
        // Group 1: n 15, o 5, e 3.9; group 2: n 10, o 6, e 6.
        let want = (5.0 - 3.9f64).powi(2) / 3.9 + (10.0 - 11.1f64).powi(2) / 11.1;
        assert!((x2 - want).abs() < 1e-12);
    }
}
