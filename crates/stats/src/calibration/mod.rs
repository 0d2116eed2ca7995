//! IRT calibration: item parameters estimated from a scored response matrix.
//!
//! All models use the logistic metric with D = 1 (DESIGN.md).
//!
//! - [`calibrate`]: marginal maximum likelihood (MML) by the EM algorithm of
//!   Bock & Aitkin (1981, *Psychometrika* 46, 443–459) over an `n`-point
//!   Gauss–Hermite rule for θ ~ N(0, 1) (61 points by default), for
//!   - [`IrtModel::Rasch`]: one slope common to all items (the 1PL; equivalently
//!     the Rasch model with an estimated latent SD equal to that slope; the
//!     partial credit model for items scored above 1),
//!   - [`IrtModel::TwoPl`]: `P = 1 / (1 + exp(−(aθ + d)))`, `b = −d/a`,
//!   - [`IrtModel::ThreePl`]: `P = c + (1 − c) / (1 + exp(−(aθ + d)))`, MAP with a
//!     Beta prior on `c` and a lognormal prior on `a` by default, as BILOG-MG
//!     does (Mislevy & Bock 1990; both configurable; the slope prior is
//!     available for the 2PL and GPCM too),
//!   - [`IrtModel::Gpcm`]: the generalized partial credit model (Muraki 1992) in
//!     slope-intercept form, `P(k) ∝ exp(a·k·θ + d_k)`, `d_0 = 0`; step
//!     difficulties are `b_k = −(d_k − d_{k−1})/a`.
//!
//!   The M-step maximises each item's expected complete-data log-likelihood
//!   by Newton's method (Fisher scoring for the 3PL); the EM map is
//!   accelerated by SQUAREM (Varadhan & Roland 2008, *Scand. J. Statist.* 35,
//!   335–353), with a fall-back to plain EM steps whenever an extrapolation
//!   lowers the likelihood. A run stops when no parameter moves more than
//!   the tolerance in an EM step; it is reported as converged only if the
//!   gradient is then near zero too, and otherwise says why it stopped and
//!   which item moved most. Standard errors come from the observed
//!   information of all item parameters, computed exactly by Louis's (1982,
//!   *JRSS B* 44, 226–233) identity in one pass over the persons (the
//!   matrix Oakes 1999, *JRSS B* 61, 479–482, writes in closed form; the
//!   tests check it against central differences of the analytic marginal
//!   gradient). Above [`CalibrationOptions::full_information_max_parameters`]
//!   (a large bank in a concurrent calibration) every model uses each
//!   item's own block of the observed information by Louis's formula
//!   instead: `(a, d)` for
//!   the 2PL and GPCM, `(a, d, logit c)` with the prior terms for the 3PL,
//!   and for the common-slope model each item's intercepts plus the common
//!   slope's own 1×1 block. It ignores the covariances between blocks, so
//!   the errors are lower bounds (on a 16-item test within 11–23% of the
//!   full ones, see tests/reference.rs).
//!
//!   Sparse data (many forms over one bank) calibrate concurrently: a "not
//!   presented" cell is absent from its block and so from the likelihood.
//!   Anchor items ([`CalibrationOptions::anchors`]) are held at their bank
//!   parameters while the others are estimated on that scale, with the mean
//!   and SD of the latent distribution estimated as well (fixed-item
//!   calibration; Kim 2006, *JEM* 43, 355–381).
//! - [`rasch_cml`]: the Rasch model by conditional maximum likelihood, as eRm
//!   (Mair & Hatzinger 2007) with difficulties summing to zero.
//! - [`pcm_cml`]: Masters' partial credit and Andrich's rating scale models
//!   by conditional ML, as eRm's `PCM` and `RSM`, with Andersen's
//!   likelihood-ratio test ([`andersen_lr`]) and person parameters by
//!   Warm's weighted likelihood ([`wle_score_table`]).
//! - [`linking`]: mean-mean, mean-sigma, Haebara and Stocking–Lord linking
//!   constants through common items.
//! - [`fit`]: S-X² item fit (Orlando & Thissen 2000) and Rasch infit/outfit.
//! - [`recovery`]: bias and RMSE of estimates against generating values.
//! - [`curves`]: test information, conditional SEM and the expected-score
//!   curve from the calibrated parameters.

mod cml_existence;
pub mod curves;
mod em_state;
pub mod empirical;
mod estep;
pub mod fit;
mod item_terms;
pub(crate) mod linalg;
pub mod linking;
mod louis;
mod memory;
mod mml;
mod options;
mod pcm_cml;
mod pcm_persons;
mod polish;
mod rasch_cml;
pub mod recovery;
mod result;
mod squarem;
mod standard_errors;

pub use exam_core::irt::IrtModel;
pub use memory::{Estimator, check_memory, memory_needed};
pub use mml::{calibrate, calibrate_with_progress};
pub use options::{
    BetaPrior, CalibrationOptions, LogNormalPrior, PriorSyntax, Priors, parse_prior,
};
pub use pcm_cml::{
    AndersenLr, Estimate, PcmFit, PcmItem, PolytomousRasch, ScoreSplit, andersen_lr, pcm_cml,
};
pub use pcm_persons::{ScoreTheta, wle_score_table};
pub use polish::Polish;
pub use rasch_cml::{CmlFit, CmlItem, rasch_cml};
pub use result::{
    BoundParameter, Calibration, Convergence, Estimation, ItemCalibration, ItemEstimate, ItemFlag,
    LatentDistribution, StopReason,
};

use exam_core::ids::ItemId;

/// Why a calibration could not be run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum CalibrationError {
    /// The response matrix has no item that anyone was presented.
    #[error("the response matrix has no responses to calibrate")]
    NoResponses,
    /// A dichotomous model was asked for, but an item has higher scores.
    #[error(
        "item `{item}` has a score of {max_score}; the {model} model needs 0/1 items (use gpcm)"
    )]
    Polytomous {
        /// The item.
        item: ItemId,
        /// Its highest observed score.
        max_score: u8,
        /// The model asked for.
        model: IrtModel,
    },
    /// Fewer than two items can be estimated (the others nobody saw, or
    /// everybody answered alike).
    #[error("only {estimable} item(s) can be estimated; calibration needs at least 2")]
    TooFewItems {
        /// Items with variance among the persons presented them.
        estimable: usize,
    },
    /// Rasch CML was asked for, but an item has higher scores.
    #[error(
        "item `{item}` has a score of {max_score}; Rasch CML here takes 0/1 items (use rasch by MML, or gpcm)"
    )]
    PolytomousCml {
        /// The item.
        item: ItemId,
        /// Its highest observed score.
        max_score: u8,
    },
    /// A category of an item has no response among the persons CML uses
    /// (those with a score strictly between zero and perfect), so its
    /// threshold is not identified.
    #[error(
        "item `{item}` has no response in category {category} among persons with a non-extreme score; its threshold cannot be estimated (collapse categories or drop the item)"
    )]
    EmptyCategory {
        /// The item.
        item: ItemId,
        /// The empty category.
        category: u8,
    },
    /// The rating scale model was asked for, but the items have different
    /// numbers of categories.
    #[error(
        "item `{item}` has a highest score of {max_score} but the first item {expected}; the rating scale model needs the same categories on every item (use pcm-cml)"
    )]
    RatingScaleCategories {
        /// The item.
        item: ItemId,
        /// Its highest observed score.
        max_score: u8,
        /// The first item's highest score.
        expected: u8,
    },
    /// An anchor names an item that is not in the response matrix.
    #[error("anchor item `{item}` is not in the response matrix")]
    UnknownAnchor {
        /// The anchor's id.
        item: ItemId,
    },
    /// An anchor was given for an item the model cannot hold fixed.
    #[error("anchor item `{item}` has scores above 1; anchors must be dichotomous items")]
    PolytomousAnchor {
        /// The anchor's id.
        item: ItemId,
    },
    /// An option is out of range.
    #[error("invalid option {name} = {value}: {reason}")]
    InvalidOption {
        /// The option.
        name: &'static str,
        /// Its value.
        value: f64,
        /// The accepted range.
        reason: &'static str,
    },
    /// A prior was set on a parameter the model does not have (a slope
    /// prior under the Rasch model's common slope, a prior on `c` outside
    /// the 3PL).
    #[error("the {model} model has no parameter {parameter} to put a prior on")]
    PriorNotApplicable {
        /// `a` or `c`.
        parameter: &'static str,
        /// The model.
        model: IrtModel,
    },
    /// The conditional ML estimates do not exist: Fischer's (1981) graph
    /// of the items is not strongly connected (see the `cml_existence`
    /// module). Everybody who scored on a `higher` item had the highest
    /// score on every `lower` item, so the two groups' difficulties move
    /// apart without end (Guttman-like data).
    #[error(
        "the conditional ML estimates do not exist (Fischer 1981: the items' graph is not strongly connected): everybody who scored on any of the items {} had the highest score on all of the items {} (or nobody took items of both groups), so the two groups have no finite difficulties on one scale; add persons whose responses break this pattern, or drop items",
        item_list(higher),
        item_list(lower)
    )]
    NoFiniteCmlEstimates {
        /// The items whose difficulties run off upwards.
        higher: Vec<ItemId>,
        /// The other items.
        lower: Vec<ItemId>,
    },
    /// The likelihood became non-finite during estimation.
    #[error("the likelihood became non-finite at EM iteration {iteration}")]
    NonFinite {
        /// The EM iteration.
        iteration: usize,
    },
}

/// Ids in backquotes, the first ten and how many more.
fn item_list(items: &[ItemId]) -> String {
    const SHOWN: usize = 10;
    let mut out: Vec<String> = items.iter().take(SHOWN).map(|i| format!("`{i}`")).collect();
    if items.len() > SHOWN {
        out.push(format!("and {} more", items.len() - SHOWN));
    }
    out.join(", ")
}
