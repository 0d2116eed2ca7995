//! What every ability estimator gives ([`Estimate`]) and how it fails
//! ([`AbilityError`]): below the estimators, so MLE, MAP and both EAP
//! routes share them without depending on one another.

use crate::item_response::Response;
use exam_core::irt::ItemParams;
use serde::{Deserialize, Serialize};

/// Why an ability could not be estimated.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum AbilityError {
    /// Items and responses differ in number.
    #[error("{responses} responses for {items} items")]
    LengthMismatch {
        /// Number of items.
        items: usize,
        /// Number of responses.
        responses: usize,
    },
    /// MLE needs at least one presented item.
    #[error("no item was presented: the maximum-likelihood estimate is undefined")]
    NoResponses,
    /// The MLE fence is outside `(0, MleOptions::MAX_THETA]`.
    #[error("the MLE bound θmax = {0} must lie in (0, 50]")]
    Bound(f64),
    /// The posterior still carries weight beyond the range EAP integrates
    /// over (the prior's ±10 SD and `MAX_EXTENSION` steps more).
    #[error("the posterior extends beyond θ = {theta}: ability out of the range EAP can integrate")]
    OffGrid {
        /// The farthest node reached.
        theta: f64,
    },
}

/// An ability estimate with its standard error.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    /// The estimate of θ.
    pub theta: f64,
    /// Its standard error (PSD for EAP).
    pub se: f64,
    /// MLE only: the likelihood has no maximum inside `[−θmax, θmax]` and
    /// `theta` is the bound. Always false for MAP and EAP.
    pub at_bound: bool,
}

/// Checks that there is one response per item.
pub(crate) fn check_lengths(
    items: &[ItemParams],
    responses: &[Response],
) -> Result<(), AbilityError> {
    if items.len() == responses.len() {
        Ok(())
    } else {
        Err(AbilityError::LengthMismatch {
            items: items.len(),
            responses: responses.len(),
        })
    }
}
