//! A forms document: read as scoring reads it (forms with their keys) and
//! as a whole document; no panic, and a document that reads writes JSON
//! that reads back equal.
#![no_main]

use exam_export::forms::{FormsDocument, read_forms, read_forms_with_keys};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = read_forms_with_keys(data, "fuzz.json");
    let _ = read_forms(data, "fuzz.json");
    if let Ok(doc) = FormsDocument::read(data, "fuzz.json") {
        let mut out = Vec::new();
        doc.write(&mut out, "fuzz.json").expect("a forms document writes");
        let back = FormsDocument::read(out.as_slice(), "back.json").expect("a written document reads back");
        assert_eq!(back, doc);
    }
});
