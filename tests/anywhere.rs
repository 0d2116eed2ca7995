//! The commands work from any folder: `--bank DIR` finds the JTA and the
//! blueprint inside DIR, the error without a bank names `--bank`, the
//! habitual inputs may be given by position, and `exam score` takes the
//! passing standard of the forms' blueprint when the rules set none.

use crate::util::{exam, exam_in};
use std::path::Path;

/// The repository's shipped bank, as an absolute path.
fn shipped_bank() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("item-bank")
        .display()
        .to_string()
}

/// A reference data set, as an absolute path.
fn reference_csv(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/reference")
        .join(name)
        .display()
        .to_string()
}

#[test]
fn without_a_bank_the_error_says_where_it_looked_and_names_bank() {
    let here = tempfile::tempdir().expect("a temporary folder");
    for command in [
        &["assemble"][..],
        &["blueprint"],
        &["validate"],
        &["pilot", "--out", "run"],
    ] {
        let run = exam_in(here.path(), command);
        assert_eq!(run.code, 1, "{command:?}: {}", run.stderr);
        assert!(
            run.stderr.contains("no item bank at"),
            "{command:?}: {}",
            run.stderr
        );
        assert!(run.stderr.contains("--bank"), "{command:?}: {}", run.stderr);
        assert!(!run.stderr.contains("panicked"));
    }
}

#[test]
fn bank_finds_its_jta_and_blueprint_from_another_folder_and_score_takes_its_cut() {
    let here = tempfile::tempdir().expect("a temporary folder");
    let bank = shipped_bank();
    let in_here = |args: &[&str]| exam_in(here.path(), args).success();
    let blueprint = in_here(&["blueprint", "--bank", &bank]);
    assert!(
        blueprint.stdout.contains("equals the derivation"),
        "{}",
        blueprint.stdout
    );
    in_here(&[
        "assemble",
        "--bank",
        &bank,
        "--forms",
        "2",
        "--out",
        "forms.json",
    ]);
    in_here(&["coverage", "--bank", &bank, "--forms", "forms.json"]);
    in_here(&[
        "simulate",
        "--forms",
        "forms.json",
        "--candidates",
        "40",
        "--seed",
        "3",
        "--out",
        "raw.csv",
    ]);

    // The forms' blueprint, found in --bank, gives the cut; the table says so.
    let score = [
        "score",
        "--bank",
        &bank,
        "--forms",
        "forms.json",
        "--responses",
        "raw.csv",
    ];
    let scored = in_here(&[&score[..], &["--scored-out", "scored.csv"]].concat());
    assert!(
        scored
            .stdout
            .contains("passing standard: raw cut 42 (blueprint die-2026 2026.1: provisional"),
        "{}",
        scored.stdout
    );
    let json = in_here(&[&score[..], &["--format", "json"]].concat()).json();
    for report in json["reports"].as_array().expect("reports") {
        let decision = &report["decision"];
        assert_eq!(decision["raw_cut"], 42.0);
        assert!(
            decision["source"]
                .as_str()
                .is_some_and(|s| s.starts_with("blueprint die-2026"))
        );
        let raw = report["raw"].as_f64().expect("raw");
        assert_eq!(decision["passed"].as_bool(), Some(raw >= 42.0));
    }
    // Without a bank here there is no blueprint to take a cut from: no
    // decision, and both the note and the table say so.
    let bare = exam_in(
        here.path(),
        &[
            "score",
            "--forms",
            "forms.json",
            "--responses",
            "raw.csv",
            "--format",
            "json",
        ],
    )
    .success();
    assert!(bare.json()["reports"][0]["decision"].is_null());
    assert!(
        bare.stderr.contains("no passing standard")
            && bare.stderr.contains("die-2026")
            && bare.stderr.contains("decisions are left empty"),
        "{}",
        bare.stderr
    );
    // A bank whose blueprints/ lacks the forms' blueprint: the same.
    let no_blueprint = here.path().join("bank-without-blueprint");
    std::fs::create_dir_all(no_blueprint.join("blueprints")).expect("a folder");
    let table = in_here(&[
        "score",
        "--bank",
        &no_blueprint.display().to_string(),
        "--forms",
        "forms.json",
        "--responses",
        "raw.csv",
    ]);
    assert!(
        table.stdout.contains("no passing standard")
            && table.stderr.contains("no passing standard"),
        "{}\n{}",
        table.stdout,
        table.stderr
    );

    // Positional inputs: the same numbers as the flags.
    same_by_flag_and_position(here.path(), &["analyze", "--format", "json"], "scored.csv");
}

/// Runs `command` (its name, then flags) in `dir` on the response file
/// `file`, given once by `--responses` and once by position: both runs
/// succeed with the same output.
fn same_by_flag_and_position(dir: &Path, command: &[&str], file: &str) {
    let (name, flags) = command.split_first().expect("a command name");
    let by_flag = exam_in(dir, &[&[*name, "--responses", file][..], flags].concat()).success();
    let by_position = exam_in(dir, &[&[*name, file][..], flags].concat()).success();
    assert_eq!(by_flag.stdout, by_position.stdout, "{command:?}");
}

#[test]
fn calibrate_and_analyze_take_the_response_file_by_position() {
    let lsat6 = reference_csv("lsat6.csv");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let calibrate = ["calibrate", "--model", "2pl", "--no-id", "--format", "json"];
    same_by_flag_and_position(root, &calibrate, &lsat6);
    same_by_flag_and_position(root, &["analyze", "--no-id", "--format", "json"], &lsat6);
    // Both at once is an error, not a silent choice.
    let both = exam(&[
        "calibrate",
        &lsat6,
        "--responses",
        &lsat6,
        "--model",
        "2pl",
        "--no-id",
    ]);
    assert_eq!(both.code, 2, "{}", both.stderr);
}
