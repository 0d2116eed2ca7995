//! `exam schema item|jta|blueprint`: prints the JSON Schema of a bank file
//! format, generated from the Rust types (the committed copies are in
//! `item-bank/schema/`).

use exam_export::core::schema::{SchemaKind, schema_json};
use std::io::Write;
use std::process::ExitCode;

/// The file format whose schema to print.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Which {
    /// An item file (`item-bank/items/*.json`).
    Item,
    /// The JTA (`item-bank/jta/*.json`).
    Jta,
    /// A blueprint (`item-bank/blueprints/*.json`).
    Blueprint,
}

/// Flags of `exam schema`.
#[derive(Debug, clap::Args)]
pub struct SchemaArgs {
    /// Which schema.
    #[arg(value_enum)]
    pub which: Which,
}

/// Runs `exam schema`.
pub fn run(args: SchemaArgs) -> anyhow::Result<ExitCode> {
    let kind = match args.which {
        Which::Item => SchemaKind::Item,
        Which::Jta => SchemaKind::Jta,
        Which::Blueprint => SchemaKind::Blueprint,
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    out.write_all(schema_json(kind).as_bytes())?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
