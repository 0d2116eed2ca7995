//! Inputs shared by `exam score`, `exam simulate` and `exam rescore`: the
//! forms file (what `exam assemble --format json` writes), scoring rules,
//! item parameters and submissions (raw response CSV or JSON).

use crate::bankfiles::{check_blueprint, load_blueprint, load_jta};
use crate::output::open;
use anyhow::Context;
use exam_export::core::bank::read_blueprint;
use exam_export::core::blueprint::Blueprint;
use exam_export::core::form::{Form, ScoringKey};
use exam_export::core::ids::{BlueprintId, ItemId};
use exam_export::core::irt::ItemParams;
use exam_export::core::submission::Submission;
use exam_export::forms::read_forms_with_keys;
use exam_export::params::ParamsDocument;
use exam_export::scoring::keyed::Scorer;
use exam_export::scoring::rules::ScoringRules;
use exam_export::submission_files::{self, SubmissionStream, SubmissionsFormat};
use std::collections::HashMap;
use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

/// The forms of a forms file, each with its scoring key (see
/// [`read_forms_with_keys`]).
pub fn read_forms(path: &Path) -> anyhow::Result<Vec<(Form, ScoringKey)>> {
    let (file, name) = open(path)?;
    Ok(read_forms_with_keys(file, &name)?)
}

/// Scoring rules from a file (read and checked by
/// [`exam_export::scoring_rules::read_rules`]), or the defaults.
pub fn read_rules(path: Option<&Path>) -> anyhow::Result<ScoringRules> {
    let Some(path) = path else {
        return Ok(ScoringRules::default());
    };
    let (file, name) = open(path)?;
    Ok(exam_export::scoring_rules::read_rules(file, &name)?)
}

/// The blueprint `id` among the files of `bank`'s `blueprints/` folder;
/// `None` when the bank or the blueprint is not there.
fn find_blueprint(bank: &Path, id: &BlueprintId) -> Option<(PathBuf, Blueprint)> {
    let entries = std::fs::read_dir(bank.join("blueprints")).ok()?;
    entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .filter_map(|p| Some((p.clone(), read_blueprint(&p).ok()?)))
        .find(|(_, bp)| bp.id == *id)
}

/// Where the passing standard comes from when the scoring rules set none.
pub enum CutSource<'a> {
    /// A blueprint file given with `--blueprint`.
    File(&'a Path),
    /// The blueprint the forms were built for, looked up in the bank.
    FormsBlueprint(&'a [(Form, ScoringKey)]),
}

/// Scoring rules from a file (or the defaults), with a blueprint's cut as
/// the passing standard when they set none: the `--blueprint` file, or
/// else the blueprint of the forms found in the bank folder `bank` (none
/// when it is not there: a note on stderr says so, and the reports carry no
/// decision). Either is checked against the bank's JTA first. The cut's
/// source names the blueprint, its version and method.
pub fn read_rules_with_blueprint(
    rules: Option<&Path>,
    bank: &Path,
    cut: CutSource<'_>,
) -> anyhow::Result<ScoringRules> {
    let out = read_rules(rules)?;
    if out.passing.is_some() {
        return Ok(out);
    }
    let (name, blueprint) = match cut {
        CutSource::File(path) => (path.to_path_buf(), load_blueprint(path)?),
        CutSource::FormsBlueprint(forms) => {
            let Some((form, _)) = forms.first() else {
                return Ok(out);
            };
            match find_blueprint(bank, &form.blueprint) {
                Some(found) => found,
                None => {
                    eprintln!(
                        "note: no passing standard: the scoring rules set none and the forms' blueprint {} is not in {}; decisions are left empty (give --bank DIR, --blueprint FILE or a passing rule in --scoring)",
                        form.blueprint,
                        bank.join("blueprints").display()
                    );
                    return Ok(out);
                }
            }
        }
    };
    let blueprint = check_blueprint(&load_jta(bank)?, &name, blueprint)?;
    let with_cut = out
        .or_blueprint_cut(&blueprint)
        .with_context(|| format!("{}: invalid passing standard", name.display()))?;
    if with_cut.passing.is_none() {
        eprintln!(
            "note: no passing standard: neither the scoring rules nor blueprint {} ({}) set a raw cut",
            blueprint.id,
            name.display()
        );
    }
    Ok(with_cut)
}

/// Item parameters from a file (`{"items": [{"id", "a", "b", "c"}]}`), or none.
pub fn read_params(path: Option<&Path>) -> anyhow::Result<HashMap<ItemId, ItemParams>> {
    let Some(path) = path else {
        return Ok(HashMap::new());
    };
    let (file, name) = open(path)?;
    Ok(ParamsDocument::read(file, &name)?.by_item(&name)?)
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

/// Opens a submissions file (see [`exam_export::submission_files`]) with
/// its format and its name for error messages.
fn open_submissions(path: &Path) -> anyhow::Result<(BufReader<File>, SubmissionsFormat, String)> {
    let name = path.display().to_string();
    let format = SubmissionsFormat::of_path(path);
    let verb = match format {
        SubmissionsFormat::Json => "read",
        SubmissionsFormat::RawCsv => "open",
    };
    let file = File::open(path).with_context(|| format!("cannot {verb} {name}"))?;
    Ok((BufReader::new(file), format, name))
}

/// Submissions from a `.json` file (an array, or `{"submissions": [...]}`)
/// or a raw response CSV (anything else).
pub fn read_submissions(path: &Path, scorer: &Scorer) -> anyhow::Result<Vec<Submission>> {
    let (file, format, name) = open_submissions(path)?;
    Ok(submission_files::read_submissions(
        file, format, &name, scorer,
    )?)
}

/// The submissions of `path` (as [`read_submissions`] reads them), one at
/// a time.
pub fn stream_submissions(
    path: &Path,
    scorer: &Scorer,
) -> anyhow::Result<SubmissionStream<BufReader<File>>> {
    let (file, format, name) = open_submissions(path)?;
    Ok(SubmissionStream::new(file, format, &name, scorer)?)
}

/// Flags shared by `exam score` and `exam rescore`: the forms, the
/// submissions, the scoring rules and where the passing standard and θ come
/// from.
#[derive(Debug, clap::Args)]
pub struct ScoringInputArgs {
    /// Forms file as `exam assemble --out` writes it (`forms` and
    /// `scoring_keys` arrays; the delivery views are not read).
    #[arg(long)]
    pub forms: std::path::PathBuf,
    /// Submissions: a raw response CSV (`candidate,form,<item ids...>`,
    /// option ids, `|` between several, `P1=O2` pairs, empty = omitted) or a
    /// `.json` list of submissions.
    #[arg(long)]
    pub responses: std::path::PathBuf,
    /// Scoring rules JSON (id, version, rules, passing standard,
    /// adjustments); default: all-or-nothing, exact ordering, per-pair
    /// matching, no cut. For `exam rescore`, the rules the results were
    /// first computed with.
    #[arg(long)]
    pub scoring: Option<std::path::PathBuf>,
    /// Blueprint JSON whose raw cut is the passing standard when the
    /// scoring rules set none (default: the forms' blueprint in --bank);
    /// checked against the JTA of --bank.
    #[arg(long)]
    pub blueprint: Option<std::path::PathBuf>,
    /// The bank whose blueprints/ holds the forms' blueprint, and whose JTA
    /// checks the blueprint.
    #[arg(long, default_value = crate::bankfiles::DEFAULT_BANK)]
    pub bank: std::path::PathBuf,
    /// Item parameter JSON; when every counted item of a form is in it,
    /// reports carry an EAP θ and its SE.
    #[arg(long)]
    pub params: Option<std::path::PathBuf>,
}

/// The inputs of [`ScoringInputArgs`], read and checked: the forms with
/// their keys, the item parameters, the `--scoring` rules and their scorer.
pub struct ScoringInputs {
    /// The forms, each with its scoring key.
    pub forms: Vec<(Form, ScoringKey)>,
    /// Item parameters by item (empty without `--params`).
    pub params: HashMap<ItemId, ItemParams>,
    /// The `--scoring` rules (or the defaults), with the blueprint's cut
    /// when they set none.
    pub rules: ScoringRules,
    /// The scorer of the forms under `rules`.
    pub scorer: Scorer,
}

impl ScoringInputArgs {
    /// The input files given, each with its flag.
    pub fn files(&self) -> Vec<(&'static str, &std::path::Path)> {
        let mut files = vec![
            ("--forms", self.forms.as_path()),
            ("--responses", self.responses.as_path()),
        ];
        for (flag, path) in [
            ("--scoring", &self.scoring),
            ("--blueprint", &self.blueprint),
            ("--params", &self.params),
        ] {
            if let Some(path) = path {
                files.push((flag, path.as_path()));
            }
        }
        files
    }

    /// Reads the forms, the `--scoring` rules and the item parameters, and
    /// builds their scorer.
    pub fn load(&self) -> anyhow::Result<ScoringInputs> {
        let forms = read_forms(&self.forms)?;
        let rules = self.rules(self.scoring.as_deref(), &forms)?;
        let params = read_params(self.params.as_deref())?;
        let scorer = build_scorer(&forms, &rules, &params, &self.forms)?;
        Ok(ScoringInputs {
            forms,
            params,
            rules,
            scorer,
        })
    }

    /// Scoring rules from `path` (or the defaults), with the cut of the
    /// `--blueprint`, or of the forms' blueprint in the bank, when they set
    /// none.
    pub fn rules(
        &self,
        path: Option<&Path>,
        forms: &[(Form, ScoringKey)],
    ) -> anyhow::Result<ScoringRules> {
        let cut = match &self.blueprint {
            Some(file) => CutSource::File(file),
            None => CutSource::FormsBlueprint(forms),
        };
        read_rules_with_blueprint(path, &self.bank, cut)
    }

    /// The submissions of `--responses`, read against `scorer`.
    pub fn submissions(&self, scorer: &Scorer) -> anyhow::Result<Vec<Submission>> {
        read_submissions(&self.responses, scorer)
    }

    /// The submissions of `--responses`, one at a time.
    pub fn submission_stream(
        &self,
        scorer: &Scorer,
    ) -> anyhow::Result<SubmissionStream<BufReader<File>>> {
        stream_submissions(&self.responses, scorer)
    }

    /// The context of an error in one of the submissions.
    pub fn bad_submission(&self) -> String {
        format!("{}: bad submission", self.responses.display())
    }
}
