//! A calibration document (what `exam calibrate --format json` writes and
//! `exam record-params` reads): no panic, and a document that reads writes
//! JSON that reads back to the same record-params input.
#![no_main]

use exam_export::calibration::CalibrationDocument;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(doc) = CalibrationDocument::read(data, "fuzz.json") {
        let input = doc.to_record_input();
        let _ = doc.table();
        let mut out = Vec::new();
        doc.write(&mut out, "fuzz.json").expect("a calibration writes");
        let back = CalibrationDocument::read(out.as_slice(), "back.json")
            .expect("a written calibration reads back");
        assert_eq!(back.to_record_input(), input);
    }
});
