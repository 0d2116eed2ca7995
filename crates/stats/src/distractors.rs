//! Distractor analysis: how the options of multiple-choice items work.
//!
//! Takes the scored [`ResponseMatrix`] (for total scores and item scores) and
//! the option each person chose on each item ([`Choices`], same persons and
//! items in the same order), with the key of each item. Per item and option,
//! over the persons presented the item:
//!
//! - the proportion choosing it;
//! - the mean total score of those who chose it;
//! - the option point-biserial: Pearson r of "chose this option" (0/1) with
//!   the rest score (total minus the item's score), pooled within forms as
//!   the item statistics are; for the key it is the item's corrected
//!   point-biserial;
//! - the proportion choosing it in each fifth of the persons by total score
//!   (lowest first; the data of an Iteman-style quantile plot). Groups hold
//!   exactly a fifth of each form's persons, persons tied at a boundary
//!   score counting fractionally (as for the discrimination index), pooled
//!   across forms.
//!
//! Persons who were presented the item but chose nothing are reported as
//! [`Choice::NoAnswer`]. Flags: a distractor whose point-biserial is
//! positive and above the key's (possible miskey); a distractor chosen by
//! fewer than [`FlagThresholds::distractor_min_proportion`] of the persons
//! (non-functioning). See Haladyna & Rodriguez (2013), *Developing and
//! Validating Test Items*, ch. 17, and Attali & Fraenkel (2000), *J. Educ.
//! Meas.* 37, 77-86, on the option point-biserial.

use crate::flags::{Flag, FlagThresholds};
use crate::undefined::{Reason, Statistic, Undefined};
use exam_core::ids::ItemId;
use exam_core::responses::ResponseMatrix;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Index meaning "no option chosen".
const NO_CHOICE: u8 = u8::MAX;

/// Number of score groups of the quantile plot.
const GROUPS: usize = 5;

/// Errors of the distractor analysis.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DistractorError {
    /// A person's row has the wrong number of choices.
    #[error("person {person}: {found} choices for {expected} items")]
    RowLength {
        /// 0-based person index.
        person: usize,
        /// Items.
        expected: usize,
        /// Choices given.
        found: usize,
    },
    /// An item has more distinct options than can be stored (254).
    #[error("item `{item}` has more than 254 distinct options")]
    TooManyOptions {
        /// The item.
        item: ItemId,
    },
    /// Choices and matrix do not describe the same items.
    #[error("the choices' item {index} is `{choices}`, the matrix's is `{matrix}`")]
    ItemMismatch {
        /// Position.
        index: usize,
        /// Item id in the choices.
        choices: String,
        /// Item id in the matrix.
        matrix: String,
    },
    /// Choices and matrix have different numbers of items or persons.
    #[error("the choices have {choices} {what}, the matrix {matrix}")]
    SizeMismatch {
        /// "items" or "persons".
        what: &'static str,
        /// In the choices.
        choices: usize,
        /// In the matrix.
        matrix: usize,
    },
    /// An item index beyond the choices' items.
    #[error("item index {index}, but there are {items} items")]
    ItemIndex {
        /// The index given.
        index: usize,
        /// Items.
        items: usize,
    },
    /// The keys do not give one option per item.
    #[error("{found} keys for {expected} items")]
    KeyCount {
        /// Items.
        expected: usize,
        /// Keys given.
        found: usize,
    },
}

/// The option each person chose on each item, persons x items.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choices {
    items: Vec<ItemId>,
    labels: Vec<Vec<String>>,
    lookup: Vec<HashMap<String, u8>>,
    cells: Vec<u8>,
    n_persons: usize,
}

impl Choices {
    /// No persons yet, for the given items.
    pub fn new(items: Vec<ItemId>) -> Self {
        let k = items.len();
        Self {
            items,
            labels: vec![Vec::new(); k],
            lookup: vec![HashMap::new(); k],
            cells: Vec::new(),
            n_persons: 0,
        }
    }

    /// Adds the next person's choices, one per item (`None`: no option
    /// chosen, or not presented).
    pub fn push(&mut self, choices: &[Option<&str>]) -> Result<(), DistractorError> {
        if choices.len() != self.items.len() {
            return Err(DistractorError::RowLength {
                person: self.n_persons,
                expected: self.items.len(),
                found: choices.len(),
            });
        }
        let start = self.cells.len();
        for (i, choice) in choices.iter().enumerate() {
            let code = match choice {
                None => NO_CHOICE,
                Some(label) => match self.code(i, label) {
                    Ok(code) => code,
                    Err(e) => {
                        self.cells.truncate(start);
                        return Err(e);
                    }
                },
            };
            self.cells.push(code);
        }
        self.n_persons += 1;
        Ok(())
    }

    fn code(&mut self, item: usize, label: &str) -> Result<u8, DistractorError> {
        if let Some(&c) = self.lookup[item].get(label) {
            return Ok(c);
        }
        let next = self.labels[item].len();
        let code = u8::try_from(next)
            .ok()
            .filter(|&c| c < NO_CHOICE)
            .ok_or_else(|| DistractorError::TooManyOptions {
                item: self.items[item].clone(),
            })?;
        self.labels[item].push(label.to_owned());
        self.lookup[item].insert(label.to_owned(), code);
        Ok(code)
    }

    /// Declares an option of item `item` (0-based), so that it is reported
    /// (with proportion 0, and flagged as non-functioning) even if nobody
    /// chooses it. Declaring an option twice, or one already chosen, does
    /// nothing.
    pub fn add_option(&mut self, item: usize, label: &str) -> Result<(), DistractorError> {
        if item >= self.items.len() {
            return Err(DistractorError::ItemIndex {
                index: item,
                items: self.items.len(),
            });
        }
        self.code(item, label).map(|_| ())
    }

    /// Number of persons.
    pub fn n_persons(&self) -> usize {
        self.n_persons
    }

    /// The option `person` chose on `item`, if any.
    pub fn choice(&self, person: usize, item: usize) -> Option<&str> {
        let code = self.cells[person * self.items.len() + item];
        (code != NO_CHOICE).then(|| self.labels[item][usize::from(code)].as_str())
    }
}

/// An option of an item, or no answer.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Choice {
    /// The option with this label.
    Option(String),
    /// Presented, but no option chosen.
    NoAnswer,
}

/// Statistics of one option of one item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OptionStatistics {
    /// The option.
    pub choice: Choice,
    /// Whether it is the key.
    pub is_key: bool,
    /// Persons who chose it.
    pub n: u64,
    /// Proportion of the persons presented the item.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proportion: Option<f64>,
    /// Mean total score of those who chose it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mean_score: Option<f64>,
    /// Option point-biserial (chose it vs. the rest score).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub point_biserial: Option<f64>,
    /// Proportion choosing it in each fifth by total score, lowest first.
    pub quintile_proportions: Vec<f64>,
    /// Statistics that are undefined here, with the reason.
    #[serde(skip_serializing_if = "Undefined::is_empty", default)]
    pub undefined: Undefined,
}

/// Distractor analysis of one item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemDistractors {
    /// The item.
    pub id: ItemId,
    /// The key.
    pub key: String,
    /// Persons presented the item.
    pub n_presented: u64,
    /// Per option (the key and every option chosen, ordered by label), then
    /// no answer if anyone gave none.
    pub options: Vec<OptionStatistics>,
    /// Possible-miskey and non-functioning-distractor flags.
    pub flags: Vec<Flag>,
}

/// Per (form, item) accumulators: by option and total score level. Option
/// index `labels.len()` is "no answer".
struct OptionTable {
    /// Persons by option and level: `counts[option * levels + level]`.
    counts: Vec<u64>,
    levels: usize,
    /// Per option: sum of the choosers' item scores.
    score_sum: Vec<u64>,
    /// Per option: sum of their squares.
    score_squares: Vec<u64>,
    /// Per option: sum of item score x total score.
    score_total: Vec<u64>,
    /// Persons at each level (all presented the item).
    level_counts: Vec<u64>,
}

impl OptionTable {
    fn option_counts(&self, option: usize) -> &[u64] {
        &self.counts[option * self.levels..(option + 1) * self.levels]
    }
}

/// Runs the distractor analysis. `keys[item]` is the key's label.
pub fn distractors(
    matrix: &ResponseMatrix,
    choices: &Choices,
    keys: &[String],
    thresholds: &FlagThresholds,
) -> Result<Vec<ItemDistractors>, DistractorError> {
    check_shapes(matrix, choices, keys)?;
    let n_items = matrix.n_items();
    // Option labels per item: the chosen ones and the key, sorted.
    let mut labels: Vec<Vec<String>> = choices.labels.clone();
    for (item, key) in keys.iter().enumerate() {
        if !labels[item].contains(key) {
            labels[item].push(key.clone());
        }
    }
    let mut order: Vec<Vec<usize>> = labels
        .iter()
        .map(|l| {
            let mut idx: Vec<usize> = (0..l.len()).collect();
            idx.sort_by(|&a, &b| l[a].cmp(&l[b]));
            idx
        })
        .collect();
    // tables[item]: one per form containing the item.
    let mut tables: Vec<Vec<OptionTable>> = (0..n_items).map(|_| Vec::new()).collect();
    for block in matrix.blocks() {
        for (col, table) in block_tables(matrix, block, choices, &labels)
            .into_iter()
            .enumerate()
        {
            tables[block.items()[col]].push(table);
        }
    }
    let mut out = Vec::with_capacity(n_items);
    for item in 0..n_items {
        let key_index = labels[item]
            .iter()
            .position(|l| *l == keys[item])
            .unwrap_or(0);
        let mut options = Vec::new();
        let no_answer = labels[item].len();
        order[item].push(no_answer);
        for &o in &order[item] {
            let choice = if o == no_answer {
                Choice::NoAnswer
            } else {
                Choice::Option(labels[item][o].clone())
            };
            let stats = option_statistics(&tables[item], o, choice, o == key_index);
            if o == no_answer && stats.n == 0 {
                continue;
            }
            options.push(stats);
        }
        let n_presented = tables[item]
            .iter()
            .map(|t| t.level_counts.iter().sum::<u64>())
            .sum();
        let flags = distractor_flags(&options, thresholds);
        out.push(ItemDistractors {
            id: matrix.items()[item].clone(),
            key: keys[item].clone(),
            n_presented,
            options,
            flags,
        });
    }
    Ok(out)
}

/// One pass over a block: the option tables of its items.
fn block_tables(
    matrix: &ResponseMatrix,
    block: &exam_core::responses::Block,
    choices: &Choices,
    labels: &[Vec<String>],
) -> Vec<OptionTable> {
    let n_items = matrix.n_items();
    let levels = 1 + block
        .items()
        .iter()
        .map(|&i| usize::from(matrix.max_scores()[i]))
        .sum::<usize>();
    let options: Vec<usize> = block.items().iter().map(|&i| labels[i].len() + 1).collect();
    // Item `col`'s options start at option_offsets[col] in a row of
    // `per_level` counters; one such row per score level, so a person's
    // increments all land in one small, contiguous row.
    let mut option_offsets = Vec::with_capacity(options.len());
    let mut per_level = 0;
    for &o in &options {
        option_offsets.push(per_level);
        per_level += o;
    }
    // Per level: `per_level` person counters, then `per_level` item-score sums.
    let stride = 2 * per_level;
    let mut counts = vec![0u64; stride * levels];
    let mut level_counts = vec![0u64; levels];
    let polytomous = block.items().iter().any(|&i| matrix.max_scores()[i] > 1);
    let mut score_squares = vec![0u64; per_level];
    for (row, &person) in block.persons().iter().enumerate() {
        let scores = block.row(row);
        let total: usize = scores.iter().map(|&x| usize::from(x)).sum();
        level_counts[total] += 1;
        let person_choices = &choices.cells[person * n_items..(person + 1) * n_items];
        let (level_counts_row, level_scores_row) =
            counts[total * stride..(total + 1) * stride].split_at_mut(per_level);
        for (col, (&item, &x)) in block.items().iter().zip(scores).enumerate() {
            let code = person_choices[item];
            let option = if code == NO_CHOICE {
                options[col] - 1
            } else {
                usize::from(code)
            };
            let o = option_offsets[col] + option;
            level_counts_row[o] += 1;
            // Branch-free: a zero score adds zero.
            level_scores_row[o] += u64::from(x);
            if polytomous {
                score_squares[o] += u64::from(x) * u64::from(x);
            }
        }
    }
    (0..options.len())
        .map(|col| {
            let base = option_offsets[col];
            let n_options = options[col];
            let mut item_counts = vec![0u64; n_options * levels];
            let mut score_sum = vec![0u64; n_options];
            let mut score_total = vec![0u64; n_options];
            for option in 0..n_options {
                for level in 0..levels {
                    let at = level * stride + base + option;
                    item_counts[option * levels + level] = counts[at];
                    let x = counts[at + per_level];
                    score_sum[option] += x;
                    score_total[option] += x * level as u64;
                }
            }
            let score_squares = if polytomous {
                score_squares[base..base + n_options].to_vec()
            } else {
                score_sum.clone()
            };
            OptionTable {
                counts: item_counts,
                levels,
                score_sum,
                score_squares,
                score_total,
                level_counts: level_counts.clone(),
            }
        })
        .collect()
}

fn check_shapes(
    matrix: &ResponseMatrix,
    choices: &Choices,
    keys: &[String],
) -> Result<(), DistractorError> {
    if choices.items.len() != matrix.n_items() {
        return Err(DistractorError::SizeMismatch {
            what: "items",
            choices: choices.items.len(),
            matrix: matrix.n_items(),
        });
    }
    if choices.n_persons != matrix.n_persons() {
        return Err(DistractorError::SizeMismatch {
            what: "persons",
            choices: choices.n_persons,
            matrix: matrix.n_persons(),
        });
    }
    if let Some(index) = choices
        .items
        .iter()
        .zip(matrix.items())
        .position(|(a, b)| a != b)
    {
        return Err(DistractorError::ItemMismatch {
            index,
            choices: choices.items[index].to_string(),
            matrix: matrix.items()[index].to_string(),
        });
    }
    if keys.len() != matrix.n_items() {
        return Err(DistractorError::KeyCount {
            expected: matrix.n_items(),
            found: keys.len(),
        });
    }
    Ok(())
}

fn option_statistics(
    tables: &[OptionTable],
    option: usize,
    choice: Choice,
    is_key: bool,
) -> OptionStatistics {
    let mut undefined = Undefined::default();
    let mut n_total = 0.0;
    let mut n_option = 0.0;
    let mut total_sum = 0.0;
    let (mut sp, mut ss_ind, mut ss_rest) = (0.0, 0.0, 0.0);
    let mut quintiles = [0.0f64; GROUPS];
    let mut group_size = 0.0;
    for t in tables {
        let nf: f64 = t.level_counts.iter().sum::<u64>() as f64;
        if nf == 0.0 {
            continue;
        }
        let counts = t.option_counts(option);
        let no: f64 = counts.iter().sum::<u64>() as f64;
        // Rest-score moments over all persons of the form and over the choosers.
        let (mut rest_sum, mut rest_squares) = (0.0, 0.0);
        for o in 0..t.score_sum.len() {
            let (s, q) = rest_moments(t, o);
            rest_sum += s;
            rest_squares += q;
        }
        let (chooser_rest, _) = rest_moments(t, option);
        sp += chooser_rest - no * rest_sum / nf;
        ss_ind += no * (nf - no) / nf;
        ss_rest += rest_squares - rest_sum * rest_sum / nf;
        n_total += nf;
        n_option += no;
        total_sum += counts
            .iter()
            .enumerate()
            .map(|(level, &c)| level as f64 * c as f64)
            .sum::<f64>();
        for (q, share) in quintiles.iter_mut().enumerate() {
            *share += group_count(&t.level_counts, counts, q, nf);
        }
        group_size += nf / GROUPS as f64;
    }
    let proportion = if n_total > 0.0 {
        Ok(n_option / n_total)
    } else {
        Err(Reason::NoPersons)
    };
    let mean_score = if n_option > 0.0 {
        Ok(total_sum / n_option)
    } else {
        Err(Reason::NoPersons)
    };
    let r = if n_total < 2.0 {
        Err(Reason::TooFewPersons)
    } else {
        crate::moments::correlation(sp, ss_ind, ss_rest, Reason::ConstantRest)
    };
    OptionStatistics {
        choice,
        is_key,
        n: n_option as u64,
        proportion: undefined.take(Statistic::OptionProportion, proportion),
        mean_score: undefined.take(Statistic::OptionMeanScore, mean_score),
        point_biserial: undefined.take(Statistic::OptionPointBiserial, r),
        quintile_proportions: if group_size > 0.0 {
            quintiles.iter().map(|q| q / group_size).collect()
        } else {
            Vec::new()
        },
        undefined,
    }
}

/// Sum and sum of squares of the rest score (total minus item score) of
/// the persons who chose `option`, from the level table.
fn rest_moments(t: &OptionTable, option: usize) -> (f64, f64) {
    let (mut count_total, mut count_total_sq) = (0.0, 0.0);
    for (level, &c) in t.option_counts(option).iter().enumerate() {
        let l = level as f64;
        count_total += l * c as f64;
        count_total_sq += l * l * c as f64;
    }
    // sum (T - x) and sum (T - x)^2 = sum T^2 - 2 sum T x + sum x^2
    let sum = count_total - t.score_sum[option] as f64;
    let squares =
        count_total_sq - 2.0 * t.score_total[option] as f64 + t.score_squares[option] as f64;
    (sum, squares)
}

/// The (fractional) number of choosers in score group `q` of a form with
/// `n` persons: the group covers ranks `[q n/5, (q+1) n/5)` from the lowest.
fn group_count(level_counts: &[u64], option_counts: &[u64], q: usize, n: f64) -> f64 {
    let lo = q as f64 * n / GROUPS as f64;
    let hi = (q + 1) as f64 * n / GROUPS as f64;
    let mut below = 0.0;
    let mut out = 0.0;
    for (&c, &o) in level_counts.iter().zip(option_counts) {
        let c = c as f64;
        if c > 0.0 {
            let overlap = (hi.min(below + c) - lo.max(below)).max(0.0);
            out += o as f64 * overlap / c;
        }
        below += c;
    }
    out
}

/// The quantile-plot data of scored responses, where the options chosen
/// are not known: per item, the mean item score as a proportion of its
/// maximum (the proportion correct for a 0/1 item) in each fifth of the
/// persons by total score, lowest first. The groups are those of
/// [`OptionStatistics::quintile_proportions`]: exactly a fifth of each
/// form's persons, boundary ties counted fractionally, pooled across forms.
/// Empty for an item nobody was presented.
pub fn score_group_proportions(summary: &crate::Summary) -> Vec<Vec<f64>> {
    let n_items = summary.items().len();
    let mut sums = vec![[0.0f64; GROUPS]; n_items];
    let mut group_size = vec![0.0f64; n_items];
    for form in summary.forms() {
        let nf = form.n_persons() as f64;
        if nf == 0.0 {
            continue;
        }
        let levels = form.score_counts();
        for (col, &item) in form.items().iter().enumerate() {
            let mut item_sums = vec![0u64; levels.len()];
            for (t, row) in form.level_rows() {
                item_sums[t] = row[col];
            }
            for (q, sum) in sums[item].iter_mut().enumerate() {
                *sum += group_count(levels, &item_sums, q, nf);
            }
            group_size[item] += nf / GROUPS as f64;
        }
    }
    sums.iter()
        .zip(&group_size)
        .zip(summary.max_scores())
        .map(|((s, &size), &max)| {
            if size > 0.0 && max > 0 {
                s.iter().map(|x| x / (size * f64::from(max))).collect()
            } else {
                Vec::new()
            }
        })
        .collect()
}

fn distractor_flags(options: &[OptionStatistics], thresholds: &FlagThresholds) -> Vec<Flag> {
    let key_r = options
        .iter()
        .find(|o| o.is_key)
        .and_then(|o| o.point_biserial);
    let mut flags = Vec::new();
    for o in options {
        let Choice::Option(label) = &o.choice else {
            continue;
        };
        if o.is_key {
            continue;
        }
        if let Some(r) = o.point_biserial {
            if r > 0.0 && key_r.is_none_or(|k| r > k) {
                flags.push(Flag::PossibleMiskey {
                    option: label.clone(),
                });
            }
        }
        if o.proportion
            .is_some_and(|p| p < thresholds.distractor_min_proportion)
        {
            flags.push(Flag::NonFunctioningDistractor {
                option: label.clone(),
            });
        }
    }
    flags
}

#[cfg(test)]
mod tests {
    use super::*;
    use exam_core::responses::CsvOptions;

    #[test]
    fn score_groups_of_five_distinct_totals_are_the_persons_item_scores() {
        // Totals 0..4, one person per fifth: each group's proportion is
        // that person's score on the item.
        let csv = "id,A,B,C,D\np0,0,0,0,0\np1,1,0,0,0\np2,1,1,0,0\np3,1,1,1,0\np4,1,1,1,1\n";
        let matrix = ResponseMatrix::from_csv(csv.as_bytes(), "t", CsvOptions::default()).unwrap();
        let groups = score_group_proportions(&crate::Summary::of(&matrix));
        assert_eq!(groups[0], vec![0.0, 1.0, 1.0, 1.0, 1.0]);
        assert_eq!(groups[3], vec![0.0, 0.0, 0.0, 0.0, 1.0]);
    }

    #[test]
    fn score_groups_equal_the_keys_quintiles_of_the_distractor_analysis() {
        // Ties at the group boundaries, two forms: the key's row of the
        // option analysis is the same curve.
        let csv = "id,A,B,C\np0,1,0,\np1,0,0,\np2,1,1,\np3,1,0,\np4,0,1,\np5,1,1,\n\
                   p6,1,,0\np7,0,,1\np8,1,,1\np9,0,,0\np10,1,,1\n";
        let matrix = ResponseMatrix::from_csv(csv.as_bytes(), "t", CsvOptions::default()).unwrap();
        let mut choices = Choices::new(matrix.items().to_vec());
        for p in 0..matrix.n_persons() {
            let row: Vec<Option<&str>> = (0..matrix.n_items())
                .map(|i| match matrix.cell(p, i) {
                    exam_core::responses::Cell::Score(1) => Some("right"),
                    exam_core::responses::Cell::NotPresented => None,
                    _ => Some("wrong"),
                })
                .collect();
            choices.push(&row).unwrap();
        }
        let keys = vec!["right".to_owned(); 3];
        let options = distractors(&matrix, &choices, &keys, &FlagThresholds::default()).unwrap();
        let groups = score_group_proportions(&crate::Summary::of(&matrix));
        for (item, d) in options.iter().enumerate() {
            let key = d.options.iter().find(|o| o.is_key).unwrap();
            assert_eq!(groups[item].len(), 5);
            for (a, b) in groups[item].iter().zip(&key.quintile_proportions) {
                assert!((a - b).abs() < 1e-12, "item {item}: {a} vs {b}");
            }
        }
    }
}
