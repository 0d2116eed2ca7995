//! Item flags and their configurable thresholds.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Thresholds at which an item is flagged for review. The defaults are
/// common review rules of thumb in certification testing; every program
/// should set its own.
///
/// Ranges (checked by `analyze`): the p-value thresholds and the
/// distractor proportion in `[0, 1]`, the point-biserial threshold in
/// `[−1, 1]`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FlagThresholds {
    /// Flag [`Flag::TooHard`] when the p-value is below this (default 0.25).
    pub p_value_min: f64,
    /// Flag [`Flag::TooEasy`] when the p-value is above this (default 0.95).
    pub p_value_max: f64,
    /// Flag [`Flag::LowDiscrimination`] when the corrected point-biserial is
    /// below this but not negative (default 0.15).
    pub point_biserial_min: f64,
    /// Flag [`Flag::NonFunctioningDistractor`] when fewer than this
    /// proportion of the persons presented the item chose a distractor
    /// (default 0.05).
    pub distractor_min_proportion: f64,
}

impl Default for FlagThresholds {
    fn default() -> Self {
        Self {
            p_value_min: 0.25,
            p_value_max: 0.95,
            point_biserial_min: 0.15,
            distractor_min_proportion: 0.05,
        }
    }
}

/// A reason to review an item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Flag {
    /// The p-value is below [`FlagThresholds::p_value_min`].
    TooHard,
    /// The p-value is above [`FlagThresholds::p_value_max`].
    TooEasy,
    /// The corrected point-biserial is below
    /// [`FlagThresholds::point_biserial_min`] (and not negative).
    LowDiscrimination,
    /// The corrected point-biserial is negative: higher scorers on the rest
    /// of the test do worse on this item.
    NegativeDiscrimination,
    /// A distractor has a higher option point-biserial than the key: the key
    /// may be wrong.
    PossibleMiskey {
        /// The distractor.
        option: String,
    },
    /// A distractor chosen by fewer than
    /// [`FlagThresholds::distractor_min_proportion`] of the persons.
    NonFunctioningDistractor {
        /// The distractor.
        option: String,
    },
}

impl fmt::Display for Flag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooHard => f.write_str("too_hard"),
            Self::TooEasy => f.write_str("too_easy"),
            Self::LowDiscrimination => f.write_str("low_discrimination"),
            Self::NegativeDiscrimination => f.write_str("negative_discrimination"),
            Self::PossibleMiskey { option } => write!(f, "possible_miskey({option})"),
            Self::NonFunctioningDistractor { option } => {
                write!(f, "non_functioning_distractor({option})")
            }
        }
    }
}

/// The flags that a p-value and a corrected point-biserial raise.
pub(crate) fn difficulty_flags(
    p_value: Option<f64>,
    point_biserial: Option<f64>,
    thresholds: &FlagThresholds,
) -> Vec<Flag> {
    let mut flags = Vec::new();
    if let Some(p) = p_value {
        if p < thresholds.p_value_min {
            flags.push(Flag::TooHard);
        }
        if p > thresholds.p_value_max {
            flags.push(Flag::TooEasy);
        }
    }
    if let Some(r) = point_biserial {
        if r < 0.0 {
            flags.push(Flag::NegativeDiscrimination);
        } else if r < thresholds.point_biserial_min {
            flags.push(Flag::LowDiscrimination);
        }
    }
    flags
}
