//! `exam analyze --raw FILE --forms FILE`: raw responses scored against the
//! forms' scoring keys, for the item analysis and the distractor analysis.
//!
//! The submissions are scored under the default rules (all-or-nothing,
//! pretest items included: they are delivered to be analysed) into the
//! scored response matrix of [`exam_export::scoring::matrix`]: items not on a
//! candidate's form are not presented, omitted items are omitted (scored
//! 0). The option each candidate chose is kept for the distractor analysis
//! of the **single-choice** items, the only kind whose answer is one
//! option. Multiple-response, ordering and matching answers are
//! combinations of options; those items get the item statistics but no
//! distractor table.

use crate::forms_input::{build_scorer, read_forms};
use anyhow::Context;
use exam_export::core::ids::OptionId;
use exam_export::core::responses::ResponseMatrix;
use exam_export::core::submission::Submission;
use exam_export::scoring::matrix::ScoredMatrixBuilder;
use exam_export::scoring::raw_csv::RawCsvReader;
use exam_export::scoring::rules::ScoringRules;
use exam_export::scoring::single_choice::SingleChoiceOptions;
use exam_export::stats::distractors::{Choices, ItemDistractors, distractors};
use exam_export::stats::flags::FlagThresholds;
use std::collections::HashMap;
use std::io::{self, Read};
use std::path::Path;

/// Raw responses read and scored.
pub struct RawResponses {
    /// The scored response matrix (pretest items included).
    pub matrix: ResponseMatrix,
    /// The option each candidate chose on each single-choice item.
    choices: Choices,
    /// Per matrix item: the key's option, for single-choice items.
    keys: Vec<Option<OptionId>>,
}

impl RawResponses {
    /// The distractor analysis of the single-choice items, in matrix order.
    pub fn distractors(&self, thresholds: &FlagThresholds) -> anyhow::Result<Vec<ItemDistractors>> {
        // The other kinds have no one-option key; their (empty) choices are
        // analysed under a placeholder key and left out of the result.
        let keys: Vec<String> = self
            .keys
            .iter()
            .map(|k| k.as_ref().map_or_else(String::new, ToString::to_string))
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
    let pooled = SingleChoiceOptions::new(&forms_and_keys, matrix.items())
        .with_context(|| forms.display().to_string())?;
    let mut choices = Choices::new(matrix.items().to_vec());
    for (c, options) in pooled.options().iter().enumerate() {
        for option in options {
            choices.add_option(c, option.as_str())?;
        }
    }
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
        let chosen: Vec<Option<&str>> = pooled
            .chosen(&submission)
            .into_iter()
            .map(|o| o.map(OptionId::as_str))
            .collect();
        choices.push(&chosen)?;
    }
    Ok(RawResponses {
        matrix: matrix.build(),
        choices,
        keys: pooled.keys().to_vec(),
    })
}
