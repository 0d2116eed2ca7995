//! The reference data sets of `tests/data/reference/` (provenance, and the
//! tolerances `tolerance.rs` states, in SOURCE-README.md there), read the
//! same way by every test binary that compares against them: the
//! workspace's, exam-stats' and exam-scoring's include this one file.

use serde_json::Value;
use std::path::{Path, PathBuf};

/// The path of `file` in the reference directory, found from the package
/// being tested up to the workspace's root (the folder of `Cargo.lock`).
pub fn reference_path(file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .find(|dir| dir.join("Cargo.lock").is_file())
        .expect("the package is inside the workspace")
        .join("tests/data/reference")
        .join(file)
}

/// The text of `file` in the reference directory.
pub fn reference_text(file: &str) -> String {
    let path = reference_path(file);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The reference values of a data set: `<name>.json`.
pub fn reference(name: &str) -> Value {
    let file = format!("{name}.json");
    serde_json::from_str(&reference_text(&file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

/// A JSON array of numbers.
pub fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap_or_else(|| panic!("not an array: {v}"))
        .iter()
        .map(|x| x.as_f64().unwrap_or_else(|| panic!("not a number: {x}")))
        .collect()
}
