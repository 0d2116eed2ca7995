//! The test-wise cue audit: how well a candidate who knows nothing of the
//! content, but knows how item writers write, would score on the bank.
//!
//! Test-wiseness is "a subject's capacity to utilize the characteristics
//! and formats of the test and/or the test taking situation to receive a
//! high score" (Millman, Bishop & Ebel 1965, "An analysis of
//! test-wiseness", *Educational and Psychological Measurement* 25(3)); the
//! cues it exploits are the ones the item-writing guidelines forbid
//! (Haladyna, Downing & Rodriguez 2002, guidelines 23–28: options of about
//! equal length, no specific determiners such as "always" and "never", no
//! clang associations with the stem, no option that converges with the
//! others). The convergence strategy is Smith's (1982, "Increasing test
//! scores through test-wiseness", cited by Haladyna 2004, *Developing and
//! validating multiple-choice test items*, 3rd ed., ch. 5).
//!
//! # What is audited
//!
//! Every operational and pretest item on which the candidate knows how
//! many options to choose: single-choice items (one) and
//! multiple-response items that state `select` (`k`). Ordering and
//! matching items offer no choice among options and are left out.
//!
//! # The strategies
//!
//! Each [`Strategy`] gives every option an integer *preference*; the
//! candidate picks the `k` options of highest preference. Ties are broken
//! uniformly at random, and the item's score under the strategy is its
//! *expected* score over that randomness: if `a` options rank strictly
//! above the `k`-th best preference and `m` options share it, the strategy
//! scores `1 / C(m, k − a)` when the key is exactly those `a` options plus
//! `k − a` of the `m` tied ones, and 0 otherwise. Length is the trimmed
//! option text in characters; words and content words are those of
//! [`crate::text`].
//!
//! - [`Strategy::Longest`]: preference = length.
//! - [`Strategy::Shortest`]: preference = −length.
//! - [`Strategy::EliminateExtremes`]: every option of the greatest length
//!   and every option of the smallest length is eliminated (preference 0),
//!   the others kept (1); the candidate guesses among those kept (among
//!   all, when fewer than `k` are kept).
//! - [`Strategy::AvoidAbsolutes`]: an option with an absolute word
//!   ([`ABSOLUTE_WORDS`], whole words, any case) is eliminated (0), the
//!   others kept (1).
//! - [`Strategy::Convergence`]: preference = the number of content words
//!   the option shares with each other option, summed over the others.
//! - [`Strategy::StemRepetition`]: preference = the number of content
//!   words the option shares with the stem.
//!
//! *Chance* is blind guessing, `1 / C(n, k)` for `n` options. A scope's
//! score is the mean over its items; its *advantage* is score − chance.

use crate::bank::ItemBank;
use crate::ids::DomainId;
use crate::item::{Choice, Interaction, Item, ItemKind, ItemStatus};
use crate::text::{content_words, words};
use serde::Serialize;
use std::collections::BTreeSet;
use std::fmt;

/// The specific determiners of the absolute-words strategy.
pub const ABSOLUTE_WORDS: &[&str] = &["all", "always", "every", "must", "never", "none", "only"];

/// A test-wise strategy (definitions in the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    /// Pick the longest option.
    Longest,
    /// Pick the shortest option.
    Shortest,
    /// Eliminate the longest and the shortest options, then guess.
    EliminateExtremes,
    /// Eliminate the options with absolute words, then guess.
    AvoidAbsolutes,
    /// Pick the option sharing the most words with the other options.
    Convergence,
    /// Pick the option sharing the most words with the stem.
    StemRepetition,
}

impl Strategy {
    /// Every strategy, in report order.
    pub const ALL: [Strategy; 6] = [
        Strategy::Longest,
        Strategy::Shortest,
        Strategy::EliminateExtremes,
        Strategy::AvoidAbsolutes,
        Strategy::Convergence,
        Strategy::StemRepetition,
    ];

    /// The snake_case name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Strategy::Longest => "longest",
            Strategy::Shortest => "shortest",
            Strategy::EliminateExtremes => "eliminate_extremes",
            Strategy::AvoidAbsolutes => "avoid_absolutes",
            Strategy::Convergence => "convergence",
            Strategy::StemRepetition => "stem_repetition",
        }
    }

    /// The preference of each option of `item` under this strategy.
    fn preferences(self, item: &Audited<'_>) -> Vec<i64> {
        let lengths: Vec<i64> = item
            .options
            .iter()
            .map(|o| i64::try_from(o.text.trim().chars().count()).unwrap_or(i64::MAX))
            .collect();
        match self {
            Strategy::Longest => lengths,
            Strategy::Shortest => lengths.iter().map(|l| -l).collect(),
            Strategy::EliminateExtremes => {
                let max = lengths.iter().copied().max().unwrap_or(0);
                let min = lengths.iter().copied().min().unwrap_or(0);
                lengths
                    .iter()
                    .map(|&l| i64::from(l != max && l != min))
                    .collect()
            }
            Strategy::AvoidAbsolutes => item
                .options
                .iter()
                .map(|o| i64::from(!has_absolute_word(&o.text)))
                .collect(),
            Strategy::Convergence => {
                let sets: Vec<BTreeSet<String>> = item
                    .options
                    .iter()
                    .map(|o| content_words(&o.text))
                    .collect();
                (0..sets.len())
                    .map(|i| {
                        (0..sets.len())
                            .filter(|&j| j != i)
                            .map(|j| count(sets[i].intersection(&sets[j]).count()))
                            .sum()
                    })
                    .collect()
            }
            Strategy::StemRepetition => {
                let stem = content_words(item.stem);
                item.options
                    .iter()
                    .map(|o| count(content_words(&o.text).intersection(&stem).count()))
                    .collect()
            }
        }
    }
}

impl fmt::Display for Strategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

fn count(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Whether `text` holds one of [`ABSOLUTE_WORDS`] as a whole word.
pub fn has_absolute_word(text: &str) -> bool {
    words(text)
        .iter()
        .any(|w| ABSOLUTE_WORDS.contains(&w.as_str()))
}

/// An item as the audit reads it.
struct Audited<'a> {
    stem: &'a str,
    options: &'a [Choice],
    /// Positions of the keyed options.
    key: Vec<usize>,
}

/// An audited item with each strategy's expected score on it, in
/// [`Strategy::ALL`] order (computed once, summed into every scope the
/// item is in).
struct Scored<'a> {
    item: Audited<'a>,
    expected: [f64; Strategy::ALL.len()],
}

impl<'a> Scored<'a> {
    fn of(item: Audited<'a>) -> Self {
        let expected = Strategy::ALL.map(|strategy| item.expected(&strategy.preferences(&item)));
        Self { item, expected }
    }
}

impl<'a> Audited<'a> {
    /// The audited view of an item, when the candidate knows how many
    /// options to choose.
    fn of(item: &'a Item) -> Option<Self> {
        let (options, key): (&[Choice], Vec<&crate::ids::OptionId>) = match &item.interaction {
            Interaction::SingleChoice { options, key } => (options, vec![key]),
            Interaction::MultipleResponse {
                options,
                key,
                select: Some(_),
            } => (options, key.iter().collect()),
            _ => return None,
        };
        let key: Option<Vec<usize>> = key
            .iter()
            .map(|k| options.iter().position(|o| &o.id == *k))
            .collect();
        let key = key.filter(|k| !k.is_empty())?;
        Some(Self {
            stem: &item.stem,
            options,
            key,
        })
    }

    /// The blind-guessing score, `1 / C(n, k)`.
    fn chance(&self) -> f64 {
        1.0 / binomial(self.options.len(), self.key.len())
    }

    /// The expected score of picking the `k` options of highest
    /// preference, ties broken uniformly at random.
    fn expected(&self, preferences: &[i64]) -> f64 {
        let k = self.key.len();
        let mut sorted = preferences.to_vec();
        sorted.sort_unstable_by(|a, b| b.cmp(a));
        let threshold = sorted[k - 1];
        let above: Vec<usize> = (0..preferences.len())
            .filter(|&i| preferences[i] > threshold)
            .collect();
        let tied = preferences.iter().filter(|&&p| p == threshold).count();
        let chosen = above.iter().all(|i| self.key.contains(i))
            && self.key.iter().all(|&i| preferences[i] >= threshold);
        if chosen {
            1.0 / binomial(tied, k - above.len())
        } else {
            0.0
        }
    }

    /// The length rank of each keyed option: 1 + the options strictly longer.
    fn key_length_ranks(&self) -> impl Iterator<Item = usize> + '_ {
        let length = |o: &Choice| o.text.trim().chars().count();
        self.key.iter().map(move |&k| {
            let key_length = length(&self.options[k]);
            1 + self
                .options
                .iter()
                .filter(|o| length(o) > key_length)
                .count()
        })
    }
}

/// `C(n, k)` as a float (exact for the option counts of items).
fn binomial(n: usize, k: usize) -> f64 {
    (0..k).fold(1.0, |acc, i| acc * (n - i) as f64 / (i + 1) as f64)
}

/// One strategy's result over a scope.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StrategyScore {
    /// The strategy.
    pub strategy: Strategy,
    /// Its mean expected score over the scope's items (0–1).
    pub score: f64,
    /// `score` − the scope's chance score.
    pub advantage: f64,
}

/// The audit of one scope (the bank, a domain, a kind).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CueScope {
    /// Items audited.
    pub items: usize,
    /// The mean blind-guessing score (0–1).
    pub chance: f64,
    /// Each strategy's score, in [`Strategy::ALL`] order.
    pub strategies: Vec<StrategyScore>,
    /// Keyed options at each position (0 = first option as written).
    pub key_positions: Vec<usize>,
    /// Keyed options at each length rank (0 = rank 1, the longest: 1 + the
    /// number of options strictly longer than the keyed one).
    pub key_length_ranks: Vec<usize>,
}

impl CueScope {
    fn of<'a>(items: impl IntoIterator<Item = &'a Scored<'a>>) -> Self {
        let mut scope = CueScope {
            items: 0,
            chance: 0.0,
            strategies: Vec::new(),
            key_positions: Vec::new(),
            key_length_ranks: Vec::new(),
        };
        let mut sums = [0.0; Strategy::ALL.len()];
        for Scored { item, expected } in items {
            scope.items += 1;
            scope.chance += item.chance();
            for (sum, e) in sums.iter_mut().zip(expected) {
                *sum += e;
            }
            for &position in &item.key {
                bump(&mut scope.key_positions, position);
            }
            for rank in item.key_length_ranks() {
                bump(&mut scope.key_length_ranks, rank - 1);
            }
        }
        let n = scope.items.max(1) as f64;
        scope.chance /= n;
        scope.strategies = Strategy::ALL
            .iter()
            .zip(sums)
            .map(|(&strategy, sum)| StrategyScore {
                strategy,
                score: sum / n,
                advantage: sum / n - scope.chance,
            })
            .collect();
        scope
    }
}

fn bump(counts: &mut Vec<usize>, at: usize) {
    if counts.len() <= at {
        counts.resize(at + 1, 0);
    }
    counts[at] += 1;
}

/// A domain's audit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DomainCues {
    /// The domain.
    pub domain: DomainId,
    /// Its audit.
    #[serde(flatten)]
    pub scope: CueScope,
}

/// A kind's audit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KindCues {
    /// The kind.
    pub kind: ItemKind,
    /// Its audit.
    #[serde(flatten)]
    pub scope: CueScope,
}

/// The cue audit of a bank: the whole bank, each JTA domain (in JTA order)
/// and each audited kind.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CueAudit {
    /// Every audited item.
    pub bank: CueScope,
    /// Per JTA domain.
    pub domains: Vec<DomainCues>,
    /// Per kind (single choice, multiple response).
    pub kinds: Vec<KindCues>,
}

/// Audits the operational and pretest items of `bank`.
pub fn cue_audit(bank: &ItemBank) -> CueAudit {
    let audited: Vec<(&Item, Scored<'_>)> = bank
        .items()
        .iter()
        .filter(|i| matches!(i.status, ItemStatus::Operational | ItemStatus::Pretest))
        .filter_map(|i| Audited::of(i).map(|a| (i, Scored::of(a))))
        .collect();
    CueAudit {
        bank: CueScope::of(audited.iter().map(|(_, a)| a)),
        domains: bank
            .jta()
            .domains
            .iter()
            .map(|d| DomainCues {
                domain: d.id.clone(),
                scope: CueScope::of(
                    audited
                        .iter()
                        .filter(|(i, _)| i.domain == d.id)
                        .map(|(_, a)| a),
                ),
            })
            .collect(),
        kinds: [ItemKind::SingleChoice, ItemKind::MultipleResponse]
            .into_iter()
            .map(|kind| KindCues {
                kind,
                scope: CueScope::of(
                    audited
                        .iter()
                        .filter(|(i, _)| i.kind() == kind)
                        .map(|(_, a)| a),
                ),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_banks::{choice_item, one_domain};

    /// A bank of one domain from `(stem, options, key positions)` items.
    fn bank(items: &[(&str, &[&str], &[usize])]) -> ItemBank {
        let items = items
            .iter()
            .enumerate()
            .map(|(n, (stem, options, key))| choice_item(&format!("I{n}"), stem, options, key))
            .collect();
        one_domain(items, Vec::new())
    }

    fn scores(scope: &CueScope) -> Vec<f64> {
        scope.strategies.iter().map(|s| s.score).collect()
    }

    fn assert_close(actual: &[f64], expected: &[f64]) {
        assert_eq!(actual.len(), expected.len());
        for (a, e) in actual.iter().zip(expected) {
            assert!((a - e).abs() < 1e-12, "{actual:?} != {expected:?}");
        }
    }

    #[test]
    fn each_strategy_on_one_item_derived_by_hand() {
        // Lengths 3, 4, 6, 8; the key is C. Longest picks D: 0. Shortest
        // picks A: 0. Eliminating D (longest) and A (shortest) keeps B and
        // C: 1/2. A holds "all": guess among B, C, D: 1/3. Content words
        // {all}, {qrst}, {pod, xx}, {zzzzzzzz}: no option shares a word
        // with another, so convergence ties all four: 1/4. The stem's
        // content words are {pod, node}; only C shares one: 1.
        let b = bank(&[(
            "Which pod node?",
            &["all", "qrst", "pod xx", "zzzzzzzz"],
            &[2],
        )]);
        let audit = cue_audit(&b);
        assert_close(&scores(&audit.bank), &[0.0, 0.0, 0.5, 1.0 / 3.0, 0.25, 1.0]);
        assert!((audit.bank.chance - 0.25).abs() < 1e-12);
        assert_eq!(audit.bank.key_positions, [0, 0, 1]);
        // One option (D) is strictly longer than the key: rank 2.
        assert_eq!(audit.bank.key_length_ranks, [0, 1]);
    }

    #[test]
    fn ties_count_by_expected_value() {
        // Two options tie for longest (4 chars), the key among them:
        // longest scores 1/2. Lengths 4, 4, 2, 2: every option is the
        // longest or the shortest, so nothing is kept and the candidate
        // guesses among all four: 1/4. Shortest ties C and D, not the key:
        // 0. No absolutes: 1/4. No option shares a word with another or
        // with the stem: convergence and stem repetition 1/4.
        let b = bank(&[("Pick one.", &["abcd", "wxyz", "ab", "cd"], &[0])]);
        assert_close(
            &scores(&cue_audit(&b).bank),
            &[0.5, 0.0, 0.25, 0.25, 0.25, 0.25],
        );
    }

    #[test]
    fn convergence_picks_the_option_sharing_most_words() {
        // Word sets: A {red, fast}, B {red, slow}, C {blue, fast},
        // D {green}. Shared counts: A 1 (B) + 1 (C) = 2; B 1; C 1; D 0.
        // Key A: convergence scores 1. Lengths 8, 8, 9, 5: longest picks C
        // (0); shortest picks D (0); extremes drop C and D, keep A and B:
        // 1/2.
        let b = bank(&[(
            "Which car?",
            &["red fast", "red slow", "blue fast", "green"],
            &[0],
        )]);
        let s = scores(&cue_audit(&b).bank);
        assert_close(&s[..3], &[0.0, 0.0, 0.5]);
        assert_close(&s[4..5], &[1.0]);
    }

    #[test]
    fn multiple_response_picks_the_top_k() {
        // Five options, two keyed (A, B), select 2: chance 1/C(5,2) = 1/10.
        // Lengths 7, 6, 5, 2, 1. Longest picks A and B: 1. Shortest picks
        // D and E: 0. Extremes drop A and E, guess 2 of B, C, D: key A is
        // dropped: 0. Absolutes: "never" in C; guess 2 of A, B, D, E:
        // 1/C(4,2) = 1/6.
        let b = bank(&[(
            "Which two?",
            &["aaaaaaa", "bbbbbb", "never", "dd", "e"],
            &[0, 1],
        )]);
        let audit = cue_audit(&b);
        let s = scores(&audit.bank);
        assert_close(&s[..4], &[1.0, 0.0, 0.0, 1.0 / 6.0]);
        assert!((audit.bank.chance - 0.1).abs() < 1e-12);
        assert_eq!(audit.kinds[1].scope.items, 1);
        assert_eq!(audit.kinds[0].scope.items, 0);
    }

    #[test]
    fn scopes_average_their_items() {
        // Item 1: key is the longest (longest 1, shortest 0).
        // Item 2: key is the shortest (longest 0, shortest 1).
        // Bank: longest 1/2, shortest 1/2; chance 1/4; advantage 1/4.
        let b = bank(&[
            ("One?", &["aaaa", "bb", "ccc", "d"], &[0]),
            ("Two?", &["aaaa", "bb", "ccc", "d"], &[3]),
        ]);
        let audit = cue_audit(&b);
        assert_close(&scores(&audit.bank)[..2], &[0.5, 0.5]);
        assert!((audit.bank.strategies[0].advantage - 0.25).abs() < 1e-12);
        assert_eq!(audit.domains.len(), 1);
        assert_eq!(audit.domains[0].scope, audit.bank);
        assert_eq!(audit.bank.key_length_ranks, [1, 0, 0, 1]);
    }

    #[test]
    fn absolute_words_are_whole_words() {
        assert!(has_absolute_word("It ALWAYS works"));
        assert!(!has_absolute_word("Allow the install"));
        assert!(has_absolute_word("none"));
    }
}
