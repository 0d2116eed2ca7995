//! `exam analyze` end to end: the real binary on the reference data sets.

#![allow(clippy::unwrap_used)] // a test fails loudly on bad fixtures

use crate::reference_data::reference;
use crate::tolerance::{CLOSED_FORM, ROUNDING};
use crate::util::{ASVAB_SEX_DIF, Run, ScratchFile, check, exam};
use serde_json::Value;

/// Runs `exam analyze` on the reference data set `data` (no id column)
/// followed by `extra`.
fn analyze(data: &str, extra: &[&str]) -> Run {
    let responses = format!("tests/data/reference/{data}.csv");
    let mut args = vec!["analyze", "--responses", &responses, "--no-id"];
    args.extend_from_slice(extra);
    exam(&args)
}

#[test]
fn json_output_matches_the_reference_values() {
    let got = analyze("sat12", &["--format", "json"]).success().json();
    let want = &reference("sat12")["ctt"];
    let form = &got["forms"][0];
    let close =
        |a: &Value, b: &Value| (a.as_f64().unwrap() - b.as_f64().unwrap()).abs() < CLOSED_FORM;
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
    let text = analyze("lsat6", &[]).success().stdout;
    let first_col: Vec<&str> = text
        .lines()
        .skip(1)
        .take(5)
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(first_col, ["Item1", "Item2", "Item3", "Item4", "Item5"]);
    assert!(text.contains("alpha 0.295"), "{text}");

    let text = analyze("lsat6", &["--format", "csv"]).success().stdout;
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
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("no-such-file.csv"));

    let bad = ScratchFile::new("analyze-bad", "bad.csv", "id,A,B\np1,1,0\np2,1,x\n");
    let out = exam(&["analyze", "--responses", bad.path()]);
    assert_eq!(out.code, 1);
    let err = &out.stderr;
    assert!(
        err.contains("line 3") && err.contains("`B`") && err.contains("bad.csv"),
        "{err}"
    );
    assert!(!err.contains("panicked"));
}

#[test]
fn cut_adds_decision_statistics() {
    let got = analyze("sat12", &["--cut", "20", "--format", "json"])
        .success()
        .json();
    let cut = &got["forms"][0]["cut"];
    // Lord's CSEM at 20 of 32: sqrt(20 * 12 / 31).
    let lord = cut["csem_lord"].as_f64().unwrap();
    assert!((lord - (240.0f64 / 31.0).sqrt()).abs() < ROUNDING);
    assert!(cut["livingston_lewis"]["accuracy"].as_f64().unwrap() > 0.5);
    assert!(cut["subkoviak"]["consistency"].as_f64().unwrap() > 0.5);
    let text = analyze("sat12", &["--cut", "20"]).success().stdout;
    assert!(
        text.contains("Livingston-Lewis (n = 45, 3-parameter beta, upper limit 1)"),
        "{text}"
    );
    assert!(
        text.contains("Hanson-Brennan (n = 32, 3-parameter beta, upper limit 1)"),
        "{text}"
    );
    assert_eq!(
        cut["hanson_brennan"]["true_score_beta"]["fit"],
        "upper_at_one"
    );
}

/// DIF by gender on the verbal-aggression data, female focal.
const GENDER_DIF: [&str; 8] = [
    "--groups",
    "tests/data/reference/verbal_aggression_groups.csv",
    "--group-column",
    "gender",
    "--focal",
    "female",
    "--reference",
    "male",
];

#[test]
fn groups_add_mantel_haenszel_dif_matching_the_reference() {
    let mut flags = GENDER_DIF.to_vec();
    flags.extend(["--format", "json"]);
    let got = analyze("verbal_aggression", &flags).success().json();
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
        assert!((a - b).abs() / b < CLOSED_FORM);
        assert_eq!(g["ets_class"], w["ets_class"]);
    }
}

#[test]
fn groups_errors_name_the_file() {
    let out = analyze(
        "asvab",
        &[
            "--groups",
            "tests/data/reference/asvab_groups.csv",
            "--group-column",
            "colour",
            "--focal",
            "Female",
        ],
    );
    assert_eq!(out.code, 1);
    let err = &out.stderr;
    assert!(
        err.contains("asvab_groups.csv") && err.contains("colour"),
        "{err}"
    );
}

#[test]
fn missing_cells_in_one_form_add_pairwise_statistics() {
    let got = analyze("ability", &["--format", "json"]).success().json();
    // pandas pairwise covariances, psych::alpha's formula (see
    // crates/stats/tests/ctt_reference.rs).
    let alpha = got["pairwise"]["alpha"].as_f64().unwrap();
    assert!((alpha - 0.8292414009694425).abs() < CLOSED_FORM);
    assert_eq!(got["items"][0]["n_presented"], 1442); // non-missing cells of reason.4
    assert!(got["forms"].as_array().unwrap().len() > 1);
}

#[test]
fn flag_thresholds_are_configurable() {
    let text = analyze("lsat6", &["--format", "csv"]).success().stdout;
    // Item1: p = .924, corrected r = .113: flagged low_discrimination by default.
    assert!(text.lines().nth(1).unwrap().ends_with("low_discrimination"));
    let text = analyze(
        "lsat6",
        &[
            "--format",
            "csv",
            "--flag-p-max",
            "0.9",
            "--flag-rpb-min",
            "0.1",
        ],
    )
    .success()
    .stdout;
    assert!(
        text.lines().nth(1).unwrap().ends_with(",too_easy"),
        "{text}"
    );
}

#[test]
fn empty_rows_and_unseen_items_are_reported() {
    let file = ScratchFile::new("analyze-empty", "empty.csv", "id,A,B\np1,1,\np2,0,\np3,,\n");
    let got = exam(&["analyze", "--responses", file.path(), "--format", "json"])
        .success()
        .json();
    assert_eq!(got["n_persons_without_items"], 1);
    assert_eq!(got["items"][1]["n_presented"], 0);
    assert_eq!(got["items"][1]["undefined"]["p_value"], "no_persons");
    let text = exam(&["analyze", "--responses", file.path()])
        .success()
        .stdout;
    assert!(
        text.contains("1 of 3 persons were presented no item"),
        "{text}"
    );
}

/// Golden files pin the report layout; the numbers in them are checked
/// against reference values by the other tests.
#[test]
fn table_report_layout() {
    let mut args = vec!["--cut", "2"];
    args.extend_from_slice(&ASVAB_SEX_DIF);
    let out = analyze("asvab", &args).success();
    check("tests/data/golden/analyze_asvab.txt", &out.stdout);
}

/// Partial-credit items get Mantel's chi-square, SMD with its ETS class and
/// ordinal logistic DIF (the numbers are checked against hand-worked and
/// independent computations in crates/stats/tests/dif_polytomous.rs); the
/// binary statistics are absent with their reason, and the CSV header
/// names every column it writes.
#[test]
fn partial_credit_items_get_polytomous_dif() {
    let flags = GENDER_DIF;
    let mut json_flags = flags.to_vec();
    json_flags.extend(["--format", "json"]);
    let got = analyze("verbal_aggression_poly", &json_flags)
        .success()
        .json();
    for item in got["dif"]["items"].as_array().unwrap() {
        let m = &item["mantel_smd"];
        assert!(m["mantel_chi2"].as_f64().unwrap() >= 0.0);
        assert!(["AA", "BB", "CC"].contains(&m["ets_class"].as_str().unwrap()));
        let es = m["smd"].as_f64().unwrap() / m["item_sd"].as_f64().unwrap();
        assert!((m["smd_effect_size"].as_f64().unwrap() - es).abs() < ROUNDING);
        assert!(item["ordinal_logistic"]["total_chi2"].as_f64().is_some());
        assert_eq!(item["undefined"]["alpha_mh"], "not_dichotomous");
    }
    let mut csv_flags = flags.to_vec();
    csv_flags.extend(["--format", "csv"]);
    let csv = analyze("verbal_aggression_poly", &csv_flags).success();
    let widths: Vec<usize> = csv.lines().iter().map(|l| l.split(',').count()).collect();
    assert!(widths.iter().all(|&w| w == widths[0]), "{widths:?}");
}
