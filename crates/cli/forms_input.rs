//! Inputs shared by `exam score`, `exam simulate` and `exam rescore`: the
//! forms file (what `exam assemble --format json` writes), scoring rules,
//! item parameters and submissions (raw response CSV or JSON).

use anyhow::{Context, bail};
use exam_core::form::{Form, ScoringKey};
use exam_core::ids::ItemId;
use exam_core::irt::{ItemParams, ItemParamsFile};
use exam_core::submission::Submission;
use exam_scoring::keyed::Scorer;
use exam_scoring::raw_csv::read_raw_csv;
use exam_scoring::rules::ScoringRules;
use serde::Deserialize;
use std::collections::HashMap;
use std::fs::File;
use std::io::BufReader;
use std::path::Path;

/// One entry of the forms file's `forms` array: the form record and its
/// scoring key (other fields, such as the delivery view, are not read:
/// keys come only from the scoring key).
#[derive(Deserialize)]
struct FormEntry {
    form: Form,
    #[serde(alias = "key")]
    scoring_key: ScoringKey,
}

#[derive(Deserialize)]
struct FormsFile {
    forms: Vec<FormEntry>,
}

/// The forms and keys of a forms file.
pub fn read_forms(path: &Path) -> anyhow::Result<Vec<(Form, ScoringKey)>> {
    let name = path.display();
    let file = File::open(path).with_context(|| format!("cannot open {name}"))?;
    let parsed: FormsFile = serde_json::from_reader(BufReader::new(file)).with_context(|| {
        format!("{name}: not a forms file (a `forms` array of {{form, scoring_key, ...}})")
    })?;
    if parsed.forms.is_empty() {
        bail!("{name}: no forms");
    }
    Ok(parsed
        .forms
        .into_iter()
        .map(|e| (e.form, e.scoring_key))
        .collect())
}

/// Scoring rules from a file, or the defaults.
pub fn read_rules(path: Option<&Path>) -> anyhow::Result<ScoringRules> {
    let Some(path) = path else {
        return Ok(ScoringRules::default());
    };
    let name = path.display();
    let file = File::open(path).with_context(|| format!("cannot open {name}"))?;
    let rules: ScoringRules = serde_json::from_reader(BufReader::new(file))
        .with_context(|| format!("{name}: not a scoring rules file"))?;
    rules
        .validate()
        .with_context(|| format!("{name}: invalid scoring rules"))?;
    Ok(rules)
}

/// Item parameters from a file (`{"items": [{"id", "a", "b", "c"}]}`), or none.
pub fn read_params(path: Option<&Path>) -> anyhow::Result<HashMap<ItemId, ItemParams>> {
    let Some(path) = path else {
        return Ok(HashMap::new());
    };
    let name = path.display();
    let file = File::open(path).with_context(|| format!("cannot open {name}"))?;
    let parsed: ItemParamsFile = serde_json::from_reader(BufReader::new(file))
        .with_context(|| format!("{name}: not a valid item parameter file"))?;
    let mut out = HashMap::new();
    for entry in parsed.items {
        if out.insert(entry.id.clone(), entry.params).is_some() {
            bail!("{name}: item `{}` appears twice", entry.id);
        }
    }
    Ok(out)
}

/// The scorer of the forms under the rules.
pub fn build_scorer(
    forms: &[(Form, ScoringKey)],
    rules: &ScoringRules,
    params: &HashMap<ItemId, ItemParams>,
    forms_path: &Path,
) -> anyhow::Result<Scorer> {
    Scorer::new(forms.iter().map(|(f, k)| (f, k)), rules, params)
        .with_context(|| format!("{}: forms and keys do not fit", forms_path.display()))
}

#[derive(Deserialize)]
#[serde(untagged)]
enum SubmissionsJson {
    List(Vec<Submission>),
    Wrapped { submissions: Vec<Submission> },
}

/// Submissions from a `.json` file (an array, or `{"submissions": [...]}`)
/// or a raw response CSV (anything else).
pub fn read_submissions(path: &Path, scorer: &Scorer) -> anyhow::Result<Vec<Submission>> {
    let name = path.display();
    let file = File::open(path).with_context(|| format!("cannot open {name}"))?;
    let reader = BufReader::new(file);
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
    {
        let parsed: SubmissionsJson = serde_json::from_reader(reader)
            .with_context(|| format!("{name}: not a JSON list of submissions"))?;
        Ok(match parsed {
            SubmissionsJson::List(v) | SubmissionsJson::Wrapped { submissions: v } => v,
        })
    } else {
        read_raw_csv(reader, scorer).with_context(|| format!("{name}: bad raw response CSV"))
    }
}
