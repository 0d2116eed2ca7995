//! Keys applied: a form's scoring key compiled once, then applied to many
//! submissions.
//!
//! [`FormScorer::new`] checks a [`Form`] against its [`ScoringKey`] (same
//! form, same items and versions in the same positions, every keyed option
//! on its item) and compiles the key into small integer tables: options by
//! index, multiple-response keys as bit masks, ordering keys as ranks,
//! matching keys as a prompt → option table. The option universe of each
//! item comes from the form's slot (its delivered option order); the
//! correct answers come only from the scoring key, never from the delivery
//! view.
//!
//! [`FormScorer::score`] then checks every answer of a [`Submission`] and
//! gives each item a credit under the [`ScoringRules`]
//! (see [`crate::rules`]). Anything wrong in what the candidate sent is a
//! [`ScoringError`] naming the candidate and the item; nothing is dropped.
//! [`Scorer`] holds the scorers of several forms and routes each submission
//! to its form (rayon-parallel over many submissions).

use crate::rules::{
    Adjustment, RulesError, ScoringRules, matching_credit, multiple_response_credit,
    ordering_credit,
};
use exam_core::form::{AnswerKey, Form, ScoringKey, SlotRole};
use exam_core::ids::{BlueprintId, CandidateId, DomainId, FormId, ItemId, OptionId};
use exam_core::irt::ItemParams;
use exam_core::item::ItemKind;
use exam_core::submission::{Answer, Submission};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The most options (or prompts) an item may have: keys are compiled to
/// 64-bit masks.
pub const MAX_OPTIONS: usize = 64;

/// The largest item weight a scoring key may give: weights lie in
/// `[0, MAX_WEIGHT]`, so a raw score (a sum of at most a few thousand
/// weighted credits) is always a finite number.
pub const MAX_WEIGHT: f64 = 1000.0;

/// Why a form and its key could not be compiled into a scorer.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The key belongs to another form.
    #[error("the scoring key is for form {key_form}, not for form {form}")]
    WrongForm {
        /// The form.
        form: FormId,
        /// The form the key names.
        key_form: FormId,
    },
    /// Form and key differ in length.
    #[error("form {form} has {slots} slots but its key has {entries} entries")]
    Length {
        /// The form.
        form: FormId,
        /// Slots on the form.
        slots: usize,
        /// Entries in the key.
        entries: usize,
    },
    /// Form and key disagree on the item, version or role at a position.
    #[error(
        "form {form}, position {position}: the form has item `{slot_item}` v{slot_version}, the key `{key_item}` v{key_version}"
    )]
    Slot {
        /// The form.
        form: FormId,
        /// 1-based position.
        position: usize,
        /// Item on the form.
        slot_item: ItemId,
        /// Its version on the form.
        slot_version: u32,
        /// Item in the key.
        key_item: ItemId,
        /// Its version in the key.
        key_version: u32,
    },
    /// Form and key disagree on whether the slot is scored.
    #[error("form {form}, item `{item}`: the form and the key disagree on scored/pretest")]
    Role {
        /// The form.
        form: FormId,
        /// The item.
        item: ItemId,
    },
    /// An item appears twice on a form.
    #[error("form {form}: item `{item}` appears twice")]
    DuplicateItem {
        /// The form.
        form: FormId,
        /// The item.
        item: ItemId,
    },
    /// The key names an option (or prompt) the item does not have, or does
    /// not cover the item as its kind requires (an ordering key that is not
    /// a permutation of the options, a matching key without every prompt).
    #[error("form {form}, item `{item}`: the key does not fit the item's options ({detail})")]
    KeyDoesNotFit {
        /// The form.
        form: FormId,
        /// The item.
        item: ItemId,
        /// What does not fit.
        detail: KeyMisfit,
    },
    /// An item has more options than [`MAX_OPTIONS`].
    #[error("form {form}, item `{item}`: {options} options, at most {MAX_OPTIONS} are supported")]
    TooManyOptions {
        /// The form.
        form: FormId,
        /// The item.
        item: ItemId,
        /// Its number of options.
        options: usize,
    },
    /// A weight is outside `[0, MAX_WEIGHT]`.
    #[error("form {form}, item `{item}`: weight {weight} must lie in [0, 1000]")]
    Weight {
        /// The form.
        form: FormId,
        /// The item.
        item: ItemId,
        /// The weight.
        weight: f64,
    },
    /// The scoring rules are invalid.
    #[error(transparent)]
    Rules(#[from] RulesError),
    /// The same form was given twice to a [`Scorer`].
    #[error("form {0} given twice")]
    DuplicateForm(FormId),
    /// An adjustment names an item that is on none of the forms.
    #[error("adjustment for item `{0}`, which is on none of the forms")]
    AdjustedItemNotOnAnyForm(ItemId),
}

/// How a key fails to fit its item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
#[non_exhaustive]
pub enum KeyMisfit {
    /// A keyed option is not among the item's options.
    UnknownOption {
        /// The option.
        option: OptionId,
    },
    /// A keyed prompt is not among the item's prompts.
    UnknownPrompt {
        /// The prompt.
        prompt: OptionId,
    },
    /// The key's kind is not the kind the form's slot was delivered as.
    Kind,
    /// The key is empty, repeats an option or prompt, or (ordering) leaves
    /// options out, or (matching) leaves prompts out.
    Incomplete,
}

impl std::fmt::Display for KeyMisfit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeyMisfit::UnknownOption { option } => write!(f, "unknown option `{option}`"),
            KeyMisfit::UnknownPrompt { prompt } => write!(f, "unknown prompt `{prompt}`"),
            KeyMisfit::Kind => f.write_str("key of another item kind"),
            KeyMisfit::Incomplete => {
                f.write_str("empty, repeated, or not covering every option/prompt")
            }
        }
    }
}

/// Something wrong in what a candidate sent, naming the candidate and item.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ScoringError {
    /// The submission is for a form no scorer knows.
    #[error("candidate {candidate}: unknown form {form}")]
    UnknownForm {
        /// The candidate.
        candidate: CandidateId,
        /// The form named.
        form: FormId,
    },
    /// The submission was given to the scorer of another form.
    #[error(
        "candidate {candidate}: submission for form {submitted} given to the scorer of form {scorer}"
    )]
    FormMismatch {
        /// The candidate.
        candidate: CandidateId,
        /// The form of the submission.
        submitted: FormId,
        /// The form of the scorer.
        scorer: FormId,
    },
    /// An answer to an item that is not on the form.
    #[error("candidate {candidate}: item `{item}` is not on form {form}")]
    ItemNotOnForm {
        /// The candidate.
        candidate: CandidateId,
        /// The form.
        form: FormId,
        /// The item.
        item: ItemId,
    },
    /// Two answers to one item.
    #[error("candidate {candidate}: two answers to item `{item}`")]
    DuplicateAnswer {
        /// The candidate.
        candidate: CandidateId,
        /// The item.
        item: ItemId,
    },
    /// An answer that is not valid for the item.
    #[error("candidate {candidate}, item `{item}`: {problem}")]
    InvalidAnswer {
        /// The candidate.
        candidate: CandidateId,
        /// The item.
        item: ItemId,
        /// What is wrong.
        problem: AnswerProblem,
    },
}

/// What is wrong with one answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AnswerProblem {
    /// The option is not one of the item's options.
    #[error("option `{0}` is not on the item")]
    UnknownOption(OptionId),
    /// The prompt is not one of the matching item's prompts.
    #[error("prompt `{0}` is not on the item")]
    UnknownPrompt(OptionId),
    /// An option is selected or ordered twice.
    #[error("option `{0}` given twice")]
    RepeatedOption(OptionId),
    /// A prompt is matched twice.
    #[error("prompt `{0}` matched twice")]
    RepeatedPrompt(OptionId),
    /// Several options selected on a single-choice item.
    #[error("{0} options selected on a single-choice item")]
    SeveralSelected(usize),
    /// An answer with nothing in it (use `omitted`).
    #[error("empty answer (an unanswered item is `omitted`)")]
    Empty,
    /// An ordering that does not place every option.
    #[error("the order places {given} of the item's {options} options")]
    IncompleteOrder {
        /// Options placed.
        given: usize,
        /// Options on the item.
        options: usize,
    },
    /// The answer's shape does not fit the item's kind.
    #[error("a {given} answer to a {kind} item")]
    WrongKind {
        /// The item's kind.
        kind: ItemKind,
        /// The answer's shape: `selected`, `ordered` or `matched`.
        given: &'static str,
    },
}

/// Whether and how an item was answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResponseStatus {
    /// The candidate gave an answer.
    Answered,
    /// Presented and left blank.
    Omitted,
    /// Not reached.
    NotReached,
}

/// The result of one item for one candidate, in form order.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ItemOutcome {
    /// Whether and how the item was answered.
    pub status: ResponseStatus,
    /// Credit earned in `[0, 1]` under the rules and adjustments (kept for
    /// pretest and dropped items too: item statistics read it).
    pub credit: f64,
}

/// A submission scored: per-item outcomes in form order and the raw score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoredSubmission {
    /// The candidate.
    pub candidate: CandidateId,
    /// The form.
    pub form: FormId,
    /// One outcome per slot of the form, in delivery order.
    pub outcomes: Vec<ItemOutcome>,
    /// Raw score: `Σ credit × weight` over the scored, not dropped items.
    pub raw: f64,
    /// Maximum raw score: `Σ weight` over the same items.
    pub max: f64,
    /// Total time the candidate spent on the items that carry a recorded
    /// time, in seconds; absent when no answer carries one.
    pub seconds: Option<u64>,
}

#[derive(Debug, Clone)]
enum CompiledKey {
    Single(u8),
    Multiple {
        mask: u64,
        keyed: u32,
    },
    /// Key position of each option, by option index.
    Ordering(Vec<u8>),
    /// Keyed option index of each prompt, by prompt index.
    Matching(Vec<u8>),
}

/// One compiled slot.
#[derive(Debug, Clone)]
pub(crate) struct Slot {
    pub(crate) item: ItemId,
    pub(crate) version: u32,
    pub(crate) role: SlotRole,
    pub(crate) domain: usize,
    pub(crate) weight: f64,
    pub(crate) kind: ItemKind,
    pub(crate) options: Vec<OptionId>,
    pub(crate) prompts: Vec<OptionId>,
    pub(crate) adjustment: Option<Adjustment>,
    key: CompiledKey,
}

impl Slot {
    /// Whether the slot counts toward the candidate's result.
    pub(crate) fn counts(&self) -> bool {
        self.role == SlotRole::Scored && self.adjustment != Some(Adjustment::Drop)
    }

    /// The key's answer in submission form (the answer that earns full
    /// credit).
    pub(crate) fn key_answer(&self) -> Answer {
        match &self.key {
            CompiledKey::Single(i) => Answer::Selected(vec![self.options[usize::from(*i)].clone()]),
            CompiledKey::Multiple { mask, .. } => Answer::Selected(
                (0..self.options.len())
                    .filter(|i| mask & (1 << i) != 0)
                    .map(|i| self.options[i].clone())
                    .collect(),
            ),
            CompiledKey::Ordering(rank) => {
                let mut order = vec![OptionId::from("?"); rank.len()];
                for (i, &r) in rank.iter().enumerate() {
                    order[usize::from(r)] = self.options[i].clone();
                }
                Answer::Ordered(order)
            }
            CompiledKey::Matching(table) => Answer::Matched(
                table
                    .iter()
                    .enumerate()
                    .map(|(p, &o)| exam_core::item::MatchPair {
                        prompt: self.prompts[p].clone(),
                        option: self.options[usize::from(o)].clone(),
                    })
                    .collect(),
            ),
        }
    }

    fn option_index(&self, id: &OptionId) -> Result<usize, AnswerProblem> {
        self.options
            .iter()
            .position(|o| same_id(o.as_str(), id.as_str()))
            .ok_or_else(|| AnswerProblem::UnknownOption(id.clone()))
    }

    fn prompt_index(&self, id: &OptionId) -> Result<usize, AnswerProblem> {
        self.prompts
            .iter()
            .position(|o| same_id(o.as_str(), id.as_str()))
            .ok_or_else(|| AnswerProblem::UnknownPrompt(id.clone()))
    }

    fn selection_mask(&self, selected: &[OptionId]) -> Result<u64, AnswerProblem> {
        let mut mask = 0u64;
        for id in selected {
            let bit = 1u64 << self.option_index(id)?;
            if mask & bit != 0 {
                return Err(AnswerProblem::RepeatedOption(id.clone()));
            }
            mask |= bit;
        }
        Ok(mask)
    }

    /// Checks an answer and returns its credit under `rules`, before any
    /// adjustment.
    fn credit(&self, answer: &Answer, rules: &ScoringRules) -> Result<f64, AnswerProblem> {
        let wrong = |given| AnswerProblem::WrongKind {
            kind: self.kind,
            given,
        };
        match (answer, &self.key) {
            (Answer::Omitted | Answer::NotReached, _) => Ok(0.0),
            (Answer::Selected(sel), CompiledKey::Single(key)) => match sel.as_slice() {
                [] => Err(AnswerProblem::Empty),
                [one] => Ok(f64::from(u8::from(
                    self.option_index(one)? == usize::from(*key),
                ))),
                more => Err(AnswerProblem::SeveralSelected(more.len())),
            },
            (Answer::Selected(sel), CompiledKey::Multiple { mask, keyed }) => {
                if sel.is_empty() {
                    return Err(AnswerProblem::Empty);
                }
                let chosen = self.selection_mask(sel)?;
                let hits = (chosen & mask).count_ones();
                let false_selections = (chosen & !mask).count_ones();
                Ok(multiple_response_credit(
                    rules.multiple_response,
                    *keyed,
                    hits,
                    false_selections,
                ))
            }
            (Answer::Ordered(order), CompiledKey::Ordering(rank)) => {
                if order.is_empty() {
                    return Err(AnswerProblem::Empty);
                }
                self.selection_mask(order)?;
                if order.len() != rank.len() {
                    return Err(AnswerProblem::IncompleteOrder {
                        given: order.len(),
                        options: rank.len(),
                    });
                }
                let mut ranks = [0u8; MAX_OPTIONS];
                for (r, id) in ranks.iter_mut().zip(order) {
                    *r = rank[self.option_index(id)?];
                }
                Ok(ordering_credit(rules.ordering, &ranks[..order.len()]))
            }
            (Answer::Matched(pairs), CompiledKey::Matching(table)) => {
                if pairs.is_empty() {
                    return Err(AnswerProblem::Empty);
                }
                let mut seen = 0u64;
                let mut correct = 0u32;
                for pair in pairs {
                    let p = self.prompt_index(&pair.prompt)?;
                    let o = self.option_index(&pair.option)?;
                    if seen & (1 << p) != 0 {
                        return Err(AnswerProblem::RepeatedPrompt(pair.prompt.clone()));
                    }
                    seen |= 1 << p;
                    correct += u32::from(usize::from(table[p]) == o);
                }
                Ok(matching_credit(rules.matching, table.len() as u32, correct))
            }
            (Answer::Selected(_), _) => Err(wrong("selected")),
            (Answer::Ordered(_), _) => Err(wrong("ordered")),
            (Answer::Matched(_), _) => Err(wrong("matched")),
        }
    }
}

/// String equality for the short ids of options and items, inlined: a
/// `memcmp` call per comparison was the largest cost of scoring.
#[inline]
fn same_id(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).all(|(x, y)| x == y)
}

fn compile_key(
    form: &FormId,
    item: &ItemId,
    key: &AnswerKey,
    options: &[OptionId],
    prompts: &[OptionId],
) -> Result<CompiledKey, KeyError> {
    let misfit = |detail| KeyError::KeyDoesNotFit {
        form: form.clone(),
        item: item.clone(),
        detail,
    };
    let index = |id: &OptionId| {
        options
            .iter()
            .position(|o| o == id)
            .map(|i| i as u8)
            .ok_or_else(|| misfit(KeyMisfit::UnknownOption { option: id.clone() }))
    };
    let distinct = |ids: &mut dyn Iterator<Item = u8>| {
        let mut mask = 0u64;
        for i in ids {
            if mask & (1 << i) != 0 {
                return None;
            }
            mask |= 1 << i;
        }
        Some(mask)
    };
    match key {
        AnswerKey::SingleChoice { option } => Ok(CompiledKey::Single(index(option)?)),
        AnswerKey::MultipleResponse { options: keyed } => {
            let idx = keyed.iter().map(index).collect::<Result<Vec<_>, _>>()?;
            match distinct(&mut idx.iter().copied()) {
                Some(mask) if mask != 0 => Ok(CompiledKey::Multiple {
                    mask,
                    keyed: mask.count_ones(),
                }),
                _ => Err(misfit(KeyMisfit::Incomplete)),
            }
        }
        AnswerKey::Ordering { order } => {
            let idx = order.iter().map(index).collect::<Result<Vec<_>, _>>()?;
            if idx.len() != options.len() || distinct(&mut idx.iter().copied()).is_none() {
                return Err(misfit(KeyMisfit::Incomplete));
            }
            let mut rank = vec![0u8; options.len()];
            for (position, &i) in idx.iter().enumerate() {
                rank[usize::from(i)] = position as u8;
            }
            Ok(CompiledKey::Ordering(rank))
        }
        AnswerKey::Matching { pairs } => {
            let mut table = vec![u8::MAX; prompts.len()];
            for pair in pairs {
                let p = prompts
                    .iter()
                    .position(|q| q == &pair.prompt)
                    .ok_or_else(|| {
                        misfit(KeyMisfit::UnknownPrompt {
                            prompt: pair.prompt.clone(),
                        })
                    })?;
                if table[p] != u8::MAX {
                    return Err(misfit(KeyMisfit::Incomplete));
                }
                table[p] = index(&pair.option)?;
            }
            if table.is_empty() || table.contains(&u8::MAX) {
                return Err(misfit(KeyMisfit::Incomplete));
            }
            Ok(CompiledKey::Matching(table))
        }
    }
}

/// FNV-1a (64-bit) over the bytes fed to it: a stable fingerprint of a key
/// for the audit trail (Fowler, Noll & Vo; not a cryptographic hash).
struct Fnv(u64);

impl Fnv {
    fn new() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }
    fn bytes(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
        // A separator so that ("ab", "c") and ("a", "bc") differ.
        self.0 ^= 0xff;
        self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
    }
}

/// The fingerprint of a scoring key: FNV-1a 64 over the form id and, per
/// entry, item, version, role, weight and keyed option ids in order. Two
/// keys with the same fingerprint score every submission alike.
pub fn key_fingerprint(key: &ScoringKey) -> String {
    let mut h = Fnv::new();
    h.bytes(key.form.as_str().as_bytes());
    for e in &key.entries {
        h.bytes(e.item.as_str().as_bytes());
        h.bytes(&e.version.to_le_bytes());
        h.bytes(e.role.to_string().as_bytes());
        h.bytes(&e.weight.to_bits().to_le_bytes());
        match &e.key {
            AnswerKey::SingleChoice { option } => h.bytes(option.as_str().as_bytes()),
            AnswerKey::MultipleResponse { options } | AnswerKey::Ordering { order: options } => {
                for o in options {
                    h.bytes(o.as_str().as_bytes());
                }
            }
            AnswerKey::Matching { pairs } => {
                for p in pairs {
                    h.bytes(p.prompt.as_str().as_bytes());
                    h.bytes(p.option.as_str().as_bytes());
                }
            }
        }
    }
    format!("fnv1a64:{:016x}", h.0)
}

/// A form's key compiled under a set of rules: scores submissions to that
/// form. `Send + Sync`; build once per form and share.
#[derive(Debug, Clone)]
pub struct FormScorer {
    pub(crate) form: FormId,
    pub(crate) blueprint: BlueprintId,
    pub(crate) blueprint_version: String,
    pub(crate) key_fingerprint: String,
    pub(crate) rules: ScoringRules,
    pub(crate) slots: Vec<Slot>,
    pub(crate) domains: Vec<DomainId>,
    index: HashMap<ItemId, usize>,
    pub(crate) ability: Option<crate::report::AbilityScorer>,
}

impl FormScorer {
    /// Checks `form` against `key` and compiles it under `rules`.
    /// `params` gives IRT parameters of items, where calibrated: when every
    /// item that counts has them, reports carry an EAP θ (see
    /// [`crate::report`]).
    pub fn new(
        form: &Form,
        key: &ScoringKey,
        rules: &ScoringRules,
        params: &HashMap<ItemId, ItemParams>,
    ) -> Result<Self, KeyError> {
        rules.validate()?;
        if key.form != form.id {
            return Err(KeyError::WrongForm {
                form: form.id.clone(),
                key_form: key.form.clone(),
            });
        }
        if key.entries.len() != form.slots.len() {
            return Err(KeyError::Length {
                form: form.id.clone(),
                slots: form.slots.len(),
                entries: key.entries.len(),
            });
        }
        let mut index = HashMap::with_capacity(form.slots.len());
        let mut domains: Vec<DomainId> = Vec::new();
        let mut slots = Vec::with_capacity(form.slots.len());
        for (i, (slot, entry)) in form.slots.iter().zip(&key.entries).enumerate() {
            if slot.item != entry.item || slot.version != entry.version {
                return Err(KeyError::Slot {
                    form: form.id.clone(),
                    position: i + 1,
                    slot_item: slot.item.clone(),
                    slot_version: slot.version,
                    key_item: entry.item.clone(),
                    key_version: entry.version,
                });
            }
            if slot.role != entry.role {
                return Err(KeyError::Role {
                    form: form.id.clone(),
                    item: slot.item.clone(),
                });
            }
            if !(0.0..=MAX_WEIGHT).contains(&entry.weight) {
                return Err(KeyError::Weight {
                    form: form.id.clone(),
                    item: slot.item.clone(),
                    weight: entry.weight,
                });
            }
            if index.insert(slot.item.clone(), i).is_some() {
                return Err(KeyError::DuplicateItem {
                    form: form.id.clone(),
                    item: slot.item.clone(),
                });
            }
            let width = slot.option_order.len().max(slot.prompt_order.len());
            if width > MAX_OPTIONS {
                return Err(KeyError::TooManyOptions {
                    form: form.id.clone(),
                    item: slot.item.clone(),
                    options: width,
                });
            }
            let adjustment = rules.adjustment(&slot.item).map(|a| a.action.clone());
            let answer_key = match &adjustment {
                Some(Adjustment::Rekey { key }) => key,
                _ => &entry.key,
            };
            let compiled = compile_key(
                &form.id,
                &slot.item,
                answer_key,
                &slot.option_order,
                &slot.prompt_order,
            )?;
            if answer_key.kind() != entry.key.kind() {
                return Err(KeyError::KeyDoesNotFit {
                    form: form.id.clone(),
                    item: slot.item.clone(),
                    detail: KeyMisfit::Kind,
                });
            }
            let domain = match domains.iter().position(|d| d == &entry.domain) {
                Some(d) => d,
                None => {
                    domains.push(entry.domain.clone());
                    domains.len() - 1
                }
            };
            slots.push(Slot {
                item: slot.item.clone(),
                version: slot.version,
                role: slot.role,
                domain,
                weight: entry.weight,
                kind: entry.key.kind(),
                options: slot.option_order.clone(),
                prompts: slot.prompt_order.clone(),
                adjustment,
                key: compiled,
            });
        }
        let ability = crate::report::AbilityScorer::new(&slots, params);
        Ok(Self {
            form: form.id.clone(),
            blueprint: key.blueprint.clone(),
            blueprint_version: key.blueprint_version.clone(),
            key_fingerprint: key_fingerprint(key),
            rules: rules.clone(),
            slots,
            domains,
            index,
            ability,
        })
    }

    /// The form scored.
    pub fn form(&self) -> &FormId {
        &self.form
    }

    /// The items of the form in delivery order.
    pub fn items(&self) -> impl ExactSizeIterator<Item = &ItemId> {
        self.slots.iter().map(|s| &s.item)
    }

    /// The kind of each item of the form, in delivery order.
    pub fn kinds(&self) -> impl ExactSizeIterator<Item = ItemKind> + '_ {
        self.slots.iter().map(|s| s.kind)
    }

    /// The kind of an item of the form.
    pub fn kind_of(&self, item: &ItemId) -> Option<ItemKind> {
        self.index.get(item).map(|&i| self.slots[i].kind)
    }

    /// The maximum raw score.
    pub fn max(&self) -> f64 {
        self.slots
            .iter()
            .filter(|s| s.counts())
            .map(|s| s.weight)
            .sum()
    }

    /// The answer that earns full credit on every item (the key, in
    /// submission form): what a perfect candidate submits.
    pub fn key_submission(&self, candidate: impl Into<CandidateId>) -> Submission {
        let mut s = Submission::new(candidate, self.form.clone());
        for slot in &self.slots {
            s = s.with(slot.item.clone(), slot.key_answer());
        }
        s
    }

    /// Scores one submission to this form.
    pub fn score(&self, submission: &Submission) -> Result<ScoredSubmission, ScoringError> {
        if submission.form != self.form {
            return Err(ScoringError::FormMismatch {
                candidate: submission.candidate.clone(),
                submitted: submission.form.clone(),
                scorer: self.form.clone(),
            });
        }
        let mut outcomes = vec![
            ItemOutcome {
                status: ResponseStatus::NotReached,
                credit: 0.0,
            };
            self.slots.len()
        ];
        let mut seen = vec![false; self.slots.len()];
        // Submissions usually list items in form order: try the slot after
        // the previous answer's before the hash lookup.
        let mut guess = 0;
        let mut seconds: Option<u64> = None;
        for entry in &submission.answers {
            if let Some(s) = entry.seconds {
                seconds = Some(seconds.unwrap_or(0) + u64::from(s));
            }
            let found = match self.slots.get(guess) {
                Some(slot) if same_id(slot.item.as_str(), entry.item.as_str()) => Some(guess),
                _ => self.index.get(&entry.item).copied(),
            };
            let Some(i) = found else {
                return Err(ScoringError::ItemNotOnForm {
                    candidate: submission.candidate.clone(),
                    form: self.form.clone(),
                    item: entry.item.clone(),
                });
            };
            if std::mem::replace(&mut seen[i], true) {
                return Err(ScoringError::DuplicateAnswer {
                    candidate: submission.candidate.clone(),
                    item: entry.item.clone(),
                });
            }
            guess = i + 1;
            let slot = &self.slots[i];
            let credit = slot.credit(&entry.answer, &self.rules).map_err(|problem| {
                ScoringError::InvalidAnswer {
                    candidate: submission.candidate.clone(),
                    item: entry.item.clone(),
                    problem,
                }
            })?;
            outcomes[i] = ItemOutcome {
                status: match entry.answer {
                    Answer::Omitted => ResponseStatus::Omitted,
                    Answer::NotReached => ResponseStatus::NotReached,
                    _ => ResponseStatus::Answered,
                },
                credit,
            };
        }
        let mut raw = 0.0;
        let mut max = 0.0;
        for (slot, outcome) in self.slots.iter().zip(outcomes.iter_mut()) {
            if slot.adjustment == Some(Adjustment::CreditAll) {
                outcome.credit = 1.0;
            }
            if slot.counts() {
                raw += outcome.credit * slot.weight;
                max += slot.weight;
            }
        }
        Ok(ScoredSubmission {
            candidate: submission.candidate.clone(),
            form: self.form.clone(),
            outcomes,
            raw,
            max,
            seconds,
        })
    }
}

/// The scorers of every form of an administration, under one set of rules.
#[derive(Debug, Clone)]
pub struct Scorer {
    forms: HashMap<FormId, FormScorer>,
    order: Vec<FormId>,
}

impl Scorer {
    /// Compiles every form with its key; an adjustment must name an item on
    /// at least one form.
    pub fn new<'a>(
        forms: impl IntoIterator<Item = (&'a Form, &'a ScoringKey)>,
        rules: &ScoringRules,
        params: &HashMap<ItemId, ItemParams>,
    ) -> Result<Self, KeyError> {
        let mut map = HashMap::new();
        let mut order = Vec::new();
        for (form, key) in forms {
            let scorer = FormScorer::new(form, key, rules, params)?;
            if map.insert(form.id.clone(), scorer).is_some() {
                return Err(KeyError::DuplicateForm(form.id.clone()));
            }
            order.push(form.id.clone());
        }
        for adj in &rules.adjustments {
            if !map.values().any(|s| s.index.contains_key(&adj.item)) {
                return Err(KeyError::AdjustedItemNotOnAnyForm(adj.item.clone()));
            }
        }
        Ok(Self { forms: map, order })
    }

    /// The scorer of a form.
    pub fn form(&self, id: &FormId) -> Option<&FormScorer> {
        self.forms.get(id)
    }

    /// The form scorers, in the order the forms were given.
    pub fn forms(&self) -> impl Iterator<Item = &FormScorer> {
        self.order.iter().filter_map(|id| self.forms.get(id))
    }

    /// The scorer for a submission's form.
    pub fn scorer_for(&self, submission: &Submission) -> Result<&FormScorer, ScoringError> {
        self.forms
            .get(&submission.form)
            .ok_or_else(|| ScoringError::UnknownForm {
                candidate: submission.candidate.clone(),
                form: submission.form.clone(),
            })
    }

    /// Scores one submission on its form.
    pub fn score(&self, submission: &Submission) -> Result<ScoredSubmission, ScoringError> {
        self.scorer_for(submission)?.score(submission)
    }

    /// Scores and reports one submission.
    pub fn report(
        &self,
        submission: &Submission,
    ) -> Result<crate::report::ScoreReport, ScoringError> {
        let scorer = self.scorer_for(submission)?;
        Ok(scorer.report(&scorer.score(submission)?))
    }

    /// Scores and reports many submissions in parallel (rayon), in input
    /// order; any bad submission makes the whole call an error (one of the
    /// bad submissions' errors).
    pub fn report_all(
        &self,
        submissions: &[Submission],
    ) -> Result<Vec<crate::report::ScoreReport>, ScoringError> {
        submissions.par_iter().map(|s| self.report(s)).collect()
    }
}
