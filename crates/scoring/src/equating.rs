//! Carrying a cut score across forms through the test characteristic curve,
//! and IRT true-score equating (Kolen & Brennan 2014, *Test Equating,
//! Scaling, and Linking*, 3rd ed., §6.5; Lord 1980, ch. 13).
//!
//! The test characteristic curve (TCC) of a form is its expected raw score
//! `τ(θ) = Σ_j P_j(θ)`, each item's term its expected credit (`P_j` of a 0/1
//! item, `E[k | θ]/m` of a partial-credit item scored `k/m`:
//! [`ItemModel::expected_proportion`]); it rises strictly from `Σ c_j` (as
//! θ → −∞; GPCM items have no floor) to the number of items `n` (θ → ∞),
//! so every true score strictly between has exactly one θ. Both forms' parameters must be on one θ scale (calibrated
//! together or linked).
//!
//! - Cut carried across forms: the base form's raw cut `x` → `θ_cut =
//!   τ_base⁻¹(x)` → the new form's cut `τ_new(θ_cut)`.
//! - True-score equating of form X to form Y: for `Σc_X < x < n_X`,
//!   `e_Y(x) = τ_Y(τ_X⁻¹(x))`. Scores at or below `Σc_X` have no θ; they are
//!   equated linearly, `e_Y(x) = x·Σc_Y/Σc_X` (Kolen's ad hoc procedure,
//!   Kolen & Brennan 2014, §6.5.4), and `n_X` maps to `n_Y`.

use exam_core::irt::ItemModel;
use serde::{Deserialize, Serialize};

/// Why an equating step failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum EquatingError {
    /// A form without items.
    #[error("a form needs at least one item")]
    NoItems,
    /// The true score has no θ: it is not strictly between the TCC's
    /// lower asymptote `Σ c` and the number of items.
    #[error(
        "true score {score} is outside the open range ({min}, {max}) of the test characteristic curve"
    )]
    OutOfRange {
        /// The score given.
        score: f64,
        /// `Σ c_j`.
        min: f64,
        /// The number of items.
        max: f64,
    },
}

/// The θ at which the form's TCC equals `true_score`.
///
/// Method: the bracket `[−1, 1]` is doubled until it contains the root, then
/// Newton steps (`dτ/dθ = Σ P_j'`) safeguarded by bisection, to `1e-12`.
pub fn inverse_tcc(items: &[ItemModel], true_score: f64) -> Result<f64, EquatingError> {
    if items.is_empty() {
        return Err(EquatingError::NoItems);
    }
    let min = floor(items);
    let max = items.len() as f64;
    if !(true_score > min && true_score < max) {
        return Err(EquatingError::OutOfRange {
            score: true_score,
            min,
            max,
        });
    }
    let f = |t: f64| expected_score(items, t) - true_score;
    let (mut lo, mut hi) = (-1.0f64, 1.0f64);
    while f(lo) > 0.0 && lo > -1e6 {
        lo *= 2.0;
    }
    while f(hi) < 0.0 && hi < 1e6 {
        hi *= 2.0;
    }
    let mut theta = 0.5 * (lo + hi);
    for _ in 0..200 {
        let value = f(theta);
        if value > 0.0 {
            hi = theta;
        } else {
            lo = theta;
        }
        let slope: f64 = items
            .iter()
            .map(|i| i.expected_proportion_slope(theta))
            .sum();
        let newton = theta - value / slope;
        let next = if slope > 0.0 && newton > lo && newton < hi {
            newton
        } else {
            0.5 * (lo + hi)
        };
        if (next - theta).abs() < 1e-12 {
            return Ok(next);
        }
        theta = next;
    }
    Ok(theta)
}

/// A cut carried from a base form to a new form.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CarriedCut {
    /// The base form's raw cut.
    pub base_raw_cut: f64,
    /// `θ_cut = τ_base⁻¹(base_raw_cut)`.
    pub theta_cut: f64,
    /// `τ_new(θ_cut)`, the new form's cut on the true-score scale.
    pub new_true_cut: f64,
    /// The new form's integer raw cut: the smallest raw score at or above
    /// `new_true_cut` (so no one passes below the standard); a true cut
    /// within `1e-9` above an integer counts as that integer.
    pub new_raw_cut: usize,
}

/// Carries `base_raw_cut` from `base` to `new` through θ.
pub fn carry_cut(
    base: &[ItemModel],
    base_raw_cut: f64,
    new: &[ItemModel],
) -> Result<CarriedCut, EquatingError> {
    if new.is_empty() {
        return Err(EquatingError::NoItems);
    }
    let theta_cut = inverse_tcc(base, base_raw_cut)?;
    let new_true_cut = expected_score(new, theta_cut);
    Ok(CarriedCut {
        base_raw_cut,
        theta_cut,
        new_true_cut,
        new_raw_cut: (new_true_cut - 1e-9).ceil().max(0.0) as usize,
    })
}

/// One raw score of form X with its form-Y equivalent.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EquatedScore {
    /// Raw score on form X.
    pub raw: usize,
    /// Its θ, where the TCC has one (`Σc_X < raw < n_X`).
    pub theta: Option<f64>,
    /// The form-Y equivalent `e_Y(raw)`.
    pub equated: f64,
}

/// IRT true-score equating of every raw score `0..=n_X` of `from` to the
/// scale of `to` (module docs).
pub fn true_score_equating(
    from: &[ItemModel],
    to: &[ItemModel],
) -> Result<Vec<EquatedScore>, EquatingError> {
    if from.is_empty() || to.is_empty() {
        return Err(EquatingError::NoItems);
    }
    let chance_from = floor(from);
    let chance_to = floor(to);
    let n_from = from.len();
    (0..=n_from)
        .map(|raw| {
            let x = raw as f64;
            if raw == n_from {
                Ok(EquatedScore {
                    raw,
                    theta: None,
                    equated: to.len() as f64,
                })
            } else if x <= chance_from {
                let equated = if chance_from > 0.0 {
                    x * chance_to / chance_from
                } else {
                    0.0
                };
                Ok(EquatedScore {
                    raw,
                    theta: None,
                    equated,
                })
            } else {
                let theta = inverse_tcc(from, x)?;
                Ok(EquatedScore {
                    raw,
                    theta: Some(theta),
                    equated: expected_score(to, theta),
                })
            }
        })
        .collect()
}

/// The TCC `τ(θ) = Σ_j` expected proportion of item `j` (module docs).
fn expected_score(items: &[ItemModel], theta: f64) -> f64 {
    items.iter().map(|i| i.expected_proportion(theta)).sum()
}

/// The TCC's lower asymptote `Σ_j c_j`.
fn floor(items: &[ItemModel]) -> f64 {
    items.iter().map(ItemModel::floor).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use exam_core::irt::{GpcmParams, ItemParams};
    use proptest::prelude::*;

    fn rasch(bs: &[f64]) -> Vec<ItemModel> {
        bs.iter()
            .map(|&b| ItemModel::Dichotomous(ItemParams::rasch(b).unwrap()))
            .collect()
    }

    fn three_pl(a: f64, b: f64, c: f64) -> ItemModel {
        ItemModel::Dichotomous(ItemParams::new(a, b, c).unwrap())
    }

    #[test]
    fn a_partial_credit_item_enters_the_tcc_by_its_expected_credit() {
        // GPCM, steps −s and s: at θ = 0 the category weights are
        // 1, e^{as}, 1, so E[k] = 1 and the expected credit is 1/2; with a
        // Rasch item at b = 0 beside it τ(0) = 1/2 + 1/2 = 1.
        let gpcm = ItemModel::Gpcm(GpcmParams::new(1.3, vec![-0.7, 0.7]).unwrap());
        assert!(inverse_tcc(std::slice::from_ref(&gpcm), 0.5).unwrap().abs() < 1e-12);
        let mut form = rasch(&[0.0]);
        form.push(gpcm);
        assert!(inverse_tcc(&form, 1.0).unwrap().abs() < 1e-12);
        assert!(floor(&form).abs() < f64::EPSILON, "no guessing floor");
    }

    #[test]
    fn cut_carried_by_hand() {
        // Base: b = −ln 3, 0, ln 3, so τ(0) = 3/4 + 1/2 + 1/4 = 1.5.
        // New: b = −ln 3, −ln 3, 0, so τ(0) = 3/4 + 3/4 + 1/2 = 2.0.
        let ln3 = 3f64.ln();
        let base = rasch(&[-ln3, 0.0, ln3]);
        let new = rasch(&[-ln3, -ln3, 0.0]);
        let carried = carry_cut(&base, 1.5, &new).unwrap();
        assert!(carried.theta_cut.abs() < 1e-12);
        assert!((carried.new_true_cut - 2.0).abs() < 1e-12);
        assert_eq!(carried.new_raw_cut, 2);
    }

    #[test]
    fn three_pl_inverse_by_hand() {
        // One item, c = 0.2: τ = 0.6 means L = (0.6 − 0.2)/0.8 = 1/2, θ = b.
        let item = [three_pl(1.7, 0.4, 0.2)];
        assert!((inverse_tcc(&item, 0.6).unwrap() - 0.4).abs() < 1e-12);
        assert_eq!(
            inverse_tcc(&item, 0.2),
            Err(EquatingError::OutOfRange {
                score: 0.2,
                min: 0.2,
                max: 1.0
            })
        );
    }

    #[test]
    fn true_score_equating_by_hand() {
        // X: two items at b = 0; Y: two items at b = −ln 3.
        // x = 1 ⇔ θ = 0; τ_Y(0) = 2·3/4 = 1.5. Ends: 0 → 0, 2 → 2.
        let x = rasch(&[0.0, 0.0]);
        let y = rasch(&[-(3f64.ln()), -(3f64.ln())]);
        let eq = true_score_equating(&x, &y).unwrap();
        assert!((eq[0].equated).abs() < 1e-15 && eq[0].theta.is_none());
        assert!((eq[1].equated - 1.5).abs() < 1e-12);
        assert!(eq[1].theta.unwrap().abs() < 1e-12);
        assert!((eq[2].equated - 2.0).abs() < 1e-15);
    }

    #[test]
    fn scores_below_chance_are_equated_linearly() {
        // Σc_X = 0.5 (two items, c = .25), Σc_Y = 0.6 (three items, c = .2).
        let x = vec![three_pl(1.0, 0.0, 0.25); 2];
        let y = vec![three_pl(1.0, 0.5, 0.2); 3];
        let eq = true_score_equating(&x, &y).unwrap();
        assert!((eq[0].equated).abs() < 1e-15);
        // x = 1 > 0.5: through θ. τ_X(θ) = 1 ⇔ P = 1/2 ⇔ L = 1/3 ⇔ θ = −ln 2.
        assert!((eq[1].theta.unwrap() + 2f64.ln()).abs() < 1e-10);
        let p_y = 0.2 + 0.8 * exam_core::irt::logistic(-(2f64.ln()) - 0.5);
        assert!((eq[1].equated - 3.0 * p_y).abs() < 1e-10);
        assert!((eq[2].equated - 3.0).abs() < 1e-15);
    }

    proptest! {
        #[test]
        fn equating_a_form_to_itself_is_the_identity(
            bs in proptest::collection::vec(-3.0f64..3.0, 1..30),
            a in 0.4f64..2.5,
        ) {
            let form: Vec<ItemModel> = bs.iter().map(|&b| ItemModel::Dichotomous(ItemParams::two_pl(a, b).unwrap())).collect();
            for e in true_score_equating(&form, &form).unwrap() {
                prop_assert!((e.equated - e.raw as f64).abs() < 1e-8);
            }
        }
    }
}
