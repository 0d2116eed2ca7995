//! Helpers shared by exam-stats' test binaries: the reference data sets in
//! `tests/data/reference/` of the workspace (provenance and tolerances in
//! SOURCE-README.md there).

use exam_core::responses::{CsvOptions, ResponseMatrix};
use serde_json::Value;

/// The path of a file in the reference directory.
pub fn reference_path(file: &str) -> String {
    format!(
        "{}/../../tests/data/reference/{file}",
        env!("CARGO_MANIFEST_DIR")
    )
}

/// The reference values of a data set: `<name>.json`.
pub fn reference_json(name: &str) -> Value {
    let path = reference_path(&format!("{name}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// A scored CSV of the reference directory (no id column).
pub fn reference_matrix(file: &str) -> ResponseMatrix {
    let path = reference_path(file);
    let reader = std::fs::File::open(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    ResponseMatrix::from_csv(reader, file, CsvOptions { id_column: false })
        .unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// A JSON array of numbers.
pub fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .expect("an array")
        .iter()
        .map(|x| x.as_f64().expect("a number"))
        .collect()
}
