//! `exam calibrate` end to end: the real binary on the reference data sets.

#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

use crate::util::{ScratchFile, exam, reference};
use serde_json::Value;

/// Runs `exam calibrate --model MODEL` on a reference data set (no id
/// column) with JSON output and any `extra` flags; the run must succeed.
fn calibrate_json(model: &str, data_set: &str, extra: &[&str]) -> Value {
    let responses = format!("tests/data/reference/{data_set}.csv");
    let mut args = vec![
        "calibrate",
        "--model",
        model,
        "--responses",
        &responses,
        "--no-id",
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    serde_json::from_str(&exam(&args).success().stdout).unwrap()
}

#[test]
fn two_pl_json_matches_mirt_on_lsat6() {
    let got = calibrate_json("2pl", "lsat6", &[]);
    let want = &reference("lsat6")["twopl_mml"];
    assert_eq!(got["model"], "2pl");
    assert_eq!(got["converged"], true);
    assert!(got["iterations"].as_u64().unwrap() > 0);
    // The CLI's default tolerance (1e-6) is looser than the reference run's
    // (1e-8): the 0.01 tolerance of SOURCE-README.md for other stopping
    // rules applies to a and b.
    let loglik = want["loglik"].as_f64().unwrap();
    assert!((got["log_likelihood"].as_f64().unwrap() - loglik).abs() < 0.01);
    // Test curves: 17 abilities; the expected score rises from 0 toward 5.
    let curves = got["test_curves"].as_array().unwrap();
    assert_eq!(curves.len(), 17);
    let scores: Vec<f64> = curves
        .iter()
        .map(|c| c["expected_score"].as_f64().unwrap())
        .collect();
    assert!(scores.windows(2).all(|w| w[0] < w[1]) && scores[16] < 5.0);
    // The output is an item parameter file scoring can read.
    let file: exam_export::params::ParamsDocument = serde_json::from_value(got.clone()).unwrap();
    assert_eq!(file.items.len(), 5);
    assert_eq!(file.model, Some(exam_core::irt::IrtModel::TwoPl));
    for (j, item) in got["items"].as_array().unwrap().iter().enumerate() {
        assert_eq!(item["id"], format!("Item{}", j + 1));
        for key in ["a", "b", "se_a", "se_b"] {
            let x = item[key].as_f64().unwrap();
            let y = want[key][j].as_f64().unwrap();
            let tol = if key.starts_with("se") {
                0.05 * y
            } else {
                0.01
            };
            assert!((x - y).abs() < tol, "item {j} {key}: {x} vs {y}");
        }
        assert!(item["c"].as_f64().unwrap().abs() < 1e-15);
    }
}

#[test]
fn rasch_cml_json_matches_erm_on_raschdat1() {
    let got = calibrate_json("rasch-cml", "raschdat1", &[]);
    let want = &reference("raschdat1")["rasch_cml"];
    for (j, item) in got["items"].as_array().unwrap().iter().enumerate() {
        let b = item["b"].as_f64().unwrap();
        assert!((b - want["difficulty"][j].as_f64().unwrap()).abs() < 1e-3);
    }
    assert_eq!(got["model"], "rasch");
    assert_eq!(got["estimation"], "cml");
    let infit = got["items"][0]["fit"]["infit"].as_f64().unwrap();
    assert!((0.5..2.0).contains(&infit));
    let cll = want["conditional_loglik"].as_f64().unwrap();
    assert!((got["log_likelihood"].as_f64().unwrap() - cll).abs() < 1e-3);
}

#[test]
fn table_output_lists_items_in_input_order() {
    let out = exam(&[
        "calibrate",
        "--model",
        "rasch",
        "--responses",
        "tests/data/reference/asvab.csv",
        "--no-id",
        "--no-se",
    ]);
    let out = out.success();
    let text = out.stdout;
    assert!(text.starts_with(
        "rasch (MML) calibration of tests/data/reference/asvab.csv: 776 persons, 4 items"
    ));
    let header = reference("asvab")["items"].clone();
    let ids: Vec<&str> = header
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let positions: Vec<usize> = ids
        .iter()
        .map(|id| text.find(&format!("\n{id} ")).unwrap())
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]));
}

#[test]
fn bad_input_exits_1_naming_the_file_or_item() {
    let out = exam(&[
        "calibrate",
        "--model",
        "2pl",
        "--responses",
        "tests/data/none.csv",
    ]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("tests/data/none.csv"));

    let out = exam(&[
        "calibrate",
        "--model",
        "2pl",
        "--responses",
        "tests/data/reference/verbal_aggression_poly.csv",
        "--no-id",
    ]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("S1WantCurse"));
}

#[test]
fn anchored_items_keep_their_bank_parameters() {
    // Anchor Item1..Item3 of LSAT6 at mirt's 2PL estimates: with the
    // latent mean and SD free the other two items come out where the free
    // calibration puts them (the anchors already are on its scale).
    let want = &reference("lsat6")["twopl_mml"];
    let anchors = serde_json::json!({
        "model": "2pl",
        "items": (0..3).map(|j| serde_json::json!({
            "id": format!("Item{}", j + 1),
            "a": want["a"][j],
            "b": want["b"][j],
        })).collect::<Vec<_>>(),
    });
    let file = ScratchFile::new("calibrate-anchors", "anchors.json", &anchors.to_string());
    let got = calibrate_json("2pl", "lsat6", &["--anchors", file.path()]);
    let items = got["items"].as_array().unwrap();
    for (j, item) in items.iter().enumerate() {
        assert_eq!(item["fixed"], j < 3);
        let a = item["a"].as_f64().unwrap();
        assert!(
            (a - want["a"][j].as_f64().unwrap()).abs() < 0.01,
            "item {j}: {a}"
        );
    }
    assert!(got["latent"]["mean"].as_f64().unwrap().abs() < 0.05);
    assert!((got["latent"]["sd"].as_f64().unwrap() - 1.0).abs() < 0.05);
}
