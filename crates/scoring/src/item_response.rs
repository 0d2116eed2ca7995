//! One person's responses to a set of dichotomous items, as the ability
//! estimators read them.

use exam_core::responses::Cell;
use serde::{Deserialize, Serialize};

/// A scored response to one dichotomous item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Response {
    /// Scored 0 (a wrong answer, or an omission, which scores 0).
    Incorrect,
    /// Scored 1.
    Correct,
    /// The item was not presented: it does not enter the likelihood.
    NotPresented,
}

impl From<bool> for Response {
    fn from(correct: bool) -> Self {
        if correct {
            Response::Correct
        } else {
            Response::Incorrect
        }
    }
}

impl Response {
    /// The response a cell of a scored response matrix stands for: scores 0
    /// and 1 and omissions (scored 0); `None` for a partial-credit score
    /// above 1, which a dichotomous model cannot read.
    pub fn from_cell(cell: Cell) -> Option<Self> {
        match cell {
            Cell::Score(0) | Cell::Omitted => Some(Response::Incorrect),
            Cell::Score(1) => Some(Response::Correct),
            Cell::Score(_) => None,
            Cell::NotPresented => Some(Response::NotPresented),
        }
    }
}
