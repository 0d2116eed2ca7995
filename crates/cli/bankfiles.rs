//! Loading the bank, the blueprint and JSON inputs for the commands that
//! build or check forms, with every problem of a bad bank reported.

use anyhow::Context;
use exam_export::core::bank::{
    BankErrors, ItemBank, Location, Problem, check_blueprint, read_blueprint,
};
use exam_export::core::blueprint::Blueprint;
use std::path::{Path, PathBuf};

/// The JTA a single file of items is checked against unless `--jta` says otherwise.
const DEFAULT_JTA: &str = "item-bank/jta/jta.json";

/// Turns a bank's problems into one error listing each of them.
fn bank_error(source: &Path, errors: BankErrors) -> anyhow::Error {
    let list: Vec<String> = errors.problems.iter().map(ToString::to_string).collect();
    anyhow::anyhow!(
        "the bank {} has {} problem(s) (run `exam validate` for the full report):\n  {}",
        source.display(),
        list.len(),
        list.join("\n  ")
    )
}

/// Whether a JSON file holds a bank document (an object with a `jta` field)
/// rather than items alone.
fn is_bank_document(path: &Path) -> anyhow::Result<bool> {
    #[derive(serde::Deserialize)]
    struct Probe {
        jta: Option<serde::de::IgnoredAny>,
    }
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    Ok(serde_json::from_str::<Probe>(&text).is_ok_and(|p| p.jta.is_some()))
}

/// Loads a bank from a directory, a bank document, or one file of items
/// (checked against `jta`, by default the shipped JTA).
pub fn load_bank(bank: &Path, jta: Option<&Path>) -> anyhow::Result<ItemBank> {
    let loaded = if bank.is_file() && !is_bank_document(bank)? {
        ItemBank::load_items(bank, jta.unwrap_or(Path::new(DEFAULT_JTA)))
    } else {
        ItemBank::open(bank)
    };
    loaded.map_err(|e| bank_error(bank, e))
}

/// Reads a blueprint file, checked into the blueprint type.
pub fn load_blueprint(path: &Path) -> anyhow::Result<Blueprint> {
    read_blueprint(path).map_err(|e| bank_error(path, e))
}

/// Flags shared by the commands that build or check forms: the bank, its
/// JTA and the blueprint.
#[derive(Debug, clap::Args)]
pub struct BankArgs {
    /// The bank: a directory (jta/jta.json + items/*.json) or one JSON file of items.
    #[arg(long, default_value = "item-bank")]
    bank: PathBuf,
    /// The JTA, for a single-file bank (default item-bank/jta/jta.json).
    #[arg(long)]
    jta: Option<PathBuf>,
    /// The blueprint.
    #[arg(long, default_value = "item-bank/blueprints/die-2026.json")]
    blueprint: PathBuf,
}

impl BankArgs {
    /// The input paths given (bank, JTA, blueprint), each with its flag.
    pub fn files(&self) -> Vec<(&'static str, &Path)> {
        let mut files = vec![
            ("--bank", self.bank.as_path()),
            ("--blueprint", self.blueprint.as_path()),
        ];
        if let Some(jta) = &self.jta {
            files.push(("--jta", jta.as_path()));
        }
        files
    }

    /// Loads the bank (see [`load_bank`]) and the blueprint, checked
    /// against the bank's JTA as `exam validate` checks it (level counts,
    /// scored length, cut, weights): every command that builds or checks
    /// forms refuses an inconsistent blueprint.
    pub fn load(&self) -> anyhow::Result<(ItemBank, Blueprint)> {
        let bank = load_bank(&self.bank, self.jta.as_deref())?;
        let blueprint = load_blueprint(&self.blueprint)?;
        let at = Location::file(Some(self.blueprint.clone()));
        let problems: Vec<Problem> = check_blueprint(bank.jta(), &blueprint, &at)
            .into_iter()
            .filter(Problem::is_error)
            .collect();
        if !problems.is_empty() {
            return Err(bank_error(&self.blueprint, BankErrors { problems }));
        }
        Ok((bank, blueprint))
    }
}
