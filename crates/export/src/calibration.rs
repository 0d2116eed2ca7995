//! The calibration document: what `exam calibrate` writes and `exam
//! record-params` reads. With `model` and `items` it is also an
//! item-parameter document (DESIGN.md), so scoring reads it as one.
//!
//! Written by the engine, every run field is present; on reading, only
//! `model` and `items` (each with an `id`) are required, so a hand-written
//! parameter file with a `model` can be recorded too. In the table and CSV,
//! a GPCM item's `b` column holds its step difficulties joined by `/`.

use crate::FormatError;
use crate::csv_table::{self, Record};
use crate::json;
use crate::table::{Column, Table};
use exam_core::bank::record::{CalibratedItem, CalibrationInput};
use exam_core::ids::ItemId;
use exam_core::irt::{GpcmParams, IrtModel, ItemParams};
use exam_stats::calibration::curves::CurvePoint;
use exam_stats::calibration::empirical::ItemModel;
use exam_stats::calibration::fit::{RaschItemFit, SX2};
use exam_stats::calibration::{
    AndersenLr, Calibration, CmlFit, Convergence, Estimate, ItemFlag, LatentDistribution, PcmFit,
    PolytomousRasch, ScoreTheta,
};
use serde::{Deserialize, Serialize};
use std::io::{Read, Write};

/// How the parameters were estimated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Estimation {
    /// Marginal maximum likelihood (Bock–Aitkin EM, no prior on item
    /// parameters); `mml` in documents written before priors were stated.
    #[serde(alias = "mml")]
    Ml,
    /// Marginal maximum a posteriori (Bock–Aitkin EM with priors).
    Map,
    /// Conditional maximum likelihood (Rasch, partial credit, rating scale).
    Cml,
}

impl Estimation {
    fn name(self) -> &'static str {
        match self {
            Estimation::Ml => "ml",
            Estimation::Map => "map",
            Estimation::Cml => "cml",
        }
    }
}

/// The extras of a polytomous Rasch fit by CML: the rating scale model's
/// common category thresholds, Andersen's LR test for the median split,
/// and person parameters by weighted likelihood for each raw score on the
/// whole test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolytomousCml {
    /// Partial credit or rating scale.
    pub model: PolytomousRasch,
    /// The rating scale model's common thresholds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category_thresholds: Option<Vec<Estimate>>,
    /// Andersen's LR test for the median split (absent when it could not
    /// be run; `andersen_lr_error` says why).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub andersen_lr: Option<AndersenLr>,
    /// Why Andersen's test could not be run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub andersen_lr_error: Option<String>,
    /// Warm's weighted likelihood estimates by raw score over all items.
    pub person_parameters: Vec<ScoreTheta>,
}

/// Item fit: S-X² for MML dichotomous models, infit/outfit for Rasch CML.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct ItemFit {
    /// Orlando and Thissen's S-X².
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub s_x2: Option<SX2>,
    /// Information-weighted mean square.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub infit: Option<f64>,
    /// Unweighted mean square.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outfit: Option<f64>,
}

impl ItemFit {
    /// The fit in words, as the table and CSV print it.
    pub fn describe(&self) -> String {
        match (self.s_x2, self.infit, self.outfit) {
            (Some(f), _, _) => format!("S-X2 {:.2} ({}) p {:.3}", f.statistic, f.df, f.p_value),
            (None, Some(i), Some(o)) => format!("infit {i:.3} outfit {o:.3}"),
            _ => String::new(),
        }
    }
}

/// One item of the document, in the logistic metric with D = 1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemParamsRow {
    /// The item.
    pub id: ItemId,
    /// Persons presented the item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub n: Option<usize>,
    /// Slope.
    pub a: Option<f64>,
    /// Difficulty (dichotomous items).
    pub b: Option<f64>,
    /// Lower asymptote.
    pub c: Option<f64>,
    /// Intercepts `d` of the slope-intercept form (one per score step).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub d: Option<Vec<f64>>,
    /// Step difficulties of a polytomous item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub steps: Option<Vec<f64>>,
    /// Standard errors of the steps (Andrich thresholds of the CML models).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub se_steps: Option<Vec<f64>>,
    /// Standard error of `a`.
    pub se_a: Option<f64>,
    /// Standard error of `b`.
    pub se_b: Option<f64>,
    /// Standard error of `c`.
    pub se_c: Option<f64>,
    /// Held at its bank parameters (an anchor), not estimated.
    #[serde(default)]
    pub fixed: bool,
    /// Conditions of its calibration worth reporting.
    #[serde(default)]
    pub flags: Vec<ItemFlag>,
    /// Item fit.
    #[serde(default)]
    pub fit: ItemFit,
}

impl ItemParamsRow {
    /// The item's response model from its parameters: a GPCM item where it
    /// has steps, else a dichotomous one (`c` 0 when absent); `None` when it
    /// was not calibrated or its parameters define no response function.
    pub fn model(&self) -> Option<ItemModel> {
        let a = self.a?;
        match &self.steps {
            Some(steps) => GpcmParams::new(a, steps.clone()).ok().map(ItemModel::Gpcm),
            None => ItemParams::new(a, self.b?, self.c.unwrap_or(0.0))
                .ok()
                .map(ItemModel::Dichotomous),
        }
    }
}

impl CalibrationDocument {
    /// The response model of each of `items` (a response file's items, in
    /// its order) that the document calibrated; `None` for the others.
    pub fn models_of(&self, items: &[ItemId]) -> Vec<Option<ItemModel>> {
        let by_id: std::collections::HashMap<&ItemId, &ItemParamsRow> =
            self.items.iter().map(|i| (&i.id, i)).collect();
        items
            .iter()
            .map(|id| by_id.get(id).and_then(|row| row.model()))
            .collect()
    }

    /// The latent distribution's mean and SD; the standard normal when the
    /// document has none (CML).
    pub fn latent_normal(&self) -> (f64, f64) {
        self.latent.map_or((0.0, 1.0), |l| (l.mean, l.sd))
    }
}

/// A calibration as `exam calibrate` reports it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CalibrationDocument {
    /// The model.
    pub model: IrtModel,
    /// How it was estimated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimation: Option<Estimation>,
    /// The priors on item parameters the model can take (MML): `a` unless
    /// Rasch, `c` for the 3PL, each a distribution with its parameters or
    /// null when none is set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priors: Option<serde_json::Map<String, serde_json::Value>>,
    /// The response file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub responses: Option<String>,
    /// Persons in the calibration sample.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub n_persons: Option<usize>,
    /// Items in the response file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub n_items: Option<usize>,
    /// The (marginal or conditional) log-likelihood at the estimates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_likelihood: Option<f64>,
    /// The maximised objective (MML): the log-likelihood plus the log prior
    /// densities; equal to the log-likelihood under ML.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_posterior: Option<f64>,
    /// Akaike's information criterion (MML).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aic: Option<f64>,
    /// Schwarz's Bayesian information criterion (MML).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bic: Option<f64>,
    /// Iterations taken.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iterations: Option<usize>,
    /// Whether the estimation converged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub converged: Option<bool>,
    /// Why the iterations stopped (EM for MML, Newton–Raphson for CML).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub convergence: Option<Convergence>,
    /// The latent distribution (MML).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latent: Option<LatentDistribution>,
    /// How the standard errors were computed, or why they are absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub standard_errors: Option<String>,
    /// The calibrated items, in input order.
    pub items: Vec<ItemParamsRow>,
    /// Items without estimates (nobody presented, no variance, ...), with
    /// the reason in their flags.
    #[serde(default)]
    pub not_calibrated: Vec<ItemParamsRow>,
    /// Test information, conditional SEM and expected score at abilities
    /// across the latent distribution (MML).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub test_curves: Vec<CurvePoint>,
    /// Polytomous Rasch by CML: its model, thresholds, Andersen's test and
    /// person parameters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub polytomous_cml: Option<PolytomousCml>,
}

/// `{"a": .., "c": ..}` with the priors the model can take, each a
/// distribution with its parameters or null.
fn prior_document(fit: &Calibration) -> serde_json::Map<String, serde_json::Value> {
    let mut out = serde_json::Map::new();
    if fit.model != IrtModel::Rasch {
        out.insert("a".to_owned(), serde_json::json!(fit.priors.a));
    }
    if fit.model == IrtModel::ThreePl {
        out.insert("c".to_owned(), serde_json::json!(fit.priors.c));
    }
    out
}

/// The header's words for the priors: `a ~ lognormal(0, 0.5), c ~ Beta(6, 16)`.
fn describe_priors(priors: &serde_json::Map<String, serde_json::Value>) -> String {
    priors
        .iter()
        .map(|(name, p)| match p["distribution"].as_str() {
            Some("lognormal") => format!("{name} ~ lognormal({}, {})", p["mean_log"], p["sd_log"]),
            Some("beta") => format!("{name} ~ Beta({}, {})", p["alpha"], p["beta"]),
            _ => format!("no prior on {name}"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Splits rows into calibrated and not calibrated, keeping input order.
fn split(rows: Vec<ItemParamsRow>) -> (Vec<ItemParamsRow>, Vec<ItemParamsRow>) {
    rows.into_iter().partition(|row| row.a.is_some())
}

/// How a Rasch CML document's standard errors were computed.
const RASCH_CML_SES: &str =
    "inverse observed information of the conditional likelihood, difficulties summing to zero";

/// How a partial credit or rating scale CML document's standard errors were
/// computed.
const PCM_CML_SES: &str = "inverse observed information of the conditional likelihood, carried to the thresholds and locations (category parameters summing to zero)";

impl CalibrationDocument {
    /// The document of an MML calibration of `n_items` items read from
    /// `responses`, with each item's S-X² (in item order) and the test
    /// curves.
    pub fn from_mml(
        responses: &str,
        n_items: usize,
        fit: &Calibration,
        item_fit: Vec<Option<SX2>>,
        test_curves: Vec<CurvePoint>,
    ) -> Self {
        let rows = fit
            .items
            .iter()
            .zip(item_fit)
            .map(|(item, s_x2)| {
                let e = item.estimate.as_ref();
                let polytomous = e.is_some_and(|e| e.d.len() > 1);
                ItemParamsRow {
                    id: item.id.clone(),
                    n: Some(item.n),
                    a: e.map(|e| e.a),
                    b: e.and_then(|e| e.b()),
                    c: e.map(|e| e.c),
                    d: e.map(|e| e.d.clone()),
                    steps: e.filter(|_| polytomous).map(|e| e.steps()),
                    se_steps: None,
                    se_a: e.and_then(|e| e.se_a),
                    se_b: e.and_then(|e| e.se_b),
                    se_c: e.and_then(|e| e.se_c),
                    fixed: item.fixed,
                    flags: item.flags.clone(),
                    fit: ItemFit {
                        s_x2,
                        ..ItemFit::default()
                    },
                }
            })
            .collect();
        let (items, not_calibrated) = split(rows);
        Self {
            model: fit.model,
            estimation: Some(match fit.estimation {
                exam_stats::calibration::Estimation::Ml => Estimation::Ml,
                exam_stats::calibration::Estimation::Map => Estimation::Map,
            }),
            priors: Some(prior_document(fit)),
            log_posterior: Some(fit.log_posterior),
            responses: Some(responses.to_owned()),
            n_persons: Some(fit.n_persons),
            n_items: Some(n_items),
            log_likelihood: Some(fit.log_likelihood),
            aic: Some(fit.aic),
            bic: Some(fit.bic),
            iterations: Some(fit.iterations),
            converged: Some(fit.convergence.converged),
            convergence: Some(fit.convergence.clone()),
            latent: Some(fit.latent),
            standard_errors: Some(fit.standard_errors.clone()),
            items,
            not_calibrated,
            test_curves,
            polytomous_cml: None,
        }
    }

    /// The document of a Rasch CML fit of `n_items` items read from
    /// `responses`, with each item's infit and outfit (in item order).
    pub fn from_cml(
        responses: &str,
        n_items: usize,
        fit: &CmlFit,
        item_fit: Vec<Option<RaschItemFit>>,
    ) -> Self {
        let rows = fit
            .items
            .iter()
            .zip(item_fit)
            .map(|(item, rasch)| ItemParamsRow {
                id: item.id.clone(),
                n: Some(item.presented),
                a: item.difficulty.map(|_| 1.0),
                b: item.difficulty,
                c: item.difficulty.map(|_| 0.0),
                d: None,
                steps: None,
                se_steps: None,
                se_a: None,
                se_b: item.se,
                se_c: None,
                fixed: false,
                flags: Vec::new(),
                fit: ItemFit {
                    s_x2: None,
                    infit: rasch.map(|f| f.infit),
                    outfit: rasch.map(|f| f.outfit),
                },
            })
            .collect();
        let run = (fit.n_persons_used, fit.conditional_log_likelihood);
        let steps = (fit.iterations, &fit.convergence);
        Self::cml(
            IrtModel::Rasch,
            responses,
            n_items,
            run,
            steps,
            RASCH_CML_SES,
            rows,
        )
    }

    /// The parts every CML document shares: `persons_used` with the
    /// conditional log-likelihood, the iterations with the convergence
    /// report, and how the standard errors were computed.
    fn cml(
        model: IrtModel,
        responses: &str,
        n_items: usize,
        (persons_used, log_likelihood): (usize, f64),
        (iterations, convergence): (usize, &Convergence),
        standard_errors: &str,
        rows: Vec<ItemParamsRow>,
    ) -> Self {
        let (items, not_calibrated) = split(rows);
        Self {
            model,
            estimation: Some(Estimation::Cml),
            priors: None,
            log_posterior: None,
            responses: Some(responses.to_owned()),
            n_persons: Some(persons_used),
            n_items: Some(n_items),
            log_likelihood: Some(log_likelihood),
            aic: None,
            bic: None,
            iterations: Some(iterations),
            converged: Some(convergence.converged),
            convergence: Some(convergence.clone()),
            latent: None,
            standard_errors: Some(standard_errors.to_owned()),
            items,
            not_calibrated,
            test_curves: Vec::new(),
            polytomous_cml: None,
        }
    }

    /// The document of a partial credit or rating scale fit by CML of the
    /// items read from `responses`, as a GPCM with unit slopes whose steps
    /// are the Andrich thresholds, with Andersen's test for the median
    /// split (or why it could not be run) and the persons' WLE by raw score.
    pub fn from_pcm(
        responses: &str,
        n_items: usize,
        fit: &PcmFit,
        andersen_lr: Result<AndersenLr, String>,
        person_parameters: Vec<ScoreTheta>,
    ) -> Self {
        let rows = fit
            .items
            .iter()
            .map(|item| ItemParamsRow {
                id: item.id.clone(),
                n: Some(item.presented),
                a: Some(1.0),
                b: Some(item.location.value),
                c: Some(0.0),
                d: Some(item.cumulative().iter().map(|d| -d).collect()),
                steps: Some(item.thresholds.iter().map(|t| t.value).collect()),
                se_steps: item.thresholds.iter().map(|t| t.se).collect(),
                se_a: None,
                se_b: item.location.se,
                se_c: None,
                fixed: false,
                flags: Vec::new(),
                fit: ItemFit::default(),
            })
            .collect();
        let (andersen_lr, andersen_lr_error) = match andersen_lr {
            Ok(lr) => (Some(lr), None),
            Err(why) => (None, Some(why)),
        };
        let run = (fit.n_persons_used, fit.conditional_log_likelihood);
        let steps = (fit.iterations, &fit.convergence);
        Self {
            polytomous_cml: Some(PolytomousCml {
                model: fit.model,
                category_thresholds: fit.category_thresholds.clone(),
                andersen_lr,
                andersen_lr_error,
                person_parameters,
            }),
            ..Self::cml(
                IrtModel::Gpcm,
                responses,
                n_items,
                run,
                steps,
                PCM_CML_SES,
                rows,
            )
        }
    }

    /// Writes the document as pretty JSON with a trailing newline.
    pub fn write(&self, out: impl Write, name: &str) -> Result<(), FormatError> {
        json::write_pretty(out, self, name)
    }

    /// Reads a document (or a hand-written parameter file with a `model`).
    pub fn read(input: impl Read, name: &str) -> Result<Self, FormatError> {
        json::read(input, name, "a calibration result")
    }

    /// What write-back needs of the document.
    pub fn to_record_input(&self) -> CalibrationInput {
        let count = |n: usize| u64::try_from(n).ok();
        CalibrationInput {
            model: self.model,
            n_persons: self.n_persons.and_then(count),
            estimation: self.estimation.map(|e| e.name().to_owned()),
            converged: self.converged,
            items: self
                .items
                .iter()
                .map(|row| CalibratedItem {
                    id: row.id.clone(),
                    n: row.n.and_then(count),
                    a: row.a,
                    b: row.b,
                    c: row.c,
                    se_a: row.se_a,
                    se_b: row.se_b,
                    se_c: row.se_c,
                    fixed: row.fixed,
                    flags: row.flags.iter().map(flag_name).collect(),
                })
                .collect(),
        }
    }

    fn rows(&self) -> impl Iterator<Item = &ItemParamsRow> {
        self.items.iter().chain(&self.not_calibrated)
    }

    /// The items as a table under a one-line account of the run.
    pub fn table(&self) -> String {
        let mut out = format!(
            "{} ({}) calibration of {}: {} persons, {} items; log-likelihood {:.4}; {} iterations; {}\n",
            self.model,
            self.estimation.map_or("", Estimation::name).to_uppercase(),
            self.responses.as_deref().unwrap_or_default(),
            self.n_persons.unwrap_or_default(),
            self.n_items.unwrap_or_default(),
            self.log_likelihood.unwrap_or(f64::NAN),
            self.iterations.unwrap_or_default(),
            if self.converged == Some(true) {
                "converged"
            } else {
                "NOT CONVERGED"
            }
        );
        if let (Some(priors), Some(log_posterior)) = (&self.priors, self.log_posterior) {
            let stated = describe_priors(priors);
            if self.estimation == Some(Estimation::Map) {
                out.push_str(&format!(
                    "MAP with priors {stated}; log-posterior {log_posterior:.4}\n"
                ));
            } else if stated.is_empty() {
                out.push_str("ML (the model has no item priors)\n");
            } else {
                out.push_str(&format!("ML: {stated}\n"));
            }
        }
        if let Some(extras) = &self.polytomous_cml {
            let lr = match (&extras.andersen_lr, &extras.andersen_lr_error) {
                (Some(lr), _) => format!(
                    "LR {:.3}, df {}, p {:.4} (score cut {})",
                    lr.lr, lr.df, lr.p_value, lr.cut
                ),
                (None, error) => format!("not computed: {}", error.as_deref().unwrap_or("")),
            };
            out.push_str(&format!(
                "{} model (a = 1; b = location, steps = Andrich thresholds); Andersen's test, median split: {lr}\n",
                extras.model
            ));
        }
        let mut t = Table::with_columns([
            Column::left("item", 16),
            Column::right("n", 7),
            Column::right("a", 9),
            Column::right("b", 9),
            Column::right("c", 7),
            Column::right("se_a", 8),
            Column::right("se_b", 8),
            Column::right("se_c", 8),
            Column::left("fit", 32).gap(2),
            Column::left("flags", 0),
        ]);
        for row in self.rows() {
            let [id, n, a, b, c, se_a, se_b, se_c, _, flags, fit] = cells(row);
            t.row([
                id,
                n,
                a,
                b,
                c,
                se_a,
                se_b,
                se_c,
                fit,
                flags.replace(';', ", "),
            ]);
        }
        out.push_str(&t.render());
        out
    }

    /// Writes the items as CSV.
    pub fn write_csv(&self, out: impl Write, name: &str) -> Result<(), FormatError> {
        csv_table::write(out, &CSV_HEADER, self.rows().map(cells), name)?;
        Ok(())
    }

    /// Reads the items of a calibration CSV back.
    pub fn read_csv(input: impl Read, name: &str) -> Result<Vec<CsvItem>, FormatError> {
        csv_table::read(input, name, &CSV_HEADER, CsvItem::from_record)
    }
}

/// The columns of the calibration CSV.
pub const CSV_HEADER: [&str; 11] = [
    "id", "n", "a", "b", "c", "se_a", "se_b", "se_c", "fixed", "flags", "fit",
];

/// A flag's name as the document writes it (`heywood_slope`, ...).
fn flag_name(flag: &ItemFlag) -> String {
    serde_json::to_value(flag).map_or_else(
        |_| String::new(),
        |v| v["flag"].to_string().replace('"', ""),
    )
}

/// A row's cells in [`CSV_HEADER`] order: numbers to 4 decimals (steps to
/// 3, joined by `/`), flags (`anchor` first for a fixed item) joined by `;`.
fn cells(row: &ItemParamsRow) -> [String; 11] {
    let num = |v: Option<f64>| v.map_or_else(String::new, |v| format!("{v:.4}"));
    let b = match &row.steps {
        Some(steps) => steps
            .iter()
            .map(|s| format!("{s:.3}"))
            .collect::<Vec<_>>()
            .join("/"),
        None => num(row.b),
    };
    let flags = row
        .fixed
        .then(|| "anchor".to_owned())
        .into_iter()
        .chain(row.flags.iter().map(flag_name));
    [
        row.id.to_string(),
        row.n.map_or_else(String::new, |n| n.to_string()),
        num(row.a),
        b,
        num(row.c),
        num(row.se_a),
        num(row.se_b),
        num(row.se_c),
        row.fixed.to_string(),
        flags.collect::<Vec<_>>().join(";"),
        row.fit.describe(),
    ]
}

/// One row of a calibration CSV as read back: the printed values.
#[derive(Debug, Clone, PartialEq)]
pub struct CsvItem {
    /// The item.
    pub id: ItemId,
    /// Persons presented the item.
    pub n: Option<usize>,
    /// Slope.
    pub a: Option<f64>,
    /// Difficulty, or the step difficulties of a polytomous item.
    pub b: Vec<f64>,
    /// Lower asymptote.
    pub c: Option<f64>,
    /// Standard errors of `a`, `b` and `c`.
    pub se: [Option<f64>; 3],
    /// Held fixed (an anchor).
    pub fixed: bool,
    /// The flag names (`anchor` first for a fixed item).
    pub flags: Vec<String>,
    /// The fit in words.
    pub fit: String,
}

impl CsvItem {
    fn from_record(r: &Record<'_>) -> Result<Self, FormatError> {
        let b = match r.text(3) {
            "" => Vec::new(),
            text => text
                .split('/')
                .map(str::parse)
                .collect::<Result<_, _>>()
                .map_err(|_| r.bad(3, "a number or steps joined by `/`"))?,
        };
        let flags = match r.text(9) {
            "" => Vec::new(),
            text => text.split(';').map(str::to_owned).collect(),
        };
        Ok(Self {
            id: ItemId::new(r.text(0)),
            n: r.optional(1, "a count")?,
            a: r.optional(2, "a number")?,
            b,
            c: r.optional(4, "a number")?,
            se: [
                r.optional(5, "a number")?,
                r.optional(6, "a number")?,
                r.optional(7, "a number")?,
            ],
            fixed: r.parse(8, "`true` or `false`")?,
            flags,
            fit: r.text(10).to_owned(),
        })
    }
}
