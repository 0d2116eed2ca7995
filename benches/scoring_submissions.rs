//! Scoring submissions: 100,000 candidates × 60 items on one form (45
//! single-choice, 8 multiple-response, 4 ordering, 3 matching items, plus
//! the rules' partial-credit paths), single core and rayon across all
//! cores. Throughput is reported in item responses per second (the issue's
//! target: at least 5 million per second per core).
//!
//! The submissions are simulated once with a fixed seed
//! (`exam_scoring::form_simulation`), outside the timed loop.
//!
//! `simulate_1m_x_60`: simulating 1,000,000 candidates on the same form
//! and writing them as the raw response CSV (to a sink) in batches of
//! 8,192, as `exam simulate` does: memory holds one batch.

// criterion_group! generates an undocumented public function.
#![allow(missing_docs)]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use exam_core::form::{AnswerKey, DeliveryOrder, Form, FormSlot, KeyEntry, ScoringKey, SlotRole};
use exam_core::ids::{ItemId, OptionId};
use exam_core::irt::ItemParams;
use exam_core::item::MatchPair;
use exam_core::jta::CompetencyLevel;
use exam_export::raw_csv::RawCsvWriter;
use exam_scoring::form_simulation::{SimulationOptions, Simulator, simulate};
use exam_scoring::keyed::Scorer;
use exam_scoring::rules::{MultipleResponseRule, OrderingRule, ScoringRules};
use rayon::prelude::*;
use std::collections::HashMap;
use std::hint::black_box;

const CANDIDATES: usize = 100_000;
const ITEMS: usize = 60;

fn opts(prefix: &str, n: usize) -> Vec<OptionId> {
    (0..n)
        .map(|i| OptionId::new(format!("{prefix}{i}")))
        .collect()
}

fn form() -> (Form, ScoringKey, HashMap<ItemId, ItemParams>) {
    let mut slots = Vec::new();
    let mut entries = Vec::new();
    let mut params = HashMap::new();
    for i in 0..ITEMS {
        let item = ItemId::new(format!("I{i:03}"));
        let (options, prompts, key) = match i % 20 {
            0..=14 => (
                opts("O", 4),
                vec![],
                AnswerKey::SingleChoice {
                    option: OptionId::new(format!("O{}", i % 4)),
                },
            ),
            15 | 16 => (
                opts("O", 6),
                vec![],
                AnswerKey::MultipleResponse {
                    options: opts("O", 3),
                },
            ),
            17 => (
                opts("O", 5),
                vec![],
                AnswerKey::Ordering {
                    order: opts("O", 5),
                },
            ),
            _ => {
                let prompts = opts("P", 3);
                let pairs = (0..3)
                    .map(|j| MatchPair {
                        prompt: OptionId::new(format!("P{j}")),
                        option: OptionId::new(format!("O{j}")),
                    })
                    .collect();
                (opts("O", 4), prompts, AnswerKey::Matching { pairs })
            }
        };
        let mut delivered = options.clone();
        delivered.rotate_left(i % options.len());
        slots.push(FormSlot {
            item: item.clone(),
            version: 1,
            role: SlotRole::Scored,
            section: format!("d{}", i % 5).into(),
            set: None,
            option_order: delivered.into(),
            prompt_order: prompts.into(),
        });
        entries.push(KeyEntry {
            position: i as u32 + 1,
            item: item.clone(),
            version: 1,
            role: SlotRole::Scored,
            domain: format!("d{}", i % 5).into(),
            level: CompetencyLevel::Intermediate,
            weight: 1.0,
            key,
        });
        let b = -2.0 + 4.0 * (i as f64) / (ITEMS as f64);
        params.insert(
            item,
            ItemParams::new(1.0 + 0.01 * i as f64, b, 0.15).expect("valid"),
        );
    }
    let form = Form {
        id: "BENCH".into(),
        seed: 1,
        blueprint: "bp".into(),
        blueprint_version: "1".into(),
        order: DeliveryOrder::Randomised,
        slots,
    };
    let key = ScoringKey {
        form: "BENCH".into(),
        blueprint: "bp".into(),
        blueprint_version: "1".into(),
        entries,
    };
    (form, key, params)
}

fn bench(c: &mut Criterion) {
    let (form, key, params) = form();
    let rules = ScoringRules {
        multiple_response: MultipleResponseRule::PartialCredit { penalty: 1.0 },
        ordering: OrderingRule::Pairwise,
        ..ScoringRules::default()
    };
    let no_params = HashMap::new();
    let scorer = Scorer::new([(&form, &key)], &rules, &no_params).expect("valid form");
    let sim = simulate(
        &scorer,
        &params,
        CANDIDATES,
        &SimulationOptions::default(),
        2026,
    )
    .expect("simulated");
    let submissions = sim.submissions;
    let one = scorer.form(&"BENCH".into()).expect("form");

    let mut group = c.benchmark_group("score_100k_x_60");
    group.sample_size(10);
    group.throughput(Throughput::Elements((CANDIDATES * ITEMS) as u64));
    group.bench_function("single_core", |b| {
        b.iter(|| {
            let mut total = 0.0;
            for s in &submissions {
                total += one.score(s).expect("valid").raw;
            }
            black_box(total)
        })
    });
    group.bench_function("rayon", |b| {
        b.iter(|| {
            let total: f64 = submissions
                .par_iter()
                .map(|s| one.score(s).expect("valid").raw)
                .sum();
            black_box(total)
        })
    });
    group.bench_function("single_core_with_report", |b| {
        b.iter(|| {
            let mut total = 0.0;
            for s in &submissions {
                let report = one.report(&one.score(s).expect("valid"));
                total += report.raw;
            }
            black_box(total)
        })
    });
    group.finish();
}

fn simulate_streamed(c: &mut Criterion) {
    const MILLION: usize = 1_000_000;
    let (form, key, params) = form();
    let no_params = HashMap::new();
    let scorer =
        Scorer::new([(&form, &key)], &ScoringRules::default(), &no_params).expect("valid form");
    let options = SimulationOptions::default();
    let mut group = c.benchmark_group("simulate_1m_x_60");
    group.sample_size(10);
    group.throughput(Throughput::Elements((MILLION * ITEMS) as u64));
    group.bench_function("raw_csv_batches", |b| {
        b.iter(|| {
            let simulator =
                Simulator::new(&scorer, &params, MILLION, &options, 2026).expect("valid");
            let mut csv = RawCsvWriter::new(std::io::sink(), &scorer).expect("header");
            for start in (0..MILLION).step_by(8192) {
                for (submission, _) in simulator.batch(start..start + 8192) {
                    csv.write(&submission).expect("written");
                }
            }
            csv.finish().expect("flushed")
        })
    });
    group.finish();
}

criterion_group!(benches, bench, simulate_streamed);
criterion_main!(benches);
