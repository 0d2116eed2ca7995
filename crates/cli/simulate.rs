//! `exam simulate`: simulated submissions on given forms from IRT
//! generating parameters and a seed, written as a raw response CSV (or
//! JSON submissions when `--out` ends in `.json`).

use crate::forms_input::{build_scorer, read_forms, read_params};
use crate::output::{Format, print_json, refuse_overwriting};
use exam_export::scoring::form_simulation::{SimulationOptions, fill_generating_params, simulate};
use exam_export::scoring::raw_csv::write_raw_csv;
use exam_export::scoring::rules::ScoringRules;
use exam_export::submissions::write_submissions_json;
use serde::Serialize;
use std::path::PathBuf;
use std::process::ExitCode;

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

/// Runs `exam simulate`.
pub fn run(args: SimulateArgs) -> anyhow::Result<ExitCode> {
    let mut inputs = vec![("--forms", args.forms.as_path())];
    if let Some(params) = &args.params {
        inputs.push(("--params", params.as_path()));
    }
    refuse_overwriting(&[("--out", args.out.as_path())], &inputs)?;
    let forms = read_forms(&args.forms)?;
    let mut params = read_params(args.params.as_deref())?;
    let scorer = build_scorer(&forms, &ScoringRules::default(), &params, &args.forms)?;
    let filled = fill_generating_params(&scorer, &mut params, args.seed);
    if !filled.is_empty() {
        eprintln!(
            "note: {} item(s) had no generating parameters; drew them from the seed",
            filled.len()
        );
    }
    let options = SimulationOptions {
        ability_mean: args.ability_mean,
        ability_sd: args.ability_sd,
        omit_rate: args.omit_rate,
    };
    let bar = crate::progress::spinner(format!("simulating {} candidates", args.candidates));
    let sim = simulate(&scorer, &params, args.candidates, &options, args.seed)?;
    bar.set_message(format!("writing {}", args.out.display()));
    let (mut w, name) = crate::output::create(&args.out)?;
    if args
        .out
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
    {
        write_submissions_json(&mut w, &sim.submissions)?;
    } else {
        write_raw_csv(&mut w, &scorer, &sim.submissions)?;
    }
    w.commit()?;
    bar.finish_and_clear();
    let n = sim.abilities.len();
    let summary = Summary {
        out: name,
        candidates: n,
        forms: forms.len(),
        seed: args.seed,
        generated_params: &filled,
        mean_ability: (n > 0).then(|| sim.abilities.iter().sum::<f64>() / n as f64),
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
