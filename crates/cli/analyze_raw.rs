//! `exam analyze --raw FILE --forms FILE`: raw responses scored against the
//! forms' scoring keys, for the item analysis and the distractor analysis.
//!
//! The submissions are scored under the default rules (all-or-nothing,
//! pretest items included: they are delivered to be analysed) into the
//! scored response matrix of [`exam_scoring::matrix`]: items not on a
//! candidate's form are not presented, omitted items are omitted (scored
//! 0). The option each candidate chose is kept for the distractor analysis
//! of the **single-choice** items, the only kind whose answer is one
//! option. Multiple-response, ordering and matching answers are
//! combinations of options; those items get the item statistics but no
//! distractor table.

use crate::forms_input::{build_scorer, read_forms};
use anyhow::{Context, bail};
use exam_core::form::AnswerKey;
use exam_core::ids::{FormId, ItemId};
use exam_core::responses::ResponseMatrix;
use exam_core::submission::{Answer, Submission};
use exam_scoring::matrix::ScoredMatrixBuilder;
use exam_scoring::raw_csv::RawCsvReader;
use exam_scoring::rules::ScoringRules;
use exam_stats::distractors::{Choices, ItemDistractors, distractors};
use exam_stats::flags::FlagThresholds;
use std::collections::{HashMap, HashSet};
use std::io::{self, Read};
use std::path::Path;

/// Raw responses read and scored.
pub struct RawResponses {
    /// The scored response matrix (pretest items included).
    pub matrix: ResponseMatrix,
    /// The option each candidate chose on each single-choice item.
    choices: Choices,
    /// Per matrix item: the key's option, for single-choice items.
    keys: Vec<Option<String>>,
}

impl RawResponses {
    /// The distractor analysis of the single-choice items, in matrix order.
    pub fn distractors(&self, thresholds: &FlagThresholds) -> anyhow::Result<Vec<ItemDistractors>> {
        // The other kinds have no one-option key; their (empty) choices are
        // analysed under a placeholder key and left out of the result.
        let keys: Vec<String> = self
            .keys
            .iter()
            .map(|k| k.clone().unwrap_or_default())
            .collect();
        let all = distractors(&self.matrix, &self.choices, &keys, thresholds)?;
        Ok(all
            .into_iter()
            .zip(&self.keys)
            .filter(|(_, key)| key.is_some())
            .map(|(d, _)| d)
            .collect())
    }
}

/// Reads the raw response CSV `raw` (through `reader`) against the forms
/// file `forms`, and scores it row by row into the matrix and the chosen
/// options (no submission is kept). Errors name the file, and the line,
/// candidate and item where there is one.
pub fn read_raw(raw: &Path, reader: impl Read, forms: &Path) -> anyhow::Result<RawResponses> {
    let name = raw.display();
    let forms_and_keys = read_forms(forms)?;
    let scorer = build_scorer(
        &forms_and_keys,
        &ScoringRules::default(),
        &HashMap::new(),
        forms,
    )?;
    let mut rows = RawCsvReader::new(io::BufReader::new(reader), &scorer)
        .with_context(|| format!("{name}: bad raw response CSV"))?;
    let mut matrix = ScoredMatrixBuilder::new(&scorer)
        .with_context(|| format!("{name}: cannot build matrix"))?;
    let keys = single_choice_keys(&forms_and_keys, matrix.items(), forms)?;
    let column: HashMap<ItemId, usize> = matrix
        .items()
        .iter()
        .enumerate()
        .map(|(i, id)| (id.clone(), i))
        .collect();
    let mut choices = declared_options(matrix.items(), &column, &keys, &forms_and_keys)?;
    let mut seen = HashSet::new();
    let mut submission = Submission::new("", "");
    while rows
        .read_into(&mut submission)
        .with_context(|| format!("{name}: bad raw response CSV"))?
    {
        let line = rows.line();
        if !seen.insert(submission.candidate.clone()) {
            bail!(
                "{name}, line {line}: candidate {} appears more than once",
                submission.candidate
            );
        }
        let scored = scorer
            .score(&submission)
            .with_context(|| format!("{name}, line {line}"))?;
        matrix
            .push(&scored)
            .with_context(|| format!("{name}: cannot build matrix"))?;
        choices.push(&chosen_options(&column, &keys, &submission))?;
    }
    Ok(RawResponses {
        matrix: matrix.build(),
        choices,
        keys,
    })
}

/// The key option of every single-choice item of `items` (`None` for the
/// other kinds). An item keyed differently on two forms is an error: its
/// options could not be pooled.
fn single_choice_keys(
    forms_and_keys: &[(exam_core::form::Form, exam_core::form::ScoringKey)],
    items: &[ItemId],
    forms: &Path,
) -> anyhow::Result<Vec<Option<String>>> {
    let mut by_item: HashMap<&ItemId, (&AnswerKey, &FormId)> = HashMap::new();
    for (_, key) in forms_and_keys {
        for entry in &key.entries {
            match by_item.get(&entry.item) {
                Some((other, form)) if **other != entry.key => bail!(
                    "{}: item `{}` is keyed differently on forms {} and {}; its options cannot be analysed together",
                    forms.display(),
                    entry.item,
                    form,
                    key.form
                ),
                Some(_) => {}
                None => {
                    by_item.insert(&entry.item, (&entry.key, &key.form));
                }
            }
        }
    }
    Ok(items
        .iter()
        .map(|item| match by_item.get(item) {
            Some((AnswerKey::SingleChoice { option }, _)) => Some(option.to_string()),
            _ => None,
        })
        .collect())
}

/// No choices yet, with every option the forms deliver on the
/// single-choice items declared (so an option nobody chose is reported).
fn declared_options(
    items: &[ItemId],
    column: &HashMap<ItemId, usize>,
    keys: &[Option<String>],
    forms_and_keys: &[(exam_core::form::Form, exam_core::form::ScoringKey)],
) -> anyhow::Result<Choices> {
    let mut choices = Choices::new(items.to_vec());
    for (form, _) in forms_and_keys {
        for slot in &form.slots {
            let Some(&c) = column.get(&slot.item) else {
                continue;
            };
            if keys[c].is_some() {
                for option in &slot.option_order {
                    choices.add_option(c, option.as_str())?;
                }
            }
        }
    }
    Ok(choices)
}

/// The option a candidate chose on each single-choice item (`None` for
/// the other items). The answers were checked when they were scored.
fn chosen_options<'a>(
    column: &HashMap<ItemId, usize>,
    keys: &[Option<String>],
    submission: &'a Submission,
) -> Vec<Option<&'a str>> {
    let mut row: Vec<Option<&str>> = vec![None; keys.len()];
    for answer in &submission.answers {
        let Some(&c) = column.get(&answer.item) else {
            continue;
        };
        if let (Some(_), Answer::Selected(selected)) = (&keys[c], &answer.answer) {
            if let [one] = selected.as_slice() {
                row[c] = Some(one.as_str());
            }
        }
    }
    row
}
