//! Golden files of every format `exam` writes: the forms document and the
//! coverage report, score reports (JSON, CSV, table), the scored response
//! CSV, rescoring changes, theta tables, calibration documents and the
//! item-analysis tables (items, test, distractors, DIF, decision
//! consistency) as table, JSON and CSV. They pin the bytes: a change of
//! layout shows as a reviewed diff (`UPDATE_GOLDEN=1` rewrites them). The
//! numbers in them are checked against reference values by the other test
//! modules.

#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

use crate::util::{Run, ScratchFile, check, exam};

const GOLDEN: &str = "tests/golden/formats";
const FORMS: &str = "tests/data/scoring/forms.json";
const RESPONSES: &str = "tests/data/scoring/responses.csv";
const RULES: &str = "tests/data/scoring/rules.json";
const RULES_CORRECTED: &str = "tests/data/scoring/rules_corrected.json";

/// Generating-style parameters for the six items of the scoring fixture,
/// so the score reports carry a θ.
const SCORING_PARAMS: &str = r#"{"items": [
  {"id": "Q1", "a": 1.0, "b": -0.5},
  {"id": "Q2", "a": 1.2, "b": 0.0},
  {"id": "Q3", "a": 0.8, "b": 0.5, "c": 0.2},
  {"id": "Q4", "a": 1.5, "b": 1.0},
  {"id": "Q5", "a": 0.9, "b": -1.0},
  {"id": "Q6", "a": 1.1, "b": 0.3}
]}"#;

/// Checks `actual` against `tests/golden/formats/<name>`.
fn golden(name: &str, actual: &str) {
    check(&format!("{GOLDEN}/{name}"), actual);
}

fn ok(args: &[&str]) -> Run {
    exam(args).success()
}

fn read(path: &str) -> String {
    std::fs::read_to_string(path).unwrap()
}

#[test]
fn forms_document_and_coverage() {
    let out = ScratchFile::new("formats-forms", "forms.json", "");
    let inputs = [
        "--bank",
        "tests/data/assembly/bank.json",
        "--jta",
        "tests/data/assembly/jta.json",
        "--blueprint",
        "tests/data/assembly/blueprint.json",
    ];
    let mut args = vec!["assemble", "--forms", "2", "--seed", "7"];
    args.extend_from_slice(&inputs);
    let table = ok(&args);
    golden("assemble.txt", &table.stdout);
    args.extend_from_slice(&["--out", out.path(), "--format", "json"]);
    let coverage_json = ok(&args);
    golden("assemble-out-coverage.json", &coverage_json.stdout);
    golden("assemble-out.json", &read(out.path()));
    let mut json = args[..args.len() - 4].to_vec();
    json.extend_from_slice(&["--format", "json"]);
    golden("assemble-out.json", &ok(&json).stdout);
    let mut args = vec!["coverage", "--forms", out.path()];
    args.extend_from_slice(&inputs);
    golden("coverage.txt", &ok(&args).stdout);
    args.extend_from_slice(&["--format", "json"]);
    golden("coverage.json", &ok(&args).stdout);
}

#[test]
fn score_reports_and_scored_csv() {
    let params = ScratchFile::new("formats-score-params", "params.json", SCORING_PARAMS);
    let reports = ScratchFile::new("formats-score-out", "reports.json", "");
    let scored = ScratchFile::new("formats-score-scored", "scored.csv", "");
    let base = [
        "score",
        "--forms",
        FORMS,
        "--responses",
        RESPONSES,
        "--scoring",
        RULES,
        "--params",
        params.path(),
    ];
    let with = |extra: &[&str]| {
        let mut args = base.to_vec();
        args.extend_from_slice(extra);
        ok(&args).stdout
    };
    golden("score.txt", &with(&[]));
    golden("score.csv", &with(&["--format", "csv"]));
    golden("score.json", &with(&["--format", "json"]));
    with(&["--out", reports.path(), "--scored-out", scored.path()]);
    golden("score-out.json", &read(reports.path()));
    golden("scored.csv", &read(scored.path()));
    // CSV on stdout with --out: the reports are kept for the file.
    golden(
        "score-out-stdout.csv",
        &with(&["--out", reports.path(), "--format", "csv"]),
    );
}

#[test]
fn rescoring_changes() {
    let reports = ScratchFile::new("formats-rescore-out", "reports.json", "");
    let base = [
        "rescore",
        "--forms",
        FORMS,
        "--responses",
        RESPONSES,
        "--scoring",
        RULES,
        "--new-scoring",
        RULES_CORRECTED,
    ];
    let with = |extra: &[&str]| {
        let mut args = base.to_vec();
        args.extend_from_slice(extra);
        ok(&args)
    };
    let table = with(&[]);
    golden("rescore.txt", &table.stdout);
    golden("rescore-stderr.txt", &table.stderr);
    golden("rescore.csv", &with(&["--format", "csv"]).stdout);
    golden("rescore.json", &with(&["--format", "json"]).stdout);
    with(&["--out", reports.path()]);
    golden("rescore-out.json", &read(reports.path()));
}

/// The first 24 persons of LSAT6 (all-0 and all-1 patterns among them,
/// for the MLE bounds).
fn lsat6_head(test: &str) -> ScratchFile {
    let text = read("tests/data/reference/lsat6.csv");
    let mut lines: Vec<&str> = text.lines().take(25).collect();
    lines.push("1,1,1,1,1");
    lines.push("0,0,0,0,0");
    ScratchFile::new(test, "lsat6-head.csv", &(lines.join("\n") + "\n"))
}

#[test]
fn theta_tables() {
    let data = lsat6_head("formats-theta");
    for method in ["eap", "map", "mle"] {
        for (format, ext) in [("table", "txt"), ("csv", "csv"), ("json", "json")] {
            let run = ok(&[
                "theta",
                "--responses",
                data.path(),
                "--params",
                "tests/data/theta/lsat6_2pl_params.json",
                "--no-id",
                "--method",
                method,
                "--format",
                format,
            ]);
            golden(&format!("theta-{method}.{ext}"), &run.stdout);
        }
    }
}

#[test]
fn calibration_documents() {
    for (model, data, name) in [
        ("2pl", "lsat6", "calibrate-2pl"),
        ("rasch-cml", "raschdat1", "calibrate-cml"),
        ("gpcm", "verbal_aggression_poly", "calibrate-gpcm"),
    ] {
        let responses = format!("tests/data/reference/{data}.csv");
        for (format, ext) in [("table", "txt"), ("csv", "csv"), ("json", "json")] {
            let run = ok(&[
                "calibrate",
                "--model",
                model,
                "--responses",
                &responses,
                "--no-id",
                "--format",
                format,
            ]);
            golden(&format!("{name}.{ext}"), &run.stdout);
        }
    }
}

#[test]
fn item_analysis_tables() {
    let base = [
        "analyze",
        "--responses",
        "tests/data/reference/asvab.csv",
        "--no-id",
        "--cut",
        "2",
    ];
    let dif = [
        "--groups",
        "tests/data/reference/asvab_groups.csv",
        "--group-column",
        "sex",
        "--focal",
        "Female",
    ];
    let with = |extra: &[&str]| {
        let mut args = base.to_vec();
        args.extend_from_slice(extra);
        ok(&args).stdout
    };
    golden("analyze.csv", &with(&["--format", "csv"]));
    golden("analyze.json", &with(&["--format", "json"]));
    let mut json = dif.to_vec();
    json.extend_from_slice(&["--format", "json"]);
    golden("analyze-dif.json", &with(&json));
}

#[test]
fn raw_item_analysis_tables() {
    let base = [
        "analyze",
        "--raw",
        "tests/data/analyze-raw/responses.csv",
        "--forms",
        FORMS,
    ];
    let with = |extra: &[&str]| {
        let mut args = base.to_vec();
        args.extend_from_slice(extra);
        ok(&args).stdout
    };
    golden("analyze-raw.csv", &with(&["--format", "csv"]));
    golden("analyze-raw.json", &with(&["--format", "json"]));
}
