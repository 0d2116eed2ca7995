//! Classical item analysis: per-item and per-form (test) statistics.
//!
//! Definitions follow Lord & Novick (1968), *Statistical Theories of Mental
//! Test Scores*, and Crocker & Algina (1986), *Introduction to Classical and
//! Modern Test Theory*; they agree with R psych's `alpha()` (`raw.r`,
//! `r.drop`, `alpha.drop`) on complete data.
//!
//! # Missing data
//!
//! An omitted cell (presented, not answered) scores 0 and counts as wrong. A
//! not-presented cell is excluded. Persons who saw the same items form a
//! *form*; test-level statistics (mean, SD, alpha, ...) are computed per
//! form. Item statistics use every person presented the item: the p-value
//! and SD over all of them, the correlations pooled within forms (each
//! person's scores are deviations from their own form's means, which is the
//! ordinary correlation when there is one form). Alpha if deleted is a
//! property of a form and is given per form. See [`MISSING_DATA_CONVENTION`].
//!
//! When the patterns are one form with missing cells rather than different
//! forms, summarise with [`Summary::with_cross_products`]: the analysis then
//! adds psych's pairwise whole-test statistics ([`crate::pairwise`]).

use crate::decision::{CutScoreStatistics, FormScores, cut_score_statistics};
use crate::flags::{Flag, FlagThresholds, difficulty_flags};
use crate::moments::{FormMoments, correlation};
use crate::pairwise::{PairwiseStatistics, pairwise};
use crate::summary::Summary;
use crate::undefined::{Reason, Statistic, Undefined};
use exam_core::ids::ItemId;
use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, FisherSnedecor, Normal};

/// The missing-data convention, as stated in the output.
pub const MISSING_DATA_CONVENTION: &str = "omitted cells score 0; not-presented cells are excluded; \
test statistics are per form (persons presented the same items); item p-values and SDs use every \
person presented the item; item-total correlations are pooled within forms";

/// Options of the item analysis.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AnalysisOptions {
    /// Flag thresholds.
    pub flags: FlagThresholds,
    /// Confidence level of the interval for alpha (default 0.95).
    pub confidence_level: f64,
    /// Fraction of persons in each of the upper and lower groups of the
    /// discrimination index (default 0.27, Kelley 1939).
    pub group_fraction: f64,
    /// A raw cut score (pass when the total is at least this): adds decision
    /// consistency and accuracy and the CSEM at the cut to every form.
    /// Finite and non-negative.
    pub cut: Option<f64>,
}

impl Default for AnalysisOptions {
    fn default() -> Self {
        Self {
            flags: FlagThresholds::default(),
            confidence_level: 0.95,
            group_fraction: 0.27,
            cut: None,
        }
    }
}

/// Errors of the analysis.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum AnalysisError {
    /// An option is out of its range.
    #[error("option `{name}` = {value} is out of range ({range})")]
    InvalidOption {
        /// The option.
        name: &'static str,
        /// Its value.
        value: f64,
        /// The allowed range.
        range: &'static str,
    },
}

/// The result of a classical item analysis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemAnalysis {
    /// How omitted and not-presented cells were treated.
    pub missing_data: String,
    /// Persons in the data, including any presented no item.
    pub n_persons: u64,
    /// Persons presented no item at all (empty rows): in no form.
    pub n_persons_without_items: u64,
    /// Per-item statistics, in input order.
    pub items: Vec<ItemStatistics>,
    /// Per-form (test-level) statistics, one per pattern of presented items.
    pub forms: Vec<FormStatistics>,
    /// Whole-test statistics from pairwise covariances (R psych's
    /// convention), when the summary keeps cross products and the data has
    /// more than one pattern of presented items.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pairwise: Option<PairwiseStatistics>,
}

/// Classical statistics of one item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemStatistics {
    /// The item.
    pub id: ItemId,
    /// Persons presented the item.
    pub n_presented: u64,
    /// Of those, persons who omitted it (scored 0).
    pub n_omitted: u64,
    /// The highest observed score (1 for dichotomous items).
    pub max_score: u8,
    /// Mean score of the persons presented the item.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mean_score: Option<f64>,
    /// Item difficulty: the mean score divided by the maximum score; for a
    /// 0/1 item the proportion correct.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p_value: Option<f64>,
    /// Standard deviation of the item score (n - 1 denominator).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sd: Option<f64>,
    /// Corrected item-total correlation: Pearson r of the item score with
    /// the rest score (total minus the item) = psych `r.drop`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub point_biserial: Option<f64>,
    /// Uncorrected item-total correlation: Pearson r of the item score with
    /// the total score (item included) = psych `raw.r`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub point_biserial_uncorrected: Option<f64>,
    /// Biserial correlation of a 0/1 item with the rest score, from the
    /// corrected point-biserial: `r_pb sqrt(p q) / phi(z_p)` where `phi` is
    /// the standard normal density and `z_p` the normal quantile of `p`
    /// (Lord & Novick 1968, sec. 15.5). It can exceed 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub biserial: Option<f64>,
    /// Upper-lower discrimination index (Kelley 1939): mean item score of
    /// the top 27% by total score minus that of the bottom 27%, divided by
    /// the maximum score. The groups hold exactly 27% of the persons;
    /// persons tied at a group's boundary score count with equal fractional
    /// weight, so the index depends on the data and not on their order.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub discrimination_index: Option<f64>,
    /// Alpha of the form without this item (when the item is on one form).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alpha_if_deleted: Option<f64>,
    /// Review flags.
    pub flags: Vec<Flag>,
    /// Statistics that are undefined here, with the reason.
    #[serde(skip_serializing_if = "Undefined::is_empty", default)]
    pub undefined: Undefined,
}

/// Test-level statistics of one form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FormStatistics {
    /// The form's items.
    pub items: Vec<ItemId>,
    /// Persons who took the form.
    pub n_persons: u64,
    /// Maximum possible total (sum of the items' maximum scores).
    pub max_possible: u64,
    /// Whether every item of the form is dichotomous (0/1).
    pub dichotomous: bool,
    /// Mean total score.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mean: Option<f64>,
    /// Standard deviation of the total score (n - 1 denominator).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sd: Option<f64>,
    /// Lowest total score.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<u64>,
    /// Highest total score.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<u64>,
    /// Persons at each total score `0..=max`.
    pub score_distribution: Vec<u64>,
    /// Cronbach's (1951) alpha: `k/(k-1) (1 - sum var(X_i) / var(X))`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alpha: Option<f64>,
    /// Feldt's (1965) confidence interval for alpha: `1 - (1 - alpha) F`
    /// at the F quantiles `(1 -+ level)/2` with `n - 1` and
    /// `(n - 1)(k - 1)` degrees of freedom (Feldt, Woodruff & Salih 1987).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alpha_ci: Option<ConfidenceInterval>,
    /// KR-20 (Kuder & Richardson 1937): alpha of 0/1 items.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kr20: Option<f64>,
    /// KR-21: `k/(k-1) (1 - M (k - M) / (k s^2))`, `s^2` the population
    /// variance of the total; 0/1 items only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kr21: Option<f64>,
    /// Correlation of the totals on the form's odd-numbered (1st, 3rd, ...)
    /// and even-numbered items.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub split_half: Option<f64>,
    /// The odd-even split-half correlation stepped up by Spearman-Brown:
    /// `2 r / (1 + r)`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spearman_brown: Option<f64>,
    /// Standard error of measurement: `SD sqrt(1 - alpha)`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sem: Option<f64>,
    /// Decision statistics at the cut score, when one was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cut: Option<CutScoreStatistics>,
    /// Per-item statistics within this form.
    pub item_statistics: Vec<FormItemStatistics>,
    /// Statistics that are undefined here, with the reason.
    #[serde(skip_serializing_if = "Undefined::is_empty", default)]
    pub undefined: Undefined,
}

/// An item's statistics within one form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FormItemStatistics {
    /// The item.
    pub id: ItemId,
    /// Proportion of the maximum score, within the form.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p_value: Option<f64>,
    /// Corrected item-total correlation within the form.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub point_biserial: Option<f64>,
    /// Alpha of the form without the item.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alpha_if_deleted: Option<f64>,
    /// Statistics that are undefined here, with the reason.
    #[serde(skip_serializing_if = "Undefined::is_empty", default)]
    pub undefined: Undefined,
}

/// A two-sided confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ConfidenceInterval {
    /// The confidence level.
    pub level: f64,
    /// Lower bound.
    pub lower: f64,
    /// Upper bound.
    pub upper: f64,
}

/// Runs the classical item analysis on a summary.
pub fn analyze(
    summary: &Summary,
    options: &AnalysisOptions,
) -> Result<ItemAnalysis, AnalysisError> {
    check_options(options)?;
    let moments: Vec<FormMoments> = summary.forms().iter().map(FormMoments::new).collect();
    let mut appearances: Vec<Vec<(usize, usize)>> = vec![Vec::new(); summary.items().len()];
    for (f, m) in moments.iter().enumerate() {
        for (col, &item) in m.form.items().iter().enumerate() {
            appearances[item].push((f, col));
        }
    }
    let items = (0..summary.items().len())
        .map(|i| item_statistics(summary, &moments, i, &appearances[i], options))
        .collect();
    let forms = moments
        .iter()
        .map(|m| form_statistics(summary, m, options))
        .collect();
    Ok(ItemAnalysis {
        missing_data: MISSING_DATA_CONVENTION.to_owned(),
        n_persons: summary.n_persons(),
        n_persons_without_items: summary.n_persons()
            - summary.forms().iter().map(|f| f.n_persons()).sum::<u64>(),
        items,
        forms,
        pairwise: if summary.forms().len() > 1 {
            pairwise(summary)
        } else {
            None
        },
    })
}

fn check_options(options: &AnalysisOptions) -> Result<(), AnalysisError> {
    let level = options.confidence_level;
    if !(level > 0.0 && level < 1.0) {
        return Err(AnalysisError::InvalidOption {
            name: "confidence_level",
            value: level,
            range: "0 < level < 1",
        });
    }
    let g = options.group_fraction;
    if !(g > 0.0 && g <= 0.5) {
        return Err(AnalysisError::InvalidOption {
            name: "group_fraction",
            value: g,
            range: "0 < fraction <= 0.5",
        });
    }
    let flags = &options.flags;
    for (name, value, range) in [
        ("flags.p_value_min", flags.p_value_min, 0.0..=1.0),
        ("flags.p_value_max", flags.p_value_max, 0.0..=1.0),
        (
            "flags.point_biserial_min",
            flags.point_biserial_min,
            -1.0..=1.0,
        ),
        (
            "flags.distractor_min_proportion",
            flags.distractor_min_proportion,
            0.0..=1.0,
        ),
    ] {
        if !range.contains(&value) {
            return Err(AnalysisError::InvalidOption {
                name,
                value,
                range: if *range.start() < 0.0 {
                    "-1 <= value <= 1"
                } else {
                    "0 <= value <= 1"
                },
            });
        }
    }
    if let Some(cut) = options.cut
        && !(cut.is_finite() && cut >= 0.0)
    {
        return Err(AnalysisError::InvalidOption {
            name: "cut",
            value: cut,
            range: "finite, 0 <= cut",
        });
    }
    Ok(())
}

/// Sums over an item's forms, each divided by the form's `n` (so they are
/// sums of squared deviations from the form means).
#[derive(Default)]
struct Pooled {
    ss_item: f64,
    ss_total: f64,
    sp_total: f64,
    ss_rest: f64,
    sp_rest: f64,
    upper: f64,
    lower: f64,
    group_size: f64,
}

fn item_statistics(
    summary: &Summary,
    moments: &[FormMoments],
    item: usize,
    appearances: &[(usize, usize)],
    options: &AnalysisOptions,
) -> ItemStatistics {
    let mut undefined = Undefined::default();
    let max_score = summary.max_scores()[item];
    let scale = f64::from(max_score.max(1));
    let mut n = 0i128;
    let mut sum = 0i128;
    let mut squares = 0i128;
    let mut omitted = 0u64;
    let mut pooled = Pooled::default();
    // Sum the forms' terms in an order fixed by their values, so the pooled
    // figures do not depend on the order of forms, items or persons.
    let mut appearances = appearances.to_vec();
    appearances.sort_by_key(|&(f, col)| {
        let m = &moments[f];
        (
            m.n,
            m.ss_item[col],
            m.sp_item_total[col],
            m.ss_total,
            m.item_sum[col],
            f,
        )
    });
    for &(f, col) in &appearances {
        let m = &moments[f];
        n += m.n;
        sum += m.item_sum[col];
        squares += i128::from(m.form.item_squares(col));
        omitted += m.form.omitted(col);
        let nf = m.n as f64;
        pooled.ss_item += m.ss_item[col] as f64 / nf;
        pooled.ss_total += m.ss_total as f64 / nf;
        pooled.sp_total += m.sp_item_total[col] as f64 / nf;
        pooled.ss_rest += m.ss_rest(col) as f64 / nf;
        pooled.sp_rest += m.sp_item_rest(col) as f64 / nf;
        let (upper, lower, g) = upper_lower_sums(m, col, options.group_fraction);
        pooled.upper += upper;
        pooled.lower += lower;
        pooled.group_size += g;
    }
    let persons = match n {
        0 => Err(Reason::NoPersons),
        1 => Err(Reason::TooFewPersons),
        _ => Ok(()),
    };
    let mean = if n == 0 {
        Err(Reason::NoPersons)
    } else {
        Ok(sum as f64 / n as f64)
    };
    let mean_score = undefined.take(Statistic::MeanScore, mean);
    let p_value = undefined.take(Statistic::PValue, mean.map(|m| m / scale));
    let sd = persons.map(|()| ((n * squares - sum * sum) as f64 / (n * (n - 1)) as f64).sqrt());
    let sd = undefined.take(Statistic::Sd, sd);
    let r_total = persons.and_then(|()| {
        correlation(
            pooled.sp_total,
            pooled.ss_item,
            pooled.ss_total,
            Reason::ConstantTotal,
        )
    });
    let r_rest = persons.and_then(|()| {
        correlation(
            pooled.sp_rest,
            pooled.ss_item,
            pooled.ss_rest,
            Reason::ConstantRest,
        )
    });
    let point_biserial_uncorrected = undefined.take(Statistic::PointBiserialUncorrected, r_total);
    let point_biserial = undefined.take(Statistic::PointBiserial, r_rest);
    let biserial = if max_score > 1 {
        Err(Reason::NotDichotomous)
    } else {
        r_rest.and_then(|r| biserial_from_point_biserial(r, mean.unwrap_or(0.0)))
    };
    let biserial = undefined.take(Statistic::Biserial, biserial);
    let discrimination =
        persons.map(|()| (pooled.upper - pooled.lower) / (pooled.group_size * scale));
    let discrimination_index = undefined.take(Statistic::DiscriminationIndex, discrimination);
    let alpha_if_deleted = match appearances.as_slice() {
        [] => Err(Reason::NoPersons),
        [(f, col)] => moments[*f].alpha_if_deleted(*col),
        _ => Err(Reason::SeveralForms),
    };
    let alpha_if_deleted = undefined.take(Statistic::AlphaIfDeleted, alpha_if_deleted);
    ItemStatistics {
        id: summary.items()[item].clone(),
        n_presented: n as u64,
        n_omitted: omitted,
        max_score,
        mean_score,
        p_value,
        sd,
        point_biserial,
        point_biserial_uncorrected,
        biserial,
        discrimination_index,
        alpha_if_deleted,
        flags: difficulty_flags(p_value, point_biserial, &options.flags),
        undefined,
    }
}

/// The biserial correlation of a 0/1 item with proportion correct `p`, from
/// its point-biserial `r`: `r sqrt(p (1 - p)) / phi(z_p)`.
pub(crate) fn biserial_from_point_biserial(r: f64, p: f64) -> Result<f64, Reason> {
    if p <= 0.0 || p >= 1.0 {
        return Err(Reason::ConstantItem);
    }
    let z = Normal::standard().inverse_cdf(p);
    let density = (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt();
    Ok(r * (p * (1.0 - p)).sqrt() / density)
}

/// The sums of column `col` over the upper and lower groups of a form (each
/// `fraction` of its persons, boundary ties weighted fractionally), and the
/// group size.
fn upper_lower_sums(m: &FormMoments, col: usize, fraction: f64) -> (f64, f64, f64) {
    let counts = m.form.score_counts();
    let g = fraction * m.n as f64;
    let take = |levels: &mut dyn Iterator<Item = (usize, &[u64])>| {
        let mut remaining = g;
        let mut sum = 0.0;
        for (t, row) in levels {
            if remaining <= 0.0 {
                break;
            }
            let c = counts[t] as f64;
            let w = remaining.min(c);
            sum += row[col] as f64 * (w / c);
            remaining -= w;
        }
        sum
    };
    let upper = take(&mut m.form.level_rows().rev());
    let lower = take(&mut m.form.level_rows());
    (upper, lower, g)
}

fn form_statistics(
    summary: &Summary,
    m: &FormMoments,
    options: &AnalysisOptions,
) -> FormStatistics {
    let mut undefined = Undefined::default();
    let form = m.form;
    let k = m.k();
    let n = m.n;
    let dichotomous = form.items().iter().all(|&i| summary.max_scores()[i] <= 1);
    let max_possible = form
        .items()
        .iter()
        .map(|&i| u64::from(summary.max_scores()[i]))
        .sum();
    let persons = m.check_persons();
    let mean = if n == 0 {
        Err(Reason::NoPersons)
    } else {
        Ok(m.total_sum as f64 / n as f64)
    };
    let variance = persons.map(|()| m.ss_total as f64 / (n * (n - 1)) as f64);
    let sd = undefined.take(Statistic::Sd, variance.map(f64::sqrt));
    let alpha = m.alpha();
    let alpha_value = undefined.take(Statistic::Alpha, alpha);
    let alpha_ci =
        alpha.and_then(|a| feldt_interval(a, n as f64, k as f64, options.confidence_level));
    let alpha_ci = match alpha_ci {
        Ok(ci) => Some(ci),
        Err(reason) => {
            undefined.take(Statistic::AlphaCi, Err(reason));
            None
        }
    };
    let kr20 = if dichotomous {
        alpha
    } else {
        Err(Reason::NotDichotomous)
    };
    let kr20 = undefined.take(Statistic::Kr20, kr20);
    let kr21 = if dichotomous {
        alpha.map(|_| {
            let kf = k as f64;
            let mean_total = m.total_sum as f64 / n as f64;
            let var_population = m.ss_total as f64 / (n * n) as f64;
            kf / (kf - 1.0) * (1.0 - mean_total * (kf - mean_total) / (kf * var_population))
        })
    } else {
        Err(Reason::NotDichotomous)
    };
    let cut = options.cut.map(|cut| {
        let scores = FormScores {
            score_distribution: form.score_counts(),
            n_items: k,
            max_possible,
            dichotomous,
            alpha,
            kr21,
        };
        cut_score_statistics(&scores, cut)
    });
    let kr21 = undefined.take(Statistic::Kr21, kr21);
    let split = split_half(m);
    let split_half = undefined.take(Statistic::SplitHalf, split);
    let spearman_brown = split.and_then(|r| {
        if r <= -1.0 {
            Err(Reason::ConstantTotal) // r = -1: the halves cancel, the total is constant
        } else {
            Ok(2.0 * r / (1.0 + r))
        }
    });
    let spearman_brown = undefined.take(Statistic::SpearmanBrown, spearman_brown);
    let sem = alpha.and_then(|a| variance.map(|v| (v * (1.0 - a)).sqrt()));
    let sem = undefined.take(Statistic::Sem, sem);
    let counts = form.score_counts();
    let min = counts.iter().position(|&c| c > 0).map(|t| t as u64);
    let max = counts.iter().rposition(|&c| c > 0).map(|t| t as u64);
    let item_statistics = (0..k)
        .map(|col| {
            let mut u = Undefined::default();
            let item = form.items()[col];
            let scale = f64::from(summary.max_scores()[item].max(1));
            let p = if n == 0 {
                Err(Reason::NoPersons)
            } else {
                Ok(m.item_sum[col] as f64 / n as f64 / scale)
            };
            let r = persons.and_then(|()| {
                correlation(
                    m.sp_item_rest(col) as f64,
                    m.ss_item[col] as f64,
                    m.ss_rest(col) as f64,
                    Reason::ConstantRest,
                )
            });
            FormItemStatistics {
                id: summary.items()[item].clone(),
                p_value: u.take(Statistic::PValue, p),
                point_biserial: u.take(Statistic::PointBiserial, r),
                alpha_if_deleted: u.take(Statistic::AlphaIfDeleted, m.alpha_if_deleted(col)),
                undefined: u,
            }
        })
        .collect();
    FormStatistics {
        items: form
            .items()
            .iter()
            .map(|&i| summary.items()[i].clone())
            .collect(),
        n_persons: form.n_persons(),
        max_possible,
        dichotomous,
        mean: undefined.take(Statistic::Mean, mean),
        sd,
        min,
        max,
        score_distribution: counts.to_vec(),
        alpha: alpha_value,
        alpha_ci,
        kr20,
        kr21,
        split_half,
        spearman_brown,
        sem,
        cut,
        item_statistics,
        undefined,
    }
}

/// Feldt's interval for alpha.
fn feldt_interval(alpha: f64, n: f64, k: f64, level: f64) -> Result<ConfidenceInterval, Reason> {
    let f =
        FisherSnedecor::new(n - 1.0, (n - 1.0) * (k - 1.0)).map_err(|_| Reason::TooFewPersons)?;
    let tail = (1.0 - level) / 2.0;
    Ok(ConfidenceInterval {
        level,
        lower: 1.0 - (1.0 - alpha) * f.inverse_cdf(1.0 - tail),
        upper: 1.0 - (1.0 - alpha) * f.inverse_cdf(tail),
    })
}

/// The odd-even split-half correlation.
fn split_half(m: &FormMoments) -> Result<f64, Reason> {
    m.check_persons()?;
    if m.k() < 2 {
        return Err(Reason::TooFewItems);
    }
    let n = m.n;
    let (odd_sum, odd_squares, odd_even) = m.form.odd_half_moments();
    let o = i128::from(odd_sum);
    let oo = odd_squares as i128;
    let oe = odd_even as i128;
    let tt = m.form.total_squares() as i128;
    let e = m.total_sum - o;
    let ee = tt - oo - 2 * oe;
    let ss_odd = n * oo - o * o;
    let ss_even = n * ee - e * e;
    let sp = n * oe - o * e;
    if ss_odd == 0 || ss_even == 0 {
        return Err(Reason::ConstantHalf);
    }
    Ok((sp as f64 / ((ss_odd as f64).sqrt() * (ss_even as f64).sqrt())).clamp(-1.0, 1.0))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use exam_core::responses::{Cell, CsvOptions, ResponseMatrix, ResponseMatrixBuilder};

    fn run(text: &str) -> ItemAnalysis {
        let m = ResponseMatrix::from_csv(text.as_bytes(), "t.csv", CsvOptions { id_column: false })
            .unwrap();
        analyze(&Summary::of(&m), &AnalysisOptions::default()).unwrap()
    }

    fn near(got: Option<f64>, want: f64) {
        let got = got.expect("defined");
        assert!((got - want).abs() < 1e-12, "got {got}, want {want}");
    }

    /// A 4 x 3 matrix worked by hand (see the comments for the arithmetic).
    #[test]
    fn four_by_three_worked_by_hand() {
        // totals 3, 2, 1, 0: mean 1.5, deviations 1.5, .5, -.5, -1.5,
        // var(T) = 5/3. Item variances (n-1): A 1/3, B 1/4, C 1/4.
        let a = run("A,B,C\n1,1,1\n1,0,1\n0,0,1\n0,0,0\n");
        let f = &a.forms[0];
        near(a.items[0].p_value, 0.5);
        near(a.items[1].p_value, 0.25);
        near(a.items[2].p_value, 0.75);
        near(a.items[0].sd, (1.0f64 / 3.0).sqrt());
        near(f.mean, 1.5);
        near(f.sd, (5.0f64 / 3.0).sqrt());
        // alpha = 3/2 (1 - (5/6)/(5/3)) = 0.75
        near(f.alpha, 0.75);
        near(f.kr20, 0.75);
        // KR-21 = 3/2 (1 - 1.5 * 1.5 / (3 * 1.25)) = 0.6
        near(f.kr21, 0.6);
        // cov(A, T) = 2/3: r = (2/3) / sqrt(1/3 * 5/3) = 2/sqrt(5)
        near(a.items[0].point_biserial_uncorrected, 2.0 / 5f64.sqrt());
        // rest of A = B + C = 2, 1, 1, 0: r = (1/3) / sqrt(1/3 * 2/3) = 1/sqrt(2)
        near(a.items[0].point_biserial, 1.0 / 2f64.sqrt());
        // rest of B = A + C = 2, 2, 1, 0: r = .75 / sqrt(.75 * 2.75) = sqrt(3/11)
        near(a.items[1].point_biserial, (3.0f64 / 11.0).sqrt());
        // without A: var B = var C = 1/4, cov(B, C) = 1/12, var(B + C) = 2/3:
        // alpha = 2 (1 - (1/2)/(2/3)) = 0.5
        near(a.items[0].alpha_if_deleted, 0.5);
        // odd half A + C = rest of B, even half B: r = sqrt(3/11)
        let r = (3.0f64 / 11.0).sqrt();
        near(f.split_half, r);
        near(f.spearman_brown, 2.0 * r / (1.0 + r));
        near(f.sem, (5.0f64 / 3.0).sqrt() * 0.5);
        // biserial of A: p = .5, z = 0: (1/sqrt 2)(1/2) sqrt(2 pi) = sqrt(pi)/2
        near(a.items[0].biserial, std::f64::consts::PI.sqrt() / 2.0);
        // 27% groups of 1.08 persons: top = the total-3 person and 0.08 of the
        // total-2 person; bottom = the total-0 person and 0.08 of the total-1.
        near(a.items[0].discrimination_index, 1.0);
        near(a.items[1].discrimination_index, 1.0 / 1.08);
        near(a.items[2].discrimination_index, 1.0 - 0.08 / 1.08);
        assert_eq!(f.score_distribution, vec![1, 1, 1, 1]);
        assert_eq!((f.min, f.max), (Some(0), Some(3)));
        // Feldt interval, F quantiles with 3 and 6 df (scipy.stats.f.ppf).
        let ci = f.alpha_ci.unwrap();
        assert!((ci.lower - -0.6496996304891178).abs() < 1e-9, "{ci:?}");
        assert!((ci.upper - 0.9830332692493962).abs() < 1e-9, "{ci:?}");
    }

    #[test]
    fn partial_credit_alpha_and_undefined_dichotomous_statistics() {
        // A in 0..=2, B in 0..=1. var A = 1, var B = 1/3, var T = 7/3:
        // alpha = 2 (1 - (4/3)/(7/3)) = 6/7.
        let a = run("A,B\n2,1\n1,1\n0,0\n");
        near(a.items[0].p_value, 0.5);
        near(a.items[0].mean_score, 1.0);
        near(a.forms[0].alpha, 6.0 / 7.0);
        assert_eq!(a.forms[0].kr20, None);
        assert_eq!(
            a.forms[0].undefined.reason(Statistic::Kr20),
            Some(Reason::NotDichotomous)
        );
        assert_eq!(a.items[0].biserial, None);
        assert_eq!(
            a.items[0].undefined.reason(Statistic::Biserial),
            Some(Reason::NotDichotomous)
        );
        assert!(a.items[1].biserial.is_some());
    }

    #[test]
    fn constant_items_and_tiny_data_give_reasons_not_nan() {
        let a = run("A,B,C\n1,0,1\n1,1,0\n");
        assert_eq!(a.items[0].point_biserial, None);
        assert_eq!(
            a.items[0].undefined.reason(Statistic::PointBiserial),
            Some(Reason::ConstantItem)
        );
        near(a.items[0].p_value, 1.0);
        let a = run("A\n1\n");
        assert_eq!(a.forms[0].alpha, None);
        assert_eq!(
            a.forms[0].undefined.reason(Statistic::Alpha),
            Some(Reason::TooFewPersons)
        );
        let a = run("A\n1\n0\n");
        assert_eq!(
            a.forms[0].undefined.reason(Statistic::Alpha),
            Some(Reason::TooFewItems)
        );
        let a = run("A,B\n1,1\n0,0\n");
        assert_eq!(
            a.items[0].undefined.reason(Statistic::AlphaIfDeleted),
            Some(Reason::TooFewItems)
        );
        let json = serde_json::to_string(&a).unwrap();
        assert!(!json.contains("NaN") && !json.contains("null"), "{json}");
    }

    #[test]
    fn items_nobody_saw_and_persons_without_items() {
        let a = run("A,B\n1,\n0,\n,\n");
        assert_eq!(a.n_persons, 3);
        assert_eq!(a.n_persons_without_items, 1);
        assert_eq!(a.items[1].n_presented, 0);
        assert_eq!(
            a.items[1].undefined.reason(Statistic::PValue),
            Some(Reason::NoPersons)
        );
        assert_eq!(a.forms.len(), 1);
        assert_eq!(a.forms[0].n_persons, 2);
    }

    #[test]
    fn omitted_cells_score_zero_and_are_counted() {
        let mut b = ResponseMatrixBuilder::new(vec!["A".into(), "B".into()]).unwrap();
        b.push("p1".into(), &[Cell::Score(1), Cell::Omitted])
            .unwrap();
        b.push("p2".into(), &[Cell::Omitted, Cell::Score(1)])
            .unwrap();
        b.push("p3".into(), &[Cell::Score(1), Cell::Score(1)])
            .unwrap();
        let a = analyze(&Summary::of(&b.build()), &AnalysisOptions::default()).unwrap();
        assert_eq!(a.items[0].n_omitted, 1);
        assert_eq!(a.items[1].n_omitted, 1);
        near(a.items[0].p_value, 2.0 / 3.0);
    }

    #[test]
    fn two_forms_give_per_form_tests_and_pooled_items() {
        // Form 1 sees A, B; form 2 sees A, C.
        let a = run("A,B,C\n1,1,\n0,0,\n1,0,\n1,,1\n0,,1\n0,,0\n");
        assert_eq!(a.forms.len(), 2);
        assert_eq!(a.items[0].n_presented, 6);
        near(a.items[0].p_value, 0.5);
        assert_eq!(
            a.items[0].undefined.reason(Statistic::AlphaIfDeleted),
            Some(Reason::SeveralForms)
        );
        assert_eq!(a.forms[0].items.len(), 2);
        assert_eq!(a.forms[0].n_persons + a.forms[1].n_persons, 6);
        // Pooled within forms: A with rest. Form 1: A = 1,0,1, rest B = 1,0,0:
        // SP = 1/3, SS_A = 2/3, SS_B = 2/3. Form 2: A = 1,0,0, rest C = 1,1,0:
        // SP = 1/3, SS_A = 2/3, SS_C = 2/3. r = (2/3) / sqrt(4/3 * 4/3) = 1/2.
        near(a.items[0].point_biserial, 0.5);
    }

    #[test]
    fn options_are_checked() {
        let s = Summary::of(
            &ResponseMatrix::from_csv("A\n1\n".as_bytes(), "t", CsvOptions { id_column: false })
                .unwrap(),
        );
        let bad = AnalysisOptions {
            confidence_level: 1.5,
            ..AnalysisOptions::default()
        };
        assert!(matches!(
            analyze(&s, &bad),
            Err(AnalysisError::InvalidOption {
                name: "confidence_level",
                ..
            })
        ));
        let bad = AnalysisOptions {
            group_fraction: 0.0,
            ..AnalysisOptions::default()
        };
        assert!(matches!(
            analyze(&s, &bad),
            Err(AnalysisError::InvalidOption {
                name: "group_fraction",
                ..
            })
        ));
    }
}
