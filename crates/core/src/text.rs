//! Words of item text, as the lint, the cue audit and the overlap check
//! read them.
//!
//! A *word* is a maximal run of letters and digits (apostrophes kept
//! inside a word), lowercased. A *content word* is a word that is not in
//! [`STOP_WORDS`], the English function words (articles, pronouns,
//! auxiliaries, prepositions, conjunctions) that carry no meaning of an
//! item's own. No stemming: "deploy" and "deployment" are different words.

use std::collections::{BTreeSet, HashSet};
use std::sync::LazyLock;

/// English function words left out of content words.
pub const STOP_WORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "been", "being", "but", "by", "can", "could", "did",
    "do", "does", "for", "from", "had", "has", "have", "he", "her", "his", "how", "i", "if", "in",
    "into", "is", "it", "its", "it's", "of", "on", "or", "our", "she", "so", "than", "that", "the",
    "their", "them", "then", "there", "these", "they", "this", "those", "to", "was", "we", "were",
    "what", "when", "where", "which", "while", "who", "whom", "why", "will", "with", "would",
    "you", "your",
];

/// [`STOP_WORDS`] for lookup.
static STOP_WORD_SET: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| STOP_WORDS.iter().copied().collect());

/// Whether `word` (lowercased) is one of [`STOP_WORDS`].
pub fn is_stop_word(word: &str) -> bool {
    STOP_WORD_SET.contains(word)
}

/// The words of `text`, in order.
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '’'))
        .map(|w| lowercase(w.trim_matches(|c| c == '\'' || c == '’')))
        .filter(|w| !w.is_empty())
        .collect()
}

/// `word` lowercased; words of lowercase ASCII letters, digits and
/// apostrophes (most of them) are copied as they are.
fn lowercase(word: &str) -> String {
    let plain = word
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '\'');
    if plain {
        word.to_owned()
    } else {
        word.to_lowercase()
    }
}

/// The distinct content words of `text`.
pub fn content_words(text: &str) -> BTreeSet<String> {
    words(text)
        .into_iter()
        .filter(|w| !is_stop_word(w))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_lowercase_runs_of_letters_and_digits() {
        assert_eq!(
            words("Don't run `kubectl` on port 443!"),
            ["don't", "run", "kubectl", "on", "port", "443"]
        );
        let content: Vec<String> = content_words("The pod and THE node").into_iter().collect();
        assert_eq!(content, ["node", "pod"]);
        assert_eq!(
            words("ǅemal ΣΊΣΥΦΟΣ Straße"),
            ["ǆemal", "σίσυφος", "straße"]
        );
    }
}
