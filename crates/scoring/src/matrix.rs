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
use exam_core::ids::{FormId, ItemId, PersonId};
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
    let mut builder = ScoredMatrixBuilder::new(scorer)?;
    for s in scored {
        builder.push(s)?;
    }
    Ok(builder.build())
}

/// The rows of the scored response matrix, one scored submission at a
/// time (see the module docs): the cells of each row are computed and
/// handed back, nothing is kept, so rows can be streamed to a file.
#[derive(Debug)]
pub struct ScoredRows {
    items: Vec<ItemId>,
    slot_columns: HashMap<FormId, Vec<usize>>,
    cells: Vec<Cell>,
}

impl ScoredRows {
    /// The rows over the items of the scorer's forms (their union, in form
    /// order).
    pub fn new(scorer: &Scorer) -> Self {
        let mut items: Vec<ItemId> = Vec::new();
        let mut seen = HashSet::new();
        for form in scorer.forms() {
            for item in form.items() {
                if seen.insert(item.clone()) {
                    items.push(item.clone());
                }
            }
        }
        let column: HashMap<&ItemId, usize> =
            items.iter().enumerate().map(|(i, id)| (id, i)).collect();
        // Column of each slot, per form.
        let slot_columns: HashMap<FormId, Vec<usize>> = scorer
            .forms()
            .map(|f| (f.form().clone(), f.items().map(|i| column[i]).collect()))
            .collect();
        let cells = vec![Cell::NotPresented; items.len()];
        Self {
            items,
            slot_columns,
            cells,
        }
    }

    /// The matrix's items (columns), in order.
    pub fn items(&self) -> &[ItemId] {
        &self.items
    }

    /// The matrix column of each slot of a form, in slot order (`None` for
    /// a form the scorer does not know).
    pub fn columns_of(&self, form: &FormId) -> Option<&[usize]> {
        self.slot_columns.get(form).map(Vec::as_slice)
    }

    /// The row of a scored submission: one cell per item.
    pub fn row(&mut self, s: &ScoredSubmission) -> Result<&[Cell], ScoringError> {
        let Some(columns) = self.slot_columns.get(&s.form) else {
            return Err(ScoringError::UnknownForm {
                candidate: s.candidate.clone(),
                form: s.form.clone(),
            });
        };
        self.cells.fill(Cell::NotPresented);
        for (&c, o) in columns.iter().zip(&s.outcomes) {
            let full = o.credit >= 1.0 - 1e-12;
            self.cells[c] = match o.status {
                _ if full => Cell::Score(1),
                ResponseStatus::Answered => Cell::Score(0),
                ResponseStatus::Omitted => Cell::Omitted,
                ResponseStatus::NotReached => Cell::NotPresented,
            };
        }
        Ok(&self.cells)
    }
}

/// The scored response matrix built one scored submission at a time (see
/// the module docs), so that submissions need not be kept.
#[derive(Debug)]
pub struct ScoredMatrixBuilder {
    rows: ScoredRows,
    builder: ResponseMatrixBuilder,
}

impl ScoredMatrixBuilder {
    /// No persons yet; the items are those of the scorer's forms.
    pub fn new(scorer: &Scorer) -> Result<Self, MatrixError> {
        let rows = ScoredRows::new(scorer);
        // The items are distinct by construction; the builder checks anyway.
        let builder = ResponseMatrixBuilder::new(rows.items().to_vec()).map_err(|item| {
            ResponsesError::DuplicateItem {
                source_name: "forms".to_owned(),
                item,
            }
        })?;
        Ok(Self { rows, builder })
    }

    /// The matrix's items (columns), in order.
    pub fn items(&self) -> &[ItemId] {
        self.rows.items()
    }

    /// The matrix column of each slot of a form, in slot order (`None` for
    /// a form the scorer does not know).
    pub fn columns_of(&self, form: &FormId) -> Option<&[usize]> {
        self.rows.columns_of(form)
    }

    /// Adds the next candidate's row.
    pub fn push(&mut self, s: &ScoredSubmission) -> Result<(), MatrixError> {
        let cells = self.rows.row(s)?;
        self.builder
            .push(PersonId::new(s.candidate.as_str()), cells)?;
        Ok(())
    }

    /// The matrix of the rows pushed.
    pub fn build(self) -> ResponseMatrix {
        self.builder.build()
    }
}
