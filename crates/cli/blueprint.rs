//! `exam blueprint`: shows how the blueprint derives from the JTA (domain,
//! JTA level, weight, quota, items per level) and checks that the stored
//! blueprint is exactly that derivation (exit 1 with the differences when
//! it is not, or when the blueprint is inconsistent with the JTA).

use crate::output::{Format, print_json};
use exam_export::core::bank::{
    BankErrors, CheckedBlueprint, Location, Problem, read_blueprint, read_jta,
};
use exam_export::core::blueprint::{
    Blueprint, BlueprintSettings, Count, DERIVATION_RULE, DerivationMismatch, DerivationRow,
    derivation_mismatches, derive, derive_ranges, range_rule,
};
use exam_export::core::jta::CompetencyLevel;
use exam_export::table::Table;
use serde::Serialize;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Flags of `exam blueprint`.
#[derive(Debug, clap::Args)]
pub struct BlueprintArgs {
    /// The bank folder whose JTA and blueprint are read unless --jta and
    /// --blueprint name them.
    #[arg(long, default_value = crate::bankfiles::DEFAULT_BANK)]
    pub bank: PathBuf,
    /// The JTA file (default: jta/jta.json in the bank).
    #[arg(long)]
    pub jta: Option<PathBuf>,
    /// The stored blueprint (its form length, pretest slots, time limit and
    /// passing standard are the settings of the derivation; default: the
    /// one file in the bank's blueprints/).
    #[arg(long)]
    pub blueprint: Option<PathBuf>,
    /// Derive ranges instead of exact counts: each domain and level count
    /// widened by this share of the scored items on either side of its
    /// quota (e.g. 0.025), and check the stored blueprint against that.
    #[arg(long)]
    pub tolerance: Option<f64>,
    /// Output format (table or json).
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// The JSON document `exam blueprint --format json` prints.
#[derive(Debug, Serialize)]
struct Report<'a> {
    blueprint: String,
    jta: String,
    scored_items: u32,
    rule: &'static str,
    derivation: &'a [DerivationRow],
    matches: bool,
    mismatches: &'a [DerivationMismatch],
    problems: &'a [Problem],
    /// The derived blueprint with ranges, when a tolerance is given.
    #[serde(skip_serializing_if = "Option::is_none")]
    derived_blueprint: Option<&'a Blueprint>,
}

/// Runs `exam blueprint`.
pub fn run(args: BlueprintArgs) -> anyhow::Result<ExitCode> {
    if args.format == Format::Csv {
        anyhow::bail!("exam blueprint prints a table or JSON, not CSV");
    }
    let jta_path = match &args.jta {
        Some(path) => path.clone(),
        None => crate::bankfiles::bank_dir(&args.bank)?
            .join("jta")
            .join("jta.json"),
    };
    let blueprint_path = match &args.blueprint {
        Some(path) => path.clone(),
        None => crate::bankfiles::default_blueprint(&crate::bankfiles::bank_dir(&args.bank)?)?,
    };
    let loaded = (read_jta(&jta_path), read_blueprint(&blueprint_path));
    let (jta, stored) = match loaded {
        (Ok(jta), Ok(bp)) => (jta, bp),
        (jta, bp) => {
            let problems: Vec<Problem> = [jta.err(), bp.err()]
                .into_iter()
                .flatten()
                .flat_map(|BankErrors { problems }| problems)
                .collect();
            for problem in &problems {
                println!("{problem}");
            }
            return Ok(ExitCode::FAILURE);
        }
    };
    let at = Location::file(Some(blueprint_path.clone()));
    let problems = match CheckedBlueprint::new(&jta, stored.clone(), &at) {
        Ok(checked) => checked.warnings().to_vec(),
        Err(BankErrors { problems }) => problems,
    };
    let settings = BlueprintSettings::from(&stored);
    let derived = match args.tolerance {
        None => derive(&jta, &settings),
        Some(t) => Some(derive_ranges(&jta, &settings, t).ok_or_else(|| {
            anyhow::anyhow!("--tolerance {t}: must be a finite number of 0 or more")
        })?),
    };
    let (derived_blueprint, rows) = derived.unzip();
    let rows = rows.unwrap_or_default();
    let mismatches = derivation_mismatches(&jta, &stored, args.tolerance);
    let failed = !mismatches.is_empty() || problems.iter().any(Problem::is_error);
    match args.format {
        Format::Json => print_json(&Report {
            blueprint: stored.id.to_string(),
            jta: jta.id.clone(),
            scored_items: stored.scored_items,
            rule: DERIVATION_RULE,
            derivation: &rows,
            matches: mismatches.is_empty(),
            mismatches: &mismatches,
            problems: &problems,
            derived_blueprint: derived_blueprint
                .as_ref()
                .filter(|_| args.tolerance.is_some()),
        })?,
        _ => {
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            writeln!(
                out,
                "Blueprint {} derived from JTA {} ({} scored items)\nRule: {DERIVATION_RULE}{}\n",
                stored.id,
                jta.id,
                stored.scored_items,
                args.tolerance.map(range_rule).unwrap_or_default()
            )?;
            let mut table = Table::new([
                "domain",
                "JTA level",
                "factor",
                "criticality",
                "weight",
                "quota",
                "foundational",
                "intermediate",
                "advanced",
                "items",
            ]);
            for r in &rows {
                // With a tolerance: each range with the exact count it widens.
                let show = |exact: Count, range: Option<Count>| match range {
                    Some(range) => format!("{range} ({exact})"),
                    None => exact.to_string(),
                };
                let [foundational, intermediate, advanced] = CompetencyLevel::ALL
                    .map(|l| show(r.levels.get(l), r.ranges.map(|ranges| ranges.get(l))));
                let items = show(Count::exact(r.levels.min_total()), r.count);
                table.row([
                    r.domain.to_string(),
                    r.jta_level.to_string(),
                    format!("{}", r.level_factor),
                    format!("{:.3}", r.criticality),
                    format!("{:.4}", r.weight),
                    format!("{:.3}", r.quota),
                    foundational,
                    intermediate,
                    advanced,
                    items,
                ]);
            }
            write!(out, "{}", table.render())?;
            for problem in &problems {
                writeln!(out, "{problem}")?;
            }
            if mismatches.is_empty() {
                writeln!(out, "\n{} equals the derivation.", blueprint_path.display())?;
            } else {
                for m in &mismatches {
                    writeln!(out, "mismatch: {}: {m}", blueprint_path.display())?;
                }
            }
            out.flush()?;
        }
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
