//! Why a form and its key could not be compiled ([`KeyError`]) and why a
//! submission could not be scored ([`ScoringError`], [`AnswerProblem`]):
//! each names the form, candidate, item and option involved. Each also has
//! a stable code and a fault side for an HTTP layer (see
//! `exam_core::error`): a bad submission is the caller's fault, a key or
//! rule set that does not compile is the server's.

use crate::key::MAX_OPTIONS;
use crate::rules::RulesError;
use exam_core::error::{ApiError, Fault};
use exam_core::ids::{CandidateId, FormId, ItemId, OptionId};
use exam_core::item::ItemKind;
use serde::Serialize;

/// Why a form and its key could not be compiled into a scorer.
#[derive(Debug, Clone, PartialEq, thiserror::Error, serde::Serialize)]
#[serde(tag = "code", content = "detail", rename_all = "snake_case")]
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
    /// The same form was given twice to a [`crate::keyed::Scorer`].
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
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize)]
#[serde(tag = "code", content = "detail", rename_all = "snake_case")]
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
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize)]
#[serde(tag = "code", content = "detail", rename_all = "snake_case")]
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

impl ApiError for ScoringError {
    fn code(&self) -> &'static str {
        match self {
            Self::UnknownForm { .. } => "unknown_form",
            Self::FormMismatch { .. } => "form_mismatch",
            Self::ItemNotOnForm { .. } => "item_not_on_form",
            Self::DuplicateAnswer { .. } => "duplicate_answer",
            Self::InvalidAnswer { .. } => "invalid_answer",
        }
    }

    /// The caller: every variant is about what was submitted.
    fn fault(&self) -> Fault {
        Fault::Caller
    }
}

impl ApiError for AnswerProblem {
    fn code(&self) -> &'static str {
        match self {
            Self::UnknownOption(_) => "unknown_option",
            Self::UnknownPrompt(_) => "unknown_prompt",
            Self::RepeatedOption(_) => "repeated_option",
            Self::RepeatedPrompt(_) => "repeated_prompt",
            Self::SeveralSelected(_) => "several_selected",
            Self::Empty => "empty",
            Self::IncompleteOrder { .. } => "incomplete_order",
            Self::WrongKind { .. } => "wrong_kind",
        }
    }

    /// The caller: it is one submitted answer.
    fn fault(&self) -> Fault {
        Fault::Caller
    }
}

impl ApiError for KeyError {
    fn code(&self) -> &'static str {
        match self {
            Self::WrongForm { .. } => "wrong_form",
            Self::Length { .. } => "length",
            Self::Slot { .. } => "slot",
            Self::Role { .. } => "role",
            Self::DuplicateItem { .. } => "duplicate_item",
            Self::KeyDoesNotFit { .. } => "key_does_not_fit",
            Self::TooManyOptions { .. } => "too_many_options",
            Self::Weight { .. } => "weight",
            Self::Rules(_) => "rules",
            Self::DuplicateForm(_) => "duplicate_form",
            Self::AdjustedItemNotOnAnyForm(_) => "adjusted_item_not_on_any_form",
        }
    }

    /// The server: forms, keys and rules are the server's.
    fn fault(&self) -> Fault {
        Fault::Server
    }
}

#[cfg(test)]
mod api_error_tests {
    use super::*;
    use exam_core::item::ItemKind;

    /// `code()` is the `"code"` of the serde form, for every variant built
    /// here.
    #[test]
    fn codes_are_the_serialized_variant_names() {
        let problems = [
            AnswerProblem::UnknownOption("Z".into()),
            AnswerProblem::Empty,
            AnswerProblem::WrongKind {
                kind: ItemKind::Ordering,
                given: "selected",
            },
        ];
        for p in &problems {
            let json = serde_json::to_value(p).unwrap();
            assert_eq!(json["code"], p.code());
            assert_eq!(p.fault(), Fault::Caller);
        }
        let errors = [
            ScoringError::UnknownForm {
                candidate: "C".into(),
                form: "F".into(),
            },
            ScoringError::InvalidAnswer {
                candidate: "C".into(),
                item: "I".into(),
                problem: AnswerProblem::Empty,
            },
        ];
        for e in &errors {
            assert_eq!(serde_json::to_value(e).unwrap()["code"], e.code());
        }
        let key = KeyError::DuplicateForm("F".into());
        assert_eq!(serde_json::to_value(&key).unwrap()["code"], key.code());
        assert_eq!(key.fault(), Fault::Server);
    }
}
