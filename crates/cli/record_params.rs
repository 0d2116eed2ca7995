//! `exam record-params`: write calibrated IRT parameters, with their
//! provenance, into the bank's item files. The only way calibration results
//! reach the bank; `--dry-run` shows the changes without writing.

use crate::output::{Format, print_json};
use exam_export::calibration::CalibrationDocument;
use exam_export::core::bank::record::{ParamChange, RecordOptions, plan};
use exam_export::core::ids::ItemId;
use exam_export::core::item::IrtStats;
use serde::Serialize;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Flags of `exam record-params`.
#[derive(Debug, clap::Args)]
pub struct RecordParamsArgs {
    /// The bank directory whose item files are updated.
    #[arg(long)]
    bank: PathBuf,
    /// The calibration result (`exam calibrate --format json`).
    #[arg(long)]
    params: PathBuf,
    /// The response data set the calibration used.
    #[arg(long)]
    dataset: String,
    /// The calibration date, YYYY-MM-DD (given, not read from the clock).
    #[arg(long)]
    date: String,
    /// Sample size for every item (default: each item's `n`, else `n_persons`).
    #[arg(long)]
    sample_size: Option<u32>,
    /// Description of the run (default: the estimation method and model).
    #[arg(long)]
    run: Option<String>,
    /// Record estimates the calibration flagged (Heywood slope, at a bound,
    /// ...) after reviewing them; without it they are refused.
    #[arg(long)]
    accept_flagged: bool,
    /// Show the changes without writing.
    #[arg(long)]
    dry_run: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

#[derive(Debug, Serialize)]
struct Report<'a> {
    bank: String,
    written: bool,
    files: Vec<String>,
    updated: &'a [ParamChange],
    skipped_fixed: &'a [ItemId],
}

/// Runs `exam record-params`.
pub fn run(args: RecordParamsArgs) -> anyhow::Result<ExitCode> {
    let (file, name) = crate::output::open(&args.params)?;
    let calibration = CalibrationDocument::read(file, &name)?.to_record_input();
    let options = RecordOptions {
        dataset: args.dataset,
        date: args.date,
        sample_size: args.sample_size,
        run: args.run,
        accept_flagged: args.accept_flagged,
    };
    let plan = plan(&args.bank, &calibration, &options)?;
    for item in calibration.items.iter().filter(|i| !i.fixed) {
        for flag in &item.flags {
            eprintln!(
                "warning: item {} recorded although flagged `{}` (--accept-flagged)",
                item.id, flag
            );
        }
    }
    if !args.dry_run {
        plan.write()?;
    }
    let report = Report {
        bank: args.bank.display().to_string(),
        written: !args.dry_run,
        files: plan.files().map(|p| p.display().to_string()).collect(),
        updated: &plan.changes,
        skipped_fixed: &plan.skipped_fixed,
    };
    match args.format {
        Format::Json => print_json(&report)?,
        Format::Table | Format::Csv => print_table(&report)?,
    }
    Ok(ExitCode::SUCCESS)
}

fn describe(stats: Option<&IrtStats>) -> String {
    stats.map_or_else(
        || "none".to_owned(),
        |s| format!("{} a {:.4} b {:.4} c {:.4}", s.model, s.a, s.b, s.c),
    )
}

fn print_table(report: &Report<'_>) -> anyhow::Result<()> {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for change in report.updated {
        writeln!(
            out,
            "{:<16} {} -> {}",
            change.id.as_str(),
            describe(change.old.as_ref()),
            describe(Some(&change.new))
        )?;
    }
    for id in report.skipped_fixed {
        writeln!(out, "{:<16} anchor, held fixed: not recorded", id.as_str())?;
    }
    writeln!(
        out,
        "{} item(s) {} in {} file(s) of {}",
        report.updated.len(),
        if report.written {
            "updated"
        } else {
            "would be updated (dry run, nothing written)"
        },
        report.files.len(),
        report.bank
    )?;
    out.flush()?;
    Ok(())
}
