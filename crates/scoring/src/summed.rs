//! Summed-score likelihoods by the Lord–Wingersky recursion, and EAP
//! ability per raw score (a raw-to-theta table for a fixed form).
//!
//! Lord & Wingersky (1984), *Applied Psychological Measurement* 8, 453–461:
//! with `L_0^{(0)}(θ) = 1`, adding item `j` gives
//! `L_x^{(j)}(θ) = L_x^{(j−1)}(θ)·Q_j(θ) + L_{x−1}^{(j−1)}(θ)·P_j(θ)`, so after
//! all `n` items `L_x(θ) = P(X = x | θ)` for `x = 0..=n`. Thissen, Pommerich,
//! Billeaud & Williams (1995), *APM* 19, 39–49, define summed-score EAP:
//! `E[θ | X = x] = ∫ θ L_x(θ) g(θ) dθ / ∫ L_x(θ) g(θ) dθ`, with the posterior
//! SD, and the marginal probability `P(X = x) = ∫ L_x(θ) g(θ) dθ`.
//!
//! The integrals use the trapezoidal grid of [`mod@crate::eap`] (the same
//! spacing rule: each `ln L_x` bends no more than a pattern's log-likelihood
//! does), widened until every score's posterior is negligible at both ends.

use crate::eap::{MAX_NODES, grid_nodes, grid_step};
use crate::prior::NormalPrior;
use crate::scale::{ConversionTable, ScaleConversion};
use exam_core::irt::ItemParams;
use serde::{Deserialize, Serialize};

/// Why a summed-score table could not be built.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum SummedScoreError {
    /// The form has no items.
    #[error("a summed-score table needs at least one item")]
    NoItems,
    /// A raw score's posterior still carries weight at the edge of the
    /// widest grid the table is built on (four times the EAP grid).
    #[error("the posterior of a raw score extends beyond θ = {theta}")]
    OffGrid {
        /// The grid's edge.
        theta: f64,
    },
}

/// `P(X = x | θ)` for `x = 0..=n`: the Lord–Wingersky recursion at one θ.
pub fn summed_score_likelihoods(items: &[ItemParams], theta: f64) -> Vec<f64> {
    let mut l = Vec::with_capacity(items.len() + 1);
    l.push(1.0);
    for item in items {
        let p = item.prob(theta);
        let q = 1.0 - p;
        l.push(0.0);
        for x in (1..l.len()).rev() {
            l[x] = l[x] * q + l[x - 1] * p;
        }
        l[0] *= q;
    }
    l
}

/// One raw score of a [`SummedScoreTable`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SummedScoreRow {
    /// The raw (number-correct) score `x`.
    pub raw: usize,
    /// `E[θ | X = x]`, the summed-score EAP.
    pub theta: f64,
    /// The posterior SD of θ given `X = x`.
    pub psd: f64,
    /// The model-implied proportion of persons with this score, `P(X = x)`.
    pub probability: f64,
}

/// Raw-to-theta table of a fixed form: one row per raw score `0..=n`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SummedScoreTable {
    prior: NormalPrior,
    rows: Vec<SummedScoreRow>,
}

/// Log-posterior drop below the maximum at which a grid edge is negligible.
const TAIL: f64 = 30.0;

impl SummedScoreTable {
    /// The table for `items` under `prior`.
    pub fn new(items: &[ItemParams], prior: NormalPrior) -> Result<Self, SummedScoreError> {
        if items.is_empty() {
            return Err(SummedScoreError::NoItems);
        }
        let step = grid_step(items, &prior);
        let mut nodes = grid_nodes(&prior, step);
        loop {
            let likelihoods: Vec<Vec<f64>> = nodes
                .iter()
                .map(|&t| summed_score_likelihoods(items, t))
                .collect();
            let weights: Vec<f64> = nodes.iter().map(|&t| prior.log_density(t).exp()).collect();
            let n = items.len();
            let mut rows = Vec::with_capacity(n + 1);
            let mut edge_heavy = false;
            for x in 0..=n {
                let post: Vec<f64> = likelihoods
                    .iter()
                    .zip(&weights)
                    .map(|(l, w)| l[x] * w)
                    .collect();
                let max = post.iter().copied().fold(0.0, f64::max);
                let floor = max * (-TAIL).exp();
                edge_heavy |= post[0] > floor || post[post.len() - 1] > floor;
                let total: f64 = post.iter().sum();
                let mean = post.iter().zip(&nodes).map(|(p, t)| p * t).sum::<f64>() / total;
                let var = post
                    .iter()
                    .zip(&nodes)
                    .map(|(p, t)| p * (t - mean) * (t - mean))
                    .sum::<f64>()
                    / total;
                let norm: f64 = weights.iter().sum();
                rows.push(SummedScoreRow {
                    raw: x,
                    theta: mean,
                    psd: var.max(0.0).sqrt(),
                    probability: total / norm,
                });
            }
            if !edge_heavy {
                return Ok(Self { prior, rows });
            }
            if nodes.len() > 2 * MAX_NODES {
                return Err(SummedScoreError::OffGrid {
                    theta: nodes[nodes.len() - 1],
                });
            }
            let half = nodes.len() / 2;
            nodes = (-(2 * half as i64)..=(2 * half as i64))
                .map(|k| prior.mean() + k as f64 * step)
                .collect();
        }
    }

    /// The rows, raw score 0 first.
    pub fn rows(&self) -> &[SummedScoreRow] {
        &self.rows
    }

    /// The prior used.
    pub fn prior(&self) -> &NormalPrior {
        &self.prior
    }

    /// The raw-to-scale table obtained by converting each raw score's EAP θ
    /// with `conversion` (a θ-to-scale conversion).
    pub fn raw_to_scale(&self, conversion: &ScaleConversion) -> ConversionTable {
        ConversionTable::from_points(self.rows.iter().map(|r| (r.raw, r.theta)), conversion)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Three items with P(θ = 0) = 3/4, 1/2, 1/4 (a = 1, b = −ln 3, 0, ln 3).
    fn three_items() -> Vec<ItemParams> {
        [-(3f64.ln()), 0.0, 3f64.ln()]
            .map(|b| ItemParams::rasch(b).unwrap())
            .to_vec()
    }

    #[test]
    fn three_item_recursion_matches_the_paper_computation() {
        // On paper, at θ = 0 with Q = 1/4, 1/2, 3/4:
        //   L0 = Q1 Q2 Q3                     = 1/4·1/2·3/4             = 3/32
        //   L1 = P1 Q2 Q3 + Q1 P2 Q3 + Q1 Q2 P3 = 9/32 + 3/32 + 1/32     = 13/32
        //   L2 = P1 P2 Q3 + P1 Q2 P3 + Q1 P2 P3 = 9/32 + 3/32 + 1/32     = 13/32
        //   L3 = P1 P2 P3                     = 3/4·1/2·1/4             = 3/32
        let l = summed_score_likelihoods(&three_items(), 0.0);
        let expected = [3.0 / 32.0, 13.0 / 32.0, 13.0 / 32.0, 3.0 / 32.0];
        for (got, want) in l.iter().zip(expected) {
            assert!((got - want).abs() < 1e-15, "{l:?}");
        }
    }

    #[test]
    fn table_agrees_with_brute_force_over_all_patterns() {
        // EAP per raw score by enumerating the 2³ patterns on a plain fine
        // grid, without the recursion.
        let items = vec![
            ItemParams::two_pl(1.4, -0.6).unwrap(),
            ItemParams::new(0.8, 0.2, 0.2).unwrap(),
            ItemParams::two_pl(2.0, 1.1).unwrap(),
        ];
        let table = SummedScoreTable::new(&items, NormalPrior::standard()).unwrap();
        let (mut w, mut m1, mut m2) = ([0.0f64; 4], [0.0f64; 4], [0.0f64; 4]);
        let mut norm = 0.0;
        for k in 0..=6000 {
            let t = -12.0 + 0.004 * f64::from(k);
            let g = (-0.5 * t * t).exp();
            norm += g;
            for pattern in 0u32..8 {
                let mut l = 1.0;
                for (j, item) in items.iter().enumerate() {
                    let p = item.prob(t);
                    l *= if pattern >> j & 1 == 1 { p } else { 1.0 - p };
                }
                let x = pattern.count_ones() as usize;
                w[x] += l * g;
                m1[x] += l * g * t;
                m2[x] += l * g * t * t;
            }
        }
        for (x, row) in table.rows().iter().enumerate() {
            let mean = m1[x] / w[x];
            assert!((row.theta - mean).abs() < 1e-8, "{row:?}");
            assert!((row.psd - (m2[x] / w[x] - mean * mean).sqrt()).abs() < 1e-8);
            assert!((row.probability - w[x] / norm).abs() < 1e-8);
        }
        let total: f64 = table.rows().iter().map(|r| r.probability).sum();
        assert!((total - 1.0).abs() < 1e-12);
    }

    #[test]
    fn raw_to_scale_converts_each_raw_score_through_its_theta() {
        // θ-to-scale: 700 + 100·θ on 100..1000, cut at θ = 0.
        let items = three_items();
        let table = SummedScoreTable::new(&items, NormalPrior::standard()).unwrap();
        let conversion = ScaleConversion::linear(0.0, 700.0, 100.0, 100.0, 1000.0).unwrap();
        let scale = table.raw_to_scale(&conversion);
        // The form and prior are symmetric: EAP(3 − x) = −EAP(x).
        let rows = table.rows();
        assert!((rows[0].theta + rows[3].theta).abs() < 1e-12);
        for (row, conv) in rows.iter().zip(scale.rows()) {
            assert_eq!(conv.raw, row.raw);
            assert!((conv.scaled - (700.0 + 100.0 * row.theta)).abs() < 1e-9);
            assert_eq!(conv.passes, row.theta >= 0.0);
        }
        assert!(!scale.rows()[1].passes && scale.rows()[2].passes);
    }

    #[test]
    fn an_empty_form_is_an_error() {
        assert_eq!(
            SummedScoreTable::new(&[], NormalPrior::standard()),
            Err(SummedScoreError::NoItems)
        );
    }
}
