//! Item-writing lint: the measurable rules of the standard item-writing
//! guidelines (Haladyna, Downing & Rodriguez 2002, "A review of
//! multiple-choice item-writing guidelines for classroom assessment",
//! *Applied Measurement in Education* 15(3)), plus the bank's coverage and
//! supply rules.
//!
//! Every threshold is a field of [`LintConfig`]; [`lint`] returns every
//! finding, each naming the item (or the task, or the blueprint cell) it is
//! about. Rules, per item (every item that is not retired):
//!
//! - **banned phrases** in the stem or an option ("all of the above", ...).
//! - **unemphasised negatives** in the lead-in (the stem's last sentence):
//!   `except` and `the least` anywhere in it, and `not` (or an `n't`
//!   contraction) in a lead-in that starts with "Which", unless a
//!   subordinate clause ("why", "that", "when", ...) opens before it. They
//!   pass when written in capitals (`NOT`) or bold (`**not**`). A
//!   scenario's own negatives ("the pod does not start", "Which command
//!   shows why it has not been scheduled?", "Why does ... not ...?") are
//!   not item negatives and are left alone. This is a heuristic: a lead-in
//!   such as "Which setting keeps pods from not ..." needs a reviewer.
//! - **option count**: a single-choice item has exactly
//!   [`LintConfig::single_choice_options`] options.
//! - **option length spread**: the longest option of a single-choice or
//!   multiple-response item is at most [`LintConfig::max_option_length_ratio`]
//!   times the shortest (characters).
//! - **conspicuous key**: a single-choice key is at most
//!   [`LintConfig::max_key_length_factor`] times the mean length of the
//!   distractors.
//! - **missing rationales**: every option carries a non-empty rationale.
//! - **near-duplicate stems**: the Jaccard similarity of two stems' sets of
//!   word [`LintConfig::shingle_words`]-grams is below
//!   [`LintConfig::max_stem_similarity`].
//!
//! Over the bank (operational and pretest single-choice items):
//!
//! - **key-position balance**: each key position holds between
//!   [`LintConfig::key_position_min_share`] and
//!   [`LintConfig::key_position_max_share`] of the items.
//! - **key-is-longest rate**: the key is the strictly longest option in at
//!   most [`LintConfig::max_key_longest_rate`] of the items.
//!
//! Coverage and supply:
//!
//! - **task coverage**: every JTA task is measured by an operational item.
//! - **supply**: every blueprint cell with demand holds at least
//!   [`LintConfig::min_supply_ratio`] times its per-form demand in
//!   operational items.

use crate::bank::{CheckedBlueprint, ItemBank, Location, supply};
use crate::cues::{CueScope, Strategy, cue_audit};
use crate::ids::{BlueprintId, DomainId, ItemId, OptionId, SetId, TaskId};
use crate::item::{Interaction, Item, ItemStatus};
use crate::jta::CompetencyLevel;
use crate::overlap::{overlapping_items, set_cues};
use crate::text::words;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::fmt;

/// The thresholds of the lint rules (defaults from issue 3 and the
/// guidelines cited in the module docs).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LintConfig {
    /// Lowest share of single-choice items with the key in any one position (0.20).
    pub key_position_min_share: f64,
    /// Highest share of single-choice items with the key in any one position (0.30).
    pub key_position_max_share: f64,
    /// Highest share of single-choice items whose key is the strictly longest option (0.35).
    pub max_key_longest_rate: f64,
    /// Options of a single-choice item (4).
    pub single_choice_options: usize,
    /// Highest ratio of the longest to the shortest option of an item, in characters (3.0).
    pub max_option_length_ratio: f64,
    /// Highest ratio of a single-choice key's length to the mean distractor length (1.5).
    pub max_key_length_factor: f64,
    /// Words per shingle when comparing stems (3).
    pub shingle_words: usize,
    /// Stems whose shingle sets have a Jaccard similarity at or above this are near duplicates (0.8).
    pub max_stem_similarity: f64,
    /// Lowest operational supply of a blueprint cell, as a multiple of its per-form demand (4.0).
    pub min_supply_ratio: f64,
    /// Phrases no stem or option may contain (matched case-insensitively, as whole words).
    pub banned_phrases: Vec<String>,
    /// Highest advantage of a test-wise strategy over chance on the whole
    /// bank, as a proportion (0.05: five percentage points).
    pub max_cue_advantage_bank: f64,
    /// Highest advantage of a test-wise strategy over chance in one domain (0.10).
    pub max_cue_advantage_domain: f64,
    /// Fewest audited items a scope needs before the cue rule judges it
    /// (20): a strategy's mean over a handful of items says little.
    pub min_cue_items: usize,
    /// Items whose whole texts have a TF-IDF cosine at or above this
    /// overlap, unless they are enemies or share a set (0.35).
    pub max_item_similarity: f64,
    /// A set member's field holding at least this share of another
    /// member's keyed option's content words cues that key (0.4).
    pub max_set_key_containment: f64,
}

impl Default for LintConfig {
    fn default() -> Self {
        Self {
            key_position_min_share: 0.20,
            key_position_max_share: 0.30,
            max_key_longest_rate: 0.35,
            single_choice_options: 4,
            max_option_length_ratio: 3.0,
            max_key_length_factor: 1.5,
            shingle_words: 3,
            max_stem_similarity: 0.8,
            min_supply_ratio: 4.0,
            banned_phrases: [
                "all of the above",
                "none of the above",
                "all of these",
                "none of these",
                "both of the above",
                "both a and b",
                "neither a nor b",
                "a and b only",
            ]
            .into_iter()
            .map(str::to_owned)
            .collect(),
            max_cue_advantage_bank: 0.05,
            max_cue_advantage_domain: 0.10,
            min_cue_items: 20,
            max_item_similarity: 0.35,
            max_set_key_containment: 0.4,
        }
    }
}

/// What a lint rule found.
#[derive(Debug, Clone, PartialEq, Serialize, thiserror::Error)]
#[serde(tag = "rule", rename_all = "snake_case")]
#[non_exhaustive]
pub enum LintKind {
    /// A key position over- or under-used across single-choice items.
    #[error("key position {} holds {count} of {total} single-choice keys ({:.1}%), outside {:.0}–{:.0}%", letter(*position), share * 100.0, min * 100.0, max * 100.0)]
    KeyPositionBalance {
        /// The position (0 = first option).
        position: usize,
        /// Items keyed there.
        count: usize,
        /// Single-choice items.
        total: usize,
        /// `count / total`.
        share: f64,
        /// The lowest share allowed.
        min: f64,
        /// The highest share allowed.
        max: f64,
    },
    /// The key is the longest option too often.
    #[error("the key is the longest option in {count} of {total} single-choice items ({:.1}%), above {:.0}%", rate * 100.0, max * 100.0)]
    KeyLongestRate {
        /// Items whose key is the strictly longest option.
        count: usize,
        /// Single-choice items.
        total: usize,
        /// `count / total`.
        rate: f64,
        /// The highest rate allowed.
        max: f64,
    },
    /// A banned phrase.
    #[error("banned phrase \"{phrase}\"")]
    BannedPhrase {
        /// The phrase.
        phrase: String,
    },
    /// A negative in the lead-in that is not emphasised.
    #[error("negative \"{word}\" in the lead-in is not emphasised (write NOT or **not**)")]
    UnemphasisedNegative {
        /// The word as written.
        word: String,
    },
    /// A single-choice item with another number of options.
    #[error("{count} options; a single-choice item has {expected}")]
    OptionCount {
        /// Its options.
        count: usize,
        /// The number required.
        expected: usize,
    },
    /// Options of very different lengths.
    #[error("longest option is {ratio:.1} times the shortest (limit {max:.1})")]
    OptionLengthSpread {
        /// Longest / shortest, in characters.
        ratio: f64,
        /// The limit.
        max: f64,
    },
    /// A key much longer than the distractors.
    #[error("key is {ratio:.1} times the mean distractor length (limit {max:.1})")]
    ConspicuousKey {
        /// Key length / mean distractor length.
        ratio: f64,
        /// The limit.
        max: f64,
    },
    /// An option without a rationale.
    #[error("option `{option}` has no rationale")]
    MissingRationale {
        /// The option.
        option: OptionId,
    },
    /// Two stems that are (nearly) the same.
    #[error("stem is a near duplicate of item `{other}`'s (similarity {similarity:.2})")]
    NearDuplicateStem {
        /// The other item.
        other: ItemId,
        /// Jaccard similarity of the shingle sets.
        similarity: f64,
    },
    /// A test-wise strategy that beats chance by too much in a scope.
    #[error("cue audit, {scope}: strategy {strategy} scores {:.1}% against chance {:.1}% over {items} items (+{:.1} points, limit {:.0})", score * 100.0, chance * 100.0, advantage * 100.0, max * 100.0)]
    TestWiseCue {
        /// `bank` or `domain <id>`.
        scope: String,
        /// The strategy.
        strategy: Strategy,
        /// Items audited in the scope.
        items: usize,
        /// The strategy's mean expected score.
        score: f64,
        /// The mean chance score.
        chance: f64,
        /// `score − chance`.
        advantage: f64,
        /// The highest advantage allowed.
        max: f64,
    },
    /// Two items whose whole texts overlap, neither enemies nor in one set.
    #[error(
        "overlaps item `{other}` (TF-IDF cosine {similarity:.2}, limit {max:.2}): mark them enemies or rewrite one"
    )]
    OverlappingItems {
        /// The other item.
        other: ItemId,
        /// The cosine of the two items' TF-IDF vectors.
        similarity: f64,
        /// The limit.
        max: f64,
    },
    /// A set member whose text holds another member's key.
    #[error("holds the key of item `{keyed_item}` of set `{set}` ({:.0}% of its content words)", containment * 100.0)]
    SetCue {
        /// The set.
        set: SetId,
        /// The member whose key is given away.
        keyed_item: ItemId,
        /// The share of the key's content words held.
        containment: f64,
    },
    /// A JTA task no operational item measures.
    #[error("task `{task}` is not measured by any operational item")]
    TaskNotCovered {
        /// The task.
        task: TaskId,
    },
    /// A blueprint cell with less than the required supply.
    #[error(
        "blueprint `{blueprint}`, domain `{domain}` × {level}: {supply} operational item(s) for {demand} per form (ratio {ratio:.2}, minimum {min:.1})"
    )]
    LowSupply {
        /// The blueprint.
        blueprint: BlueprintId,
        /// The domain.
        domain: DomainId,
        /// The level.
        level: CompetencyLevel,
        /// Items per form.
        demand: u32,
        /// Operational items.
        supply: u32,
        /// `supply / demand`.
        ratio: f64,
        /// The minimum ratio.
        min: f64,
    },
}

fn letter(position: usize) -> String {
    u8::try_from(position).ok().filter(|p| *p < 26).map_or_else(
        || (position + 1).to_string(),
        |p| char::from(b'A' + p).to_string(),
    )
}

/// One lint finding: what and where.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LintFinding {
    /// Where (the item's file and id, and the field), where it has one.
    #[serde(flatten)]
    pub location: Location,
    /// What.
    #[serde(flatten)]
    pub kind: LintKind,
    /// The message, as [`LintKind`]'s `Display` writes it.
    pub message: String,
}

impl LintFinding {
    fn new(location: Location, kind: LintKind) -> Self {
        Self {
            message: kind.to_string(),
            location,
            kind,
        }
    }
}

impl fmt::Display for LintFinding {
    /// `lint: location: message`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let location = self.location.to_string();
        if location.is_empty() {
            write!(f, "lint: {}", self.kind)
        } else {
            write!(f, "lint: {}: {}", location, self.kind)
        }
    }
}

/// Runs every rule over the bank and the blueprints, returning the
/// findings: per-item findings in bank order, then bank-wide ones.
pub fn lint(
    bank: &ItemBank,
    blueprints: &[&CheckedBlueprint],
    config: &LintConfig,
) -> Vec<LintFinding> {
    let live: Vec<&Item> = bank
        .items()
        .iter()
        .filter(|i| i.status != ItemStatus::Retired)
        .collect();
    let at = |item: &Item| {
        bank.source(&item.id)
            .cloned()
            .unwrap_or_default()
            .item(item.id.clone())
    };
    let mut findings = Vec::new();
    let duplicates = near_duplicate_stems(&live, config);
    let banned = phrases(&config.banned_phrases);
    for item in &live {
        for (field, kind) in item_findings(item, config, &banned) {
            let location = match field {
                Some(field) => at(item).field(field),
                None => at(item),
            };
            findings.push(LintFinding::new(location, kind));
        }
        for (other, similarity) in duplicates.get(&item.id).into_iter().flatten() {
            findings.push(LintFinding::new(
                at(item).field("stem"),
                LintKind::NearDuplicateStem {
                    other: other.clone(),
                    similarity: *similarity,
                },
            ));
        }
    }
    findings.extend(overlap_findings(bank, config));
    findings.extend(key_findings(bank, config));
    findings.extend(cue_findings(bank, config));
    let measured = measured_tasks(bank);
    for task in &bank.jta().tasks {
        if !measured.contains(&task.id) {
            findings.push(LintFinding::new(
                Location::default(),
                LintKind::TaskNotCovered {
                    task: task.id.clone(),
                },
            ));
        }
    }
    for blueprint in blueprints {
        for cell in supply(bank, blueprint).cells {
            let Some(ratio) = cell.ratio else { continue };
            if ratio < config.min_supply_ratio {
                findings.push(LintFinding::new(
                    Location::default(),
                    LintKind::LowSupply {
                        blueprint: blueprint.id.clone(),
                        domain: cell.domain,
                        level: cell.level,
                        demand: cell.demand,
                        supply: cell.supply,
                        ratio,
                        min: config.min_supply_ratio,
                    },
                ));
            }
        }
    }
    findings
}

/// Overlapping items (at the first of each pair) and set cues (at the
/// member that gives the key away).
fn overlap_findings(bank: &ItemBank, config: &LintConfig) -> Vec<LintFinding> {
    let at = |id: &ItemId| {
        bank.source(id)
            .cloned()
            .unwrap_or_default()
            .item(id.clone())
    };
    let mut findings: Vec<LintFinding> = overlapping_items(bank, config.max_item_similarity)
        .into_iter()
        .map(|pair| {
            LintFinding::new(
                at(&pair.first),
                LintKind::OverlappingItems {
                    other: pair.second,
                    similarity: pair.similarity,
                    max: config.max_item_similarity,
                },
            )
        })
        .collect();
    for cue in set_cues(bank, config.max_set_key_containment) {
        findings.push(LintFinding::new(
            at(&cue.item).field(cue.field),
            LintKind::SetCue {
                set: cue.set,
                keyed_item: cue.keyed_item,
                containment: cue.containment,
            },
        ));
    }
    findings
}

/// Test-wise strategies that beat chance by more than the limit: on the
/// bank, in each kind (at the bank's limit: a kind is a large share of the
/// bank) and in each domain.
fn cue_findings(bank: &ItemBank, config: &LintConfig) -> Vec<LintFinding> {
    let audit = cue_audit(bank);
    let mut scopes: Vec<(String, &CueScope, f64)> = vec![(
        "bank".to_owned(),
        &audit.bank,
        config.max_cue_advantage_bank,
    )];
    for kind in &audit.kinds {
        scopes.push((
            format!("kind {}", kind.kind),
            &kind.scope,
            config.max_cue_advantage_bank,
        ));
    }
    for domain in &audit.domains {
        scopes.push((
            format!("domain {}", domain.domain),
            &domain.scope,
            config.max_cue_advantage_domain,
        ));
    }
    let mut findings = Vec::new();
    for (scope, cues, max) in scopes {
        if cues.items < config.min_cue_items {
            continue;
        }
        for s in cues.strategies.iter().filter(|s| s.advantage > max) {
            findings.push(LintFinding::new(
                Location::default(),
                LintKind::TestWiseCue {
                    scope: scope.clone(),
                    strategy: s.strategy,
                    items: cues.items,
                    score: s.score,
                    chance: cues.chance,
                    advantage: s.advantage,
                    max,
                },
            ));
        }
    }
    findings
}

/// Length of an option text in characters (trimmed).
fn length(text: &str) -> usize {
    text.trim().chars().count()
}

/// The per-item rules, each finding with its field.
fn item_findings(
    item: &Item,
    config: &LintConfig,
    banned: &[Phrase<'_>],
) -> Vec<(Option<String>, LintKind)> {
    let mut findings = Vec::new();
    for phrase in banned_phrases(&item.stem, banned) {
        findings.push((Some("stem".to_owned()), LintKind::BannedPhrase { phrase }));
    }
    for word in unemphasised_negatives(&item.stem) {
        findings.push((
            Some("stem".to_owned()),
            LintKind::UnemphasisedNegative { word },
        ));
    }
    let options = item.interaction.options();
    for (i, option) in options.iter().enumerate() {
        for phrase in banned_phrases(&option.text, banned) {
            findings.push((
                Some(format!("options[{i}].text")),
                LintKind::BannedPhrase { phrase },
            ));
        }
        if option
            .rationale
            .as_deref()
            .is_none_or(|r| r.trim().is_empty())
        {
            findings.push((
                Some(format!("options[{i}].rationale")),
                LintKind::MissingRationale {
                    option: option.id.clone(),
                },
            ));
        }
    }
    let lengths: Vec<usize> = options.iter().map(|o| length(&o.text)).collect();
    if let Interaction::SingleChoice { key, .. } = &item.interaction {
        if options.len() != config.single_choice_options {
            findings.push((
                Some("options".to_owned()),
                LintKind::OptionCount {
                    count: options.len(),
                    expected: config.single_choice_options,
                },
            ));
        }
        let key_length = options
            .iter()
            .find(|o| &o.id == key)
            .map(|o| length(&o.text));
        let distractors: Vec<usize> = options
            .iter()
            .filter(|o| &o.id != key)
            .map(|o| length(&o.text))
            .collect();
        if let (Some(key_length), false) = (key_length, distractors.is_empty()) {
            let mean = distractors.iter().sum::<usize>() as f64 / distractors.len() as f64;
            if mean > 0.0 {
                let ratio = key_length as f64 / mean;
                if ratio > config.max_key_length_factor {
                    findings.push((
                        Some("key".to_owned()),
                        LintKind::ConspicuousKey {
                            ratio,
                            max: config.max_key_length_factor,
                        },
                    ));
                }
            }
        }
    }
    if matches!(
        item.interaction,
        Interaction::SingleChoice { .. } | Interaction::MultipleResponse { .. }
    ) {
        if let (Some(&longest), Some(&shortest)) = (lengths.iter().max(), lengths.iter().min()) {
            if shortest > 0 {
                let ratio = longest as f64 / shortest as f64;
                if ratio > config.max_option_length_ratio {
                    findings.push((
                        Some("options".to_owned()),
                        LintKind::OptionLengthSpread {
                            ratio,
                            max: config.max_option_length_ratio,
                        },
                    ));
                }
            }
        }
    }
    findings
}

/// A banned phrase as written, and its words padded by spaces
/// (`" all of the above "`); `None` for a phrase without words.
type Phrase<'a> = (&'a String, Option<String>);

/// The banned phrases of a configuration, their words found once per run.
fn phrases(banned: &[String]) -> Vec<Phrase<'_>> {
    banned
        .iter()
        .map(|p| {
            let words = words(p);
            (
                p,
                (!words.is_empty()).then(|| format!(" {} ", words.join(" "))),
            )
        })
        .collect()
}

/// The banned phrases `text` contains as whole words, case-insensitively.
fn banned_phrases(text: &str, phrases: &[Phrase<'_>]) -> Vec<String> {
    let padded = format!(" {} ", words(text).join(" "));
    phrases
        .iter()
        .filter(|(_, words)| words.as_ref().is_some_and(|w| padded.contains(w.as_str())))
        .map(|(p, _)| (*p).clone())
        .collect()
}

/// The lead-in: the stem's last sentence (or line).
fn lead_in(stem: &str) -> &str {
    let stem = stem.trim_end();
    let body = stem.trim_end_matches(['?', '.', '!', ':']);
    let start = body
        .char_indices()
        .rev()
        .find(|&(i, c)| {
            c == '\n'
                || (matches!(c, '.' | '?' | '!')
                    && body[i + c.len_utf8()..].starts_with(char::is_whitespace))
        })
        .map_or(0, |(i, c)| i + c.len_utf8());
    stem[start..].trim()
}

/// Negatives in the lead-in that are neither in capitals nor bold.
fn unemphasised_negatives(stem: &str) -> Vec<String> {
    let lead = lead_in(stem);
    let tokens: Vec<&str> = lead.split_whitespace().collect();
    let starts_with_which = tokens
        .first()
        .is_some_and(|t| t.trim_matches('*').eq_ignore_ascii_case("which"));
    let mut found = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        let bold = token.trim_matches(|c: char| c.is_ascii_punctuation() && c != '*');
        let is_bold = bold.len() > 4 && bold.starts_with("**") && bold.ends_with("**");
        let word = token.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'' && c != '’');
        let lower = word.to_lowercase();
        let negative = match lower.as_str() {
            "except" => true,
            "least" => i > 0 && tokens[i - 1].trim_matches('*').eq_ignore_ascii_case("the"),
            "not" => starts_with_which && !subordinate(&tokens[..i]),
            w => {
                starts_with_which
                    && !subordinate(&tokens[..i])
                    && (w.ends_with("n't") || w.ends_with("n’t"))
            }
        };
        let capitals = word.chars().any(char::is_alphabetic)
            && word
                .chars()
                .filter(|c| c.is_alphabetic())
                .all(char::is_uppercase);
        if negative && !capitals && !is_bold {
            found.push(word.to_owned());
        }
    }
    found
}

/// Whether a subordinate clause opens among `tokens` ("Which command shows
/// *why* the pod has not started?"): a negative after it belongs to the
/// scenario, not to the choice the candidate makes.
fn subordinate(tokens: &[&str]) -> bool {
    const OPENERS: [&str; 16] = [
        "why", "because", "if", "when", "whenever", "where", "that", "although", "though",
        "unless", "until", "while", "after", "before", "since", "so",
    ];
    tokens.iter().any(|t| {
        let word = t
            .trim_matches(|c: char| !c.is_alphanumeric())
            .to_lowercase();
        OPENERS.contains(&word.as_str())
    })
}

/// Word shingles of a stem: the set of its `k`-word windows (the whole word
/// list when it is shorter than `k`).
fn shingles(stem: &str, k: usize) -> HashSet<String> {
    let all = words(stem);
    let k = k.max(1);
    if all.len() < k {
        return std::iter::once(all.join(" "))
            .filter(|s| !s.is_empty())
            .collect();
    }
    all.windows(k).map(|w| w.join(" ")).collect()
}

/// Pairs of items whose stems are near duplicates, for each item the others
/// it nearly repeats. Candidates come from an inverted index of shingles,
/// so only pairs that share a shingle are compared: the cost is the sum of
/// the squared posting-list lengths, near-linear for stems that share few
/// phrases.
fn near_duplicate_stems(
    items: &[&Item],
    config: &LintConfig,
) -> HashMap<ItemId, Vec<(ItemId, f64)>> {
    let sets: Vec<HashSet<String>> = items
        .iter()
        .map(|i| shingles(&i.stem, config.shingle_words))
        .collect();
    let mut index: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, set) in sets.iter().enumerate() {
        for shingle in set {
            index.entry(shingle.as_str()).or_default().push(i);
        }
    }
    // For each item, count the shingles it shares with every later item
    // (dense counters, reset through the list of items touched).
    let mut shared = vec![0usize; items.len()];
    let mut touched: Vec<usize> = Vec::new();
    let mut pairs: Vec<(usize, usize, f64)> = Vec::new();
    for (i, set) in sets.iter().enumerate() {
        for shingle in set {
            for &j in index.get(shingle.as_str()).into_iter().flatten() {
                if j > i {
                    if shared[j] == 0 {
                        touched.push(j);
                    }
                    shared[j] += 1;
                }
            }
        }
        for &j in &touched {
            let common = shared[j];
            let similarity = common as f64 / (set.len() + sets[j].len() - common) as f64;
            if similarity >= config.max_stem_similarity {
                pairs.push((i, j, similarity));
            }
            shared[j] = 0;
        }
        touched.clear();
    }
    pairs.sort_by_key(|&(i, j, _)| (i, j));
    let mut result: HashMap<ItemId, Vec<(ItemId, f64)>> = HashMap::new();
    for (i, j, similarity) in pairs {
        result
            .entry(items[i].id.clone())
            .or_default()
            .push((items[j].id.clone(), similarity));
        result
            .entry(items[j].id.clone())
            .or_default()
            .push((items[i].id.clone(), similarity));
    }
    result
}

/// Where the keys of the operational and pretest single-choice items sit,
/// and how often the key is the longest option.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyStats {
    /// Single-choice items counted.
    pub items: usize,
    /// Items with the key at each position (0 = first option).
    pub positions: Vec<usize>,
    /// Items whose key is strictly longer than every distractor
    /// (characters, trimmed).
    pub key_longest: usize,
}

/// The tasks measured by at least one operational item of the bank (the
/// task-coverage rule; drafts, pretest and retired items measure nothing).
pub fn measured_tasks(bank: &ItemBank) -> HashSet<&TaskId> {
    bank.items()
        .iter()
        .filter(|i| i.status == ItemStatus::Operational)
        .map(|i| &i.task)
        .collect()
}

/// Counts key positions and longest keys over the operational and pretest
/// single-choice items of a bank (`positions` has at least `positions`
/// entries).
pub fn key_stats(bank: &ItemBank, positions: usize) -> KeyStats {
    let mut stats = KeyStats {
        items: 0,
        positions: vec![0; positions],
        key_longest: 0,
    };
    for item in bank.items() {
        if !matches!(item.status, ItemStatus::Operational | ItemStatus::Pretest) {
            continue;
        }
        let Interaction::SingleChoice { options, key } = &item.interaction else {
            continue;
        };
        let Some(position) = options.iter().position(|o| &o.id == key) else {
            continue;
        };
        stats.items += 1;
        if position >= stats.positions.len() {
            stats.positions.resize(position + 1, 0);
        }
        stats.positions[position] += 1;
        let key_length = length(&options[position].text);
        if options
            .iter()
            .enumerate()
            .all(|(i, o)| i == position || length(&o.text) < key_length)
        {
            stats.key_longest += 1;
        }
    }
    stats
}

/// Key-position balance and key-is-longest rate over the operational and
/// pretest single-choice items.
fn key_findings(bank: &ItemBank, config: &LintConfig) -> Vec<LintFinding> {
    let stats = key_stats(bank, config.single_choice_options);
    let total = stats.items;
    let mut findings = Vec::new();
    if total == 0 {
        return findings;
    }
    for (position, &count) in stats.positions.iter().enumerate() {
        let share = count as f64 / total as f64;
        if share < config.key_position_min_share || share > config.key_position_max_share {
            findings.push(LintFinding::new(
                Location::default(),
                LintKind::KeyPositionBalance {
                    position,
                    count,
                    total,
                    share,
                    min: config.key_position_min_share,
                    max: config.key_position_max_share,
                },
            ));
        }
    }
    let rate = stats.key_longest as f64 / total as f64;
    if rate > config.max_key_longest_rate {
        findings.push(LintFinding::new(
            Location::default(),
            LintKind::KeyLongestRate {
                count: stats.key_longest,
                total,
                rate,
                max: config.max_key_longest_rate,
            },
        ));
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_banks::{choice_item, one_domain};

    #[test]
    fn a_strategy_beating_chance_fails_the_cue_rule_in_every_scope() {
        // Both keys are the strictly longest option: "longest" scores 1
        // against chance 1/4, +75 points. Every other strategy scores at
        // most chance: shortest 0; eliminating the extremes (lengths 4 and
        // 1) drops the key: 0; no absolute words, no word shared between
        // options or with the stem: 1/4.
        let items = vec![
            choice_item("I0", "One?", &["aaaa", "bb", "ccc", "d"], &[0]),
            choice_item("I1", "Two?", &["d", "bb", "ccc", "aaaa"], &[3]),
        ];
        let bank = one_domain(items, Vec::new());
        assert!(
            cue_findings(&bank, &LintConfig::default()).is_empty(),
            "fewer than 20 items"
        );
        let config = LintConfig {
            min_cue_items: 2,
            ..LintConfig::default()
        };
        let messages: Vec<String> = cue_findings(&bank, &config)
            .iter()
            .map(|f| f.message.clone())
            .collect();
        assert_eq!(
            messages,
            [
                "cue audit, bank: strategy longest scores 100.0% against chance 25.0% over 2 items (+75.0 points, limit 5)",
                "cue audit, kind single_choice: strategy longest scores 100.0% against chance 25.0% over 2 items (+75.0 points, limit 5)",
                "cue audit, domain d: strategy longest scores 100.0% against chance 25.0% over 2 items (+75.0 points, limit 10)",
            ]
        );
    }

    #[test]
    fn lead_in_is_the_last_sentence() {
        assert_eq!(
            lead_in("The pod is not ready. Which step is NOT needed?"),
            "Which step is NOT needed?"
        );
        assert_eq!(lead_in("Context line\nWhat next?"), "What next?");
        assert_eq!(lead_in("Only one sentence?"), "Only one sentence?");
        assert_eq!(lead_in("Version 1.2 failed. Why?"), "Why?");
    }

    #[test]
    fn negatives_need_emphasis_in_which_lead_ins() {
        assert_eq!(
            unemphasised_negatives("The build does not start. Which step is not required?"),
            vec!["not"]
        );
        assert!(unemphasised_negatives("Which step is NOT required?").is_empty());
        assert!(unemphasised_negatives("Which step is **not** required?").is_empty());
        assert!(unemphasised_negatives("Why does the pod not start?").is_empty());
        assert_eq!(
            unemphasised_negatives("All are valid except which one?"),
            vec!["except"]
        );
        assert_eq!(
            unemphasised_negatives("Which is the least likely cause?"),
            vec!["least"]
        );
        assert!(unemphasised_negatives("Which policy grants least privilege?").is_empty());
        assert!(
            unemphasised_negatives("Which TWO commands show why it has not been scheduled?")
                .is_empty()
        );
        assert!(
            unemphasised_negatives("Which setting ensures that pods do not run as root?")
                .is_empty()
        );
        assert_eq!(
            unemphasised_negatives("Which flag shouldn't be set?"),
            vec!["shouldn't"]
        );
    }

    #[test]
    fn banned_phrases_match_whole_words_ignoring_case() {
        let config = LintConfig::default();
        let phrases = phrases(&config.banned_phrases);
        assert_eq!(
            banned_phrases("All of the Above.", &phrases),
            vec!["all of the above"]
        );
        assert!(banned_phrases("Install all of theabove", &phrases).is_empty());
        assert_eq!(
            banned_phrases("Both A and B", &phrases),
            vec!["both a and b"]
        );
    }

    #[test]
    fn shingles_and_similarity() {
        let a = shingles("Which command lists the pods in a namespace?", 3);
        // 8 words, so 6 three-word windows.
        assert_eq!(a.len(), 6);
        assert_eq!(shingles("Why?", 3).len(), 1);
        assert!(shingles("", 3).is_empty());
    }
}
