//! A raw response CSV read against the forms of `tests/data/scoring`: no
//! panic, and submissions that read write a raw CSV that reads back equal.
#![no_main]

use exam_core::form::{Form, ScoringKey};
use exam_scoring::keyed::Scorer;
use exam_export::raw_csv::{read_raw_csv, write_raw_csv};
use exam_scoring::rules::ScoringRules;
use libfuzzer_sys::fuzz_target;
use std::collections::HashMap;
use std::sync::OnceLock;

const FORMS: &str = include_str!("../../tests/data/scoring/forms.json");

fn scorer() -> &'static Scorer {
    static SCORER: OnceLock<Scorer> = OnceLock::new();
    SCORER.get_or_init(|| {
        let doc: serde_json::Value = serde_json::from_str(FORMS).expect("the forms fixture");
        let forms: Vec<Form> =
            serde_json::from_value(doc["forms"].clone()).expect("the fixture's forms");
        let keys: Vec<ScoringKey> =
            serde_json::from_value(doc["scoring_keys"].clone()).expect("the fixture's keys");
        Scorer::new(forms.iter().zip(&keys), &ScoringRules::default(), &HashMap::new())
            .expect("the fixture's forms fit their keys")
    })
}

fuzz_target!(|data: &[u8]| {
    let scorer = scorer();
    if let Ok(submissions) = read_raw_csv(data, scorer) {
        let mut out = Vec::new();
        write_raw_csv(&mut out, scorer, &submissions).expect("submissions write");
        let back = read_raw_csv(out.as_slice(), scorer).expect("a written raw CSV reads back");
        assert_eq!(back.len(), submissions.len());
        for (b, s) in back.iter().zip(&submissions) {
            assert_eq!(b.candidate, s.candidate);
            assert_eq!(b.form, s.form);
        }
    }
});
