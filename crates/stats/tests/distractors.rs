//! Distractor analysis on the raw answer choices of two reference data sets.
//!
//! sat12: `sat12_raw.csv` (choices 1-5, 8 = no answer) with `sat12_key.csv`,
//! scored matrix `sat12.csv`. Expected values for items 1 and 32 were
//! computed for this test with numpy (`np.corrcoef` of the option indicator
//! with total minus item score; quintiles by rank with tied persons sharing
//! a boundary equally); the key's option point-biserial is also checked
//! against the reference `point_biserial_corrected` of sat12.json.
//!
//! iqitems: raw choices (0 = no answer, read as not presented, as in
//! `ability.csv`, which is these choices scored with `iqitems_key.csv`).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test fails loudly on bad fixtures

use crate::common::reference_matrix;
use crate::reference_data::{reference, reference_text};
use crate::tolerance::{CLOSED_FORM, ROUNDING};
use exam_core::responses::ResponseMatrix;
use exam_stats::distractors::{Choice, Choices, ItemDistractors, distractors};
use exam_stats::flags::{Flag, FlagThresholds};
use exam_stats::{AnalysisOptions, Summary, analyze};

/// Reads raw choices; `missing` is the code for no answer.
fn choices(name: &str, m: &ResponseMatrix, missing: &str) -> Choices {
    let text = reference_text(name);
    let mut c = Choices::new(m.items().to_vec());
    for line in text.lines().skip(1) {
        let row: Vec<Option<&str>> = line
            .split(',')
            .map(|f| (f != missing && !f.is_empty()).then_some(f))
            .collect();
        c.push(&row).unwrap();
    }
    c
}

fn keys(name: &str) -> Vec<String> {
    let text = reference_text(name);
    text.lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap().to_owned())
        .collect()
}

fn option<'a>(
    item: &'a ItemDistractors,
    label: &str,
) -> &'a exam_stats::distractors::OptionStatistics {
    item.options
        .iter()
        .find(|o| o.choice == Choice::Option(label.to_owned()))
        .unwrap()
}

fn near(what: &str, got: f64, want: f64) {
    assert!(
        (got - want).abs() < ROUNDING,
        "{what}: got {got}, want {want}"
    );
}

#[test]
fn sat12_options_match_numpy_and_item_32_is_flagged() {
    let m = reference_matrix("sat12.csv");
    let c = choices("sat12_raw.csv", &m, "8");
    let d = distractors(&m, &c, &keys("sat12_key.csv"), &FlagThresholds::default()).unwrap();
    assert_eq!(d.len(), 32);

    // Item 1 (key 1): option, n, proportion, mean score, r, quintiles.
    let item = &d[0];
    let want = [
        (
            "1",
            170,
            0.2833333333333333,
            21.25294117647059,
            0.29981619158335737,
            [
                0.08725490196078431,
                0.2054987212276215,
                0.26027667984189723,
                0.2700879765395895,
                0.5935483870967742,
            ],
        ),
        (
            "3",
            160,
            0.26666666666666666,
            16.55,
            -0.16852970863482805,
            [
                0.3700980392156863,
                0.29838022165387895,
                0.283794466403162,
                0.2627810361681329,
                0.11827956989247311,
            ],
        ),
        (
            "5",
            8,
            0.013333333333333334,
            10.375,
            -0.17910113971285613,
            [0.045098039215686274, 0.021568627450980392, 0.0, 0.0, 0.0],
        ),
    ];
    for (label, n, p, mean, r, q) in want {
        let o = option(item, label);
        assert_eq!(o.n, n);
        near("proportion", o.proportion.unwrap(), p);
        near("mean score", o.mean_score.unwrap(), mean);
        near("point-biserial", o.point_biserial.unwrap(), r);
        for (g, w) in o.quintile_proportions.iter().zip(q) {
            near("quintile", *g, w);
        }
    }
    // Code 8 is "no answer": one person, listed last.
    let last = item.options.last().unwrap();
    assert_eq!(last.choice, Choice::NoAnswer);
    assert_eq!(last.n, 1);
    near(
        "no-answer r",
        last.point_biserial.unwrap(),
        0.05909802666361067,
    );
    assert!(option(item, "1").is_key);
    assert_eq!(
        item.flags,
        [Flag::NonFunctioningDistractor {
            option: "5".to_owned()
        }]
    );

    // Item 32: the documented key problem (mirt suggests 3 instead of 5).
    let item = &d[31];
    near(
        "item 32 option 3 r",
        option(item, "3").point_biserial.unwrap(),
        0.2026413651736046,
    );
    near(
        "item 32 key r",
        option(item, "5").point_biserial.unwrap(),
        0.0370652629089205,
    );
    assert!(item.flags.contains(&Flag::PossibleMiskey {
        option: "3".to_owned()
    }));

    // The key's option point-biserial is the item's corrected point-biserial
    // (reference sat12.json, psych r.drop) for every item.
    let expected = reference("sat12");
    for (i, item) in d.iter().enumerate() {
        let key = item.options.iter().find(|o| o.is_key).unwrap();
        let want = expected["ctt"]["point_biserial_corrected"][i]
            .as_f64()
            .unwrap();
        assert!(
            (key.point_biserial.unwrap() - want).abs() < CLOSED_FORM,
            "item {}",
            i + 1
        );
    }
}

#[test]
fn iqitems_on_sparse_data_agree_with_the_item_analysis() {
    let m = reference_matrix("ability.csv");
    assert!(m.blocks().len() > 1, "ability.csv has missing cells");
    let c = choices("iqitems_raw.csv", &m, "0");
    let d = distractors(&m, &c, &keys("iqitems_key.csv"), &FlagThresholds::default()).unwrap();
    let a = analyze(&Summary::of(&m), &AnalysisOptions::default()).unwrap();
    for (item, stats) in d.iter().zip(&a.items) {
        assert_eq!(item.n_presented, stats.n_presented);
        let key = item.options.iter().find(|o| o.is_key).unwrap();
        near(
            "key proportion = p",
            key.proportion.unwrap(),
            stats.p_value.unwrap(),
        );
        near(
            "key r = corrected r",
            key.point_biserial.unwrap(),
            stats.point_biserial.unwrap(),
        );
        assert!(item.options.iter().all(|o| o.choice != Choice::NoAnswer));
        let total: f64 = item.options.iter().map(|o| o.proportion.unwrap()).sum();
        near("proportions sum to 1", total, 1.0);
    }
}

#[test]
fn mismatched_inputs_are_errors() {
    let m = reference_matrix("lsat6.csv");
    let c = Choices::new(m.items().to_vec());
    let keys = vec!["1".to_owned(); 5];
    assert!(distractors(&m, &c, &keys, &FlagThresholds::default()).is_err());
    let mut c = Choices::new(m.items().to_vec());
    assert!(c.push(&[Some("a")]).is_err());
}

/// Three persons, one item keyed `A` with options A, B, C declared; nobody
/// chooses C, which is still reported (n 0, proportion 0) and flagged as
/// non-functioning. Scores: the key's choosers score 1.
#[test]
fn declared_options_nobody_chose_are_reported_and_flagged() {
    let csv = "id,X,Y\np1,1,1\np2,0,1\np3,1,0\n";
    let m = ResponseMatrix::from_csv(csv.as_bytes(), "t", Default::default()).unwrap();
    let mut c = Choices::new(m.items().to_vec());
    for label in ["A", "B", "C"] {
        c.add_option(0, label).unwrap();
    }
    c.add_option(0, "A").unwrap();
    assert!(c.add_option(2, "A").is_err());
    c.push(&[Some("A"), None]).unwrap();
    c.push(&[Some("B"), None]).unwrap();
    c.push(&[Some("A"), None]).unwrap();
    let keys = vec!["A".to_owned(), "K".to_owned()];
    let d = distractors(&m, &c, &keys, &FlagThresholds::default()).unwrap();
    let x = &d[0];
    let labels: Vec<&Choice> = x.options.iter().map(|o| &o.choice).collect();
    assert_eq!(
        labels,
        [
            &Choice::Option("A".into()),
            &Choice::Option("B".into()),
            &Choice::Option("C".into())
        ]
    );
    let unused = option(x, "C");
    assert_eq!(unused.n, 0);
    near("C proportion", unused.proportion.unwrap(), 0.0);
    near(
        "B proportion",
        option(x, "B").proportion.unwrap(),
        1.0 / 3.0,
    );
    assert!(x.flags.contains(&Flag::NonFunctioningDistractor {
        option: "C".to_owned()
    }));
}
