//! `exam validate --lint`: each rule on a fixture written to break it, the
//! supply rule on the mini bank, and the shipped bank.

use crate::util::{check, exam, validate};

/// The lint lines of `exam validate --lint` on a fixture bank the lint fails.
fn failing_lint_lines(bank: &str) -> Vec<String> {
    let run = validate(bank, &["--lint"]);
    assert_eq!(run.code, 1, "a lint finding fails the run");
    run.lines()
        .into_iter()
        .filter(|l| l.starts_with("lint"))
        .map(str::to_owned)
        .collect()
}

#[test]
fn each_lint_rule_names_its_items() {
    let lines = failing_lint_lines("tests/fixtures/lint-bank");
    let f = "lint: tests/fixtures/lint-bank/items/items.json";
    // Hand-checked against the fixture: L-04's options are 3 and 42
    // characters long (ratio 14); L-05's key is 60 characters against
    // distractors of 20, 16 and 15 (mean 17: ratio 3.5; 60/15 = 4); the
    // stems of L-07 and L-08 share 18 of their 20 distinct 3-word shingles
    // (0.90); they are marked enemies, so the whole-item overlap rule
    // (tested on its own fixture) leaves them alone. All 8 single-choice
    // keys are A; the key is strictly the longest option in L-03, L-05 and
    // L-06 (3 of 8 = 37.5%). Only T-INF-01 is measured by an operational
    // item. The cue audit judges no scope of fewer than 20 items.
    assert_eq!(
        lines,
        [
            format!("{f}:2:3: item `L-01`: `options[3].text`: banned phrase \"all of the above\""),
            format!(
                "{f}:36:3: item `L-02`: `stem`: negative \"not\" in the lead-in is not emphasised (write NOT or **not**)"
            ),
            format!("{f}:70:3: item `L-03`: `options`: 3 options; a single-choice item has 4"),
            format!(
                "{f}:99:3: item `L-04`: `options`: longest option is 14.0 times the shortest (limit 3.0)"
            ),
            format!(
                "{f}:133:3: item `L-05`: `key`: key is 3.5 times the mean distractor length (limit 1.5)"
            ),
            format!(
                "{f}:133:3: item `L-05`: `options`: longest option is 4.0 times the shortest (limit 3.0)"
            ),
            format!("{f}:167:3: item `L-06`: `options[1].rationale`: option `B` has no rationale"),
            format!(
                "{f}:200:3: item `L-07`: `stem`: stem is a near duplicate of item `L-08`'s (similarity 0.90)"
            ),
            format!(
                "{f}:235:3: item `L-08`: `stem`: stem is a near duplicate of item `L-07`'s (similarity 0.90)"
            ),
            "lint: key position A holds 8 of 8 single-choice keys (100.0%), outside 20–30%"
                .to_owned(),
            "lint: key position B holds 0 of 8 single-choice keys (0.0%), outside 20–30%"
                .to_owned(),
            "lint: key position C holds 0 of 8 single-choice keys (0.0%), outside 20–30%"
                .to_owned(),
            "lint: key position D holds 0 of 8 single-choice keys (0.0%), outside 20–30%"
                .to_owned(),
            "lint: the key is the longest option in 3 of 8 single-choice items (37.5%), above 35%"
                .to_owned(),
            "lint: task `T-INF-02` is not measured by any operational item".to_owned(),
            "lint: task `T-COM-01` is not measured by any operational item".to_owned(),
            "lint: task `T-COM-02` is not measured by any operational item".to_owned(),
            "lint: 17 finding(s)".to_owned(),
        ]
    );
}

#[test]
fn overlapping_items_and_set_cues_are_named() {
    let lines = failing_lint_lines("tests/fixtures/overlap-bank");
    let f = "lint: tests/fixtures/overlap-bank/items/items.json";
    // Hand-checked against the fixture: O-01 and O-02 hold the same stem,
    // option texts and rationales (in another order), so their stems are
    // identical and their TF-IDF vectors equal (cosine 1); no other pair
    // outside set S-1 shares a content word (cosine 0). O-04's key "Rotate
    // the signing secret nightly" has the content words {rotate, signing,
    // secret, nightly}; O-05's option C "Rotate the signing secret weekly"
    // holds three of them (75%). O-05's keys share no word with O-04.
    assert_eq!(
        lines,
        [
            format!(
                "{f}:10:5: item `O-01`: `stem`: stem is a near duplicate of item `O-02`'s (similarity 1.00)"
            ),
            format!(
                "{f}:44:5: item `O-02`: `stem`: stem is a near duplicate of item `O-01`'s (similarity 1.00)"
            ),
            format!(
                "{f}:10:5: item `O-01`: overlaps item `O-02` (TF-IDF cosine 1.00, limit 0.35): mark them enemies or rewrite one"
            ),
            format!(
                "{f}:147:5: item `O-05`: `options[2].text`: holds the key of item `O-04` of set `S-1` (75% of its content words)"
            ),
            "lint: 4 finding(s)".to_owned(),
        ]
    );
}

/// The cue audit's table, pinned by a golden file. Hand-checked entries:
/// the single-choice keys are the longest option in O-04 (1), the shortest
/// in O-03 (0 for longest), and tie with every option at 8 characters in
/// O-01 and O-02 (1/4 each): longest scores (1/4 + 1/4 + 0 + 1) / 4 =
/// 37.5%; only O-04's key repeats a stem word ("secret"), the options of
/// O-01 and O-02 all repeat "port", O-03's none: stem repetition scores
/// (1/4 + 1/4 + 1/4 + 1) / 4 = 43.8%. O-05 (select 2 of 5, chance 1/10):
/// eliminating the longest (C) and shortest (D) leaves A, B and E, so the
/// key {A, B} is one of three pairs: 33.3%.
#[test]
fn the_cue_audit_table() {
    let run = validate("tests/fixtures/overlap-bank", &["--lint"]);
    let start = run.stdout.find("Test-wise cue audit").unwrap();
    let end = run.stdout.find("lint: ").unwrap();
    check(
        "tests/golden/cue-audit-overlap-bank.txt",
        &run.stdout[start..end],
    );
}

#[test]
fn the_mini_bank_passes_every_rule_but_supply() {
    // The mini bank is written to the rules (balanced keys A/B/C/D twice
    // each, rationales everywhere, the retired COM-005 with "All of the
    // above" is skipped), but it holds at most twice the per-form demand.
    let run = validate("tests/fixtures/mini-bank", &["--lint", "--format", "json"]);
    assert_eq!(run.code, 1);
    let json = run.json();
    assert_eq!(json["ok"], false);
    let findings = json["lint"].as_array().unwrap();
    let rules: Vec<&str> = findings
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["low_supply"; 5]);
    let first = &findings[0];
    assert_eq!(first["domain"], "infrastructure");
    assert_eq!(first["level"], "foundational");
    assert_eq!(first["demand"], 1);
    assert_eq!(first["supply"], 1);
    assert_eq!(first["ratio"], 1.0);
}

/// Issue 3: the shipped bank passes validation and the lint, every JTA
/// task is measured by an operational item, and every blueprint cell holds
/// four times its per-form demand.
#[test]
fn the_shipped_bank_passes_validation_and_lint() {
    let run = exam(&["validate", "--lint", "--format", "json"]);
    let json = run.json();
    assert_eq!(
        json["problems"].as_array().map(Vec::len),
        Some(0),
        "{:#}",
        json["problems"]
    );
    assert_eq!(
        json["lint"].as_array().map(Vec::len),
        Some(0),
        "{:#}",
        json["lint"]
    );
    assert_eq!(run.code, 0);
    let summary = &json["summary"];
    assert_eq!(summary["tasks_measured"], summary["tasks"]);
    for cell in summary["supply"][0]["cells"].as_array().unwrap() {
        if cell["demand"].as_u64().unwrap() > 0 {
            assert!(cell["ratio"].as_f64().unwrap() >= 4.0, "{cell}");
        }
    }
    let total = |status: &str| -> u64 {
        summary["by_cell"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c[status].as_u64().unwrap())
            .sum()
    };
    let (operational, pretest) = (total("operational"), total("pretest"));
    assert!(operational >= 320, "{operational} operational items");
    assert!(pretest >= 48, "{pretest} pretest items");

    // Issue 16: the cue audit is in the JSON document, and no test-wise
    // strategy beats chance by more than 5 points on the bank and in each
    // kind, or by more than 10 in a domain.
    let cues = &json["cue_audit"];
    let within = |scope: &serde_json::Value, max: f64| {
        let strategies = scope["strategies"].as_array().unwrap();
        assert_eq!(strategies.len(), 6, "{scope}");
        for s in strategies {
            assert!(s["advantage"].as_f64().unwrap() <= max, "{scope}");
        }
    };
    within(&cues["bank"], 0.05);
    assert!(cues["bank"]["items"].as_u64().unwrap() >= 300);
    let kinds = cues["kinds"].as_array().unwrap();
    assert_eq!(kinds.len(), 2);
    kinds.iter().for_each(|k| within(k, 0.05));
    let domains = cues["domains"].as_array().unwrap();
    assert_eq!(
        domains.len(),
        summary["by_cell"].as_array().unwrap().len() / 3
    );
    domains.iter().for_each(|d| within(d, 0.10));
}
