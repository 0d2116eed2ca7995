//! The raw response CSV: one row per candidate, the answers as option ids.
//!
//! Header `candidate,form,<item ids...>`; one column per item of any form.
//! A cell holds, by the item's kind:
//!
//! - single choice: the option id (`B`);
//! - multiple response: the selected option ids joined by `|` (`A|C|E`);
//! - ordering: the option ids in the candidate's order, joined by `|`;
//! - matching: `prompt=option` pairs joined by `|` (`P1=O2|P2=O1`);
//! - empty: the item was omitted when it is on the candidate's form, and
//!   not presented when it is not.
//!
//! A not-reached item cannot be told from an omitted one in this format;
//! JSON submissions carry the difference. The item kinds come from the
//! forms' scoring keys, so the same cell syntax serves every kind. Reading
//! checks the structure (header, form, columns); [`exam_scoring::keyed`]
//! checks the answers themselves when they are scored. Lines in messages
//! are physical lines (a row's first line), for LF and CRLF files alike.

use crate::csv_lines::LineTracked;
use exam_core::ids::{CandidateId, FormId, ItemId, OptionId};
use exam_core::item::{ItemKind, MatchPair};
use exam_core::submission::{Answer, ItemAnswer, Submission};
use exam_scoring::keyed::Scorer;
use std::collections::{HashMap, HashSet};
use std::io::{Read, Write};

/// Why a raw response file could not be read or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RawCsvError {
    /// The CSV itself is malformed.
    #[error("CSV: {0}")]
    Csv(#[from] csv::Error),
    /// The header does not start with `candidate,form`.
    #[error("the header must start with `candidate,form`, found `{0}`")]
    Header(String),
    /// An item column appears twice.
    #[error("item `{0}` has two columns")]
    DuplicateColumn(ItemId),
    /// A row names a form none of the forms is.
    #[error("line {line}: candidate {candidate}: unknown form {form}")]
    UnknownForm {
        /// 1-based line.
        line: u64,
        /// The candidate.
        candidate: CandidateId,
        /// The form.
        form: FormId,
    },
    /// A row has an answer to an item that is not on its form.
    #[error(
        "line {line}: candidate {candidate}: answer `{cell}` to item `{item}`, which is not on form {form}"
    )]
    ItemNotOnForm {
        /// 1-based line.
        line: u64,
        /// The candidate.
        candidate: CandidateId,
        /// The form.
        form: FormId,
        /// The item.
        item: ItemId,
        /// The cell.
        cell: String,
    },
    /// A matching cell entry without `=`.
    #[error(
        "line {line}: candidate {candidate}, item `{item}`: `{entry}` is not a prompt=option pair"
    )]
    BadPair {
        /// 1-based line.
        line: u64,
        /// The candidate.
        candidate: CandidateId,
        /// The item.
        item: ItemId,
        /// The entry.
        entry: String,
    },
    /// An item of a form has no column, so its answers cannot be known.
    #[error("item `{item}` of form {form} has no column")]
    MissingColumn {
        /// The form.
        form: FormId,
        /// The item.
        item: ItemId,
    },
    /// Two rows carry the same candidate.
    #[error(
        "line {line}: candidate {candidate} appears more than once (first on line {first_line})"
    )]
    DuplicateCandidate {
        /// 1-based line of the repeat.
        line: u64,
        /// 1-based line of the first occurrence.
        first_line: u64,
        /// The candidate.
        candidate: CandidateId,
    },
    /// A row has an empty candidate id.
    #[error("line {line}: empty candidate id")]
    EmptyCandidate {
        /// 1-based line.
        line: u64,
    },
    /// Writing failed.
    #[error("writing: {0}")]
    Io(#[from] std::io::Error),
}

fn parse_cell(cell: &str, kind: ItemKind) -> Result<Answer, String> {
    let parts = || cell.split('|').map(|s| OptionId::new(s.trim()));
    match kind {
        ItemKind::SingleChoice | ItemKind::MultipleResponse => {
            Ok(Answer::Selected(parts().collect()))
        }
        ItemKind::Ordering => Ok(Answer::Ordered(parts().collect())),
        ItemKind::Matching => cell
            .split('|')
            .map(|entry| {
                entry
                    .split_once('=')
                    .map(|(p, o)| MatchPair {
                        prompt: p.trim().into(),
                        option: o.trim().into(),
                    })
                    .ok_or_else(|| entry.to_owned())
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Answer::Matched),
    }
}

/// The cell text of an answer (empty for omitted and not reached).
pub fn format_cell(answer: &Answer) -> String {
    let join = |ids: &[OptionId]| {
        ids.iter()
            .map(OptionId::as_str)
            .collect::<Vec<_>>()
            .join("|")
    };
    match answer {
        Answer::Selected(ids) | Answer::Ordered(ids) => join(ids),
        Answer::Matched(pairs) => pairs
            .iter()
            .map(|p| format!("{}={}", p.prompt, p.option))
            .collect::<Vec<_>>()
            .join("|"),
        Answer::Omitted | Answer::NotReached => String::new(),
    }
}

/// Reads a raw response CSV into submissions, one per row in file order,
/// interpreting each cell by the kind of its item on the row's form.
///
/// This keeps every submission in memory; [`RawCsvReader`] reads one row
/// at a time.
pub fn read_raw_csv<R: Read>(reader: R, scorer: &Scorer) -> Result<Vec<Submission>, RawCsvError> {
    RawCsvReader::new(reader, scorer)?.collect()
}

/// A raw response CSV read one row at a time, so that a file of any size is
/// scored in constant memory.
///
/// [`RawCsvReader::read_into`] refills one [`Submission`], reusing its
/// buffers (and the ids and option ids that did not change from the
/// previous row); as an [`Iterator`] it yields a new submission per row.
/// Rows are checked as [`read_raw_csv`] checks them.
///
/// ```
/// use exam_export::raw_csv::RawCsvReader;
/// # use exam_scoring::keyed::Scorer;
/// # fn demo(scorer: &Scorer, csv: &str) -> Result<(), exam_export::raw_csv::RawCsvError> {
/// let mut rows = RawCsvReader::new(csv.as_bytes(), scorer)?;
/// let mut submission = exam_core::submission::Submission::new("", "");
/// while rows.read_into(&mut submission)? {
///     let scored = scorer.score(&submission);
///     // ... use it; `rows.line()` is the row's line for messages.
/// #   let _ = scored;
/// }
/// # Ok(()) }
/// ```
pub struct RawCsvReader<R> {
    csv: csv::Reader<LineTracked<R>>,
    items: Vec<ItemId>,
    /// Per form, the kind of each column's item (`None`: not on the form).
    column_kinds: HashMap<FormId, Vec<Option<ItemKind>>>,
    record: csv::StringRecord,
    line: u64,
    /// The line of every candidate read so far (a repeat is refused).
    candidate_lines: HashMap<CandidateId, u64>,
}

impl<R: std::fmt::Debug> std::fmt::Debug for RawCsvReader<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RawCsvReader")
            .field("items", &self.items)
            .field("line", &self.line)
            .finish_non_exhaustive()
    }
}

impl<R: Read> RawCsvReader<R> {
    /// Reads and checks the header: `candidate,form`, then item columns,
    /// each once, covering every item of every form of `scorer`.
    pub fn new(reader: R, scorer: &Scorer) -> Result<Self, RawCsvError> {
        let mut csv = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_reader(LineTracked::new(reader));
        let header = csv.headers()?.clone();
        if header.len() < 2 || header[0].trim() != "candidate" || header[1].trim() != "form" {
            return Err(RawCsvError::Header(
                header.iter().collect::<Vec<_>>().join(","),
            ));
        }
        let items: Vec<ItemId> = header.iter().skip(2).map(ItemId::new).collect();
        let mut seen = HashSet::new();
        for item in &items {
            if !seen.insert(item) {
                return Err(RawCsvError::DuplicateColumn(item.clone()));
            }
        }
        for form in scorer.forms() {
            if let Some(item) = form.items().find(|i| !seen.contains(i)) {
                return Err(RawCsvError::MissingColumn {
                    form: form.form().clone(),
                    item: item.clone(),
                });
            }
        }
        let column_kinds = scorer
            .forms()
            .map(|form| {
                let kinds = items.iter().map(|item| form.kind_of(item)).collect();
                (form.form().clone(), kinds)
            })
            .collect();
        Ok(Self {
            csv,
            items,
            column_kinds,
            record: csv::StringRecord::new(),
            line: 0,
            candidate_lines: HashMap::new(),
        })
    }

    /// The 1-based line of the row read last (0 before the first).
    pub fn line(&self) -> u64 {
        self.line
    }

    /// Reads the next row into `into`, replacing what it held; `false` at
    /// the end of the file (then `into` is unchanged).
    pub fn read_into(&mut self, into: &mut Submission) -> Result<bool, RawCsvError> {
        if !self.csv.read_record(&mut self.record)? {
            return Ok(false);
        }
        let record = &self.record;
        let byte = record.position().map_or(0, csv::Position::byte);
        let line = self.csv.get_mut().line_at(byte);
        self.line = line;
        let candidate = record.get(0).unwrap_or("").trim();
        if candidate.is_empty() {
            return Err(RawCsvError::EmptyCandidate { line });
        }
        if into.candidate.as_str() != candidate {
            into.candidate = CandidateId::new(candidate);
        }
        if let Some(&first_line) = self.candidate_lines.get(&into.candidate) {
            return Err(RawCsvError::DuplicateCandidate {
                line,
                first_line,
                candidate: into.candidate.clone(),
            });
        }
        self.candidate_lines.insert(into.candidate.clone(), line);
        let form_id = record.get(1).unwrap_or("").trim();
        if into.form.as_str() != form_id {
            into.form = FormId::new(form_id);
        }
        let Some(kinds) = self.column_kinds.get(&into.form) else {
            return Err(RawCsvError::UnknownForm {
                line,
                candidate: into.candidate.clone(),
                form: into.form.clone(),
            });
        };
        let answers = &mut into.answers;
        let mut n = 0;
        for ((item, &kind), cell) in self.items.iter().zip(kinds).zip(record.iter().skip(2)) {
            let cell = cell.trim();
            let Some(kind) = kind else {
                if cell.is_empty() {
                    continue;
                }
                return Err(RawCsvError::ItemNotOnForm {
                    line,
                    candidate: into.candidate.clone(),
                    form: into.form.clone(),
                    item: item.clone(),
                    cell: cell.to_owned(),
                });
            };
            if n == answers.len() {
                answers.push(ItemAnswer::new(item.clone(), Answer::Omitted));
            }
            let entry = &mut answers[n];
            n += 1;
            if entry.item != *item {
                entry.item = item.clone();
            }
            entry.seconds = None;
            if cell.is_empty() {
                entry.answer = Answer::Omitted;
            } else if !refill_cell(&mut entry.answer, cell, kind) {
                entry.answer = parse_cell(cell, kind).map_err(|entry| RawCsvError::BadPair {
                    line,
                    candidate: into.candidate.clone(),
                    item: item.clone(),
                    entry,
                })?;
            }
        }
        answers.truncate(n);
        Ok(true)
    }
}

/// Refills a selection or order in place, keeping the option ids that are
/// unchanged; `false` when the answer is not of the kind's shape yet (or
/// the kind is matching), so it must be parsed anew.
fn refill_cell(answer: &mut Answer, cell: &str, kind: ItemKind) -> bool {
    let ids = match (answer, kind) {
        (Answer::Selected(ids), ItemKind::SingleChoice | ItemKind::MultipleResponse)
        | (Answer::Ordered(ids), ItemKind::Ordering) => ids,
        _ => return false,
    };
    let mut n = 0;
    for part in cell.split('|').map(str::trim) {
        match ids.get_mut(n) {
            Some(id) if id.as_str() == part => {}
            Some(id) => *id = OptionId::new(part),
            None => ids.push(OptionId::new(part)),
        }
        n += 1;
    }
    ids.truncate(n);
    true
}

impl<R: Read> Iterator for RawCsvReader<R> {
    type Item = Result<Submission, RawCsvError>;

    fn next(&mut self) -> Option<Self::Item> {
        let mut submission = Submission::new("", "");
        self.read_into(&mut submission)
            .map(|more| more.then_some(submission))
            .transpose()
    }
}

/// Writes submissions as a raw response CSV whose item columns are the
/// items of the scorer's forms, in form order (each item once).
pub fn write_raw_csv<W: Write>(
    writer: W,
    scorer: &Scorer,
    submissions: &[Submission],
) -> Result<(), RawCsvError> {
    let mut csv = RawCsvWriter::new(writer, scorer)?;
    for s in submissions {
        csv.write(s)?;
    }
    csv.finish()?;
    Ok(())
}

/// Writes the raw response CSV one submission at a time: the header when
/// created, a row per [`RawCsvWriter::write`].
pub struct RawCsvWriter<'a, W: Write> {
    csv: csv::Writer<W>,
    columns: Vec<&'a ItemId>,
    row: Vec<String>,
}

impl<'a, W: Write> RawCsvWriter<'a, W> {
    /// Writes the header: `candidate,form`, then every item of the forms of
    /// `scorer`, in form order, each once.
    pub fn new(writer: W, scorer: &'a Scorer) -> Result<Self, RawCsvError> {
        let mut columns: Vec<&ItemId> = Vec::new();
        let mut seen = HashSet::new();
        for form in scorer.forms() {
            for item in form.items() {
                if seen.insert(item) {
                    columns.push(item);
                }
            }
        }
        let mut csv = csv::Writer::from_writer(writer);
        let mut row: Vec<String> = vec!["candidate".into(), "form".into()];
        row.extend(columns.iter().map(|i| i.to_string()));
        csv.write_record(&row)?;
        Ok(Self { csv, columns, row })
    }

    /// Writes one submission's row.
    pub fn write(&mut self, s: &Submission) -> Result<(), RawCsvError> {
        self.row.clear();
        self.row.push(s.candidate.to_string());
        self.row.push(s.form.to_string());
        self.row.extend(self.columns.iter().map(|item| {
            s.answer(item)
                .map(|a| format_cell(&a.answer))
                .unwrap_or_default()
        }));
        self.csv.write_record(&self.row)?;
        Ok(())
    }

    /// Flushes and returns the writer.
    pub fn finish(mut self) -> Result<W, RawCsvError> {
        self.csv.flush()?;
        self.csv
            .into_inner()
            .map_err(|e| RawCsvError::Csv(csv::Error::from(e.into_error())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use exam_core::irt::ItemParams;
    use exam_scoring::form_simulation::{SimulationOptions, simulate};
    use exam_scoring::keyed::ResponseStatus;
    use exam_scoring::rules::ScoringRules;

    /// The forms and keys of `tests/data/scoring`: F1 holds Q1 (single
    /// choice, key B), Q2 (multiple response, A C), Q3 (ordering, A B C),
    /// Q4 (matching, P1=O1 P2=O2) and Q5 (pretest); F2 holds Q2, Q1, Q6
    /// (single choice, key D) and Q4.
    fn scorer() -> Scorer {
        let forms = crate::forms::read_forms_with_keys(
            include_str!("../../../tests/data/scoring/forms.json").as_bytes(),
            "forms.json",
        )
        .unwrap();
        Scorer::new(
            forms.iter().map(|(f, k)| (f, k)),
            &ScoringRules::default(),
            &HashMap::new(),
        )
        .unwrap()
    }

    const HEADER: &str = "candidate,form,Q1,Q2,Q3,Q4,Q5,Q6\n";

    fn read(text: &str) -> Result<Vec<Submission>, RawCsvError> {
        read_raw_csv(text.as_bytes(), &scorer())
    }

    #[test]
    fn written_submissions_read_back_with_the_same_answers() {
        let scorer = scorer();
        let params = ["Q1", "Q2", "Q3", "Q4", "Q5", "Q6"]
            .iter()
            .zip([-1.0, 0.5, 0.0, 1.0, 0.0, -0.5])
            .map(|(id, b)| (ItemId::new(*id), ItemParams::new(1.2, b, 0.1).unwrap()))
            .collect();
        let sim = simulate(&scorer, &params, 40, &SimulationOptions::default(), 3).unwrap();
        let mut bytes = Vec::new();
        write_raw_csv(&mut bytes, &scorer, &sim.submissions).unwrap();
        let back = read_raw_csv(bytes.as_slice(), &scorer).unwrap();
        assert_eq!(back.len(), sim.submissions.len());
        // Same answers per item (the file lists items in column order).
        for (a, b) in sim.submissions.iter().zip(&back) {
            assert_eq!((&a.candidate, &a.form), (&b.candidate, &b.form));
            assert_eq!(a.answers.len(), b.answers.len());
            for ans in &a.answers {
                assert_eq!(b.answer(&ans.item).map(|x| &x.answer), Some(&ans.answer));
            }
        }
    }

    #[test]
    fn cells_read_by_their_items_kind_and_bad_rows_are_named() {
        let subs = read(&format!("{HEADER}X1,F1,B,A|C,A|B|C,P1=O1|P2=O2,,\n")).unwrap();
        let scored = scorer().score(&subs[0]).unwrap();
        // Four scored items right; Q5 (pretest, the fifth slot) omitted.
        assert!((scored.raw - 4.0).abs() < 1e-12);
        assert_eq!(scored.outcomes[4].status, ResponseStatus::Omitted);

        let err = read(&format!("{HEADER}X1,F9,B,,,,,\n")).unwrap_err();
        assert_eq!(err.to_string(), "line 2: candidate X1: unknown form F9");
        let err = read(&format!("{HEADER}X1,F1,B,,,P1:O1,,\n")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "line 2: candidate X1, item `Q4`: `P1:O1` is not a prompt=option pair"
        );
        let err = read("candidate,form,Q1,Q2,Q4,Q5,Q6\nX1,F2,B,,,,D\n").unwrap_err();
        assert_eq!(err.to_string(), "item `Q3` of form F1 has no column");
    }

    #[test]
    fn the_reader_reuses_one_submission_without_leaking_the_previous_row() {
        let scorer = scorer();
        // Rows whose answers change shape from one to the next: more
        // options, fewer options, omitted, answered again, another form, a
        // quoted cell over two lines.
        let rows = [
            "X1,F1,B,A|C,A|B|C,P1=O1|P2=O2,A,\n",
            "X2,F1,C,A,C|B|A,,B,\n",
            "X3,F1,,A|C|B,,P1=O2,,\n",
            "\"X4\",F2,B,\"A|\nC\",,P2=O2,,D\n",
        ];
        let csv = format!("{HEADER}{}", rows.concat());
        let mut reader = RawCsvReader::new(csv.as_bytes(), &scorer).unwrap();
        let mut reused = Submission::new("", "");
        let mut lines = Vec::new();
        for row in rows {
            assert!(reader.read_into(&mut reused).unwrap());
            lines.push(reader.line());
            // Each row read alone, into a fresh submission.
            let alone = read(&format!("{HEADER}{row}")).unwrap();
            assert_eq!(alone.len(), 1);
            assert_eq!(reused, alone[0]);
        }
        assert!(!reader.read_into(&mut reused).unwrap());
        assert_eq!(lines, [2, 3, 4, 5]);
        assert_eq!(reused.candidate.as_str(), "X4");
        // Omitted on the form: listed as omitted, never as the previous answer.
        let x3 = read(&format!("{HEADER}{}", rows[2])).unwrap();
        assert_eq!(x3[0].answers.len(), 5);
        assert_eq!(x3[0].answers[0].answer, Answer::Omitted);

        // Errors carry the line of their row.
        let bad = format!("{HEADER}{}X5,F9,B,,,,,\n", rows[0]);
        let mut reader = RawCsvReader::new(bad.as_bytes(), &scorer).unwrap();
        assert!(reader.read_into(&mut reused).unwrap());
        assert!(matches!(
            reader.read_into(&mut reused),
            Err(RawCsvError::UnknownForm { line: 3, .. })
        ));
    }

    #[test]
    fn crlf_files_name_the_physical_line() {
        let scorer = scorer();
        // Counted by hand: header on line 1, X1 on 2, a blank line 3, X2
        // on 4 and 5 (a quoted cell over two lines), X3 on 6, X1 again on
        // 7, X4 (a matching entry without `=`) on 8.
        let csv = "candidate,form,Q1,Q2,Q3,Q4,Q5,Q6\r\n\
                   X1,F1,B,A|C,A|B|C,P1=O1|P2=O2,A,\r\n\
                   \r\n\
                   X2,F1,B,\"A|\r\nC\",,,,\r\n\
                   X3,F2,B,A,,,,D\r\n\
                   X1,F2,B,A,,,,D\r\n\
                   X4,F1,B,,,P1-O1,,\r\n";
        let mut reader = RawCsvReader::new(csv.as_bytes(), &scorer).unwrap();
        let mut submission = Submission::new("", "");
        let mut lines = Vec::new();
        for _ in 0..3 {
            assert!(reader.read_into(&mut submission).unwrap());
            lines.push(reader.line());
        }
        assert_eq!(lines, [2, 4, 6]);
        let err = reader.read_into(&mut submission).unwrap_err();
        assert_eq!(
            err.to_string(),
            "line 7: candidate X1 appears more than once (first on line 2)"
        );
        let without_repeat = csv.replace("X1,F2,B,A,,,,D\r\n", "");
        let err = read_raw_csv(without_repeat.as_bytes(), &scorer).unwrap_err();
        assert_eq!(
            err.to_string(),
            "line 7: candidate X4, item `Q4`: `P1-O1` is not a prompt=option pair"
        );
    }
}
