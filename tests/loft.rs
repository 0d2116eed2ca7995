//! On-the-fly forms on the shipped bank: 10,000 consecutive forms at low
//! exposure rates without a lockout, and `exam loft` with its state file.

use crate::util::exam;
use exam_core::assembly::{ExposureState, LoftOptions, LoftPlan};
use exam_core::attempt::HandleKey;
use exam_core::bank::ItemBank;
use exam_core::coverage::coverage;
use exam_core::item::ItemStatus;
use std::collections::HashMap;
use std::sync::Arc;

fn shipped_plan(rate: f64) -> LoftPlan {
    let bank = ItemBank::load(concat!(env!("CARGO_MANIFEST_DIR"), "/item-bank"))
        .expect("the shipped bank");
    let blueprint = bank
        .blueprint(&"die-2026".into())
        .expect("die-2026")
        .clone();
    let options = LoftOptions {
        max_exposure_rate: rate,
        ..LoftOptions::default()
    };
    LoftPlan::new(
        Arc::new(bank),
        Arc::new(blueprint),
        &options,
        HandleKey::new([2; 16]),
    )
    .expect("a plan")
}

/// 10,000 consecutive attempts at rates 0.2 and 0.3: every one is served
/// and the sampled ones meet the blueprint; the observed maximum exposure
/// and the slot kinds whose items end above the rate are reported.
#[test]
fn ten_thousand_forms_at_low_rates_never_lock_up() {
    for rate in [0.2, 0.3] {
        let plan = shipped_plan(rate);
        let bank = plan.bank();
        let blueprint = plan.blueprint();
        let mut state = ExposureState::default();
        let mut over = 0u64;
        for seed in 0..10_000u64 {
            let attempt = plan
                .attempt(&state, seed)
                .unwrap_or_else(|e| panic!("rate {rate}, form {seed}: {e}"));
            if seed % 500 == 0 {
                assert!(coverage(&attempt.form, bank, blueprint, &[]).meets_blueprint());
            }
            over += u64::from(attempt.quality.over_exposed);
            state.record(&attempt.form);
        }
        assert_eq!(state.forms_delivered, 10_000);
        // Per slot kind (domain x level, pretest): the rates of its items.
        let mut kinds: HashMap<String, Vec<f64>> = HashMap::new();
        for item in bank.items() {
            let kind = match item.status {
                ItemStatus::Operational => format!("{} {}", item.domain, item.level),
                ItemStatus::Pretest => "pretest".to_owned(),
                _ => continue,
            };
            kinds.entry(kind).or_default().push(state.rate(&item.id));
        }
        let mut worst_within = 0.0_f64;
        for (kind, rates) in &kinds {
            let max = rates.iter().copied().fold(0.0, f64::max);
            let used: Vec<f64> = rates.iter().copied().filter(|&r| r > 0.0).collect();
            let min = used.iter().copied().fold(1.0, f64::min);
            if max > rate + 0.01 {
                // Over the rate where the kind's supply, its enemies or its
                // sets leave no item within the cap: reported, and bounded
                // below by the largest rate the bank forces.
                eprintln!("rate {rate}, {kind}: item rates {min:.3}..{max:.3}");
            } else {
                worst_within = worst_within.max(max);
            }
        }
        let pretest_need = f64::from(blueprint.pretest_items);
        let pretest_supply = kinds["pretest"].len() as f64;
        eprintln!(
            "rate {rate}: 10000 forms, observed maximum exposure {:.4} (pretest: {} slots from {} items, floor {:.4}); largest rate among kinds the bank can keep within {rate}: {worst_within:.4}; {over} item placements over the soft cap",
            state.max_rate(),
            pretest_need,
            pretest_supply,
            pretest_need / pretest_supply
        );
    }
}

#[test]
fn exam_loft_writes_the_form_and_counts_it_in_the_state_file() {
    let dir = std::env::temp_dir().join(format!("exam-loft-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let state = dir.join("exposure.json");
    let out = dir.join("form.json");
    let _ = std::fs::remove_file(&state);
    let (s, o) = (state.to_str().unwrap(), out.to_str().unwrap());
    for seed in ["1", "2"] {
        let args = ["loft", "--candidate", "C-7", "--seed", seed, "--state", s];
        let mut args = args.to_vec();
        args.extend(["--out", o, "--max-exposure-rate", "0.3", "--format", "json"]);
        let run = exam(&args).success();
        assert_eq!(run.json()["candidate"], "C-7");
    }
    let st: ExposureState =
        serde_json::from_str(&std::fs::read_to_string(&state).unwrap()).unwrap();
    assert_eq!(st.forms_delivered, 2);
    assert_eq!(st.uses.values().sum::<u64>(), 140);
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let view = doc["delivery_view"].to_string();
    for slot in doc["form"]["slots"].as_array().unwrap() {
        let id = slot["item"].as_str().unwrap();
        assert!(!view.contains(&format!("\"{id}\"")), "view names {id}");
    }
    // A blank candidate id is refused and the state is left as it was.
    let args = [
        "loft",
        "--candidate",
        "  ",
        "--seed",
        "3",
        "--state",
        s,
        "--out",
        o,
    ];
    let run = exam(&args);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("empty or blank"), "{}", run.stderr);
    let again: ExposureState =
        serde_json::from_str(&std::fs::read_to_string(&state).unwrap()).unwrap();
    assert_eq!(again, st);
    std::fs::remove_dir_all(&dir).unwrap();
}
