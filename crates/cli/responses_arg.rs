//! The scored response file that `exam calibrate` and `exam theta` read,
//! given as `--responses FILE` or, as is the habit, as the first positional
//! argument.

use anyhow::Context;
use std::path::{Path, PathBuf};

/// The scored response file of a command: `--responses FILE` or `FILE`.
#[derive(Debug, clap::Args)]
pub struct ScoredResponsesArg {
    /// Scored response CSV: a header row, the person id (unless --no-id),
    /// then one column per item; cells 1, 0, a partial-credit score, or
    /// empty (not presented). A `.parquet` file is read as Parquet: wide
    /// (the same columns, null for not presented) or long (columns person,
    /// item, score).
    #[arg(
        long,
        required_unless_present = "responses_file",
        conflicts_with = "responses_file"
    )]
    responses: Option<PathBuf>,
    /// The scored response CSV, given without --responses (`exam calibrate
    /// scores.csv --model 2pl`, `exam theta scores.csv --params p.json`).
    #[arg(value_name = "RESPONSES")]
    responses_file: Option<PathBuf>,
}

impl ScoredResponsesArg {
    /// The file, whichever way it was given.
    pub fn path(&self) -> anyhow::Result<&Path> {
        self.responses
            .as_deref()
            .or(self.responses_file.as_deref())
            .context("give the scored response file (RESPONSES or --responses)")
    }
}
