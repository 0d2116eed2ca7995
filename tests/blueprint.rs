//! `exam blueprint`: the derivation table, and the check that the stored
//! blueprint is the derivation.

use crate::tolerance::ROUNDING;
use crate::util::exam;

#[test]
fn the_shipped_blueprint_is_its_derivation() {
    let run = exam(&["blueprint"]).success();
    assert!(
        run.stdout
            .ends_with("item-bank/blueprints/die-2026.json equals the derivation.\n"),
        "{}",
        run.stdout
    );
    // Eight domains: 5 rated advanced (factor 3), 3 intermediate (factor 2);
    // weights 3/21 and 2/21; quotas 60·3/21 = 8.571 and 60·2/21 = 5.714.
    let json = exam(&["blueprint", "--format", "json"]).json();
    let rows = json["derivation"].as_array().unwrap();
    assert_eq!(rows.len(), 8);
    assert_eq!(json["matches"], true);
    let infra = &rows[0];
    assert_eq!(infra["domain"], "infrastructure");
    assert!((infra["weight"].as_f64().unwrap() - 3.0 / 21.0).abs() < ROUNDING);
    assert!((infra["quota"].as_f64().unwrap() - 60.0 * 3.0 / 21.0).abs() < ROUNDING);
    let total: u64 = rows
        .iter()
        .map(|r| {
            let l = &r["levels"];
            l["foundational"].as_u64().unwrap()
                + l["intermediate"].as_u64().unwrap()
                + l["advanced"].as_u64().unwrap()
        })
        .sum();
    assert_eq!(total, 60);
}

#[test]
fn the_mini_blueprint_is_its_derivation() {
    // Weights 3:1 -> 6 and 2 items; advanced mix 15/25/60 of 6 gives quotas
    // 0.9/1.5/3.6 -> floors 0/1/3 and the two spare items to the largest
    // remainders (.9, .6): 1/1/4; foundational mix 60/30/10 of 2 gives
    // 1.2/0.6/0.2 -> 1/1/0.
    let run = exam(&[
        "blueprint",
        "--jta",
        "tests/fixtures/mini-bank/jta/jta.json",
        "--blueprint",
        "tests/fixtures/mini-bank/blueprints/mini.json",
    ])
    .success();
    let has_row = |cells: [&str; 10]| {
        run.lines()
            .iter()
            .any(|l| l.split_whitespace().eq(cells.iter().copied()))
    };
    assert!(has_row([
        "infrastructure",
        "advanced",
        "3",
        "1.000",
        "0.7500",
        "6.000",
        "1",
        "1",
        "4",
        "6"
    ]));
    assert!(has_row([
        "communication",
        "foundational",
        "1",
        "1.000",
        "0.2500",
        "2.000",
        "1",
        "1",
        "0",
        "2"
    ]));
}

#[test]
fn a_blueprint_that_is_not_its_derivation_fails_with_the_differences() {
    let run = exam(&[
        "blueprint",
        "--jta",
        "tests/fixtures/mini-bank/jta/jta.json",
        "--blueprint",
        "tests/fixtures/broken/bad-blueprint/blueprints/bp.json",
    ]);
    assert_eq!(run.code, 1);
    let bp = "tests/fixtures/broken/bad-blueprint/blueprints/bp.json";
    let tail: Vec<String> = run
        .lines()
        .iter()
        .filter(|l| l.starts_with("error") || l.starts_with("warning") || l.starts_with("mismatch"))
        .map(|l| (*l).to_owned())
        .collect();
    assert_eq!(
        tail,
        [
            format!(
                "error: {bp}: `jta`: blueprint is for JTA `other-jta`, the bank's JTA is `mini-jta`"
            ),
            format!("error: {bp}: `domains[1].domain`: unknown domain `networking`"),
            format!("warning: {bp}: `domains`: JTA domain `communication` is not in the blueprint"),
            format!("error: {bp}: `domains`: domain weights sum to 0.95, not 1"),
            format!(
                "error: {bp}: `domains[1].levels`: level counts of domain `networking` sum to 1, but its weight apportions 2 of the scored items"
            ),
            format!(
                "error: {bp}: `scored_items`: level counts sum to 7, but the form has 8 scored items"
            ),
            format!("mismatch: {bp}: blueprint is for JTA `other-jta`, derived from `mini-jta`"),
            format!(
                "mismatch: {bp}: domains [infrastructure, networking] differ from the derived [infrastructure, communication]"
            ),
        ]
    );
}

#[test]
fn a_missing_jta_file_is_reported() {
    exam(&["blueprint", "--jta", "tests/fixtures/nope.json"])
        .assert_fails_with("error: tests/fixtures/nope.json: cannot read: ");
}
