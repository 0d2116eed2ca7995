//! A submissions file of either format, told apart by its name: a `.json`
//! file is the submissions JSON document ([`crate::submissions`]), any
//! other a raw response CSV ([`crate::raw_csv`]). Read whole
//! ([`read_submissions`]) or one submission at a time
//! ([`SubmissionStream`]: a CSV row by row in constant memory, a JSON
//! document read whole first).

use crate::raw_csv::{RawCsvError, RawCsvReader, read_raw_csv};
use crate::submissions::{SubmissionsError, read_submissions_json};
use exam_core::submission::Submission;
use exam_scoring::keyed::Scorer;
use std::io::Read;
use std::path::Path;

/// The format of a submissions file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubmissionsFormat {
    /// The submissions JSON document.
    Json,
    /// The raw response CSV.
    RawCsv,
}

impl SubmissionsFormat {
    /// The format of the file at `path`: JSON for a `.json` extension (in
    /// any case), raw response CSV for anything else.
    pub fn of_path(path: &Path) -> Self {
        if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"))
        {
            Self::Json
        } else {
            Self::RawCsv
        }
    }
}

/// Why a submissions file could not be read; each names the file, and the
/// source says what in it is wrong.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SubmissionsFileError {
    /// The bytes of a JSON document could not be read (or are not UTF-8).
    #[error("cannot read {name}")]
    Read {
        /// The file.
        name: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The JSON document's submissions do not parse.
    #[error("{name}: bad submissions")]
    Json {
        /// The file.
        name: String,
        /// Every problem found.
        #[source]
        source: SubmissionsError,
    },
    /// The raw response CSV does not fit the forms or is malformed.
    #[error("{name}: bad raw response CSV")]
    RawCsv {
        /// The file.
        name: String,
        /// What is wrong, with its line.
        #[source]
        source: RawCsvError,
    },
}

impl SubmissionsFileError {
    fn raw_csv(name: &str, source: RawCsvError) -> Self {
        Self::RawCsv {
            name: name.to_owned(),
            source,
        }
    }
}

/// Every submission of `input`, a file named `name` in `format`, the CSV
/// read against the forms of `scorer`.
pub fn read_submissions(
    input: impl Read,
    format: SubmissionsFormat,
    name: &str,
    scorer: &Scorer,
) -> Result<Vec<Submission>, SubmissionsFileError> {
    match format {
        SubmissionsFormat::Json => read_json(input, name),
        SubmissionsFormat::RawCsv => {
            read_raw_csv(input, scorer).map_err(|e| SubmissionsFileError::raw_csv(name, e))
        }
    }
}

fn read_json(mut input: impl Read, name: &str) -> Result<Vec<Submission>, SubmissionsFileError> {
    let mut text = String::new();
    input
        .read_to_string(&mut text)
        .map_err(|source| SubmissionsFileError::Read {
            name: name.to_owned(),
            source,
        })?;
    read_submissions_json(&text).map_err(|source| SubmissionsFileError::Json {
        name: name.to_owned(),
        source,
    })
}

/// Submissions read one at a time: a raw response CSV row by row (constant
/// memory), or the submissions of a JSON document (which is read whole).
#[derive(Debug)]
pub enum SubmissionStream<R> {
    /// A JSON list, already read.
    Json(std::vec::IntoIter<Submission>),
    /// A raw response CSV, read row by row.
    Csv {
        /// The file, for error messages.
        name: String,
        /// Its rows.
        rows: Box<RawCsvReader<R>>,
    },
}

impl<R: Read> SubmissionStream<R> {
    /// The submissions of `input` (as [`read_submissions`] reads them), one
    /// at a time; a CSV's header is read and checked here.
    pub fn new(
        input: R,
        format: SubmissionsFormat,
        name: &str,
        scorer: &Scorer,
    ) -> Result<Self, SubmissionsFileError> {
        match format {
            SubmissionsFormat::Json => Ok(Self::Json(read_json(input, name)?.into_iter())),
            SubmissionsFormat::RawCsv => {
                let rows = RawCsvReader::new(input, scorer)
                    .map_err(|e| SubmissionsFileError::raw_csv(name, e))?;
                Ok(Self::Csv {
                    name: name.to_owned(),
                    rows: Box::new(rows),
                })
            }
        }
    }

    /// Reads the next submission into `into`; `false` at the end. Errors
    /// name the file (and, for CSV, the line, candidate and item).
    pub fn read_into(&mut self, into: &mut Submission) -> Result<bool, SubmissionsFileError> {
        match self {
            Self::Json(list) => Ok(list.next().map(|s| *into = s).is_some()),
            Self::Csv { name, rows } => rows
                .read_into(into)
                .map_err(|e| SubmissionsFileError::raw_csv(name, e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use exam_core::form::{Form, ScoringKey};
    use exam_scoring::rules::ScoringRules;
    use std::collections::HashMap;

    const FORMS: &str = include_str!("../../../tests/data/scoring/forms.json");
    const CSV: &str = include_str!("../../../tests/data/scoring/responses.csv");

    fn scorer() -> Scorer {
        let forms: Vec<(Form, ScoringKey)> =
            crate::forms::read_forms_with_keys(FORMS.as_bytes(), "forms.json").unwrap();
        Scorer::new(
            forms.iter().map(|(f, k)| (f, k)),
            &ScoringRules::default(),
            &HashMap::new(),
        )
        .unwrap()
    }

    fn streamed(
        input: &[u8],
        format: SubmissionsFormat,
        scorer: &Scorer,
    ) -> Result<Vec<Submission>, SubmissionsFileError> {
        let mut stream = SubmissionStream::new(input, format, "s", scorer)?;
        let mut out = Vec::new();
        let mut next = Submission::new("", "");
        while stream.read_into(&mut next)? {
            out.push(next.clone());
        }
        Ok(out)
    }

    #[test]
    fn the_format_is_told_by_the_extension_in_any_case() {
        for (path, format) in [
            ("a.json", SubmissionsFormat::Json),
            ("dir.json/a.JSON", SubmissionsFormat::Json),
            ("a.csv", SubmissionsFormat::RawCsv),
            ("a.json.txt", SubmissionsFormat::RawCsv),
            ("json", SubmissionsFormat::RawCsv),
        ] {
            assert_eq!(
                SubmissionsFormat::of_path(Path::new(path)),
                format,
                "{path}"
            );
        }
    }

    /// The CSV and its JSON (written from what the CSV read) give the same
    /// submissions, read whole or streamed.
    #[test]
    fn both_formats_read_whole_or_streamed_give_the_same_submissions() {
        let scorer = scorer();
        let from_csv =
            read_submissions(CSV.as_bytes(), SubmissionsFormat::RawCsv, "s", &scorer).unwrap();
        assert!(from_csv.len() > 1);
        let mut json = Vec::new();
        crate::submissions::write_submissions_json(&mut json, &from_csv).unwrap();
        let from_json =
            read_submissions(json.as_slice(), SubmissionsFormat::Json, "s", &scorer).unwrap();
        assert_eq!(from_json, from_csv);
        for (bytes, format) in [
            (CSV.as_bytes(), SubmissionsFormat::RawCsv),
            (json.as_slice(), SubmissionsFormat::Json),
        ] {
            assert_eq!(streamed(bytes, format, &scorer).unwrap(), from_csv);
        }
    }

    #[test]
    fn errors_name_the_file_and_keep_the_reason_as_source() {
        let scorer = scorer();
        let err =
            read_submissions(&b"[1]"[..], SubmissionsFormat::Json, "x.json", &scorer).unwrap_err();
        assert_eq!(err.to_string(), "x.json: bad submissions");
        assert!(matches!(err, SubmissionsFileError::Json { .. }));
        let err =
            read_submissions(&[0xff][..], SubmissionsFormat::Json, "x.json", &scorer).unwrap_err();
        assert_eq!(err.to_string(), "cannot read x.json");
        let err = streamed(b"who,what\n", SubmissionsFormat::RawCsv, &scorer).unwrap_err();
        assert_eq!(err.to_string(), "s: bad raw response CSV");
        let source = std::error::Error::source(&err).unwrap().to_string();
        assert!(source.contains("candidate,form"), "{source}");
    }
}
