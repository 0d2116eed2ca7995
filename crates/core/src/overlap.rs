//! Overlapping items: pairs of items that test the same thing, and items
//! of one set that give away another member's key.
//!
//! # Item overlap
//!
//! Stem similarity alone misses clones whose stems are worded apart but
//! whose options and rationales are the same. So each item is read as one
//! document, its stem, option and prompt texts and rationales together,
//! and compared by the cosine of TF-IDF vectors (Salton & Buckley 1988,
//! "Term-weighting approaches in automatic text retrieval", *Information
//! Processing & Management* 24(5)): the terms are content words
//! ([`crate::text::content_words`]); a term's weight in a document is
//! `(1 + ln tf) · ln(N / df)`, with `tf` its count in the document, `N`
//! the number of documents and `df` the number of documents holding it
//! (a term in every document weighs 0). The cosine of two such vectors is
//! 1 for the same wording and 0 for no shared term but the ubiquitous.
//!
//! # Cueing inside a set
//!
//! A set's items are delivered together, so what one member shows the
//! candidate (its stem and options) must not hold another member's key.
//! The *containment* of a keyed option `k` in a text `t` is the share of
//! `k`'s content words that `t` also holds; a keyed option with fewer than
//! [`MIN_KEY_WORDS`] content words is too short to judge. The rationales
//! of one member are checked too: they are never shown to the candidate,
//! but a rationale that restates another member's key shows the two items
//! test one fact, which a reviewer should see.

use crate::bank::ItemBank;
use crate::ids::{ItemId, SetId};
use crate::item::{Interaction, Item, ItemStatus};
use crate::text::{content_words, is_stop_word, words};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};

/// Keyed options with fewer content words than this are not checked for
/// cueing inside sets.
pub const MIN_KEY_WORDS: usize = 3;

/// Two items whose whole texts are similar.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OverlapPair {
    /// The item that comes first in the bank.
    pub first: ItemId,
    /// The other item.
    pub second: ItemId,
    /// The TF-IDF cosine of their texts (0–1).
    pub similarity: f64,
}

/// The whole text of an item: stem, options, prompts and rationales.
fn document(item: &Item) -> String {
    let mut text = item.stem.clone();
    let prompts = match &item.interaction {
        Interaction::Matching { prompts, .. } => prompts.as_slice(),
        _ => &[],
    };
    for choice in item.interaction.options().iter().chain(prompts) {
        text.push('\n');
        text.push_str(&choice.text);
        if let Some(rationale) = &choice.rationale {
            text.push('\n');
            text.push_str(rationale);
        }
    }
    text
}

/// Unit-length TF-IDF vectors of `documents`, as term-sorted sparse rows.
fn tf_idf(documents: &[String]) -> Vec<Vec<(usize, f64)>> {
    let mut terms: HashMap<String, usize> = HashMap::new();
    let counts: Vec<HashMap<usize, usize>> = documents
        .iter()
        .map(|d| {
            let mut counts = HashMap::new();
            for word in words(d) {
                if is_stop_word(&word) {
                    continue;
                }
                let next = terms.len();
                let term = *terms.entry(word).or_insert(next);
                *counts.entry(term).or_insert(0) += 1;
            }
            counts
        })
        .collect();
    let mut df = vec![0usize; terms.len()];
    for c in &counts {
        for &term in c.keys() {
            df[term] += 1;
        }
    }
    let n = documents.len() as f64;
    counts
        .iter()
        .map(|c| {
            let mut row: Vec<(usize, f64)> = c
                .iter()
                .map(|(&term, &tf)| (term, (1.0 + (tf as f64).ln()) * (n / df[term] as f64).ln()))
                .filter(|&(_, w)| w > 0.0)
                .collect();
            row.sort_unstable_by_key(|&(term, _)| term);
            let norm = row.iter().map(|(_, w)| w * w).sum::<f64>().sqrt();
            if norm > 0.0 {
                for (_, w) in &mut row {
                    *w /= norm;
                }
            }
            row
        })
        .collect()
}

/// Every pair of items (in bank order) whose TF-IDF cosine is at least
/// `threshold`. The document frequencies are those of `items`.
pub fn similar_pairs(items: &[&Item], threshold: f64) -> Vec<OverlapPair> {
    let documents: Vec<String> = items.iter().map(|i| document(i)).collect();
    similar_rows(&tf_idf(&documents), threshold)
        .into_iter()
        .map(|(i, j, similarity)| OverlapPair {
            first: items[i].id.clone(),
            second: items[j].id.clone(),
            similarity,
        })
        .collect()
}

/// The pairs `(i, j, cosine)`, `i < j` in row order, of unit rows whose
/// cosine is at least `threshold`.
///
/// Row `i` is spread into a dense vector over the vocabulary once, and each
/// later row's cosine with it is one lookup per term of that row (summed in
/// term order, as a merge of the two sparse rows would); rows are compared
/// in parallel.
fn similar_rows(rows: &[Vec<(usize, f64)>], threshold: f64) -> Vec<(usize, usize, f64)> {
    let vocabulary = rows
        .iter()
        .flatten()
        .map(|&(term, _)| term + 1)
        .max()
        .unwrap_or(0);
    let partners: Vec<Vec<(usize, usize, f64)>> = (0..rows.len())
        .into_par_iter()
        .map_init(
            || vec![0.0; vocabulary],
            |dense, i| {
                for &(term, w) in &rows[i] {
                    dense[term] = w;
                }
                let found = (i + 1..rows.len())
                    .filter_map(|j| {
                        let cosine: f64 = rows[j].iter().map(|&(term, w)| dense[term] * w).sum();
                        (cosine >= threshold).then_some((i, j, cosine))
                    })
                    .collect();
                for &(term, _) in &rows[i] {
                    dense[term] = 0.0;
                }
                found
            },
        )
        .collect();
    partners.into_iter().flatten().collect()
}

/// The pairs of live (not retired) items of `bank` at or above
/// `threshold` that are neither enemies (either way) nor in the same set.
pub fn overlapping_items(bank: &ItemBank, threshold: f64) -> Vec<OverlapPair> {
    let live: Vec<&Item> = bank
        .items()
        .iter()
        .filter(|i| i.status != ItemStatus::Retired)
        .collect();
    let by_id: HashMap<&ItemId, &Item> = live.iter().map(|i| (&i.id, *i)).collect();
    similar_pairs(&live, threshold)
        .into_iter()
        .filter(|p| {
            let (a, b) = (by_id[&p.first], by_id[&p.second]);
            let enemies = a.enemies.contains(&b.id) || b.enemies.contains(&a.id);
            let same_set = a.set.is_some() && a.set == b.set;
            !enemies && !same_set
        })
        .collect()
}

/// A member of a set whose text holds another member's key.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SetCue {
    /// The set.
    pub set: SetId,
    /// The member whose text gives the key away.
    pub item: ItemId,
    /// Where in it: `stem`, `options[i].text` or `options[i].rationale`.
    pub field: String,
    /// The member whose key it holds.
    pub keyed_item: ItemId,
    /// The share of the keyed option's content words the field holds.
    pub containment: f64,
}

/// The texts of `item` a set cue can sit in, with their field names.
fn fields(item: &Item) -> Vec<(String, &str)> {
    let mut fields = vec![("stem".to_owned(), item.stem.as_str())];
    for (i, option) in item.interaction.options().iter().enumerate() {
        fields.push((format!("options[{i}].text"), option.text.as_str()));
        if let Some(rationale) = &option.rationale {
            fields.push((format!("options[{i}].rationale"), rationale.as_str()));
        }
    }
    fields
}

/// The content words of each keyed option of a single-choice or
/// multiple-response item (ordering and matching keys are arrangements,
/// not texts).
fn keyed_texts(item: &Item) -> Vec<BTreeSet<String>> {
    let keyed: Vec<&str> = match &item.interaction {
        Interaction::SingleChoice { options, key } => options
            .iter()
            .filter(|o| &o.id == key)
            .map(|o| o.text.as_str())
            .collect(),
        Interaction::MultipleResponse { options, key, .. } => options
            .iter()
            .filter(|o| key.contains(&o.id))
            .map(|o| o.text.as_str())
            .collect(),
        Interaction::Ordering { .. } | Interaction::Matching { .. } => Vec::new(),
    };
    keyed
        .into_iter()
        .map(content_words)
        .filter(|w| w.len() >= MIN_KEY_WORDS)
        .collect()
}

/// Every field of a live set member whose containment of another live
/// member's keyed option is at least `min_containment`.
pub fn set_cues(bank: &ItemBank, min_containment: f64) -> Vec<SetCue> {
    let mut cues = Vec::new();
    for set in bank.sets() {
        let members: Vec<&Item> = bank
            .items()
            .iter()
            .filter(|i| i.status != ItemStatus::Retired && i.set.as_ref() == Some(&set.id))
            .collect();
        for keyed in &members {
            for key in keyed_texts(keyed) {
                for member in members.iter().filter(|m| m.id != keyed.id) {
                    for (field, text) in fields(member) {
                        let held = content_words(text).intersection(&key).count();
                        let containment = held as f64 / key.len() as f64;
                        if containment >= min_containment {
                            cues.push(SetCue {
                                set: set.id.clone(),
                                item: member.id.clone(),
                                field,
                                keyed_item: keyed.id.clone(),
                                containment,
                            });
                        }
                    }
                }
            }
        }
    }
    cues
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_banks::{choice_item, one_domain};

    /// The dot product of two term-sorted sparse rows, by merging them.
    fn dot(a: &[(usize, f64)], b: &[(usize, f64)]) -> f64 {
        let (mut i, mut j, mut sum) = (0, 0, 0.0);
        while i < a.len() && j < b.len() {
            match a[i].0.cmp(&b[j].0) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    sum += a[i].1 * b[j].1;
                    i += 1;
                    j += 1;
                }
            }
        }
        sum
    }

    #[test]
    fn similar_rows_are_the_pairs_a_sparse_merge_finds() {
        let docs: Vec<String> = (0..40)
            .map(|d| {
                (0..12)
                    .map(|w| format!("t{}", (d * 7 + w * w) % 31))
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        let rows = tf_idf(&docs);
        for threshold in [0.05, 0.3, 0.6] {
            let expected: Vec<(usize, usize, f64)> = (0..rows.len())
                .flat_map(|i| (i + 1..rows.len()).map(move |j| (i, j)))
                .map(|(i, j)| (i, j, dot(&rows[i], &rows[j])))
                .filter(|&(_, _, c)| c >= threshold)
                .collect();
            assert!(!expected.is_empty());
            assert_eq!(similar_rows(&rows, threshold), expected);
        }
    }

    #[test]
    fn cosine_of_hand_computed_tf_idf() {
        // Three documents, N = 3. "pod" is in all three: idf ln 1 = 0.
        // d0 = {pod, node, taint}, d1 = {pod, node, quota}, d2 = {pod, dns}.
        // df: node 2, taint 1, quota 1, dns 1. Weights (tf 1):
        // d0: node ln 1.5, taint ln 3; d1: node ln 1.5, quota ln 3.
        // cos(d0, d1) = ln²1.5 / (ln²1.5 + ln²3); d2 shares only "pod": 0.
        let docs = ["pod node taint", "pod node quota", "pod dns"].map(str::to_owned);
        let rows = tf_idf(&docs);
        let (a, b) = (1.5f64.ln(), 3f64.ln());
        let expected = a * a / (a * a + b * b);
        assert!((dot(&rows[0], &rows[1]) - expected).abs() < 1e-12);
        assert!(dot(&rows[0], &rows[2]).abs() < 1e-12);
        assert!((dot(&rows[0], &rows[0]) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn repeated_terms_weigh_one_plus_log_count() {
        // d0 = {taint ×2, node}, d1 = {taint}, d2 = {node, dns}: N = 3,
        // df taint 2, node 2, dns 1. d0: taint (1 + ln 2) ln 1.5, node
        // ln 1.5; d1: taint ln 1.5. cos = (1 + ln 2) / sqrt((1 + ln 2)² + 1).
        let docs = ["taint taint node", "taint", "node dns"].map(str::to_owned);
        let rows = tf_idf(&docs);
        let t = 1.0 + 2f64.ln();
        assert!((dot(&rows[0], &rows[1]) - t / (t * t + 1.0).sqrt()).abs() < 1e-12);
    }

    fn item(
        id: &str,
        stem: &str,
        options: [&str; 2],
        extra: serde_json::Value,
    ) -> serde_json::Value {
        let mut item = choice_item(id, stem, &options, &[0]);
        for (k, v) in extra.as_object().into_iter().flatten() {
            item[k] = v.clone();
        }
        item
    }

    #[test]
    fn clones_are_reported_unless_enemies_or_in_one_set() {
        let clone = [
            "Release the state lock held by the cancelled job",
            "Delete the bucket",
        ];
        let items = vec![
            item(
                "I1",
                "The job was cancelled mid-apply.",
                clone,
                serde_json::json!({}),
            ),
            item(
                "I2",
                "The job was cancelled mid-apply.",
                clone,
                serde_json::json!({}),
            ),
            item(
                "I3",
                "Which record routes mail?",
                ["MX", "CNAME"],
                serde_json::json!({}),
            ),
            item(
                "I4",
                "The job was cancelled mid-apply.",
                clone,
                serde_json::json!({"enemies": ["I1", "I2"]}),
            ),
        ];
        let b = one_domain(items, Vec::new());
        let pairs = overlapping_items(&b, 0.9);
        let ids: Vec<(&str, &str)> = pairs
            .iter()
            .map(|p| (p.first.as_str(), p.second.as_str()))
            .collect();
        assert_eq!(ids, [("I1", "I2")]);
        assert!((pairs[0].similarity - 1.0).abs() < 1e-9);
    }

    #[test]
    fn a_member_holding_another_members_key_is_a_set_cue() {
        let set = serde_json::json!({"set": "S1"});
        let items = vec![
            item(
                "I1",
                "Why is the pod Pending?",
                [
                    "The node taint has no matching toleration",
                    "The image is missing",
                ],
                set.clone(),
            ),
            item(
                "I2",
                "What do you change first?",
                [
                    "Add a toleration for the node taint",
                    "Raise the memory limit",
                ],
                set,
            ),
        ];
        let sets = vec![serde_json::json!({"id": "S1", "title": "t", "stimulus": "s"})];
        let b = one_domain(items, sets);
        // I1's key has content words {node, taint, no, matching,
        // toleration}; I2's option A holds {toleration, node, taint}: 3/5.
        // I2's key {add, toleration, node, taint} is held 3/4 by I1's A.
        let cues = set_cues(&b, 0.7);
        assert_eq!(cues.len(), 1);
        assert_eq!(cues[0].item.as_str(), "I1");
        assert_eq!(cues[0].field, "options[0].text");
        assert_eq!(cues[0].keyed_item.as_str(), "I2");
        assert!((cues[0].containment - 0.75).abs() < 1e-12);
        assert_eq!(set_cues(&b, 0.6).len(), 2);
    }
}
