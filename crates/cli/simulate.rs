//! `exam simulate`: simulated submissions on given forms from IRT
//! generating parameters and a seed, written as a raw response CSV (or
//! JSON submissions when `--out` ends in `.json`).

use crate::forms_input::{build_scorer, read_forms, read_params};
use crate::output::{Format, create, print_json, refuse_overwriting};
use exam_export::core::ids::ItemId;
use exam_export::core::irt::ItemParams;
use exam_export::raw_csv::RawCsvWriter;
use exam_export::scoring::form_simulation::{SimulationOptions, Simulator, fill_generating_params};
use exam_export::scoring::keyed::Scorer;
use exam_export::scoring::rules::ScoringRules;
use exam_export::submissions::SubmissionsJsonWriter;
use serde::Serialize;
use std::collections::HashMap;
use std::path::PathBuf;
use std::process::ExitCode;

/// Candidates simulated (in parallel) and written per batch: memory holds
/// one batch of submissions, whatever the number of candidates.
const BATCH: usize = 8192;

/// The writer of the chosen output format.
enum Writer<'a, W: std::io::Write> {
    Json(SubmissionsJsonWriter<W>),
    Csv(Box<RawCsvWriter<'a, W>>),
}

/// Flags of `exam simulate`.
#[derive(Debug, clap::Args)]
pub struct SimulateArgs {
    /// Forms file as `exam assemble --out` writes it (`forms` and
    /// `scoring_keys` arrays).
    #[arg(long)]
    forms: PathBuf,
    /// Number of candidates (candidate i sits form i mod the number of forms).
    #[arg(long)]
    candidates: usize,
    /// Seed of the ChaCha8 generator.
    #[arg(long)]
    seed: u64,
    /// Output file: raw response CSV, or JSON submissions for `.json`.
    #[arg(long)]
    out: PathBuf,
    /// Generating item parameters (`{"items": [{"id", "a", "b", "c"}]}`);
    /// items without parameters get parameters drawn from the seed
    /// (reported on stderr).
    #[arg(long)]
    params: Option<PathBuf>,
    /// Mean of the abilities: any finite number.
    #[arg(long, default_value_t = 0.0, allow_negative_numbers = true)]
    ability_mean: f64,
    /// Standard deviation of the abilities: finite and greater than 0.
    #[arg(long, default_value_t = 1.0)]
    ability_sd: f64,
    /// Probability of omitting an item: in [0, 1).
    #[arg(long, default_value_t = 0.01)]
    omit_rate: f64,
    /// Output format of the summary on stdout.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

#[derive(Serialize)]
struct Summary<'a> {
    out: String,
    candidates: usize,
    forms: usize,
    seed: u64,
    generated_params: &'a [exam_export::core::ids::ItemId],
    mean_ability: Option<f64>,
}

/// The flags resolved: the output checked against the inputs, the forms
/// read and their scorer built, the generating parameters read and
/// completed from the seed.
struct Resolved {
    /// The forms sat in turn.
    n_forms: usize,
    /// The scorer of the forms (default rules).
    scorer: Scorer,
    /// Generating parameters of every item.
    params: HashMap<ItemId, ItemParams>,
    /// The items whose parameters were drawn from the seed.
    filled: Vec<ItemId>,
    /// Ability distribution and omission rate.
    options: SimulationOptions,
    /// JSON submissions rather than a raw response CSV.
    json: bool,
    /// The flags as given.
    args: SimulateArgs,
}

fn resolve(args: SimulateArgs) -> anyhow::Result<Resolved> {
    let mut inputs = vec![("--forms", args.forms.as_path())];
    if let Some(params) = &args.params {
        inputs.push(("--params", params.as_path()));
    }
    refuse_overwriting(&[("--out", args.out.as_path())], &inputs)?;
    let forms = read_forms(&args.forms)?;
    let mut params = read_params(args.params.as_deref())?;
    let scorer = build_scorer(&forms, &ScoringRules::default(), &params, &args.forms)?;
    let filled = fill_generating_params(&scorer, &mut params, args.seed);
    let options = SimulationOptions {
        ability_mean: args.ability_mean,
        ability_sd: args.ability_sd,
        omit_rate: args.omit_rate,
    };
    let json = args
        .out
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    Ok(Resolved {
        n_forms: forms.len(),
        scorer,
        params,
        filled,
        options,
        json,
        args,
    })
}

/// Runs `exam simulate`.
pub fn run(args: SimulateArgs) -> anyhow::Result<ExitCode> {
    let r = resolve(args)?;
    let args = &r.args;
    if !r.filled.is_empty() {
        eprintln!(
            "note: {} item(s) had no generating parameters; drew them from the seed",
            r.filled.len()
        );
    }
    let simulator = Simulator::new(&r.scorer, &r.params, args.candidates, &r.options, args.seed)?;
    let bar = crate::progress::spinner(format!("simulating {} candidates", args.candidates));
    let (out, name) = create(&args.out)?;
    let mut writer = if r.json {
        Writer::Json(SubmissionsJsonWriter::new(out)?)
    } else {
        Writer::Csv(Box::new(RawCsvWriter::new(out, &r.scorer)?))
    };
    let mut ability_sum = 0.0;
    for start in (0..args.candidates).step_by(BATCH) {
        for (submission, theta) in simulator.batch(start..start + BATCH) {
            ability_sum += theta;
            match &mut writer {
                Writer::Json(w) => w.write(&submission)?,
                Writer::Csv(w) => w.write(&submission)?,
            }
        }
        bar.set_message(format!(
            "simulated {} of {} candidates",
            (start + BATCH).min(args.candidates),
            args.candidates
        ));
    }
    let out = match writer {
        Writer::Json(w) => w.finish()?,
        Writer::Csv(w) => w.finish()?,
    };
    out.commit()?;
    bar.finish_and_clear();
    let n = args.candidates;
    let summary = Summary {
        out: name,
        candidates: n,
        forms: r.n_forms,
        seed: args.seed,
        generated_params: &r.filled,
        mean_ability: (n > 0).then(|| ability_sum / n as f64),
    };
    match args.format {
        Format::Json => print_json(&summary)?,
        Format::Table | Format::Csv => println!(
            "wrote {} submissions on {} form(s) to {} (seed {})",
            summary.candidates, summary.forms, summary.out, summary.seed
        ),
    }
    Ok(ExitCode::SUCCESS)
}
