//! `exam pilot`: the program's first administration simulated end to end
//! (see [`exam_export::pilot`]), into one folder with an `index.html`.

use crate::bankfiles::bank_dir;
use exam_export::pilot::{PilotOptions, Step, run_pilot};
use std::path::PathBuf;
use std::process::ExitCode;

/// Flags of `exam pilot`.
#[derive(Debug, clap::Args)]
pub struct PilotArgs {
    /// The folder to write into (created if absent; never inside the bank).
    #[arg(long)]
    out: PathBuf,
    /// Seed of every random step (recorded in the outputs).
    #[arg(long, default_value_t = PilotOptions::default().seed)]
    seed: u64,
    /// Candidates to simulate.
    #[arg(long, default_value_t = PilotOptions::default().candidates)]
    candidates: usize,
    /// Parallel forms to assemble.
    #[arg(long, default_value_t = PilotOptions::default().forms)]
    forms: u32,
    /// The bank folder (jta/, blueprints/, items/); read, never written.
    #[arg(long, default_value = crate::bankfiles::DEFAULT_BANK)]
    bank: PathBuf,
}

/// Runs `exam pilot`.
pub fn run(args: PilotArgs) -> anyhow::Result<ExitCode> {
    let bank = bank_dir(&args.bank)?;
    let options = PilotOptions {
        candidates: args.candidates,
        forms: args.forms,
        seed: args.seed,
    };
    let mut bar: Option<indicatif::ProgressBar> = None;
    let mut count = 0;
    let summary = run_pilot(&bank, &args.out, &options, &mut |step: Step| {
        count += 1;
        if let Some(done) = bar.take() {
            done.finish();
        }
        bar = Some(crate::progress::spinner(format!("[{count:>2}/12] {step}")));
    });
    if let Some(done) = bar.take() {
        done.finish();
    }
    let summary = summary?;
    println!(
        "pilot: {} candidates, pass rate {:.3}, DIF item {} {}; open {}",
        summary.candidates,
        summary.pass_rate,
        summary.dif.item,
        if summary.dif.found {
            "found"
        } else {
            "not found"
        },
        args.out.join("index.html").display()
    );
    Ok(ExitCode::SUCCESS)
}
