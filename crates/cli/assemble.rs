//! `exam assemble`: build forms from the bank for a blueprint.

use crate::bankfiles::BankArgs;
use crate::output::{Format, refuse_overwriting, stdout};
use anyhow::Context;
use clap::Args;
use exam_export::core::assembly::{
    Assembly, AssemblyOptions, MaxOverlap, Objective, Progress, PublishedForm,
    assemble_with_progress,
};
use exam_export::core::coverage::exposure;
use exam_export::core::form::DeliveryOrder;
use exam_export::forms::{
    FormsDocument, coverage_table, exposure_line, read_forms, write_coverage,
};
use std::path::PathBuf;
use std::process::ExitCode;

/// Flags of `exam assemble`.
#[derive(Debug, Args)]
pub struct AssembleArgs {
    #[command(flatten)]
    inputs: BankArgs,
    /// Number of forms to build.
    #[arg(long, default_value_t = 1)]
    forms: u32,
    /// Random seed (recorded in the forms).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Largest overlap between two forms: a fraction of the form length in
    /// [0, 1) (e.g. 0.1), or a whole number of items from 1 on.
    #[arg(long)]
    max_overlap: Option<f64>,
    /// Most forms any one item may appear on.
    #[arg(long)]
    max_item_uses: Option<u32>,
    /// What to optimise (auto: from the blueprint's targets and the items' statistics).
    #[arg(long, value_enum, default_value_t = ObjectiveArg::Auto)]
    objective: ObjectiveArg,
    /// Independent runs of the search (1 to 1000); the best is kept.
    #[arg(long, default_value_t = 1)]
    restarts: u32,
    /// Forms published earlier (a file written by `exam assemble`, one form,
    /// or an array of forms): their uses count towards --max-item-uses.
    #[arg(long)]
    published: Option<PathBuf>,
    /// Most items a new form may share with any published form.
    #[arg(long, requires = "published")]
    max_overlap_published: Option<u32>,
    /// Item order: by sections (blueprint domains) or randomised.
    #[arg(long, value_enum, default_value_t = Order::Sections)]
    order: Order,
    /// Write the forms, delivery views and scoring keys to this JSON file.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ObjectiveArg {
    /// Chosen from the data.
    Auto,
    /// The blueprint's absolute information target.
    InformationTarget,
    /// Parallel forms at the blueprint's target thetas (or -1, 0, 1).
    Parallel,
    /// Most information at the blueprint's theta cut.
    Cut,
    /// The content-weighted bank mean p-value.
    PValue,
    /// Content constraints only.
    Random,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Order {
    Sections,
    Randomised,
}

pub fn run(args: AssembleArgs) -> anyhow::Result<ExitCode> {
    if let Some(out) = &args.out {
        refuse_overwriting(&[("--out", out.as_path())], &args.inputs.files())?;
    }
    let (bank, blueprint) = args.inputs.load()?;
    let options = AssemblyOptions {
        forms: args.forms,
        max_overlap: args
            .max_overlap
            .map(MaxOverlap::from_number)
            .transpose()
            .context("--max-overlap")?,
        max_item_uses: args.max_item_uses,
        objective: match args.objective {
            ObjectiveArg::Auto => Objective::Auto,
            ObjectiveArg::InformationTarget => Objective::InformationTarget,
            ObjectiveArg::Parallel => Objective::Parallel {
                thetas: blueprint.information_thetas(),
            },
            ObjectiveArg::Cut => Objective::MaxInformationAtCut { theta: None },
            ObjectiveArg::PValue => Objective::MeanPValue { target: None },
            ObjectiveArg::Random => Objective::Random,
        },
        restarts: args.restarts,
        published: match &args.published {
            Some(path) => {
                let (file, name) = crate::output::open(path)?;
                read_forms(file, &name)?
                    .iter()
                    .map(PublishedForm::from)
                    .collect()
            }
            None => Vec::new(),
        },
        max_overlap_published: args.max_overlap_published,
        order: match args.order {
            Order::Sections => DeliveryOrder::Sections,
            Order::Randomised => DeliveryOrder::Randomised,
        },
        ..AssemblyOptions::default()
    };
    let bar = crate::progress::bar();
    let assembly = assemble_with_progress(&bank, &blueprint, &options, args.seed, &mut |p| {
        let (message, done, total) = match p {
            Progress::Building { filled, slots } => {
                ("building forms: slots".to_owned(), filled, slots)
            }
            Progress::Improving {
                pass,
                forms_done,
                forms,
            } => (format!("improving forms, pass {pass}:"), forms_done, forms),
        };
        bar.set_message(message);
        bar.set_length(total);
        bar.set_position(done);
    });
    bar.finish_and_clear();
    let assembly: Assembly =
        assembly.with_context(|| format!("assembling forms for blueprint {}", blueprint.id))?;
    let doc = FormsDocument::from_assembly(assembly, &bank, &blueprint, args.seed)?;
    if let Some(out) = &args.out {
        let (mut file, name) = crate::output::create(out)?;
        doc.write(&mut file, &name)?;
        file.commit()?;
    }
    match (args.format, &args.out) {
        (Format::Json, None) => doc.write(stdout(), "stdout")?,
        (Format::Json, Some(_)) => write_coverage(stdout(), &doc.coverage, "stdout")?,
        _ => {
            print!("{}", coverage_table(&doc.coverage, &doc.max_deviation));
            println!("{}", exposure_line(&exposure(&doc.forms)));
        }
    }
    Ok(ExitCode::SUCCESS)
}
