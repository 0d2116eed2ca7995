//! A bank directory: the input is split at NUL bytes into the files of a
//! bank (`jta/jta.json`, `blueprints/b.json`, then `items/0.json`, ...),
//! written to a temporary directory and loaded. No panic, and a bank that
//! loads reads back from its own document.
#![no_main]

use exam_core::bank::ItemBank;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let dir = tempfile::tempdir().expect("a temporary directory");
    for sub in ["jta", "blueprints", "items"] {
        std::fs::create_dir(dir.path().join(sub)).expect("bank folder created");
    }
    for (i, part) in data.split(|&b| b == 0).take(8).enumerate() {
        let path = match i {
            0 => dir.path().join("jta/jta.json"),
            1 => dir.path().join("blueprints/b.json"),
            n => dir.path().join(format!("items/{n}.json")),
        };
        std::fs::write(path, part).expect("bank file written");
    }
    if let Ok(bank) = ItemBank::load(dir.path()) {
        let text = serde_json::to_string(&bank.to_document()).expect("a bank serializes");
        let back = ItemBank::from_json(&text).expect("a written bank reads back");
        assert_eq!(back.to_document(), bank.to_document());
    }
});
