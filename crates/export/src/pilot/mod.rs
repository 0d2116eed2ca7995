//! The pilot: a program's first administration simulated end to end on its
//! real bank, every step through the library calls the single `exam`
//! commands make, every result written as the file those commands write.
//!
//! 1. The blueprint derived from the JTA and checked (`exam blueprint`).
//! 2. `forms` parallel forms with their pretest slots (`exam assemble`).
//! 3. Generating parameters as the item's scoring fits it: the generalized
//!    partial credit model with as many steps as the item has score points
//!    for the items the rules give partial credit in equal steps (under the
//!    bank's default rules, matching items: one point per prompt;
//!    [`fill_gpcm_params`]); 3PL with `c = 1/k` for single-choice items
//!    and 2PL for the other right-or-wrong kinds
//!    ([`fill_generating_params`]); saved as a parameter file with the seed.
//! 4. `candidates` abilities and raw responses with omissions
//!    ([`simulate_mixed`]: a GPCM item's answer earns the credit of its
//!    category), not-reached tails, a focal group and one operational
//!    item with true uniform DIF against it ([`exam_scoring::field_test`]).
//! 5. Scored into the response matrix with partial credit: a GPCM item's
//!    cell is its score category (`exam score --scored-out` reads full
//!    credit or not; [`CreditReading::ScorePoints`]).
//! 6. Item analysis with distractors and DIF (`exam analyze --raw
//!    --groups`).
//! 7. Concurrent calibration of the operational items as a mixed test:
//!    exam-stats fits one model per run (its GPCM run takes 0/1 items as
//!    the 2PL, its 3PL run refuses partial-credit items), so the mixed
//!    test is calibrated in two runs on one scale: the single-choice items
//!    under the 3PL, then every other item under the GPCM (2PL for the
//!    0/1 kinds) with the single-choice items fixed at those estimates
//!    (`exam calibrate --model 3pl`, then `--model gpcm --anchors`). The
//!    pretest items the same way, with the operational 0/1 items fixed
//!    (a partial-credit item cannot be an anchor, so the operational
//!    matching items sit out the pretest runs). The calibrations leave the
//!    omissions out of the likelihood (drawn at random, they are ignorable;
//!    scored 0 they bias the slopes).
//! 8. A simulated modified-Angoff panel on form 1's scored items (the
//!    ratings file is [`exam_scoring::angoff::AngoffStudy`]'s JSON); its cut carried to every
//!    form by IRT true-score equating on the calibrated scale
//!    ([`carry_cut`]), written as scoring rules `exam score --scoring`
//!    reads.
//! 9. Score reports under those rules, decision consistency and accuracy
//!    per form (`exam analyze --cut`), and accuracy against the candidates'
//!    true status.
//! 10. The HTML reports ([`crate::report`]) and the standards
//!     ([`crate::qti`], [`crate::xapi`], [`crate::lti`]).
//!
//! `summary.json` ([`PilotSummary`]) gathers the findings and `index.html`
//! links every file. The pilot reads the bank and never writes into it.

mod summary;

pub use summary::{CalibrationRun, DifFinding, FormOutcome, PilotSummary, StepTiming};

use crate::analysis::{AnalysisDocument, DISTRACTOR_SCOPE};
use crate::blueprint_derivation::BlueprintDerivationDocument;
use crate::calibration::CalibrationDocument;
use crate::forms::FormsDocument;
use crate::groups::write_groups;
use crate::params::{GpcmParamsEntry, ParamsDocument};
use crate::qti::package::write_package;
use crate::qti::results::{Attempt as ResultAttempt, result_element};
use crate::qti::usage::{UsageContext, usage_element};
use crate::raw_csv::write_raw_csv;
use crate::raw_responses::RawResponsesBuilder;
use crate::report::{self, AnalysisReport};
use crate::score_reports::ScoreReportsDocument;
use crate::scoring_rules::write_rules;
use crate::standard_setting::{FormCut, StandardSettingDocument, write_angoff_ratings};
use crate::{lti, scored_csv, xapi};
use exam_core::assembly::{AssemblyOptions, assemble};
use exam_core::bank::ItemBank;
use exam_core::blueprint::{BlueprintSettings, derivation_mismatches, derive};
use exam_core::form::{Form, ScoringKey, SlotRole};
use exam_core::ids::{FormId, ItemId, PersonId};
use exam_core::irt::{GpcmParams, IrtModel, ItemModel, ItemParams, ItemParamsEntry};
use exam_core::item::ItemKind;
use exam_core::responses::{Cell, ResponseMatrix, ResponseMatrixBuilder, ResponsesError};
use exam_scoring::equating::{CarriedCut, carry_cut, inverse_tcc};
use exam_scoring::field_test::{
    DifItem, NotReachedOptions, PanelOptions, focal_groups, impose_dif, not_reached_tails,
    simulate_angoff,
};
use exam_scoring::form_simulation::{
    SimulationOptions, fill_generating_params, fill_gpcm_params, simulate_mixed,
};
use exam_scoring::keyed::Scorer;
use exam_scoring::matrix::CreditReading;
use exam_scoring::report::ScoreReport;
use exam_scoring::rules::{PassingRule, ScoringRules};
use exam_stats::calibration::curves::test_curves;
use exam_stats::calibration::fit::s_x2;
use exam_stats::calibration::recovery::{gpcm_recovery, recovery};
use exam_stats::calibration::{Calibration, CalibrationOptions, calibrate};
use exam_stats::decision::true_accuracy;
use exam_stats::dif::{DifClass, DifOptions, GroupMembership, dif};
use exam_stats::distractors::score_group_proportions;
use exam_stats::{AnalysisOptions, Summary, analyze};
use std::collections::HashMap;
use std::error::Error;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The settings of a pilot.
#[derive(Debug, Clone, PartialEq)]
pub struct PilotOptions {
    /// Candidates to simulate (at least 2 per form).
    pub candidates: usize,
    /// Forms to assemble (at least 1).
    pub forms: u32,
    /// The seed of every random step.
    pub seed: u64,
}

impl Default for PilotOptions {
    /// 5,000 candidates on 4 forms, seed 1.
    fn default() -> Self {
        Self {
            candidates: 5000,
            forms: 4,
            seed: 1,
        }
    }
}

/// The fixed design of the simulated administration.
mod design {
    /// Probability of omitting an item.
    pub const OMIT_RATE: f64 = 0.02;
    /// Candidates who run out of time, and how many items they leave at most.
    pub const NOT_REACHED_RATE: f64 = 0.06;
    /// Most items left unreached.
    pub const NOT_REACHED_MAX: usize = 8;
    /// Share of candidates in the focal group.
    pub const FOCAL_SHARE: f64 = 0.4;
    /// The DIF item's difficulty shift for the focal group (ETS class C
    /// territory: |MH D-DIF| ≈ 2.35 × a × shift for a 2PL item).
    pub const DIF_SHIFT: f64 = 1.5;
    /// Raters on the Angoff panel, their θ in mind, leniency and noise.
    pub const RATERS: usize = 10;
    /// θ of the minimally competent candidate.
    pub const THETA_MC: f64 = 0.25;
    /// SD of the raters' leniency.
    pub const LENIENCY_SD: f64 = 0.04;
    /// SD of the rating noise in rounds 1 and 2.
    pub const NOISE_SD: [f64; 2] = [0.12, 0.06];
    /// Candidates with a candidate report page, an xAPI statement list and
    /// a QTI results document (all candidates get an LTI score).
    pub const SAMPLE: usize = 10;
    /// Where LTI scores are posted in the example export.
    pub const LINE_ITEM: &str = "https://lms.example/lineitems/pilot";
    /// The delivery system's home page in the xAPI export.
    pub const HOME_PAGE: &str = "https://lms.example";
    /// The IRI the xAPI activities are named under.
    pub const ACTIVITY_BASE: &str = "https://exam-engine.invalid/activities";
}

/// A step of the pilot, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Step {
    /// The blueprint derived from the JTA and checked.
    Blueprint,
    /// The forms assembled.
    Assembly,
    /// Generating parameters drawn.
    Parameters,
    /// Abilities and responses simulated.
    Responses,
    /// Responses scored into the matrix.
    Scoring,
    /// Item analysis, distractors and DIF.
    Analysis,
    /// Concurrent calibration of the operational items.
    Calibration,
    /// Fixed-item calibration of the pretest items.
    PretestCalibration,
    /// The Angoff panel and the cut on every form.
    StandardSetting,
    /// Score reports and decision statistics.
    Decisions,
    /// The HTML reports.
    Reports,
    /// QTI, xAPI and LTI exports.
    Exports,
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Step::Blueprint => "blueprint: derive and check",
            Step::Assembly => "assemble forms",
            Step::Parameters => "draw generating parameters",
            Step::Responses => "simulate responses",
            Step::Scoring => "score",
            Step::Analysis => "item analysis, distractors, DIF",
            Step::Calibration => "calibrate operational items (3PL, then GPCM)",
            Step::PretestCalibration => "calibrate pretest items (fixed anchors)",
            Step::StandardSetting => "modified Angoff, cut carried by equating",
            Step::Decisions => "score reports, decision consistency",
            Step::Reports => "HTML reports",
            Step::Exports => "QTI, xAPI, LTI exports",
        })
    }
}

/// Why a pilot stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PilotError {
    /// An option out of range.
    #[error("{0}")]
    Options(String),
    /// The output folder is inside the bank.
    #[error("the output folder {} is inside the bank {}; the pilot never writes into the bank", out.display(), bank.display())]
    InsideBank {
        /// The output folder.
        out: PathBuf,
        /// The bank.
        bank: PathBuf,
    },
    /// The bank did not load.
    #[error("the bank {}: {source}", path.display())]
    Bank {
        /// The bank folder.
        path: PathBuf,
        /// Its problems.
        source: exam_core::bank::BankErrors,
    },
    /// The bank has no blueprint.
    #[error("the bank {} has no blueprint in blueprints/", .0.display())]
    NoBlueprint(PathBuf),
    /// Form 1 has no scored item of middling difficulty to give DIF.
    #[error("form 1 has no scored item with generating b in (-1, 1) to give DIF")]
    NoDifItem,
    /// A step failed.
    #[error("{step}: {source}")]
    Step {
        /// The step.
        step: Step,
        /// What went wrong.
        source: Box<dyn Error + Send + Sync>,
    },
    /// A file could not be written.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

/// Wraps an error of `step`.
fn failed<E: Into<Box<dyn Error + Send + Sync>>>(step: Step) -> impl FnOnce(E) -> PilotError {
    move |e| PilotError::Step {
        step,
        source: e.into(),
    }
}

/// The output folder: every file written whole (temporary file, then a
/// rename) and remembered for the index.
struct Out {
    dir: PathBuf,
    written: Vec<String>,
}

impl Out {
    fn write(&mut self, name: &str, bytes: &[u8]) -> Result<(), PilotError> {
        let path = self.dir.join(name);
        let tmp = self.dir.join(format!(".{}.tmp", name.replace('/', "_")));
        let written = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(&tmp, bytes))
            .and_then(|()| std::fs::rename(&tmp, &path));
        if let Err(source) = written {
            let _ = std::fs::remove_file(&tmp);
            return Err(PilotError::Write { path, source });
        }
        self.written.push(name.to_owned());
        Ok(())
    }

    /// Writes what `fill` puts into a buffer.
    fn write_with<E: Into<Box<dyn Error + Send + Sync>>>(
        &mut self,
        step: Step,
        name: &str,
        fill: impl FnOnce(&mut Vec<u8>) -> Result<(), E>,
    ) -> Result<(), PilotError> {
        let mut bytes = Vec::new();
        fill(&mut bytes).map_err(failed(step))?;
        self.write(name, &bytes)
    }
}

/// The steps' clock: the time of each step, reported as it starts.
struct Clock<'a> {
    progress: &'a mut dyn FnMut(Step),
    current: Option<(Step, Instant)>,
    timings: Vec<StepTiming>,
}

impl Clock<'_> {
    fn start(&mut self, step: Step) {
        self.stop();
        (self.progress)(step);
        self.current = Some((step, Instant::now()));
    }

    fn stop(&mut self) {
        if let Some((step, at)) = self.current.take() {
            self.timings.push(StepTiming {
                step: step.to_string(),
                seconds: at.elapsed().as_secs_f64(),
            });
        }
    }
}

/// Whether `inner` is `outer` or inside it (both resolved where they exist).
fn is_inside(inner: &Path, outer: &Path) -> bool {
    let resolve = |p: &Path| {
        let mut existing = p.to_path_buf();
        let mut rest = Vec::new();
        while !existing.exists() {
            match (existing.file_name(), existing.parent()) {
                (Some(name), Some(parent)) => {
                    rest.push(name.to_owned());
                    existing = parent.to_path_buf();
                }
                _ => break,
            }
        }
        let mut full = existing.canonicalize().unwrap_or(existing);
        full.extend(rest.iter().rev());
        full
    };
    resolve(inner).starts_with(resolve(outer))
}

/// The parameters of a mixed test: 0/1 items and partial-credit items.
#[derive(Debug, Default)]
struct MixedParams {
    dichotomous: HashMap<ItemId, ItemParams>,
    gpcm: HashMap<ItemId, GpcmParams>,
}

impl MixedParams {
    /// An item's model, where it has parameters.
    fn model(&self, item: &ItemId) -> Option<ItemModel> {
        match self.gpcm.get(item) {
            Some(g) => Some(ItemModel::Gpcm(g.clone())),
            None => self
                .dichotomous
                .get(item)
                .copied()
                .map(ItemModel::Dichotomous),
        }
    }

    /// The 0/1 estimates (one intercept) and the GPCM estimates (more) of
    /// the free items of `fit`, added.
    fn add_estimates(&mut self, fit: &Calibration) {
        for item in fit.items.iter().filter(|i| !i.fixed) {
            let Some(est) = &item.estimate else { continue };
            if est.d.len() == 1 {
                if let Ok(p) = est.params() {
                    self.dichotomous.insert(item.id.clone(), p);
                }
            } else if let Ok(p) = est.gpcm_params() {
                self.gpcm.insert(item.id.clone(), p);
            }
        }
    }

    /// The 0/1 items among `items` as anchors.
    fn anchors<'a>(&self, items: impl Iterator<Item = &'a ItemId>) -> Vec<(ItemId, ItemParams)> {
        items
            .filter_map(|id| Some((id.clone(), *self.dichotomous.get(id)?)))
            .collect()
    }
}

/// The generating or calibrated models of a form's scored items, in form
/// order.
fn scored_params(form: &Form, params: &MixedParams) -> Vec<ItemModel> {
    form.slots
        .iter()
        .filter(|s| s.role == SlotRole::Scored)
        .filter_map(|s| params.model(&s.item))
        .collect()
}

/// The item given DIF: a scored item of form 1 with `|b| < 1`, on as
/// many forms as any (the most candidates), then the most discriminating
/// (largest `a(1 − c)`), so that the DIF the analysis should find is plain.
fn choose_dif_item(
    forms: &[(Form, ScoringKey)],
    generating: &HashMap<ItemId, ItemParams>,
) -> Option<ItemId> {
    let uses = |item: &ItemId| {
        forms
            .iter()
            .filter(|(f, _)| f.slots.iter().any(|s| s.item == *item))
            .count()
    };
    let strength = |p: &ItemParams| p.a() * (1.0 - p.c());
    forms
        .first()?
        .0
        .slots
        .iter()
        .filter(|s| s.role == SlotRole::Scored)
        .filter_map(|s| Some((&s.item, generating.get(&s.item)?)))
        .filter(|(_, p)| p.b().abs() < 1.0)
        .max_by(|x, y| {
            uses(x.0)
                .cmp(&uses(y.0))
                .then(strength(x.1).total_cmp(&strength(y.1)))
        })
        .map(|(id, _)| id.clone())
}

/// The scored items of one form's score reports as a response matrix:
/// full credit scores 1, anything else 0 (omitted and not reached
/// included), as the raw score counts them under all-or-nothing rules.
fn form_matrix(reports: &[&ScoreReport]) -> Result<ResponseMatrix, ResponsesError> {
    let scored = |r: &ScoreReport| -> Vec<(ItemId, u8)> {
        r.items
            .iter()
            .filter(|i| i.role == SlotRole::Scored)
            .map(|i| (i.item.clone(), u8::from(i.credit >= 1.0)))
            .collect()
    };
    let items = reports.first().map(|r| scored(r)).unwrap_or_default();
    let mut builder = ResponseMatrixBuilder::new(items.into_iter().map(|i| i.0).collect())
        .map_err(|item| ResponsesError::DuplicateItem {
            source_name: "score reports".to_owned(),
            item,
        })?;
    for r in reports {
        let cells: Vec<Cell> = scored(r).into_iter().map(|(_, s)| Cell::Score(s)).collect();
        builder.push(PersonId::new(r.candidate.as_str()), &cells)?;
    }
    Ok(builder.build())
}

/// The calibration document of a fit, as `exam calibrate --format json`
/// writes it.
fn calibration_document(
    source: &str,
    data: &ResponseMatrix,
    fit: &Calibration,
) -> CalibrationDocument {
    let thetas: Vec<f64> = (-8..=8)
        .map(|i| fit.latent.mean + 0.5 * f64::from(i) * fit.latent.sd)
        .collect();
    CalibrationDocument::from_mml(
        source,
        data.n_items(),
        fit,
        s_x2(data, fit),
        test_curves(fit, &thetas),
    )
}

/// The options of the pilot's calibrations: `model` with its default
/// priors, standard errors from each item's block of the information (the
/// full information matrix of hundreds of items costs minutes), and EM
/// stopped when no parameter moves more than 1e-4 in a step instead of
/// the default 1e-6.
///
/// Why 1e-4: EM converges linearly, each step shrinking the distance to
/// the maximum by the fraction of missing information of the slowest
/// parameter (Dempster, Laird & Rubin 1977). For a 3PL item that is the
/// lower asymptote's logit: only the few low-ability candidates who sat
/// the item inform it, and its posterior is mostly the Beta(6, 16)
/// prior's, so its fraction is close to 1 and the last digits come slowly
/// (on this sparse 4-form data the default 1e-6 did not stop within the
/// 5,000 steps allowed). At 1e-4 the runs stop as converged, which
/// `calibrate` grants only when the gradient of the log-posterior is also
/// below 1e-4 per person: seed 1, default design, the operational 3PL run
/// stopped after 13 steps with a last change of 1.6e-5 and a gradient of
/// 3.4e-7 per person, far inside that bound (the gradient, not the last
/// change, is what bounds the distance left to the maximum).
fn calibration_options(model: IrtModel, anchors: Vec<(ItemId, ItemParams)>) -> CalibrationOptions {
    let mut options = CalibrationOptions::new(model);
    options.full_information_max_parameters = 0;
    options.tolerance = 1e-4;
    options.anchors = anchors;
    options
}

/// `matrix` with its omitted cells not presented. The pilot's omissions
/// are drawn independently of ability and item (missing completely at
/// random), so left out of the likelihood they leave the estimates
/// unbiased; scored 0, as a score report counts them, a high-ability
/// candidate's omission looks like the lowest category and pulls the
/// slopes down, the GPCM items' most.
fn omissions_not_presented(matrix: &ResponseMatrix) -> Result<ResponseMatrix, ResponsesError> {
    let mut rows: Vec<Vec<Cell>> = vec![Vec::new(); matrix.n_persons()];
    for block in matrix.blocks() {
        for (r, &person) in block.persons().iter().enumerate() {
            let mut cells = vec![Cell::NotPresented; matrix.n_items()];
            for (c, (&item, &score)) in block.items().iter().zip(block.row(r)).enumerate() {
                if !block.is_omitted(r, c) {
                    cells[item] = Cell::Score(score);
                }
            }
            rows[person] = cells;
        }
    }
    let mut builder = ResponseMatrixBuilder::new(matrix.items().to_vec()).map_err(|item| {
        ResponsesError::DuplicateItem {
            source_name: "scored.csv".to_owned(),
            item,
        }
    })?;
    for (person, cells) in matrix.persons().iter().zip(&rows) {
        builder.push(person.clone(), cells)?;
    }
    Ok(builder.build())
}

/// One calibration run of the pilot: the columns it saw and its fit.
struct Run {
    data: ResponseMatrix,
    fit: Calibration,
}

/// Calibrates the columns of `matrix` whose items `keep` under `model`,
/// the `anchors` among them fixed; `None` when no such column would be
/// free (nothing to estimate).
fn calibrate_columns(
    matrix: &ResponseMatrix,
    keep: impl Fn(&ItemId) -> bool,
    model: IrtModel,
    anchors: Vec<(ItemId, ItemParams)>,
    step: Step,
) -> Result<Option<Run>, PilotError> {
    let columns: Vec<usize> = (0..matrix.n_items())
        .filter(|&i| keep(&matrix.items()[i]))
        .collect();
    let fixed = |i: &usize| anchors.iter().any(|(id, _)| *id == matrix.items()[*i]);
    if columns.iter().all(fixed) {
        return Ok(None);
    }
    let everyone: Vec<usize> = (0..matrix.n_persons()).collect();
    let data = matrix.select(&everyone, &columns).map_err(failed(step))?;
    let anchors = anchors
        .into_iter()
        .filter(|(id, _)| data.item_index(id).is_some())
        .collect();
    let fit = calibrate(&data, &calibration_options(model, anchors)).map_err(failed(step))?;
    Ok(Some(Run { data, fit }))
}

/// The calibration document of a run, written as `name`.
fn write_run(
    out: &mut Out,
    step: Step,
    name: &str,
    source: &str,
    run: &Run,
) -> Result<CalibrationDocument, PilotError> {
    let doc = calibration_document(source, &run.data, &run.fit);
    out.write_with(step, name, |w| doc.write(w, name))?;
    Ok(doc)
}

/// How a run ended.
fn run_outcome(run: &Run) -> CalibrationRun {
    CalibrationRun {
        iterations: run.fit.iterations,
        converged: run.fit.convergence.converged,
    }
}

/// Runs the pilot on the bank at `bank_dir`, writing into `out_dir`;
/// `progress` is told each step as it starts.
pub fn run_pilot(
    bank_dir: &Path,
    out_dir: &Path,
    options: &PilotOptions,
    progress: &mut dyn FnMut(Step),
) -> Result<PilotSummary, PilotError> {
    let PilotOptions {
        candidates,
        forms: n_forms,
        seed,
    } = *options;
    if n_forms == 0 || candidates < 2 * n_forms as usize {
        return Err(PilotError::Options(format!(
            "{candidates} candidates on {n_forms} form(s): give at least one form and two candidates per form"
        )));
    }
    if is_inside(out_dir, bank_dir) {
        return Err(PilotError::InsideBank {
            out: out_dir.to_path_buf(),
            bank: bank_dir.to_path_buf(),
        });
    }
    let mut out = Out {
        dir: out_dir.to_path_buf(),
        written: Vec::new(),
    };
    let mut clock = Clock {
        progress,
        current: None,
        timings: Vec::new(),
    };

    // 1. Blueprint.
    clock.start(Step::Blueprint);
    let bank = ItemBank::open(bank_dir).map_err(|source| PilotError::Bank {
        path: bank_dir.to_path_buf(),
        source,
    })?;
    let blueprint = bank
        .blueprints()
        .first()
        .ok_or_else(|| PilotError::NoBlueprint(bank_dir.to_path_buf()))?
        .clone();
    let derivation = derive(bank.jta(), &BlueprintSettings::from(blueprint.blueprint()));
    let mismatches = derivation_mismatches(bank.jta(), &blueprint, None);
    let blueprint_doc = BlueprintDerivationDocument {
        blueprint: blueprint.blueprint().clone(),
        derivation: derivation.map(|d| d.1),
        matches_derivation: mismatches.is_empty(),
        mismatches,
    };
    out.write_with(Step::Blueprint, "blueprint.json", |w| {
        blueprint_doc.write(w, "blueprint.json")
    })?;

    // 2. Forms.
    clock.start(Step::Assembly);
    let assembly_options = AssemblyOptions {
        forms: n_forms,
        ..AssemblyOptions::default()
    };
    let assembly =
        assemble(&bank, &blueprint, &assembly_options, seed).map_err(failed(Step::Assembly))?;
    let forms_doc = FormsDocument::from_assembly(assembly, &bank, &blueprint, seed)
        .map_err(failed(Step::Assembly))?;
    out.write_with(Step::Assembly, "forms.json", |w| {
        forms_doc.write(w, "forms.json")
    })?;
    let forms: Vec<(Form, ScoringKey)> = forms_doc
        .forms
        .iter()
        .cloned()
        .zip(forms_doc.scoring_keys.iter().cloned())
        .collect();
    let default_rules = ScoringRules::default();
    let scorer = Scorer::new(
        forms.iter().map(|(f, k)| (f, k)),
        &default_rules,
        &HashMap::new(),
    )
    .map_err(failed(Step::Assembly))?;

    // 3. Generating parameters.
    clock.start(Step::Parameters);
    let mut generating = MixedParams::default();
    fill_gpcm_params(&scorer, &mut generating.gpcm, seed);
    fill_generating_params(&scorer, &mut generating.dichotomous, seed);
    generating
        .dichotomous
        .retain(|id, _| !generating.gpcm.contains_key(id));
    let mut entries: Vec<ItemParamsEntry> = generating
        .dichotomous
        .iter()
        .map(|(id, params)| ItemParamsEntry {
            id: id.clone(),
            params: *params,
        })
        .collect();
    entries.sort_by(|x, y| x.id.cmp(&y.id));
    let mut gpcm_items: Vec<GpcmParamsEntry> = generating
        .gpcm
        .iter()
        .map(|(id, params)| GpcmParamsEntry {
            id: id.clone(),
            params: params.clone(),
        })
        .collect();
    gpcm_items.sort_by(|x, y| x.id.cmp(&y.id));
    let params_doc = ParamsDocument {
        model: Some(IrtModel::ThreePl),
        items: entries,
        gpcm_items,
    };
    let params_name = format!("generating-params-seed-{seed}.json");
    out.write_with(Step::Parameters, &params_name, |w| {
        params_doc.write(w, &params_name)
    })?;

    // 4. Responses.
    clock.start(Step::Responses);
    let sim_options = SimulationOptions {
        omit_rate: design::OMIT_RATE,
        ..SimulationOptions::default()
    };
    let mut sim = simulate_mixed(
        &scorer,
        &generating.dichotomous,
        &generating.gpcm,
        candidates,
        &sim_options,
        seed,
    )
    .map_err(failed(Step::Responses))?;
    let focal =
        focal_groups(candidates, design::FOCAL_SHARE, seed).map_err(failed(Step::Responses))?;
    let form1 = &forms[0].0;
    let dif_item = choose_dif_item(&forms, &generating.dichotomous).ok_or(PilotError::NoDifItem)?;
    let dif_spec = DifItem {
        item: dif_item.clone(),
        shift: design::DIF_SHIFT,
    };
    impose_dif(
        &scorer,
        &mut sim,
        &generating.dichotomous,
        &focal,
        &dif_spec,
        seed,
    )
    .map_err(failed(Step::Responses))?;
    let not_reached = NotReachedOptions {
        rate: design::NOT_REACHED_RATE,
        max_items: design::NOT_REACHED_MAX,
    };
    let stopped =
        not_reached_tails(&mut sim, &not_reached, seed).map_err(failed(Step::Responses))?;
    out.write_with(Step::Responses, "responses.csv", |w| {
        write_raw_csv(w, &scorer, &sim.submissions)
    })?;
    out.write_with(Step::Responses, "groups.csv", |w| {
        let rows = sim.submissions.iter().zip(&focal).zip(&sim.abilities);
        let rows = rows.map(|((s, f), theta)| {
            let group = if *f { "focal" } else { "reference" };
            (
                s.candidate.as_str(),
                vec![group.to_owned(), format!("{theta:.6}")],
            )
        });
        write_groups(w, &["group", "theta"], rows, "groups.csv").map(drop)
    })?;

    // 5. Scoring into the matrix.
    clock.start(Step::Scoring);
    let mut raw = RawResponsesBuilder::with_reading(&forms, &scorer, CreditReading::ScorePoints)
        .map_err(failed(Step::Scoring))?;
    for submission in &sim.submissions {
        raw.push(submission).map_err(failed(Step::Scoring))?;
    }
    let raw = raw.finish();
    let matrix = &raw.matrix;
    out.write_with(Step::Scoring, "scored.csv", |w| {
        scored_csv::write(w, matrix, "scored.csv")
    })?;

    // 6. Item analysis.
    clock.start(Step::Analysis);
    let summary = Summary::of(matrix);
    let analysis_options = AnalysisOptions::default();
    let analysis = analyze(&summary, &analysis_options).map_err(failed(Step::Analysis))?;
    let labels: Vec<Option<String>> = focal
        .iter()
        .map(|f| Some(if *f { "focal" } else { "reference" }.to_owned()))
        .collect();
    let membership = GroupMembership::from_labels(&labels, "focal", Some("reference"))
        .map_err(failed(Step::Analysis))?;
    let dif_analysis =
        dif(matrix, &membership, &DifOptions { purify: true }).map_err(failed(Step::Analysis))?;
    let distractors = raw
        .distractors(&analysis_options.flags)
        .map_err(failed(Step::Analysis))?;
    let analysis_doc = AnalysisDocument {
        responses: None,
        raw: Some("responses.csv".to_owned()),
        forms_file: Some("forms.json".to_owned()),
        analysis,
        dif: Some(dif_analysis),
        distractor_scope: Some(DISTRACTOR_SCOPE.to_owned()),
        distractors: Some(distractors),
    };
    out.write_with(Step::Analysis, "analysis.json", |w| {
        analysis_doc.write(w, "analysis.json")
    })?;
    let dif_finding = {
        let items = analysis_doc.dif.as_ref().map_or(&[][..], |d| &d.items[..]);
        let of_item = items.iter().find(|d| d.id == dif_item);
        let class = of_item.and_then(|d| d.ets_class);
        DifFinding {
            item: dif_item.clone(),
            shift: design::DIF_SHIFT,
            mh_d_dif: of_item.and_then(|d| d.mh_d_dif),
            ets_class: class,
            found: matches!(class, Some(DifClass::B | DifClass::C)),
            other_items_in_class_c: items
                .iter()
                .filter(|d| d.id != dif_item && d.ets_class == Some(DifClass::C))
                .map(|d| d.id.clone())
                .collect(),
        }
    };

    // 7. Concurrent calibration of the operational items: the single-choice
    // items under the 3PL, then the others under the GPCM with those fixed.
    clock.start(Step::Calibration);
    let is_pretest: HashMap<&ItemId, bool> = forms
        .iter()
        .flat_map(|(f, _)| f.slots.iter())
        .map(|s| (&s.item, s.role == SlotRole::Pretest))
        .collect();
    let single_choice: std::collections::HashSet<&ItemId> = scorer
        .forms()
        .flat_map(|f| f.items().zip(f.kinds()))
        .filter(|(_, kind)| *kind == ItemKind::SingleChoice)
        .map(|(id, _)| id)
        .collect();
    let operational = |id: &ItemId| !is_pretest[id];
    let answered = omissions_not_presented(matrix).map_err(failed(Step::Calibration))?;
    let mut calibrated = MixedParams::default();
    let op_run = calibrate_columns(
        &answered,
        |id| operational(id) && single_choice.contains(id),
        IrtModel::ThreePl,
        Vec::new(),
        Step::Calibration,
    )?
    .ok_or_else(|| failed(Step::Calibration)("no operational single-choice item to calibrate"))?;
    calibrated.add_estimates(&op_run.fit);
    let op_gpcm_run = calibrate_columns(
        &answered,
        operational,
        IrtModel::Gpcm,
        calibrated.anchors(single_choice.iter().copied()),
        Step::Calibration,
    )?;
    if let Some(run) = &op_gpcm_run {
        calibrated.add_estimates(&run.fit);
    }
    let op_doc = write_run(
        &mut out,
        Step::Calibration,
        "calibration-operational.json",
        "scored.csv, omissions not presented (operational single-choice items, 3PL)",
        &op_run,
    )?;
    let op_gpcm_doc = op_gpcm_run
        .as_ref()
        .map(|run| {
            write_run(
                &mut out,
                Step::Calibration,
                "calibration-operational-gpcm.json",
                "scored.csv, omissions not presented (operational items of the other kinds, GPCM; single choice fixed)",
                run,
            )
        })
        .transpose()?;
    let operational_ids: Vec<ItemId> = matrix
        .items()
        .iter()
        .filter(|id| operational(id) && **id != dif_item)
        .cloned()
        .collect();

    // 8. The pretest items, the same way, with the operational 0/1 items
    // fixed (a partial-credit item cannot be an anchor).
    clock.start(Step::PretestCalibration);
    let fixed_operational = calibrated.anchors(matrix.items().iter().filter(|id| operational(id)));
    let anchored = |id: &ItemId| fixed_operational.iter().any(|(a, _)| a == id);
    let pre_run = calibrate_columns(
        &answered,
        |id| anchored(id) || (!operational(id) && single_choice.contains(id)),
        IrtModel::ThreePl,
        fixed_operational.clone(),
        Step::PretestCalibration,
    )?;
    let mut pretest_estimates = MixedParams::default();
    if let Some(run) = &pre_run {
        pretest_estimates.add_estimates(&run.fit);
    }
    let mut pretest_anchors = fixed_operational.clone();
    pretest_anchors.extend(pretest_estimates.anchors(matrix.items().iter()));
    let pre_gpcm_run = calibrate_columns(
        &answered,
        |id| anchored(id) || !operational(id),
        IrtModel::Gpcm,
        pretest_anchors,
        Step::PretestCalibration,
    )?;
    let pre_doc = pre_run
        .as_ref()
        .map(|run| {
            write_run(
                &mut out,
                Step::PretestCalibration,
                "calibration-pretest.json",
                "scored.csv, omissions not presented (pretest single-choice items, 3PL; operational 0/1 items fixed)",
                run,
            )
        })
        .transpose()?;
    let pre_gpcm_doc = pre_gpcm_run
        .as_ref()
        .map(|run| {
            write_run(
                &mut out,
                Step::PretestCalibration,
                "calibration-pretest-gpcm.json",
                "scored.csv, omissions not presented (pretest items of the other kinds, GPCM; 0/1 items fixed)",
                run,
            )
        })
        .transpose()?;
    let pretest_ids: Vec<ItemId> = matrix
        .items()
        .iter()
        .filter(|id| is_pretest[id])
        .cloned()
        .collect();

    // 9. Standard setting.
    clock.start(Step::StandardSetting);
    let form1_items: Vec<(ItemId, ItemModel)> = form1
        .slots
        .iter()
        .filter(|s| s.role == SlotRole::Scored)
        .filter_map(|s| Some((s.item.clone(), generating.model(&s.item)?)))
        .collect();
    let panel = PanelOptions {
        raters: design::RATERS,
        theta: design::THETA_MC,
        leniency_sd: design::LENIENCY_SD,
        noise_sd: design::NOISE_SD.to_vec(),
    };
    let study =
        simulate_angoff(&form1_items, &panel, seed).map_err(failed(Step::StandardSetting))?;
    out.write_with(Step::StandardSetting, "angoff-ratings.json", |w| {
        write_angoff_ratings(w, &study, "angoff-ratings.json")
    })?;
    let final_round = study
        .final_round(2.0)
        .map_err(failed(Step::StandardSetting))?;
    let base = scored_params(form1, &calibrated);
    let cuts: Vec<(FormId, CarriedCut)> = forms
        .iter()
        .map(|(f, _)| {
            carry_cut(&base, final_round.cut, &scored_params(f, &calibrated))
                .map(|c| (f.id.clone(), c))
        })
        .collect::<Result<_, _>>()
        .map_err(failed(Step::StandardSetting))?;
    let rules = ScoringRules {
        id: format!("{}-pilot-rules", blueprint.id),
        version: format!("seed-{seed}"),
        form_passing: cuts
            .iter()
            .map(|(form, cut)| {
                let source = if *form == form1.id {
                    format!(
                        "modified Angoff (simulated panel of {}, round 2): cut {:.2} rounded up",
                        design::RATERS,
                        final_round.cut
                    )
                } else {
                    format!(
                        "modified Angoff on {} carried by IRT true-score equating (θ cut {:.3})",
                        form1.id, cut.theta_cut
                    )
                };
                let rule = PassingRule {
                    raw_cut: cut.new_raw_cut as f64,
                    source,
                    scale: None,
                };
                (form.clone(), rule)
            })
            .collect(),
        ..ScoringRules::default()
    };
    rules.validate().map_err(failed(Step::StandardSetting))?;
    out.write_with(Step::StandardSetting, "scoring-rules.json", |w| {
        write_rules(w, &rules, "scoring-rules.json")
    })?;
    let standard_setting = StandardSettingDocument {
        cuts: cuts
            .iter()
            .map(|(form, cut)| FormCut {
                cut: *cut,
                form: form.clone(),
            })
            .collect(),
        rounds: study.rounds(2.0).ok(),
    };
    out.write_with(Step::StandardSetting, "standard-setting.json", |w| {
        standard_setting.write(w, "standard-setting.json")
    })?;

    // 10. Score reports and decisions.
    clock.start(Step::Decisions);
    let final_scorer = Scorer::new(
        forms.iter().map(|(f, k)| (f, k)),
        &rules,
        &calibrated.dichotomous,
    )
    .map_err(failed(Step::Decisions))?;
    let reports = final_scorer
        .report_all(&sim.submissions)
        .map_err(failed(Step::Decisions))?;
    let reports_doc = ScoreReportsDocument {
        scoring_rules: rules.id.clone(),
        scoring_rules_version: rules.version.clone(),
        reports,
    };
    out.write_with(Step::Decisions, "reports.json", |w| {
        reports_doc.write(w, "reports.json")
    })?;
    let passed: Vec<bool> = reports_doc
        .reports
        .iter()
        .map(|r| r.decision.as_ref().is_some_and(|d| d.passed))
        .collect();
    let form1_generating = scored_params(form1, &generating);
    let true_theta_cut =
        inverse_tcc(&form1_generating, final_round.cut).map_err(failed(Step::Decisions))?;
    let truly_passes: Vec<bool> = sim.abilities.iter().map(|t| *t >= true_theta_cut).collect();
    let mut form_outcomes = Vec::new();
    for (f, cut) in &cuts {
        let on_form: Vec<&ScoreReport> = reports_doc
            .reports
            .iter()
            .filter(|r| r.form == *f)
            .collect();
        let scored = form_matrix(&on_form).map_err(failed(Step::Decisions))?;
        let with_cut = AnalysisOptions {
            cut: Some(cut.new_raw_cut as f64),
            ..AnalysisOptions::default()
        };
        let stats = analyze(&Summary::of(&scored), &with_cut).map_err(failed(Step::Decisions))?;
        let pass_count = on_form
            .iter()
            .filter(|r| r.decision.as_ref().is_some_and(|d| d.passed))
            .count();
        form_outcomes.push(FormOutcome {
            form: f.clone(),
            candidates: on_form.len(),
            cut: *cut,
            pass_rate: pass_count as f64 / on_form.len().max(1) as f64,
            decision: stats.forms.into_iter().next().and_then(|s| s.cut),
        });
    }

    // 11. Reports.
    clock.start(Step::Reports);
    let groups = score_group_proportions(&summary);
    let analysis_html = report::analysis_report(&AnalysisReport {
        document: &analysis_doc,
        thresholds: &analysis_options.flags,
        score_groups: &groups,
    });
    out.write("analysis.html", analysis_html.as_bytes())?;
    for (name, doc) in [
        ("calibration-operational", Some(&op_doc)),
        ("calibration-operational-gpcm", op_gpcm_doc.as_ref()),
        ("calibration-pretest", pre_doc.as_ref()),
        ("calibration-pretest-gpcm", pre_gpcm_doc.as_ref()),
    ] {
        if let Some(doc) = doc {
            let page = report::calibration_report(doc, &format!("{name}.json"), None);
            out.write(&format!("{name}.html"), page.as_bytes())?;
        }
    }
    let form_list: Vec<Form> = forms.iter().map(|(f, _)| f.clone()).collect();
    out.write(
        "forms.html",
        report::forms_report(&form_list, &bank, &blueprint).as_bytes(),
    )?;
    let sample = &reports_doc.reports[..design::SAMPLE.min(reports_doc.reports.len())];
    for r in sample {
        out.write(
            &format!("candidates/{}.html", r.candidate),
            report::candidate_report(r).as_bytes(),
        )?;
    }

    // 12. Exports.
    clock.start(Step::Exports);
    out.write_with(Step::Exports, "qti-package.zip", |w| {
        let mut cursor = std::io::Cursor::new(w);
        write_package(&mut cursor, &bank, &form_list, &default_rules).map(|_| ())
    })?;
    let now = time::OffsetDateTime::now_utc();
    let usage = usage_element(
        &analysis_doc.analysis.items,
        analysis_doc.distractors.as_deref().unwrap_or_default(),
        &op_doc.to_record_input().items,
        &UsageContext {
            context: "urn:exam-engine:pilot:analysis.json".to_owned(),
            date: now.date(),
        },
    );
    out.write("qti-usage.xml", usage.to_document().as_bytes())?;
    let stamp = lti::timestamp(now);
    let by_form: HashMap<&FormId, &(Form, ScoringKey)> =
        forms.iter().map(|fk| (&fk.0.id, fk)).collect();
    let mut attempts = Vec::new();
    for (r, submission) in sample.iter().zip(&sim.submissions) {
        let Some((form, key)) = by_form.get(&r.form) else {
            continue;
        };
        let session = format!("{}-{}", r.form, r.candidate);
        let result = ResultAttempt {
            form,
            key,
            report: r,
            submission: Some(submission),
            session: ("urn:exam-engine:pilot", &session),
            datestamp: &stamp,
        };
        out.write(
            &format!("qti-results/{}.xml", r.candidate),
            result_element(&result).to_document().as_bytes(),
        )?;
        let attempt = xapi::Attempt {
            form,
            key,
            submission,
            report: r,
            home_page: design::HOME_PAGE,
            activity_base: design::ACTIVITY_BASE,
            started: now,
        };
        attempts.push(xapi::AttemptStatements {
            candidate: r.candidate.clone(),
            form: r.form.clone(),
            statements: xapi::statements(&attempt),
        });
    }
    out.write_with(Step::Exports, "xapi-statements.json", |w| {
        xapi::StatementsDocument { attempts }.write(w, "xapi-statements.json")
    })?;
    let scores = lti::line_item_scores(&reports_doc.reports, design::LINE_ITEM, &stamp)
        .map_err(failed(Step::Exports))?;
    out.write_with(Step::Exports, "lti-ags-scores.json", |w| {
        scores.write(w, "lti-ags-scores.json")
    })?;
    clock.stop();

    let pass_count = passed.iter().filter(|p| **p).count();
    let pilot = PilotSummary {
        seed,
        candidates,
        blueprint: format!("{} {}", blueprint.id, blueprint.version),
        blueprint_matches_derivation: blueprint_doc.matches_derivation,
        candidates_not_reaching_the_end: stopped,
        focal_candidates: focal.iter().filter(|f| **f).count(),
        dif: dif_finding,
        operational_calibration: run_outcome(&op_run),
        operational_gpcm_calibration: op_gpcm_run.as_ref().map(run_outcome),
        pretest_calibration: pre_run.as_ref().map(run_outcome),
        pretest_gpcm_calibration: pre_gpcm_run.as_ref().map(run_outcome),
        recovery_operational: recovery(
            &std::iter::once(&op_run)
                .chain(&op_gpcm_run)
                .map(|r| &r.fit)
                .collect::<Vec<_>>(),
            &generating.dichotomous,
            &operational_ids,
        ),
        recovery_pretest: recovery(
            &pre_run
                .iter()
                .chain(&pre_gpcm_run)
                .map(|r| &r.fit)
                .collect::<Vec<_>>(),
            &generating.dichotomous,
            &pretest_ids,
        ),
        recovery_operational_gpcm: op_gpcm_run
            .as_ref()
            .and_then(|r| gpcm_recovery(&r.fit, &generating.gpcm, &operational_ids)),
        recovery_pretest_gpcm: pre_gpcm_run
            .as_ref()
            .and_then(|r| gpcm_recovery(&r.fit, &generating.gpcm, &pretest_ids)),
        angoff_cut: final_round.cut,
        angoff_se: final_round.se,
        true_theta_cut,
        forms: form_outcomes,
        pass_rate: pass_count as f64 / candidates as f64,
        decision_accuracy: true_accuracy(&passed, &truly_passes),
        timings: clock.timings,
    };
    out.write_with(Step::Exports, "summary.json", |w| {
        pilot.write(w, "summary.json")
    })?;
    let index = report::pilot_index(&pilot, &out.written);
    out.write("index.html", index.as_bytes())?;
    Ok(pilot)
}
