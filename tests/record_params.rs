//! `exam record-params` end to end: calibrate LSAT6 under the mini bank's
//! item ids, record the parameters into a copy of the bank, check the item
//! files and that the bank still validates; an unknown id fails and leaves
//! the files as they were.

#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

use crate::reference_data::reference;
use crate::util::{Run, ScratchFile, exam, validate};
use serde_json::Value;
use std::path::{Path, PathBuf};

const IDS: [&str; 5] = ["INF-001", "INF-002", "INF-003", "INF-004", "INF-005"];

/// A copy of `tests/fixtures/mini-bank` in a temporary directory of its own.
struct BankCopy(PathBuf);

impl BankCopy {
    fn new(test: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("exam-record-{test}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mini-bank");
        for sub in ["jta", "items", "blueprints"] {
            std::fs::create_dir_all(dir.join(sub)).unwrap();
            for entry in std::fs::read_dir(from.join(sub)).unwrap() {
                let path = entry.unwrap().path();
                std::fs::copy(&path, dir.join(sub).join(path.file_name().unwrap())).unwrap();
            }
        }
        Self(dir)
    }

    fn path(&self) -> &str {
        self.0.to_str().unwrap()
    }

    fn items(&self, name: &str) -> String {
        std::fs::read_to_string(self.0.join("items").join(name)).unwrap()
    }
}

impl Drop for BankCopy {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// LSAT6 (1000 persons, 5 items) with its columns named after INF-001..005.
fn responses(test: &str) -> ScratchFile {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/reference/lsat6.csv");
    let text = std::fs::read_to_string(path).unwrap();
    let body = text.split_once('\n').unwrap().1;
    ScratchFile::new(test, "responses.csv", &format!("{}\n{body}", IDS.join(",")))
}

/// The item `id` of an item file's text.
fn item<'a>(file: &'a Value, id: &str) -> &'a Value {
    file["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == id)
        .unwrap()
}

#[test]
fn calibrated_parameters_land_in_the_items_with_provenance() {
    let bank = BankCopy::new("lands");
    let csv = responses("record-lands");
    let calibrated = exam(&[
        "calibrate",
        "--model",
        "2pl",
        "--responses",
        csv.path(),
        "--no-id",
        "--format",
        "json",
    ])
    .success();
    let params = ScratchFile::new("record-lands-params", "params.json", &calibrated.stdout);
    let communication = bank.items("communication.json");
    let args = |extra: &[&'static str]| {
        let mut args = vec![
            "record-params",
            "--bank",
            bank.path(),
            "--params",
            params.path(),
            "--dataset",
            "LSAT6 (Bock & Lieberman 1970)",
            "--date",
            "2026-11-26",
        ];
        args.extend_from_slice(extra);
        args
    };

    // A dry run reports the changes and writes nothing.
    let before = bank.items("infrastructure.json");
    let dry = exam(&args(&["--dry-run"])).success();
    assert_eq!(dry.lines().len(), 6, "{}", dry.stdout);
    assert!(
        dry.stdout
            .starts_with("INF-001          none -> 2pl a 0.82"),
        "{}",
        dry.stdout
    );
    assert_eq!(bank.items("infrastructure.json"), before);

    let run = exam(&args(&["--format", "json"])).success().json();
    assert_eq!(run["written"], true);
    assert_eq!(run["updated"].as_array().unwrap().len(), 5);
    assert!(run["updated"][0]["old"].is_null());

    let file: Value = serde_json::from_str(&bank.items("infrastructure.json")).unwrap();
    let want = &reference("lsat6")["twopl_mml"];
    let estimates = calibrated.json();
    for (j, id) in IDS.iter().enumerate() {
        let irt = &item(&file, id)["stats"]["irt"];
        let got = &estimates["items"][j];
        assert_eq!(got["id"], *id);
        // Exactly what calibrate estimated, which agrees with mirt (the
        // 0.01 tolerance of SOURCE-README.md).
        for key in ["a", "b", "c"] {
            assert_eq!(irt[key], got[key], "{id} {key}");
        }
        for key in ["a", "b"] {
            let y = want[key][j].as_f64().unwrap();
            assert!((irt[key].as_f64().unwrap() - y).abs() < 0.01, "{id} {key}");
            assert_eq!(irt["se"][key], got[format!("se_{key}")], "{id} se_{key}");
        }
        assert_eq!(irt["model"], "2pl");
        assert_eq!(
            irt["provenance"],
            serde_json::json!({
                "dataset": "LSAT6 (Bock & Lieberman 1970)",
                "date": "2026-11-26",
                "sample_size": 1000,
                "run": "ML 2pl"
            })
        );
    }
    // Items outside the calibration keep no IRT statistics; the other file is untouched.
    assert!(item(&file, "INF-006").get("stats").is_none());
    assert_eq!(bank.items("communication.json"), communication);
    validate(bank.path(), &[]).success();
}

#[test]
fn an_unknown_id_fails_naming_it_and_changes_nothing() {
    let bank = BankCopy::new("unknown");
    let params = ScratchFile::new(
        "record-unknown",
        "params.json",
        r#"{"model": "2pl", "n_persons": 200, "items": [
             {"id": "INF-001", "a": 1.1, "b": 0.2},
             {"id": "INF-999", "a": 0.9, "b": -0.4}]}"#,
    );
    let before = (
        bank.items("infrastructure.json"),
        bank.items("communication.json"),
    );
    let run = record_on(bank.path(), params.path(), "2026-11-26");
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("not in the bank: `INF-999`"),
        "{}",
        run.stderr
    );
    assert_eq!(
        (
            bank.items("infrastructure.json"),
            bank.items("communication.json")
        ),
        before
    );
    // A date that is not a calendar date fails the same way.
    let run = record_on(bank.path(), params.path(), "2026-11-31");
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("2026-11-31"), "{}", run.stderr);
}

/// Runs `exam record-params` on `bank` with data set `d` and `date`.
fn record_on(bank: &str, params: &str, date: &str) -> Run {
    exam(&[
        "record-params",
        "--bank",
        bank,
        "--params",
        params,
        "--dataset",
        "d",
        "--date",
        date,
    ])
}
