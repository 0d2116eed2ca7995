//! `exam report`: the HTML reports (item analysis, calibration, forms,
//! candidate score report), each one self-contained page, from the same
//! computations as `exam analyze`, `exam calibrate`, `exam coverage` and
//! `exam score`.

use crate::analyze::{Analysed, AnalysisInput, compute};
use crate::bankfiles::BankArgs;
use crate::output::{open, write_whole};
use crate::progress::spinner;
use anyhow::{Context, bail};
use exam_export::calibration::CalibrationDocument;
use exam_export::core::ids::ItemId;
use exam_export::core::responses::CsvOptions;
use exam_export::forms::read_forms;
use exam_export::report::{
    AnalysisReport, Empirical, analysis_report, calibration_report, candidate_report, forms_report,
};
use exam_export::score_reports::ScoreReportsDocument;
use exam_export::scored_responses;
use exam_export::stats::calibration::empirical::{
    DEFAULT_GROUPS, EmpiricalPoint, eap_abilities, empirical_curves,
};
use exam_export::stats::distractors::score_group_proportions;
use std::collections::HashMap;
use std::path::PathBuf;
use std::process::ExitCode;

/// Flags of `exam report`.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    #[command(subcommand)]
    kind: Kind,
}

#[derive(Debug, clap::Subcommand)]
enum Kind {
    /// Item analysis: test summary and score histogram, then per item the
    /// statistics, option table and option quantile plot (Iteman style).
    Analysis {
        #[command(flatten)]
        input: AnalysisInput,
        /// The HTML file to write.
        #[arg(long, value_name = "FILE.html")]
        out: PathBuf,
    },
    /// IRT calibration: item characteristic and information curves, test
    /// information and CSEM, parameters with SEs, fit and flags.
    Calibration {
        /// The calibration document: what `exam calibrate --format json` prints.
        #[arg(long, value_name = "FILE")]
        calibration: PathBuf,
        /// Scored responses (the CSV `exam calibrate` read): adds each
        /// item's observed proportions by ability group, with intervals, to
        /// its characteristic curve.
        #[arg(long, value_name = "SCORED.csv")]
        responses: Option<PathBuf>,
        /// The responses file has no person id column.
        #[arg(long, requires = "responses")]
        no_id: bool,
        /// The HTML file to write.
        #[arg(long, value_name = "FILE.html")]
        out: PathBuf,
    },
    /// Forms against their blueprint: coverage, information and CSEM of all
    /// forms against the target, expected time, overlap between forms.
    Forms {
        /// The forms: a file written by `exam assemble --out`, one form, or an array of forms.
        #[arg(long, value_name = "FILE")]
        forms: PathBuf,
        #[command(flatten)]
        inputs: BankArgs,
        /// The HTML file to write.
        #[arg(long, value_name = "FILE.html")]
        out: PathBuf,
    },
    /// A candidate's score report: score, pass/fail, domain subscores.
    Candidate {
        /// The score reports: the file `exam score --out` writes.
        #[arg(long, value_name = "FILE")]
        reports: PathBuf,
        /// The candidate to report (with --out).
        #[arg(long, value_name = "ID", requires = "out")]
        candidate: Option<String>,
        /// The HTML file to write.
        #[arg(long, value_name = "FILE.html", required_unless_present = "out_dir")]
        out: Option<PathBuf>,
        /// Write one file per candidate, `<candidate>.html`, into this directory.
        #[arg(long, value_name = "DIR", conflicts_with_all = ["out", "candidate"])]
        out_dir: Option<PathBuf>,
    },
}

/// Runs `exam report`.
pub fn run(args: ReportArgs) -> anyhow::Result<ExitCode> {
    let bar = spinner("writing the report");
    let result = match args.kind {
        Kind::Analysis { input, out } => {
            bar.set_message("analysing the responses");
            let Analysed {
                summary,
                options,
                document,
            } = compute(&input)?;
            bar.set_message("writing the report");
            let groups = score_group_proportions(&summary);
            let html = analysis_report(&AnalysisReport {
                document: &document,
                thresholds: &options.flags,
                score_groups: &groups,
            });
            write_whole(&out, &input.files(), html.as_bytes())
        }
        Kind::Calibration {
            calibration,
            responses,
            no_id,
            out,
        } => {
            let (file, name) = open(&calibration)?;
            let doc = CalibrationDocument::read(file, &name)?;
            let html = match &responses {
                None => calibration_report(&doc, &name, None),
                Some(path) => {
                    bar.set_message("reading the responses");
                    let (file, source) = open(path)?;
                    let data =
                        scored_responses::read(file, path, CsvOptions { id_column: !no_id })?;
                    let models = doc.models_of(data.items());
                    if models.iter().all(Option::is_none) {
                        bail!(
                            "{source}: none of its items is calibrated in {name}; give the responses the calibration was run on"
                        );
                    }
                    bar.set_message("estimating abilities");
                    let abilities = eap_abilities(&data, &models, doc.latent_normal());
                    let curves = empirical_curves(&data, &abilities, DEFAULT_GROUPS);
                    let by_item: HashMap<ItemId, Vec<EmpiricalPoint>> =
                        data.items().iter().cloned().zip(curves).collect();
                    calibration_report(
                        &doc,
                        &name,
                        Some(Empirical {
                            source: &source,
                            curves: &by_item,
                        }),
                    )
                }
            };
            let mut inputs = vec![calibration.as_path()];
            inputs.extend(responses.as_deref());
            write_whole(&out, &inputs, html.as_bytes())
        }
        Kind::Forms { forms, inputs, out } => {
            let (bank, blueprint) = inputs.load()?;
            let (file, name) = open(&forms)?;
            let list = read_forms(file, &name)?;
            write_whole(
                &out,
                &[&forms],
                forms_report(&list, &bank, &blueprint).as_bytes(),
            )
        }
        Kind::Candidate {
            reports,
            candidate,
            out,
            out_dir,
        } => {
            let (file, name) = open(&reports)?;
            let parsed = ScoreReportsDocument::read(file, &name)?;
            match (candidate, out, out_dir) {
                (Some(id), Some(out), _) => {
                    let r = parsed
                        .reports
                        .iter()
                        .find(|r| r.candidate.as_str() == id)
                        .with_context(|| {
                            format!("{}: no report for candidate `{id}`", reports.display())
                        })?;
                    write_whole(&out, &[&reports], candidate_report(r).as_bytes())
                }
                (None, Some(out), _) => match parsed.reports.as_slice() {
                    [one] => write_whole(&out, &[&reports], candidate_report(one).as_bytes()),
                    _ => bail!(
                        "{} holds {} reports: name one with --candidate, or write them all with --out-dir",
                        reports.display(),
                        parsed.reports.len()
                    ),
                },
                (_, None, Some(dir)) => {
                    std::fs::create_dir_all(&dir)
                        .with_context(|| format!("cannot create {}", dir.display()))?;
                    bar.set_length(parsed.reports.len() as u64);
                    for r in &parsed.reports {
                        bar.set_message(format!("candidate {}", r.candidate));
                        let name = safe_file_name(r.candidate.as_str());
                        write_whole(
                            &dir.join(format!("{name}.html")),
                            &[&reports],
                            candidate_report(r).as_bytes(),
                        )?;
                        bar.inc(1);
                    }
                    Ok(())
                }
                (_, None, None) => bail!("give --out (with --candidate) or --out-dir"),
            }
        }
    };
    bar.finish_and_clear();
    result?;
    Ok(ExitCode::SUCCESS)
}

/// A candidate id as a file name: characters outside `[A-Za-z0-9._-]` as `_`.
fn safe_file_name(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect()
}
