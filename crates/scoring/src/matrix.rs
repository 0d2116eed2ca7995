//! Scored submissions as a response matrix, for item statistics and IRT
//! calibration (pretest items included: that is what they are delivered
//! for).
//!
//! Items are the union of the forms' items, in form order; persons are the
//! candidates in input order. A cell is `1` when the item earned full
//! credit and `0` otherwise (the dichotomous reading the CTT and IRT models
//! of exam-stats take; partial credit is not carried over); omitted items
//! are [`Cell::Omitted`] (scored 0); items not on the candidate's form, and
//! items the candidate did not reach, are [`Cell::NotPresented`] (excluded,
//! the usual treatment of not-reached items in calibration: Lord 1980,
//! *Applications of IRT*, ch. 15.11). Adjustments are applied: an item
//! credited to everyone is 1 for every candidate it was presented to.

use crate::keyed::{ResponseStatus, ScoredSubmission, Scorer, ScoringError};
use exam_core::ids::{ItemId, PersonId};
use exam_core::responses::{Cell, ResponseMatrix, ResponseMatrixBuilder, ResponsesError};
use std::collections::{HashMap, HashSet};

/// Why a matrix could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MatrixError {
    /// A scored submission is for a form the scorer does not know.
    #[error(transparent)]
    Scoring(#[from] ScoringError),
    /// The matrix rejected a row (e.g. a candidate twice).
    #[error(transparent)]
    Responses(#[from] ResponsesError),
}

/// The scored response matrix of scored submissions (see the module docs).
pub fn scored_matrix(
    scorer: &Scorer,
    scored: &[ScoredSubmission],
) -> Result<ResponseMatrix, MatrixError> {
    let mut items: Vec<ItemId> = Vec::new();
    let mut seen = HashSet::new();
    for form in scorer.forms() {
        for item in form.items() {
            if seen.insert(item.clone()) {
                items.push(item.clone());
            }
        }
    }
    let column: HashMap<&ItemId, usize> = items.iter().enumerate().map(|(i, id)| (id, i)).collect();
    // Column of each slot, per form.
    let slot_columns: HashMap<_, Vec<usize>> = scorer
        .forms()
        .map(|f| (f.form().clone(), f.items().map(|i| column[i]).collect()))
        .collect();
    // The items are distinct by construction; the builder checks anyway.
    let mut builder = ResponseMatrixBuilder::new(items.clone()).map_err(|item| {
        ResponsesError::DuplicateItem {
            source_name: "forms".to_owned(),
            item,
        }
    })?;
    let mut cells = vec![Cell::NotPresented; items.len()];
    for s in scored {
        let Some(columns) = slot_columns.get(&s.form) else {
            return Err(ScoringError::UnknownForm {
                candidate: s.candidate.clone(),
                form: s.form.clone(),
            }
            .into());
        };
        cells.fill(Cell::NotPresented);
        for (&c, o) in columns.iter().zip(&s.outcomes) {
            let full = o.credit >= 1.0 - 1e-12;
            cells[c] = match o.status {
                _ if full => Cell::Score(1),
                ResponseStatus::Answered => Cell::Score(0),
                ResponseStatus::Omitted => Cell::Omitted,
                ResponseStatus::NotReached => Cell::NotPresented,
            };
        }
        builder.push(PersonId::new(s.candidate.as_str()), &cells)?;
    }
    Ok(builder.build())
}
