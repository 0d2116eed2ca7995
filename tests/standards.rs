//! The standards end to end: `exam export qti` / `exam import qti` on the
//! shipped bank and four assembled forms, the 1EdTech examples, golden item
//! files, refused packages, and the attempt formats (results, xAPI, AGS).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::util::{Run, check, exam, export_lti_ags, export_xapi};
use exam_core::bank::ItemBank;
use exam_core::item::{Interaction, ItemFile};
use exam_export::qti::item::item_element;
use exam_scoring::rules::ScoringRules;
use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use zip::write::SimpleFileOptions;

/// A folder of its own for one test, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(test: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("exam-std-{test}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    fn path(&self, name: &str) -> String {
        self.0.join(name).to_str().unwrap().to_owned()
    }

    fn listing(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&self.0)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn failure(run: &Run) -> &str {
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    &run.stderr
}

/// The shipped bank's four assembled forms (the README's command) in `dir`.
fn forms(dir: &Scratch) -> String {
    let forms = dir.path("forms.json");
    exam(&["assemble", "--forms", "4", "--seed", "1", "--out", &forms]).success();
    forms
}

fn read_items(path: &str) -> ItemFile {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn the_shipped_bank_and_four_forms_export_and_import_back_unchanged() {
    let dir = Scratch::new("roundtrip");
    let forms = forms(&dir);
    let pkg = dir.path("bank.zip");
    exam(&["export", "qti", "--out", &pkg, "--forms", &forms]).success();
    let back = dir.path("items.json");
    exam(&["import", "qti", &pkg, "--out", &back]).success();
    let imported = read_items(&back);
    let bank = ItemBank::load("item-bank").unwrap();
    assert_eq!(imported.items.len(), bank.items().len());
    for item in bank.items() {
        let got = imported.items.iter().find(|i| i.id == item.id).unwrap();
        assert_eq!(got, item, "{}", item.id);
    }
    assert_eq!(imported.sets.len(), bank.sets().len());
    for set in bank.sets() {
        assert!(imported.sets.contains(set), "{}", set.id);
    }
    // One test per form, item references in delivery order.
    let file = std::fs::File::open(&pkg).unwrap();
    let mut zip = zip::ZipArchive::new(file).unwrap();
    let tests: Vec<String> = zip
        .file_names()
        .filter(|n| n.starts_with("tests/"))
        .map(str::to_owned)
        .collect();
    assert_eq!(tests.len(), 4);
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&forms).unwrap()).unwrap();
    let form = &doc["forms"][0];
    let name = format!("tests/{}.xml", form["id"].as_str().unwrap());
    let mut text = String::new();
    std::io::Read::read_to_string(&mut zip.by_name(&name).unwrap(), &mut text).unwrap();
    let refs: Vec<&str> = text
        .match_indices("qti-assessment-item-ref identifier=\"")
        .map(|(at, m)| {
            let rest = &text[at + m.len()..];
            &rest[..rest.find('"').unwrap()]
        })
        .collect();
    let slots: Vec<&str> = form["slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["item"].as_str().unwrap())
        .collect();
    assert_eq!(refs, slots);
    assert!(text.contains("<qti-ordering shuffle=\"false\"/>"));
}

#[test]
fn golden_items_one_of_each_kind() {
    let bank = ItemBank::load("item-bank").unwrap();
    for id in ["AUT-001", "AUT-005", "AUT-022", "AUT-008"] {
        let item = bank.item(&id.into()).unwrap();
        let set = item.set.as_ref().and_then(|s| bank.set(s));
        let xml = item_element(item, set, &ScoringRules::default())
            .unwrap()
            .to_document();
        check(&format!("tests/golden/qti/{id}.xml"), &xml);
    }
}

fn import_example(name: &str, dir: &Scratch) -> ItemFile {
    let out = dir.path(&format!("{name}.json"));
    exam(&[
        "import",
        "qti",
        &format!("tests/data/qti3-examples/{name}"),
        "--out",
        &out,
        "--domain",
        "d",
        "--task",
        "T-1",
        "--level",
        "foundational",
        "--phase",
        "design",
    ])
    .success();
    read_items(&out)
}

#[test]
fn the_1edtech_examples_of_the_four_kinds_import() {
    let dir = Scratch::new("examples");
    let tf = import_example("TF-choice.xml", &dir);
    let item = &tf.items[0];
    assert_eq!(item.id.as_str(), "TF-choice");
    assert_eq!(item.stem, "An octahedron has 12 faces.");
    assert_eq!(item.status.as_str(), "draft");
    let Interaction::SingleChoice { options, key } = &item.interaction else {
        panic!("{:?}", item.interaction)
    };
    assert_eq!(key.as_str(), "ChoiceB");
    assert_eq!(options[0].text, "True");
    assert_eq!(
        options[0].rationale.as_deref(),
        Some("No, an octahedron has 8 faces.")
    );
    assert!(!item.shuffle_options);

    let mr = import_example("MultipleAnswer-choice-materials.xml", &dir);
    let item = &mr.items[0];
    assert_eq!(
        item.stem,
        "Select the application(s) for which aluminium alloy is most suitable:"
    );
    let Interaction::MultipleResponse {
        options,
        key,
        select,
    } = &item.interaction
    else {
        panic!("{:?}", item.interaction)
    };
    let key: Vec<&str> = key.iter().map(|k| k.as_str()).collect();
    assert_eq!(key, ["A", "I"]);
    assert_eq!(options.len(), 4);
    assert_eq!(options[3].text, "Racing cars");
    assert_eq!(*select, None);

    let order = import_example("Order_913967682.xml", &dir);
    let item = &order.items[0];
    assert_eq!(
        item.stem,
        "Sortiere die genannten Parteien nach Ihrer Sitzverteilung im Landtag Sachsen. Beginne mit der stärksten Partei."
    );
    let Interaction::Ordering { options, key } = &item.interaction else {
        panic!("{:?}", item.interaction)
    };
    assert_eq!(
        options.iter().map(|o| o.text.as_str()).collect::<Vec<_>>(),
        ["CDU", "Die Linke", "SDP", "Grüne", "NPD"]
    );
    assert_eq!(
        key.iter().map(|k| k.as_str()).collect::<Vec<_>>(),
        ["Choice0", "Choice1", "Choice2", "Choice3", "Choice4"]
    );

    let matching = import_example("match_qti3.xml", &dir);
    let item = &matching.items[0];
    assert_eq!(
        item.stem,
        "Match the following characters to the Shakespeare play they appeared in:"
    );
    let Interaction::Matching {
        prompts,
        options,
        key,
    } = &item.interaction
    else {
        panic!("{:?}", item.interaction)
    };
    assert_eq!(prompts.len(), 4);
    assert_eq!(options.len(), 3);
    let pairs: Vec<(&str, &str)> = key
        .iter()
        .map(|p| (p.prompt.as_str(), p.option.as_str()))
        .collect();
    assert_eq!(pairs, [("C", "R"), ("D", "M"), ("L", "M"), ("P", "T")]);
}

#[test]
fn an_example_without_metadata_or_defaults_is_refused_naming_the_field() {
    let dir = Scratch::new("nometa");
    let out = dir.path("x.json");
    let run = exam(&[
        "import",
        "qti",
        "tests/data/qti3-examples/TF-choice.xml",
        "--out",
        &out,
    ]);
    let err = failure(&run);
    assert!(
        err.contains("TF-choice.xml") && err.contains("domain"),
        "{err}"
    );
    assert!(!Path::new(&out).exists());
}

const ITEM_HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<qti-assessment-item xmlns="http://www.imsglobal.org/xsd/imsqtiasi_v3p0" identifier="X1" title="X1" time-dependent="false">"#;

fn bad_item(dir: &Scratch, name: &str, body: &str) -> String {
    let path = dir.path(name);
    std::fs::write(
        &path,
        format!("{ITEM_HEAD}\n{body}\n</qti-assessment-item>\n"),
    )
    .unwrap();
    let out = dir.path(&format!("{name}.json"));
    let run = exam(&[
        "import", "qti", &path, "--out", &out, "--domain", "d", "--task", "t", "--level",
        "advanced", "--phase", "design",
    ]);
    assert!(!Path::new(&out).exists());
    failure(&run).to_owned()
}

#[test]
fn bad_items_are_refused_naming_file_line_and_element() {
    let dir = Scratch::new("baditems");
    let err = bad_item(
        &dir,
        "text.xml",
        r#"<qti-response-declaration identifier="RESPONSE" cardinality="single" base-type="string"/>
<qti-item-body><p>Name it</p><qti-text-entry-interaction response-identifier="RESPONSE"/></qti-item-body>"#,
    );
    assert!(
        err.contains("text.xml: line 4: `qti-text-entry-interaction`: interaction kind"),
        "{err}"
    );

    let err = bad_item(
        &dir,
        "nokey.xml",
        r#"<qti-response-declaration identifier="RESPONSE" cardinality="single" base-type="identifier"/>
<qti-item-body><qti-choice-interaction response-identifier="RESPONSE" max-choices="1"><qti-simple-choice identifier="A">a</qti-simple-choice></qti-choice-interaction></qti-item-body>"#,
    );
    assert!(
        err.contains("nokey.xml: line 3: `qti-response-declaration`: missing correct response"),
        "{err}"
    );

    let err = bad_item(
        &dir,
        "broken.xml",
        "<qti-item-body>\n<p>open\n</qti-item-body>",
    );
    assert!(err.contains("broken.xml: line 5: broken XML"), "{err}");

    let err = bad_item(
        &dir,
        "stim.xml",
        r#"<qti-response-declaration identifier="RESPONSE" cardinality="single" base-type="identifier"><qti-correct-response><qti-value>A</qti-value></qti-correct-response></qti-response-declaration>
<qti-assessment-stimulus-ref identifier="S" href="../../etc/passwd"/>
<qti-item-body><qti-choice-interaction response-identifier="RESPONSE" max-choices="1"><qti-simple-choice identifier="A">a</qti-simple-choice></qti-choice-interaction></qti-item-body>"#,
    );
    assert!(
        err.contains("`../../etc/passwd`") && err.contains("leaves the package"),
        "{err}"
    );
}

enum Entry<'a> {
    File(&'a str, Vec<u8>),
    Symlink(&'a str, &'a str),
}

fn bad_package(dir: &Scratch, name: &str, entries: &[Entry<'_>]) -> String {
    let path = dir.path(name);
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for entry in entries {
        match entry {
            Entry::File(n, bytes) => {
                zip.start_file(*n, options).unwrap();
                zip.write_all(bytes).unwrap();
            }
            Entry::Symlink(n, target) => zip.add_symlink(*n, *target, options).unwrap(),
        }
    }
    zip.finish().unwrap();
    let before = dir.listing();
    let out = dir.path(&format!("{name}.json"));
    let run = exam(&["import", "qti", &path, "--out", &out]);
    assert_eq!(
        dir.listing(),
        before,
        "nothing is written on a refused package"
    );
    failure(&run).to_owned()
}

#[test]
fn unsafe_packages_are_refused_naming_the_entry() {
    let dir = Scratch::new("badpkg");
    let manifest = || Entry::File("imsmanifest.xml", b"<manifest/>".to_vec());
    let err = bad_package(
        &dir,
        "dots.zip",
        &[manifest(), Entry::File("../evil.xml", b"x".to_vec())],
    );
    assert!(
        err.contains("package entry `../evil.xml`: path leaves the package"),
        "{err}"
    );
    let err = bad_package(
        &dir,
        "abs.zip",
        &[manifest(), Entry::File("/tmp/evil.xml", b"x".to_vec())],
    );
    assert!(
        err.contains("package entry `/tmp/evil.xml`: absolute path"),
        "{err}"
    );
    let err = bad_package(
        &dir,
        "link.zip",
        &[manifest(), Entry::Symlink("items/a.xml", "/etc/passwd")],
    );
    assert!(
        err.contains("package entry `items/a.xml`: symbolic link"),
        "{err}"
    );
    // 64 MiB of zeros compresses to about 64 KiB: past the 16 MiB cap.
    let bomb = vec![0u8; 64 << 20];
    let err = bad_package(&dir, "bomb.zip", &[Entry::File("imsmanifest.xml", bomb)]);
    assert!(
        err.contains("package entry `imsmanifest.xml`: decompresses to more than"),
        "{err}"
    );
    let err = bad_package(
        &dir,
        "broken.zip",
        &[Entry::File(
            "imsmanifest.xml",
            b"<manifest><resources>".to_vec(),
        )],
    );
    assert!(err.contains("imsmanifest.xml: line 1: broken XML"), "{err}");
}

#[test]
fn import_never_overwrites_a_file() {
    let dir = Scratch::new("overwrite");
    let bank_file = "item-bank/items/automation.json";
    let before = std::fs::read(bank_file).unwrap();
    let run = exam(&[
        "import",
        "qti",
        "tests/data/qti3-examples/TF-choice.xml",
        "--out",
        bank_file,
        "--domain",
        "d",
        "--task",
        "t",
        "--level",
        "advanced",
        "--phase",
        "design",
    ]);
    assert!(failure(&run).contains("never overwrites"), "{}", run.stderr);
    assert_eq!(std::fs::read(bank_file).unwrap(), before);
    drop(dir);
}

/// Forms, 30 simulated candidates (JSON submissions) and their reports.
fn attempts(dir: &Scratch) -> (String, String, String) {
    let forms = forms(dir);
    let responses = dir.path("responses.json");
    exam(&[
        "simulate",
        "--forms",
        &forms,
        "--candidates",
        "30",
        "--seed",
        "3",
        "--out",
        &responses,
    ])
    .success();
    let reports = dir.path("reports.json");
    exam(&[
        "score",
        "--forms",
        &forms,
        "--responses",
        &responses,
        "--blueprint",
        "item-bank/blueprints/die-2026.json",
        "--out",
        &reports,
    ])
    .success();
    (forms, responses, reports)
}

#[test]
fn attempts_export_as_cmi5_statements_ags_scores_and_results() {
    let dir = Scratch::new("attempts");
    let (forms, responses, reports) = attempts(&dir);
    let xapi = |out: &str| {
        export_xapi(&forms, &responses, &reports, out);
        std::fs::read_to_string(out).unwrap()
    };
    let first = xapi(&dir.path("a.json"));
    assert_eq!(
        first,
        xapi(&dir.path("b.json")),
        "same input, same statements and ids"
    );
    let doc: Value = serde_json::from_str(&first).unwrap();
    let report_doc: Value =
        serde_json::from_str(&std::fs::read_to_string(&reports).unwrap()).unwrap();
    let attempts = doc["attempts"].as_array().unwrap();
    assert_eq!(attempts.len(), 30);
    for (attempt, report) in attempts
        .iter()
        .zip(report_doc["reports"].as_array().unwrap())
    {
        let s = attempt["statements"].as_array().unwrap();
        let verbs: Vec<&str> = s
            .iter()
            .map(|s| s["verb"]["display"]["en-US"].as_str().unwrap())
            .collect();
        let n_items = report["items"].as_array().unwrap().len();
        let decision = if report["decision"]["passed"].as_bool().unwrap() {
            "passed"
        } else {
            "failed"
        };
        let mut expected = vec!["initialized"];
        expected.extend(std::iter::repeat_n("answered", n_items));
        expected.extend(["completed", decision, "terminated"]);
        assert_eq!(verbs, expected);
        let registration = &s[0]["context"]["registration"];
        for st in s {
            assert_eq!(&st["context"]["registration"], registration);
            assert_eq!(st["actor"]["account"]["name"], report["candidate"]);
            assert!(st["actor"].get("mbox").is_none());
        }
        assert_eq!(s[n_items + 2]["result"]["score"]["raw"], report["raw"]);
    }

    let ags = dir.path("scores.json");
    export_lti_ags(&reports, &ags);
    let scores: Value = serde_json::from_str(&std::fs::read_to_string(&ags).unwrap()).unwrap();
    assert_eq!(
        scores["scoresUrl"],
        "https://lms.example/lineitems/9/scores"
    );
    let first = &scores["scores"][0];
    let report = &report_doc["reports"][0];
    assert_eq!(first["userId"], report["candidate"]);
    assert_eq!(first["scoreGiven"], report["raw"]);
    assert_eq!(first["scoreMaximum"], report["max"]);
    assert_eq!(first["gradingProgress"], "FullyGraded");

    let results = dir.path("results");
    exam(&[
        "export",
        "qti-results",
        "--forms",
        &forms,
        "--reports",
        &reports,
        "--responses",
        &responses,
        "--timestamp",
        "2026-03-01T10:00:00Z",
        "--out",
        &results,
    ])
    .success();
    assert_eq!(std::fs::read_dir(&results).unwrap().count(), 30);
}
