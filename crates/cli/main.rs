//! The `exam` command-line tool: each subcommand is a thin layer that parses
//! flags, loads and checks files, calls the libraries, and prints a human
//! table or one JSON document (`--format json`).
//!
//! Exit status: 0 on success, 1 on bad input or failure (with an error that
//! names the file, line or item), never a panic. A closed stdout (`exam ... |
//! head`) counts as success.

mod assemble;
mod bankfiles;
mod coverage;
mod output;

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
    /// Build forms from the bank for a blueprint and print their coverage.
    Assemble(assemble::AssembleArgs),
    /// Check forms against their blueprint (exit status 1 if one does not meet it).
    Coverage(coverage::CoverageArgs),
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Assemble(args) => assemble::run(args),
        Command::Coverage(args) => coverage::run(args),
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
