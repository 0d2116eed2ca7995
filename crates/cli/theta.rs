//! `exam theta`: ability for every person of a scored-response CSV from
//! given item parameters (scoring new candidates against a calibrated bank).

use crate::output::{Format, print_json};
use anyhow::Context;
use exam_core::irt::{ItemParams, ItemParamsFile};
use exam_core::responses::{CsvOptions, ResponseMatrix};
use exam_scoring::{Estimate, Method, MleOptions, NormalPrior, align_params, estimate_abilities};
use serde::Serialize;
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// Flags of `exam theta`.
#[derive(Debug, clap::Args)]
pub struct ThetaArgs {
    /// Scored response CSV: a header row, the person id, then one column per
    /// item; cells 1, 0, or empty (not presented).
    #[arg(long)]
    responses: PathBuf,
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
    let name = args.responses.display().to_string();
    let file = File::open(&args.responses).with_context(|| format!("cannot open {name}"))?;
    let matrix = ResponseMatrix::from_csv(
        BufReader::new(file),
        &name,
        CsvOptions {
            id_column: !args.no_id,
        },
    )?;
    let params_name = args.params.display().to_string();
    let text = std::fs::read_to_string(&args.params)
        .with_context(|| format!("cannot read {params_name}"))?;
    let file: ItemParamsFile = serde_json::from_str(&text)
        .with_context(|| format!("{params_name}: not a valid item parameter file"))?;
    let params = align_params(matrix.items(), &file)
        .with_context(|| format!("{name} and {params_name} do not name the same items"))?;
    Ok(Resolved {
        matrix,
        params,
        method,
        format: args.format,
    })
}

#[derive(Serialize)]
struct PersonOut<'a> {
    id: &'a str,
    theta: Option<f64>,
    se: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    at_bound: Option<bool>,
}

#[derive(Serialize)]
struct Report<'a> {
    #[serde(flatten)]
    method: &'a Method,
    n_persons: usize,
    n_items: usize,
    persons: Vec<PersonOut<'a>>,
}

/// Runs `exam theta`.
pub fn run(args: ThetaArgs) -> anyhow::Result<ExitCode> {
    let resolved = resolve(args)?;
    let estimates = estimate_abilities(&resolved.matrix, &resolved.params, &resolved.method)?;
    let is_mle = matches!(resolved.method, Method::Mle { .. });
    let persons: Vec<PersonOut<'_>> = resolved
        .matrix
        .persons()
        .iter()
        .zip(&estimates)
        .map(|(id, est): (_, &Option<Estimate>)| PersonOut {
            id: id.as_str(),
            theta: est.map(|e| e.theta),
            se: est.map(|e| e.se),
            at_bound: if is_mle {
                Some(est.is_some_and(|e| e.at_bound))
            } else {
                None
            },
        })
        .collect();
    match resolved.format {
        Format::Json => print_json(&Report {
            method: &resolved.method,
            n_persons: resolved.matrix.n_persons(),
            n_items: resolved.matrix.n_items(),
            persons,
        })?,
        Format::Csv => write_csv(&persons, is_mle)?,
        Format::Table => write_table(&persons, is_mle)?,
    }
    Ok(ExitCode::SUCCESS)
}

fn number(v: Option<f64>) -> String {
    v.map_or(String::new(), |x| format!("{x:.6}"))
}

fn write_csv(persons: &[PersonOut<'_>], is_mle: bool) -> anyhow::Result<()> {
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    writeln!(out, "id,theta,se{}", if is_mle { ",at_bound" } else { "" })?;
    for p in persons {
        write!(
            out,
            "{},{},{}",
            csv_field(p.id),
            number(p.theta),
            number(p.se)
        )?;
        if let Some(b) = p.at_bound {
            write!(out, ",{b}")?;
        }
        writeln!(out)?;
    }
    out.flush()?;
    Ok(())
}

fn write_table(persons: &[PersonOut<'_>], is_mle: bool) -> anyhow::Result<()> {
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let width = persons
        .iter()
        .map(|p| p.id.chars().count())
        .max()
        .unwrap_or(0)
        .max(2);
    write!(out, "{:<width$}  {:>10}  {:>10}", "id", "theta", "se")?;
    writeln!(out, "{}", if is_mle { "  at bound" } else { "" })?;
    for p in persons {
        write!(
            out,
            "{:<width$}  {:>10}  {:>10}",
            p.id,
            number(p.theta),
            number(p.se)
        )?;
        match p.at_bound {
            Some(true) => writeln!(out, "  yes")?,
            _ => writeln!(out)?,
        }
    }
    out.flush()?;
    Ok(())
}

/// Quotes a CSV field when it needs it.
fn csv_field(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_owned()
    }
}
