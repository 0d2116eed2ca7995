//! Decision consistency and accuracy at a cut score, from one administration,
//! and the conditional standard error of measurement at the cut.
//!
//! A person passes when the total score is at least the cut. All three
//! methods start from a form's score distribution and its reliability
//! (alpha / KR-20):
//!
//! - Subkoviak (1976), *J. Educ. Meas.* 13, 265-276 (dichotomous items):
//!   each person's true proportion correct is estimated by Kelley's
//!   regression `tau = r x/k + (1 - r) M/k`, with `r` = KR-20 here; the
//!   probability of passing is the binomial tail `P(X >= cut | k, tau)`; the
//!   agreement of two independent administrations is averaged over persons.
//! - Livingston & Lewis (1995), *J. Educ. Meas.* 32, 179-197: the effective
//!   test length `n = ((M - min)(max - M) - r s^2) / (s^2 (1 - r))` (rounded;
//!   `min`, `max` the possible scores), a beta distribution of true
//!   proportional scores with mean `(M - min)/(max - min)` and variance `r`
//!   times the observed proportional variance, and binomial error on `n`
//!   items. Livingston & Lewis fit a four-parameter beta by Lord's (1965)
//!   method; this implementation fits the two-parameter beta on [0, 1] by the
//!   method of moments (a simplification: the numbers can differ from BB-Class).
//! - Lord's binomial-error CSEM at raw score `x` on `k` dichotomous items
//!   (Lord 1955; Lord & Novick 1968, sec. 11.9): `sqrt(x (k - x) / (k - 1))`,
//!   and Keats' (1957) adjustment `CSEM sqrt((1 - r) / (1 - KR21))`.

use crate::undefined::{Reason, Statistic, Undefined};
use serde::{Deserialize, Serialize};
use statrs::function::beta::beta_reg;

/// Cells of the midpoint rule over the true-score scale in Livingston-Lewis.
const INTEGRATION_CELLS: usize = 4000;

/// Classification statistics at a cut score, for one form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CutScoreStatistics {
    /// The raw cut: a person passes when the total is at least this.
    pub cut: f64,
    /// Observed proportion passing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proportion_passing: Option<f64>,
    /// Lord's binomial-error conditional SEM at the cut (dichotomous items).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub csem_lord: Option<f64>,
    /// Lord's CSEM with Keats' adjustment `sqrt((1 - alpha) / (1 - KR21))`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub csem_keats: Option<f64>,
    /// Subkoviak's single-administration agreement (dichotomous items).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subkoviak: Option<Agreement>,
    /// Livingston-Lewis decision accuracy and consistency.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub livingston_lewis: Option<LivingstonLewis>,
    /// Statistics that are undefined here, with the reason.
    #[serde(skip_serializing_if = "Undefined::is_empty", default)]
    pub undefined: Undefined,
}

/// Agreement of pass/fail decisions on two parallel administrations.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Agreement {
    /// Probability of the same decision twice (`p_0`).
    pub consistency: f64,
    /// Cohen's kappa: `(p_0 - p_c) / (1 - p_c)`, `p_c` the chance agreement
    /// from the marginal pass rate; absent when `p_c = 1`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kappa: Option<f64>,
}

/// Livingston-Lewis classification indices.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LivingstonLewis {
    /// The effective test length `n`.
    pub effective_test_length: u64,
    /// The fitted beta distribution of true proportional scores (shape
    /// parameters).
    pub true_score_beta: [f64; 2],
    /// Probability that the observed decision matches the true status.
    pub accuracy: f64,
    /// Probability of passing with a true score below the cut.
    pub false_positive: f64,
    /// Probability of failing with a true score at or above the cut.
    pub false_negative: f64,
    /// Agreement of two parallel administrations.
    pub consistency: Agreement,
}

/// What the cut-score statistics need to know about a form.
pub(crate) struct FormScores<'a> {
    /// Persons at each total `0..`.
    pub score_distribution: &'a [u64],
    /// Number of items.
    pub n_items: usize,
    /// Highest possible total.
    pub max_possible: u64,
    /// Whether all items are 0/1.
    pub dichotomous: bool,
    /// Alpha / KR-20.
    pub alpha: Result<f64, Reason>,
    /// KR-21 (dichotomous only).
    pub kr21: Result<f64, Reason>,
}

/// The cut-score statistics of a form.
pub(crate) fn cut_score_statistics(form: &FormScores, cut: f64) -> CutScoreStatistics {
    let mut undefined = Undefined::default();
    let n: u64 = form.score_distribution.iter().sum();
    let in_range = if !(0.0..=form.max_possible as f64).contains(&cut) || !cut.is_finite() {
        Err(Reason::CutOutOfRange)
    } else if n == 0 {
        Err(Reason::NoPersons)
    } else {
        Ok(())
    };
    let passing = in_range.map(|()| {
        let pass: u64 = form
            .score_distribution
            .iter()
            .enumerate()
            .filter(|&(x, _)| x as f64 >= cut)
            .map(|(_, &c)| c)
            .sum();
        pass as f64 / n as f64
    });
    let proportion_passing = undefined.take(Statistic::ProportionPassing, passing);
    let dichotomous = if form.dichotomous {
        Ok(())
    } else {
        Err(Reason::NotDichotomous)
    };
    let k = form.n_items as f64;
    let lord = in_range.and(dichotomous).and_then(|()| {
        if form.n_items < 2 {
            Err(Reason::TooFewItems)
        } else {
            Ok((cut * (k - cut) / (k - 1.0)).sqrt())
        }
    });
    let keats = lord.and_then(|csem| {
        let alpha = form.alpha?;
        let kr21 = form.kr21?;
        if kr21 >= 1.0 {
            return Err(Reason::ConstantTotal);
        }
        Ok(csem * ((1.0 - alpha) / (1.0 - kr21)).sqrt())
    });
    let subkoviak = in_range
        .and(dichotomous)
        .and_then(|()| subkoviak(form, cut));
    let livingston_lewis = in_range.and_then(|()| livingston_lewis(form, cut));
    CutScoreStatistics {
        cut,
        proportion_passing,
        csem_lord: undefined.take(Statistic::CsemLord, lord),
        csem_keats: undefined.take(Statistic::CsemKeats, keats),
        subkoviak: record(&mut undefined, Statistic::Subkoviak, subkoviak),
        livingston_lewis: record(&mut undefined, Statistic::LivingstonLewis, livingston_lewis),
        undefined,
    }
}

fn record<T>(
    undefined: &mut Undefined,
    statistic: Statistic,
    value: Result<T, Reason>,
) -> Option<T> {
    match value {
        Ok(v) => Some(v),
        Err(reason) => {
            undefined.take(statistic, Err(reason));
            None
        }
    }
}

/// Probability that a binomial(`n`, `p`) count is at least `m`:
/// the regularized incomplete beta `I_p(m, n - m + 1)`.
fn binomial_at_least(m: u64, n: u64, p: f64) -> f64 {
    if m == 0 {
        1.0
    } else if m > n || p <= 0.0 {
        0.0
    } else if p >= 1.0 {
        1.0
    } else {
        beta_reg(m as f64, (n - m + 1) as f64, p)
    }
}

/// The mean total of the `n` persons of a score distribution (`distribution[x]`
/// persons at total `x`).
fn mean_total(distribution: &[u64], n: f64) -> f64 {
    distribution
        .iter()
        .enumerate()
        .map(|(x, &c)| x as f64 * c as f64)
        .sum::<f64>()
        / n
}

/// The smallest integer count that reaches `cut`.
fn pass_count(cut: f64) -> u64 {
    cut.ceil().max(0.0) as u64
}

fn agreement(p_same: f64, p_pass: f64) -> Agreement {
    let chance = p_pass * p_pass + (1.0 - p_pass) * (1.0 - p_pass);
    Agreement {
        consistency: p_same,
        kappa: (chance < 1.0).then(|| (p_same - chance) / (1.0 - chance)),
    }
}

fn subkoviak(form: &FormScores, cut: f64) -> Result<Agreement, Reason> {
    let r = form.alpha?;
    let k = form.n_items as u64;
    let n: u64 = form.score_distribution.iter().sum();
    let mean = mean_total(form.score_distribution, n as f64);
    let kf = k as f64;
    let m = pass_count(cut);
    let mut same = 0.0;
    let mut pass = 0.0;
    for (x, &c) in form.score_distribution.iter().enumerate() {
        if c == 0 {
            continue;
        }
        let tau = (r * x as f64 / kf + (1.0 - r) * mean / kf).clamp(0.0, 1.0);
        let p = binomial_at_least(m, k, tau);
        let w = c as f64 / n as f64;
        same += w * (p * p + (1.0 - p) * (1.0 - p));
        pass += w * p;
    }
    Ok(agreement(same, pass))
}

fn livingston_lewis(form: &FormScores, cut: f64) -> Result<LivingstonLewis, Reason> {
    let r = form.alpha?;
    let n: u64 = form.score_distribution.iter().sum();
    if n < 2 {
        return Err(Reason::TooFewPersons);
    }
    let nf = n as f64;
    let mean = mean_total(form.score_distribution, nf);
    let variance = form
        .score_distribution
        .iter()
        .enumerate()
        .map(|(x, &c)| (x as f64 - mean).powi(2) * c as f64)
        .sum::<f64>()
        / (nf - 1.0);
    let max = form.max_possible as f64;
    if variance <= 0.0 || max <= 0.0 {
        return Err(Reason::ConstantTotal);
    }
    if r <= 0.0 || r >= 1.0 {
        return Err(Reason::NotEstimable);
    }
    let length = (mean * (max - mean) - r * variance) / (variance * (1.0 - r));
    if !length.is_finite() || length < 1.0 {
        return Err(Reason::NotEstimable);
    }
    let length = length.round() as u64;
    // True proportional scores: mean m, variance r s^2 / max^2.
    let m = mean / max;
    let v = r * variance / (max * max);
    let common = m * (1.0 - m) / v - 1.0;
    if common.is_nan() || common <= 0.0 || m <= 0.0 || m >= 1.0 {
        return Err(Reason::NotEstimable);
    }
    let (a, b) = (m * common, (1.0 - m) * common);
    let c = cut / max;
    let needed = pass_count(c * length as f64 - 1e-9);
    let cdf = |t: f64| {
        if t <= 0.0 {
            0.0
        } else if t >= 1.0 {
            1.0
        } else {
            beta_reg(a, b, t)
        }
    };
    // Midpoint rule on cells of equal probability mass computed exactly from
    // the beta cdf, on [0, c] and [c, 1] separately (the true status jumps at c).
    let (mut accuracy, mut false_pos, mut false_neg, mut same, mut pass) =
        (0.0, 0.0, 0.0, 0.0, 0.0);
    for (lo, hi, true_pass) in [(0.0, c, false), (c, 1.0, true)] {
        if hi <= lo {
            continue;
        }
        let cells = INTEGRATION_CELLS / 2;
        let width = (hi - lo) / cells as f64;
        let mut f_lo = cdf(lo);
        for j in 0..cells {
            let t_hi = lo + (j + 1) as f64 * width;
            let f_hi = cdf(t_hi);
            let mass = f_hi - f_lo;
            f_lo = f_hi;
            if mass <= 0.0 {
                continue;
            }
            let tau = lo + (j as f64 + 0.5) * width;
            let p = binomial_at_least(needed, length, tau);
            pass += mass * p;
            same += mass * (p * p + (1.0 - p) * (1.0 - p));
            if true_pass {
                accuracy += mass * p;
                false_neg += mass * (1.0 - p);
            } else {
                accuracy += mass * (1.0 - p);
                false_pos += mass * p;
            }
        }
    }
    Ok(LivingstonLewis {
        effective_test_length: length,
        true_score_beta: [a, b],
        accuracy,
        false_positive: false_pos,
        false_negative: false_neg,
        consistency: agreement(same, pass),
    })
}

/// Observed pass/fail decisions against the true status, where the truth
/// is known (a simulation): the proportions of all persons classified
/// correctly, passed below the standard and failed at or above it (the
/// quantities Livingston & Lewis 1995 estimate, counted directly).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TrueAccuracy {
    /// Persons compared.
    pub n: usize,
    /// Proportion whose decision matches their true status.
    pub accuracy: f64,
    /// Proportion who passed with a true status of fail.
    pub false_positive: f64,
    /// Proportion who failed with a true status of pass.
    pub false_negative: f64,
}

/// [`TrueAccuracy`] of `passed[i]` against `truly_passes[i]`; `None` when
/// the lists are empty or differ in length.
pub fn true_accuracy(passed: &[bool], truly_passes: &[bool]) -> Option<TrueAccuracy> {
    if passed.is_empty() || passed.len() != truly_passes.len() {
        return None;
    }
    let n = passed.len();
    let share = |f: fn(bool, bool) -> bool| {
        passed
            .iter()
            .zip(truly_passes)
            .filter(|(o, t)| f(**o, **t))
            .count() as f64
            / n as f64
    };
    Some(TrueAccuracy {
        n,
        accuracy: share(|o, t| o == t),
        false_positive: share(|o, t| o && !t),
        false_negative: share(|o, t| !o && t),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn true_accuracy_counts_by_hand() {
        let passed = [true, true, false, false];
        let truth = [true, false, true, false];
        let a = true_accuracy(&passed, &truth).unwrap();
        assert_eq!(a.n, 4);
        assert!((a.accuracy - 0.5).abs() < 1e-12);
        assert!((a.false_positive - 0.25).abs() < 1e-12);
        assert!((a.false_negative - 0.25).abs() < 1e-12);
        assert_eq!(true_accuracy(&passed, &truth[..3]), None);
    }
}
