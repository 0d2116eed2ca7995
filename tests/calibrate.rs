//! `exam calibrate` end to end: the real binary on the reference data sets.

#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

use crate::reference_data::{floats, reference};
use crate::tolerance::{
    CML, MARGINAL_LOG_LIKELIHOOD, MML_OTHER_STOPPING, ROUNDING, STANDARD_ERROR_OTHER_METHOD,
};
use crate::util::{ScratchFile, exam};
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
    assert!((got["log_likelihood"].as_f64().unwrap() - loglik).abs() < MARGINAL_LOG_LIKELIHOOD);
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
                STANDARD_ERROR_OTHER_METHOD * y
            } else {
                MML_OTHER_STOPPING
            };
            assert!((x - y).abs() < tol, "item {j} {key}: {x} vs {y}");
        }
        assert!(item["c"].as_f64().unwrap().abs() < ROUNDING);
    }
}

#[test]
fn rasch_cml_json_matches_erm_on_raschdat1() {
    let got = calibrate_json("rasch-cml", "raschdat1", &[]);
    let want = &reference("raschdat1")["rasch_cml"];
    for (j, item) in got["items"].as_array().unwrap().iter().enumerate() {
        let b = item["b"].as_f64().unwrap();
        assert!((b - want["difficulty"][j].as_f64().unwrap()).abs() < CML);
    }
    assert_eq!(got["model"], "rasch");
    assert_eq!(got["estimation"], "cml");
    let infit = got["items"][0]["fit"]["infit"].as_f64().unwrap();
    assert!((0.5..2.0).contains(&infit));
    let cll = want["conditional_loglik"].as_f64().unwrap();
    assert!((got["log_likelihood"].as_f64().unwrap() - cll).abs() < CML);
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
        "rasch (ML) calibration of tests/data/reference/asvab.csv: 776 persons, 4 items"
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
            (a - want["a"][j].as_f64().unwrap()).abs() < MML_OTHER_STOPPING,
            "item {j}: {a}"
        );
    }
    assert!(got["latent"]["mean"].as_f64().unwrap().abs() < 0.05);
    assert!((got["latent"]["sd"].as_f64().unwrap() - 1.0).abs() < 0.05);
}

/// `--model pcm-cml` and `--model rsm-cml` through the binary: eRm 1.0.2's
/// conditional log-likelihoods and the PCM's Andrich thresholds (1e-3), a
/// GPCM-shaped item file with unit slopes, and Warm estimates per score.
#[test]
fn polytomous_cml_matches_erm_on_verbal_aggression() {
    let want = &reference("verbal_aggression")["pcm_cml"];
    let got = calibrate_json("pcm-cml", "verbal_aggression_poly", &[]);
    assert_eq!(got["model"], "gpcm");
    assert_eq!(got["estimation"], "cml");
    assert_eq!(got["polytomous_cml"]["model"], "partial_credit");
    let loglik = want["loglik_conditional"].as_f64().unwrap();
    assert!((got["log_likelihood"].as_f64().unwrap() - loglik).abs() < CML);
    for (item, expected) in got["items"]
        .as_array()
        .unwrap()
        .iter()
        .zip(want["items"].as_array().unwrap())
    {
        assert_eq!(item["id"], expected["id"]);
        assert_eq!(item["a"], 1.0);
        for (s, t) in floats(&item["steps"])
            .iter()
            .zip(floats(&expected["thresholds"]))
        {
            assert!((s - t).abs() < CML, "{}", item["id"]);
        }
        let location = expected["location"].as_f64().unwrap();
        assert!((item["b"].as_f64().unwrap() - location).abs() < CML);
    }
    // A category empty in one half of the median split: said, not hidden.
    let extras = &got["polytomous_cml"];
    assert!(extras["andersen_lr"].is_null());
    assert!(
        extras["andersen_lr_error"]
            .as_str()
            .unwrap()
            .contains("S3DoShout")
    );
    assert_eq!(extras["person_parameters"].as_array().unwrap().len(), 49);

    let rsm = calibrate_json("rsm-cml", "verbal_aggression_poly", &[]);
    let loglik = want["rsm"]["loglik_conditional"].as_f64().unwrap();
    assert!((rsm["log_likelihood"].as_f64().unwrap() - loglik).abs() < CML);
    assert_eq!(
        rsm["polytomous_cml"]["category_thresholds"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

/// Guttman data (issue 11): everybody who answered B, C or D right also
/// answered A right, so by Fischer's (1981) condition the CML estimates do
/// not exist; the run fails naming both groups instead of reporting
/// difficulties of ±130 as converged.
#[test]
fn rasch_cml_on_guttman_data_names_the_items_that_cannot_be_estimated() {
    let file = ScratchFile::new(
        "guttman",
        "g.csv",
        "A,B,C,D\n0,0,0,0\n1,0,0,0\n1,1,0,0\n1,1,1,0\n1,1,1,1\n1,0,0,0\n1,1,0,0\n",
    );
    let out = exam(&[
        "calibrate",
        "--model",
        "rasch-cml",
        "--responses",
        file.path(),
        "--no-id",
        "--format",
        "json",
    ]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(
        out.stderr.contains(
            "everybody who scored on any of the items `B`, `C`, `D` had the highest score on all of the items `A`"
        ),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("Fischer 1981"), "{}", out.stderr);
}

/// The CML models report the same convergence object as the MML ones.
#[test]
fn cml_json_carries_the_convergence_object() {
    for (model, data_set) in [
        ("rasch-cml", "raschdat1"),
        ("pcm-cml", "verbal_aggression_poly"),
        ("rsm-cml", "verbal_aggression_poly"),
    ] {
        let got = calibrate_json(model, data_set, &[]);
        let convergence = &got["convergence"];
        assert_eq!(convergence["converged"], true, "{model}");
        assert_eq!(convergence["reason"], "parameter_change", "{model}");
        assert!(
            convergence["max_change"].as_f64().unwrap() < 1e-10,
            "{model}"
        );
        assert!(
            convergence["max_gradient"].as_f64().unwrap() < 1e-8,
            "{model}"
        );
        assert!(convergence["slowest_item"].is_string(), "{model}");
    }
}

#[test]
fn rating_scale_model_refuses_items_with_different_categories() {
    let file = ScratchFile::new(
        "rsm_categories",
        "r.csv",
        "A,B,C\n0,1,2\n1,0,1\n2,1,0\n1,1,1\n",
    );
    let out = exam(&[
        "calibrate",
        "--model",
        "rsm-cml",
        "--responses",
        file.path(),
        "--no-id",
    ]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr
            .contains("item `B` has a highest score of 1 but the first item 2"),
        "{}",
        out.stderr
    );
}

/// Runs `exam calibrate` on LSAT6 (no id column) with `flags`; the run
/// must fail with exit code `code` and say `message` on stderr.
fn lsat6_refused(flags: &[&str], code: i32, message: &str) {
    let lsat6 = [
        "calibrate",
        "--responses",
        "tests/data/reference/lsat6.csv",
        "--no-id",
    ];
    let out = exam(&[&lsat6[..], flags].concat());
    assert_eq!(out.code, code, "{}{}", out.stdout, out.stderr);
    assert!(out.stderr.contains(message), "{}", out.stderr);
}

/// The 3PL's priors are stated in the JSON and the table header, and can be
/// set or removed; a prior the model cannot take is refused.
#[test]
fn priors_are_stated_and_switchable() {
    let map = calibrate_json("3pl", "lsat6", &["--no-se"]);
    assert_eq!(map["estimation"], "map");
    assert_eq!(map["priors"]["a"]["distribution"], "lognormal");
    assert_eq!(map["priors"]["a"]["sd_log"], 0.5);
    assert_eq!(map["priors"]["c"]["distribution"], "beta");
    assert_eq!(map["priors"]["c"]["alpha"], 6.0);
    assert_eq!(map["priors"]["c"]["beta"], 16.0);
    let prior_terms =
        map["log_posterior"].as_f64().unwrap() - map["log_likelihood"].as_f64().unwrap();
    assert!(prior_terms.abs() > 1e-6);

    let two_pl = calibrate_json("2pl", "lsat6", &["--no-se"]);
    assert_eq!(two_pl["estimation"], "ml");
    assert!(two_pl["priors"]["a"].is_null());
    assert_eq!(two_pl["log_posterior"], two_pl["log_likelihood"]);
    let with_prior = calibrate_json(
        "2pl",
        "lsat6",
        &["--no-se", "--prior-a", "lognormal:0.1,0.3"],
    );
    assert_eq!(with_prior["estimation"], "map");
    assert_eq!(with_prior["priors"]["a"]["mean_log"], 0.1);
    assert_eq!(with_prior["priors"]["a"]["sd_log"], 0.3);

    let table = exam(&[
        "calibrate",
        "--model",
        "3pl",
        "--responses",
        "tests/data/reference/lsat6.csv",
        "--no-id",
        "--no-se",
    ])
    .success();
    assert!(
        table.lines()[1].starts_with(
            "MAP with priors a ~ lognormal(0.0, 0.5), c ~ Beta(6.0, 16.0); log-posterior "
        ),
        "{}",
        table.stdout
    );

    lsat6_refused(
        &["--model", "2pl", "--prior-c", "beta:6,16"],
        1,
        "the 2pl model has no parameter c to put a prior on",
    );
    // Flags that do not parse are usage errors (exit code 2); the
    // distribution's parameters are checked where they enter.
    lsat6_refused(
        &["--model", "3pl", "--prior-a", "normal:0,1"],
        2,
        "expected `lognormal:X,Y` or `none`",
    );
    lsat6_refused(
        &["--model", "3pl", "--prior-c", "beta:0.5,16"],
        2,
        "Beta(alpha, beta) with finite alpha, beta >= 1",
    );
}

/// Plain-ML 3PL through the CLI: the EM stalls on LSAT6 (asymptotes
/// running to 0), the quasi-Newton polish finishes, and the document says
/// so; the asymptotes on their bound are flagged, not clamped silently.
/// mirt 1.2.0's constrained maximum (c ≥ 0) is −2466.649130
/// (`tests/data/threepl-ml/mirt_3pl.json`).
#[test]
fn plain_ml_three_pl_is_polished_to_a_maximum_and_says_so() {
    let doc = calibrate_json(
        "3pl",
        "lsat6",
        &["--no-se", "--prior-a", "none", "--prior-c", "none"],
    );
    assert_eq!(doc["estimation"], "ml");
    assert_eq!(doc["converged"], true);
    assert_eq!(doc["convergence"]["reason"], "projected_gradient");
    assert!(
        doc["convergence"]["polish"]["evaluations"]
            .as_u64()
            .unwrap()
            > 0
    );
    assert!(doc["convergence"]["max_gradient"].as_f64().unwrap() <= 1e-4);
    assert!(doc["log_likelihood"].as_f64().unwrap() >= -2466.649130);
    let at_c_bound = doc["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| {
            i["flags"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["flag"] == "at_bound" && f["parameter"] == "c")
        })
        .count();
    // mirt puts items 1, 3, 4 and 5 on c = 0.
    assert_eq!(at_c_bound, 4, "{doc}");
}

#[test]
fn item_fit_is_chosen_with_fit_and_on_by_default_for_short_tests() {
    let s_x2 = |doc: &Value| doc["items"][0]["fit"]["s_x2"]["df"].as_u64();
    // LSAT6's Item1: summed scores 1..4, four groups, df 4 − 2.
    assert_eq!(s_x2(&calibrate_json("2pl", "lsat6", &["--no-se"])), Some(2));
    let same = calibrate_json("2pl", "lsat6", &["--no-se", "--fit", "sx2"]);
    assert_eq!(s_x2(&same), Some(2));
    let none = calibrate_json("2pl", "lsat6", &["--no-se", "--fit", "none"]);
    assert!(
        none["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["fit"].as_object().is_none_or(|f| f.is_empty()))
    );
    let infit = |doc: &Value| doc["items"][0]["fit"]["infit"].as_f64();
    assert!(infit(&calibrate_json("rasch-cml", "raschdat1", &[])).is_some());
    let off = calibrate_json("rasch-cml", "raschdat1", &["--fit", "none"]);
    assert_eq!(infit(&off), None);

    lsat6_refused(&["--model", "2pl", "--fit", "infit"], 1, "--fit infit");
}
