//! The submissions JSON document: a list of [`Submission`]s, bare or as
//! `{"submissions": [...]}` (what `exam simulate --out x.json` writes and
//! `exam score --responses x.json` reads).
//!
//! Reading checks every submission on its own, so one bad submission does
//! not hide the others: each problem names the line, the submission's
//! position, its candidate (where readable) and the field. A candidate who
//! appears twice is an error naming both positions.

use exam_core::ids::CandidateId;
use exam_core::submission::Submission;
use serde::Deserialize;
use serde_json::value::RawValue;
use std::collections::HashMap;
use std::fmt;
use std::io::Write;

/// One problem of a submissions document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmissionProblem {
    /// 1-based line where the problem is.
    pub line: usize,
    /// 1-based position of the submission in the list (absent: the
    /// document as a whole).
    pub position: Option<usize>,
    /// The submission's candidate, where it could be read.
    pub candidate: Option<String>,
    /// The field at fault (`answers[2].answer`), where known.
    pub field: Option<String>,
    /// What is wrong.
    pub reason: String,
}

impl fmt::Display for SubmissionProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}", self.line)?;
        if let Some(position) = self.position {
            write!(f, ", submission {position}")?;
        }
        if let Some(candidate) = &self.candidate {
            write!(f, " (candidate {candidate})")?;
        }
        if let Some(field) = &self.field {
            write!(f, ", field `{field}`")?;
        }
        write!(f, ": {}", self.reason)
    }
}

/// Every problem found in a submissions document (at least one).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", lines(.problems))]
pub struct SubmissionsError {
    /// The problems, in file order.
    pub problems: Vec<SubmissionProblem>,
}

fn lines(problems: &[SubmissionProblem]) -> String {
    let count = match problems.len() {
        1 => String::new(),
        n => format!("{n} problems:\n  "),
    };
    let list: Vec<String> = problems.iter().map(ToString::to_string).collect();
    format!("{count}{}", list.join("\n  "))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Wrapped<'a> {
    #[serde(borrow)]
    submissions: Vec<&'a RawValue>,
}

/// 1-based line of byte `offset` in `text`.
fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// Reads a submissions document, checking every submission (see the
/// module docs).
pub fn read_submissions_json(text: &str) -> Result<Vec<Submission>, SubmissionsError> {
    let whole = |e: serde_json::Error, reason: String| SubmissionsError {
        problems: vec![SubmissionProblem {
            line: e.line().max(1),
            position: None,
            candidate: None,
            field: None,
            reason,
        }],
    };
    let parsed = if text.trim_start().starts_with('{') {
        serde_json::from_str::<Wrapped<'_>>(text).map(|w| w.submissions)
    } else {
        serde_json::from_str::<Vec<&RawValue>>(text)
    };
    let raws = match parsed {
        Ok(raws) => raws,
        Err(e) if e.is_data() => {
            let reason =
                "not a list of submissions (a JSON array, or an object with a `submissions` array)"
                    .to_owned();
            return Err(whole(e, reason));
        }
        Err(e) => {
            let reason = e.to_string();
            return Err(whole(e, reason));
        }
    };
    let mut problems = Vec::new();
    let mut out = Vec::with_capacity(raws.len());
    let mut first_seen: HashMap<CandidateId, (usize, usize)> = HashMap::new();
    for (i, raw) in raws.iter().enumerate() {
        let json = raw.get();
        let start = json.as_ptr() as usize - text.as_ptr() as usize;
        let line = line_of(text, start);
        let mut de = serde_json::Deserializer::from_str(json);
        match serde_path_to_error::deserialize::<_, Submission>(&mut de) {
            Ok(submission) => {
                let here = (i + 1, line);
                if let Some(&(position, first_line)) = first_seen.get(&submission.candidate) {
                    problems.push(SubmissionProblem {
                        line,
                        position: Some(i + 1),
                        candidate: Some(submission.candidate.to_string()),
                        field: Some("candidate".to_owned()),
                        reason: format!(
                            "candidate appears more than once (first as submission {position}, line {first_line})"
                        ),
                    });
                } else {
                    first_seen.insert(submission.candidate.clone(), here);
                }
                out.push(submission);
            }
            Err(e) => {
                let inner = e.inner();
                let reason = inner.to_string();
                let reason = match reason.rfind(" at line ") {
                    Some(cut) => reason[..cut].to_owned(),
                    None => reason,
                };
                let path = e.path().to_string();
                let missing = reason
                    .strip_prefix("missing field `")
                    .and_then(|rest| rest.split('`').next())
                    .map(str::to_owned);
                problems.push(SubmissionProblem {
                    line: line + inner.line().saturating_sub(1),
                    position: Some(i + 1),
                    candidate: candidate_of(json),
                    field: (path != "." && path != "?").then_some(path).or(missing),
                    reason,
                });
            }
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(SubmissionsError { problems })
    }
}

/// The `candidate` of a submission that does not parse, where it is a
/// string.
fn candidate_of(json: &str) -> Option<String> {
    #[derive(Deserialize)]
    struct Candidate {
        candidate: String,
    }
    serde_json::from_str::<Candidate>(json)
        .ok()
        .map(|c| c.candidate)
}

/// Writes submissions as a JSON list, one line, followed by a newline.
pub fn write_submissions_json(
    writer: impl Write,
    submissions: &[Submission],
) -> std::io::Result<()> {
    let mut out = SubmissionsJsonWriter::new(writer)?;
    for s in submissions {
        out.write(s)?;
    }
    out.finish().map(drop)
}

/// Writes the submissions JSON list one submission at a time, with the
/// same bytes as [`write_submissions_json`]: `[` when created, the
/// submissions separated by commas, `]` and a newline when finished. A
/// writer dropped before [`SubmissionsJsonWriter::finish`] leaves an
/// unfinished document, so write to a file that is only kept on success.
pub struct SubmissionsJsonWriter<W: Write> {
    out: W,
    written: usize,
}

impl<W: Write> SubmissionsJsonWriter<W> {
    /// Starts the list.
    pub fn new(mut out: W) -> std::io::Result<Self> {
        out.write_all(b"[")?;
        Ok(Self { out, written: 0 })
    }

    /// Appends one submission.
    pub fn write(&mut self, submission: &Submission) -> std::io::Result<()> {
        if self.written > 0 {
            self.out.write_all(b",")?;
        }
        serde_json::to_writer(&mut self.out, submission)?;
        self.written += 1;
        Ok(())
    }

    /// Ends the list and returns the writer, flushed.
    pub fn finish(mut self) -> std::io::Result<W> {
        self.out.write_all(b"]\n")?;
        self.out.flush()?;
        Ok(self.out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bad_submission_is_reported_with_line_candidate_and_field() {
        let text = r#"[
  {"candidate": "C1", "form": "F1", "answers": [], "colour": "red"},
  {"candidate": "C2", "form": "F1", "answers": [{"item": "Q1", "answer": {"chosen": ["A"]}}]},
  {"candidate": "C3", "form": "F1", "answers": []},
  {"candidate": "C4", "answers": []}
]"#;
        let err = read_submissions_json(text).unwrap_err();
        assert_eq!(err.problems.len(), 3, "{err}");
        let [p1, p2, p4] = &err.problems[..] else {
            panic!("{err}")
        };
        assert_eq!((p1.line, p1.position), (2, Some(1)));
        assert_eq!(p1.candidate.as_deref(), Some("C1"));
        assert!(p1.reason.contains("unknown field `colour`"), "{p1}");
        assert_eq!((p2.line, p2.position), (3, Some(2)));
        assert_eq!(p2.candidate.as_deref(), Some("C2"));
        assert_eq!(p2.field.as_deref(), Some("answers[0].answer"));
        assert_eq!((p4.line, p4.position), (5, Some(4)));
        assert!(p4.reason.contains("missing field `form`"), "{p4}");
        assert!(
            err.to_string()
                .starts_with("3 problems:\n  line 2, submission 1 (candidate C1)")
        );
    }

    #[test]
    fn a_repeated_candidate_names_both_positions() {
        let text = r#"{"submissions": [
  {"candidate": "C1", "form": "F1", "answers": []},
  {"candidate": "C2", "form": "F1", "answers": []},
  {"candidate": "C1", "form": "F2", "answers": []}
]}"#;
        let err = read_submissions_json(text).unwrap_err();
        assert_eq!(
            err.to_string(),
            "line 4, submission 3 (candidate C1), field `candidate`: candidate appears more than once (first as submission 1, line 2)"
        );
    }

    #[test]
    fn written_submissions_read_back_equal() {
        let submissions = vec![
            Submission::new("C1", "F1").with("Q1", exam_core::submission::Answer::Omitted),
            Submission::new("C2", "F1"),
        ];
        let mut out = Vec::new();
        write_submissions_json(&mut out, &submissions).unwrap();
        let back = read_submissions_json(std::str::from_utf8(&out).unwrap()).unwrap();
        assert_eq!(back, submissions);
    }

    #[test]
    fn the_streamed_list_is_the_serialized_list() {
        let submissions = [
            Submission::new("C1", "F1").with("Q1", exam_core::submission::Answer::Omitted),
            Submission::new("C2", "F1"),
        ];
        for n in 0..=submissions.len() {
            let mut out = Vec::new();
            write_submissions_json(&mut out, &submissions[..n]).unwrap();
            let whole = serde_json::to_string(&submissions[..n]).unwrap() + "\n";
            assert_eq!(String::from_utf8(out).unwrap(), whole);
        }
    }

    #[test]
    fn a_document_of_the_wrong_shape_is_one_clear_problem() {
        let err = read_submissions_json(r#"{"subs": []}"#).unwrap_err();
        assert!(
            err.to_string().contains("not a list of submissions"),
            "{err}"
        );
        let err = read_submissions_json("[").unwrap_err();
        assert_eq!(err.problems[0].position, None);
    }
}
