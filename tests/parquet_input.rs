//! Scored responses as Parquet: the reference data sets converted in the
//! test (wide by exam-export's writer, wide and long by the `parquet`
//! crate's column writers here, with other column types and several row
//! groups) give `exam analyze` and `exam calibrate` the very output of the
//! CSV route; bad files are refused with errors naming row and column.

#![allow(clippy::unwrap_used)] // a test fails loudly on bad fixtures

use crate::util::{Run, exam};
use exam_export::core::responses::{Cell, CsvOptions, ResponseMatrix};
use exam_export::{scored_csv, scored_parquet};
use parquet::basic::{ConvertedType, Repetition, Type as PhysicalType};
use parquet::data_type::{ByteArray, ByteArrayType, DoubleType, Int32Type, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::Type;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A folder of its own for one test, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(test: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("exam-parquet-{test}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    fn path(&self, name: &str) -> String {
        self.0.join(name).to_str().unwrap().to_owned()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A column's cells for the test writer (`None`: null).
enum Cells {
    Int32(Vec<Option<i32>>),
    Int64(Vec<Option<i64>>),
    Double(Vec<Option<f64>>),
    Text(Vec<Option<String>>),
}

/// Named columns of a test file.
type Columns<'a> = Vec<(&'a str, Cells)>;

/// Writes optional columns `(name, cells)` to a Parquet file, in row
/// groups of `group_rows` rows.
fn write_columns(path: &str, columns: &[(&str, Cells)], group_rows: usize) {
    let fields = columns
        .iter()
        .map(|(name, cells)| {
            let physical = match cells {
                Cells::Int32(_) => PhysicalType::INT32,
                Cells::Int64(_) => PhysicalType::INT64,
                Cells::Double(_) => PhysicalType::DOUBLE,
                Cells::Text(_) => PhysicalType::BYTE_ARRAY,
            };
            let mut t =
                Type::primitive_type_builder(name, physical).with_repetition(Repetition::OPTIONAL);
            if let Cells::Text(_) = cells {
                t = t.with_converted_type(ConvertedType::UTF8);
            }
            Arc::new(t.build().unwrap())
        })
        .collect();
    let schema = Type::group_type_builder("test")
        .with_fields(fields)
        .build()
        .unwrap();
    let file = std::fs::File::create(path).unwrap();
    let properties = Arc::new(WriterProperties::builder().build());
    let mut writer = SerializedFileWriter::new(file, Arc::new(schema), properties).unwrap();
    let rows = match &columns[0].1 {
        Cells::Int32(v) => v.len(),
        Cells::Int64(v) => v.len(),
        Cells::Double(v) => v.len(),
        Cells::Text(v) => v.len(),
    };
    for start in (0..rows).step_by(group_rows) {
        let range = start..(start + group_rows).min(rows);
        let mut group = writer.next_row_group().unwrap();
        for (_, cells) in columns {
            let mut col = group.next_column().unwrap().unwrap();
            fn split<T: Clone>(cells: &[Option<T>]) -> (Vec<T>, Vec<i16>) {
                let levels = cells.iter().map(|c| i16::from(c.is_some())).collect();
                (cells.iter().flatten().cloned().collect(), levels)
            }
            match cells {
                Cells::Int32(v) => {
                    let (values, levels) = split(&v[range.clone()]);
                    col.typed::<Int32Type>()
                        .write_batch(&values, Some(&levels), None)
                }
                Cells::Int64(v) => {
                    let (values, levels) = split(&v[range.clone()]);
                    col.typed::<Int64Type>()
                        .write_batch(&values, Some(&levels), None)
                }
                Cells::Double(v) => {
                    let (values, levels) = split(&v[range.clone()]);
                    col.typed::<DoubleType>()
                        .write_batch(&values, Some(&levels), None)
                }
                Cells::Text(v) => {
                    let (values, levels) = split(&v[range.clone()]);
                    let values: Vec<ByteArray> =
                        values.iter().map(|s| ByteArray::from(s.as_str())).collect();
                    col.typed::<ByteArrayType>()
                        .write_batch(&values, Some(&levels), None)
                }
            }
            .unwrap();
            col.close().unwrap();
        }
        group.close().unwrap();
    }
    writer.close().unwrap();
}

/// The reference data set `name` (no id column) as read from its CSV.
fn reference_matrix(name: &str) -> ResponseMatrix {
    let path = format!("tests/data/reference/{name}.csv");
    let file = std::fs::File::open(Path::new(env!("CARGO_MANIFEST_DIR")).join(&path)).unwrap();
    scored_csv::read(file, &path, CsvOptions { id_column: false }).unwrap()
}

/// The score of a cell, `None` when not presented.
fn score(cell: Cell) -> Option<u8> {
    match cell {
        Cell::Score(s) => Some(s),
        Cell::Omitted => Some(0),
        Cell::NotPresented => None,
    }
}

/// The matrix as a wide file without an id column: doubles in the odd
/// item columns, INT32 in the others, row groups of 300 rows.
fn write_wide_without_ids(m: &ResponseMatrix, path: &str) {
    let columns: Vec<(&str, Cells)> = (0..m.n_items())
        .map(|i| {
            let cells = (0..m.n_persons()).map(|p| score(m.cell(p, i)));
            let cells = if i % 2 == 1 {
                Cells::Double(cells.map(|s| s.map(f64::from)).collect())
            } else {
                Cells::Int32(cells.map(|s| s.map(i32::from)).collect())
            };
            (m.items()[i].as_str(), cells)
        })
        .collect();
    write_columns(path, &columns, 300);
}

/// The matrix as a long file, person-major: INT64 person ids (the CSV's
/// row numbers), text items, INT32 scores, no row for a cell not
/// presented; row groups of 1,000 rows.
fn write_long(m: &ResponseMatrix, path: &str) {
    let (mut persons, mut items, mut scores) = (Vec::new(), Vec::new(), Vec::new());
    for p in 0..m.n_persons() {
        for i in 0..m.n_items() {
            if let Some(s) = score(m.cell(p, i)) {
                persons.push(Some(m.persons()[p].as_str().parse::<i64>().unwrap()));
                items.push(Some(m.items()[i].as_str().to_owned()));
                scores.push(Some(i32::from(s)));
            }
        }
    }
    let columns = [
        ("person", Cells::Int64(persons)),
        ("item", Cells::Text(items)),
        ("score", Cells::Int32(scores)),
    ];
    write_columns(path, &columns, 1000);
}

/// JSON output with every string naming the input file made `<input>`.
fn without_path(v: Value, path: &str) -> Value {
    match v {
        Value::String(s) if s == path => Value::String("<input>".to_owned()),
        Value::Array(a) => Value::Array(a.into_iter().map(|x| without_path(x, path)).collect()),
        Value::Object(o) => Value::Object(
            o.into_iter()
                .map(|(k, x)| (k, without_path(x, path)))
                .collect(),
        ),
        other => other,
    }
}

/// `exam <command> <file> [--no-id] <extra> --format json`, its input path
/// replaced.
fn json_of(command: &str, file: &str, no_id: bool, extra: &[&str]) -> Value {
    let mut args = vec![command, "--responses", file];
    if no_id {
        args.push("--no-id");
    }
    args.extend_from_slice(extra);
    args.extend_from_slice(&["--format", "json"]);
    without_path(exam(&args).success().json(), file)
}

#[test]
fn parquet_files_analyse_and_calibrate_as_their_csv() {
    let scratch = Scratch::new("same");
    // LSAT6 and SAT12 (complete, dichotomous), the ability items (cells
    // not presented), verbal aggression (partial credit).
    let cases: [(&str, &[&str]); 4] = [
        ("lsat6", &["--model", "2pl"]),
        ("sat12", &["--model", "2pl", "--no-se"]),
        ("ability", &["--model", "rasch", "--no-se"]),
        ("verbal_aggression_poly", &[]),
    ];
    for (name, calibrate) in cases {
        let csv = format!("tests/data/reference/{name}.csv");
        let m = reference_matrix(name);
        let wide = scratch.path(&format!("{name}-wide.parquet"));
        let file = std::fs::File::create(&wide).unwrap();
        scored_parquet::write(file, &m, &wide).unwrap();
        let bare = scratch.path(&format!("{name}-bare.parquet"));
        write_wide_without_ids(&m, &bare);
        let long = scratch.path(&format!("{name}-long.parquet"));
        write_long(&m, &long);

        let want = json_of("analyze", &csv, true, &[]);
        assert_eq!(json_of("analyze", &wide, false, &[]), want, "{name} wide");
        assert_eq!(json_of("analyze", &bare, true, &[]), want, "{name} bare");
        // A long file has no row for a person who saw no item: the only
        // difference, in the counts of persons.
        let mut long_got = json_of("analyze", &long, false, &[]);
        let mut long_want = want.clone();
        let without = |v: &Value| v["n_persons_without_items"].as_u64().unwrap();
        let n = |v: &Value| v["n_persons"].as_u64().unwrap();
        assert_eq!(without(&long_got), 0);
        assert_eq!(n(&long_got), n(&want) - without(&want), "{name} long");
        for v in [&mut long_got, &mut long_want] {
            let o = v.as_object_mut().unwrap();
            o.remove("n_persons");
            o.remove("n_persons_without_items");
        }
        assert_eq!(long_got, long_want, "{name} long");
        if !calibrate.is_empty() {
            let want = json_of("calibrate", &csv, true, calibrate);
            assert_eq!(json_of("calibrate", &wide, false, calibrate), want);
            assert_eq!(json_of("calibrate", &long, false, calibrate), want);
        }
    }
}

#[test]
fn parquet_given_by_position_prints_the_csv_table() {
    let scratch = Scratch::new("table");
    let m = reference_matrix("lsat6");
    let bare = scratch.path("lsat6.parquet");
    write_wide_without_ids(&m, &bare);
    let csv = "tests/data/reference/lsat6.csv";
    let table = |file: &str| {
        let out = exam(&["calibrate", file, "--model", "rasch", "--no-id", "--no-se"]).success();
        out.stdout.replace(file, "<input>")
    };
    assert_eq!(table(&bare), table(csv));
}

/// Runs `exam analyze` on a file and returns its error message.
fn refused(path: &str, extra: &[&str]) -> String {
    let mut args = vec!["analyze", "--responses", path];
    args.extend_from_slice(extra);
    let run: Run = exam(&args);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    run.stderr
}

#[test]
fn bad_parquet_files_are_refused_naming_row_and_column() {
    let scratch = Scratch::new("bad");
    let text = |v: &[Option<&str>]| Cells::Text(v.iter().map(|s| s.map(str::to_owned)).collect());
    let ints = |v: &[Option<i32>]| Cells::Int32(v.to_vec());
    let cases: Vec<(&str, Columns, usize, &str)> = vec![
        (
            "text-scores",
            vec![("person", text(&[Some("a")])), ("Q1", text(&[Some("1")]))],
            10,
            "column `Q1`: BYTE_ARRAY values, but a score column is integer or floating point",
        ),
        (
            "null-person",
            vec![
                ("person", text(&[Some("a"), Some("b"), None])),
                ("Q1", ints(&[Some(1), Some(0), Some(1)])),
            ],
            2,
            "row 3, column `person`: null person id",
        ),
        (
            "duplicate-person",
            vec![
                ("person", text(&[Some("a"), Some("b"), Some("a")])),
                ("Q1", ints(&[Some(1), Some(0), Some(1)])),
            ],
            2,
            "row 3: person `a` appears more than once (first on row 1)",
        ),
        (
            "no-items",
            vec![("person", text(&[Some("a")]))],
            10,
            "no item columns",
        ),
        (
            "fraction",
            vec![
                ("person", text(&[Some("a"), Some("b")])),
                ("Q1", Cells::Double(vec![Some(1.0), Some(0.5)])),
            ],
            10,
            "row 2, column `Q1`: 0.5 is not a score (an integer 0..=250)",
        ),
        (
            "negative",
            vec![("person", text(&[Some("a")])), ("Q1", ints(&[Some(-1)]))],
            10,
            "row 1, column `Q1`: -1 is not a score",
        ),
        (
            "long-without-score",
            vec![
                ("person", text(&[Some("a")])),
                ("item", text(&[Some("Q1")])),
            ],
            10,
            "a long file (it has a text column `item`) needs a column `score` too",
        ),
        (
            "long-null-score",
            vec![
                ("person", text(&[Some("a"), Some("a")])),
                ("item", text(&[Some("Q1"), Some("Q2")])),
                ("score", ints(&[Some(1), None])),
            ],
            10,
            "row 2, column `score`: null score",
        ),
        (
            "long-twice",
            vec![
                ("person", text(&[Some("a"), Some("b"), Some("a")])),
                ("item", text(&[Some("Q1"), Some("Q1"), Some("Q1")])),
                ("score", ints(&[Some(1), Some(0), Some(0)])),
            ],
            1,
            "row 3: person `a` has a second score for item `Q1` (first on row 1)",
        ),
    ];
    for (name, columns, group_rows, message) in cases {
        let path = scratch.path(&format!("{name}.parquet"));
        write_columns(&path, &columns, group_rows);
        let err = refused(&path, &[]);
        assert!(err.contains(path.as_str()), "{name}: {err}");
        assert!(err.contains(message), "{name}: {err}");
    }

    let csv_named_parquet = scratch.path("scores.parquet");
    std::fs::write(&csv_named_parquet, "id,Q1\na,1\n").unwrap();
    assert!(
        refused(&csv_named_parquet, &[]).contains("not a Parquet file"),
        "a CSV file named .parquet"
    );
}
