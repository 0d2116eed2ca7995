//! `exam calibrate`: IRT item parameters from a scored response file.

use crate::output::{Format, print_json};
use anyhow::{Context, bail};
use exam_core::ids::ItemId;
use exam_core::irt::{ItemParams, ItemParamsFile};
use exam_core::responses::{CsvOptions, ResponseMatrix};
use exam_stats::calibration::curves::{CurvePoint, test_curves};
use exam_stats::calibration::fit::{RaschItemFit, SX2, rasch_item_fit, s_x2};
use exam_stats::calibration::{
    AndersenLr, BetaPrior, Calibration, CalibrationOptions, CmlFit, Estimate, Estimation, ItemFlag,
    LogNormalPrior, Model, PcmFit, PolytomousRasch, ScoreSplit, ScoreTheta, andersen_lr,
    calibrate_with_progress, pcm_cml, rasch_cml, wle_score_table,
};
use serde::Serialize;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// The models `exam calibrate` fits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ModelArg {
    /// Rasch / 1PL by marginal ML: one common slope, θ ~ N(0, 1).
    Rasch,
    /// Rasch by conditional ML (as eRm), difficulties summing to zero.
    RaschCml,
    /// Masters' partial credit model by conditional ML (as eRm's PCM):
    /// Andrich thresholds per item, all category parameters summing to zero.
    PcmCml,
    /// Andrich's rating scale model by conditional ML (as eRm's RSM): one
    /// threshold pattern shifted by each item's location.
    RsmCml,
    /// Two-parameter logistic (MML; ML unless --prior-a sets a slope prior).
    #[value(name = "2pl")]
    TwoPl,
    /// Three-parameter logistic: MAP by default, with a lognormal(0, 0.5)
    /// prior on a and a Beta(6, 16) prior on c (BILOG-MG's); plain ML with
    /// --prior-a none --prior-c none.
    #[value(name = "3pl")]
    ThreePl,
    /// Generalized partial credit model (MML; ML unless --prior-a).
    Gpcm,
}

/// Flags of `exam calibrate`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Every statistic in the output (name, formula, source, missing-data handling) is defined in docs/statistics.md. Estimation: ML, or MAP when a prior is set (the 3pl by default: lognormal(0, 0.5) on a, Beta(6, 16) on c); the table header and the JSON (`estimation`, `priors`, `log_posterior`) say which."
)]
pub struct CalibrateArgs {
    /// The model.
    #[arg(long, value_enum)]
    model: ModelArg,
    /// Scored response CSV (header row; person id first unless --no-id).
    #[arg(long)]
    responses: PathBuf,
    /// The file has no person-id column: persons are numbered by row.
    #[arg(long)]
    no_id: bool,
    /// Item parameter JSON of anchor items held at their bank values
    /// (fixed-item calibration onto the bank scale).
    #[arg(long)]
    anchors: Option<PathBuf>,
    /// Gauss–Hermite quadrature points.
    #[arg(long, default_value_t = 61)]
    quadrature_points: usize,
    /// Skip standard errors (they cost two E-steps per parameter).
    #[arg(long)]
    no_se: bool,
    /// Prior on the slopes (2pl, 3pl, gpcm): `lognormal:MEAN_LOG,SD_LOG`
    /// (ln a ~ N(MEAN_LOG, SD_LOG²)) or `none`. Default: lognormal:0,0.5
    /// for the 3pl, none otherwise.
    #[arg(long, value_name = "lognormal:M,S|none", value_parser = parse_slope_prior)]
    prior_a: Option<PriorArg<LogNormalPrior>>,
    /// Prior on the lower asymptote c (3pl only): `beta:ALPHA,BETA` or
    /// `none`. Default: beta:6,16 (four options, BILOG-MG).
    #[arg(long, value_name = "beta:A,B|none", value_parser = parse_guessing_prior)]
    prior_c: Option<PriorArg<BetaPrior>>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

/// A prior given on the command line: a distribution or `none`.
#[derive(Debug, Clone, Copy)]
pub struct PriorArg<P>(Option<P>);

/// `NAME:X,Y` or `none` into `(X, Y)`.
fn prior_parameters(text: &str, name: &str) -> Result<Option<(f64, f64)>, String> {
    if text == "none" {
        return Ok(None);
    }
    let usage = || format!("expected `{name}:X,Y` or `none`, got `{text}`");
    let rest = text
        .strip_prefix(name)
        .and_then(|r| r.strip_prefix(':'))
        .ok_or_else(usage)?;
    let (x, y) = rest.split_once(',').ok_or_else(usage)?;
    let number = |v: &str| v.trim().parse::<f64>().map_err(|_| usage());
    Ok(Some((number(x)?, number(y)?)))
}

fn parse_slope_prior(text: &str) -> Result<PriorArg<LogNormalPrior>, String> {
    Ok(PriorArg(prior_parameters(text, "lognormal")?.map(
        |(mean_log, sd_log)| LogNormalPrior { mean_log, sd_log },
    )))
}

fn parse_guessing_prior(text: &str) -> Result<PriorArg<BetaPrior>, String> {
    Ok(PriorArg(
        prior_parameters(text, "beta")?.map(|(alpha, beta)| BetaPrior { alpha, beta }),
    ))
}

/// One item of the output, in the logistic metric with D = 1.
#[derive(Debug, Serialize)]
struct ItemRow {
    id: ItemId,
    n: usize,
    a: Option<f64>,
    b: Option<f64>,
    c: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    d: Option<Vec<f64>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    steps: Option<Vec<f64>>,
    /// Standard errors of the steps (Andrich thresholds of the CML models).
    #[serde(skip_serializing_if = "Option::is_none")]
    se_steps: Option<Vec<f64>>,
    se_a: Option<f64>,
    se_b: Option<f64>,
    se_c: Option<f64>,
    fixed: bool,
    flags: Vec<ItemFlag>,
    fit: Fit,
}

/// Item fit: S-X² for MML dichotomous models, infit/outfit for Rasch CML.
#[derive(Debug, Default, Serialize)]
struct Fit {
    #[serde(skip_serializing_if = "Option::is_none")]
    s_x2: Option<SX2>,
    #[serde(skip_serializing_if = "Option::is_none")]
    infit: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    outfit: Option<f64>,
}

impl Fit {
    fn describe(&self) -> String {
        match (self.s_x2, self.infit, self.outfit) {
            (Some(f), _, _) => format!("S-X2 {:.2} ({}) p {:.3}", f.statistic, f.df, f.p_value),
            (None, Some(i), Some(o)) => format!("infit {i:.3} outfit {o:.3}"),
            _ => String::new(),
        }
    }
}

#[derive(Debug, Serialize)]
struct Report {
    /// `rasch`, `2pl`, `3pl` or `gpcm`: with `items`, the shape of an item
    /// parameter file (`ItemParamsFile`), so scoring can read the output.
    model: &'static str,
    /// `ml` or `map` (marginal, by EM) or `cml`.
    estimation: &'static str,
    /// The priors on item parameters that apply to the model (null: none
    /// set); absent for CML.
    #[serde(skip_serializing_if = "Option::is_none")]
    priors: Option<serde_json::Map<String, serde_json::Value>>,
    responses: String,
    n_persons: usize,
    n_items: usize,
    log_likelihood: f64,
    /// The maximised objective under MAP: log-likelihood plus log priors.
    #[serde(skip_serializing_if = "Option::is_none")]
    log_posterior: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    aic: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    bic: Option<f64>,
    iterations: usize,
    converged: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    convergence: Option<exam_stats::calibration::Convergence>,
    #[serde(skip_serializing_if = "Option::is_none")]
    latent: Option<exam_stats::calibration::LatentDistribution>,
    standard_errors: String,
    /// The calibrated items, in input order.
    items: Vec<ItemRow>,
    /// Items without estimates (nobody presented, no variance, ...), with
    /// the reason in their flags.
    not_calibrated: Vec<ItemRow>,
    /// Test information, conditional SEM and expected score at the latent
    /// mean ± 4 SD in steps of 0.5 SD (MML only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    test_curves: Vec<CurvePoint>,
    /// Polytomous CML: the rating scale model's common category thresholds,
    /// Andersen's LR test for the median split, and person parameters by
    /// weighted likelihood for each raw score on the whole test.
    #[serde(skip_serializing_if = "Option::is_none")]
    polytomous_cml: Option<PolytomousCmlExtras>,
}

#[derive(Debug, Serialize)]
struct PolytomousCmlExtras {
    model: PolytomousRasch,
    #[serde(skip_serializing_if = "Option::is_none")]
    category_thresholds: Option<Vec<Estimate>>,
    /// Andersen's LR test for the median split (absent when it could not
    /// be run; `andersen_lr_error` says why).
    #[serde(skip_serializing_if = "Option::is_none")]
    andersen_lr: Option<AndersenLr>,
    #[serde(skip_serializing_if = "Option::is_none")]
    andersen_lr_error: Option<String>,
    /// Warm's weighted likelihood estimates by raw score over all items.
    person_parameters: Vec<ScoreTheta>,
}

/// Splits rows into calibrated and not calibrated, keeping input order.
fn split(rows: Vec<ItemRow>) -> (Vec<ItemRow>, Vec<ItemRow>) {
    rows.into_iter().partition(|row| row.a.is_some())
}

/// Runs `exam calibrate`.
pub fn run(args: CalibrateArgs) -> anyhow::Result<ExitCode> {
    let source = args.responses.display().to_string();
    let file =
        std::fs::File::open(&args.responses).with_context(|| format!("cannot open {source}"))?;
    let data = ResponseMatrix::from_csv(
        std::io::BufReader::new(file),
        &source,
        CsvOptions {
            id_column: !args.no_id,
        },
    )?;
    let anchors = match &args.anchors {
        Some(path) => read_anchors(path)?,
        None => Vec::new(),
    };
    let report = match args.model {
        ModelArg::RaschCml | ModelArg::PcmCml | ModelArg::RsmCml
            if args.prior_a.is_some() || args.prior_c.is_some() =>
        {
            bail!("--prior-a and --prior-c apply to MML models; CML has no priors")
        }
        ModelArg::RaschCml => {
            if !anchors.is_empty() {
                bail!(
                    "--anchors needs an MML model (rasch, 2pl, 3pl); CML has no latent scale to fix"
                );
            }
            cml_report(&source, &data, &rasch_cml(&data)?)
        }
        ModelArg::PcmCml | ModelArg::RsmCml => {
            if !anchors.is_empty() {
                bail!(
                    "--anchors needs an MML model (rasch, 2pl, 3pl); CML has no latent scale to fix"
                );
            }
            let model = if args.model == ModelArg::PcmCml {
                PolytomousRasch::PartialCredit
            } else {
                PolytomousRasch::RatingScale
            };
            pcm_report(&source, &data, &pcm_cml(&data, model)?)
        }
        model => {
            let model = match model {
                ModelArg::Rasch => Model::Rasch,
                ModelArg::TwoPl => Model::TwoPl,
                ModelArg::ThreePl => Model::ThreePl,
                _ => Model::Gpcm,
            };
            let mut options = CalibrationOptions::new(model);
            options.quadrature_points = args.quadrature_points;
            options.standard_errors = !args.no_se;
            options.anchors = anchors;
            if let Some(PriorArg(prior)) = args.prior_a {
                if model == Model::Rasch {
                    bail!("--prior-a: the rasch model has one common slope and no slope prior");
                }
                options.slope_prior = prior;
            }
            if let Some(PriorArg(prior)) = args.prior_c {
                if model != Model::ThreePl {
                    bail!("--prior-c: only the 3pl has a lower asymptote");
                }
                options.guessing_prior = prior;
            }
            let fit = with_progress(|progress| calibrate_with_progress(&data, &options, progress))?;
            mml_report(&source, &data, &fit)
        }
    };
    match args.format {
        Format::Json => print_json(&report)?,
        Format::Table | Format::Csv => print_table(&report, args.format == Format::Csv)?,
    }
    Ok(ExitCode::SUCCESS)
}

fn read_anchors(path: &PathBuf) -> anyhow::Result<Vec<(ItemId, ItemParams)>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let file: ItemParamsFile = serde_json::from_str(&text)
        .with_context(|| format!("{}: not an item parameter file", path.display()))?;
    Ok(file.items.into_iter().map(|e| (e.id, e.params)).collect())
}

/// Runs `f` with a spinner on stderr when stderr is a terminal.
fn with_progress<T>(f: impl FnOnce(&mut dyn FnMut(usize, f64)) -> T) -> T {
    if !std::io::stderr().is_terminal() {
        return f(&mut |_, _| {});
    }
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_message("calibrating");
    let result = f(&mut |step, loglik| {
        bar.set_message(format!("EM step {step}, log-likelihood {loglik:.3}"));
        bar.tick();
    });
    bar.finish_and_clear();
    result
}

fn mml_report(source: &str, data: &ResponseMatrix, fit: &Calibration) -> Report {
    let item_fit = s_x2(data, fit);
    let items = fit
        .items
        .iter()
        .zip(item_fit)
        .map(|(item, s_x2)| {
            let e = item.estimate.as_ref();
            let polytomous = e.is_some_and(|e| e.d.len() > 1);
            ItemRow {
                id: item.id.clone(),
                n: item.n,
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
                fit: Fit {
                    s_x2,
                    ..Fit::default()
                },
            }
        })
        .collect();
    let (items, not_calibrated) = split(items);
    let thetas: Vec<f64> = (-8..=8)
        .map(|i| fit.latent.mean + 0.5 * f64::from(i) * fit.latent.sd)
        .collect();
    Report {
        test_curves: test_curves(fit, &thetas),
        estimation: match fit.estimation {
            Estimation::Ml => "ml",
            Estimation::Map => "map",
        },
        priors: Some(prior_document(fit)),
        log_posterior: Some(fit.log_posterior),
        model: match fit.model {
            Model::Rasch => "rasch",
            Model::TwoPl => "2pl",
            Model::ThreePl => "3pl",
            _ => "gpcm",
        },
        responses: source.to_owned(),
        n_persons: fit.n_persons,
        n_items: data.n_items(),
        log_likelihood: fit.log_likelihood,
        aic: Some(fit.aic),
        bic: Some(fit.bic),
        iterations: fit.iterations,
        converged: fit.convergence.converged,
        convergence: Some(fit.convergence.clone()),
        latent: Some(fit.latent),
        standard_errors: fit.standard_errors.clone(),
        items,
        not_calibrated,
        polytomous_cml: None,
    }
}

/// `{"a": .., "c": ..}` with the priors the model can take, each a
/// distribution with its parameters or null.
fn prior_document(fit: &Calibration) -> serde_json::Map<String, serde_json::Value> {
    let mut out = serde_json::Map::new();
    if fit.model != Model::Rasch {
        out.insert("a".to_owned(), serde_json::json!(fit.priors.a));
    }
    if fit.model == Model::ThreePl {
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

fn cml_report(source: &str, data: &ResponseMatrix, fit: &CmlFit) -> Report {
    let item_fit = rasch_item_fit(data, fit);
    let items = fit
        .items
        .iter()
        .zip(item_fit)
        .map(|(item, rasch): (_, Option<RaschItemFit>)| ItemRow {
            id: item.id.clone(),
            n: item.presented,
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
            fit: Fit {
                s_x2: None,
                infit: rasch.map(|f| f.infit),
                outfit: rasch.map(|f| f.outfit),
            },
        })
        .collect();
    cml_document(
        source,
        data,
        CmlSummary {
            model: "rasch",
            n_persons: fit.n_persons_used,
            log_likelihood: fit.conditional_log_likelihood,
            iterations: fit.iterations,
            converged: fit.converged,
            standard_errors: "inverse observed information of the conditional likelihood, difficulties summing to zero",
        },
        items,
    )
}

/// What every CML report states besides its items.
struct CmlSummary {
    model: &'static str,
    n_persons: usize,
    log_likelihood: f64,
    iterations: usize,
    converged: bool,
    standard_errors: &'static str,
}

fn cml_document(
    source: &str,
    data: &ResponseMatrix,
    summary: CmlSummary,
    items: Vec<ItemRow>,
) -> Report {
    let (items, not_calibrated) = split(items);
    Report {
        test_curves: Vec::new(),
        model: summary.model,
        estimation: "cml",
        responses: source.to_owned(),
        n_persons: summary.n_persons,
        n_items: data.n_items(),
        log_likelihood: summary.log_likelihood,
        priors: None,
        log_posterior: None,
        aic: None,
        bic: None,
        iterations: summary.iterations,
        converged: summary.converged,
        convergence: None,
        latent: None,
        standard_errors: summary.standard_errors.to_owned(),
        items,
        not_calibrated,
        polytomous_cml: None,
    }
}

fn pcm_report(source: &str, data: &ResponseMatrix, fit: &PcmFit) -> Report {
    let items = fit
        .items
        .iter()
        .map(|item| ItemRow {
            id: item.id.clone(),
            n: item.presented,
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
            fit: Fit::default(),
        })
        .collect();
    let all: Vec<usize> = (0..fit.items.len()).collect();
    let lr = andersen_lr(data, fit, ScoreSplit::Median);
    let mut report = cml_document(
        source,
        data,
        CmlSummary {
            // A GPCM with unit slopes and the Andrich thresholds as steps.
            model: "gpcm",
            n_persons: fit.n_persons_used,
            log_likelihood: fit.conditional_log_likelihood,
            iterations: fit.iterations,
            converged: fit.converged,
            standard_errors: "inverse observed information of the conditional likelihood, carried to the thresholds and locations (category parameters summing to zero)",
        },
        items,
    );
    report.polytomous_cml = Some(PolytomousCmlExtras {
        model: fit.model,
        category_thresholds: fit.category_thresholds.clone(),
        andersen_lr_error: lr.as_ref().err().map(ToString::to_string),
        andersen_lr: lr.ok(),
        person_parameters: wle_score_table(fit, &all),
    });
    report
}

fn print_table(report: &Report, csv: bool) -> anyhow::Result<()> {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let num = |v: Option<f64>| v.map_or_else(String::new, |v| format!("{v:.4}"));
    if csv {
        writeln!(out, "id,n,a,b,c,se_a,se_b,se_c,fixed,flags,fit")?;
    } else {
        writeln!(
            out,
            "{} ({}) calibration of {}: {} persons, {} items; log-likelihood {:.4}; {} iterations; {}",
            report.model,
            report.estimation.to_uppercase(),
            report.responses,
            report.n_persons,
            report.n_items,
            report.log_likelihood,
            report.iterations,
            if report.converged {
                "converged"
            } else {
                "NOT CONVERGED"
            }
        )?;
        if let (Some(priors), Some(log_posterior)) = (&report.priors, report.log_posterior) {
            let stated = describe_priors(priors);
            if report.estimation == "map" {
                writeln!(
                    out,
                    "MAP with priors {stated}; log-posterior {log_posterior:.4}"
                )?;
            } else if stated.is_empty() {
                writeln!(out, "ML (the model has no item priors)")?;
            } else {
                writeln!(out, "ML: {stated}")?;
            }
        }
        if let Some(extras) = &report.polytomous_cml {
            let lr = match (&extras.andersen_lr, &extras.andersen_lr_error) {
                (Some(lr), _) => format!(
                    "LR {:.3}, df {}, p {:.4} (score cut {})",
                    lr.lr, lr.df, lr.p_value, lr.cut
                ),
                (None, error) => format!("not computed: {}", error.as_deref().unwrap_or("")),
            };
            writeln!(
                out,
                "{} model (a = 1; b = location, steps = Andrich thresholds); Andersen's test, median split: {lr}",
                extras.model
            )?;
        }
        writeln!(
            out,
            "{:<16} {:>7} {:>9} {:>9} {:>7} {:>8} {:>8} {:>8}  {:<32} flags",
            "item", "n", "a", "b", "c", "se_a", "se_b", "se_c", "fit"
        )?;
    }
    for row in report.items.iter().chain(&report.not_calibrated) {
        let b = match &row.steps {
            Some(steps) => steps
                .iter()
                .map(|s| format!("{s:.3}"))
                .collect::<Vec<_>>()
                .join("/"),
            None => num(row.b),
        };
        let flags: Vec<String> = row
            .flags
            .iter()
            .map(|f| {
                serde_json::to_value(f).map_or_else(
                    |_| String::new(),
                    |v| v["flag"].to_string().replace('"', ""),
                )
            })
            .collect();
        let flags = if row.fixed {
            std::iter::once("anchor".to_owned())
                .chain(flags)
                .collect::<Vec<_>>()
        } else {
            flags
        };
        if csv {
            writeln!(
                out,
                "{},{},{},{},{},{},{},{},{},{},\"{}\"",
                row.id,
                row.n,
                num(row.a),
                b,
                num(row.c),
                num(row.se_a),
                num(row.se_b),
                num(row.se_c),
                row.fixed,
                flags.join(";"),
                row.fit.describe()
            )?;
        } else {
            writeln!(
                out,
                "{:<16} {:>7} {:>9} {:>9} {:>7} {:>8} {:>8} {:>8}  {:<32} {}",
                row.id.as_str(),
                row.n,
                num(row.a),
                b,
                num(row.c),
                num(row.se_a),
                num(row.se_b),
                num(row.se_c),
                row.fit.describe(),
                flags.join(", ")
            )?;
        }
    }
    out.flush()?;
    Ok(())
}
