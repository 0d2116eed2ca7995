//! What an LMS backend does with exam-engine, start to finish, on the
//! shipped item bank:
//!
//! 1. load and check the bank and the blueprint (once, at start-up);
//! 2. build an on-the-fly form for a candidate (LOFT, seeded);
//! 3. hand out the form's delivery view as JSON: no keys, no rationales;
//! 4. receive the candidate's submission as JSON (here: a simulated
//!    candidate answers the delivery view);
//! 5. score it against the form's scoring key (kept on the server);
//! 6. store the score report as JSON (here: in the system's temporary
//!    directory, `exam-engine-lms-backend/`).
//!
//! Run with `cargo run --example lms_backend`.

use exam_core::assembly::{ExposureState, LoftOptions, assemble_on_the_fly};
use exam_core::bank::ItemBank;
use exam_core::blueprint::Blueprint;
use exam_core::form::DeliveryView;
use exam_core::submission::{Answer, Submission};
use exam_scoring::form_simulation::{SimulationOptions, fill_generating_params, simulate};
use exam_scoring::keyed::{Scorer, ScoringError};
use exam_scoring::report::ScoreReport;
use exam_scoring::rules::{PassingRule, ScoringRules};
use exam_scoring::scale::{Knot, ScaleConversion};
use std::collections::HashMap;
use std::error::Error;
use std::fs;
use std::path::Path;

/// Step 1: the bank (JTA, blueprints, items), read and checked.
fn load_bank(root: &Path) -> Result<(ItemBank, Blueprint), Box<dyn Error>> {
    let bank = ItemBank::load(root)?;
    let blueprint = bank
        .blueprint(&"die-2026".into())
        .ok_or("the bank has no blueprint die-2026")?
        .clone();
    Ok((bank, blueprint))
}

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
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (bank, blueprint) = load_bank(&root.join("item-bank"))?;
    println!(
        "bank: {} items; blueprint {} {} ({} scored + {} pretest)",
        bank.items().len(),
        blueprint.id,
        blueprint.version,
        blueprint.scored_items,
        blueprint.pretest_items
    );

    // The program's scoring rules: the blueprint's cut on a 100-1000 scale
    // with the cut at 700.
    let raw_cut = blueprint
        .passing
        .raw_cut
        .ok_or("the blueprint sets no raw cut")?;
    let max = f64::from(blueprint.scored_items);
    let rules = ScoringRules {
        id: "die-2026-rules".into(),
        version: "1".into(),
        passing: Some(PassingRule {
            raw_cut: f64::from(raw_cut),
            source: format!(
                "blueprint {} {}: {}",
                blueprint.id, blueprint.version, blueprint.passing.method
            ),
            scale: Some(ScaleConversion::through_cut(
                Knot {
                    score: 0.0,
                    scaled: 100.0,
                },
                Knot {
                    score: f64::from(raw_cut),
                    scaled: 700.0,
                },
                Knot {
                    score: max,
                    scaled: 1000.0,
                },
            )?),
        }),
        ..ScoringRules::default()
    };

    // Step 2: a form for this candidate (seeded: the same request gives the
    // same form), and the server-side scoring key.
    let candidate = "C-2026-000417";
    let (form, exposure) = assemble_on_the_fly(
        &bank,
        &blueprint,
        &LoftOptions::default(),
        &ExposureState::default(),
        417,
    )?;
    let key = form.scoring_key(&bank)?;

    // Step 3: the delivery view goes to the client as JSON.
    let view = form.delivery_view(&bank, blueprint.time_limit_minutes)?;
    let view_json = serde_json::to_string(&view)?;
    let leaks = field_names(&serde_json::from_str(&view_json)?)
        .into_iter()
        .filter(|f| ["key", "rationale", "role", "stats"].contains(&f.as_str()))
        .collect::<Vec<_>>();
    assert!(leaks.is_empty(), "the delivery view leaks {leaks:?}");
    println!(
        "form {}: {} items delivered ({} bytes of JSON, no keys); exposure now {} form(s)",
        view.form,
        view.items.len(),
        view_json.len(),
        exposure.forms_delivered
    );

    // Step 4: the client answers and sends a submission back as JSON. Here a
    // simulated candidate of ability θ ≈ 0.5 answers from the view's items.
    let client_view: DeliveryView = serde_json::from_str(&view_json)?;
    // IRT parameters recorded in the bank (calibrated items): when every
    // counted item has them, the report carries θ and its SE.
    let calibrated: HashMap<_, _> = bank
        .items()
        .iter()
        .filter_map(|i| {
            let params = i.stats.irt.as_ref()?.params().ok()?;
            Some((i.id.clone(), params))
        })
        .collect();
    let scorer = Scorer::new([(&form, &key)], &rules, &calibrated)?;
    let mut params = HashMap::new();
    fill_generating_params(&scorer, &mut params, 417);
    let options = SimulationOptions {
        ability_mean: 0.5,
        ability_sd: 1e-9,
        omit_rate: 0.02,
    };
    let mut simulated = simulate(&scorer, &params, 1, &options, 417)?
        .submissions
        .remove(0);
    simulated.candidate = candidate.into();
    assert!(
        simulated
            .answers
            .iter()
            .all(|a| client_view.items.iter().any(|i| i.item == a.item))
    );
    let submission_json = serde_json::to_string(&simulated)?;

    // Step 5: the server parses and scores it; bad input would be a typed
    // error naming the candidate and item, never a panic.
    let received: Submission = serde_json::from_str(&submission_json)?;
    let report: ScoreReport = scorer.report(&received)?;

    // What a client that sends an option the item does not have gets back:
    // a typed error naming the candidate and the item.
    let mut tampered = received.clone();
    if let Some(first) = tampered.answers.first_mut() {
        first.answer = Answer::Selected(vec!["no-such-option".into()]);
        match scorer.score(&tampered) {
            Err(err @ ScoringError::InvalidAnswer { .. }) => println!("rejected: {err}"),
            other => return Err(format!("a bad option was not rejected: {other:?}").into()),
        }
    }

    // Step 6: store the report as JSON.
    let out_dir = std::env::temp_dir().join("exam-engine-lms-backend");
    fs::create_dir_all(&out_dir)?;
    let path = out_dir.join(format!("{candidate}.json"));
    fs::write(&path, serde_json::to_string_pretty(&report)?)?;
    let stored: ScoreReport = serde_json::from_str(&fs::read_to_string(&path)?)?;
    assert_eq!(stored, report);

    let decision = report.decision.as_ref().ok_or("no decision")?;
    println!(
        "{}: raw {:.1}/{:.0} ({:.1}%), scaled {}, {} (cut {} from {})",
        report.candidate,
        report.raw,
        report.max,
        report.percent.unwrap_or(0.0),
        report.scaled.map_or("-".into(), |s| s.to_string()),
        if decision.passed { "PASS" } else { "FAIL" },
        decision.raw_cut,
        decision.source
    );
    match &report.theta {
        Some(t) => println!("  theta {:.3} (SE {:.3}, {})", t.theta, t.se, t.method),
        None => println!("  theta: not reported (the bank's items carry no IRT parameters yet)"),
    }
    for d in &report.domains {
        println!(
            "  {:<24} {:>4.1}/{:<3.0} {}",
            d.domain.as_str(),
            d.raw,
            d.max,
            d.band
                .map_or("-".into(), |b| format!("{b:?}").to_lowercase())
        );
    }
    println!("report stored in {}", path.display());
    Ok(())
}
