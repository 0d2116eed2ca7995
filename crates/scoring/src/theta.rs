//! Abilities for every person of a scored response matrix, from given item
//! parameters (scoring new candidates against a calibrated bank).
//!
//! Items are matched by id: every item of the matrix needs parameters and
//! every parameter entry must be an item of the matrix, so nothing is
//! scored against the wrong item or silently left out. Omissions score 0;
//! items a person was not presented do not enter that person's likelihood.
//!
//! EAP runs block by block ([`exam_core::responses::Block`]: persons who saw
//! the same items) with one [`EapEstimator`] per block of 16 persons or more
//! (smaller blocks, as in sparse data, are scored one by one with
//! [`eap`](crate::eap())); under Rasch and 2PL a person costs one pass over the row
//! for `S = Σ a_j x_j` and two exponentials, and with equal slopes the
//! estimate is cached per raw score.

use crate::ability::{Estimate, MleOptions, eap, map, mle};
use crate::eap::EapEstimator;
use crate::item_response::Response;
use crate::prior::NormalPrior;
use exam_core::ids::{ItemId, PersonId};
use exam_core::irt::{ItemParams, ItemParamsEntry};
use exam_core::responses::{Block, ResponseMatrix};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

/// The estimator to use.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "lowercase")]
pub enum Method {
    /// Expected a posteriori, with posterior SD.
    Eap {
        /// The prior.
        prior: NormalPrior,
    },
    /// Maximum a posteriori.
    Map {
        /// The prior.
        prior: NormalPrior,
    },
    /// Maximum likelihood, fenced at `±θmax`.
    Mle {
        /// The fence.
        options: MleOptions,
    },
}

/// Why a matrix could not be scored.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ThetaError {
    /// An item of the responses has no parameters.
    #[error("item `{item}` is in the responses but has no parameters")]
    MissingParams {
        /// The item.
        item: ItemId,
    },
    /// A parameter entry names an item that is not in the responses.
    #[error("item `{item}` has parameters but is not in the responses")]
    UnknownItem {
        /// The item.
        item: ItemId,
    },
    /// Two parameter entries for one item.
    #[error("item `{item}` has more than one parameter entry")]
    DuplicateParams {
        /// The item.
        item: ItemId,
    },
    /// A score other than 0 or 1 where a dichotomous model is used.
    #[error("person `{person}`, item `{item}`: score {score} is not 0 or 1")]
    NotDichotomous {
        /// The person.
        person: PersonId,
        /// The item.
        item: ItemId,
        /// The score found.
        score: u8,
    },
    /// The parameters given do not match the matrix's items in number.
    #[error("{params} parameter sets for {items} items")]
    LengthMismatch {
        /// Items in the matrix.
        items: usize,
        /// Parameter sets given.
        params: usize,
    },
}

/// The parameters of `entries` in the order of `items` (the columns of a
/// response matrix), checking that both name the same items.
pub fn align_params(
    items: &[ItemId],
    entries: &[ItemParamsEntry],
) -> Result<Vec<ItemParams>, ThetaError> {
    let mut by_id: HashMap<&ItemId, ItemParams> = HashMap::with_capacity(entries.len());
    for entry in entries {
        if by_id.insert(&entry.id, entry.params).is_some() {
            return Err(ThetaError::DuplicateParams {
                item: entry.id.clone(),
            });
        }
    }
    let aligned = items
        .iter()
        .map(|id| {
            by_id
                .get(id)
                .copied()
                .ok_or_else(|| ThetaError::MissingParams { item: id.clone() })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let known: HashSet<&ItemId> = items.iter().collect();
    if let Some(extra) = entries.iter().find(|e| !known.contains(&e.id)) {
        return Err(ThetaError::UnknownItem {
            item: extra.id.clone(),
        });
    }
    Ok(aligned)
}

/// The ability of every person of `matrix`, in person order, with `params`
/// aligned to `matrix.items()` (see [`align_params`]). A person who was
/// presented no item gets the prior's mean and SD under EAP and MAP, and
/// `None` under MLE (undefined).
pub fn estimate_abilities(
    matrix: &ResponseMatrix,
    params: &[ItemParams],
    method: &Method,
) -> Result<Vec<Option<Estimate>>, ThetaError> {
    if params.len() != matrix.n_items() {
        return Err(ThetaError::LengthMismatch {
            items: matrix.n_items(),
            params: params.len(),
        });
    }
    check_dichotomous(matrix)?;
    let empty = match method {
        Method::Eap { prior } | Method::Map { prior } => Some(Estimate {
            theta: prior.mean(),
            se: prior.sd(),
            at_bound: false,
        }),
        Method::Mle { .. } => None,
    };
    let mut out = vec![empty; matrix.n_persons()];
    for block in matrix.blocks() {
        let items: Vec<ItemParams> = block.items().iter().map(|&j| params[j]).collect();
        match method {
            Method::Eap { prior } => eap_block(block, &items, *prior, &mut out),
            Method::Map { prior } => each_row(block, &mut out, |r| map(&items, r, prior).ok()),
            Method::Mle { options } => each_row(block, &mut out, |r| mle(&items, r, options).ok()),
        }
    }
    Ok(out)
}

fn check_dichotomous(matrix: &ResponseMatrix) -> Result<(), ThetaError> {
    if matrix.max_scores().iter().all(|&m| m <= 1) {
        return Ok(());
    }
    for block in matrix.blocks() {
        for (row, &person) in block.persons().iter().enumerate() {
            if let Some((col, &score)) = block.row(row).iter().enumerate().find(|(_, s)| **s > 1) {
                return Err(ThetaError::NotDichotomous {
                    person: matrix.persons()[person].clone(),
                    item: matrix.items()[block.items()[col]].clone(),
                    score,
                });
            }
        }
    }
    Ok(())
}

fn responses_of(row: &[u8]) -> Vec<Response> {
    row.iter().map(|&x| Response::from(x == 1)).collect()
}

fn each_row<F>(block: &Block, out: &mut [Option<Estimate>], estimate: F)
where
    F: Fn(&[Response]) -> Option<Estimate>,
{
    for (row, &person) in block.persons().iter().enumerate() {
        out[person] = estimate(&responses_of(block.row(row)));
    }
}

/// Blocks with fewer persons are scored without per-block tables (building
/// them costs about as much as scoring a dozen persons one by one).
const SMALL_BLOCK: usize = 16;

fn eap_block(
    block: &Block,
    items: &[ItemParams],
    prior: NormalPrior,
    out: &mut [Option<Estimate>],
) {
    if block.n_persons() < SMALL_BLOCK {
        // Tables would cost more than they save: score node by node.
        each_row(block, out, |r| eap(items, r, &prior).ok());
        return;
    }
    let scorer = EapEstimator::new(items, prior);
    if !scorer.is_linear() {
        for (row, &person) in block.persons().iter().enumerate() {
            out[person] = scorer.score(&responses_of(block.row(row))).ok();
        }
        return;
    }
    let slopes: Vec<f64> = items.iter().map(ItemParams::a).collect();
    let common_slope = slopes.iter().all(|&a| (a - slopes[0]).abs() <= 0.0);
    let mut by_raw: Vec<Option<Option<Estimate>>> = vec![None; items.len() + 1];
    for (row, &person) in block.persons().iter().enumerate() {
        let scores = block.row(row);
        let estimate = if common_slope {
            let raw = scores.iter().map(|&x| usize::from(x)).sum::<usize>();
            *by_raw[raw].get_or_insert_with(|| {
                scorer
                    .score_weighted(slopes[0] * raw as f64, || responses_of(scores))
                    .ok()
            })
        } else {
            scorer
                .score_weighted(weighted_score(scores, &slopes), || responses_of(scores))
                .ok()
        };
        out[person] = estimate;
    }
}

/// `Σ a_j x_j` with four running sums, so the compiler can vectorise it.
fn weighted_score(scores: &[u8], slopes: &[f64]) -> f64 {
    let mut acc = [0.0f64; 4];
    let chunks = scores.chunks_exact(4).zip(slopes.chunks_exact(4));
    for (x, a) in chunks {
        for i in 0..4 {
            acc[i] += f64::from(x[i]) * a[i];
        }
    }
    let tail = scores.len() - scores.len() % 4;
    let rest: f64 = scores[tail..]
        .iter()
        .zip(&slopes[tail..])
        .map(|(&x, &a)| f64::from(x) * a)
        .sum();
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + rest
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ability::eap;
    use exam_core::responses::CsvOptions;

    fn params(json: &str) -> Vec<ItemParamsEntry> {
        #[derive(serde::Deserialize)]
        struct Entries {
            items: Vec<ItemParamsEntry>,
        }
        serde_json::from_str::<Entries>(json).unwrap().items
    }

    fn matrix(csv: &str) -> ResponseMatrix {
        ResponseMatrix::from_csv(csv.as_bytes(), "t.csv", CsvOptions::default()).unwrap()
    }

    #[test]
    fn parameters_are_matched_by_id_and_mismatches_name_the_item() {
        let m = matrix("id,A,B\np1,1,0\n");
        let file = params(r#"{"items":[{"id":"B","a":2,"b":1},{"id":"A","a":1,"b":0}]}"#);
        let aligned = align_params(m.items(), &file).unwrap();
        assert!((aligned[0].a() - 1.0).abs() < 1e-15 && (aligned[1].a() - 2.0).abs() < 1e-15);
        let missing = params(r#"{"items":[{"id":"A","a":1,"b":0}]}"#);
        assert_eq!(
            align_params(m.items(), &missing),
            Err(ThetaError::MissingParams { item: "B".into() })
        );
        let extra = params(
            r#"{"items":[{"id":"A","a":1,"b":0},{"id":"B","a":1,"b":0},{"id":"C","a":1,"b":0}]}"#,
        );
        assert_eq!(
            align_params(m.items(), &extra),
            Err(ThetaError::UnknownItem { item: "C".into() })
        );
        let twice = params(r#"{"items":[{"id":"A","a":1,"b":0},{"id":"A","a":1,"b":0}]}"#);
        assert_eq!(
            align_params(m.items(), &twice),
            Err(ThetaError::DuplicateParams { item: "A".into() })
        );
    }

    #[test]
    fn each_person_gets_the_estimate_of_their_own_pattern() {
        // Mixed blocks (a not-presented cell), equal and unequal slopes, a
        // person with no item.
        let m = matrix("id,A,B,C\np1,1,0,1\np2,0,,1\np3,1,1,1\np4,,,\np5,0,0,0\n");
        let items = [
            ItemParams::two_pl(1.2, -0.3).unwrap(),
            ItemParams::two_pl(0.7, 0.4).unwrap(),
            ItemParams::new(1.5, 0.9, 0.2).unwrap(),
        ];
        let prior = NormalPrior::standard();
        for items in [
            items.to_vec(),
            [-0.5, 0.2, 1.0]
                .map(|b| ItemParams::rasch(b).unwrap())
                .to_vec(),
        ] {
            let got = estimate_abilities(&m, &items, &Method::Eap { prior }).unwrap();
            for (p, row) in [(0, "101"), (2, "111"), (4, "000")] {
                let r: Vec<Response> = row.chars().map(|c| Response::from(c == '1')).collect();
                let want = eap(&items, &r, &prior).unwrap();
                let est = got[p].unwrap();
                assert!((est.theta - want.theta).abs() < 1e-12, "{est:?} {want:?}");
                assert!((est.se - want.se).abs() < 1e-12);
            }
            let r = [
                Response::Incorrect,
                Response::NotPresented,
                Response::Correct,
            ];
            // p2 sits in a block of its own (items A and C), whose grid is
            // chosen for those two items: agreement to quadrature accuracy.
            let want = eap(&items, &r, &prior).unwrap().theta;
            assert!((got[1].unwrap().theta - want).abs() < 1e-7);
            assert!(got[3].unwrap().theta.abs() < 1e-15);
        }
        let mle_all = estimate_abilities(
            &m,
            &items,
            &Method::Mle {
                options: MleOptions::default(),
            },
        )
        .unwrap();
        assert!(mle_all[3].is_none());
        assert!(mle_all[2].unwrap().at_bound);
    }

    #[test]
    fn scores_above_one_are_an_error_naming_person_and_item() {
        let m = matrix("id,A,B\np1,1,0\np2,1,2\n");
        let items = [ItemParams::rasch(0.0).unwrap(); 2];
        let err = estimate_abilities(
            &m,
            &items,
            &Method::Eap {
                prior: NormalPrior::standard(),
            },
        );
        assert_eq!(
            err,
            Err(ThetaError::NotDichotomous {
                person: "p2".into(),
                item: "B".into(),
                score: 2
            })
        );
    }
}
