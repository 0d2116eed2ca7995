//! Helpers shared by the integration tests: running `exam`, scratch files,
//! and golden files through one `check` function (the reference values are
//! read by `reference_data.rs`).

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
    exam_in(Path::new(env!("CARGO_MANIFEST_DIR")), args)
}

/// Runs the `exam` binary with `args` from the folder `dir`.
pub fn exam_in(dir: &Path, args: &[&str]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_exam"))
        .args(args)
        .current_dir(dir)
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

/// Runs `exam` with `args` as [`exam`] does, under a 1 GiB limit on its data
/// segment (`prlimit --data`, so an allocation beyond it fails instead of
/// swapping) and killed after two minutes (a guard against a hang, not a
/// timing assertion). Prints how long the run took on standard error (see
/// it with `--nocapture`).
pub fn exam_bounded(args: &[&str]) -> Run {
    const GUARD: std::time::Duration = std::time::Duration::from_secs(120);
    let start = std::time::Instant::now();
    let mut child = Command::new("prlimit")
        .arg(format!("--data={}", 1u64 << 30))
        .arg(env!("CARGO_BIN_EXE_exam"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("prlimit runs the exam binary");
    let (stdout, stderr) = (child.stdout.take(), child.stderr.take());
    let read = |pipe: Option<Box<dyn std::io::Read + Send>>| {
        std::thread::spawn(move || {
            let mut text = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut text);
            }
            String::from_utf8_lossy(&text).into_owned()
        })
    };
    let stdout = read(stdout.map(|p| Box::new(p) as Box<dyn std::io::Read + Send>));
    let stderr = read(stderr.map(|p| Box::new(p) as Box<dyn std::io::Read + Send>));
    let status = loop {
        if let Some(status) = child.try_wait().expect("the child can be waited on") {
            break status;
        }
        if start.elapsed() > GUARD {
            let _ = child.kill();
            panic!("exam {} did not finish within {GUARD:?}", args.join(" "));
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    eprintln!(
        "exam {}: {:.2} s, exit {:?}",
        args.join(" "),
        start.elapsed().as_secs_f64(),
        status.code()
    );
    Run {
        code: status.code().unwrap_or(-1),
        stdout: stdout.join().expect("stdout read"),
        stderr: stderr.join().expect("stderr read"),
    }
}

/// A copy of a fixture directory (relative to the package root) in a
/// temporary directory of its own, removed when this is dropped.
pub struct ScratchDir(PathBuf);

impl ScratchDir {
    /// Copies `fixture` (files and folders, recursively) for `test`.
    pub fn copy_of(test: &str, fixture: &str) -> Self {
        fn copy(from: &Path, to: &Path) {
            std::fs::create_dir_all(to).expect("scratch folder created");
            for entry in std::fs::read_dir(from).expect("fixture folder read") {
                let path = entry.expect("fixture entry").path();
                let target = to.join(path.file_name().expect("a file name"));
                if path.is_dir() {
                    copy(&path, &target);
                } else {
                    std::fs::copy(&path, &target).expect("fixture file copied");
                }
            }
        }
        let dir = std::env::temp_dir().join(format!("exam-{test}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        copy(&Path::new(env!("CARGO_MANIFEST_DIR")).join(fixture), &dir);
        Self(dir)
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.0
    }

    /// The directory as a string argument.
    pub fn arg(&self) -> &str {
        self.0.to_str().expect("a UTF-8 temporary path")
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        // Best effort, as for ScratchFile.
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `exam export xapi` of `forms`, `responses` and `reports` into `out`, for
/// the account home page `https://lms.example` and attempts started
/// 2026-03-01T09:00:00Z; it must succeed.
pub fn export_xapi(forms: &str, responses: &str, reports: &str, out: &str) -> Run {
    exam(&[
        "export",
        "xapi",
        "--forms",
        forms,
        "--responses",
        responses,
        "--reports",
        reports,
        "--home-page",
        "https://lms.example",
        "--started",
        "2026-03-01T09:00:00Z",
        "--out",
        out,
    ])
    .success()
}

/// `exam export lti-ags` of `reports` into `out`, for the line item
/// `https://lms.example/lineitems/9` at 2026-03-01T10:00:00.000Z; it must
/// succeed.
pub fn export_lti_ags(reports: &str, out: &str) -> Run {
    exam(&[
        "export",
        "lti-ags",
        "--reports",
        reports,
        "--line-item",
        "https://lms.example/lineitems/9",
        "--timestamp",
        "2026-03-01T10:00:00.000Z",
        "--out",
        out,
    ])
    .success()
}
