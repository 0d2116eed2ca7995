//! Items: what a candidate answers, with the metadata that places it in the
//! JTA and the statistics that describe how it performs.
//!
//! An item has a stable [`ItemId`] and a `version` that increases whenever
//! its scored content changes. Its interaction is one of four kinds
//! ([`Interaction`]); options carry stable [`OptionId`]s, and keys refer to
//! options by id, never by position, so option order can be shuffled per
//! form. An [`Item`] is authoring data; [`crate::bank::ItemBank`] is the
//! checked aggregate: a loaded bank is a valid bank.

use crate::ids::{DomainId, ItemId, OptionId, SetId, TaskId};
use crate::irt::{IrtModel, ItemParams};
use crate::jta::{CompetencyLevel, LifecyclePhase};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Where an item is in its life.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ItemStatus {
    /// Being written or reviewed; never delivered.
    Draft,
    /// Delivered in unscored pretest slots to gather statistics.
    Pretest,
    /// Delivered in scored slots.
    Operational,
    /// No longer delivered.
    Retired,
}

impl ItemStatus {
    /// All statuses.
    pub const ALL: [ItemStatus; 4] = [
        ItemStatus::Draft,
        ItemStatus::Pretest,
        ItemStatus::Operational,
        ItemStatus::Retired,
    ];

    /// The lowercase name used in files.
    pub fn as_str(self) -> &'static str {
        match self {
            ItemStatus::Draft => "draft",
            ItemStatus::Pretest => "pretest",
            ItemStatus::Operational => "operational",
            ItemStatus::Retired => "retired",
        }
    }
}

impl fmt::Display for ItemStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One option (choice) of an item, or one prompt of a matching item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    /// Stable id; keys refer to it.
    pub id: OptionId,
    /// The text shown to the candidate.
    pub text: String,
    /// Why this option is right or wrong (shown to reviewers, never to candidates).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rationale: Option<String>,
}

/// One correct pair of a matching item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MatchPair {
    /// The prompt (left column).
    pub prompt: OptionId,
    /// The option (right column) that belongs to it.
    pub option: OptionId,
}

/// The interaction of an item: what the candidate does and what is correct.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Interaction {
    /// Choose exactly one option; `key` is the one correct option.
    SingleChoice {
        /// The options.
        options: Vec<Choice>,
        /// The correct option.
        key: OptionId,
    },
    /// Select all that apply; `key` lists every correct option.
    MultipleResponse {
        /// The options.
        options: Vec<Choice>,
        /// The correct options.
        key: Vec<OptionId>,
        /// The number of options to select, when the stem states it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        select: Option<u32>,
    },
    /// Put the options in the right order; `key` is that order.
    Ordering {
        /// The steps to order.
        options: Vec<Choice>,
        /// The option ids in the correct order.
        key: Vec<OptionId>,
    },
    /// Match each prompt to one option; `key` lists the correct pairs.
    Matching {
        /// The left column.
        prompts: Vec<Choice>,
        /// The right column (may hold more options than prompts).
        options: Vec<Choice>,
        /// The correct prompt → option pairs, one per prompt.
        key: Vec<MatchPair>,
    },
}

/// The kind of an item's interaction, without its content.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    /// [`Interaction::SingleChoice`].
    SingleChoice,
    /// [`Interaction::MultipleResponse`].
    MultipleResponse,
    /// [`Interaction::Ordering`].
    Ordering,
    /// [`Interaction::Matching`].
    Matching,
}

impl ItemKind {
    /// The snake_case name used in files.
    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::SingleChoice => "single_choice",
            ItemKind::MultipleResponse => "multiple_response",
            ItemKind::Ordering => "ordering",
            ItemKind::Matching => "matching",
        }
    }
}

impl fmt::Display for ItemKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Interaction {
    /// The kind of interaction.
    pub fn kind(&self) -> ItemKind {
        match self {
            Interaction::SingleChoice { .. } => ItemKind::SingleChoice,
            Interaction::MultipleResponse { .. } => ItemKind::MultipleResponse,
            Interaction::Ordering { .. } => ItemKind::Ordering,
            Interaction::Matching { .. } => ItemKind::Matching,
        }
    }

    /// The options (for matching: the right column).
    pub fn options(&self) -> &[Choice] {
        match self {
            Interaction::SingleChoice { options, .. }
            | Interaction::MultipleResponse { options, .. }
            | Interaction::Ordering { options, .. }
            | Interaction::Matching { options, .. } => options,
        }
    }
}

/// Where a statistic came from: the data and the run that produced it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Provenance {
    /// The response data set (file name, administration window, ...).
    pub dataset: String,
    /// The date the statistic was computed (ISO 8601, `YYYY-MM-DD`).
    pub date: String,
    /// The number of persons the statistic is based on.
    pub sample_size: u32,
    /// The analysis or calibration run (method, software version, settings).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run: Option<String>,
}

/// Classical item statistics (definitions in exam-stats).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CttStats {
    /// Proportion correct among those presented the item.
    pub p_value: f64,
    /// Corrected point-biserial: item vs rest score.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub point_biserial: Option<f64>,
    /// Where these values came from.
    pub provenance: Provenance,
}

/// Standard errors of IRT parameters.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ParamErrors {
    /// SE of the slope.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub a: Option<f64>,
    /// SE of the difficulty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub b: Option<f64>,
    /// SE of the lower asymptote.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub c: Option<f64>,
}

/// IRT parameters of an item with the calibration that produced them
/// (logistic metric, D = 1; see [`crate::irt`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IrtStats {
    /// The model calibrated.
    pub model: IrtModel,
    /// Slope.
    pub a: f64,
    /// Difficulty.
    pub b: f64,
    /// Lower asymptote (0 unless 3PL).
    #[serde(default)]
    pub c: f64,
    /// Standard errors, where the calibration produced them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub se: Option<ParamErrors>,
    /// Where these values came from.
    pub provenance: Provenance,
}

impl IrtStats {
    /// The parameters as a checked [`ItemParams`].
    pub fn params(&self) -> Result<ItemParams, crate::irt::ParamsError> {
        ItemParams::new(self.a, self.b, self.c)
    }
}

/// Statistics recorded on an item, each with its provenance.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemStatistics {
    /// Classical statistics from the latest analysis.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ctt: Option<CttStats>,
    /// IRT parameters from the latest calibration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub irt: Option<IrtStats>,
    /// How many candidates have been administered the item so far
    /// (its historical exposure).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub administrations: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

fn default_true() -> bool {
    true
}

fn is_true(b: &bool) -> bool {
    *b
}

/// An item of the bank, as authored in `item-bank/items/*.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Item {
    /// Stable id, never reused.
    pub id: ItemId,
    /// Content version; increases when the scored content changes.
    pub version: u32,
    /// The JTA domain the item measures.
    pub domain: DomainId,
    /// The competency level the item measures.
    pub level: CompetencyLevel,
    /// The lifecycle phase of the scenario.
    pub phase: LifecyclePhase,
    /// The JTA task the item measures.
    pub task: TaskId,
    /// Life-cycle status.
    pub status: ItemStatus,
    /// The question (scenario and lead-in).
    pub stem: String,
    /// What the candidate does and what is correct.
    #[serde(flatten)]
    pub interaction: Interaction,
    /// Whether options may be shuffled per form (`false` fixes their order,
    /// e.g. for options that refer to each other).
    #[serde(default = "default_true", skip_serializing_if = "is_true")]
    pub shuffle_options: bool,
    /// Items that must not appear on the same form as this one (one gives
    /// the other away, or they test the same thing).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub enemies: Vec<ItemId>,
    /// The item set (testlet) this item belongs to, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub set: Option<SetId>,
    /// Expected response time in seconds, where known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_seconds: Option<u32>,
    /// Statistics with their provenance.
    #[serde(default, skip_serializing_if = "is_default_stats")]
    pub stats: ItemStatistics,
}

fn is_default_stats(s: &ItemStatistics) -> bool {
    *s == ItemStatistics::default()
}

impl Item {
    /// The kind of interaction.
    pub fn kind(&self) -> ItemKind {
        self.interaction.kind()
    }
}

/// The fields every item may have in a file, whatever its kind.
const COMMON_ITEM_FIELDS: &[&str] = &[
    "id",
    "version",
    "domain",
    "level",
    "phase",
    "task",
    "status",
    "stem",
    "kind",
    "shuffle_options",
    "enemies",
    "set",
    "expected_seconds",
    "stats",
];

/// Whether an item of `kind` may have the field `name` in a file. [`Item`]
/// flattens its [`Interaction`], which rules out serde's
/// `deny_unknown_fields`, so the bank loader checks an item's fields with
/// this instead (a typo must not be dropped silently).
pub fn is_item_field(kind: ItemKind, name: &str) -> bool {
    let interaction: &[&str] = match kind {
        ItemKind::SingleChoice | ItemKind::Ordering => &["options", "key"],
        ItemKind::MultipleResponse => &["options", "key", "select"],
        ItemKind::Matching => &["prompts", "options", "key"],
    };
    COMMON_ITEM_FIELDS.contains(&name) || interaction.contains(&name)
}

/// An item set (testlet): a shared stimulus delivered with its items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemSet {
    /// Stable id; items name it in their `set` field.
    pub id: SetId,
    /// A short title for reviewers.
    pub title: String,
    /// The stimulus shown above the items (a log, manifest, plan, policy, notes).
    pub stimulus: String,
    /// How the stimulus is formatted for display (`text`, `log`, `yaml`,
    /// `json`, `hcl`, `markdown`).
    #[serde(default = "default_format")]
    pub format: String,
}

fn default_format() -> String {
    "text".to_owned()
}

/// The contents of one file under `item-bank/items/`: item sets and items.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemFile {
    /// Item sets whose stimulus is defined in this file.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sets: Vec<ItemSet>,
    /// The items.
    pub items: Vec<Item>,
}

#[cfg(test)]
mod tests {
    use super::*;

    const SINGLE: &str = r#"{
        "id": "INF-001", "version": 1, "domain": "infrastructure", "level": "advanced",
        "phase": "validation", "task": "T-1", "status": "operational",
        "stem": "Which command shows why the pod is Pending?",
        "kind": "single_choice",
        "options": [{"id": "A", "text": "kubectl describe pod", "rationale": "Events show scheduling failures."},
                    {"id": "B", "text": "kubectl logs"}],
        "key": "A"
    }"#;

    #[test]
    fn single_choice_item_reads_and_round_trips() {
        let item: Item = serde_json::from_str(SINGLE).unwrap();
        assert_eq!(item.kind(), ItemKind::SingleChoice);
        assert!(item.shuffle_options);
        assert_eq!(item.interaction.options().len(), 2);
        let json = serde_json::to_string(&item).unwrap();
        let back: Item = serde_json::from_str(&json).unwrap();
        assert_eq!(back, item);
    }

    #[test]
    fn matching_item_reads() {
        let json = r#"{
            "id": "X", "version": 2, "domain": "d", "level": "foundational", "phase": "design",
            "task": "T", "status": "pretest", "stem": "Match", "kind": "matching",
            "prompts": [{"id": "p1", "text": "ClusterIP"}],
            "options": [{"id": "o1", "text": "internal only"}, {"id": "o2", "text": "external LB"}],
            "key": [{"prompt": "p1", "option": "o1"}],
            "shuffle_options": false, "enemies": ["Y"], "set": "S1"
        }"#;
        let item: Item = serde_json::from_str(json).unwrap();
        assert_eq!(item.kind(), ItemKind::Matching);
        assert!(!item.shuffle_options);
        let back: Item = serde_json::from_str(&serde_json::to_string(&item).unwrap()).unwrap();
        assert_eq!(back, item);
    }

    #[test]
    fn item_fields_are_the_common_ones_and_those_of_the_kind() {
        let item: Item = serde_json::from_str(SINGLE).unwrap();
        let json = serde_json::to_value(&item).unwrap();
        for name in json.as_object().unwrap().keys() {
            assert!(is_item_field(ItemKind::SingleChoice, name), "{name}");
        }
        assert!(is_item_field(ItemKind::Ordering, "stats"));
        assert!(!is_item_field(ItemKind::SingleChoice, "select"));
        assert!(is_item_field(ItemKind::MultipleResponse, "select"));
        assert!(!is_item_field(ItemKind::MultipleResponse, "prompts"));
        assert!(is_item_field(ItemKind::Matching, "prompts"));
        assert!(!is_item_field(ItemKind::Matching, "rationalle"));
    }
}
