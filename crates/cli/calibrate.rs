//! `exam calibrate`: IRT item parameters from a scored response file.

use crate::output::{Format, open, stdout};
use crate::responses_arg::ScoredResponsesArg;
use anyhow::bail;
use exam_export::calibration::CalibrationDocument;
use exam_export::core::ids::ItemId;
use exam_export::core::irt::ItemParams;
use exam_export::core::responses::CsvOptions;
use exam_export::params::ParamsDocument;
use exam_export::scored_responses;
use exam_export::stats::calibration::curves::test_curves;
use exam_export::stats::calibration::fit::{DEFAULT_FIT_MAX_ITEMS, rasch_item_fit, s_x2};
use exam_export::stats::calibration::{
    BetaPrior, CalibrationOptions, Estimator, IrtModel, LogNormalPrior, PolytomousRasch,
    ScoreSplit, andersen_lr, calibrate_with_progress, check_memory, parse_prior, pcm_cml,
    rasch_cml, wle_score_table,
};
use exam_export::stats::summary::MEMORY_LIMIT;
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

impl ModelArg {
    /// The model fitted by MML; `None` for the CML models.
    fn mml_model(self) -> Option<IrtModel> {
        match self {
            ModelArg::Rasch => Some(IrtModel::Rasch),
            ModelArg::RaschCml | ModelArg::PcmCml | ModelArg::RsmCml => None,
            ModelArg::TwoPl => Some(IrtModel::TwoPl),
            ModelArg::ThreePl => Some(IrtModel::ThreePl),
            ModelArg::Gpcm => Some(IrtModel::Gpcm),
        }
    }

    /// The polytomous Rasch model fitted by CML; `None` for Rasch CML and
    /// the MML models.
    fn polytomous_rasch(self) -> Option<PolytomousRasch> {
        match self {
            ModelArg::PcmCml => Some(PolytomousRasch::PartialCredit),
            ModelArg::RsmCml => Some(PolytomousRasch::RatingScale),
            ModelArg::Rasch
            | ModelArg::RaschCml
            | ModelArg::TwoPl
            | ModelArg::ThreePl
            | ModelArg::Gpcm => None,
        }
    }
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
    #[command(flatten)]
    responses: ScoredResponsesArg,
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
    /// Most EM iterations (MML models); a run that stops there has not
    /// converged (exit status 3).
    #[arg(long, default_value_t = CalibrationOptions::new(IrtModel::TwoPl).max_iterations)]
    max_iterations: usize,
    /// Skip standard errors.
    #[arg(long)]
    no_se: bool,
    /// Item fit: `sx2` (S-X², the MML models), `infit` (infit and outfit,
    /// rasch-cml) or `none`. Default: the model's statistic for tests up to
    /// 2,000 items, none above (S-X² grows with items squared).
    #[arg(long, value_enum)]
    fit: Option<FitArg>,
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

/// The `--fit` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FitArg {
    /// No item fit.
    None,
    /// Orlando and Thissen's S-X² (MML models).
    Sx2,
    /// Infit and outfit mean squares (rasch-cml).
    Infit,
}

impl FitArg {
    /// The statistic `--fit` asks for, or the model's own (`own`) when the
    /// flag is absent and the test has at most [`DEFAULT_FIT_MAX_ITEMS`]
    /// items; an error when it asks for another model's statistic.
    fn resolve(choice: Option<Self>, own: Self, n_items: usize) -> anyhow::Result<bool> {
        match choice {
            None => Ok(n_items <= DEFAULT_FIT_MAX_ITEMS),
            Some(FitArg::None) => Ok(false),
            Some(f) if f == own => Ok(true),
            Some(FitArg::Sx2) => bail!(
                "--fit sx2: S-X² is computed for the MML models (rasch, 2pl, 3pl, gpcm); use --fit infit"
            ),
            Some(_) => {
                bail!("--fit infit: infit and outfit are computed for rasch-cml; use --fit sx2")
            }
        }
    }
}

/// A prior given on the command line: a distribution or `none`.
#[derive(Debug, Clone, Copy)]
pub struct PriorArg<P>(Option<P>);

fn parse_slope_prior(text: &str) -> Result<PriorArg<LogNormalPrior>, String> {
    parse_prior(text).map(PriorArg)
}

fn parse_guessing_prior(text: &str) -> Result<PriorArg<BetaPrior>, String> {
    parse_prior(text).map(PriorArg)
}

/// Runs `exam calibrate`.
pub fn run(args: CalibrateArgs) -> anyhow::Result<ExitCode> {
    let responses = args.responses.path()?;
    let (file, source) = open(responses)?;
    let data = scored_responses::read(
        file,
        responses,
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
            if args.prior_a.is_some() || args.prior_c.is_some() {
                bail!("--prior-a and --prior-c apply to MML models; CML has no priors");
            }
            if !anchors.is_empty() {
                bail!(
                    "--anchors needs an MML model (rasch, 2pl, 3pl); CML has no latent scale to fix"
                );
            }
            if args.model != ModelArg::RaschCml && args.fit.is_some_and(|f| f != FitArg::None) {
                bail!(
                    "--fit: pcm-cml and rsm-cml report no item fit (use --fit none or leave it out)"
                );
            }
            check_memory(&data, Estimator::Cml, MEMORY_LIMIT)?;
            match args.model.polytomous_rasch() {
                Some(model) => {
                    let fit = pcm_cml(&data, model)?;
                    let lr =
                        andersen_lr(&data, &fit, ScoreSplit::Median).map_err(|e| e.to_string());
                    let all: Vec<usize> = (0..fit.items.len()).collect();
                    let persons = wle_score_table(&fit, &all);
                    CalibrationDocument::from_pcm(&source, data.n_items(), &fit, lr, persons)
                }
                None => {
                    let with_fit = FitArg::resolve(args.fit, FitArg::Infit, data.n_items())?;
                    let fit = rasch_cml(&data)?;
                    let item_fit = if with_fit {
                        rasch_item_fit(&data, &fit)
                    } else {
                        vec![None; fit.items.len()]
                    };
                    CalibrationDocument::from_cml(&source, data.n_items(), &fit, item_fit)
                }
            }
        }
        Some(model) => {
            let with_fit = FitArg::resolve(args.fit, FitArg::Sx2, data.n_items())?;
            let mut options = CalibrationOptions::new(model);
            options.quadrature_points = args.quadrature_points;
            options.max_iterations = args.max_iterations;
            options.standard_errors = !args.no_se;
            options.anchors = anchors;
            if let Some(PriorArg(prior)) = args.prior_a {
                options.priors.a = prior;
            }
            if let Some(PriorArg(prior)) = args.prior_c {
                options.priors.c = prior;
            }
            check_memory(&data, Estimator::Mml(&options), MEMORY_LIMIT)?;
            let fit = with_progress(|progress| calibrate_with_progress(&data, &options, progress))?;
            let item_fit = if with_fit {
                s_x2(&data, &fit)
            } else {
                vec![None; fit.items.len()]
            };
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
    if report.converged == Some(false) {
        eprintln!(
            "warning: the calibration did not converge; its estimates are not final (exit status 3)"
        );
        return Ok(ExitCode::from(NOT_CONVERGED));
    }
    Ok(ExitCode::SUCCESS)
}

/// Exit status of a calibration that did not converge (its output is
/// still written, with `converged: false`).
const NOT_CONVERGED: u8 = 3;

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
