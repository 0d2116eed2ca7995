//! Invariants of the estimators on arbitrary small response matrices.

#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

use crate::tolerance::{CLOSED_FORM, ITERATIVE};
use exam_core::ids::{ItemId, PersonId};
use exam_core::responses::{Cell, ResponseMatrix, ResponseMatrixBuilder};
use exam_stats::calibration::{
    CalibrationError, CalibrationOptions, IrtModel, calibrate, rasch_cml,
};
use proptest::prelude::*;

/// Rows of 0/1/not-presented cells (not presented with probability 1/6).
fn matrix(persons: usize, items: usize) -> impl Strategy<Value = Vec<Vec<Option<u8>>>> {
    prop::collection::vec(
        prop::collection::vec(
            prop_oneof![5 => (0u8..=1).prop_map(Some), 1 => Just(None)],
            items,
        ),
        persons,
    )
}

fn build(rows: &[Vec<Option<u8>>], order: &[usize]) -> ResponseMatrix {
    let k = rows[0].len();
    let ids = (0..k).map(|j| ItemId::new(format!("I{j}"))).collect();
    let mut builder = ResponseMatrixBuilder::new(ids).unwrap();
    for &p in order {
        let cells: Vec<Cell> = rows[p]
            .iter()
            .map(|c| c.map_or(Cell::NotPresented, Cell::Score))
            .collect();
        builder
            .push(PersonId::new(format!("P{p}")), &cells)
            .unwrap();
    }
    builder.build()
}

/// Items on which both scores 0 and 1 were observed: the only ones any
/// estimator can calibrate.
fn varied_items(rows: &[Vec<Option<u8>>]) -> usize {
    (0..rows[0].len())
        .filter(|&j| {
            let seen = |x| rows.iter().any(|r| r[j] == Some(x));
            seen(0) && seen(1)
        })
        .count()
}

/// A calibration may fail only for want of two items with variance.
fn failure_is_too_few_items(
    rows: &[Vec<Option<u8>>],
    e: &CalibrationError,
) -> Result<(), TestCaseError> {
    prop_assert!(
        matches!(e, CalibrationError::TooFewItems { .. }),
        "unexpected error: {e}"
    );
    prop_assert!(
        varied_items(rows) < 2,
        "{e} although {} items vary",
        varied_items(rows)
    );
    Ok(())
}

fn options(model: IrtModel) -> CalibrationOptions {
    let mut o = CalibrationOptions::new(model);
    o.standard_errors = false;
    o.quadrature_points = 21;
    o.max_iterations = 60;
    o
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    #[test]
    fn mml_never_panics_and_reports_finite_numbers(rows in matrix(40, 5)) {
        let order: Vec<usize> = (0..rows.len()).collect();
        let data = build(&rows, &order);
        for model in [IrtModel::TwoPl, IrtModel::Rasch, IrtModel::ThreePl] {
            match calibrate(&data, &options(model)) {
                Ok(fit) => {
                    prop_assert!(fit.log_likelihood.is_finite() && fit.log_likelihood <= 0.0);
                    for item in &fit.items {
                        // An item without estimates says why.
                        if let Some(e) = &item.estimate {
                            prop_assert!(e.a.is_finite() && e.d.iter().all(|d| d.is_finite()));
                            prop_assert!((0.0..1.0).contains(&e.c));
                        } else {
                            prop_assert!(!item.flags.is_empty());
                        }
                    }
                }
                Err(e) => failure_is_too_few_items(&rows, &e)?,
            }
        }
    }

    #[test]
    fn person_order_does_not_change_the_estimates(rows in matrix(30, 4), seed in 0u64..1000) {
        let n = rows.len();
        let forward: Vec<usize> = (0..n).collect();
        let shuffled: Vec<usize> = (0..n).map(|i| (i * 7 + seed as usize) % n).collect();
        prop_assume!({ let mut s = shuffled.clone(); s.sort_unstable(); s == forward });
        let (a, b) = (build(&rows, &forward), build(&rows, &shuffled));
        match (calibrate(&a, &options(IrtModel::TwoPl)), calibrate(&b, &options(IrtModel::TwoPl))) {
            (Ok(x), Ok(y)) => prop_assert!((x.log_likelihood - y.log_likelihood).abs() < ITERATIVE * x.log_likelihood.abs().max(1.0)),
            (Err(e), Err(_)) => failure_is_too_few_items(&rows, &e)?,
            (x, y) => prop_assert!(false, "one order failed: {:?} / {:?}", x.err(), y.err()),
        }
        let (x, y) = match (rasch_cml(&a), rasch_cml(&b)) {
            (Ok(x), Ok(y)) => (x, y),
            (Err(e), Err(_)) => return failure_is_too_few_items(&rows, &e),
            (x, y) => return Err(TestCaseError::fail(format!("one order failed: {:?} / {:?}", x.err(), y.err()))),
        };
        {
            for (i, j) in x.items.iter().zip(&y.items) {
                match (i.difficulty, j.difficulty) {
                    (Some(u), Some(v)) => prop_assert!((u - v).abs() < 1e-8),
                    (None, None) => {}
                    _ => prop_assert!(false, "estimability differs"),
                }
            }
        }
    }

    #[test]
    fn cml_difficulties_sum_to_zero(rows in matrix(60, 6)) {
        let order: Vec<usize> = (0..rows.len()).collect();
        let data = build(&rows, &order);
        match rasch_cml(&data) {
            Err(e) => failure_is_too_few_items(&rows, &e)?,
            Ok(fit) => {
            let b: Vec<f64> = fit.items.iter().filter_map(|i| i.difficulty).collect();
            prop_assert!(b.iter().sum::<f64>().abs() < CLOSED_FORM);
            prop_assert!(fit.conditional_log_likelihood <= 0.0);
            for item in &fit.items {
                if let Some(se) = item.se {
                    prop_assert!(se > 0.0 && se.is_finite());
                }
            }
            }
        }
    }
}
