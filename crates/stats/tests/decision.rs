//! Decision consistency and accuracy at a cut, and the CSEM at the cut, on
//! two reference data sets. The expected values were computed for this test
//! by an independent implementation of the same stated formulas with scipy
//! (`stats.binom.sf` for the binomial tails, `stats.beta.pdf` and
//! `integrate.quad` at 1e-12 for the Livingston-Lewis integrals), reading the
//! same CSV files; the script is in the comments of each test.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test fails loudly on bad fixtures

use crate::common::reference_matrix;
use exam_stats::ctt::FormStatistics;
use exam_stats::decision::CutScoreStatistics;
use exam_stats::{AnalysisOptions, Summary, analyze};

fn form(name: &str, cut: f64) -> FormStatistics {
    let m = reference_matrix(&format!("{name}.csv"));
    let options = AnalysisOptions {
        cut: Some(cut),
        ..AnalysisOptions::default()
    };
    analyze(&Summary::of(&m), &options).unwrap().forms.remove(0)
}

fn near(what: &str, got: f64, want: f64, tol: f64) {
    assert!((got - want).abs() <= tol, "{what}: got {got}, want {want}");
}

/// Closed forms (binomial tails, Kelley's formula): 1e-9.
const CLOSED: f64 = 1e-9;
/// The Livingston-Lewis integrals: our midpoint rule vs. adaptive quadrature.
const INTEGRAL: f64 = 1e-6;

/// The expected statistics at a cut on a dichotomous form.
struct Expected {
    passing: f64,
    csem_lord: f64,
    csem_keats: f64,
    subkoviak_consistency: f64,
    subkoviak_kappa: f64,
    effective_test_length: u64,
    accuracy: f64,
    false_positive: f64,
    false_negative: f64,
    consistency: f64,
    kappa: f64,
}

fn check(c: &CutScoreStatistics, want: &Expected) {
    near(
        "passing",
        c.proportion_passing.unwrap(),
        want.passing,
        CLOSED,
    );
    near("lord", c.csem_lord.unwrap(), want.csem_lord, CLOSED);
    near("keats", c.csem_keats.unwrap(), want.csem_keats, CLOSED);
    let s = c.subkoviak.unwrap();
    near(
        "subkoviak p0",
        s.consistency,
        want.subkoviak_consistency,
        CLOSED,
    );
    near(
        "subkoviak kappa",
        s.kappa.unwrap(),
        want.subkoviak_kappa,
        CLOSED,
    );
    let ll = c.livingston_lewis.unwrap();
    assert_eq!(ll.effective_test_length, want.effective_test_length);
    near("accuracy", ll.accuracy, want.accuracy, INTEGRAL);
    near(
        "false positive",
        ll.false_positive,
        want.false_positive,
        INTEGRAL,
    );
    near(
        "false negative",
        ll.false_negative,
        want.false_negative,
        INTEGRAL,
    );
    near(
        "consistency",
        ll.consistency.consistency,
        want.consistency,
        INTEGRAL,
    );
    near("kappa", ll.consistency.kappa.unwrap(), want.kappa, INTEGRAL);
    near(
        "sums to one",
        ll.accuracy + ll.false_positive + ll.false_negative,
        1.0,
        1e-9,
    );
}

#[test]
fn sat12_cut_20() {
    // tau = alpha x/k + (1 - alpha) M/k; P = binom.sf(19, 32, tau);
    // p0 = mean(P^2 + (1-P)^2); kappa from mean(P).
    let c = form("sat12", 20.0).cut.unwrap();
    check(
        &c,
        &Expected {
            passing: 0.37333333333333335,
            csem_lord: 2.7824333745610095,
            csem_keats: 2.341128423758678,
            subkoviak_consistency: 0.7642079996931013,
            subkoviak_kappa: 0.5050815156600957,
            effective_test_length: 45,
            accuracy: 0.8633083354327875,
            false_positive: 0.06651470791790709,
            false_negative: 0.07017695664930683,
            consistency: 0.8107774016814294,
            kappa: 0.5889416146692006,
        },
    );
    let ll = c.livingston_lewis.unwrap();
    near("beta a", ll.true_score_beta[0], 6.441393135703766, CLOSED);
    near("beta b", ll.true_score_beta[1], 4.88309621559303, CLOSED);
}

#[test]
fn lsat6_cut_4() {
    let c = form("lsat6", 4.0).cut.unwrap();
    check(
        &c,
        &Expected {
            passing: 0.655,
            csem_lord: 1.0,
            csem_keats: 0.9366699426133714,
            subkoviak_consistency: 0.5831979205064048,
            subkoviak_kappa: 0.06923099642711668,
            effective_test_length: 6,
            accuracy: 0.6758173539895039,
            false_positive: 0.24266394566471838,
            false_negative: 0.08151870034577692,
            consistency: 0.6224807409625621,
            kappa: 0.22433532834142825,
        },
    );
}

#[test]
fn cut_outside_the_score_range_is_reported() {
    let f = form("lsat6", 7.0);
    let c = f.cut.unwrap();
    assert_eq!(c.proportion_passing, None);
    assert!(c.subkoviak.is_none() && c.livingston_lewis.is_none());
    let json = serde_json::to_string(&c).unwrap();
    assert!(json.contains("cut_out_of_range"), "{json}");
}

#[test]
fn partial_credit_has_livingston_lewis_but_not_the_binomial_methods() {
    let f = form("verbal_aggression_poly", 20.0);
    let c = f.cut.unwrap();
    assert!(c.livingston_lewis.is_some());
    assert!(c.subkoviak.is_none() && c.csem_lord.is_none());
    let json = serde_json::to_string(&c).unwrap();
    assert!(json.contains("not_dichotomous"), "{json}");
}
