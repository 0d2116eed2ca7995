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
use exam_stats::distractors::{Choice, Choices, ItemDistractors, distractors};
use exam_stats::flags::{Flag, FlagThresholds};
use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::path::Path;

/// What the distractor analysis covers, as printed with its results.
pub const SCOPE: &str = "single-choice items only (multiple-response, ordering and matching \
     answers are combinations of options: those items have item statistics only)";

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
    let mut submission = Submission::new("", "");
    while rows
        .read_into(&mut submission)
        .with_context(|| format!("{name}: bad raw response CSV"))?
    {
        let line = rows.line();
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

fn fmt(value: Option<f64>) -> String {
    value.map_or_else(|| "-".to_owned(), |v| format!("{v:.3}"))
}

/// The option label as printed: `(none)` for presented but unanswered.
fn label(choice: &Choice) -> &str {
    match choice {
        Choice::Option(label) => label,
        Choice::NoAnswer => "(none)",
    }
}

/// The flags of an item that name `option`.
fn option_flags(item: &ItemDistractors, option: &Choice) -> String {
    let Choice::Option(label) = option else {
        return String::new();
    };
    item.flags
        .iter()
        .filter(|f| match f {
            Flag::PossibleMiskey { option } | Flag::NonFunctioningDistractor { option } => {
                option == label
            }
            _ => false,
        })
        .map(|f| match f {
            Flag::PossibleMiskey { .. } => "possible_miskey",
            _ => "non_functioning",
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The distractor table: per item, one row per option (the key marked `*`).
pub fn print_table(out: &mut impl Write, items: &[ItemDistractors]) -> io::Result<()> {
    writeln!(out, "distractors: {SCOPE}")?;
    writeln!(
        out,
        "p: proportion choosing; mean: their mean total score; r_pb: option vs rest score; q1-q5: proportion choosing in each fifth by total score, lowest first"
    )?;
    let width = items
        .iter()
        .map(|i| i.id.as_str().len())
        .max()
        .unwrap_or(4)
        .max(4);
    let option_width = items
        .iter()
        .flat_map(|i| &i.options)
        .map(|o| label(&o.choice).len())
        .max()
        .unwrap_or(6)
        .max(6);
    writeln!(
        out,
        "{:<width$} {:<option_width$} {:>3} {:>7} {:>6} {:>7} {:>7} {:>6} {:>6} {:>6} {:>6} {:>6}  flags",
        "item", "option", "key", "n", "p", "mean", "r_pb", "q1", "q2", "q3", "q4", "q5"
    )?;
    for item in items {
        for (i, o) in item.options.iter().enumerate() {
            let quintiles: Vec<String> = (0..5)
                .map(|q| fmt(o.quintile_proportions.get(q).copied()))
                .collect();
            let line = format!(
                "{:<width$} {:<option_width$} {:>3} {:>7} {:>6} {:>7} {:>7} {:>6} {:>6} {:>6} {:>6} {:>6}  {}",
                if i == 0 { item.id.as_str() } else { "" },
                label(&o.choice),
                if o.is_key { "*" } else { "" },
                o.n,
                fmt(o.proportion),
                fmt(o.mean_score),
                fmt(o.point_biserial),
                quintiles[0],
                quintiles[1],
                quintiles[2],
                quintiles[3],
                quintiles[4],
                option_flags(item, &o.choice),
            );
            writeln!(out, "{}", line.trim_end())?;
        }
    }
    Ok(())
}

/// The distractor table as CSV: one row per item and option; an empty
/// `option` is "presented, no answer".
pub fn print_csv(out: impl Write, items: &[ItemDistractors]) -> anyhow::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "item",
        "option",
        "is_key",
        "n",
        "proportion",
        "mean_score",
        "point_biserial",
        "q1",
        "q2",
        "q3",
        "q4",
        "q5",
        "flags",
    ])?;
    let num = |v: Option<f64>| v.map_or_else(String::new, |v| v.to_string());
    for item in items {
        for o in &item.options {
            let mut record = vec![
                item.id.to_string(),
                match &o.choice {
                    Choice::Option(label) => label.clone(),
                    Choice::NoAnswer => String::new(),
                },
                o.is_key.to_string(),
                o.n.to_string(),
                num(o.proportion),
                num(o.mean_score),
                num(o.point_biserial),
            ];
            record.extend((0..5).map(|q| num(o.quintile_proportions.get(q).copied())));
            record.push(option_flags(item, &o.choice));
            w.write_record(&record)?;
        }
    }
    w.flush()?;
    Ok(())
}
