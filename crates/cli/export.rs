//! `exam export`: the standards an LMS or item bank reads (QTI 3.0 content
//! packages, usage data and results, xAPI/cmi5 statements, LTI AGS scores),
//! each written by exam-export from the engine's own documents.

use crate::bankfiles::load_bank;
use crate::forms_input::{build_scorer, read_forms, read_rules, read_submissions};
use crate::output::write_whole;
use anyhow::{Context, bail};
use exam_export::core::bank::record::CalibratedItem;
use exam_export::core::form::{Form, ScoringKey};
use exam_export::core::submission::Submission;
use exam_export::qti::package::write_package;
use exam_export::qti::results::{Attempt as ResultAttempt, result_element};
use exam_export::qti::usage::{UsageContext, usage_element};
use exam_export::scoring::report::ScoreReport;
use exam_export::stats::ctt::ItemStatistics;
use exam_export::stats::distractors::ItemDistractors;
use exam_export::{lti, xapi};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Flags of `exam export`.
#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    #[command(subcommand)]
    format: Format,
}

#[derive(Debug, clap::Subcommand)]
enum Format {
    /// An IMS QTI 3.0 content package of the bank's operational and pretest
    /// items, and with --forms one test per form.
    Qti(QtiArgs),
    /// QTI 3.0 usage data (item statistics) of an analysis.
    QtiUsage(UsageArgs),
    /// One QTI 3.0 results-reporting document per candidate.
    QtiResults(ResultsArgs),
    /// xAPI 1.0.3 statements (cmi5 profile) of each attempt.
    Xapi(XapiArgs),
    /// LTI AGS scores, one per candidate.
    LtiAgs(AgsArgs),
}

#[derive(Debug, clap::Args)]
struct QtiArgs {
    /// The package to write (a .zip).
    #[arg(long)]
    out: PathBuf,
    /// Forms file as `exam assemble --out` writes it: one test per form.
    #[arg(long)]
    forms: Option<PathBuf>,
    /// The item bank.
    #[arg(long, default_value = crate::bankfiles::DEFAULT_BANK)]
    bank: PathBuf,
    /// Scoring rules JSON: how partial credit is written (default:
    /// all-or-nothing multiple response, exact ordering, per-pair matching).
    #[arg(long)]
    scoring: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
struct UsageArgs {
    /// The analysis (`exam analyze --format json`).
    #[arg(long)]
    analysis: PathBuf,
    /// A calibration (`exam calibrate --format json`) whose IRT parameters
    /// are added.
    #[arg(long)]
    calibration: Option<PathBuf>,
    /// The date the statistics were computed (YYYY-MM-DD; default today).
    #[arg(long)]
    date: Option<String>,
    /// The usage-data document to write.
    #[arg(long)]
    out: PathBuf,
}

#[derive(Debug, clap::Args)]
struct ResultsArgs {
    /// Forms file as `exam assemble --out` writes it.
    #[arg(long)]
    forms: PathBuf,
    /// Score reports as `exam score --out` writes them.
    #[arg(long)]
    reports: PathBuf,
    /// The submissions the reports were scored from, for the candidates'
    /// responses.
    #[arg(long)]
    responses: Option<PathBuf>,
    /// The delivery system's URI (the session's source).
    #[arg(long, default_value = "urn:exam-engine")]
    source: String,
    /// When the results were recorded (RFC 3339; default now).
    #[arg(long)]
    timestamp: Option<String>,
    /// The folder to write one `<candidate>.xml` per candidate into.
    #[arg(long)]
    out: PathBuf,
}

#[derive(Debug, clap::Args)]
struct XapiArgs {
    /// Forms file as `exam assemble --out` writes it.
    #[arg(long)]
    forms: PathBuf,
    /// Submissions (raw response CSV or a .json list).
    #[arg(long)]
    responses: PathBuf,
    /// Score reports as `exam score --out` writes them.
    #[arg(long)]
    reports: PathBuf,
    /// The delivery system's home page: the actors' accounts.
    #[arg(long)]
    home_page: String,
    /// The IRI the AU and items are named under.
    #[arg(long, default_value = "https://exam-engine.invalid/activities")]
    activity_base: String,
    /// When the attempts started (RFC 3339; default now).
    #[arg(long)]
    started: Option<String>,
    /// The statements file to write.
    #[arg(long)]
    out: PathBuf,
}

#[derive(Debug, clap::Args)]
struct AgsArgs {
    /// Score reports as `exam score --out` writes them.
    #[arg(long)]
    reports: PathBuf,
    /// The line item's URL.
    #[arg(long)]
    line_item: String,
    /// When the scores were set (RFC 3339; default now).
    #[arg(long)]
    timestamp: Option<String>,
    /// The scores file to write.
    #[arg(long)]
    out: PathBuf,
}

/// The engine's own documents, read through their exam-export types.
mod documents {
    use super::*;
    use exam_export::analysis::AnalysisDocument;
    use exam_export::calibration::CalibrationDocument;
    use exam_export::score_reports::{ScoreReportsDocument, read_reports};

    fn open(path: &Path) -> anyhow::Result<(std::io::BufReader<std::fs::File>, String)> {
        let name = path.display().to_string();
        let file = std::fs::File::open(path).with_context(|| format!("cannot open {name}"))?;
        Ok((std::io::BufReader::new(file), name))
    }

    /// The reports of `exam score --out` (a document) or `exam rescore
    /// --out` (a list).
    pub fn reports(path: &Path) -> anyhow::Result<Vec<ScoreReport>> {
        let name = path.display().to_string();
        let bytes = std::fs::read(path).with_context(|| format!("cannot read {name}"))?;
        match ScoreReportsDocument::read(bytes.as_slice(), &name) {
            Ok(doc) => Ok(doc.reports),
            Err(_) => Ok(read_reports(bytes.as_slice(), &name)?),
        }
    }

    pub fn analysis(path: &Path) -> anyhow::Result<(Vec<ItemStatistics>, Vec<ItemDistractors>)> {
        let (file, name) = open(path)?;
        let doc = AnalysisDocument::read(file, &name)?;
        Ok((doc.analysis.items, doc.distractors.unwrap_or_default()))
    }

    pub fn calibration(path: &Path) -> anyhow::Result<Vec<CalibratedItem>> {
        let (file, name) = open(path)?;
        Ok(CalibrationDocument::read(file, &name)?
            .to_record_input()
            .items)
    }
}

fn timestamp(given: Option<&str>) -> anyhow::Result<OffsetDateTime> {
    match given {
        Some(t) => OffsetDateTime::parse(t, &Rfc3339)
            .with_context(|| format!("`{t}` is not an RFC 3339 timestamp")),
        None => Ok(OffsetDateTime::now_utc()),
    }
}

fn rfc3339(at: OffsetDateTime) -> anyhow::Result<String> {
    Ok(at.format(&Rfc3339)?)
}

fn forms_by_id(path: &Path) -> anyhow::Result<HashMap<String, (Form, ScoringKey)>> {
    Ok(read_forms(path)?
        .into_iter()
        .map(|(f, k)| (f.id.to_string(), (f, k)))
        .collect())
}

fn submissions(
    path: &Path,
    forms_path: &Path,
) -> anyhow::Result<HashMap<(String, String), Submission>> {
    let forms = read_forms(forms_path)?;
    let rules = read_rules(None)?;
    let scorer = build_scorer(&forms, &rules, &HashMap::new(), forms_path)?;
    Ok(read_submissions(path, &scorer)?
        .into_iter()
        .map(|s| ((s.candidate.to_string(), s.form.to_string()), s))
        .collect())
}

fn form_of<'a>(
    forms: &'a HashMap<String, (Form, ScoringKey)>,
    report: &ScoreReport,
    path: &Path,
) -> anyhow::Result<&'a (Form, ScoringKey)> {
    forms.get(report.form.as_str()).with_context(|| {
        format!(
            "candidate {}: form {} is not in {}",
            report.candidate,
            report.form,
            path.display()
        )
    })
}

/// Runs `exam export`.
pub fn run(args: ExportArgs) -> anyhow::Result<ExitCode> {
    match args.format {
        Format::Qti(a) => qti(a),
        Format::QtiUsage(a) => usage(a),
        Format::QtiResults(a) => results(a),
        Format::Xapi(a) => statements(a),
        Format::LtiAgs(a) => ags(a),
    }?;
    Ok(ExitCode::SUCCESS)
}

fn qti(args: QtiArgs) -> anyhow::Result<()> {
    let bank = load_bank(&args.bank, None)?;
    let forms: Vec<Form> = match &args.forms {
        Some(path) => read_forms(path)?.into_iter().map(|(f, _)| f).collect(),
        None => Vec::new(),
    };
    let rules = read_rules(args.scoring.as_deref())?;
    let mut bytes = std::io::Cursor::new(Vec::new());
    let summary = write_package(&mut bytes, &bank, &forms, &rules)
        .with_context(|| format!("cannot export {}", args.bank.display()))?;
    let mut inputs = vec![args.bank.as_path()];
    inputs.extend(args.forms.as_deref());
    write_whole(&args.out, &inputs, bytes.get_ref())?;
    eprintln!(
        "{}: {} items, {} stimuli, {} tests",
        args.out.display(),
        summary.items,
        summary.stimuli,
        summary.tests
    );
    Ok(())
}

fn usage(args: UsageArgs) -> anyhow::Result<()> {
    let (items, distractors) = documents::analysis(&args.analysis)?;
    let calibration = match &args.calibration {
        Some(path) => documents::calibration(path)?,
        None => Vec::new(),
    };
    let date = match &args.date {
        Some(d) => time::Date::parse(d, &time::format_description::well_known::Iso8601::DATE)
            .with_context(|| format!("--date `{d}` is not YYYY-MM-DD"))?,
        None => OffsetDateTime::now_utc().date(),
    };
    let name = args
        .analysis
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let ctx = UsageContext {
        context: format!("urn:exam-engine:analysis:{}", name.replace(' ', "%20")),
        date,
    };
    let doc = usage_element(&items, &distractors, &calibration, &ctx).to_document();
    let mut inputs = vec![args.analysis.as_path()];
    inputs.extend(args.calibration.as_deref());
    write_whole(&args.out, &inputs, doc.as_bytes())
}

fn results(args: ResultsArgs) -> anyhow::Result<()> {
    let forms = forms_by_id(&args.forms)?;
    let reports = documents::reports(&args.reports)?;
    let given = match &args.responses {
        Some(path) => submissions(path, &args.forms)?,
        None => HashMap::new(),
    };
    let datestamp = rfc3339(timestamp(args.timestamp.as_deref())?)?;
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    for report in &reports {
        let (form, key) = form_of(&forms, report, &args.forms)?;
        let session = format!("{}-{}", report.form, report.candidate);
        let attempt = ResultAttempt {
            form,
            key,
            report,
            submission: given.get(&(report.candidate.to_string(), report.form.to_string())),
            session: (&args.source, &session),
            datestamp: &datestamp,
        };
        let name = report.candidate.as_str();
        if name.contains(['/', '\\']) || name.starts_with('.') {
            bail!(
                "candidate id `{name}` cannot name a file inside {}",
                args.out.display()
            );
        }
        let path = args.out.join(format!("{name}.xml"));
        write_whole(
            &path,
            &[&args.forms, &args.reports],
            result_element(&attempt).to_document().as_bytes(),
        )?;
    }
    eprintln!("{}: {} results", args.out.display(), reports.len());
    Ok(())
}

fn statements(args: XapiArgs) -> anyhow::Result<()> {
    let forms = forms_by_id(&args.forms)?;
    let reports = documents::reports(&args.reports)?;
    let given = submissions(&args.responses, &args.forms)?;
    let started = timestamp(args.started.as_deref())?;
    let mut attempts = Vec::new();
    for report in &reports {
        let (form, key) = form_of(&forms, report, &args.forms)?;
        let submission = given
            .get(&(report.candidate.to_string(), report.form.to_string()))
            .with_context(|| {
                format!(
                    "candidate {} on form {}: no submission in {}",
                    report.candidate,
                    report.form,
                    args.responses.display()
                )
            })?;
        let attempt = xapi::Attempt {
            form,
            key,
            submission,
            report,
            home_page: &args.home_page,
            activity_base: &args.activity_base,
            started,
        };
        attempts.push(xapi::AttemptStatements {
            candidate: report.candidate.clone(),
            form: report.form.clone(),
            statements: xapi::statements(&attempt),
        });
    }
    let mut doc = Vec::new();
    xapi::StatementsDocument { attempts }.write(&mut doc, &args.out.display().to_string())?;
    write_whole(
        &args.out,
        &[&args.forms, &args.responses, &args.reports],
        &doc,
    )
}

fn ags(args: AgsArgs) -> anyhow::Result<()> {
    let reports = documents::reports(&args.reports)?;
    let at = lti::timestamp(timestamp(args.timestamp.as_deref())?);
    let scores = lti::line_item_scores(&reports, &args.line_item, &at)?;
    let mut doc = Vec::new();
    scores.write(&mut doc, &args.out.display().to_string())?;
    write_whole(&args.out, &[&args.reports], &doc)
}
