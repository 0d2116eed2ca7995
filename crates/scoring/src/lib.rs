//! exam-scoring: everything between "the candidate pressed submit" and "the
//! result is stored", and the ability side of scoring.
//!
//! - [`keyed`]: a form's scoring key applied to submissions under
//!   [`rules`] (all-or-nothing, partial credit, N−1, ordering by pairs,
//!   matching per pair, item weights; pretest items scored, never counted);
//!   [`report`]: the auditable score report (raw, percent, scaled, θ, pass/fail,
//!   domain bands); [`rescore`]: key corrections and withdrawn items, with
//!   every changed decision listed (the raw response CSV the submissions
//!   come in is exam-export's); [`matrix`]: scored submissions as a response matrix for statistics;
//!   [`form_simulation`]: seeded submissions with distractor choices;
//!   [`field_test`]: groups, not-reached tails and an item with DIF on top.
//! - [`ability`]: maximum likelihood, MAP and EAP ability under the Rasch,
//!   2PL and 3PL models, with standard errors; [`mod@eap`] scores many persons
//!   on one form fast and to `1e-6` whatever the test length; [`theta`]
//!   scores every person of a response matrix.
//! - [`summed`]: Lord–Wingersky summed-score likelihoods and the raw-to-θ
//!   table of a fixed form; [`scale`]: raw- or θ-to-scale conversions whose
//!   cut lands exactly on a fixed scaled value, and conversion tables.
//! - [`angoff`] and [`mod@hofstee`]: standard setting; [`equating`]: the cut
//!   carried across forms through the test characteristic curve, and IRT
//!   true-score equating.
//! - [`irt_simulation`]: seeded scored (0/1) responses from generating parameters.
//! - [`candidate`]: what a candidate may see — the candidate view of a
//!   score report — and the scoring of an attempt's submission sent by
//!   handle ([`candidate::score_attempt`]).
//!
//! LMS engineers start at the crate page of exam-core ("Start here") and
//! [`candidate`], whose table says which type goes to the candidate and
//! which stays on the server; [`rules::ScoringRules::from_blueprint`] gives
//! the rules a blueprint implies (cut and reporting scale).
//!
//! Key design decision: every estimator is a plain function of validated
//! inputs (`exam_core::irt::ItemParams`, [`NormalPrior`], [`Response`]s) that
//! returns a typed error instead of panicking; the speed comes from tables
//! computed once per form ([`EapEstimator`]), not from shortcuts in accuracy.
//!
//! ```
//! use exam_core::irt::ItemParams;
//! use exam_scoring::{NormalPrior, Response, eap, map};
//!
//! let items = [
//!     ItemParams::two_pl(1.2, -0.5)?,
//!     ItemParams::two_pl(0.8, 0.3)?,
//!     ItemParams::new(1.5, 1.0, 0.2)?,
//! ];
//! let answers = [Response::Correct, Response::Correct, Response::Incorrect];
//! let prior = NormalPrior::standard();
//! let by_eap = eap(&items, &answers, &prior)?;
//! let by_map = map(&items, &answers, &prior)?;
//! assert!(by_eap.theta > 0.0 && by_eap.se < 1.0);
//! assert!((by_eap.theta - by_map.theta).abs() < 0.2);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]

pub mod ability;
pub mod angoff;
pub mod candidate;
pub mod eap;
mod eap_single;
pub mod equating;
mod estimate;
pub mod field_test;
mod form_ability;
pub mod form_simulation;
pub mod hofstee;
pub mod irt_simulation;
pub mod item_response;
mod key;
pub mod key_fingerprint;
pub mod keyed;
mod likelihood;
pub mod matrix;
pub mod outcome;
pub mod prior;
pub mod report;
pub mod rescore;
pub mod rules;
pub mod scale;
pub mod score_band;
pub mod scoring_error;
pub mod single_choice;
pub mod summed;
pub mod theta;

pub use ability::{AbilityError, Estimate, MleOptions, eap, map, mle};
pub use angoff::{AngoffError, AngoffRound, AngoffStudy, RaterCut, RaterId};
pub use eap::EapEstimator;
pub use equating::{
    CarriedCut, EquatedScore, EquatingError, carry_cut, inverse_tcc, true_score_equating,
};
pub use hofstee::{Hofstee, HofsteeError, HofsteeJudgement, HofsteeOutcome, hofstee};
pub use irt_simulation::{SimulateError, Simulated, simulate_abilities, simulate_responses};
pub use item_response::Response;
pub use prior::{NormalPrior, PriorError};
pub use scale::{ConversionTable, Knot, ScaleConversion, ScaleError};
pub use summed::{SummedScoreError, SummedScoreTable, summed_score_likelihoods};
pub use theta::{Method, ThetaError, align_params, estimate_abilities};
