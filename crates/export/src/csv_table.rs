//! CSV tables of text cells through the `csv` crate: a header and rows on
//! writing; on reading, the header checked and each row's cells parsed
//! with the file, line and column named in every error.

use crate::FormatError;
use std::io::{Read, Write};
use std::str::FromStr;

/// Writes CSV rows of cells to `out` as they come; [`Self::finish`]
/// flushes them.
pub struct CsvWriter<W: Write> {
    writer: csv::Writer<W>,
    name: String,
}

impl<W: Write> CsvWriter<W> {
    /// A writer that has written `header`.
    pub fn new(out: W, header: &[&str], name: &str) -> Result<Self, FormatError> {
        let mut writer = csv::Writer::from_writer(out);
        writer
            .write_record(header)
            .map_err(|e| FormatError::csv(name, e))?;
        Ok(Self {
            writer,
            name: name.to_owned(),
        })
    }

    /// Writes one row.
    pub fn row<S: AsRef<[u8]>>(
        &mut self,
        cells: impl IntoIterator<Item = S>,
    ) -> Result<(), FormatError> {
        self.writer
            .write_record(cells)
            .map_err(|e| FormatError::csv(&self.name, e))
    }

    /// Writes one cell of the current row ([`Self::end_row`] ends it).
    pub fn field(&mut self, cell: impl AsRef<[u8]>) -> Result<(), FormatError> {
        self.writer
            .write_field(cell)
            .map_err(|e| FormatError::csv(&self.name, e))
    }

    /// Ends the row [`Self::field`] wrote.
    pub fn end_row(&mut self) -> Result<(), FormatError> {
        self.row(None::<&[u8]>)
    }

    /// Flushes the rows and gives the output back.
    pub fn finish(self) -> Result<W, FormatError> {
        let name = self.name;
        self.writer
            .into_inner()
            .map_err(|e| FormatError::io(&name, e.into_error()))
    }
}

/// Writes a whole CSV table.
pub(crate) fn write<W: Write, S: AsRef<[u8]>>(
    out: W,
    header: &[&str],
    rows: impl IntoIterator<Item = impl IntoIterator<Item = S>>,
    name: &str,
) -> Result<W, FormatError> {
    let mut w = CsvWriter::new(out, header, name)?;
    for row in rows {
        w.row(row)?;
    }
    w.finish()
}

/// One row of a CSV table being read.
pub(crate) struct Record<'a> {
    name: &'a str,
    header: &'a [&'a str],
    line: u64,
    cells: csv::StringRecord,
}

impl Record<'_> {
    /// The cell of column `c` as text.
    pub(crate) fn text(&self, c: usize) -> &str {
        self.cells.get(c).unwrap_or_default()
    }

    /// The cell of column `c` parsed as `T` (`expected` says what it holds).
    pub(crate) fn parse<T: FromStr>(
        &self,
        c: usize,
        expected: &'static str,
    ) -> Result<T, FormatError> {
        self.text(c).parse().map_err(|_| self.bad(c, expected))
    }

    /// The cell of column `c`: empty is `None`, else parsed as `T`.
    pub(crate) fn optional<T: FromStr>(
        &self,
        c: usize,
        expected: &'static str,
    ) -> Result<Option<T>, FormatError> {
        match self.text(c) {
            "" => Ok(None),
            _ => self.parse(c, expected).map(Some),
        }
    }

    /// The error for a cell of column `c` that is not `expected`.
    pub(crate) fn bad(&self, c: usize, expected: &'static str) -> FormatError {
        FormatError::Cell {
            name: self.name.to_owned(),
            line: self.line,
            column: self.header.get(c).copied().unwrap_or_default().to_owned(),
            value: self.text(c).to_owned(),
            expected,
        }
    }
}

/// Reads a CSV table whose header must be `header`, turning each row into
/// a `T` with `row`.
pub(crate) fn read<T>(
    input: impl Read,
    name: &str,
    header: &[&str],
    mut row: impl FnMut(&Record<'_>) -> Result<T, FormatError>,
) -> Result<Vec<T>, FormatError> {
    let mut rdr = csv::Reader::from_reader(input);
    let found = rdr.headers().map_err(|e| FormatError::csv(name, e))?;
    if found.iter().ne(header.iter().copied()) {
        return Err(FormatError::Header {
            name: name.to_owned(),
            found: found.iter().collect::<Vec<_>>().join(","),
            expected: header.join(","),
        });
    }
    let mut out = Vec::new();
    for cells in rdr.records() {
        let cells = cells.map_err(|e| FormatError::csv(name, e))?;
        let line = cells.position().map_or(0, csv::Position::line);
        out.push(row(&Record {
            name,
            header,
            line,
            cells,
        })?);
    }
    Ok(out)
}
