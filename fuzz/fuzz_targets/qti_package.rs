//! A QTI 3.0 content package as `exam import qti` reads it (a zip archive
//! with `imsmanifest.xml`), under small decompression limits. No panic;
//! and a package whose items make a bank under the shipped JTA writes
//! (`write_package`) a package that reads back to the same operational and
//! pretest items and their sets.
#![no_main]

use exam_core::bank::ItemBank;
use exam_core::ids::{DomainId, TaskId};
use exam_core::item::{ItemSet, ItemStatus};
use exam_core::jta::{CompetencyLevel, Jta, LifecyclePhase};
use exam_export::qti::import::Defaults;
use exam_export::qti::package::{Limits, read_package, write_package};
use exam_scoring::rules::ScoringRules;
use libfuzzer_sys::fuzz_target;
use std::io::Cursor;
use std::sync::LazyLock;

static JTA: LazyLock<Jta> = LazyLock::new(|| {
    serde_json::from_str(include_str!("../../item-bank/jta/jta.json")).expect("the shipped JTA")
});

/// A task of the shipped JTA, so that items without metadata can make a
/// bank; pretest, so that they are written back.
fn defaults() -> Defaults {
    Defaults {
        domain: Some(DomainId::new("automation")),
        task: Some(TaskId::new("T-AUT-01")),
        level: Some(CompetencyLevel::Intermediate),
        phase: Some(LifecyclePhase::Design),
        status: ItemStatus::Pretest,
        ..Defaults::default()
    }
}

/// Small enough that a zip bomb is refused quickly.
const LIMITS: Limits = Limits {
    entry_bytes: 1 << 20,
    total_bytes: 4 << 20,
    entries: 1_000,
};

fuzz_target!(|data: &[u8]| {
    let Ok(file) = read_package(Cursor::new(data), LIMITS, &defaults()) else {
        return;
    };
    let Ok(bank) = ItemBank::new(JTA.clone(), file.sets, file.items) else {
        return;
    };
    let mut written = Cursor::new(Vec::new());
    // The writer may refuse what it cannot express.
    if write_package(&mut written, &bank, &[], &ScoringRules::default()).is_err() {
        return;
    }
    let back = read_package(
        Cursor::new(written.into_inner()),
        Limits::default(),
        &defaults(),
    )
    .expect("a written package reads back");
    let kept: Vec<_> = bank
        .items()
        .iter()
        .filter(|i| matches!(i.status, ItemStatus::Operational | ItemStatus::Pretest))
        .collect();
    assert_eq!(back.items.iter().collect::<Vec<_>>(), kept);
    let mut sets: Vec<&ItemSet> = kept
        .iter()
        .filter_map(|i| bank.set(i.set.as_ref()?))
        .collect();
    sets.sort_by(|a, b| a.id.cmp(&b.id));
    sets.dedup_by(|a, b| a.id == b.id);
    let mut sets_back: Vec<&ItemSet> = back.sets.iter().collect();
    sets_back.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(sets_back, sets);
});
