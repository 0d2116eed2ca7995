//! A property of the `exam assemble` command over random banks and
//! blueprints (issue 11): it either writes forms that an independent check
//! here accepts (every form has the blueprint's scored count in each domain
//! and level, no item twice, no two enemies, only operational items in
//! scored slots), or exits 1 with an explanation; never a panic or another
//! exit status.

#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

use crate::util::exam_bounded;
use exam_core::bank::BankDocument;
use exam_core::item::{Item, ItemStatus};
use exam_core::jta::CompetencyLevel;
use exam_core::strategies::valid_bank;
use proptest::prelude::*;
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

/// Level counts (foundational, intermediate, advanced) for each domain.
type Counts = Vec<(u32, u32, u32)>;

/// A blueprint for `bank`'s JTA asking, per domain and level, for `caps`
/// (cycled over the domains) scored items but no more than the bank's
/// operational items of that cell outside sets, so that many requests can
/// be met (enemies and sets still make some infeasible);
/// weights proportional to the counts.
fn blueprint(bank: &BankDocument, caps: &Counts) -> Value {
    let operational = |domain: &str, level: CompetencyLevel| {
        bank.items
            .iter()
            .filter(|i| {
                i.status == ItemStatus::Operational
                    && i.set.is_none()
                    && i.domain.as_str() == domain
                    && i.level == level
            })
            .count() as u32
    };
    let mut per_domain: Vec<(String, (u32, u32, u32))> = bank
        .jta
        .domains
        .iter()
        .zip(caps.iter().cycle())
        .map(|(d, &(f, i, a))| {
            let id = d.id.as_str();
            let counts = (
                f.min(operational(id, CompetencyLevel::Foundational)),
                i.min(operational(id, CompetencyLevel::Intermediate)),
                a.min(operational(id, CompetencyLevel::Advanced)),
            );
            (id.to_owned(), counts)
        })
        .collect();
    let mut total: u32 = per_domain.iter().map(|(_, (f, i, a))| f + i + a).sum();
    if total == 0 {
        per_domain[0].1.1 = 1;
        total = 1;
    }
    let domains: Vec<Value> = per_domain
        .iter()
        .map(|(id, (f, i, a))| {
            json!({
                "domain": id,
                "weight": f64::from(f + i + a) / f64::from(total),
                "levels": {"foundational": f, "intermediate": i, "advanced": a},
            })
        })
        .collect();
    json!({
        "id": "prop",
        "version": "1",
        "title": "Property exam",
        "jta": bank.jta.id,
        "scored_items": total,
        "pretest_items": 0,
        "time_limit_minutes": 60,
        "passing": {"method": "property test"},
        "domains": domains,
        "derivation": "random counts",
    })
}

/// Writes the bank's files (`jta/`, `items/`, `blueprints/`) under `dir`.
fn write_bank(dir: &Path, bank: &BankDocument, blueprint: &Value) {
    for sub in ["jta", "items", "blueprints"] {
        std::fs::create_dir_all(dir.join(sub)).unwrap();
    }
    let write = |path: &str, value: &Value| {
        std::fs::write(dir.join(path), serde_json::to_string_pretty(value).unwrap()).unwrap();
    };
    write("jta/jta.json", &serde_json::to_value(&bank.jta).unwrap());
    write(
        "items/items.json",
        &json!({"sets": bank.sets, "items": bank.items}),
    );
    write("blueprints/prop.json", blueprint);
}

/// The independent check of an assembled forms document against the
/// blueprint's counts and the bank's items.
fn check_forms(doc: &Value, bank: &BankDocument, blueprint: &Value) -> Result<(), String> {
    let items: HashMap<&str, &Item> = bank.items.iter().map(|i| (i.id.as_str(), i)).collect();
    let mut wanted: BTreeMap<(String, String), u64> = BTreeMap::new();
    for d in blueprint["domains"].as_array().unwrap() {
        for (level, n) in d["levels"].as_object().unwrap() {
            let n = n.as_u64().unwrap();
            if n > 0 {
                wanted.insert((d["domain"].as_str().unwrap().to_owned(), level.clone()), n);
            }
        }
    }
    for form in doc["forms"].as_array().ok_or("no forms array")? {
        let mut seen = HashSet::new();
        let mut got: BTreeMap<(String, String), u64> = BTreeMap::new();
        for slot in form["slots"].as_array().ok_or("a form without slots")? {
            let id = slot["item"].as_str().ok_or("a slot without an item")?;
            let item = items.get(id).ok_or(format!("unknown item {id}"))?;
            if !seen.insert(id) {
                return Err(format!("item {id} twice on a form"));
            }
            if slot["role"] == "scored" {
                if item.status != ItemStatus::Operational {
                    return Err(format!("{id} is scored but not operational"));
                }
                let level = serde_json::to_value(item.level).unwrap();
                *got.entry((item.domain.to_string(), level.as_str().unwrap().to_owned()))
                    .or_default() += 1;
            }
        }
        for id in &seen {
            for enemy in &items[id].enemies {
                if seen.contains(enemy.as_str()) {
                    return Err(format!("enemies {id} and {enemy} on one form"));
                }
            }
        }
        if got != wanted {
            return Err(format!("counts {got:?}, blueprint {wanted:?}"));
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn assemble_gives_checked_forms_or_an_explanation(
        bank in valid_bank(40),
        caps in prop::collection::vec((0u32..3, 0u32..3, 0u32..3), 1..4),
        forms in 1u32..4,
        seed in 0u64..1000,
    ) {
        let dir = tempfile::tempdir().unwrap();
        let blueprint = blueprint(&bank, &caps);
        write_bank(dir.path(), &bank, &blueprint);
        let out = dir.path().join("forms.json");
        let run = exam_bounded(&[
            "assemble",
            "--bank",
            dir.path().to_str().unwrap(),
            "--blueprint",
            dir.path().join("blueprints/prop.json").to_str().unwrap(),
            "--forms",
            &forms.to_string(),
            "--seed",
            &seed.to_string(),
            "--out",
            out.to_str().unwrap(),
        ]);
        prop_assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
        match run.code {
            0 => {
                let doc: Value =
                    serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
                prop_assert_eq!(doc["forms"].as_array().map(Vec::len), Some(forms as usize));
                if let Err(why) = check_forms(&doc, &bank, &blueprint) {
                    prop_assert!(false, "{}\n{}", why, run.stderr);
                }
            }
            1 => {
                // An explanation, and no forms file.
                prop_assert!(run.stderr.trim().len() > 20, "{}", run.stderr);
                prop_assert!(!out.exists());
            }
            code => prop_assert!(false, "exit status {}: {}", code, run.stderr),
        }
    }
}
