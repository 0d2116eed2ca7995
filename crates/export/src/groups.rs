//! The groups file of a DIF analysis: CSV with a header, the person id
//! first (or, without ids, one row per response row), then group labels; one
//! column holds the label used. An empty label or `NA` is no group.
//! [`write_groups`] writes one (the pilot's `candidate,group,theta`),
//! [`read_group_labels`] reads a column of it back. Lines
//! in messages are physical lines, for LF and CRLF files alike.

use crate::FormatError;
use crate::csv_lines::LineTracked;
use exam_core::ids::PersonId;
use std::collections::HashMap;
use std::io::{Read, Write};

/// Why a groups file could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GroupsError {
    /// The CSV is malformed.
    #[error(transparent)]
    Format(#[from] FormatError),
    /// The named label column is not in the header.
    #[error("{name}: no column `{column}` in the header")]
    NoColumn {
        /// The file.
        name: String,
        /// The column asked for.
        column: String,
    },
    /// The header has no column after the person id.
    #[error("{name}: the header has no group column")]
    NoGroupColumn {
        /// The file.
        name: String,
    },
    /// A row lacks the label column.
    #[error("{name}, line {line}: no field {field}")]
    MissingField {
        /// The file.
        name: String,
        /// The line.
        line: u64,
        /// The 1-based field.
        field: usize,
    },
    /// A row names a person the responses do not have.
    #[error("{name}, line {line}: person `{person}` is not in the responses")]
    UnknownPerson {
        /// The file.
        name: String,
        /// The line.
        line: u64,
        /// The person.
        person: String,
    },
    /// Without ids, more rows than the responses have persons.
    #[error("{name}, line {line}: more rows than the responses have persons")]
    TooManyRows {
        /// The file.
        name: String,
        /// The line.
        line: u64,
    },
}

/// Writes a groups file: the header `candidate` and `columns`, then per
/// person its id and its labels, in the order of `columns`.
pub fn write_groups<'a, W: Write>(
    out: W,
    columns: &[&str],
    rows: impl IntoIterator<Item = (&'a str, Vec<String>)>,
    name: &str,
) -> Result<W, FormatError> {
    let header: Vec<&str> = std::iter::once("candidate")
        .chain(columns.iter().copied())
        .collect();
    let rows = rows
        .into_iter()
        .map(|(person, labels)| std::iter::once(person.to_owned()).chain(labels));
    crate::csv_table::write(out, &header, rows, name)
}

/// The group label of every person of `persons` (in that order; `None`
/// where the file gives none), from the column `column` (default: the first
/// after the person id). With `id_column` false, row `i` is person `i`.
pub fn read_group_labels(
    input: impl Read,
    name: &str,
    column: Option<&str>,
    persons: &[PersonId],
    id_column: bool,
) -> Result<Vec<Option<String>>, GroupsError> {
    let mut rdr = csv::Reader::from_reader(LineTracked::new(input));
    let header = rdr
        .headers()
        .map_err(|e| FormatError::csv(name, e))?
        .clone();
    let first_label = usize::from(id_column);
    let at = match column {
        Some(c) => header
            .iter()
            .position(|h| h == c)
            .ok_or_else(|| GroupsError::NoColumn {
                name: name.to_owned(),
                column: c.to_owned(),
            })?,
        None if header.len() > first_label => first_label,
        None => {
            return Err(GroupsError::NoGroupColumn {
                name: name.to_owned(),
            });
        }
    };
    let mut labels: Vec<Option<String>> = vec![None; persons.len()];
    let index: HashMap<&str, usize> = persons
        .iter()
        .enumerate()
        .map(|(i, p)| (p.as_str(), i))
        .collect();
    let mut record = csv::StringRecord::new();
    let mut row = 0;
    while rdr
        .read_record(&mut record)
        .map_err(|e| FormatError::csv(name, e))?
    {
        let byte = record.position().map_or(0, csv::Position::byte);
        let line = rdr.get_mut().line_at(byte);
        let label = record
            .get(at)
            .ok_or_else(|| GroupsError::MissingField {
                name: name.to_owned(),
                line,
                field: at + 1,
            })?
            .trim();
        let person = if id_column {
            let id = record.get(0).unwrap_or_default().trim();
            *index.get(id).ok_or_else(|| GroupsError::UnknownPerson {
                name: name.to_owned(),
                line,
                person: id.to_owned(),
            })?
        } else if row < labels.len() {
            row
        } else {
            return Err(GroupsError::TooManyRows {
                name: name.to_owned(),
                line,
            });
        };
        labels[person] = (!label.is_empty() && label != "NA").then(|| label.to_owned());
        row += 1;
    }
    Ok(labels)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn persons(ids: &[&str]) -> Vec<PersonId> {
        ids.iter().map(|i| PersonId::new(*i)).collect()
    }

    #[test]
    fn labels_follow_the_persons_and_na_is_no_group() {
        let text = "id,sex,race\nP2,F,x\nP1,NA,y\n";
        let labels = read_group_labels(
            text.as_bytes(),
            "g.csv",
            Some("sex"),
            &persons(&["P1", "P2", "P3"]),
            true,
        )
        .unwrap();
        assert_eq!(labels, vec![None, Some("F".to_owned()), None]);
        let err = read_group_labels(
            text.as_bytes(),
            "g.csv",
            Some("colour"),
            &persons(&["P1"]),
            true,
        )
        .unwrap_err();
        assert_eq!(err.to_string(), "g.csv: no column `colour` in the header");
        let err =
            read_group_labels(text.as_bytes(), "g.csv", None, &persons(&["P1"]), true).unwrap_err();
        assert_eq!(
            err.to_string(),
            "g.csv, line 2: person `P2` is not in the responses"
        );
    }

    #[test]
    fn crlf_files_name_the_physical_line() {
        // Lines counted by hand: header 1, P1 2, blank 3, P2 4, P9 5.
        let text = "id,sex\r\nP1,F\r\n\r\nP2,M\r\nP9,F\r\n";
        let err = read_group_labels(
            text.as_bytes(),
            "g.csv",
            None,
            &persons(&["P1", "P2"]),
            true,
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "g.csv, line 5: person `P9` is not in the responses"
        );
        let err = read_group_labels(
            "sex\r\nF\r\nM\r\nF\r\n".as_bytes(),
            "g.csv",
            None,
            &persons(&["P1", "P2"]),
            false,
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "g.csv, line 4: more rows than the responses have persons"
        );
    }
}
