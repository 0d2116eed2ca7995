//! An item file (a JSON array of items, or `{"sets", "items"}`) read with
//! the shipped mini bank's JTA: no panic, and a bank that loads writes a
//! bank document that reads back to the same bank.
#![no_main]

use exam_core::bank::ItemBank;
use libfuzzer_sys::fuzz_target;
use std::io::Write;

const JTA: &str = include_str!("../../tests/fixtures/mini-bank/jta/jta.json");

fuzz_target!(|data: &[u8]| {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let jta = dir.path().join("jta.json");
    std::fs::write(&jta, JTA).expect("JTA written");
    let mut items = tempfile::NamedTempFile::new_in(dir.path()).expect("a temporary file");
    items.write_all(data).expect("items written");
    if let Ok(bank) = ItemBank::load_items(items.path(), &jta) {
        let text = serde_json::to_string(&bank.to_document()).expect("a bank serializes");
        let back = ItemBank::from_json(&text).expect("a written bank reads back");
        assert_eq!(back.to_document(), bank.to_document());
    }
});
