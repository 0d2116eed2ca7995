//! Score reports: the JSON document of `exam score` (the rules' id and
//! version with every candidate's full report), and the one-line summary
//! per candidate as CSV or a table.

use crate::FormatError;
use crate::csv_table::{self, CsvWriter, Record};
use crate::json;
use crate::table::{Column, Layout, Table};
use exam_core::ids::{CandidateId, FormId};
use exam_scoring::report::ScoreReport;
use serde::{Deserialize, Serialize};
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};

/// The score reports of one scoring run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoreReportsDocument {
    /// The scoring rules' id.
    pub scoring_rules: String,
    /// Their version.
    pub scoring_rules_version: String,
    /// One report per candidate, in input order.
    pub reports: Vec<ScoreReport>,
}

impl ScoreReportsDocument {
    /// Writes the document as pretty JSON with a trailing newline.
    pub fn write(&self, out: impl Write, name: &str) -> Result<(), FormatError> {
        json::write_pretty(out, self, name)
    }

    /// Reads a document.
    pub fn read(input: impl Read, name: &str) -> Result<Self, FormatError> {
        json::read(input, name, "a score reports document")
    }
}

/// Writes a [`ScoreReportsDocument`] one report at a time, with the same
/// bytes as [`ScoreReportsDocument::write`]: the rules when created, each
/// report as it comes, the closing brackets when finished. A writer dropped
/// before [`ScoreReportsWriter::finish`] leaves an unfinished document, so
/// write to a file that is only kept on success.
pub struct ScoreReportsWriter<W: Write> {
    out: W,
    name: String,
    written: usize,
    report: Vec<u8>,
}

impl<W: Write> ScoreReportsWriter<W> {
    /// Starts the document of the scoring rules `id` at `version`; `name`
    /// names the output in errors.
    pub fn new(mut out: W, name: &str, id: &str, version: &str) -> Result<Self, FormatError> {
        let io = |e: std::io::Error| FormatError::io(name, e);
        let text = |s: &str| serde_json::to_string(s).map_err(|e| io(e.into()));
        write!(
            out,
            "{{\n  \"scoring_rules\": {},\n  \"scoring_rules_version\": {},\n  \"reports\": [",
            text(id)?,
            text(version)?
        )
        .map_err(io)?;
        Ok(Self {
            out,
            name: name.to_owned(),
            written: 0,
            report: Vec::new(),
        })
    }

    /// Appends one report, indented as the document's third level.
    pub fn write(&mut self, report: &ScoreReport) -> Result<(), FormatError> {
        let io = |e: std::io::Error| FormatError::io(&self.name, e);
        self.report.clear();
        serde_json::to_writer_pretty(&mut self.report, report).map_err(|e| io(e.into()))?;
        self.out
            .write_all(if self.written == 0 {
                b"\n    "
            } else {
                b",\n    "
            })
            .map_err(io)?;
        // Strings escape their newlines, so every newline here is layout.
        for (i, line) in self.report.split(|&b| b == b'\n').enumerate() {
            if i > 0 {
                self.out.write_all(b"\n    ").map_err(io)?;
            }
            self.out.write_all(line).map_err(io)?;
        }
        self.written += 1;
        Ok(())
    }

    /// Closes the document and returns the writer, flushed.
    pub fn finish(mut self) -> Result<W, FormatError> {
        let io = |e: std::io::Error| FormatError::io(&self.name, e);
        let end: &[u8] = if self.written == 0 {
            b"]\n}\n"
        } else {
            b"\n  ]\n}\n"
        };
        self.out.write_all(end).map_err(io)?;
        self.out.flush().map_err(io)?;
        Ok(self.out)
    }
}

/// A list of score reports alone (what `exam rescore --out` writes).
pub fn write_reports(
    out: impl Write,
    reports: &[ScoreReport],
    name: &str,
) -> Result<(), FormatError> {
    json::write_pretty(out, &reports, name)
}

/// Reads a list of score reports.
pub fn read_reports(input: impl Read, name: &str) -> Result<Vec<ScoreReport>, FormatError> {
    json::read(input, name, "a list of score reports")
}

/// The columns of the summary.
pub const SUMMARY_HEADER: [&str; 9] = [
    "candidate",
    "form",
    "raw",
    "max",
    "percent",
    "scaled",
    "theta",
    "se",
    "decision",
];

/// One candidate's summary line: raw and maximum (2 decimals), percent (1),
/// scaled score, θ and SE (3), pass or fail; absent values are empty.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreSummary {
    /// The candidate.
    pub candidate: CandidateId,
    /// The form sat.
    pub form: FormId,
    /// Raw score.
    pub raw: f64,
    /// Its maximum.
    pub max: f64,
    /// Percent of the maximum.
    pub percent: Option<f64>,
    /// Scaled score.
    pub scaled: Option<i64>,
    /// θ.
    pub theta: Option<f64>,
    /// SE of θ.
    pub se: Option<f64>,
    /// Whether the candidate passed, where a cut is set.
    pub passed: Option<bool>,
}

impl ScoreSummary {
    /// The summary of a report: θ and its SE, which the candidate does not
    /// see, and the scores of its candidate view.
    pub fn of(r: &ScoreReport) -> Self {
        let view = r.candidate_view();
        Self {
            theta: r.theta.as_ref().map(|t| t.theta),
            se: r.theta.as_ref().map(|t| t.se),
            candidate: view.candidate,
            form: view.form,
            raw: view.raw,
            max: view.max,
            percent: view.percent,
            scaled: view.scaled,
            passed: view.passed,
        }
    }

    /// The line's cells, in [`SUMMARY_HEADER`] order.
    pub fn cells(&self) -> [String; 9] {
        let opt =
            |v: Option<f64>, digits: usize| v.map_or(String::new(), |x| format!("{x:.digits$}"));
        [
            self.candidate.to_string(),
            self.form.to_string(),
            format!("{:.2}", self.raw),
            format!("{:.2}", self.max),
            opt(self.percent, 1),
            self.scaled.map_or(String::new(), |s| s.to_string()),
            opt(self.theta, 3),
            opt(self.se, 3),
            decision_cell(self.passed),
        ]
    }

    fn from_record(r: &Record<'_>) -> Result<Self, FormatError> {
        Ok(Self {
            candidate: CandidateId::new(r.text(0)),
            form: FormId::new(r.text(1)),
            raw: r.parse(2, "a number")?,
            max: r.parse(3, "a number")?,
            percent: r.optional(4, "a number")?,
            scaled: r.optional(5, "an integer")?,
            theta: r.optional(6, "a number")?,
            se: r.optional(7, "a number")?,
            passed: parse_decision(r, 8)?,
        })
    }
}

/// `pass`, `fail` or empty.
pub(crate) fn decision_cell(passed: Option<bool>) -> String {
    match passed {
        Some(true) => "pass".to_owned(),
        Some(false) => "fail".to_owned(),
        None => String::new(),
    }
}

/// Reads a [`decision_cell`] back.
pub(crate) fn parse_decision(r: &Record<'_>, c: usize) -> Result<Option<bool>, FormatError> {
    match r.text(c) {
        "pass" => Ok(Some(true)),
        "fail" => Ok(Some(false)),
        "" => Ok(None),
        _ => Err(r.bad(c, "`pass`, `fail` or empty")),
    }
}

/// A summary CSV written line by line (so a long run keeps no report).
pub fn summary_csv<W: Write>(out: W, name: &str) -> Result<CsvWriter<W>, FormatError> {
    CsvWriter::new(out, &SUMMARY_HEADER, name)
}

/// Reads a summary CSV.
pub fn read_summary_csv(input: impl Read, name: &str) -> Result<Vec<ScoreSummary>, FormatError> {
    csv_table::read(input, name, &SUMMARY_HEADER, ScoreSummary::from_record)
}

/// Text cells as a table: fitted, left-aligned columns two spaces apart,
/// trailing blanks trimmed (the layout of the scoring commands).
pub fn rows_table<S: AsRef<str>>(
    header: &[&str],
    rows: impl IntoIterator<Item = impl IntoIterator<Item = S>>,
) -> String {
    let mut t = rows_layout(header);
    for row in rows {
        t.row(row.into_iter().map(|c| c.as_ref().to_owned()));
    }
    t.render()
}

/// The empty table of [`rows_table`]'s layout.
fn rows_layout(header: &[&str]) -> Table {
    Table::with_columns(header.iter().map(|h| Column::new(*h))).trim(true)
}

/// The summaries as a table.
pub fn summary_table(summaries: &[ScoreSummary]) -> String {
    rows_table(&SUMMARY_HEADER, summaries.iter().map(ScoreSummary::cells))
}

/// The one-line summaries of a scoring run, streamed: each line goes to a
/// spool (a temporary file, say) as summary CSV while the table's layout
/// is fitted, so memory does not grow with the number of candidates. At
/// the end the spool is copied out as the summary CSV ([`summary_csv`]'s
/// bytes), or read back and rendered as the table ([`summary_table`]'s
/// bytes).
pub struct SummarySpool<F: Read + Write + Seek> {
    csv: CsvWriter<BufWriter<F>>,
    layout: Layout,
    name: String,
}

impl<F: Read + Write + Seek> SummarySpool<F> {
    /// An empty spool writing to `spool` (named `name` in errors).
    pub fn new(spool: F, name: &str) -> Result<Self, FormatError> {
        Ok(Self {
            csv: summary_csv(BufWriter::new(spool), name)?,
            layout: rows_layout(&SUMMARY_HEADER).layout(),
            name: name.to_owned(),
        })
    }

    /// Adds one candidate's line.
    pub fn push(&mut self, summary: &ScoreSummary) -> Result<(), FormatError> {
        let cells = summary.cells();
        self.layout.observe(&cells);
        self.csv.row(&cells)
    }

    /// Writes the lines as the summary CSV.
    pub fn write_csv(self, mut out: impl Write) -> Result<(), FormatError> {
        let (mut spool, _, name) = self.rewound()?;
        std::io::copy(&mut spool, &mut out).map_err(|e| FormatError::io(&name, e))?;
        Ok(())
    }

    /// Writes the lines as the summary table.
    pub fn write_table(self, mut out: impl Write) -> Result<(), FormatError> {
        let (spool, layout, name) = self.rewound()?;
        let io = |e| FormatError::io(&name, e);
        out.write_all(layout.header().as_bytes()).map_err(io)?;
        let mut rows = csv::Reader::from_reader(BufReader::new(spool));
        let mut record = csv::StringRecord::new();
        while rows
            .read_record(&mut record)
            .map_err(|e| FormatError::csv(&name, e))?
        {
            let cells: Vec<&str> = record.iter().collect();
            out.write_all(layout.line(&cells).as_bytes()).map_err(io)?;
        }
        Ok(())
    }

    /// The spool from its start, with the layout and the name.
    fn rewound(self) -> Result<(F, Layout, String), FormatError> {
        let name = self.name;
        let mut spool = self
            .csv
            .finish()?
            .into_inner()
            .map_err(|e| FormatError::io(&name, e.into_error()))?;
        spool
            .seek(SeekFrom::Start(0))
            .map_err(|e| FormatError::io(&name, e))?;
        Ok((spool, self.layout, name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_streamed_document_without_reports_is_the_whole_document() {
        let doc = ScoreReportsDocument {
            scoring_rules: "r\"1".to_owned(),
            scoring_rules_version: "2".to_owned(),
            reports: Vec::new(),
        };
        let mut whole = Vec::new();
        doc.write(&mut whole, "t").unwrap();
        let streamed = ScoreReportsWriter::new(Vec::new(), "t", "r\"1", "2")
            .unwrap()
            .finish()
            .unwrap();
        assert_eq!(String::from_utf8(streamed), String::from_utf8(whole));
    }

    fn summary() -> impl Strategy<Value = ScoreSummary> {
        (
            "[A-Za-z0-9,\" -]{1,8}",
            "[A-Z][0-9]",
            (0.0f64..100.0, 0.0f64..100.0),
            proptest::option::of(0.0f64..100.0),
            proptest::option::of(-1000i64..1000),
            proptest::option::of((-4.0f64..4.0, 0.0f64..2.0)),
            proptest::option::of(any::<bool>()),
        )
            .prop_map(
                |(candidate, form, (raw, max), percent, scaled, theta, passed)| ScoreSummary {
                    candidate: CandidateId::new(candidate),
                    form: FormId::new(form),
                    raw,
                    max,
                    percent,
                    scaled,
                    theta: theta.map(|t| t.0),
                    se: theta.map(|t| t.1),
                    passed,
                },
            )
    }

    fn csv(rows: &[ScoreSummary]) -> String {
        let mut w = summary_csv(Vec::new(), "s.csv").unwrap();
        for r in rows {
            w.row(r.cells()).unwrap();
        }
        String::from_utf8(w.finish().unwrap()).unwrap()
    }

    proptest! {
        #[test]
        fn summary_csv_reads_back_to_the_printed_precision(rows in proptest::collection::vec(summary(), 0..8)) {
            let text = csv(&rows);
            let back = read_summary_csv(text.as_bytes(), "s.csv").unwrap();
            prop_assert_eq!(back.len(), rows.len());
            for (b, r) in back.iter().zip(&rows) {
                prop_assert_eq!(&b.candidate, &r.candidate);
                prop_assert_eq!((b.scaled, b.passed, b.theta.is_some()), (r.scaled, r.passed, r.theta.is_some()));
                prop_assert!((b.raw - r.raw).abs() <= 0.005 + 1e-9);
            }
            prop_assert_eq!(csv(&back), text);
        }

        #[test]
        fn spooled_summaries_print_the_bytes_of_the_whole_table_and_csv(
            rows in proptest::collection::vec(summary(), 0..8),
        ) {
            let spooled = |table: bool| {
                let mut spool = SummarySpool::new(std::io::Cursor::new(Vec::new()), "t").unwrap();
                for r in &rows {
                    spool.push(r).unwrap();
                }
                let mut out = Vec::new();
                if table {
                    spool.write_table(&mut out).unwrap();
                } else {
                    spool.write_csv(&mut out).unwrap();
                }
                String::from_utf8(out).unwrap()
            };
            prop_assert_eq!(spooled(true), summary_table(&rows));
            prop_assert_eq!(spooled(false), csv(&rows));
        }
    }

    #[test]
    fn a_bad_decision_names_line_and_column() {
        let text =
            "candidate,form,raw,max,percent,scaled,theta,se,decision\nK1,F1,1.00,2.00,,,,,maybe\n";
        let err = read_summary_csv(text.as_bytes(), "s.csv").unwrap_err();
        assert_eq!(
            err.to_string(),
            "s.csv, line 2: column `decision`: `maybe` is not `pass`, `fail` or empty"
        );
    }
}
