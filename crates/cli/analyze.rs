//! `exam analyze`: classical item analysis of a scored response file, or
//! of raw responses with their forms (which adds the distractor analysis:
//! see [`crate::analyze_raw`]).

use crate::analyze_raw::{self, RawResponses, read_raw};
use crate::output::{Format, print_json};
use anyhow::Context;
use exam_core::responses::{CsvOptions, ResponseMatrix};
use exam_stats::ctt::{FormStatistics, ItemStatistics};
use exam_stats::dif::polytomous::PolytomousDifClass;
use exam_stats::dif::{
    DifAnalysis, DifGroup, DifOptions, GroupMembership, ItemDif, LogisticDif, dif,
};
use exam_stats::distractors::ItemDistractors;
use exam_stats::flags::FlagThresholds;
use exam_stats::pairwise::every_pair_presented;
use exam_stats::{AnalysisOptions, ItemAnalysis, Summary, analyze};
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;
use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Files larger than this show a progress bar while they are read (when
/// stdout is a terminal).
const PROGRESS_BYTES: u64 = 16 << 20;

/// Flags of `exam analyze`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Every statistic in the output (name, formula, source, missing-data handling) is defined in docs/statistics.md."
)]
pub struct AnalyzeArgs {
    /// Scored responses: CSV with a header, person id first, one column per
    /// item; cells a score, or empty for not presented.
    #[arg(
        long,
        value_name = "FILE",
        required_unless_present = "raw",
        conflicts_with = "raw"
    )]
    responses: Option<PathBuf>,
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
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// The JSON document `exam analyze --format json` prints.
#[derive(Debug, Serialize)]
struct Report<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    responses: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    raw: Option<String>,
    /// The forms file of `--raw` (not `forms`: that is the per-form
    /// statistics of the analysis).
    #[serde(skip_serializing_if = "Option::is_none")]
    forms_file: Option<String>,
    #[serde(flatten)]
    analysis: &'a ItemAnalysis,
    #[serde(skip_serializing_if = "Option::is_none")]
    dif: Option<&'a DifAnalysis>,
    #[serde(skip_serializing_if = "Option::is_none")]
    distractor_scope: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    distractors: Option<&'a [ItemDistractors]>,
}

/// Runs `exam analyze`.
pub fn run(args: AnalyzeArgs) -> anyhow::Result<ExitCode> {
    let raw = match (&args.raw, &args.forms) {
        (Some(raw), Some(forms)) => Some(read_raw(raw, open_with_progress(raw)?, forms)?),
        _ => None,
    };
    let scored;
    let matrix = match (&raw, &args.responses) {
        (Some(raw), _) => &raw.matrix,
        (None, Some(responses)) => {
            scored = read_matrix(responses, args.no_id)?;
            &scored
        }
        (None, None) => anyhow::bail!("give --responses, or --raw with --forms"),
    };
    // One form with missing cells (every pair of items seen together):
    // add psych's pairwise whole-test statistics.
    let summary = if matrix.blocks().len() > 1 && every_pair_presented(matrix) {
        Summary::with_cross_products(matrix)
    } else {
        // One pass over the cells: a few ms for 200,000 x 100, against the
        // CSV parse that dominates; no thread pool needed.
        Summary::of(matrix)
    };
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
            let labels = read_groups(file, args.group_column.as_deref(), matrix, args.no_id)?;
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
    match args.format {
        Format::Json => print_json(&Report {
            responses: path(&args.responses),
            raw: path(&args.raw),
            forms_file: path(&args.forms),
            analysis: &analysis,
            dif: dif.as_ref(),
            distractor_scope: distractors.as_ref().map(|_| analyze_raw::SCOPE),
            distractors: distractors.as_deref(),
        })?,
        Format::Table => print_table(&analysis, dif.as_ref(), distractors.as_deref())?,
        Format::Csv => print_csv(&analysis, dif.as_ref(), distractors.as_deref())?,
    }
    Ok(ExitCode::SUCCESS)
}

/// Opens a file, with a progress bar while it is read when it is large
/// and stdout is a terminal.
fn open_with_progress(path: &Path) -> anyhow::Result<Box<dyn Read>> {
    let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    Ok(if io::stdout().is_terminal() && size > PROGRESS_BYTES {
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
    let name = responses.display().to_string();
    let reader = open_with_progress(responses)?;
    let options = CsvOptions { id_column: !no_id };
    Ok(ResponseMatrix::from_csv(
        io::BufReader::new(reader),
        &name,
        options,
    )?)
}

/// The group label of every person of the matrix, from the groups file.
fn read_groups(
    file: &Path,
    column: Option<&str>,
    matrix: &ResponseMatrix,
    no_id: bool,
) -> anyhow::Result<Vec<Option<String>>> {
    let name = file.display().to_string();
    let mut rdr = csv::ReaderBuilder::new()
        .from_path(file)
        .with_context(|| format!("cannot open {name}"))?;
    let header = rdr
        .headers()
        .with_context(|| format!("{name}: no header row"))?
        .clone();
    let first_label = usize::from(!no_id);
    let at = match column {
        Some(c) => header
            .iter()
            .position(|h| h == c)
            .with_context(|| format!("{name}: no column `{c}` in the header"))?,
        None if header.len() > first_label => first_label,
        None => anyhow::bail!("{name}: the header has no group column"),
    };
    let mut labels: Vec<Option<String>> = vec![None; matrix.n_persons()];
    let index: HashMap<&str, usize> = matrix
        .persons()
        .iter()
        .enumerate()
        .map(|(i, p)| (p.as_str(), i))
        .collect();
    for (row, record) in rdr.records().enumerate() {
        let record = record.with_context(|| format!("{name}: cannot read row {}", row + 1))?;
        let line = record.position().map_or(row as u64 + 2, |p| p.line());
        let label = record
            .get(at)
            .with_context(|| format!("{name}, line {line}: no field {}", at + 1))?
            .trim();
        let person = if no_id {
            if row >= labels.len() {
                anyhow::bail!("{name}, line {line}: more rows than the responses have persons");
            }
            row
        } else {
            let id = record.get(0).unwrap_or_default().trim();
            *index.get(id).with_context(|| {
                format!("{name}, line {line}: person `{id}` is not in the responses")
            })?
        };
        labels[person] = (!label.is_empty() && label != "NA").then(|| label.to_owned());
    }
    Ok(labels)
}

fn fmt(value: Option<f64>) -> String {
    value.map_or_else(|| "-".to_owned(), |v| format!("{v:.3}"))
}

fn flags(item: &ItemStatistics) -> String {
    let flags: Vec<String> = item.flags.iter().map(ToString::to_string).collect();
    flags.join(" ")
}

fn print_table(
    analysis: &ItemAnalysis,
    dif: Option<&DifAnalysis>,
    distractors: Option<&[ItemDistractors]>,
) -> anyhow::Result<()> {
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
    if analysis.n_persons_without_items > 0 {
        writeln!(
            out,
            "{} of {} persons were presented no item (empty rows)",
            analysis.n_persons_without_items, analysis.n_persons
        )?;
    }
    if analysis.forms.is_empty() {
        writeln!(out, "no test statistics: nobody was presented any item")?;
    }
    for (i, form) in analysis.forms.iter().enumerate() {
        print_form(&mut out, i, analysis.forms.len(), form)?;
    }
    if let Some(p) = &analysis.pairwise {
        writeln!(
            out,
            "pairwise (psych use=\"pairwise\") over all {} persons: alpha {}",
            analysis.n_persons,
            fmt(p.alpha)
        )?;
    }
    writeln!(out, "missing data: {}", analysis.missing_data)?;
    if let Some(dif) = dif {
        writeln!(out)?;
        print_dif_table(&mut out, dif, width)?;
    }
    if let Some(distractors) = distractors {
        writeln!(out)?;
        analyze_raw::print_table(&mut out, distractors)?;
    }
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

/// The ETS class with its sign: `-` favours the reference group, `+` the focal.
fn class(item: &ItemDif) -> String {
    let sign = match item.favours {
        Some(DifGroup::Reference) => "-",
        Some(DifGroup::Focal) => "+",
        None => "",
    };
    match (item.ets_class, item.mantel_smd) {
        (Some(c), _) => format!("{c:?}{sign}"),
        (None, Some(m)) => {
            let sign = match m.ets_class {
                PolytomousDifClass::AA => "",
                _ if m.smd < 0.0 => "-",
                _ => "+",
            };
            format!("{:?}{sign}", m.ets_class)
        }
        (None, None) => "-".to_owned(),
    }
}

/// Binary logistic DIF for 0/1 items, ordinal for partial-credit items.
fn logistic(item: &ItemDif) -> Option<LogisticDif> {
    item.logistic.or(item.ordinal_logistic)
}

fn print_dif_table(out: &mut impl Write, dif: &DifAnalysis, width: usize) -> io::Result<()> {
    writeln!(
        out,
        "DIF: focal `{}` (n {}) vs reference `{}` (n {}), {} persons in neither; matching: {}; rounds {}",
        dif.focal,
        dif.n_focal,
        dif.reference,
        dif.n_reference,
        dif.n_excluded,
        dif.matching,
        dif.rounds
    )?;
    if dif.items.iter().any(|i| i.mantel_smd.is_some()) {
        writeln!(
            out,
            "partial-credit items: chi2 and p are Mantel's (1963) ordinal test, ETS the AA/BB/CC class of SMD/SD (Zwick, Thayer & Mazzeo 1997), LR the ordinal (cumulative logit) regression"
        )?;
    }
    writeln!(
        out,
        "{:<width$} {:>8} {:>7} {:>8} {:>7} {:>4} {:>8} {:>8} {:>3}",
        "item", "alpha_MH", "D", "chi2", "p", "ETS", "STD-P", "LR dR2", "LR"
    )?;
    for item in &dif.items {
        writeln!(
            out,
            "{:<width$} {:>8} {:>7} {:>8} {:>7} {:>4} {:>8} {:>8} {:>3}",
            item.id.as_str(),
            fmt(item.alpha_mh),
            fmt(item.mh_d_dif),
            fmt(item.mh_chi2.or(item.mantel_smd.map(|m| m.mantel_chi2))),
            fmt(item
                .mh_p_value
                .or(item.mantel_smd.map(|m| m.mantel_p_value))),
            class(item),
            fmt(item.std_p_dif),
            fmt(logistic(item).map(|l| l.delta_r2_nagelkerke)),
            logistic(item).map_or_else(|| "-".to_owned(), |l| format!("{:?}", l.class)),
        )?;
    }
    Ok(())
}

fn print_csv(
    analysis: &ItemAnalysis,
    dif: Option<&DifAnalysis>,
    distractors: Option<&[ItemDistractors]>,
) -> anyhow::Result<()> {
    let stdout = io::stdout();
    let mut lock = BufWriter::new(stdout.lock());
    let mut out = csv::Writer::from_writer(&mut lock);
    let mut header = vec![
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
    ];
    if dif.is_some() {
        header.extend([
            "alpha_mh",
            "mh_d_dif",
            "mh_p_value",
            "ets_class",
            "favours",
            "std_p_dif",
            "lr_delta_r2",
            "lr_class",
            "mantel_chi2",
            "mantel_p_value",
            "smd",
            "smd_effect_size",
            "ets_polytomous_class",
        ]);
    }
    out.write_record(&header)?;
    let num = |v: Option<f64>| v.map_or_else(String::new, |v| v.to_string());
    for (i, item) in analysis.items.iter().enumerate() {
        let mut record = vec![
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
        ];
        if let Some(d) = dif.and_then(|d| d.items.get(i)) {
            record.extend([
                num(d.alpha_mh),
                num(d.mh_d_dif),
                num(d.mh_p_value),
                d.ets_class.map_or_else(String::new, |c| format!("{c:?}")),
                match d.favours {
                    Some(DifGroup::Reference) => "reference".to_owned(),
                    Some(DifGroup::Focal) => "focal".to_owned(),
                    None => String::new(),
                },
                num(d.std_p_dif),
                num(logistic(d).map(|l| l.delta_r2_nagelkerke)),
                logistic(d).map_or_else(String::new, |l| format!("{:?}", l.class)),
                num(d.mantel_smd.map(|m| m.mantel_chi2)),
                num(d.mantel_smd.map(|m| m.mantel_p_value)),
                num(d.mantel_smd.map(|m| m.smd)),
                num(d.mantel_smd.map(|m| m.smd_effect_size)),
                d.mantel_smd
                    .map_or_else(String::new, |m| format!("{:?}", m.ets_class)),
            ]);
        }
        out.write_record(&record)?;
    }
    out.flush()?;
    drop(out);
    if let Some(distractors) = distractors {
        writeln!(lock)?;
        analyze_raw::print_csv(&mut lock, distractors)?;
    }
    lock.flush()?;
    Ok(())
}
