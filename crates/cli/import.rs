//! `exam import qti`: QTI 3.0 items (a content package or one item file)
//! into the bank's item format, written to a new file.

use crate::output::write_whole;
use anyhow::{Context, bail};
use exam_export::core::ids::{DomainId, TaskId};
use exam_export::core::item::{ItemFile, ItemStatus};
use exam_export::core::jta::{CompetencyLevel, LifecyclePhase};
use exam_export::qti::import::{Defaults, read_item};
use exam_export::qti::manifest::ItemMetadata;
use exam_export::qti::package::{Limits, read_package, resolve};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Flags of `exam import`.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    #[command(subcommand)]
    format: Format,
}

#[derive(Debug, clap::Subcommand)]
enum Format {
    /// QTI 3.0 items: a content package (.zip) or one item file (.xml).
    Qti(QtiArgs),
}

#[derive(Debug, clap::Args)]
struct QtiArgs {
    /// The package (.zip) or item file (.xml).
    input: PathBuf,
    /// The item file to write (`{"sets": [...], "items": [...]}`); never an
    /// existing file.
    #[arg(long)]
    out: PathBuf,
    /// Domain of items whose metadata names none.
    #[arg(long)]
    domain: Option<String>,
    /// JTA task of items whose metadata names none.
    #[arg(long)]
    task: Option<String>,
    /// Competency level of items whose metadata names none.
    #[arg(long, value_parser = parse_named::<CompetencyLevel>)]
    level: Option<CompetencyLevel>,
    /// Lifecycle phase of items whose metadata names none.
    #[arg(long, value_parser = parse_named::<LifecyclePhase>)]
    phase: Option<LifecyclePhase>,
    /// Status of items whose metadata names none.
    #[arg(long, value_parser = parse_named::<ItemStatus>, default_value = "draft")]
    status: ItemStatus,
}

fn parse_named<T: serde::de::DeserializeOwned>(s: &str) -> Result<T, String> {
    serde_json::from_value(serde_json::Value::String(s.to_owned()))
        .map_err(|_| format!("`{s}` is not a valid value"))
}

/// Runs `exam import`.
pub fn run(args: ImportArgs) -> anyhow::Result<ExitCode> {
    let Format::Qti(args) = args.format;
    if args.out.exists() {
        bail!(
            "{}: exists; import never overwrites a file",
            args.out.display()
        );
    }
    let defaults = Defaults {
        domain: args.domain.map(DomainId::new),
        task: args.task.map(TaskId::new),
        level: args.level,
        phase: args.phase,
        status: args.status,
        version: 1,
    };
    let input = &args.input;
    let name = input.display().to_string();
    let is_xml = input
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("xml"));
    let items = if is_xml {
        read_item_file(input, &defaults)?
    } else {
        let file = std::fs::File::open(input).with_context(|| format!("cannot open {name}"))?;
        read_package(std::io::BufReader::new(file), Limits::default(), &defaults)
            .with_context(|| format!("{name}: cannot import"))?
    };
    let json = serde_json::to_vec_pretty(&items)?;
    write_whole(&args.out, &[input], &json)?;
    eprintln!(
        "{}: {} items, {} sets",
        args.out.display(),
        items.items.len(),
        items.sets.len()
    );
    Ok(ExitCode::SUCCESS)
}

/// One item file, its stimulus read from beside it (never from outside its
/// folder).
fn read_item_file(path: &Path, defaults: &Defaults) -> anyhow::Result<ItemFile> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {name}"))?;
    let folder = path.parent().unwrap_or(Path::new("."));
    let file_name = path
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let mut load = |href: &str| {
        let entry = resolve(&file_name, href)?;
        let full = folder.join(&entry);
        let text = std::fs::read_to_string(&full).map_err(|e| exam_export::qti::QtiError::Io {
            path: full.clone(),
            message: e.to_string(),
        })?;
        Ok((full.display().to_string(), text))
    };
    let (item, set) = read_item(&name, &text, &ItemMetadata::default(), defaults, &mut load)?;
    Ok(ItemFile {
        sets: set.into_iter().collect(),
        items: vec![item],
    })
}
