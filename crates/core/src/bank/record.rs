//! Writing calibrated IRT parameters back into a bank directory's item
//! files: an explicit step, never a side effect of calibrating.
//!
//! [`plan`] takes a calibration ([`CalibrationInput`], from the document
//! `exam calibrate --format json` writes) and a [`RecordOptions`] provenance,
//! checks all of it against the bank (every id must be a bank item, every
//! parameter valid, the run converged) and computes the new item files
//! without touching the disk; [`RecordPlan::write`] then writes them. So
//! nothing is written when anything is wrong, and a dry run is the plan
//! without the write.
//!
//! Each calibrated item gets [`crate::item::IrtStats`] in its `stats.irt`:
//! model, `a`, `b`, `c` (logistic metric, D = 1), the standard errors the
//! calibration reported, and the [`Provenance`] (data set, date, sample
//! size, run). Anchor items (`"fixed": true`) were held at their bank values,
//! not estimated from the data, so they are skipped and listed. Items not in
//! the calibration are untouched, and files without a calibrated item are
//! not rewritten. A rewritten file is pretty JSON in the field order of
//! [`Item`] and [`crate::item::ItemFile`], with a trailing newline, and
//! keeps its shape (bare array of items or `{"sets", "items"}` object).

use super::{BankErrors, ItemBank, load};
use crate::ids::ItemId;
use crate::irt::{IrtModel, ItemParams, ParamsError};
use crate::item::{IrtStats, Item, ItemFile, ParamErrors, Provenance};
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

/// What write-back needs of a calibration: the model, the sample, whether
/// it converged, and the items' parameters. The calibration document of
/// exam-export (what `exam calibrate --format json` writes) converts into
/// it.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(test, derive(serde::Deserialize))]
pub struct CalibrationInput {
    /// The model calibrated.
    pub model: IrtModel,
    /// Persons in the calibration sample.
    #[cfg_attr(test, serde(default))]
    pub n_persons: Option<u64>,
    /// The estimation method (`mml`, `cml`).
    #[cfg_attr(test, serde(default))]
    pub estimation: Option<String>,
    /// Whether the estimation converged (absent: not stated).
    #[cfg_attr(test, serde(default))]
    pub converged: Option<bool>,
    /// The calibrated items.
    pub items: Vec<CalibratedItem>,
}

/// One item of a [`CalibrationInput`].
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(test, derive(serde::Deserialize))]
pub struct CalibratedItem {
    /// The item.
    pub id: ItemId,
    /// Persons presented the item.
    #[cfg_attr(test, serde(default))]
    pub n: Option<u64>,
    /// Slope.
    #[cfg_attr(test, serde(default))]
    pub a: Option<f64>,
    /// Difficulty.
    #[cfg_attr(test, serde(default))]
    pub b: Option<f64>,
    /// Lower asymptote (absent: 0).
    #[cfg_attr(test, serde(default))]
    pub c: Option<f64>,
    /// Standard error of `a`.
    #[cfg_attr(test, serde(default))]
    pub se_a: Option<f64>,
    /// Standard error of `b`.
    #[cfg_attr(test, serde(default))]
    pub se_b: Option<f64>,
    /// Standard error of `c`.
    #[cfg_attr(test, serde(default))]
    pub se_c: Option<f64>,
    /// Held at its bank parameters (an anchor), not estimated.
    #[cfg_attr(test, serde(default))]
    pub fixed: bool,
    /// The names of the calibration's flags on the estimate
    /// (`heywood_slope`, `at_bound`, ...): recorded only with
    /// [`RecordOptions::accept_flagged`].
    #[cfg_attr(test, serde(default))]
    pub flags: Vec<String>,
}

/// The provenance to record, given explicitly (no clock is read, so the
/// same command gives the same files).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordOptions {
    /// The response data set the calibration used.
    pub dataset: String,
    /// The calibration date, `YYYY-MM-DD`.
    pub date: String,
    /// Sample size for every item; absent: each item's `n` from the
    /// calibration, else its `n_persons`.
    pub sample_size: Option<u32>,
    /// The run description; absent: the estimation method and model.
    pub run: Option<String>,
    /// Record estimates the calibration flagged (otherwise refused).
    pub accept_flagged: bool,
}

/// Why parameters could not be recorded. Nothing has been written, except
/// as [`RecordError::Commit`] reports.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RecordError {
    /// The bank path is not a directory.
    #[error("{0}: not a bank directory")]
    NotADirectory(PathBuf),
    /// The bank does not load.
    #[error("the bank at {dir} does not load: {errors}")]
    Bank {
        /// The bank directory.
        dir: PathBuf,
        /// Its problems.
        errors: BankErrors,
    },
    /// A file could not be read, parsed or written.
    #[error("{path}: {reason}")]
    File {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },
    /// The date is not a calendar date `YYYY-MM-DD`.
    #[error("date `{0}` is not a calendar date YYYY-MM-DD")]
    Date(String),
    /// The data set name is empty.
    #[error("the data set name is empty")]
    EmptyDataset,
    /// The calibration lists no items.
    #[error("the calibration lists no items")]
    NoItems,
    /// The model's parameters do not fit `a`, `b`, `c` (GPCM step difficulties).
    #[error("{0} parameters cannot be recorded: item statistics hold a, b and c only")]
    UnsupportedModel(IrtModel),
    /// The calibration did not converge.
    #[error("the calibration did not converge: its estimates are not final")]
    NotConverged,
    /// The calibration flagged estimates and they were not accepted
    /// explicitly.
    #[error(
        "flagged estimates (record them with --accept-flagged after review): {}",
        flagged_list(.0)
    )]
    Flagged(Vec<(ItemId, Vec<String>)>),
    /// A target file may not be written: a symbolic link, not a regular
    /// file, read-only, or outside the bank directory.
    #[error("{path}: {reason}; nothing was written")]
    Refused {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: &'static str,
    },
    /// Renaming a staged file over its target failed; the files already
    /// replaced were restored (or, where that failed too, are listed).
    #[error(
        "{path}: {reason}; {} restored, {}",
        restored.len(),
        if unrestored.is_empty() { "the bank is as it was".to_owned() } else { format!("NOT restored: {}", paths(unrestored)) }
    )]
    Commit {
        /// The file whose replacement failed.
        path: PathBuf,
        /// Why.
        reason: String,
        /// Files replaced before the failure and put back.
        restored: Vec<PathBuf>,
        /// Files replaced before the failure that could not be put back.
        unrestored: Vec<PathBuf>,
    },
    /// Calibrated ids that are not in the bank.
    #[error("not in the bank: {}", list(.0))]
    UnknownItems(Vec<ItemId>),
    /// An item appears twice in the calibration.
    #[error("item `{0}` appears more than once in the calibration")]
    DuplicateItem(ItemId),
    /// An item lacks a parameter.
    #[error("item `{id}`: no value for `{parameter}`")]
    MissingParameter {
        /// The item.
        id: ItemId,
        /// `a` or `b`.
        parameter: &'static str,
    },
    /// An item's parameters are invalid.
    #[error("item `{id}`: {source}")]
    Params {
        /// The item.
        id: ItemId,
        /// Why.
        source: ParamsError,
    },
    /// A standard error is not a finite non-negative number.
    #[error(
        "item `{id}`: standard error of `{parameter}` = {value} must be finite and non-negative"
    )]
    StandardError {
        /// The item.
        id: ItemId,
        /// Which parameter.
        parameter: &'static str,
        /// The value.
        value: f64,
    },
    /// No sample size is given or known for an item, or it is too large.
    #[error(
        "item `{id}`: no usable sample size (give --sample-size or an `n`/`n_persons` below 2^32)"
    )]
    SampleSize {
        /// The item.
        id: ItemId,
    },
}

fn flagged_list(items: &[(ItemId, Vec<String>)]) -> String {
    items
        .iter()
        .map(|(id, flags)| format!("`{id}` ({})", flags.join(", ")))
        .collect::<Vec<_>>()
        .join(", ")
}

fn paths(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn list(ids: &[ItemId]) -> String {
    ids.iter()
        .map(|id| format!("`{id}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One item's parameters before and after.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParamChange {
    /// The item.
    pub id: ItemId,
    /// The item file it is in.
    pub file: PathBuf,
    /// The parameters recorded before (absent: none).
    pub old: Option<IrtStats>,
    /// The parameters recorded now.
    pub new: IrtStats,
}

/// The checked changes and the new item files, not yet written.
#[derive(Debug, Clone)]
pub struct RecordPlan {
    /// The items updated, in calibration order.
    pub changes: Vec<ParamChange>,
    /// Anchor items of the calibration, left as they are.
    pub skipped_fixed: Vec<ItemId>,
    dir: PathBuf,
    files: Vec<(PathBuf, String)>,
}

impl RecordPlan {
    /// The item files that [`RecordPlan::write`] rewrites.
    pub fn files(&self) -> impl Iterator<Item = &Path> {
        self.files.iter().map(|(path, _)| path.as_path())
    }

    /// Writes the new item files, all or nothing.
    ///
    /// Every target is checked first: a regular file (not a symbolic link),
    /// writable by its mode bits (as an editor would refuse a read-only
    /// file), inside the bank directory. Then each new text is staged in an
    /// exclusively created temporary file beside its target (random name,
    /// `O_EXCL`: a planted file or symlink is never followed), with the
    /// target's permissions. Only then are the staged files renamed over
    /// their targets; if a rename fails, the files already replaced get
    /// their old text back and the error lists what was restored.
    pub fn write(&self) -> Result<(), RecordError> {
        self.write_with(|staged, path| staged.persist(path).map(drop).map_err(|e| e.error))
    }

    /// [`RecordPlan::write`] with the final rename given (a test injects a
    /// failure through it).
    fn write_with(
        &self,
        mut rename: impl FnMut(tempfile::NamedTempFile, &Path) -> std::io::Result<()>,
    ) -> Result<(), RecordError> {
        let bank = crate::disk::canonicalize(&self.dir).map_err(|e| file_error(&self.dir, &e))?;
        let mut staged = Vec::with_capacity(self.files.len());
        for (path, text) in &self.files {
            let (old, permissions) = crate::disk::check_target(&bank, path)?;
            staged.push((path, crate::disk::stage(path, text, permissions)?, old));
        }
        let mut replaced: Vec<(&PathBuf, Vec<u8>)> = Vec::new();
        for (path, file, old) in staged {
            if let Err(e) = rename(file, path) {
                let (mut restored, mut unrestored) = (Vec::new(), Vec::new());
                for (done, old) in replaced.into_iter().rev() {
                    let permissions = crate::disk::permissions(done);
                    match permissions.and_then(|p| {
                        crate::disk::stage(done, &old, p)
                            .map_err(|e| std::io::Error::other(e.to_string()))?
                            .persist(done)
                            .map_err(|e| e.error)
                    }) {
                        Ok(_) => restored.push(done.clone()),
                        Err(_) => unrestored.push(done.clone()),
                    }
                }
                return Err(RecordError::Commit {
                    path: path.clone(),
                    reason: e.to_string(),
                    restored,
                    unrestored,
                });
            }
            replaced.push((path, old));
        }
        Ok(())
    }
}

pub(crate) fn file_error(path: &Path, reason: &impl ToString) -> RecordError {
    RecordError::File {
        path: path.to_path_buf(),
        reason: reason.to_string(),
    }
}

/// Whether `date` is a calendar date written `YYYY-MM-DD` (proleptic
/// Gregorian, years 0001–9999).
pub fn is_calendar_date(date: &str) -> bool {
    let shape = date.len() == 10
        && date.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
    if !shape {
        return false;
    }
    let (Ok(year), Ok(month), Ok(day)) = (
        date[0..4].parse::<u32>(),
        date[5..7].parse::<u32>(),
        date[8..10].parse::<u32>(),
    ) else {
        return false;
    };
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    year >= 1 && (1..=days).contains(&day)
}

/// Checks `calibration` and `options` against the bank in `dir` and
/// computes the updated item files, writing nothing.
pub fn plan(
    dir: &Path,
    calibration: &CalibrationInput,
    options: &RecordOptions,
) -> Result<RecordPlan, RecordError> {
    if !dir.is_dir() {
        return Err(RecordError::NotADirectory(dir.to_path_buf()));
    }
    let new = new_stats(calibration, options)?;
    let skipped_fixed: Vec<ItemId> = calibration
        .items
        .iter()
        .filter(|i| i.fixed)
        .map(|i| i.id.clone())
        .collect();
    let bank = ItemBank::load(dir).map_err(|errors| RecordError::Bank {
        dir: dir.to_path_buf(),
        errors,
    })?;
    let unknown: Vec<ItemId> = calibration
        .items
        .iter()
        .filter(|i| bank.item(&i.id).is_none())
        .map(|i| i.id.clone())
        .collect();
    if !unknown.is_empty() {
        return Err(RecordError::UnknownItems(unknown));
    }
    let mut found: HashMap<ItemId, ParamChange> = HashMap::new();
    let mut files = Vec::new();
    let mut ignored = load::Contents::default();
    for path in load::json_files(&dir.join("items"), &mut ignored) {
        let text = crate::disk::read_to_string(&path).map_err(|e| file_error(&path, &e))?;
        let mut file = ItemsText::parse(&text).map_err(|e| file_error(&path, &e))?;
        let mut changed = false;
        for item in file.items_mut() {
            if let Some(stats) = new.get(&item.id) {
                let old = item.stats.irt.replace(stats.clone());
                found.insert(
                    item.id.clone(),
                    ParamChange {
                        id: item.id.clone(),
                        file: path.clone(),
                        old,
                        new: stats.clone(),
                    },
                );
                changed = true;
            }
        }
        if changed {
            let text = file.to_text().map_err(|e| file_error(&path, &e))?;
            files.push((path, text));
        }
    }
    let changes = calibration
        .items
        .iter()
        .filter_map(|i| found.remove(&i.id))
        .collect::<Vec<_>>();
    if changes.len() != new.len() {
        // The bank loaded these ids, so its item files hold them.
        let missing = new
            .keys()
            .filter(|id| !changes.iter().any(|c| &c.id == *id))
            .cloned()
            .collect();
        return Err(RecordError::UnknownItems(missing));
    }
    Ok(RecordPlan {
        changes,
        skipped_fixed,
        dir: dir.to_path_buf(),
        files,
    })
}

/// The checked statistics to record, by item (anchors excluded).
fn new_stats(
    calibration: &CalibrationInput,
    options: &RecordOptions,
) -> Result<HashMap<ItemId, IrtStats>, RecordError> {
    if !is_calendar_date(&options.date) {
        return Err(RecordError::Date(options.date.clone()));
    }
    if options.dataset.trim().is_empty() {
        return Err(RecordError::EmptyDataset);
    }
    if calibration.model == IrtModel::Gpcm {
        return Err(RecordError::UnsupportedModel(calibration.model));
    }
    if calibration.converged == Some(false) {
        return Err(RecordError::NotConverged);
    }
    if calibration.items.is_empty() {
        return Err(RecordError::NoItems);
    }
    let flagged: Vec<(ItemId, Vec<String>)> = calibration
        .items
        .iter()
        .filter(|i| !i.fixed && !i.flags.is_empty())
        .map(|i| (i.id.clone(), i.flags.clone()))
        .collect();
    if !flagged.is_empty() && !options.accept_flagged {
        return Err(RecordError::Flagged(flagged));
    }
    let run = options.run.clone().unwrap_or_else(|| {
        let method = calibration.estimation.as_deref().unwrap_or("calibration");
        format!("{} {}", method.to_uppercase(), calibration.model)
    });
    let mut seen = BTreeSet::new();
    let mut out = HashMap::new();
    for item in &calibration.items {
        if !seen.insert(&item.id) {
            return Err(RecordError::DuplicateItem(item.id.clone()));
        }
        if item.fixed {
            continue;
        }
        let missing = |parameter| RecordError::MissingParameter {
            id: item.id.clone(),
            parameter,
        };
        let a = item.a.ok_or_else(|| missing("a"))?;
        let b = item.b.ok_or_else(|| missing("b"))?;
        let params =
            ItemParams::new(a, b, item.c.unwrap_or(0.0)).map_err(|source| RecordError::Params {
                id: item.id.clone(),
                source,
            })?;
        for (parameter, se) in [("a", item.se_a), ("b", item.se_b), ("c", item.se_c)] {
            if let Some(value) = se.filter(|v| !(v.is_finite() && *v >= 0.0)) {
                return Err(RecordError::StandardError {
                    id: item.id.clone(),
                    parameter,
                    value,
                });
            }
        }
        let sample_size = match options.sample_size {
            Some(n) => Some(n),
            None => item
                .n
                .or(calibration.n_persons)
                .and_then(|n| u32::try_from(n).ok()),
        }
        .ok_or_else(|| RecordError::SampleSize {
            id: item.id.clone(),
        })?;
        let se = ParamErrors {
            a: item.se_a,
            b: item.se_b,
            c: item.se_c,
        };
        let has_se = se.a.is_some() || se.b.is_some() || se.c.is_some();
        out.insert(
            item.id.clone(),
            IrtStats {
                model: calibration.model,
                a: params.a(),
                b: params.b(),
                c: params.c(),
                se: has_se.then_some(se),
                provenance: Provenance {
                    dataset: options.dataset.clone(),
                    date: options.date.clone(),
                    sample_size,
                    run: Some(run.clone()),
                },
            },
        );
    }
    Ok(out)
}

/// An item file in either of its shapes.
enum ItemsText {
    Array(Vec<Item>),
    Object(ItemFile),
}

impl ItemsText {
    fn parse(text: &str) -> Result<Self, serde_json::Error> {
        if text.trim_start().starts_with('[') {
            serde_json::from_str(text).map(ItemsText::Array)
        } else {
            serde_json::from_str(text).map(ItemsText::Object)
        }
    }

    fn items_mut(&mut self) -> &mut [Item] {
        match self {
            ItemsText::Array(items) => items,
            ItemsText::Object(file) => &mut file.items,
        }
    }

    fn to_text(&self) -> Result<String, serde_json::Error> {
        let mut text = match self {
            ItemsText::Array(items) => serde_json::to_string_pretty(items)?,
            ItemsText::Object(file) => serde_json::to_string_pretty(file)?,
        };
        text.push('\n');
        Ok(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINI: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fixtures/mini-bank"
    );

    /// A fresh copy of the mini bank in a temporary directory of its own.
    struct TempBank(PathBuf);

    impl TempBank {
        fn new(test: &str) -> Self {
            let dir = std::env::temp_dir()
                .join(format!("exam-core-record-{test}-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            for sub in ["jta", "items", "blueprints"] {
                std::fs::create_dir_all(dir.join(sub)).unwrap();
                for entry in std::fs::read_dir(Path::new(MINI).join(sub)).unwrap() {
                    let path = entry.unwrap().path();
                    std::fs::copy(&path, dir.join(sub).join(path.file_name().unwrap())).unwrap();
                }
            }
            Self(dir)
        }

        fn read(&self, name: &str) -> String {
            std::fs::read_to_string(self.0.join("items").join(name)).unwrap()
        }
    }

    impl Drop for TempBank {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn calibration(json: &str) -> CalibrationInput {
        serde_json::from_str(json).unwrap()
    }

    fn options() -> RecordOptions {
        RecordOptions {
            dataset: "window-2026-10.csv".to_owned(),
            date: "2026-11-26".to_owned(),
            sample_size: None,
            run: None,
            accept_flagged: false,
        }
    }

    const TWO_ITEMS: &str = r#"{"model": "3pl", "estimation": "mml", "n_persons": 900,
        "converged": true, "log_likelihood": -1234.5,
        "items": [
          {"id": "INF-002", "n": 850, "a": 1.25, "b": -0.5, "c": 0.18,
           "se_a": 0.11, "se_b": 0.09, "se_c": 0.04, "fixed": false, "flags": []},
          {"id": "INF-004", "a": 0.8, "b": 1.1, "c": 0.0, "se_a": null, "se_b": 0.2,
           "se_c": null, "fixed": false},
          {"id": "COM-001", "a": 1.0, "b": 0.0, "fixed": true}
        ],
        "not_calibrated": []}"#;

    #[test]
    fn records_parameters_with_provenance_and_the_bank_still_loads() {
        let bank = TempBank::new("records");
        let communication = bank.read("communication.json");
        let before = ItemBank::load(&bank.0).unwrap();
        let plan = plan(&bank.0, &calibration(TWO_ITEMS), &options()).unwrap();
        assert_eq!(plan.skipped_fixed, [ItemId::new("COM-001")]);
        assert_eq!(plan.files().count(), 1);
        plan.write().unwrap();

        // The anchor's file held no estimated item: not rewritten at all.
        assert_eq!(bank.read("communication.json"), communication);
        let text = bank.read("infrastructure.json");
        assert!(text.ends_with("}\n"));
        assert!(text.trim_start().starts_with("{\n  \"sets\""));

        let after = ItemBank::load(&bank.0).unwrap();
        let irt = after
            .item(&ItemId::new("INF-002"))
            .unwrap()
            .stats
            .irt
            .clone();
        let expected = IrtStats {
            model: IrtModel::ThreePl,
            a: 1.25,
            b: -0.5,
            c: 0.18,
            se: Some(ParamErrors {
                a: Some(0.11),
                b: Some(0.09),
                c: Some(0.04),
            }),
            provenance: Provenance {
                dataset: "window-2026-10.csv".to_owned(),
                date: "2026-11-26".to_owned(),
                sample_size: 850,
                run: Some("MML 3pl".to_owned()),
            },
        };
        assert_eq!(irt, Some(expected));
        // Without an item `n`, the sample size is the calibration's persons.
        let irt4 = after
            .item(&ItemId::new("INF-004"))
            .unwrap()
            .stats
            .irt
            .clone()
            .unwrap();
        assert_eq!(irt4.provenance.sample_size, 900);
        assert_eq!(
            irt4.se,
            Some(ParamErrors {
                a: None,
                b: Some(0.2),
                c: None
            })
        );
        // Everything else is as before.
        for item in before.items() {
            if item.id.as_str() != "INF-002" && item.id.as_str() != "INF-004" {
                assert_eq!(after.item(&item.id), Some(item));
            }
        }
        assert_eq!(plan.changes.len(), 2);
        assert_eq!(plan.changes[0].old, None);
        assert!(plan.changes[0].file.ends_with("infrastructure.json"));

        // Recording again reports the previous values as old.
        let mut again = options();
        again.sample_size = Some(1000);
        again.run = Some("rerun".to_owned());
        let second = super::plan(&bank.0, &calibration(TWO_ITEMS), &again).unwrap();
        assert_eq!(second.changes[1].old.as_ref(), Some(&irt4));
        assert_eq!(second.changes[1].new.provenance.sample_size, 1000);
    }

    #[test]
    fn an_unknown_id_is_named_and_nothing_is_written() {
        let bank = TempBank::new("unknown");
        let before = bank.read("infrastructure.json");
        let json = TWO_ITEMS.replace("\"INF-004\"", "\"INF-404\"");
        let err = plan(&bank.0, &calibration(&json), &options()).unwrap_err();
        assert!(matches!(&err, RecordError::UnknownItems(ids) if ids == &[ItemId::new("INF-404")]));
        assert_eq!(err.to_string(), "not in the bank: `INF-404`");
        assert_eq!(bank.read("infrastructure.json"), before);
    }

    #[test]
    fn bad_input_is_rejected_before_anything_is_read_or_written() {
        let bank = TempBank::new("bad-input");
        let before = bank.read("infrastructure.json");
        let check = |json: &str, options: &RecordOptions| {
            plan(&bank.0, &calibration(json), options)
                .map(|_| ())
                .unwrap_err()
                .to_string()
        };
        let mut bad_date = options();
        bad_date.date = "2026-02-29".to_owned();
        assert_eq!(
            check(TWO_ITEMS, &bad_date),
            "date `2026-02-29` is not a calendar date YYYY-MM-DD"
        );
        assert_eq!(
            check(
                &TWO_ITEMS.replace("\"converged\": true", "\"converged\": false"),
                &options()
            ),
            "the calibration did not converge: its estimates are not final"
        );
        assert_eq!(
            check(&TWO_ITEMS.replace("\"a\": 0.8", "\"a\": -0.8"), &options()),
            "item `INF-004`: slope a = -0.8 must lie in (0, 50]"
        );
        assert_eq!(
            check(
                &TWO_ITEMS.replace("\"se_b\": 0.2", "\"se_b\": -0.2"),
                &options()
            ),
            "item `INF-004`: standard error of `b` = -0.2 must be finite and non-negative"
        );
        assert_eq!(
            check(&TWO_ITEMS.replace("\"INF-004\"", "\"INF-002\""), &options()),
            "item `INF-002` appears more than once in the calibration"
        );
        assert_eq!(
            check(&TWO_ITEMS.replace("\"3pl\"", "\"gpcm\""), &options()),
            "gpcm parameters cannot be recorded: item statistics hold a, b and c only"
        );
        assert_eq!(
            check(
                r#"{"model": "2pl", "items": [{"id": "INF-001", "a": 1.0, "b": 0.0}]}"#,
                &options()
            ),
            "item `INF-001`: no usable sample size (give --sample-size or an `n`/`n_persons` below 2^32)"
        );
        assert_eq!(bank.read("infrastructure.json"), before);
    }

    #[test]
    fn calendar_dates() {
        for good in [
            "2026-11-26",
            "2024-02-29",
            "2000-02-29",
            "0001-01-01",
            "1999-12-31",
        ] {
            assert!(is_calendar_date(good), "{good}");
        }
        for bad in [
            "2026-13-01",
            "2026-00-10",
            "2026-04-31",
            "1900-02-29",
            "2026-1-01",
            "26-11-26",
            "2026/11/26",
            "2026-11-26T00:00",
            "0000-01-01",
            "+026-11-26",
            "",
        ] {
            assert!(!is_calendar_date(bad), "{bad}");
        }
    }

    /// A 2PL calibration of INF-002 (infrastructure.json) and COM-002
    /// (communication.json): two files to rewrite.
    const TWO_FILES: &str = r#"{"model": "2pl", "n_persons": 500, "converged": true,
        "items": [
          {"id": "INF-002", "a": 1.1, "b": 0.2},
          {"id": "COM-002", "a": 0.9, "b": -0.4}
        ]}"#;

    #[test]
    fn a_failed_rename_restores_the_files_already_replaced() {
        let bank = TempBank::new("restore");
        let before = [
            bank.read("communication.json"),
            bank.read("infrastructure.json"),
        ];
        let plan = plan(&bank.0, &calibration(TWO_FILES), &options()).unwrap();
        assert_eq!(plan.files().count(), 2);
        let mut calls = 0;
        let err = plan
            .write_with(|staged, path| {
                calls += 1;
                if calls == 2 {
                    return Err(std::io::Error::other("disk full"));
                }
                staged.persist(path).map(drop).map_err(|e| e.error)
            })
            .unwrap_err();
        let RecordError::Commit {
            restored,
            unrestored,
            ..
        } = &err
        else {
            panic!("{err}");
        };
        assert_eq!(restored.len(), 1);
        assert!(unrestored.is_empty());
        assert!(err.to_string().contains("the bank is as it was"), "{err}");
        assert_eq!(
            [
                bank.read("communication.json"),
                bank.read("infrastructure.json")
            ],
            before
        );
        // No staged file is left behind.
        let leftovers = std::fs::read_dir(bank.0.join("items")).unwrap().count();
        assert_eq!(leftovers, 2);
    }

    #[cfg(unix)]
    #[test]
    fn a_read_only_target_is_refused_and_nothing_is_written() {
        use std::os::unix::fs::PermissionsExt;
        let bank = TempBank::new("readonly");
        let path = bank.0.join("items/infrastructure.json");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
        let communication = bank.read("communication.json");
        let plan = plan(&bank.0, &calibration(TWO_FILES), &options()).unwrap();
        let err = plan.write().unwrap_err();
        assert!(err.to_string().contains("read-only"), "{err}");
        assert_eq!(bank.read("communication.json"), communication);
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o444);
    }

    #[cfg(unix)]
    #[test]
    fn a_rewritten_file_keeps_its_mode() {
        use std::os::unix::fs::PermissionsExt;
        let bank = TempBank::new("mode");
        let path = bank.0.join("items/infrastructure.json");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        plan(&bank.0, &calibration(TWO_FILES), &options())
            .unwrap()
            .write()
            .unwrap();
        assert!(bank.read("infrastructure.json").contains("\"dataset\""));
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_are_never_followed_out_of_the_bank() {
        let bank = TempBank::new("symlink");
        let outside = bank.0.join("outside.json");
        std::fs::write(&outside, "precious").unwrap();
        // A planted link at the old fixed temporary name is not used.
        std::os::unix::fs::symlink(
            &outside,
            bank.0.join("items/.infrastructure.json.record-tmp"),
        )
        .unwrap();
        plan(&bank.0, &calibration(TWO_FILES), &options())
            .unwrap()
            .write()
            .unwrap();
        assert_eq!(std::fs::read_to_string(&outside).unwrap(), "precious");
        let meta = std::fs::symlink_metadata(bank.0.join("items/infrastructure.json")).unwrap();
        assert!(meta.is_file());

        // A target that is itself a link is refused, and nothing is written.
        let target = bank.0.join("items/communication.json");
        let moved = bank.0.join("communication.json");
        std::fs::rename(&target, &moved).unwrap();
        std::os::unix::fs::symlink(&moved, &target).unwrap();
        let infrastructure = bank.read("infrastructure.json");
        let linked = std::fs::read_to_string(&moved).unwrap();
        let err = plan(&bank.0, &calibration(TWO_FILES), &options())
            .unwrap()
            .write()
            .unwrap_err();
        assert!(err.to_string().contains("symbolic link"), "{err}");
        assert_eq!(bank.read("infrastructure.json"), infrastructure);
        assert_eq!(std::fs::read_to_string(&moved).unwrap(), linked);
    }

    #[test]
    fn flagged_estimates_are_refused_unless_accepted() {
        let bank = TempBank::new("flagged");
        let flagged = r#"{"model": "3pl", "n_persons": 500, "converged": true,
            "items": [{"id": "INF-002", "a": 4.6, "b": 0.2, "c": 0.1,
                       "flags": ["heywood_slope"]}]}"#;
        let err = plan(&bank.0, &calibration(flagged), &options()).unwrap_err();
        assert!(
            err.to_string().contains("`INF-002` (heywood_slope)"),
            "{err}"
        );
        let accepted = RecordOptions {
            accept_flagged: true,
            ..options()
        };
        assert!(plan(&bank.0, &calibration(flagged), &accepted).is_ok());
    }
}
