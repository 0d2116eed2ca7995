//! From chosen units to a delivered form: item order, option order, form id.

use super::AssemblyOptions;
use super::pool::Pool;
use crate::bank::ItemBank;
use crate::blueprint::Blueprint;
use crate::form::{DeliveryOrder, Form, FormSlot, OptionOrder, SlotRole};
use crate::hash::StableHasher;
use crate::ids::{FormId, OptionId};
use crate::item::{Interaction, Item, ItemStatus};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::sync::Arc;

/// An item's option and prompt ids in its order, shared by the forms that
/// show it (an on-the-fly plan keeps one per bank item).
#[derive(Debug, Clone)]
pub(crate) struct SharedIds {
    options: Arc<[OptionId]>,
    prompts: Arc<[OptionId]>,
}

impl SharedIds {
    pub(crate) fn of(item: &Item) -> Self {
        Self {
            options: item
                .interaction
                .options()
                .iter()
                .map(|c| c.id.clone())
                .collect(),
            prompts: match &item.interaction {
                Interaction::Matching { prompts, .. } => {
                    prompts.iter().map(|c| c.id.clone()).collect()
                }
                _ => Arc::new([]),
            },
        }
    }
}

/// A digest of everything a form depends on: the bank (ids, versions,
/// statuses, sets and enemies of its items, in bank order), the blueprint,
/// the options and the seed.
pub(crate) struct InputsDigest(StableHasher);

impl InputsDigest {
    pub(crate) fn new(
        bank: &ItemBank,
        blueprint: &Blueprint,
        options: &AssemblyOptions,
        seed: u64,
    ) -> Self {
        let mut h = StableHasher::new();
        h.str("exam-engine form v1");
        bank.write_digest(&mut h);
        // serde_json writes struct fields in declaration order and floats
        // with the shortest round-trip representation: stable text.
        h.str(&serde_json::to_string(blueprint).unwrap_or_default());
        h.str(&serde_json::to_string(options).unwrap_or_default());
        h.u64(seed);
        Self(h)
    }

    /// Starts from a digest of a bank and blueprint only (LOFT adds its own).
    pub(crate) fn from_hasher(h: StableHasher) -> Self {
        Self(h)
    }

    /// The id of form number `index`: `<blueprint>-<16 hex digits>`.
    pub(crate) fn form_id(&self, blueprint: &Blueprint, index: u64) -> FormId {
        let mut h = self.0.clone();
        h.u64(index);
        FormId::new(format!("{}-{:016x}", blueprint.id, h.finish()))
    }
}

/// Lays out the chosen units of one form and shuffles option orders.
///
/// The random stream of form `index` is ChaCha8 seeded with `seed` on stream
/// `index + 1` (stream 0 is the search's), so a form's layout does not depend
/// on how many forms were built before it.
///
/// `shared` holds the [`SharedIds`] of each bank item when the caller
/// keeps them (else each slot makes its item's).
///
/// Returns the form and the bank position of each slot's item.
#[allow(clippy::too_many_arguments)]
pub(crate) fn build_form_at(
    bank: &ItemBank,
    shared: Option<&[SharedIds]>,
    blueprint: &Blueprint,
    pool: &Pool,
    units: &[u32],
    order: DeliveryOrder,
    seed: u64,
    id: FormId,
    index: u64,
) -> (Form, Vec<usize>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(index + 1);
    let items = bank.items();
    let n_sections = blueprint.domains.len().max(1);
    // Each unit goes to a section: the domain of its first scored item, or
    // of its first item, or (a pretest unit outside the blueprint's
    // domains) a random section, so pretest items cannot be told apart by
    // where they sit.
    let mut placed: Vec<(usize, u32)> = units
        .iter()
        .map(|&u| {
            let unit = &pool.units[u as usize];
            let first_scored = unit
                .items
                .iter()
                .find(|&&i| items[i].status == ItemStatus::Operational)
                .or(unit.items.first());
            let section = first_scored
                .and_then(|&i| {
                    blueprint
                        .domains
                        .iter()
                        .position(|d| d.domain == items[i].domain)
                })
                .unwrap_or_else(|| rng.random_range(0..n_sections));
            (section, u)
        })
        .collect();
    // Canonical order first, so the shuffle does not depend on build order.
    placed.sort_unstable();
    placed.shuffle(&mut rng);
    if order == DeliveryOrder::Sections {
        // Stable sort: random order within each section.
        placed.sort_by_key(|&(section, _)| section);
    }
    let n_items = units
        .iter()
        .map(|&u| pool.units[u as usize].items.len())
        .sum();
    let mut slots = Vec::with_capacity(n_items);
    let mut positions = Vec::with_capacity(n_items);
    for (section, u) in placed {
        let unit = &pool.units[u as usize];
        let section_id = blueprint
            .domains
            .get(section)
            .map(|d| d.domain.clone())
            .unwrap_or_else(|| items[unit.items[0]].domain.clone());
        for &i in &unit.items {
            positions.push(i);
            let item = &items[i];
            let made;
            let ids = match shared {
                Some(shared) => &shared[i],
                None => {
                    made = SharedIds::of(item);
                    &made
                }
            };
            // Options then prompts, as the vectors were shuffled before.
            let option_order = OptionOrder::shuffled(&ids.options, item.shuffle_options, &mut rng);
            let prompt_order = OptionOrder::shuffled(&ids.prompts, item.shuffle_options, &mut rng);
            slots.push(FormSlot {
                item: item.id.clone(),
                version: item.version,
                role: if item.status == ItemStatus::Operational {
                    SlotRole::Scored
                } else {
                    SlotRole::Pretest
                },
                section: section_id.clone(),
                set: unit.set.clone(),
                option_order,
                prompt_order,
            });
        }
    }
    let form = Form {
        id,
        seed,
        blueprint: blueprint.id.clone(),
        blueprint_version: blueprint.version.clone(),
        order,
        slots,
    };
    (form, positions)
}
