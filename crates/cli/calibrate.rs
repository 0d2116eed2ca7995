//! `exam calibrate`: IRT item parameters from a scored response file.

use crate::output::{Format, open, stdout};
use anyhow::bail;
use exam_core::ids::ItemId;
use exam_core::irt::ItemParams;
use exam_core::responses::CsvOptions;
use exam_export::calibration::CalibrationDocument;
use exam_export::params::ParamsDocument;
use exam_export::scored_csv;
use exam_stats::calibration::curves::test_curves;
use exam_stats::calibration::fit::{rasch_item_fit, s_x2};
use exam_stats::calibration::{CalibrationOptions, IrtModel, calibrate_with_progress, rasch_cml};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The `--model` values: an IRT model with its estimation method.
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

impl ModelArg {
    /// The model fitted by MML; `None` for Rasch by CML.
    fn mml_model(self) -> Option<IrtModel> {
        match self {
            ModelArg::Rasch => Some(IrtModel::Rasch),
            ModelArg::RaschCml => None,
            ModelArg::TwoPl => Some(IrtModel::TwoPl),
            ModelArg::ThreePl => Some(IrtModel::ThreePl),
            ModelArg::Gpcm => Some(IrtModel::Gpcm),
        }
    }
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

/// Runs `exam calibrate`.
pub fn run(args: CalibrateArgs) -> anyhow::Result<ExitCode> {
    let (file, source) = open(&args.responses)?;
    let data = scored_csv::read(
        file,
        &source,
        CsvOptions {
            id_column: !args.no_id,
        },
    )?;
    let anchors = match &args.anchors {
        Some(path) => read_anchors(path)?,
        None => Vec::new(),
    };
    let report = match args.model.mml_model() {
        None => {
            if !anchors.is_empty() {
                bail!(
                    "--anchors needs an MML model (rasch, 2pl, 3pl); CML has no latent scale to fix"
                );
            }
            let fit = rasch_cml(&data)?;
            let item_fit = rasch_item_fit(&data, &fit);
            CalibrationDocument::from_cml(&source, data.n_items(), &fit, item_fit)
        }
        Some(model) => {
            let mut options = CalibrationOptions::new(model);
            options.quadrature_points = args.quadrature_points;
            options.standard_errors = !args.no_se;
            options.anchors = anchors;
            let fit = with_progress(|progress| calibrate_with_progress(&data, &options, progress))?;
            let item_fit = s_x2(&data, &fit);
            let thetas: Vec<f64> = (-8..=8)
                .map(|i| fit.latent.mean + 0.5 * f64::from(i) * fit.latent.sd)
                .collect();
            let curves = test_curves(&fit, &thetas);
            CalibrationDocument::from_mml(&source, data.n_items(), &fit, item_fit, curves)
        }
    };
    let mut out = stdout();
    match args.format {
        Format::Json => report.write(out, "stdout")?,
        Format::Csv => report.write_csv(out, "stdout")?,
        Format::Table => {
            write!(out, "{}", report.table())?;
            out.flush()?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn read_anchors(path: &Path) -> anyhow::Result<Vec<(ItemId, ItemParams)>> {
    let (file, name) = open(path)?;
    let doc = ParamsDocument::read(file, &name)?;
    Ok(doc.items.into_iter().map(|e| (e.id, e.params)).collect())
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
