//! Classical statistics against the reference values in
//! `tests/data/reference/*.json` (`ctt` sections: numpy from the formulas,
//! agreeing with R psych `alpha()` to 1e-15; see SOURCE-README.md there).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test fails loudly on bad fixtures

use crate::common::reference_matrix;
use crate::reference_data::reference;
use crate::tolerance::CLOSED_FORM;
use exam_stats::{AnalysisOptions, ItemAnalysis, Summary, analyze};
use serde_json::Value;

fn load(name: &str) -> (ItemAnalysis, Value) {
    let expected = reference(name);
    let csv_name = expected["file"]
        .as_str()
        .unwrap()
        .trim_start_matches("data/");
    let matrix = reference_matrix(csv_name);
    assert_eq!(
        matrix.n_persons() as u64,
        expected["n_persons"].as_u64().unwrap()
    );
    let analysis = analyze(&Summary::of(&matrix), &AnalysisOptions::default()).unwrap();
    (analysis, expected["ctt"].clone())
}

fn close(what: &str, got: Option<f64>, want: &Value) -> f64 {
    let want = want
        .as_f64()
        .unwrap_or_else(|| panic!("{what}: no reference value"));
    let got = got.unwrap_or_else(|| panic!("{what}: undefined, expected {want}"));
    let diff = (got - want).abs();
    assert!(
        diff <= CLOSED_FORM,
        "{what}: got {got}, want {want} (diff {diff:e})"
    );
    diff
}

fn check(name: &str) {
    let (a, ctt) = load(name);
    assert_eq!(a.forms.len(), 1, "{name}: complete data is one form");
    let form = &a.forms[0];
    let mut worst = 0.0f64;
    for (i, item) in a.items.iter().enumerate() {
        let fi = &form.item_statistics[i];
        assert_eq!(fi.id, item.id);
        for (what, got, key) in [
            ("p", item.p_value, "p_values"),
            ("sd", item.sd, "item_sd_n_minus_1"),
            (
                "raw.r",
                item.point_biserial_uncorrected,
                "point_biserial_uncorrected",
            ),
            ("r.drop", item.point_biserial, "point_biserial_corrected"),
            ("alpha.drop", item.alpha_if_deleted, "alpha_if_deleted"),
            // Within the single form, the same numbers.
            ("form r.drop", fi.point_biserial, "point_biserial_corrected"),
            ("form alpha.drop", fi.alpha_if_deleted, "alpha_if_deleted"),
        ] {
            let what = format!("{name} {} {what}", item.id);
            worst = worst.max(close(&what, got, &ctt[key][i]));
        }
    }
    for (what, got, key) in [
        ("alpha", form.alpha, "alpha"),
        ("kr20", form.kr20, "kr20"),
        ("kr21", form.kr21, "kr21"),
        ("mean", form.mean, "total_mean"),
        ("sd", form.sd, "total_sd_n_minus_1"),
        ("sem", form.sem, "sem_classical"),
    ] {
        worst = worst.max(close(&format!("{name} {what}"), got, &ctt[key]));
    }
    assert_eq!(form.n_persons, a.n_persons);
    eprintln!("{name}: max abs difference {worst:e}");
}

#[test]
fn lsat6() {
    check("lsat6");
}

#[test]
fn sat12() {
    check("sat12");
}

#[test]
fn asvab() {
    check("asvab");
}

#[test]
fn raschdat1() {
    check("raschdat1");
}

#[test]
fn ability_complete_cases() {
    check("ability");
}

#[test]
fn verbal_aggression() {
    check("verbal_aggression");
}

/// Feldt's interval for sat12's alpha; the F quantiles (599 and 599 * 31
/// df) from `scipy.stats.f.ppf`: `1 - (1 - alpha) F(0.975)`, `1 - (1 - alpha) F(0.025)`.
#[test]
fn sat12_feldt_interval() {
    let (a, _) = load("sat12");
    let ci = a.forms[0].alpha_ci.unwrap();
    assert!(
        (ci.lower - 0.7739373525993445).abs() < CLOSED_FORM,
        "{ci:?}"
    );
    assert!(
        (ci.upper - 0.8204422560150952).abs() < CLOSED_FORM,
        "{ci:?}"
    );
}

/// ability.csv (1525 x 16, 1143 missing cells) under psych's pairwise
/// convention. Expected values computed for this test with pandas from
/// psych::alpha's definitions: `C = DataFrame.cov()` (pairwise complete,
/// n - 1), `alpha = k/(k-1) (1 - tr C / sum C)`, alpha.drop on `C` without
/// the item, `r.drop = (sum C[:, i] - C[i, i]) / sqrt(C[i, i] sum C_-i)`,
/// `raw.r = corr(x_i, rowMeans(x, skipna))`.
#[test]
fn ability_with_missing_cells_pairwise() {
    let matrix = reference_matrix("ability.csv");
    assert!(exam_stats::pairwise::every_pair_presented(&matrix));
    let a = analyze(
        &Summary::with_cross_products(&matrix),
        &AnalysisOptions::default(),
    )
    .unwrap();
    let p = a.pairwise.expect("pairwise statistics");
    close("alpha", p.alpha, &Value::from(0.8292414009694425));
    for (i, alpha_drop, r_drop, raw_r) in [
        (
            0,
            0.8163813155798292,
            0.4952458854496856,
            0.5804094546221209,
        ),
        (
            5,
            0.8197900284849972,
            0.43944057505036677,
            0.5366044693044206,
        ),
        (
            15,
            0.8218265209109024,
            0.4053852735423053,
            0.4873706853023843,
        ),
    ] {
        let item = &p.items[i];
        close(
            "alpha.drop",
            item.alpha_if_deleted,
            &Value::from(alpha_drop),
        );
        close("r.drop", item.point_biserial, &Value::from(r_drop));
        close(
            "raw.r",
            item.point_biserial_uncorrected,
            &Value::from(raw_r),
        );
    }
    // Without cross products, or on one form, there is no pairwise section.
    let plain = analyze(&Summary::of(&matrix), &AnalysisOptions::default()).unwrap();
    assert!(plain.pairwise.is_none());
}

/// Biserial correlations of sat12 items 1, 12 and 32 from the reference
/// p-values and corrected point-biserials, with scipy's normal density and
/// quantile: `r_pb sqrt(p q) / norm.pdf(norm.ppf(p))`.
#[test]
fn sat12_biserial() {
    let (a, _) = load("sat12");
    for (i, want) in [
        (0, 0.39906176277461414),
        (11, 0.09609400287121399),
        (31, 0.055703740587746596),
    ] {
        close(
            &format!("biserial {i}"),
            a.items[i].biserial,
            &Value::from(want),
        );
    }
}
