//! A submissions JSON document read by exam-export: no panic, and
//! submissions that read write a document that reads back equal.
#![no_main]

use exam_export::submissions::{read_submissions_json, write_submissions_json};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(submissions) = read_submissions_json(text) {
        let mut out = Vec::new();
        write_submissions_json(&mut out, &submissions).expect("submissions write");
        let back = read_submissions_json(std::str::from_utf8(&out).expect("UTF-8 JSON"))
            .expect("written submissions read back");
        assert_eq!(back, submissions);
    }
});
