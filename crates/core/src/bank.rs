//! The item bank: the JTA, the blueprints, the item sets and the items,
//! checked together.
//!
//! A bank is read from a directory ([`ItemBank::load`]):
//!
//! ```text
//! item-bank/
//!   jta/*.json          exactly one JTA (crate::jta::Jta)
//!   blueprints/*.json   blueprints (crate::blueprint::Blueprint), optional
//!   items/*.json        item files: {"sets": [...], "items": [...]} or a bare array of items
//! ```
//!
//! or from one bank document ([`ItemBank::load_file`], [`BankDocument`]).
//! [`ItemBank::new`] builds one in memory. Every way in runs the same
//! checks and reports every problem at once ([`BankErrors`]), each naming
//! the file, the line and column, the item and the field. So a value of type
//! `ItemBank` is a valid bank: every item is well-formed and keyed, names a
//! known domain and task, its enemies and set exist, and every blueprint it
//! holds is consistent with the JTA and can be filled from its items at
//! least once. Warnings (legal but suspicious) are kept on the bank
//! ([`ItemBank::warnings`]).
//!
//! # Checks
//!
//! Errors (the bank does not load):
//! - files: unreadable, not UTF-8, malformed JSON (with line and column), a
//!   field of the wrong type or value, a missing field, an unknown field;
//!   no JTA or several JTAs in a directory;
//! - the JTA: no domains, duplicate domain or task ids, a task in an
//!   unknown domain;
//! - each item: an empty id or stem, an unknown domain or task, no options,
//!   an option or prompt with an empty id or text, duplicate option ids or
//!   texts (ignoring case), a key naming a missing option, a single-choice
//!   key that is not one option, a multiple-response key that is empty,
//!   repeats an option or disagrees with `select`, an ordering key that is
//!   not a permutation of the options, a matching key without exactly one
//!   pair per prompt, the item as its own enemy;
//! - across items: duplicate item or set ids, an enemy or set that does not
//!   exist, a set without items;
//! - each blueprint ([`CheckedBlueprint`], [`supply`]): another JTA, unknown
//!   or repeated domains, weights negative or not summing to one (within
//!   [`WEIGHT_SUM_TOLERANCE`]), level counts that do not add up to the
//!   domain's largest-remainder share or to the scored length, and a
//!   domain × level cell or the pretest slots that the bank cannot fill
//!   once.
//!
//! Warnings (the bank loads): an item whose task belongs to another domain,
//! a set whose items span several domains (legal:
//! assembly counts each item in its own domain, but a testlet is easier to
//! place when it sits in one), a JTA domain the blueprint leaves out.
//!
//! ```
//! use exam_core::bank::ItemBank;
//!
//! let json = r#"{
//!   "jta": {"id": "j", "title": "Job", "version": "1", "source": "example",
//!           "domains": [{"id": "d", "name": "D", "competency": "c", "level": "advanced"}],
//!           "tasks": [{"id": "T1", "statement": "Do it", "domain": "d",
//!                      "phase": "design", "source": "example"}]},
//!   "items": [{"id": "I1", "version": 1, "domain": "d", "level": "advanced",
//!              "phase": "design", "task": "T1", "status": "operational",
//!              "stem": "Which?", "kind": "single_choice",
//!              "options": [{"id": "A", "text": "this"}, {"id": "B", "text": "that"}],
//!              "key": "C"}]
//! }"#;
//! let err = ItemBank::from_json(json).unwrap_err();
//! assert_eq!(
//!     err.problems[0].to_string(),
//!     "error: item `I1`: `key`: key names option `C`, which the item does not have"
//! );
//! ```

mod check;
mod checked;
mod load;
mod problem;
pub mod record;
mod summary;
mod supply;

pub use checked::CheckedBlueprint;
pub use problem::{BankErrors, Location, Problem, ProblemKind, Severity};
pub use summary::{BankSummary, BlueprintSupply, CellCounts, SetSummary, summarize};
pub use supply::{CellSupply, PretestSupply, SupplyReport, WEIGHT_SUM_TOLERANCE, supply};

use crate::blueprint::Blueprint;
use crate::hash::StableHasher;
use crate::ids::{BlueprintId, ItemId, SetId};
use crate::irt::ItemParams;
use crate::item::{Item, ItemSet};
use crate::jta::Jta;
use load::{Contents, Located};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::Path;

/// An item whose recorded IRT parameters are invalid.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("item `{item}`: recorded IRT parameters: {source}")]
pub struct IrtParamsError {
    /// The item.
    pub item: ItemId,
    /// What is wrong.
    pub source: crate::irt::ParamsError,
}

/// A whole bank in one JSON document: the file format of
/// [`ItemBank::load_file`] and of [`ItemBank::to_document`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BankDocument {
    /// The JTA the bank is written for.
    pub jta: Jta,
    /// The item sets.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sets: Vec<ItemSet>,
    /// The items.
    pub items: Vec<Item>,
    /// Blueprints to check against the bank.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub blueprints: Vec<Blueprint>,
}

/// A checked item bank.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemBank {
    jta: Jta,
    blueprints: Vec<CheckedBlueprint>,
    sets: Vec<ItemSet>,
    items: Vec<Item>,
    index: HashMap<ItemId, usize>,
    sources: Vec<Location>,
    warnings: Vec<Problem>,
    /// A stable digest of the items' ids, versions, statuses, sets and
    /// enemies, computed once here so on-the-fly assembly need not rehash
    /// the bank per request (the bank is immutable once built).
    fingerprint: u64,
}

impl ItemBank {
    /// Checks the parts and builds the bank, or returns every problem found.
    pub fn new(jta: Jta, sets: Vec<ItemSet>, items: Vec<Item>) -> Result<Self, BankErrors> {
        let at = Location::default();
        let contents = Contents {
            jtas: vec![Located {
                value: jta,
                at: at.clone(),
            }],
            sets: sets
                .into_iter()
                .map(|value| Located {
                    value,
                    at: at.clone(),
                })
                .collect(),
            items: items
                .into_iter()
                .map(|value| Located {
                    value,
                    at: at.clone(),
                })
                .collect(),
            ..Contents::default()
        };
        Self::build(contents)
    }

    /// Reads and checks a bank directory (layout in the module docs).
    pub fn load(dir: impl AsRef<Path>) -> Result<Self, BankErrors> {
        let dir = dir.as_ref();
        let mut out = Contents::default();
        if let Err(e) = crate::disk::check_exists(dir) {
            out.problems.push(Problem::new(
                Location::file(Some(dir.to_path_buf())),
                ProblemKind::Io {
                    reason: e.to_string(),
                },
            ));
            return Err(BankErrors {
                problems: out.problems,
            });
        }
        let jta_dir = dir.join("jta");
        let jta_files = load::json_files(&jta_dir, &mut out);
        for path in &jta_files {
            if let Some(text) = load::read_text(path, &mut out) {
                load::jta_file(&text, Some(path), &mut out);
            }
        }
        let jta_problem = match jta_files.len() {
            0 => Some(ProblemKind::NoJta),
            1 => None,
            count => Some(ProblemKind::SeveralJtas { count }),
        };
        if let Some(kind) = jta_problem {
            out.problems
                .push(Problem::new(Location::file(Some(jta_dir)), kind));
        }
        for path in load::json_files(&dir.join("blueprints"), &mut out) {
            if let Some(text) = load::read_text(&path, &mut out) {
                load::blueprint_file(&text, Some(&path), &mut out);
            }
        }
        for path in load::json_files(&dir.join("items"), &mut out) {
            if let Some(text) = load::read_text(&path, &mut out) {
                load::item_file(&text, Some(&path), &mut out);
            }
        }
        Self::build(out)
    }

    /// Reads and checks a bank document file ([`BankDocument`]).
    pub fn load_file(path: impl AsRef<Path>) -> Result<Self, BankErrors> {
        let path = path.as_ref();
        let mut out = Contents::default();
        if let Some(text) = load::read_text(path, &mut out) {
            load::bank_document(&text, Some(path), &mut out);
        }
        Self::build(out)
    }

    /// Reads and checks a bank given as one file of items (a bare JSON array
    /// of items, or an item file with `sets` and `items`) together with the
    /// JTA file it is written for.
    pub fn load_items(items: impl AsRef<Path>, jta: impl AsRef<Path>) -> Result<Self, BankErrors> {
        let (items, jta) = (items.as_ref(), jta.as_ref());
        let mut out = Contents::default();
        if let Some(text) = load::read_text(jta, &mut out) {
            load::jta_file(&text, Some(jta), &mut out);
        }
        if let Some(text) = load::read_text(items, &mut out) {
            load::item_file(&text, Some(items), &mut out);
        }
        Self::build(out)
    }

    /// Reads and checks a bank directory or a bank document file, whichever
    /// `path` is.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, BankErrors> {
        let path = path.as_ref();
        if path.is_file() {
            Self::load_file(path)
        } else {
            Self::load(path)
        }
    }

    /// Parses and checks a bank document held in memory.
    pub fn from_json(text: &str) -> Result<Self, BankErrors> {
        let mut out = Contents::default();
        load::bank_document(text, None, &mut out);
        Self::build(out)
    }

    /// The bank as one document (the format [`ItemBank::load_file`] reads).
    pub fn to_document(&self) -> BankDocument {
        BankDocument {
            jta: self.jta.clone(),
            sets: self.sets.clone(),
            items: self.items.clone(),
            blueprints: self
                .blueprints
                .iter()
                .map(|b| b.blueprint().clone())
                .collect(),
        }
    }

    /// Runs every check over what was read. Items are checked against the
    /// JTA only when exactly one was read (several are already an error).
    fn build(mut out: Contents) -> Result<Self, BankErrors> {
        let mut problems = std::mem::take(&mut out.problems);
        let jta = if out.jtas.len() == 1 {
            out.jtas.pop()
        } else {
            None
        };
        if let Some(jta) = &jta {
            problems.extend(check::check_jta(&jta.value, &jta.at));
            for item in &out.items {
                problems.extend(check::check_item(&jta.value, &item.value, &item.at));
            }
        }
        let items: Vec<(&Item, &Location)> = out.items.iter().map(|i| (&i.value, &i.at)).collect();
        let sets: Vec<(&ItemSet, &Location)> = out.sets.iter().map(|s| (&s.value, &s.at)).collect();
        problems.extend(check::check_relations(&items, &sets));
        let Some(jta) = jta else {
            sort_by_location(&mut problems);
            return Err(BankErrors { problems });
        };
        let blueprints: Vec<Located<Blueprint>> = out.blueprints;
        let (items, sources) = out.items.into_iter().map(|i| (i.value, i.at)).unzip();
        let mut bank = Self {
            jta: jta.value,
            blueprints: Vec::new(),
            sets: out.sets.into_iter().map(|s| s.value).collect(),
            index: HashMap::new(),
            items,
            sources,
            warnings: Vec::new(),
            fingerprint: 0,
        };
        bank.fingerprint = bank.compute_fingerprint();
        bank.index = bank
            .items
            .iter()
            .enumerate()
            .map(|(i, item)| (item.id.clone(), i))
            .collect();
        let mut checked = Vec::with_capacity(blueprints.len());
        for bp in blueprints {
            match bank.check_blueprint(bp.value, &bp.at) {
                Ok(bp) => {
                    problems.extend_from_slice(bp.warnings());
                    checked.push(bp);
                }
                Err(errors) => problems.extend(errors.problems),
            }
        }
        sort_by_location(&mut problems);
        if problems.iter().any(Problem::is_error) {
            return Err(BankErrors { problems });
        }
        bank.blueprints = checked;
        bank.warnings = problems;
        Ok(bank)
    }

    /// Checks a blueprint against this bank: against the JTA
    /// ([`CheckedBlueprint::new`]) and against the items it can supply
    /// ([`supply`]): every cell must be fillable at least once. The supply
    /// is checked only when the blueprint is consistent with the JTA.
    ///
    /// # Errors
    ///
    /// Every problem found, as [`CheckedBlueprint::new`], or the cells
    /// and pretest slots the bank cannot fill once.
    pub fn check_blueprint(
        &self,
        blueprint: Blueprint,
        at: &Location,
    ) -> Result<CheckedBlueprint, BankErrors> {
        let checked = CheckedBlueprint::new(&self.jta, blueprint, at)?;
        let short = supply(self, &checked).problems(at);
        if short.is_empty() {
            Ok(checked)
        } else {
            let mut problems = checked.warnings().to_vec();
            problems.extend(short);
            Err(BankErrors { problems })
        }
    }

    /// The JTA the bank is written for.
    pub fn jta(&self) -> &Jta {
        &self.jta
    }

    /// The blueprints read with the bank (checked against it).
    pub fn blueprints(&self) -> &[CheckedBlueprint] {
        &self.blueprints
    }

    /// The blueprint with this id.
    pub fn blueprint(&self, id: &BlueprintId) -> Option<&CheckedBlueprint> {
        self.blueprints.iter().find(|b| &b.id == id)
    }

    /// All items, in file order (files by name).
    pub fn items(&self) -> &[Item] {
        &self.items
    }

    /// The item sets (testlets).
    pub fn sets(&self) -> &[ItemSet] {
        &self.sets
    }

    /// The stable digest cached at construction: FNV-1a over the items'
    /// ids, versions, statuses, sets and enemies.
    fn compute_fingerprint(&self) -> u64 {
        let mut h = StableHasher::new();
        h.str("exam-engine bank v1");
        self.write_digest(&mut h);
        h.finish()
    }

    /// Writes what identifies the bank's items to `h`: their count, then per
    /// item its id, version, status, set and enemies.
    pub(crate) fn write_digest(&self, h: &mut StableHasher) {
        h.u64(self.items.len() as u64);
        for item in &self.items {
            h.str(item.id.as_str())
                .u64(u64::from(item.version))
                .str(item.status.as_str());
            h.str(item.set.as_ref().map_or("", |s| s.as_str()));
            h.u64(item.enemies.len() as u64);
            for e in &item.enemies {
                h.str(e.as_str());
            }
        }
    }

    /// A stable 64-bit digest of the items' ids, versions, statuses, sets
    /// and enemies in bank order (FNV-1a), from which LOFT form ids derive.
    pub(crate) fn fingerprint(&self) -> u64 {
        self.fingerprint
    }

    /// The item with this id.
    pub fn item(&self, id: &ItemId) -> Option<&Item> {
        self.index.get(id).map(|&i| &self.items[i])
    }

    /// The position of an item in [`ItemBank::items`].
    pub fn position(&self, id: &ItemId) -> Option<usize> {
        self.index.get(id).copied()
    }

    /// Where an item was read from (file, line and column of its start);
    /// empty for a bank built in memory.
    pub fn source(&self, id: &ItemId) -> Option<&Location> {
        self.index.get(id).map(|&i| &self.sources[i])
    }

    /// The set with this id.
    pub fn set(&self, id: &SetId) -> Option<&ItemSet> {
        self.sets.iter().find(|s| &s.id == id)
    }

    /// The IRT parameters recorded on the bank's items, by item id (items
    /// without parameters are absent): what scoring needs to report θ.
    ///
    /// # Errors
    ///
    /// [`IrtParamsError`] naming the first item whose recorded parameters
    /// are invalid.
    pub fn irt_params(&self) -> Result<HashMap<ItemId, ItemParams>, IrtParamsError> {
        self.items
            .iter()
            .filter_map(|item| {
                let irt = item.stats.irt.as_ref()?;
                Some(
                    irt.params()
                        .map(|p| (item.id.clone(), p))
                        .map_err(|source| IrtParamsError {
                            item: item.id.clone(),
                            source,
                        }),
                )
            })
            .collect()
    }

    /// The warnings found while checking the bank (legal but suspicious).
    pub fn warnings(&self) -> &[Problem] {
        &self.warnings
    }
}

/// Puts problems in file order: files by name, then positions within a
/// file. The sort is stable, so a record's own problems keep their order.
fn sort_by_location(problems: &mut [Problem]) {
    problems.sort_by(|a, b| {
        (&a.location.file, a.location.line, a.location.column).cmp(&(
            &b.location.file,
            b.location.line,
            b.location.column,
        ))
    });
}

/// Reads and checks a JTA file on its own.
pub fn read_jta(path: impl AsRef<Path>) -> Result<Jta, BankErrors> {
    let path = path.as_ref();
    let mut out = Contents::default();
    if let Some(text) = load::read_text(path, &mut out) {
        load::jta_file(&text, Some(path), &mut out);
    }
    let mut problems = out.problems;
    if let Some(jta) = out.jtas.pop() {
        problems.extend(check::check_jta(&jta.value, &jta.at));
        if !problems.iter().any(Problem::is_error) {
            return Ok(jta.value);
        }
    }
    Err(BankErrors { problems })
}

/// Reads a blueprint file (its shape only: check it against a JTA with
/// [`CheckedBlueprint::new`] or against a bank with
/// [`ItemBank::check_blueprint`]).
pub fn read_blueprint(path: impl AsRef<Path>) -> Result<Blueprint, BankErrors> {
    let path = path.as_ref();
    let mut out = Contents::default();
    if let Some(text) = load::read_text(path, &mut out) {
        load::blueprint_file(&text, Some(path), &mut out);
    }
    match out.blueprints.pop() {
        Some(bp) if out.problems.is_empty() => Ok(bp.value),
        _ => Err(BankErrors {
            problems: out.problems,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::OptionId;
    use crate::item::{Choice, Interaction, ItemStatistics, ItemStatus};
    use crate::jta::{CompetencyLevel, LifecyclePhase};

    const SHIPPED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../item-bank");
    const MINI: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fixtures/mini-bank"
    );

    fn item(id: &str, key: &str) -> Item {
        let choice = |id: &str| Choice {
            id: OptionId::new(id),
            text: format!("option {id}"),
            rationale: None,
        };
        Item {
            id: ItemId::new(id),
            version: 1,
            domain: "infrastructure".into(),
            level: CompetencyLevel::Advanced,
            phase: LifecyclePhase::Validation,
            task: "T-INF-01".into(),
            status: ItemStatus::Operational,
            stem: "Which?".to_owned(),
            interaction: Interaction::SingleChoice {
                options: vec![choice("A"), choice("B")],
                key: OptionId::new(key),
            },
            shuffle_options: true,
            enemies: Vec::new(),
            set: None,
            expected_seconds: None,
            stats: ItemStatistics::default(),
        }
    }

    fn mini_jta() -> Jta {
        read_jta(format!("{MINI}/jta/jta.json")).unwrap()
    }

    #[test]
    fn new_reports_every_problem_without_a_file() {
        let err = ItemBank::new(
            mini_jta(),
            Vec::new(),
            vec![item("X", "A"), item("X", "B"), item("Y", "Z")],
        )
        .unwrap_err();
        let lines: Vec<String> = err.problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            lines,
            [
                "error: item `Y`: `key`: key names option `Z`, which the item does not have",
                "error: item `X`: `id`: duplicate item id",
            ]
        );
        assert_eq!(
            err.to_string(),
            "2 error(s) and 0 warning(s) in the item bank"
        );
    }

    #[test]
    fn a_set_without_items_is_an_error() {
        let set = ItemSet {
            id: "S1".into(),
            title: "Unused".to_owned(),
            stimulus: "A log".to_owned(),
            format: "log".to_owned(),
        };
        let err = ItemBank::new(mini_jta(), vec![set], vec![item("V", "A")]).unwrap_err();
        let lines: Vec<String> = err.errors().map(ToString::to_string).collect();
        assert_eq!(lines, ["error: set `S1` has no items"]);
    }

    #[test]
    fn a_valid_bank_keeps_its_warnings_and_finds_its_items() {
        let mut other = item("W", "A");
        other.task = "T-COM-01".into();
        let bank = ItemBank::new(mini_jta(), Vec::new(), vec![item("V", "A"), other]).unwrap();
        assert_eq!(bank.position(&ItemId::new("W")), Some(1));
        assert_eq!(bank.item(&ItemId::new("V")).map(|i| i.version), Some(1));
        assert!(bank.item(&ItemId::new("nope")).is_none());
        assert_eq!(bank.warnings().len(), 1);
        assert!(matches!(
            bank.warnings()[0].kind,
            ProblemKind::TaskInOtherDomain { .. }
        ));
        assert_eq!(bank.source(&ItemId::new("V")), Some(&Location::default()));
    }

    #[test]
    fn the_mini_bank_loads_from_its_directory_and_its_document() {
        let dir = ItemBank::load(MINI).unwrap();
        assert_eq!(dir.items().len(), 13);
        assert_eq!(dir.sets().len(), 1);
        assert_eq!(dir.blueprints().len(), 1);
        assert!(dir.warnings().is_empty());
        let source = dir.source(&ItemId::new("COM-001")).unwrap();
        assert!(
            source
                .file
                .as_ref()
                .is_some_and(|f| f.ends_with("items/communication.json"))
        );
        assert_eq!((source.line, source.column), (Some(2), Some(3)));
        // The document lists infrastructure first; the directory reads
        // communication.json before infrastructure.json.
        let file = ItemBank::open(format!("{MINI}.json")).unwrap();
        let (mut from_file, mut from_dir) = (file.to_document(), dir.to_document());
        for doc in [&mut from_file, &mut from_dir] {
            doc.items.sort_by(|a, b| a.id.cmp(&b.id));
        }
        assert!(
            from_file == from_dir,
            "the two forms of the mini bank differ"
        );
    }

    #[test]
    fn the_shipped_bank_loads_and_supplies_its_blueprint() {
        let bank = ItemBank::load(SHIPPED).unwrap_or_else(|e| panic!("{:#?}", e.problems));
        let blueprint = bank.blueprint(&BlueprintId::new("die-2026")).unwrap();
        assert!(
            bank.check_blueprint(blueprint.clone().into_inner(), &Location::default())
                .is_ok_and(|checked| checked.warnings().is_empty())
        );
        let report = supply(&bank, blueprint);
        assert_eq!(report.cells.len(), 8 * 3);
        assert_eq!(
            report.cells.iter().map(|c| c.demand).sum::<u32>(),
            blueprint.scored_items
        );
        assert!(report.disjoint_forms.is_some_and(|f| f >= 4));
    }

    #[test]
    fn a_file_that_is_not_utf8_is_reported() {
        let dir = std::env::temp_dir().join(format!("exam-core-utf8-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("jta.json");
        std::fs::write(&path, [b'{', 0xff, b'}']).unwrap();
        let err = read_jta(&path).unwrap_err();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(err.problems.len(), 1);
        assert!(
            matches!(&err.problems[0].kind, ProblemKind::MalformedJson { reason } if reason.starts_with("not UTF-8")),
            "{:?}",
            err.problems
        );
    }
}
