//! Golden files of every format `exam` writes: the forms document and the
//! coverage report, simulated submissions (raw response CSV and JSON),
//! score reports (JSON, CSV, table), the scored response CSV, rescoring
//! changes, theta tables, item-parameter, scoring rules and calibration
//! documents, the item-analysis tables (items, test, distractors, DIF,
//! decision consistency) as table, JSON and CSV, the pilot's blueprint,
//! Angoff ratings and standard setting documents, xAPI statements and LTI
//! AGS scores. They pin the bytes: a change of
//! layout shows as a reviewed diff (`UPDATE_GOLDEN=1` rewrites them). The
//! numbers in them are checked against reference values by the other test
//! modules. Each document and table then reads back through its exam-export
//! type and writes out again to the same bytes.

#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

use crate::util::{ASVAB_SEX_DIF, Run, ScratchFile, check, exam, export_lti_ags, export_xapi};
use exam_core::bank::{read_blueprint, read_jta};
use exam_core::blueprint::{BlueprintSettings, derivation_mismatches, derive};
use exam_core::ids::PersonId;
use exam_core::responses::CsvOptions;
use exam_export::analysis::{
    AnalysisDocument, read_distractors_csv, read_items_csv, write_distractors_csv, write_items_csv,
};
use exam_export::blueprint_derivation::BlueprintDerivationDocument;
use exam_export::calibration::CalibrationDocument;
use exam_export::forms::{
    FormsDocument, read_coverage, read_forms, read_forms_with_keys, write_coverage,
};
use exam_export::groups::{read_group_labels, write_groups};
use exam_export::lti::LineItemScores;
use exam_export::params::ParamsDocument;
use exam_export::raw_csv::{read_raw_csv, write_raw_csv};
use exam_export::rescore::{RescoreDocument, read_changes_csv, write_changes_csv};
use exam_export::score_reports::{
    ScoreReportsDocument, read_reports, read_summary_csv, summary_csv, write_reports,
};
use exam_export::scored_csv;
use exam_export::scoring_rules::{read_rules, write_rules};
use exam_export::standard_setting::{
    FormCut, StandardSettingDocument, read_angoff_ratings, write_angoff_ratings,
};
use exam_export::submissions::{read_submissions_json, write_submissions_json};
use exam_export::theta::ThetaDocument;
use exam_export::xapi::StatementsDocument;
use exam_scoring::angoff::AngoffStudy;
use exam_scoring::equating::CarriedCut;
use exam_scoring::keyed::Scorer;
use exam_scoring::rules::ScoringRules;
use std::collections::HashMap;

const GOLDEN: &str = "tests/golden/formats";
const FORMS: &str = "tests/data/scoring/forms.json";
const RESPONSES: &str = "tests/data/scoring/responses.csv";
const RULES: &str = "tests/data/scoring/rules.json";
const RULES_CORRECTED: &str = "tests/data/scoring/rules_corrected.json";
/// The inputs of `exam score` and `exam rescore`: forms, responses, rules.
const SCORED: [&str; 6] = [
    "--forms",
    FORMS,
    "--responses",
    RESPONSES,
    "--scoring",
    RULES,
];

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
    let base = [&["score"][..], &SCORED, &["--params", params.path()]].concat();
    let with = |extra: &[&str]| ok(&[&base[..], extra].concat()).stdout;
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
fn simulated_submissions() {
    let csv = ScratchFile::new("formats-simulate-csv", "raw.csv", "");
    let json = ScratchFile::new("formats-simulate-json", "raw.json", "");
    for (file, name) in [(&csv, "simulate.csv"), (&json, "simulate.json")] {
        let out = file.path();
        ok(&[
            "simulate",
            "--forms",
            FORMS,
            "--candidates",
            "3",
            "--seed",
            "5",
            "--out",
            out,
        ]);
        golden(name, &read(out));
    }
    let text = read(json.path());
    let submissions = read_submissions_json(&text).unwrap();
    assert_eq!(submissions.len(), 3);
    assert_eq!(
        written(|w| write_submissions_json(w, &submissions).unwrap()),
        text
    );
}

#[test]
fn rescoring_changes() {
    let reports = ScratchFile::new("formats-rescore-out", "reports.json", "");
    let base = [
        &["rescore"],
        &SCORED[..],
        &["--new-scoring", RULES_CORRECTED],
    ]
    .concat();
    let with = |extra: &[&str]| ok(&[&base[..], extra].concat());
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

/// The item-parameter document as the pilot writes its generating
/// parameters: a model, dichotomous items (`c` written even when 0) and
/// generalized partial credit items apart.
const PARAMS_3PL_WITH_GPCM: &str = r#"{"model": "3pl", "items": [
  {"id": "Q1", "a": 1.0, "b": -0.5},
  {"id": "Q3", "a": 0.8, "b": 0.5, "c": 0.2}
], "gpcm_items": [{"id": "Q4", "a": 0.9, "steps": [-0.8, 0.1, 0.9]}]}"#;

#[test]
fn item_parameter_documents() {
    for (input, name) in [
        (SCORING_PARAMS, "params.json"),
        (PARAMS_3PL_WITH_GPCM, "params-3pl-gpcm.json"),
    ] {
        let doc = ParamsDocument::read(input.as_bytes(), name).unwrap();
        let text = written(|w| doc.write(w, name).unwrap());
        golden(name, &text);
    }
}

/// The scoring rules documents `exam score` and `exam rescore` read, as
/// exam-export writes them (2-space indent; the fixtures use one): the
/// defaults filled in, so the golden file shows every rule in force.
#[test]
fn scoring_rules_documents() {
    for (input, name) in [
        (RULES, "rules.json"),
        (RULES_CORRECTED, "rules-corrected.json"),
    ] {
        let rules = read_rules(read(input).as_bytes(), input).unwrap();
        let text = written(|w| write_rules(w, &rules, name).unwrap());
        golden(name, &text);
    }
}

/// The small documents of `exam pilot`: the blueprint with its derivation
/// (here the shipped blueprint with its first domain's weight raised by
/// 0.01, so the document lists a mismatch), a panel's Angoff ratings (3
/// raters, 3 items, 2 rounds) and the standard setting drawn from them
/// (cuts carried to two forms, values given here). Its scoring rules are
/// `rules.json`'s format.
#[test]
fn pilot_documents() {
    let jta = read_jta("item-bank/jta/jta.json").unwrap();
    let mut blueprint = read_blueprint("item-bank/blueprints/die-2026.json").unwrap();
    blueprint.domains[0].weight += 0.01;
    let derivation = derive(&jta, &BlueprintSettings::from(&blueprint)).map(|d| d.1);
    let mismatches = derivation_mismatches(&jta, &blueprint, None);
    assert_eq!(mismatches.len(), 1, "{mismatches:?}");
    let doc = BlueprintDerivationDocument {
        blueprint,
        derivation,
        matches_derivation: false,
        mismatches,
    };
    golden(
        "pilot-blueprint.json",
        &written(|w| doc.write(w, "b").unwrap()),
    );

    let study = AngoffStudy::new(
        vec!["Q1".into(), "Q2".into(), "Q3".into()],
        vec!["R1".into(), "R2".into(), "R3".into()],
        vec![
            vec![
                vec![0.6, 0.5, 0.8],
                vec![0.7, 0.4, 0.9],
                vec![0.3, 0.2, 0.6],
            ],
            vec![
                vec![0.6, 0.45, 0.8],
                vec![0.65, 0.4, 0.85],
                vec![0.5, 0.3, 0.7],
            ],
        ],
    )
    .unwrap();
    golden(
        "pilot-angoff-ratings.json",
        &written(|w| write_angoff_ratings(w, &study, "a").unwrap()),
    );
    let cut = |new_true_cut: f64, new_raw_cut| CarriedCut {
        base_raw_cut: 1.75,
        theta_cut: 0.25,
        new_true_cut,
        new_raw_cut,
    };
    let doc = StandardSettingDocument {
        cuts: vec![
            FormCut {
                cut: cut(1.75, 2),
                form: "F1".into(),
            },
            FormCut {
                cut: cut(1.5, 2),
                form: "F2".into(),
            },
        ],
        rounds: Some(study.rounds(2.0).unwrap()),
    };
    golden(
        "pilot-standard-setting.json",
        &written(|w| doc.write(w, "s").unwrap()),
    );
}

/// xAPI statements and LTI AGS scores of the scoring fixture's candidates,
/// from the reports `exam score --out` writes (`score-out.json`), at fixed
/// times.
#[test]
fn xapi_statements_and_lti_scores() {
    let reports = format!("{GOLDEN}/score-out.json");
    let xapi = ScratchFile::new("formats-xapi", "xapi.json", "");
    export_xapi(FORMS, RESPONSES, &reports, xapi.path());
    golden("xapi.json", &read(xapi.path()));
    let ags = ScratchFile::new("formats-ags", "ags.json", "");
    export_lti_ags(&reports, ags.path());
    golden("lti-ags.json", &read(ags.path()));
}

/// A groups file as the pilot writes it (group and generating θ per
/// candidate; a comma and a quote in a label to be quoted); each column
/// reads back, and the labels read write the same bytes.
#[test]
fn groups_file() {
    let persons: Vec<PersonId> = ["C1", "C2", "C3"].into_iter().map(PersonId::new).collect();
    let labels = [
        ["focal", "-0.250000"],
        ["reference", "1.125000"],
        ["ref, \"late\"", "0.000000"],
    ];
    let rows = persons.iter().zip(&labels);
    let text = written(|w| {
        let rows = rows.map(|(p, l)| (p.as_str(), l.map(str::to_owned).to_vec()));
        write_groups(w, &["group", "theta"], rows, "g").unwrap();
    });
    golden("groups.csv", &text);
    let column = |c| read_group_labels(text.as_bytes(), "g", Some(c), &persons, true).unwrap();
    let (groups, thetas) = (column("group"), column("theta"));
    for ((group, theta), want) in groups.iter().zip(&thetas).zip(&labels) {
        assert_eq!(
            (group.as_deref(), theta.as_deref()),
            (Some(want[0]), Some(want[1]))
        );
    }
    let again = written(|w| {
        let rows = persons.iter().zip(groups.iter().zip(&thetas));
        let rows =
            rows.map(|(p, (g, t))| (p.as_str(), [g, t].map(|l| l.clone().unwrap()).to_vec()));
        write_groups(w, &["group", "theta"], rows, "g").unwrap();
    });
    assert_eq!(again, text);
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
    let with = |extra: &[&str]| ok(&[&base[..], extra].concat()).stdout;
    golden("analyze.csv", &with(&["--format", "csv"]));
    golden("analyze.json", &with(&["--format", "json"]));
    let mut json = ASVAB_SEX_DIF.to_vec();
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
    let with = |extra: &[&str]| ok(&[&base[..], extra].concat()).stdout;
    golden("analyze-raw.csv", &with(&["--format", "csv"]));
    golden("analyze-raw.json", &with(&["--format", "json"]));
}

/// `exam analyze --groups ... --format csv` once failed: the DIF header
/// lacked the `favours` column its rows carry ("found record with 20
/// fields, but the previous record has 19 fields" on reading it back).
#[test]
fn dif_csv_has_a_column_for_every_field() {
    let mut args = vec![
        "analyze",
        "--responses",
        "tests/data/reference/asvab.csv",
        "--no-id",
        "--format",
        "csv",
    ];
    args.extend_from_slice(&ASVAB_SEX_DIF);
    let run = ok(&args);
    golden("analyze-dif.csv", &run.stdout);
    let rows = read_items_csv(run.stdout.as_bytes(), "stdout", true).unwrap();
    assert_eq!(rows.len(), 4);
    let header = run.lines()[0].split(',').count();
    for line in run.lines() {
        assert_eq!(line.split(',').count(), header, "{line}");
    }
    assert!(rows.iter().all(|r| r.dif.is_some()));
}

/// Reads a golden file.
fn golden_text(name: &str) -> String {
    read(&format!("{GOLDEN}/{name}"))
}

/// Writes with `write` into a string.
fn written(write: impl FnOnce(&mut Vec<u8>)) -> String {
    let mut bytes = Vec::new();
    write(&mut bytes);
    String::from_utf8(bytes).unwrap()
}

/// Every JSON document `exam` wrote reads back into its type and writes
/// out again byte for byte.
#[test]
fn json_documents_read_back_and_write_the_same_bytes() {
    let text = golden_text("assemble-out.json");
    let doc = FormsDocument::read(text.as_bytes(), "f").unwrap();
    assert_eq!(written(|w| doc.write(w, "f").unwrap()), text);
    assert_eq!(doc.forms.len(), 2);
    let forms = read_forms(text.as_bytes(), "f").unwrap();
    assert_eq!(forms, doc.forms);
    let keyed = read_forms_with_keys(text.as_bytes(), "f").unwrap();
    assert!(keyed.iter().all(|(form, key)| form.id == key.form));
    for name in ["coverage.json", "assemble-out-coverage.json"] {
        let text = golden_text(name);
        let reports = read_coverage(text.as_bytes(), name).unwrap();
        assert_eq!(reports, doc.coverage, "{name}");
        assert_eq!(
            written(|w| write_coverage(w, &reports, name).unwrap()),
            text
        );
    }

    let text = golden_text("score.json");
    let doc = ScoreReportsDocument::read(text.as_bytes(), "s").unwrap();
    assert_eq!(written(|w| doc.write(w, "s").unwrap()), text);
    let text = golden_text("rescore-out.json");
    let reports = read_reports(text.as_bytes(), "r").unwrap();
    assert_eq!(written(|w| write_reports(w, &reports, "r").unwrap()), text);
    let text = golden_text("rescore.json");
    let doc = RescoreDocument::read(text.as_bytes(), "r").unwrap();
    assert_eq!(written(|w| doc.write(w, "r").unwrap()), text);
    for method in ["eap", "map", "mle"] {
        let text = golden_text(&format!("theta-{method}.json"));
        let doc = ThetaDocument::read(text.as_bytes(), "t").unwrap();
        assert_eq!(written(|w| doc.write(w, "t").unwrap()), text);
    }
    for model in ["2pl", "cml", "gpcm"] {
        let text = golden_text(&format!("calibrate-{model}.json"));
        let doc = CalibrationDocument::read(text.as_bytes(), "c").unwrap();
        assert_eq!(written(|w| doc.write(w, "c").unwrap()), text);
    }
    for name in ["rules.json", "rules-corrected.json"] {
        let text = golden_text(name);
        let rules = read_rules(text.as_bytes(), name).unwrap();
        assert_eq!(
            written(|w| write_rules(w, &rules, name).unwrap()),
            text,
            "{name}"
        );
    }
    let text = golden_text("pilot-blueprint.json");
    let doc = BlueprintDerivationDocument::read(text.as_bytes(), "b").unwrap();
    assert_eq!(written(|w| doc.write(w, "b").unwrap()), text);
    let text = golden_text("pilot-angoff-ratings.json");
    let study = read_angoff_ratings(text.as_bytes(), "a").unwrap();
    assert_eq!(
        written(|w| write_angoff_ratings(w, &study, "a").unwrap()),
        text
    );
    let text = golden_text("pilot-standard-setting.json");
    let doc = StandardSettingDocument::read(text.as_bytes(), "s").unwrap();
    assert_eq!(written(|w| doc.write(w, "s").unwrap()), text);
    let text = golden_text("xapi.json");
    let doc = StatementsDocument::read(text.as_bytes(), "x").unwrap();
    assert_eq!(written(|w| doc.write(w, "x").unwrap()), text);
    assert_eq!(doc.attempts.len(), 3);
    let text = golden_text("lti-ags.json");
    let doc = LineItemScores::read(text.as_bytes(), "l").unwrap();
    assert_eq!(written(|w| doc.write(w, "l").unwrap()), text);
    assert_eq!(doc.scores.len(), 3);
    for name in ["params.json", "params-3pl-gpcm.json"] {
        let text = golden_text(name);
        let doc = ParamsDocument::read(text.as_bytes(), name).unwrap();
        assert_eq!(written(|w| doc.write(w, name).unwrap()), text, "{name}");
    }
    for name in ["analyze.json", "analyze-dif.json", "analyze-raw.json"] {
        let text = golden_text(name);
        let doc = AnalysisDocument::read(text.as_bytes(), name).unwrap();
        assert_eq!(written(|w| doc.write(w, name).unwrap()), text, "{name}");
    }
}

/// Every CSV `exam` wrote reads back; written again from what was read,
/// it is the same bytes.
#[test]
fn csv_tables_read_back_and_write_the_same_bytes() {
    let text = golden_text("scored.csv");
    let matrix = scored_csv::read(text.as_bytes(), "s", CsvOptions::default()).unwrap();
    assert_eq!(
        written(|w| scored_csv::write(w, &matrix, "s").unwrap()),
        text
    );

    let text = golden_text("simulate.csv");
    let forms = read_forms_with_keys(read(FORMS).as_bytes(), FORMS).unwrap();
    let scorer = Scorer::new(
        forms.iter().map(|(f, k)| (f, k)),
        &ScoringRules::default(),
        &HashMap::new(),
    )
    .unwrap();
    let submissions = read_raw_csv(text.as_bytes(), &scorer).unwrap();
    assert_eq!(submissions.len(), 3);
    assert_eq!(
        written(|w| write_raw_csv(w, &scorer, &submissions).unwrap()),
        text
    );

    let text = golden_text("score.csv");
    let rows = read_summary_csv(text.as_bytes(), "s").unwrap();
    let again = written(|w| {
        let mut csv = summary_csv(w, "s").unwrap();
        for r in &rows {
            csv.row(r.cells()).unwrap();
        }
        csv.finish().unwrap();
    });
    assert_eq!(again, text);

    let text = golden_text("rescore.csv");
    let changes = read_changes_csv(text.as_bytes(), "r").unwrap();
    assert_eq!(
        written(|w| write_changes_csv(w, &changes, "r").unwrap()),
        text
    );

    for method in ["eap", "map", "mle"] {
        let json = golden_text(&format!("theta-{method}.json"));
        let doc = ThetaDocument::read(json.as_bytes(), "t").unwrap();
        let text = golden_text(&format!("theta-{method}.csv"));
        let persons = ThetaDocument::read_csv(text.as_bytes(), "t", doc.method).unwrap();
        let back = ThetaDocument { persons, ..doc };
        assert_eq!(written(|w| back.write_csv(w, "t").unwrap()), text);
    }

    for model in ["2pl", "cml", "gpcm"] {
        let json = golden_text(&format!("calibrate-{model}.json"));
        let doc = CalibrationDocument::read(json.as_bytes(), "c").unwrap();
        let text = golden_text(&format!("calibrate-{model}.csv"));
        let rows = CalibrationDocument::read_csv(text.as_bytes(), "c").unwrap();
        assert_eq!(rows.len(), doc.items.len() + doc.not_calibrated.len());
        for (row, item) in rows.iter().zip(doc.items.iter().chain(&doc.not_calibrated)) {
            assert_eq!((&row.id, row.n, row.fixed), (&item.id, item.n, item.fixed));
            if let (Some(read), Some(a)) = (row.a, item.a) {
                assert!((read - a).abs() <= 5e-5, "{}: a {read} vs {a}", row.id);
            }
        }
    }

    for (name, with_dif) in [("analyze.csv", false), ("analyze-dif.csv", true)] {
        let text = golden_text(name);
        let rows = read_items_csv(text.as_bytes(), name, with_dif).unwrap();
        assert_eq!(
            written(|w| {
                write_items_csv(w, &rows, with_dif, name).unwrap();
            }),
            text
        );
    }
    let text = golden_text("analyze-raw.csv");
    let (items, distractors) = text.split_once("\n\n").unwrap();
    let (items, distractors) = (format!("{items}\n"), distractors.to_owned());
    let rows = read_items_csv(items.as_bytes(), "i", false).unwrap();
    assert_eq!(
        written(|w| {
            write_items_csv(w, &rows, false, "i").unwrap();
        }),
        items
    );
    let rows = read_distractors_csv(distractors.as_bytes(), "d").unwrap();
    assert!(rows.iter().any(|r| r.is_key));
    assert_eq!(
        written(|w| {
            write_distractors_csv(w, &rows, "d").unwrap();
        }),
        distractors
    );
}
