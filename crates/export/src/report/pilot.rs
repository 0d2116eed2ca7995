//! The pilot's `index.html`: what the pilot found (from its summary) and a
//! link to every file it wrote.

use super::page::{count_cell, esc, num_cell, page, row_table};
use crate::pilot::PilotSummary;
use exam_stats::calibration::recovery::{Deviation, GpcmRecovery, Recovery};
use std::fmt::Write as _;

/// What each file the pilot writes holds, by name (prefix for folders).
const DESCRIPTIONS: &[(&str, &str)] = &[
    ("summary.json", "the findings below, as JSON"),
    (
        "blueprint.json",
        "the blueprint, its derivation from the JTA and whether they match",
    ),
    (
        "forms.json",
        "the forms with delivery views, scoring keys and coverage (`exam assemble --out`)",
    ),
    (
        "generating-params",
        "the generating item parameters (`exam simulate --params`)",
    ),
    ("responses.csv", "raw responses (`exam score --responses`)"),
    (
        "groups.csv",
        "each candidate's group and true θ (`exam analyze --groups`)",
    ),
    (
        "scored.csv",
        "the scored response matrix, pretest items included",
    ),
    (
        "analysis.json",
        "item analysis, distractors and DIF (`exam analyze --format json`)",
    ),
    ("analysis.html", "the item analysis report"),
    (
        "calibration-operational.json",
        "concurrent 3PL calibration of the operational single-choice items",
    ),
    ("calibration-operational.html", "its report"),
    (
        "calibration-operational-gpcm.json",
        "GPCM calibration of the other operational items (2PL for the 0/1 kinds), single choice fixed",
    ),
    ("calibration-operational-gpcm.html", "its report"),
    (
        "calibration-pretest.json",
        "pretest single-choice items (3PL) with the operational 0/1 items fixed",
    ),
    ("calibration-pretest.html", "its report"),
    (
        "calibration-pretest-gpcm.json",
        "the other pretest items (GPCM) with every 0/1 item fixed",
    ),
    ("calibration-pretest-gpcm.html", "its report"),
    (
        "angoff-ratings.json",
        "the simulated modified-Angoff panel's ratings",
    ),
    (
        "standard-setting.json",
        "the panel's rounds and the cut carried to each form",
    ),
    (
        "scoring-rules.json",
        "the scoring rules with each form's cut (`exam score --scoring`)",
    ),
    (
        "reports.json",
        "every candidate's score report (`exam score --out`)",
    ),
    ("forms.html", "the forms against the blueprint"),
    ("candidates/", "candidate score reports (a sample)"),
    (
        "qti-package.zip",
        "QTI 3.0 content package: items and one test per form",
    ),
    (
        "qti-usage.xml",
        "QTI usage data: item statistics and IRT parameters",
    ),
    (
        "qti-results/",
        "QTI results reporting (a sample of candidates)",
    ),
    (
        "xapi-statements.json",
        "xAPI / cmi5 statements (the same sample)",
    ),
    ("lti-ags-scores.json", "LTI AGS scores of every candidate"),
];

fn describe(file: &str) -> &'static str {
    DESCRIPTIONS
        .iter()
        .find(|(name, _)| file.starts_with(name))
        .map_or("", |d| d.1)
}

/// One row per parameter: bias, RMSE and RMS of the standard errors.
fn deviation_rows(name: &str, rows: &[(String, Option<&Deviation>)]) -> Vec<(String, Vec<String>)> {
    rows.iter()
        .map(|(p, d)| {
            (
                format!("{name} {p}"),
                vec![
                    num_cell(d.map(|d| d.bias), 3, None),
                    num_cell(d.map(|d| d.rmse), 3, None),
                    num_cell(d.and_then(|d| d.rms_se), 3, None),
                ],
            )
        })
        .collect()
}

fn recovery_rows(name: &str, r: Option<&Recovery>) -> Vec<(String, Vec<String>)> {
    let Some(r) = r else {
        return vec![(format!("{name} 0/1 items: none"), Vec::new())];
    };
    let n = r.items;
    deviation_rows(
        name,
        &[
            (format!("a ({n} 0/1 items)"), Some(&r.a)),
            (format!("b ({n} 0/1 items)"), Some(&r.b)),
            ("c (3PL items)".to_owned(), r.c.as_ref()),
        ],
    )
}

fn gpcm_recovery_rows(name: &str, r: Option<&GpcmRecovery>) -> Vec<(String, Vec<String>)> {
    let Some(r) = r else {
        return vec![(format!("{name} GPCM items: none"), Vec::new())];
    };
    let (n, k) = (r.items, r.steps_compared);
    deviation_rows(
        name,
        &[
            (format!("GPCM a ({n} items)"), Some(&r.a)),
            (format!("GPCM steps b_k ({k} steps)"), Some(&r.steps)),
            (format!("GPCM intercepts d_k ({k})"), Some(&r.d)),
        ],
    )
}

/// The index page of a pilot's folder.
pub fn pilot_index(summary: &PilotSummary, files: &[String]) -> String {
    let s = summary;
    let mut body = String::new();
    let dif = &s.dif;
    let _ = writeln!(
        body,
        "<section><h2>Differential item functioning</h2><p>Item <code>{}</code> was made {:.2} logits harder for the focal group ({} candidates). \
         MH D-DIF {}; ETS class {}: <strong>{}</strong>. Other items in class C: {}.</p></section>",
        esc(dif.item.as_str()),
        dif.shift,
        s.focal_candidates,
        dif.mh_d_dif
            .map_or_else(|| "n/a".to_owned(), |d| format!("{d:.2}")),
        dif.ets_class
            .map_or_else(|| "n/a".to_owned(), |c| format!("{c:?}")),
        if dif.found { "found" } else { "not found" },
        if dif.other_items_in_class_c.is_empty() {
            "none".to_owned()
        } else {
            esc(&dif
                .other_items_in_class_c
                .iter()
                .map(|i| i.as_str())
                .collect::<Vec<_>>()
                .join(", "))
        }
    );
    let mut rows = recovery_rows("operational", s.recovery_operational.as_ref());
    rows.extend(gpcm_recovery_rows(
        "operational",
        s.recovery_operational_gpcm.as_ref(),
    ));
    rows.extend(recovery_rows("pretest", s.recovery_pretest.as_ref()));
    rows.extend(gpcm_recovery_rows(
        "pretest",
        s.recovery_pretest_gpcm.as_ref(),
    ));
    body.push_str("<section><h2>Parameter recovery</h2>");
    body.push_str(&row_table(
        "Estimates against the generating parameters",
        &["parameter", "bias", "RMSE", "RMS of SEs"].map(String::from),
        &rows,
    ));
    body.push_str("</section>\n<section><h2>Cut scores and decisions</h2>");
    let _ = writeln!(
        body,
        "<p>Modified-Angoff cut on form 1: {:.2} (SE {}); θ of the standard on the generating scale {:.3}. Overall pass rate {:.3}; \
         decisions against the true status: accuracy {}.</p>",
        s.angoff_cut,
        s.angoff_se
            .map_or_else(|| "n/a".to_owned(), |v| format!("{v:.2}")),
        s.true_theta_cut,
        s.pass_rate,
        s.decision_accuracy
            .map_or_else(|| "n/a".to_owned(), |a| format!("{:.3}", a.accuracy)),
    );
    let rows: Vec<(String, Vec<String>)> = s
        .forms
        .iter()
        .map(|f| {
            let ll = f.decision.as_ref().and_then(|d| d.livingston_lewis);
            let sub = f.decision.as_ref().and_then(|d| d.subkoviak);
            (
                esc(f.form.as_str()),
                vec![
                    count_cell(f.candidates),
                    count_cell(f.cut.new_raw_cut),
                    num_cell(Some(f.cut.theta_cut), 3, None),
                    num_cell(Some(f.pass_rate), 3, None),
                    num_cell(ll.map(|l| l.accuracy), 3, None),
                    num_cell(ll.map(|l| l.consistency.consistency), 3, None),
                    num_cell(sub.map(|a| a.consistency), 3, None),
                ],
            )
        })
        .collect();
    body.push_str(&row_table(
        "Per form",
        &[
            "form",
            "candidates",
            "raw cut",
            "θ cut",
            "pass rate",
            "LL accuracy",
            "LL consistency",
            "Subkoviak consistency",
        ]
        .map(String::from),
        &rows,
    ));
    body.push_str("</section>\n<section><h2>Files</h2><ul>\n");
    for file in files {
        let _ = writeln!(
            body,
            "<li><a href=\"{0}\">{0}</a> {1}</li>",
            esc(file),
            esc(describe(file))
        );
    }
    body.push_str("</ul></section>\n<section><h2>Timings</h2>");
    let rows: Vec<(String, Vec<String>)> = s
        .timings
        .iter()
        .map(|t| (esc(&t.step), vec![num_cell(Some(t.seconds), 2, None)]))
        .collect();
    body.push_str(&row_table(
        "Seconds per step",
        &["step", "seconds"].map(String::from),
        &rows,
    ));
    body.push_str("</section>\n");
    let lines = [
        format!(
            "Simulated first administration of blueprint {}: {} candidates, seed {}.",
            esc(&s.blueprint),
            s.candidates,
            s.seed
        ),
        format!(
            "{} candidates did not reach the end of their form; the blueprint {} its derivation from the JTA.",
            s.candidates_not_reaching_the_end,
            if s.blueprint_matches_derivation {
                "matches"
            } else {
                "does not match"
            }
        ),
    ];
    page("Pilot administration", &lines, &body)
}
