//! `summary.json`: what a pilot found, in one document.

use crate::FormatError;
use crate::json;
use exam_core::ids::{FormId, ItemId};
use exam_scoring::equating::CarriedCut;
use exam_stats::calibration::recovery::{GpcmRecovery, Recovery};
use exam_stats::decision::{CutScoreStatistics, TrueAccuracy};
use exam_stats::dif::DifClass;
use serde::{Deserialize, Serialize};
use std::io::{Read, Write};

/// The summary of a pilot run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PilotSummary {
    /// The seed every random step drew from.
    pub seed: u64,
    /// Candidates simulated.
    pub candidates: usize,
    /// The blueprint the forms were built for.
    pub blueprint: String,
    /// Whether the stored blueprint equals its derivation from the JTA.
    pub blueprint_matches_derivation: bool,
    /// Candidates who did not reach the end of their form.
    pub candidates_not_reaching_the_end: usize,
    /// Candidates in the focal group of the DIF analysis.
    pub focal_candidates: usize,
    /// The item given true DIF, and what the analysis made of it.
    pub dif: DifFinding,
    /// How the operational single-choice items' 3PL calibration ended.
    pub operational_calibration: CalibrationRun,
    /// How the GPCM calibration of the other operational items (the
    /// single-choice items fixed) ended, where there were any.
    pub operational_gpcm_calibration: Option<CalibrationRun>,
    /// How the pretest single-choice items' fixed-item 3PL calibration
    /// ended, where there were any.
    pub pretest_calibration: Option<CalibrationRun>,
    /// How the other pretest items' fixed-item GPCM calibration ended,
    /// where there were any.
    pub pretest_gpcm_calibration: Option<CalibrationRun>,
    /// Parameter recovery of the operational 0/1 items (3PL single choice,
    /// 2PL the other kinds; the DIF item left out).
    pub recovery_operational: Option<Recovery>,
    /// Parameter recovery of the pretest 0/1 items.
    pub recovery_pretest: Option<Recovery>,
    /// Parameter recovery of the operational partial-credit (GPCM) items:
    /// slope and step difficulties.
    pub recovery_operational_gpcm: Option<GpcmRecovery>,
    /// Parameter recovery of the pretest partial-credit (GPCM) items.
    pub recovery_pretest_gpcm: Option<GpcmRecovery>,
    /// The modified-Angoff panel's cut on form 1 (sum of the final round's
    /// item means) and its standard error across raters.
    pub angoff_cut: f64,
    /// Its standard error across raters, where defined.
    pub angoff_se: Option<f64>,
    /// The θ of the passing standard on the generating scale (the
    /// generating test characteristic curve of form 1 at the panel's cut).
    pub true_theta_cut: f64,
    /// Per form: its cut, pass rate and decision statistics.
    pub forms: Vec<FormOutcome>,
    /// Proportion of all candidates who passed.
    pub pass_rate: f64,
    /// Observed decisions against the candidates' true status.
    pub decision_accuracy: Option<TrueAccuracy>,
    /// Seconds spent in each step, in order.
    pub timings: Vec<StepTiming>,
}

/// The DIF item and the analysis of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DifFinding {
    /// The item given DIF against the focal group.
    pub item: ItemId,
    /// The shift of its difficulty for the focal group.
    pub shift: f64,
    /// Its Mantel–Haenszel D-DIF.
    pub mh_d_dif: Option<f64>,
    /// Its ETS class.
    pub ets_class: Option<DifClass>,
    /// Whether the analysis flagged it (ETS class B or C).
    pub found: bool,
    /// The other items in ETS class C (false alarms at the strictest level).
    pub other_items_in_class_c: Vec<ItemId>,
}

/// How a calibration ended.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CalibrationRun {
    /// EM iterations.
    pub iterations: usize,
    /// Whether it met its convergence criterion.
    pub converged: bool,
}

/// One form's outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FormOutcome {
    /// The form.
    pub form: FormId,
    /// Candidates who sat it.
    pub candidates: usize,
    /// The cut carried from form 1 by IRT true-score equating (form 1's
    /// own is the panel's cut rounded up).
    pub cut: CarriedCut,
    /// Proportion passing.
    pub pass_rate: f64,
    /// Decision consistency and accuracy at the cut (Subkoviak,
    /// Livingston–Lewis) from the form's scored items.
    pub decision: Option<CutScoreStatistics>,
}

/// The time one step took.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepTiming {
    /// The step.
    pub step: String,
    /// Wall-clock seconds.
    pub seconds: f64,
}

impl PilotSummary {
    /// Writes the summary as pretty JSON.
    pub fn write(&self, out: impl Write, name: &str) -> Result<(), FormatError> {
        json::write_pretty(out, self, name)
    }

    /// Reads a summary.
    pub fn read(input: impl Read, name: &str) -> Result<Self, FormatError> {
        json::read(input, name, "a pilot summary")
    }
}
