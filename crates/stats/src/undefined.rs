//! Statistics that are undefined for the data at hand, and why.
//!
//! A statistic that cannot be computed (a correlation with a constant
//! variable, alpha of a one-item test, ...) is absent from the output, never
//! NaN: its field is `None` and the reason is recorded under its name.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Why a statistic is undefined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Reason {
    /// No person was presented the item (or took the form).
    NoPersons,
    /// Too few persons for the statistic (a variance needs two).
    TooFewPersons,
    /// Everyone has the same score on the item.
    ConstantItem,
    /// Everyone has the same total score.
    ConstantTotal,
    /// Everyone has the same score on the other items (the rest score).
    ConstantRest,
    /// Everyone has the same total on one half of the test (split-half).
    ConstantHalf,
    /// Too few items for the statistic (alpha needs two, alpha if deleted three).
    TooFewItems,
    /// The statistic is defined for dichotomous (0/1) items only.
    NotDichotomous,
    /// The item appears on several forms; the statistic is per form.
    SeveralForms,
    /// Too few responses in some group or stratum for the statistic.
    EmptyGroup,
    /// A model fit did not converge or its estimate is infinite (complete
    /// separation, a zero cell).
    NotEstimable,
    /// Some pair of items was never presented together to two persons.
    PairsNotPresented,
    /// The cut score lies outside the possible score range.
    CutOutOfRange,
}

/// The names of statistics that may be undefined (the JSON field names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)] // each variant is the statistic of the same name
#[non_exhaustive]
pub enum Statistic {
    PValue,
    MeanScore,
    Sd,
    PointBiserial,
    PointBiserialUncorrected,
    Biserial,
    DiscriminationIndex,
    AlphaIfDeleted,
    Mean,
    Alpha,
    AlphaCi,
    Kr20,
    Kr21,
    SplitHalf,
    SpearmanBrown,
    Sem,
    ProportionPassing,
    CsemLord,
    CsemKeats,
    Subkoviak,
    LivingstonLewis,
    HansonBrennan,
    AlphaMh,
    MhDDif,
    MhChi2,
    StdPDif,
    LogisticDif,
    MantelSmd,
    OrdinalLogisticDif,
    OptionProportion,
    OptionPointBiserial,
    OptionMeanScore,
}

/// The undefined statistics of one result, each with its reason.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Undefined(BTreeMap<Statistic, Reason>);

impl Undefined {
    /// Records `value`: returns the number, or records the reason and
    /// returns `None`.
    pub fn take(&mut self, statistic: Statistic, value: Result<f64, Reason>) -> Option<f64> {
        match value {
            Ok(v) if v.is_finite() => Some(v),
            Ok(_) => {
                self.0.insert(statistic, Reason::NotEstimable);
                None
            }
            Err(reason) => {
                self.0.insert(statistic, reason);
                None
            }
        }
    }

    /// Records a non-numeric result: returns it, or records the reason
    /// and returns `None`.
    pub fn keep<T>(&mut self, statistic: Statistic, value: Result<T, Reason>) -> Option<T> {
        match value {
            Ok(v) => Some(v),
            Err(reason) => {
                self.0.insert(statistic, reason);
                None
            }
        }
    }

    /// The reason `statistic` is undefined, if it is.
    pub fn reason(&self, statistic: Statistic) -> Option<Reason> {
        self.0.get(&statistic).copied()
    }

    /// Whether every statistic is defined.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}
