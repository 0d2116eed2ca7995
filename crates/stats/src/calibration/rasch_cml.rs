//! The Rasch model by conditional maximum likelihood (CML).
//!
//! Given a person's raw score `r` on a set of items, the probability of a
//! response pattern does not depend on θ (Rasch 1960; Andersen 1970):
//! `P(x | r) = Π_j ε_j^{x_j} / γ_r(ε)` with `ε_j = exp(−β_j)` and `γ_r` the
//! elementary symmetric function of order `r` of the ε's. The conditional
//! log-likelihood is therefore `−Σ_j s_j β_j − Σ_r n_r ln γ_r` with `s_j`
//! the item totals and `n_r` the number of persons with raw score `r`: CML
//! needs only those, so the data are read once. Sparse data contribute one
//! such term per block (each form has its own γ's), which is how eRm treats
//! missing responses.
//!
//! The γ's come from the summation algorithm (Fischer 1974; Verhelst,
//! Glas & van der Sluis 1984): adding item `j` maps `γ_r ← γ_r + ε_j γ_{r−1}`.
//! The γ's without item `j` (needed by the gradient) are the convolution of
//! the γ's of the items before and after `j`; those without items `i` and `j`
//! (needed by the Hessian) remove `ε_j` from the former by the recursion
//! run in its stable direction (upward when `ε_j ≤ 1`, downward otherwise).
//! Newton–Raphson on the exact Hessian `−Σ_r n_r Cov(x | r)` converges in a
//! few steps.
//!
//! Normalisation: the difficulties sum to zero over the calibrated items
//! (eRm's `sum0 = TRUE`). Standard errors are the square roots of the
//! diagonal of the inverse information of the free parameters, carried to
//! the sum-to-zero parameters (Mair & Hatzinger 2007, *JSS* 20(9)).
//! Persons with a zero or perfect score carry no information and are left
//! out; an item everyone (or no one) answered correctly is not estimable
//! and is reported without a difficulty.

use super::cml_existence::check_strongly_connected;
use super::linalg::{spd_inverse, spd_solve};
use super::{CalibrationError, Convergence, StopReason};
use exam_core::ids::ItemId;
use exam_core::responses::ResponseMatrix;
use serde::Serialize;

const MAX_ITERATIONS: usize = 100;
const TOLERANCE: f64 = 1e-10;

/// The result of [`rasch_cml`].
#[derive(Debug, Clone, Serialize)]
pub struct CmlFit {
    /// One entry per item, in the matrix's order.
    pub items: Vec<CmlItem>,
    /// The conditional log-likelihood at the estimates.
    pub conditional_log_likelihood: f64,
    /// Newton–Raphson iterations.
    pub iterations: usize,
    /// Whether the Newton–Raphson iterations converged (the largest step
    /// below 1e-10, or a step that cannot improve with the gradient below
    /// 1e-8 per person), and why they stopped.
    pub convergence: Convergence,
    /// Persons with a score strictly between zero and perfect on their
    /// block (the ones CML uses).
    pub n_persons_used: usize,
}

/// One item's CML estimate.
#[derive(Debug, Clone, Serialize)]
pub struct CmlItem {
    /// The item.
    pub id: ItemId,
    /// Difficulty `β_j`, the estimates summing to zero; absent when the
    /// item is not estimable (nobody or everybody answered it correctly, or
    /// nobody was presented it).
    pub difficulty: Option<f64>,
    /// Its standard error.
    pub se: Option<f64>,
    /// Persons presented the item.
    pub presented: usize,
    /// Correct answers among the persons used (those with a score strictly
    /// between zero and perfect on their block).
    pub total: usize,
}

/// Sufficient statistics of one block.
struct BlockStats {
    /// Calibrated-item index (into the active list) per column kept.
    items: Vec<usize>,
    /// Persons per raw score `0..=k`.
    score_counts: Vec<f64>,
}

/// Fits the dichotomous Rasch model by CML.
pub fn rasch_cml(data: &ResponseMatrix) -> Result<CmlFit, CalibrationError> {
    let n_items = data.n_items();
    if let Some(j) = data.max_scores().iter().position(|&m| m > 1) {
        return Err(CalibrationError::PolytomousCml {
            item: data.items()[j].clone(),
            max_score: data.max_scores()[j],
        });
    }
    // Item totals and presentation counts over all persons, to find the
    // items that cannot be estimated.
    let mut correct = vec![0usize; n_items];
    let mut presented = vec![0usize; n_items];
    for block in data.blocks() {
        let width = block.n_items();
        for row in block.scores().chunks_exact(width) {
            for (&item, &x) in block.items().iter().zip(row) {
                correct[item] += usize::from(x);
            }
        }
        for &item in block.items() {
            presented[item] += block.n_persons();
        }
    }
    let active: Vec<usize> = (0..n_items)
        .filter(|&j| correct[j] > 0 && correct[j] < presented[j])
        .collect();
    let mut position = vec![usize::MAX; n_items];
    for (i, &j) in active.iter().enumerate() {
        position[j] = i;
    }
    let k = active.len();
    if k < 2 {
        return Err(CalibrationError::TooFewItems { estimable: k });
    }
    let positions: Vec<Option<usize>> = position
        .iter()
        .map(|&i| (i != usize::MAX).then_some(i))
        .collect();
    check_strongly_connected(data, &positions, &vec![1; n_items], |_| true)?;
    // Per block: item totals (of persons with non-extreme scores on the
    // block's estimable items) and score counts.
    let mut totals = vec![0.0; k];
    let mut blocks = Vec::new();
    let mut n_used = 0usize;
    for block in data.blocks() {
        let cols: Vec<usize> = (0..block.n_items())
            .filter(|&c| position[block.items()[c]] != usize::MAX)
            .collect();
        if cols.len() < 2 {
            continue;
        }
        let items: Vec<usize> = cols.iter().map(|&c| position[block.items()[c]]).collect();
        let kb = cols.len();
        let mut score_counts = vec![0.0; kb + 1];
        let mut block_totals = vec![0usize; kb];
        let width = block.n_items();
        let all_columns = kb == width;
        for row in block.scores().chunks_exact(width) {
            let r: usize = if all_columns {
                row.iter().map(|&x| usize::from(x)).sum()
            } else {
                cols.iter().map(|&c| usize::from(row[c])).sum()
            };
            score_counts[r] += 1.0;
            if r > 0 && r < kb {
                for (t, &c) in block_totals.iter_mut().zip(&cols) {
                    *t += usize::from(row[c]);
                }
            }
        }
        score_counts[0] = 0.0;
        score_counts[kb] = 0.0;
        n_used += score_counts.iter().sum::<f64>() as usize;
        for (i, t) in items.iter().zip(block_totals) {
            totals[*i] += t as f64;
        }
        blocks.push(BlockStats {
            items,
            score_counts,
        });
    }
    // Start from the log odds of the totals, centred; the last item's β is
    // held at 0 during the iterations (the model is shift invariant).
    let mut beta: Vec<f64> = (0..k)
        .map(|i| ((n_used as f64 - totals[i]).max(0.5) / totals[i].max(0.5)).ln())
        .collect();
    let last = beta[k - 1];
    beta.iter_mut().for_each(|b| *b -= last);
    let free = k - 1;
    let mut iterations = 0;
    let mut stop = StopReason::IterationLimit;
    let (mut max_change, mut slowest) = (f64::INFINITY, None);
    let mut value = f64::NEG_INFINITY;
    let mut info = Vec::new();
    while iterations < MAX_ITERATIONS {
        iterations += 1;
        let terms = cml_terms(&blocks, &totals, &beta, true);
        value = terms.value;
        info = terms.info;
        let reduced: Vec<f64> = (0..free)
            .flat_map(|i| (0..free).map(move |l| (i, l)))
            .map(|(i, l)| info[i * k + l])
            .collect();
        let Some(step) = spd_solve(&reduced, free, &terms.grad[..free]) else {
            break;
        };
        // Newton step with halving (the log-likelihood is concave).
        let mut scale = 1.0;
        let mut accepted = false;
        while scale > 1e-8 {
            let trial: Vec<f64> = (0..k)
                .map(|i| beta[i] + if i < free { scale * step[i] } else { 0.0 })
                .collect();
            let v = cml_terms(&blocks, &totals, &trial, false).value;
            if v.is_finite() && v >= value - 1e-12 * value.abs() {
                beta = trial;
                accepted = true;
                break;
            }
            scale *= 0.5;
        }
        let (largest, max_step) = step.iter().map(|s| s.abs() * scale).enumerate().fold(
            (None, 0.0f64),
            |(at, m), (i, s)| {
                if s > m { (Some(i), s) } else { (at, m) }
            },
        );
        (max_change, slowest) = (max_step, largest);
        if !accepted || max_step < TOLERANCE {
            // A step that cannot be taken is fine at the optimum (rounding).
            let terms = cml_terms(&blocks, &totals, &beta, true);
            let max_grad = terms.grad[..free]
                .iter()
                .fold(0.0f64, |m, g| m.max(g.abs()));
            stop = if max_step < TOLERANCE || max_grad < 1e-8 * n_used as f64 {
                StopReason::ParameterChange
            } else {
                StopReason::Stalled
            };
            value = terms.value;
            info = terms.info;
            break;
        }
    }
    let final_terms = cml_terms(&blocks, &totals, &beta, false);
    let max_gradient = final_terms.grad[..free]
        .iter()
        .fold(0.0f64, |m, g| m.max(g.abs()))
        / n_used.max(1) as f64;
    // Sum-to-zero difficulties and their covariance C·E·V·Eᵀ·C, with V the
    // inverse information of the free parameters, E the embedding that
    // puts β_last = 0 and C the centring matrix.
    let mean = beta.iter().sum::<f64>() / k as f64;
    let reduced: Vec<f64> = (0..free)
        .flat_map(|i| (0..free).map(move |l| (i, l)))
        .map(|(i, l)| info[i * k + l])
        .collect();
    let se: Option<Vec<f64>> = spd_inverse(&reduced, free).map(|v| {
        let full = |i: usize, l: usize| {
            if i < free && l < free {
                v[i * free + l]
            } else {
                0.0
            }
        };
        let row_mean: Vec<f64> = (0..k)
            .map(|i| (0..k).map(|l| full(i, l)).sum::<f64>() / k as f64)
            .collect();
        let grand = row_mean.iter().sum::<f64>() / k as f64;
        (0..k)
            .map(|i| (full(i, i) - 2.0 * row_mean[i] + grand).max(0.0).sqrt())
            .collect()
    });
    let items = (0..n_items)
        .map(|j| {
            let i = position[j];
            let estimable = i != usize::MAX;
            CmlItem {
                id: data.items()[j].clone(),
                difficulty: estimable.then(|| beta[i] - mean),
                se: if estimable {
                    se.as_ref().map(|s| s[i])
                } else {
                    None
                },
                presented: presented[j],
                total: if estimable { totals[i] as usize } else { 0 },
            }
        })
        .collect();
    if !value.is_finite() {
        return Err(CalibrationError::NonFinite {
            iteration: iterations,
        });
    }
    Ok(CmlFit {
        items,
        conditional_log_likelihood: value,
        iterations,
        convergence: Convergence {
            converged: stop == StopReason::ParameterChange,
            reason: stop,
            max_change,
            slowest_item: slowest.map(|i| data.items()[active[i]].clone()),
            max_gradient,
            polish: None,
        },
        n_persons_used: n_used,
    })
}

struct CmlTerms {
    value: f64,
    /// Gradient of the conditional log-likelihood in β.
    grad: Vec<f64>,
    /// Information `Σ_r n_r Cov(x | r)`, `k x k`.
    info: Vec<f64>,
}

/// Elementary symmetric functions `γ_0..γ_n` of `eps`.
fn esf(eps: impl Iterator<Item = f64>, out: &mut Vec<f64>) {
    out.clear();
    out.push(1.0);
    for e in eps {
        out.push(0.0);
        for r in (1..out.len()).rev() {
            out[r] += e * out[r - 1];
        }
    }
}

fn cml_terms(blocks: &[BlockStats], totals: &[f64], beta: &[f64], with_info: bool) -> CmlTerms {
    let k = beta.len();
    let mut value: f64 = -totals.iter().zip(beta).map(|(s, b)| s * b).sum::<f64>();
    let mut grad: Vec<f64> = totals.iter().map(|s| -s).collect();
    let mut info = if with_info {
        vec![0.0; k * k]
    } else {
        Vec::new()
    };
    let mut gamma = Vec::new();
    for b in blocks {
        let kb = b.items.len();
        // ε's of the block's β's centred (keeps the γ's and the removal
        // recursions well scaled): γ_r(ε) = e^{−r·m} γ_r(ε'), and the π's
        // do not change.
        let shift = b.items.iter().map(|&i| beta[i]).sum::<f64>() / kb as f64;
        let eps: Vec<f64> = b.items.iter().map(|&i| (shift - beta[i]).exp()).collect();
        esf(eps.iter().copied(), &mut gamma);
        for (r, &n) in b.score_counts.iter().enumerate() {
            if n > 0.0 {
                value -= n * (gamma[r].ln() - r as f64 * shift);
            }
        }
        if grad.is_empty() {
            continue;
        }
        // γ without item i: prefix (items before i) convolved with suffix.
        let mut prefixes = Vec::with_capacity(kb + 1);
        let mut acc = vec![1.0];
        prefixes.push(acc.clone());
        for &e in &eps {
            acc.push(0.0);
            for r in (1..acc.len()).rev() {
                acc[r] += e * acc[r - 1];
            }
            prefixes.push(acc.clone());
        }
        let mut suffix = vec![1.0];
        let mut without = vec![Vec::new(); kb];
        for i in (0..kb).rev() {
            let pre = &prefixes[i];
            let mut g = vec![0.0; kb];
            for (s, &ps) in pre.iter().enumerate() {
                for (t, &st) in suffix.iter().enumerate() {
                    g[s + t] += ps * st;
                }
            }
            without[i] = g;
            suffix.push(0.0);
            for r in (1..suffix.len()).rev() {
                suffix[r] += eps[i] * suffix[r - 1];
            }
        }
        // π_i|r = ε_i γ^{(i)}_{r−1} / γ_r.
        let mut pi = vec![0.0; kb * (kb + 1)];
        for i in 0..kb {
            for r in 1..kb {
                pi[i * (kb + 1) + r] = eps[i] * without[i][r - 1] / gamma[r];
            }
        }
        for (i, &gi) in b.items.iter().enumerate() {
            for r in 1..kb {
                grad[gi] += b.score_counts[r] * pi[i * (kb + 1) + r];
            }
        }
        if !with_info {
            continue;
        }
        let mut pair = vec![0.0; kb];
        let mut scratch = Vec::with_capacity(kb);
        for i in 0..kb {
            let gi = b.items[i];
            let mut diag = 0.0;
            for r in 1..kb {
                let p = pi[i * (kb + 1) + r];
                diag += b.score_counts[r] * p * (1.0 - p);
            }
            info[gi * k + gi] += diag;
            for j in i + 1..kb {
                remove(&without[i], eps[j], &mut pair, &mut scratch);
                let gj = b.items[j];
                let mut off = 0.0;
                for r in 1..kb {
                    let pij = if r >= 2 {
                        eps[i] * eps[j] * pair[r - 2] / gamma[r]
                    } else {
                        0.0
                    };
                    off += b.score_counts[r] * (pij - pi[i * (kb + 1) + r] * pi[j * (kb + 1) + r]);
                }
                info[gi * k + gj] += off;
                info[gj * k + gi] += off;
            }
        }
    }
    // The gradient above is of the log-likelihood: −s_j + Σ n_r π_j|r.
    CmlTerms { value, grad, info }
}

/// Removes one item of parameter `e` from the γ's `g` (length `m`), giving
/// the γ's of the remaining `m − 2` items in `out[..m − 1]`: `g_r = h_r +
/// e·h_{r−1}`. Solving upward loses precision once `e·h_{r−1}` dominates
/// `h_r`, downward before that; since `h_r / h_{r−1}` decreases in `r`
/// (Newton's inequalities), the upward solution is kept below the first `r`
/// where `e·h_{r−1} > h_r` and the downward one from there on.
fn remove(g: &[f64], e: f64, out: &mut [f64], down: &mut Vec<f64>) {
    let m = g.len();
    let top = m - 2;
    out[0] = g[0];
    let mut switch = top + 1;
    for r in 1..=top {
        out[r] = g[r] - e * out[r - 1];
        if e * out[r - 1] > out[r] {
            switch = r;
            break;
        }
    }
    if switch <= top {
        down.clear();
        down.resize(top + 1, 0.0);
        down[top] = g[m - 1] / e;
        for r in (switch + 1..=top).rev() {
            down[r - 1] = (g[r] - down[r]) / e;
        }
        out[switch..=top].copy_from_slice(&down[switch..=top]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn esf_of_three_items() {
        let mut g = Vec::new();
        esf([1.0, 2.0, 3.0].into_iter(), &mut g);
        assert_eq!(g.len(), 4);
        let want = [1.0, 6.0, 11.0, 6.0];
        for (x, y) in g.iter().zip(want) {
            assert!((x - y).abs() < 1e-12);
        }
    }

    #[test]
    fn removal_recovers_the_smaller_set_both_ways() {
        let mut g = Vec::new();
        let mut h = Vec::new();
        esf([0.5, 2.0, 3.0].into_iter(), &mut g);
        for (e, rest) in [(0.5, [2.0, 3.0]), (3.0, [0.5, 2.0])] {
            esf(rest.into_iter(), &mut h);
            let mut out = vec![0.0; 3];
            remove(&g, e, &mut out, &mut Vec::new());
            for (x, y) in out.iter().zip(&h) {
                assert!((x - y).abs() < 1e-12, "{out:?} vs {h:?}");
            }
        }
    }

    #[test]
    fn removal_is_accurate_on_a_long_spread_test() {
        // 60 items with difficulties spread over ±3: every removal agrees
        // with the γ's computed directly to 1e-12 relative.
        let eps: Vec<f64> = (0..60).map(|i| (3.0 - 0.1 * f64::from(i)).exp()).collect();
        let (mut g, mut h) = (Vec::new(), Vec::new());
        esf(eps.iter().copied(), &mut g);
        let mut out = vec![0.0; 60];
        let mut scratch = Vec::new();
        for j in [0, 17, 30, 59] {
            esf(
                eps.iter()
                    .enumerate()
                    .filter(|(i, _)| *i != j)
                    .map(|(_, e)| *e),
                &mut h,
            );
            remove(&g, eps[j], &mut out, &mut scratch);
            for (x, y) in out.iter().zip(&h) {
                assert!(((x - y) / y).abs() < 1e-12, "item {j}: {x} vs {y}");
            }
        }
    }

    #[test]
    fn too_few_estimable_items_is_an_error() {
        use exam_core::responses::CsvOptions;
        // Item B: everybody right; only A varies.
        let csv = "A,B\n1,1\n0,1\n1,1\n";
        let data =
            ResponseMatrix::from_csv(csv.as_bytes(), "t", CsvOptions { id_column: false }).unwrap();
        assert_eq!(
            rasch_cml(&data).unwrap_err(),
            CalibrationError::TooFewItems { estimable: 1 }
        );
    }
}
