//! Mergeable sufficient statistics of a scored response matrix.
//!
//! Every classical statistic of this crate is a function of a [`Summary`]:
//! per form (a block of persons who saw the same items), the number of
//! persons at each total score, and for each score level the sum of each
//! item's scores. From that table follow the item sums, the item-total cross
//! products, the total-score moments and the upper/lower groups; the odd/even
//! half-test moments and (for partial-credit items) the item sums of squares
//! are kept beside it. All counts are integers, so merging two summaries is
//! exact and commutative: summarising data in chunks and merging gives the
//! same summary, bit for bit, as summarising it whole.
//!
//! The kernel reads each row of a dense block once: it sums the row (and its
//! odd-numbered items) and adds the row into the item-sum row of its total
//! score. Both loops run over contiguous bytes and vectorise.

use exam_core::ids::ItemId;
use exam_core::responses::{Block, ResponseMatrix};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// Rows per task of [`Summary::of_parallel`].
const PARALLEL_CHUNK_ROWS: usize = 1 << 16;

/// Errors merging summaries.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MergeError {
    /// The summaries describe different item lists.
    #[error(
        "summaries of different item lists cannot be merged (item {index}: `{left}` vs `{right}`)"
    )]
    DifferentItems {
        /// The first position where the lists differ.
        index: usize,
        /// The item id in the summary merged into.
        left: String,
        /// The item id in the summary merged from.
        right: String,
    },
    /// One summary keeps item cross products and the other does not.
    #[error("a summary with item cross products cannot be merged with one without")]
    CrossProducts,
    /// The item lists have different lengths.
    #[error("summaries of {left} and {right} items cannot be merged")]
    ItemCount {
        /// Items in the summary merged into.
        left: usize,
        /// Items in the summary merged from.
        right: usize,
    },
}

/// Sufficient statistics of one form: the persons who were presented exactly
/// the same items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormSummary {
    items: Vec<usize>,
    n_persons: u64,
    score_counts: Vec<u64>,
    level_item_sums: Vec<u64>,
    item_squares: Vec<u64>,
    omitted: Vec<u64>,
    odd_sum: u64,
    odd_squares: u128,
    odd_even: u128,
    /// Item cross products `sum x_a x_b`, `a <= b`, packed by rows of the
    /// upper triangle; empty unless the summary was built with pairwise
    /// statistics.
    cross_products: Vec<u64>,
}

impl FormSummary {
    fn empty(items: Vec<usize>) -> Self {
        let k = items.len();
        Self {
            items,
            n_persons: 0,
            score_counts: Vec::new(),
            level_item_sums: Vec::new(),
            item_squares: vec![0; k],
            omitted: vec![0; k],
            odd_sum: 0,
            odd_squares: 0,
            odd_even: 0,
            cross_products: Vec::new(),
        }
    }

    /// Indices (into [`Summary::items`]) of the form's items, ascending.
    pub fn items(&self) -> &[usize] {
        &self.items
    }

    /// Number of items on the form.
    pub fn n_items(&self) -> usize {
        self.items.len()
    }

    /// Number of persons who took the form.
    pub fn n_persons(&self) -> u64 {
        self.n_persons
    }

    /// Persons at each total score `0..=max observed total`.
    pub fn score_counts(&self) -> &[u64] {
        &self.score_counts
    }

    /// Sum of the scores on the form's column `col` of the persons whose
    /// total score is `score`.
    pub fn level_item_sum(&self, score: usize, col: usize) -> u64 {
        self.level_item_sums[score * self.items.len() + col]
    }

    /// Sum of the scores on column `col`.
    pub fn item_sum(&self, col: usize) -> u64 {
        (0..self.score_counts.len())
            .map(|t| self.level_item_sum(t, col))
            .sum()
    }

    /// Sum over persons of (score on column `col`) x (total score).
    pub fn item_total_products(&self, col: usize) -> u128 {
        (0..self.score_counts.len())
            .map(|t| t as u128 * u128::from(self.level_item_sum(t, col)))
            .sum()
    }

    /// Sum over persons of (score on column `a`) x (score on column `b`),
    /// when the summary keeps cross products ([`Summary::with_cross_products`]).
    pub fn cross_product(&self, a: usize, b: usize) -> Option<u64> {
        if self.cross_products.is_empty() {
            return None;
        }
        let (a, b) = if a <= b { (a, b) } else { (b, a) };
        let k = self.items.len();
        // Rows 0..a of the upper triangle hold k + (k-1) + ... + (k-a+1) entries.
        let row_start = a * k - a * (a.saturating_sub(1)) / 2;
        Some(self.cross_products[row_start + (b - a)])
    }

    /// Sum of squared scores on column `col`.
    pub fn item_squares(&self, col: usize) -> u64 {
        self.item_squares[col]
    }

    /// Omitted (presented, unanswered, scored 0) cells on column `col`.
    pub fn omitted(&self, col: usize) -> u64 {
        self.omitted[col]
    }

    /// Sum of total scores.
    pub fn total_sum(&self) -> u128 {
        self.score_counts
            .iter()
            .enumerate()
            .map(|(t, &c)| t as u128 * u128::from(c))
            .sum()
    }

    /// Sum of squared total scores.
    pub fn total_squares(&self) -> u128 {
        self.score_counts
            .iter()
            .enumerate()
            .map(|(t, &c)| (t as u128) * (t as u128) * u128::from(c))
            .sum()
    }

    /// Moments of the half-test totals: the first half is the form's 1st,
    /// 3rd, 5th... item (in item order), the second half the others.
    /// Returns (sum of first-half totals, sum of their squares, sum of
    /// first-half x second-half products).
    pub fn odd_half_moments(&self) -> (u64, u128, u128) {
        (self.odd_sum, self.odd_squares, self.odd_even)
    }

    fn merge(&mut self, other: &Self) {
        debug_assert_eq!(self.items, other.items);
        let k = self.items.len();
        self.n_persons += other.n_persons;
        if other.score_counts.len() > self.score_counts.len() {
            self.score_counts.resize(other.score_counts.len(), 0);
            self.level_item_sums.resize(other.score_counts.len() * k, 0);
        }
        for (a, b) in self.score_counts.iter_mut().zip(&other.score_counts) {
            *a += b;
        }
        for (a, b) in self.level_item_sums.iter_mut().zip(&other.level_item_sums) {
            *a += b;
        }
        for (a, b) in self.item_squares.iter_mut().zip(&other.item_squares) {
            *a += b;
        }
        for (a, b) in self.omitted.iter_mut().zip(&other.omitted) {
            *a += b;
        }
        self.odd_sum += other.odd_sum;
        self.odd_squares += other.odd_squares;
        self.odd_even += other.odd_even;
        for (a, b) in self.cross_products.iter_mut().zip(&other.cross_products) {
            *a += b;
        }
    }
}

/// Mergeable sufficient statistics of a whole response matrix: one
/// [`FormSummary`] per pattern of presented items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    items: Vec<ItemId>,
    max_scores: Vec<u8>,
    n_persons: u64,
    forms: Vec<FormSummary>,
    cross_products: bool,
}

/// The most memory a summary or a calibration may take before
/// [`Summary::check_memory`] or [`crate::calibration::check_memory`]
/// refuses it: 4 GiB.
pub const MEMORY_LIMIT: u64 = 4 << 30;

/// A summary or a calibration would need more memory than allowed: said
/// before allocating.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{task} {items} item columns in {forms} form(s) would need about {} MiB (more than the {} MiB allowed): {advice}",
    needed >> 20,
    limit >> 20
)]
pub struct MemoryError {
    /// What was refused (`summarising`, `calibrating`).
    pub task: &'static str,
    /// Item columns of the matrix.
    pub items: usize,
    /// Forms (patterns of presented items).
    pub forms: usize,
    /// Bytes the work would need.
    pub needed: u64,
    /// Bytes allowed.
    pub limit: u64,
    /// What to do instead.
    pub advice: &'static str,
}

impl MemoryError {
    /// Refuses `task` on `matrix` when it `needed` more than `limit` bytes.
    pub fn check(
        task: &'static str,
        advice: &'static str,
        matrix: &ResponseMatrix,
        needed: u64,
        limit: u64,
    ) -> Result<(), Self> {
        if needed <= limit {
            return Ok(());
        }
        Err(Self {
            task,
            items: matrix.n_items(),
            forms: matrix.blocks().len(),
            needed,
            limit,
            advice,
        })
    }
}

impl Summary {
    /// Bytes a summary of `matrix` needs at its peak (per form, the
    /// score-level item sums `(max total + 1) × k`, their chunk buffer and,
    /// with cross products, `k (k + 1) / 2` more), estimated from the
    /// matrix's shape alone.
    pub fn memory_needed(matrix: &ResponseMatrix, cross_products: bool) -> u64 {
        matrix
            .blocks()
            .iter()
            .map(|block| {
                let k = block.n_items() as u64;
                let levels = matrix.score_levels(block);
                let pairs = if cross_products { k * (k + 1) / 2 } else { 0 };
                levels * k * (8 + 2) + levels * 16 + pairs * 8
            })
            .fold(0u64, u64::saturating_add)
    }

    /// Refuses, before any allocation, a summary that would need more than
    /// `limit` bytes ([`Summary::memory_needed`]).
    pub fn check_memory(
        matrix: &ResponseMatrix,
        cross_products: bool,
        limit: u64,
    ) -> Result<(), MemoryError> {
        MemoryError::check(
            "summarising",
            "split the file by form or item",
            matrix,
            Self::memory_needed(matrix, cross_products),
            limit,
        )
    }

    /// The summary an item analysis of `matrix` needs, refused before any
    /// allocation beyond `limit` bytes: with cross products when several
    /// forms share every pair of items (one form with missing cells), so
    /// [`crate::analyze`] adds psych's pairwise whole-test statistics;
    /// otherwise the plain summary (one pass over the cells).
    pub fn for_analysis(matrix: &ResponseMatrix, limit: u64) -> Result<Self, MemoryError> {
        let pairwise = matrix.blocks().len() > 1 && crate::pairwise::every_pair_presented(matrix);
        Self::check_memory(matrix, pairwise, limit)?;
        Ok(Self::build(matrix, pairwise))
    }

    /// Summarises a response matrix (single-threaded, one pass over the cells).
    pub fn of(matrix: &ResponseMatrix) -> Self {
        Self::build(matrix, false)
    }

    /// Summarises a response matrix keeping, in addition, the item cross
    /// products of every form (`k (k + 1) / 2` per form, a multiply-add per
    /// pair of cells): what pairwise covariances across forms need (see
    /// [`crate::pairwise`]).
    pub fn with_cross_products(matrix: &ResponseMatrix) -> Self {
        Self::build(matrix, true)
    }

    fn build(matrix: &ResponseMatrix, cross_products: bool) -> Self {
        let forms = matrix
            .blocks()
            .iter()
            .filter_map(|block| {
                let mut acc = FormAccumulator::new(block, matrix.max_scores(), cross_products);
                for row in 0..block.n_persons() {
                    acc.add_row(block.row(row));
                }
                acc.add_omissions(block, 0..block.n_persons());
                acc.finish()
            })
            .collect();
        Self::from_parts(matrix, matrix.n_persons() as u64, forms, cross_products)
    }

    /// Like [`Summary::of`], on all cores: each block's rows are split into
    /// chunks summarised in parallel (rayon) and merged. The result is
    /// identical to [`Summary::of`], because merging is exact.
    pub fn of_parallel(matrix: &ResponseMatrix) -> Self {
        let forms = matrix
            .blocks()
            .iter()
            .filter_map(|block| {
                let chunks: Vec<std::ops::Range<usize>> = (0..block.n_persons())
                    .step_by(PARALLEL_CHUNK_ROWS)
                    .map(|start| start..(start + PARALLEL_CHUNK_ROWS).min(block.n_persons()))
                    .collect();
                chunks
                    .into_par_iter()
                    .filter_map(|rows| {
                        let mut acc = FormAccumulator::new(block, matrix.max_scores(), false);
                        for row in rows.clone() {
                            acc.add_row(block.row(row));
                        }
                        acc.add_omissions(block, rows);
                        acc.finish()
                    })
                    .reduce_with(|mut a, b| {
                        a.merge(&b);
                        a
                    })
            })
            .collect();
        Self::from_parts(matrix, matrix.n_persons() as u64, forms, false)
    }

    /// Whether the forms keep item cross products.
    pub fn has_cross_products(&self) -> bool {
        self.cross_products
    }

    fn from_parts(
        matrix: &ResponseMatrix,
        n_persons: u64,
        mut forms: Vec<FormSummary>,
        cross_products: bool,
    ) -> Self {
        forms.sort_by(|a, b| a.items.cmp(&b.items));
        Self {
            items: matrix.items().to_vec(),
            max_scores: matrix.max_scores().to_vec(),
            n_persons,
            forms,
            cross_products,
        }
    }

    /// Item ids, in input order.
    pub fn items(&self) -> &[ItemId] {
        &self.items
    }

    /// The highest observed score of each item.
    pub fn max_scores(&self) -> &[u8] {
        &self.max_scores
    }

    /// All persons summarised, including those presented no item.
    pub fn n_persons(&self) -> u64 {
        self.n_persons
    }

    /// The forms (patterns of presented items), ordered by their item lists.
    pub fn forms(&self) -> &[FormSummary] {
        &self.forms
    }

    /// Whether every item is dichotomous (highest score at most 1).
    pub fn is_dichotomous(&self) -> bool {
        self.max_scores.iter().all(|&m| m <= 1)
    }

    /// Adds the persons summarised in `other` (disjoint from ours) to this
    /// summary. Both must describe the same item list in the same order.
    pub fn merge(&mut self, other: &Self) -> Result<(), MergeError> {
        if self.items.len() != other.items.len() {
            return Err(MergeError::ItemCount {
                left: self.items.len(),
                right: other.items.len(),
            });
        }
        if let Some(index) = self
            .items
            .iter()
            .zip(&other.items)
            .position(|(a, b)| a != b)
        {
            return Err(MergeError::DifferentItems {
                index,
                left: self.items[index].to_string(),
                right: other.items[index].to_string(),
            });
        }
        if self.cross_products != other.cross_products {
            return Err(MergeError::CrossProducts);
        }
        for (a, &b) in self.max_scores.iter_mut().zip(&other.max_scores) {
            *a = (*a).max(b);
        }
        self.n_persons += other.n_persons;
        for form in &other.forms {
            match self.forms.binary_search_by(|f| f.items.cmp(&form.items)) {
                Ok(i) => self.forms[i].merge(form),
                Err(i) => self.forms.insert(i, form.clone()),
            }
        }
        Ok(())
    }
}

/// Accumulates the rows of one block into a [`FormSummary`].
///
/// The item sums of each score level are first added into 16-bit counters
/// (twice as many lanes per vector instruction as 32-bit ones); a level's
/// counters are flushed into the 64-bit summary before they can overflow.
struct FormAccumulator {
    summary: FormSummary,
    chunk: Vec<u16>,
    level_rows: Vec<u32>,
    level_limit: u32,
    polytomous: bool,
    cross_products: bool,
}

impl FormAccumulator {
    fn new(block: &Block, max_scores: &[u8], cross_products: bool) -> Self {
        let k = block.n_items();
        let max_total: usize = block
            .items()
            .iter()
            .map(|&i| usize::from(max_scores[i]))
            .sum();
        let max_cell = block
            .items()
            .iter()
            .map(|&i| u32::from(max_scores[i]))
            .max()
            .unwrap_or(1)
            .max(1);
        let polytomous = max_cell > 1;
        let mut summary = FormSummary::empty(block.items().to_vec());
        summary.score_counts = vec![0; max_total + 1];
        summary.level_item_sums = vec![0; (max_total + 1) * k];
        if cross_products {
            summary.cross_products = vec![0; k * (k + 1) / 2];
        }
        Self {
            summary,
            chunk: vec![0; (max_total + 1) * k],
            level_rows: vec![0; max_total + 1],
            level_limit: u32::from(u16::MAX) / max_cell,
            polytomous,
            cross_products,
        }
    }

    /// Adds one person's row of scores.
    #[inline]
    fn add_row(&mut self, row: &[u8]) {
        let k = row.len();
        let (total, odd) = row_totals(row);
        let t = total as usize;
        let dst = &mut self.chunk[t * k..(t + 1) * k];
        for (d, &x) in dst.iter_mut().zip(row) {
            *d += u16::from(x);
        }
        if self.polytomous {
            for (d, &x) in self.summary.item_squares.iter_mut().zip(row) {
                *d += u64::from(x) * u64::from(x);
            }
        }
        let s = &mut self.summary;
        s.score_counts[t] += 1;
        s.odd_sum += u64::from(odd);
        s.odd_squares += u128::from(u64::from(odd) * u64::from(odd));
        s.odd_even += u128::from(u64::from(odd) * u64::from(total - odd));
        self.level_rows[t] += 1;
        if self.level_rows[t] == self.level_limit {
            self.flush_level(t);
        }
        if self.cross_products {
            add_cross_products(&mut self.summary.cross_products, row);
        }
    }

    fn add_omissions(&mut self, block: &Block, rows: impl Iterator<Item = usize>) {
        if !block.has_omissions() {
            return;
        }
        for row in rows {
            for col in 0..block.n_items() {
                if block.is_omitted(row, col) {
                    self.summary.omitted[col] += 1;
                }
            }
        }
    }

    fn flush_level(&mut self, level: usize) {
        let k = self.summary.items.len();
        let range = level * k..(level + 1) * k;
        for (d, s) in self.summary.level_item_sums[range.clone()]
            .iter_mut()
            .zip(&mut self.chunk[range])
        {
            *d += u64::from(*s);
            *s = 0;
        }
        self.level_rows[level] = 0;
    }

    /// The summary, with score levels above the highest observed total
    /// trimmed; `None` if no row was added.
    fn finish(mut self) -> Option<FormSummary> {
        for level in 0..self.level_rows.len() {
            if self.level_rows[level] > 0 {
                self.flush_level(level);
            }
        }
        let mut s = self.summary;
        if !self.polytomous {
            for col in 0..s.items.len() {
                s.item_squares[col] = s.item_sum(col);
            }
        }
        let levels = s.score_counts.iter().rposition(|&c| c > 0)? + 1;
        s.score_counts.truncate(levels);
        s.level_item_sums.truncate(levels * s.items.len());
        s.n_persons = s.score_counts.iter().sum();
        Some(s)
    }
}

/// Adds the products of every pair of cells of a row (upper triangle,
/// diagonal included) into `cross`.
fn add_cross_products(cross: &mut [u64], row: &[u8]) {
    let mut start = 0;
    for (a, &xa) in row.iter().enumerate() {
        let len = row.len() - a;
        if xa != 0 {
            let xa = u64::from(xa);
            for (d, &xb) in cross[start..start + len].iter_mut().zip(&row[a..]) {
                *d += xa * u64::from(xb);
            }
        }
        start += len;
    }
}

/// The total of a row and the total of its 1st, 3rd, 5th... cells.
///
/// Eight cells at a time as one `u64` (SWAR): masking keeps the cells at
/// even (or odd) offsets in four 16-bit lanes, which are summed lane-wise
/// and added up at the end. A lane gains at most 255 per word, so lanes are
/// emptied every 256 words.
#[inline]
fn row_totals(row: &[u8]) -> (u32, u32) {
    const EVEN: u64 = 0x00FF_00FF_00FF_00FF;
    let lanes = |x: u64| -> u32 {
        ((x & 0xFFFF) + ((x >> 16) & 0xFFFF) + ((x >> 32) & 0xFFFF) + (x >> 48)) as u32
    };
    let mut first = 0u32;
    let mut second = 0u32;
    let words = row.chunks_exact(8);
    let tail = words.remainder();
    let mut acc_first = 0u64;
    let mut acc_second = 0u64;
    for (i, word) in words.enumerate() {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(word);
        let w = u64::from_le_bytes(bytes);
        acc_first += w & EVEN;
        acc_second += (w >> 8) & EVEN;
        if i % 256 == 255 {
            first += lanes(acc_first);
            second += lanes(acc_second);
            acc_first = 0;
            acc_second = 0;
        }
    }
    first += lanes(acc_first);
    second += lanes(acc_second);
    // The tail starts at an offset that is a multiple of 8, so even.
    for (j, &x) in tail.iter().enumerate() {
        if j % 2 == 0 {
            first += u32::from(x);
        } else {
            second += u32::from(x);
        }
    }
    (first + second, first)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use exam_core::responses::CsvOptions;

    fn matrix(text: &str) -> ResponseMatrix {
        ResponseMatrix::from_csv(text.as_bytes(), "t.csv", CsvOptions { id_column: false }).unwrap()
    }

    #[test]
    fn level_table_holds_item_sums_by_total() {
        let m = matrix("A,B,C\n1,0,1\n0,0,1\n1,1,1\n1,0,0\n");
        let s = Summary::of(&m);
        let f = &s.forms()[0];
        assert_eq!(f.score_counts(), &[0, 2, 1, 1]);
        // totals: 2, 1, 3, 1
        assert_eq!(f.item_sum(0), 3);
        assert_eq!(f.level_item_sum(1, 0), 1);
        assert_eq!(f.level_item_sum(1, 2), 1);
        assert_eq!(f.item_total_products(0), 2 + 3 + 1);
        assert_eq!(f.total_sum(), 7);
        assert_eq!(f.total_squares(), 4 + 1 + 9 + 1);
        // first half = items A and C: 2, 1, 2, 1; second half = B: 0, 0, 1, 0
        assert_eq!(f.odd_half_moments(), (6, 10, 2));
    }

    #[test]
    fn row_totals_split_odd_and_even_cells() {
        for k in [0usize, 1, 7, 8, 9, 17, 100, 2100] {
            let row: Vec<u8> = (0..k).map(|j| (j * 37 % 251) as u8).collect();
            let total: u32 = row.iter().map(|&x| u32::from(x)).sum();
            let first: u32 = row.iter().step_by(2).map(|&x| u32::from(x)).sum();
            assert_eq!(row_totals(&row), (total, first), "k = {k}");
        }
    }

    #[test]
    fn counters_flush_before_they_overflow() {
        // 300 persons with the same 0..=250 scores: the 16-bit level counters
        // must be flushed (limit 65535 / 250 = 262 rows).
        let mut text = String::from("A,B\n");
        for _ in 0..300 {
            text.push_str("250,250\n");
        }
        let s = Summary::of(&matrix(&text));
        assert_eq!(s.forms()[0].item_sum(0), 300 * 250);
        assert_eq!(s.forms()[0].item_squares(1), 300 * 250 * 250);
    }

    #[test]
    fn parallel_summary_equals_serial() {
        let mut text = String::from("A,B,C\n");
        for i in 0..70_000u32 {
            text.push_str(&format!("{},{},{}\n", i % 2, (i / 3) % 2, (i % 7) % 3));
        }
        text.push_str(",1,1\n");
        let m = matrix(&text);
        assert_eq!(Summary::of_parallel(&m), Summary::of(&m));
    }

    #[test]
    fn cross_products_are_packed_by_rows() {
        let m = matrix("A,B,C\n1,2,1\n1,0,1\n");
        let s = Summary::with_cross_products(&m);
        let f = &s.forms()[0];
        assert_eq!(f.cross_product(0, 0), Some(2));
        assert_eq!(f.cross_product(0, 1), Some(2));
        assert_eq!(f.cross_product(2, 0), Some(2));
        assert_eq!(f.cross_product(1, 1), Some(4));
        assert_eq!(f.cross_product(1, 2), Some(2));
        assert_eq!(f.cross_product(2, 2), Some(2));
        assert_eq!(Summary::of(&m).forms()[0].cross_product(0, 1), None);
        let mut plain = Summary::of(&m);
        assert_eq!(plain.merge(&s), Err(MergeError::CrossProducts));
    }

    #[test]
    fn summaries_round_trip_through_json_for_incremental_updates() {
        let first = Summary::with_cross_products(&matrix("A,B\n1,0\n2,1\n"));
        let stored = serde_json::to_string(&first).unwrap();
        let mut restored: Summary = serde_json::from_str(&stored).unwrap();
        assert_eq!(restored, first);
        let later = Summary::with_cross_products(&matrix("A,B\n0,1\n"));
        restored.merge(&later).unwrap();
        assert_eq!(
            restored,
            Summary::with_cross_products(&matrix("A,B\n1,0\n2,1\n0,1\n"))
        );
    }

    #[test]
    fn merge_rejects_other_items() {
        let a = Summary::of(&matrix("A,B\n1,0\n"));
        let mut b = Summary::of(&matrix("A,C\n1,0\n"));
        assert!(matches!(
            b.merge(&a),
            Err(MergeError::DifferentItems { index: 1, .. })
        ));
        let c = Summary::of(&matrix("A\n1\n"));
        assert!(matches!(b.merge(&c), Err(MergeError::ItemCount { .. })));
    }
}
