//! `exam rescore`: score every submission again under corrected scoring
//! rules (a re-keyed item, an item credited to everyone or dropped) and list
//! every candidate whose score or decision changed.

use crate::forms_input::{ScoringInputArgs, ScoringInputs};
use crate::output::{Format, create, refuse_overwriting, stdout};
use anyhow::Context;
use exam_export::core::submission::Submission;
use exam_export::rescore::{RescoreDocument, changes_table, write_changes_csv};
use exam_export::score_reports::write_reports;
use exam_export::scoring::keyed::Scorer;
use exam_export::scoring::rescore::rescore;
use exam_export::scoring::rules::ScoringRules;
use std::io::Write;
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

/// The flags resolved: the outputs checked against the inputs, the inputs
/// read and checked, and the scorers of the first and the corrected rules
/// built.
struct Resolved {
    /// The forms, parameters, first rules and their scorer.
    first: ScoringInputs,
    /// The corrected rules.
    new_rules: ScoringRules,
    /// The scorer of the corrected rules.
    after: Scorer,
    /// The submissions, read against the first scorer.
    submissions: Vec<Submission>,
    /// The context of an error in one of the submissions.
    bad_submission: String,
    /// Where the new score reports go.
    out: Option<PathBuf>,
    /// The output format on stdout.
    format: Format,
}

fn resolve(args: RescoreArgs) -> anyhow::Result<Resolved> {
    if let Some(out) = &args.out {
        let mut inputs = args.input.files();
        inputs.push(("--new-scoring", args.new_scoring.as_path()));
        refuse_overwriting(&[("--out", out.as_path())], &inputs)?;
    }
    let first = args.input.load()?;
    let new_rules = args.input.rules(Some(&args.new_scoring), &first.forms)?;
    let after = Scorer::new(
        first.forms.iter().map(|(f, k)| (f, k)),
        &new_rules,
        &first.params,
    )
    .with_context(|| {
        format!(
            "{}: the corrected rules do not fit the forms of {}",
            args.new_scoring.display(),
            args.input.forms.display()
        )
    })?;
    let submissions = args.input.submissions(&first.scorer)?;
    Ok(Resolved {
        first,
        new_rules,
        after,
        submissions,
        bad_submission: args.input.bad_submission(),
        out: args.out,
        format: args.format,
    })
}

/// Runs `exam rescore`.
pub fn run(args: RescoreArgs) -> anyhow::Result<ExitCode> {
    let Resolved {
        first,
        new_rules,
        after,
        submissions,
        bad_submission,
        out,
        format,
    } = resolve(args)?;
    let result = rescore(&submissions, &first.scorer, &after).with_context(|| bad_submission)?;
    if let Some(path) = &out {
        let (mut file, name) = create(path)?;
        write_reports(&mut file, &result.reports, &name)?;
        file.commit()?;
    }
    let doc = RescoreDocument {
        old_rules: format!("{} {}", first.rules.id, first.rules.version),
        new_rules: format!("{} {}", new_rules.id, new_rules.version),
        rescored: result.rescored,
        decisions_changed: result.decisions_changed,
        changes: result.changes,
    };
    let mut out = stdout();
    match format {
        Format::Json => doc.write(out, "stdout")?,
        Format::Csv => write_changes_csv(out, &doc.changes, "stdout")?,
        Format::Table => {
            write!(out, "{}", changes_table(&doc.changes))?;
            out.flush()?;
            eprintln!("{}", doc.account());
        }
    }
    Ok(ExitCode::SUCCESS)
}
