//! The scored response CSV (DESIGN.md): a header `candidate,<item ids...>`,
//! then one row per person, each cell the item score, `0` for an omitted
//! item, empty when the item was not presented. `exam score --scored-out`
//! writes it; `exam analyze`, `exam calibrate` and `exam theta` read it.
//!
//! The reader is [`ResponseMatrix::from_csv`] of exam-core (the statistics
//! crates read matrices in their own tests, and cannot depend on this
//! crate); [`read`] is that reader under this format's name.

use crate::FormatError;
use crate::csv_table::CsvWriter;
use exam_core::ids::ItemId;
use exam_core::responses::{Cell, CsvOptions, ResponseMatrix, ResponsesError};
use std::io::{Read, Write};

/// Reads a scored response CSV (with or without the id column).
pub fn read(
    input: impl Read,
    name: &str,
    options: CsvOptions,
) -> Result<ResponseMatrix, ResponsesError> {
    ResponseMatrix::from_csv(input, name, options)
}

/// Writes `matrix` as a scored response CSV with the id column `candidate`.
pub fn write(out: impl Write, matrix: &ResponseMatrix, name: &str) -> Result<(), FormatError> {
    let mut w = ScoredCsvWriter::new(out, matrix.items(), name)?;
    let persons = matrix.persons();
    matrix.try_for_each_row(|p, cells| w.row(persons[p].as_str(), cells))?;
    w.finish()?;
    Ok(())
}

/// A scored response CSV written row by row (the header first), so that a
/// matrix of any size streams through constant memory.
pub struct ScoredCsvWriter<W: Write> {
    table: CsvWriter<W>,
    name: String,
    line: Vec<u8>,
}

impl<W: Write> ScoredCsvWriter<W> {
    /// A writer that has written the header: `candidate`, then `items`.
    pub fn new(out: W, items: &[ItemId], name: &str) -> Result<Self, FormatError> {
        let header: Vec<&str> = std::iter::once("candidate")
            .chain(items.iter().map(ItemId::as_str))
            .collect();
        Ok(Self {
            table: CsvWriter::new(out, &header, name)?,
            name: name.to_owned(),
            line: Vec::new(),
        })
    }

    /// Writes a person's row: a score as its number, an omission as `0`,
    /// not presented as an empty cell.
    pub fn row(&mut self, person: &str, cells: &[Cell]) -> Result<(), FormatError> {
        self.table.field(person)?;
        for cell in cells {
            self.line.clear();
            match *cell {
                Cell::Score(s) => {
                    write!(self.line, "{s}").map_err(|e| FormatError::io(&self.name, e))?;
                }
                Cell::Omitted => self.line.push(b'0'),
                Cell::NotPresented => {}
            }
            self.table.field(&self.line)?;
        }
        self.table.end_row()
    }

    /// Flushes the rows and gives the output back.
    pub fn finish(self) -> Result<W, FormatError> {
        self.table.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_matrices::{matrix, rows, same_scores};
    use proptest::prelude::*;

    fn written(m: &ResponseMatrix) -> String {
        let mut bytes = Vec::new();
        write(&mut bytes, m, "s.csv").unwrap();
        String::from_utf8(bytes).unwrap()
    }

    #[test]
    fn omitted_is_zero_and_not_presented_is_empty() {
        let m = matrix(
            &[
                vec![Cell::Score(1), Cell::Omitted],
                vec![Cell::NotPresented, Cell::Score(2)],
            ],
            2,
        );
        assert_eq!(written(&m), "candidate,I0,I1\nP0,1,0\nP1,,2\n");
    }

    proptest! {
        #[test]
        fn written_matrices_read_back_cell_for_cell(rows in rows()) {
            let items = rows.first().map_or(1, Vec::len);
            let m = matrix(&rows, items);
            let text = written(&m);
            let back = read(text.as_bytes(), "s.csv", CsvOptions::default()).unwrap();
            same_scores(&back, &m)?;
            prop_assert_eq!(written(&back), text);
        }
    }
}
