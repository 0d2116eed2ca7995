//! Scored response matrices: persons x items, keyed by item id.
//!
//! A cell is a score (`0`, `1`, or a partial-credit score), an omission
//! (presented but not answered: scored 0, but kept distinct), or "not
//! presented" (the item was not on the person's form: excluded from every
//! statistic). Data from many forms over one bank is sparse; it is stored as
//! [`Block`]s, one per pattern of presented items (in practice one per form),
//! each a dense row-major byte matrix. A complete single-form data set is a
//! single block, so the hot kernels of item analysis and calibration run over
//! contiguous bytes.
//!
//! Persons and items keep their input order; block rows refer back to it.
//!
//! The scored CSV of the CLI contract (DESIGN.md) is read by
//! [`ResponseMatrix::from_csv`]: a header row, the person id in the first
//! column (unless [`CsvOptions::id_column`] is false, when persons are
//! numbered by row from 1), one column per item, cells an integer score,
//! empty (or `NA`) for not presented.

use crate::ids::{ItemId, PersonId};
use hashbrown::DefaultHashBuilder;
use hashbrown::hash_table::{Entry, HashTable};
use std::collections::HashMap;
use std::hash::BuildHasher;

mod csv_reader;

/// One cell of a response matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cell {
    /// The score the person earned on the item.
    Score(u8),
    /// Presented but not answered (omitted or not reached): scores 0.
    Omitted,
    /// Not on the person's form: excluded.
    NotPresented,
}

/// The highest score a cell may hold.
pub const MAX_CELL_SCORE: u8 = 250;

/// The byte code of an omitted cell in the builder's row encoding.
const OMITTED_CODE: u8 = 254;

/// The byte code of a not-presented cell in the builder's row encoding.
const ABSENT_CODE: u8 = 255;

/// Errors building or reading a response matrix.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ResponsesError {
    /// The file could not be read or is not valid CSV.
    #[error("{source_name}: {message}")]
    Csv {
        /// The file (or other source) read.
        source_name: String,
        /// What the CSV reader reported.
        message: String,
    },
    /// The header row is missing or has no item columns.
    #[error("{source_name}: the header row names no item columns")]
    NoItems {
        /// The file read.
        source_name: String,
    },
    /// Two columns carry the same item id.
    #[error("{source_name}: item `{item}` appears in more than one column")]
    DuplicateItem {
        /// The file read.
        source_name: String,
        /// The repeated item id.
        item: ItemId,
    },
    /// Two rows carry the same person id.
    #[error(
        "{source_name}, line {line}: person `{person}` appears more than once (first on line {first_line})"
    )]
    DuplicatePerson {
        /// The file read.
        source_name: String,
        /// 1-based line number of the repeat.
        line: u64,
        /// 1-based line number of the first occurrence.
        first_line: u64,
        /// The repeated id.
        person: PersonId,
    },
    /// The builder was given the same person twice.
    #[error("person `{person}` given twice: rows {first} and {second}")]
    RepeatedPerson {
        /// The repeated id.
        person: PersonId,
        /// 1-based row of the first occurrence (in the order given).
        first: usize,
        /// 1-based row of the repeat.
        second: usize,
    },
    /// An id (person id, or an item id in the header) is not valid UTF-8.
    #[error("{source_name}, line {line}, column {column}: the id is not valid UTF-8")]
    NotUtf8 {
        /// The file read.
        source_name: String,
        /// 1-based line number.
        line: u64,
        /// 1-based column.
        column: usize,
    },
    /// An item column has an empty header.
    #[error("{source_name}, line 1, column {column}: empty item id in the header")]
    EmptyItemId {
        /// The file read.
        source_name: String,
        /// 1-based column.
        column: usize,
    },
    /// A row has an empty person id.
    #[error("{source_name}, line {line}: empty person id")]
    EmptyPersonId {
        /// The file read.
        source_name: String,
        /// 1-based line number.
        line: u64,
    },
    /// A row has a different number of fields than the header.
    #[error("{source_name}, line {line}: {found} fields, the header has {expected}")]
    RowLength {
        /// The file read.
        source_name: String,
        /// 1-based line number.
        line: u64,
        /// Fields in the header.
        expected: usize,
        /// Fields in this row.
        found: usize,
    },
    /// A cell is not a score.
    #[error(
        "{source_name}, line {line}, item `{item}`: `{value}` is not a score (an integer 0..={max}, or empty for not presented)",
        max = MAX_CELL_SCORE
    )]
    BadCell {
        /// The file read.
        source_name: String,
        /// 1-based line number.
        line: u64,
        /// The item whose column holds the cell.
        item: ItemId,
        /// The offending text.
        value: String,
    },
    /// A person row passed to the builder has the wrong number of cells.
    #[error("person `{person}`: {found} cells for {expected} items")]
    CellCount {
        /// The person.
        person: PersonId,
        /// Items in the matrix.
        expected: usize,
        /// Cells given.
        found: usize,
    },
    /// A score above [`MAX_CELL_SCORE`] was given to the builder.
    #[error("person `{person}`, item `{item}`: score {score} exceeds {max}", max = MAX_CELL_SCORE)]
    ScoreTooLarge {
        /// The person.
        person: PersonId,
        /// The item.
        item: ItemId,
        /// The score.
        score: u8,
    },
}

/// Options for reading a scored CSV.
#[derive(Debug, Clone, Copy)]
pub struct CsvOptions {
    /// Whether the first column is the person id (`true`, the default), or
    /// every column is an item and persons are numbered by row (`--no-id`).
    pub id_column: bool,
}

impl Default for CsvOptions {
    fn default() -> Self {
        Self { id_column: true }
    }
}

/// A dense block of a response matrix: the persons who saw exactly the items
/// in [`Block::items`], with their scores row-major.
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    items: Vec<usize>,
    persons: Vec<usize>,
    scores: Vec<u8>,
    omitted: Vec<bool>,
}

impl Block {
    /// Indices (into [`ResponseMatrix::items`]) of the items presented in
    /// this block, ascending.
    pub fn items(&self) -> &[usize] {
        &self.items
    }

    /// Indices (into [`ResponseMatrix::persons`]) of the persons in this
    /// block, ascending.
    pub fn persons(&self) -> &[usize] {
        &self.persons
    }

    /// Number of persons (rows).
    pub fn n_persons(&self) -> usize {
        self.persons.len()
    }

    /// Number of items (columns).
    pub fn n_items(&self) -> usize {
        self.items.len()
    }

    /// All scores, row-major (`n_persons x n_items`); an omission scores 0.
    pub fn scores(&self) -> &[u8] {
        &self.scores
    }

    /// The scores of row `row` (a block-local row index).
    pub fn row(&self, row: usize) -> &[u8] {
        let k = self.items.len();
        &self.scores[row * k..(row + 1) * k]
    }

    /// Whether the cell at block-local `row`, `col` was omitted (presented
    /// but unanswered) rather than answered.
    pub fn is_omitted(&self, row: usize, col: usize) -> bool {
        !self.omitted.is_empty() && self.omitted[row * self.items.len() + col]
    }

    /// Whether any cell of the block was omitted.
    pub fn has_omissions(&self) -> bool {
        !self.omitted.is_empty()
    }
}

/// A scored response matrix, persons x items, stored as dense blocks.
#[derive(Debug, Clone, PartialEq)]
pub struct ResponseMatrix {
    items: Vec<ItemId>,
    persons: Vec<PersonId>,
    max_scores: Vec<u8>,
    blocks: Vec<Block>,
}

impl ResponseMatrix {
    /// Item ids, in input order.
    pub fn items(&self) -> &[ItemId] {
        &self.items
    }

    /// Person ids, in input order.
    pub fn persons(&self) -> &[PersonId] {
        &self.persons
    }

    /// The highest score observed on each item (1 for dichotomous items,
    /// 0 for an item nobody scored on or nobody saw).
    pub fn max_scores(&self) -> &[u8] {
        &self.max_scores
    }

    /// The dense blocks, in order of each block's first person.
    pub fn blocks(&self) -> &[Block] {
        &self.blocks
    }

    /// The number of total-score levels of a block: the sum of its items'
    /// highest scores, plus one (the score 0).
    pub fn score_levels(&self, block: &Block) -> u64 {
        block
            .items()
            .iter()
            .map(|&i| u64::from(self.max_scores[i]))
            .sum::<u64>()
            + 1
    }

    /// Number of persons.
    pub fn n_persons(&self) -> usize {
        self.persons.len()
    }

    /// Number of items.
    pub fn n_items(&self) -> usize {
        self.items.len()
    }

    /// The index of an item id.
    pub fn item_index(&self, id: &ItemId) -> Option<usize> {
        self.items.iter().position(|i| i == id)
    }

    /// Persons who were presented no item at all (they sit in no block).
    pub fn persons_without_items(&self) -> Vec<usize> {
        let mut seen = vec![false; self.persons.len()];
        for b in &self.blocks {
            for &p in &b.persons {
                seen[p] = true;
            }
        }
        (0..self.persons.len()).filter(|&p| !seen[p]).collect()
    }

    /// The part of this matrix given by person and item indices, each in
    /// the order given (a form's persons and its scored items, say): the
    /// same cells under the same ids. Indices out of range are skipped;
    /// an index given twice is an error (a repeated item or person).
    pub fn select(
        &self,
        persons: &[usize],
        items: &[usize],
    ) -> Result<ResponseMatrix, ResponsesError> {
        let items: Vec<usize> = items
            .iter()
            .copied()
            .filter(|&i| i < self.items.len())
            .collect();
        let ids = items.iter().map(|&i| self.items[i].clone()).collect();
        let mut builder =
            ResponseMatrixBuilder::new(ids).map_err(|item| ResponsesError::DuplicateItem {
                source_name: "a selection of items".to_owned(),
                item,
            })?;
        let places = self.places();
        let mut row = vec![Cell::NotPresented; self.n_items()];
        let mut cells = Vec::with_capacity(items.len());
        for &p in persons.iter().filter(|&&p| p < self.persons.len()) {
            self.fill_row(places[p], &mut row);
            cells.clear();
            cells.extend(items.iter().map(|&i| row[i]));
            builder.push(self.persons[p].clone(), &cells)?;
        }
        Ok(builder.build())
    }

    /// Each person's block and row there (`None` for a person without
    /// items).
    fn places(&self) -> Vec<Option<(usize, usize)>> {
        let mut at = vec![None; self.n_persons()];
        for (b, block) in self.blocks.iter().enumerate() {
            for (row, &person) in block.persons.iter().enumerate() {
                at[person] = Some((b, row));
            }
        }
        at
    }

    /// The cells of the person at `place` (see [`ResponseMatrix::places`]),
    /// one per item, into `cells`.
    fn fill_row(&self, place: Option<(usize, usize)>, cells: &mut [Cell]) {
        cells.fill(Cell::NotPresented);
        let Some((b, row)) = place else { return };
        let block = &self.blocks[b];
        for (col, (&item, &score)) in block.items.iter().zip(block.row(row)).enumerate() {
            cells[item] = if block.is_omitted(row, col) {
                Cell::Omitted
            } else {
                Cell::Score(score)
            };
        }
    }

    /// Whether every item is dichotomous (max score at most 1).
    pub fn is_dichotomous(&self) -> bool {
        self.max_scores.iter().all(|&m| m <= 1)
    }

    /// Calls `f` with each person (in order) and their row of cells, one
    /// per item: `O(persons + cells)` in all, where [`ResponseMatrix::cell`]
    /// would search the blocks for every cell. Stops at the first error.
    pub fn try_for_each_row<E>(
        &self,
        mut f: impl FnMut(usize, &[Cell]) -> Result<(), E>,
    ) -> Result<(), E> {
        let mut cells = vec![Cell::NotPresented; self.n_items()];
        for (person, place) in self.places().into_iter().enumerate() {
            self.fill_row(place, &mut cells);
            f(person, &cells)?;
        }
        Ok(())
    }

    /// The cell of `person`, `item` (global indices). Linear in the number of
    /// blocks and block width; meant for tests and reports, not kernels
    /// (whole rows: [`ResponseMatrix::try_for_each_row`]).
    pub fn cell(&self, person: usize, item: usize) -> Cell {
        for b in &self.blocks {
            if let Ok(row) = b.persons.binary_search(&person) {
                return match b.items.binary_search(&item) {
                    Ok(col) if b.is_omitted(row, col) => Cell::Omitted,
                    Ok(col) => Cell::Score(b.row(row)[col]),
                    Err(_) => Cell::NotPresented,
                };
            }
        }
        Cell::NotPresented
    }
}

/// Builds a [`ResponseMatrix`] person by person, grouping persons who saw the
/// same items into one block.
#[derive(Debug)]
pub struct ResponseMatrixBuilder {
    items: Vec<ItemId>,
    persons: Vec<PersonId>,
    /// Each person's hash and index.
    person_index: HashTable<(u64, usize)>,
    hasher: DefaultHashBuilder,
    max_scores: Vec<u8>,
    blocks: Vec<Block>,
    block_of_pattern: HashMap<Vec<usize>, usize>,
    last_block: Option<usize>,
    presented: Vec<usize>,
    codes: Vec<u8>,
}

impl ResponseMatrixBuilder {
    /// A builder for the given items. Fails with the first repeated id.
    pub fn new(items: Vec<ItemId>) -> Result<Self, ItemId> {
        let mut seen = HashMap::with_capacity(items.len());
        for item in &items {
            if seen.insert(item.clone(), ()).is_some() {
                return Err(item.clone());
            }
        }
        Ok(Self {
            max_scores: vec![0; items.len()],
            items,
            persons: Vec::new(),
            person_index: HashTable::new(),
            hasher: DefaultHashBuilder::default(),
            blocks: Vec::new(),
            block_of_pattern: HashMap::new(),
            last_block: None,
            presented: Vec::new(),
            codes: Vec::new(),
        })
    }

    /// Adds a person with one cell per item, in the builder's item order.
    pub fn push(&mut self, person: PersonId, cells: &[Cell]) -> Result<(), ResponsesError> {
        if cells.len() != self.items.len() {
            return Err(ResponsesError::CellCount {
                person,
                expected: self.items.len(),
                found: cells.len(),
            });
        }
        let mut codes = std::mem::take(&mut self.codes);
        codes.clear();
        for (i, cell) in cells.iter().enumerate() {
            codes.push(match *cell {
                Cell::Score(s) if s > MAX_CELL_SCORE => {
                    return Err(ResponsesError::ScoreTooLarge {
                        person,
                        item: self.items[i].clone(),
                        score: s,
                    });
                }
                Cell::Score(s) => s,
                Cell::Omitted => OMITTED_CODE,
                Cell::NotPresented => ABSENT_CODE,
            });
        }
        let result = self.push_codes(person, &codes);
        self.codes = codes;
        result
    }

    /// Adds a person whose cells are coded as bytes: a score `0..=250`,
    /// [`OMITTED_CODE`] or [`ABSENT_CODE`]; `codes.len()` is the item count.
    fn push_codes(&mut self, person: PersonId, codes: &[u8]) -> Result<(), ResponsesError> {
        let hash = self.hash_of(&person);
        let person_idx = self.admit(person, hash)?;
        self.place_row(person_idx, codes);
        Ok(())
    }

    /// The hash the person table files `person` under.
    fn hash_of(&self, person: &PersonId) -> u64 {
        self.hasher.hash_one(person.as_str())
    }

    /// Adds `person`, whose [`Self::hash_of`] is `hash`, as the next person
    /// without cells yet, and returns its index; fails if the id was added
    /// before. The table keeps each hash, so growing it reads no ids.
    fn admit(&mut self, person: PersonId, hash: u64) -> Result<usize, ResponsesError> {
        let person_idx = self.persons.len();
        let persons = &self.persons;
        match self.person_index.entry(
            hash,
            |&(h, i)| h == hash && persons[i] == person,
            |&(h, _)| h,
        ) {
            Entry::Occupied(first) => Err(ResponsesError::RepeatedPerson {
                person,
                first: first.get().1 + 1,
                second: person_idx + 1,
            }),
            Entry::Vacant(slot) => {
                slot.insert((hash, person_idx));
                self.persons.push(person);
                Ok(person_idx)
            }
        }
    }

    /// Room for `additional` more persons in the person table.
    fn reserve_persons(&mut self, additional: usize) {
        self.persons.reserve(additional);
        self.person_index.reserve(additional, |&(h, _)| h);
    }

    /// Files the coded cells (see [`Self::push_codes`]) of the person just
    /// admitted as `person_idx` into the block of its presented items.
    fn place_row(&mut self, person_idx: usize, codes: &[u8]) {
        debug_assert_eq!(codes.len(), self.items.len());
        let complete = codes.iter().all(|&c| c <= MAX_CELL_SCORE);
        let block_idx = if complete {
            self.complete_block()
        } else {
            self.presented.clear();
            self.presented.extend(
                codes
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| **c != ABSENT_CODE)
                    .map(|(i, _)| i),
            );
            if self.presented.is_empty() {
                return;
            }
            match self.last_block {
                Some(b) if self.blocks[b].items == self.presented => b,
                _ => self.block_for_presented(),
            }
        };
        self.last_block = Some(block_idx);
        let block = &mut self.blocks[block_idx];
        let width = block.items.len();
        let row = block.persons.len();
        block.persons.push(person_idx);
        if complete {
            block.scores.extend_from_slice(codes);
            for (max, &code) in self.max_scores.iter_mut().zip(codes) {
                *max = (*max).max(code);
            }
            if !block.omitted.is_empty() {
                block.omitted.resize((row + 1) * width, false);
            }
            return;
        }
        let track_omissions =
            !block.omitted.is_empty() || block.items.iter().any(|&i| codes[i] == OMITTED_CODE);
        if track_omissions {
            block.omitted.resize(row * width, false);
        }
        for &item in &block.items {
            let omitted = codes[item] == OMITTED_CODE;
            let score = if omitted { 0 } else { codes[item] };
            block.scores.push(score);
            self.max_scores[item] = self.max_scores[item].max(score);
            if track_omissions {
                block.omitted.push(omitted);
            }
        }
    }

    /// Files the rows of `codes` (row-major, every cell a score: see
    /// [`Self::push_codes`]) as the cells of the persons admitted last,
    /// one row each, in order; `max` is the largest score of each column.
    fn place_complete_rows(&mut self, codes: &[u8], max: &[u8]) {
        let k = self.items.len();
        let rows = codes.len() / k;
        if rows == 0 {
            return;
        }
        let block_idx = self.complete_block();
        self.last_block = Some(block_idx);
        let block = &mut self.blocks[block_idx];
        let first = self.persons.len() - rows;
        block.persons.extend(first..self.persons.len());
        block.scores.extend_from_slice(codes);
        if !block.omitted.is_empty() {
            block.omitted.resize(block.scores.len(), false);
        }
        for (m, &c) in self.max_scores.iter_mut().zip(max) {
            *m = (*m).max(c);
        }
    }

    /// The block of the rows that present every item.
    fn complete_block(&mut self) -> usize {
        match self.last_block {
            Some(b) if self.blocks[b].items.len() == self.items.len() => b,
            _ => {
                self.presented.clear();
                self.presented.extend(0..self.items.len());
                self.block_for_presented()
            }
        }
    }

    /// The block for the pattern in `self.presented`, created if new.
    fn block_for_presented(&mut self) -> usize {
        if let Some(&b) = self.block_of_pattern.get(&self.presented) {
            return b;
        }
        self.blocks.push(Block {
            items: self.presented.clone(),
            persons: Vec::new(),
            scores: Vec::new(),
            omitted: Vec::new(),
        });
        let b = self.blocks.len() - 1;
        self.block_of_pattern.insert(self.presented.clone(), b);
        b
    }

    /// The finished matrix.
    pub fn build(self) -> ResponseMatrix {
        ResponseMatrix {
            items: self.items,
            persons: self.persons,
            max_scores: self.max_scores,
            blocks: self.blocks,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str, id_column: bool) -> Result<ResponseMatrix, ResponsesError> {
        ResponseMatrix::from_csv(text.as_bytes(), "test.csv", CsvOptions { id_column })
    }

    #[test]
    fn select_keeps_the_chosen_cells_under_their_ids() {
        let m = read("id,A,B,C\nP1,1,,0\nP2,0,1,1\nP3,,1,\n", true).unwrap();
        let part = m.select(&[2, 0], &[2, 0]).unwrap();
        let ids: Vec<&str> = part.items().iter().map(|i| i.as_str()).collect();
        assert_eq!(ids, ["C", "A"]);
        let persons: Vec<&str> = part.persons().iter().map(|p| p.as_str()).collect();
        assert_eq!(persons, ["P3", "P1"]);
        assert_eq!(part.cell(0, 0), Cell::NotPresented);
        assert_eq!(part.cell(1, 0), Cell::Score(0));
        assert_eq!(part.cell(1, 1), Cell::Score(1));
        assert!(matches!(
            m.select(&[0], &[1, 1]),
            Err(ResponsesError::DuplicateItem { .. })
        ));
        assert!(matches!(
            m.select(&[0, 0], &[1]),
            Err(ResponsesError::RepeatedPerson { .. })
        ));
    }

    #[test]
    fn rows_walked_whole_are_the_cells_one_by_one() {
        use Cell::{NotPresented as N, Omitted as O, Score as S};
        let rows = [
            [S(1), N, S(0), O],
            [N, S(2), S(1), N],
            [N, N, N, N],
            [O, N, S(1), S(0)],
            [S(0), S(1), N, S(1)],
        ];
        let mut builder =
            ResponseMatrixBuilder::new(["A", "B", "C", "D"].map(ItemId::from).to_vec()).unwrap();
        for (p, row) in rows.iter().enumerate() {
            builder.push(PersonId::new(format!("p{p}")), row).unwrap();
        }
        let m = builder.build();
        assert!(m.blocks().len() > 2);
        let mut walked = Vec::new();
        m.try_for_each_row(|p, cells| {
            walked.push((p, cells.to_vec()));
            Ok::<_, ()>(())
        })
        .unwrap();
        let by_cell: Vec<(usize, Vec<Cell>)> = (0..rows.len())
            .map(|p| (p, (0..4).map(|i| m.cell(p, i)).collect()))
            .collect();
        assert_eq!(walked, by_cell);
        assert_eq!(walked[3].1, rows[3]);
        // The first error stops the walk.
        let mut seen = 0;
        assert_eq!(
            m.try_for_each_row(|p, _| {
                seen += 1;
                if p == 1 { Err(p) } else { Ok(()) }
            }),
            Err(1)
        );
        assert_eq!(seen, 2);
    }

    #[test]
    fn complete_data_is_one_block_in_input_order() {
        let m = read("id,A,B,C\np1,1,0,1\np2,0,0,1\np3,1,1,0\n", true).unwrap();
        assert_eq!(m.blocks().len(), 1);
        assert_eq!(m.blocks()[0].scores(), &[1, 0, 1, 0, 0, 1, 1, 1, 0]);
        assert_eq!(m.persons()[2].as_str(), "p3");
        assert!(m.is_dichotomous());
    }

    #[test]
    fn not_presented_cells_split_blocks_by_pattern() {
        let m = read("id,A,B,C\np1,1,,1\np2,0,1,\np3,1,,0\np4,,,\n", true).unwrap();
        assert_eq!(m.blocks().len(), 2);
        assert_eq!(m.blocks()[0].items(), &[0, 2]);
        assert_eq!(m.blocks()[0].persons(), &[0, 2]);
        assert_eq!(m.cell(1, 2), Cell::NotPresented);
        assert_eq!(m.cell(1, 1), Cell::Score(1));
        assert_eq!(m.persons_without_items(), vec![3]);
    }

    #[test]
    fn no_id_numbers_persons_by_row() {
        let m = read("A,B\n1,0\n2,1\n", false).unwrap();
        assert_eq!(m.persons()[1].as_str(), "2");
        assert_eq!(m.max_scores(), &[2, 1]);
    }

    #[test]
    fn bad_cells_name_line_and_item() {
        let err = read("id,A,B\np1,1,0\np2,1,x\n", true).unwrap_err();
        assert_eq!(
            err.to_string(),
            "test.csv, line 3, item `B`: `x` is not a score (an integer 0..=250, or empty for not presented)"
        );
        let err = read("id,A,B\np1,1\n", true).unwrap_err();
        assert!(matches!(err, ResponsesError::RowLength { line: 2, .. }));
        let err = read("id,A,A\n", true).unwrap_err();
        assert!(matches!(err, ResponsesError::DuplicateItem { .. }));
        let err = read("id,A\np1,1\np1,0\n", true).unwrap_err();
        assert!(matches!(
            err,
            ResponsesError::DuplicatePerson {
                line: 3,
                first_line: 2,
                ..
            }
        ));
        // A byte order mark is not part of the first column's name.
        let bom = read("\u{feff}A,B\n1,0\n", false).unwrap();
        assert_eq!(bom.items()[0].as_str(), "A");
        assert!(matches!(
            read("id,A,,B\np1,1,0,1\n", true).unwrap_err(),
            ResponsesError::EmptyItemId { column: 3, .. }
        ));
        assert!(matches!(
            read("id,A\np1,1\n ,0\n", true).unwrap_err(),
            ResponsesError::EmptyPersonId { line: 3, .. }
        ));
        let bytes: &[u8] = b"id,A\np\xff1,1\n";
        assert!(matches!(
            ResponseMatrix::from_csv(bytes, "test.csv", CsvOptions { id_column: true })
                .unwrap_err(),
            ResponsesError::NotUtf8 {
                line: 2,
                column: 1,
                ..
            }
        ));
        assert!(read("id\n", true).is_err());
        assert!(read("id,A\np1,-1\n", true).is_err());
        assert!(read("id,A\np1,0.5\n", true).is_err());
    }

    #[test]
    fn omissions_score_zero_and_stay_distinct() {
        let mut b = ResponseMatrixBuilder::new(vec!["A".into(), "B".into()]).unwrap();
        b.push("p1".into(), &[Cell::Score(1), Cell::Score(1)])
            .unwrap();
        b.push("p2".into(), &[Cell::Omitted, Cell::Score(1)])
            .unwrap();
        b.push("p3".into(), &[Cell::Score(0), Cell::Omitted])
            .unwrap();
        let m = b.build();
        let block = &m.blocks()[0];
        assert_eq!(block.scores(), &[1, 1, 0, 1, 0, 0]);
        assert!(block.is_omitted(1, 0) && block.is_omitted(2, 1));
        assert!(!block.is_omitted(0, 0) && !block.is_omitted(2, 0));
        assert_eq!(m.cell(1, 0), Cell::Omitted);
    }

    #[test]
    fn an_omission_in_the_very_first_cell_is_kept() {
        let mut b = ResponseMatrixBuilder::new(vec!["A".into(), "B".into()]).unwrap();
        b.push("p1".into(), &[Cell::Omitted, Cell::Score(1)])
            .unwrap();
        b.push("p2".into(), &[Cell::Score(1), Cell::Score(0)])
            .unwrap();
        let m = b.build();
        assert_eq!(m.cell(0, 0), Cell::Omitted);
        assert_eq!(m.cell(1, 0), Cell::Score(1));
        assert!(m.blocks()[0].has_omissions());
    }
}
