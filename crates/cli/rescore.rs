//! `exam rescore`: score every submission again under corrected scoring
//! rules (a re-keyed item, an item credited to everyone or dropped) and list
//! every candidate whose score or decision changed.

use crate::forms_input::{ScoringInputArgs, ScoringInputs, build_scorer};
use crate::output::{Format, print_json, refuse_overwriting};
use crate::score::{print_rows, write_json_file};
use anyhow::Context;
use exam_scoring::rescore::{ScoreChange, rescore};
use serde::Serialize;
use std::path::PathBuf;
use std::process::ExitCode;

/// Flags of `exam rescore`.
#[derive(Debug, clap::Args)]
pub struct RescoreArgs {
    #[command(flatten)]
    input: ScoringInputArgs,
    /// The corrected scoring rules (with `adjustments`, a new version).
    #[arg(long)]
    new_scoring: PathBuf,
    /// Write the new score reports (JSON) to this file.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Output format on stdout.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

#[derive(Serialize)]
struct Out<'a> {
    old_rules: String,
    new_rules: String,
    rescored: usize,
    decisions_changed: usize,
    changes: &'a [ScoreChange],
}

/// Runs `exam rescore`.
pub fn run(args: RescoreArgs) -> anyhow::Result<ExitCode> {
    if let Some(out) = &args.out {
        let mut inputs = args.input.files();
        inputs.push(("--new-scoring", args.new_scoring.as_path()));
        refuse_overwriting(&[("--out", out.as_path())], &inputs)?;
    }
    let ScoringInputs {
        forms,
        params,
        rules: old_rules,
        scorer: before,
    } = args.input.load()?;
    let new_rules = args.input.rules(Some(&args.new_scoring))?;
    let after = build_scorer(&forms, &new_rules, &params, &args.input.forms)?;
    let submissions = args.input.submissions(&before)?;
    let result =
        rescore(&submissions, &before, &after).with_context(|| args.input.bad_submission())?;
    if let Some(path) = &args.out {
        write_json_file(path, &result.reports)?;
    }
    let out = Out {
        old_rules: format!("{} {}", old_rules.id, old_rules.version),
        new_rules: format!("{} {}", new_rules.id, new_rules.version),
        rescored: result.rescored,
        decisions_changed: result.decisions_changed,
        changes: &result.changes,
    };
    match args.format {
        Format::Json => print_json(&out)?,
        Format::Table | Format::Csv => {
            let decision = |p: Option<bool>| match p {
                Some(true) => "pass".to_owned(),
                Some(false) => "fail".to_owned(),
                None => String::new(),
            };
            let scaled = |s: Option<i64>| s.map_or(String::new(), |v| v.to_string());
            let rows: Vec<Vec<String>> = result
                .changes
                .iter()
                .map(|c| {
                    vec![
                        c.candidate.to_string(),
                        c.form.to_string(),
                        format!("{:.2}/{:.2}", c.old_raw, c.old_max),
                        format!("{:.2}/{:.2}", c.new_raw, c.new_max),
                        scaled(c.old_scaled),
                        scaled(c.new_scaled),
                        decision(c.old_passed),
                        decision(c.new_passed),
                    ]
                })
                .collect();
            print_rows(
                &[
                    "candidate",
                    "form",
                    "old_raw",
                    "new_raw",
                    "old_scaled",
                    "new_scaled",
                    "old_decision",
                    "new_decision",
                ],
                &rows,
                args.format == Format::Csv,
            )?;
            if args.format == Format::Table {
                eprintln!(
                    "{} rescored ({} → {}); {} changed, {} decision(s) changed",
                    out.rescored,
                    out.old_rules,
                    out.new_rules,
                    result.changes.len(),
                    out.decisions_changed
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
