//! What an MML calibration returns.

use super::Priors;
use super::polish::Polish;
use exam_core::ids::ItemId;
use exam_core::irt::IrtModel;
use exam_core::irt::{GpcmParams, ItemParams, ParamsError};
use serde::{Deserialize, Serialize};

/// Slope at or above which an estimate is reported as Heywood-like
/// (the reference data's "weakly identified" rule: a ≥ 4).
pub const HEYWOOD_SLOPE: f64 = 4.0;
/// Slope below which an item is reported as barely discriminating.
pub const LOW_SLOPE: f64 = 0.25;
/// `|b|` at or above which a difficulty is reported as extreme.
pub const EXTREME_DIFFICULTY: f64 = 5.0;

/// The result of [`super::calibrate`].
#[derive(Debug, Clone, Serialize)]
pub struct Calibration {
    /// The model fitted.
    pub model: IrtModel,
    /// One entry per item of the response matrix, in its order.
    pub items: Vec<ItemCalibration>,
    /// The latent distribution: N(0, 1) unless anchors set the scale.
    pub latent: LatentDistribution,
    /// Maximum likelihood, or maximum a posteriori when a prior is set.
    pub estimation: Estimation,
    /// The priors on item parameters that were maximised with.
    pub priors: Priors,
    /// Marginal log-likelihood at the estimates (without prior terms).
    pub log_likelihood: f64,
    /// The objective maximised: the log-likelihood plus the log prior
    /// densities (normalising constants included) of the estimated items'
    /// parameters; equal to the log-likelihood under ML.
    pub log_posterior: f64,
    /// Number of estimated parameters (item parameters, plus the latent
    /// mean and SD when anchors are used).
    pub n_parameters: usize,
    /// Persons who were presented at least one calibrated item.
    pub n_persons: usize,
    /// Akaike's information criterion `−2ℓ + 2p`.
    pub aic: f64,
    /// Schwarz's Bayesian information criterion `−2ℓ + p·ln N`.
    pub bic: f64,
    /// EM steps taken (each is one E-step and one M-step; SQUAREM
    /// extrapolations count the EM steps they use).
    pub iterations: usize,
    /// Whether and why the EM stopped.
    pub convergence: Convergence,
    /// How standard errors were computed, or why they are absent.
    pub standard_errors: String,
}

/// What a calibration maximised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Estimation {
    /// Marginal maximum likelihood: no prior on item parameters.
    Ml,
    /// Marginal maximum a posteriori: the likelihood times the priors.
    Map,
}

/// The normal latent distribution of a calibration.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LatentDistribution {
    /// Mean of θ.
    pub mean: f64,
    /// Standard deviation of θ.
    pub sd: f64,
}

/// Whether the iterations converged (EM steps under MML, Newton–Raphson
/// steps under CML), and why they stopped.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Convergence {
    /// True when the stopping rule was met.
    pub converged: bool,
    /// Why the iterations stopped.
    pub reason: StopReason,
    /// Largest absolute parameter change of the last step.
    pub max_change: f64,
    /// The item whose parameters moved most in the last step (absent
    /// when that was the latent distribution): where to look when the run
    /// did not converge.
    pub slowest_item: Option<ItemId>,
    /// Largest absolute gradient of the objective (the marginal
    /// log-posterior, or the conditional log-likelihood under CML) at the
    /// estimates, divided by the number of persons. Under MML it is the
    /// projected gradient in `(a, d, c)`: a parameter on a bound of the
    /// estimation (flagged `at_bound`) whose gradient points out of the
    /// bound counts as zero, as at any constrained maximum.
    pub max_gradient: f64,
    /// The quasi-Newton polish that followed the EM when its steps stopped
    /// moving before the gradient was near zero (MML only; absent when it
    /// did not run).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub polish: Option<Polish>,
}

/// Why the iterations stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum StopReason {
    /// The largest parameter change of a step fell below the tolerance.
    ParameterChange,
    /// The iteration limit was reached first: the estimates are not final.
    IterationLimit,
    /// The parameters stopped moving, but the gradient of the objective is
    /// not near zero (MML: above 1e-4 per person, after the quasi-Newton
    /// polish too; CML: above 1e-8 per person): a step could not improve,
    /// so this is not a maximum.
    Stalled,
    /// The EM stalled, and the quasi-Newton polish that followed brought
    /// the largest projected gradient to at most 1e-4 per person.
    ProjectedGradient,
}

/// Largest absolute gradient per person accepted at convergence.
pub const MAX_GRADIENT: f64 = 1e-4;

/// One item's calibration.
#[derive(Debug, Clone, Serialize)]
pub struct ItemCalibration {
    /// The item.
    pub id: ItemId,
    /// Persons presented the item.
    pub n: usize,
    /// The estimates; absent when the item could not be calibrated (see
    /// [`ItemCalibration::flags`]).
    pub estimate: Option<ItemEstimate>,
    /// Whether the parameters were held fixed (an anchor).
    pub fixed: bool,
    /// Conditions a psychometrician should look at.
    pub flags: Vec<ItemFlag>,
}

/// Estimated parameters of one item in slope-intercept form, with standard
/// errors when computed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemEstimate {
    /// Slope `a`.
    pub a: f64,
    /// Intercepts: `[d]` for a dichotomous item (logit `aθ + d`); for a GPCM
    /// item `d_1..d_m` of `P(k) ∝ exp(a·k·θ + d_k)`.
    pub d: Vec<f64>,
    /// Lower asymptote (0 except under the 3PL).
    pub c: f64,
    /// Standard error of `a`.
    pub se_a: Option<f64>,
    /// Standard errors of the intercepts.
    pub se_d: Option<Vec<f64>>,
    /// Standard error of `b = −d/a` (dichotomous items), by the delta method.
    pub se_b: Option<f64>,
    /// Standard error of `c` (3PL), by the delta method from its logit.
    pub se_c: Option<f64>,
}

impl ItemEstimate {
    /// Difficulty `b = −d/a` of a dichotomous item (absent for GPCM items
    /// and when `a` is zero).
    pub fn b(&self) -> Option<f64> {
        match self.d.as_slice() {
            [d] if self.a != 0.0 => Some(-d / self.a),
            _ => None,
        }
    }

    /// Step difficulties `b_k = −(d_k − d_{k−1})/a` of a GPCM item.
    pub fn steps(&self) -> Vec<f64> {
        let mut prev = 0.0;
        self.d
            .iter()
            .map(|&d| {
                let b = -(d - prev) / self.a;
                prev = d;
                b
            })
            .collect()
    }

    /// The estimates as validated 3PL parameters (fails for a non-positive
    /// slope).
    pub fn params(&self) -> Result<ItemParams, ParamsError> {
        ItemParams::from_slope_intercept(self.a, self.d.first().copied().unwrap_or(0.0), self.c)
    }

    /// The estimates as validated GPCM parameters.
    pub fn gpcm_params(&self) -> Result<GpcmParams, ParamsError> {
        GpcmParams::new(self.a, self.steps())
    }
}

/// A parameter the estimation keeps within a bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BoundParameter {
    /// The slope.
    A,
    /// An intercept.
    D,
    /// The lower asymptote.
    C,
}

/// A condition of an item's calibration worth reporting.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "flag", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ItemFlag {
    /// Nobody was presented the item: not calibrated.
    NotPresented,
    /// Everyone presented the item got the same score (for instance all
    /// right): its parameters are not identified and run off to infinity,
    /// so the item is not calibrated.
    NoVariance {
        /// The one score observed.
        score: u8,
    },
    /// A score category below the item's maximum was never observed; its
    /// GPCM intercept is not identified, so the item is not calibrated.
    UnobservedCategory {
        /// The missing category.
        category: u8,
    },
    /// Slope at or above 4: a Heywood-like case with a flat likelihood.
    HeywoodSlope {
        /// The estimate.
        a: f64,
    },
    /// Slope below 0.25 (or negative): the item barely measures the trait.
    LowSlope {
        /// The estimate.
        a: f64,
    },
    /// `|b| ≥ 5`: the difficulty lies far outside the ability range.
    ExtremeDifficulty {
        /// The estimate.
        b: f64,
    },
    /// A parameter reached the bound the estimation keeps it within.
    AtBound {
        /// Which parameter.
        parameter: BoundParameter,
        /// Its value.
        value: f64,
    },
    /// The 3PL lower asymptote sits at the edge of its range (below 0.001
    /// or above 0.5).
    GuessingAtEdge {
        /// The estimate.
        c: f64,
    },
}
