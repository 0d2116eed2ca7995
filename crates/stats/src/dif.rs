//! Differential item functioning between a reference and a focal group.
//!
//! Persons are matched on the observed total score of their form (the
//! studied item included), one stratum per (form, score). Per item:
//!
//! - Mantel-Haenszel (Mantel & Haenszel 1959; Holland & Thayer 1988): the
//!   common odds ratio `alpha_MH = sum(A D / N) / sum(B C / N)` (A, B the
//!   reference group right/wrong, C, D the focal group right/wrong), the ETS
//!   delta `MH D-DIF = -2.35 ln alpha_MH` (negative: harder for the focal
//!   group), the continuity-corrected chi-square
//!   `(|sum A - sum E(A)| - 1/2)^2 / sum Var(A)` (1 df) with its p-value, the
//!   Robins, Breslow & Greenland (1986) standard error of `ln alpha_MH`, and
//!   the ETS classes (Zwick 2012, ETS RR-12-08): A if `|D| < 1` or the
//!   chi-square is not significant at .05; C if `|D| >= 1.5` and
//!   `(|D| - 1) / SE(D) > 1.645`; B otherwise. Strata with an empty group or
//!   fewer than two persons are dropped. Dichotomous items only.
//! - Standardisation (Dorans & Kulick 1986): `STD P-DIF = sum_k w_k (P_Fk -
//!   P_Rk) / sum_k w_k`, weights the focal group's stratum sizes, over strata
//!   where both groups are present; `P` is the mean item score divided by the
//!   maximum score (the proportion correct for 0/1 items, the standardised
//!   mean difference for partial credit).
//! - Logistic regression (Swaminathan & Rogers 1990): nested models
//!   `logit P = b0 + b1 X`, `+ b2 G`, `+ b3 X G` with `X` the matching score
//!   and `G` the focal-group indicator; likelihood-ratio chi-squares for
//!   uniform (1 df), non-uniform (1 df) and both (2 df); effect size the
//!   change in Nagelkerke's R^2 from the first to the third model (Zumbo
//!   1999), classified by Jodoin & Gierl (2001): A below .035, B below .070,
//!   C otherwise, and A whenever the 2-df test is not significant at .05.
//!   Dichotomous items only.
//! - For partial-credit items (scored above 1), in [`polytomous`]: Mantel's
//!   (1963) chi-square for ordered categories, the standardized mean
//!   difference with the ETS classes AA/BB/CC (Zwick, Thayer & Mazzeo
//!   1997), and ordinal (cumulative logit) logistic-regression DIF.
//!
//! Purification (Holland & Thayer 1988), when asked for: items classified B
//! or C by Mantel-Haenszel are removed from the matching score of the other
//! items (the studied item always stays in its own matching score), and the
//! analysis is repeated until the set of removed items no longer changes.

pub mod polytomous;

use crate::undefined::{Reason, Statistic, Undefined};
use exam_core::ids::ItemId;
use exam_core::responses::ResponseMatrix;
use polytomous::{MantelSmd, mantel_smd, ordinal_logistic_dif};
use serde::{Deserialize, Serialize};
use statrs::distribution::{ChiSquared, ContinuousCDF};

/// Rounds of purification at most.
const MAX_PURIFICATION_ROUNDS: usize = 10;

/// A person's group in a DIF comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DifGroup {
    /// The reference group.
    Reference,
    /// The focal group.
    Focal,
}

/// Errors setting up a DIF comparison.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DifError {
    /// No person carries the focal label.
    #[error("no person is in the focal group `{focal}`")]
    NoFocal {
        /// The focal label.
        focal: String,
    },
    /// No person is in the reference group.
    #[error("no person is in the reference group `{reference}`")]
    NoReference {
        /// The reference label (or "everyone else").
        reference: String,
    },
    /// The membership list does not have one entry per person.
    #[error("{found} group entries for {expected} persons")]
    Length {
        /// Persons in the matrix.
        expected: usize,
        /// Entries given.
        found: usize,
    },
}

/// Who is in which group, by person index of the response matrix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupMembership {
    groups: Vec<Option<DifGroup>>,
    reference: String,
    focal: String,
}

impl GroupMembership {
    /// Groups persons by label: `labels[person]` (`None` = unknown, left
    /// out). Persons labelled `focal` are the focal group; the reference
    /// group is those labelled `reference`, or everyone else with a label
    /// when `reference` is `None`.
    pub fn from_labels(
        labels: &[Option<String>],
        focal: &str,
        reference: Option<&str>,
    ) -> Result<Self, DifError> {
        let groups: Vec<Option<DifGroup>> = labels
            .iter()
            .map(|label| match label.as_deref() {
                Some(l) if l == focal => Some(DifGroup::Focal),
                Some(l) if reference.is_none_or(|r| r == l) => Some(DifGroup::Reference),
                _ => None,
            })
            .collect();
        let reference = reference.map_or_else(|| format!("not {focal}"), str::to_owned);
        if !groups.contains(&Some(DifGroup::Focal)) {
            return Err(DifError::NoFocal {
                focal: focal.to_owned(),
            });
        }
        if !groups.contains(&Some(DifGroup::Reference)) {
            return Err(DifError::NoReference { reference });
        }
        Ok(Self {
            groups,
            reference,
            focal: focal.to_owned(),
        })
    }

    /// The group of each person.
    pub fn groups(&self) -> &[Option<DifGroup>] {
        &self.groups
    }
}

/// Options of the DIF analysis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DifOptions {
    /// Purify the matching score (see the module docs).
    pub purify: bool,
}

/// The result of a DIF analysis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DifAnalysis {
    /// The reference group.
    pub reference: String,
    /// The focal group.
    pub focal: String,
    /// Persons in the reference group.
    pub n_reference: u64,
    /// Persons in the focal group.
    pub n_focal: u64,
    /// Persons in neither group (no label, or another label): left out.
    pub n_excluded: u64,
    /// How persons were matched.
    pub matching: String,
    /// Rounds of the analysis (1 without purification).
    pub rounds: usize,
    /// Items left out of the matching score by purification.
    pub removed_from_matching: Vec<ItemId>,
    /// Per-item results, in input order.
    pub items: Vec<ItemDif>,
}

/// ETS DIF category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[allow(missing_docs)] // the classes are named A, B, C in the literature
pub enum DifClass {
    A,
    B,
    C,
}

/// DIF statistics of one item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemDif {
    /// The item.
    pub id: ItemId,
    /// Strata used by Mantel-Haenszel.
    pub n_strata: usize,
    /// The Mantel-Haenszel common odds ratio.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alpha_mh: Option<f64>,
    /// MH D-DIF `= -2.35 ln alpha_MH`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mh_d_dif: Option<f64>,
    /// Robins-Breslow-Greenland standard error of `ln alpha_MH`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_alpha_mh_se: Option<f64>,
    /// Standard error of MH D-DIF (`2.35` times the above).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mh_d_dif_se: Option<f64>,
    /// The continuity-corrected MH chi-square (1 df).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mh_chi2: Option<f64>,
    /// Its p-value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mh_p_value: Option<f64>,
    /// ETS class (A, B, C) with the significance rule.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ets_class: Option<DifClass>,
    /// The group the item favours when its ETS class is B or C: the
    /// reference group when MH D-DIF is negative (harder for the focal
    /// group), the focal group when positive.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub favours: Option<DifGroup>,
    /// ETS class from `|D|` alone (1 and 1.5).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ets_class_magnitude_only: Option<DifClass>,
    /// Standardisation index STD P-DIF (focal minus reference).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub std_p_dif: Option<f64>,
    /// Logistic-regression DIF.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logistic: Option<LogisticDif>,
    /// Partial-credit items: Mantel's chi-square, SMD and the ETS
    /// polytomous class.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub mantel_smd: Option<MantelSmd>,
    /// Partial-credit items: ordinal (cumulative logit) logistic-regression
    /// DIF.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub ordinal_logistic: Option<LogisticDif>,
    /// Statistics that are undefined here, with the reason.
    #[serde(skip_serializing_if = "Undefined::is_empty", default)]
    pub undefined: Undefined,
}

/// Logistic-regression DIF of one item.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LogisticDif {
    /// LR chi-square for uniform DIF (group term, 1 df).
    pub uniform_chi2: f64,
    /// Its p-value.
    pub uniform_p_value: f64,
    /// LR chi-square for non-uniform DIF (interaction term, 1 df).
    pub nonuniform_chi2: f64,
    /// Its p-value.
    pub nonuniform_p_value: f64,
    /// LR chi-square for both (2 df).
    pub total_chi2: f64,
    /// Its p-value.
    pub total_p_value: f64,
    /// Change in Nagelkerke's R^2 from the score-only to the full model.
    pub delta_r2_nagelkerke: f64,
    /// Jodoin-Gierl class.
    pub class: DifClass,
}

/// Per form, per group: persons at each matching score by item score.
struct FormTables {
    items: Vec<usize>,
    levels: usize,
    /// Item scores `0..width` (the form's highest item score plus one).
    width: usize,
    /// `cats[g][(level · k + col) · width + y]`: persons of group `g` at
    /// matching score `level` with score `y` on the item at column `col`.
    cats: [Vec<u64>; 2],
}

fn group_index(g: DifGroup) -> usize {
    match g {
        DifGroup::Reference => 0,
        DifGroup::Focal => 1,
    }
}

/// One pass over the matrix: the tables by matching score, where only the
/// items with `matching[item]` count towards the score.
fn tables(matrix: &ResponseMatrix, groups: &GroupMembership, matching: &[bool]) -> Vec<FormTables> {
    let max_scores = matrix.max_scores();
    matrix
        .blocks()
        .iter()
        .map(|block| {
            let k = block.n_items();
            let in_matching: Vec<bool> = block.items().iter().map(|&i| matching[i]).collect();
            let levels = 1 + block
                .items()
                .iter()
                .filter(|&&i| matching[i])
                .map(|&i| usize::from(max_scores[i]))
                .sum::<usize>();
            let width = 1 + block
                .items()
                .iter()
                .map(|&i| usize::from(max_scores[i]))
                .max()
                .unwrap_or(0);
            let mut cats = [
                vec![0u64; levels * k * width],
                vec![0u64; levels * k * width],
            ];
            for (row, &person) in block.persons().iter().enumerate() {
                let Some(Some(g)) = groups.groups.get(person) else {
                    continue;
                };
                let g = group_index(*g);
                let scores = block.row(row);
                let t: usize = scores
                    .iter()
                    .zip(&in_matching)
                    .filter(|(_, m)| **m)
                    .map(|(&x, _)| usize::from(x))
                    .sum();
                for (col, &x) in scores.iter().enumerate() {
                    cats[g][(t * k + col) * width + usize::from(x)] += 1;
                }
            }
            FormTables {
                items: block.items().to_vec(),
                levels,
                width,
                cats,
            }
        })
        .collect()
}

/// One stratum of a studied item: per group (reference, focal), persons,
/// their item score sum and their numbers at each item score, and the
/// matching score.
#[derive(Debug, Clone)]
struct Stratum {
    n: [f64; 2],
    right: [f64; 2],
    cats: [Vec<f64>; 2],
    score: f64,
}

/// The strata of the item at column `col` of a form. When the item is not
/// part of the matching score (purified out) it is added back: a person at
/// matching score `t` with item score `y` is in stratum `t + y`.
fn strata(t: &FormTables, col: usize, in_matching: bool, max_score: usize) -> Vec<Stratum> {
    let k = t.items.len();
    let count =
        |g: usize, level: usize, y: usize| t.cats[g][(level * k + col) * t.width + y] as f64;
    let top = if in_matching {
        t.levels
    } else {
        t.levels + max_score
    };
    (0..top)
        .map(|s| {
            let cats: [Vec<f64>; 2] = std::array::from_fn(|g| {
                (0..=max_score)
                    .map(|y| match (in_matching, s.checked_sub(y)) {
                        (true, _) => count(g, s, y),
                        (false, Some(level)) if level < t.levels => count(g, level, y),
                        _ => 0.0,
                    })
                    .collect()
            });
            let n = std::array::from_fn(|g| cats[g].iter().sum());
            let right = std::array::from_fn(|g| {
                cats[g].iter().enumerate().map(|(y, c)| y as f64 * c).sum()
            });
            Stratum {
                n,
                right,
                cats,
                score: s as f64,
            }
        })
        .collect()
}

/// Runs the DIF analysis: Mantel-Haenszel, STD P-DIF and logistic
/// regression for every item.
pub fn dif(
    matrix: &ResponseMatrix,
    groups: &GroupMembership,
    options: &DifOptions,
) -> Result<DifAnalysis, DifError> {
    if groups.groups.len() != matrix.n_persons() {
        return Err(DifError::Length {
            expected: matrix.n_persons(),
            found: groups.groups.len(),
        });
    }
    let n_items = matrix.n_items();
    let mut matching = vec![true; n_items];
    let mut rounds = 0;
    let items = loop {
        rounds += 1;
        let tables = tables(matrix, groups, &matching);
        let items: Vec<ItemDif> = (0..n_items)
            .map(|i| item_dif(matrix, &tables, i, matching[i]))
            .collect();
        if !options.purify || rounds == MAX_PURIFICATION_ROUNDS {
            break items;
        }
        let next: Vec<bool> = items
            .iter()
            .map(|d| matches!(d.ets_class, None | Some(DifClass::A)))
            .collect();
        if next == matching {
            break items;
        }
        matching = next;
    };
    let count = |g: DifGroup| groups.groups.iter().filter(|x| **x == Some(g)).count() as u64;
    Ok(DifAnalysis {
        reference: groups.reference.clone(),
        focal: groups.focal.clone(),
        n_reference: count(DifGroup::Reference),
        n_focal: count(DifGroup::Focal),
        n_excluded: groups.groups.iter().filter(|x| x.is_none()).count() as u64,
        matching: if options.purify {
            "observed total score of the form over the items not removed by purification, the studied item included; one stratum per form and score".to_owned()
        } else {
            "observed total score of the form, the studied item included; one stratum per form and score".to_owned()
        },
        rounds,
        removed_from_matching: (0..n_items)
            .filter(|&i| !matching[i])
            .map(|i| matrix.items()[i].clone())
            .collect(),
        items,
    })
}

fn item_dif(
    matrix: &ResponseMatrix,
    tables: &[FormTables],
    item: usize,
    in_matching: bool,
) -> ItemDif {
    let mut undefined = Undefined::default();
    let max_score = matrix.max_scores()[item];
    let mut all: Vec<Stratum> = Vec::new();
    for t in tables {
        if let Ok(col) = t.items.binary_search(&item) {
            all.extend(strata(t, col, in_matching, usize::from(max_score)));
        }
    }
    let scale = f64::from(max_score.max(1));
    let std_p = std_p_dif(&all, scale);
    let std_p_dif = undefined.take(Statistic::StdPDif, std_p);
    let dichotomous = if max_score <= 1 {
        Ok(())
    } else {
        Err(Reason::NotDichotomous)
    };
    let used: Vec<Stratum> = all
        .iter()
        .filter(|s| s.n[0] > 0.0 && s.n[1] > 0.0 && s.n[0] + s.n[1] >= 2.0)
        .cloned()
        .collect();
    let mh = dichotomous.and_then(|()| mantel_haenszel(&used));
    let (alpha, log_se, chi2) = match mh {
        Ok(m) => (m.alpha, m.log_alpha_se, m.chi2),
        Err(r) => (Err(r), Err(r), Err(r)),
    };
    let d = alpha.map(|a| -2.35 * a.ln());
    let d_se = log_se.map(|s| 2.35 * s);
    let p = chi2.map(chi2_sf_1);
    let ets = match (d, d_se, p) {
        (Ok(d), Ok(se), Ok(p)) => Ok(ets_class(d, se, p)),
        (Err(r), _, _) | (_, Err(r), _) | (_, _, Err(r)) => Err(r),
    };
    let logistic = dichotomous.and_then(|()| logistic_dif(&all));
    let logistic = undefined.keep(Statistic::LogisticDif, logistic);
    let (mantel_smd, ordinal_logistic) = if max_score > 1 {
        (
            undefined.keep(Statistic::MantelSmd, mantel_smd(&used)),
            undefined.keep(Statistic::OrdinalLogisticDif, ordinal_logistic_dif(&all)),
        )
    } else {
        (None, None)
    };
    ItemDif {
        id: matrix.items()[item].clone(),
        n_strata: used.len(),
        alpha_mh: undefined.take(Statistic::AlphaMh, alpha),
        mh_d_dif: undefined.take(Statistic::MhDDif, d),
        log_alpha_mh_se: log_se.ok(),
        mh_d_dif_se: d_se.ok(),
        mh_chi2: undefined.take(Statistic::MhChi2, chi2),
        mh_p_value: p.ok(),
        ets_class: ets.ok(),
        favours: match (ets, d) {
            (Ok(DifClass::B | DifClass::C), Ok(d)) if d < 0.0 => Some(DifGroup::Reference),
            (Ok(DifClass::B | DifClass::C), Ok(d)) if d > 0.0 => Some(DifGroup::Focal),
            _ => None,
        },
        ets_class_magnitude_only: d.ok().map(|d| magnitude_class(d.abs())),
        std_p_dif,
        logistic,
        mantel_smd,
        ordinal_logistic,
        undefined,
    }
}

struct MantelHaenszel {
    alpha: Result<f64, Reason>,
    log_alpha_se: Result<f64, Reason>,
    chi2: Result<f64, Reason>,
}

fn mantel_haenszel(strata: &[Stratum]) -> Result<MantelHaenszel, Reason> {
    if strata.is_empty() {
        return Err(Reason::EmptyGroup);
    }
    let (mut r_sum, mut s_sum) = (0.0, 0.0);
    let (mut pr, mut ps_qr, mut qs) = (0.0, 0.0, 0.0);
    let (mut a_sum, mut e_sum, mut v_sum) = (0.0, 0.0, 0.0);
    for s in strata {
        let a = s.right[0];
        let b = s.n[0] - a;
        let c = s.right[1];
        let d = s.n[1] - c;
        let n = s.n[0] + s.n[1];
        let r = a * d / n;
        let ss = b * c / n;
        let p = (a + d) / n;
        let q = (b + c) / n;
        r_sum += r;
        s_sum += ss;
        pr += p * r;
        ps_qr += p * ss + q * r;
        qs += q * ss;
        let m1 = a + c;
        let m0 = b + d;
        a_sum += a;
        e_sum += s.n[0] * m1 / n;
        v_sum += s.n[0] * s.n[1] * m1 * m0 / (n * n * (n - 1.0));
    }
    let finite = r_sum > 0.0 && s_sum > 0.0;
    let alpha = if finite {
        Ok(r_sum / s_sum)
    } else {
        Err(Reason::NotEstimable)
    };
    let log_alpha_se = if finite {
        Ok((pr / (2.0 * r_sum * r_sum)
            + ps_qr / (2.0 * r_sum * s_sum)
            + qs / (2.0 * s_sum * s_sum))
            .sqrt())
    } else {
        Err(Reason::NotEstimable)
    };
    let chi2 = if v_sum > 0.0 {
        // Not truncated at zero (as statsmodels' StratifiedTable and the
        // reference values): |sum A - sum E(A)| < 1/2 gives a small positive value.
        let dev = (a_sum - e_sum).abs() - 0.5;
        Ok(dev * dev / v_sum)
    } else {
        Err(Reason::ConstantItem)
    };
    Ok(MantelHaenszel {
        alpha,
        log_alpha_se,
        chi2,
    })
}

/// Upper tail of the chi-square distribution with 1 df.
fn chi2_sf_1(x: f64) -> f64 {
    chi2_sf(x, 1.0)
}

fn chi2_sf(x: f64, df: f64) -> f64 {
    ChiSquared::new(df).map_or(f64::NAN, |c| c.sf(x))
}

fn ets_class(d: f64, se: f64, p: f64) -> DifClass {
    let abs = d.abs();
    if abs < 1.0 || p >= 0.05 {
        DifClass::A
    } else if abs >= 1.5 && (abs - 1.0) / se > 1.645 {
        DifClass::C
    } else {
        DifClass::B
    }
}

fn magnitude_class(abs_d: f64) -> DifClass {
    if abs_d < 1.0 {
        DifClass::A
    } else if abs_d < 1.5 {
        DifClass::B
    } else {
        DifClass::C
    }
}

fn std_p_dif(strata: &[Stratum], scale: f64) -> Result<f64, Reason> {
    let (mut num, mut den) = (0.0, 0.0);
    for s in strata.iter().filter(|s| s.n[0] > 0.0 && s.n[1] > 0.0) {
        let p_ref = s.right[0] / s.n[0] / scale;
        let p_foc = s.right[1] / s.n[1] / scale;
        num += s.n[1] * (p_foc - p_ref);
        den += s.n[1];
    }
    if den > 0.0 {
        Ok(num / den)
    } else {
        Err(Reason::EmptyGroup)
    }
}

/// Binomial cells of the logistic regression: matching score, group, trials,
/// successes.
struct Cell {
    score: f64,
    focal: f64,
    n: f64,
    right: f64,
}

fn logistic_dif(strata: &[Stratum]) -> Result<LogisticDif, Reason> {
    let mut cells = Vec::new();
    for s in strata {
        for g in 0..2 {
            if s.n[g] > 0.0 {
                cells.push(Cell {
                    score: s.score,
                    focal: g as f64,
                    n: s.n[g],
                    right: s.right[g],
                });
            }
        }
    }
    let total: f64 = cells.iter().map(|c| c.n).sum();
    let right: f64 = cells.iter().map(|c| c.right).sum();
    if total < 2.0 || !cells.iter().any(|c| c.focal > 0.0) || !cells.iter().any(|c| c.focal == 0.0)
    {
        return Err(Reason::EmptyGroup);
    }
    if right <= 0.0 || right >= total {
        return Err(Reason::ConstantItem);
    }
    // Centre the score: the likelihoods do not change, the fit is better conditioned.
    let mean_score = cells.iter().map(|c| c.score * c.n).sum::<f64>() / total;
    let design = |c: &Cell, terms: usize| -> [f64; 4] {
        let x = c.score - mean_score;
        let row = [1.0, x, c.focal, x * c.focal];
        let mut out = [0.0; 4];
        out[..terms].copy_from_slice(&row[..terms]);
        out
    };
    let p_bar = right / total;
    let ll_null = right * p_bar.ln() + (total - right) * (1.0 - p_bar).ln();
    let ll1 = fit_logistic(&cells, 2, &design)?;
    let ll2 = fit_logistic(&cells, 3, &design)?;
    let ll3 = fit_logistic(&cells, 4, &design)?;
    Ok(nested_lr_dif(total, ll_null, [ll1, ll2, ll3]))
}

/// The DIF statistics of three nested models' maximum log-likelihoods
/// `[score, + group, + interaction]` on `total` persons, with `ll_null` the
/// intercept-only model's: LR chi-squares, the change in Nagelkerke's R²
/// from the first to the third model, and the Jodoin–Gierl class.
fn nested_lr_dif(total: f64, ll_null: f64, [ll1, ll2, ll3]: [f64; 3]) -> LogisticDif {
    let nagelkerke = |ll: f64| {
        let cox_snell = 1.0 - (2.0 * (ll_null - ll) / total).exp();
        let max = 1.0 - (2.0 * ll_null / total).exp();
        cox_snell / max
    };
    let uniform = (2.0 * (ll2 - ll1)).max(0.0);
    let nonuniform = (2.0 * (ll3 - ll2)).max(0.0);
    let both = (2.0 * (ll3 - ll1)).max(0.0);
    let delta = nagelkerke(ll3) - nagelkerke(ll1);
    let total_p = chi2_sf(both, 2.0);
    LogisticDif {
        uniform_chi2: uniform,
        uniform_p_value: chi2_sf_1(uniform),
        nonuniform_chi2: nonuniform,
        nonuniform_p_value: chi2_sf_1(nonuniform),
        total_chi2: both,
        total_p_value: total_p,
        delta_r2_nagelkerke: delta,
        class: jodoin_gierl(total_p, delta),
    }
}

/// Jodoin & Gierl's (2001) class from the 2-df p-value and the change in
/// Nagelkerke's R²: A below .035 (or not significant at .05), B below .070,
/// C otherwise.
fn jodoin_gierl(total_p: f64, delta: f64) -> DifClass {
    if total_p >= 0.05 || delta < 0.035 {
        DifClass::A
    } else if delta < 0.070 {
        DifClass::B
    } else {
        DifClass::C
    }
}

/// Maximum log-likelihood of a binomial logistic regression on the first
/// `terms` columns of the design, by Newton-Raphson with step halving.
fn fit_logistic(
    cells: &[Cell],
    terms: usize,
    design: &dyn Fn(&Cell, usize) -> [f64; 4],
) -> Result<f64, Reason> {
    let loglik = |beta: &[f64; 4]| -> f64 {
        cells
            .iter()
            .map(|c| {
                let x = design(c, terms);
                let eta: f64 = (0..terms).map(|j| x[j] * beta[j]).sum();
                // log p = -log(1 + e^-eta), log(1-p) = -log(1 + e^eta)
                -c.right * softplus(-eta) - (c.n - c.right) * softplus(eta)
            })
            .sum()
    };
    let mut beta = [0.0f64; 4];
    let mut ll = loglik(&beta);
    for _ in 0..200 {
        let mut grad = [0.0f64; 4];
        let mut hess = [[0.0f64; 4]; 4];
        for c in cells {
            let x = design(c, terms);
            let eta: f64 = (0..terms).map(|j| x[j] * beta[j]).sum();
            let p = 1.0 / (1.0 + (-eta).exp());
            let w = c.n * p * (1.0 - p);
            for j in 0..terms {
                grad[j] += x[j] * (c.right - c.n * p);
                for l in 0..terms {
                    hess[j][l] += w * x[j] * x[l];
                }
            }
        }
        let Some(step) = solve(hess, grad, terms) else {
            return Err(Reason::NotEstimable);
        };
        let mut scale = 1.0;
        let mut improved = false;
        for _ in 0..40 {
            let mut trial = beta;
            for j in 0..terms {
                trial[j] += scale * step[j];
            }
            let ll_trial = loglik(&trial);
            if ll_trial >= ll - 1e-12 {
                let change = ll_trial - ll;
                beta = trial;
                ll = ll_trial;
                improved = true;
                if change.abs() < 1e-10 && step.iter().all(|s| (scale * s).abs() < 1e-8) {
                    return Ok(ll);
                }
                break;
            }
            scale /= 2.0;
        }
        if !improved {
            return Ok(ll);
        }
        if beta.iter().any(|b| !b.is_finite() || b.abs() > 1e6) {
            return Err(Reason::NotEstimable);
        }
    }
    Err(Reason::NotEstimable)
}

/// `ln(1 + e^x)` without overflow.
fn softplus(x: f64) -> f64 {
    if x > 0.0 {
        x + (-x).exp().ln_1p()
    } else {
        x.exp().ln_1p()
    }
}

/// Solves the `n x n` system `a x = b` (symmetric positive definite) by
/// Gaussian elimination with partial pivoting.
fn solve(mut a: [[f64; 4]; 4], mut b: [f64; 4], n: usize) -> Option<[f64; 4]> {
    for col in 0..n {
        let pivot = (col..n).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[pivot][col].abs() < 1e-300 {
            return None;
        }
        a.swap(col, pivot);
        b.swap(col, pivot);
        for row in col + 1..n {
            let f = a[row][col] / a[col][col];
            let pivot_row = a[col];
            for (x, p) in a[row][col..n].iter_mut().zip(&pivot_row[col..n]) {
                *x -= f * p;
            }
            b[row] -= f * b[col];
        }
    }
    let mut x = [0.0f64; 4];
    for row in (0..n).rev() {
        let s: f64 = (row + 1..n).map(|j| a[row][j] * x[j]).sum();
        x[row] = (b[row] - s) / a[row][row];
    }
    Some(x)
}
