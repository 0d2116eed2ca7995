//! A JTA file: no panic, and a JTA that reads writes JSON that reads back
//! equal.
#![no_main]

use exam_core::bank::read_jta;
use libfuzzer_sys::fuzz_target;
use std::io::Write;

fuzz_target!(|data: &[u8]| {
    let mut file = tempfile::NamedTempFile::new().expect("a temporary file");
    file.write_all(data).expect("JTA written");
    if let Ok(jta) = read_jta(file.path()) {
        let text = serde_json::to_string(&jta).expect("a JTA serializes");
        let mut again = tempfile::NamedTempFile::new().expect("a temporary file");
        again.write_all(text.as_bytes()).expect("JTA written");
        let back = read_jta(again.path()).expect("a written JTA reads back");
        assert_eq!(back, jta);
    }
});
