//! `exam score`: score submissions (raw response CSV or JSON) against the
//! forms' scoring keys and print or store the score reports.

use crate::forms_input::{ScoringInputArgs, ScoringInputs};
use crate::output::{Format, create, refuse_overwriting, stdout};
use anyhow::Context;
use exam_export::core::submission::Submission;
use exam_export::score_reports::{ScoreReportsWriter, ScoreSummary, SummarySpool};
use exam_export::scored_csv::ScoredCsvWriter;
use exam_export::scoring::matrix::ScoredRows;
use std::io::{self, BufWriter, Seek, SeekFrom, Write};
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
/// Submissions are read, scored and reported one at a time, and nothing
/// grows with their number: the reports go to `--out`, and the scored rows
/// to `--scored-out`, through temporary files renamed into place at the
/// end; stdout's JSON, CSV or table through an anonymous temporary file
/// copied out (the table rendered) at the end, so a bad submission prints
/// and writes nothing.
pub fn run(args: ScoreArgs) -> anyhow::Result<ExitCode> {
    let outputs: Vec<(&str, &std::path::Path)> =
        [("--out", &args.out), ("--scored-out", &args.scored_out)]
            .into_iter()
            .filter_map(|(flag, path)| Some((flag, path.as_deref()?)))
            .collect();
    refuse_overwriting(&outputs, &args.input.files())?;
    let ScoringInputs { rules, scorer, .. } = args.input.load()?;
    let mut stream = args.input.submission_stream(&scorer)?;
    let mut scored_out = match &args.scored_out {
        Some(path) => {
            let rows = ScoredRows::new(&scorer);
            let (staged, name) = create(path)?;
            let writer = ScoredCsvWriter::new(staged, rows.items(), &name)?;
            Some((rows, writer))
        }
        None => None,
    };
    let mut out_file = match &args.out {
        Some(path) => {
            let (staged, name) = create(path)?;
            Some(ScoreReportsWriter::new(
                staged,
                &name,
                &rules.id,
                &rules.version,
            )?)
        }
        None => None,
    };
    let mut json_spool = match args.format {
        Format::Json => {
            let spool = tempfile::tempfile().context("cannot create a temporary file")?;
            Some(ScoreReportsWriter::new(
                BufWriter::new(spool),
                "stdout",
                &rules.id,
                &rules.version,
            )?)
        }
        Format::Table | Format::Csv => None,
    };
    let mut summaries = match args.format {
        Format::Table | Format::Csv => {
            let spool = tempfile::tempfile().context("cannot create a temporary file")?;
            Some(SummarySpool::new(spool, "stdout")?)
        }
        Format::Json => None,
    };
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
        if let Some((rows, writer)) = &mut scored_out {
            writer.row(scored.candidate.as_str(), rows.row(&scored)?)?;
        }
        if let Some(w) = &mut out_file {
            w.write(&report)?;
        }
        if let Some(w) = &mut json_spool {
            w.write(&report)?;
        }
        if let Some(spool) = &mut summaries {
            spool.push(&ScoreSummary::of(&report))?;
        }
    }
    bar.finish_and_clear();
    if let Some((_, writer)) = scored_out {
        writer.finish()?.commit()?;
    }
    if let Some(w) = out_file {
        w.finish()?.commit()?;
    }
    let mut out = stdout();
    if let Some(w) = json_spool {
        let mut spool = w.finish()?.into_inner().map_err(|e| e.into_error())?;
        spool.seek(SeekFrom::Start(0))?;
        io::copy(&mut spool, &mut out)?;
    }
    if let Some(spool) = summaries {
        match args.format {
            Format::Csv => spool.write_csv(&mut out)?,
            Format::Table => {
                spool.write_table(&mut out)?;
                for line in cut_lines(&rules) {
                    writeln!(out, "{line}")?;
                }
            }
            Format::Json => {}
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// Where each passing standard came from, one line each; without any, the
/// line that says decisions are left empty.
fn cut_lines(rules: &exam_export::scoring::rules::ScoringRules) -> Vec<String> {
    if rules.passing.is_none() && rules.form_passing.is_empty() {
        return vec![
            "no passing standard (no cut in the scoring rules or the forms' blueprint): decisions are left empty".to_owned(),
        ];
    }
    let line = |scope: String, p: &exam_export::scoring::rules::PassingRule| {
        format!(
            "passing standard{scope}: raw cut {} ({})",
            p.raw_cut, p.source
        )
    };
    rules
        .passing
        .iter()
        .map(|p| line(String::new(), p))
        .chain(
            rules
                .form_passing
                .iter()
                .map(|(form, p)| line(format!(" of form {form}"), p)),
        )
        .collect()
}
