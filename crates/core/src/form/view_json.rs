//! A delivery view written as JSON without escaping its shared texts again.
//!
//! The bytes are exactly serde_json's compact encoding of the view (the
//! tests compare them); the shown texts, nearly all of a view's bytes, are
//! copied from their [`SharedText`](super::SharedText) literals, made once
//! per text, instead of being scanned for escapes per view, and each
//! option's whole object (`{"id":…,"text":…}`) is copied in one piece, made
//! once per option.

use super::{DeliveredChoice, DeliveredChoices, DeliveryView};
use crate::attempt::Handle;
use serde::Serialize;

impl DeliveryView {
    /// The view as compact JSON: the same bytes as
    /// `serde_json::to_vec(&view)`, at a fraction of the cost (the shared
    /// texts are copied, not escaped again). An HTTP layer sends these.
    pub fn to_json(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.json_len_hint());
        self.write_json(&mut out);
        out
    }

    /// Appends the view as compact JSON to `out` (see [`Self::to_json`]).
    pub fn write_json(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"{\"form\":");
        plain_str(out, self.form.as_str());
        out.extend_from_slice(b",\"time_limit_minutes\":");
        number(out, self.time_limit_minutes);
        if !self.stimuli.is_empty() {
            out.extend_from_slice(b",\"stimuli\":");
            array(out, &self.stimuli, |out, s| {
                out.extend_from_slice(b"{\"handle\":");
                handle(out, s.handle);
                out.extend_from_slice(b",\"text\":");
                out.extend_from_slice(s.text.json().as_bytes());
                out.extend_from_slice(b",\"format\":");
                plain_str(out, &s.format);
                out.push(b'}');
            });
        }
        out.extend_from_slice(b",\"items\":");
        array(out, &self.items, |out, item| {
            out.extend_from_slice(b"{\"position\":");
            number(out, item.position);
            out.extend_from_slice(b",\"handle\":");
            handle(out, item.handle);
            if let Some(stimulus) = item.stimulus {
                out.extend_from_slice(b",\"stimulus\":");
                handle(out, stimulus);
            }
            out.extend_from_slice(b",\"kind\":\"");
            // `as_str` is the kind's serde name, in snake case: nothing to
            // escape.
            out.extend_from_slice(item.kind.as_str().as_bytes());
            out.push(b'"');
            out.extend_from_slice(b",\"stem\":");
            out.extend_from_slice(item.stem.json().as_bytes());
            out.extend_from_slice(b",\"options\":");
            choices(out, &item.options);
            if !item.prompts.is_empty() {
                out.extend_from_slice(b",\"prompts\":");
                choices(out, &item.prompts);
            }
            if let Some(select) = item.select {
                out.extend_from_slice(b",\"select\":");
                number(out, select);
            }
            out.push(b'}');
        });
        out.push(b'}');
    }

    /// The view's JSON length, give or take the small fields.
    fn json_len_hint(&self) -> usize {
        let texts: usize = self
            .items
            .iter()
            .map(|i| {
                // Over the items' lists as they are (no order to follow).
                let options: usize = i
                    .options
                    .shared()
                    .iter()
                    .chain(i.prompts.shared())
                    .map(|c| c.text.json().len() + 24)
                    .sum();
                i.stem.json().len() + options + 120
            })
            .sum();
        let stimuli: usize = self.stimuli.iter().map(|s| s.text.json().len() + 64).sum();
        texts + stimuli + 64
    }
}

/// A JSON array of `values`, each written by `write`.
fn array<'a, T: 'a>(
    out: &mut Vec<u8>,
    values: impl IntoIterator<Item = &'a T>,
    mut write: impl FnMut(&mut Vec<u8>, &T),
) {
    out.push(b'[');
    for (i, value) in values.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write(out, value);
    }
    out.push(b']');
}

/// A number in decimal digits, as serde_json writes an unsigned integer.
fn number(out: &mut Vec<u8>, mut n: u32) {
    let mut digits = [0u8; 10];
    let mut start = digits.len();
    loop {
        start -= 1;
        digits[start] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[start..]);
}

/// A string that needs escaping, through serde_json itself.
fn small<T: Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) {
    // Writing ids, numbers and unit variants into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, value);
}

/// A string as serde_json writes it: copied between quotes when nothing
/// in it needs escaping (serde_json escapes only `"`, `\\` and control
/// characters below U+0020), else through serde_json.
fn plain_str(out: &mut Vec<u8>, s: &str) {
    if s.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
    } else {
        small(out, s);
    }
}

fn handle(out: &mut Vec<u8>, handle: Handle) {
    out.push(b'"');
    out.extend_from_slice(&handle.hex());
    out.push(b'"');
}

/// The options: each one's object copied whole when its text keeps it
/// for its id ([`SharedText::choice_json`](super::SharedText::choice_json)).
fn choices(out: &mut Vec<u8>, choices: &DeliveredChoices) {
    array(out, choices.iter(), |out, c| {
        let whole = c.text.choice_json(&c.id, || {
            let mut json = Vec::new();
            choice(&mut json, c);
            json
        });
        match whole {
            Some(json) => out.extend_from_slice(json),
            None => choice(out, c),
        }
    });
}

/// One option's object.
fn choice(out: &mut Vec<u8>, c: &DeliveredChoice) {
    out.extend_from_slice(b"{\"id\":");
    plain_str(out, c.id.as_str());
    out.extend_from_slice(b",\"text\":");
    out.extend_from_slice(c.text.json().as_bytes());
    out.push(b'}');
}

#[cfg(test)]
mod tests {
    use super::{choices, number, plain_str};
    use crate::form::{DeliveredChoice, DeliveredChoices, SharedText};

    #[test]
    fn numbers_are_written_as_serde_json_writes_them() {
        for n in [0, 1, 9, 10, 99, 100, 4_294_967_295] {
            let mut out = Vec::new();
            number(&mut out, n);
            assert_eq!(out, serde_json::to_vec(&n).unwrap(), "{n}");
        }
    }

    /// Options are written as serde_json writes them, also when one text is
    /// shown under two ids (the second is not given the first's object).
    #[test]
    fn options_sharing_a_text_are_written_under_their_own_ids() {
        let text = SharedText::new("a \"quoted\" option");
        let options: DeliveredChoices = vec![
            DeliveredChoice {
                id: "B".into(),
                text: text.clone(),
            },
            DeliveredChoice {
                id: "A".into(),
                text: SharedText::new("plain"),
            },
            DeliveredChoice {
                id: "C".into(),
                text,
            },
        ]
        .into();
        for _ in 0..2 {
            let mut out = Vec::new();
            choices(&mut out, &options);
            assert_eq!(out, serde_json::to_vec(&options).unwrap());
        }
    }

    /// `plain_str` writes serde_json's bytes, on plain strings and on
    /// every character class serde_json escapes (quote, backslash, control
    /// characters) or leaves alone (DEL, non-ASCII, slash).
    #[test]
    fn plain_strings_are_written_as_serde_json_writes_them() {
        for s in [
            "",
            "A",
            "die-2026-3f0c9a1b7d2e4c58",
            "a\"b",
            "a\\b",
            "line\nbreak",
            "tab\t",
            "\u{1f}",
            "\u{7f}",
            "caf\u{e9} \u{1f600}",
            "a/b",
            " ",
        ] {
            let mut out = Vec::new();
            plain_str(&mut out, s);
            assert_eq!(out, serde_json::to_vec(s).unwrap(), "{s:?}");
        }
    }
}
