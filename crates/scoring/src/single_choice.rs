//! The single-choice items of several forms pooled for a distractor
//! analysis: each item's key option (the same on every form, or its options
//! could not be analysed together), every option the forms deliver, and
//! the option each candidate chose.
//!
//! Only single-choice answers are one option; multiple-response, ordering
//! and matching answers are combinations of options, so those items have no
//! key option here.

use exam_core::form::{AnswerKey, Form, ScoringKey};
use exam_core::ids::{FormId, ItemId, OptionId};
use exam_core::submission::{Answer, Submission};
use std::collections::HashMap;

/// An item keyed differently on two forms.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error(
    "item `{item}` is keyed differently on forms {first} and {second}; its options cannot be analysed together"
)]
pub struct KeyedDifferently {
    /// The item.
    pub item: ItemId,
    /// The form whose key was read first.
    pub first: FormId,
    /// The form whose key differs.
    pub second: FormId,
}

/// The single-choice keys and options of a list of items (the columns of a
/// response matrix), pooled over forms.
#[derive(Debug, Clone, PartialEq)]
pub struct SingleChoiceOptions {
    column: HashMap<ItemId, usize>,
    keys: Vec<Option<OptionId>>,
    options: Vec<Vec<OptionId>>,
}

impl SingleChoiceOptions {
    /// Pools the keys and delivered options of `forms` for `items`.
    pub fn new(forms: &[(Form, ScoringKey)], items: &[ItemId]) -> Result<Self, KeyedDifferently> {
        let mut by_item: HashMap<&ItemId, (&AnswerKey, &FormId)> = HashMap::new();
        for (_, key) in forms {
            for entry in &key.entries {
                match by_item.get(&entry.item) {
                    Some((other, form)) if **other != entry.key => {
                        return Err(KeyedDifferently {
                            item: entry.item.clone(),
                            first: (*form).clone(),
                            second: key.form.clone(),
                        });
                    }
                    Some(_) => {}
                    None => {
                        by_item.insert(&entry.item, (&entry.key, &key.form));
                    }
                }
            }
        }
        let keys: Vec<Option<OptionId>> = items
            .iter()
            .map(|item| match by_item.get(item) {
                Some((AnswerKey::SingleChoice { option }, _)) => Some(option.clone()),
                _ => None,
            })
            .collect();
        let column: HashMap<ItemId, usize> = items
            .iter()
            .enumerate()
            .map(|(i, id)| (id.clone(), i))
            .collect();
        let mut options: Vec<Vec<OptionId>> = vec![Vec::new(); items.len()];
        for (form, _) in forms {
            for slot in &form.slots {
                let Some(&c) = column.get(&slot.item) else {
                    continue;
                };
                if keys[c].is_some() {
                    for option in &slot.option_order {
                        if !options[c].contains(option) {
                            options[c].push(option.clone());
                        }
                    }
                }
            }
        }
        Ok(Self {
            column,
            keys,
            options,
        })
    }

    /// Per item, its key option (`None` for items that are not single-choice).
    pub fn keys(&self) -> &[Option<OptionId>] {
        &self.keys
    }

    /// Per item, every option the forms deliver, in order of first delivery
    /// (empty for items that are not single-choice).
    pub fn options(&self) -> &[Vec<OptionId>] {
        &self.options
    }

    /// Per item, the option `submission` chose on it (`None` for items not
    /// answered with one option, and for items that are not single-choice).
    pub fn chosen<'a>(&self, submission: &'a Submission) -> Vec<Option<&'a OptionId>> {
        let mut row = vec![None; self.keys.len()];
        for answer in &submission.answers {
            let Some(&c) = self.column.get(&answer.item) else {
                continue;
            };
            if let (Some(_), Answer::Selected(selected)) = (&self.keys[c], &answer.answer) {
                if let [one] = selected.as_slice() {
                    row[c] = Some(one);
                }
            }
        }
        row
    }
}
