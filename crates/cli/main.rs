//! The `exam` command-line tool: each subcommand is a thin layer that parses
//! flags, loads and checks files, calls the libraries, and prints a human
//! table or one JSON document (`--format json`).
//!
//! Exit status: 0 on success, 1 on bad input or failure (with an error that
//! names the file, line or item), never a panic; `exam calibrate` exits 3
//! when the calibration did not converge (its output is still written). A
//! closed stdout (`exam ... | head`) counts as success.

mod analyze;
mod analyze_raw;
mod assemble;
mod bankfiles;
mod blueprint;
mod calibrate;
mod coverage;
mod export;
mod forms_input;
mod import;
mod loft;
mod output;
mod pilot;
mod progress;
mod record_params;
mod report;
mod rescore;
mod responses_arg;
mod schema;
mod score;
mod simulate;
mod theta;
mod validate;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Certification exam engine: blueprint, item bank, forms, scoring, item
/// analysis and IRT calibration.
#[derive(Debug, Parser)]
#[command(name = "exam", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check the item bank, its JTA and blueprints; report every problem.
    Validate(validate::ValidateArgs),
    /// Show the blueprint's derivation from the JTA and check the stored blueprint.
    Blueprint(blueprint::BlueprintArgs),
    /// Print the JSON Schema of a bank file format.
    Schema(schema::SchemaArgs),
    /// Classical item analysis of a scored response file, or of raw
    /// responses with their forms (adds distractor analysis).
    Analyze(analyze::AnalyzeArgs),
    /// Calibrate IRT item parameters from a scored response file (exit
    /// status 3 when the calibration did not converge).
    Calibrate(calibrate::CalibrateArgs),
    /// Build forms from the bank for a blueprint and print their coverage.
    Assemble(assemble::AssembleArgs),
    /// Check forms against their blueprint (exit status 1 if one does not meet it).
    Coverage(coverage::CoverageArgs),
    /// Ability (EAP, MAP or MLE) for every person of a scored-response CSV.
    Theta(theta::ThetaArgs),
    /// Score submissions against the forms' scoring keys: score reports.
    Score(score::ScoreArgs),
    /// Simulate submissions on forms from IRT generating parameters.
    Simulate(simulate::SimulateArgs),
    /// Rescore submissions under corrected rules and list what changed.
    Rescore(rescore::RescoreArgs),
    /// Write calibrated IRT parameters with their provenance into the bank's items.
    RecordParams(record_params::RecordParamsArgs),
    /// Write the standards: QTI 3.0 package, usage data, results, xAPI, LTI AGS.
    Export(export::ExportArgs),
    /// Read QTI 3.0 items into the bank's item format.
    Import(import::ImportArgs),
    /// One on-the-fly (LOFT) form for a candidate, counted in an exposure state file.
    Loft(loft::LoftArgs),
    /// Write an HTML report: analysis, calibration, forms or candidate.
    Report(report::ReportArgs),
    /// Simulate the program's first administration end to end into a folder.
    Pilot(pilot::PilotArgs),
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Validate(args) => validate::run(args),
        Command::Blueprint(args) => blueprint::run(args),
        Command::Schema(args) => schema::run(args),
        Command::Analyze(args) => analyze::run(args),
        Command::Calibrate(args) => calibrate::run(args),
        Command::Assemble(args) => assemble::run(args),
        Command::Coverage(args) => coverage::run(args),
        Command::Theta(args) => theta::run(args),
        Command::Score(args) => score::run(args),
        Command::Simulate(args) => simulate::run(args),
        Command::Rescore(args) => rescore::run(args),
        Command::Loft(args) => loft::run(args),
        Command::RecordParams(args) => record_params::run(args),
        Command::Export(args) => export::run(args),
        Command::Import(args) => import::run(args),
        Command::Report(args) => report::run(args),
        Command::Pilot(args) => pilot::run(args),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(err) if output::is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
