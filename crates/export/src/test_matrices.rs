//! Scored response matrices for the round-trip tests of the scored formats
//! (CSV and Parquet): random cells, and the check that a matrix read back
//! holds the written one's scores.

use exam_core::ids::{ItemId, PersonId};
use exam_core::responses::{Cell, ResponseMatrix, ResponseMatrixBuilder};
use proptest::prelude::*;

/// A score of 0 to 4, an omission or an item not presented.
pub(crate) fn cell() -> impl Strategy<Value = Cell> {
    prop_oneof![
        (0u8..=4).prop_map(Cell::Score),
        Just(Cell::Omitted),
        Just(Cell::NotPresented),
    ]
}

/// Up to 12 rows of 1 to 4 cells each, all of one length.
pub(crate) fn rows() -> impl Strategy<Value = Vec<Vec<Cell>>> {
    (1usize..5).prop_flat_map(|items| {
        proptest::collection::vec(proptest::collection::vec(cell(), items), 0..12)
    })
}

/// The matrix of `rows` over `items` items `I0`, `I1`, ..., persons `P0`,
/// `P1`, ....
pub(crate) fn matrix(rows: &[Vec<Cell>], items: usize) -> ResponseMatrix {
    let ids = (0..items).map(|i| ItemId::new(format!("I{i}"))).collect();
    let mut b = ResponseMatrixBuilder::new(ids).unwrap();
    for (p, row) in rows.iter().enumerate() {
        b.push(PersonId::new(format!("P{p}")), row).unwrap();
    }
    b.build()
}

/// `back` has the items, persons and cells of `written`, an omission read
/// back as a score of 0 (what the scored formats store).
pub(crate) fn same_scores(
    back: &ResponseMatrix,
    written: &ResponseMatrix,
) -> Result<(), TestCaseError> {
    prop_assert_eq!(back.items(), written.items());
    prop_assert_eq!(back.persons(), written.persons());
    for p in 0..written.n_persons() {
        for i in 0..written.items().len() {
            let want = match written.cell(p, i) {
                Cell::Omitted => Cell::Score(0),
                other => other,
            };
            prop_assert_eq!(back.cell(p, i), want);
        }
    }
    Ok(())
}
