//! Loading the bank, the blueprint and JSON inputs for the commands that
//! build or check forms, with every problem of a bad bank reported.

use anyhow::{Context, bail};
use exam_export::core::bank::{
    BankErrors, CheckedBlueprint, ItemBank, Location, read_blueprint, read_jta,
};
use exam_export::core::blueprint::Blueprint;
use exam_export::core::jta::Jta;
use std::path::{Path, PathBuf};

/// The bank a command reads unless `--bank` says otherwise (relative to
/// the working directory).
pub const DEFAULT_BANK: &str = "item-bank";

/// The JTA a single file of items is checked against unless `--jta` says
/// otherwise.
const DEFAULT_JTA: &str = "item-bank/jta/jta.json";

/// `bank` when it exists; otherwise an error saying where the bank was
/// looked for and how to name another one.
pub fn bank_dir(bank: &Path) -> anyhow::Result<PathBuf> {
    if bank.exists() {
        return Ok(bank.to_path_buf());
    }
    let at = std::env::current_dir()
        .map(|cwd| cwd.join(bank))
        .unwrap_or_else(|_| bank.to_path_buf());
    bail!(
        "no item bank at {}: give --bank DIR (the folder with jta/, blueprints/ and items/), or run from the folder that holds `{DEFAULT_BANK}`",
        at.display()
    )
}

/// The blueprint of a bank folder when `--blueprint` is not given: its one
/// file in `blueprints/` (for a bank that is one file, `blueprints/` of
/// the default bank).
pub fn default_blueprint(bank: &Path) -> anyhow::Result<PathBuf> {
    let folder = if bank.is_dir() {
        bank.join("blueprints")
    } else {
        Path::new(DEFAULT_BANK).join("blueprints")
    };
    let mut found: Vec<PathBuf> = std::fs::read_dir(&folder)
        .with_context(|| format!("cannot read {} (give --blueprint FILE)", folder.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    found.sort();
    match found.as_slice() {
        [one] => Ok(one.clone()),
        [] => bail!(
            "{} holds no blueprint (give --blueprint FILE)",
            folder.display()
        ),
        several => bail!(
            "{} holds {} blueprints; choose one with --blueprint ({})",
            folder.display(),
            several.len(),
            several
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

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
    bank_dir(bank)?;
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

/// The JTA of a bank folder (`jta/jta.json`).
pub fn load_jta(bank: &Path) -> anyhow::Result<Jta> {
    let path = bank_dir(bank)?.join("jta").join("jta.json");
    read_jta(&path).map_err(|e| bank_error(&path, e))
}

/// Checks the blueprint read from `path` against `jta` as `exam validate`
/// checks it (level counts, scored length, cut, weights): the one check
/// before any command uses a blueprint. The error lists every error found.
pub fn check_blueprint(
    jta: &Jta,
    path: &Path,
    blueprint: Blueprint,
) -> anyhow::Result<CheckedBlueprint> {
    CheckedBlueprint::new(jta, blueprint, &Location::file(Some(path.to_path_buf()))).map_err(|e| {
        let problems = e.errors().cloned().collect();
        bank_error(path, BankErrors { problems })
    })
}

/// Flags shared by the commands that build or check forms: the bank, its
/// JTA and the blueprint.
#[derive(Debug, clap::Args)]
pub struct BankArgs {
    /// The bank: a directory (jta/jta.json, blueprints/, items/*.json) or
    /// one JSON file of items.
    #[arg(long, default_value = DEFAULT_BANK)]
    bank: PathBuf,
    /// The JTA, for a single-file bank (default item-bank/jta/jta.json).
    #[arg(long)]
    jta: Option<PathBuf>,
    /// The blueprint (default: the one file in the bank's blueprints/).
    #[arg(long)]
    blueprint: Option<PathBuf>,
}

impl BankArgs {
    /// The input paths given (bank, JTA, blueprint), each with its flag.
    pub fn files(&self) -> Vec<(&'static str, &Path)> {
        let mut files = vec![("--bank", self.bank.as_path())];
        if let Some(blueprint) = &self.blueprint {
            files.push(("--blueprint", blueprint.as_path()));
        }
        if let Some(jta) = &self.jta {
            files.push(("--jta", jta.as_path()));
        }
        files
    }

    /// Loads the bank (see [`load_bank`]) and the blueprint, checked
    /// against the bank's JTA ([`check_blueprint`]): every command that
    /// builds or checks forms refuses an inconsistent blueprint.
    pub fn load(&self) -> anyhow::Result<(ItemBank, CheckedBlueprint)> {
        let bank = load_bank(&self.bank, self.jta.as_deref())?;
        let path = match &self.blueprint {
            Some(path) => path.clone(),
            None => default_blueprint(&self.bank)?,
        };
        let blueprint = check_blueprint(bank.jta(), &path, load_blueprint(&path)?)?;
        Ok((bank, blueprint))
    }
}
