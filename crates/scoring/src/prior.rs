//! The normal prior of ability used by MAP and EAP.

use serde::{Deserialize, Serialize};

/// Why a prior was rejected.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum PriorError {
    /// The mean is outside `[−MAX_MEAN, MAX_MEAN]`.
    #[error("prior mean {0} must lie in [-20, 20]")]
    Mean(f64),
    /// The standard deviation is outside `[MIN_SD, MAX_SD]`.
    #[error("prior standard deviation {0} must lie in [0.01, 10]")]
    Sd(f64),
}

/// A normal prior `N(mean, sd²)` for ability θ. Always valid:
/// `|mean| ≤ 20` and `0.01 ≤ sd ≤ 10` ([`NormalPrior::MAX_MEAN`],
/// [`NormalPrior::MIN_SD`], [`NormalPrior::MAX_SD`]): wide enough for any
/// ability scale, and narrow enough that the quadrature grids built from it
/// stay small. The default is `N(0, 1)`, the usual
/// scale of a calibration (Bock & Mislevy 1982).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawPrior")]
pub struct NormalPrior {
    mean: f64,
    sd: f64,
}

/// The unchecked form read from JSON (the checked type writes itself).
#[derive(Deserialize)]
struct RawPrior {
    mean: f64,
    sd: f64,
}

impl TryFrom<RawPrior> for NormalPrior {
    type Error = PriorError;
    fn try_from(raw: RawPrior) -> Result<Self, PriorError> {
        NormalPrior::new(raw.mean, raw.sd)
    }
}

impl Default for NormalPrior {
    fn default() -> Self {
        Self::standard()
    }
}

impl NormalPrior {
    /// The largest mean magnitude accepted.
    pub const MAX_MEAN: f64 = 20.0;
    /// The smallest standard deviation accepted.
    pub const MIN_SD: f64 = 0.01;
    /// The largest standard deviation accepted.
    pub const MAX_SD: f64 = 10.0;

    /// `N(mean, sd²)`, checked: `|mean| ≤ 20`, `0.01 ≤ sd ≤ 10`.
    pub fn new(mean: f64, sd: f64) -> Result<Self, PriorError> {
        if !(-Self::MAX_MEAN..=Self::MAX_MEAN).contains(&mean) {
            return Err(PriorError::Mean(mean));
        }
        if !(Self::MIN_SD..=Self::MAX_SD).contains(&sd) {
            return Err(PriorError::Sd(sd));
        }
        Ok(Self { mean, sd })
    }

    /// The standard normal `N(0, 1)`.
    pub fn standard() -> Self {
        Self { mean: 0.0, sd: 1.0 }
    }

    /// The mean μ.
    pub fn mean(&self) -> f64 {
        self.mean
    }

    /// The standard deviation σ.
    pub fn sd(&self) -> f64 {
        self.sd
    }

    /// The log density up to its constant: `−(θ − μ)² / (2σ²)`.
    #[inline]
    pub(crate) fn log_density(&self, theta: f64) -> f64 {
        let z = (theta - self.mean) / self.sd;
        -0.5 * z * z
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_priors_are_rejected() {
        assert_eq!(NormalPrior::new(0.0, 0.0), Err(PriorError::Sd(0.0)));
        assert!(NormalPrior::new(f64::NAN, 1.0).is_err());
        assert!(serde_json::from_str::<NormalPrior>(r#"{"mean":0,"sd":-1}"#).is_err());
        let p: NormalPrior = serde_json::from_str(r#"{"mean":0.5,"sd":2}"#).unwrap();
        assert!((p.log_density(2.5) + 0.5).abs() < 1e-15);
    }
}
