//! JSON Schemas of the bank's file formats, generated from the Rust types
//! with schemars, so authors get completion and validation in their
//! editors. The committed copies live in `item-bank/schema/`; a test keeps
//! them equal to what this module generates.

use crate::blueprint::Blueprint;
use crate::item::{Item, ItemFile};
use crate::jta::Jta;
use schemars::JsonSchema;

/// The file formats that have a schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemaKind {
    /// An item file (`item-bank/items/*.json`).
    Item,
    /// The JTA (`item-bank/jta/*.json`).
    Jta,
    /// A blueprint (`item-bank/blueprints/*.json`).
    Blueprint,
}

impl SchemaKind {
    /// All schemas.
    pub const ALL: [SchemaKind; 3] = [SchemaKind::Item, SchemaKind::Jta, SchemaKind::Blueprint];

    /// The name used on the command line (`item`, `jta`, `blueprint`).
    pub fn name(self) -> &'static str {
        match self {
            SchemaKind::Item => "item",
            SchemaKind::Jta => "jta",
            SchemaKind::Blueprint => "blueprint",
        }
    }

    /// The file name under `item-bank/schema/`.
    pub fn file_name(self) -> &'static str {
        match self {
            SchemaKind::Item => "item.schema.json",
            SchemaKind::Jta => "jta.schema.json",
            SchemaKind::Blueprint => "blueprint.schema.json",
        }
    }
}

/// An item file as the loader accepts it: an object with sets and items, or
/// a bare array of items.
#[derive(JsonSchema)]
#[schemars(title = "Item file")]
#[serde(untagged)]
#[allow(dead_code)] // only its schema is used
enum ItemFileFormat {
    /// Sets and items.
    File(ItemFile),
    /// Items only.
    Items(Vec<Item>),
}

/// The schema of a file format, as pretty-printed JSON with a final newline.
///
/// One addition to what schemars derives: [`Item`] flattens its interaction,
/// so serde cannot deny unknown fields and schemars leaves the item open;
/// the item schema is closed with `"unevaluatedProperties": false` (JSON
/// Schema 2020-12), so editors flag a misspelt field as the loader does.
pub fn schema_json(kind: SchemaKind) -> String {
    let mut schema = match kind {
        SchemaKind::Item => schemars::schema_for!(ItemFileFormat),
        SchemaKind::Jta => schemars::schema_for!(Jta),
        SchemaKind::Blueprint => schemars::schema_for!(Blueprint),
    };
    if let Some(item) = schema
        .get_mut("$defs")
        .and_then(|defs| defs.get_mut("Item"))
        .and_then(serde_json::Value::as_object_mut)
    {
        item.insert("unevaluatedProperties".to_owned(), false.into());
    }
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}
