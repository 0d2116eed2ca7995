//! `exam analyze` end to end: the real binary on the reference data sets.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test fails loudly on bad fixtures

use serde_json::Value;
use std::process::{Command, Output};

fn exam(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_exam"))
        .args(args)
        .output()
        .expect("the exam binary runs")
}

fn json_of(output: &Output) -> Value {
    assert!(
        output.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("one JSON document on stdout")
}

fn reference(name: &str) -> Value {
    let text = std::fs::read_to_string(format!("tests/data/reference/{name}.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn json_output_matches_the_reference_values() {
    let out = exam(&[
        "analyze",
        "--responses",
        "tests/data/reference/sat12.csv",
        "--no-id",
        "--format",
        "json",
    ]);
    let got = json_of(&out);
    let want = &reference("sat12")["ctt"];
    let form = &got["forms"][0];
    let close = |a: &Value, b: &Value| (a.as_f64().unwrap() - b.as_f64().unwrap()).abs() < 1e-9;
    assert!(close(&form["alpha"], &want["alpha"]));
    assert!(close(&form["kr21"], &want["kr21"]));
    assert!(close(&form["sem"], &want["sem_classical"]));
    assert_eq!(got["items"].as_array().unwrap().len(), 32);
    for (i, item) in got["items"].as_array().unwrap().iter().enumerate() {
        assert_eq!(item["id"], format!("Item.{}", i + 1));
        assert!(close(&item["p_value"], &want["p_values"][i]));
        assert!(close(
            &item["point_biserial"],
            &want["point_biserial_corrected"][i]
        ));
        assert!(close(
            &item["alpha_if_deleted"],
            &want["alpha_if_deleted"][i]
        ));
    }
    assert!(
        got["missing_data"]
            .as_str()
            .unwrap()
            .contains("not-presented")
    );
}

#[test]
fn table_and_csv_list_items_in_input_order() {
    let out = exam(&[
        "analyze",
        "--responses",
        "tests/data/reference/lsat6.csv",
        "--no-id",
    ]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let first_col: Vec<&str> = text
        .lines()
        .skip(1)
        .take(5)
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(first_col, ["Item1", "Item2", "Item3", "Item4", "Item5"]);
    assert!(text.contains("alpha 0.295"), "{text}");

    let out = exam(&[
        "analyze",
        "--responses",
        "tests/data/reference/lsat6.csv",
        "--no-id",
        "--format",
        "csv",
    ]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let mut lines = text.lines();
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("item,n_presented,n_omitted,max_score,p_value")
    );
    assert!(lines.next().unwrap().starts_with("Item1,1000,0,1,0.924,"));
}

#[test]
fn bad_input_exits_1_naming_file_line_and_item() {
    let out = exam(&["analyze", "--responses", "tests/data/no-such-file.csv"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such-file.csv"));

    let dir = std::env::temp_dir().join(format!("exam-analyze-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.csv");
    std::fs::write(&bad, "id,A,B\np1,1,0\np2,1,x\n").unwrap();
    let out = exam(&["analyze", "--responses", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("line 3") && err.contains("`B`") && err.contains("bad.csv"),
        "{err}"
    );
    assert!(!err.contains("panicked"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn cut_adds_decision_statistics() {
    let out = exam(&[
        "analyze",
        "--responses",
        "tests/data/reference/sat12.csv",
        "--no-id",
        "--cut",
        "20",
        "--format",
        "json",
    ]);
    let got = json_of(&out);
    let cut = &got["forms"][0]["cut"];
    // Lord's CSEM at 20 of 32: sqrt(20 * 12 / 31).
    let lord = cut["csem_lord"].as_f64().unwrap();
    assert!((lord - (240.0f64 / 31.0).sqrt()).abs() < 1e-12);
    assert!(cut["livingston_lewis"]["accuracy"].as_f64().unwrap() > 0.5);
    assert!(cut["subkoviak"]["consistency"].as_f64().unwrap() > 0.5);
    let table = exam(&[
        "analyze",
        "--responses",
        "tests/data/reference/sat12.csv",
        "--no-id",
        "--cut",
        "20",
    ]);
    let text = String::from_utf8(table.stdout).unwrap();
    assert!(text.contains("Livingston-Lewis (n = 45)"), "{text}");
}

#[test]
fn groups_add_mantel_haenszel_dif_matching_the_reference() {
    let out = exam(&[
        "analyze",
        "--responses",
        "tests/data/reference/verbal_aggression.csv",
        "--no-id",
        "--groups",
        "tests/data/reference/verbal_aggression_groups.csv",
        "--group-column",
        "gender",
        "--focal",
        "female",
        "--reference",
        "male",
        "--format",
        "json",
    ]);
    let got = json_of(&out);
    let want =
        &reference("verbal_aggression")["mantel_haenszel"]["comparisons"]["gender:male_vs_female"];
    assert_eq!(got["dif"]["n_focal"], want["n_focal"]);
    for (g, w) in got["dif"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .zip(want["items"].as_array().unwrap())
    {
        let (a, b) = (
            g["alpha_mh"].as_f64().unwrap(),
            w["alpha_mh"].as_f64().unwrap(),
        );
        assert!((a - b).abs() / b < 1e-9);
        assert_eq!(g["ets_class"], w["ets_class"]);
    }
}

#[test]
fn groups_errors_name_the_file() {
    let out = exam(&[
        "analyze",
        "--responses",
        "tests/data/reference/asvab.csv",
        "--no-id",
        "--groups",
        "tests/data/reference/asvab_groups.csv",
        "--group-column",
        "colour",
        "--focal",
        "Female",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("asvab_groups.csv") && err.contains("colour"),
        "{err}"
    );
}

#[test]
fn missing_cells_in_one_form_add_pairwise_statistics() {
    let out = exam(&[
        "analyze",
        "--responses",
        "tests/data/reference/ability.csv",
        "--no-id",
        "--format",
        "json",
    ]);
    let got = json_of(&out);
    // pandas pairwise covariances, psych::alpha's formula (see
    // crates/stats/tests/ctt_reference.rs).
    let alpha = got["pairwise"]["alpha"].as_f64().unwrap();
    assert!((alpha - 0.8292414009694425).abs() < 1e-9);
    assert_eq!(got["items"][0]["n_presented"], 1442); // non-missing cells of reason.4
    assert!(got["forms"].as_array().unwrap().len() > 1);
}

#[test]
fn flag_thresholds_are_configurable() {
    let args = [
        "analyze",
        "--responses",
        "tests/data/reference/lsat6.csv",
        "--no-id",
        "--format",
        "csv",
    ];
    let text = String::from_utf8(exam(&args).stdout).unwrap();
    // Item1: p = .924, corrected r = .113: flagged low_discrimination by default.
    assert!(text.lines().nth(1).unwrap().ends_with("low_discrimination"));
    let mut strict = args.to_vec();
    strict.extend(["--flag-p-max", "0.9", "--flag-rpb-min", "0.1"]);
    let text = String::from_utf8(exam(&strict).stdout).unwrap();
    assert!(
        text.lines().nth(1).unwrap().ends_with(",too_easy"),
        "{text}"
    );
}

#[test]
fn empty_rows_and_unseen_items_are_reported() {
    let dir = std::env::temp_dir().join(format!("exam-analyze-empty-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("empty.csv");
    std::fs::write(&file, "id,A,B\np1,1,\np2,0,\np3,,\n").unwrap();
    let out = exam(&[
        "analyze",
        "--responses",
        file.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let got = json_of(&out);
    assert_eq!(got["n_persons_without_items"], 1);
    assert_eq!(got["items"][1]["n_presented"], 0);
    assert_eq!(got["items"][1]["undefined"]["p_value"], "no_persons");
    let table = exam(&["analyze", "--responses", file.to_str().unwrap()]);
    let text = String::from_utf8(table.stdout).unwrap();
    assert!(
        text.contains("1 of 3 persons were presented no item"),
        "{text}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Compares `actual` with the golden file `tests/data/golden/<name>`;
/// `UPDATE_GOLDEN=1` rewrites it. Golden files pin the report layout; the
/// numbers in them are checked against reference values by the other tests.
fn check_golden(name: &str, actual: &str) {
    let path = format!("tests/data/golden/{name}");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("{path} is missing: run with UPDATE_GOLDEN=1"));
    assert_eq!(
        actual, expected,
        "{path} differs (UPDATE_GOLDEN=1 rewrites it)"
    );
}

#[test]
fn table_report_layout() {
    let out = exam(&[
        "analyze",
        "--responses",
        "tests/data/reference/asvab.csv",
        "--no-id",
        "--cut",
        "2",
        "--groups",
        "tests/data/reference/asvab_groups.csv",
        "--group-column",
        "sex",
        "--focal",
        "Female",
    ]);
    assert!(out.status.success());
    check_golden("analyze_asvab.txt", &String::from_utf8(out.stdout).unwrap());
}
