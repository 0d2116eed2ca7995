//! Rescoring changes: the JSON document of `exam rescore` (old and new
//! rules, counts, every candidate whose score or decision changed) and the
//! changes as CSV or a table.

use crate::FormatError;
use crate::csv_table::{self, Record};
use crate::json;
use crate::score_reports::{decision_cell, parse_decision, rows_table};
use exam_core::ids::{CandidateId, FormId};
use exam_scoring::rescore::ScoreChange;
use serde::{Deserialize, Serialize};
use std::io::{Read, Write};

/// The outcome of a rescoring as `exam rescore` reports it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RescoreDocument {
    /// The rules first applied: `<id> <version>`.
    pub old_rules: String,
    /// The corrected rules: `<id> <version>`.
    pub new_rules: String,
    /// Submissions rescored.
    pub rescored: usize,
    /// Candidates whose pass/fail decision changed.
    pub decisions_changed: usize,
    /// Every candidate whose result changed.
    pub changes: Vec<ScoreChange>,
}

impl RescoreDocument {
    /// Writes the document as pretty JSON with a trailing newline.
    pub fn write(&self, out: impl Write, name: &str) -> Result<(), FormatError> {
        json::write_pretty(out, self, name)
    }

    /// Reads a document.
    pub fn read(input: impl Read, name: &str) -> Result<Self, FormatError> {
        json::read(input, name, "a rescoring document")
    }

    /// The one-line account printed under the table.
    pub fn account(&self) -> String {
        format!(
            "{} rescored ({} → {}); {} changed, {} decision(s) changed",
            self.rescored,
            self.old_rules,
            self.new_rules,
            self.changes.len(),
            self.decisions_changed
        )
    }
}

/// The columns of the changes table.
pub const CHANGES_HEADER: [&str; 8] = [
    "candidate",
    "form",
    "old_raw",
    "new_raw",
    "old_scaled",
    "new_scaled",
    "old_decision",
    "new_decision",
];

/// A change's cells: raw scores as `raw/max` (2 decimals), scaled scores,
/// decisions `pass`/`fail`; absent values empty.
pub fn change_cells(c: &ScoreChange) -> [String; 8] {
    let scaled = |s: Option<i64>| s.map_or(String::new(), |v| v.to_string());
    [
        c.candidate.to_string(),
        c.form.to_string(),
        format!("{:.2}/{:.2}", c.old_raw, c.old_max),
        format!("{:.2}/{:.2}", c.new_raw, c.new_max),
        scaled(c.old_scaled),
        scaled(c.new_scaled),
        decision_cell(c.old_passed),
        decision_cell(c.new_passed),
    ]
}

fn raw_and_max(r: &Record<'_>, c: usize) -> Result<(f64, f64), FormatError> {
    let expected = "`raw/max`";
    let (raw, max) = r
        .text(c)
        .split_once('/')
        .ok_or_else(|| r.bad(c, expected))?;
    match (raw.parse(), max.parse()) {
        (Ok(raw), Ok(max)) => Ok((raw, max)),
        _ => Err(r.bad(c, expected)),
    }
}

fn change_from_record(r: &Record<'_>) -> Result<ScoreChange, FormatError> {
    let (old_raw, old_max) = raw_and_max(r, 2)?;
    let (new_raw, new_max) = raw_and_max(r, 3)?;
    Ok(ScoreChange {
        candidate: CandidateId::new(r.text(0)),
        form: FormId::new(r.text(1)),
        old_raw,
        new_raw,
        old_max,
        new_max,
        old_scaled: r.optional(4, "an integer")?,
        new_scaled: r.optional(5, "an integer")?,
        old_passed: parse_decision(r, 6)?,
        new_passed: parse_decision(r, 7)?,
    })
}

/// Writes the changes as CSV.
pub fn write_changes_csv(
    out: impl Write,
    changes: &[ScoreChange],
    name: &str,
) -> Result<(), FormatError> {
    csv_table::write(out, &CHANGES_HEADER, changes.iter().map(change_cells), name)?;
    Ok(())
}

/// Reads the changes CSV back.
pub fn read_changes_csv(input: impl Read, name: &str) -> Result<Vec<ScoreChange>, FormatError> {
    csv_table::read(input, name, &CHANGES_HEADER, change_from_record)
}

/// The changes as a table.
pub fn changes_table(changes: &[ScoreChange]) -> String {
    rows_table(&CHANGES_HEADER, changes.iter().map(change_cells))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn change() -> impl Strategy<Value = ScoreChange> {
        (
            "[A-Za-z0-9,\"][A-Za-z0-9,\" ]{0,5}",
            (0u32..4000, 1u32..4000, 0u32..4000, 1u32..4000),
            proptest::option::of((-500i64..500, -500i64..500)),
            proptest::option::of((any::<bool>(), any::<bool>())),
        )
            .prop_map(|(candidate, (a, b, c, d), scaled, passed)| ScoreChange {
                candidate: CandidateId::new(candidate),
                form: FormId::new("F1"),
                old_raw: f64::from(a) / 100.0,
                old_max: f64::from(b) / 100.0,
                new_raw: f64::from(c) / 100.0,
                new_max: f64::from(d) / 100.0,
                old_scaled: scaled.map(|s| s.0),
                new_scaled: scaled.map(|s| s.1),
                old_passed: passed.map(|p| p.0),
                new_passed: passed.map(|p| p.1),
            })
    }

    proptest! {
        #[test]
        fn changes_of_two_decimals_read_back_equal(changes in proptest::collection::vec(change(), 0..6)) {
            let mut bytes = Vec::new();
            write_changes_csv(&mut bytes, &changes, "c.csv").unwrap();
            prop_assert_eq!(read_changes_csv(bytes.as_slice(), "c.csv").unwrap(), changes);
        }

        #[test]
        fn documents_read_back_equal(changes in proptest::collection::vec(change(), 0..4), rescored in 0usize..100) {
            let doc = RescoreDocument {
                old_rules: "r 1".into(),
                new_rules: "r 2".into(),
                rescored,
                decisions_changed: changes.iter().filter(|c| c.decision_changed()).count(),
                changes,
            };
            let mut bytes = Vec::new();
            doc.write(&mut bytes, "r.json").unwrap();
            prop_assert_eq!(RescoreDocument::read(bytes.as_slice(), "r.json").unwrap(), doc);
        }
    }
}
