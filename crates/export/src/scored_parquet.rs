//! Scored responses as Parquet, the format of a data platform's response
//! logs, read into the same [`ResponseMatrix`] as the scored CSV (same
//! persons, items, cells and order, so every statistic is the same).
//!
//! Two layouts, told apart by the schema:
//!
//! - **long**: a text column named `item` makes the file long, one row per
//!   presented item: `person` (or `candidate`; text or integer), `item`
//!   (text) and `score`. Persons and items are ordered by first appearance;
//!   an item a person has no row for was not presented to them (and a
//!   person who saw no item has no row, so is not counted, where the CSV
//!   counts them as persons without items); a person with two rows for
//!   one item is an error, and so is any null.
//! - **wide**: otherwise, one row per person: the person id in the first
//!   column (text or integer; with `id_column: false`, persons are numbered
//!   by row from 1), then one column per item named by its id. A null cell
//!   is an item not presented (the CSV's empty cell).
//!
//! A score is an integer `0..=250` in an integer column (INT32 or INT64,
//! any integer annotation) or a floating-point column holding whole
//! numbers (`1.0` is 1, as in the CSV). Columns must be flat (no nesting,
//! no lists). Rows are numbered from 1 across row groups in errors.
//! Pages may be uncompressed, Snappy or gzip compressed.
//!
//! [`write()`] writes the wide layout with a text person column `person`
//! (Snappy pages, row groups of [`GROUP_ROWS`] rows).
//!
//! The file is read whole into memory (Parquet's footer is at its end); the
//! cells of a wide file are decoded one row group at a time, a long file's
//! rows are kept as (person, item, score) until its items are all known.

use crate::FormatError;
use bytes::Bytes;
use exam_core::ids::{ItemId, PersonId};
use exam_core::responses::{
    Cell, CsvOptions, MAX_CELL_SCORE, ResponseMatrix, ResponseMatrixBuilder, ResponsesError,
};
use parquet::basic::{Compression, ConvertedType, Repetition, Type as PhysicalType};
use parquet::column::reader::{ColumnReader, ColumnReaderImpl};
use parquet::data_type::{ByteArray, ByteArrayType, DataType, Int32Type};
use parquet::file::properties::WriterProperties;
use parquet::file::reader::{FileReader, RowGroupReader, SerializedFileReader};
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::Type;
use rayon::prelude::*;
use std::collections::HashMap;
use std::io::{Read, Write};
use std::sync::Arc;

/// Rows per row group that [`write()`] writes.
pub const GROUP_ROWS: usize = 1 << 16;

/// The four bytes that open and close every Parquet file.
const MAGIC: &[u8; 4] = b"PAR1";

/// Errors reading scored responses from Parquet.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ParquetResponsesError {
    /// The input could not be read.
    #[error("{source_name}: {source}")]
    Io {
        /// The file read.
        source_name: String,
        /// What went wrong.
        source: std::io::Error,
    },
    /// The bytes are not a Parquet file.
    #[error(
        "{source_name}: not a Parquet file (it does not begin and end with `PAR1`); scored CSV files end in .csv"
    )]
    NotParquet {
        /// The file read.
        source_name: String,
    },
    /// The Parquet decoder failed (a damaged file, or a compression this
    /// build does not read).
    #[error("{source_name}: {message}")]
    Decode {
        /// The file read.
        source_name: String,
        /// What the decoder reported.
        message: String,
    },
    /// A column is nested or repeated.
    #[error(
        "{source_name}, column `{column}`: nested or repeated columns are not read; give flat columns"
    )]
    Nested {
        /// The file read.
        source_name: String,
        /// The column's path.
        column: String,
    },
    /// A column has a type its role cannot take.
    #[error("{source_name}, column `{column}`: {found} values, but {role} is {expected}")]
    ColumnType {
        /// The file read.
        source_name: String,
        /// The column.
        column: String,
        /// Its physical type.
        found: String,
        /// What the column is for.
        role: &'static str,
        /// The types it may have.
        expected: &'static str,
    },
    /// A wide file with no item column.
    #[error(
        "{source_name}: no item columns (a wide file has the person id, then one column per item)"
    )]
    NoItems {
        /// The file read.
        source_name: String,
    },
    /// A long file lacks one of its columns.
    #[error(
        "{source_name}: a long file (it has a text column `item`) needs a column `{column}` too"
    )]
    MissingColumn {
        /// The file read.
        source_name: String,
        /// The column's name.
        column: &'static str,
    },
    /// `--no-id` given for a long file, whose persons are a column.
    #[error("{source_name}: a long file names its persons in column `{column}`; drop --no-id")]
    NoIdInLong {
        /// The file read.
        source_name: String,
        /// The person column.
        column: String,
    },
    /// A null where a value is needed.
    #[error("{source_name}, row {row}, column `{column}`: null {what}")]
    Null {
        /// The file read.
        source_name: String,
        /// 1-based row.
        row: u64,
        /// The column.
        column: String,
        /// What the cell is.
        what: &'static str,
    },
    /// An empty or non-UTF-8 id.
    #[error("{source_name}, row {row}, column `{column}`: {problem}")]
    BadId {
        /// The file read.
        source_name: String,
        /// 1-based row.
        row: u64,
        /// The column.
        column: String,
        /// What is wrong with it.
        problem: &'static str,
    },
    /// A value that is not a score.
    #[error(
        "{source_name}, row {row}, column `{column}`: {value} is not a score (an integer 0..={max})",
        max = MAX_CELL_SCORE
    )]
    BadScore {
        /// The file read.
        source_name: String,
        /// 1-based row.
        row: u64,
        /// The column.
        column: String,
        /// The value.
        value: String,
    },
    /// A person on two rows of a wide file.
    #[error(
        "{source_name}, row {row}: person `{person}` appears more than once (first on row {first_row})"
    )]
    DuplicatePerson {
        /// The file read.
        source_name: String,
        /// 1-based row of the repeat.
        row: u64,
        /// 1-based row of the first occurrence.
        first_row: u64,
        /// The person.
        person: PersonId,
    },
    /// Two rows of a long file for one person and item.
    #[error(
        "{source_name}, row {row}: person `{person}` has a second score for item `{item}` (first on row {first_row})"
    )]
    DuplicateResponse {
        /// The file read.
        source_name: String,
        /// 1-based row of the repeat.
        row: u64,
        /// 1-based row of the first.
        first_row: u64,
        /// The person.
        person: PersonId,
        /// The item.
        item: ItemId,
    },
    /// The matrix refused the data (an item id in two columns, say).
    #[error(transparent)]
    Responses(#[from] ResponsesError),
}

/// Reads scored responses from Parquet bytes (see the module docs);
/// `source_name` (usually the path) names the file in errors. With
/// `options.id_column` false, a wide file has no person column.
pub fn read(
    mut input: impl Read,
    source_name: &str,
    options: CsvOptions,
) -> Result<ResponseMatrix, ParquetResponsesError> {
    let mut bytes = Vec::new();
    input
        .read_to_end(&mut bytes)
        .map_err(|source| ParquetResponsesError::Io {
            source_name: source_name.to_owned(),
            source,
        })?;
    if bytes.len() < 8 || !bytes.starts_with(MAGIC) || !bytes.ends_with(MAGIC) {
        return Err(ParquetResponsesError::NotParquet {
            source_name: source_name.to_owned(),
        });
    }
    let file = File {
        reader: SerializedFileReader::new(Bytes::from(bytes)).map_err(decode(source_name))?,
        name: source_name,
    };
    let columns = file.columns()?;
    match columns.iter().position(|c| c.name == "item" && c.text) {
        Some(item) => read_long(&file, &columns, item, options),
        None => read_wide(&file, &columns, options),
    }
}

/// An open Parquet file and its name.
struct File<'a> {
    reader: SerializedFileReader<Bytes>,
    name: &'a str,
}

/// A flat column: its name and whether it holds text.
struct Column {
    name: String,
    text: bool,
}

/// One column of one row group, nulls as `None`, in row order.
enum Chunk {
    Int(Vec<Option<i64>>),
    Float(Vec<Option<f64>>),
    Text(Vec<Option<ByteArray>>),
}

/// A value of a column, for the matrix.
enum Value<'a> {
    Int(i64),
    Float(f64),
    Text(&'a [u8]),
}

impl Chunk {
    fn len(&self) -> usize {
        match self {
            Chunk::Int(v) => v.len(),
            Chunk::Float(v) => v.len(),
            Chunk::Text(v) => v.len(),
        }
    }

    /// The value of row `r` (within the row group), `None` when null.
    fn get(&self, r: usize) -> Option<Value<'_>> {
        match self {
            Chunk::Int(v) => v[r].map(Value::Int),
            Chunk::Float(v) => v[r].map(Value::Float),
            Chunk::Text(v) => v[r].as_ref().map(|b| Value::Text(b.data())),
        }
    }
}

/// A decoder error as this module's error.
fn decode(source_name: &str) -> impl Fn(parquet::errors::ParquetError) -> ParquetResponsesError {
    move |e| ParquetResponsesError::Decode {
        source_name: source_name.to_owned(),
        message: e.to_string(),
    }
}

impl File<'_> {
    /// The file's columns, checked flat, with their kinds.
    fn columns(&self) -> Result<Vec<Column>, ParquetResponsesError> {
        let schema = self.reader.metadata().file_metadata().schema_descr();
        (0..schema.num_columns())
            .map(|i| {
                let c = schema.column(i);
                if c.max_rep_level() > 0 || c.path().parts().len() != 1 {
                    return Err(ParquetResponsesError::Nested {
                        source_name: self.name.to_owned(),
                        column: c.path().string(),
                    });
                }
                Ok(Column {
                    name: c.name().to_owned(),
                    text: c.physical_type() == PhysicalType::BYTE_ARRAY,
                })
            })
            .collect()
    }

    /// Checks that column `c` can play `role`: a score (integer or
    /// floating point) or an id (text or integer).
    fn check_type(&self, c: usize, role: Role) -> Result<(), ParquetResponsesError> {
        let schema = self.reader.metadata().file_metadata().schema_descr();
        let column = schema.column(c);
        let found = column.physical_type();
        let fits = match role {
            Role::Score => matches!(
                found,
                PhysicalType::INT32
                    | PhysicalType::INT64
                    | PhysicalType::FLOAT
                    | PhysicalType::DOUBLE
            ),
            Role::Id => matches!(
                found,
                PhysicalType::BYTE_ARRAY | PhysicalType::INT32 | PhysicalType::INT64
            ),
        };
        if fits {
            return Ok(());
        }
        let (role, expected) = match role {
            Role::Score => ("a score column", "integer or floating point"),
            Role::Id => ("the person id", "text or integer"),
        };
        Err(ParquetResponsesError::ColumnType {
            source_name: self.name.to_owned(),
            column: column.name().to_owned(),
            found: found.to_string(),
            role,
            expected,
        })
    }

    /// Column `c` of a row group, whole.
    fn chunk(&self, group: &dyn RowGroupReader, c: usize) -> Result<Chunk, ParquetResponsesError> {
        let rows = usize::try_from(group.metadata().num_rows()).unwrap_or(0);
        let max_def = group.metadata().column(c).column_descr().max_def_level();
        let error = decode(self.name);
        let reader = group.get_column_reader(c).map_err(&error)?;
        let chunk = match reader {
            ColumnReader::Int32ColumnReader(r) => Chunk::Int(
                spread(r, rows, max_def)
                    .map_err(&error)?
                    .map(|v| v.map(i64::from))
                    .collect(),
            ),
            ColumnReader::Int64ColumnReader(r) => {
                Chunk::Int(spread(r, rows, max_def).map_err(&error)?.collect())
            }
            ColumnReader::FloatColumnReader(r) => Chunk::Float(
                spread(r, rows, max_def)
                    .map_err(&error)?
                    .map(|v| v.map(f64::from))
                    .collect(),
            ),
            ColumnReader::DoubleColumnReader(r) => {
                Chunk::Float(spread(r, rows, max_def).map_err(&error)?.collect())
            }
            ColumnReader::ByteArrayColumnReader(r) => {
                Chunk::Text(spread(r, rows, max_def).map_err(&error)?.collect())
            }
            // The types were checked against the column's role.
            _ => {
                return Err(ParquetResponsesError::Decode {
                    source_name: self.name.to_owned(),
                    message: format!("column {} has an unexpected type", c + 1),
                });
            }
        };
        if chunk.len() != rows {
            return Err(ParquetResponsesError::Decode {
                source_name: self.name.to_owned(),
                message: format!(
                    "column {} holds {} values for {rows} rows",
                    c + 1,
                    chunk.len()
                ),
            });
        }
        Ok(chunk)
    }

    /// Each row group in order, with its index and the 1-based row of its
    /// first row.
    fn groups(&self) -> impl Iterator<Item = Result<Group<'_>, ParquetResponsesError>> + '_ {
        let mut first_row = 1u64;
        (0..self.reader.num_row_groups()).map(move |g| {
            let reader = self.reader.get_row_group(g).map_err(decode(self.name))?;
            let row = first_row;
            first_row += u64::try_from(reader.metadata().num_rows()).unwrap_or(0);
            Ok(Group {
                index: g,
                reader,
                first_row: row,
            })
        })
    }

    /// The cells of score column `c` of row group `g`, whose first row is
    /// `first_row`, in row order (null: not presented), or the error of
    /// its first bad value. Opens its own reader of the group, so that
    /// columns decode in parallel.
    fn score_cells(
        &self,
        g: usize,
        c: usize,
        first_row: u64,
        name: &str,
    ) -> Result<Vec<Cell>, ParquetResponsesError> {
        let group = self.reader.get_row_group(g).map_err(decode(self.name))?;
        let chunk = self.chunk(group.as_ref(), c)?;
        if let Chunk::Int(values) = &chunk {
            // The usual column, without a value enum per cell.
            let to_cell = |v: &Option<i64>| match *v {
                None => Some(Cell::NotPresented),
                Some(s) => whole_score(s).map(Cell::Score),
            };
            let cells: Vec<Cell> = values.iter().map_while(to_cell).collect();
            if cells.len() == values.len() {
                return Ok(cells);
            }
        }
        (0..chunk.len())
            .map(|r| match chunk.get(r) {
                None => Ok(Cell::NotPresented),
                Some(value) => {
                    score(&value, self.name, first_row + r as u64, name).map(Cell::Score)
                }
            })
            .collect()
    }
}

/// A row group of an open file: its index, a reader and the 1-based row
/// of its first row.
struct Group<'a> {
    index: usize,
    reader: Box<dyn RowGroupReader + 'a>,
    first_row: u64,
}

/// What a column is read for.
#[derive(Clone, Copy)]
enum Role {
    Score,
    Id,
}

/// A column chunk's values in row order, nulls as `None`: `read_records`
/// gives the defined values packed, with a definition level per row.
fn spread<T: DataType>(
    mut reader: ColumnReaderImpl<T>,
    rows: usize,
    max_def: i16,
) -> Result<impl Iterator<Item = Option<T::T>>, parquet::errors::ParquetError> {
    let mut values = Vec::with_capacity(rows);
    let mut levels = Vec::with_capacity(if max_def > 0 { rows } else { 0 });
    reader.read_records(rows, Some(&mut levels), None, &mut values)?;
    let mut values = values.into_iter();
    let spread: Vec<Option<T::T>> = if max_def == 0 {
        values.map(Some).collect()
    } else {
        levels
            .iter()
            .map(|&l| if l == max_def { values.next() } else { None })
            .collect()
    };
    Ok(spread.into_iter())
}

/// A score value as a cell score, or the error naming it.
fn score(
    value: &Value<'_>,
    source_name: &str,
    row: u64,
    column: &str,
) -> Result<u8, ParquetResponsesError> {
    let whole = match *value {
        Value::Int(v) => Some(v),
        // Whole numbers within range only; NaN and infinities fail here.
        Value::Float(v) if v.fract() == 0.0 && v.abs() <= f64::from(MAX_CELL_SCORE) => {
            Some(v as i64)
        }
        _ => None,
    };
    whole
        .and_then(whole_score)
        .ok_or_else(|| ParquetResponsesError::BadScore {
            source_name: source_name.to_owned(),
            row,
            column: column.to_owned(),
            value: match *value {
                Value::Int(v) => v.to_string(),
                Value::Float(v) => v.to_string(),
                Value::Text(t) => format!("`{}`", String::from_utf8_lossy(t)),
            },
        })
}

/// A whole number as a cell score, if it is one (`0..=MAX_CELL_SCORE`).
fn whole_score(value: i64) -> Option<u8> {
    u8::try_from(value).ok().filter(|&v| v <= MAX_CELL_SCORE)
}

/// An id value (person or item) as text, or the error naming it.
fn id_text(
    value: Option<Value<'_>>,
    source_name: &str,
    row: u64,
    column: &str,
    what: &'static str,
) -> Result<String, ParquetResponsesError> {
    let bad = |problem| ParquetResponsesError::BadId {
        source_name: source_name.to_owned(),
        row,
        column: column.to_owned(),
        problem,
    };
    let text = match value {
        None => {
            return Err(ParquetResponsesError::Null {
                source_name: source_name.to_owned(),
                row,
                column: column.to_owned(),
                what,
            });
        }
        Some(Value::Int(v)) => v.to_string(),
        Some(Value::Text(t)) => std::str::from_utf8(t)
            .map_err(|_| bad("the id is not valid UTF-8"))?
            .to_owned(),
        Some(Value::Float(_)) => return Err(bad("an id is text or an integer")),
    };
    if text.trim().is_empty() {
        return Err(bad("empty id"));
    }
    Ok(text)
}

/// Reads a wide file: person id (unless `--no-id`), then item columns.
fn read_wide(
    file: &File<'_>,
    columns: &[Column],
    options: CsvOptions,
) -> Result<ResponseMatrix, ParquetResponsesError> {
    let first_item = usize::from(options.id_column);
    if columns.len() <= first_item {
        return Err(ParquetResponsesError::NoItems {
            source_name: file.name.to_owned(),
        });
    }
    if options.id_column {
        file.check_type(0, Role::Id)?;
    }
    for c in first_item..columns.len() {
        file.check_type(c, Role::Score)?;
    }
    let items: Vec<ItemId> = columns[first_item..]
        .iter()
        .map(|c| ItemId::new(c.name.as_str()))
        .collect();
    let k = items.len();
    let mut builder =
        ResponseMatrixBuilder::new(items).map_err(|item| ResponsesError::DuplicateItem {
            source_name: file.name.to_owned(),
            item,
        })?;
    let mut cells = vec![Cell::NotPresented; k];
    for group in file.groups() {
        let Group {
            index,
            reader: group,
            first_row,
        } = group?;
        let rows = usize::try_from(group.metadata().num_rows()).unwrap_or(0);
        // The score columns decoded in parallel; the first error in column
        // order is the one reported, as in a sequential read.
        let by_column: Vec<Vec<Cell>> = (first_item..columns.len())
            .into_par_iter()
            .map(|c| file.score_cells(index, c, first_row, &columns[c].name))
            .collect::<Vec<_>>()
            .into_iter()
            .collect::<Result<_, _>>()?;
        let ids = match options.id_column {
            true => Some(file.chunk(group.as_ref(), 0)?),
            false => None,
        };
        for r in 0..rows {
            for (cell, column) in cells.iter_mut().zip(&by_column) {
                *cell = column[r];
            }
            let row = first_row + r as u64;
            let person = match &ids {
                Some(ids) => id_text(ids.get(r), file.name, row, &columns[0].name, "person id")?,
                None => row.to_string(),
            };
            builder
                .push(PersonId::new(person), &cells)
                .map_err(|e| match e {
                    ResponsesError::RepeatedPerson { person, first, .. } => {
                        ParquetResponsesError::DuplicatePerson {
                            source_name: file.name.to_owned(),
                            row,
                            first_row: first as u64,
                            person,
                        }
                    }
                    other => other.into(),
                })?;
        }
    }
    Ok(builder.build())
}

/// Reads a long file: one row per person and presented item.
fn read_long(
    file: &File<'_>,
    columns: &[Column],
    item_column: usize,
    options: CsvOptions,
) -> Result<ResponseMatrix, ParquetResponsesError> {
    let find = |names: &[&str], missing: &'static str| {
        columns
            .iter()
            .position(|c| names.contains(&c.name.as_str()))
            .ok_or(ParquetResponsesError::MissingColumn {
                source_name: file.name.to_owned(),
                column: missing,
            })
    };
    let person_column = find(&["person", "candidate"], "person")?;
    let score_column = find(&["score"], "score")?;
    if !options.id_column {
        return Err(ParquetResponsesError::NoIdInLong {
            source_name: file.name.to_owned(),
            column: columns[person_column].name.clone(),
        });
    }
    file.check_type(person_column, Role::Id)?;
    file.check_type(score_column, Role::Score)?;
    let name = |c: usize| columns[c].name.as_str();

    // Persons and items by first appearance; one entry per row.
    let mut persons: Vec<String> = Vec::new();
    let mut person_index: HashMap<String, u32> = HashMap::new();
    let mut items: Vec<String> = Vec::new();
    let mut item_index: HashMap<String, u32> = HashMap::new();
    let mut responses: Vec<(u32, u32, u8)> = Vec::new();
    let index = |ids: &mut Vec<String>, index: &mut HashMap<String, u32>, id: String| {
        let next = u32::try_from(ids.len()).unwrap_or(u32::MAX);
        *index.entry(id).or_insert_with_key(|id| {
            ids.push(id.clone());
            next
        })
    };
    for group in file.groups() {
        let Group {
            reader: group,
            first_row,
            ..
        } = group?;
        let rows = usize::try_from(group.metadata().num_rows()).unwrap_or(0);
        let person_ids = file.chunk(group.as_ref(), person_column)?;
        let item_ids = file.chunk(group.as_ref(), item_column)?;
        let scores = file.chunk(group.as_ref(), score_column)?;
        for r in 0..rows {
            let row = first_row + r as u64;
            let person = id_text(
                person_ids.get(r),
                file.name,
                row,
                name(person_column),
                "person id",
            )?;
            let item = id_text(
                item_ids.get(r),
                file.name,
                row,
                name(item_column),
                "item id",
            )?;
            let value = scores.get(r).ok_or_else(|| ParquetResponsesError::Null {
                source_name: file.name.to_owned(),
                row,
                column: name(score_column).to_owned(),
                what: "score",
            })?;
            let s = score(&value, file.name, row, name(score_column))?;
            let p = index(&mut persons, &mut person_index, person);
            let i = index(&mut items, &mut item_index, item);
            responses.push((p, i, s));
        }
    }
    drop((person_index, item_index));

    let k = items.len();
    if k == 0 {
        return Err(ParquetResponsesError::NoItems {
            source_name: file.name.to_owned(),
        });
    }
    let mut grid = vec![Cell::NotPresented; persons.len() * k];
    for (n, &(p, i, s)) in responses.iter().enumerate() {
        let at = p as usize * k + i as usize;
        if grid[at] != Cell::NotPresented {
            // The first row with this person and item, for the message.
            let first = responses.iter().position(|&(q, j, _)| (q, j) == (p, i));
            return Err(ParquetResponsesError::DuplicateResponse {
                source_name: file.name.to_owned(),
                row: n as u64 + 1,
                first_row: first.map_or(0, |f| f as u64 + 1),
                person: PersonId::new(persons[p as usize].as_str()),
                item: ItemId::new(items[i as usize].as_str()),
            });
        }
        grid[at] = Cell::Score(s);
    }
    let mut builder = ResponseMatrixBuilder::new(items.into_iter().map(ItemId::new).collect())
        .map_err(|item| ResponsesError::DuplicateItem {
            source_name: file.name.to_owned(),
            item,
        })?;
    for (p, person) in persons.into_iter().enumerate() {
        builder.push(PersonId::new(person), &grid[p * k..(p + 1) * k])?;
    }
    Ok(builder.build())
}

/// Writes `matrix` as a wide scored-response Parquet file: a text column
/// `person`, then one optional INT32 column per item (an omission as 0, not
/// presented as null), so that [`read`] gives the matrix back with
/// omissions as scores of 0, as the scored CSV does.
pub fn write<W: Write + Send>(
    out: W,
    matrix: &ResponseMatrix,
    name: &str,
) -> Result<W, FormatError> {
    let error = |e| FormatError::parquet(name, e);
    let mut fields = vec![Arc::new(
        Type::primitive_type_builder("person", PhysicalType::BYTE_ARRAY)
            .with_repetition(Repetition::REQUIRED)
            .with_converted_type(ConvertedType::UTF8)
            .build()
            .map_err(error)?,
    )];
    for item in matrix.items() {
        fields.push(Arc::new(
            Type::primitive_type_builder(item.as_str(), PhysicalType::INT32)
                .with_repetition(Repetition::OPTIONAL)
                .build()
                .map_err(error)?,
        ));
    }
    let schema = Type::group_type_builder("responses")
        .with_fields(fields)
        .build()
        .map_err(error)?;
    let properties = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .build();
    let mut writer =
        SerializedFileWriter::new(out, Arc::new(schema), Arc::new(properties)).map_err(error)?;
    let (n, k) = (matrix.n_persons(), matrix.n_items());
    let mut scores: Vec<Option<u8>> = Vec::new();
    let mut values: Vec<i32> = Vec::new();
    let mut levels: Vec<i16> = Vec::new();
    for start in (0..n).step_by(GROUP_ROWS) {
        let end = (start + GROUP_ROWS).min(n);
        group_scores(matrix, start..end, &mut scores);
        let mut group = writer.next_row_group().map_err(error)?;
        let mut c = 0;
        while let Some(mut col) = group.next_column().map_err(error)? {
            if c == 0 {
                let ids: Vec<ByteArray> = matrix.persons()[start..end]
                    .iter()
                    .map(|p| ByteArray::from(p.as_str()))
                    .collect();
                col.typed::<ByteArrayType>()
                    .write_batch(&ids, None, None)
                    .map_err(error)?;
            } else {
                values.clear();
                levels.clear();
                for score in scores.iter().skip(c - 1).step_by(k) {
                    levels.push(i16::from(score.is_some()));
                    values.extend(score.map(i32::from));
                }
                col.typed::<Int32Type>()
                    .write_batch(&values, Some(&levels), None)
                    .map_err(error)?;
            }
            col.close().map_err(error)?;
            c += 1;
        }
        group.close().map_err(error)?;
    }
    writer.into_inner().map_err(error)
}

/// The scores of persons `persons` row-major (an omission 0, not presented
/// `None`), gathered from the matrix's blocks.
fn group_scores(
    matrix: &ResponseMatrix,
    persons: std::ops::Range<usize>,
    scores: &mut Vec<Option<u8>>,
) {
    let k = matrix.n_items();
    scores.clear();
    scores.resize(persons.len() * k, None);
    for block in matrix.blocks() {
        let rows = block.persons();
        let from = rows.partition_point(|&p| p < persons.start);
        let to = rows.partition_point(|&p| p < persons.end);
        for (r, &person) in rows.iter().enumerate().take(to).skip(from) {
            let at = (person - persons.start) * k;
            for (&item, &score) in block.items().iter().zip(block.row(r)) {
                // An omission is stored with the score 0.
                scores[at + item] = Some(score);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_matrices::{matrix, rows, same_scores};
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn written_matrices_read_back_cell_for_cell(rows in rows()) {
            let items = rows.first().map_or(1, Vec::len);
            let m = matrix(&rows, items);
            let bytes = write(Vec::new(), &m, "s.parquet").unwrap();
            let back = read(bytes.as_slice(), "s.parquet", CsvOptions::default()).unwrap();
            same_scores(&back, &m)?;
        }
    }
}
