//! `exam score`: score submissions (raw response CSV or JSON) against the
//! forms' scoring keys and print or store the score reports.

use crate::forms_input::{ScoringInputArgs, ScoringInputs};
use crate::output::{Format, print_json, refuse_overwriting};
use anyhow::Context;
use exam_core::responses::{Cell, ResponseMatrix};
use exam_core::submission::Submission;
use exam_scoring::matrix::ScoredMatrixBuilder;
use exam_scoring::report::ScoreReport;
use serde::Serialize;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// Flags of `exam score`.
#[derive(Debug, clap::Args)]
pub struct ScoreArgs {
    #[command(flatten)]
    input: ScoringInputArgs,
    /// Write the full score reports (JSON) to this file.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Write the scored response matrix (DESIGN.md's scored CSV: candidate,
    /// then one column per item of any form; 1 for full credit, 0 otherwise
    /// or omitted, empty when not on the form or not reached), pretest
    /// items included, for `exam theta` and item statistics.
    #[arg(long)]
    scored_out: Option<PathBuf>,
    /// Output format on stdout.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

#[derive(Serialize)]
struct ReportsOut<'a> {
    scoring_rules: &'a str,
    scoring_rules_version: &'a str,
    reports: &'a [ScoreReport],
}

/// The summary row of one candidate.
pub fn summary_row(r: &ScoreReport) -> [String; 9] {
    let opt = |v: Option<f64>, digits: usize| v.map_or(String::new(), |x| format!("{x:.digits$}"));
    [
        r.candidate.to_string(),
        r.form.to_string(),
        format!("{:.2}", r.raw),
        format!("{:.2}", r.max),
        opt(r.percent, 1),
        r.scaled.map_or(String::new(), |s| s.to_string()),
        opt(r.theta.as_ref().map(|t| t.theta), 3),
        opt(r.theta.as_ref().map(|t| t.se), 3),
        r.decision.as_ref().map_or(String::new(), |d| {
            if d.passed { "pass" } else { "fail" }.into()
        }),
    ]
}

const HEADER: [&str; 9] = [
    "candidate",
    "form",
    "raw",
    "max",
    "percent",
    "scaled",
    "theta",
    "se",
    "decision",
];

/// Prints rows as an aligned table or CSV.
pub fn print_rows(header: &[&str], rows: &[Vec<String>], csv: bool) -> anyhow::Result<()> {
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    if csv {
        let mut w = ::csv::Writer::from_writer(&mut out);
        w.write_record(header)?;
        for row in rows {
            w.write_record(row)?;
        }
        w.flush()?;
    } else {
        let mut widths: Vec<usize> = header.iter().map(|h| h.len()).collect();
        for row in rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.chars().count());
            }
        }
        let line = |cells: Vec<&str>| {
            cells
                .iter()
                .zip(&widths)
                .map(|(c, w)| format!("{c:<w$}"))
                .collect::<Vec<_>>()
                .join("  ")
        };
        writeln!(out, "{}", line(header.to_vec()).trim_end())?;
        for row in rows {
            writeln!(
                out,
                "{}",
                line(row.iter().map(String::as_str).collect()).trim_end()
            )?;
        }
    }
    out.flush()?;
    Ok(())
}

/// Writes a value as pretty JSON to a file.
pub fn write_json_file<T: Serialize>(path: &PathBuf, value: &T) -> anyhow::Result<()> {
    let file = File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    let mut w = BufWriter::new(file);
    serde_json::to_writer_pretty(&mut w, value)?;
    writeln!(w)?;
    w.flush()
        .with_context(|| format!("cannot write {}", path.display()))
}

/// Writes a scored response matrix as DESIGN.md's scored CSV.
fn write_scored_csv(path: &PathBuf, matrix: &ResponseMatrix) -> anyhow::Result<()> {
    let file = File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    let mut w = ::csv::Writer::from_writer(BufWriter::new(file));
    let mut row: Vec<String> = vec!["candidate".into()];
    row.extend(matrix.items().iter().map(|i| i.to_string()));
    w.write_record(&row)?;
    for (p, person) in matrix.persons().iter().enumerate() {
        row.clear();
        row.push(person.to_string());
        row.extend((0..matrix.n_items()).map(|i| match matrix.cell(p, i) {
            Cell::Score(s) => s.to_string(),
            Cell::Omitted => "0".to_owned(),
            Cell::NotPresented => String::new(),
        }));
        w.write_record(&row)?;
    }
    w.flush()
        .with_context(|| format!("cannot write {}", path.display()))
}

/// Runs `exam score`.
///
/// Submissions are read, scored and reported one at a time; only what the
/// output needs is kept: the CSV summary rows (printed once every
/// submission has been scored, so a bad one prints nothing), the reports
/// for JSON, a table or `--out`, and the scored matrix for `--scored-out`.
pub fn run(args: ScoreArgs) -> anyhow::Result<ExitCode> {
    let outputs: Vec<(&str, &std::path::Path)> =
        [("--out", &args.out), ("--scored-out", &args.scored_out)]
            .into_iter()
            .filter_map(|(flag, path)| Some((flag, path.as_deref()?)))
            .collect();
    refuse_overwriting(&outputs, &args.input.files())?;
    let ScoringInputs { rules, scorer, .. } = args.input.load()?;
    let mut stream = args.input.submission_stream(&scorer)?;
    let mut scored_rows = match &args.scored_out {
        Some(_) => Some(ScoredMatrixBuilder::new(&scorer)?),
        None => None,
    };
    let csv_only = args.format == Format::Csv && args.out.is_none();
    let mut csv_rows = ::csv::Writer::from_writer(Vec::new());
    if csv_only {
        csv_rows.write_record(HEADER)?;
    }
    let mut reports = Vec::new();
    let mut submission = Submission::new("", "");
    while stream.read_into(&mut submission)? {
        let form = scorer
            .scorer_for(&submission)
            .with_context(|| args.input.bad_submission())?;
        let scored = form
            .score(&submission)
            .with_context(|| args.input.bad_submission())?;
        let report = form.report(&scored);
        if let Some(rows) = &mut scored_rows {
            rows.push(&scored)?;
        }
        if csv_only {
            csv_rows.write_record(summary_row(&report))?;
        } else {
            reports.push(report);
        }
    }
    if let (Some(path), Some(rows)) = (&args.scored_out, scored_rows) {
        write_scored_csv(path, &rows.build())?;
    }
    if csv_only {
        let bytes = csv_rows.into_inner().map_err(|e| e.into_error())?;
        let mut out = io::stdout().lock();
        out.write_all(&bytes)?;
        out.flush()?;
        return Ok(ExitCode::SUCCESS);
    }
    let out = ReportsOut {
        scoring_rules: &rules.id,
        scoring_rules_version: &rules.version,
        reports: &reports,
    };
    if let Some(path) = &args.out {
        write_json_file(path, &out)?;
    }
    match args.format {
        Format::Json => print_json(&out)?,
        Format::Table | Format::Csv => {
            let rows: Vec<Vec<String>> = reports.iter().map(|r| summary_row(r).into()).collect();
            print_rows(&HEADER, &rows, args.format == Format::Csv)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
