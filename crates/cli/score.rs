//! `exam score`: score submissions (raw response CSV or JSON) against the
//! forms' scoring keys and print or store the score reports.

use crate::forms_input::{ScoringInputArgs, ScoringInputs};
use crate::output::{Format, create, refuse_overwriting, stdout};
use anyhow::Context;
use exam_export::core::submission::Submission;
use exam_export::score_reports::{ScoreReportsDocument, ScoreSummary, summary_csv, summary_table};
use exam_export::scored_csv;
use exam_export::scoring::matrix::ScoredMatrixBuilder;
use std::io::Write;
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
    let mut csv_rows = summary_csv(Vec::new(), "stdout")?;
    let mut reports = Vec::new();
    let mut submission = Submission::new("", "");
    let bar = crate::progress::spinner("scoring");
    let mut count = 0u64;
    while stream.read_into(&mut submission)? {
        count += 1;
        if count % 1024 == 0 {
            bar.set_message(format!("scored {count} submissions"));
        }
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
            csv_rows.row(ScoreSummary::of(&report).cells())?;
        } else {
            reports.push(report);
        }
    }
    bar.finish_and_clear();
    if let (Some(path), Some(rows)) = (&args.scored_out, scored_rows) {
        let (mut file, name) = create(path)?;
        scored_csv::write(&mut file, &rows.build(), &name)?;
        file.commit()?;
    }
    let mut out = stdout();
    if csv_only {
        out.write_all(&csv_rows.finish()?)?;
        out.flush()?;
        return Ok(ExitCode::SUCCESS);
    }
    let doc = ScoreReportsDocument {
        scoring_rules: rules.id,
        scoring_rules_version: rules.version,
        reports,
    };
    if let Some(path) = &args.out {
        let (mut file, name) = create(path)?;
        doc.write(&mut file, &name)?;
        file.commit()?;
    }
    let summaries = || doc.reports.iter().map(ScoreSummary::of);
    match args.format {
        Format::Json => doc.write(out, "stdout")?,
        Format::Table => {
            write!(out, "{}", summary_table(&summaries().collect::<Vec<_>>()))?;
            out.flush()?;
        }
        Format::Csv => {
            let mut csv = summary_csv(out, "stdout")?;
            for s in summaries() {
                csv.row(s.cells())?;
            }
            csv.finish()?.flush()?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
