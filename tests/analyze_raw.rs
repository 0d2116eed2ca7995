//! `exam analyze --raw FILE --forms FILE` end to end: raw responses scored
//! against the forms' keys, item statistics and the distractor table, on a
//! hand-made fixture (tests/data/analyze-raw/README.md) whose expected
//! values are derived by hand below, and on `exam simulate` output for
//! forms assembled from the shipped bank.

#![allow(clippy::unwrap_used)] // a test fails loudly on bad fixtures

use crate::tolerance::{CLOSED_FORM, ROUNDING};
use crate::util::{Run, ScratchFile, check, exam};
use serde_json::Value;

const FORMS: &str = "tests/data/scoring/forms.json";
const RAW: &str = "tests/data/analyze-raw/responses.csv";

fn analyze_raw(raw: &str, forms: &str, extra: &[&str]) -> Run {
    let mut args = vec!["analyze", "--raw", raw, "--forms", forms];
    args.extend_from_slice(extra);
    exam(&args)
}

fn near(what: &str, got: &Value, want: f64) {
    let got = got
        .as_f64()
        .unwrap_or_else(|| panic!("{what}: not a number: {got}"));
    assert!(
        (got - want).abs() < ROUNDING,
        "{what}: got {got}, want {want}"
    );
}

fn by_id<'a>(list: &'a Value, id: &str) -> &'a Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == id)
        .unwrap_or_else(|| panic!("no `{id}` in {list}"))
}

fn option<'a>(item: &'a Value, label: &str) -> &'a Value {
    item["options"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["choice"]["option"] == label)
        .unwrap_or_else(|| panic!("no option {label} in {item}"))
}

fn no_answer(item: &Value) -> &Value {
    item["options"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["choice"] == "no_answer")
        .unwrap_or_else(|| panic!("no `no_answer` row in {item}"))
}

fn quintiles(what: &str, o: &Value, want: [f64; 5]) {
    for (q, w) in want.iter().enumerate() {
        near(
            &format!("{what} q{}", q + 1),
            &o["quintile_proportions"][q],
            *w,
        );
    }
}

/// Totals (pretest included): F1 C1 5, C2 4, C3 1, C4 1, C5 0; F2 C6 4,
/// C7 2, C8 1, C9 0, C10 0.
#[test]
fn hand_checked_item_and_option_statistics() {
    let v = analyze_raw(RAW, FORMS, &["--format", "json"])
        .success()
        .json();
    assert_eq!(v["raw"], RAW);
    assert_eq!(v["forms_file"], FORMS);
    assert_eq!(v["n_persons"], 10);
    let items = &v["items"];
    // p-values over the persons presented the item; omitted = 0.
    for (id, n, p) in [
        ("Q1", 10, 0.5),
        ("Q2", 10, 0.3),
        ("Q3", 5, 0.4),
        ("Q4", 10, 0.2),
        ("Q5", 5, 0.6), // pretest: scored for statistics
        ("Q6", 5, 0.6),
    ] {
        let item = by_id(items, id);
        assert_eq!(item["n_presented"], n, "{id}");
        near(&format!("{id} p"), &item["p_value"], p);
    }
    assert_eq!(by_id(items, "Q2")["n_omitted"], 6);
    // Test statistics per form: F1 totals 5,4,1,1,0 (mean 2.2); F2 4,2,1,0,0.
    near("F1 mean", &v["forms"][0]["mean"], 2.2);
    near("F2 mean", &v["forms"][1]["mean"], 1.4);

    // Distractors only for the single-choice items.
    let d = &v["distractors"];
    let ids: Vec<&str> = d
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["Q1", "Q5", "Q6"]);
    assert!(v["distractor_scope"].as_str().unwrap().contains("single"));

    // Q1 (both forms): B (key) by C1 C2 C3 C6 C7, A by C4 C8 C9, C by C5,
    // nothing by C10.
    let q1 = by_id(d, "Q1");
    assert_eq!(q1["key"], "B");
    assert_eq!(q1["n_presented"], 10);
    let (a, b, c, none) = (
        option(q1, "A"),
        option(q1, "B"),
        option(q1, "C"),
        no_answer(q1),
    );
    assert_eq!(b["is_key"], true);
    assert_eq!(a["is_key"], false);
    near("Q1 A p", &a["proportion"], 0.3);
    near("Q1 B p", &b["proportion"], 0.5);
    near("Q1 C p", &c["proportion"], 0.1);
    near("Q1 none p", &none["proportion"], 0.1);
    near("Q1 A mean", &a["mean_score"], 2.0 / 3.0); // (1 + 1 + 0) / 3
    near("Q1 B mean", &b["mean_score"], 3.2); // (5 + 4 + 1 + 4 + 2) / 5
    near("Q1 C mean", &c["mean_score"], 0.0);
    // Option point-biserial vs the rest score (total - Q1), pooled within
    // forms. Rest: F1 4,3,0,1,0 (mean 1.6, SS 26 - 12.8 = 13.2); F2 3,1,1,0,0
    // (mean 1, SS 11 - 5 = 6). A: F1 {C4}, F2 {C8, C9}: cross products
    // (1 - 5·0.2·1.6) + (1 - 5·0.4·1) = -1.6; indicator SS 0.8 + 1.2 = 2.
    near(
        "Q1 A r_pb",
        &a["point_biserial"],
        -1.6 / (2.0f64 * 19.2).sqrt(),
    );
    // B: F1 {C1,C2,C3} (7 - 4.8), F2 {C6,C7} (4 - 2): 4.2; SS 1.2 + 1.2.
    let key_r = 4.2 / (2.4f64 * 19.2).sqrt();
    near("Q1 B r_pb", &b["point_biserial"], key_r);
    near("Q1 item r_pb", &by_id(items, "Q1")["point_biserial"], key_r);
    // Quintiles: each form's 5 persons are one per fifth, tied persons
    // sharing their ranks (F1 C3, C4 at 1 fill fifths 2-3; F2 C9, C10 at 0
    // fill fifths 1-2), pooled over the two forms (a fifth = 2 persons).
    quintiles("Q1 A", a, [0.25, 0.5, 0.75, 0.0, 0.0]);
    quintiles("Q1 B", b, [0.0, 0.25, 0.25, 1.0, 1.0]);
    quintiles("Q1 C", c, [0.5, 0.0, 0.0, 0.0, 0.0]);
    quintiles("Q1 none", none, [0.25, 0.25, 0.0, 0.0, 0.0]);
    assert_eq!(q1["flags"], Value::Array(vec![]));

    // Q5 (F1 pretest, key A): A by C1 C2 C4, B by C3, nothing by C5.
    let q5 = by_id(d, "Q5");
    near("Q5 A p", &option(q5, "A")["proportion"], 0.6);
    near("Q5 B p", &option(q5, "B")["proportion"], 0.2);
    near("Q5 none p", &no_answer(q5)["proportion"], 0.2);
    near("Q5 A mean", &option(q5, "A")["mean_score"], 10.0 / 3.0);

    // Q6 (F2, key D, options A-D): C is never chosen, yet reported and
    // flagged as a non-functioning distractor.
    let q6 = by_id(d, "Q6");
    assert_eq!(q6["n_presented"], 5);
    near("Q6 D p", &option(q6, "D")["proportion"], 0.6);
    near("Q6 D mean", &option(q6, "D")["mean_score"], 7.0 / 3.0);
    let unused = option(q6, "C");
    assert_eq!(unused["n"], 0);
    near("Q6 C p", &unused["proportion"], 0.0);
    assert!(unused.get("point_biserial").is_none());
    assert_eq!(
        q6["flags"],
        serde_json::json!([{ "non_functioning_distractor": { "option": "C" } }])
    );
}

#[test]
fn table_and_csv_show_the_distractor_table() {
    let text = analyze_raw(RAW, FORMS, &[]).success().stdout;
    check("tests/golden/analyze-raw-table.txt", &text);

    let text = analyze_raw(RAW, FORMS, &["--format", "csv"])
        .success()
        .stdout;
    let (items, options) = text.split_once("\n\n").unwrap();
    assert!(items.starts_with("item,n_presented,"));
    assert_eq!(items.lines().count(), 7);
    let rows: Vec<&str> = options.lines().collect();
    assert_eq!(
        rows[0],
        "item,option,is_key,n,proportion,mean_score,point_biserial,q1,q2,q3,q4,q5,flags"
    );
    assert!(rows[2].starts_with("Q1,B,true,5,0.5,3.2,"), "{}", rows[2]);
    assert!(rows[4].starts_with("Q1,,false,1,0.1,0,"), "{}", rows[4]);
    assert!(
        rows.iter()
            .any(|r| r.starts_with("Q6,C,false,0,0,,,") && r.ends_with(",non_functioning")),
        "{options}"
    );
}

#[test]
fn bad_raw_input_names_file_line_candidate_and_item() {
    let out = analyze_raw("tests/data/scoring/bad_option.csv", FORMS, &[]);
    assert_eq!(out.code, 1);
    let err = &out.stderr;
    for part in ["bad_option.csv", "line 3", "K4", "Q1", "`Z`"] {
        assert!(err.contains(part), "{part} missing from: {err}");
    }

    let twice = ScratchFile::new(
        "analyze-raw-twice",
        "twice.csv",
        "candidate,form,Q1,Q2,Q3,Q4,Q5,Q6\nK1,F1,B,,,,,\nK2,F2,,,,,,\nK1,F1,A,,,,,\n",
    );
    let out = analyze_raw(twice.path(), FORMS, &[]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr
            .contains("line 4: candidate K1 appears more than once (first on line 2)"),
        "{}",
        out.stderr
    );

    let unknown = ScratchFile::new(
        "analyze-raw-form",
        "form.csv",
        "candidate,form,Q1,Q2,Q3,Q4,Q5,Q6\nK1,F9,B,,,,,\n",
    );
    let out = analyze_raw(unknown.path(), FORMS, &[]);
    assert_eq!(out.code, 1);
    for part in ["form.csv", "line 2", "K1", "F9"] {
        assert!(out.stderr.contains(part), "{part}: {}", out.stderr);
    }

    // Flags: --raw needs --forms and excludes --responses.
    let out = exam(&["analyze", "--raw", RAW]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("--forms"), "{}", out.stderr);
    let out = exam(&[
        "analyze",
        "--raw",
        RAW,
        "--forms",
        FORMS,
        "--responses",
        RAW,
    ]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("cannot be used with"), "{}", out.stderr);
}

/// Simulated responses on two forms assembled from the shipped bank: the
/// keys are right by construction and the items discriminate positively,
/// so nothing absurd may come out.
#[test]
fn simulated_responses_on_the_shipped_bank_analyse_cleanly() {
    let forms = ScratchFile::new("analyze-raw-sim", "forms.json", "");
    let raw = ScratchFile::new("analyze-raw-sim", "responses.csv", "");
    exam(&[
        "assemble",
        "--forms",
        "2",
        "--seed",
        "3",
        "--out",
        forms.path(),
    ])
    .success();
    exam(&[
        "simulate",
        "--forms",
        forms.path(),
        "--candidates",
        "1000",
        "--seed",
        "2",
        "--out",
        raw.path(),
    ])
    .success();
    let v = analyze_raw(raw.path(), forms.path(), &["--format", "json"])
        .success()
        .json();
    assert_eq!(v["n_persons"], 1000);
    // Every item of either form (pretest included) is analysed.
    let written: Value =
        serde_json::from_str(&std::fs::read_to_string(forms.path()).unwrap()).unwrap();
    let mut on_forms: Vec<&str> = written["forms"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["slots"].as_array().unwrap())
        .map(|s| s["item"].as_str().unwrap())
        .collect();
    on_forms.sort_unstable();
    on_forms.dedup();
    let items = v["items"].as_array().unwrap();
    assert_eq!(items.len(), on_forms.len());
    for form in v["forms"].as_array().unwrap() {
        assert_eq!(form["n_persons"], 500);
        assert!(form["alpha"].as_f64().unwrap() > 0.7, "{form}");
    }
    for item in items {
        let flags = item["flags"].as_array().unwrap();
        assert!(
            !flags.contains(&Value::from("negative_discrimination")),
            "{item}"
        );
    }
    let distractors = v["distractors"].as_array().unwrap();
    assert!(!distractors.is_empty());
    for d in distractors {
        let item = by_id(&v["items"], d["id"].as_str().unwrap());
        let options = d["options"].as_array().unwrap();
        let key: Vec<&Value> = options.iter().filter(|o| o["is_key"] == true).collect();
        assert_eq!(key.len(), 1, "{d}");
        // The key's proportion is the p-value, its option point-biserial the
        // corrected item point-biserial.
        let close =
            |a: &Value, b: &Value| (a.as_f64().unwrap() - b.as_f64().unwrap()).abs() < CLOSED_FORM;
        assert!(close(&key[0]["proportion"], &item["p_value"]), "{d}");
        assert!(
            close(&key[0]["point_biserial"], &item["point_biserial"]),
            "{d}"
        );
        let total: f64 = options
            .iter()
            .map(|o| o["proportion"].as_f64().unwrap())
            .sum();
        assert!((total - 1.0).abs() < ROUNDING, "{d}");
        for q in 0..5 {
            let share: f64 = options
                .iter()
                .map(|o| o["quintile_proportions"][q].as_f64().unwrap())
                .sum();
            assert!((share - 1.0).abs() < ROUNDING, "{d}");
        }
        // A distractor may out-correlate the key by chance only where the
        // key barely discriminates.
        let miskey = d["flags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f.get("possible_miskey").is_some());
        if miskey {
            assert!(item["point_biserial"].as_f64().unwrap() < 0.15, "{d}");
        }
    }
}
