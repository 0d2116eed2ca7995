//! `exam calibrate`: IRT item parameters from a scored response file.

use crate::output::{Format, print_json};
use anyhow::{Context, bail};
use exam_core::ids::ItemId;
use exam_core::irt::{ItemParams, ItemParamsFile};
use exam_core::responses::{CsvOptions, ResponseMatrix};
use exam_stats::calibration::curves::{CurvePoint, test_curves};
use exam_stats::calibration::fit::{RaschItemFit, SX2, rasch_item_fit, s_x2};
use exam_stats::calibration::{
    Calibration, CalibrationOptions, CmlFit, ItemFlag, Model, calibrate_with_progress, rasch_cml,
};
use serde::Serialize;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// The models `exam calibrate` fits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ModelArg {
    /// Rasch / 1PL by marginal ML: one common slope, θ ~ N(0, 1).
    Rasch,
    /// Rasch by conditional ML (as eRm), difficulties summing to zero.
    RaschCml,
    /// Two-parameter logistic (MML).
    #[value(name = "2pl")]
    TwoPl,
    /// Three-parameter logistic (MML, Beta(6, 16) prior on c).
    #[value(name = "3pl")]
    ThreePl,
    /// Generalized partial credit model (MML).
    Gpcm,
}

/// Flags of `exam calibrate`.
#[derive(Debug, clap::Args)]
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
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
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
    /// `mml` or `cml`.
    estimation: &'static str,
    responses: String,
    n_persons: usize,
    n_items: usize,
    log_likelihood: f64,
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
        ModelArg::RaschCml => {
            if !anchors.is_empty() {
                bail!(
                    "--anchors needs an MML model (rasch, 2pl, 3pl); CML has no latent scale to fix"
                );
            }
            cml_report(&source, &data, &rasch_cml(&data)?)
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

/// Runs `f` with a spinner on stderr showing the EM cycle, the
/// log-likelihood and its change (nothing when stderr is not a terminal).
fn with_progress<T>(f: impl FnOnce(&mut dyn FnMut(usize, f64)) -> T) -> T {
    let bar = crate::progress::spinner("calibrating");
    let mut previous: Option<f64> = None;
    let result = f(&mut |step, loglik| {
        let change = previous.map_or_else(String::new, |p| format!(", change {:+.2e}", loglik - p));
        previous = Some(loglik);
        bar.set_message(format!(
            "EM cycle {step}, log-likelihood {loglik:.3}{change}"
        ));
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
        estimation: "mml",
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
    }
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
    let (items, not_calibrated) = split(items);
    Report {
        test_curves: Vec::new(),
        model: "rasch",
        estimation: "cml",
        responses: source.to_owned(),
        n_persons: fit.n_persons_used,
        n_items: data.n_items(),
        log_likelihood: fit.conditional_log_likelihood,
        aic: None,
        bic: None,
        iterations: fit.iterations,
        converged: fit.converged,
        convergence: None,
        latent: None,
        standard_errors:
            "inverse observed information of the conditional likelihood, difficulties summing to zero"
                .to_owned(),
        items,
        not_calibrated,
    }
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
