//! Invariants of the ability estimators and score tables, over random
//! forms and response patterns.

// Fixture helpers: a malformed fixture should fail the test loudly.
#![allow(clippy::unwrap_used)]

use exam_core::irt::{ItemParams, ItemParamsEntry, expected_score};
use exam_scoring::{
    Method, MleOptions, NormalPrior, Response, SummedScoreTable, eap, estimate_abilities, map, mle,
    simulate_abilities, simulate_responses, summed_score_likelihoods,
};
use proptest::prelude::*;

fn item(max_c: f64) -> impl Strategy<Value = ItemParams> {
    let c = if max_c > 0.0 {
        (0.0f64..max_c).boxed()
    } else {
        Just(0.0).boxed()
    };
    (0.3f64..2.5, -3.0f64..3.0, c)
        .prop_map(|(a, b, c)| ItemParams::new(a, b, c).expect("valid by construction"))
}

fn form_and_pattern(max_c: f64) -> impl Strategy<Value = (Vec<ItemParams>, Vec<Response>)> {
    (1usize..=60).prop_flat_map(move |n| {
        (
            proptest::collection::vec(item(max_c), n),
            proptest::collection::vec(any::<bool>().prop_map(Response::from), n),
        )
    })
}

fn rasch_form() -> impl Strategy<Value = Vec<ItemParams>> {
    proptest::collection::vec(
        (-3.0f64..3.0).prop_map(|b| ItemParams::rasch(b).expect("finite b")),
        1..=40,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn estimates_are_finite_and_in_range((items, responses) in form_and_pattern(0.3)) {
        let prior = NormalPrior::standard();
        let options = MleOptions::default();
        let m = mle(&items, &responses, &options).unwrap();
        prop_assert!(m.theta.is_finite() && m.se.is_finite() && m.se > 0.0);
        prop_assert!(m.theta.abs() <= options.theta_max());
        for est in [map(&items, &responses, &prior).unwrap(), eap(&items, &responses, &prior).unwrap()] {
            prop_assert!(est.theta.is_finite() && est.se.is_finite() && est.se > 0.0);
            prop_assert!(!est.at_bound);
        }
    }

    #[test]
    fn a_correct_answer_more_raises_eap_and_map_under_2pl(
        (items, responses) in form_and_pattern(0.0),
        flip in any::<prop::sample::Index>(),
    ) {
        // Under the 2PL the posterior family has a monotone likelihood ratio
        // in S = Σ a_j x_j, so turning a 0 into a 1 raises EAP and MAP.
        let wrong: Vec<usize> = (0..responses.len()).filter(|&j| responses[j] == Response::Incorrect).collect();
        prop_assume!(!wrong.is_empty());
        let mut better = responses.clone();
        better[wrong[flip.index(wrong.len())]] = Response::Correct;
        let prior = NormalPrior::standard();
        prop_assert!(eap(&items, &better, &prior).unwrap().theta > eap(&items, &responses, &prior).unwrap().theta);
        prop_assert!(map(&items, &better, &prior).unwrap().theta > map(&items, &responses, &prior).unwrap().theta);
        // Log-concave likelihood: the posterior is narrower than the prior.
        prop_assert!(eap(&items, &responses, &prior).unwrap().se < 1.0);
    }

    #[test]
    fn rasch_eap_depends_on_the_raw_score_only_and_rises_with_it(items in rasch_form()) {
        // The raw score is sufficient under Rasch, so the pattern EAP of any
        // pattern with x correct is the summed-score EAP of x.
        let prior = NormalPrior::standard();
        let table = SummedScoreTable::new(&items, prior).unwrap();
        let n = items.len();
        for w in table.rows().windows(2) {
            prop_assert!(w[1].theta > w[0].theta);
        }
        for x in 0..=n {
            let first_x: Vec<Response> = (0..n).map(|j| Response::from(j < x)).collect();
            let last_x: Vec<Response> = (0..n).map(|j| Response::from(j >= n - x)).collect();
            let row = table.rows()[x];
            for pattern in [first_x, last_x] {
                let est = eap(&items, &pattern, &prior).unwrap();
                prop_assert!((est.theta - row.theta).abs() < 1e-7, "{x}: {est:?} {row:?}");
                prop_assert!((est.se - row.psd).abs() < 1e-7);
            }
        }
    }

    #[test]
    fn rasch_mle_matches_expected_to_observed_score(
        (items, x) in rasch_form()
            .prop_filter("two items or more", |f| f.len() > 1)
            .prop_flat_map(|f| { let n = f.len(); (Just(f), 1..n) }),
    ) {
        let n = items.len();
        let pattern: Vec<Response> = (0..n).map(|j| Response::from(j < x)).collect();
        let est = mle(&items, &pattern, &MleOptions::new(20.0).unwrap()).unwrap();
        prop_assert!(!est.at_bound);
        prop_assert!((expected_score(&items, est.theta) - x as f64).abs() < 1e-8, "{est:?} {}", expected_score(&items, est.theta));
    }

    #[test]
    fn extreme_parameters_still_give_finite_agreeing_estimates(
        (items, responses) in (1usize..=30).prop_flat_map(|n| (
            proptest::collection::vec(
                (0.05f64..20.0, -8.0f64..8.0, prop_oneof![Just(0.0), 0.0f64..0.5])
                    .prop_map(|(a, b, c)| ItemParams::new(a, b, c).unwrap()),
                n,
            ),
            proptest::collection::vec(
                prop_oneof![
                    Just(Response::Correct),
                    Just(Response::Incorrect),
                    Just(Response::NotPresented)
                ],
                n,
            ),
        )),
        mean in -3.0f64..3.0,
        sd in 0.2f64..3.0,
    ) {
        let prior = NormalPrior::new(mean, sd).unwrap();
        let one_shot = eap(&items, &responses, &prior).unwrap();
        let prepared = exam_scoring::EapEstimator::new(&items, prior).score(&responses).unwrap();
        prop_assert!(one_shot.theta.is_finite() && one_shot.se.is_finite() && one_shot.se > 0.0);
        prop_assert!((one_shot.theta - prepared.theta).abs() < 1e-7, "{one_shot:?} {prepared:?}");
        prop_assert!((one_shot.se - prepared.se).abs() < 1e-7);
        let m = map(&items, &responses, &prior).unwrap();
        prop_assert!(m.theta.is_finite() && m.se.is_finite() && m.se > 0.0);
    }

    #[test]
    fn summed_score_likelihoods_are_a_distribution(
        (items, _) in form_and_pattern(0.3),
        theta in -5.0f64..5.0,
    ) {
        let l = summed_score_likelihoods(&items, theta);
        prop_assert_eq!(l.len(), items.len() + 1);
        prop_assert!(l.iter().all(|&p| p >= 0.0));
        prop_assert!((l.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        let mean: f64 = l.iter().enumerate().map(|(x, p)| x as f64 * p).sum();
        prop_assert!((mean - expected_score(&items, theta)).abs() < 1e-10);
    }
}

/// EAP and PSD by the plain trapezoidal rule with step 0.005 over [−8, 8]
/// under N(0, 1), evaluating the likelihood directly at every node.
fn fine_grid_eap(items: &[ItemParams], pattern: &[u8]) -> (f64, f64) {
    let (mut w, mut m1, mut m2) = (0.0, 0.0, 0.0);
    let mut logs = Vec::with_capacity(3201);
    for k in 0..=3200 {
        let t = -8.0 + 0.005 * f64::from(k);
        let ll: f64 = items
            .iter()
            .zip(pattern)
            .map(|(i, &x)| {
                let p = i.prob(t);
                if x == 1 { p.ln() } else { (1.0 - p).ln() }
            })
            .sum::<f64>()
            - 0.5 * t * t;
        logs.push((t, ll));
    }
    let max = logs.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max);
    for (t, ll) in logs {
        let p = (ll - max).exp();
        w += p;
        m1 += p * t;
        m2 += p * t * t;
    }
    let mean = m1 / w;
    (mean, (m2 / w - mean * mean).sqrt())
}

#[test]
fn batch_eap_on_a_long_form_agrees_with_a_fine_grid() {
    // 100 items, 2PL with unequal slopes (weighted-score path) and Rasch
    // (per-raw-score cache): 40 simulated persons each.
    let thetas = simulate_abilities(40, NormalPrior::new(0.0, 1.5).unwrap(), 11);
    let two_pl: Vec<ItemParams> = (0..100)
        .map(|j| ItemParams::two_pl(0.5 + 0.02 * f64::from(j), -2.5 + 0.05 * f64::from(j)).unwrap())
        .collect();
    let rasch: Vec<ItemParams> = (0..100)
        .map(|j| ItemParams::rasch(-2.5 + 0.05 * f64::from(j)).unwrap())
        .collect();
    for items in [two_pl, rasch] {
        let entries: Vec<ItemParamsEntry> = items
            .iter()
            .enumerate()
            .map(|(j, &params)| ItemParamsEntry {
                id: format!("I{j}").into(),
                params,
            })
            .collect();
        let data = simulate_responses(&entries, &thetas, 12).unwrap().responses;
        let method = Method::Eap {
            prior: NormalPrior::standard(),
        };
        let got = estimate_abilities(&data, &items, &method).unwrap();
        let block = &data.blocks()[0];
        for (row, &person) in block.persons().iter().enumerate() {
            let (theta, psd) = fine_grid_eap(&items, block.row(row));
            let est = got[person].unwrap();
            assert!((est.theta - theta).abs() < 1e-7, "{est:?} vs {theta}");
            assert!((est.se - psd).abs() < 1e-7, "{est:?} vs {psd}");
        }
    }
}
