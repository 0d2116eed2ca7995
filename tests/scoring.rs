//! `exam score`, `exam simulate` and `exam rescore` end to end: the real
//! binary on the hand-made fixtures of `tests/data/scoring/` (see its
//! README); expected scores derived by hand below.

// Fixture helpers: a malformed fixture should fail the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::Value;
use std::process::{Command, Output};

const DATA: &str = "tests/data/scoring";

fn exam(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_exam"))
        .args(args)
        .output()
        .expect("the exam binary runs")
}

fn json_out(args: &[&str]) -> Value {
    let out = exam(args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn close(a: &Value, b: f64) -> bool {
    (a.as_f64().unwrap() - b).abs() < 1e-9
}

#[test]
fn score_raw_csv_by_hand() {
    let v = json_out(&[
        "score",
        "--forms",
        &format!("{DATA}/forms.json"),
        "--responses",
        &format!("{DATA}/responses.csv"),
        "--scoring",
        &format!("{DATA}/rules.json"),
        "--format",
        "json",
    ]);
    assert_eq!(v["scoring_rules"], "test-rules");
    let reports = v["reports"].as_array().unwrap();
    assert_eq!(reports.len(), 3);
    // K1: everything right on F1: 4 of 4 (the pretest item Q5 counts
    // nothing), pass at the cut 3.5.
    assert!(close(&reports[0]["raw"], 4.0) && close(&reports[0]["max"], 4.0));
    assert_eq!(reports[0]["decision"]["passed"], true);
    assert_eq!(reports[0]["decision"]["source"], "test panel");
    // K2: Q1 wrong, Q2 {A, C, D} all-or-nothing 0, Q3 B A C pairwise 2/3,
    // Q4 one of two pairs ½: 7/6, fail.
    assert!(close(&reports[1]["raw"], 7.0 / 6.0));
    assert_eq!(reports[1]["decision"]["passed"], false);
    assert_eq!(reports[1]["responses"]["omitted"], 1);
    // K3 on F2: Q1 right, Q2 {A} 0, Q4 0, Q6 right: 2 of 4.
    assert!(close(&reports[2]["raw"], 2.0));
    assert_eq!(reports[2]["audit"]["blueprint"], "test-bp");
    assert_eq!(reports[2]["audit"]["scoring_rules_version"], "1");

    // The scored matrix: K1 all 1 on F1 (pretest Q5 included), Q6 not on F1.
    let dir = std::env::temp_dir().join(format!("exam-scored-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let scored = dir.join("scored.csv");
    let out = exam(&[
        "score",
        "--forms",
        &format!("{DATA}/forms.json"),
        "--responses",
        &format!("{DATA}/responses.csv"),
        "--scoring",
        &format!("{DATA}/rules.json"),
        "--scored-out",
        scored.to_str().unwrap(),
    ]);
    assert!(out.status.success());
    // Columns: F1's items then F2's new one (Q6). K2 omitted Q5 (0); Q3
    // B A C earns 2/3, not full credit (0); Q4 ½ (0). K3 sat F2: Q3 and Q5
    // not presented; Q2 {A} wrong; Q4 wrong; Q6 right.
    assert_eq!(
        std::fs::read_to_string(&scored).unwrap(),
        "candidate,Q1,Q2,Q3,Q4,Q5,Q6\nK1,1,1,1,1,1,\nK2,0,0,0,0,0,\nK3,1,0,,0,,1\n"
    );
    std::fs::remove_dir_all(&dir).ok();

    // The table names every candidate.
    let out = exam(&[
        "score",
        "--forms",
        &format!("{DATA}/forms.json"),
        "--responses",
        &format!("{DATA}/responses.csv"),
    ]);
    assert!(out.status.success());
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(table.starts_with("candidate"));
    assert!(table.contains("K3") && table.contains("F2"));
}

#[test]
fn bad_option_exits_1_naming_candidate_and_item() {
    let out = exam(&[
        "score",
        "--forms",
        &format!("{DATA}/forms.json"),
        "--responses",
        &format!("{DATA}/bad_option.csv"),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("K4") && err.contains("Q1") && err.contains("`Z`"),
        "{err}"
    );
}

#[test]
fn rescore_lists_changed_candidates_with_old_and_new_values() {
    let v = json_out(&[
        "rescore",
        "--forms",
        &format!("{DATA}/forms.json"),
        "--responses",
        &format!("{DATA}/responses.csv"),
        "--scoring",
        &format!("{DATA}/rules.json"),
        "--new-scoring",
        &format!("{DATA}/rules_corrected.json"),
        "--format",
        "json",
    ]);
    assert_eq!(v["rescored"], 3);
    let changes = v["changes"].as_array().unwrap();
    // K1: {A, C} is wrong against the corrected key {A}: 4 → 3, pass → fail.
    // K2: unchanged (7/6 of 4). K3: Q2 {A} now right (+1), Q6 dropped (−1,
    // max 4 → 3): raw 2 of 3, still fail, listed because the maximum moved.
    assert_eq!(changes.len(), 2);
    assert_eq!(changes[0]["candidate"], "K1");
    assert!(close(&changes[0]["old_raw"], 4.0) && close(&changes[0]["new_raw"], 3.0));
    assert_eq!(changes[0]["old_passed"], true);
    assert_eq!(changes[0]["new_passed"], false);
    assert_eq!(changes[1]["candidate"], "K3");
    assert!(close(&changes[1]["new_raw"], 2.0) && close(&changes[1]["new_max"], 3.0));
    assert_eq!(v["decisions_changed"], 1);
}

#[test]
fn simulate_then_score_round_trip() {
    let dir = std::env::temp_dir().join(format!("exam-sim-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let csv = dir.join("responses.csv");
    let csv = csv.to_str().unwrap();
    let out = exam(&[
        "simulate",
        "--forms",
        &format!("{DATA}/forms.json"),
        "--candidates",
        "200",
        "--seed",
        "5",
        "--out",
        csv,
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let first = std::fs::read_to_string(csv).unwrap();
    // Same seed, same file.
    exam(&[
        "simulate",
        "--forms",
        &format!("{DATA}/forms.json"),
        "--candidates",
        "200",
        "--seed",
        "5",
        "--out",
        csv,
    ]);
    assert_eq!(std::fs::read_to_string(csv).unwrap(), first);
    let v = json_out(&[
        "score",
        "--forms",
        &format!("{DATA}/forms.json"),
        "--responses",
        csv,
        "--format",
        "json",
    ]);
    let reports = v["reports"].as_array().unwrap();
    assert_eq!(reports.len(), 200);
    for r in reports {
        let (raw, max) = (r["raw"].as_f64().unwrap(), r["max"].as_f64().unwrap());
        assert!((0.0..=max).contains(&raw));
    }

    // The same candidates as JSON submissions score the same.
    let json = dir.join("responses.json");
    let json = json.to_str().unwrap();
    let out = exam(&[
        "simulate",
        "--forms",
        &format!("{DATA}/forms.json"),
        "--candidates",
        "200",
        "--seed",
        "5",
        "--out",
        json,
    ]);
    assert!(out.status.success());
    let w = json_out(&[
        "score",
        "--forms",
        &format!("{DATA}/forms.json"),
        "--responses",
        json,
        "--format",
        "json",
    ]);
    for (a, b) in reports.iter().zip(w["reports"].as_array().unwrap()) {
        assert_eq!(a["candidate"], b["candidate"]);
        assert!(close(&a["raw"], b["raw"].as_f64().unwrap()));
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn blueprint_cut_is_used_when_the_rules_set_none() {
    let v = json_out(&[
        "score",
        "--forms",
        &format!("{DATA}/forms.json"),
        "--responses",
        &format!("{DATA}/responses.csv"),
        "--blueprint",
        "item-bank/blueprints/die-2026.json",
        "--format",
        "json",
    ]);
    // The shipped blueprint's cut (42 of 60) is far above these 4-item
    // forms' maximum: everyone fails, and the source names the blueprint.
    let d = &v["reports"][0]["decision"];
    assert!(close(&d["raw_cut"], 42.0));
    assert_eq!(d["passed"], false);
    assert!(
        d["source"]
            .as_str()
            .unwrap()
            .starts_with("blueprint die-2026 ")
    );
}
