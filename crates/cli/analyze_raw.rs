//! `exam analyze --raw FILE --forms FILE`: raw responses scored against the
//! forms' scoring keys (see [`exam_export::raw_responses`]), for the item
//! analysis and the distractor analysis.

use crate::forms_input::{build_scorer, read_forms};
use exam_export::raw_responses::RawResponses;
use exam_export::scoring::rules::ScoringRules;
use std::collections::HashMap;
use std::io::{self, Read};
use std::path::Path;

/// Reads the raw response CSV `raw` (through `reader`) against the forms
/// file `forms`, and scores it row by row into the matrix and the chosen
/// options (no submission is kept). Errors name the file, and the line,
/// candidate and item where there is one.
pub fn read_raw(raw: &Path, reader: impl Read, forms: &Path) -> anyhow::Result<RawResponses> {
    let forms_and_keys = read_forms(forms)?;
    let scorer = build_scorer(
        &forms_and_keys,
        &ScoringRules::default(),
        &HashMap::new(),
        forms,
    )?;
    Ok(RawResponses::read_csv(
        io::BufReader::new(reader),
        &raw.display().to_string(),
        &forms_and_keys,
        &forms.display().to_string(),
        &scorer,
    )?)
}
