//! `exam analyze`: classical item analysis of a scored response file.

use crate::output::{Format, print_json};
use anyhow::Context;
use exam_core::responses::{CsvOptions, ResponseMatrix};
use exam_stats::ctt::{FormStatistics, ItemStatistics};
use exam_stats::{AnalysisOptions, ItemAnalysis, Summary, analyze};
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;
use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// Files larger than this show a progress bar while they are read (when
/// stdout is a terminal).
const PROGRESS_BYTES: u64 = 16 << 20;

/// Flags of `exam analyze`.
#[derive(Debug, clap::Args)]
pub struct AnalyzeArgs {
    /// Scored responses: CSV with a header, person id first, one column per
    /// item; cells a score, or empty for not presented.
    #[arg(long, value_name = "FILE")]
    responses: PathBuf,
    /// The file has no person-id column: every column is an item and persons
    /// are numbered by row.
    #[arg(long)]
    no_id: bool,
    /// Raw cut score (pass when the total is at least RAW): adds decision
    /// consistency and accuracy (Livingston-Lewis, Subkoviak) and the CSEM
    /// at the cut.
    #[arg(long, value_name = "RAW")]
    cut: Option<f64>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// The JSON document `exam analyze --format json` prints.
#[derive(Debug, Serialize)]
struct Report<'a> {
    responses: String,
    #[serde(flatten)]
    analysis: &'a ItemAnalysis,
}

/// Runs `exam analyze`.
pub fn run(args: AnalyzeArgs) -> anyhow::Result<ExitCode> {
    let matrix = read_matrix(&args)?;
    let summary = Summary::of(&matrix);
    let options = AnalysisOptions {
        cut: args.cut,
        ..AnalysisOptions::default()
    };
    let analysis = analyze(&summary, &options)?;
    match args.format {
        Format::Json => print_json(&Report {
            responses: args.responses.display().to_string(),
            analysis: &analysis,
        })?,
        Format::Table => print_table(&analysis)?,
        Format::Csv => print_csv(&analysis)?,
    }
    Ok(ExitCode::SUCCESS)
}

fn read_matrix(args: &AnalyzeArgs) -> anyhow::Result<ResponseMatrix> {
    let name = args.responses.display().to_string();
    let file = File::open(&args.responses).with_context(|| format!("cannot open {name}"))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let reader: Box<dyn Read> = if io::stdout().is_terminal() && size > PROGRESS_BYTES {
        let bar = ProgressBar::new(size).with_style(
            ProgressStyle::with_template("reading {bar:40} {bytes}/{total_bytes} ({eta})")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        Box::new(bar.wrap_read(file))
    } else {
        Box::new(file)
    };
    let options = CsvOptions {
        id_column: !args.no_id,
    };
    Ok(ResponseMatrix::from_csv(
        io::BufReader::new(reader),
        &name,
        options,
    )?)
}

fn fmt(value: Option<f64>) -> String {
    value.map_or_else(|| "-".to_owned(), |v| format!("{v:.3}"))
}

fn flags(item: &ItemStatistics) -> String {
    let flags: Vec<String> = item.flags.iter().map(ToString::to_string).collect();
    flags.join(" ")
}

fn print_table(analysis: &ItemAnalysis) -> anyhow::Result<()> {
    let mut out = BufWriter::new(io::stdout().lock());
    let width = analysis
        .items
        .iter()
        .map(|i| i.id.as_str().len())
        .max()
        .unwrap_or(4)
        .max(4);
    writeln!(
        out,
        "{:<width$} {:>8} {:>7} {:>7} {:>7} {:>7} {:>7}  flags",
        "item", "n", "p", "r_pb", "r_bis", "D", "a_del"
    )?;
    for item in &analysis.items {
        writeln!(
            out,
            "{:<width$} {:>8} {:>7} {:>7} {:>7} {:>7} {:>7}  {}",
            item.id.as_str(),
            item.n_presented,
            fmt(item.p_value),
            fmt(item.point_biserial),
            fmt(item.biserial),
            fmt(item.discrimination_index),
            fmt(item.alpha_if_deleted),
            flags(item),
        )?;
    }
    writeln!(out)?;
    for (i, form) in analysis.forms.iter().enumerate() {
        print_form(&mut out, i, analysis.forms.len(), form)?;
    }
    writeln!(out, "missing data: {}", analysis.missing_data)?;
    out.flush()?;
    Ok(())
}

fn print_form(
    out: &mut impl Write,
    index: usize,
    count: usize,
    form: &FormStatistics,
) -> io::Result<()> {
    if count > 1 {
        writeln!(
            out,
            "form {} of {count} ({} items)",
            index + 1,
            form.items.len()
        )?;
    }
    let ci = form.alpha_ci.map_or_else(String::new, |ci| {
        format!(" [{:.3}, {:.3}]", ci.lower, ci.upper)
    });
    writeln!(
        out,
        "persons {}  items {}  mean {}  sd {}  min {}  max {}",
        form.n_persons,
        form.items.len(),
        fmt(form.mean),
        fmt(form.sd),
        form.min.map_or_else(|| "-".to_owned(), |v| v.to_string()),
        form.max.map_or_else(|| "-".to_owned(), |v| v.to_string()),
    )?;
    writeln!(
        out,
        "alpha {}{ci}  kr21 {}  split-half {} (Spearman-Brown {})  sem {}",
        fmt(form.alpha),
        fmt(form.kr21),
        fmt(form.split_half),
        fmt(form.spearman_brown),
        fmt(form.sem),
    )?;
    if let Some(cut) = &form.cut {
        writeln!(
            out,
            "cut {}: passing {}  CSEM (Lord) {}  (Keats) {}",
            cut.cut,
            fmt(cut.proportion_passing),
            fmt(cut.csem_lord),
            fmt(cut.csem_keats),
        )?;
        if let Some(s) = &cut.subkoviak {
            writeln!(
                out,
                "  Subkoviak: consistency {:.3}  kappa {}",
                s.consistency,
                fmt(s.kappa)
            )?;
        }
        if let Some(ll) = &cut.livingston_lewis {
            writeln!(
                out,
                "  Livingston-Lewis (n = {}): accuracy {:.3} (false +{:.3} -{:.3})  consistency {:.3}  kappa {}",
                ll.effective_test_length,
                ll.accuracy,
                ll.false_positive,
                ll.false_negative,
                ll.consistency.consistency,
                fmt(ll.consistency.kappa),
            )?;
        }
    }
    writeln!(out)
}

fn print_csv(analysis: &ItemAnalysis) -> anyhow::Result<()> {
    let mut out = csv::Writer::from_writer(io::stdout().lock());
    out.write_record([
        "item",
        "n_presented",
        "n_omitted",
        "max_score",
        "p_value",
        "sd",
        "point_biserial",
        "point_biserial_uncorrected",
        "biserial",
        "discrimination_index",
        "alpha_if_deleted",
        "flags",
    ])?;
    let num = |v: Option<f64>| v.map_or_else(String::new, |v| v.to_string());
    for item in &analysis.items {
        out.write_record([
            item.id.as_str().to_owned(),
            item.n_presented.to_string(),
            item.n_omitted.to_string(),
            item.max_score.to_string(),
            num(item.p_value),
            num(item.sd),
            num(item.point_biserial),
            num(item.point_biserial_uncorrected),
            num(item.biserial),
            num(item.discrimination_index),
            num(item.alpha_if_deleted),
            flags(item),
        ])?;
    }
    out.flush()?;
    Ok(())
}
