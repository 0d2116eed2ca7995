//! Writing one bank item as a `qti-assessment-item`, and an item set's
//! stimulus as a `qti-assessment-stimulus`.

use super::{
    ASI_NS, ASI_XSD, FEEDBACK, MAP_RESPONSE, MATCH_CORRECT, QtiError, RESPONSE, XSI_NS, is_plain,
    qti_identifier,
};
use crate::xml::El;
use exam_core::item::{Choice, Interaction, Item, ItemSet};
use exam_scoring::rules::{MatchingRule, MultipleResponseRule, OrderingRule, ScoringRules};

/// Where the stimulus of an item set sits in a package.
pub fn stimulus_href(set: &str) -> String {
    format!("stimuli/{set}.xml")
}

/// Where an item sits in a package.
pub fn item_href(item: &str) -> String {
    format!("items/{item}.xml")
}

/// The class of the `<pre>` that holds a stimulus written in `format`.
pub(crate) const FORMAT_CLASS_PREFIX: &str = "exam-format-";

/// The root element of a QTI document with its namespaces.
pub(crate) fn qti_root(name: &str) -> El {
    El::new(name)
        .attr("xmlns", ASI_NS)
        .attr("xmlns:xsi", XSI_NS)
        .attr("xsi:schemaLocation", format!("{ASI_NS} {ASI_XSD}"))
}

/// A block of text: `<p>` when its whitespace is plain, `<pre>` otherwise.
pub(crate) fn text_block(text: &str) -> El {
    El::new(if is_plain(text) { "p" } else { "pre" }).text(text)
}

fn id_of(item: &Item, id: &str) -> Result<String, QtiError> {
    qti_identifier(id).ok_or_else(|| QtiError::Identifier {
        item: item.id.to_string(),
        id: id.to_owned(),
    })
}

/// How an item's response is scored in QTI: a mapping (with
/// `map_response`) or only the correct response (with `match_correct`).
struct Scoring {
    /// `(map key, value)` pairs, empty for `match_correct`.
    mapping: Vec<(String, f64)>,
}

fn scoring(item: &Item, rules: &ScoringRules) -> Result<Scoring, QtiError> {
    let none = Scoring {
        mapping: Vec::new(),
    };
    Ok(match &item.interaction {
        Interaction::SingleChoice { .. } => none,
        Interaction::MultipleResponse { options, key, .. } => match rules.multiple_response {
            MultipleResponseRule::AllOrNothing => none,
            MultipleResponseRule::PartialCredit { penalty } => {
                let keyed = key.len() as f64;
                let mapping = options
                    .iter()
                    .map(|o| {
                        let value = if key.contains(&o.id) {
                            1.0 / keyed
                        } else {
                            -penalty / keyed
                        };
                        Ok((id_of(item, o.id.as_str())?, value))
                    })
                    .collect::<Result<_, QtiError>>()?;
                Scoring { mapping }
            }
            MultipleResponseRule::NMinusOne { .. } => {
                return Err(QtiError::UnsupportedRule {
                    rule: "multiple_response n_minus_one".into(),
                });
            }
        },
        Interaction::Ordering { .. } => match rules.ordering {
            OrderingRule::Exact => none,
            OrderingRule::Pairwise => {
                return Err(QtiError::UnsupportedRule {
                    rule: "ordering pairwise".into(),
                });
            }
        },
        Interaction::Matching { key, .. } => match rules.matching {
            MatchingRule::AllOrNothing => none,
            MatchingRule::PerPair => {
                let share = 1.0 / key.len() as f64;
                let mapping = key
                    .iter()
                    .map(|p| {
                        let pair = format!(
                            "{} {}",
                            id_of(item, p.prompt.as_str())?,
                            id_of(item, p.option.as_str())?
                        );
                        Ok((pair, share))
                    })
                    .collect::<Result<_, QtiError>>()?;
                Scoring { mapping }
            }
        },
    })
}

fn response_declaration(item: &Item, scoring: &Scoring) -> Result<El, QtiError> {
    let (cardinality, base_type, correct): (&str, &str, Vec<String>) = match &item.interaction {
        Interaction::SingleChoice { key, .. } => {
            ("single", "identifier", vec![id_of(item, key.as_str())?])
        }
        Interaction::MultipleResponse { key, .. } => (
            "multiple",
            "identifier",
            key.iter()
                .map(|k| id_of(item, k.as_str()))
                .collect::<Result<_, _>>()?,
        ),
        Interaction::Ordering { key, .. } => (
            "ordered",
            "identifier",
            key.iter()
                .map(|k| id_of(item, k.as_str()))
                .collect::<Result<_, _>>()?,
        ),
        Interaction::Matching { key, .. } => (
            "multiple",
            "directedPair",
            key.iter()
                .map(|p| {
                    Ok(format!(
                        "{} {}",
                        id_of(item, p.prompt.as_str())?,
                        id_of(item, p.option.as_str())?
                    ))
                })
                .collect::<Result<_, QtiError>>()?,
        ),
    };
    let mut decl = El::new("qti-response-declaration")
        .attr("identifier", RESPONSE)
        .attr("cardinality", cardinality)
        .attr("base-type", base_type)
        .child(
            El::new("qti-correct-response")
                .children(correct.into_iter().map(|v| El::new("qti-value").text(v))),
        );
    if !scoring.mapping.is_empty() {
        decl = decl.child(
            El::new("qti-mapping")
                .attr("lower-bound", "0")
                .attr("upper-bound", "1")
                .attr("default-value", "0")
                .children(scoring.mapping.iter().map(|(key, value)| {
                    El::new("qti-map-entry")
                        .attr("map-key", key.as_str())
                        .attr("mapped-value", value.to_string())
                })),
        );
    }
    Ok(decl)
}

fn simple_choices(item: &Item, name: &str, choices: &[Choice]) -> Result<Vec<El>, QtiError> {
    choices
        .iter()
        .map(|c| {
            Ok(El::new(name)
                .attr("identifier", id_of(item, c.id.as_str())?)
                .child(text_block(&c.text)))
        })
        .collect()
}

fn interaction(item: &Item) -> Result<El, QtiError> {
    let shuffle = if item.shuffle_options {
        "true"
    } else {
        "false"
    };
    let el = match &item.interaction {
        Interaction::SingleChoice { options, .. } => El::new("qti-choice-interaction")
            .attr("response-identifier", RESPONSE)
            .attr("shuffle", shuffle)
            .attr("max-choices", "1")
            .children(simple_choices(item, "qti-simple-choice", options)?),
        Interaction::MultipleResponse {
            options, select, ..
        } => El::new("qti-choice-interaction")
            .attr("response-identifier", RESPONSE)
            .attr("shuffle", shuffle)
            .attr("max-choices", select.unwrap_or(0).to_string())
            .children(simple_choices(item, "qti-simple-choice", options)?),
        Interaction::Ordering { options, .. } => El::new("qti-order-interaction")
            .attr("response-identifier", RESPONSE)
            .attr("shuffle", shuffle)
            .children(simple_choices(item, "qti-simple-choice", options)?),
        Interaction::Matching {
            prompts, options, ..
        } => {
            let set = |choices: &[Choice], match_max: usize| -> Result<El, QtiError> {
                let choices = simple_choices(item, "qti-simple-associable-choice", choices)?
                    .into_iter()
                    .map(|c| c.attr("match-max", match_max.to_string()));
                Ok(El::new("qti-simple-match-set").children(choices))
            };
            El::new("qti-match-interaction")
                .attr("response-identifier", RESPONSE)
                .attr("shuffle", shuffle)
                .attr("max-associations", prompts.len().to_string())
                .child(set(prompts, 1)?)
                .child(set(options, prompts.len())?)
        }
    };
    Ok(el)
}

/// Every choice with its rationale: options, and for matching the prompts.
fn rationales(item: &Item) -> impl Iterator<Item = (&Choice, &str)> {
    let prompts: &[Choice] = match &item.interaction {
        Interaction::Matching { prompts, .. } => prompts,
        _ => &[],
    };
    prompts
        .iter()
        .chain(item.interaction.options())
        .filter_map(|c| c.rationale.as_deref().map(|r| (c, r)))
}

fn check_distinct_choices(item: &Item) -> Result<(), QtiError> {
    if let Interaction::Matching {
        prompts, options, ..
    } = &item.interaction
        && let Some(shared) = prompts
            .iter()
            .find(|p| options.iter().any(|o| o.id == p.id))
    {
        return Err(QtiError::DuplicateChoice {
            item: item.id.to_string(),
            id: shared.id.to_string(),
        });
    }
    Ok(())
}

/// The `qti-assessment-item` of `item`, scored under `rules`; `set` is the
/// item's set (its stimulus is referenced, not copied).
pub fn item_element(
    item: &Item,
    set: Option<&ItemSet>,
    rules: &ScoringRules,
) -> Result<El, QtiError> {
    check_distinct_choices(item)?;
    let identifier = id_of(item, item.id.as_str())?;
    let scoring = scoring(item, rules)?;
    let mut root = qti_root("qti-assessment-item")
        .attr("identifier", identifier.as_str())
        .attr("title", identifier.as_str())
        .attr("adaptive", "false")
        .attr("time-dependent", "false")
        .child(response_declaration(item, &scoring)?)
        .child(
            El::new("qti-outcome-declaration")
                .attr("identifier", "SCORE")
                .attr("cardinality", "single")
                .attr("base-type", "float")
                .attr("normal-maximum", "1")
                .child(El::new("qti-default-value").child(El::new("qti-value").text("0"))),
        );
    let has_rationale = rationales(item).next().is_some();
    if has_rationale {
        root = root.child(
            El::new("qti-outcome-declaration")
                .attr("identifier", FEEDBACK)
                .attr("cardinality", "single")
                .attr("base-type", "identifier"),
        );
    }
    if let Some(set) = set {
        let set_id = qti_identifier(set.id.as_str()).ok_or_else(|| QtiError::Identifier {
            item: item.id.to_string(),
            id: set.id.to_string(),
        })?;
        root = root.child(
            El::new("qti-assessment-stimulus-ref")
                .attr("identifier", set_id)
                .attr("href", format!("../{}", stimulus_href(set.id.as_str())))
                .attr("title", set.title.as_str()),
        );
    }
    let template = if scoring.mapping.is_empty() {
        MATCH_CORRECT
    } else {
        MAP_RESPONSE
    };
    root = root
        .child(
            El::new("qti-item-body")
                .child(text_block(&item.stem))
                .child(interaction(item)?),
        )
        .child(El::new("qti-response-processing").attr("template", template));
    for (choice, rationale) in rationales(item) {
        let id = id_of(item, choice.id.as_str())?;
        root = root.child(
            El::new("qti-modal-feedback")
                .attr("outcome-identifier", FEEDBACK)
                .attr("show-hide", "show")
                .attr("identifier", id.as_str())
                .attr("title", format!("Rationale {id}"))
                .child(El::new("qti-content-body").child(text_block(rationale))),
        );
    }
    Ok(root)
}

/// The `qti-assessment-stimulus` of an item set: its title, and its
/// stimulus as preformatted text whose class names the set's format.
pub fn stimulus_element(set: &ItemSet) -> Result<El, QtiError> {
    let identifier = qti_identifier(set.id.as_str()).ok_or_else(|| QtiError::Identifier {
        item: set.id.to_string(),
        id: set.id.to_string(),
    })?;
    Ok(qti_root("qti-assessment-stimulus")
        .attr("identifier", identifier)
        .attr("title", set.title.as_str())
        .child(
            El::new("qti-stimulus-body").child(
                El::new("pre")
                    .attr("class", format!("{FORMAT_CLASS_PREFIX}{}", set.format))
                    .text(set.stimulus.as_str()),
            ),
        ))
}
