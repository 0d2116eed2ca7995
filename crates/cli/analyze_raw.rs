//! `exam analyze --raw FILE --forms FILE`: raw responses scored against the
//! forms' scoring keys (see [`exam_export::raw_responses`]), for the item
//! analysis and the distractor analysis.

use crate::forms_input::{build_scorer, read_forms};
use anyhow::Context;
use exam_export::core::submission::Submission;
use exam_export::raw_csv::RawCsvReader;
use exam_export::raw_responses::{RawResponses, RawResponsesBuilder};
use exam_export::scoring::rules::ScoringRules;
use std::collections::HashMap;
use std::io::{self, Read};
use std::path::Path;

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
    let mut built = RawResponsesBuilder::new(&forms_and_keys, &scorer)
        .with_context(|| format!("{name}: cannot build matrix ({})", forms.display()))?;
    let mut submission = Submission::new("", "");
    while rows
        .read_into(&mut submission)
        .with_context(|| format!("{name}: bad raw response CSV"))?
    {
        let line = rows.line();
        built
            .push(&submission)
            .with_context(|| format!("{name}, line {line}"))?;
    }
    Ok(built.finish())
}
