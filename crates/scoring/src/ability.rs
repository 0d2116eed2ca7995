//! Ability estimation for one person under the Rasch, 2PL and 3PL models:
//! maximum likelihood ([`mle`]), maximum a posteriori ([`map`]) and expected
//! a posteriori ([`eap`], with [`crate::eap::EapEstimator`] for repeated scoring
//! on one form).
//!
//! Definitions (Baker & Kim 2004, ch. 5 and 7; Bock & Mislevy 1982):
//! - MLE: θ̂ maximises `ℓ(θ) = Σ x ln P + (1 − x) ln Q` over presented items;
//!   SE `1/√I(θ̂)` with `I` the test (Fisher) information.
//! - MAP: θ̂ maximises `ℓ(θ) + ln φ((θ − μ)/σ)`; SE `1/√(−d²/dθ² of that at θ̂)`,
//!   the observed posterior information (equal to `I(θ̂) + 1/σ²` for Rasch and 2PL).
//! - EAP: the posterior mean `E[θ | x]`, with the posterior standard
//!   deviation (PSD) as its standard error.
//!
//! **Rule for patterns without a finite MLE** (all correct, all wrong, and
//! for the 3PL some patterns whose likelihood rises toward ±∞): the MLE is
//! searched on the fence `[−θmax, θmax]` (default `θmax = 6`,
//! [`MleOptions`]). When the likelihood has no maximum inside the fence, the
//! estimate is the fence itself, `at_bound` is set, and the SE is
//! `1/√I(±θmax)`.

pub use crate::estimate::{AbilityError, Estimate};

use crate::estimate::check_lengths;
use crate::item_response::Response;
use crate::likelihood::{information, log_likelihood_derivatives};
use crate::prior::NormalPrior;
use exam_core::irt::ItemParams;
use serde::{Deserialize, Serialize};

/// Options of [`mle`]: the fence `θmax`. Always valid: `0 < θmax ≤ 50`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawMleOptions")]
pub struct MleOptions {
    theta_max: f64,
}

/// The unchecked form read from JSON (the checked type writes itself).
#[derive(Deserialize)]
struct RawMleOptions {
    theta_max: f64,
}

impl TryFrom<RawMleOptions> for MleOptions {
    type Error = AbilityError;
    fn try_from(raw: RawMleOptions) -> Result<Self, AbilityError> {
        MleOptions::new(raw.theta_max)
    }
}

impl Default for MleOptions {
    fn default() -> Self {
        Self { theta_max: 6.0 }
    }
}

impl MleOptions {
    /// The largest fence accepted.
    pub const MAX_THETA: f64 = 50.0;

    /// The fence `[−theta_max, theta_max]`, checked: `0 < θmax ≤ 50`.
    pub fn new(theta_max: f64) -> Result<Self, AbilityError> {
        if theta_max > 0.0 && theta_max <= Self::MAX_THETA {
            Ok(Self { theta_max })
        } else {
            Err(AbilityError::Bound(theta_max))
        }
    }

    /// The bound θmax.
    pub fn theta_max(&self) -> f64 {
        self.theta_max
    }
}

/// Maximum-likelihood ability on `[−θmax, θmax]` (see the module docs for
/// the rule on patterns without a finite maximum). The SE is infinite if the
/// test information at θ̂ underflows to 0, which takes items whose slopes and
/// difficulties put θ̂ hundreds of logits from them.
///
/// Method: Newton–Raphson with step halving to `|Δθ| < 1e-10`, started at
/// 0 for Rasch and 2PL (concave log-likelihood) and, for the 3PL, whose
/// likelihood can have several maxima, at the best point of a 0.25 grid
/// over the fence.
pub fn mle(
    items: &[ItemParams],
    responses: &[Response],
    options: &MleOptions,
) -> Result<Estimate, AbilityError> {
    check_lengths(items, responses)?;
    if responses.iter().all(|r| *r == Response::NotPresented) {
        return Err(AbilityError::NoResponses);
    }
    let bound = options.theta_max;
    let objective = |t: f64| log_likelihood_derivatives(items, responses, t);
    let (theta, at_bound) = maximize(objective, -bound, bound, true, is_concave(items, responses));
    let info = information(items, responses, theta);
    Ok(Estimate {
        theta,
        se: 1.0 / info.sqrt(),
        at_bound,
    })
}

/// Maximum a posteriori ability under a normal prior.
///
/// Method: as [`mle`], on the log posterior, started at μ for Rasch and 2PL
/// and for the 3PL at the best point of a scan over `μ ± 10σ`; Newton–Raphson
/// may leave that range if the mode lies beyond it.
pub fn map(
    items: &[ItemParams],
    responses: &[Response],
    prior: &NormalPrior,
) -> Result<Estimate, AbilityError> {
    check_lengths(items, responses)?;
    let precision = 1.0 / (prior.sd() * prior.sd());
    let objective = |t: f64| {
        let (v, d1, d2) = log_likelihood_derivatives(items, responses, t);
        (
            v + prior.log_density(t),
            d1 - (t - prior.mean()) * precision,
            d2 - precision,
        )
    };
    let spread = 10.0 * prior.sd();
    let (theta, _) = maximize(
        objective,
        prior.mean() - spread,
        prior.mean() + spread,
        false,
        is_concave(items, responses),
    );
    let (_, _, d2) = objective(theta);
    let curvature = if d2 < 0.0 {
        -d2
    } else {
        information(items, responses, theta) + precision
    };
    Ok(Estimate {
        theta,
        se: 1.0 / curvature.sqrt(),
        at_bound: false,
    })
}

/// Expected a posteriori ability and posterior SD under a normal prior.
///
/// One pattern on the grid of [`mod@crate::eap`] (same spacing and accuracy),
/// evaluating the likelihood only at the nodes that carry weight; no
/// tables are kept. To score many persons on one form, build an
/// [`crate::EapEstimator`] once instead.
pub fn eap(
    items: &[ItemParams],
    responses: &[Response],
    prior: &NormalPrior,
) -> Result<Estimate, AbilityError> {
    check_lengths(items, responses)?;
    let (mean, var) = crate::eap_single::eap_moments(items, responses, prior)?;
    Ok(Estimate {
        theta: mean,
        se: var.max(0.0).sqrt(),
        at_bound: false,
    })
}

/// Whether the log-likelihood is concave in θ: every presented item has
/// `c = 0` (Rasch, 2PL), so Newton's method needs no search for a start.
fn is_concave(items: &[ItemParams], responses: &[Response]) -> bool {
    items
        .iter()
        .zip(responses)
        .all(|(i, r)| *r == Response::NotPresented || i.c() <= 0.0)
}

/// Maximises a smooth function given as `θ ↦ (value, first, second
/// derivative)`: unless it is `concave` (then the start is the middle of
/// `[lo, hi]`), scans `[lo, hi]` in steps of at most 0.25 for the best start,
/// then takes Newton steps (a gradient step where the function is not
/// concave), each at most 1 in size and halved until the value does not
/// decrease. With `fenced`, θ stays in `[lo, hi]`; the second result says
/// whether it ended on the fence with the slope pointing out.
fn maximize<F>(objective: F, lo: f64, hi: f64, fenced: bool, concave: bool) -> (f64, bool)
where
    F: Fn(f64) -> (f64, f64, f64),
{
    let steps = ((hi - lo) / 0.25).ceil().max(1.0) as usize;
    let mut theta = 0.5 * (lo + hi);
    let mut best = f64::NEG_INFINITY;
    for i in (0..=steps).filter(|_| !concave) {
        let t = lo + (hi - lo) * i as f64 / steps as f64;
        let v = objective(t).0;
        if v > best {
            best = v;
            theta = t;
        }
    }
    let clamp = |t: f64| if fenced { t.clamp(lo, hi) } else { t };
    for _ in 0..200 {
        let (value, d1, d2) = objective(theta);
        let raw = if d2 < 0.0 {
            -d1 / d2
        } else {
            d1.signum() * 0.5
        };
        let step = raw.clamp(-1.0, 1.0);
        let accepted = if d2 < 0.0 && step.abs() < 1e-6 {
            // Next to the maximum the value is flat to rounding, so it
            // cannot guide the last Newton steps; they converge on their own.
            Some(clamp(theta + step))
        } else {
            (0..60)
                .map(|halvings| clamp(theta + step * 0.5f64.powi(halvings)))
                .find(|&next| objective(next).0 >= value)
        };
        let Some(next) = accepted else { break };
        let moved = (next - theta).abs();
        theta = next;
        if moved < 1e-10 {
            break;
        }
    }
    let d1 = objective(theta).1;
    let at_bound = fenced && ((theta >= hi && d1 > 0.0) || (theta <= lo && d1 < 0.0));
    (theta, at_bound)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rasch(bs: &[f64]) -> Vec<ItemParams> {
        bs.iter().map(|&b| ItemParams::rasch(b).unwrap()).collect()
    }

    #[test]
    fn rasch_mle_solves_raw_score_equals_expected_score() {
        // Three Rasch items at b = 0, one correct: 3·L(θ) = 1, so
        // θ̂ = ln(1/2); I(θ̂) = 3·(1/3)(2/3) = 2/3, SE = √(3/2).
        let items = rasch(&[0.0, 0.0, 0.0]);
        let r = [Response::Correct, Response::Incorrect, Response::Incorrect];
        let est = mle(&items, &r, &MleOptions::default()).unwrap();
        assert!((est.theta - 0.5f64.ln()).abs() < 1e-9);
        assert!((est.se - 1.5f64.sqrt()).abs() < 1e-9);
        assert!(!est.at_bound);
    }

    #[test]
    fn extreme_patterns_get_the_fence() {
        let items = rasch(&[-1.0, 0.0, 1.0]);
        let all = [Response::Correct; 3];
        let est = mle(&items, &all, &MleOptions::new(4.0).unwrap()).unwrap();
        assert!((est.theta - 4.0).abs() < 1e-12 && est.at_bound);
        let info: f64 = items.iter().map(|i| i.information(4.0)).sum();
        assert!((est.se - 1.0 / info.sqrt()).abs() < 1e-12);
        let none = [Response::Incorrect; 3];
        let est = mle(&items, &none, &MleOptions::default()).unwrap();
        assert!((est.theta + 6.0).abs() < 1e-12 && est.at_bound);
    }

    #[test]
    fn not_presented_items_are_left_out() {
        let items = rasch(&[0.0, 0.0, 5.0]);
        let r = [
            Response::Correct,
            Response::Incorrect,
            Response::NotPresented,
        ];
        let est = mle(&items, &r, &MleOptions::default()).unwrap();
        assert!(est.theta.abs() < 1e-9);
        assert!((est.se - 2f64.sqrt()).abs() < 1e-9);
    }

    #[test]
    fn map_of_one_rasch_item_satisfies_its_first_order_condition() {
        // One item at b = 0, correct, N(0, 1) prior: 1 − L(θ) = θ.
        let items = rasch(&[0.0]);
        let est = map(&items, &[Response::Correct], &NormalPrior::standard()).unwrap();
        let l = exam_core::irt::logistic(est.theta);
        assert!((1.0 - l - est.theta).abs() < 1e-10);
        assert!((est.se - 1.0 / (l * (1.0 - l) + 1.0).sqrt()).abs() < 1e-10);
        // A prior N(1, 0.5): 1 − L(θ) = 4(θ − 1).
        let prior = NormalPrior::new(1.0, 0.5).unwrap();
        let est = map(&items, &[Response::Correct], &prior).unwrap();
        let l = exam_core::irt::logistic(est.theta);
        assert!((1.0 - l - 4.0 * (est.theta - 1.0)).abs() < 1e-10);
    }

    #[test]
    fn bad_input_is_an_error() {
        let items = rasch(&[0.0, 1.0]);
        assert_eq!(
            mle(&items, &[Response::Correct], &MleOptions::default()),
            Err(AbilityError::LengthMismatch {
                items: 2,
                responses: 1
            })
        );
        assert_eq!(
            mle(&items, &[Response::NotPresented; 2], &MleOptions::default()),
            Err(AbilityError::NoResponses)
        );
        assert_eq!(
            MleOptions::new(f64::INFINITY),
            Err(AbilityError::Bound(f64::INFINITY))
        );
        assert!(serde_json::from_str::<MleOptions>(r#"{"theta_max": -1}"#).is_err());
        let est = map(
            &items,
            &[Response::NotPresented; 2],
            &NormalPrior::standard(),
        )
        .unwrap();
        assert!(est.theta.abs() < 1e-12 && (est.se - 1.0).abs() < 1e-12);
    }
}
