//! Scored submissions as a response matrix, for item statistics and IRT
//! calibration (pretest items included: that is what they are delivered
//! for).
//!
//! Items are the union of the forms' items, in form order; persons are the
//! candidates in input order. How credit becomes a cell is the
//! [`CreditReading`]: by default a cell is `1` when the item earned full
//! credit and `0` otherwise (the dichotomous reading); with
//! [`CreditReading::ScorePoints`] an item whose rule gives partial credit
//! in `m` equal steps ([`crate::keyed::CompiledFormKey::score_points`]) scores
//! its category `credit × m` in `0..=m` (the reading the partial credit
//! models of exam-stats take), the others `1`/`0` as before; omitted items
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

/// How an item's credit becomes a cell of the matrix (see the module
/// docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CreditReading {
    /// `1` for full credit, `0` otherwise.
    #[default]
    FullCredit,
    /// The score category `credit × m` of an item scored in `m` equal
    /// steps; full credit or not for the other items.
    ScorePoints,
}

/// The rows of the scored response matrix, one scored submission at a
/// time (see the module docs): the cells of each row are computed and
/// handed back, nothing is kept, so rows can be streamed to a file.
#[derive(Debug)]
pub struct ScoredRows {
    items: Vec<ItemId>,
    slot_columns: HashMap<FormId, Vec<usize>>,
    /// The score points of each column (1: full credit or not).
    points: Vec<u32>,
    cells: Vec<Cell>,
}

impl ScoredRows {
    /// The rows over the items of the scorer's forms (their union, in form
    /// order), read [`CreditReading::FullCredit`].
    pub fn new(scorer: &Scorer) -> Self {
        Self::with_reading(scorer, CreditReading::FullCredit)
    }

    /// The rows over the items of the scorer's forms, their credit read as
    /// `reading` says.
    pub fn with_reading(scorer: &Scorer, reading: CreditReading) -> Self {
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
        let points = items
            .iter()
            .map(|item| match reading {
                CreditReading::FullCredit => 1,
                CreditReading::ScorePoints => scorer
                    .forms()
                    .find_map(|f| f.score_points(item))
                    .unwrap_or(1),
            })
            .collect();
        Self {
            items,
            slot_columns,
            points,
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
            let m = self.points[c];
            // Credit is a multiple of 1/m (1 for full credit alone), so the
            // rounding only removes the floating-point error of the division.
            let category = if m == 1 {
                u8::from(o.credit >= 1.0 - 1e-12)
            } else {
                (o.credit * f64::from(m)).round() as u8
            };
            self.cells[c] = match o.status {
                _ if category > 0 => Cell::Score(category),
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
    /// No persons yet; the items are those of the scorer's forms, read
    /// [`CreditReading::FullCredit`].
    pub fn new(scorer: &Scorer) -> Result<Self, MatrixError> {
        Self::with_reading(scorer, CreditReading::FullCredit)
    }

    /// No persons yet; the items are those of the scorer's forms, their
    /// credit read as `reading` says.
    pub fn with_reading(scorer: &Scorer, reading: CreditReading) -> Result<Self, MatrixError> {
        let rows = ScoredRows::with_reading(scorer, reading);
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
