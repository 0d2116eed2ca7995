//! What [`super::calibrate`] is asked to do: the model, priors, anchors
//! and numerical settings.

use super::CalibrationError;
use exam_core::ids::ItemId;
use exam_core::irt::{IrtModel, ItemParams};
use serde::{Deserialize, Serialize};

/// A Beta(α, β) prior on the lower asymptote `c`, density
/// `c^(α−1) (1 − c)^(β−1) / B(α, β)`. BILOG-MG's default is `α = 20p + 1`,
/// `β = 20(1 − p) + 1` with `p` the chance of guessing right (Zimowski et
/// al. 2003). Serialized with `"distribution": "beta"`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "distribution", rename = "beta")]
pub struct BetaPrior {
    /// α (> 0).
    pub alpha: f64,
    /// β (> 0).
    pub beta: f64,
}

impl BetaPrior {
    /// BILOG-MG's prior for items with `options` answer options
    /// (`p = 1/options`): four options give Beta(6, 16).
    pub fn for_options(options: u32) -> Self {
        let p = 1.0 / f64::from(options.max(2));
        Self {
            alpha: 20.0 * p + 1.0,
            beta: 20.0 * (1.0 - p) + 1.0,
        }
    }
}

/// A lognormal prior on the slope: `ln a ~ N(mean_log, sd_log²)` (BILOG-MG's
/// default slope prior is `N(0, 0.5²)` on `ln a`). Serialized with
/// `"distribution": "lognormal"`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "distribution", rename = "lognormal")]
pub struct LogNormalPrior {
    /// Mean of `ln a`.
    pub mean_log: f64,
    /// Standard deviation of `ln a` (> 0).
    pub sd_log: f64,
}

impl BetaPrior {
    /// The log-density at `c` (`−∞` outside (0, 1)).
    pub fn ln_density(&self, c: f64) -> f64 {
        if !(c > 0.0 && c < 1.0) {
            return f64::NEG_INFINITY;
        }
        (self.alpha - 1.0) * c.ln() + (self.beta - 1.0) * (1.0 - c).ln()
            - statrs::function::beta::ln_beta(self.alpha, self.beta)
    }
}

impl LogNormalPrior {
    /// BILOG-MG's slope prior, `ln a ~ N(0, 0.5²)`.
    pub const BILOG: Self = Self {
        mean_log: 0.0,
        sd_log: 0.5,
    };

    /// The log-density at `a` (`−∞` for `a ≤ 0`):
    /// `−ln a − ln(σ√(2π)) − (ln a − μ)² / (2σ²)`.
    pub fn ln_density(&self, a: f64) -> f64 {
        if a <= 0.0 {
            return f64::NEG_INFINITY;
        }
        let z = (a.ln() - self.mean_log) / self.sd_log;
        -a.ln() - self.sd_log.ln() - 0.5 * (std::f64::consts::TAU).ln() - 0.5 * z * z
    }
}

/// The priors on item parameters a calibration maximises with: the
/// estimates are MAP when any is set, ML otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Priors {
    /// On the slope `a` (2PL, 3PL, GPCM; the Rasch model's common slope
    /// has none).
    pub a: Option<LogNormalPrior>,
    /// On the lower asymptote `c` (3PL only).
    pub c: Option<BetaPrior>,
}

impl Priors {
    /// The log prior density of one item's `a` and `c`.
    pub fn ln_density(&self, a: f64, c: f64) -> f64 {
        self.a.map_or(0.0, |p| p.ln_density(a)) + self.c.map_or(0.0, |p| p.ln_density(c))
    }
}

/// Options of [`super::calibrate`].
#[derive(Debug, Clone)]
pub struct CalibrationOptions {
    /// The model.
    pub model: IrtModel,
    /// Gauss–Hermite points (default 61).
    pub quadrature_points: usize,
    /// EM steps allowed (default 5000).
    pub max_iterations: usize,
    /// Stop when no parameter moves more than this in an EM step
    /// (default 1e-6).
    pub tolerance: f64,
    /// Accelerate EM with SQUAREM (default true).
    pub accelerate: bool,
    /// Compute standard errors (default true).
    pub standard_errors: bool,
    /// Up to this many free parameters (default 1000) standard errors come
    /// from the full observed information (Louis 1982, one pass over the
    /// persons, `O(n²)` memory and work per person, and a dense inverse);
    /// above it, from each item's own block of the observed information
    /// (`(a, d)`
    /// for the 2PL and GPCM, `(a, d, logit c)` with the prior terms for the
    /// 3PL; for the common-slope model each item's intercepts and, apart,
    /// the common slope's 1×1 block), which ignores the covariances between
    /// blocks and so errs on the small side.
    pub full_information_max_parameters: usize,
    /// Use all cores for the E-step (default true); results do not depend
    /// on the number of threads.
    pub parallel: bool,
    /// Prior on `c` for the 3PL (default Beta(6, 16), four options).
    pub guessing_prior: Option<BetaPrior>,
    /// Prior on the slopes (2PL, 3PL, GPCM), making the estimates MAP
    /// (default: none, except lognormal(0, 0.5) for the 3PL, as BILOG-MG,
    /// which keeps a barely discriminating item from trading its slope
    /// for its asymptote without end).
    pub slope_prior: Option<LogNormalPrior>,
    /// Items held at given parameters (fixed-item calibration). When any
    /// are given, the latent mean and SD are estimated.
    pub anchors: Vec<(ItemId, ItemParams)>,
}

impl CalibrationOptions {
    /// The priors that apply to the model: the slope prior except under the
    /// Rasch model, the guessing prior under the 3PL only.
    pub fn priors(&self) -> Priors {
        Priors {
            a: self.slope_prior.filter(|_| self.model != IrtModel::Rasch),
            c: self
                .guessing_prior
                .filter(|_| self.model == IrtModel::ThreePl),
        }
    }
}

impl CalibrationOptions {
    /// The defaults for `model`.
    pub fn new(model: IrtModel) -> Self {
        Self {
            model,
            quadrature_points: 61,
            max_iterations: 5000,
            tolerance: 1e-6,
            accelerate: true,
            standard_errors: true,
            full_information_max_parameters: 1000,
            parallel: true,
            guessing_prior: (model == IrtModel::ThreePl).then(|| BetaPrior::for_options(4)),
            slope_prior: (model == IrtModel::ThreePl).then_some(LogNormalPrior::BILOG),
            anchors: Vec::new(),
        }
    }
}

pub(crate) fn check_options(options: &CalibrationOptions) -> Result<(), CalibrationError> {
    let bad = |name, value: f64, reason| {
        Err(CalibrationError::InvalidOption {
            name,
            value,
            reason,
        })
    };
    if !(5..=200).contains(&options.quadrature_points) {
        return bad(
            "quadrature_points",
            options.quadrature_points as f64,
            "between 5 and 200",
        );
    }
    if options.max_iterations == 0 {
        return bad("max_iterations", 0.0, "at least 1");
    }
    if !(options.tolerance > 0.0 && options.tolerance.is_finite()) {
        return bad("tolerance", options.tolerance, "a positive number");
    }
    if let Some(p) = options.guessing_prior {
        if !(p.alpha >= 1.0 && p.beta >= 1.0 && p.alpha.is_finite() && p.beta.is_finite()) {
            return bad("guessing_prior", p.alpha.min(p.beta), "alpha, beta >= 1");
        }
    }
    if let Some(p) = options.slope_prior {
        if !(p.sd_log > 0.0 && p.sd_log.is_finite() && p.mean_log.is_finite()) {
            return bad("slope_prior.sd_log", p.sd_log, "a positive number");
        }
    }
    Ok(())
}
