//! `exam pilot` end to end, run small (500 candidates, 2 forms) from a
//! folder that is not the repository: every artefact exists, reads back
//! through our own readers, and agrees with itself and with what the
//! single commands compute from the pilot's own files.

use crate::tolerance::{CLOSED_FORM, ROUNDING};
use crate::util::{exam, exam_in};
use exam_core::ids::FormId;
use exam_export::analysis::AnalysisDocument;
use exam_export::blueprint_derivation::BlueprintDerivationDocument;
use exam_export::calibration::CalibrationDocument;
use exam_export::forms::FormsDocument;
use exam_export::lti::LineItemScores;
use exam_export::params::ParamsDocument;
use exam_export::pilot::PilotSummary;
use exam_export::qti::import::Defaults;
use exam_export::qti::package::{Limits, read_package};
use exam_export::score_reports::ScoreReportsDocument;
use exam_export::scored_csv;
use exam_export::scoring_rules::{read_rules, write_rules};
use exam_export::standard_setting::{
    StandardSettingDocument, read_angoff_ratings, write_angoff_ratings,
};
use exam_export::xapi::StatementsDocument;
use exam_stats::calibration::recovery::Deviation;
use exam_stats::dif::DifClass;
use std::collections::BTreeMap;
use std::fs::File;
use std::io::BufReader;
use std::path::Path;

/// The repository's shipped bank, as an absolute path.
fn shipped_bank() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("item-bank")
        .display()
        .to_string()
}

fn open(dir: &Path, name: &str) -> BufReader<File> {
    let path = dir.join(name);
    BufReader::new(File::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
}

/// Estimates within a bound the standard errors imply: an RMSE at most
/// three times the root mean square SE (the item-block SEs err on the
/// small side, and the 3PL's priors add a little bias), plus 0.05.
fn within_se_bound(name: &str, d: &Deviation) {
    let se = d
        .rms_se
        .unwrap_or_else(|| panic!("{name}: no standard errors"));
    assert!(
        d.rmse <= 3.0 * se + 0.05,
        "{name}: RMSE {} against RMS SE {se}",
        d.rmse
    );
}

#[test]
fn a_small_pilot_from_another_folder_writes_every_artefact_and_agrees_with_itself() {
    let here = tempfile::tempdir().expect("a temporary folder");
    let bank = shipped_bank();
    let run = exam_in(
        here.path(),
        &[
            "pilot",
            "--bank",
            &bank,
            "--out",
            "run",
            "--candidates",
            "500",
            "--forms",
            "2",
            "--seed",
            "7",
        ],
    )
    .success();
    assert_eq!(
        run.stderr, "",
        "no progress drawn when stderr is not a terminal"
    );
    let dir = here.path().join("run");

    // Every file the index links exists, and the index links every file.
    let index = std::fs::read_to_string(dir.join("index.html")).expect("index.html");
    for name in [
        "summary.json",
        "blueprint.json",
        "forms.json",
        "generating-params-seed-7.json",
        "responses.csv",
        "groups.csv",
        "scored.csv",
        "analysis.json",
        "analysis.html",
        "calibration-operational.json",
        "calibration-operational.html",
        "calibration-operational-gpcm.json",
        "calibration-operational-gpcm.html",
        "calibration-pretest.json",
        "calibration-pretest.html",
        "calibration-pretest-gpcm.json",
        "calibration-pretest-gpcm.html",
        "angoff-ratings.json",
        "standard-setting.json",
        "scoring-rules.json",
        "reports.json",
        "forms.html",
        "qti-package.zip",
        "qti-usage.xml",
        "xapi-statements.json",
        "lti-ags-scores.json",
    ] {
        assert!(dir.join(name).is_file(), "{name} written");
        assert!(
            index.contains(&format!("href=\"{name}\"")),
            "index links {name}"
        );
    }

    // Each reads back through its own reader.
    let summary = PilotSummary::read(open(&dir, "summary.json"), "summary.json").expect("summary");
    let forms = FormsDocument::read(open(&dir, "forms.json"), "forms.json").expect("forms");
    let params = ParamsDocument::read(open(&dir, "generating-params-seed-7.json"), "params")
        .expect("parameters");
    let reports =
        ScoreReportsDocument::read(open(&dir, "reports.json"), "reports").expect("reports");
    let analysis =
        AnalysisDocument::read(open(&dir, "analysis.json"), "analysis").expect("analysis");
    let calibration = |name: &str| CalibrationDocument::read(open(&dir, name), name).expect(name);
    let operational = [
        calibration("calibration-operational.json"),
        calibration("calibration-operational-gpcm.json"),
    ];
    let pretest = [
        calibration("calibration-pretest.json"),
        calibration("calibration-pretest-gpcm.json"),
    ];
    // Written again from what was read, each document is the same bytes.
    let same_bytes = |name: &str, write: &dyn Fn(&mut Vec<u8>)| {
        let mut bytes = Vec::new();
        write(&mut bytes);
        let file = std::fs::read(dir.join(name)).expect(name);
        assert!(bytes == file, "{name} written again differs");
    };
    same_bytes("summary.json", &|w| summary.write(w, "s").unwrap());
    same_bytes("forms.json", &|w| forms.write(w, "f").unwrap());
    same_bytes("generating-params-seed-7.json", &|w| {
        params.write(w, "p").unwrap();
    });
    same_bytes("reports.json", &|w| reports.write(w, "r").unwrap());
    same_bytes("analysis.json", &|w| analysis.write(w, "a").unwrap());
    for (doc, name) in operational.iter().chain(&pretest).zip([
        "calibration-operational.json",
        "calibration-operational-gpcm.json",
        "calibration-pretest.json",
        "calibration-pretest-gpcm.json",
    ]) {
        same_bytes(name, &|w| doc.write(w, name).unwrap());
    }
    let matrix = scored_csv::read(
        open(&dir, "scored.csv"),
        "scored.csv",
        exam_core::responses::CsvOptions { id_column: true },
    )
    .expect("scored CSV");
    let rules = read_rules(open(&dir, "scoring-rules.json"), "rules").expect("scoring rules");
    same_bytes("scoring-rules.json", &|w| {
        write_rules(w, &rules, "rules").unwrap();
    });
    let study =
        read_angoff_ratings(open(&dir, "angoff-ratings.json"), "angoff").expect("Angoff ratings");
    same_bytes("angoff-ratings.json", &|w| {
        write_angoff_ratings(w, &study, "angoff").unwrap();
    });
    let standard_setting =
        StandardSettingDocument::read(open(&dir, "standard-setting.json"), "standard setting")
            .expect("standard setting");
    same_bytes("standard-setting.json", &|w| {
        standard_setting.write(w, "s").unwrap();
    });
    let blueprint = BlueprintDerivationDocument::read(open(&dir, "blueprint.json"), "blueprint")
        .expect("blueprint");
    same_bytes("blueprint.json", &|w| blueprint.write(w, "b").unwrap());
    assert!(blueprint.matches_derivation && blueprint.derivation.is_some());
    let package = read_package(
        open(&dir, "qti-package.zip"),
        Limits::default(),
        &Defaults::default(),
    )
    .expect("QTI package");
    let lti = LineItemScores::read(open(&dir, "lti-ags-scores.json"), "lti").expect("LTI scores");
    same_bytes("lti-ags-scores.json", &|w| lti.write(w, "l").unwrap());
    let xapi = StatementsDocument::read(open(&dir, "xapi-statements.json"), "xapi")
        .expect("xAPI statements");
    same_bytes("xapi-statements.json", &|w| xapi.write(w, "x").unwrap());
    assert!(
        !xapi.attempts.is_empty(),
        "statements for the sampled candidates"
    );
    for attempt in &xapi.attempts {
        let verbs: Vec<&str> = attempt
            .statements
            .iter()
            .map(|s| s.verb.display["en-US"].as_str())
            .collect();
        assert_eq!(verbs.first(), Some(&"initialized"), "{}", attempt.candidate);
        assert_eq!(verbs.last(), Some(&"terminated"), "{}", attempt.candidate);
    }

    // The shape of the run.
    assert_eq!(summary.seed, 7);
    assert_eq!(summary.candidates, 500);
    assert_eq!(forms.forms.len(), 2);
    assert_eq!(reports.reports.len(), 500);
    assert_eq!(matrix.n_persons(), 500);
    assert_eq!(summary.forms.len(), 2);
    assert!(summary.blueprint_matches_derivation);
    assert!(summary.candidates_not_reaching_the_end > 0);
    let on_forms: usize = forms.forms.iter().map(|f| f.slots.len()).sum();
    assert!(params.items.len() + params.gpcm_items.len() <= on_forms && !params.items.is_empty());
    // The matching items (one score point per prompt under the default
    // rules) were generated under the GPCM and scored with partial credit:
    // each column holds categories up to its number of steps, and some
    // reach above 1.
    assert!(!params.gpcm_items.is_empty(), "GPCM generating parameters");
    let max_scores = matrix.max_scores();
    let mut polytomous = 0;
    for g in &params.gpcm_items {
        let Some(column) = matrix.item_index(&g.id) else {
            continue;
        };
        assert!(usize::from(max_scores[column]) <= g.params.max_score());
        polytomous += usize::from(max_scores[column] > 1);
    }
    assert!(polytomous > 0, "partial credit in the scored matrix");
    for slot in forms.forms.iter().flat_map(|f| &f.slots) {
        assert!(
            package.items.iter().any(|i| i.id == slot.item),
            "{} in the QTI package",
            slot.item
        );
    }
    assert_eq!(lti.scores.len(), 500, "an AGS score per candidate");
    assert_eq!(
        study.items().len(),
        60,
        "the panel rated form 1's scored items"
    );

    // The pass rate in the summary is the one recomputed from the reports,
    // overall and per form, and each report's cut is its form's.
    let mut by_form: BTreeMap<&FormId, (usize, usize)> = BTreeMap::new();
    for r in &reports.reports {
        let decision = r.decision.as_ref().expect("every report has a decision");
        let form = summary
            .forms
            .iter()
            .find(|f| f.form == r.form)
            .expect("form in summary");
        assert!((decision.raw_cut - form.cut.new_raw_cut as f64).abs() < ROUNDING);
        assert!((rules.form_passing[&r.form].raw_cut - decision.raw_cut).abs() < ROUNDING);
        let entry = by_form.entry(&r.form).or_default();
        entry.0 += 1;
        entry.1 += usize::from(decision.passed);
    }
    let passed: usize = by_form.values().map(|v| v.1).sum();
    assert!((summary.pass_rate - passed as f64 / 500.0).abs() < ROUNDING);
    for f in &summary.forms {
        let (n, p) = by_form[&f.form];
        assert_eq!(f.candidates, n);
        assert!((f.pass_rate - p as f64 / n as f64).abs() < ROUNDING);
        assert!(f.decision.is_some(), "decision statistics for {}", f.form);
    }
    // Form 1's cut is the panel's rounded up.
    let panel = study.final_round(2.0).expect("final round").cut;
    let rounds = standard_setting
        .rounds
        .as_ref()
        .expect("the panel's rounds");
    assert!((rounds.last().expect("a round").cut - panel).abs() < ROUNDING);
    for f in &summary.forms {
        let carried = standard_setting.cuts.iter().find(|c| c.form == f.form);
        assert_eq!(carried.map(|c| c.cut), Some(f.cut), "{}", f.form);
    }
    assert!((summary.angoff_cut - panel).abs() < ROUNDING);
    assert!((summary.forms[0].cut.new_raw_cut as f64 - panel.ceil()).abs() < ROUNDING);

    // The DIF item is found, and the analysis document says the same.
    assert!(
        summary.dif.found,
        "the DIF item was flagged: {:?}",
        summary.dif
    );
    let dif = analysis.dif.as_ref().expect("DIF analysis");
    let item = dif
        .items
        .iter()
        .find(|d| d.id == summary.dif.item)
        .expect("DIF item");
    assert!(matches!(item.ets_class, Some(DifClass::B | DifClass::C)));
    assert!(
        item.mh_d_dif.is_some_and(|d| d < 0.0),
        "against the focal group"
    );

    // Recovery within the bound the standard errors set, for the
    // operational and the pretest items, 0/1 and GPCM apart (the GPCM
    // items' slopes and intercepts, the calibration's own parameters; the
    // steps are their transform).
    let op = summary.recovery_operational.expect("operational recovery");
    let pre = summary.recovery_pretest.expect("pretest recovery");
    let op_gpcm = summary
        .recovery_operational_gpcm
        .expect("operational GPCM recovery");
    let pre_gpcm_items = summary.recovery_pretest_gpcm.map_or(0, |r| r.items);
    assert_eq!(
        pre.items + pre_gpcm_items,
        20,
        "10 pretest slots on each of 2 forms"
    );
    let mut checked = vec![
        ("operational a", op.a),
        ("operational b", op.b),
        ("operational c", op.c.expect("3PL items")),
        ("operational GPCM a", op_gpcm.a),
        ("operational GPCM d", op_gpcm.d),
        ("pretest a", pre.a),
        ("pretest b", pre.b),
        ("pretest c", pre.c.expect("3PL items")),
    ];
    if let Some(r) = summary.recovery_pretest_gpcm {
        checked.extend([("pretest GPCM a", r.a), ("pretest GPCM d", r.d)]);
    }
    for (name, d) in &checked {
        within_se_bound(name, d);
    }
    // The fixed-item calibrations kept every anchor where the calibration
    // that estimated it put it.
    let estimated = |id: &exam_core::ids::ItemId| {
        operational
            .iter()
            .chain(&pretest)
            .flat_map(|doc| &doc.items)
            .find(|o| !o.fixed && o.id == *id)
            .and_then(|o| o.a)
    };
    for item in operational
        .iter()
        .chain(&pretest)
        .flat_map(|d| &d.items)
        .filter(|i| i.fixed)
    {
        let a = estimated(&item.id).expect("an anchor was estimated in an earlier run");
        assert!(
            (a - item.a.unwrap_or(0.0)).abs() < CLOSED_FORM,
            "{}",
            item.id
        );
    }
    let free_pretest: usize = pretest
        .iter()
        .map(|doc| doc.items.iter().filter(|i| !i.fixed).count())
        .sum();
    assert_eq!(free_pretest, 20);

    // Decisions agree with the truth far better than chance.
    let accuracy = summary.decision_accuracy.expect("accuracy").accuracy;
    assert!(accuracy > 0.8, "decision accuracy {accuracy}");

    // The files are the single commands' inputs: `exam score` with the
    // pilot's rules gives the pilot's decisions.
    let rescored = exam_in(
        &dir,
        &[
            "score",
            "--forms",
            "forms.json",
            "--responses",
            "responses.csv",
            "--scoring",
            "scoring-rules.json",
            "--format",
            "json",
        ],
    )
    .success()
    .json();
    let decisions: Vec<bool> = rescored["reports"]
        .as_array()
        .expect("reports")
        .iter()
        .map(|r| r["decision"]["passed"].as_bool().expect("decision"))
        .collect();
    let pilot_decisions: Vec<bool> = reports
        .reports
        .iter()
        .map(|r| r.decision.as_ref().is_some_and(|d| d.passed))
        .collect();
    assert_eq!(decisions, pilot_decisions);
}

#[test]
fn the_pilot_refuses_to_write_into_the_bank() {
    let bank = shipped_bank();
    let out = format!("{bank}/pilot-run");
    let run = exam(&[
        "pilot",
        "--bank",
        &bank,
        "--out",
        &out,
        "--candidates",
        "20",
    ]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("never writes into the bank"),
        "{}",
        run.stderr
    );
    assert!(!Path::new(&out).join("summary.json").exists());
    let _ = std::fs::remove_dir(&out);
}
