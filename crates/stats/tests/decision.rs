//! Decision consistency and accuracy at a cut, and the CSEM at the cut, on
//! three reference data sets. The expected values were computed for this
//! test by an independent implementation of the stated formulas with scipy
//! 1.17 (`stats.binom.sf` for the binomial tails; for Livingston-Lewis and
//! Hanson-Brennan the true-score moments from the factorial moments of the
//! observed scores, the four-parameter beta by Pearson's moment equations
//! with the fall-backs in the order of `exam_stats::decision::TrueScoreBeta`,
//! `stats.beta(a, b, loc, scale).pdf` and `integrate.quad` at 1e-12 for the
//! integrals), reading the same CSV files; the script is `tests/scripts/beta_binomial_reference.py` beside this file.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test fails loudly on bad fixtures

use crate::common::reference_matrix;
use crate::tolerance::{CLOSED_FORM, INTEGRAL};
use exam_stats::ctt::FormStatistics;
use exam_stats::decision::{BetaFit, Classification, CutScoreStatistics};
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

/// The expected statistics at a cut on a dichotomous form.
struct Expected {
    passing: f64,
    csem_lord: f64,
    csem_keats: f64,
    subkoviak_consistency: f64,
    subkoviak_kappa: f64,
}

/// Expected beta-binomial classification indices.
struct ExpectedClassification {
    test_length: u64,
    fit: BetaFit,
    /// `alpha, beta, lower, upper`.
    beta: [f64; 4],
    accuracy: f64,
    false_positive: f64,
    false_negative: f64,
    consistency: f64,
    kappa: f64,
}

fn check_classification(what: &str, got: &Classification, want: &ExpectedClassification) {
    assert_eq!(got.test_length, want.test_length, "{what}");
    assert_eq!(got.true_score_beta.fit, want.fit, "{what}");
    let b = got.true_score_beta;
    for (g, w) in [b.alpha, b.beta, b.lower, b.upper].iter().zip(want.beta) {
        near(what, *g, w, CLOSED_FORM);
    }
    near(what, got.accuracy, want.accuracy, INTEGRAL);
    near(what, got.false_positive, want.false_positive, INTEGRAL);
    near(what, got.false_negative, want.false_negative, INTEGRAL);
    near(
        what,
        got.consistency.consistency,
        want.consistency,
        INTEGRAL,
    );
    near(what, got.consistency.kappa.unwrap(), want.kappa, INTEGRAL);
    near(
        "sums to one",
        got.accuracy + got.false_positive + got.false_negative,
        1.0,
        CLOSED_FORM,
    );
}

fn check(c: &CutScoreStatistics, want: &Expected) {
    near(
        "passing",
        c.proportion_passing.unwrap(),
        want.passing,
        CLOSED_FORM,
    );
    near("lord", c.csem_lord.unwrap(), want.csem_lord, CLOSED_FORM);
    near("keats", c.csem_keats.unwrap(), want.csem_keats, CLOSED_FORM);
    let s = c.subkoviak.unwrap();
    near(
        "subkoviak p0",
        s.consistency,
        want.subkoviak_consistency,
        CLOSED_FORM,
    );
    near(
        "subkoviak kappa",
        s.kappa.unwrap(),
        want.subkoviak_kappa,
        CLOSED_FORM,
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
        },
    );
    check_classification(
        "sat12 livingston-lewis",
        &c.livingston_lewis.unwrap(),
        &ExpectedClassification {
            test_length: 45,
            fit: BetaFit::UpperAtOne,
            beta: [
                1.772733997701454,
                2.913874267890845,
                0.3064712013744715,
                1.0,
            ],
            accuracy: 0.8816814420506447,
            false_positive: 0.06015234053659048,
            false_negative: 0.0581662174127649,
            consistency: 0.8346000014772246,
            kappa: 0.6320702065858664,
        },
    );
    check_classification(
        "sat12 hanson-brennan",
        &c.hanson_brennan.unwrap(),
        &ExpectedClassification {
            test_length: 32,
            fit: BetaFit::UpperAtOne,
            beta: [
                1.5762643445849114,
                2.970059645026589,
                0.33995755401921657,
                1.0,
            ],
            accuracy: 0.8451727013619802,
            false_positive: 0.10898434211367157,
            false_negative: 0.04584295652434823,
            consistency: 0.7873379286488744,
            kappa: 0.5523894857357116,
        },
    );
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
        },
    );
    check_classification(
        "lsat6 livingston-lewis",
        &c.livingston_lewis.unwrap(),
        &ExpectedClassification {
            test_length: 6,
            fit: BetaFit::UpperAtOne,
            beta: [
                1.673544432240181,
                1.472782221028589,
                0.49540241259630324,
                1.0,
            ],
            accuracy: 0.7070984906840626,
            false_positive: 0.22756261516678705,
            false_negative: 0.06533889414915024,
            consistency: 0.6476961287909812,
            kappa: 0.27803323604335034,
        },
    );
    check_classification(
        "lsat6 hanson-brennan",
        &c.hanson_brennan.unwrap(),
        &ExpectedClassification {
            test_length: 5,
            fit: BetaFit::UpperAtOne,
            beta: [
                12.797061698825573,
                4.611794709026744,
                0.10837924431322055,
                1.0,
            ],
            accuracy: 0.5959606383372146,
            false_positive: 0.3421214827072948,
            false_negative: 0.06191787895549058,
            consistency: 0.6149100293360845,
            kappa: 0.1419147673543548,
        },
    );
}

/// raschdat1 (100 persons, 30 items) admits a four-parameter beta within [0, 1].
#[test]
fn raschdat1_cut_15_four_parameter_beta() {
    let c = form("raschdat1", 15.0).cut.unwrap();
    check_classification(
        "raschdat1 livingston-lewis",
        &c.livingston_lewis.unwrap(),
        &ExpectedClassification {
            test_length: 34,
            fit: BetaFit::FourParameter,
            beta: [
                2.619901675833969,
                2.75912010112545,
                0.015672747209942328,
                0.9395727220006145,
            ],
            accuracy: 0.8751804496478406,
            false_positive: 0.07731953899816778,
            false_negative: 0.047500011353991616,
            consistency: 0.8282691783982775,
            kappa: 0.6544830845547611,
        },
    );
    check_classification(
        "raschdat1 hanson-brennan",
        &c.hanson_brennan.unwrap(),
        &ExpectedClassification {
            test_length: 30,
            fit: BetaFit::FourParameter,
            beta: [
                2.550006553441554,
                2.6742825325150528,
                0.026091549316553664,
                0.9266647203662197,
            ],
            accuracy: 0.866443055708873,
            false_positive: 0.08365657311684614,
            false_negative: 0.04990037117428076,
            consistency: 0.8169244187924023,
            kappa: 0.6320398237856799,
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
    assert!(c.subkoviak.is_none() && c.csem_lord.is_none() && c.hanson_brennan.is_none());
    let json = serde_json::to_string(&c).unwrap();
    assert!(json.contains("not_dichotomous"), "{json}");
}
