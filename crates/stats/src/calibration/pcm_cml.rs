//! Masters' partial credit model and Andrich's rating scale model by
//! conditional maximum likelihood (CML), as R eRm's `PCM` and `RSM`
//! (Mair & Hatzinger 2007, *JSS* 20(9)).
//!
//! An item `i` scored `0..=m_i` has cumulative category parameters
//! `δ_ih = τ_i1 + … + τ_ih` (`δ_i0 = 0`), with `P(X_i = h | θ) ∝
//! exp(hθ − δ_ih)` (Masters 1982, *Psychometrika* 47, 149–174). The `τ_ih`
//! are the Andrich thresholds, the points where categories `h − 1` and `h`
//! are equally likely; an item's location is their mean. The rating scale
//! model (Andrich 1978, *Psychometrika* 43, 561–573) constrains every item
//! to the same threshold pattern: `τ_ih = β_i + κ_h` with `Σ_h κ_h = 0`.
//!
//! Given a person's raw score `r`, `P(x | r) = Π_i ε_{i,x_i} / γ_r` with
//! `ε_ih = exp(−δ_ih)` and `γ_r` the elementary symmetric function of order
//! `r` of the polytomous items: the coefficient of `t^r` in
//! `Π_i (1 + ε_i1 t + … + ε_im t^m)`, built by convolution. The conditional
//! log-likelihood `−Σ s_ih δ_ih − Σ_r n_r ln γ_r` (`s_ih` the persons in
//! category `h` of item `i`, `n_r` the persons with raw score `r`) has the
//! gradient `−s_ih + Σ_r n_r P(X_i = h | r)` and the negative Hessian
//! `Σ_r n_r Cov(1[X_i = h], 1[X_j = l] | r)`, computed exactly from the γ's
//! without one item (`P(X_i = h | r) = ε_ih γ^{(i)}_{r−h} / γ_r`) and without
//! two. Both models are linear in free parameters `η` (`δ = Wη`, eRm's
//! design matrix): Newton–Raphson on `η` with step halving converges in a
//! few steps. Sparse data contribute per block (pattern of presented items),
//! as in [`super::rasch_cml`]; persons with a zero or perfect score on their
//! block carry no information and are left out.
//!
//! Normalisation as eRm's `sum0 = TRUE`: the `δ_ih` sum to zero over all
//! items and categories. Standard errors come from the inverse information
//! of `η`, carried to the thresholds and locations through their linear
//! maps.

use super::cml_existence::check_strongly_connected;
use super::linalg::{spd_inverse, spd_solve};
use super::{CalibrationError, Convergence, StopReason};
use exam_core::ids::ItemId;
use exam_core::responses::ResponseMatrix;
use serde::{Deserialize, Serialize};
use statrs::distribution::{ChiSquared, ContinuousCDF};
use std::fmt;

const MAX_ITERATIONS: usize = 100;
const TOLERANCE: f64 = 1e-10;

/// The polytomous Rasch models fitted by [`pcm_cml`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PolytomousRasch {
    /// Masters' partial credit model: thresholds free per item.
    PartialCredit,
    /// Andrich's rating scale model: one threshold pattern for all items,
    /// shifted by each item's location.
    RatingScale,
}

impl fmt::Display for PolytomousRasch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PolytomousRasch::PartialCredit => "partial credit",
            PolytomousRasch::RatingScale => "rating scale",
        })
    }
}

/// The result of [`pcm_cml`].
#[derive(Debug, Clone, Serialize)]
pub struct PcmFit {
    /// The model.
    pub model: PolytomousRasch,
    /// One entry per item, in the matrix's order.
    pub items: Vec<PcmItem>,
    /// Rating scale model only: the common category thresholds `κ_h`
    /// (summing to zero), each item's thresholds being its location plus
    /// these.
    pub category_thresholds: Option<Vec<Estimate>>,
    /// The conditional log-likelihood at the estimates.
    pub conditional_log_likelihood: f64,
    /// Free parameters (`Σ m_i − 1` for the PCM, `k − 1 + m − 1` for the
    /// RSM).
    pub n_parameters: usize,
    /// Newton–Raphson iterations.
    pub iterations: usize,
    /// Whether the Newton–Raphson iterations converged (the largest step
    /// below 1e-10, or a step that cannot improve with the gradient below
    /// 1e-8 per person), and why they stopped; the change and the slowest
    /// item are those of the category parameters `δ_ih`.
    pub convergence: Convergence,
    /// Persons with a score strictly between zero and perfect on their
    /// block (the ones CML uses).
    pub n_persons_used: usize,
}

/// An estimate with its standard error.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    /// The value.
    pub value: f64,
    /// Its standard error (absent when the information is singular).
    pub se: Option<f64>,
}

/// One item's CML estimates.
#[derive(Debug, Clone, Serialize)]
pub struct PcmItem {
    /// The item.
    pub id: ItemId,
    /// Persons presented the item.
    pub presented: usize,
    /// Location: the mean of the item's Andrich thresholds.
    pub location: Estimate,
    /// Andrich thresholds `τ_i1..τ_im`.
    pub thresholds: Vec<Estimate>,
}

impl PcmItem {
    /// Cumulative category parameters `δ_ih = τ_i1 + … + τ_ih`, `h = 1..m`.
    pub fn cumulative(&self) -> Vec<f64> {
        self.thresholds
            .iter()
            .scan(0.0, |acc, t| {
                *acc += t.value;
                Some(*acc)
            })
            .collect()
    }
}

/// Fits the partial credit or rating scale model by CML to every person of
/// `data`.
pub fn pcm_cml(data: &ResponseMatrix, model: PolytomousRasch) -> Result<PcmFit, CalibrationError> {
    let layout = Layout::new(data, model)?;
    layout.check_estimable(data, |_| true)?;
    let stats = layout.stats(data, |_| true);
    let fit = layout.fit(&stats)?;
    Ok(layout.report(data, &stats, &fit))
}

/// How persons are split for Andersen's likelihood-ratio test (the two
/// score splits of eRm's `LRtest`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScoreSplit {
    /// Raw score above the median against the rest (eRm's default).
    Median,
    /// Raw score above the mean against the rest.
    Mean,
}

/// Andersen's (1973, *Psychometrika* 38, 123–140) likelihood-ratio test:
/// `LR = 2(Σ_g ℓ_g − ℓ)` with `ℓ_g` the conditional log-likelihood
/// maximised in group `g` alone, χ² with `Σ_g p_g − p` degrees of freedom
/// under the model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AndersenLr {
    /// The split.
    pub split: ScoreSplit,
    /// The raw-score cut: group 1 scores at most this, group 2 above it.
    pub cut: f64,
    /// Conditional log-likelihoods of the two groups.
    pub group_log_likelihoods: [f64; 2],
    /// The statistic.
    pub lr: f64,
    /// Degrees of freedom.
    pub df: usize,
    /// Upper-tail χ² p-value.
    pub p_value: f64,
}

/// Andersen's LR test of `fit` (from [`pcm_cml`] on `data`) for a raw-score
/// split. The raw score is the sum over the items a person was presented;
/// the mean or median is taken over all persons (extreme scores included, as
/// eRm does). Fails when a group leaves a category of some item empty.
pub fn andersen_lr(
    data: &ResponseMatrix,
    fit: &PcmFit,
    split: ScoreSplit,
) -> Result<AndersenLr, CalibrationError> {
    let layout = Layout::new(data, fit.model)?;
    let scores = raw_scores(data);
    let cut = match split {
        ScoreSplit::Mean => scores.iter().sum::<f64>() / scores.len().max(1) as f64,
        ScoreSplit::Median => median(&scores),
    };
    let mut group_log_likelihoods = [0.0; 2];
    for (g, ll) in group_log_likelihoods.iter_mut().enumerate() {
        let in_group = |p: usize| (scores[p] > cut) == (g == 1);
        layout.check_estimable(data, in_group)?;
        let stats = layout.stats(data, in_group);
        *ll = layout.fit(&stats)?.value;
    }
    let lr = 2.0 * (group_log_likelihoods.iter().sum::<f64>() - fit.conditional_log_likelihood);
    let df = fit.n_parameters;
    Ok(AndersenLr {
        split,
        cut,
        group_log_likelihoods,
        lr,
        df,
        p_value: ChiSquared::new(df as f64).map_or(f64::NAN, |c| c.sf(lr.max(0.0))),
    })
}

/// Each person's raw score over the items presented.
fn raw_scores(data: &ResponseMatrix) -> Vec<f64> {
    let mut scores = vec![0.0; data.n_persons()];
    for block in data.blocks() {
        let width = block.n_items();
        for (row, &p) in block.scores().chunks_exact(width).zip(block.persons()) {
            scores[p] = row.iter().map(|&x| f64::from(x)).sum();
        }
    }
    scores
}

fn median(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => 0.0,
        n if n % 2 == 1 => v[n / 2],
        n => 0.5 * (v[n / 2 - 1] + v[n / 2]),
    }
}

/// Items, their categories, and the design matrix `W` (`δ = Wη`).
struct Layout {
    model: PolytomousRasch,
    ids: Vec<ItemId>,
    /// Highest category of each item.
    categories: Vec<usize>,
    /// Offset of item `i`'s parameters `δ_i1..δ_im` in `δ`.
    offsets: Vec<usize>,
    /// Row-major `P x q` design matrix.
    design: Vec<f64>,
    n_free: usize,
}

/// Sufficient statistics of the persons used.
struct Stats {
    /// `s_ih`: persons in category `h` of item `i`, laid out as `δ`.
    counts: Vec<f64>,
    blocks: Vec<BlockStats>,
    n_used: usize,
}

struct BlockStats {
    items: Vec<usize>,
    /// Persons per raw score `0..=R`, extreme scores zeroed.
    score_counts: Vec<f64>,
}

/// A converged (or stopped) fit in the free parameters.
struct FreeFit {
    delta: Vec<f64>,
    /// Covariance of `δ` (`W V Wᵀ`), `None` when the information is singular.
    covariance: Option<Vec<f64>>,
    value: f64,
    iterations: usize,
    convergence: Convergence,
}

impl Layout {
    fn new(data: &ResponseMatrix, model: PolytomousRasch) -> Result<Self, CalibrationError> {
        let categories: Vec<usize> = data.max_scores().iter().map(|&m| usize::from(m)).collect();
        if categories.len() < 2 {
            return Err(CalibrationError::TooFewItems {
                estimable: categories.len(),
            });
        }
        if let Some(j) = categories.iter().position(|&m| m == 0) {
            return Err(CalibrationError::EmptyCategory {
                item: data.items()[j].clone(),
                category: 1,
            });
        }
        let mut offsets = Vec::with_capacity(categories.len());
        let mut n_delta = 0;
        for &m in &categories {
            offsets.push(n_delta);
            n_delta += m;
        }
        let k = categories.len();
        let (design, n_free) = match model {
            // δ_11 = 0; every other δ_ih free.
            PolytomousRasch::PartialCredit => {
                let q = n_delta - 1;
                let mut w = vec![0.0; n_delta * q];
                for row in 1..n_delta {
                    w[row * q + row - 1] = 1.0;
                }
                (w, q)
            }
            // δ_ih = h·β_i + κ_1 + … + κ_h, β_1 = 0, κ_m = −(κ_1 + … + κ_{m−1}).
            PolytomousRasch::RatingScale => {
                let m = categories[0];
                if let Some(j) = categories.iter().position(|&c| c != m) {
                    return Err(CalibrationError::RatingScaleCategories {
                        item: data.items()[j].clone(),
                        max_score: categories[j] as u8,
                        expected: m as u8,
                    });
                }
                let q = k - 1 + m - 1;
                let mut w = vec![0.0; n_delta * q];
                for i in 0..k {
                    for h in 1..=m {
                        let row = offsets[i] + h - 1;
                        if i > 0 {
                            w[row * q + i - 1] = h as f64;
                        }
                        for l in 1..m {
                            let coef = f64::from(u8::from(l <= h)) - f64::from(u8::from(h == m));
                            w[row * q + k - 1 + l - 1] = coef;
                        }
                    }
                }
                (w, q)
            }
        };
        Ok(Self {
            model,
            ids: data.items().to_vec(),
            categories,
            offsets,
            design,
            n_free,
        })
    }

    /// Fischer's (1981) condition for finite estimates over the persons
    /// `keep` accepts (see `cml_existence`).
    fn check_estimable(
        &self,
        data: &ResponseMatrix,
        keep: impl Fn(usize) -> bool,
    ) -> Result<(), CalibrationError> {
        let all: Vec<Option<usize>> = (0..self.categories.len()).map(Some).collect();
        check_strongly_connected(data, &all, &self.categories, keep)
    }

    fn n_delta(&self) -> usize {
        self.categories.iter().sum()
    }

    /// Category counts and score distributions of the persons `keep`
    /// accepts, leaving out extreme scores on each block.
    fn stats(&self, data: &ResponseMatrix, keep: impl Fn(usize) -> bool) -> Stats {
        let mut counts = vec![0.0; self.n_delta()];
        let mut blocks = Vec::new();
        let mut n_used = 0;
        for block in data.blocks() {
            let items = block.items().to_vec();
            let top: usize = items.iter().map(|&i| self.categories[i]).sum();
            let mut score_counts = vec![0.0; top + 1];
            let width = block.n_items();
            for (row, &p) in block.scores().chunks_exact(width).zip(block.persons()) {
                if !keep(p) {
                    continue;
                }
                let r: usize = row.iter().map(|&x| usize::from(x)).sum();
                if r == 0 || r == top {
                    continue;
                }
                score_counts[r] += 1.0;
                for (&i, &x) in items.iter().zip(row) {
                    if x > 0 {
                        counts[self.offsets[i] + usize::from(x) - 1] += 1.0;
                    }
                }
            }
            let used = score_counts.iter().sum::<f64>();
            if used > 0.0 {
                n_used += used as usize;
                blocks.push(BlockStats {
                    items,
                    score_counts,
                });
            }
        }
        Stats {
            counts,
            blocks,
            n_used,
        }
    }

    /// Newton–Raphson on the free parameters.
    fn fit(&self, stats: &Stats) -> Result<FreeFit, CalibrationError> {
        if let Some(row) = stats.counts.iter().position(|&s| s == 0.0) {
            let i = self.offsets.partition_point(|&o| o <= row) - 1;
            return Err(CalibrationError::EmptyCategory {
                item: self.ids[i].clone(),
                category: (row - self.offsets[i] + 1) as u8,
            });
        }
        let q = self.n_free;
        let mut eta = vec![0.0; q];
        let mut iterations = 0;
        let mut stop = StopReason::IterationLimit;
        let (mut max_change, mut slowest) = (f64::INFINITY, None);
        let mut terms = self.terms(stats, &eta, true);
        while iterations < MAX_ITERATIONS {
            iterations += 1;
            let Some(step) = spd_solve(&terms.info, q, &terms.grad) else {
                break;
            };
            let mut scale = 1.0;
            let mut accepted = None;
            while scale > 1e-8 {
                let trial: Vec<f64> = eta.iter().zip(&step).map(|(e, s)| e + scale * s).collect();
                let t = self.terms(stats, &trial, false);
                if t.value.is_finite() && t.value >= terms.value - 1e-12 * terms.value.abs() {
                    accepted = Some(trial);
                    break;
                }
                scale *= 0.5;
            }
            let max_step = step.iter().fold(0.0f64, |m, s| m.max(s.abs())) * scale;
            let stuck = accepted.is_none();
            if let Some(trial) = accepted {
                (max_change, slowest) = self.largest_change(&eta, &trial);
                eta = trial;
            } else {
                (max_change, slowest) = (0.0, None);
            }
            terms = self.terms(stats, &eta, true);
            if max_step < TOLERANCE || stuck {
                let max_grad = terms.grad.iter().fold(0.0f64, |m, g| m.max(g.abs()));
                stop = if max_step < TOLERANCE || max_grad < 1e-8 * stats.n_used as f64 {
                    StopReason::ParameterChange
                } else {
                    StopReason::Stalled
                };
                break;
            }
        }
        let max_gradient =
            terms.grad.iter().fold(0.0f64, |m, g| m.max(g.abs())) / stats.n_used.max(1) as f64;
        if !terms.value.is_finite() {
            return Err(CalibrationError::NonFinite {
                iteration: iterations,
            });
        }
        let covariance = spd_inverse(&terms.info, q).map(|v| {
            let p = self.n_delta();
            let w = &self.design;
            // W V Wᵀ.
            let mut wv = vec![0.0; p * q];
            for a in 0..p {
                for b in 0..q {
                    wv[a * q + b] = (0..q).map(|c| w[a * q + c] * v[c * q + b]).sum();
                }
            }
            let mut cov = vec![0.0; p * p];
            for a in 0..p {
                for b in 0..p {
                    cov[a * p + b] = (0..q).map(|c| wv[a * q + c] * w[b * q + c]).sum();
                }
            }
            cov
        });
        Ok(FreeFit {
            delta: self.delta(&eta),
            covariance,
            value: terms.value,
            iterations,
            convergence: Convergence {
                converged: stop == StopReason::ParameterChange,
                reason: stop,
                max_change,
                slowest_item: slowest.map(|i| self.ids[i].clone()),
                max_gradient,
                polish: None,
            },
        })
    }

    /// The largest change of a category parameter `δ_ih` from `eta` to
    /// `next`, and its item.
    fn largest_change(&self, eta: &[f64], next: &[f64]) -> (f64, Option<usize>) {
        let (before, after) = (self.delta(eta), self.delta(next));
        let (row, change) = before
            .iter()
            .zip(&after)
            .map(|(b, a)| (a - b).abs())
            .enumerate()
            .fold(
                (0, 0.0f64),
                |(at, m), (r, c)| if c > m { (r, c) } else { (at, m) },
            );
        let item = self.offsets.partition_point(|&o| o <= row) - 1;
        (change, Some(item))
    }

    fn delta(&self, eta: &[f64]) -> Vec<f64> {
        let q = self.n_free;
        self.design
            .chunks_exact(q)
            .map(|row| row.iter().zip(eta).map(|(w, e)| w * e).sum())
            .collect()
    }

    /// Value, gradient and information in `η`.
    fn terms(&self, stats: &Stats, eta: &[f64], with_info: bool) -> Terms {
        let delta = self.delta(eta);
        let p = delta.len();
        let t = delta_terms(&self.categories, &self.offsets, stats, &delta, with_info);
        let q = self.n_free;
        let w = &self.design;
        let grad: Vec<f64> = (0..q)
            .map(|c| (0..p).map(|a| w[a * q + c] * t.grad[a]).sum())
            .collect();
        let info = if with_info {
            // Wᵀ H W.
            let mut hw = vec![0.0; p * q];
            for a in 0..p {
                for c in 0..q {
                    hw[a * q + c] = (0..p).map(|b| t.info[a * p + b] * w[b * q + c]).sum();
                }
            }
            let mut out = vec![0.0; q * q];
            for c in 0..q {
                for d in 0..q {
                    out[c * q + d] = (0..p).map(|a| w[a * q + c] * hw[a * q + d]).sum();
                }
            }
            out
        } else {
            Vec::new()
        };
        Terms {
            value: t.value,
            grad,
            info,
        }
    }

    /// Normalised estimates (`Σ δ_ih = 0`) with standard errors.
    fn report(&self, data: &ResponseMatrix, stats: &Stats, fit: &FreeFit) -> PcmFit {
        let p = self.n_delta();
        // Shift along the model's invariance (θ → θ + c, δ_ih → δ_ih + h·c)
        // so the δ's sum to zero: δ' = δ − h·Σδ/Σh, a linear map N.
        let h_of: Vec<f64> = self
            .categories
            .iter()
            .flat_map(|&m| (1..=m).map(|h| h as f64))
            .collect();
        let sum_h: f64 = h_of.iter().sum();
        // Row `a` of N: e_a − h_a/Σh · 1.
        let normalised_row = |a: usize| -> Vec<f64> {
            (0..p)
                .map(|b| f64::from(u8::from(a == b)) - h_of[a] / sum_h)
                .collect()
        };
        let estimate = |row: &[f64]| -> Estimate {
            let value = row.iter().zip(&fit.delta).map(|(r, d)| r * d).sum();
            let se = fit.covariance.as_ref().map(|cov| {
                let mut var = 0.0;
                for a in 0..p {
                    if row[a] == 0.0 {
                        continue;
                    }
                    for b in 0..p {
                        var += row[a] * cov[a * p + b] * row[b];
                    }
                }
                var.max(0.0).sqrt()
            });
            Estimate { value, se }
        };
        let mut presented = vec![0; self.categories.len()];
        for block in data.blocks() {
            for &i in block.items() {
                presented[i] += block.n_persons();
            }
        }
        let items: Vec<PcmItem> = (0..self.categories.len())
            .map(|i| {
                let (o, m) = (self.offsets[i], self.categories[i]);
                // τ_ih = δ'_ih − δ'_i,h−1; location = δ'_im / m.
                let thresholds = (1..=m)
                    .map(|h| {
                        let mut row = normalised_row(o + h - 1);
                        if h > 1 {
                            for (r, prev) in row.iter_mut().zip(normalised_row(o + h - 2)) {
                                *r -= prev;
                            }
                        }
                        estimate(&row)
                    })
                    .collect();
                let location_row: Vec<f64> = normalised_row(o + m - 1)
                    .iter()
                    .map(|r| r / m as f64)
                    .collect();
                PcmItem {
                    id: data.items()[i].clone(),
                    presented: presented[i],
                    location: estimate(&location_row),
                    thresholds,
                }
            })
            .collect();
        let category_thresholds = (self.model == PolytomousRasch::RatingScale).then(|| {
            // κ_h = τ_1h − location_1 (the same for every item).
            let m = self.categories[0];
            (1..=m)
                .map(|h| {
                    let mut row = vec![0.0; p];
                    row[h - 1] += 1.0;
                    if h > 1 {
                        row[h - 2] -= 1.0;
                    }
                    row[m - 1] -= 1.0 / m as f64;
                    estimate(&row)
                })
                .collect()
        });
        PcmFit {
            model: self.model,
            items,
            category_thresholds,
            conditional_log_likelihood: fit.value,
            n_parameters: self.n_free,
            iterations: fit.iterations,
            convergence: fit.convergence.clone(),
            n_persons_used: stats.n_used,
        }
    }
}

struct Terms {
    value: f64,
    grad: Vec<f64>,
    info: Vec<f64>,
}

/// `1, ε_i1 t, …, ε_im t^m` of each item, centred: with `c` the shift,
/// `ε'_ih = exp(h·c − δ_ih)` and `γ_r = e^{−r·c} γ'_r`.
fn item_polynomials(
    categories: &[usize],
    offsets: &[usize],
    items: &[usize],
    delta: &[f64],
    shift: f64,
) -> Vec<Vec<f64>> {
    items
        .iter()
        .map(|&i| {
            std::iter::once(1.0)
                .chain(
                    (1..=categories[i])
                        .map(|h| (h as f64 * shift - delta[offsets[i] + h - 1]).exp()),
                )
                .collect()
        })
        .collect()
}

/// The product of two polynomials.
fn convolve(a: &[f64], b: &[f64]) -> Vec<f64> {
    let mut out = vec![0.0; a.len() + b.len() - 1];
    for (s, &x) in a.iter().enumerate() {
        if x == 0.0 {
            continue;
        }
        for (t, &y) in b.iter().enumerate() {
            out[s + t] += x * y;
        }
    }
    out
}

/// Value, gradient and information of the conditional log-likelihood in
/// the cumulative parameters `δ`.
fn delta_terms(
    categories: &[usize],
    offsets: &[usize],
    stats: &Stats,
    delta: &[f64],
    with_info: bool,
) -> Terms {
    let p = delta.len();
    let mut value: f64 = -stats
        .counts
        .iter()
        .zip(delta)
        .map(|(s, d)| s * d)
        .sum::<f64>();
    let mut grad: Vec<f64> = stats.counts.iter().map(|s| -s).collect();
    let mut info = if with_info {
        vec![0.0; p * p]
    } else {
        Vec::new()
    };
    for b in &stats.blocks {
        let kb = b.items.len();
        let weight: f64 = b.items.iter().map(|&i| categories[i] as f64).sum();
        let shift = b
            .items
            .iter()
            .map(|&i| delta[offsets[i] + categories[i] - 1])
            .sum::<f64>()
            / weight;
        let polys = item_polynomials(categories, offsets, &b.items, delta, shift);
        // Prefix products: prefix[i] = Π_{l<i}; suffix[i] = Π_{l≥i}.
        let mut prefix = Vec::with_capacity(kb + 1);
        prefix.push(vec![1.0]);
        for poly in &polys {
            let next = convolve(prefix.last().map_or(&[1.0][..], |v| v), poly);
            prefix.push(next);
        }
        let mut suffix = vec![vec![1.0]; kb + 1];
        for i in (0..kb).rev() {
            suffix[i] = convolve(&polys[i], &suffix[i + 1]);
        }
        let gamma = &prefix[kb];
        for (r, &n) in b.score_counts.iter().enumerate() {
            if n > 0.0 {
                value -= n * (gamma[r].ln() - r as f64 * shift);
            }
        }
        // P(X_i = h | r) = ε_ih γ^{(i)}_{r−h} / γ_r, stored [i][h][r].
        let without: Vec<Vec<f64>> = (0..kb)
            .map(|i| convolve(&prefix[i], &suffix[i + 1]))
            .collect();
        let top = gamma.len();
        let prob = |i: usize, h: usize, r: usize| -> f64 {
            if h > r || r - h >= without[i].len() {
                0.0
            } else {
                polys[i][h] * without[i][r - h] / gamma[r]
            }
        };
        for (i, &item) in b.items.iter().enumerate() {
            for h in 1..=categories[item] {
                let g: f64 = (1..top - 1)
                    .map(|r| b.score_counts[r] * prob(i, h, r))
                    .sum();
                grad[offsets[item] + h - 1] += g;
            }
        }
        if !with_info {
            continue;
        }
        // Within an item: Cov = P_h (1[h = l]) − P_h P_l.
        for (i, &item) in b.items.iter().enumerate() {
            let m = categories[item];
            for r in 1..top - 1 {
                let n = b.score_counts[r];
                if n == 0.0 {
                    continue;
                }
                for h in 1..=m {
                    let ph = prob(i, h, r);
                    for l in 1..=m {
                        let pl = prob(i, l, r);
                        let c = if h == l { ph - ph * pl } else { -ph * pl };
                        info[(offsets[item] + h - 1) * p + offsets[item] + l - 1] += n * c;
                    }
                }
            }
        }
        // Between items i < j: P(X_i = h, X_j = l | r) = ε_ih ε_jl
        // γ^{(ij)}_{r−h−l} / γ_r, γ^{(ij)} = prefix[i] · Π_{i<l<j} · suffix[j+1].
        for i in 0..kb {
            let mut left = prefix[i].clone();
            for j in i + 1..kb {
                let pair = convolve(&left, &suffix[j + 1]);
                let (item_i, item_j) = (b.items[i], b.items[j]);
                for h in 1..=categories[item_i] {
                    for l in 1..=categories[item_j] {
                        let mut cov = 0.0;
                        for r in (h + l).max(1)..top - 1 {
                            let n = b.score_counts[r];
                            if n == 0.0 {
                                continue;
                            }
                            let joint = if r - h - l < pair.len() {
                                polys[i][h] * polys[j][l] * pair[r - h - l] / gamma[r]
                            } else {
                                0.0
                            };
                            cov += n * (joint - prob(i, h, r) * prob(j, l, r));
                        }
                        // Scores below h + l have no joint term.
                        for r in 1..(h + l).min(top - 1) {
                            cov -= b.score_counts[r] * prob(i, h, r) * prob(j, l, r);
                        }
                        let (a, c) = (offsets[item_i] + h - 1, offsets[item_j] + l - 1);
                        info[a * p + c] += cov;
                        info[c * p + a] += cov;
                    }
                }
                left = convolve(&left, &polys[j]);
            }
        }
    }
    Terms { value, grad, info }
}
