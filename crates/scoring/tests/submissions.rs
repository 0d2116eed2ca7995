//! Keys applied to submissions: hand-derived scores for every rule, score
//! reports, rescoring, bad input, and the invariants (proptest).

#![allow(clippy::unwrap_used)]

use exam_core::form::{AnswerKey, DeliveryOrder, Form, FormSlot, KeyEntry, ScoringKey, SlotRole};
use exam_core::ids::{DomainId, ItemId, OptionId};
use exam_core::irt::ItemParams;
use exam_core::item::{ItemKind, MatchPair};
use exam_core::jta::CompetencyLevel;
use exam_core::submission::{Answer, ItemAnswer, Submission};
use exam_scoring::keyed::{
    AnswerProblem, CompiledFormKey, KeyError, KeyMisfit, ResponseStatus, Scorer, ScoringError,
};
use exam_scoring::report::Band;
use exam_scoring::rescore::rescore;
use exam_scoring::rules::{
    Adjustment, ItemAdjustment, MatchingRule, MultipleResponseRule, OrderingRule, PassingRule,
    ScoringRules,
};
use exam_scoring::scale::{Knot, ScaleConversion};
use proptest::prelude::*;
use std::collections::HashMap;

fn ids(v: &[&str]) -> Vec<OptionId> {
    v.iter().map(|s| OptionId::from(*s)).collect()
}

fn pair(p: &str, o: &str) -> MatchPair {
    MatchPair {
        prompt: p.into(),
        option: o.into(),
    }
}

struct Spec {
    item: &'static str,
    role: SlotRole,
    domain: &'static str,
    options: Vec<OptionId>,
    prompts: Vec<OptionId>,
    key: AnswerKey,
}

/// Six slots: SC (key B), MR (key A C E of six), ordering (key A B C D,
/// delivered shuffled), matching (3 prompts, 4 options), a pretest SC and a
/// second SC; domains `d1` (SC, MR, SC2) and `d2` (ordering, matching).
fn specs() -> Vec<Spec> {
    vec![
        Spec {
            item: "SC1",
            role: SlotRole::Scored,
            domain: "d1",
            options: ids(&["C", "A", "D", "B"]),
            prompts: vec![],
            key: AnswerKey::SingleChoice { option: "B".into() },
        },
        Spec {
            item: "MR1",
            role: SlotRole::Scored,
            domain: "d1",
            options: ids(&["F", "E", "D", "C", "B", "A"]),
            prompts: vec![],
            key: AnswerKey::MultipleResponse {
                options: ids(&["A", "C", "E"]),
            },
        },
        Spec {
            item: "OR1",
            role: SlotRole::Scored,
            domain: "d2",
            options: ids(&["D", "B", "A", "C"]),
            prompts: vec![],
            key: AnswerKey::Ordering {
                order: ids(&["A", "B", "C", "D"]),
            },
        },
        Spec {
            item: "MA1",
            role: SlotRole::Scored,
            domain: "d2",
            options: ids(&["O4", "O2", "O1", "O3"]),
            prompts: ids(&["P2", "P1", "P3"]),
            key: AnswerKey::Matching {
                pairs: vec![pair("P1", "O1"), pair("P2", "O2"), pair("P3", "O3")],
            },
        },
        Spec {
            item: "PT1",
            role: SlotRole::Pretest,
            domain: "d1",
            options: ids(&["A", "B", "C"]),
            prompts: vec![],
            key: AnswerKey::SingleChoice { option: "A".into() },
        },
        Spec {
            item: "SC2",
            role: SlotRole::Scored,
            domain: "d1",
            options: ids(&["A", "B", "C", "D"]),
            prompts: vec![],
            key: AnswerKey::SingleChoice { option: "D".into() },
        },
    ]
}

fn form_and_key(form_id: &str, specs: &[Spec]) -> (Form, ScoringKey) {
    let slots = specs
        .iter()
        .map(|s| FormSlot {
            item: s.item.into(),
            version: 1,
            role: s.role,
            section: DomainId::from(s.domain),
            set: None,
            option_order: s.options.clone().into(),
            prompt_order: s.prompts.clone().into(),
        })
        .collect();
    let entries = specs
        .iter()
        .enumerate()
        .map(|(i, s)| KeyEntry {
            position: i as u32 + 1,
            item: s.item.into(),
            version: 1,
            role: s.role,
            domain: s.domain.into(),
            level: CompetencyLevel::Intermediate,
            weight: match s.role {
                SlotRole::Scored => 1.0,
                SlotRole::Pretest => 0.0,
            },
            key: s.key.clone(),
        })
        .collect();
    let form = Form {
        id: form_id.into(),
        seed: 7,
        blueprint: "bp".into(),
        blueprint_version: "1".into(),
        order: DeliveryOrder::Sections,
        slots,
    };
    let key = ScoringKey {
        form: form_id.into(),
        blueprint: "bp".into(),
        blueprint_version: "1".into(),
        entries,
    };
    (form, key)
}

fn scorer(rules: &ScoringRules) -> CompiledFormKey {
    let (form, key) = form_and_key("F1", &specs());
    CompiledFormKey::new(&form, &key, rules, &HashMap::new()).unwrap()
}

fn sel(v: &[&str]) -> Answer {
    Answer::Selected(ids(v))
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-12
}

/// A candidate who: SC1 right, MR1 {A, C, B} (2 hits, 1 false), OR1
/// B A C D (5 of 6 pairs), MA1 P1-O1 P2-O3 (1 of 3), PT1 right, SC2 omitted.
fn mixed() -> Submission {
    Submission::new("C1", "F1")
        .with("SC1", sel(&["B"]))
        .with("MR1", sel(&["A", "C", "B"]))
        .with("OR1", Answer::Ordered(ids(&["B", "A", "C", "D"])))
        .with(
            "MA1",
            Answer::Matched(vec![pair("P1", "O1"), pair("P2", "O3")]),
        )
        .with("PT1", sel(&["A"]))
        .with("SC2", Answer::Omitted)
}

#[test]
fn default_rules_by_hand() {
    // All-or-nothing MR: 0; exact ordering: 0; matching per pair: 1/3.
    // Raw = 1 + 0 + 0 + 1/3 + 0 = 4/3 of 5; the pretest item's credit is 1
    // but counts nothing.
    let s = scorer(&ScoringRules::default()).score(&mixed()).unwrap();
    assert!(close(s.raw, 4.0 / 3.0));
    assert!(close(s.max, 5.0));
    let credits: Vec<f64> = s.outcomes.iter().map(|o| o.credit).collect();
    for (got, want) in credits.iter().zip([1.0, 0.0, 0.0, 1.0 / 3.0, 1.0, 0.0]) {
        assert!(close(*got, want), "{credits:?}");
    }
    assert_eq!(s.outcomes[5].status, ResponseStatus::Omitted);
}

#[test]
fn partial_credit_rules_by_hand() {
    let rules = ScoringRules {
        multiple_response: MultipleResponseRule::PartialCredit { penalty: 1.0 },
        ordering: OrderingRule::Pairwise,
        ..ScoringRules::default()
    };
    // MR (2 − 1)/3 = 1/3; ordering 5/6; matching 1/3.
    let s = scorer(&rules).score(&mixed()).unwrap();
    assert!(close(s.raw, 1.0 + 1.0 / 3.0 + 5.0 / 6.0 + 1.0 / 3.0));

    let rules = ScoringRules {
        multiple_response: MultipleResponseRule::NMinusOne {
            near_miss_credit: 0.5,
        },
        matching: MatchingRule::AllOrNothing,
        ..ScoringRules::default()
    };
    // MR {A, C, B}: one missed (E) and one extra (B) = two errors → 0;
    // matching all-or-nothing → 0.
    let s = scorer(&rules).score(&mixed()).unwrap();
    assert!(close(s.raw, 1.0));
    // {A, C}: one error → ½.
    let sub = Submission::new("C2", "F1").with("MR1", sel(&["C", "A"]));
    assert!(close(scorer(&rules).score(&sub).unwrap().raw, 0.5));
}

#[test]
fn item_weights_scale_points() {
    let (form, mut key) = form_and_key("F1", &specs());
    key.entries[0].weight = 2.5;
    let s = CompiledFormKey::new(&form, &key, &ScoringRules::default(), &HashMap::new())
        .unwrap()
        .score(&mixed())
        .unwrap();
    assert!(close(s.raw, 2.5 + 1.0 / 3.0));
    assert!(close(s.max, 6.5));
}

#[test]
fn recorded_times_are_summed() {
    let mut sub = mixed();
    sub.answers[0].seconds = Some(40);
    sub.answers[2].seconds = Some(95);
    let scorer = scorer(&ScoringRules::default());
    assert_eq!(scorer.score(&sub).unwrap().seconds, Some(135));
    assert_eq!(scorer.score(&mixed()).unwrap().seconds, None);
}

#[test]
fn items_not_sent_are_not_reached_and_score_zero() {
    let sub = Submission::new("C3", "F1").with("SC1", sel(&["B"]));
    let s = scorer(&ScoringRules::default()).score(&sub).unwrap();
    assert!(close(s.raw, 1.0));
    assert_eq!(s.outcomes[1].status, ResponseStatus::NotReached);
}

fn passing_rules() -> ScoringRules {
    ScoringRules {
        id: "t".into(),
        version: "2".into(),
        passing: Some(PassingRule {
            raw_cut: 3.0,
            source: "test panel".into(),
            scale: Some(
                ScaleConversion::through_cut(
                    Knot {
                        score: 0.0,
                        scaled: 100.0,
                    },
                    Knot {
                        score: 3.0,
                        scaled: 700.0,
                    },
                    Knot {
                        score: 5.0,
                        scaled: 1000.0,
                    },
                )
                .unwrap(),
            ),
        }),
        ..ScoringRules::default()
    }
}

#[test]
fn report_has_decision_scaled_score_bands_and_audit() {
    let scorer = scorer(&passing_rules());
    let report = scorer.report(&scorer.score(&mixed()).unwrap());
    // raw 4/3: below the cut 3; scaled 100 + (4/3)·200 = 366.67 → 367.
    let decision = report.decision.as_ref().unwrap();
    assert!(!decision.passed);
    assert!(close(decision.raw_cut, 3.0));
    assert_eq!(decision.scaled_cut, Some(700.0));
    assert_eq!(report.scaled, Some(367));
    assert!(close(report.percent.unwrap(), 100.0 * (4.0 / 3.0) / 5.0));
    // π = 3/5. d1 has 3 counted items (SC1 right, MR1 wrong, SC2 omitted):
    // p = 1/3, SE = √(0.6·0.4/3) = 0.2828: 0.6 − 1/3 = 0.267 < SE → near.
    // d2 has 2 items (0 and 1/3): p = 1/6, 0.6 − 1/6 = 0.433 > SE → below.
    let d1 = &report.domains[0];
    assert_eq!(d1.domain, DomainId::from("d1"));
    assert_eq!(d1.items, 3);
    assert!(close(d1.se.unwrap(), (0.6f64 * 0.4 / 3.0).sqrt()));
    assert!(close(d1.cut_share.unwrap(), 1.8));
    assert_eq!(d1.band, Some(Band::Near));
    assert_eq!(report.domains[1].band, Some(Band::Below));
    assert_eq!(report.responses.pretest, 1);
    assert_eq!(report.responses.omitted, 1);
    assert_eq!(report.audit.scoring_rules_version, "2");
    assert!(report.audit.key.starts_with("fnv1a64:"));
    assert!(report.theta.is_none());
    // JSON round trip.
    let json = serde_json::to_string(&report).unwrap();
    let back: exam_scoring::report::ScoreReport = serde_json::from_str(&json).unwrap();
    assert_eq!(back, report);
}

#[test]
fn theta_is_reported_when_every_counted_item_is_calibrated() {
    let params: HashMap<ItemId, ItemParams> = ["SC1", "MR1", "OR1", "MA1", "SC2"]
        .iter()
        .map(|i| (ItemId::from(*i), ItemParams::two_pl(1.0, 0.0).unwrap()))
        .collect();
    let (form, key) = form_and_key("F1", &specs());
    let scorer = CompiledFormKey::new(&form, &key, &ScoringRules::default(), &params).unwrap();
    let report = scorer.report(&scorer.score(&mixed()).unwrap());
    let theta = report.theta.unwrap();
    // One of five equal items fully right (SC1): below average ability.
    let direct = exam_scoring::eap(
        &[ItemParams::two_pl(1.0, 0.0).unwrap(); 5],
        &[
            exam_scoring::Response::Correct,
            exam_scoring::Response::Incorrect,
            exam_scoring::Response::Incorrect,
            exam_scoring::Response::Incorrect,
            exam_scoring::Response::Incorrect,
        ],
        &exam_scoring::NormalPrior::standard(),
    )
    .unwrap();
    assert!((theta.theta - direct.theta).abs() < 1e-9);
    assert!((theta.se - direct.se).abs() < 1e-9);
}

fn err(sub: &Submission) -> ScoringError {
    scorer(&ScoringRules::default()).score(sub).unwrap_err()
}

fn problem(sub: &Submission) -> AnswerProblem {
    match err(sub) {
        ScoringError::InvalidAnswer {
            candidate, problem, ..
        } => {
            assert_eq!(candidate.as_str(), "C9");
            problem
        }
        other => panic!("expected an invalid answer, got {other:?}"),
    }
}

#[test]
fn bad_input_is_a_typed_error_naming_candidate_and_item() {
    let base = || Submission::new("C9", "F1");
    assert_eq!(
        err(&base().with("XX", sel(&["A"]))),
        ScoringError::ItemNotOnForm {
            candidate: "C9".into(),
            form: "F1".into(),
            item: "XX".into()
        }
    );
    assert_eq!(
        err(&base().with("SC1", sel(&["A"])).with("SC1", sel(&["B"]))),
        ScoringError::DuplicateAnswer {
            candidate: "C9".into(),
            item: "SC1".into()
        }
    );
    assert_eq!(
        problem(&base().with("SC1", sel(&["Z"]))),
        AnswerProblem::UnknownOption("Z".into())
    );
    assert_eq!(
        problem(&base().with("SC1", sel(&["A", "B"]))),
        AnswerProblem::SeveralSelected(2)
    );
    assert_eq!(
        problem(&base().with("MR1", sel(&["A", "A"]))),
        AnswerProblem::RepeatedOption("A".into())
    );
    assert_eq!(problem(&base().with("MR1", sel(&[]))), AnswerProblem::Empty);
    assert_eq!(
        problem(&base().with("OR1", Answer::Ordered(ids(&["A", "B"])))),
        AnswerProblem::IncompleteOrder {
            given: 2,
            options: 4
        }
    );
    assert_eq!(
        problem(&base().with("MA1", Answer::Matched(vec![pair("P9", "O1")]))),
        AnswerProblem::UnknownPrompt("P9".into())
    );
    assert_eq!(
        problem(&base().with(
            "MA1",
            Answer::Matched(vec![pair("P1", "O1"), pair("P1", "O2")])
        )),
        AnswerProblem::RepeatedPrompt("P1".into())
    );
    assert_eq!(
        problem(&base().with("OR1", sel(&["A"]))),
        AnswerProblem::WrongKind {
            kind: ItemKind::Ordering,
            given: "selected"
        }
    );
    // Unknown form, through the multi-form scorer.
    let (form, key) = form_and_key("F1", &specs());
    let all = Scorer::new([(&form, &key)], &ScoringRules::default(), &HashMap::new()).unwrap();
    assert!(matches!(
        all.score(&Submission::new("C9", "F7")),
        Err(ScoringError::UnknownForm { .. })
    ));
}

#[test]
fn form_and_key_mismatches_are_rejected() {
    let rules = ScoringRules::default();
    let none = HashMap::new();
    let (form, key) = form_and_key("F1", &specs());
    let (_, other_key) = form_and_key("F2", &specs());
    assert!(matches!(
        CompiledFormKey::new(&form, &other_key, &rules, &none),
        Err(KeyError::WrongForm { .. })
    ));
    let mut short = key.clone();
    short.entries.pop();
    assert!(matches!(
        CompiledFormKey::new(&form, &short, &rules, &none),
        Err(KeyError::Length { .. })
    ));
    let mut swapped = key.clone();
    swapped.entries.swap(0, 1);
    assert!(matches!(
        CompiledFormKey::new(&form, &swapped, &rules, &none),
        Err(KeyError::Slot { position: 1, .. })
    ));
    let mut bad_key = key.clone();
    bad_key.entries[0].key = AnswerKey::SingleChoice { option: "Q".into() };
    assert_eq!(
        CompiledFormKey::new(&form, &bad_key, &rules, &none).unwrap_err(),
        KeyError::KeyDoesNotFit {
            form: "F1".into(),
            item: "SC1".into(),
            detail: KeyMisfit::UnknownOption { option: "Q".into() }
        }
    );
    let adjusted = ScoringRules {
        adjustments: vec![ItemAdjustment {
            item: "NOPE".into(),
            action: Adjustment::Drop,
            reason: "typo".into(),
        }],
        ..ScoringRules::default()
    };
    assert!(matches!(
        Scorer::new([(&form, &key)], &adjusted, &none),
        Err(KeyError::AdjustedItemNotOnAnyForm(_))
    ));
}

#[test]
fn rescoring_lists_every_changed_candidate() {
    let (form, key) = form_and_key("F1", &specs());
    let none = HashMap::new();
    let before_rules = passing_rules();
    // Candidate A: everything right except SC2 (B instead of D): raw 4, pass.
    // Candidate B: SC1, MR1, OR1 right, MA1 1/3, SC2 answered C: raw 3 + 1/3.
    // Candidate C: only SC2 right (D): raw 1.
    let perfect = Scorer::new([(&form, &key)], &before_rules, &none)
        .unwrap()
        .form(&"F1".into())
        .unwrap()
        .key_submission("A");
    let mut a = perfect.clone();
    a.answers[5].answer = sel(&["B"]);
    let mut b = perfect.clone();
    b.candidate = "B".into();
    b.answers[3].answer = Answer::Matched(vec![pair("P1", "O1")]);
    b.answers[5].answer = sel(&["C"]);
    let c = Submission::new("C", "F1").with("SC2", sel(&["D"]));
    let subs = vec![a, b, c];

    // The key of SC2 was wrong: B is right. And MA1 is withdrawn and
    // credited to everyone.
    let mut after_rules = before_rules.clone();
    after_rules.version = "3".into();
    after_rules.adjustments = vec![
        ItemAdjustment {
            item: "SC2".into(),
            action: Adjustment::Rekey {
                key: AnswerKey::SingleChoice { option: "B".into() },
            },
            reason: "key error found in review".into(),
        },
        ItemAdjustment {
            item: "MA1".into(),
            action: Adjustment::CreditAll,
            reason: "ambiguous prompt".into(),
        },
    ];
    let before = Scorer::new([(&form, &key)], &before_rules, &none).unwrap();
    let after = Scorer::new([(&form, &key)], &after_rules, &none).unwrap();
    let result = rescore(&subs, &before, &after).unwrap();
    assert_eq!(result.rescored, 3);
    // A: 4 → 5 (SC2 now right); B: 3⅓ → 4 (MA1 credited); C: 1 → 1 (SC2
    // now wrong, MA1 credited): unchanged raw... 1 − 1 + 1 = 1.
    let by: HashMap<&str, _> = result
        .changes
        .iter()
        .map(|c| (c.candidate.as_str(), c))
        .collect();
    assert_eq!(result.changes.len(), 2);
    assert!(close(by["A"].old_raw, 4.0) && close(by["A"].new_raw, 5.0));
    assert_eq!(
        (by["A"].old_passed, by["A"].new_passed),
        (Some(true), Some(true))
    );
    assert!(close(by["B"].old_raw, 3.0 + 1.0 / 3.0) && close(by["B"].new_raw, 4.0));
    assert!(!by.contains_key("C"));
    assert_eq!(result.decisions_changed, 0);

    // Dropping SC1 instead lowers the maximum for everyone, and C (who did
    // not answer SC1) keeps raw 1 of a max of 4: listed (max changed).
    let mut drop_rules = before_rules.clone();
    drop_rules.adjustments = vec![ItemAdjustment {
        item: "SC1".into(),
        action: Adjustment::Drop,
        reason: "withdrawn".into(),
    }];
    let dropped = Scorer::new([(&form, &key)], &drop_rules, &none).unwrap();
    let result = rescore(&subs, &before, &dropped).unwrap();
    assert_eq!(result.changes.len(), 3);
    // B: 3⅓ passes the cut of 3 before, 2⅓ fails after.
    let b = result
        .changes
        .iter()
        .find(|c| c.candidate.as_str() == "B")
        .unwrap();
    assert_eq!((b.old_passed, b.new_passed), (Some(true), Some(false)));
    assert_eq!(result.decisions_changed, 1);
    assert!(close(result.changes[2].new_max, 4.0));
}

/// A random answer to a slot, possibly invalid-free: chosen among the
/// item's own options.
fn any_answer(spec: &Spec, pick: &[usize]) -> Answer {
    let n = spec.options.len();
    match &spec.key {
        AnswerKey::SingleChoice { .. } => Answer::Selected(vec![spec.options[pick[0] % n].clone()]),
        AnswerKey::MultipleResponse { .. } => {
            let mut chosen: Vec<OptionId> = Vec::new();
            for p in pick {
                let o = &spec.options[p % n];
                if !chosen.contains(o) {
                    chosen.push(o.clone());
                }
            }
            Answer::Selected(chosen)
        }
        AnswerKey::Ordering { .. } => {
            let mut order = spec.options.clone();
            for (i, p) in pick.iter().enumerate() {
                order.swap(i % n, p % n);
            }
            Answer::Ordered(order)
        }
        AnswerKey::Matching { .. } => Answer::Matched(
            spec.prompts
                .iter()
                .zip(pick)
                .map(|(prompt, p)| MatchPair {
                    prompt: prompt.clone(),
                    option: spec.options[p % n].clone(),
                })
                .collect(),
        ),
    }
}

fn rules_strategy() -> impl Strategy<Value = ScoringRules> {
    (0usize..3, 0.0f64..2.0, any::<bool>(), any::<bool>()).prop_map(|(mr, penalty, pw, pp)| {
        ScoringRules {
            multiple_response: match mr {
                0 => MultipleResponseRule::AllOrNothing,
                1 => MultipleResponseRule::PartialCredit { penalty },
                _ => MultipleResponseRule::NMinusOne {
                    near_miss_credit: 0.5,
                },
            },
            ordering: if pw {
                OrderingRule::Pairwise
            } else {
                OrderingRule::Exact
            },
            matching: if pp {
                MatchingRule::PerPair
            } else {
                MatchingRule::AllOrNothing
            },
            ..ScoringRules::default()
        }
    })
}

proptest! {
    #[test]
    fn scores_stay_in_range_and_the_key_gets_the_maximum(
        rules in rules_strategy(),
        picks in prop::collection::vec(prop::collection::vec(0usize..8, 1..5), 6),
        omit in prop::collection::vec(any::<bool>(), 6),
    ) {
        let specs = specs();
        let scorer = scorer(&rules);
        let mut sub = Submission::new("P", "F1");
        for ((spec, pick), o) in specs.iter().zip(&picks).zip(&omit) {
            let answer = if *o { Answer::Omitted } else { any_answer(spec, pick) };
            sub.answers.push(ItemAnswer::new(spec.item, answer));
        }
        let s = scorer.score(&sub).unwrap();
        prop_assert!(s.raw >= 0.0 && s.raw <= s.max + 1e-12);
        for o in &s.outcomes {
            prop_assert!((0.0..=1.0).contains(&o.credit));
        }
        let best = scorer.score(&scorer.key_submission("K")).unwrap();
        prop_assert!(close(best.raw, best.max));
        prop_assert!(close(best.max, 5.0));
    }

    #[test]
    fn shuffled_delivery_scores_the_same(
        rules in rules_strategy(),
        picks in prop::collection::vec(prop::collection::vec(0usize..8, 1..5), 6),
        rotations in prop::collection::vec(0usize..6, 6),
    ) {
        // Answers are in option ids, so a form delivering the options in
        // another order (the same items, shuffled options) must give the
        // same credits for the same answers.
        let plain = specs();
        let mut shuffled = specs();
        for (s, r) in shuffled.iter_mut().zip(&rotations) {
            let n = s.options.len();
            s.options.rotate_left(r % n);
            if !s.prompts.is_empty() {
                let m = s.prompts.len();
                s.prompts.rotate_left(r % m);
            }
        }
        let mut sub = Submission::new("P", "F1");
        for (spec, pick) in plain.iter().zip(&picks) {
            sub.answers.push(ItemAnswer::new(spec.item, any_answer(spec, pick)));
        }
        let (f1, k1) = form_and_key("F1", &plain);
        let (f2, k2) = form_and_key("F1", &shuffled);
        let none = HashMap::new();
        let a = CompiledFormKey::new(&f1, &k1, &rules, &none).unwrap().score(&sub).unwrap();
        let b = CompiledFormKey::new(&f2, &k2, &rules, &none).unwrap().score(&sub).unwrap();
        prop_assert_eq!(a, b);
    }
}

fn fixture_scorer(rules: &ScoringRules) -> Scorer {
    let (f1, k1) = form_and_key("F1", &specs());
    let mut other = specs();
    other.reverse();
    let (f2, k2) = form_and_key("F2", &other);
    Scorer::new([(&f1, &k1), (&f2, &k2)], rules, &HashMap::new()).unwrap()
}

fn generating_params() -> HashMap<ItemId, ItemParams> {
    [
        ("SC1", -1.0),
        ("MR1", 0.5),
        ("OR1", 0.0),
        ("MA1", 1.0),
        ("PT1", 0.0),
        ("SC2", -0.5),
    ]
    .iter()
    .map(|(i, b)| (ItemId::from(*i), ItemParams::new(1.2, *b, 0.1).unwrap()))
    .collect()
}

#[test]
fn simulation_is_seeded_valid_and_follows_the_model() {
    use exam_scoring::form_simulation::{SimulationError, SimulationOptions, simulate};
    let scorer = fixture_scorer(&ScoringRules::default());
    let params = generating_params();
    let options = SimulationOptions::default();
    let a = simulate(&scorer, &params, 4000, &options, 11).unwrap();
    let b = simulate(&scorer, &params, 4000, &options, 11).unwrap();
    assert_eq!(a, b);
    let c = simulate(&scorer, &params, 50, &options, 12).unwrap();
    assert_ne!(a.submissions[..50], c.submissions[..]);
    assert_eq!(a.submissions[0].form.as_str(), "F1");
    assert_eq!(a.submissions[1].form.as_str(), "F2");

    // Every simulated submission is valid; the proportion of candidates
    // with the key on SC1 matches E[P(θ)] for θ ~ N(0, 1), which for
    // (a, b, c) = (1.2, −1, 0.1) is 0.1 + 0.9 · E[logistic(1.2(θ + 1))],
    // computed here by quadrature, times (1 − omit rate).
    let reports = scorer.report_all(&a.submissions).unwrap();
    let q = exam_core::quadrature::Quadrature::gauss_hermite(61);
    let expected: f64 = q
        .nodes()
        .iter()
        .zip(q.weights())
        .map(|(t, w)| w * (0.1 + 0.9 * exam_core::irt::logistic(1.2 * (t + 1.0))))
        .sum::<f64>()
        * 0.99;
    let observed = reports
        .iter()
        .filter(|r| {
            r.items
                .iter()
                .any(|i| i.item.as_str() == "SC1" && i.credit > 0.5)
        })
        .count() as f64
        / reports.len() as f64;
    // Binomial SE at n = 4000 is under 0.008; allow 4 SE.
    assert!(
        (observed - expected).abs() < 0.032,
        "{observed} vs {expected}"
    );

    // Wrong answers are spread over all three distractors and never the key.
    let mut chosen: HashMap<String, usize> = HashMap::new();
    for s in &a.submissions {
        if let Some(ItemAnswer {
            answer: Answer::Selected(sel),
            ..
        }) = s.answer(&"SC1".into())
        {
            *chosen.entry(sel[0].to_string()).or_default() += 1;
        }
    }
    assert_eq!(chosen.len(), 4, "{chosen:?}");

    // Raw score correlates with the generating ability.
    let raws: Vec<f64> = reports.iter().map(|r| r.raw).collect();
    let n = raws.len() as f64;
    let (mx, my) = (
        raws.iter().sum::<f64>() / n,
        a.abilities.iter().sum::<f64>() / n,
    );
    let cov: f64 = raws
        .iter()
        .zip(&a.abilities)
        .map(|(x, y)| (x - mx) * (y - my))
        .sum();
    let vx: f64 = raws.iter().map(|x| (x - mx).powi(2)).sum();
    let vy: f64 = a.abilities.iter().map(|y| (y - my).powi(2)).sum();
    assert!(cov / (vx * vy).sqrt() > 0.5);

    let mut missing = params.clone();
    missing.remove(&ItemId::from("OR1"));
    assert_eq!(
        simulate(&scorer, &missing, 5, &options, 1),
        Err(SimulationError::MissingParams("OR1".into()))
    );
}

#[test]
fn simulating_in_batches_gives_the_whole_simulation() {
    use exam_scoring::form_simulation::{SimulationOptions, Simulator, simulate};
    let scorer = fixture_scorer(&ScoringRules::default());
    let params = generating_params();
    let options = SimulationOptions::default();
    let whole = simulate(&scorer, &params, 1001, &options, 5).unwrap();
    let simulator = Simulator::new(&scorer, &params, 1001, &options, 5).unwrap();
    let mut batches = Vec::new();
    for start in (0..1001).step_by(300) {
        batches.extend(simulator.batch(start..start + 300));
    }
    let (submissions, abilities): (Vec<_>, Vec<_>) = batches.into_iter().unzip();
    assert_eq!(submissions, whole.submissions);
    assert_eq!(abilities, whole.abilities);
    assert_eq!(submissions[1000].candidate.as_str(), "C001001");
    assert!(simulator.batch(1001..2000).is_empty());
}

#[test]
fn key_fingerprint_changes_with_the_key_only() {
    use exam_scoring::keyed::key_fingerprint;
    let (_, key) = form_and_key("F1", &specs());
    let (_, same) = form_and_key("F1", &specs());
    assert_eq!(key_fingerprint(&key), key_fingerprint(&same));
    let mut rekeyed = key.clone();
    rekeyed.entries[0].key = AnswerKey::SingleChoice { option: "C".into() };
    assert_ne!(key_fingerprint(&key), key_fingerprint(&rekeyed));
    let mut reweighted = key.clone();
    reweighted.entries[1].weight = 2.0;
    assert_ne!(key_fingerprint(&key), key_fingerprint(&reweighted));
    let mut bumped = key.clone();
    bumped.entries[2].version = 2;
    assert_ne!(key_fingerprint(&key), key_fingerprint(&bumped));
}

#[test]
fn scored_matrix_reads_full_credit_omissions_and_forms() {
    use exam_core::responses::Cell;
    use exam_scoring::matrix::scored_matrix;
    let scorer = fixture_scorer(&ScoringRules::default());
    // On F1: SC1 right, MR1 partial (0 under all-or-nothing), PT1 right,
    // SC2 omitted, OR1 and MA1 not reached.
    let a = Submission::new("A", "F1")
        .with("SC1", sel(&["B"]))
        .with("MR1", sel(&["A", "C"]))
        .with("PT1", sel(&["A"]))
        .with("SC2", Answer::Omitted);
    let scored = vec![
        scorer.score(&a).unwrap(),
        scorer
            .score(&scorer.form(&"F2".into()).unwrap().key_submission("B"))
            .unwrap(),
    ];
    let m = scored_matrix(&scorer, &scored).unwrap();
    let col = |id: &str| m.item_index(&id.into()).unwrap();
    assert_eq!(m.n_items(), 6);
    assert_eq!(m.cell(0, col("SC1")), Cell::Score(1));
    assert_eq!(m.cell(0, col("MR1")), Cell::Score(0));
    assert_eq!(m.cell(0, col("PT1")), Cell::Score(1));
    assert_eq!(m.cell(0, col("SC2")), Cell::Omitted);
    assert_eq!(m.cell(0, col("OR1")), Cell::NotPresented);
    // The key on F2 (same items, other order): every item 1.
    for item in ["SC1", "MR1", "OR1", "MA1", "PT1", "SC2"] {
        assert_eq!(m.cell(1, col(item)), Cell::Score(1));
    }
}
