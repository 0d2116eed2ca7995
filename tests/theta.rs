//! `exam theta` end to end: the real binary on reference data sets, against
//! the reference values of `tests/data/reference/*.json` (Python mirt 1.2.0
//! `fscores`, see SOURCE-README.md; tolerance 1e-4 for EAP/MAP from given
//! parameters).

// Fixture helpers: a malformed fixture should fail the test loudly.
#![allow(clippy::unwrap_used)]

use crate::reference_data::{floats, reference};
use crate::tolerance::ABILITY_GIVEN_PARAMETERS;
use crate::util::{Run, exam};
use serde_json::Value;

/// Runs `exam theta` on the responses `data` (no id column) with the
/// parameter file `params`, followed by `extra`.
fn run_theta(data: &str, params: &str, extra: &[&str]) -> Run {
    let mut args = vec!["theta", "--responses", data, "--params", params, "--no-id"];
    args.extend_from_slice(extra);
    exam(&args)
}

fn theta_json(data: &str, params: &str, method: &str) -> Value {
    run_theta(data, params, &["--method", method, "--format", "json"])
        .success()
        .json()
}

#[test]
fn eap_for_every_person_matches_mirt() {
    for (name, n_persons) in [("lsat6", 1000), ("sat12", 600)] {
        let want = reference(name);
        let got = theta_json(
            &format!("tests/data/reference/{name}.csv"),
            &format!("tests/data/theta/{name}_2pl_params.json"),
            "eap",
        );
        let persons = got["persons"].as_array().unwrap();
        assert_eq!(persons.len(), n_persons);
        assert_eq!(got["method"], "eap");
        // Input order, persons numbered by row.
        for (i, p) in persons.iter().enumerate() {
            assert_eq!(p["id"], (i + 1).to_string());
        }
        let theta = floats(&want["eap_first10"]["theta"]);
        let psd = floats(&want["eap_first10"]["psd"]);
        for i in 0..10 {
            let p = &persons[i];
            assert!(
                (p["theta"].as_f64().unwrap() - theta[i]).abs() < ABILITY_GIVEN_PARAMETERS,
                "{name} {p}"
            );
            assert!(
                (p["se"].as_f64().unwrap() - psd[i]).abs() < ABILITY_GIVEN_PARAMETERS,
                "{name} {p}"
            );
        }
    }
}

#[test]
fn sparse_data_scores_each_person_on_the_items_they_saw() {
    // ability.csv has 1143 empty (not presented) cells; its complete rows,
    // in order, are ability_complete.csv, whose first ten persons (rows 1,
    // 2, 3, 6, 7, 8, 9, 12, 13, 14 here) have reference EAPs.
    let want = reference("ability");
    let got = theta_json(
        "tests/data/reference/ability.csv",
        "tests/data/theta/ability_2pl_params.json",
        "eap",
    );
    let persons = got["persons"].as_array().unwrap();
    assert_eq!(persons.len(), 1525);
    let theta = floats(&want["eap_first10"]["theta"]);
    let psd = floats(&want["eap_first10"]["psd"]);
    for (k, row) in [1, 2, 3, 6, 7, 8, 9, 12, 13, 14].into_iter().enumerate() {
        let p = &persons[row - 1];
        assert!(
            (p["theta"].as_f64().unwrap() - theta[k]).abs() < ABILITY_GIVEN_PARAMETERS,
            "{p}"
        );
        assert!(
            (p["se"].as_f64().unwrap() - psd[k]).abs() < ABILITY_GIVEN_PARAMETERS,
            "{p}"
        );
    }
    // Row 4 has empty cells: it is scored on the items it has.
    let csv = std::fs::read_to_string("tests/data/reference/ability.csv").unwrap();
    let row4 = csv.lines().nth(4).unwrap();
    assert!(row4.split(',').any(str::is_empty));
    assert!(persons[3]["se"].as_f64().unwrap().is_finite());
}

#[test]
fn map_for_every_person_matches_mirt_by_pattern() {
    let want = reference("lsat6");
    let table = &want["scores_by_pattern"];
    let patterns: Vec<&str> = table["patterns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    let (map, map_se) = (floats(&table["map"]), floats(&table["map_se"]));
    let got = theta_json(
        "tests/data/reference/lsat6.csv",
        "tests/data/theta/lsat6_2pl_params.json",
        "map",
    );
    let csv = std::fs::read_to_string("tests/data/reference/lsat6.csv").unwrap();
    for (row, person) in csv.lines().skip(1).zip(got["persons"].as_array().unwrap()) {
        let pattern: String = row.split(',').collect();
        let k = patterns.iter().position(|p| *p == pattern).unwrap();
        assert!((person["theta"].as_f64().unwrap() - map[k]).abs() < ABILITY_GIVEN_PARAMETERS);
        assert!((person["se"].as_f64().unwrap() - map_se[k]).abs() < ABILITY_GIVEN_PARAMETERS);
    }
}

#[test]
fn mle_marks_extreme_patterns_and_csv_has_a_header() {
    let text = run_theta(
        "tests/data/reference/lsat6.csv",
        "tests/data/theta/lsat6_2pl_params.json",
        &["--method", "mle", "--format", "csv"],
    )
    .success()
    .stdout;
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("id,theta,se,at_bound"));
    // Rows 1-3 are 00000: the fence −6.
    assert_eq!(lines.next().unwrap().split(',').nth(3), Some("true"));
    assert!(lines.next().unwrap().starts_with("2,-6.000000,"));
    assert_eq!(text.lines().count(), 1001);
}

#[test]
fn items_without_parameters_are_an_error_naming_the_item() {
    for (params, message) in [
        (
            "tests/data/theta/sat12_2pl_params.json",
            "item `Item1` is in the responses but has no parameters",
        ),
        (
            "tests/data/theta/lsat6_extra_item_params.json",
            "item `Item6` has parameters but is not in the responses",
        ),
    ] {
        let out = run_theta("tests/data/reference/lsat6.csv", params, &[]);
        assert_eq!(out.code, 1);
        assert!(out.stderr.contains(message), "{}", out.stderr);
        assert!(out.stdout.is_empty());
    }
}
