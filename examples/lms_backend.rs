//! What an LMS backend does with exam-engine, start to finish, on the
//! shipped item bank:
//!
//! 1. load and check the bank and the blueprint (once, at start-up), and
//!    compile them into a LOFT plan;
//! 2. build an on-the-fly form for a candidate's attempt (seeded), which
//!    comes with its delivery view and scoring key;
//! 3. hand out the delivery view as JSON: no keys, no rationales, no bank
//!    ids (items go by per-attempt handles);
//! 4. receive the candidate's answers by handle as JSON (here: a simulated
//!    candidate answers);
//! 5. score them against the scoring key (kept on the server) under the
//!    rules the blueprint implies;
//! 6. store the full score report, and show the candidate its candidate
//!    view (here: both in the system's temporary directory,
//!    `exam-engine-lms-backend/`).
//!
//! Run with `cargo run --example lms_backend`; `examples/lms_service/` is
//! the same as an HTTP service.

use exam_core::assembly::{ExposureState, LoftOptions, LoftPlan};
use exam_core::attempt::{CandidateSubmission, HandleKey};
use exam_core::bank::ItemBank;
use exam_core::form::DeliveryView;
use exam_core::ids::CandidateId;
use exam_core::submission::Answer;
use exam_scoring::candidate::{AttemptError, CandidateReport, score_attempt};
use exam_scoring::form_simulation::{SimulationOptions, fill_generating_params, simulate};
use exam_scoring::keyed::{CompiledFormKey, Scorer};
use exam_scoring::report::ScoreReport;
use exam_scoring::rules::ScoringRules;
use std::collections::HashMap;
use std::error::Error;
use std::fs;
use std::path::Path;
use std::sync::Arc;

/// Every object field name in a JSON value.
fn field_names(value: &serde_json::Value) -> Vec<String> {
    match value {
        serde_json::Value::Object(map) => map
            .iter()
            .flat_map(|(k, v)| std::iter::once(k.clone()).chain(field_names(v)))
            .collect(),
        serde_json::Value::Array(items) => items.iter().flat_map(field_names).collect(),
        _ => Vec::new(),
    }
}

fn main() -> Result<(), Box<dyn Error>> {
    // Step 1: the bank (JTA, blueprints, items), read and checked; the
    // scoring rules the blueprint implies (cut and reporting scale); the
    // IRT parameters recorded on the items; the LOFT plan, which owns the
    // bank and blueprint and is shared by every request.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let bank = ItemBank::load(root.join("item-bank"))?;
    let blueprint = bank
        .blueprint(&"die-2026".into())
        .ok_or("the bank has no blueprint die-2026")?
        .clone();
    let rules = ScoringRules::from_blueprint(&blueprint)?;
    let calibrated = bank.irt_params()?;
    println!(
        "bank: {} items; blueprint {} {} ({} scored + {} pretest)",
        bank.items().len(),
        blueprint.id,
        blueprint.version,
        blueprint.scored_items,
        blueprint.pretest_items
    );
    // The handle key is the server's secret (read it from its secret store).
    let handles = HandleKey::new(*b"example-secret!!");
    let options = LoftOptions {
        max_exposure_rate: 0.3,
        ..LoftOptions::default()
    };
    let plan = LoftPlan::new(Arc::new(bank), Arc::new(blueprint), &options, handles)?;
    let mut exposure = ExposureState::default();

    // Step 2: an attempt for this candidate (seeded: the same request gives
    // the same form), counted in the exposure state.
    let candidate = CandidateId::parse("C-2026-000417")?;
    let attempt = plan.attempt(&exposure, 417)?;
    exposure.record(&attempt.form);

    // Step 3: the delivery view goes to the client as JSON.
    let view_json = serde_json::to_string(&attempt.view)?;
    let leaks = field_names(&serde_json::from_str(&view_json)?)
        .into_iter()
        .filter(|f| ["key", "rationale", "role", "stats", "item"].contains(&f.as_str()))
        .collect::<Vec<_>>();
    assert!(leaks.is_empty(), "the delivery view leaks {leaks:?}");
    assert!(
        attempt
            .form
            .slots
            .iter()
            .all(|s| !view_json.contains(s.item.as_str()))
    );
    println!(
        "form {}: {} items delivered ({} bytes of JSON, no keys, no bank ids); stored record {} bytes of JSON",
        attempt.view.form,
        attempt.view.items.len(),
        view_json.len(),
        serde_json::to_string(&attempt.record)?.len()
    );

    // Step 4: the client answers by handle. Here a simulated candidate of
    // ability θ ≈ 0.5 answers the form; its answers are put under the
    // view's handles as a delivery client would send them.
    let client_view: DeliveryView = serde_json::from_str(&view_json)?;
    let simulator = Scorer::new([(&attempt.form, &attempt.key)], &rules, &calibrated)?;
    let mut generating = HashMap::new();
    fill_generating_params(&simulator, &mut generating, 417);
    let simulation = SimulationOptions {
        ability_mean: 0.5,
        ability_sd: 1e-9,
        omit_rate: 0.02,
    };
    let simulated = simulate(&simulator, &generating, 1, &simulation, 417)?
        .submissions
        .remove(0);
    let sent = CandidateSubmission::by_handle(&simulated, plan.handles());
    assert!(
        sent.answers
            .iter()
            .all(|a| client_view.items.iter().any(|i| i.handle == a.handle))
    );
    let submission_json = serde_json::to_string(&sent)?;

    // Step 5: the server parses and scores it (after a restart it would
    // rebuild form and key from the stored record with plan.restore); bad
    // input is a typed error naming the handle, never a panic.
    let received: CandidateSubmission = serde_json::from_str(&submission_json)?;
    let (form, key) = plan.restore(&attempt.record)?;
    let scorer = CompiledFormKey::new(&form, &key, &rules, &calibrated)?;
    let report: ScoreReport = score_attempt(&scorer, &form, plan.handles(), &candidate, &received)?;

    // What a client that sends an option the item does not have gets back.
    let mut tampered = received.clone();
    if let Some(first) = tampered.answers.first_mut() {
        first.answer = Answer::Selected(vec!["no-such-option".into()]);
        match score_attempt(&scorer, &form, plan.handles(), &candidate, &tampered) {
            Err(err @ AttemptError::Answer { .. }) => println!("rejected: {err}"),
            other => return Err(format!("a bad option was not rejected: {other:?}").into()),
        }
    }

    // Step 6: store the full report; show the candidate its view.
    let out_dir = std::env::temp_dir().join("exam-engine-lms-backend");
    fs::create_dir_all(&out_dir)?;
    let path = out_dir.join(format!("{candidate}.json"));
    fs::write(&path, serde_json::to_string_pretty(&report)?)?;
    let stored: ScoreReport = serde_json::from_str(&fs::read_to_string(&path)?)?;
    assert_eq!(stored, report);
    let shown: CandidateReport = report.candidate_view();
    let shown_json = serde_json::to_string_pretty(&shown)?;
    fs::write(
        out_dir.join(format!("{candidate}.candidate.json")),
        &shown_json,
    )?;

    println!(
        "{}: raw {:.1}/{:.0} ({:.1}%), scaled {}, {}",
        shown.candidate,
        shown.raw,
        shown.max,
        shown.percent.unwrap_or(0.0),
        shown.scaled.map_or("-".into(), |s| s.to_string()),
        match shown.passed {
            Some(true) => "PASS",
            Some(false) => "FAIL",
            None => "no cut",
        }
    );
    for d in &shown.domains {
        println!(
            "  {:<24} {:>4.1}/{:<3.0} {}",
            d.domain.as_str(),
            d.raw,
            d.max,
            d.band
                .map_or("-".into(), |b| format!("{b:?}").to_lowercase())
        );
    }
    println!(
        "reports stored in {} (full) and shown to the candidate (candidate view)",
        out_dir.display()
    );
    Ok(())
}
