//! Whole-test statistics over data with missing cells, from pairwise
//! covariances, following the definitions of R psych's `alpha()` with
//! `use = "pairwise"` (Revelle, psych package).
//!
//! When one form's data has missing (not-presented) cells, its persons fall
//! into many patterns of presented items, and per-pattern test statistics
//! say little. psych instead estimates the item covariance matrix `C` from
//! pairwise-complete cases: `C_ij` over the persons presented both items,
//! with the means of those persons. Then
//!
//! - `alpha = k/(k-1) (1 - tr C / sum C)`;
//! - alpha if item `i` is deleted: the same on `C` without row and column `i`;
//! - the corrected item-total correlation (`r.drop`):
//!   `(sum_j C_ij - C_ii) / sqrt(C_ii sum(C without i))`;
//! - the uncorrected one (`raw.r`): Pearson r, over the persons presented
//!   the item, of the item score with the person's mean score over the items
//!   presented to them (psych's `rowMeans(x, na.rm = TRUE)`).
//!
//! These are defined when every pair of items was presented together to at
//! least two persons; they come from the item cross products of each form
//! ([`Summary::with_cross_products`]) and so merge like everything else.

use crate::summary::Summary;
use crate::undefined::{Reason, Statistic, Undefined};
use exam_core::ids::ItemId;
use exam_core::responses::ResponseMatrix;
use serde::{Deserialize, Serialize};

/// Pairwise (psych-style) whole-test statistics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PairwiseStatistics {
    /// Coefficient alpha from the pairwise covariance matrix.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alpha: Option<f64>,
    /// Per item, in input order.
    pub items: Vec<PairwiseItem>,
    /// Statistics that are undefined here, with the reason.
    #[serde(skip_serializing_if = "Undefined::is_empty", default)]
    pub undefined: Undefined,
}

/// Pairwise statistics of one item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PairwiseItem {
    /// The item.
    pub id: ItemId,
    /// Corrected item-total correlation (psych `r.drop`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub point_biserial: Option<f64>,
    /// Item with the mean of the presented items (psych `raw.r`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub point_biserial_uncorrected: Option<f64>,
    /// Alpha without the item (psych `alpha.drop$raw_alpha`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alpha_if_deleted: Option<f64>,
    /// Statistics that are undefined here, with the reason.
    #[serde(skip_serializing_if = "Undefined::is_empty", default)]
    pub undefined: Undefined,
}

/// Whether every pair of items was presented together in some block: the
/// case of one form with missing cells, where pairwise statistics apply.
pub fn every_pair_presented(matrix: &ResponseMatrix) -> bool {
    let k = matrix.n_items();
    let mut seen = vec![false; k * k];
    for block in matrix.blocks() {
        for &a in block.items() {
            for &b in block.items() {
                seen[a * k + b] = true;
            }
        }
    }
    seen.iter().all(|&s| s)
}

/// The pairwise statistics of a summary built with cross products; `None`
/// if it has none.
pub fn pairwise(summary: &Summary) -> Option<PairwiseStatistics> {
    if !summary.has_cross_products() {
        return None;
    }
    let k = summary.items().len();
    // n, sum of item i (over persons with both), and sum of products, by pair.
    let mut n = vec![0f64; k * k];
    let mut sum = vec![0f64; k * k];
    let mut products = vec![0f64; k * k];
    // For raw.r: per item, over persons presented it.
    let mut mean_sums = vec![[0f64; 6]; k];
    for form in summary.forms() {
        let nf = form.n_persons() as f64;
        let kf = form.n_items() as f64;
        let total = form.total_sum() as f64;
        let total_sq = form.total_squares() as f64;
        for (a, &i) in form.items().iter().enumerate() {
            let si = form.item_sum(a) as f64;
            for &j in form.items() {
                n[i * k + j] += nf;
                sum[i * k + j] += si;
            }
            let m = &mut mean_sums[i];
            m[0] += nf;
            m[1] += si;
            m[2] += form.item_squares(a) as f64;
            m[3] += total / kf;
            m[4] += total_sq / (kf * kf);
            m[5] += form.item_total_products(a) as f64 / kf;
        }
    }
    for i in 0..k {
        for j in 0..k {
            products[i * k + j] = summary.cross_product(i, j).unwrap_or(0) as f64;
        }
    }
    let mut undefined = Undefined::default();
    let missing_pair = (0..k * k).any(|p| n[p] < 2.0);
    let cov = |i: usize, j: usize| {
        let p = i * k + j;
        let q = j * k + i;
        (products[p] - sum[p] * sum[q] / n[p]) / (n[p] - 1.0)
    };
    let (c, total, trace, row_sums) = if missing_pair {
        (Vec::new(), 0.0, 0.0, Vec::new())
    } else {
        let c: Vec<f64> = (0..k * k).map(|p| cov(p / k, p % k)).collect();
        let row_sums: Vec<f64> = (0..k).map(|i| c[i * k..(i + 1) * k].iter().sum()).collect();
        let total: f64 = row_sums.iter().sum();
        let trace: f64 = (0..k).map(|i| c[i * k + i]).sum();
        (c, total, trace, row_sums)
    };
    let alpha = if missing_pair {
        Err(Reason::PairsNotPresented)
    } else if k < 2 {
        Err(Reason::TooFewItems)
    } else if total <= 0.0 {
        Err(Reason::ConstantTotal)
    } else {
        let kf = k as f64;
        Ok(kf / (kf - 1.0) * (1.0 - trace / total))
    };
    let items = (0..k)
        .map(|i| {
            let mut u = Undefined::default();
            let (r_drop, alpha_drop) = if missing_pair {
                (
                    Err(Reason::PairsNotPresented),
                    Err(Reason::PairsNotPresented),
                )
            } else {
                let cii = c[i * k + i];
                let rest_total = total - 2.0 * row_sums[i] + cii;
                let r = if cii <= 0.0 {
                    Err(Reason::ConstantItem)
                } else if rest_total <= 0.0 {
                    Err(Reason::ConstantRest)
                } else {
                    Ok((row_sums[i] - cii) / (cii * rest_total).sqrt())
                };
                let a = if k < 3 {
                    Err(Reason::TooFewItems)
                } else if rest_total <= 0.0 {
                    Err(Reason::ConstantRest)
                } else {
                    let kf = (k - 1) as f64;
                    Ok(kf / (kf - 1.0) * (1.0 - (trace - cii) / rest_total))
                };
                (r, a)
            };
            let [nn, sx, sxx, sm, smm, smx] = mean_sums[i];
            let ss_x = nn * sxx - sx * sx;
            let ss_m = nn * smm - sm * sm;
            let raw = if nn < 2.0 {
                Err(Reason::TooFewPersons)
            } else {
                crate::moments::correlation(nn * smx - sx * sm, ss_x, ss_m, Reason::ConstantTotal)
            };
            PairwiseItem {
                id: summary.items()[i].clone(),
                point_biserial: u.take(Statistic::PointBiserial, r_drop),
                point_biserial_uncorrected: u.take(Statistic::PointBiserialUncorrected, raw),
                alpha_if_deleted: u.take(Statistic::AlphaIfDeleted, alpha_drop),
                undefined: u,
            }
        })
        .collect();
    Some(PairwiseStatistics {
        alpha: undefined.take(Statistic::Alpha, alpha),
        items,
        undefined,
    })
}
