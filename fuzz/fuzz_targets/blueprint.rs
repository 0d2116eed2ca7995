//! A blueprint file: no panic, and a blueprint that reads writes JSON that
//! reads back equal.
#![no_main]

use exam_core::bank::read_blueprint;
use libfuzzer_sys::fuzz_target;
use std::io::Write;

fuzz_target!(|data: &[u8]| {
    let mut file = tempfile::NamedTempFile::new().expect("a temporary file");
    file.write_all(data).expect("blueprint written");
    if let Ok(blueprint) = read_blueprint(file.path()) {
        let text = serde_json::to_string(&blueprint).expect("a blueprint serializes");
        let mut again = tempfile::NamedTempFile::new().expect("a temporary file");
        again.write_all(text.as_bytes()).expect("blueprint written");
        let back = read_blueprint(again.path()).expect("a written blueprint reads back");
        assert_eq!(back, blueprint);
    }
});
