//! A scored response CSV, with and without an id column: no panic, and a
//! matrix that reads (with ids) writes a CSV that reads back equal.
#![no_main]

use exam_core::responses::CsvOptions;
use exam_export::scored_csv;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = scored_csv::read(data, "fuzz.csv", CsvOptions { id_column: false });
    if let Ok(matrix) = scored_csv::read(data, "fuzz.csv", CsvOptions { id_column: true }) {
        let mut out = Vec::new();
        scored_csv::write(&mut out, &matrix, "fuzz.csv").expect("a matrix writes");
        let back = scored_csv::read(out.as_slice(), "back.csv", CsvOptions { id_column: true })
            .expect("a written scored CSV reads back");
        assert_eq!(back.persons(), matrix.persons());
        assert_eq!(back.items(), matrix.items());
        for person in 0..matrix.n_persons() {
            for item in 0..matrix.n_items() {
                assert_eq!(back.cell(person, item), matrix.cell(person, item));
            }
        }
    }
});
