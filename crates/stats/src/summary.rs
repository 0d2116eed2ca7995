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
    /// The total scores that at least one person reached, ascending.
    levels: Vec<u32>,
    /// Per entry of `levels`, the item sums of its persons (`k` each): only
    /// reached levels are stored, so the table never holds more rows than
    /// the form has persons.
    level_item_sums: Vec<u64>,
    item_squares: Vec<u64>,
    omitted: Vec<u64>,
    odd_sum: u64,
    odd_squares: u128,
    odd_even: u128,
}

impl FormSummary {
    fn empty(items: Vec<usize>) -> Self {
        let k = items.len();
        Self {
            items,
            n_persons: 0,
            score_counts: Vec::new(),
            levels: Vec::new(),
            level_item_sums: Vec::new(),
            item_squares: vec![0; k],
            omitted: vec![0; k],
            odd_sum: 0,
            odd_squares: 0,
            odd_even: 0,
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
    /// total score is `score` (0 when nobody reached that total).
    pub fn level_item_sum(&self, score: usize, col: usize) -> u64 {
        u32::try_from(score)
            .ok()
            .and_then(|t| self.levels.binary_search(&t).ok())
            .map_or(0, |row| self.level_item_sums[row * self.items.len() + col])
    }

    /// The reached total scores, ascending, each with the item sums (one
    /// per column) of the persons who reached it.
    pub fn level_rows(&self) -> impl DoubleEndedIterator<Item = (usize, &[u64])> {
        self.levels
            .iter()
            .map(|&t| t as usize)
            .zip(self.level_item_sums.chunks_exact(self.items.len().max(1)))
    }

    /// Sum of the scores on column `col`.
    pub fn item_sum(&self, col: usize) -> u64 {
        self.level_rows().map(|(_, row)| row[col]).sum()
    }

    /// Sum over persons of (score on column `col`) x (total score).
    pub fn item_total_products(&self, col: usize) -> u128 {
        self.level_rows()
            .map(|(t, row)| t as u128 * u128::from(row[col]))
            .sum()
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
        }
        for (a, b) in self.score_counts.iter_mut().zip(&other.score_counts) {
            *a += b;
        }
        // Merge-join the two sorted level lists.
        let mut levels = Vec::with_capacity(self.levels.len() + other.levels.len());
        let mut sums = Vec::with_capacity(levels.capacity() * k);
        let (mut i, mut j) = (0, 0);
        while i < self.levels.len() || j < other.levels.len() {
            let mine = self.levels.get(i).copied().unwrap_or(u32::MAX);
            let theirs = other.levels.get(j).copied().unwrap_or(u32::MAX);
            let level = mine.min(theirs);
            let start = sums.len();
            sums.resize(start + k, 0);
            if mine == level {
                add_into(
                    &mut sums[start..],
                    &self.level_item_sums[i * k..(i + 1) * k],
                );
                i += 1;
            }
            if theirs == level {
                add_into(
                    &mut sums[start..],
                    &other.level_item_sums[j * k..(j + 1) * k],
                );
                j += 1;
            }
            levels.push(level);
        }
        self.levels = levels;
        self.level_item_sums = sums;
        add_into(&mut self.item_squares, &other.item_squares);
        add_into(&mut self.omitted, &other.omitted);
        self.odd_sum += other.odd_sum;
        self.odd_squares += other.odd_squares;
        self.odd_even += other.odd_even;
    }
}

/// Adds `src` into `dst`, element by element.
fn add_into(dst: &mut [u64], src: &[u64]) {
    for (a, b) in dst.iter_mut().zip(src) {
        *a += b;
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
    /// Item cross products `sum x_i x_j` over the persons presented both
    /// items, `i <= j` (indices into `items`), packed by rows of the upper
    /// triangle; `None` unless the summary was built with them.
    cross_products: Option<Vec<u64>>,
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
    /// Bytes a summary of `matrix` needs at its peak, estimated from the
    /// matrix's shape alone: per form, a score-level row of item sums for
    /// each reached total (at most one per person, at most one per
    /// possible total) and its chunk buffer, and the score counts; with
    /// cross products, `K (K + 1) / 2` for the `K` items of the matrix and
    /// the largest form's `k (k + 1) / 2` while that form is summarised.
    pub fn memory_needed(matrix: &ResponseMatrix, cross_products: bool) -> u64 {
        let max_scores = matrix.max_scores();
        let forms = matrix
            .blocks()
            .iter()
            .map(|block| {
                let k = block.n_items() as u64;
                let levels = block
                    .items()
                    .iter()
                    .map(|&i| u64::from(max_scores[i]))
                    .sum::<u64>()
                    + 1;
                let rows = levels.min(block.n_persons() as u64);
                rows * k * (8 + 2) + levels * (8 + 4) + k * 8 * 3
            })
            .fold(0u64, u64::saturating_add);
        let pairs = if cross_products {
            let triangle = |k: u64| k * (k + 1) / 2 * 8;
            let widest = matrix
                .blocks()
                .iter()
                .map(Block::n_items)
                .max()
                .unwrap_or(0);
            triangle(matrix.n_items() as u64) + triangle(widest as u64)
        } else {
            0
        };
        forms.saturating_add(pairs)
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
    /// otherwise the plain summary (one pass over the cells, in parallel:
    /// [`Summary::of_parallel`]).
    pub fn for_analysis(matrix: &ResponseMatrix, limit: u64) -> Result<Self, MemoryError> {
        let pairwise = matrix.blocks().len() > 1 && crate::pairwise::every_pair_presented(matrix);
        Self::check_memory(matrix, pairwise, limit)?;
        Ok(if pairwise {
            Self::build(matrix, true)
        } else {
            Self::of_parallel(matrix)
        })
    }

    /// Summarises a response matrix (single-threaded, one pass over the cells).
    pub fn of(matrix: &ResponseMatrix) -> Self {
        Self::build(matrix, false)
    }

    /// Summarises a response matrix keeping, in addition, the item cross
    /// products over all persons (`K (K + 1) / 2` for the matrix's `K`
    /// items, a multiply-add per pair of cells): what pairwise covariances
    /// need (see [`crate::pairwise`]).
    pub fn with_cross_products(matrix: &ResponseMatrix) -> Self {
        Self::build(matrix, true)
    }

    fn build(matrix: &ResponseMatrix, cross_products: bool) -> Self {
        let mut products = cross_products.then(|| vec![0u64; triangle_len(matrix.n_items())]);
        // One form's products, reused from form to form.
        let mut form_products = Vec::new();
        let forms = matrix
            .blocks()
            .iter()
            .filter_map(|block| {
                let mut acc = FormAccumulator::new(block, matrix.max_scores());
                for row in 0..block.n_persons() {
                    acc.add_row(block.row(row));
                }
                acc.add_omissions(block, 0..block.n_persons());
                if let Some(products) = &mut products {
                    form_products.clear();
                    form_products.resize(triangle_len(block.n_items()), 0);
                    for row in 0..block.n_persons() {
                        add_cross_products(&mut form_products, block.row(row));
                    }
                    scatter_cross_products(
                        products,
                        matrix.n_items(),
                        block.items(),
                        &form_products,
                    );
                }
                acc.finish()
            })
            .collect();
        Self::from_parts(matrix, matrix.n_persons() as u64, forms, products)
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
                        let mut acc = FormAccumulator::new(block, matrix.max_scores());
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
        Self::from_parts(matrix, matrix.n_persons() as u64, forms, None)
    }

    /// Whether the summary keeps item cross products.
    pub fn has_cross_products(&self) -> bool {
        self.cross_products.is_some()
    }

    /// Sum over the persons presented both items of (score on item `i`) x
    /// (score on item `j`) (indices into [`Summary::items`]), when the
    /// summary keeps cross products ([`Summary::with_cross_products`]).
    pub fn cross_product(&self, i: usize, j: usize) -> Option<u64> {
        let (i, j) = if i <= j { (i, j) } else { (j, i) };
        self.cross_products
            .as_ref()
            .map(|p| p[triangle_index(self.items.len(), i, j)])
    }

    fn from_parts(
        matrix: &ResponseMatrix,
        n_persons: u64,
        mut forms: Vec<FormSummary>,
        cross_products: Option<Vec<u64>>,
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
        match (&mut self.cross_products, &other.cross_products) {
            (Some(mine), Some(theirs)) => add_into(mine, theirs),
            (None, None) => {}
            _ => return Err(MergeError::CrossProducts),
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
/// The item sums of each reached score level are first added into 16-bit
/// counters (twice as many lanes per vector instruction as 32-bit ones); a
/// level's counters are flushed into 64-bit sums before they can overflow.
/// A level gets its row when a person first reaches it, so a form of few
/// persons takes a few rows, not one per possible total.
struct FormAccumulator {
    summary: FormSummary,
    /// Per possible total score, its row in `chunk` and `sums` (or `NO_ROW`).
    row_of_level: Vec<u32>,
    /// The level of each row, in the order the rows were opened.
    row_levels: Vec<u32>,
    chunk: Vec<u16>,
    sums: Vec<u64>,
    /// Rows added into each row's 16-bit counters since its last flush.
    chunk_rows: Vec<u32>,
    level_limit: u32,
    polytomous: bool,
}

/// `row_of_level` entry of a level nobody has reached yet.
const NO_ROW: u32 = u32::MAX;

impl FormAccumulator {
    fn new(block: &Block, max_scores: &[u8]) -> Self {
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
        let mut summary = FormSummary::empty(block.items().to_vec());
        summary.score_counts = vec![0; max_total + 1];
        Self {
            summary,
            row_of_level: vec![NO_ROW; max_total + 1],
            row_levels: Vec::new(),
            chunk: Vec::new(),
            sums: Vec::new(),
            chunk_rows: Vec::new(),
            level_limit: u32::from(u16::MAX) / max_cell,
            polytomous: max_cell > 1,
        }
    }

    /// Adds one person's row of scores.
    #[inline]
    fn add_row(&mut self, row: &[u8]) {
        let k = row.len();
        let (total, odd) = row_totals(row);
        let t = total as usize;
        let mut r = self.row_of_level[t];
        if r == NO_ROW {
            r = self.row_levels.len() as u32;
            self.row_of_level[t] = r;
            self.row_levels.push(total);
            self.chunk.resize(self.chunk.len() + k, 0);
            self.sums.resize(self.sums.len() + k, 0);
            self.chunk_rows.push(0);
        }
        let r = r as usize;
        let dst = &mut self.chunk[r * k..(r + 1) * k];
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
        self.chunk_rows[r] += 1;
        if self.chunk_rows[r] == self.level_limit {
            self.flush_row(r);
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

    fn flush_row(&mut self, r: usize) {
        let k = self.summary.items.len();
        let range = r * k..(r + 1) * k;
        for (d, s) in self.sums[range.clone()]
            .iter_mut()
            .zip(&mut self.chunk[range])
        {
            *d += u64::from(*s);
            *s = 0;
        }
        self.chunk_rows[r] = 0;
    }

    /// The summary, its level rows in ascending order of total score and
    /// the score counts trimmed above the highest reached total; `None` if
    /// no row was added.
    fn finish(mut self) -> Option<FormSummary> {
        for r in 0..self.chunk_rows.len() {
            if self.chunk_rows[r] > 0 {
                self.flush_row(r);
            }
        }
        let k = self.summary.items.len();
        let mut order: Vec<usize> = (0..self.row_levels.len()).collect();
        order.sort_unstable_by_key(|&r| self.row_levels[r]);
        let mut s = self.summary;
        s.levels = order.iter().map(|&r| self.row_levels[r]).collect();
        s.level_item_sums = Vec::with_capacity(order.len() * k);
        for &r in &order {
            s.level_item_sums
                .extend_from_slice(&self.sums[r * k..(r + 1) * k]);
        }
        if !self.polytomous {
            for col in 0..k {
                s.item_squares[col] = s.item_sum(col);
            }
        }
        let levels = s.score_counts.iter().rposition(|&c| c > 0)? + 1;
        s.score_counts.truncate(levels);
        s.score_counts.shrink_to_fit();
        s.n_persons = s.score_counts.iter().sum();
        Some(s)
    }
}

/// Entries of a packed upper triangle (diagonal included) of a `k x k`
/// matrix.
fn triangle_len(k: usize) -> usize {
    k * (k + 1) / 2
}

/// Position of `(a, b)`, `a <= b`, in a packed upper triangle of a `k x k`
/// matrix: rows `0..a` hold `k + (k - 1) + ... + (k - a + 1)` entries.
fn triangle_index(k: usize, a: usize, b: usize) -> usize {
    a * k - a * a.saturating_sub(1) / 2 + (b - a)
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

/// Adds one form's packed cross products (its columns are the ascending
/// item indices `items`) into the matrix-wide packed triangle of `k` items.
fn scatter_cross_products(products: &mut [u64], k: usize, items: &[usize], form: &[u64]) {
    let mut src = form.iter();
    for (a, &i) in items.iter().enumerate() {
        let row_start = triangle_index(k, i, i);
        for (&j, &p) in items[a..].iter().zip(&mut src) {
            products[row_start + (j - i)] += p;
        }
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
        assert_eq!(s.cross_product(0, 0), Some(2));
        assert_eq!(s.cross_product(0, 1), Some(2));
        assert_eq!(s.cross_product(2, 0), Some(2));
        assert_eq!(s.cross_product(1, 1), Some(4));
        assert_eq!(s.cross_product(1, 2), Some(2));
        assert_eq!(s.cross_product(2, 2), Some(2));
        assert_eq!(Summary::of(&m).cross_product(0, 1), None);
        let mut plain = Summary::of(&m);
        assert_eq!(plain.merge(&s), Err(MergeError::CrossProducts));
    }

    #[test]
    fn a_form_keeps_one_level_row_per_reached_total() {
        // 100 items, two persons: totals 3 and 100; two rows, not 101.
        let header: Vec<String> = (0..100).map(|i| format!("i{i}")).collect();
        let low: Vec<&str> = (0..100).map(|i| if i < 3 { "1" } else { "0" }).collect();
        let text = format!(
            "{}\n{}\n{}\n",
            header.join(","),
            low.join(","),
            vec!["1"; 100].join(",")
        );
        let s = Summary::of(&matrix(&text));
        let f = &s.forms()[0];
        assert_eq!(f.level_rows().count(), 2);
        assert_eq!(f.level_item_sums.len(), 2 * 100);
        assert_eq!(f.level_item_sum(3, 0), 1);
        assert_eq!(f.level_item_sum(3, 50), 0);
        assert_eq!(f.level_item_sum(100, 50), 1);
        assert_eq!(f.level_item_sum(50, 0), 0);
        assert_eq!(f.item_sum(0), 2);
        assert_eq!(f.item_total_products(0), 3 + 100);
        assert_eq!(f.score_counts().len(), 101);
    }

    #[test]
    fn a_summary_over_the_limit_is_refused_before_allocating() {
        // 3 items, 2 persons, totals 0..=2 (nobody scores on B): 2 level
        // rows x 3 x 10 bytes, 3 levels x 12, 3 x 24 for the per-item
        // sums: 168 bytes.
        let m = matrix("A,B,C\n1,0,1\n0,0,1\n");
        assert_eq!(Summary::memory_needed(&m, false), 168);
        let err = Summary::check_memory(&m, false, 167).unwrap_err();
        assert_eq!((err.needed, err.limit, err.forms), (168, 167, 1));
        assert!(Summary::check_memory(&m, false, 168).is_ok());
    }

    #[test]
    fn merged_level_rows_interleave_by_total() {
        // Totals 0 and 2 in one part, 1 and 2 in the other.
        let mut a = Summary::of(&matrix("A,B\n0,0\n1,1\n"));
        let b = Summary::of(&matrix("A,B\n0,1\n1,1\n"));
        a.merge(&b).unwrap();
        let whole = Summary::of(&matrix("A,B\n0,0\n1,1\n0,1\n1,1\n"));
        assert_eq!(a, whole);
        let rows: Vec<(usize, Vec<u64>)> = whole.forms()[0]
            .level_rows()
            .map(|(t, r)| (t, r.to_vec()))
            .collect();
        assert_eq!(
            rows,
            vec![(0, vec![0, 0]), (1, vec![0, 1]), (2, vec![2, 2])]
        );
    }

    #[test]
    fn cross_products_add_up_across_patterns() {
        // Persons 1-2 saw A, B, C; person 3 saw A and C; person 4 saw B and C.
        let m = matrix("A,B,C\n1,1,1\n1,0,1\n1,,1\n,1,2\n");
        assert_eq!(m.blocks().len(), 3);
        let s = Summary::with_cross_products(&m);
        // A x C: 1 + 1 + 1 (person 4 did not see A).
        assert_eq!(s.cross_product(0, 2), Some(3));
        // B x C: 1 + 0 + 2.
        assert_eq!(s.cross_product(2, 1), Some(3));
        // A x B: persons 1 and 2 only.
        assert_eq!(s.cross_product(0, 1), Some(1));
        // C x C: 1 + 1 + 1 + 4.
        assert_eq!(s.cross_product(2, 2), Some(7));
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
