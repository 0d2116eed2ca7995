//! Reading bank files: each record (item, set, JTA, blueprint) is parsed on
//! its own, so one bad record does not hide the others, and every problem
//! carries the file, the line and column, the item and the field.

use super::problem::{Location, Problem, ProblemKind};
use crate::blueprint::Blueprint;
use crate::ids::ItemId;
use crate::item::{Item, ItemSet, is_item_field};
use crate::jta::Jta;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;
use std::path::{Path, PathBuf};

/// A record read from a file, with where it starts.
#[derive(Debug, Clone)]
pub(crate) struct Located<T> {
    pub value: T,
    pub at: Location,
}

/// The records of one or more files, and the problems met reading them.
#[derive(Debug, Default)]
pub(crate) struct Contents {
    pub jtas: Vec<Located<Jta>>,
    pub blueprints: Vec<Located<Blueprint>>,
    pub sets: Vec<Located<ItemSet>>,
    pub items: Vec<Located<Item>>,
    pub problems: Vec<Problem>,
}

/// Byte offsets of line starts, to turn an offset into a line and column.
struct Lines {
    starts: Vec<usize>,
}

impl Lines {
    fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Self { starts }
    }

    /// 1-based line and column (in characters) of a byte offset.
    fn position(&self, text: &str, offset: usize) -> (usize, usize) {
        let line = self.starts.partition_point(|&s| s <= offset);
        let start = self.starts[line.saturating_sub(1)];
        let column = text
            .get(start..offset)
            .map_or(1, |prefix| prefix.chars().count() + 1);
        (line, column)
    }
}

/// The parser's message without serde_json's " at line L column C" suffix
/// (the location carries the position).
fn reason(err: &serde_json::Error) -> String {
    let text = err.to_string();
    match text.rfind(" at line ") {
        Some(i) if err.line() > 0 => text[..i].to_owned(),
        _ => text,
    }
}

/// A whole-text parse error as a problem at the error's position.
fn text_problem(err: &serde_json::Error, file: Option<&Path>, field: Option<String>) -> Problem {
    let mut at = Location::file(file.map(Path::to_path_buf));
    if err.line() > 0 {
        at = at.at(err.line(), err.column());
    }
    let kind = match err.classify() {
        serde_json::error::Category::Data => {
            if let Some(field) = field {
                at = at.field(field);
            }
            ProblemKind::InvalidField {
                reason: reason(err),
            }
        }
        // A syntax error has a position, not a field.
        _ => ProblemKind::MalformedJson {
            reason: reason(err),
        },
    };
    Problem::new(at, kind)
}

/// A field path from serde_path_to_error (`.` and `?` mean "no field").
fn field_path(path: &serde_path_to_error::Path) -> Option<String> {
    let path = path.to_string();
    (path != "." && path != "?").then_some(path)
}

/// For "missing field `x`", the field `x`.
fn missing_field(reason: &str) -> Option<String> {
    let rest = reason.strip_prefix("missing field `")?;
    rest.split('`').next().map(str::to_owned)
}

/// Parses a whole text as one record of type `T`.
fn parse_document<'a, T: Deserialize<'a>>(
    text: &'a str,
    file: Option<&Path>,
) -> Result<T, Box<Problem>> {
    let mut de = serde_json::Deserializer::from_str(text);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let field = field_path(e.path()).or_else(|| missing_field(&reason(e.inner())));
        Box::new(text_problem(e.inner(), file, field))
    })?;
    de.end()
        .map_err(|e| Box::new(text_problem(&e, file, None)))?;
    Ok(value)
}

/// A file's text, its line index and name, for parsing the records in it.
struct Source<'a> {
    text: &'a str,
    lines: Lines,
    file: Option<&'a Path>,
}

impl<'a> Source<'a> {
    fn new(text: &'a str, file: Option<&'a Path>) -> Self {
        Self {
            text,
            lines: Lines::new(text),
            file,
        }
    }

    /// Where a raw record starts in the file.
    fn start_of(&self, raw: &RawValue) -> Location {
        let offset = (raw.get().as_ptr() as usize).saturating_sub(self.text.as_ptr() as usize);
        let (line, column) = self.lines.position(self.text, offset);
        Location::file(self.file.map(Path::to_path_buf)).at(line, column)
    }

    /// Parses a record that is part of the file. Shape errors are placed at
    /// the error's position when `precise`, else at the record's start (a
    /// type with a flattened enum is buffered, so serde's position is the
    /// record's end, which would mislead).
    fn record<T: DeserializeOwned>(
        &self,
        raw: &RawValue,
        at: &Location,
        precise: bool,
    ) -> Result<T, Box<Problem>> {
        let mut de = serde_json::Deserializer::from_str(raw.get());
        serde_path_to_error::deserialize(&mut de).map_err(|e| {
            let reason = reason(e.inner());
            let mut at = at.clone();
            if let Some(field) = field_path(e.path()).or_else(|| missing_field(&reason)) {
                at = at.field(field);
            }
            if precise && e.inner().line() > 0 {
                let (start_line, start_column) = (at.line.unwrap_or(1), at.column.unwrap_or(1));
                let line = start_line + e.inner().line() - 1;
                let column = if e.inner().line() == 1 {
                    start_column + e.inner().column() - 1
                } else {
                    e.inner().column()
                };
                at = at.at(line, column);
            }
            Box::new(Problem::new(at, ProblemKind::InvalidField { reason }))
        })
    }

    /// Parses one item: checks the key of a single-choice item before the
    /// typed parse (an array key gets its own problem), then the typed
    /// parse, then looks for fields the item type does not have.
    fn item(&self, raw: &RawValue, out: &mut Contents) {
        let mut at = self.start_of(raw);
        let value: serde_json::Value = match serde_json::from_str(raw.get()) {
            Ok(v) => v,
            Err(e) => {
                out.problems.push(Problem::new(
                    at,
                    ProblemKind::MalformedJson { reason: reason(&e) },
                ));
                return;
            }
        };
        let Some(object) = value.as_object() else {
            out.problems.push(Problem::new(
                at,
                ProblemKind::InvalidField {
                    reason: "an item is a JSON object".to_owned(),
                },
            ));
            return;
        };
        if let Some(id) = object.get("id").and_then(serde_json::Value::as_str) {
            at = at.item(ItemId::new(id));
        }
        let kind = object.get("kind").and_then(serde_json::Value::as_str);
        if let (Some("single_choice"), Some(serde_json::Value::Array(keys))) =
            (kind, object.get("key"))
        {
            out.problems.push(Problem::new(
                at.field("key"),
                ProblemKind::SingleChoiceKeyCount { count: keys.len() },
            ));
            return;
        }
        match self.record::<Item>(raw, &at, false).map_err(|mut problem| {
            // serde reports an unknown or missing tag without a path.
            let tag_problem = matches!(&problem.kind, ProblemKind::InvalidField { reason }
                if reason.starts_with("unknown variant") && !is_known_kind(kind));
            if problem.location.field.is_none() && tag_problem {
                problem.location.field = Some("kind".to_owned());
            }
            problem
        }) {
            Ok(item) => {
                for name in object.keys() {
                    if !is_item_field(item.kind(), name) {
                        out.problems.push(Problem::new(
                            at.clone().field(name.as_str()),
                            ProblemKind::UnknownField { name: name.clone() },
                        ));
                    }
                }
                out.items.push(Located { value: item, at });
            }
            Err(problem) => out.problems.push(*problem),
        }
    }

    fn set(&self, index: usize, raw: &RawValue, out: &mut Contents) {
        let at = self.start_of(raw);
        match self.record::<ItemSet>(raw, &at, true) {
            Ok(set) => out.sets.push(Located { value: set, at }),
            Err(problem) => out
                .problems
                .push(prefixed(*problem, &format!("sets[{index}]"))),
        }
    }
}

/// Whether `kind` names one of the four interactions.
fn is_known_kind(kind: Option<&str>) -> bool {
    matches!(
        kind,
        Some("single_choice" | "multiple_response" | "ordering" | "matching")
    )
}

/// The shape of an item file: `{"sets": [...], "items": [...]}`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawItemFile<'a> {
    #[serde(default, borrow)]
    sets: Vec<&'a RawValue>,
    #[serde(borrow)]
    items: Vec<&'a RawValue>,
}

/// The shape of a bank document: a JTA, sets, items and blueprints in one file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBankDocument<'a> {
    #[serde(borrow)]
    jta: &'a RawValue,
    #[serde(default, borrow)]
    sets: Vec<&'a RawValue>,
    #[serde(borrow)]
    items: Vec<&'a RawValue>,
    #[serde(default, borrow)]
    blueprints: Vec<&'a RawValue>,
}

/// Reads an item file: an [`crate::item::ItemFile`] object or a bare array of items.
pub(crate) fn item_file(text: &str, file: Option<&Path>, out: &mut Contents) {
    let source = Source::new(text, file);
    if text.trim_start().starts_with('[') {
        match parse_document::<Vec<&RawValue>>(text, file) {
            Ok(items) => items.iter().for_each(|raw| source.item(raw, out)),
            Err(problem) => out.problems.push(*problem),
        }
        return;
    }
    match parse_document::<RawItemFile<'_>>(text, file) {
        Ok(doc) => {
            for (i, raw) in doc.sets.iter().enumerate() {
                source.set(i, raw, out);
            }
            doc.items.iter().for_each(|raw| source.item(raw, out));
        }
        Err(problem) => out.problems.push(*problem),
    }
}

/// Reads a bank document (`{"jta": ..., "sets": [...], "items": [...], "blueprints": [...]}`).
pub(crate) fn bank_document(text: &str, file: Option<&Path>, out: &mut Contents) {
    let source = Source::new(text, file);
    let doc = match parse_document::<RawBankDocument<'_>>(text, file) {
        Ok(doc) => doc,
        Err(problem) => {
            out.problems.push(*problem);
            return;
        }
    };
    let at = source.start_of(doc.jta);
    match source.record::<Jta>(doc.jta, &at, true) {
        Ok(jta) => out.jtas.push(Located { value: jta, at }),
        Err(problem) => out.problems.push(prefixed(*problem, "jta")),
    }
    for (i, raw) in doc.sets.iter().enumerate() {
        source.set(i, raw, out);
    }
    doc.items.iter().for_each(|raw| source.item(raw, out));
    for (i, raw) in doc.blueprints.iter().enumerate() {
        let at = source.start_of(raw);
        match source.record::<Blueprint>(raw, &at, true) {
            Ok(bp) => out.blueprints.push(Located { value: bp, at }),
            Err(problem) => out
                .problems
                .push(prefixed(*problem, &format!("blueprints[{i}]"))),
        }
    }
}

/// A problem whose field path is moved under `prefix`.
fn prefixed(mut problem: Problem, prefix: &str) -> Problem {
    problem.location.field = Some(match problem.location.field.take() {
        Some(f) => format!("{prefix}.{f}"),
        None => prefix.to_owned(),
    });
    problem
}

/// Reads a JTA file.
pub(crate) fn jta_file(text: &str, file: Option<&Path>, out: &mut Contents) {
    match parse_document::<Jta>(text, file) {
        Ok(jta) => out.jtas.push(Located {
            value: jta,
            at: Location::file(file.map(Path::to_path_buf)),
        }),
        Err(problem) => out.problems.push(*problem),
    }
}

/// Reads a blueprint file.
pub(crate) fn blueprint_file(text: &str, file: Option<&Path>, out: &mut Contents) {
    match parse_document::<Blueprint>(text, file) {
        Ok(bp) => out.blueprints.push(Located {
            value: bp,
            at: Location::file(file.map(Path::to_path_buf)),
        }),
        Err(problem) => out.problems.push(*problem),
    }
}

/// Reads a file's text (UTF-8), or records why it cannot be read.
pub(crate) fn read_text(path: &Path, out: &mut Contents) -> Option<String> {
    match crate::disk::read(path) {
        Ok(bytes) if bytes.starts_with(b"\xEF\xBB\xBF") => {
            out.problems.push(Problem::new(
                Location::file(Some(path.to_path_buf())),
                ProblemKind::MalformedJson {
                    reason: "the file starts with a byte order mark (U+FEFF); save it as UTF-8 without BOM".to_owned(),
                },
            ));
            None
        }
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => Some(text),
            Err(e) => {
                out.problems.push(Problem::new(
                    Location::file(Some(path.to_path_buf())),
                    ProblemKind::MalformedJson {
                        reason: format!("not UTF-8 ({})", e.utf8_error()),
                    },
                ));
                None
            }
        },
        Err(e) => {
            out.problems.push(Problem::new(
                Location::file(Some(path.to_path_buf())),
                ProblemKind::Io {
                    reason: e.to_string(),
                },
            ));
            None
        }
    }
}

/// The `*.json` files of a directory, sorted by name; an absent directory
/// has none. Other files are ignored (a README beside the data is fine).
pub(crate) fn json_files(dir: &Path, out: &mut Contents) -> Vec<PathBuf> {
    let entries = match crate::disk::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Vec::new(),
        Err(e) => {
            out.problems.push(Problem::new(
                Location::file(Some(dir.to_path_buf())),
                ProblemKind::Io {
                    reason: e.to_string(),
                },
            ));
            return Vec::new();
        }
    };
    let mut files = Vec::new();
    for entry in entries {
        match entry {
            Ok(entry) => {
                let path = entry.path();
                if path.extension().is_some_and(|e| e == "json") {
                    match crate::disk::not_a_json_file(&path) {
                        None => files.push(path),
                        Some(reason) => out.problems.push(Problem::new(
                            Location::file(Some(path)),
                            ProblemKind::Io { reason },
                        )),
                    }
                }
            }
            Err(e) => out.problems.push(Problem::new(
                Location::file(Some(dir.to_path_buf())),
                ProblemKind::Io {
                    reason: e.to_string(),
                },
            )),
        }
    }
    files.sort();
    files
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bank::{BankDocument, ItemBank};
    use crate::strategies::valid_bank;
    use proptest::prelude::*;

    /// Every text parser, on one text: none may panic.
    fn parse_everything(text: &str) {
        let mut out = Contents::default();
        item_file(text, None, &mut out);
        bank_document(text, None, &mut out);
        jta_file(text, None, &mut out);
        blueprint_file(text, None, &mut out);
        let _ = ItemBank::from_json(text);
    }

    fn document_text(doc: &BankDocument) -> String {
        serde_json::to_string_pretty(doc).unwrap_or_default()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
            parse_everything(&String::from_utf8_lossy(&bytes));
        }

        #[test]
        fn json_like_noise_never_panics(text in r#"[\[\]{}",:0-9a-z \n]{0,200}"#) {
            parse_everything(&text);
        }

        #[test]
        fn truncated_and_corrupted_banks_never_panic(doc in valid_bank(6), cut in any::<prop::sample::Index>(), byte in any::<u8>()) {
            let text = document_text(&doc);
            let mut end = cut.index(text.len().max(1));
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            parse_everything(&text[..end]);
            let mut bytes = text.into_bytes();
            let at = cut.index(bytes.len().max(1)).min(bytes.len().saturating_sub(1));
            if let Some(b) = bytes.get_mut(at) {
                *b = byte;
            }
            parse_everything(&String::from_utf8_lossy(&bytes));
        }
    }

    #[test]
    fn lines_give_one_based_positions() {
        let text = "ab\ncdé\nf";
        let lines = Lines::new(text);
        assert_eq!(lines.position(text, 0), (1, 1));
        assert_eq!(lines.position(text, 1), (1, 2));
        assert_eq!(lines.position(text, 3), (2, 1));
        assert_eq!(lines.position(text, 8), (3, 1));
    }

    #[test]
    fn one_bad_item_does_not_hide_the_others() {
        let text = r#"[
  {"id": "A", "kind": "single_choice"},
  {"id": "B", "version": "x"}
]"#;
        let mut out = Contents::default();
        item_file(text, Some(Path::new("f.json")), &mut out);
        let lines: Vec<String> = out.problems.iter().map(ToString::to_string).collect();
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert!(
            lines[0].starts_with("error: f.json:2:3: item `A`: "),
            "{}",
            lines[0]
        );
        assert!(
            lines[1].starts_with("error: f.json:3:3: item `B`: "),
            "{}",
            lines[1]
        );
    }
}
