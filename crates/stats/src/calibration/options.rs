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
    /// Beta(`alpha`, `beta`), both finite and at least 1 (so that the
    /// density is bounded and the MAP estimate of `c` stays inside (0, 1)).
    pub fn new(alpha: f64, beta: f64) -> Result<Self, CalibrationError> {
        if alpha >= 1.0 && beta >= 1.0 && alpha.is_finite() && beta.is_finite() {
            Ok(Self { alpha, beta })
        } else {
            Err(CalibrationError::InvalidOption {
                name: "prior on c",
                value: if alpha >= 1.0 && alpha.is_finite() {
                    beta
                } else {
                    alpha
                },
                reason: "Beta(alpha, beta) with finite alpha, beta >= 1",
            })
        }
    }

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
    /// `ln a ~ N(mean_log, sd_log²)`, `mean_log` finite and `sd_log` positive
    /// and finite.
    pub fn new(mean_log: f64, sd_log: f64) -> Result<Self, CalibrationError> {
        if !mean_log.is_finite() {
            return Err(CalibrationError::InvalidOption {
                name: "prior on a (mean of ln a)",
                value: mean_log,
                reason: "a finite number",
            });
        }
        if !(sd_log > 0.0 && sd_log.is_finite()) {
            return Err(CalibrationError::InvalidOption {
                name: "prior on a (SD of ln a)",
                value: sd_log,
                reason: "a positive finite number",
            });
        }
        Ok(Self { mean_log, sd_log })
    }

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
/// estimates are MAP when any is set, ML otherwise. On the command line
/// each is written `lognormal:M,S`, `beta:A,B` or `none`
/// ([`parse_prior`]).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Priors {
    /// On the slope `a` (2PL, 3PL, GPCM; the Rasch model's common slope
    /// has none).
    pub a: Option<LogNormalPrior>,
    /// On the lower asymptote `c` (3PL only).
    pub c: Option<BetaPrior>,
}

impl Priors {
    /// No prior: maximum likelihood.
    pub const NONE: Self = Self { a: None, c: None };

    /// The default priors of `model`: BILOG-MG's lognormal(0, 0.5) on `a`
    /// and Beta(6, 16) on `c` for the 3PL, none otherwise.
    pub fn for_model(model: IrtModel) -> Self {
        if model == IrtModel::ThreePl {
            Self {
                a: Some(LogNormalPrior::BILOG),
                c: Some(BetaPrior::for_options(4)),
            }
        } else {
            Self::NONE
        }
    }

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
    /// Up to this many free parameters (default 5000) standard errors come
    /// from the full observed information (Louis 1982, one pass over the
    /// persons; `O(n²)` memory and an `O(n³/3)` blocked Cholesky factor and
    /// its inverse), as long as its memory, estimated first, stays within
    /// 1 GiB; above either, from each item's own block of the observed information
    /// (`(a, d)`
    /// for the 2PL and GPCM, `(a, d, logit c)` with the prior terms for the
    /// 3PL; for the common-slope model each item's intercepts and, apart,
    /// the common slope's 1×1 block), which ignores the covariances between
    /// blocks and so errs on the small side.
    pub full_information_max_parameters: usize,
    /// Use all cores for the E-step (default true); results do not depend
    /// on the number of threads.
    pub parallel: bool,
    /// The priors on item parameters, making the estimates MAP when any is
    /// set (default [`Priors::for_model`]: none, except for the 3PL
    /// lognormal(0, 0.5) on `a` and Beta(6, 16) on `c`, as BILOG-MG; the
    /// slope prior keeps a barely discriminating item from trading its
    /// slope for its asymptote without end). A prior the model has no
    /// parameter for is refused ([`CalibrationError::PriorNotApplicable`]).
    pub priors: Priors,
    /// Items held at given parameters (fixed-item calibration). When any
    /// are given, the latent mean and SD are estimated.
    pub anchors: Vec<(ItemId, ItemParams)>,
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
            full_information_max_parameters: 5000,
            parallel: true,
            priors: Priors::for_model(model),
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
    if let Some(p) = options.priors.c {
        BetaPrior::new(p.alpha, p.beta)?;
        if options.model != IrtModel::ThreePl {
            return Err(CalibrationError::PriorNotApplicable {
                parameter: "c",
                model: options.model,
            });
        }
    }
    if let Some(p) = options.priors.a {
        LogNormalPrior::new(p.mean_log, p.sd_log)?;
        if options.model == IrtModel::Rasch {
            return Err(CalibrationError::PriorNotApplicable {
                parameter: "a",
                model: options.model,
            });
        }
    }
    Ok(())
}

/// A prior written as `NAME:X,Y` (`lognormal:0,0.5`, `beta:6,16`) or `none`
/// (`Ok(None)`), checked by the distribution's constructor.
pub trait PriorSyntax: Sized {
    /// The distribution's name before the colon.
    const NAME: &'static str;
    /// The checked distribution with parameters `x`, `y`.
    fn from_parameters(x: f64, y: f64) -> Result<Self, CalibrationError>;
}

impl PriorSyntax for LogNormalPrior {
    const NAME: &'static str = "lognormal";
    fn from_parameters(x: f64, y: f64) -> Result<Self, CalibrationError> {
        Self::new(x, y)
    }
}

impl PriorSyntax for BetaPrior {
    const NAME: &'static str = "beta";
    fn from_parameters(x: f64, y: f64) -> Result<Self, CalibrationError> {
        Self::new(x, y)
    }
}

/// Reads `NAME:X,Y` or `none` (see [`PriorSyntax`]); the error says what
/// was expected.
pub fn parse_prior<P: PriorSyntax>(text: &str) -> Result<Option<P>, String> {
    if text == "none" {
        return Ok(None);
    }
    let usage = || format!("expected `{}:X,Y` or `none`, got `{text}`", P::NAME);
    let rest = text
        .strip_prefix(P::NAME)
        .and_then(|r| r.strip_prefix(':'))
        .ok_or_else(usage)?;
    let (x, y) = rest.split_once(',').ok_or_else(usage)?;
    let number = |v: &str| v.trim().parse::<f64>().map_err(|_| usage());
    P::from_parameters(number(x)?, number(y)?)
        .map(Some)
        .map_err(|e| e.to_string())
}
