//! Forms, what a candidate sees of them, and their scoring keys.
//!
//! A [`Form`] is the record of an assembled exam form: its id, the seed and
//! blueprint that produced it, and its ordered [`FormSlot`]s (item, version,
//! scored or pretest, section, and the order in which the item's options are
//! delivered). It references the bank; it carries no content.
//!
//! From a form and the bank come two separate values:
//! - [`DeliveryView`]: what the candidate sees (stems, options in delivered
//!   order, set stimuli). It has no keys, no rationales, no statistics, no
//!   scored/pretest flag and no bank ids (items and stimuli go by
//!   per-form [`Handle`]s, see [`crate::attempt`]), so it can be sent to a
//!   delivery client as is.
//! - [`ScoringKey`]: per item the key (by option id), kind, weight, role,
//!   domain and version: what scoring needs, kept on the server.
//!
//! Keys are written in option ids, never positions, so shuffling the option
//! order per form needs no key rewriting: the permutation stored in
//! [`FormSlot::option_order`] is the whole remapping.

use crate::attempt::{Handle, HandleKey};
use crate::bank::ItemBank;
use crate::ids::{BlueprintId, DomainId, FormId, ItemId, OptionId, SetId};
use crate::item::{Choice, Interaction, Item, ItemKind, MatchPair};
use crate::jta::CompetencyLevel;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::sync::Arc;

mod choices;
mod shared_text;
mod view_json;

pub use choices::{DeliveredChoices, Iter, OptionOrder, Ordered};
pub use shared_text::SharedText;

/// Whether a slot counts towards the score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlotRole {
    /// An operational item whose response is scored.
    Scored,
    /// A pretest item: delivered like the others, never scored.
    Pretest,
}

impl SlotRole {
    /// The role's name, as written in JSON: `scored` or `pretest`.
    pub fn as_str(self) -> &'static str {
        match self {
            SlotRole::Scored => "scored",
            SlotRole::Pretest => "pretest",
        }
    }
}

impl std::fmt::Display for SlotRole {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How the items of a form are ordered for delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryOrder {
    /// Grouped in sections, one per blueprint domain in blueprint order, in a
    /// random order within each section. Pretest items sit in the section of
    /// their domain (or a random section) at random positions.
    #[default]
    Sections,
    /// One random order over the whole form.
    Randomised,
}

/// One position of a form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormSlot {
    /// The item delivered here.
    pub item: ItemId,
    /// The item's version the form was built from.
    pub version: u32,
    /// Scored or pretest.
    pub role: SlotRole,
    /// The section (a blueprint domain) the slot is delivered in.
    pub section: DomainId,
    /// The item set (testlet) the item belongs to; the items of a set occupy
    /// consecutive slots.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub set: Option<SetId>,
    /// The item's option ids in delivered order (a permutation of its
    /// options; for matching items, of the right column).
    pub option_order: OptionOrder,
    /// For matching items, the prompts (left column) in delivered order;
    /// empty for other kinds.
    #[serde(default, skip_serializing_if = "OptionOrder::is_empty")]
    pub prompt_order: OptionOrder,
}

/// An assembled form: an ordered selection of items for one blueprint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Form {
    /// Id derived from the inputs and seed that built the form.
    pub id: FormId,
    /// The seed the assembly was run with.
    pub seed: u64,
    /// The blueprint the form was built for.
    pub blueprint: BlueprintId,
    /// That blueprint's version.
    pub blueprint_version: String,
    /// How the slots were ordered.
    pub order: DeliveryOrder,
    /// The slots in delivery order.
    pub slots: Vec<FormSlot>,
}

/// Why a form could not be turned into a delivery view or scoring key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(tag = "code", content = "detail", rename_all = "snake_case")]
#[non_exhaustive]
pub enum FormError {
    /// The form names an item the bank does not hold.
    #[error("form {form}: item `{item}` is not in the bank")]
    UnknownItem {
        /// The form.
        form: FormId,
        /// The missing item.
        item: ItemId,
    },
    /// The bank holds another version of the item than the form was built from.
    #[error(
        "form {form}: item `{item}` is version {bank} in the bank, the form has version {form_version}"
    )]
    VersionMismatch {
        /// The form.
        form: FormId,
        /// The item.
        item: ItemId,
        /// The version in the form.
        form_version: u32,
        /// The version in the bank.
        bank: u32,
    },
    /// A stored option order is not a permutation of the item's options.
    #[error("form {form}: option order of item `{item}` is not a permutation of its options")]
    BadOptionOrder {
        /// The form.
        form: FormId,
        /// The item.
        item: ItemId,
    },
    /// The form names a set the bank does not define.
    #[error("form {form}: item set `{set}` is not in the bank")]
    UnknownSet {
        /// The form.
        form: FormId,
        /// The set.
        set: SetId,
    },
}

impl crate::error::ApiError for FormError {
    fn code(&self) -> &'static str {
        match self {
            Self::UnknownItem { .. } => "unknown_item",
            Self::VersionMismatch { .. } => "version_mismatch",
            Self::BadOptionOrder { .. } => "bad_option_order",
            Self::UnknownSet { .. } => "unknown_set",
        }
    }

    /// The server: forms are the server's, checked against its bank.
    fn fault(&self) -> crate::error::Fault {
        crate::error::Fault::Server
    }
}

/// An option as the candidate sees it: id and text, no rationale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveredChoice {
    /// The option id the candidate's answer refers to.
    pub id: OptionId,
    /// The text shown (shared with the views of other forms).
    pub text: SharedText,
}

/// An item as the candidate sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveredItem {
    /// 1-based position on the form.
    pub position: u32,
    /// The item's handle on this form: answers name it.
    pub handle: Handle,
    /// The handle of the stimulus shown with the item (item sets).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stimulus: Option<Handle>,
    /// The kind of interaction.
    pub kind: ItemKind,
    /// The question (shared with the views of other forms).
    pub stem: SharedText,
    /// The options in delivered order (for matching: the right column).
    pub options: DeliveredChoices,
    /// For matching items, the prompts (left column) in delivered order.
    #[serde(default, skip_serializing_if = "DeliveredChoices::is_empty")]
    pub prompts: DeliveredChoices,
    /// For multiple-response items whose stem states it, how many to select.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub select: Option<u32>,
}

/// A set stimulus as the candidate sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveredStimulus {
    /// The handle items refer to.
    pub handle: Handle,
    /// The stimulus text (shared with the views of other forms).
    pub text: SharedText,
    /// Its display format (`text`, `log`, `yaml`, ...).
    pub format: String,
}

/// What a candidate sees of a form: no keys, rationales, statistics,
/// scored/pretest flags or bank ids.
///
/// ```json
/// {"form": "die-2026-3f0c9a1b7d2e4c58", "time_limit_minutes": 90,
///  "stimuli": [{"handle": "77c1d0e9a2b34f65", "text": "$ terraform plan ...", "format": "log"}],
///  "items": [
///   {"position": 1, "handle": "9c1f0e7a55d2b8e4", "kind": "single_choice",
///    "stem": "Which ...?", "options": [{"id": "C", "text": "..."}, {"id": "A", "text": "..."}]},
///   {"position": 2, "handle": "03ad7c9e61b2f540", "stimulus": "77c1d0e9a2b34f65",
///    "kind": "ordering", "stem": "Put ... in order.", "options": [...]}]}
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryView {
    /// The form.
    pub form: FormId,
    /// The time limit in minutes.
    pub time_limit_minutes: u32,
    /// The stimuli of the sets on the form, in order of first appearance.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stimuli: Vec<DeliveredStimulus>,
    /// The items in delivery order.
    pub items: Vec<DeliveredItem>,
}

/// The correct answer of an item, in option ids.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AnswerKey {
    /// The one correct option.
    SingleChoice {
        /// The correct option.
        option: OptionId,
    },
    /// Every correct option.
    MultipleResponse {
        /// The correct options.
        options: Vec<OptionId>,
    },
    /// The options in the correct order.
    Ordering {
        /// The correct order.
        order: Vec<OptionId>,
    },
    /// The correct prompt → option pairs.
    Matching {
        /// One pair per prompt.
        pairs: Vec<MatchPair>,
    },
}

impl AnswerKey {
    /// The key of an interaction.
    pub fn of(interaction: &Interaction) -> Self {
        match interaction {
            Interaction::SingleChoice { key, .. } => AnswerKey::SingleChoice {
                option: key.clone(),
            },
            Interaction::MultipleResponse { key, .. } => AnswerKey::MultipleResponse {
                options: key.clone(),
            },
            Interaction::Ordering { key, .. } => AnswerKey::Ordering { order: key.clone() },
            Interaction::Matching { key, .. } => AnswerKey::Matching { pairs: key.clone() },
        }
    }

    /// The kind of item the key belongs to.
    pub fn kind(&self) -> ItemKind {
        match self {
            AnswerKey::SingleChoice { .. } => ItemKind::SingleChoice,
            AnswerKey::MultipleResponse { .. } => ItemKind::MultipleResponse,
            AnswerKey::Ordering { .. } => ItemKind::Ordering,
            AnswerKey::Matching { .. } => ItemKind::Matching,
        }
    }
}

/// The scoring information of one slot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KeyEntry {
    /// 1-based position on the form.
    pub position: u32,
    /// The item.
    pub item: ItemId,
    /// The item version the key belongs to.
    pub version: u32,
    /// Scored or pretest.
    pub role: SlotRole,
    /// The item's domain (for domain subscores).
    pub domain: DomainId,
    /// The item's competency level.
    pub level: CompetencyLevel,
    /// The weight of the item in the raw score: 1 for scored items, 0 for
    /// pretest items; scoring accepts weights in `[0, 1000]`.
    pub weight: f64,
    /// The correct answer, in option ids.
    pub key: AnswerKey,
}

/// The scoring key of a form: kept apart from the delivery view.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoringKey {
    /// The form.
    pub form: FormId,
    /// The blueprint the form was built for.
    pub blueprint: BlueprintId,
    /// That blueprint's version.
    pub blueprint_version: String,
    /// One entry per slot, in delivery order.
    pub entries: Vec<KeyEntry>,
}

fn is_permutation(order: &OptionOrder, choices: &[Choice]) -> bool {
    order.len() == choices.len() && {
        let a: BTreeSet<&OptionId> = order.iter().collect();
        let b: BTreeSet<&OptionId> = choices.iter().map(|c| &c.id).collect();
        a.len() == order.len() && a == b
    }
}

/// The texts a delivery view shows of one item, shared: a view copies
/// pointers, not text (an on-the-fly plan keeps one per bank item).
#[derive(Debug, Clone)]
pub(crate) struct ShownTexts {
    stem: SharedText,
    /// The options in the item's order.
    options: Arc<[DeliveredChoice]>,
    /// The matching prompts in the item's order.
    prompts: Arc<[DeliveredChoice]>,
}

impl ShownTexts {
    /// Writes the JSON literal of every text now, so that writing views
    /// later only copies them.
    pub(crate) fn escape_now(&self) {
        self.stem.json();
        for c in self.options.iter().chain(self.prompts.iter()) {
            c.text.json();
        }
    }

    pub(crate) fn of(item: &Item) -> Self {
        let shown = |choices: &[Choice]| -> Arc<[DeliveredChoice]> {
            choices
                .iter()
                .map(|c| DeliveredChoice {
                    id: c.id.clone(),
                    text: SharedText::new(&c.text),
                })
                .collect()
        };
        Self {
            stem: SharedText::new(&item.stem),
            options: shown(item.interaction.options()),
            prompts: match &item.interaction {
                Interaction::Matching { prompts, .. } => shown(prompts),
                _ => Arc::new([]),
            },
        }
    }
}

impl Form {
    /// The number of slots of each role: `(scored, pretest)`.
    pub fn counts(&self) -> (usize, usize) {
        let scored = self
            .slots
            .iter()
            .filter(|s| s.role == SlotRole::Scored)
            .count();
        (scored, self.slots.len() - scored)
    }

    fn checked_item<'b>(&self, bank: &'b ItemBank, slot: &FormSlot) -> Result<&'b Item, FormError> {
        let item = bank
            .item(&slot.item)
            .ok_or_else(|| FormError::UnknownItem {
                form: self.id.clone(),
                item: slot.item.clone(),
            })?;
        if item.version != slot.version {
            return Err(FormError::VersionMismatch {
                form: self.id.clone(),
                item: slot.item.clone(),
                form_version: slot.version,
                bank: item.version,
            });
        }
        let prompts_ok = match &item.interaction {
            Interaction::Matching { prompts, .. } => is_permutation(&slot.prompt_order, prompts),
            _ => slot.prompt_order.is_empty(),
        };
        if !is_permutation(&slot.option_order, item.interaction.options()) || !prompts_ok {
            return Err(FormError::BadOptionOrder {
                form: self.id.clone(),
                item: slot.item.clone(),
            });
        }
        Ok(item)
    }

    /// The form's items, checked against the bank: every item present at
    /// the form's version, option orders permutations of its options.
    fn checked_items<'b>(&self, bank: &'b ItemBank) -> Result<Vec<&'b Item>, FormError> {
        self.slots
            .iter()
            .map(|slot| self.checked_item(bank, slot))
            .collect()
    }

    /// What the candidate sees, checked against the bank (every item present
    /// at the form's version, option orders permutations of its options),
    /// with items and stimuli under their handles for this form.
    ///
    /// # Errors
    ///
    /// [`FormError`] when the form does not fit the bank.
    pub fn delivery_view(
        &self,
        bank: &ItemBank,
        time_limit_minutes: u32,
        handles: &HandleKey,
    ) -> Result<DeliveryView, FormError> {
        let items = self.checked_items(bank)?;
        for slot in &self.slots {
            if let Some(set) = &slot.set
                && bank.set(set).is_none()
            {
                return Err(FormError::UnknownSet {
                    form: self.id.clone(),
                    set: set.clone(),
                });
            }
        }
        let texts: Vec<ShownTexts> = items.iter().map(|item| ShownTexts::of(item)).collect();
        let texts: Vec<&ShownTexts> = texts.iter().collect();
        let stimulus = |id: &SetId| {
            bank.set(id)
                .map(|set| (SharedText::new(&set.stimulus), set.format.clone()))
        };
        Ok(self.view_of(&stimulus, &items, &texts, time_limit_minutes, handles))
    }

    /// The delivery view from the form's items in slot order (already
    /// checked, or taken from the bank by the assembler), whose sets are
    /// in the bank, and their shown texts; `stimulus` gives a set's shown
    /// stimulus and its format.
    pub(crate) fn view_of(
        &self,
        stimulus: &dyn Fn(&SetId) -> Option<(SharedText, String)>,
        items: &[&Item],
        texts: &[&ShownTexts],
        time_limit_minutes: u32,
        handles: &HandleKey,
    ) -> DeliveryView {
        let mut shown_items = Vec::with_capacity(self.slots.len());
        let mut stimuli: Vec<DeliveredStimulus> = Vec::new();
        let mut shown: Vec<&SetId> = Vec::new();
        let handles = handles.form(&self.id);
        for (i, ((slot, item), texts)) in self.slots.iter().zip(items).zip(texts).enumerate() {
            let stimulus = slot.set.as_ref().map(|set_id| {
                let handle = handles.stimulus(set_id);
                if !shown.contains(&set_id)
                    && let Some((text, format)) = stimulus(set_id)
                {
                    shown.push(set_id);
                    stimuli.push(DeliveredStimulus {
                        handle,
                        text,
                        format,
                    });
                }
                handle
            });
            let select = match &item.interaction {
                Interaction::MultipleResponse { select, .. } => *select,
                _ => None,
            };
            shown_items.push(DeliveredItem {
                position: i as u32 + 1,
                handle: handles.item(&item.id),
                stimulus,
                kind: item.kind(),
                stem: texts.stem.clone(),
                options: DeliveredChoices::in_order(&slot.option_order, &texts.options),
                prompts: DeliveredChoices::in_order(&slot.prompt_order, &texts.prompts),
                select,
            });
        }
        DeliveryView {
            form: self.id.clone(),
            time_limit_minutes,
            stimuli,
            items: shown_items,
        }
    }

    /// The scoring key, checked against the bank like [`Form::delivery_view`].
    ///
    /// # Errors
    ///
    /// [`FormError`] when the form does not fit the bank.
    pub fn scoring_key(&self, bank: &ItemBank) -> Result<ScoringKey, FormError> {
        Ok(self.key_of(&self.checked_items(bank)?))
    }

    /// The scoring key from the form's items in slot order.
    pub(crate) fn key_of(&self, items: &[&Item]) -> ScoringKey {
        let entries = self
            .slots
            .iter()
            .zip(items)
            .enumerate()
            .map(|(i, (slot, item))| KeyEntry {
                position: i as u32 + 1,
                item: item.id.clone(),
                version: item.version,
                role: slot.role,
                domain: item.domain.clone(),
                level: item.level,
                weight: match slot.role {
                    SlotRole::Scored => 1.0,
                    SlotRole::Pretest => 0.0,
                },
                key: AnswerKey::of(&item.interaction),
            })
            .collect();
        ScoringKey {
            form: self.id.clone(),
            blueprint: self.blueprint.clone(),
            blueprint_version: self.blueprint_version.clone(),
            entries,
        }
    }
}
