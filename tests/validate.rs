//! `exam validate` on broken banks (exit 1, every problem, each naming the
//! file, position, item and field), on the mini bank (exit 0 and the
//! summary), and on a bank document file.

use crate::util::{check, validate};

/// Runs `exam validate` on a broken fixture and asserts that it fails
/// (exit 1) with exactly the `expected` problem lines, paths relative to the
/// fixture, and a last line that counts them.
fn assert_broken(name: &str, expected: &[&str]) {
    let dir = format!("tests/fixtures/broken/{name}");
    let run = validate(&dir, &[]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let mut lines = run.lines();
    let summary = lines.pop().unwrap_or_default();
    let errors = lines.iter().filter(|l| l.starts_with("error: ")).count();
    let warnings = lines.iter().filter(|l| l.starts_with("warning: ")).count();
    assert_eq!(summary, format!("{errors} error(s), {warnings} warning(s)"));
    let prefix = format!("{dir}/");
    let lines: Vec<String> = lines.iter().map(|l| l.replacen(&prefix, "", 1)).collect();
    assert_eq!(lines, expected);
}

#[test]
fn malformed_json_gives_line_and_column_and_hides_no_other_file() {
    assert_broken(
        "malformed-json",
        &[
            "error: items/a.json:4:33: malformed JSON: expected `,` or `}`",
            "error: items/b.json:2:3: item `B-1`: `domain`: unknown domain `networking`",
        ],
    );
}

#[test]
fn each_invalid_field_is_reported_on_its_own_item() {
    assert_broken(
        "invalid-fields",
        &[
            "error: items/items.json:6:5: `sets[0].stimulus`: missing field `stimulus`",
            "error: items/items.json:9:5: item `F-1`: `level`: unknown variant `expert`, expected one of `foundational`, `intermediate`, `advanced`",
            "error: items/items.json:43:5: item `F-2`: `phase`: unknown variant `deploy`, expected one of `discovery`, `design`, `implementation`, `validation`, `closeout`",
            "error: items/items.json:77:5: item `F-3`: `stem`: missing field `stem`",
            "error: items/items.json:110:5: item `F-4`: `version`: invalid type: string \"one\", expected u32",
            "error: items/items.json:144:5: item `F-5`: `rationalle`: unknown field `rationalle`",
            "error: items/items.json:179:5: item `F-6`: `kind`: unknown variant `essay`, expected one of `single_choice`, `multiple_response`, `ordering`, `matching`",
            "error: items/items.json:213:5: item `F-7`: `status`: unknown variant `live`, expected one of `draft`, `pretest`, `operational`, `retired`",
        ],
    );
}

#[test]
fn duplicate_item_and_set_ids_across_files() {
    assert_broken(
        "duplicate-ids",
        &[
            "error: items/b.json:3:5: `id`: duplicate set id `S-1`",
            "error: items/b.json:10:5: item `D-1`: `id`: duplicate item id",
        ],
    );
}

#[test]
fn unknown_domains_tasks_enemies_and_sets() {
    assert_broken(
        "unknown-references",
        &[
            "warning: items/items.json:3:5: set `S-MIXED` has items in several domains: `communication`, `infrastructure`",
            "error: items/items.json:8:5: set `S-EMPTY` has no items",
            "error: items/items.json:15:5: item `R-1`: `domain`: unknown domain `networking`",
            "error: items/items.json:49:5: item `R-2`: `task`: unknown task `T-NOPE`",
            "error: items/items.json:83:5: item `R-3`: `enemies[0]`: enemy `R-404` is not in the bank",
            "error: items/items.json:120:5: item `R-4`: `enemies`: the item names itself as an enemy",
            "error: items/items.json:157:5: item `R-5`: `set`: set `S-NONE` is not defined",
            "warning: items/items.json:192:5: item `R-6`: `task`: task `T-COM-01` belongs to domain `communication`, not `infrastructure`",
        ],
    );
}

#[test]
fn keys_that_do_not_fit_their_items() {
    assert_broken(
        "bad-keys",
        &[
            "error: items/items.json:2:3: item `K-1`: `key`: key names option `E`, which the item does not have",
            "error: items/items.json:36:3: item `K-2`: `key`: a single-choice item has exactly one key, found 2",
            "error: items/items.json:73:3: item `K-3`: `select`: `select` is 3 but the key has 2 option(s)",
            "error: items/items.json:111:3: item `K-4`: `key`: a multiple-response item needs at least one key",
            "error: items/items.json:145:3: item `K-5`: `key`: option `A` appears twice in the key",
            "error: items/items.json:182:3: item `K-6`: `key[3]`: key names option `X`, which the item does not have",
            "error: items/items.json:182:3: item `K-6`: `key`: the key is not an ordering of all options (missing: [`D`])",
            "error: items/items.json:221:3: item `K-7`: `key[2].prompt`: key pair names prompt `P9`, which the item does not have",
            "error: items/items.json:221:3: item `K-7`: `key[3].option`: key names option `Z`, which the item does not have",
            "error: items/items.json:221:3: item `K-7`: `key`: prompt `P1` has 2 key pairs; it needs exactly one",
            "error: items/items.json:221:3: item `K-7`: `key`: prompt `P2` has no key pair",
        ],
    );
}

#[test]
fn empty_and_duplicate_options_and_empty_stems() {
    assert_broken(
        "bad-options",
        &[
            "error: items/items.json:2:3: item `O-1`: `options[1].id`: duplicate option id `A`",
            "error: items/items.json:36:3: item `O-2`: `options[1].text`: options `A` and `B` have the same text",
            "error: items/items.json:70:3: item `O-3`: `stem`: empty stem",
            "error: items/items.json:104:3: item `O-4`: `options`: no options",
            "error: items/items.json:104:3: item `O-4`: `key`: key names option `A`, which the item does not have",
            "error: items/items.json:117:3: item `O-5`: `options[1].text`: option `B` has an empty text",
        ],
    );
}

#[test]
fn jta_with_duplicate_ids_and_a_task_in_an_unknown_domain() {
    assert_broken(
        "bad-jta",
        &[
            "error: jta/jta.json: `domains[2].id`: duplicate domain id `communication`",
            "error: jta/jta.json: `tasks[4].id`: duplicate task id `T-INF-01`",
            "error: jta/jta.json: `tasks[5].domain`: unknown domain `networking`",
        ],
    );
}

#[test]
fn blueprint_weights_domains_and_counts() {
    assert_broken(
        "bad-blueprint",
        &[
            "error: blueprints/bp.json: `jta`: blueprint is for JTA `other-jta`, the bank's JTA is `mini-jta`",
            "error: blueprints/bp.json: `domains[1].domain`: unknown domain `networking`",
            "warning: blueprints/bp.json: `domains`: JTA domain `communication` is not in the blueprint",
            "error: blueprints/bp.json: `domains`: domain weights sum to 0.95, not 1",
            "error: blueprints/bp.json: `domains[1].levels`: level counts of domain `networking` sum to 1, but its weight apportions 2 of the scored items",
            "error: blueprints/bp.json: `scored_items`: level counts sum to 7, but the form has 8 scored items",
        ],
    );
}

#[test]
fn a_blueprint_the_bank_cannot_fill() {
    // The mini blueprint needs 1/1/4 infrastructure and 1/1/0 communication
    // items and one pretest item; this bank has two advanced
    // infrastructure items and one foundational, nothing else.
    assert_broken(
        "short-supply",
        &[
            "error: blueprints/bp.json: domain `infrastructure` × intermediate: a form needs 1 operational item(s), the bank has 0",
            "error: blueprints/bp.json: domain `infrastructure` × advanced: a form needs 4 operational item(s), the bank has 2",
            "error: blueprints/bp.json: domain `communication` × foundational: a form needs 1 operational item(s), the bank has 0",
            "error: blueprints/bp.json: domain `communication` × intermediate: a form needs 1 operational item(s), the bank has 0",
            "error: blueprints/bp.json: a form has 1 pretest slot(s), the bank has 0 pretest item(s)",
        ],
    );
}

#[test]
fn a_bank_needs_exactly_one_jta() {
    assert_broken("no-jta", &["error: jta: no JTA file (jta/*.json)"]);
    assert_broken(
        "two-jtas",
        &["error: jta: 2 JTA files; a bank is written for exactly one JTA"],
    );
}

#[test]
fn a_missing_bank_is_an_error_not_a_panic() {
    let run = validate("tests/fixtures/no-such-bank", &[]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.starts_with("error: no item bank at ")
            && run
                .stderr
                .contains("tests/fixtures/no-such-bank: give --bank DIR"),
        "{}",
        run.stderr
    );
}

#[test]
fn json_output_lists_the_problems_with_codes_and_locations() {
    let run = validate("tests/fixtures/broken/duplicate-ids", &["--format", "json"]);
    assert_eq!(run.code, 1);
    let json = run.json();
    assert_eq!(json["ok"], false);
    assert_eq!(json["errors"], 2);
    let problem = &json["problems"][1];
    assert_eq!(problem["severity"], "error");
    assert_eq!(problem["code"], "duplicate_item");
    assert_eq!(problem["item"], "D-1");
    assert_eq!(problem["field"], "id");
    assert_eq!(problem["line"], 10);
    assert_eq!(problem["column"], 5);
    assert_eq!(
        problem["file"],
        "tests/fixtures/broken/duplicate-ids/items/b.json"
    );
    assert!(json.get("summary").is_none());
}

#[test]
fn the_mini_bank_is_valid_and_summarised() {
    let run = validate("tests/fixtures/mini-bank", &[]).success();
    check("tests/fixtures/mini-bank.validate.txt", &run.stdout);

    // Counted by hand from the fixture: infrastructure has 1 foundational,
    // 2 intermediate and 4 advanced operational items and 1 advanced
    // pretest item; communication has 2 foundational operational items
    // and 1 retired, 1 intermediate operational item and 1 draft.
    let json = validate("tests/fixtures/mini-bank", &["--format", "json"]).json();
    assert_eq!(json["ok"], true);
    let summary = &json["summary"];
    assert_eq!(summary["items"], 13);
    assert_eq!(summary["tasks_measured"], 4);
    assert_eq!(summary["kinds"]["single_choice"], 10);
    assert_eq!(summary["kinds"]["multiple_response"], 1);
    assert_eq!(summary["kinds"]["ordering"], 1);
    assert_eq!(summary["kinds"]["matching"], 1);
    // Keys of the 8 operational/pretest single-choice items: two at each
    // position; only COM-001's key is strictly the longest option.
    assert_eq!(summary["keys"]["items"], 8);
    assert_eq!(
        summary["keys"]["positions"],
        serde_json::json!([2, 2, 2, 2])
    );
    assert_eq!(summary["keys"]["key_longest"], 1);
    assert_eq!(summary["sets"][0]["id"], "S-PENDING");
    assert_eq!(summary["sets"][0]["items"], 2);
    let cells = summary["by_cell"].as_array().unwrap();
    let cell = |domain: &str, level: &str| {
        cells
            .iter()
            .find(|c| c["domain"] == domain && c["level"] == level)
            .unwrap()
    };
    assert_eq!(cell("infrastructure", "advanced")["operational"], 4);
    assert_eq!(cell("infrastructure", "advanced")["pretest"], 1);
    assert_eq!(cell("communication", "foundational")["operational"], 2);
    assert_eq!(cell("communication", "foundational")["retired"], 1);
    assert_eq!(cell("communication", "intermediate")["draft"], 1);
    let supply = &summary["supply"][0];
    assert_eq!(supply["blueprint"], "mini");
    // infrastructure × intermediate: 2 operational for 1 per form.
    let row = &supply["cells"][1];
    assert_eq!(row["domain"], "infrastructure");
    assert_eq!(row["level"], "intermediate");
    assert_eq!(row["demand"], 1);
    assert_eq!(row["supply"], 2);
    assert_eq!(row["ratio"], 2.0);
    assert_eq!(row["disjoint_forms"], 2);
    // communication × advanced: no demand, so no ratio.
    assert_eq!(supply["cells"][5]["ratio"], serde_json::Value::Null);
    assert_eq!(supply["disjoint_forms"], 1);
    assert_eq!(supply["pretest"]["slots"], 1);
    assert_eq!(supply["pretest"]["supply"], 1);
}

#[test]
fn a_bank_document_file_validates_like_the_directory() {
    let dir = validate("tests/fixtures/mini-bank", &["--format", "json"]).json();
    let file = validate("tests/fixtures/mini-bank.json", &["--format", "json"]).json();
    assert_eq!(file["ok"], true);
    assert_eq!(file["summary"], dir["summary"]);
}

#[test]
fn a_separate_blueprint_is_checked_against_the_bank() {
    let run = validate(
        "tests/fixtures/mini-bank",
        &[
            "--blueprint",
            "tests/fixtures/broken/bad-blueprint/blueprints/bp.json",
        ],
    );
    assert_eq!(run.code, 1);
    assert_eq!(
        run.lines().first().copied(),
        Some(
            "error: tests/fixtures/broken/bad-blueprint/blueprints/bp.json: `jta`: blueprint is for JTA `other-jta`, the bank's JTA is `mini-jta`"
        )
    );
    validate(
        "tests/fixtures/broken/short-supply/../../mini-bank",
        &[
            "--blueprint",
            "tests/fixtures/broken/short-supply/blueprints/bp.json",
        ],
    )
    .success();
}
