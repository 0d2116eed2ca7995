//! Modified Angoff standard setting (Angoff 1971; Cizek & Bunch 2007,
//! *Standard Setting*, ch. 6).
//!
//! Each rater judges, for every item, the probability that a minimally
//! competent candidate answers it correctly, possibly over several rounds
//! (with discussion and impact data in between). Per round:
//!
//! - a rater's cut is the sum of their ratings over the items;
//! - the panel's cut is the sum over items of the mean rating, which equals
//!   the mean of the raters' cuts;
//! - its standard error is the SD of the raters' cuts (`n − 1` denominator)
//!   over `√R`, treating the raters as a sample of possible raters (Cizek &
//!   Bunch 2007, ch. 6; Hambleton & Pitoniak 2006, in *Educational
//!   Measurement*, 4th ed.); absent with fewer than two raters;
//! - **flag rule**: a rater is flagged when their cut lies more than
//!   `threshold` (default 2) SDs of the *other* raters' cuts away from the
//!   other raters' mean (leave-one-out, so a single extreme rater cannot
//!   hide by inflating the SD). With fewer than three raters no one is
//!   flagged (the SD of the others is undefined); if the others agree
//!   exactly, any different rater is flagged;
//! - as information for the facilitator (not part of the flag), each
//!   rater's `agreement`: the Pearson correlation, over items, between the
//!   rater's ratings and the other raters' mean ratings, which is low for a
//!   rater who ranks the items' difficulty differently from the panel
//!   (absent with fewer than two raters or three items, or without
//!   variation).

use exam_core::ids::ItemId;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The id of a standard-setting panellist.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RaterId(String);

impl RaterId {
    /// Wraps a string as a rater id (trimmed).
    pub fn new(id: impl Into<String>) -> Self {
        Self(id.into().trim().to_owned())
    }

    /// The id as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RaterId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for RaterId {
    fn from(id: &str) -> Self {
        Self::new(id)
    }
}

/// Why a set of Angoff ratings was rejected.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum AngoffError {
    /// No items, raters or rounds.
    #[error("an Angoff study needs at least one item, one rater and one round")]
    Empty,
    /// A rater appears twice in the panel.
    #[error("rater `{rater}` appears more than once")]
    DuplicateRater {
        /// The rater.
        rater: RaterId,
    },
    /// A round does not have one row per rater.
    #[error("round {round}: {found} rows of ratings for {expected} raters")]
    RaterCount {
        /// 1-based round.
        round: usize,
        /// Raters in the panel.
        expected: usize,
        /// Rows given.
        found: usize,
    },
    /// A rater's row does not have one rating per item.
    #[error("round {round}, rater `{rater}`: {found} ratings for {expected} items")]
    ItemCount {
        /// 1-based round.
        round: usize,
        /// The rater.
        rater: RaterId,
        /// Items rated.
        expected: usize,
        /// Ratings given.
        found: usize,
    },
    /// A rating outside `[0, 1]`.
    #[error(
        "round {round}, rater `{rater}`, item `{item}`: rating {value} is not a probability in [0, 1]"
    )]
    Rating {
        /// 1-based round.
        round: usize,
        /// The rater.
        rater: RaterId,
        /// The item.
        item: ItemId,
        /// The value given.
        value: f64,
    },
    /// The flagging threshold is not finite and positive.
    #[error("flag threshold {0} must be finite and positive")]
    Threshold(f64),
}

/// Validated Angoff ratings: rounds x raters x items, each a probability.
/// Its JSON form is `{"items": [...], "raters": [...], "rounds": [[[...]]]}`,
/// checked on reading as by [`AngoffStudy::new`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawAngoffStudy")]
pub struct AngoffStudy {
    items: Vec<ItemId>,
    raters: Vec<RaterId>,
    rounds: Vec<Vec<Vec<f64>>>,
}

/// The unchecked form read from JSON (the checked type writes itself).
#[derive(Deserialize)]
struct RawAngoffStudy {
    items: Vec<ItemId>,
    raters: Vec<RaterId>,
    rounds: Vec<Vec<Vec<f64>>>,
}

impl TryFrom<RawAngoffStudy> for AngoffStudy {
    type Error = AngoffError;
    fn try_from(raw: RawAngoffStudy) -> Result<Self, AngoffError> {
        AngoffStudy::new(raw.items, raw.raters, raw.rounds)
    }
}

/// One rater's result in a round.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RaterCut {
    /// The rater.
    pub rater: RaterId,
    /// The sum of the rater's ratings.
    pub cut: f64,
    /// `(cut − mean of the others) / SD of the others`; absent with fewer
    /// than three raters or when the others agree exactly.
    pub z: Option<f64>,
    /// Whether the rater stands far from the panel (module docs).
    pub flagged: bool,
    /// Correlation over items with the other raters' mean ratings.
    pub agreement: Option<f64>,
}

/// The result of one Angoff round.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AngoffRound {
    /// 1-based round number.
    pub round: usize,
    /// The panel's cut: the sum of the item means.
    pub cut: f64,
    /// Standard error of the cut across raters; absent with one rater.
    pub se: Option<f64>,
    /// Mean rating per item, in item order.
    pub item_means: Vec<f64>,
    /// Per-rater cuts and flags, in panel order.
    pub raters: Vec<RaterCut>,
}

impl AngoffStudy {
    /// Checks the ratings: `rounds[r][i][j]` is rater `i`'s rating of item
    /// `j` in round `r + 1`.
    pub fn new(
        items: Vec<ItemId>,
        raters: Vec<RaterId>,
        rounds: Vec<Vec<Vec<f64>>>,
    ) -> Result<Self, AngoffError> {
        if items.is_empty() || raters.is_empty() || rounds.is_empty() {
            return Err(AngoffError::Empty);
        }
        for (i, r) in raters.iter().enumerate() {
            if raters[..i].contains(r) {
                return Err(AngoffError::DuplicateRater { rater: r.clone() });
            }
        }
        for (round, rows) in rounds.iter().enumerate() {
            if rows.len() != raters.len() {
                return Err(AngoffError::RaterCount {
                    round: round + 1,
                    expected: raters.len(),
                    found: rows.len(),
                });
            }
            for (rater, row) in raters.iter().zip(rows) {
                if row.len() != items.len() {
                    return Err(AngoffError::ItemCount {
                        round: round + 1,
                        rater: rater.clone(),
                        expected: items.len(),
                        found: row.len(),
                    });
                }
                if let Some((j, &value)) = row
                    .iter()
                    .enumerate()
                    .find(|(_, v)| !(0.0..=1.0).contains(*v))
                {
                    return Err(AngoffError::Rating {
                        round: round + 1,
                        rater: rater.clone(),
                        item: items[j].clone(),
                        value,
                    });
                }
            }
        }
        Ok(Self {
            items,
            raters,
            rounds,
        })
    }

    /// The items rated.
    pub fn items(&self) -> &[ItemId] {
        &self.items
    }

    /// The panel.
    pub fn raters(&self) -> &[RaterId] {
        &self.raters
    }

    /// Results of every round, in order, flagging with the given threshold
    /// (in SDs of the other raters' cuts; 2 is usual).
    pub fn rounds(&self, threshold: f64) -> Result<Vec<AngoffRound>, AngoffError> {
        if !(threshold.is_finite() && threshold > 0.0) {
            return Err(AngoffError::Threshold(threshold));
        }
        Ok(self
            .rounds
            .iter()
            .enumerate()
            .map(|(r, rows)| self.round(r + 1, rows, threshold))
            .collect())
    }

    /// The final round's result (the cut the panel recommends).
    pub fn final_round(&self, threshold: f64) -> Result<AngoffRound, AngoffError> {
        let mut all = self.rounds(threshold)?;
        all.pop().ok_or(AngoffError::Empty)
    }

    fn round(&self, round: usize, rows: &[Vec<f64>], threshold: f64) -> AngoffRound {
        let n_raters = rows.len() as f64;
        let item_means: Vec<f64> = (0..self.items.len())
            .map(|j| rows.iter().map(|row| row[j]).sum::<f64>() / n_raters)
            .collect();
        let cuts: Vec<f64> = rows.iter().map(|row| row.iter().sum()).collect();
        let cut = item_means.iter().sum();
        let se = sample_sd(&cuts).map(|sd| sd / n_raters.sqrt());
        let raters = self
            .raters
            .iter()
            .zip(&cuts)
            .enumerate()
            .map(|(i, (rater, &c))| {
                let others: Vec<f64> = cuts
                    .iter()
                    .enumerate()
                    .filter(|(k, _)| *k != i)
                    .map(|(_, v)| *v)
                    .collect();
                let (z, flagged) = if others.len() < 2 {
                    (None, false)
                } else {
                    let mean = others.iter().sum::<f64>() / others.len() as f64;
                    let sd = sample_sd(&others).unwrap_or(0.0);
                    let deviation = c - mean;
                    if sd > 0.0 {
                        let z = deviation / sd;
                        (Some(z), z.abs() > threshold)
                    } else {
                        (None, deviation.abs() > 1e-12)
                    }
                };
                RaterCut {
                    rater: rater.clone(),
                    cut: c,
                    z,
                    flagged,
                    agreement: agreement(rows, i),
                }
            })
            .collect();
        AngoffRound {
            round,
            cut,
            se,
            item_means,
            raters,
        }
    }
}

/// Pearson correlation over items between rater `i`'s ratings and the mean
/// of the other raters' ratings.
fn agreement(rows: &[Vec<f64>], i: usize) -> Option<f64> {
    let n_items = rows[i].len();
    if rows.len() < 2 || n_items < 3 {
        return None;
    }
    let others = (rows.len() - 1) as f64;
    let panel: Vec<f64> = (0..n_items)
        .map(|j| {
            let sum: f64 = rows
                .iter()
                .enumerate()
                .filter(|(k, _)| *k != i)
                .map(|(_, r)| r[j])
                .sum();
            sum / others
        })
        .collect();
    let own = &rows[i];
    let n = n_items as f64;
    let (mx, my) = (own.iter().sum::<f64>() / n, panel.iter().sum::<f64>() / n);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (x, y) in own.iter().zip(&panel) {
        sxy += (x - mx) * (y - my);
        sxx += (x - mx) * (x - mx);
        syy += (y - my) * (y - my);
    }
    (sxx > 0.0 && syy > 0.0).then(|| sxy / (sxx * syy).sqrt())
}

/// Sample SD (`n − 1` denominator); `None` for fewer than two values.
fn sample_sd(values: &[f64]) -> Option<f64> {
    if values.len() < 2 {
        return None;
    }
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let ss: f64 = values.iter().map(|v| (v - mean) * (v - mean)).sum();
    Some((ss / (n - 1.0)).sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids<T: From<&'static str>>(names: &[&'static str]) -> Vec<T> {
        names.iter().map(|&n| T::from(n)).collect()
    }

    #[test]
    fn cut_se_and_flags_by_hand() {
        // Four items, five raters. Rater cuts: 2.0, 2.2, 1.8, 2.0, 3.6.
        let ratings = vec![vec![
            vec![0.5, 0.5, 0.5, 0.5],
            vec![0.6, 0.5, 0.6, 0.5],
            vec![0.4, 0.5, 0.4, 0.5],
            vec![0.5, 0.6, 0.4, 0.5],
            vec![0.9, 0.9, 0.9, 0.9],
        ]];
        let study = AngoffStudy::new(
            ids(&["Q1", "Q2", "Q3", "Q4"]),
            ids(&["r1", "r2", "r3", "r4", "r5"]),
            ratings,
        )
        .unwrap();
        let round = study.final_round(2.0).unwrap();
        // Mean of cuts = 11.6 / 5 = 2.32 = Σ item means (0.58+0.6+0.56+0.58).
        assert!((round.cut - 2.32).abs() < 1e-12);
        assert!((round.item_means[1] - 0.6).abs() < 1e-12);
        // Deviations from 2.32: −.32, −.12, −.52, −.32, 1.28; SS = 2.128;
        // SD = √(2.128/4) = 0.72938…, SE = SD/√5.
        let se = (2.128f64 / 4.0).sqrt() / 5f64.sqrt();
        assert!((round.se.unwrap() - se).abs() < 1e-12);
        // r5 against the others (2.0, 2.2, 1.8, 2.0: mean 2.0, SD √(0.08/3)):
        // z = 1.6 / 0.1633 = 9.8 → flagged; r3: others 2.0,2.2,2.0,3.6 → not.
        let z5 = 1.6 / (0.08f64 / 3.0).sqrt();
        assert!((round.raters[4].z.unwrap() - z5).abs() < 1e-9);
        let flagged: Vec<bool> = round.raters.iter().map(|r| r.flagged).collect();
        assert_eq!(flagged, vec![false, false, false, false, true]);
        // r1 and r5 rate every item alike: no variation, no correlation.
        assert_eq!(round.raters[0].agreement, None);
        assert_eq!(round.raters[4].agreement, None);
        // r2 (.6 .5 .6 .5) against the others' means
        // ((.5+.4+.5+.9)/4, …) = (.575, .625, .55, .6): deviations
        // (.05, −.05, .05, −.05) and (−.0125, .0375, −.0375, .0125):
        // Σxy = −.005, Σx² = .01, Σy² = .003125, r = −.005/√(.01·.003125).
        let r2 = -0.005 / (0.01f64 * 0.003125).sqrt();
        assert!((round.raters[1].agreement.unwrap() - r2).abs() < 1e-12);
    }

    #[test]
    fn rounds_are_kept_apart_and_small_panels_flag_nobody() {
        let study = AngoffStudy::new(
            ids(&["Q1", "Q2"]),
            ids(&["a", "b"]),
            vec![
                vec![vec![0.2, 0.4], vec![0.8, 1.0]],
                vec![vec![0.5, 0.6], vec![0.6, 0.7]],
            ],
        )
        .unwrap();
        let rounds = study.rounds(2.0).unwrap();
        assert!((rounds[0].cut - 1.2).abs() < 1e-12);
        assert!((rounds[1].cut - 1.2).abs() < 1e-12);
        assert!(rounds[1].se.unwrap() < rounds[0].se.unwrap());
        assert!(rounds[0].raters.iter().all(|r| !r.flagged && r.z.is_none()));
        let one = AngoffStudy::new(ids(&["Q1"]), ids(&["a"]), vec![vec![vec![0.7]]]).unwrap();
        assert_eq!(one.final_round(2.0).unwrap().se, None);
    }

    #[test]
    fn bad_ratings_name_round_rater_and_item() {
        let err = AngoffStudy::new(
            ids(&["Q1", "Q2"]),
            ids(&["a", "b"]),
            vec![vec![vec![0.2, 0.4], vec![0.8, 1.2]]],
        );
        assert_eq!(
            err,
            Err(AngoffError::Rating {
                round: 1,
                rater: "b".into(),
                item: "Q2".into(),
                value: 1.2
            })
        );
        let err = AngoffStudy::new(ids(&["Q1", "Q2"]), ids(&["a"]), vec![vec![vec![0.2]]]);
        assert!(matches!(err, Err(AngoffError::ItemCount { round: 1, .. })));
        let err = AngoffStudy::new(
            ids(&["Q1"]),
            ids(&["a", "a"]),
            vec![vec![vec![0.2], vec![0.3]]],
        );
        assert!(matches!(err, Err(AngoffError::DuplicateRater { .. })));
        let json = r#"{"items":["Q1"],"raters":["a"],"rounds":[[[1.5]]]}"#;
        let err = serde_json::from_str::<AngoffStudy>(json).unwrap_err();
        assert!(
            err.to_string().contains("rating 1.5 is not a probability"),
            "{err}"
        );
        let ok = AngoffStudy::new(ids(&["Q1"]), ids(&["a"]), vec![vec![vec![0.2]]]).unwrap();
        let back: AngoffStudy = serde_json::from_str(&serde_json::to_string(&ok).unwrap()).unwrap();
        assert_eq!(back, ok);
        assert_eq!(
            ok.rounds(f64::NAN).unwrap_err().to_string(),
            "flag threshold NaN must be finite and positive"
        );
    }
}
