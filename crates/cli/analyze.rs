//! `exam analyze`: classical item analysis of a scored response file, or
//! of raw responses with their forms (which adds the distractor analysis:
//! see [`crate::analyze_raw`]).

use crate::analyze_raw::read_raw;
use crate::output::{Format, open, stdout};
use anyhow::Context;
use exam_export::analysis::{AnalysisDocument, DISTRACTOR_SCOPE};
use exam_export::core::responses::{CsvOptions, ResponseMatrix};
use exam_export::groups::read_group_labels;
use exam_export::raw_responses::RawResponses;
use exam_export::scored_responses;
use exam_export::stats::dif::{DifOptions, GroupMembership, dif};
use exam_export::stats::flags::FlagThresholds;
use exam_export::stats::summary::MEMORY_LIMIT;
use exam_export::stats::{AnalysisOptions, Summary, analyze};
use indicatif::{ProgressBar, ProgressStyle};
use std::fs::File;
use std::io::{self, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Files larger than this show a progress bar while they are read (when
/// stderr is a terminal).
const PROGRESS_BYTES: u64 = 16 << 20;

/// Flags of `exam analyze`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Every statistic in the output (name, formula, source, missing-data handling) is defined in docs/statistics.md."
)]
pub struct AnalyzeArgs {
    #[command(flatten)]
    input: AnalysisInput,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// What is analysed and how: the flags `exam analyze` and
/// `exam report analysis` share.
#[derive(Debug, clap::Args)]
pub struct AnalysisInput {
    /// Scored responses: CSV with a header, person id first, one column per
    /// item; cells a score, or empty for not presented. A `.parquet` file is
    /// read as Parquet, wide (person id, then one column per item) or long
    /// (columns person, item, score).
    #[arg(
        long,
        value_name = "FILE",
        required_unless_present_any = ["raw", "responses_file"],
        conflicts_with_all = ["raw", "responses_file"]
    )]
    responses: Option<PathBuf>,
    /// The scored responses, given without --responses (`exam analyze
    /// scores.csv`).
    #[arg(value_name = "RESPONSES", conflicts_with = "raw")]
    responses_file: Option<PathBuf>,
    /// Raw responses instead: the raw response CSV of `exam score`
    /// (`candidate,form,<item ids...>`, option ids, `|` between several,
    /// empty = omitted), scored against --forms (pretest items included),
    /// with a distractor analysis of the single-choice items. With
    /// `--format csv` the distractor table follows the item table after an
    /// empty line.
    #[arg(long, value_name = "FILE", requires = "forms")]
    raw: Option<PathBuf>,
    /// The forms file of --raw, as `exam assemble --out` writes it (`forms`
    /// and `scoring_keys` arrays).
    #[arg(long, value_name = "FILE", requires = "raw")]
    forms: Option<PathBuf>,
    /// The file has no person-id column: every column is an item and persons
    /// are numbered by row.
    #[arg(long, conflicts_with = "raw")]
    no_id: bool,
    /// Raw cut score (pass when the total is at least RAW): adds decision
    /// consistency and accuracy (Livingston-Lewis, Subkoviak) and the CSEM
    /// at the cut.
    #[arg(long, value_name = "RAW")]
    cut: Option<f64>,
    /// Group file for differential item functioning: CSV with a header; the
    /// person id first (or, with --no-id, one row per response row), then
    /// the group label (column chosen by --group-column).
    #[arg(long, value_name = "FILE", requires = "focal")]
    groups: Option<PathBuf>,
    /// The column of --groups that holds the group label (default: the
    /// first column after the person id).
    #[arg(long, value_name = "NAME", requires = "groups")]
    group_column: Option<String>,
    /// The focal group's label.
    #[arg(long, value_name = "NAME", requires = "groups")]
    focal: Option<String>,
    /// The reference group's label (default: everyone else with a label).
    #[arg(long, value_name = "NAME", requires = "groups")]
    reference: Option<String>,
    /// Purify the DIF matching score (iteratively drop items in ETS class B
    /// or C from the other items' matching score).
    #[arg(long, requires = "groups")]
    purify: bool,
    /// Flag items with a p-value below this.
    #[arg(long, value_name = "P", default_value_t = FlagThresholds::default().p_value_min)]
    flag_p_min: f64,
    /// Flag items with a p-value above this.
    #[arg(long, value_name = "P", default_value_t = FlagThresholds::default().p_value_max)]
    flag_p_max: f64,
    /// Flag items whose corrected point-biserial is below this.
    #[arg(long, value_name = "R", default_value_t = FlagThresholds::default().point_biserial_min)]
    flag_rpb_min: f64,
}

/// The results of an analysis run.
pub struct Analysed {
    /// The sufficient statistics the analysis was computed from.
    pub summary: Summary,
    /// The options it ran with.
    pub options: AnalysisOptions,
    /// The analysis as `exam analyze --format json` writes it.
    pub document: AnalysisDocument,
}

impl AnalysisInput {
    /// The scored response file, given by flag or position.
    fn responses(&self) -> Option<&PathBuf> {
        self.responses.as_ref().or(self.responses_file.as_ref())
    }

    /// The files read.
    pub fn files(&self) -> Vec<&Path> {
        [
            self.responses(),
            self.raw.as_ref(),
            self.forms.as_ref(),
            self.groups.as_ref(),
        ]
        .into_iter()
        .flatten()
        .map(PathBuf::as_path)
        .collect()
    }
}

/// Runs `exam analyze`.
pub fn run(args: AnalyzeArgs) -> anyhow::Result<ExitCode> {
    let doc = compute(&args.input)?.document;
    let mut out = stdout();
    match args.format {
        Format::Json => doc.write(out, "stdout")?,
        Format::Table => {
            write!(out, "{}", doc.table())?;
            out.flush()?;
        }
        Format::Csv => doc.write_csv(out, "stdout")?,
    }
    Ok(ExitCode::SUCCESS)
}

/// Reads the input and runs the analyses `args` ask for: the one place
/// `exam analyze` and `exam report analysis` get their numbers from.
pub fn compute(args: &AnalysisInput) -> anyhow::Result<Analysed> {
    let raw = match (&args.raw, &args.forms) {
        (Some(raw), Some(forms)) => Some(read_raw(raw, open_with_progress(raw)?, forms)?),
        _ => None,
    };
    let scored;
    let matrix = match (&raw, args.responses()) {
        (Some(raw), _) => &raw.matrix,
        (None, Some(responses)) => {
            scored = read_matrix(responses, args.no_id)?;
            &scored
        }
        (None, None) => anyhow::bail!("give --responses, or --raw with --forms"),
    };
    let summary = Summary::for_analysis(matrix, MEMORY_LIMIT)?;
    let options = AnalysisOptions {
        cut: args.cut,
        flags: FlagThresholds {
            p_value_min: args.flag_p_min,
            p_value_max: args.flag_p_max,
            point_biserial_min: args.flag_rpb_min,
            ..FlagThresholds::default()
        },
        ..AnalysisOptions::default()
    };
    let analysis = analyze(&summary, &options)?;
    let dif = match (&args.groups, &args.focal) {
        (Some(file), Some(focal)) => {
            let (input, name) = open(file)?;
            let labels = read_group_labels(
                input,
                &name,
                args.group_column.as_deref(),
                matrix.persons(),
                !args.no_id,
            )?;
            let membership =
                GroupMembership::from_labels(&labels, focal, args.reference.as_deref())
                    .with_context(|| format!("groups file {}", file.display()))?;
            Some(dif(
                matrix,
                &membership,
                &DifOptions {
                    purify: args.purify,
                },
            )?)
        }
        _ => None,
    };
    let distractors = raw
        .as_ref()
        .map(|r: &RawResponses| r.distractors(&options.flags))
        .transpose()?;
    let path = |p: &Option<PathBuf>| p.as_ref().map(|p| p.display().to_string());
    Ok(Analysed {
        summary,
        options,
        document: AnalysisDocument {
            responses: args.responses().map(|p| p.display().to_string()),
            raw: path(&args.raw),
            forms_file: path(&args.forms),
            analysis,
            dif,
            distractor_scope: distractors.as_ref().map(|_| DISTRACTOR_SCOPE.to_owned()),
            distractors,
        },
    })
}

/// Opens a file, with a progress bar while it is read when it is large
/// and stderr is a terminal.
fn open_with_progress(path: &Path) -> anyhow::Result<Box<dyn Read>> {
    let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    Ok(if io::stderr().is_terminal() && size > PROGRESS_BYTES {
        let bar = ProgressBar::new(size).with_style(
            ProgressStyle::with_template("reading {bar:40} {bytes}/{total_bytes} ({eta})")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        Box::new(bar.wrap_read(file))
    } else {
        Box::new(file)
    })
}

fn read_matrix(responses: &Path, no_id: bool) -> anyhow::Result<ResponseMatrix> {
    let reader = open_with_progress(responses)?;
    let options = CsvOptions { id_column: !no_id };
    Ok(scored_responses::read(
        io::BufReader::new(reader),
        responses,
        options,
    )?)
}
