//! `exam coverage`: check forms against their blueprint.

use crate::assemble::FormsDocument;
use crate::bankfiles::{self, BankArgs};
use crate::output::{Format, print_json};
use clap::Args;
use exam_core::coverage::{Coverage, Exposure, coverage, exposure};
use exam_core::form::Form;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
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

#[derive(serde::Deserialize)]
#[serde(untagged)]
enum FormsFile {
    Document(Box<FormsDocument>),
    Many(Vec<Form>),
    One(Box<Form>),
}

/// The forms of a file written by `exam assemble`, of one form, or of an
/// array of forms.
pub fn read_forms(path: &Path) -> anyhow::Result<Vec<Form>> {
    Ok(match bankfiles::load::<FormsFile>(path)? {
        FormsFile::Document(doc) => doc.forms,
        FormsFile::Many(forms) => forms,
        FormsFile::One(form) => vec![*form],
    })
}

/// Exit status 1 when a form does not meet the blueprint.
pub fn run(args: CoverageArgs) -> anyhow::Result<ExitCode> {
    let (bank, blueprint) = args.inputs.load()?;
    let forms = read_forms(&args.forms)?;
    let reports: Vec<Coverage> = forms
        .iter()
        .map(|f| coverage(f, &bank, &blueprint, &forms))
        .collect();
    match args.format {
        Format::Json => print_json(&reports)?,
        _ => {
            print!("{}", table(&reports, &vec![None; reports.len()]));
            println!("{}", exposure_line(&exposure(&forms)));
        }
    }
    Ok(if reports.iter().all(Coverage::meets_blueprint) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Distinct items and their exposure over all forms, in one line.
pub fn exposure_line(e: &Exposure) -> String {
    format!(
        "{} form(s): {} distinct item(s), exposure mean {:.2}, max {}",
        e.forms, e.distinct_items, e.mean_exposure, e.max_exposure
    )
}

/// One block per form: counts, time, information, overlap and problems.
pub fn table(reports: &[Coverage], deviations: &[Option<f64>]) -> String {
    let mut s = String::new();
    for (c, dev) in reports.iter().zip(deviations) {
        let _ = writeln!(
            s,
            "form {}  ({} {}): {}",
            c.form,
            c.blueprint,
            c.blueprint_version,
            if c.meets_blueprint() {
                "meets the blueprint"
            } else {
                "DOES NOT meet the blueprint"
            }
        );
        let _ = writeln!(
            s,
            "  scored {}/{}  pretest {}/{}  expected time {} s / limit {} s  max overlap {}",
            c.scored_actual,
            c.scored_target,
            c.pretest_actual,
            c.pretest_target,
            c.expected_seconds,
            c.time_limit_seconds,
            c.max_overlap()
        );
        let _ = writeln!(
            s,
            "  {:<28} {:>14} {:>8} {:>8}",
            "domain", "level", "target", "actual"
        );
        for cell in &c.cells {
            let _ = writeln!(
                s,
                "  {:<28} {:>14} {:>8} {:>8}",
                cell.domain.as_str(),
                cell.level.as_str(),
                cell.target,
                cell.actual
            );
        }
        for p in &c.theta_points {
            let target = p
                .target_information
                .map(|t| format!(" (target {t:.3})"))
                .unwrap_or_default();
            let _ = writeln!(
                s,
                "  theta {:>5.2}: information {:.3}{target}, expected score {:.2}",
                p.theta, p.information, p.expected_score
            );
        }
        if c.uncalibrated > 0 {
            let _ = writeln!(
                s,
                "  {} scored item(s) without IRT parameters",
                c.uncalibrated
            );
        }
        if let Some(p) = c.mean_p_value {
            let _ = writeln!(s, "  mean p-value {p:.3}");
        }
        if let Some(d) = dev {
            let _ = writeln!(s, "  largest deviation from the target {d:.4}");
        }
        for p in &c.problems {
            let _ = writeln!(s, "  problem: {p}");
        }
    }
    s
}
