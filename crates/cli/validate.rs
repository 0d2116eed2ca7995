//! `exam validate`: checks the bank, its JTA and blueprints, and reports
//! every problem at once (exit 1 on any error); on a valid bank prints a
//! summary: items per domain × level × status, kinds, sets, and the supply
//! against each blueprint. `--lint` adds the item-writing lint (exit 1 on
//! any finding) and the test-wise cue audit it judges (a table, or the
//! `cue_audit` section of the JSON document).

use crate::output::{Format, print_json};
use exam_export::core::bank::{
    BankErrors, BankSummary, CheckedBlueprint, ItemBank, Location, Problem, read_blueprint,
    summarize,
};
use exam_export::core::blueprint::Blueprint;
use exam_export::core::cues::{CueAudit, cue_audit};
use exam_export::core::ids::DomainId;
use exam_export::core::lint::{LintConfig, LintFinding, lint};
use exam_export::cue_audit::write_cue_audit;
use exam_export::table::Table;
use serde::Serialize;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Flags of `exam validate`.
#[derive(Debug, clap::Args)]
pub struct ValidateArgs {
    /// The bank: a directory (jta/, blueprints/, items/) or one bank
    /// document file ({"jta", "sets", "items", "blueprints"}).
    #[arg(long, default_value = crate::bankfiles::DEFAULT_BANK)]
    pub bank: PathBuf,
    /// Also check this blueprint against the bank; the supply table and the
    /// lint then use it instead of the bank's own blueprints.
    #[arg(long)]
    pub blueprint: Option<PathBuf>,
    /// Also run the item-writing lint (exit 1 on any finding).
    #[arg(long)]
    pub lint: bool,
    /// Output format (table or json).
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// The JSON document `exam validate --format json` prints.
#[derive(Debug, Serialize)]
struct Report<'a> {
    bank: &'a std::path::Path,
    ok: bool,
    errors: usize,
    warnings: usize,
    problems: &'a [Problem],
    #[serde(skip_serializing_if = "Option::is_none")]
    summary: Option<BankSummary>,
    #[serde(skip_serializing_if = "Option::is_none")]
    lint: Option<&'a [LintFinding]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cue_audit: Option<CueAudit>,
}

/// Runs `exam validate`.
pub fn run(args: ValidateArgs) -> anyhow::Result<ExitCode> {
    if args.format == Format::Csv {
        anyhow::bail!("exam validate prints a table or JSON, not CSV");
    }
    crate::bankfiles::bank_dir(&args.bank)?;
    let mut problems: Vec<Problem> = Vec::new();
    let extra: Option<Blueprint> = match &args.blueprint {
        Some(path) => match read_blueprint(path) {
            Ok(bp) => Some(bp),
            Err(BankErrors { problems: found }) => {
                problems.extend(found);
                None
            }
        },
        None => None,
    };
    let bank = match ItemBank::open(&args.bank) {
        Ok(bank) => Some(bank),
        Err(BankErrors { problems: found }) => {
            problems.extend(found);
            None
        }
    };
    let extra: Option<CheckedBlueprint> = match (&bank, extra, &args.blueprint) {
        (Some(bank), Some(bp), Some(path)) => {
            match bank.check_blueprint(bp, &Location::file(Some(path.clone()))) {
                Ok(checked) => {
                    problems.extend_from_slice(checked.warnings());
                    Some(checked)
                }
                Err(BankErrors { problems: found }) => {
                    problems.extend(found);
                    None
                }
            }
        }
        _ => None,
    };
    if let Some(bank) = &bank {
        problems.extend(bank.warnings().iter().cloned());
    }
    let errors = problems.iter().filter(|p| p.is_error()).count();
    let warnings = problems.len() - errors;
    let valid = bank.filter(|_| errors == 0);
    let blueprints: Vec<&CheckedBlueprint> = match (&valid, &extra) {
        (_, Some(bp)) => vec![bp],
        (Some(bank), None) => bank.blueprints().iter().collect(),
        (None, None) => Vec::new(),
    };
    let summary = valid.as_ref().map(|bank| summarize(bank, &blueprints));
    let findings: Option<Vec<LintFinding>> = match (&valid, args.lint) {
        (Some(bank), true) => Some(lint(bank, &blueprints, &LintConfig::default())),
        _ => None,
    };
    let cues = valid.as_ref().filter(|_| args.lint).map(cue_audit);
    let failed = errors > 0 || findings.as_ref().is_some_and(|f| !f.is_empty());
    match args.format {
        Format::Json => print_json(&Report {
            bank: &args.bank,
            ok: !failed,
            errors,
            warnings,
            problems: &problems,
            summary,
            lint: findings.as_deref(),
            cue_audit: cues,
        })?,
        _ => print_table(
            &problems,
            summary.as_ref(),
            cues.as_ref(),
            findings.as_deref(),
        )?,
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn print_table(
    problems: &[Problem],
    summary: Option<&BankSummary>,
    cues: Option<&CueAudit>,
    findings: Option<&[LintFinding]>,
) -> anyhow::Result<()> {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if let Some(summary) = summary {
        write_summary(&mut out, summary)?;
    }
    if let Some(cues) = cues {
        write_cue_audit(&mut out, cues)?;
    }
    for problem in problems {
        writeln!(out, "{problem}")?;
    }
    let errors = problems.iter().filter(|p| p.is_error()).count();
    if !problems.is_empty() {
        writeln!(
            out,
            "{errors} error(s), {} warning(s)",
            problems.len() - errors
        )?;
    }
    if let Some(findings) = findings {
        for finding in findings {
            writeln!(out, "{finding}")?;
        }
        writeln!(out, "lint: {} finding(s)", findings.len())?;
    }
    out.flush()?;
    Ok(())
}

fn percent(part: usize, whole: usize) -> String {
    if whole == 0 {
        "-".to_owned()
    } else {
        format!("{:.1}%", 100.0 * part as f64 / whole as f64)
    }
}

fn write_summary(out: &mut impl Write, summary: &BankSummary) -> anyhow::Result<()> {
    writeln!(
        out,
        "Bank for JTA {}: {} items; {} of {} tasks measured by operational items\n",
        summary.jta, summary.items, summary.tasks_measured, summary.tasks
    )?;
    let mut table = Table::new([
        "domain",
        "level",
        "draft",
        "pretest",
        "operational",
        "retired",
    ]);
    let mut totals = [0usize; 4];
    for c in &summary.by_cell {
        for (t, n) in totals
            .iter_mut()
            .zip([c.draft, c.pretest, c.operational, c.retired])
        {
            *t += n;
        }
        table.row([
            c.domain.to_string(),
            c.level.to_string(),
            c.draft.to_string(),
            c.pretest.to_string(),
            c.operational.to_string(),
            c.retired.to_string(),
        ]);
    }
    table.row(
        ["total".to_owned(), String::new()]
            .into_iter()
            .chain(totals.iter().map(ToString::to_string)),
    );
    writeln!(out, "Items per domain × level × status")?;
    write!(out, "{}", table.render())?;

    let mut kinds = Table::new(["kind", "items", "share"]);
    for (kind, n) in &summary.kinds {
        kinds.row([
            (*kind).to_owned(),
            n.to_string(),
            percent(*n, summary.items),
        ]);
    }
    writeln!(out, "\nKinds")?;
    write!(out, "{}", kinds.render())?;

    let keys = &summary.keys;
    let positions: Vec<String> = keys
        .positions
        .iter()
        .zip('A'..='Z')
        .map(|(n, letter)| format!("{letter} {}", percent(*n, keys.items)))
        .collect();
    writeln!(
        out,
        "\nSingle-choice keys (operational and pretest, {} items): {}; key is the longest option in {}",
        keys.items,
        positions.join(", "),
        percent(keys.key_longest, keys.items)
    )?;

    writeln!(out, "\nItem sets: {}", summary.sets.len())?;
    if !summary.sets.is_empty() {
        let mut sets = Table::new(["set", "items", "domains", "title"]);
        for s in &summary.sets {
            sets.row([
                s.id.to_string(),
                s.items.to_string(),
                s.domains
                    .iter()
                    .map(DomainId::as_str)
                    .collect::<Vec<_>>()
                    .join(", "),
                s.title.clone(),
            ]);
        }
        write!(out, "{}", sets.render())?;
    }

    for bp in &summary.supply {
        writeln!(
            out,
            "\nSupply against blueprint {} ({} scored + {} pretest items per form)",
            bp.blueprint, bp.scored_items, bp.pretest_items
        )?;
        let mut table = Table::new([
            "domain",
            "level",
            "per form",
            "operational",
            "ratio",
            "disjoint forms",
        ]);
        for c in &bp.report.cells {
            table.row([
                c.domain.to_string(),
                c.level.to_string(),
                c.demand.to_string(),
                c.supply.to_string(),
                c.ratio.map_or("-".to_owned(), |r| format!("{r:.2}")),
                c.disjoint_forms.map_or("-".to_owned(), |f| f.to_string()),
            ]);
        }
        table.row([
            "pretest".to_owned(),
            String::new(),
            bp.report.pretest.slots.to_string(),
            bp.report.pretest.supply.to_string(),
            if bp.report.pretest.slots == 0 {
                "-".to_owned()
            } else {
                format!(
                    "{:.2}",
                    f64::from(bp.report.pretest.supply) / f64::from(bp.report.pretest.slots)
                )
            },
            bp.report
                .pretest
                .disjoint_forms
                .map_or("-".to_owned(), |f| f.to_string()),
        ]);
        write!(out, "{}", table.render())?;
        writeln!(
            out,
            "Disjoint forms the scored supply allows (fewest over the cells): {}",
            bp.report
                .disjoint_forms
                .map_or("-".to_owned(), |f| f.to_string())
        )?;
    }
    writeln!(out)?;
    Ok(())
}
