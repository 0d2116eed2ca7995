//! Submissions: what a candidate answered on a form.
//!
//! A [`Submission`] names the candidate and the form, and lists per item the
//! [`Answer`] the candidate gave: the selected option ids (one for a
//! single-choice item, several for a multiple-response item), an order of
//! option ids (ordering item), prompt → option pairs (matching item), or that
//! the item was omitted (seen and left blank) or not reached (the candidate
//! never got to it). Answers refer to options by id, never by delivered
//! position, so the form's option shuffling needs no undoing on the way in.
//!
//! Items of the form that a submission does not list are **not reached**:
//! a delivery client that stops sending answers when time runs out records
//! exactly that. Everything a submission does list is checked against the
//! form when it is scored (exam-scoring): an item not on the form, an option
//! not on the item, an answer of the wrong shape or two answers to one item
//! is an error naming the candidate and the item, never dropped.
//!
//! The JSON shape:
//!
//! ```
//! use exam_core::submission::{Answer, Submission};
//!
//! let json = r#"{
//!   "candidate": "C-0001",
//!   "form": "die-2026-f1",
//!   "answers": [
//!     {"item": "COM-001", "answer": {"selected": ["B"]}, "seconds": 41},
//!     {"item": "COM-007", "answer": {"selected": ["A", "D"]}},
//!     {"item": "TRB-003", "answer": {"ordered": ["C", "A", "B", "D"]}},
//!     {"item": "PRJ-010", "answer": {"matched": [{"prompt": "P1", "option": "O2"}]}},
//!     {"item": "COM-002", "answer": "omitted"}
//!   ]
//! }"#;
//! let submission: Submission = serde_json::from_str(json)?;
//! assert_eq!(submission.answers.len(), 5);
//! assert_eq!(submission.answers[4].answer, Answer::Omitted);
//! # Ok::<(), serde_json::Error>(())
//! ```

use crate::ids::{CandidateId, FormId, ItemId, OptionId};
use crate::item::MatchPair;
use serde::{Deserialize, Serialize};

/// The candidate's answer to one item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    /// The selected options: exactly one for a single-choice item, one or
    /// more for a multiple-response item.
    Selected(Vec<OptionId>),
    /// The options in the order the candidate put them (ordering item).
    Ordered(Vec<OptionId>),
    /// The prompt → option pairs the candidate made (matching item); prompts
    /// left unmatched are simply absent.
    Matched(Vec<MatchPair>),
    /// The item was presented and left without an answer.
    Omitted,
    /// The candidate never reached the item (time ran out before it).
    NotReached,
}

impl Answer {
    /// Whether the candidate gave an answer (not omitted, not reached).
    pub fn is_answered(&self) -> bool {
        !matches!(self, Answer::Omitted | Answer::NotReached)
    }
}

/// One item's entry in a submission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemAnswer {
    /// The item answered.
    pub item: ItemId,
    /// What the candidate answered.
    pub answer: Answer,
    /// Time the candidate spent on the item, in whole seconds, where the
    /// delivery system records it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seconds: Option<u32>,
}

impl ItemAnswer {
    /// An entry without a recorded time.
    pub fn new(item: impl Into<ItemId>, answer: Answer) -> Self {
        Self {
            item: item.into(),
            answer,
            seconds: None,
        }
    }
}

/// What one candidate answered on one form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Submission {
    /// The candidate.
    pub candidate: CandidateId,
    /// The form the candidate sat.
    pub form: FormId,
    /// The answers, one entry per item at most (in any order); items of the
    /// form without an entry were not reached.
    pub answers: Vec<ItemAnswer>,
}

impl Submission {
    /// A submission with no answers yet.
    pub fn new(candidate: impl Into<CandidateId>, form: impl Into<FormId>) -> Self {
        Self {
            candidate: candidate.into(),
            form: form.into(),
            answers: Vec::new(),
        }
    }

    /// Adds an answer (builder style).
    pub fn with(mut self, item: impl Into<ItemId>, answer: Answer) -> Self {
        self.answers.push(ItemAnswer::new(item, answer));
        self
    }

    /// The entry for an item, where the submission has one (the first, if
    /// it has several: scoring rejects those).
    pub fn answer(&self, item: &ItemId) -> Option<&ItemAnswer> {
        self.answers.iter().find(|a| &a.item == item)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn json_shape_is_stable() {
        let s = Submission::new("C1", "F1")
            .with("I1", Answer::Selected(vec!["A".into()]))
            .with("I2", Answer::NotReached);
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(
            json,
            r#"{"candidate":"C1","form":"F1","answers":[{"item":"I1","answer":{"selected":["A"]}},{"item":"I2","answer":"not_reached"}]}"#
        );
    }

    #[test]
    fn unknown_fields_are_rejected() {
        let err = serde_json::from_str::<Submission>(
            r#"{"candidate":"C1","form":"F1","answers":[],"score":60}"#,
        );
        assert!(err.is_err());
    }

    fn answer() -> impl Strategy<Value = Answer> {
        let ids = prop::collection::vec("[A-F]", 0..4)
            .prop_map(|v| v.into_iter().map(OptionId::from).collect::<Vec<_>>());
        prop_oneof![
            ids.clone().prop_map(Answer::Selected),
            ids.clone().prop_map(Answer::Ordered),
            prop::collection::vec(("P[1-4]", "O[1-4]"), 0..4).prop_map(|v| Answer::Matched(
                v.into_iter()
                    .map(|(p, o)| MatchPair {
                        prompt: p.into(),
                        option: o.into()
                    })
                    .collect()
            )),
            Just(Answer::Omitted),
            Just(Answer::NotReached),
        ]
    }

    proptest! {
        #[test]
        fn submissions_round_trip_through_json(
            answers in prop::collection::vec((answer(), prop::option::of(0u32..600)), 0..8)
        ) {
            let mut s = Submission::new("C-1", "F-1");
            for (i, (a, secs)) in answers.into_iter().enumerate() {
                s.answers.push(ItemAnswer { item: format!("I{i}").into(), answer: a, seconds: secs });
            }
            let back: Submission = serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
            prop_assert_eq!(back, s);
        }
    }
}
