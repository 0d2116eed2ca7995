//! The problems a bank check can find, each with where it was found.

use crate::ids::{DomainId, ItemId, OptionId, SetId, TaskId};
use crate::jta::CompetencyLevel;
use serde::Serialize;
use std::fmt;
use std::path::PathBuf;

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The bank (or blueprint) cannot be used as it is.
    Error,
    /// Legal but suspicious; the bank loads.
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

/// Where a problem is: the file, a position in it, the item and the field.
/// Every part is optional: a bank built in memory has no files, and a
/// bank-wide problem has no item.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Location {
    /// The file, as the path it was read from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<PathBuf>,
    /// 1-based line in the file (of the error for malformed JSON, else of
    /// the start of the record).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// 1-based column in the file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
    /// The item, or the record id (set, task, domain) the problem is in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item: Option<ItemId>,
    /// The field, as a path inside the record (`options[2].text`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl Location {
    /// A location in a file.
    pub fn file(file: Option<PathBuf>) -> Self {
        Self {
            file,
            ..Self::default()
        }
    }

    /// The same location at a line and column.
    pub fn at(mut self, line: usize, column: usize) -> Self {
        self.line = Some(line);
        self.column = Some(column);
        self
    }

    /// The same location in an item.
    pub fn item(mut self, item: ItemId) -> Self {
        self.item = Some(item);
        self
    }

    /// The same location at a field.
    pub fn field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }
}

impl fmt::Display for Location {
    /// `file:line:column: item `ID`: `field``, the parts that are known.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts: Vec<String> = Vec::new();
        if let Some(file) = &self.file {
            let mut s = file.display().to_string();
            if let (Some(line), Some(column)) = (self.line, self.column) {
                s.push_str(&format!(":{line}:{column}"));
            }
            parts.push(s);
        }
        if let Some(item) = &self.item {
            parts.push(format!("item `{item}`"));
        }
        if let Some(field) = &self.field {
            parts.push(format!("`{field}`"));
        }
        f.write_str(&parts.join(": "))
    }
}

/// What is wrong. Each variant carries the offending ids and values; where
/// it is wrong is the [`Problem`]'s [`Location`].
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ProblemKind {
    /// A file or directory could not be read.
    #[error("cannot read: {reason}")]
    Io {
        /// The operating system's message.
        reason: String,
    },
    /// The bank directory has no JTA file (`jta/*.json`).
    #[error("no JTA file (jta/*.json)")]
    NoJta,
    /// The bank directory has more than one JTA file.
    #[error("{count} JTA files; a bank is written for exactly one JTA")]
    SeveralJtas {
        /// How many were found.
        count: usize,
    },
    /// The text is not JSON (the location has the line and column).
    #[error("malformed JSON: {reason}")]
    MalformedJson {
        /// The parser's message.
        reason: String,
    },
    /// The JSON is well-formed but a field has the wrong type or value, or a
    /// required field is missing.
    #[error("{reason}")]
    InvalidField {
        /// The parser's message.
        reason: String,
    },
    /// A field the record type does not have (a typo would otherwise be
    /// dropped silently).
    #[error("unknown field `{name}`")]
    UnknownField {
        /// The field name.
        name: String,
    },
    /// An empty id.
    #[error("empty id")]
    EmptyId,
    /// Two items share an id.
    #[error("duplicate item id")]
    DuplicateItem,
    /// Two item sets share an id.
    #[error("duplicate set id `{set}`")]
    DuplicateSet {
        /// The repeated id.
        set: SetId,
    },
    /// A domain that the JTA does not have.
    #[error("unknown domain `{domain}`")]
    UnknownDomain {
        /// The domain named.
        domain: DomainId,
    },
    /// A task that the JTA does not have.
    #[error("unknown task `{task}`")]
    UnknownTask {
        /// The task named.
        task: TaskId,
    },
    /// The item's task belongs to another domain than the item.
    #[error("task `{task}` belongs to domain `{task_domain}`, not `{item_domain}`")]
    TaskInOtherDomain {
        /// The task.
        task: TaskId,
        /// The task's domain in the JTA.
        task_domain: DomainId,
        /// The item's domain.
        item_domain: DomainId,
    },
    /// An empty (or whitespace-only) stem.
    #[error("empty stem")]
    EmptyStem,
    /// An item (or a matching item's prompt column) without options.
    #[error("no options")]
    NoOptions,
    /// An option or prompt with an empty text.
    #[error("option `{option}` has an empty text")]
    EmptyOptionText {
        /// The option.
        option: OptionId,
    },
    /// Two options (or prompts) of an item share an id.
    #[error("duplicate option id `{option}`")]
    DuplicateOptionId {
        /// The repeated id.
        option: OptionId,
    },
    /// Two options of an item have the same text (ignoring case and
    /// surrounding whitespace).
    #[error("options `{first}` and `{second}` have the same text")]
    DuplicateOptionText {
        /// The first option.
        first: OptionId,
        /// The option repeating its text.
        second: OptionId,
    },
    /// The key names an option the item does not have.
    #[error("key names option `{option}`, which the item does not have")]
    KeyNotAnOption {
        /// The option named.
        option: OptionId,
    },
    /// A single-choice item whose key is not exactly one option.
    #[error("a single-choice item has exactly one key, found {count}")]
    SingleChoiceKeyCount {
        /// The number of keys given.
        count: usize,
    },
    /// A multiple-response item with an empty key.
    #[error("a multiple-response item needs at least one key")]
    EmptyKey,
    /// An option listed twice in a key.
    #[error("option `{option}` appears twice in the key")]
    RepeatedKey {
        /// The option.
        option: OptionId,
    },
    /// A multiple-response item whose stated number to select differs from
    /// the number of keys.
    #[error("`select` is {select} but the key has {keys} option(s)")]
    SelectMismatch {
        /// The stated number to select.
        select: u32,
        /// The number of keyed options.
        keys: usize,
    },
    /// An ordering key that is not a permutation of the options.
    #[error(
        "the key is not an ordering of all options (missing: [{}])",
        join(missing)
    )]
    NotAPermutation {
        /// Options the key leaves out.
        missing: Vec<OptionId>,
    },
    /// A matching key pair naming a prompt the item does not have.
    #[error("key pair names prompt `{prompt}`, which the item does not have")]
    UnknownPrompt {
        /// The prompt named.
        prompt: OptionId,
    },
    /// A matching prompt without a key pair.
    #[error("prompt `{prompt}` has no key pair")]
    PromptNotKeyed {
        /// The prompt.
        prompt: OptionId,
    },
    /// A matching prompt with more than one key pair.
    #[error("prompt `{prompt}` has {count} key pairs; it needs exactly one")]
    PromptKeyedTwice {
        /// The prompt.
        prompt: OptionId,
        /// How many pairs name it.
        count: usize,
    },
    /// An enemy that is not in the bank.
    #[error("enemy `{enemy}` is not in the bank")]
    UnknownEnemy {
        /// The enemy named.
        enemy: ItemId,
    },
    /// An item that names itself as an enemy.
    #[error("the item names itself as an enemy")]
    SelfEnemy,
    /// An item set that is not defined.
    #[error("set `{set}` is not defined")]
    UnknownSet {
        /// The set named.
        set: SetId,
    },
    /// A set no item belongs to.
    #[error("set `{set}` has no items")]
    EmptySet {
        /// The set.
        set: SetId,
    },
    /// A set whose items measure different domains. Legal (assembly counts
    /// each item in its own domain) but it makes a testlet hard to place.
    #[error("set `{set}` has items in several domains: {}", join(domains))]
    SetSpansDomains {
        /// The set.
        set: SetId,
        /// The domains, sorted.
        domains: Vec<DomainId>,
    },
    /// A JTA without domains.
    #[error("the JTA has no domains")]
    NoDomains,
    /// Two JTA domains share an id.
    #[error("duplicate domain id `{domain}`")]
    DuplicateDomain {
        /// The repeated id.
        domain: DomainId,
    },
    /// Two JTA tasks share an id.
    #[error("duplicate task id `{task}`")]
    DuplicateTask {
        /// The repeated id.
        task: TaskId,
    },
    /// A blueprint derived from another JTA than the bank's.
    #[error("blueprint is for JTA `{blueprint_jta}`, the bank's JTA is `{bank_jta}`")]
    OtherJta {
        /// The JTA the blueprint names.
        blueprint_jta: String,
        /// The bank's JTA.
        bank_jta: String,
    },
    /// A blueprint weight that is negative or not finite.
    #[error("weight of domain `{domain}` is {weight}, not a finite non-negative number")]
    InvalidWeight {
        /// The domain.
        domain: DomainId,
        /// The weight.
        weight: f64,
    },
    /// Blueprint weights that do not sum to one (tolerance 1e-9).
    #[error("domain weights sum to {sum}, not 1")]
    WeightsDoNotSumToOne {
        /// The sum.
        sum: f64,
    },
    /// A domain listed twice in a blueprint.
    #[error("domain `{domain}` is listed twice")]
    DuplicateBlueprintDomain {
        /// The domain.
        domain: DomainId,
    },
    /// A JTA domain the blueprint leaves out (it gets no items).
    #[error("JTA domain `{domain}` is not in the blueprint")]
    DomainNotInBlueprint {
        /// The domain.
        domain: DomainId,
    },
    /// A domain whose level counts do not add up to its apportioned share of
    /// the scored items (largest remainder of the weights).
    #[error(
        "level counts of domain `{domain}` sum to {levels}, but its weight apportions {apportioned} of the scored items"
    )]
    DomainCountMismatch {
        /// The domain.
        domain: DomainId,
        /// The sum of its level counts.
        levels: u32,
        /// `apportion(weights, scored_items)` for it.
        apportioned: u32,
    },
    /// A domain whose count range leaves out what its weight apportions.
    #[error(
        "domain `{domain}`: its count {count} does not contain the {apportioned} scored item(s) its weight apportions"
    )]
    DomainRangeMismatch {
        /// The domain.
        domain: DomainId,
        /// Its count (exact or a range).
        count: crate::blueprint::Count,
        /// `apportion(weights, scored_items)` for it.
        apportioned: u32,
    },
    /// A domain whose level ranges cannot add up to its count.
    #[error("domain `{domain}`: its levels allow {levels} item(s) in all, its count is {count}")]
    LevelRangesUnreachable {
        /// The domain.
        domain: DomainId,
        /// What the level ranges add up to.
        levels: crate::blueprint::Count,
        /// The domain's count.
        count: crate::blueprint::Count,
    },
    /// Domain ranges that cannot add up to the scored length.
    #[error("domain counts allow {domains} scored item(s) in all, the form has {scored_items}")]
    ScoredRangeMismatch {
        /// What the domain counts add up to.
        domains: crate::blueprint::Count,
        /// The blueprint's scored length.
        scored_items: u32,
    },
    /// The blueprint asks for no scored items.
    #[error("a form needs at least one scored item")]
    NoScoredItems,
    /// The raw cut is not a score a form can reach.
    #[error("raw cut {raw_cut} is more than the {scored_items} scored items")]
    CutOutOfRange {
        /// The raw cut.
        raw_cut: u32,
        /// The blueprint's scored length.
        scored_items: u32,
    },
    /// Level counts over all domains that do not add up to the scored length.
    #[error("level counts sum to {levels}, but the form has {scored_items} scored items")]
    ScoredTotalMismatch {
        /// The sum of all level counts.
        levels: u32,
        /// The blueprint's scored length.
        scored_items: u32,
    },
    /// A blueprint cell that needs more operational items per form than the
    /// bank has.
    #[error(
        "domain `{domain}` × {level}: a form needs {demand} operational item(s), the bank has {supply}"
    )]
    CellShortfall {
        /// The domain.
        domain: DomainId,
        /// The level.
        level: CompetencyLevel,
        /// Items per form.
        demand: u32,
        /// Operational items available.
        supply: u32,
    },
    /// Fewer pretest items than a form has pretest slots.
    #[error("a form has {slots} pretest slot(s), the bank has {supply} pretest item(s)")]
    PretestShortfall {
        /// Pretest slots per form.
        slots: u32,
        /// Pretest items available.
        supply: u32,
    },
}

fn join<T: fmt::Display>(values: &[T]) -> String {
    values
        .iter()
        .map(|v| format!("`{v}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl ProblemKind {
    /// Whether the problem makes the bank unusable.
    pub fn severity(&self) -> Severity {
        match self {
            ProblemKind::TaskInOtherDomain { .. }
            | ProblemKind::SetSpansDomains { .. }
            | ProblemKind::DomainNotInBlueprint { .. } => Severity::Warning,
            _ => Severity::Error,
        }
    }
}

/// One problem: what is wrong and where.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Problem {
    /// Error or warning.
    pub severity: Severity,
    /// Where it is.
    #[serde(flatten)]
    pub location: Location,
    /// What is wrong.
    #[serde(flatten)]
    pub kind: ProblemKind,
    /// The message, as [`ProblemKind`]'s `Display` writes it (for JSON readers).
    pub message: String,
}

impl Problem {
    /// A problem at a location.
    pub fn new(location: Location, kind: ProblemKind) -> Self {
        Self {
            severity: kind.severity(),
            message: kind.to_string(),
            location,
            kind,
        }
    }

    /// Whether this is an error (not a warning).
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Problem {
    /// `severity: location: message`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let location = self.location.to_string();
        if location.is_empty() {
            write!(f, "{}: {}", self.severity, self.kind)
        } else {
            write!(f, "{}: {}: {}", self.severity, location, self.kind)
        }
    }
}

/// Every problem found in a bank, in a stable order (files in name order,
/// records in file order), errors and warnings together.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{} error(s) and {} warning(s) in the item bank", self.errors().count(), self.warnings().count())]
pub struct BankErrors {
    /// The problems.
    pub problems: Vec<Problem>,
}

impl BankErrors {
    /// The errors.
    pub fn errors(&self) -> impl Iterator<Item = &Problem> {
        self.problems.iter().filter(|p| p.is_error())
    }

    /// The warnings.
    pub fn warnings(&self) -> impl Iterator<Item = &Problem> {
        self.problems.iter().filter(|p| !p.is_error())
    }
}
