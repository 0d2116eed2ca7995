//! The Hofstee (1983) compromise between norm- and criterion-referenced
//! standards, used as a check on an Angoff cut (Cizek & Bunch 2007,
//! *Standard Setting*, ch. 12).
//!
//! Judges state the lowest and highest acceptable cut (`k_min`, `k_max`,
//! raw scores) and the lowest and highest acceptable failure rate (`f_min`,
//! `f_max`, proportions); their means define the line from
//! `(k_min, f_max)` to `(k_max, f_min)`. The observed failure rate at cut
//! `c` is `F(c)`, the proportion of candidates with a raw score below `c`
//! (a candidate passes with a score of at least `c`). `F` rises with `c`
//! and the line falls, so the compromise cut is where they cross: here the
//! smallest integer `c` in `[k_min, k_max]` with `F(c) ≥ line(c)`. When
//! `F` is already above the line at `k_min`, or still below it at `k_max`,
//! the two do not cross inside the judges' rectangle and there is no
//! compromise cut; the outcome says which.

use serde::{Deserialize, Serialize};

/// One judge's four Hofstee answers.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct HofsteeJudgement {
    /// Lowest acceptable cut (raw score).
    pub min_cut: f64,
    /// Highest acceptable cut (raw score).
    pub max_cut: f64,
    /// Lowest acceptable failure rate (proportion).
    pub min_fail_rate: f64,
    /// Highest acceptable failure rate (proportion).
    pub max_fail_rate: f64,
}

/// Why the Hofstee method could not be applied.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum HofsteeError {
    /// No judgements or no scores.
    #[error("the Hofstee method needs at least one judgement and one score")]
    Empty,
    /// A judge's answers are not finite, or out of order or range.
    #[error(
        "judge {judge}: need finite min_cut < max_cut and 0 ≤ min_fail_rate < max_fail_rate ≤ 1"
    )]
    Judgement {
        /// 0-based index of the judgement.
        judge: usize,
    },
    /// A score is not finite.
    #[error("score {index} ({value}) is not finite")]
    Score {
        /// 0-based index.
        index: usize,
        /// The value.
        value: f64,
    },
}

/// Where the failure-rate curve meets the judges' line.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum HofsteeOutcome {
    /// They cross at this cut, with this failure rate.
    Cut {
        /// The compromise raw cut.
        cut: usize,
        /// `F(cut)`.
        fail_rate: f64,
    },
    /// Even the lowest acceptable cut fails more candidates than the line allows.
    AboveLineAtMinCut,
    /// Even the highest acceptable cut fails fewer candidates than the line asks.
    BelowLineAtMaxCut,
    /// No whole raw score lies between the mean lowest and highest cut.
    NoWholeScoreInRange,
}

/// The result: the judges' mean answers and the outcome.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Hofstee {
    /// The mean of the judges' answers.
    pub mean: HofsteeJudgement,
    /// Where the curve meets the line.
    pub outcome: HofsteeOutcome,
}

/// Applies the Hofstee method to `judgements` and observed raw `scores`.
pub fn hofstee(judgements: &[HofsteeJudgement], scores: &[f64]) -> Result<Hofstee, HofsteeError> {
    if judgements.is_empty() || scores.is_empty() {
        return Err(HofsteeError::Empty);
    }
    for (judge, j) in judgements.iter().enumerate() {
        let finite = [j.min_cut, j.max_cut, j.min_fail_rate, j.max_fail_rate]
            .iter()
            .all(|v| v.is_finite());
        if !finite
            || j.min_cut >= j.max_cut
            || !(0.0 <= j.min_fail_rate
                && j.min_fail_rate < j.max_fail_rate
                && j.max_fail_rate <= 1.0)
        {
            return Err(HofsteeError::Judgement { judge });
        }
    }
    if let Some((index, &value)) = scores.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        return Err(HofsteeError::Score { index, value });
    }
    let n = judgements.len() as f64;
    let mean_of = |f: fn(&HofsteeJudgement) -> f64| judgements.iter().map(f).sum::<f64>() / n;
    let mean = HofsteeJudgement {
        min_cut: mean_of(|j| j.min_cut),
        max_cut: mean_of(|j| j.max_cut),
        min_fail_rate: mean_of(|j| j.min_fail_rate),
        max_fail_rate: mean_of(|j| j.max_fail_rate),
    };
    let fail_rate = |c: f64| scores.iter().filter(|&&s| s < c).count() as f64 / scores.len() as f64;
    let line = |c: f64| {
        mean.max_fail_rate
            - (c - mean.min_cut) * (mean.max_fail_rate - mean.min_fail_rate)
                / (mean.max_cut - mean.min_cut)
    };
    let first = mean.min_cut.ceil().max(0.0) as usize;
    let last = mean.max_cut.floor().max(0.0) as usize;
    let outcome = if first > last {
        HofsteeOutcome::NoWholeScoreInRange
    } else if fail_rate(mean.min_cut) > line(mean.min_cut) {
        HofsteeOutcome::AboveLineAtMinCut
    } else {
        (first..=last)
            .find(|&c| fail_rate(c as f64) >= line(c as f64))
            .map_or(HofsteeOutcome::BelowLineAtMaxCut, |cut| {
                HofsteeOutcome::Cut {
                    cut,
                    fail_rate: fail_rate(cut as f64),
                }
            })
    };
    Ok(Hofstee { mean, outcome })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn judge(
        min_cut: f64,
        max_cut: f64,
        min_fail_rate: f64,
        max_fail_rate: f64,
    ) -> HofsteeJudgement {
        HofsteeJudgement {
            min_cut,
            max_cut,
            min_fail_rate,
            max_fail_rate,
        }
    }

    #[test]
    fn cut_by_hand() {
        // Scores 1..=10, so F(c) = (c − 1)/10. Two judges averaging
        // k = 3..8, f = 0.1..0.6: line(c) = 0.6 − 0.1(c − 3).
        // c = 4: F 0.3 < 0.5; c = 5: F 0.4 ≥ 0.4 → cut 5, fail rate 0.4.
        let scores: Vec<f64> = (1..=10).map(f64::from).collect();
        let judges = [judge(2.0, 7.0, 0.05, 0.7), judge(4.0, 9.0, 0.15, 0.5)];
        let h = hofstee(&judges, &scores).unwrap();
        assert!((h.mean.min_cut - 3.0).abs() < 1e-12 && (h.mean.max_fail_rate - 0.6).abs() < 1e-12);
        assert_eq!(
            h.outcome,
            HofsteeOutcome::Cut {
                cut: 5,
                fail_rate: 0.4
            }
        );
    }

    #[test]
    fn no_crossing_inside_the_rectangle_is_reported() {
        let scores: Vec<f64> = (1..=10).map(f64::from).collect();
        // Everyone fails below 9 but at most 20 % may: curve above the line.
        let h = hofstee(&[judge(9.0, 10.0, 0.0, 0.2)], &scores).unwrap();
        assert_eq!(h.outcome, HofsteeOutcome::AboveLineAtMinCut);
        // Cuts 1..2 fail at most 10 %, but at least 50 % must fail.
        let h = hofstee(&[judge(1.0, 2.0, 0.5, 0.9)], &scores).unwrap();
        assert_eq!(h.outcome, HofsteeOutcome::BelowLineAtMaxCut);
        let h = hofstee(&[judge(3.2, 3.8, 0.1, 0.9)], &scores).unwrap();
        assert_eq!(h.outcome, HofsteeOutcome::NoWholeScoreInRange);
    }

    #[test]
    fn bad_judgements_are_errors() {
        assert_eq!(hofstee(&[], &[1.0]), Err(HofsteeError::Empty));
        assert_eq!(
            hofstee(&[judge(5.0, 4.0, 0.1, 0.2)], &[1.0]),
            Err(HofsteeError::Judgement { judge: 0 })
        );
        assert_eq!(
            hofstee(&[judge(1.0, 4.0, 0.1, 1.2)], &[1.0]),
            Err(HofsteeError::Judgement { judge: 0 })
        );
        assert!(matches!(
            hofstee(&[judge(1.0, 4.0, 0.1, 0.2)], &[1.0, f64::NAN]),
            Err(HofsteeError::Score { index: 1, .. })
        ));
    }
}
