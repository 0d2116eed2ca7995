//! Stable codes and fault sides of exam-scoring's errors, for an HTTP
//! layer (see `exam_core::error`): a bad submission is the caller's fault,
//! a key or rule set that does not compile is the server's.

use crate::keyed::{AnswerProblem, KeyError, ScoringError};
use exam_core::error::{ApiError, Fault};

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
mod tests {
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
