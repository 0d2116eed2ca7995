//! `exam theta`: ability for every person of a scored-response CSV from
//! given item parameters (scoring new candidates against a calibrated bank).

use crate::output::{Format, open, stdout};
use crate::responses_arg::ScoredResponsesArg;
use anyhow::Context;
use exam_export::core::irt::ItemParams;
use exam_export::core::responses::{CsvOptions, ResponseMatrix};
use exam_export::params::ParamsDocument;
use exam_export::scored_responses;
use exam_export::scoring::{
    Estimate, Method, MleOptions, NormalPrior, align_params, estimate_abilities,
};
use exam_export::theta::{PersonTheta, ThetaDocument};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Flags of `exam theta`.
#[derive(Debug, clap::Args)]
pub struct ThetaArgs {
    #[command(flatten)]
    responses: ScoredResponsesArg,
    /// Item parameter JSON: {"items": [{"id", "a", "b", "c"}]} (logistic,
    /// D = 1; 0 < a <= 50, |b| <= 50, 0 <= c < 1, c optional). It must name
    /// exactly the items of the CSV.
    #[arg(long)]
    params: PathBuf,
    /// The CSV has no id column: persons are numbered by row from 1.
    #[arg(long)]
    no_id: bool,
    /// Estimator: EAP (with posterior SD), MAP or MLE (fenced at ±θmax).
    #[arg(long, value_enum, default_value_t = MethodArg::Eap)]
    method: MethodArg,
    /// Mean of the normal prior (EAP and MAP), in [-20, 20].
    #[arg(long, default_value_t = 0.0, allow_negative_numbers = true)]
    prior_mean: f64,
    /// Standard deviation of the normal prior (EAP and MAP), in [0.01, 10].
    #[arg(long, default_value_t = 1.0)]
    prior_sd: f64,
    /// MLE fence: estimates lie in [−θmax, θmax]; θmax in (0, 50].
    #[arg(long, default_value_t = 6.0)]
    theta_max: f64,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

/// The estimators offered on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum MethodArg {
    /// Expected a posteriori, SE = posterior SD.
    Eap,
    /// Maximum a posteriori, SE from the posterior's curvature.
    Map,
    /// Maximum likelihood, SE from the test information.
    Mle,
}

/// The flags resolved: files read and checked.
struct Resolved {
    matrix: ResponseMatrix,
    params: Vec<ItemParams>,
    method: Method,
    format: Format,
}

fn resolve(args: ThetaArgs) -> anyhow::Result<Resolved> {
    let prior =
        NormalPrior::new(args.prior_mean, args.prior_sd).context("--prior-mean/--prior-sd")?;
    let method = match args.method {
        MethodArg::Eap => Method::Eap { prior },
        MethodArg::Map => Method::Map { prior },
        MethodArg::Mle => Method::Mle {
            options: MleOptions::new(args.theta_max).context("--theta-max")?,
        },
    };
    let responses = args.responses.path()?;
    let (file, name) = open(responses)?;
    let matrix = scored_responses::read(
        file,
        responses,
        CsvOptions {
            id_column: !args.no_id,
        },
    )?;
    let (file, params_name) = open(&args.params)?;
    let doc = ParamsDocument::read(file, &params_name)?;
    let params = align_params(matrix.items(), &doc.items)
        .with_context(|| format!("{name} and {params_name} do not name the same items"))?;
    Ok(Resolved {
        matrix,
        params,
        method,
        format: args.format,
    })
}

/// Runs `exam theta`.
pub fn run(args: ThetaArgs) -> anyhow::Result<ExitCode> {
    let resolved = resolve(args)?;
    let bar = crate::progress::spinner(format!(
        "estimating the abilities of {} persons",
        resolved.matrix.n_persons()
    ));
    let estimates = estimate_abilities(&resolved.matrix, &resolved.params, &resolved.method);
    bar.finish_and_clear();
    let estimates = estimates?;
    let is_mle = matches!(resolved.method, Method::Mle { .. });
    let persons = resolved
        .matrix
        .persons()
        .iter()
        .zip(&estimates)
        .map(|(id, est): (_, &Option<Estimate>)| PersonTheta {
            id: id.clone(),
            theta: est.map(|e| e.theta),
            se: est.map(|e| e.se),
            at_bound: is_mle.then(|| est.is_some_and(|e| e.at_bound)),
        })
        .collect();
    let doc = ThetaDocument {
        method: resolved.method,
        n_persons: resolved.matrix.n_persons(),
        n_items: resolved.matrix.n_items(),
        persons,
    };
    let mut out = stdout();
    match resolved.format {
        Format::Json => doc.write(out, "stdout")?,
        Format::Csv => doc.write_csv(out, "stdout")?,
        Format::Table => {
            write!(out, "{}", doc.table())?;
            out.flush()?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
