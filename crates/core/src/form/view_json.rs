//! A delivery view written as JSON without escaping its shared texts again.
//!
//! The bytes are exactly serde_json's compact encoding of the view (the
//! tests compare them); the shown texts, nearly all of a view's bytes, are
//! copied from their [`SharedText`](super::SharedText) literals, made once
//! per text, instead of being scanned for escapes per view.

use super::{DeliveredChoice, DeliveryView};
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
        small(out, &self.time_limit_minutes);
        if !self.stimuli.is_empty() {
            out.extend_from_slice(b",\"stimuli\":[");
            for (i, s) in self.stimuli.iter().enumerate() {
                comma(out, i);
                out.extend_from_slice(b"{\"handle\":");
                handle(out, s.handle);
                out.extend_from_slice(b",\"text\":");
                out.extend_from_slice(s.text.json().as_bytes());
                out.extend_from_slice(b",\"format\":");
                plain_str(out, &s.format);
                out.push(b'}');
            }
            out.push(b']');
        }
        out.extend_from_slice(b",\"items\":[");
        for (i, item) in self.items.iter().enumerate() {
            comma(out, i);
            out.extend_from_slice(b"{\"position\":");
            small(out, &item.position);
            out.extend_from_slice(b",\"handle\":");
            handle(out, item.handle);
            if let Some(stimulus) = item.stimulus {
                out.extend_from_slice(b",\"stimulus\":");
                handle(out, stimulus);
            }
            out.extend_from_slice(b",\"kind\":");
            // `as_str` is the kind's serde name.
            plain_str(out, item.kind.as_str());
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
                small(out, &select);
            }
            out.push(b'}');
        }
        out.extend_from_slice(b"]}");
    }

    /// The view's JSON length, give or take the small fields.
    fn json_len_hint(&self) -> usize {
        let texts: usize = self
            .items
            .iter()
            .map(|i| {
                let options: usize = i
                    .options
                    .iter()
                    .chain(&i.prompts)
                    .map(|c| c.text.json().len() + 24)
                    .sum();
                i.stem.json().len() + options + 120
            })
            .sum();
        let stimuli: usize = self.stimuli.iter().map(|s| s.text.json().len() + 64).sum();
        texts + stimuli + 64
    }
}

fn comma(out: &mut Vec<u8>, i: usize) {
    if i > 0 {
        out.push(b',');
    }
}

/// A small value (id, number, kind) through serde_json itself.
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

fn choices(out: &mut Vec<u8>, choices: &[DeliveredChoice]) {
    out.push(b'[');
    for (i, c) in choices.iter().enumerate() {
        comma(out, i);
        out.extend_from_slice(b"{\"id\":");
        plain_str(out, c.id.as_str());
        out.extend_from_slice(b",\"text\":");
        out.extend_from_slice(c.text.json().as_bytes());
        out.push(b'}');
    }
    out.push(b']');
}

#[cfg(test)]
mod tests {
    use super::plain_str;

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
