//! Helpers shared by the integration tests: running `exam`, reading the
//! reference values, scratch files, and golden files through one `check`
//! function.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The `exam analyze` flags of DIF between the sexes of the ASVAB data
/// (focal: female).
pub const ASVAB_SEX_DIF: [&str; 6] = [
    "--groups",
    "tests/data/reference/asvab_groups.csv",
    "--group-column",
    "sex",
    "--focal",
    "Female",
];

/// What a run of `exam` produced.
pub struct Run {
    /// The exit code.
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Run {
    /// The lines of standard output.
    pub fn lines(&self) -> Vec<&str> {
        self.stdout.lines().collect()
    }

    /// Standard output parsed as one JSON document.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }

    /// The run itself, after asserting that it succeeded (exit code 0);
    /// otherwise the failure shows what it printed.
    pub fn success(self) -> Self {
        assert_eq!(self.code, 0, "{}{}", self.stdout, self.stderr);
        self
    }

    /// Asserts that the run failed with exit code 1 and that standard
    /// output starts with `prefix`.
    pub fn assert_fails_with(&self, prefix: &str) {
        assert_eq!(self.code, 1, "{}{}", self.stdout, self.stderr);
        assert!(self.stdout.starts_with(prefix), "{}", self.stdout);
    }
}

/// Runs the `exam` binary with `args` from the package root.
pub fn exam(args: &[&str]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_exam"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the exam binary runs");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Runs `exam validate --bank <bank>` followed by `extra`.
pub fn validate(bank: &str, extra: &[&str]) -> Run {
    let mut args = vec!["validate", "--bank", bank];
    args.extend_from_slice(extra);
    exam(&args)
}

/// The reference values of a data set: `tests/data/reference/<name>.json`
/// (provenance in SOURCE-README.md there).
pub fn reference(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/reference")
        .join(format!("{name}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A JSON array of numbers.
pub fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap_or_else(|| panic!("not an array: {v}"))
        .iter()
        .map(|x| x.as_f64().unwrap_or_else(|| panic!("not a number: {x}")))
        .collect()
}

/// A file written for one test into a temporary directory of its own,
/// removed (with the directory) when this is dropped.
pub struct ScratchFile {
    dir: PathBuf,
    path: String,
}

impl ScratchFile {
    /// Writes `contents` to `<temp>/exam-<test>-<pid>/<name>`.
    pub fn new(test: &str, name: &str, contents: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("exam-{test}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("scratch directory created");
        let path = dir.join(name);
        std::fs::write(&path, contents).expect("scratch file written");
        let path = path.to_str().expect("a UTF-8 temporary path").to_owned();
        Self { dir, path }
    }

    /// The file's path.
    pub fn path(&self) -> &str {
        &self.path
    }
}

impl Drop for ScratchFile {
    fn drop(&mut self) {
        // Best effort: a leftover directory in the temporary folder is harmless.
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Compares `actual` with the golden file at `path` (relative to the
/// package root). With `UPDATE_GOLDEN=1` in the environment it rewrites the
/// file instead, so a deliberate change is one command and a reviewed diff.
pub fn check(path: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    if std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| v == "1") {
        std::fs::write(&path, actual).expect("golden file written");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (run with UPDATE_GOLDEN=1 to create it)",
            path.display()
        )
    });
    assert!(
        expected == actual,
        "{} differs from the generated text (run with UPDATE_GOLDEN=1 to update it)\n--- expected\n{expected}\n--- actual\n{actual}",
        path.display()
    );
}
