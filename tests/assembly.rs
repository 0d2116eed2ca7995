//! `exam assemble` and `exam coverage` end to end on a small fixture bank
//! (tests/data/assembly/): the same inputs and seed give byte-identical
//! JSON (golden file), coverage re-checks the written forms, and an
//! infeasible request fails with its explanation.
//!
//! Golden files live in tests/golden/; `UPDATE_GOLDEN=1 cargo test` rewrites
//! them (review the diff before committing).

use crate::util::{Run, ScratchFile, check, exam};

const FIXTURE: &str = "tests/data/assembly";

/// Runs `exam <command>` on the fixture's bank, JTA and blueprint, followed
/// by `extra`.
fn on_fixture(command: &str, extra: &[&str]) -> Run {
    let (bank, jta, blueprint) = (
        format!("{FIXTURE}/bank.json"),
        format!("{FIXTURE}/jta.json"),
        format!("{FIXTURE}/blueprint.json"),
    );
    let mut args = vec![
        command,
        "--bank",
        &bank,
        "--jta",
        &jta,
        "--blueprint",
        &blueprint,
    ];
    args.extend_from_slice(extra);
    exam(&args)
}

#[test]
fn assemble_json_is_byte_identical_for_the_same_inputs_and_seed() {
    let args = [
        "--forms",
        "2",
        "--seed",
        "7",
        "--max-overlap",
        "3",
        "--format",
        "json",
    ];
    let first = on_fixture("assemble", &args).success();
    let second = on_fixture("assemble", &args).success();
    assert_eq!(first.stdout, second.stdout);
    check("tests/golden/assemble-mini-seed7.json", &first.stdout);

    let doc = first.json();
    assert_eq!(doc["forms"].as_array().map(Vec::len), Some(2));
    assert_eq!(doc["delivery_views"].as_array().map(Vec::len), Some(2));
    assert_eq!(doc["scoring_keys"].as_array().map(Vec::len), Some(2));
    // Keys never reach the delivery views.
    let views = doc["delivery_views"].to_string();
    assert!(!views.contains("\"key\"") && !views.contains("because"));
}

#[test]
fn coverage_rechecks_written_forms() {
    let forms = ScratchFile::new("assembly-coverage", "forms.json", "");
    on_fixture(
        "assemble",
        &["--forms", "3", "--seed", "1", "--out", forms.path()],
    )
    .success();
    let table = on_fixture("coverage", &["--forms", forms.path()]).success();
    assert_eq!(
        table.stdout.matches("meets the blueprint").count(),
        3,
        "{}",
        table.stdout
    );
    // A tampered form fails coverage with exit status 1.
    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(forms.path()).expect("written"))
            .expect("json");
    let slots = doc["forms"][0]["slots"].as_array_mut().expect("slots");
    slots.pop();
    std::fs::write(forms.path(), doc.to_string()).expect("rewritten");
    let result = on_fixture("coverage", &["--forms", forms.path(), "--format", "json"]);
    assert_eq!(result.code, 1, "{}", result.stderr);
    let reports = result.json();
    assert!(
        !reports[0]["problems"]
            .as_array()
            .expect("problems")
            .is_empty()
    );
}

#[test]
fn infeasible_request_explains_the_shortfall() {
    let out = on_fixture("assemble", &["--forms", "5", "--max-overlap", "0"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains(
            "domain build, level foundational: 5 form(s) x 1 item(s) with at most 0 shared item(s)"
        ) && out
            .stderr
            .contains("need 5 distinct items; the bank has 4 operational"),
        "{}",
        out.stderr
    );
}

#[test]
fn new_forms_avoid_the_items_of_published_forms() {
    let published = ScratchFile::new("assembly-published", "forms.json", "");
    on_fixture(
        "assemble",
        &["--forms", "1", "--seed", "3", "--out", published.path()],
    )
    .success();
    let doc = on_fixture(
        "assemble",
        &[
            "--forms",
            "1",
            "--seed",
            "4",
            "--published",
            published.path(),
            "--max-overlap-published",
            "1",
            "--format",
            "json",
        ],
    )
    .success()
    .json();
    let old: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(published.path()).expect("written"))
            .expect("json");
    let items = |form: &serde_json::Value| -> Vec<String> {
        form["slots"]
            .as_array()
            .expect("slots")
            .iter()
            .map(|s| s["item"].as_str().expect("item").to_owned())
            .collect()
    };
    let before = items(&old["forms"][0]);
    let shared = items(&doc["forms"][0])
        .iter()
        .filter(|i| before.contains(i))
        .count();
    assert!(shared <= 1, "{shared} items shared with the published form");
}
