//! A small private bank loader for `exam assemble` and `exam coverage`.
//!
//! Stop-gap until `ItemBank::load` (being written on another branch) lands:
//! at merge, replace `load_bank` with it. Reads either a bank directory
//! (`<dir>/jta/jta.json` and every `<dir>/items/*.json`, each an `ItemFile`
//! object with `sets` and `items`) or one JSON file holding an array of
//! items or an `ItemFile` object, with the JTA from `--jta`.

use anyhow::{Context, bail};
use exam_core::bank::ItemBank;
use exam_core::item::{Item, ItemFile};
use exam_core::jta::Jta;
use serde::de::DeserializeOwned;
use std::path::Path;

fn read_json<T: DeserializeOwned>(path: &Path) -> anyhow::Result<T> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))
}

/// One JSON file of items: an array of items or an `ItemFile` object.
#[derive(serde::Deserialize)]
#[serde(untagged)]
enum OneFile {
    Items(Vec<Item>),
    File(ItemFile),
}

/// Loads a bank from a directory or a single JSON file.
pub fn load_bank(bank: &Path, jta: Option<&Path>) -> anyhow::Result<ItemBank> {
    let (jta_path, file) = if bank.is_dir() {
        let items_dir = bank.join("items");
        let mut paths: Vec<_> = std::fs::read_dir(&items_dir)
            .with_context(|| format!("reading {}", items_dir.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        paths.sort();
        let mut all = ItemFile::default();
        for path in &paths {
            let f: ItemFile = read_json(path)?;
            all.sets.extend(f.sets);
            all.items.extend(f.items);
        }
        (
            jta.map(Path::to_path_buf)
                .unwrap_or_else(|| bank.join("jta").join("jta.json")),
            all,
        )
    } else if bank.is_file() {
        let file = match read_json::<OneFile>(bank)? {
            OneFile::Items(items) => ItemFile {
                sets: Vec::new(),
                items,
            },
            OneFile::File(f) => f,
        };
        let jta = jta
            .map(Path::to_path_buf)
            .unwrap_or_else(|| "item-bank/jta/jta.json".into());
        (jta, file)
    } else {
        bail!("bank {} is neither a directory nor a file", bank.display());
    };
    let jta: Jta = read_json(&jta_path)?;
    ItemBank::new(jta, file.sets, file.items).map_err(|e| {
        let list: Vec<String> = e.problems.iter().map(ToString::to_string).collect();
        anyhow::anyhow!("bank {}: {}", bank.display(), list.join("; "))
    })
}

/// Reads any JSON file into `T`, naming the file on error.
pub fn load<T: DeserializeOwned>(path: &Path) -> anyhow::Result<T> {
    read_json(path)
}
