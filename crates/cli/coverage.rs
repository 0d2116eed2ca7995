//! `exam coverage`: check forms against their blueprint.

use crate::bankfiles::BankArgs;
use crate::output::{Format, open, stdout};
use clap::Args;
use exam_export::core::coverage::{Coverage, coverage, exposure};
use exam_export::forms::{coverage_table, exposure_line, read_forms, write_coverage};
use std::path::PathBuf;
use std::process::ExitCode;

/// Flags of `exam coverage`.
#[derive(Debug, Args)]
pub struct CoverageArgs {
    /// The forms: a file written by `exam assemble`, one form, or an array of forms.
    #[arg(long)]
    forms: PathBuf,
    #[command(flatten)]
    inputs: BankArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// Exit status 1 when a form does not meet the blueprint.
pub fn run(args: CoverageArgs) -> anyhow::Result<ExitCode> {
    let (bank, blueprint) = args.inputs.load()?;
    let (file, name) = open(&args.forms)?;
    let forms = read_forms(file, &name)?;
    let reports: Vec<Coverage> = forms
        .iter()
        .map(|f| coverage(f, &bank, &blueprint, &forms))
        .collect();
    match args.format {
        Format::Json => write_coverage(stdout(), &reports, "stdout")?,
        _ => {
            print!("{}", coverage_table(&reports, &vec![None; reports.len()]));
            println!("{}", exposure_line(&exposure(&forms)));
        }
    }
    Ok(if reports.iter().all(Coverage::meets_blueprint) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
