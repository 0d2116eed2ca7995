//! The forms document `exam assemble` writes: the forms, what candidates
//! see (delivery views, no keys), the scoring keys, each form's largest
//! deviation from the objective and its coverage of the blueprint, as
//! separate top-level fields. Scoring reads the forms and their keys back
//! ([`read_forms_with_keys`]); coverage reads the forms of a document, a
//! list of forms or one form ([`read_forms`]). The coverage report of
//! `exam coverage --format json` (and of `exam assemble --out`) is the
//! forms' coverage alone, a JSON list ([`write_coverage`],
//! [`read_coverage`]).

use crate::FormatError;
use crate::json;
use crate::table::{Column, Table};
use exam_core::assembly::{Assembly, ResolvedObjective};
use exam_core::attempt::HandleKey;
use exam_core::bank::{CheckedBlueprint, ItemBank};
use exam_core::coverage::{Coverage, Exposure, coverage};
use exam_core::form::{DeliveryView, Form, FormError, ScoringKey};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::{Read, Write};

/// The document `exam assemble` writes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FormsDocument {
    /// The seed.
    pub seed: u64,
    /// The objective used.
    pub objective: ResolvedObjective,
    /// The forms.
    pub forms: Vec<Form>,
    /// Per form, what the candidate sees (no keys).
    pub delivery_views: Vec<DeliveryView>,
    /// Per form, its scoring key.
    pub scoring_keys: Vec<ScoringKey>,
    /// Per form, its largest deviation from the objective's target.
    pub max_deviation: Vec<Option<f64>>,
    /// Per form, its coverage of the blueprint.
    pub coverage: Vec<Coverage>,
}

impl FormsDocument {
    /// The document of an assembly: each form with its delivery view, its
    /// scoring key and its coverage of the blueprint. The document holds
    /// the keys, so it stays on the server; the views' handles are keyed by
    /// the seed it records, so the system that delivers them can map
    /// answers back.
    pub fn from_assembly(
        assembly: Assembly,
        bank: &ItemBank,
        blueprint: &CheckedBlueprint,
        seed: u64,
    ) -> Result<Self, FormError> {
        let mut secret = [0u8; 16];
        secret[..8].copy_from_slice(&seed.to_le_bytes());
        let handles = HandleKey::new(secret);
        let mut delivery_views = Vec::new();
        let mut scoring_keys = Vec::new();
        let mut coverage_reports = Vec::new();
        for form in &assembly.forms {
            delivery_views.push(form.delivery_view(
                bank,
                blueprint.time_limit_minutes,
                &handles,
            )?);
            scoring_keys.push(form.scoring_key(bank)?);
            coverage_reports.push(coverage(form, bank, blueprint, &assembly.forms));
        }
        Ok(Self {
            seed,
            max_deviation: assembly.quality.iter().map(|q| q.max_deviation).collect(),
            objective: assembly.objective,
            forms: assembly.forms,
            delivery_views,
            scoring_keys,
            coverage: coverage_reports,
        })
    }

    /// Writes the document as pretty JSON with a trailing newline.
    pub fn write(&self, out: impl Write, name: &str) -> Result<(), FormatError> {
        json::write_pretty(out, self, name)
    }

    /// Reads a whole document.
    pub fn read(input: impl Read, name: &str) -> Result<Self, FormatError> {
        json::read(input, name, "a forms document")
    }
}

/// Writes the coverage report: each form's coverage, a pretty JSON list
/// with a trailing newline.
pub fn write_coverage(
    out: impl Write,
    reports: &[Coverage],
    name: &str,
) -> Result<(), FormatError> {
    json::write_pretty(out, &reports, name)
}

/// Reads a coverage report back.
pub fn read_coverage(input: impl Read, name: &str) -> Result<Vec<Coverage>, FormatError> {
    json::read(input, name, "a coverage report (a list of forms' coverage)")
}

/// The forms of a forms document, of a JSON list of forms, or of one form.
pub fn read_forms(input: impl Read, name: &str) -> Result<Vec<Form>, FormatError> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Forms {
        Document(Box<FormsDocument>),
        Many(Vec<Form>),
        One(Box<Form>),
    }
    let forms = match json::read(input, name, "a forms document, a list of forms or a form")? {
        Forms::Document(doc) => doc.forms,
        Forms::Many(forms) => forms,
        Forms::One(form) => vec![*form],
    };
    check_form_ids(&forms, name)?;
    Ok(forms)
}

/// At least one form, and no form id twice.
fn check_form_ids(forms: &[Form], name: &str) -> Result<(), FormatError> {
    if forms.is_empty() {
        return Err(FormatError::NoForms {
            name: name.to_owned(),
        });
    }
    let mut seen = HashMap::new();
    for (i, form) in forms.iter().enumerate() {
        if let Some(first) = seen.insert(&form.id, i + 1) {
            return Err(FormatError::DuplicateForm {
                name: name.to_owned(),
                form: form.id.clone(),
                first,
                second: i + 1,
            });
        }
    }
    Ok(())
}

/// The forms of a forms document, each with its scoring key (matched by
/// form id: every form needs exactly one key, and every key a form). Only
/// `forms` and `scoring_keys` are read: keys never come from a delivery
/// view.
pub fn read_forms_with_keys(
    input: impl Read,
    name: &str,
) -> Result<Vec<(Form, ScoringKey)>, FormatError> {
    #[derive(Deserialize)]
    struct FormsAndKeys {
        forms: Vec<Form>,
        scoring_keys: Vec<ScoringKey>,
    }
    let parsed: FormsAndKeys = json::read(
        input,
        name,
        "a forms file (`forms` and `scoring_keys` arrays, as `exam assemble` writes)",
    )?;
    check_form_ids(&parsed.forms, name)?;
    let mut keys = HashMap::new();
    for key in parsed.scoring_keys {
        let form = key.form.clone();
        if keys.insert(form.clone(), key).is_some() {
            return Err(FormatError::DuplicateKey {
                name: name.to_owned(),
                form,
            });
        }
    }
    let mut out = Vec::with_capacity(parsed.forms.len());
    for form in parsed.forms {
        let Some(key) = keys.remove(&form.id) else {
            return Err(FormatError::MissingKey {
                name: name.to_owned(),
                form: form.id,
            });
        };
        out.push((form, key));
    }
    if let Some(form) = keys.into_keys().next() {
        return Err(FormatError::OrphanKey {
            name: name.to_owned(),
            form,
        });
    }
    Ok(out)
}

/// The coverage report as text: one block per form with counts, time,
/// information, overlap, problems and (where given) the form's largest
/// Distinct items and their exposure over a set of forms, in one line.
pub fn exposure_line(e: &Exposure) -> String {
    format!(
        "{} form(s): {} distinct item(s), exposure mean {:.2}, max {}",
        e.forms, e.distinct_items, e.mean_exposure, e.max_exposure
    )
}

/// deviation from the objective's target.
pub fn coverage_table(reports: &[Coverage], deviations: &[Option<f64>]) -> String {
    let mut s = String::new();
    for (c, dev) in reports.iter().zip(deviations) {
        let verdict = if c.meets_blueprint() {
            "meets the blueprint"
        } else {
            "DOES NOT meet the blueprint"
        };
        let _ = writeln!(
            s,
            "form {}  ({} {}): {verdict}",
            c.form, c.blueprint, c.blueprint_version
        );
        let _ = writeln!(
            s,
            "  scored {}/{}  pretest {}/{}  expected time {} s / limit {} s  max overlap {}",
            c.scored_actual,
            c.scored_target,
            c.pretest_actual,
            c.pretest_target,
            c.expected_seconds,
            c.time_limit_seconds,
            c.max_overlap()
        );
        let mut cells = Table::with_columns([
            Column::left("domain", 28),
            Column::right("level", 14),
            Column::right("target", 8),
            Column::right("actual", 8),
        ])
        .indent("  ");
        for cell in &c.cells {
            cells.row([
                cell.domain.to_string(),
                cell.level.as_str().to_owned(),
                cell.target.to_string(),
                cell.actual.to_string(),
            ]);
        }
        s.push_str(&cells.render());
        for p in &c.theta_points {
            let target = p
                .target_information
                .map(|t| format!(" (target {t:.3})"))
                .unwrap_or_default();
            let _ = writeln!(
                s,
                "  theta {:>5.2}: information {:.3}{target}, expected score {:.2}",
                p.theta, p.information, p.expected_score
            );
        }
        if c.uncalibrated > 0 {
            let _ = writeln!(
                s,
                "  {} scored item(s) without IRT parameters",
                c.uncalibrated
            );
        }
        if let Some(p) = c.mean_p_value {
            let _ = writeln!(s, "  mean p-value {p:.3}");
        }
        if let Some(d) = dev {
            let _ = writeln!(s, "  largest deviation from the target {d:.4}");
        }
        for p in &c.problems {
            let _ = writeln!(s, "  problem: {p}");
        }
    }
    s
}
