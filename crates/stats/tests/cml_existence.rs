//! Fischer's (1981, *Psychometrika* 46, 59–77) condition for CML estimates:
//! they exist, finite, exactly when the items' directed graph (`i → j` when
//! somebody answered `i` right and `j` wrong) is strongly connected. The
//! graphs of these small data sets are worked out by hand in each comment.

#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

use exam_core::responses::{CsvOptions, ResponseMatrix};
use exam_stats::calibration::{CalibrationError, PolytomousRasch, StopReason, pcm_cml, rasch_cml};

fn matrix(csv: &str) -> ResponseMatrix {
    ResponseMatrix::from_csv(csv.as_bytes(), "t", CsvOptions { id_column: false }).unwrap()
}

fn ids(items: &[exam_core::ids::ItemId]) -> Vec<&str> {
    items.iter().map(|i| i.as_str()).collect()
}

/// Guttman patterns 1000, 1100, 1110: arcs only from A to B, C, D, from B
/// to C, D and from C to D. Nothing reaches A, so {B, C, D} (closed under
/// outgoing arcs) runs off above A.
#[test]
fn guttman_data_have_no_cml_estimates() {
    let data = matrix("A,B,C,D\n0,0,0,0\n1,0,0,0\n1,1,0,0\n1,1,1,0\n1,1,1,1\n");
    match rasch_cml(&data).unwrap_err() {
        CalibrationError::NoFiniteCmlEstimates { higher, lower } => {
            assert_eq!(ids(&higher), ["B", "C", "D"]);
            assert_eq!(ids(&lower), ["A"]);
        }
        other => panic!("{other}"),
    }
}

/// One pattern against the order (0101: arcs B → A, B → C, D → A, D → C)
/// closes the cycle A → B → A, A → D → A, C → D → C: strongly connected,
/// so the estimates exist and Newton–Raphson converges.
#[test]
fn one_pattern_against_the_order_makes_them_exist() {
    let data = matrix("A,B,C,D\n1,0,0,0\n1,1,0,0\n1,1,1,0\n0,1,0,1\n");
    let fit = rasch_cml(&data).unwrap();
    assert!(fit.convergence.converged);
    assert_eq!(fit.convergence.reason, StopReason::ParameterChange);
    assert!(fit.convergence.max_gradient < 1e-8);
    assert!(fit.items.iter().all(|i| i.difficulty.unwrap().abs() < 10.0));
}

/// Two forms with no item in common (A, B on one; C, D on the other): no
/// arc joins the forms, so the search from A reaches only A and B.
#[test]
fn forms_without_a_common_item_are_refused() {
    let data = matrix("A,B,C,D\n1,0,,\n0,1,,\n,,1,0\n,,0,1\n");
    match rasch_cml(&data).unwrap_err() {
        CalibrationError::NoFiniteCmlEstimates { higher, lower } => {
            assert_eq!(ids(&higher), ["A", "B"]);
            assert_eq!(ids(&lower), ["C", "D"]);
        }
        other => panic!("{other}"),
    }
}

/// Partial credit, items A and B scored 0–2: (1, 0), (2, 0) and (2, 1)
/// give arcs A → B only (B never scores while A has room), so B runs off
/// above A.
#[test]
fn partial_credit_guttman_data_are_refused() {
    let data = matrix("A,B\n1,0\n2,0\n2,1\n0,0\n2,2\n");
    for model in [PolytomousRasch::PartialCredit, PolytomousRasch::RatingScale] {
        match pcm_cml(&data, model).unwrap_err() {
            CalibrationError::NoFiniteCmlEstimates { higher, lower } => {
                assert_eq!(ids(&higher), ["B"]);
                assert_eq!(ids(&lower), ["A"]);
            }
            other => panic!("{other}"),
        }
    }
}
