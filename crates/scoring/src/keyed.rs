//! Keys applied: a form's scoring key compiled once, then applied to many
//! submissions.
//!
//! [`CompiledFormKey::new`] checks a [`Form`] against its [`ScoringKey`] (same
//! form, same items and versions in the same positions, every keyed option
//! on its item) and compiles the key into small integer tables: options by
//! index, multiple-response keys as bit masks, ordering keys as ranks,
//! matching keys as a prompt → option table. The option universe of each
//! item comes from the form's slot (its delivered option order); the
//! correct answers come only from the scoring key, never from the delivery
//! view.
//!
//! [`CompiledFormKey::score`] then checks every answer of a [`Submission`] and
//! gives each item a credit under the [`ScoringRules`]
//! (see [`crate::rules`]). Anything wrong in what the candidate sent is a
//! [`ScoringError`] naming the candidate and the item; nothing is dropped.
//! [`Scorer`] holds the compiled keys of several forms and routes each
//! submission to its form (rayon-parallel over many submissions).

pub use crate::key::{MAX_OPTIONS, MAX_WEIGHT};
pub use crate::key_fingerprint::key_fingerprint;
pub use crate::outcome::{ItemOutcome, ResponseStatus, ScoredSubmission};
pub use crate::scoring_error::{AnswerProblem, KeyError, KeyMisfit, ScoringError};

use crate::form_ability::CountedItemsEap;
use crate::key::{Slot, compile_key, same_id};
use crate::rules::{Adjustment, ScoringRules};
use exam_core::form::{Form, ScoringKey};
use exam_core::ids::{BlueprintId, CandidateId, DomainId, FormId, ItemId};
use exam_core::irt::ItemParams;
use exam_core::item::ItemKind;
use exam_core::submission::{Answer, Submission};
use std::collections::HashMap;

/// A form's key compiled under a set of rules: scores submissions to that
/// form. `Send + Sync`; build once per form and share.
#[derive(Debug, Clone)]
pub struct CompiledFormKey {
    pub(crate) form: FormId,
    pub(crate) blueprint: BlueprintId,
    pub(crate) blueprint_version: String,
    pub(crate) key_fingerprint: String,
    pub(crate) rules: ScoringRules,
    pub(crate) slots: Vec<Slot>,
    pub(crate) domains: Vec<DomainId>,
    index: HashMap<ItemId, usize>,
    pub(crate) ability: Option<CountedItemsEap>,
}

impl CompiledFormKey {
    /// Checks `form` against `key` and compiles it under `rules`.
    /// `params` gives IRT parameters of items, where calibrated: when every
    /// item that counts has them, reports carry an EAP θ (see
    /// [`crate::report`]).
    ///
    /// # Errors
    ///
    /// [`KeyError`] when the key is not the form's, disagrees with it at a
    /// position, does not fit an item's options, or the rules are invalid.
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
            let (options, prompts) = (slot.option_order.to_vec(), slot.prompt_order.to_vec());
            let compiled = compile_key(&form.id, &slot.item, answer_key, &options, &prompts)?;
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
                options,
                prompts,
                adjustment,
                key: compiled,
            });
        }
        let ability = CountedItemsEap::new(&slots, params);
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

    /// An item's score points under the form's rules: credit × points is
    /// its score category `0..=points` (1 for a right-or-wrong rule; `None`
    /// for an item not on the form or a rule whose credits lie on no grid
    /// of equal steps, such as N − 1 multiple response).
    pub fn score_points(&self, item: &ItemId) -> Option<u32> {
        self.slots[*self.index.get(item)?].score_points(&self.rules)
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
    ///
    /// # Errors
    ///
    /// [`ScoringError`] naming the candidate and item when the submission
    /// is for another form, answers an item not on it or twice, or gives an
    /// answer that does not fit the item.
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

/// The compiled keys of every form of an administration, under one set of
/// rules: scores a submission to any of them.
#[derive(Debug, Clone)]
pub struct Scorer {
    forms: HashMap<FormId, CompiledFormKey>,
    order: Vec<FormId>,
}

impl Scorer {
    /// Compiles every form with its key; an adjustment must name an item on
    /// at least one form.
    ///
    /// # Errors
    ///
    /// [`KeyError`] as [`CompiledFormKey::new`], a form given twice, or an
    /// adjustment naming an item on no form.
    pub fn new<'a>(
        forms: impl IntoIterator<Item = (&'a Form, &'a ScoringKey)>,
        rules: &ScoringRules,
        params: &HashMap<ItemId, ItemParams>,
    ) -> Result<Self, KeyError> {
        let mut map = HashMap::new();
        let mut order = Vec::new();
        for (form, key) in forms {
            let scorer = CompiledFormKey::new(form, key, rules, params)?;
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
    pub fn form(&self, id: &FormId) -> Option<&CompiledFormKey> {
        self.forms.get(id)
    }

    /// The compiled form keys, in the order the forms were given.
    pub fn forms(&self) -> impl Iterator<Item = &CompiledFormKey> {
        self.order.iter().filter_map(|id| self.forms.get(id))
    }

    /// The scorer for a submission's form.
    ///
    /// # Errors
    ///
    /// [`ScoringError::UnknownForm`] when no scorer is for its form.
    pub fn scorer_for(&self, submission: &Submission) -> Result<&CompiledFormKey, ScoringError> {
        self.forms
            .get(&submission.form)
            .ok_or_else(|| ScoringError::UnknownForm {
                candidate: submission.candidate.clone(),
                form: submission.form.clone(),
            })
    }

    /// Scores one submission on its form.
    ///
    /// # Errors
    ///
    /// [`ScoringError`] as [`CompiledFormKey::score`], or an unknown form.
    pub fn score(&self, submission: &Submission) -> Result<ScoredSubmission, ScoringError> {
        self.scorer_for(submission)?.score(submission)
    }
}
