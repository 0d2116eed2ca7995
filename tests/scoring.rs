//! `exam score`, `exam simulate` and `exam rescore` end to end: the real
//! binary on the hand-made fixtures of `tests/data/scoring/` (see its
//! README); expected scores derived by hand below.

// Fixture helpers: a malformed fixture should fail the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::tolerance::CLOSED_FORM;
use crate::util::{Run, ScratchFile, exam};
use serde_json::Value;

const DATA: &str = "tests/data/scoring";

/// The path of a fixture file of `tests/data/scoring/`.
fn data(name: &str) -> String {
    format!("{DATA}/{name}")
}

/// Runs `exam <command> --forms <the fixture forms>` followed by `args`.
fn on_fixture_forms(command: &str, args: &[&str]) -> Run {
    let forms = data("forms.json");
    let mut all = vec![command, "--forms", &forms];
    all.extend_from_slice(args);
    exam(&all)
}

/// Runs `exam score` on the fixture forms and `responses`, followed by `extra`.
fn score(responses: &str, extra: &[&str]) -> Run {
    let mut args = vec!["--responses", responses];
    args.extend_from_slice(extra);
    on_fixture_forms("score", &args)
}

/// The JSON output of a successful `exam score` (see [`score`]).
fn score_json(responses: &str, extra: &[&str]) -> Value {
    let mut args = extra.to_vec();
    args.extend_from_slice(&["--format", "json"]);
    score(responses, &args).success().json()
}

/// Simulates 200 candidates on the fixture forms with seed 5 into `out`
/// (CSV or, for a `.json` path, submissions).
fn simulate(out: &str) {
    on_fixture_forms(
        "simulate",
        &["--candidates", "200", "--seed", "5", "--out", out],
    )
    .success();
}

fn close(a: &Value, b: f64) -> bool {
    (a.as_f64().unwrap() - b).abs() < CLOSED_FORM
}

#[test]
fn score_raw_csv_by_hand() {
    let responses = data("responses.csv");
    let rules = data("rules.json");
    let v = score_json(&responses, &["--scoring", &rules]);
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
    let scored = ScratchFile::new("scoring-scored", "scored.csv", "");
    score(
        &responses,
        &["--scoring", &rules, "--scored-out", scored.path()],
    )
    .success();
    // Columns: F1's items then F2's new one (Q6). K2 omitted Q5 (0); Q3
    // B A C earns 2/3, not full credit (0); Q4 ½ (0). K3 sat F2: Q3 and Q5
    // not presented; Q2 {A} wrong; Q4 wrong; Q6 right.
    assert_eq!(
        std::fs::read_to_string(scored.path()).unwrap(),
        "candidate,Q1,Q2,Q3,Q4,Q5,Q6\nK1,1,1,1,1,1,\nK2,0,0,0,0,0,\nK3,1,0,,0,,1\n"
    );

    // The table names every candidate.
    let table = score(&responses, &[]).success().stdout;
    assert!(table.starts_with("candidate"));
    assert!(table.contains("K3") && table.contains("F2"));
}

#[test]
fn streamed_reports_are_the_whole_document() {
    // --out and --format json stream the reports one at a time; the bytes
    // are those of the document written whole.
    let simulated = ScratchFile::new("scoring-stream", "sim.csv", "");
    simulate(simulated.path());
    let out = ScratchFile::new("scoring-stream", "reports.json", "");
    let stdout = score(simulated.path(), &["--out", out.path(), "--format", "json"])
        .success()
        .stdout;
    let written = std::fs::read_to_string(out.path()).unwrap();
    assert_eq!(stdout, written);
    let doc =
        exam_export::score_reports::ScoreReportsDocument::read(written.as_bytes(), "out").unwrap();
    assert_eq!(doc.reports.len(), 200);
    let mut whole = Vec::new();
    doc.write(&mut whole, "whole").unwrap();
    assert_eq!(written, String::from_utf8(whole).unwrap());

    // A bad submission leaves no --out file and prints nothing.
    let bad = ScratchFile::new("scoring-stream", "bad-reports.json", "");
    std::fs::remove_file(bad.path()).unwrap();
    let run = score(
        &data("bad_option.csv"),
        &["--out", bad.path(), "--format", "json"],
    );
    assert_eq!(run.code, 1);
    assert!(run.stdout.is_empty());
    assert!(!std::path::Path::new(bad.path()).exists());
}

#[test]
fn streamed_summaries_and_scored_rows_are_the_outputs_built_whole() {
    use exam_export::score_reports::{
        ScoreReportsDocument, ScoreSummary, summary_csv, summary_table,
    };
    // The table, the CSV and --scored-out stream through temporary files;
    // their bytes are those of the outputs built whole in memory.
    let simulated = ScratchFile::new("scoring-whole", "sim.csv", "");
    simulate(simulated.path());
    let reports = ScratchFile::new("scoring-whole", "reports.json", "");
    let scored = ScratchFile::new("scoring-whole", "scored.csv", "");
    let csv = score(
        simulated.path(),
        &[
            "--out",
            reports.path(),
            "--scored-out",
            scored.path(),
            "--format",
            "csv",
        ],
    )
    .success()
    .stdout;
    let table = score(simulated.path(), &[]).success().stdout;

    let doc =
        ScoreReportsDocument::read(std::fs::File::open(reports.path()).unwrap(), "r").unwrap();
    let summaries: Vec<ScoreSummary> = doc.reports.iter().map(ScoreSummary::of).collect();
    let mut whole_csv = summary_csv(Vec::new(), "whole").unwrap();
    for s in &summaries {
        whole_csv.row(s.cells()).unwrap();
    }
    assert_eq!(csv, String::from_utf8(whole_csv.finish().unwrap()).unwrap());
    let whole_table = summary_table(&summaries);
    let rest = table.strip_prefix(whole_table.as_str()).unwrap();
    assert!(
        rest.lines()
            .all(|l| l.starts_with("passing standard") || l.starts_with("no passing standard")),
        "{rest}"
    );

    // The scored matrix built whole from the same submissions.
    let forms = exam_export::forms::read_forms_with_keys(
        std::fs::File::open(data("forms.json")).unwrap(),
        "forms",
    )
    .unwrap();
    let scorer = exam_scoring::keyed::Scorer::new(
        forms.iter().map(|(f, k)| (f, k)),
        &exam_scoring::rules::ScoringRules::default(),
        &std::collections::HashMap::new(),
    )
    .unwrap();
    let mut rows = exam_export::raw_csv::RawCsvReader::new(
        std::fs::File::open(simulated.path()).unwrap(),
        &scorer,
    )
    .unwrap();
    let mut submission = exam_core::submission::Submission::new("", "");
    let mut all = Vec::new();
    while rows.read_into(&mut submission).unwrap() {
        all.push(scorer.score(&submission).unwrap());
    }
    let matrix = exam_scoring::matrix::scored_matrix(&scorer, &all).unwrap();
    let mut whole = Vec::new();
    exam_export::scored_csv::write(&mut whole, &matrix, "whole").unwrap();
    assert_eq!(
        std::fs::read_to_string(scored.path()).unwrap(),
        String::from_utf8(whole).unwrap()
    );
}

#[test]
fn bad_option_exits_1_naming_candidate_and_item() {
    let out = score(&data("bad_option.csv"), &[]);
    assert_eq!(out.code, 1);
    let err = &out.stderr;
    assert!(
        err.contains("K4") && err.contains("Q1") && err.contains("`Z`"),
        "{err}"
    );
}

/// A submissions file that cannot be read says which file, in which
/// format, and what is wrong (the words of each layer once).
#[test]
fn unreadable_submissions_name_the_file_and_the_reason() {
    let csv = ScratchFile::new(
        "scoring-unreadable",
        "r.csv",
        "candidate,form,Q1,Q2,Q3,Q4,Q5,Q6\nC1,F9,,,,,,\n",
    );
    let json = ScratchFile::new("scoring-unreadable", "r.json", "[{\"candidate\": \"C1\"}]");
    let missing = format!("{}.missing.CSV", csv.path());
    for (path, expected) in [
        (
            csv.path().to_owned(),
            format!(
                "error: {}: bad raw response CSV: line 2: candidate C1: unknown form F9\n",
                csv.path()
            ),
        ),
        (
            json.path().to_owned(),
            format!(
                "error: {}: bad submissions: line 1, submission 1 (candidate C1), field `form`: missing field `form`\n",
                json.path()
            ),
        ),
        (
            missing.clone(),
            format!("error: cannot open {missing}: No such file or directory (os error 2)\n"),
        ),
    ] {
        let run = score(&path, &["--scoring", &data("rules.json")]);
        assert_eq!(run.code, 1);
        assert_eq!(run.stderr, expected);
    }
}

#[test]
fn rescore_lists_changed_candidates_with_old_and_new_values() {
    let v = on_fixture_forms(
        "rescore",
        &[
            "--responses",
            &data("responses.csv"),
            "--scoring",
            &data("rules.json"),
            "--new-scoring",
            &data("rules_corrected.json"),
            "--format",
            "json",
        ],
    )
    .success()
    .json();
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
    let csv = ScratchFile::new("scoring-sim-csv", "responses.csv", "");
    simulate(csv.path());
    let first = std::fs::read_to_string(csv.path()).unwrap();
    // Same seed, same file.
    simulate(csv.path());
    assert_eq!(std::fs::read_to_string(csv.path()).unwrap(), first);
    let v = score_json(csv.path(), &[]);
    let reports = v["reports"].as_array().unwrap();
    assert_eq!(reports.len(), 200);
    for r in reports {
        let (raw, max) = (r["raw"].as_f64().unwrap(), r["max"].as_f64().unwrap());
        assert!((0.0..=max).contains(&raw));
    }

    // The same candidates as JSON submissions score the same.
    let json = ScratchFile::new("scoring-sim-json", "responses.json", "");
    simulate(json.path());
    let w = score_json(json.path(), &[]);
    for (a, b) in reports.iter().zip(w["reports"].as_array().unwrap()) {
        assert_eq!(a["candidate"], b["candidate"]);
        assert!(close(&a["raw"], b["raw"].as_f64().unwrap()));
    }
}

#[test]
fn blueprint_cut_is_used_when_the_rules_set_none() {
    let v = score_json(
        &data("responses.csv"),
        &["--blueprint", "item-bank/blueprints/die-2026.json"],
    );
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
