//! The checks of a bank's parts: the JTA on its own, each item on its own
//! and against the JTA, and the items against each other and the sets.

use super::problem::{Location, Problem, ProblemKind};
use crate::ids::{DomainId, ItemId, OptionId, SetId};
use crate::item::{Choice, Interaction, Item, ItemSet};
use crate::jta::Jta;
use std::collections::{BTreeSet, HashMap, HashSet};

/// Checks the JTA: at least one domain, unique domain and task ids, every
/// task in a known domain.
pub(crate) fn check_jta(jta: &Jta, at: &Location) -> Vec<Problem> {
    let mut problems = Vec::new();
    if jta.domains.is_empty() {
        problems.push(Problem::new(
            at.clone().field("domains"),
            ProblemKind::NoDomains,
        ));
    }
    let mut domains = HashSet::new();
    for (i, d) in jta.domains.iter().enumerate() {
        if !domains.insert(&d.id) {
            problems.push(Problem::new(
                at.clone().field(format!("domains[{i}].id")),
                ProblemKind::DuplicateDomain {
                    domain: d.id.clone(),
                },
            ));
        }
    }
    let mut tasks = HashSet::new();
    for (i, t) in jta.tasks.iter().enumerate() {
        if !tasks.insert(&t.id) {
            problems.push(Problem::new(
                at.clone().field(format!("tasks[{i}].id")),
                ProblemKind::DuplicateTask { task: t.id.clone() },
            ));
        }
        if !domains.contains(&t.domain) {
            problems.push(Problem::new(
                at.clone().field(format!("tasks[{i}].domain")),
                ProblemKind::UnknownDomain {
                    domain: t.domain.clone(),
                },
            ));
        }
    }
    problems
}

/// Checks one item on its own and against the JTA.
pub(crate) fn check_item(jta: &Jta, item: &Item, at: &Location) -> Vec<Problem> {
    let at = at.clone().item(item.id.clone());
    let mut problems = Vec::new();
    let mut push = |field: &str, kind: ProblemKind| {
        problems.push(Problem::new(at.clone().field(field), kind));
    };
    if item.id.as_str().is_empty() {
        push("id", ProblemKind::EmptyId);
    }
    if jta.domain(&item.domain).is_none() {
        push(
            "domain",
            ProblemKind::UnknownDomain {
                domain: item.domain.clone(),
            },
        );
    }
    match jta.task(&item.task) {
        None => push(
            "task",
            ProblemKind::UnknownTask {
                task: item.task.clone(),
            },
        ),
        Some(task) if task.domain != item.domain && jta.domain(&item.domain).is_some() => push(
            "task",
            ProblemKind::TaskInOtherDomain {
                task: task.id.clone(),
                task_domain: task.domain.clone(),
                item_domain: item.domain.clone(),
            },
        ),
        Some(_) => {}
    }
    if item.stem.trim().is_empty() {
        push("stem", ProblemKind::EmptyStem);
    }
    if item.enemies.contains(&item.id) {
        push("enemies", ProblemKind::SelfEnemy);
    }
    for (field, kind) in interaction_problems(&item.interaction) {
        push(&field, kind);
    }
    problems
}

/// The problems of an interaction, each with its field path.
fn interaction_problems(interaction: &Interaction) -> Vec<(String, ProblemKind)> {
    let mut problems = choice_problems("options", interaction.options());
    let option_ids: HashSet<&OptionId> = interaction.options().iter().map(|c| &c.id).collect();
    let key_names = |field: &str, option: &OptionId, problems: &mut Vec<(String, ProblemKind)>| {
        if !option_ids.contains(option) {
            problems.push((
                field.to_owned(),
                ProblemKind::KeyNotAnOption {
                    option: option.clone(),
                },
            ));
        }
    };
    match interaction {
        Interaction::SingleChoice { key, .. } => key_names("key", key, &mut problems),
        Interaction::MultipleResponse { key, select, .. } => {
            if key.is_empty() {
                problems.push(("key".to_owned(), ProblemKind::EmptyKey));
            }
            for (i, k) in key.iter().enumerate() {
                key_names(&format!("key[{i}]"), k, &mut problems);
            }
            problems.extend(repeated("key", key));
            if let Some(select) = *select {
                if usize::try_from(select).ok() != Some(key.len()) {
                    problems.push((
                        "select".to_owned(),
                        ProblemKind::SelectMismatch {
                            select,
                            keys: key.len(),
                        },
                    ));
                }
            }
        }
        Interaction::Ordering { options, key } => {
            for (i, k) in key.iter().enumerate() {
                key_names(&format!("key[{i}]"), k, &mut problems);
            }
            problems.extend(repeated("key", key));
            let keyed: HashSet<&OptionId> = key.iter().collect();
            let missing: Vec<OptionId> = options
                .iter()
                .filter(|o| !keyed.contains(&o.id))
                .map(|o| o.id.clone())
                .collect();
            if !missing.is_empty() {
                problems.push(("key".to_owned(), ProblemKind::NotAPermutation { missing }));
            }
        }
        Interaction::Matching { prompts, key, .. } => {
            problems.extend(choice_problems("prompts", prompts));
            let prompt_ids: HashSet<&OptionId> = prompts.iter().map(|p| &p.id).collect();
            let mut pairs: HashMap<&OptionId, usize> = HashMap::new();
            for (i, pair) in key.iter().enumerate() {
                if prompt_ids.contains(&pair.prompt) {
                    *pairs.entry(&pair.prompt).or_default() += 1;
                } else {
                    problems.push((
                        format!("key[{i}].prompt"),
                        ProblemKind::UnknownPrompt {
                            prompt: pair.prompt.clone(),
                        },
                    ));
                }
                key_names(&format!("key[{i}].option"), &pair.option, &mut problems);
            }
            let mut seen = HashSet::new();
            for p in prompts {
                if !seen.insert(&p.id) {
                    continue;
                }
                match pairs.get(&p.id).copied().unwrap_or(0) {
                    0 => problems.push((
                        "key".to_owned(),
                        ProblemKind::PromptNotKeyed {
                            prompt: p.id.clone(),
                        },
                    )),
                    1 => {}
                    count => problems.push((
                        "key".to_owned(),
                        ProblemKind::PromptKeyedTwice {
                            prompt: p.id.clone(),
                            count,
                        },
                    )),
                }
            }
        }
    }
    problems
}

/// Options (or prompts): present, non-empty ids and texts, unique ids and
/// texts.
fn choice_problems(field: &str, choices: &[Choice]) -> Vec<(String, ProblemKind)> {
    let mut problems = Vec::new();
    if choices.is_empty() {
        problems.push((field.to_owned(), ProblemKind::NoOptions));
    }
    let mut ids = HashSet::new();
    let mut texts: HashMap<String, &OptionId> = HashMap::new();
    for (i, c) in choices.iter().enumerate() {
        if c.id.as_str().is_empty() {
            problems.push((format!("{field}[{i}].id"), ProblemKind::EmptyId));
        } else if !ids.insert(&c.id) {
            problems.push((
                format!("{field}[{i}].id"),
                ProblemKind::DuplicateOptionId {
                    option: c.id.clone(),
                },
            ));
        }
        let text = c.text.trim().to_lowercase();
        if text.is_empty() {
            problems.push((
                format!("{field}[{i}].text"),
                ProblemKind::EmptyOptionText {
                    option: c.id.clone(),
                },
            ));
        } else if let Some(first) = texts.get(&text) {
            problems.push((
                format!("{field}[{i}].text"),
                ProblemKind::DuplicateOptionText {
                    first: (*first).clone(),
                    second: c.id.clone(),
                },
            ));
        } else {
            texts.insert(text, &c.id);
        }
    }
    problems
}

/// Options named more than once in a key.
fn repeated(field: &str, key: &[OptionId]) -> Vec<(String, ProblemKind)> {
    let mut seen = HashSet::new();
    let mut reported = HashSet::new();
    key.iter()
        .filter(|k| !seen.insert(*k) && reported.insert(*k))
        .map(|k| {
            (
                field.to_owned(),
                ProblemKind::RepeatedKey { option: k.clone() },
            )
        })
        .collect()
}

/// Checks the items against each other and the sets: unique item and set
/// ids, enemies and sets that exist, sets with items in one domain.
/// `items` and `sets` carry the location each was read from.
pub(crate) fn check_relations(
    items: &[(&Item, &Location)],
    sets: &[(&ItemSet, &Location)],
) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut set_ids: HashSet<&SetId> = HashSet::new();
    for (set, at) in sets {
        if set.id.as_str().is_empty() {
            problems.push(Problem::new(
                (*at).clone().field("id"),
                ProblemKind::EmptyId,
            ));
        } else if !set_ids.insert(&set.id) {
            problems.push(Problem::new(
                (*at).clone().field("id"),
                ProblemKind::DuplicateSet {
                    set: set.id.clone(),
                },
            ));
        }
    }
    let mut item_ids: HashSet<&ItemId> = HashSet::with_capacity(items.len());
    for (item, at) in items {
        if !item.id.as_str().is_empty() && !item_ids.insert(&item.id) {
            problems.push(Problem::new(
                (*at).clone().item(item.id.clone()).field("id"),
                ProblemKind::DuplicateItem,
            ));
        }
    }
    let mut set_domains: HashMap<&SetId, BTreeSet<&DomainId>> = HashMap::new();
    for (item, at) in items {
        let at = (*at).clone().item(item.id.clone());
        for (i, enemy) in item.enemies.iter().enumerate() {
            if !item_ids.contains(enemy) {
                problems.push(Problem::new(
                    at.clone().field(format!("enemies[{i}]")),
                    ProblemKind::UnknownEnemy {
                        enemy: enemy.clone(),
                    },
                ));
            }
        }
        if let Some(set) = &item.set {
            if set_ids.contains(set) {
                set_domains.entry(set).or_default().insert(&item.domain);
            } else {
                problems.push(Problem::new(
                    at.field("set"),
                    ProblemKind::UnknownSet { set: set.clone() },
                ));
            }
        }
    }
    let mut reported: HashSet<&SetId> = HashSet::new();
    for (set, at) in sets {
        if !reported.insert(&set.id) {
            continue;
        }
        match set_domains.get(&set.id) {
            None => problems.push(Problem::new(
                (*at).clone(),
                ProblemKind::EmptySet {
                    set: set.id.clone(),
                },
            )),
            Some(domains) if domains.len() > 1 => problems.push(Problem::new(
                (*at).clone(),
                ProblemKind::SetSpansDomains {
                    set: set.id.clone(),
                    domains: domains.iter().map(|d| (*d).clone()).collect(),
                },
            )),
            Some(_) => {}
        }
    }
    problems
}
