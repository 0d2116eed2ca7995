//! Ability estimates and summed-score tables against the reference values
//! in `tests/data/reference/*.json` (Python mirt 1.2.0 `fscores`, EAP on 201
//! nodes checked against a 1601-point grid; MAP with SE; see
//! SOURCE-README.md), computed from the `twopl_mml` parameters given there.
//! Tolerance: `tolerance::ABILITY_GIVEN_PARAMETERS` (1e-4 absolute, the
//! README's for EAP/PSD/EAPsum/MAP from given parameters).

// Fixture helpers: a malformed fixture should fail the test loudly.
#![allow(clippy::unwrap_used)]

use exam_core::irt::ItemParams;
use exam_scoring::{EapEstimator, NormalPrior, Response, SummedScoreTable, eap, map};
use serde_json::Value;

#[path = "../../../tests/reference_data.rs"]
mod reference_data;
use reference_data::{floats, reference, reference_text};
#[path = "../../../tests/tolerance.rs"]
mod tolerance;
use tolerance::ABILITY_GIVEN_PARAMETERS;

const DATA_SETS: [&str; 6] = [
    "lsat6",
    "asvab",
    "sat12",
    "raschdat1",
    "ability",
    "verbal_aggression",
];

fn two_pl_items(json: &Value) -> Vec<ItemParams> {
    let a = floats(&json["twopl_mml"]["a"]);
    let b = floats(&json["twopl_mml"]["b"]);
    a.iter()
        .zip(&b)
        .map(|(&a, &b)| ItemParams::two_pl(a, b).unwrap())
        .collect()
}

/// The first `n` data rows of the data set's CSV (no id column).
fn first_rows(json: &Value, n: usize) -> Vec<Vec<Response>> {
    let file = json["file"].as_str().unwrap().trim_start_matches("data/");
    let text = reference_text(file);
    text.lines()
        .skip(1)
        .take(n)
        .map(|line| {
            line.split(',')
                .map(|cell| match cell.trim() {
                    "1" => Response::Correct,
                    "0" => Response::Incorrect,
                    "" => Response::NotPresented,
                    other => panic!("unexpected cell {other}"),
                })
                .collect()
        })
        .collect()
}

fn pattern(text: &str) -> Vec<Response> {
    text.chars().map(|c| Response::from(c == '1')).collect()
}

#[test]
fn eap_of_the_first_ten_persons_matches_mirt() {
    let mut worst = (0.0f64, 0.0f64);
    for name in DATA_SETS {
        let json = reference(name);
        let items = two_pl_items(&json);
        let expected_theta = floats(&json["eap_first10"]["theta"]);
        let expected_psd = floats(&json["eap_first10"]["psd"]);
        let scorer = EapEstimator::new(&items, NormalPrior::standard());
        for (i, row) in first_rows(&json, 10).iter().enumerate() {
            let est = scorer.score(row).unwrap();
            let one_shot = eap(&items, row, &NormalPrior::standard()).unwrap();
            // The same grid, evaluated through tables or node by node.
            assert!(
                (est.theta - one_shot.theta).abs() < 1e-10,
                "{est:?} {one_shot:?}"
            );
            assert!((est.se - one_shot.se).abs() < 1e-10);
            let (dt, ds) = (
                (est.theta - expected_theta[i]).abs(),
                (est.se - expected_psd[i]).abs(),
            );
            assert!(
                dt < ABILITY_GIVEN_PARAMETERS && ds < ABILITY_GIVEN_PARAMETERS,
                "{name} row {}: {est:?}",
                i + 1
            );
            worst = (worst.0.max(dt), worst.1.max(ds));
        }
    }
    eprintln!(
        "eap_first10: max |Δθ| = {:.2e}, max |ΔPSD| = {:.2e}",
        worst.0, worst.1
    );
}

#[test]
fn eap_and_map_by_pattern_match_mirt() {
    let mut worst = [0.0f64; 4];
    for name in ["lsat6", "asvab"] {
        let json = reference(name);
        let items = two_pl_items(&json);
        let table = &json["scores_by_pattern"];
        let columns = ["eap", "eap_psd", "map", "map_se"].map(|c| floats(&table[c]));
        let prior = NormalPrior::standard();
        for (i, p) in table["patterns"].as_array().unwrap().iter().enumerate() {
            let responses = pattern(p.as_str().unwrap());
            let e = eap(&items, &responses, &prior).unwrap();
            let m = map(&items, &responses, &prior).unwrap();
            let got = [e.theta, e.se, m.theta, m.se];
            for c in 0..4 {
                let d = (got[c] - columns[c][i]).abs();
                assert!(
                    d < ABILITY_GIVEN_PARAMETERS,
                    "{name} pattern {p}: column {c}: {got:?}"
                );
                worst[c] = worst[c].max(d);
            }
        }
    }
    eprintln!(
        "scores_by_pattern: max |Δ| eap {:.2e}, psd {:.2e}, map {:.2e}, map_se {:.2e}",
        worst[0], worst[1], worst[2], worst[3]
    );
}

#[test]
fn summed_score_eap_table_matches_the_reference() {
    let (mut worst_theta, mut worst_psd) = (0.0f64, 0.0f64);
    for name in DATA_SETS {
        let json = reference(name);
        let items = two_pl_items(&json);
        let table = SummedScoreTable::new(&items, NormalPrior::standard()).unwrap();
        let expected_eap = floats(&json["eapsum_table"]["eap"]);
        let expected_psd = floats(&json["eapsum_table"]["psd"]);
        assert_eq!(table.rows().len(), expected_eap.len());
        for (row, (e, s)) in table
            .rows()
            .iter()
            .zip(expected_eap.iter().zip(&expected_psd))
        {
            let (dt, ds) = ((row.theta - e).abs(), (row.psd - s).abs());
            assert!(
                dt < ABILITY_GIVEN_PARAMETERS && ds < ABILITY_GIVEN_PARAMETERS,
                "{name}: {row:?}"
            );
            worst_theta = worst_theta.max(dt);
            worst_psd = worst_psd.max(ds);
        }
    }
    eprintln!("eapsum_table: max |Δθ| = {worst_theta:.2e}, max |ΔPSD| = {worst_psd:.2e}");
}
