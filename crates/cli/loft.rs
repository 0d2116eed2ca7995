//! `exam loft`: one on-the-fly form for one candidate, counted in an
//! exposure state file that is rewritten whole (temporary file, then
//! rename), so an interrupted run leaves the old state.

use crate::bankfiles::BankArgs;
use crate::output::{Format, print_json, refuse_overwriting, write_whole};
use anyhow::Context;
use clap::Args;
use exam_export::core::assembly::{ExposureState, LoftOptions, LoftPlan, LoftQuality};
use exam_export::core::attempt::HandleKey;
use exam_export::core::ids::CandidateId;
use exam_export::loft::{LoftDocument, read_exposure, write_exposure};
use serde::Serialize;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

/// Flags of `exam loft`.
#[derive(Debug, Args)]
pub struct LoftArgs {
    #[command(flatten)]
    inputs: BankArgs,
    /// The candidate's id.
    #[arg(long)]
    candidate: String,
    /// Random seed of this attempt (recorded in the form).
    #[arg(long)]
    seed: u64,
    /// The exposure state: read if it exists (empty otherwise), then
    /// rewritten with this form counted.
    #[arg(long)]
    state: PathBuf,
    /// Write the form, delivery view, scoring key and record to this file.
    #[arg(long)]
    out: PathBuf,
    /// Target largest exposure rate of an item (a soft cap).
    #[arg(long, default_value_t = 1.0)]
    max_exposure_rate: f64,
    /// Most items two candidates' forms should share on average.
    #[arg(long)]
    max_expected_overlap: Option<u32>,
    /// Hard limit on the forms any item may be on.
    #[arg(long)]
    max_item_uses: Option<u64>,
    /// Stop improving a form within this of the information target.
    #[arg(long, default_value_t = 0.5)]
    tolerance: f64,
    /// The secret handle key (32 hex digits); by default one derived from
    /// the seed, so only use the default where the document stays on the
    /// server.
    #[arg(long)]
    handle_key: Option<String>,
    /// Output format of the summary.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// What `exam loft` prints.
#[derive(Debug, Serialize)]
struct Summary<'a> {
    candidate: &'a CandidateId,
    form: &'a str,
    items: usize,
    quality: &'a LoftQuality,
    forms_delivered: u64,
    max_exposure_rate: f64,
}

/// Runs `exam loft`.
pub fn run(args: LoftArgs) -> anyhow::Result<ExitCode> {
    if args.format == Format::Csv {
        anyhow::bail!("exam loft prints a table or JSON, not CSV");
    }
    refuse_overwriting(
        &[
            ("--state", args.state.as_path()),
            ("--out", args.out.as_path()),
        ],
        &args.inputs.files(),
    )?;
    let candidate =
        CandidateId::parse(&args.candidate).map_err(|e| anyhow::anyhow!("--candidate: {e}"))?;
    let handles = match &args.handle_key {
        Some(hex) => HandleKey::from_hex(hex).context("--handle-key must be 32 hex digits")?,
        None => {
            let mut secret = [0u8; 16];
            secret[..8].copy_from_slice(&args.seed.to_le_bytes());
            HandleKey::new(secret)
        }
    };
    let state: ExposureState = if args.state.exists() {
        let (file, name) = crate::output::open(&args.state)?;
        read_exposure(file, &name)?
    } else {
        ExposureState::default()
    };
    let (bank, blueprint) = args.inputs.load()?;
    let options = LoftOptions {
        max_exposure_rate: args.max_exposure_rate,
        max_expected_overlap: args.max_expected_overlap,
        max_item_uses: args.max_item_uses,
        tolerance: args.tolerance,
        ..LoftOptions::default()
    };
    let plan = LoftPlan::new(Arc::new(bank), Arc::new(blueprint), &options, handles)
        .context("compiling the bank for on-the-fly forms")?;
    let attempt = plan
        .attempt(&state, args.seed)
        .with_context(|| format!("building a form for candidate {candidate}"))?;
    let mut next = state;
    next.record(&attempt.form);
    let quality = attempt.quality;
    let doc = LoftDocument::new(candidate, attempt);
    let mut bytes = Vec::new();
    doc.write(&mut bytes, &args.out.display().to_string())?;
    write_whole(&args.out, &[], &bytes)?;
    bytes.clear();
    write_exposure(&next, &mut bytes, &args.state.display().to_string())?;
    write_whole(&args.state, &[], &bytes)?;
    let candidate = &doc.candidate;
    let summary = Summary {
        candidate,
        form: doc.form.id.as_str(),
        items: doc.form.slots.len(),
        quality: &quality,
        forms_delivered: next.forms_delivered,
        max_exposure_rate: next.max_rate(),
    };
    match args.format {
        Format::Json => print_json(&summary)?,
        _ => {
            println!(
                "form {} for {}: {} items{}; {} over the exposure cap",
                summary.form,
                candidate,
                summary.items,
                quality.max_deviation.map_or(String::new(), |d| format!(
                    ", largest deviation from the target {d:.3}"
                )),
                quality.over_exposed
            );
            println!(
                "exposure: {} form(s) delivered, largest item rate {:.3} (state {})",
                next.forms_delivered,
                next.max_rate(),
                args.state.display()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
