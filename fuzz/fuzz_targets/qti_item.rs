//! A QTI 3.0 item as `exam import qti` reads it: the input is split at the
//! first NUL byte into the item document and the stimulus document it may
//! refer to. No panic, and an item that reads writes a QTI item that reads
//! back equal.
#![no_main]

use exam_core::ids::{DomainId, TaskId};
use exam_core::jta::{CompetencyLevel, LifecyclePhase};
use exam_export::qti::QtiError;
use exam_export::qti::import::{Defaults, read_item};
use exam_export::qti::item::{item_element, stimulus_element};
use exam_export::qti::manifest::ItemMetadata;
use exam_scoring::rules::ScoringRules;
use libfuzzer_sys::fuzz_target;

fn defaults() -> Defaults {
    Defaults {
        domain: Some(DomainId::new("D1")),
        task: Some(TaskId::new("D1.T1")),
        level: Some(CompetencyLevel::Intermediate),
        phase: Some(LifecyclePhase::Design),
        ..Defaults::default()
    }
}

fn read(
    item: &str,
    stimulus: &str,
) -> Result<(exam_core::item::Item, Option<exam_core::item::ItemSet>), QtiError> {
    let mut load = |href: &str| Ok((href.to_owned(), stimulus.to_owned()));
    read_item(
        "item.xml",
        item,
        &ItemMetadata::default(),
        &defaults(),
        &mut load,
    )
}

fuzz_target!(|data: &[u8]| {
    let (item, stimulus) = match data.iter().position(|&b| b == 0) {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (data, &[][..]),
    };
    let (Ok(item), Ok(stimulus)) = (std::str::from_utf8(item), std::str::from_utf8(stimulus))
    else {
        return;
    };
    let Ok((item, set)) = read(item, stimulus) else {
        return;
    };
    // The writer may refuse what it cannot express (say a scoring rule);
    // what it writes must read back as the same item and set.
    let Ok(written) = item_element(&item, set.as_ref(), &ScoringRules::default()) else {
        return;
    };
    let stimulus_back = match &set {
        Some(set) => stimulus_element(set)
            .expect("a read set writes")
            .to_document(),
        None => String::new(),
    };
    let back = read(&written.to_document(), &stimulus_back).expect("a written item reads back");
    assert_eq!(back, (item, set));
});
