//! The trust boundary (issue 11): hostile and careless inputs to the real
//! `exam` binary end with exit status 0 or 1 and a clear message, within a
//! 1 GiB data limit, never a panic, a hang or an abort; bank writes are all
//! or nothing and stay inside the bank; nothing the user gave is silently
//! dropped.

#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

use crate::util::{Run, ScratchDir, ScratchFile, exam_bounded};

/// Asserts that `run` was refused with exit status 1 and a message on
/// standard error containing `needle` (and no panic).
fn assert_refused(run: &Run, needle: &str) {
    assert!(
        !run.stderr.contains("panicked"),
        "panicked:\n{}",
        run.stderr
    );
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains(needle),
        "expected `{needle}` in:\n{}",
        run.stderr
    );
}

/// An item parameter file for the LSAT6 items with every slope `a`.
fn lsat6_params(test: &str, a: &str) -> ScratchFile {
    let items: Vec<String> = (1..=5)
        .map(|i| format!(r#"{{"id": "Item{i}", "a": {a}, "b": 0.5}}"#))
        .collect();
    ScratchFile::new(
        test,
        "params.json",
        &format!(r#"{{"model": "2pl", "items": [{}]}}"#, items.join(",")),
    )
}

fn theta(params: &str, extra: &[&str]) -> Run {
    let mut args = vec![
        "theta",
        "--responses",
        "tests/data/reference/lsat6.csv",
        "--no-id",
        "--params",
        params,
    ];
    args.extend_from_slice(extra);
    exam_bounded(&args)
}

#[test]
fn theta_refuses_slopes_beyond_the_documented_range() {
    for a in ["1e300", "1e8", "1e6", "51"] {
        let params = lsat6_params(&format!("trust-slope-{a}"), a);
        assert_refused(&theta(params.path(), &[]), "slope a = ");
    }
    // The largest slope accepted scores within the limits.
    let params = lsat6_params("trust-slope-50", "50");
    assert_eq!(theta(params.path(), &["--format", "json"]).code, 0);
}

#[test]
fn theta_refuses_priors_beyond_the_documented_range() {
    let params = lsat6_params("trust-prior", "1.2");
    for (flag, value) in [
        ("--prior-sd", "1e300"),
        ("--prior-sd", "1e6"),
        ("--prior-sd", "0"),
        ("--prior-sd", "inf"),
        ("--prior-mean", "1e300"),
        ("--prior-mean", "1e17"),
        ("--prior-mean", "NaN"),
    ] {
        let run = theta(params.path(), &[flag, value]);
        assert_refused(&run, "prior");
    }
    assert_refused(
        &theta(params.path(), &["--method", "mle", "--theta-max", "1e300"]),
        "θmax",
    );
    // The edges of the ranges are accepted and give finite estimates.
    let run = theta(
        params.path(),
        &["--prior-mean", "20", "--prior-sd", "10", "--format", "json"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let persons = run.json()["persons"].as_array().unwrap().clone();
    assert!(
        persons
            .iter()
            .all(|p| p["theta"].as_f64().unwrap().is_finite())
    );
}

/// The scoring fixture's forms file with `edit` applied to its JSON.
fn edited_forms(test: &str, edit: impl FnOnce(&mut serde_json::Value)) -> ScratchFile {
    let text = std::fs::read_to_string("tests/data/scoring/forms.json").unwrap();
    let mut doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    edit(&mut doc);
    ScratchFile::new(test, "forms.json", &doc.to_string())
}

/// Parameters for the scoring fixture's items Q1..Q6 with slope `a`.
fn fixture_params(test: &str, a: &str) -> ScratchFile {
    let items: Vec<String> = (1..=6)
        .map(|i| format!(r#"{{"id": "Q{i}", "a": {a}, "b": 0.0}}"#))
        .collect();
    ScratchFile::new(
        test,
        "params.json",
        &format!(r#"{{"items": [{}]}}"#, items.join(",")),
    )
}

#[test]
fn score_and_simulate_refuse_slopes_beyond_the_range() {
    let params = fixture_params("trust-score-slope", "1e300");
    let run = exam_bounded(&[
        "score",
        "--forms",
        "tests/data/scoring/forms.json",
        "--responses",
        "tests/data/scoring/responses.csv",
        "--params",
        params.path(),
    ]);
    assert_refused(&run, "slope a = ");
    let out = ScratchFile::new("trust-simulate-slope", "out.csv", "");
    let run = exam_bounded(&[
        "simulate",
        "--forms",
        "tests/data/scoring/forms.json",
        "--candidates",
        "10",
        "--seed",
        "1",
        "--out",
        out.path(),
        "--params",
        params.path(),
    ]);
    assert_refused(&run, "slope a = ");
}

#[test]
fn score_refuses_a_key_weight_beyond_the_range() {
    let forms = edited_forms("trust-weight", |doc| {
        doc["scoring_keys"][0]["entries"][0]["weight"] = serde_json::json!(1e308);
    });
    let run = exam_bounded(&[
        "score",
        "--forms",
        forms.path(),
        "--responses",
        "tests/data/scoring/responses.csv",
    ]);
    assert_refused(&run, "weight 100000000");
}

#[test]
fn analyze_refuses_a_cut_that_is_not_a_number() {
    for cut in ["NaN", "inf", "-1"] {
        let run = exam_bounded(&[
            "analyze",
            "--responses",
            "tests/data/reference/lsat6.csv",
            "--no-id",
            &format!("--cut={cut}"),
        ]);
        assert_refused(&run, "cut");
    }
}

#[test]
fn assemble_refuses_options_out_of_range_instead_of_rounding_them() {
    let bank = ["--bank", "tests/fixtures/mini-bank"];
    let blueprint = [
        "--blueprint",
        "tests/fixtures/mini-bank/blueprints/mini.json",
    ];
    for (flag, value, needle) in [
        ("--max-overlap", "1.5", "maximum overlap 1.5"),
        ("--max-overlap", "inf", "maximum overlap inf"),
        ("--max-overlap", "NaN", "maximum overlap NaN"),
        ("--restarts", "0", "restarts"),
    ] {
        let mut args = vec!["assemble"];
        args.extend_from_slice(&bank);
        args.extend_from_slice(&blueprint);
        args.extend_from_slice(&[flag, value]);
        assert_refused(&exam_bounded(&args), needle);
    }
}

#[test]
fn no_command_overwrites_one_of_its_inputs() {
    let forms_text = std::fs::read_to_string("tests/data/scoring/forms.json").unwrap();
    let forms = ScratchFile::new("trust-out-forms", "forms.json", &forms_text);
    let run = exam_bounded(&[
        "simulate",
        "--forms",
        forms.path(),
        "--candidates",
        "5",
        "--seed",
        "1",
        "--out",
        forms.path(),
    ]);
    assert_refused(&run, "is the same file as --forms");
    assert_eq!(std::fs::read_to_string(forms.path()).unwrap(), forms_text);

    let responses_text = std::fs::read_to_string("tests/data/scoring/responses.csv").unwrap();
    let responses = ScratchFile::new("trust-out-responses", "responses.csv", &responses_text);
    // The same file spelled another way.
    let dir = std::path::Path::new(responses.path()).parent().unwrap();
    let spelled = dir
        .join("../")
        .join(dir.file_name().unwrap())
        .join("responses.csv");
    for flag in ["--out", "--scored-out"] {
        let run = exam_bounded(&[
            "score",
            "--forms",
            "tests/data/scoring/forms.json",
            "--responses",
            responses.path(),
            flag,
            spelled.to_str().unwrap(),
        ]);
        assert_refused(&run, "is the same file as --responses");
        assert_eq!(
            std::fs::read_to_string(responses.path()).unwrap(),
            responses_text
        );
    }
    let bp = "tests/fixtures/mini-bank/blueprints/mini.json";
    let run = exam_bounded(&[
        "assemble",
        "--bank",
        "tests/fixtures/mini-bank",
        "--blueprint",
        bp,
        "--out",
        bp,
    ]);
    assert_refused(&run, "is the same file as --blueprint");
}

fn record(bank: &str, params: &str, extra: &[&str]) -> Run {
    let mut args = vec![
        "record-params",
        "--bank",
        bank,
        "--params",
        params,
        "--dataset",
        "window.csv",
        "--date",
        "2026-12-01",
    ];
    args.extend_from_slice(extra);
    exam_bounded(&args)
}

#[test]
fn record_params_refuses_flagged_estimates_unless_accepted() {
    let bank = ScratchDir::copy_of("trust-flagged", "tests/fixtures/mini-bank");
    let items = bank.path().join("items/infrastructure.json");
    let before = std::fs::read_to_string(&items).unwrap();
    let params = ScratchFile::new(
        "trust-flagged-params",
        "params.json",
        r#"{"model": "3pl", "estimation": "mml", "n_persons": 500, "converged": true,
            "items": [{"id": "INF-002", "a": 4.6, "b": 0.2, "c": 0.1,
                       "flags": [{"flag": "heywood_slope", "a": 4.6}]}]}"#,
    );
    let run = record(bank.arg(), params.path(), &[]);
    assert_refused(&run, "`INF-002` (heywood_slope)");
    assert_refused(&run, "--accept-flagged");
    assert_eq!(std::fs::read_to_string(&items).unwrap(), before);
    let run = record(bank.arg(), params.path(), &["--accept-flagged"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("warning: item INF-002 recorded although flagged `heywood_slope`")
    );
}

#[cfg(unix)]
#[test]
fn record_params_writes_nothing_outside_the_bank() {
    let bank = ScratchDir::copy_of("trust-planted", "tests/fixtures/mini-bank");
    let outside = ScratchFile::new("trust-planted-outside", "precious.json", "precious");
    std::os::unix::fs::symlink(
        outside.path(),
        bank.path().join("items/.infrastructure.json.record-tmp"),
    )
    .unwrap();
    let params = ScratchFile::new(
        "trust-planted-params",
        "params.json",
        r#"{"model": "2pl", "n_persons": 500, "converged": true,
            "items": [{"id": "INF-002", "a": 1.1, "b": 0.2}]}"#,
    );
    let run = record(bank.arg(), params.path(), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(outside.path()).unwrap(), "precious");
    let meta = std::fs::symlink_metadata(bank.path().join("items/infrastructure.json")).unwrap();
    assert!(meta.file_type().is_file());
}

fn score_responses(responses: &str, extra: &[&str]) -> Run {
    let mut args = vec![
        "score",
        "--forms",
        "tests/data/scoring/forms.json",
        "--responses",
        responses,
    ];
    args.extend_from_slice(extra);
    exam_bounded(&args)
}

#[test]
fn a_repeated_candidate_is_refused_with_both_positions_in_every_path() {
    let text = std::fs::read_to_string("tests/data/scoring/responses.csv").unwrap();
    let k1 = text.lines().nth(1).unwrap();
    let csv = ScratchFile::new("trust-dup-csv", "responses.csv", &format!("{text}{k1}\n"));
    let scored = ScratchFile::new("trust-dup-scored", "scored.csv", "");
    for extra in [&[][..], &["--scored-out", scored.path()][..]] {
        let run = score_responses(csv.path(), extra);
        assert_refused(
            &run,
            "line 5: candidate K1 appears more than once (first on line 2)",
        );
    }
    let raw = exam_bounded(&[
        "analyze",
        "--raw",
        csv.path(),
        "--forms",
        "tests/data/scoring/forms.json",
    ]);
    assert_refused(
        &raw,
        "candidate K1 appears more than once (first on line 2)",
    );

    let json = ScratchFile::new(
        "trust-dup-json",
        "responses.json",
        r#"[{"candidate": "K1", "form": "F1", "answers": []},
{"candidate": "K1", "form": "F2", "answers": []}]"#,
    );
    let run = score_responses(json.path(), &[]);
    assert_refused(
        &run,
        "line 2, submission 2 (candidate K1), field `candidate`: candidate appears more than once (first as submission 1, line 1)",
    );
    let scored_csv = ScratchFile::new(
        "trust-dup-scored-csv",
        "scored.csv",
        "id,A,B\np1,1,0\np2,0,1\np1,1,1\n",
    );
    let run = exam_bounded(&["analyze", "--responses", scored_csv.path()]);
    assert_refused(
        &run,
        "line 4: person `p1` appears more than once (first on line 2)",
    );
}

#[test]
fn every_bad_json_submission_is_named_with_line_candidate_and_field() {
    let json = ScratchFile::new(
        "trust-bad-json",
        "responses.json",
        r#"[{"candidate": "K1", "form": "F1", "answers": [], "note": "late"},
{"candidate": "K2", "form": "F1", "answers": [{"item": "Q1", "answer": {"chosen": ["A"]}}]},
{"candidate": "K3", "answers": []}]"#,
    );
    let run = score_responses(json.path(), &[]);
    assert_refused(&run, "3 problems:");
    assert_refused(
        &run,
        "line 1, submission 1 (candidate K1), field `note`: unknown field `note`",
    );
    assert_refused(
        &run,
        "line 2, submission 2 (candidate K2), field `answers[0].answer`",
    );
    assert_refused(
        &run,
        "line 3, submission 3 (candidate K3), field `form`: missing field `form`",
    );
}

#[test]
fn scored_csv_ids_must_be_present_and_utf8() {
    for (name, text, needle) in [
        (
            "empty-person",
            "id,A,B\np1,1,0\n,0,1\n",
            "line 3: empty person id",
        ),
        (
            "empty-item",
            "id,A,,B\np1,1,0,1\n",
            "line 1, column 3: empty item id",
        ),
    ] {
        let csv = ScratchFile::new(&format!("trust-{name}"), "scored.csv", text);
        let run = exam_bounded(&["analyze", "--responses", csv.path()]);
        assert_refused(&run, needle);
    }
    let dir = ScratchFile::new("trust-utf8", "placeholder", "");
    let path = std::path::Path::new(dir.path()).with_file_name("scored.csv");
    std::fs::write(&path, b"id,A,B\np\xff1,1,0\n").unwrap();
    let run = exam_bounded(&["analyze", "--responses", path.to_str().unwrap()]);
    assert_refused(&run, "line 2, column 1: the id is not valid UTF-8");
}

#[cfg(unix)]
#[test]
fn the_bank_loader_reports_every_json_entry_it_cannot_read() {
    let bank = ScratchDir::copy_of("trust-entries", "tests/fixtures/mini-bank");
    let items = bank.path().join("items");
    std::os::unix::fs::symlink(items.join("loop.json"), items.join("loop.json")).unwrap();
    std::os::unix::fs::symlink(items.join("gone"), items.join("dangling.json")).unwrap();
    std::fs::create_dir(items.join("folder.json")).unwrap();
    let fifo = std::process::Command::new("mkfifo")
        .arg(items.join("fifo.json"))
        .status()
        .unwrap();
    assert!(fifo.success());
    let text = std::fs::read_to_string(items.join("communication.json")).unwrap();
    std::fs::write(items.join("bom.json"), format!("\u{feff}{text}")).unwrap();
    let run = exam_bounded(&["validate", "--bank", bank.arg()]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    for needle in [
        "loop.json: cannot read: a symbolic link that cannot be followed (a loop?)",
        "dangling.json: cannot read: a dangling symbolic link (its target does not exist)",
        "folder.json: cannot read: a directory named *.json, not an item file",
        "fifo.json: cannot read: not a regular file (a FIFO, socket or device): not read",
        "bom.json: malformed JSON: the file starts with a byte order mark (U+FEFF)",
    ] {
        assert!(
            run.stdout.contains(needle),
            "`{needle}` missing from:\n{}",
            run.stdout
        );
    }
}

#[test]
fn rescore_blames_the_adjustments_file_for_an_unknown_item() {
    let text = std::fs::read_to_string("tests/data/scoring/rules_corrected.json").unwrap();
    let rules = ScratchFile::new(
        "trust-rescore-adjust",
        "corrected.json",
        &text.replace("\"item\": \"Q6\"", "\"item\": \"Q99\""),
    );
    let run = exam_bounded(&[
        "rescore",
        "--forms",
        "tests/data/scoring/forms.json",
        "--responses",
        "tests/data/scoring/responses.csv",
        "--scoring",
        "tests/data/scoring/rules.json",
        "--new-scoring",
        rules.path(),
    ]);
    assert_refused(
        &run,
        "corrected.json: the corrected rules do not fit the forms of tests/data/scoring/forms.json: adjustment for item `Q99`, which is on none of the forms",
    );
}

#[test]
fn coverage_refuses_a_forms_file_with_a_repeated_form_or_no_form() {
    let bank = ["--bank", "tests/fixtures/mini-bank"];
    let blueprint = [
        "--blueprint",
        "tests/fixtures/mini-bank/blueprints/mini.json",
    ];
    let assembled = ScratchFile::new("trust-coverage-forms", "forms.json", "");
    let mut args = vec!["assemble"];
    args.extend_from_slice(&bank);
    args.extend_from_slice(&blueprint);
    args.extend_from_slice(&["--out", assembled.path()]);
    assert_eq!(exam_bounded(&args).code, 0);
    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(assembled.path()).unwrap()).unwrap();
    let form = doc["forms"][0].clone();
    doc["forms"].as_array_mut().unwrap().push(form);
    let twice = ScratchFile::new("trust-coverage-twice", "twice.json", &doc.to_string());
    doc["forms"] = serde_json::json!([]);
    let none = ScratchFile::new("trust-coverage-none", "none.json", &doc.to_string());
    for (file, needle) in [
        (twice.path(), "appears twice (forms 1 and 2)"),
        (none.path(), "none.json: no forms"),
    ] {
        let mut args = vec!["coverage"];
        args.extend_from_slice(&bank);
        args.extend_from_slice(&blueprint);
        args.extend_from_slice(&["--forms", file]);
        assert_refused(&exam_bounded(&args), needle);
    }
}

#[test]
fn gpcm_parameters_given_as_a_and_b_are_refused() {
    let items: Vec<String> = (1..=5)
        .map(|i| format!(r#"{{"id": "Item{i}", "a": 1.0, "b": 0.5}}"#))
        .collect();
    let params = ScratchFile::new(
        "trust-gpcm",
        "params.json",
        &format!(r#"{{"model": "gpcm", "items": [{}]}}"#, items.join(",")),
    );
    assert_refused(
        &theta(params.path(), &[]),
        "model gpcm needs step difficulties; this file gives a, b and c only",
    );
}

#[test]
fn a_calibration_that_did_not_converge_exits_3_and_says_so_in_every_format() {
    for format in ["json", "table", "csv"] {
        let run = exam_bounded(&[
            "calibrate",
            "--responses",
            "tests/data/reference/lsat6.csv",
            "--no-id",
            "--model",
            "2pl",
            "--max-iterations",
            "1",
            "--format",
            format,
        ]);
        assert_eq!(run.code, 3, "{format}: {}", run.stderr);
        assert!(
            run.stderr
                .contains("warning: the calibration did not converge"),
            "{}",
            run.stderr
        );
        if format == "json" {
            let doc = run.json();
            assert_eq!(doc["converged"], false);
            assert_eq!(doc["convergence"]["reason"], "iteration_limit");
        }
    }
}

/// The mini bank's blueprint with `edit` applied to its JSON.
fn edited_blueprint(test: &str, edit: impl FnOnce(&mut serde_json::Value)) -> ScratchFile {
    let text = std::fs::read_to_string("tests/fixtures/mini-bank/blueprints/mini.json").unwrap();
    let mut doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    edit(&mut doc);
    ScratchFile::new(test, "blueprint.json", &doc.to_string())
}

/// A change to a blueprint's JSON.
type BlueprintEdit = fn(&mut serde_json::Value);

#[test]
fn assemble_coverage_and_score_refuse_an_inconsistent_blueprint() {
    let cases: [(&str, BlueprintEdit, &str); 4] = [
        (
            "levels",
            |bp| bp["domains"][0]["levels"]["advanced"] = 5.into(),
            "level counts sum to 9, but the form has 8 scored items",
        ),
        (
            "overflow",
            |bp| bp["domains"][0]["levels"]["advanced"] = u32::MAX.into(),
            "level counts sum to 4294967295",
        ),
        (
            "cut",
            |bp| bp["passing"]["raw_cut"] = 1000.into(),
            "raw cut 1000 is more than the 8 scored items",
        ),
        (
            "empty",
            |bp| bp["scored_items"] = 0.into(),
            "a form needs at least one scored item",
        ),
    ];
    for (name, edit, needle) in cases {
        let blueprint = edited_blueprint(&format!("trust-bp-{name}"), edit);
        for command in ["assemble", "coverage", "score"] {
            let mut args = vec![
                command,
                "--bank",
                "tests/fixtures/mini-bank",
                "--blueprint",
                blueprint.path(),
            ];
            if command != "assemble" {
                args.extend_from_slice(&["--forms", "tests/data/scoring/forms.json"]);
            }
            if command == "score" {
                // The blueprint's cut would be the passing standard.
                args.extend_from_slice(&["--responses", "tests/data/scoring/responses.csv"]);
            }
            assert_refused(&exam_bounded(&args), needle);
        }
    }
}

#[test]
fn analyze_of_a_very_wide_file_stays_within_the_memory_limit() {
    // 100,000 item columns, 5 persons: the summary keeps one row of item
    // sums per reached total (at most one per person), so this fits in the
    // 1 GiB data limit rather than needing a row per possible total.
    let k = 100_000;
    let header: Vec<String> = (0..k).map(|j| format!("I{j}")).collect();
    let row: Vec<&str> = (0..k).map(|j| if j % 3 == 0 { "1" } else { "0" }).collect();
    let mut text = format!("id,{}\n", header.join(","));
    for p in 0..5 {
        text.push_str(&format!("p{p},{}\n", row.join(",")));
    }
    let wide = ScratchFile::new("trust-wide", "wide.csv", &text);
    let run = exam_bounded(&["analyze", "--responses", wide.path()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("I99999 "), "every item is listed");
}

/// The names in a directory, sorted.
fn listing(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn streamed_outputs_replace_the_file_whole_and_leave_nothing_on_error() {
    // The writers of assemble, score, rescore and simulate go through one
    // `output::create`: a new file renamed over the old one, so another name
    // for the old file (a hard link) keeps the old bytes; writing in place
    // would change them.
    let dir = ScratchDir::copy_of("trust-streamed-out", "tests/data/scoring");
    let out = dir.path().join("out.csv");
    let kept = dir.path().join("kept.csv");
    std::fs::write(&out, "old\n").unwrap();
    std::fs::hard_link(&out, &kept).unwrap();
    let simulate = |out: &std::path::Path| {
        exam_bounded(&[
            "simulate",
            "--forms",
            dir.path().join("forms.json").to_str().unwrap(),
            "--candidates",
            "5",
            "--seed",
            "1",
            "--out",
            out.to_str().unwrap(),
        ])
    };
    assert_eq!(simulate(&out).code, 0);
    assert_eq!(std::fs::read_to_string(&kept).unwrap(), "old\n");
    assert!(std::fs::read_to_string(&out).unwrap().lines().count() > 1);
    // A target that cannot be replaced (a directory): refused, and no
    // temporary file left behind.
    let before = listing(dir.path());
    std::fs::create_dir(dir.path().join("taken.csv")).unwrap();
    let run = simulate(&dir.path().join("taken.csv"));
    assert_refused(&run, "taken.csv");
    let mut expected = before;
    expected.push("taken.csv".to_owned());
    expected.sort();
    assert_eq!(listing(dir.path()), expected);
}

#[test]
fn whole_outputs_never_follow_a_planted_temporary_name() {
    // The writers of export, import, report and loft go through one
    // `output::write_whole`: its temporary file is created exclusively, so a
    // symbolic link planted where a temporary file could be is never
    // followed (a fixed name `out.json.tmp` used to be).
    let dir = ScratchDir::copy_of("trust-whole-out", "tests/data/scoring");
    let path = |name: &str| dir.path().join(name).to_str().unwrap().to_owned();
    exam_bounded(&[
        "score",
        "--forms",
        &path("forms.json"),
        "--responses",
        &path("responses.csv"),
        "--out",
        &path("reports.json"),
    ])
    .success();
    std::fs::write(path("victim.txt"), "mine\n").unwrap();
    std::os::unix::fs::symlink(path("victim.txt"), path("scores.json.tmp")).unwrap();
    let ags = |out: &str| {
        exam_bounded(&[
            "export",
            "lti-ags",
            "--reports",
            &path("reports.json"),
            "--line-item",
            "https://lms.example/lineitems/1",
            "--timestamp",
            "2026-01-01T00:00:00Z",
            "--out",
            out,
        ])
    };
    assert_eq!(ags(&path("scores.json")).code, 0);
    assert_eq!(
        std::fs::read_to_string(path("victim.txt")).unwrap(),
        "mine\n"
    );
    assert!(
        !std::fs::symlink_metadata(path("scores.json"))
            .unwrap()
            .is_symlink()
    );
    // A target that cannot be replaced: refused, nothing left behind.
    std::fs::create_dir(path("taken.json")).unwrap();
    let before = listing(dir.path());
    assert_refused(&ags(&path("taken.json")), "taken.json");
    assert_eq!(listing(dir.path()), before);
}

#[test]
fn calibrate_refuses_a_file_too_wide_for_memory_before_allocating() {
    // 30,000 item columns: the item fit tables alone (k × (k + 1) numbers
    // per form) would need about 7 GB.
    let items = 30_000;
    let header: Vec<String> = (0..items).map(|i| format!("i{i}")).collect();
    let mut text = header.join(",") + "\n";
    for person in 0..4 {
        let row: Vec<&str> = (0..items)
            .map(|i| if (i + person) % 2 == 0 { "1" } else { "0" })
            .collect();
        text += &(row.join(",") + "\n");
    }
    let wide = ScratchFile::new("trust-wide-calibrate", "wide.csv", &text);
    for model in ["rasch", "rasch-cml"] {
        let run = exam_bounded(&[
            "calibrate",
            "--responses",
            wide.path(),
            "--no-id",
            "--model",
            model,
            "--no-se",
        ]);
        assert_refused(
            &run,
            "calibrating 30000 item columns in 1 form(s) would need about",
        );
    }
}
