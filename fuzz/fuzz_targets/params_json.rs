//! An item parameter document: no panic, and a document that reads writes
//! JSON that reads back equal.
#![no_main]

use exam_export::params::ParamsDocument;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(doc) = ParamsDocument::read(data, "fuzz.json") {
        let _ = doc.by_item("fuzz.json");
        let mut out = Vec::new();
        doc.write(&mut out, "fuzz.json").expect("parameters write");
        let back = ParamsDocument::read(out.as_slice(), "back.json").expect("written parameters read back");
        assert_eq!(back, doc);
    }
});
