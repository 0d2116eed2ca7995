//! `exam report` end to end: every number a report shows is the one the
//! computing command prints as JSON for the same input (read back from the
//! page's `data-value` attributes), the page structure is pinned by golden
//! outlines, undefined statistics carry their reason, bad input fails as
//! the computing command does, and nothing is printed on a non-terminal.

use crate::util::{ScratchFile, check, exam};
use serde_json::Value;

/// A scratch directory for one test's files.
fn scratch(test: &str) -> ScratchFile {
    ScratchFile::new(test, "placeholder", "")
}

/// The sibling of the scratch file `dir` named `name`.
fn path_in(dir: &ScratchFile, name: &str) -> String {
    std::path::Path::new(dir.path())
        .with_file_name(name)
        .to_str()
        .expect("UTF-8 path")
        .to_owned()
}

/// Runs `exam report <args> --out <file>` and returns the page.
fn report(dir: &ScratchFile, name: &str, args: &[&str]) -> String {
    let out = path_in(dir, name);
    let mut all = vec!["report"];
    all.extend_from_slice(args);
    all.extend(["--out", &out]);
    let run = exam(&all).success();
    assert_eq!(
        run.stderr, "",
        "nothing on stderr when it is not a terminal"
    );
    assert_eq!(run.stdout, "");
    std::fs::read_to_string(&out).expect("the report was written")
}

/// The text from `start` to the next `end` after it.
fn slice<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let from = html
        .find(start)
        .unwrap_or_else(|| panic!("no `{start}` in the page"));
    let rest = &html[from..];
    &rest[..rest.find(end).unwrap_or(rest.len())]
}

/// The `data-value` of the first tag carrying `marker` in `html`, or
/// `None` when that cell shows an undefined statistic.
fn value_after(html: &str, marker: &str) -> Option<f64> {
    let at = html.find(marker).unwrap_or_else(|| panic!("no `{marker}`"));
    let tag = html[..at + marker.len()].rfind('<').expect("a tag");
    cell_value(&html[tag..])
}

/// The `data-value` of the tag `tag` starts with (`None` for an
/// undefined statistic).
fn cell_value(tag: &str) -> Option<f64> {
    let tag = &tag[..tag.find('>').expect("tag end")];
    if tag.contains("class=\"undef\"") {
        return None;
    }
    let v = tag.split("data-value=\"").nth(1).expect("a data-value");
    Some(v[..v.find('"').expect("quote")].parse().expect("a number"))
}

fn same(page: Option<f64>, json: &Value, what: &str) {
    match (page, json.as_f64()) {
        (Some(a), Some(b)) => assert_eq!(a.to_bits(), b.to_bits(), "{what}: page {a}, JSON {b}"),
        (None, None) => {}
        (a, _) => panic!("{what}: page {a:?}, JSON {json}"),
    }
}

const ASVAB: &[&str] = &[
    "--responses",
    "tests/data/reference/asvab.csv",
    "--no-id",
    "--cut",
    "2",
    "--groups",
    "tests/data/reference/asvab_groups.csv",
    "--group-column",
    "sex",
    "--focal",
    "Female",
];

#[test]
fn analysis_report_numbers_are_the_analyze_json() {
    let dir = scratch("report-analysis");
    let html = report(&dir, "asvab.html", &[&["analysis"], ASVAB].concat());
    let json = exam(&[&["analyze", "--format", "json"], ASVAB].concat())
        .success()
        .json();
    for item in json["items"].as_array().unwrap() {
        let id = item["id"].as_str().unwrap();
        let section = slice(&html, &format!("data-item=\"{id}\">\n<h3"), "</section>");
        same(
            value_after(section, "data-stat=\"p_value\""),
            &item["p_value"],
            id,
        );
        same(
            value_after(section, "data-stat=\"point_biserial\""),
            &item["point_biserial"],
            id,
        );
    }
    let form = &json["forms"][0];
    for (row, field) in [
        ("Alpha", "alpha"),
        ("KR-21", "kr21"),
        ("SEM", "sem"),
        ("Mean score", "mean"),
    ] {
        same(
            value_after(&html, &format!("<th scope=\"row\">{row}</th><td")),
            &form[field],
            row,
        );
    }
    same(
        value_after(&html, "<th scope=\"row\">Proportion passing</th><td"),
        &form["cut"]["proportion_passing"],
        "proportion passing",
    );
    // DIF class per item, as the analysis has it.
    for d in json["dif"]["items"].as_array().unwrap() {
        let id = d["id"].as_str().unwrap();
        let row = slice(&html, &format!("data-item=\"{id}\"><th"), "</tr>");
        let class = d["ets_class"].as_str().unwrap_or("n/a");
        assert!(
            row.contains(&format!("<td class=\"text\">{class}</td>")),
            "{row}"
        );
    }
}

#[test]
fn raw_analysis_report_has_the_option_tables_of_the_distractor_analysis() {
    let dir = scratch("report-raw");
    let args = [
        "--raw",
        "tests/data/analyze-raw/responses.csv",
        "--forms",
        "tests/data/scoring/forms.json",
    ];
    let html = report(&dir, "raw.html", &[&["analysis"][..], &args].concat());
    let json = exam(&[&["analyze", "--format", "json"][..], &args].concat())
        .success()
        .json();
    for d in json["distractors"].as_array().unwrap() {
        let id = d["id"].as_str().unwrap();
        let section = slice(&html, &format!("data-item=\"{id}\">\n<h3"), "</section>");
        assert!(section.contains("<svg"), "{id}: a quantile plot");
        for o in d["options"].as_array().unwrap() {
            let label = o["choice"]["option"].as_str().unwrap_or("no answer");
            let row = slice(section, &format!("data-option=\"{label}\"><th"), "</tr>");
            let key_row = format!("<tr class=\"key\" data-option=\"{label}\">");
            assert_eq!(
                o["is_key"] == true,
                section.contains(&key_row),
                "{id} {label}"
            );
            // Cells after the key mark: N, proportion, point-biserial, mean score.
            let cells: Vec<&str> = row.split("<td").skip(2).collect();
            same(cell_value(cells[0]), &o["n"], label);
            same(cell_value(cells[1]), &o["proportion"], label);
            same(cell_value(cells[2]), &o["point_biserial"], label);
            same(cell_value(cells[3]), &o["mean_score"], label);
        }
    }
}

/// The 2PL calibration of LSAT6 written into `dir`: its path and its JSON.
fn calibrate_lsat6(dir: &ScratchFile) -> (String, Value) {
    let doc = path_in(dir, "lsat6-2pl.json");
    let run = exam(&[
        "calibrate",
        "--model",
        "2pl",
        "--responses",
        "tests/data/reference/lsat6.csv",
        "--no-id",
        "--format",
        "json",
    ])
    .success();
    assert_eq!(run.stderr, "");
    std::fs::write(&doc, &run.stdout).expect("the calibration document is written");
    (doc, run.json())
}

#[test]
fn calibration_report_numbers_are_the_calibrate_json() {
    let dir = scratch("report-calibration");
    let (doc, json) = calibrate_lsat6(&dir);
    let html = report(&dir, "lsat6.html", &["calibration", "--calibration", &doc]);
    for item in json["items"].as_array().unwrap() {
        let id = item["id"].as_str().unwrap();
        let row = slice(&html, &format!("data-item=\"{id}\"><th"), "</tr>");
        same(value_after(row, "data-stat=\"a\""), &item["a"], id);
        same(value_after(row, "data-stat=\"b\""), &item["b"], id);
        assert!(html.contains(&format!("id=\"icc-{id}\"")), "{id}: an ICC");
    }
    let curves = slice(&html, "class=\"test-curves\"", "</table>");
    for p in json["test_curves"].as_array().unwrap() {
        let info = p["information"].as_f64().unwrap();
        assert!(curves.contains(&format!("data-value=\"{info}\"")), "{info}");
    }
    check(
        "tests/data/golden/report-calibration-lsat6.outline",
        &outline(&html),
    );
}

#[test]
fn calibration_report_with_responses_lays_observed_proportions_over_each_curve() {
    let dir = scratch("report-calibration-empirical");
    let (doc, json) = calibrate_lsat6(&dir);
    let html = report(
        &dir,
        "lsat6-empirical.html",
        &[
            "calibration",
            "--calibration",
            &doc,
            "--responses",
            "tests/data/reference/lsat6.csv",
            "--no-id",
        ],
    );
    // LSAT6: 1000 persons, every item presented to all; 10 groups of 100.
    for item in json["items"].as_array().unwrap() {
        let id = item["id"].as_str().unwrap();
        let desc = slice(&html, &format!("<desc id=\"icc-{id}-desc\">"), "</desc>");
        let groups: Vec<usize> = desc
            .split(", n ")
            .skip(1)
            .map(|rest| rest[..rest.find(')').unwrap()].parse().unwrap())
            .collect();
        assert_eq!(groups, [100; 10], "{id}: {desc}");
    }
    // Responses that share no item with the calibration are refused.
    let other = ScratchFile::new(
        "report-empirical-other",
        "other.csv",
        "id,X,Y\np1,1,0\np2,0,1\n",
    );
    let out = path_in(&dir, "other.html");
    let run = exam(&[
        "report",
        "calibration",
        "--calibration",
        &doc,
        "--responses",
        other.path(),
        "--out",
        &out,
    ]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("other.csv") && run.stderr.contains("none of its items"),
        "{}",
        run.stderr
    );
    assert!(!std::path::Path::new(&out).exists());
}

#[test]
fn forms_report_coverage_is_the_coverage_json() {
    let dir = scratch("report-forms");
    let forms = path_in(&dir, "forms.json");
    exam(&["assemble", "--forms", "2", "--seed", "3", "--out", &forms]).success();
    let coverage = exam(&["coverage", "--forms", &forms, "--format", "json"])
        .success()
        .json();
    let html = report(&dir, "forms.html", &["forms", "--forms", &forms]);
    for c in coverage.as_array().unwrap() {
        let id = c["form"].as_str().unwrap();
        let section = slice(&html, &format!("data-form=\"{id}\">\n<h3"), "</section>");
        let cells: Vec<&str> = section.split("data-actual=\"").skip(1).collect();
        let expected = c["cells"].as_array().unwrap();
        assert_eq!(cells.len(), expected.len());
        for (cell, want) in cells.iter().zip(expected) {
            let got = format!("{}\" data-target=\"{}\"", want["actual"], want["target"]);
            assert!(cell.starts_with(&got), "{id}: {cell} vs {got}");
        }
    }
    // No IRT parameters in the shipped bank: said, not drawn.
    assert!(html.contains("No information curves"));
    // The outline without the form ids, which change with the bank.
    let mut html = html;
    for (i, c) in coverage.as_array().unwrap().iter().enumerate() {
        html = html.replace(c["form"].as_str().unwrap(), &format!("FORM-{}", i + 1));
    }
    check("tests/data/golden/report-forms.outline", &outline(&html));
}

#[test]
fn candidate_report_is_the_score_report() {
    let dir = scratch("report-candidate");
    let reports = path_in(&dir, "reports.json");
    exam(&[
        "score",
        "--forms",
        "tests/data/scoring/forms.json",
        "--responses",
        "tests/data/scoring/responses.csv",
        "--scoring",
        "tests/data/scoring/rules.json",
        "--out",
        &reports,
        "--format",
        "csv",
    ])
    .success();
    let json: Value = serde_json::from_str(&std::fs::read_to_string(&reports).unwrap()).unwrap();
    let first = &json["reports"][0];
    let id = first["candidate"].as_str().unwrap();
    let html = report(
        &dir,
        "one.html",
        &["candidate", "--reports", &reports, "--candidate", id],
    );
    same(
        value_after(&html, "<th scope=\"row\">Raw score</th><td"),
        &first["raw"],
        "raw",
    );
    // The score band is the report's: Lord's CSEM and its ends.
    let band = slice(&html, "<td class=\"text\" data-csem=", ">");
    for (attribute, field) in [
        ("csem", "csem"),
        ("lower", "raw_lower"),
        ("upper", "raw_upper"),
    ] {
        let marker = format!("data-{attribute}=\"");
        let value = &band[band.find(&marker).unwrap() + marker.len()..];
        let value: f64 = value[..value.find('"').unwrap()].parse().unwrap();
        same(Some(value), &first["band"][field], field);
    }
    if let Some(passed) = first["decision"]["passed"].as_bool() {
        let word = if passed { "pass" } else { "fail" };
        assert!(html.contains(&format!("data-decision=\"{word}\"")));
    }
    for d in first["domains"].as_array().unwrap() {
        let domain = d["domain"].as_str().unwrap();
        let row = slice(&html, &format!("<tr data-domain=\"{domain}\">"), "</tr>");
        same(value_after(row, "<td data-value"), &d["raw"], domain);
        assert!(row.contains("a rough indication"), "few items: {row}");
    }
    check(
        "tests/data/golden/report-candidate.outline",
        &outline(&html),
    );
    // One file per candidate.
    let out_dir = path_in(&dir, "all");
    exam(&[
        "report",
        "candidate",
        "--reports",
        &reports,
        "--out-dir",
        &out_dir,
    ])
    .success();
    for r in json["reports"].as_array().unwrap() {
        let file = format!("{out_dir}/{}.html", r["candidate"].as_str().unwrap());
        assert!(std::path::Path::new(&file).is_file(), "{file}");
    }
}

#[test]
fn undefined_statistics_show_their_reason_never_nan() {
    let data = ScratchFile::new(
        "report-undefined",
        "constant.csv",
        "id,A,B,C\np1,1,1,0\np2,1,0,1\np3,1,1,1\np4,1,0,0\n",
    );
    let out = path_in(&data, "constant.html");
    exam(&[
        "report",
        "analysis",
        "--responses",
        data.path(),
        "--out",
        &out,
    ])
    .success();
    let html = std::fs::read_to_string(&out).unwrap();
    let a = slice(&html, "data-item=\"A\">\n<h3", "</section>");
    assert!(
        a.contains("<td data-stat=\"point_biserial\" class=\"undef\">n/a: everyone has the same score on the item</td>"),
        "{a}"
    );
    assert!(!html.contains("NaN"));
    check(
        "tests/data/golden/report-analysis-constant.outline",
        &outline(&html),
    );
}

#[test]
fn bad_input_fails_like_the_computing_command() {
    let dir = scratch("report-bad");
    let out = path_in(&dir, "bad.html");
    let run = exam(&[
        "report",
        "calibration",
        "--calibration",
        "tests/data/reference/lsat6.json",
        "--out",
        &out,
    ]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("lsat6.json") && run.stderr.contains("not a calibration"),
        "{}",
        run.stderr
    );
    assert!(!std::path::Path::new(&out).exists(), "nothing written");
    // The same error as `exam analyze` for a bad response file.
    let bad = ScratchFile::new("report-bad-csv", "bad.csv", "id,A\np1,7x\n");
    let analyze = exam(&["analyze", "--responses", bad.path()]);
    let run = exam(&[
        "report",
        "analysis",
        "--responses",
        bad.path(),
        "--out",
        &out,
    ]);
    assert_eq!((run.code, analyze.code), (1, 1));
    assert_eq!(run.stderr, analyze.stderr);
    // A report never overwrites its input.
    let good = ScratchFile::new("report-input", "good.csv", "id,A,B\np1,1,0\np2,0,1\n");
    let run = exam(&[
        "report",
        "analysis",
        "--responses",
        good.path(),
        "--out",
        good.path(),
    ]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("is the same file as input"),
        "{}",
        run.stderr
    );
    assert_eq!(
        std::fs::read_to_string(good.path()).unwrap(),
        "id,A,B\np1,1,0\np2,0,1\n"
    );
}

/// The structure of a page: its headings, table captions and column
/// headers, and its figures with their titles, one per line (no numbers
/// from the data other than what headings name).
fn outline(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        rest = &rest[start..];
        let end = rest.find('>').map_or(rest.len(), |e| e + 1);
        let tag = &rest[..end];
        let name: String = tag[1..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '/')
            .collect();
        let text_end = rest[end..].find('<').map_or(rest.len(), |e| end + e);
        let text = rest[end..text_end].trim();
        match name.as_str() {
            "h1" | "h2" | "h3" | "caption" | "title" => {
                out.push_str(&format!("{name}: {text}\n"));
            }
            "th" if tag.contains("scope=\"col\"") => out.push_str(&format!("  col: {text}\n")),
            "figure" | "table" | "section" | "details" => out.push_str(&format!("{tag}\n")),
            _ => {}
        }
        rest = &rest[end..];
    }
    out
}

#[test]
fn long_commands_print_no_progress_when_stderr_is_not_a_terminal() {
    let dir = scratch("report-quiet");
    let forms = path_in(&dir, "forms.json");
    let reports = path_in(&dir, "reports.json");
    let scored = path_in(&dir, "scored.csv");
    let runs = [
        exam(&["assemble", "--forms", "2", "--seed", "5", "--out", &forms]),
        exam(&[
            "score",
            "--forms",
            "tests/data/scoring/forms.json",
            "--responses",
            "tests/data/scoring/responses.csv",
            "--out",
            &reports,
            "--scored-out",
            &scored,
        ]),
        exam(&[
            "calibrate",
            "--model",
            "rasch",
            "--responses",
            "tests/data/reference/lsat6.csv",
            "--no-id",
        ]),
        exam(&[
            "analyze",
            "--responses",
            "tests/data/reference/lsat6.csv",
            "--no-id",
        ]),
    ];
    for run in runs {
        let run = run.success();
        // Notes (score's missing passing standard) are lines of their own;
        // a progress bar would be anything else.
        assert!(
            run.stderr.lines().all(|l| l.starts_with("note: ")),
            "{}",
            run.stderr
        );
    }
}
