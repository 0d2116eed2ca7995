//! Reading QTI 3.0 items of the four supported interaction kinds (choice,
//! order, match) into the bank's item format.
//!
//! Text: the stem is the item body's text outside the interaction (feedback
//! and printed variables left out) with the interaction's prompt in its
//! place, blocks joined by a space; whitespace is collapsed except inside
//! `<pre>`, which is kept as written. A choice's rationale is its inline
//! feedback or the modal feedback whose identifier is the choice's.
//! Metadata the item file does not carry (domain, task, level, phase,
//! status, version) comes from the manifest ([`ItemMetadata`]) or else from
//! the [`Defaults`]; a field found in neither is an error naming the item.

use super::item::FORMAT_CLASS_PREFIX;
use super::manifest::{ItemMetadata, duration_seconds};
use super::{FEEDBACK, QtiError, bank_identifier};
use crate::xml::{El, Node, parse};
use exam_core::ids::{DomainId, ItemId, OptionId, SetId, TaskId};
use exam_core::item::{Choice, Interaction, Item, ItemSet, ItemStatistics, ItemStatus, MatchPair};
use exam_core::jta::{CompetencyLevel, LifecyclePhase};

/// Values for the metadata an item's package does not give.
#[derive(Debug, Clone, PartialEq)]
pub struct Defaults {
    /// The JTA domain.
    pub domain: Option<DomainId>,
    /// The JTA task.
    pub task: Option<TaskId>,
    /// The competency level.
    pub level: Option<CompetencyLevel>,
    /// The lifecycle phase.
    pub phase: Option<LifecyclePhase>,
    /// The status (an imported item is a draft unless said otherwise).
    pub status: ItemStatus,
    /// The content version.
    pub version: u32,
}

impl Default for Defaults {
    fn default() -> Self {
        Self {
            domain: None,
            task: None,
            level: None,
            phase: None,
            status: ItemStatus::Draft,
            version: 1,
        }
    }
}

/// Loads a document an item refers to (a stimulus), by its `href` relative
/// to the item: the entry's name and its text.
pub type Loader<'a> = dyn FnMut(&str) -> Result<(String, String), QtiError> + 'a;

/// An element's context for errors.
struct At<'a> {
    file: &'a str,
}

impl At<'_> {
    fn missing(&self, el: &El, what: &str) -> QtiError {
        QtiError::Missing {
            file: self.file.to_owned(),
            line: el.line,
            element: el.name.clone(),
            what: what.to_owned(),
        }
    }

    fn unsupported(&self, el: &El, what: String) -> QtiError {
        QtiError::Unsupported {
            file: self.file.to_owned(),
            line: el.line,
            element: el.name.clone(),
            what,
        }
    }

    fn invalid(&self, el: &El, what: String) -> QtiError {
        QtiError::Invalid {
            file: self.file.to_owned(),
            line: el.line,
            element: el.name.clone(),
            what,
        }
    }

    fn attr<'e>(&self, el: &'e El, name: &str) -> Result<&'e str, QtiError> {
        el.get(name)
            .ok_or_else(|| self.missing(el, &format!("attribute `{name}`")))
    }
}

/// Parses a document, naming the file in the error.
pub fn parse_document(file: &str, text: &str) -> Result<El, QtiError> {
    parse(text).map_err(|e| QtiError::Xml {
        file: file.to_owned(),
        line: e.line,
        message: e.message,
    })
}

/// Elements whose text is not part of the content a candidate reads.
fn is_skipped(name: &str) -> bool {
    matches!(
        name,
        "qti-feedback-inline"
            | "qti-feedback-block"
            | "qti-modal-feedback"
            | "qti-printed-variable"
            | "qti-rubric-block"
            | "qti-template-inline"
            | "qti-template-block"
    )
}

fn raw_text(el: &El, out: &mut String) {
    for node in &el.children {
        match node {
            Node::Text(t) => out.push_str(t),
            Node::El(e) if e.name == "br" => out.push(' '),
            Node::El(e) if !is_skipped(&e.name) => raw_text(e, out),
            Node::El(_) => {}
        }
    }
}

/// The text of a block: as written in `<pre>`, whitespace collapsed
/// elsewhere.
fn block_text(el: &El) -> String {
    let mut raw = String::new();
    raw_text(el, &mut raw);
    if el.name == "pre" {
        raw
    } else {
        raw.split_whitespace().collect::<Vec<_>>().join(" ")
    }
}

/// The text of content that may be bare text or blocks: each child block's
/// text, or the whole collapsed when there are no element children.
fn content_text(el: &El) -> String {
    let blocks: Vec<&El> = el.elements().filter(|e| !is_skipped(&e.name)).collect();
    let has_bare_text = el
        .children
        .iter()
        .any(|n| matches!(n, Node::Text(t) if !t.trim().is_empty()));
    if blocks.len() == 1 && !has_bare_text {
        block_text(blocks[0])
    } else {
        block_text(el)
    }
}

const INTERACTIONS: [&str; 3] = [
    "qti-choice-interaction",
    "qti-order-interaction",
    "qti-match-interaction",
];

fn interactions<'e>(el: &'e El, out: &mut Vec<&'e El>) {
    for child in el.elements() {
        if child.name.ends_with("-interaction") {
            out.push(child);
        } else {
            interactions(child, out);
        }
    }
}

fn contains(el: &El, target: &El) -> bool {
    std::ptr::eq(el, target) || el.elements().any(|c| contains(c, target))
}

/// The stem: body blocks outside the interaction, the prompt in its place.
fn stem(body: &El, interaction: &El) -> String {
    let mut parts = Vec::new();
    for child in body.elements() {
        if contains(child, interaction) {
            if let Some(prompt) = interaction.first("qti-prompt") {
                parts.push(content_text(prompt));
            }
        } else if !is_skipped(&child.name) {
            parts.push(content_text(child));
        }
    }
    let bare: String = body
        .children
        .iter()
        .filter_map(|n| match n {
            Node::Text(t) => Some(t.as_str()),
            Node::El(_) => None,
        })
        .collect();
    if !bare.trim().is_empty() {
        parts.insert(0, bare.split_whitespace().collect::<Vec<_>>().join(" "));
    }
    parts.retain(|p| !p.trim().is_empty());
    parts.join(" ")
}

/// A choice: its id, its text, and its inline feedback as rationale.
fn choice(at: &At<'_>, el: &El, modal: &[(String, String)]) -> Result<Choice, QtiError> {
    let identifier = at.attr(el, "identifier")?;
    let inline = el
        .all("qti-feedback-inline")
        .map(block_text)
        .collect::<Vec<_>>();
    let rationale = if inline.is_empty() {
        modal
            .iter()
            .find(|(id, _)| id == identifier)
            .map(|(_, text)| text.clone())
    } else {
        Some(inline.join(" "))
    };
    Ok(Choice {
        id: OptionId::new(bank_identifier(identifier)),
        text: content_text(el),
        rationale,
    })
}

fn choices(
    at: &At<'_>,
    parent: &El,
    name: &str,
    modal: &[(String, String)],
) -> Result<Vec<Choice>, QtiError> {
    let list = parent
        .all(name)
        .map(|c| choice(at, c, modal))
        .collect::<Result<Vec<_>, _>>()?;
    if list.is_empty() {
        return Err(at.missing(parent, &format!("`{name}` choices")));
    }
    Ok(list)
}

fn check_key<'k>(
    at: &At<'_>,
    el: &El,
    key: impl IntoIterator<Item = &'k OptionId>,
    choices: &[Choice],
) -> Result<(), QtiError> {
    for k in key {
        if !choices.iter().any(|c| &c.id == k) {
            return Err(at.invalid(el, format!("correct response names `{k}`, not a choice")));
        }
    }
    Ok(())
}

/// The interaction of an item with its key.
fn interaction(
    at: &At<'_>,
    root: &El,
    el: &El,
    modal: &[(String, String)],
) -> Result<(Interaction, bool), QtiError> {
    if !INTERACTIONS.contains(&el.name.as_str()) {
        return Err(at.unsupported(
            el,
            format!(
                "interaction kind `{}` is not supported (choice, order and match are)",
                el.name
            ),
        ));
    }
    let response_id = at.attr(el, "response-identifier")?;
    let declaration = root
        .all("qti-response-declaration")
        .find(|d| d.get("identifier") == Some(response_id))
        .ok_or_else(|| at.missing(el, &format!("response declaration `{response_id}`")))?;
    let cardinality = at.attr(declaration, "cardinality")?;
    let base_type = declaration.get("base-type").unwrap_or("");
    let correct = declaration
        .first("qti-correct-response")
        .ok_or_else(|| at.missing(declaration, "correct response (`qti-correct-response`)"))?;
    let values: Vec<String> = correct
        .all("qti-value")
        .map(|v| v.all_text().trim().to_owned())
        .collect();
    if values.is_empty() {
        return Err(at.missing(correct, "`qti-value`"));
    }
    let shuffle = el.get("shuffle") == Some("true");
    let kind_mismatch = || {
        at.unsupported(
            declaration,
            format!(
                "cardinality `{cardinality}` with base type `{base_type}` does not fit `{}`",
                el.name
            ),
        )
    };
    let ids = |values: &[String]| -> Vec<OptionId> {
        values
            .iter()
            .map(|v| OptionId::new(bank_identifier(v)))
            .collect()
    };
    let interaction = match (el.name.as_str(), cardinality, base_type) {
        ("qti-choice-interaction", "single", "identifier") => {
            let options = choices(at, el, "qti-simple-choice", modal)?;
            let [key] = ids(&values).try_into().map_err(|_| {
                at.invalid(
                    correct,
                    "a single-choice item needs exactly one correct value".into(),
                )
            })?;
            check_key(at, correct, [&key], &options)?;
            Interaction::SingleChoice { options, key }
        }
        ("qti-choice-interaction", "multiple", "identifier") => {
            let options = choices(at, el, "qti-simple-choice", modal)?;
            let key = ids(&values);
            check_key(at, correct, &key, &options)?;
            let max: usize = el
                .get("max-choices")
                .unwrap_or("0")
                .parse()
                .map_err(|_| at.invalid(el, "`max-choices` is not a whole number".into()))?;
            let select = (max > 0 && max == key.len()).then_some(max as u32);
            Interaction::MultipleResponse {
                options,
                key,
                select,
            }
        }
        ("qti-order-interaction", "ordered", "identifier") => {
            let options = choices(at, el, "qti-simple-choice", modal)?;
            let key = ids(&values);
            check_key(at, correct, &key, &options)?;
            Interaction::Ordering { options, key }
        }
        ("qti-match-interaction", "multiple", "directedPair") => {
            let sets: Vec<&El> = el.all("qti-simple-match-set").collect();
            let [left, right] = sets[..] else {
                return Err(at.invalid(el, "needs exactly two `qti-simple-match-set`".into()));
            };
            let name = "qti-simple-associable-choice";
            let prompts = choices(at, left, name, modal)?;
            let options = choices(at, right, name, modal)?;
            let mut key = Vec::new();
            for value in &values {
                let Some((p, o)) = value.split_once(' ') else {
                    return Err(at.invalid(correct, format!("`{value}` is not a directed pair")));
                };
                let pair = MatchPair {
                    prompt: OptionId::new(bank_identifier(p)),
                    option: OptionId::new(bank_identifier(o.trim())),
                };
                check_key(at, correct, [&pair.prompt], &prompts)?;
                check_key(at, correct, [&pair.option], &options)?;
                key.push(pair);
            }
            Interaction::Matching {
                prompts,
                options,
                key,
            }
        }
        _ => return Err(kind_mismatch()),
    };
    Ok((interaction, shuffle))
}

fn stimulus(file: &str, text: &str) -> Result<ItemSet, QtiError> {
    let at = At { file };
    let root = parse_document(file, text)?;
    if root.name != "qti-assessment-stimulus" {
        return Err(at.unsupported(&root, "not a `qti-assessment-stimulus`".into()));
    }
    let id = bank_identifier(at.attr(&root, "identifier")?);
    let body = root
        .first("qti-stimulus-body")
        .ok_or_else(|| at.missing(&root, "`qti-stimulus-body`"))?;
    let blocks: Vec<&El> = body.elements().collect();
    let (stimulus, format) = match blocks[..] {
        [pre] if pre.name == "pre" => {
            let format = pre
                .get("class")
                .and_then(|c| c.strip_prefix(FORMAT_CLASS_PREFIX))
                .unwrap_or("text");
            (block_text(pre), format.to_owned())
        }
        _ => (content_text(body), "text".to_owned()),
    };
    Ok(ItemSet {
        title: root.get("title").unwrap_or(&id).to_owned(),
        id: SetId::new(id),
        stimulus,
        format,
    })
}

fn from_meta<T>(
    at: &At<'_>,
    root: &El,
    value: Option<&str>,
    default: Option<T>,
    field: &str,
    parse: impl Fn(&str) -> Option<T>,
) -> Result<T, QtiError> {
    match value {
        Some(v) => parse(v).ok_or_else(|| {
            at.invalid(
                root,
                format!("metadata `{field}`: `{v}` is not a valid value"),
            )
        }),
        None => default.ok_or_else(|| {
            at.missing(
                root,
                &format!("`{field}` (not in the manifest's metadata; give --{field})"),
            )
        }),
    }
}

fn named<T: serde::de::DeserializeOwned>(v: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(v.to_owned())).ok()
}

/// Reads one `qti-assessment-item` document (`file` names it in errors),
/// with the manifest's metadata for it; `load` fetches a referenced
/// stimulus. Returns the item and its set, if it refers to a stimulus.
pub fn read_item(
    file: &str,
    text: &str,
    meta: &ItemMetadata,
    defaults: &Defaults,
    load: &mut Loader<'_>,
) -> Result<(Item, Option<ItemSet>), QtiError> {
    let at = At { file };
    let root = parse_document(file, text)?;
    if root.name != "qti-assessment-item" {
        return Err(at.unsupported(&root, "not a `qti-assessment-item`".into()));
    }
    let id = bank_identifier(at.attr(&root, "identifier")?);
    let body = root
        .first("qti-item-body")
        .ok_or_else(|| at.missing(&root, "`qti-item-body`"))?;
    let mut found = Vec::new();
    interactions(body, &mut found);
    let el = match found[..] {
        [one] => one,
        [] => return Err(at.missing(body, "an interaction")),
        [_, second, ..] => {
            return Err(at.unsupported(second, "a second interaction in one item".into()));
        }
    };
    let modal: Vec<(String, String)> = root
        .all("qti-modal-feedback")
        .filter(|m| m.get("outcome-identifier") == Some(FEEDBACK))
        .filter_map(|m| {
            let content = m.first("qti-content-body").unwrap_or(m);
            Some((m.get("identifier")?.to_owned(), content_text(content)))
        })
        .collect();
    let (interaction, shuffle_options) = interaction(&at, &root, el, &modal)?;
    let set = match root.first("qti-assessment-stimulus-ref") {
        Some(r) => {
            let (name, text) = load(at.attr(r, "href")?)?;
            Some(stimulus(&name, &text)?)
        }
        None => None,
    };
    let item = Item {
        id: ItemId::new(id),
        version: from_meta(
            &at,
            &root,
            meta.version.as_deref(),
            Some(defaults.version),
            "version",
            |v| v.parse().ok(),
        )?,
        domain: from_meta(
            &at,
            &root,
            meta.domain.as_deref(),
            defaults.domain.clone(),
            "domain",
            |v| Some(DomainId::new(v)),
        )?,
        level: from_meta(
            &at,
            &root,
            meta.level.as_deref(),
            defaults.level,
            "level",
            named,
        )?,
        phase: from_meta(
            &at,
            &root,
            meta.phase.as_deref(),
            defaults.phase,
            "phase",
            named,
        )?,
        task: from_meta(
            &at,
            &root,
            meta.task.as_deref(),
            defaults.task.clone(),
            "task",
            |v| Some(TaskId::new(v)),
        )?,
        status: from_meta(
            &at,
            &root,
            meta.status.as_deref(),
            Some(defaults.status),
            "status",
            named,
        )?,
        stem: stem(body, el),
        interaction,
        shuffle_options,
        enemies: meta.enemies.iter().map(ItemId::new).collect(),
        set: set.as_ref().map(|s| s.id.clone()),
        expected_seconds: match meta.duration.as_deref() {
            Some(d) => Some(duration_seconds(d).ok_or_else(|| {
                at.invalid(
                    &root,
                    format!(
                        "metadata `typicalLearningTime`: `{d}` is not a duration in whole seconds"
                    ),
                )
            })?),
            None => None,
        },
        stats: ItemStatistics::default(),
    };
    Ok((item, set))
}
