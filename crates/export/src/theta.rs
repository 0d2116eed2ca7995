//! Theta tables: the ability of every person of a scored response file
//! (`exam theta`) as a JSON document, CSV (`id,theta,se`, and `at_bound`
//! under MLE; 6 decimals) or a table.

use crate::FormatError;
use crate::csv_table::{self, Record};
use crate::json;
use crate::table::{Column, Table, Width};
use exam_core::ids::PersonId;
use exam_scoring::Method;
use serde::{Deserialize, Serialize};
use std::io::{Read, Write};

/// One person's estimate; `theta` and `se` are absent where undefined
/// (MLE for a person presented no item).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PersonTheta {
    /// The person.
    pub id: PersonId,
    /// The estimate.
    pub theta: Option<f64>,
    /// Its standard error.
    pub se: Option<f64>,
    /// Under MLE: whether the estimate sits on the fence `±θmax`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_bound: Option<bool>,
}

/// The abilities of a response file under one estimator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThetaDocument {
    /// The estimator and its prior or fence.
    #[serde(flatten)]
    pub method: Method,
    /// Persons in the file.
    pub n_persons: usize,
    /// Items in the file.
    pub n_items: usize,
    /// One estimate per person, in file order.
    pub persons: Vec<PersonTheta>,
}

fn is_mle(method: &Method) -> bool {
    matches!(method, Method::Mle { .. })
}

fn number(v: Option<f64>) -> String {
    v.map_or(String::new(), |x| format!("{x:.6}"))
}

impl ThetaDocument {
    /// Writes the document as pretty JSON with a trailing newline.
    pub fn write(&self, out: impl Write, name: &str) -> Result<(), FormatError> {
        json::write_pretty(out, self, name)
    }

    /// Reads a document.
    pub fn read(input: impl Read, name: &str) -> Result<Self, FormatError> {
        json::read(input, name, "a theta document")
    }

    fn header(&self) -> &'static [&'static str] {
        if is_mle(&self.method) {
            &["id", "theta", "se", "at_bound"]
        } else {
            &["id", "theta", "se"]
        }
    }

    /// Writes the persons as CSV.
    pub fn write_csv(&self, out: impl Write, name: &str) -> Result<(), FormatError> {
        let rows = self.persons.iter().map(|p| {
            let mut cells = vec![p.id.to_string(), number(p.theta), number(p.se)];
            cells.extend(p.at_bound.map(|b| b.to_string()));
            cells
        });
        csv_table::write(out, self.header(), rows, name)?;
        Ok(())
    }

    /// Reads the persons of a CSV written for `method` (whose columns it
    /// decides).
    pub fn read_csv(
        input: impl Read,
        name: &str,
        method: Method,
    ) -> Result<Vec<PersonTheta>, FormatError> {
        let header = ThetaDocument {
            method,
            n_persons: 0,
            n_items: 0,
            persons: Vec::new(),
        }
        .header();
        csv_table::read(input, name, header, |r: &Record<'_>| {
            Ok(PersonTheta {
                id: PersonId::new(r.text(0)),
                theta: r.optional(1, "a number")?,
                se: r.optional(2, "a number")?,
                at_bound: if is_mle(&method) {
                    Some(r.parse(3, "`true` or `false`")?)
                } else {
                    None
                },
            })
        })
    }

    /// The persons as a table (`yes` marks an estimate on the MLE fence).
    pub fn table(&self) -> String {
        let mut columns = vec![
            Column::new("id").width(Width::Fit { min: 2 }),
            Column::right("theta", 10).gap(2),
            Column::right("se", 10).gap(2),
        ];
        // The mark carries its own two spaces: a line without it ends at `se`.
        if is_mle(&self.method) {
            columns.push(Column::left("  at bound", 0).gap(0));
        }
        let mut t = Table::with_columns(columns);
        for p in &self.persons {
            let mark = if p.at_bound == Some(true) {
                "  yes"
            } else {
                ""
            };
            t.row([
                p.id.to_string(),
                number(p.theta),
                number(p.se),
                mark.to_owned(),
            ]);
        }
        t.render()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use exam_scoring::{MleOptions, NormalPrior};
    use proptest::prelude::*;

    fn person(mle: bool) -> impl Strategy<Value = PersonTheta> {
        (
            "[A-Za-z0-9,\"][A-Za-z0-9,\" ]{0,5}",
            proptest::option::of((-600_000i32..600_000, 0i32..3_000_000)),
            any::<bool>(),
        )
            .prop_map(move |(id, estimate, bound)| PersonTheta {
                id: PersonId::new(id),
                theta: estimate.map(|e| f64::from(e.0) / 1e5),
                se: estimate.map(|e| f64::from(e.1) / 1e6),
                at_bound: mle.then_some(bound),
            })
    }

    fn method() -> impl Strategy<Value = Method> {
        prop_oneof![
            Just(Method::Eap {
                prior: NormalPrior::new(0.0, 1.0).unwrap()
            }),
            Just(Method::Mle {
                options: MleOptions::new(6.0).unwrap()
            }),
        ]
    }

    proptest! {
        #[test]
        fn csv_and_json_read_back_equal(method in method(), n in 0usize..6, seed in proptest::collection::vec(person(true), 6)) {
            let mle = is_mle(&method);
            let persons: Vec<PersonTheta> = seed
                .into_iter()
                .take(n)
                .map(|p| PersonTheta { at_bound: p.at_bound.filter(|_| mle), ..p })
                .collect();
            let doc = ThetaDocument { method, n_persons: persons.len(), n_items: 5, persons };
            let mut csv = Vec::new();
            doc.write_csv(&mut csv, "t.csv").unwrap();
            prop_assert_eq!(&ThetaDocument::read_csv(csv.as_slice(), "t.csv", method).unwrap(), &doc.persons);
            let mut json = Vec::new();
            doc.write(&mut json, "t.json").unwrap();
            prop_assert_eq!(ThetaDocument::read(json.as_slice(), "t.json").unwrap(), doc);
        }
    }
}
