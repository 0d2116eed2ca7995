//! Empirical item characteristic curves: the observed proportion of the
//! maximum score in groups of persons of similar ability, with an interval,
//! to lay over the model's curve (the "empirical plot" of mirt's
//! `itemfit`, Chalmers 2012, *Journal of Statistical Software* 48(6)).
//!
//! Each person's ability is the EAP estimate (Bock & Mislevy 1982) from
//! their scores on the items that have parameters, under the calibration's
//! normal latent distribution, on a 121-point rectangular grid over ±6 SD;
//! the item itself is among them, as in mirt. For each item the persons who
//! were presented it are sorted by ability and cut into groups of equal
//! size (ties in ability stay together only by chance). Per group: the
//! mean ability, the number of persons, the observed mean score over the
//! maximum, and a 95% interval: Wilson's score interval for a 0/1 item
//! (Wilson 1927, *JASA* 22, 209–212), the mean ± 1.96 standard errors
//! (clamped to [0, 1]) for a partial-credit item.

use exam_core::quadrature::Quadrature;
use exam_core::responses::ResponseMatrix;
use serde::{Deserialize, Serialize};

/// The normal quantile of a two-sided 95% interval.
const Z95: f64 = 1.959_963_984_540_054;

/// The number of ability groups to ask for, as in mirt's empirical plot.
pub const DEFAULT_GROUPS: usize = 10;

/// Persons per group at the least: fewer persons give fewer groups.
const MIN_GROUP: usize = 10;

/// The response model of one item (defined in exam-core, beside the
/// models' functions).
pub use exam_core::irt::ItemModel;

/// One group of an empirical curve.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EmpiricalPoint {
    /// The group's mean ability.
    pub theta: f64,
    /// Persons in the group.
    pub n: usize,
    /// Their mean score on the item over its maximum.
    pub observed: f64,
    /// Lower end of the 95% interval.
    pub lower: f64,
    /// Upper end of the 95% interval.
    pub upper: f64,
}

/// Each person's EAP ability from their scores on the items of `models`
/// (indexed like the matrix's items; `None` items are left out), under a
/// normal latent distribution `(mean, sd)`; `None` for a person with no
/// scored item.
pub fn eap_abilities(
    data: &ResponseMatrix,
    models: &[Option<ItemModel>],
    (mean, sd): (f64, f64),
) -> Vec<Option<f64>> {
    let grid = Quadrature::rectangular(121, 6.0);
    let thetas: Vec<f64> = grid.nodes().iter().map(|z| mean + sd * z).collect();
    let mut out = vec![None; data.n_persons()];
    let mut scratch = Vec::new();
    let mut posterior = vec![0.0; thetas.len()];
    for block in data.blocks() {
        let scored: Vec<(usize, &ItemModel)> = block
            .items()
            .iter()
            .enumerate()
            .filter_map(|(col, &item)| models.get(item)?.as_ref().map(|m| (col, m)))
            .collect();
        if scored.is_empty() {
            continue;
        }
        for (row, &person) in block.persons().iter().enumerate() {
            let scores = block.row(row);
            // Log-likelihood at each node, then the posterior mean.
            for (q, &theta) in thetas.iter().enumerate() {
                posterior[q] = scored
                    .iter()
                    .map(|&(col, m)| {
                        m.probability(scores[col], theta, &mut scratch)
                            .max(1e-300)
                            .ln()
                    })
                    .sum();
            }
            let top = posterior.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let (mut total, mut first) = (0.0, 0.0);
            for ((l, w), theta) in posterior.iter().zip(grid.weights()).zip(&thetas) {
                let p = w * (l - top).exp();
                total += p;
                first += p * theta;
            }
            out[person] = Some(first / total);
        }
    }
    out
}

/// The empirical curve of every item of `data` (in its order) against the
/// persons' `abilities` (from [`eap_abilities`]): at most `groups` groups
/// of equal size, each of at least ten persons; empty for an item nobody
/// with an ability was presented.
pub fn empirical_curves(
    data: &ResponseMatrix,
    abilities: &[Option<f64>],
    groups: usize,
) -> Vec<Vec<EmpiricalPoint>> {
    let mut per_item: Vec<Vec<(f64, u8)>> = vec![Vec::new(); data.n_items()];
    for block in data.blocks() {
        for (row, &person) in block.persons().iter().enumerate() {
            let Some(theta) = abilities.get(person).copied().flatten() else {
                continue;
            };
            for (&item, &score) in block.items().iter().zip(block.row(row)) {
                per_item[item].push((theta, score));
            }
        }
    }
    per_item
        .into_iter()
        .zip(data.max_scores())
        .map(|(mut cells, &max)| {
            cells.sort_by(|x, y| x.0.total_cmp(&y.0));
            let count = groups
                .min(cells.len() / MIN_GROUP)
                .max(usize::from(!cells.is_empty()));
            (0..count)
                .map(|g| {
                    group_point(
                        &cells[g * cells.len() / count..(g + 1) * cells.len() / count],
                        max,
                    )
                })
                .collect()
        })
        .collect()
}

/// The point of one group of `(ability, score)` cells on an item whose
/// maximum is `max`.
fn group_point(cells: &[(f64, u8)], max: u8) -> EmpiricalPoint {
    let n = cells.len() as f64;
    let max = f64::from(max.max(1));
    let theta = cells.iter().map(|c| c.0).sum::<f64>() / n;
    let shares: Vec<f64> = cells.iter().map(|c| f64::from(c.1) / max).collect();
    let observed = shares.iter().sum::<f64>() / n;
    let (lower, upper) = if max <= 1.0 {
        wilson(observed, n)
    } else {
        let var = shares.iter().map(|s| (s - observed).powi(2)).sum::<f64>() / (n - 1.0).max(1.0);
        let half = Z95 * (var / n).sqrt();
        ((observed - half).max(0.0), (observed + half).min(1.0))
    };
    EmpiricalPoint {
        theta,
        n: cells.len(),
        observed,
        lower,
        upper,
    }
}

/// Wilson's 95% score interval for a proportion `p` of `n` trials.
fn wilson(p: f64, n: f64) -> (f64, f64) {
    let z2 = Z95 * Z95;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = Z95 / (1.0 + z2 / n) * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use exam_core::ids::{ItemId, PersonId};
    use exam_core::irt::ItemParams;
    use exam_core::responses::{Cell, ResponseMatrixBuilder};

    #[test]
    fn wilson_interval_of_five_in_ten() {
        // Wilson (1927): 5 of 10 gives 0.2366 to 0.7634 at 95%.
        let (lo, hi) = wilson(0.5, 10.0);
        assert!(
            (lo - 0.236_593).abs() < 1e-5 && (hi - 0.763_407).abs() < 1e-5,
            "{lo} {hi}"
        );
        // 0 of 20: from 0 to z²/(n + z²) = 3.8415/23.8415 = 0.16113.
        let (lo, hi) = wilson(0.0, 20.0);
        assert!(
            lo.abs() < 1e-12 && (hi - 0.161_125).abs() < 1e-5,
            "{lo} {hi}"
        );
    }

    fn matrix(rows: &[[u8; 2]]) -> ResponseMatrix {
        let items = vec![ItemId::new("A"), ItemId::new("B")];
        let mut b = ResponseMatrixBuilder::new(items).unwrap();
        for (i, r) in rows.iter().enumerate() {
            let cells = r.map(Cell::Score);
            b.push(PersonId::new(format!("p{i}")), &cells).unwrap();
        }
        b.build()
    }

    #[test]
    fn eap_orders_persons_by_score_and_is_symmetric() {
        // Two Rasch items at b = 0 under N(0, 1): scores 0, 1, 2 give EAPs
        // −e, 0, e by symmetry, increasing in the score.
        let data = matrix(&[[0, 0], [1, 0], [0, 1], [1, 1]]);
        let rasch = || Some(ItemModel::Dichotomous(ItemParams::rasch(0.0).unwrap()));
        let eap = eap_abilities(&data, &[rasch(), rasch()], (0.0, 1.0));
        let eap: Vec<f64> = eap.into_iter().map(Option::unwrap).collect();
        assert!(eap[0] < 0.0 && eap[3] > 0.0);
        assert!((eap[0] + eap[3]).abs() < 1e-9);
        assert!(eap[1].abs() < 1e-9 && eap[2].abs() < 1e-9);
        // A shifted latent distribution shifts the abilities of the middle
        // score by its mean.
        let shifted = eap_abilities(&data, &[rasch(), None], (1.0, 1.0));
        assert!(shifted[1].unwrap() > eap[1] + 0.5);
    }

    #[test]
    fn groups_split_by_ability_and_count_the_observed_scores() {
        // 40 persons: ability i, item A right for the top 25.
        let rows: Vec<[u8; 2]> = (0..40).map(|i| [u8::from(i >= 15), 0]).collect();
        let data = matrix(&rows);
        let abilities: Vec<Option<f64>> = (0..40).map(|i| Some(f64::from(i))).collect();
        let curves = empirical_curves(&data, &abilities, 10);
        // At most 40 / 10 = 4 groups of 10.
        let a = &curves[0];
        assert_eq!(a.iter().map(|p| p.n).collect::<Vec<_>>(), [10, 10, 10, 10]);
        let observed: Vec<f64> = a.iter().map(|p| p.observed).collect();
        assert_eq!(observed, [0.0, 0.5, 1.0, 1.0]);
        assert!((a[0].theta - 4.5).abs() < 1e-12 && (a[3].theta - 34.5).abs() < 1e-12);
        let (lo, hi) = wilson(0.5, 10.0);
        assert!((a[1].lower - lo).abs() < 1e-12 && (a[1].upper - hi).abs() < 1e-12);
    }
}
