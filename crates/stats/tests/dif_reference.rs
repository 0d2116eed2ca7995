//! Mantel-Haenszel DIF against the `mantel_haenszel` sections of
//! `tests/data/reference/{asvab,verbal_aggression}.json` (own formulas of
//! the reference, cross-checked there against statsmodels StratifiedTable;
//! stratum rule: one stratum per total score, studied item included, strata
//! with an empty group or N < 2 dropped, no purification).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test fails loudly on bad fixtures

use crate::common::reference_matrix;
use crate::reference_data::{reference, reference_text};
use crate::tolerance::{CLOSED_FORM, ITERATIVE, ROUNDING};
use exam_core::responses::{CsvOptions, ResponseMatrix};
use exam_stats::dif::{DifAnalysis, DifOptions, GroupMembership, dif};
use serde_json::Value;

fn column(file: &str, name: &str) -> Vec<Option<String>> {
    let text = reference_text(file);
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let at = header.iter().position(|h| *h == name).unwrap();
    lines
        .map(|l| Some(l.split(',').nth(at).unwrap().to_owned()))
        .collect()
}

/// The `focal` and `reference` groups of the column `variable` of `groups`.
fn membership(groups: &str, variable: &str, focal: &str, reference: &str) -> GroupMembership {
    GroupMembership::from_labels(&column(groups, variable), focal, Some(reference)).unwrap()
}

fn run(data: &str, groups: &str, variable: &str, reference: &str, focal: &str) -> DifAnalysis {
    dif(
        &reference_matrix(data),
        &membership(groups, variable, focal, reference),
        &DifOptions::default(),
    )
    .unwrap()
}

fn rel(what: &str, got: Option<f64>, want: &Value) {
    let want = want.as_f64().unwrap();
    let got = got.unwrap_or_else(|| panic!("{what}: undefined"));
    let diff = (got - want).abs() / want.abs().max(1e-300);
    assert!(
        diff <= CLOSED_FORM,
        "{what}: got {got}, want {want} (rel {diff:e})"
    );
}

fn check(name: &str, groups: &str, comparison: &str, variable: &str) {
    let expected = reference(name);
    let want = &expected["mantel_haenszel"]["comparisons"][comparison];
    let reference = want["reference"].as_str().unwrap();
    let focal = want["focal"].as_str().unwrap();
    let got = run(&format!("{name}.csv"), groups, variable, reference, focal);
    assert_eq!(got.n_reference, want["n_reference"].as_u64().unwrap());
    assert_eq!(got.n_focal, want["n_focal"].as_u64().unwrap());
    assert_eq!(got.n_excluded, 0);
    for (item, w) in got.items.iter().zip(want["items"].as_array().unwrap()) {
        let id = format!("{name} {comparison} {}", item.id);
        rel(&format!("{id} alpha_mh"), item.alpha_mh, &w["alpha_mh"]);
        rel(
            &format!("{id} se"),
            item.log_alpha_mh_se,
            &w["log_alpha_mh_se_rbg"],
        );
        rel(&format!("{id} D"), item.mh_d_dif, &w["mh_d_dif"]);
        rel(&format!("{id} D se"), item.mh_d_dif_se, &w["mh_d_dif_se"]);
        rel(&format!("{id} chi2"), item.mh_chi2, &w["mh_chi2_cc"]);
        rel(&format!("{id} p"), item.mh_p_value, &w["p_value"]);
        assert_eq!(
            serde_json::to_value(item.ets_class).unwrap(),
            w["ets_class"],
            "{id} class"
        );
        assert_eq!(
            serde_json::to_value(item.ets_class_magnitude_only).unwrap(),
            w["ets_class_magnitude_only"],
            "{id} magnitude class"
        );
        assert_eq!(
            item.n_strata as u64,
            w["n_strata_used"].as_u64().unwrap(),
            "{id} strata"
        );
    }
}

#[test]
fn asvab_by_sex() {
    check("asvab", "asvab_groups.csv", "sex:Male_vs_Female", "sex");
}

#[test]
fn asvab_by_race() {
    check("asvab", "asvab_groups.csv", "race:White_vs_Black", "race");
}

#[test]
fn verbal_aggression_by_gender() {
    check(
        "verbal_aggression",
        "verbal_aggression_groups.csv",
        "gender:male_vs_female",
        "gender",
    );
}

/// STD P-DIF, logistic-regression DIF and purification on verbal_aggression
/// by gender, against an independent implementation written for this test
/// in Python: statsmodels `Logit` (Newton, tol 1e-12) on the 316 persons
/// for the three nested models (score centred), Nagelkerke's R^2 from the
/// log-likelihoods, STD P-DIF and purified Mantel-Haenszel with numpy.
#[test]
fn verbal_aggression_std_p_dif_logistic_and_purification() {
    let got = run(
        "verbal_aggression.csv",
        "verbal_aggression_groups.csv",
        "gender",
        "male",
        "female",
    );
    // item: uniform, non-uniform, both, delta R^2, STD P-DIF
    let want = [
        (
            0,
            1.9998033842657605,
            0.0015505527416053155,
            2.001353937007366,
            0.0067319045241873154,
            0.09816446402349487,
        ),
        (
            3,
            4.096831632324665,
            0.6335435763451187,
            4.730375208669784,
            0.01216010606881024,
            -0.09668554646528216,
        ),
        (
            6,
            4.2638648520224365,
            0.46576808008398984,
            4.729632932106426,
            0.01767886784425865,
            0.07819383259911895,
        ),
        (
            10,
            11.303109630400343,
            0.10798438045043213,
            11.411094010850775,
            0.03427299998847061,
            0.244954898258863,
        ),
    ];
    for (i, uniform, nonuniform, both, delta, std_p) in want {
        let item = &got.items[i];
        let l = item.logistic.unwrap();
        let close = |what: &str, a: f64, b: f64| {
            assert!((a - b).abs() < ITERATIVE, "item {i} {what}: {a} vs {b}")
        };
        close("uniform", l.uniform_chi2, uniform);
        close("nonuniform", l.nonuniform_chi2, nonuniform);
        close("both", l.total_chi2, both);
        close("delta R2", l.delta_r2_nagelkerke, delta);
        assert!(
            (item.std_p_dif.unwrap() - std_p).abs() < ROUNDING,
            "item {i} std p-dif"
        );
    }

    let m = reference_matrix("verbal_aggression.csv");
    let groups = membership("verbal_aggression_groups.csv", "gender", "female", "male");
    let purified = dif(&m, &groups, &DifOptions { purify: true }).unwrap();
    assert_eq!(purified.rounds, 7);
    let removed: Vec<usize> = purified
        .removed_from_matching
        .iter()
        .map(|id| m.item_index(id).unwrap())
        .collect();
    assert_eq!(removed, [3, 7, 9, 10, 13, 14, 15, 19, 21]);
    for (i, alpha) in [
        (0, 0.9046273346717429),
        (3, 2.6094732006523746),
        (6, 0.6250698178131879),
    ] {
        let got = purified.items[i].alpha_mh.unwrap();
        assert!(
            (got - alpha).abs() / alpha < CLOSED_FORM,
            "item {i}: {got} vs {alpha}"
        );
    }
}

#[test]
fn bad_group_setups_are_errors() {
    let labels = vec![Some("a".to_owned()), Some("b".to_owned()), None];
    assert!(GroupMembership::from_labels(&labels, "c", None).is_err());
    assert!(GroupMembership::from_labels(&labels, "a", Some("z")).is_err());
    let ok = GroupMembership::from_labels(&labels, "a", None).unwrap();
    assert_eq!(ok.groups()[2], None);
    let m = ResponseMatrix::from_csv("A\n1\n0\n".as_bytes(), "t", CsvOptions { id_column: false })
        .unwrap();
    assert!(matches!(
        dif(&m, &ok, &DifOptions::default()),
        Err(exam_stats::dif::DifError::Length {
            expected: 2,
            found: 3
        })
    ));
}
