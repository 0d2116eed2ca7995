//! `exam assemble` and `exam coverage` end to end on a small fixture bank
//! (tests/data/assembly/): the same inputs and seed give byte-identical
//! JSON (golden file), coverage re-checks the written forms, and an
//! infeasible request fails with its explanation.
//!
//! Golden files live in tests/golden/; `UPDATE_GOLDEN=1 cargo test` rewrites
//! them (review the diff before committing).

use std::path::Path;
use std::process::{Command, Output};

const FIXTURE: &str = "tests/data/assembly";

fn exam(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_exam"))
        .args(args)
        .output()
        .expect("the exam binary runs")
}

fn fixture_args<'a>(command: &'a str, extra: &[&'a str]) -> Vec<String> {
    let mut args = vec![
        command.to_owned(),
        "--bank".into(),
        format!("{FIXTURE}/bank.json"),
        "--jta".into(),
        format!("{FIXTURE}/jta.json"),
        "--blueprint".into(),
        format!("{FIXTURE}/blueprint.json"),
    ];
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    args
}

/// Compares `actual` with the golden file `name`, or rewrites it when
/// `UPDATE_GOLDEN` is set.
fn check(name: &str, actual: &str) {
    let path = Path::new("tests/golden").join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
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
        "{} differs from the output; rerun with UPDATE_GOLDEN=1 if the change is intended",
        path.display()
    );
}

fn run_ok(args: &[String]) -> String {
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = exam(&refs);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 output")
}

#[test]
fn assemble_json_is_byte_identical_for_the_same_inputs_and_seed() {
    let args = fixture_args(
        "assemble",
        &[
            "--forms",
            "2",
            "--seed",
            "7",
            "--max-overlap",
            "3",
            "--format",
            "json",
        ],
    );
    let first = run_ok(&args);
    let second = run_ok(&args);
    assert_eq!(first, second);
    check("assemble-mini-seed7.json", &first);

    let doc: serde_json::Value = serde_json::from_str(&first).expect("one JSON document");
    assert_eq!(doc["forms"].as_array().map(Vec::len), Some(2));
    assert_eq!(doc["delivery_views"].as_array().map(Vec::len), Some(2));
    assert_eq!(doc["scoring_keys"].as_array().map(Vec::len), Some(2));
    // Keys never reach the delivery views.
    let views = doc["delivery_views"].to_string();
    assert!(!views.contains("\"key\"") && !views.contains("because"));
}

#[test]
fn coverage_rechecks_written_forms() {
    let dir = std::env::temp_dir().join(format!("exam-assembly-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let out = dir.join("forms.json");
    let out_str = out.to_string_lossy().into_owned();
    run_ok(&fixture_args(
        "assemble",
        &["--forms", "3", "--seed", "1", "--out", &out_str],
    ));
    let table = run_ok(&fixture_args("coverage", &["--forms", &out_str]));
    assert_eq!(table.matches("meets the blueprint").count(), 3, "{table}");
    // A tampered form fails coverage with exit status 1.
    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).expect("written")).expect("json");
    let slots = doc["forms"][0]["slots"].as_array_mut().expect("slots");
    slots.pop();
    std::fs::write(&out, doc.to_string()).expect("rewritten");
    let args = fixture_args("coverage", &["--forms", &out_str, "--format", "json"]);
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = exam(&refs);
    assert_eq!(result.status.code(), Some(1));
    let reports: serde_json::Value = serde_json::from_slice(&result.stdout).expect("json");
    assert!(
        !reports[0]["problems"]
            .as_array()
            .expect("problems")
            .is_empty()
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn infeasible_request_explains_the_shortfall() {
    let args = fixture_args("assemble", &["--forms", "5", "--max-overlap", "0"]);
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = exam(&refs);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(
            "domain build, level foundational: 5 form(s) x 1 item(s) with at most 0 shared item(s)"
        ) && err.contains("need 5 distinct items; the bank has 4 operational"),
        "{err}"
    );
}
