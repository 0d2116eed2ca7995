//! Invariants of the classical item analysis, on random response matrices.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test fails loudly on bad fixtures

use crate::tolerance::ROUNDING;
use exam_core::ids::{ItemId, PersonId};
use exam_core::responses::{Cell, ResponseMatrix, ResponseMatrixBuilder};
use exam_stats::ctt::{FormStatistics, ItemStatistics};
use exam_stats::{AnalysisOptions, ItemAnalysis, Summary, analyze};
use proptest::prelude::*;

/// A random matrix: rows of cells over `k` items, some not presented (a
/// few patterns, like forms), some omitted, partial credit on some items.
fn rows_strategy() -> impl Strategy<Value = (usize, Vec<Vec<Cell>>)> {
    (1usize..7, 0usize..40).prop_flat_map(|(k, n)| {
        let max = prop::collection::vec(1u8..4, k);
        (Just(k), max).prop_flat_map(move |(k, max)| {
            let row =
                (prop::collection::vec(any::<u16>(), k), 0u8..4).prop_map(move |(raw, pattern)| {
                    raw.iter()
                        .enumerate()
                        .map(|(i, &r)| {
                            // Pattern 0 sees every item; others skip item (pattern % k).
                            if pattern > 0 && i == usize::from(pattern) % k {
                                Cell::NotPresented
                            } else if r % 23 == 0 {
                                Cell::Omitted
                            } else {
                                Cell::Score((r % (u16::from(max[i]) + 1)) as u8)
                            }
                        })
                        .collect::<Vec<_>>()
                });
            (Just(k), prop::collection::vec(row, n))
        })
    })
}

fn build(
    k: usize,
    rows: &[Vec<Cell>],
    person_names: &[usize],
    item_order: &[usize],
) -> ResponseMatrix {
    let items: Vec<ItemId> = item_order
        .iter()
        .map(|i| ItemId::new(format!("i{i}")))
        .collect();
    let mut b = ResponseMatrixBuilder::new(items).unwrap();
    for (row, &name) in rows.iter().zip(person_names) {
        let cells: Vec<Cell> = item_order.iter().map(|&i| row[i]).collect();
        b.push(PersonId::new(format!("p{name}")), &cells).unwrap();
    }
    let _ = k;
    b.build()
}

fn identity(n: usize) -> Vec<usize> {
    (0..n).collect()
}

fn run(m: &ResponseMatrix) -> ItemAnalysis {
    analyze(&Summary::of(m), &AnalysisOptions::default()).unwrap()
}

fn close(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (Some(x), Some(y)) => (x - y).abs() <= ROUNDING * (1.0 + x.abs()),
        (None, None) => true,
        _ => false,
    }
}

fn same_item(a: &ItemStatistics, b: &ItemStatistics) -> bool {
    a.id == b.id
        && a.n_presented == b.n_presented
        && a.n_omitted == b.n_omitted
        && close(a.p_value, b.p_value)
        && close(a.sd, b.sd)
        && close(a.point_biserial, b.point_biserial)
        && close(a.point_biserial_uncorrected, b.point_biserial_uncorrected)
        && close(a.biserial, b.biserial)
        && close(a.discrimination_index, b.discrimination_index)
        && close(a.alpha_if_deleted, b.alpha_if_deleted)
        && a.flags == b.flags
        && a.undefined == b.undefined
}

/// Test statistics that do not depend on item order (all but split-half).
fn same_form(a: &FormStatistics, b: &FormStatistics) -> bool {
    a.n_persons == b.n_persons
        && a.score_distribution == b.score_distribution
        && close(a.mean, b.mean)
        && close(a.sd, b.sd)
        && a.alpha == b.alpha
        && close(a.kr21, b.kr21)
        && close(a.sem, b.sem)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Summarising in chunks and merging equals summarising whole, exactly.
    #[test]
    fn merge_equals_whole((k, rows) in rows_strategy(), cuts in prop::collection::vec(0usize..40, 0..4), cross in any::<bool>()) {
        let summarise = |m: &ResponseMatrix| if cross { Summary::with_cross_products(m) } else { Summary::of(m) };
        let n = rows.len();
        let names = identity(n);
        let items = identity(k);
        let whole = summarise(&build(k, &rows, &names, &items));
        let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(n)).collect();
        cuts.push(0);
        cuts.push(n);
        cuts.sort_unstable();
        let mut merged: Option<Summary> = None;
        for w in cuts.windows(2) {
            let part = summarise(&build(k, &rows[w[0]..w[1]], &names[w[0]..w[1]], &items));
            match merged.as_mut() {
                None => merged = Some(part),
                Some(m) => m.merge(&part).unwrap(),
            }
        }
        let merged = merged.unwrap();
        prop_assert_eq!(&merged, &whole);
        let opts = AnalysisOptions::default();
        prop_assert_eq!(analyze(&merged, &opts).unwrap(), analyze(&whole, &opts).unwrap());
    }

    /// Permuting persons changes nothing.
    #[test]
    fn person_permutation_changes_nothing((k, rows) in rows_strategy(), seed in any::<u64>()) {
        let n = rows.len();
        let mut order = identity(n);
        shuffle(&mut order, seed);
        let permuted: Vec<Vec<Cell>> = order.iter().map(|&p| rows[p].clone()).collect();
        let a = run(&build(k, &rows, &identity(n), &identity(k)));
        let b = run(&build(k, &permuted, &order, &identity(k)));
        prop_assert_eq!(a, b);
    }

    /// Permuting items permutes the item statistics and leaves the test
    /// statistics (but the odd-even split) unchanged.
    #[test]
    fn item_permutation_permutes_items((k, rows) in rows_strategy(), seed in any::<u64>()) {
        let n = rows.len();
        let mut order = identity(k);
        shuffle(&mut order, seed);
        let a = run(&build(k, &rows, &identity(n), &identity(k)));
        let b = run(&build(k, &rows, &identity(n), &order));
        for (pos, &orig) in order.iter().enumerate() {
            prop_assert!(same_item(&b.items[pos], &a.items[orig]), "{:?} vs {:?}", b.items[pos], a.items[orig]);
        }
        prop_assert_eq!(a.forms.len(), b.forms.len());
        for fa in &a.forms {
            let mut ids = fa.items.clone();
            ids.sort();
            let fb = b.forms.iter().find(|f| { let mut x = f.items.clone(); x.sort(); x == ids }).unwrap();
            prop_assert!(same_form(fa, fb), "{:?} vs {:?}", fa, fb);
        }
    }

    /// Alpha never exceeds 1; correlations stay in [-1, 1]; nothing is NaN.
    #[test]
    fn statistics_stay_in_range((k, rows) in rows_strategy()) {
        let a = run(&build(k, &rows, &identity(rows.len()), &identity(k)));
        for f in &a.forms {
            if let Some(alpha) = f.alpha { prop_assert!(alpha <= 1.0 + ROUNDING); }
            if let Some(r) = f.split_half { prop_assert!((-1.0..=1.0).contains(&r)); }
        }
        for i in &a.items {
            for r in [i.point_biserial, i.point_biserial_uncorrected].into_iter().flatten() {
                prop_assert!((-1.0..=1.0).contains(&r));
            }
            if let Some(p) = i.p_value { prop_assert!((0.0..=1.0).contains(&p)); }
            if let Some(d) = i.discrimination_index { prop_assert!((-1.0 - ROUNDING..=1.0 + ROUNDING).contains(&d)); }
        }
        let json = serde_json::to_string(&a).unwrap();
        prop_assert!(!json.contains("NaN") && !json.contains("null"));
    }
}

/// A small deterministic shuffle (no RNG crate needed in this test).
fn shuffle(v: &mut [usize], mut seed: u64) {
    for i in (1..v.len()).rev() {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let j = ((seed >> 33) as usize) % (i + 1);
        v.swap(i, j);
    }
}

/// 0/1 matrices (one form) with choices consistent with the scores.
fn dichotomous_strategy() -> impl Strategy<Value = (usize, Vec<Vec<u8>>)> {
    (2usize..6, 2usize..40).prop_flat_map(|(k, n)| {
        (
            Just(k),
            prop::collection::vec(prop::collection::vec(0u8..4, k), n),
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(100))]

    /// When the key is chosen exactly by those who score 1, the key's
    /// proportion is the p-value and its option point-biserial the corrected
    /// point-biserial; the options' proportions add up to one.
    #[test]
    fn key_option_statistics_are_the_item_statistics((k, codes) in dichotomous_strategy()) {
        use exam_stats::distractors::{Choices, distractors};
        use exam_stats::flags::FlagThresholds;
        let items: Vec<ItemId> = (0..k).map(|i| ItemId::new(format!("i{i}"))).collect();
        let mut b = ResponseMatrixBuilder::new(items.clone()).unwrap();
        let mut choices = Choices::new(items);
        let labels = ["A", "B", "C", "D"];
        for (p, row) in codes.iter().enumerate() {
            // Option code 0 is the key "A": score 1; others score 0.
            let cells: Vec<Cell> = row.iter().map(|&c| Cell::Score(u8::from(c == 0))).collect();
            b.push(PersonId::new(format!("p{p}")), &cells).unwrap();
            let picked: Vec<Option<&str>> = row.iter().map(|&c| Some(labels[usize::from(c)])).collect();
            choices.push(&picked).unwrap();
        }
        let m = b.build();
        let a = run(&m);
        let keys = vec!["A".to_owned(); k];
        let d = distractors(&m, &choices, &keys, &FlagThresholds::default()).unwrap();
        for (item, stats) in d.iter().zip(&a.items) {
            let key = item.options.iter().find(|o| o.is_key).unwrap();
            prop_assert!(close(key.proportion, stats.p_value));
            prop_assert!(close(key.point_biserial, stats.point_biserial), "{:?} vs {:?}", key.point_biserial, stats.point_biserial);
            let total: f64 = item.options.iter().filter_map(|o| o.proportion).sum();
            prop_assert!((total - 1.0).abs() < ROUNDING);
            for o in &item.options {
                for q in &o.quintile_proportions {
                    prop_assert!((-ROUNDING..=1.0 + ROUNDING).contains(q));
                }
            }
        }
    }
}
