//! Linear on-the-fly testing (LOFT): one fresh form per candidate attempt,
//! parallel to the blueprint's target, with exposure tracked across attempts
//! in an [`ExposureState`] the service keeps.
//!
//! A [`LoftPlan`] compiles the bank for the blueprint once and owns what it
//! needs (`Arc`s of the bank and blueprint, the handle key), so a service
//! keeps it in its state without lifetimes, shares it between threads and
//! swaps it on a bank reload. [`LoftPlan::attempt`] reads the exposure
//! state (it does not change it) and returns everything an attempt needs:
//! the [`Form`], its [`DeliveryView`] for the candidate, its
//! [`ScoringKey`] for the server and a compact [`AttemptRecord`] to store
//! (from which [`LoftPlan::restore`] rebuilds form and key when the
//! submission arrives). The caller then [`ExposureState::record`]s the form.
//!
//! # Exposure control
//!
//! Exposure is controlled by a conditional rate (a soft cap): with `n`
//! forms delivered and a target rate `r`, an item used `u` times is within
//! its cap when `u + 1 ≤ max(1, r · (n + 1))`, that is when taking it keeps
//! its rate at most `r` (and every item is within it for its first use, so
//! the cap is soft at the start and tightens as counts grow). Each slot is
//! filled from items within their cap; only when the bank has none left for
//! a slot does the slot take the fitting item least over its cap, so
//! delivery never stops because of its own bookkeeping: on a bank too small
//! for the rate, exposure degrades gracefully towards the least the bank
//! allows (`need / supply` of the slot kind) and [`LoftQuality::over_exposed`]
//! says how often. An optional hard limit on uses per item
//! ([`LoftOptions::max_item_uses`]) is never exceeded: when it leaves a
//! slot kind short the attempt fails with
//! [`AssemblyError::ExposureExhausted`].
//!
//! # Overlap between candidates
//!
//! When items are drawn at rates `p_i` (`Σ p_i = L`, the form length), two
//! candidates' forms share `Σ p_i² ≤ max_i p_i · L` items in expectation.
//! So [`LoftOptions::max_expected_overlap`] `= O` is met by the rate
//! `r = O / L` (the smaller of it and `max_exposure_rate` applies).
//!
//! # Parallel forms
//!
//! With a statistical objective (by default the blueprint's information
//! target where items carry IRT parameters), each slot takes, among up to
//! 12 random fitting units within their cap, the one whose features bring
//! the form's predicted total (the other open slots counted at the pool's
//! mean item) closest to the target, in the spirit of Luecht's (1998)
//! normalised weighted deviation heuristic; then random same-shape swaps
//! lower the largest deviation until it is within
//! [`LoftOptions::tolerance`]. [`LoftQuality::max_deviation`] reports the
//! deviation reached. A slot whose units carry no scored item (the pretest
//! slots) takes the first fitting unit drawn: they all score alike.
//! Without a statistical objective each slot takes the least exposed of up
//! to 3 random fitting units within their cap.
//!
//! The draws come from the units within their cap (listed once per
//! attempt, a unit leaving its list when it joins the form), each index
//! from one 32-bit draw by Lemire's multiply-shift.

mod exposure;
mod select;

pub use exposure::ExposureState;

use super::delivery::{self, InputsDigest, SharedIds};
use super::pool::{Limits, Pool};
use super::{AssemblyError, Objective, feasibility};
use crate::attempt::HandleKey;
use crate::bank::{CheckedBlueprint, ItemBank};
use crate::form::{DeliveryOrder, DeliveryView, Form, ScoringKey, SharedText, ShownTexts};
use crate::hash::StableHasher;
use crate::ids::{FormId, ItemId, SetId};
use crate::item::Item;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use select::Eligibility;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Options of a [`LoftPlan`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoftOptions {
    /// The target largest exposure rate of an item (see the module docs):
    /// a soft cap, met wherever the bank has enough items.
    pub max_exposure_rate: f64,
    /// The most items two candidates' forms should share on average; sets
    /// the rate to at most `max_expected_overlap / form length`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_expected_overlap: Option<u32>,
    /// A hard limit on the forms any item may be on (overriding the
    /// blueprint's `max_item_uses`); when it leaves a slot kind short,
    /// attempts fail with [`AssemblyError::ExposureExhausted`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_item_uses: Option<u64>,
    /// What each form is built towards (by default the blueprint's
    /// information target where items carry IRT parameters; see
    /// [`Objective::Auto`]).
    #[serde(default)]
    pub objective: Objective,
    /// A form whose largest deviation from the target is at most this is
    /// not improved further (in the objective's units).
    #[serde(default = "default_tolerance")]
    pub tolerance: f64,
    /// How items are ordered.
    #[serde(default = "randomised")]
    pub order: DeliveryOrder,
}

fn default_tolerance() -> f64 {
    0.5
}

fn randomised() -> DeliveryOrder {
    DeliveryOrder::Randomised
}

impl Default for LoftOptions {
    fn default() -> Self {
        Self {
            max_exposure_rate: 1.0,
            max_expected_overlap: None,
            max_item_uses: None,
            objective: Objective::Auto,
            tolerance: default_tolerance(),
            order: randomised(),
        }
    }
}

/// How one on-the-fly form came out.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LoftQuality {
    /// The largest absolute deviation of the form's features from the
    /// objective's target (absent without a statistical objective).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_deviation: Option<f64>,
    /// Items placed above their soft exposure cap because the bank had no
    /// other item for the slot (the items of a set count together).
    pub over_exposed: u32,
}

/// What a service stores for an open attempt: the form's id, its seed and
/// the units chosen, tied to the plan that built it. A few hundred bytes;
/// [`LoftPlan::restore`] rebuilds the form and key from it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttemptRecord {
    /// The form.
    pub form: FormId,
    /// The seed it was built with.
    pub seed: u64,
    /// The fingerprint of the plan (bank, blueprint, options) that built it.
    pub plan: u64,
    /// The units chosen (stand-alone items and sets), by plan index.
    pub units: Vec<u32>,
}

/// One attempt: the form, what the candidate sees, what the server scores
/// with, and what it stores.
#[derive(Debug, Clone, PartialEq)]
pub struct Attempt {
    /// The form (server side).
    pub form: Form,
    /// The delivery view: send it to the candidate.
    pub view: DeliveryView,
    /// The scoring key (server side).
    pub key: ScoringKey,
    /// The compact record to store until the submission.
    pub record: AttemptRecord,
    /// How the form came out.
    pub quality: LoftQuality,
}

/// A bank and blueprint compiled for on-the-fly assembly (see the module
/// docs). `Send + Sync`; clone it cheaply through an `Arc`.
#[derive(Debug, Clone)]
pub struct LoftPlan {
    bank: Arc<ItemBank>,
    blueprint: Arc<CheckedBlueprint>,
    options: LoftOptions,
    handles: HandleKey,
    /// The effective soft exposure rate.
    rate: f64,
    /// The hard limit on uses per item: the options', else the
    /// blueprint's `max_item_uses`.
    max_item_uses: Option<u64>,
    pool: Pool,
    /// Per shape, its slot kinds, least time and scored items.
    parts: Vec<select::ShapeParts>,
    /// The slot kinds of one form, kind by kind.
    slots: Vec<usize>,
    /// Per slot kind, the units holding an item of that kind.
    with_kind: Vec<Vec<u32>>,
    /// The pool's mean features per scored item.
    mean: Vec<f64>,
    /// Per slot kind, whether its units all score alike.
    flat: Vec<bool>,
    /// Per bank item, the texts its delivery shows.
    shown: Vec<ShownTexts>,
    /// Per bank item, its option and prompt ids.
    ids: Vec<SharedIds>,
    /// Per bank set, its shown stimulus and format.
    stimuli: Vec<(SetId, SharedText, String)>,
    /// The bank's items in the pool, with the pool unit holding each and
    /// the hash the exposure state files the item under.
    unit_of: Vec<(ItemId, u32, u64)>,
    digest: StableHasher,
    fingerprint: u64,
}

impl LoftPlan {
    /// Compiles the bank for the blueprint, checking what can be checked
    /// without an exposure state: the blueprint's JTA against the bank's
    /// as [`assemble`](super::assemble) checks it (the blueprint itself
    /// was checked when it became a [`CheckedBlueprint`]), then supply per
    /// cell, time limit and objective.
    ///
    /// # Errors
    ///
    /// [`AssemblyError::OtherJta`] when the blueprint was checked against
    /// another JTA than the bank's; [`AssemblyError`] when the options are out of
    /// range, the objective lacks what it needs, or the bank cannot supply
    /// even one form.
    pub fn new(
        bank: Arc<ItemBank>,
        blueprint: Arc<CheckedBlueprint>,
        options: &LoftOptions,
        handles: HandleKey,
    ) -> Result<Self, AssemblyError> {
        let rate = options.max_exposure_rate;
        if !(rate.is_finite() && rate > 0.0) {
            return Err(AssemblyError::BadExposureRate(rate));
        }
        if !(options.tolerance.is_finite() && options.tolerance >= 0.0) {
            return Err(AssemblyError::BadTolerance(options.tolerance));
        }
        super::same_jta(&bank, &blueprint)?;
        let length = f64::from(blueprint.form_length().max(1));
        let rate = match options.max_expected_overlap {
            Some(o) => rate.min(f64::from(o) / length),
            None => rate,
        };
        if rate <= 0.0 {
            return Err(AssemblyError::BadExposureRate(rate));
        }
        let pool = Pool::build(
            &bank,
            &blueprint,
            &options.objective,
            &Limits {
                capacity: 1,
                exposure: None,
                item_caps: None,
            },
        )?;
        feasibility::check(&pool, 1, 0, 1)?;
        let mut with_kind = vec![Vec::new(); pool.kinds()];
        let mut mean = vec![0.0; pool.k];
        let mut scored = 0u32;
        for (u, unit) in pool.units.iter().enumerate() {
            let shape = &pool.shapes[unit.shape];
            for (k, &s) in shape.iter().enumerate() {
                if s > 0 {
                    with_kind[k].push(u as u32);
                }
            }
            scored += shape[..pool.cells.len()].iter().sum::<u32>();
            for (m, f) in mean.iter_mut().zip(pool.feat(u)) {
                *m += f;
            }
        }
        for m in &mut mean {
            *m /= f64::from(scored.max(1));
        }
        let parts = select::shape_parts(&pool);
        let flat = with_kind
            .iter()
            .map(|list| {
                pool.k > 0
                    && list
                        .iter()
                        .all(|&u| select::scored_items(&parts, &pool, u) == 0)
            })
            .collect();
        let mut digest = StableHasher::new();
        // The bank enters by its fingerprint, hashed once when it was built.
        digest.str("exam-engine loft form v3");
        digest.u64(bank.fingerprint());
        digest.str(&serde_json::to_string(blueprint.blueprint()).unwrap_or_default());
        digest.str(&serde_json::to_string(options).unwrap_or_default());
        let fingerprint = digest.finish();
        let max_item_uses = options
            .max_item_uses
            .or(blueprint.max_item_uses.map(u64::from));
        // Texts escaped for JSON once here, not per view.
        let shown: Vec<ShownTexts> = bank.items().iter().map(ShownTexts::of).collect();
        shown.iter().for_each(ShownTexts::escape_now);
        let ids = bank.items().iter().map(SharedIds::of).collect();
        let stimuli = bank
            .sets()
            .iter()
            .map(|set| {
                let text = SharedText::new(&set.stimulus);
                text.json();
                (set.id.clone(), text, set.format.clone())
            })
            .collect();
        let unit_of = pool
            .units
            .iter()
            .enumerate()
            .flat_map(|(u, unit)| {
                let items = bank.items();
                unit.items.iter().map(move |&i| {
                    let id = &items[i].id;
                    (id.clone(), u as u32, exposure::hash_of(id))
                })
            })
            .collect();
        Ok(Self {
            bank,
            blueprint,
            options: options.clone(),
            handles,
            rate,
            max_item_uses,
            parts,
            slots: select::slot_kinds(&pool),
            pool,
            with_kind,
            mean,
            flat,
            shown,
            ids,
            stimuli,
            unit_of,
            digest,
            fingerprint,
        })
    }

    /// The bank.
    pub fn bank(&self) -> &Arc<ItemBank> {
        &self.bank
    }

    /// The blueprint.
    pub fn blueprint(&self) -> &Arc<CheckedBlueprint> {
        &self.blueprint
    }

    /// The soft exposure rate in force: `max_exposure_rate`, lowered by
    /// `max_expected_overlap` where set.
    pub fn exposure_rate(&self) -> f64 {
        self.rate
    }

    /// The key the plan's delivery views are handled with.
    pub fn handles(&self) -> &HandleKey {
        &self.handles
    }

    /// A fresh form for one attempt given the exposure so far, with its
    /// delivery view (time limit from the blueprint), scoring key and
    /// record. Deterministic given the plan, the state and the seed; give
    /// each attempt its own seed. The state is read, not changed: call
    /// [`ExposureState::record`] with the form.
    ///
    /// # Errors
    ///
    /// [`AssemblyError::ExposureExhausted`] when the hard use limit leaves a
    /// slot kind short; [`AssemblyError::Stuck`] when no construction order
    /// could satisfy the enemy, set and time constraints together.
    pub fn attempt(&self, state: &ExposureState, seed: u64) -> Result<Attempt, AssemblyError> {
        let n = state.forms_delivered;
        let elig = self.eligibility(state);
        self.check_hard_limit(&elig)?;
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let tables = select::Tables {
            parts: &self.parts,
            slots: &self.slots,
            with_kind: &self.with_kind,
            mean: &self.mean,
            flat: &self.flat,
        };
        let selection =
            select::select(&self.pool, &tables, &elig, self.options.tolerance, &mut rng).map_err(
                |s| AssemblyError::Stuck {
                    form: 1,
                    scope: self.pool.scope(s.kind),
                    missing: s.missing,
                },
            )?;
        let mut h = self.digest.clone();
        h.u64(seed).u64(n);
        let id = InputsDigest::from_hasher(h).form_id(&self.blueprint, 0);
        let mut units = selection.units;
        // Stored until the submission: no spare capacity.
        units.shrink_to_fit();
        let record = AttemptRecord {
            form: id,
            seed,
            plan: self.fingerprint,
            units,
        };
        let (form, key, items) = self.build(&record);
        let texts: Vec<&ShownTexts> = items.iter().map(|&(p, _)| &self.shown[p]).collect();
        let items: Vec<&Item> = items.into_iter().map(|(_, item)| item).collect();
        let stimulus = |id: &SetId| {
            self.stimuli
                .iter()
                .find(|(set, _, _)| set == id)
                .map(|(_, text, format)| (text.clone(), format.clone()))
        };
        let view = form.view_of(
            &stimulus,
            &items,
            &texts,
            self.blueprint.time_limit_minutes,
            &self.handles,
        );
        Ok(Attempt {
            form,
            view,
            key,
            record,
            quality: LoftQuality {
                max_deviation: selection.deviation,
                over_exposed: selection.over_exposed,
            },
        })
    }

    /// The form and scoring key of a stored attempt.
    ///
    /// # Errors
    ///
    /// [`AssemblyError::ForeignRecord`] when another plan (another bank,
    /// blueprint or options) built the record.
    pub fn restore(&self, record: &AttemptRecord) -> Result<(Form, ScoringKey), AssemblyError> {
        if record.plan != self.fingerprint
            || record
                .units
                .iter()
                .any(|&u| u as usize >= self.pool.units.len())
        {
            return Err(AssemblyError::ForeignRecord {
                form: record.form.clone(),
            });
        }
        let (form, key, _) = self.build(record);
        Ok((form, key))
    }

    /// The form and key of a record, with the form's items (and their bank
    /// positions) in slot order.
    fn build(&self, record: &AttemptRecord) -> (Form, ScoringKey, Vec<(usize, &Item)>) {
        let (form, positions) = delivery::build_form_at(
            &self.bank,
            Some(&self.ids),
            &self.blueprint,
            &self.pool,
            &record.units,
            self.options.order,
            record.seed,
            record.form.clone(),
            0,
        );
        let bank_items = self.bank.items();
        let items: Vec<(usize, &Item)> =
            positions.into_iter().map(|p| (p, &bank_items[p])).collect();
        let refs: Vec<&Item> = items.iter().map(|&(_, item)| item).collect();
        let key = form.key_of(&refs);
        (form, key, items)
    }

    /// Where each unit stands against the soft cap and the hard limit.
    fn eligibility(&self, state: &ExposureState) -> Eligibility {
        // Per unit, the most uses of any of its items.
        let mut most = vec![0u64; self.pool.units.len()];
        if !state.is_empty() {
            for (id, u, hash) in &self.unit_of {
                if let Some(n) = state.uses_hashed(*hash, id) {
                    let m = &mut most[*u as usize];
                    *m = (*m).max(n);
                }
            }
        }
        let cap = (self.rate * (state.forms_delivered + 1) as f64).max(1.0);
        let hard = self.max_item_uses.unwrap_or(u64::MAX);
        let spent = most.iter().map(|&m| m >= hard).collect();
        Eligibility {
            // Collected in place: the counts' allocation holds the excesses.
            over: most
                .into_iter()
                .map(|m| (m + 1) as f64 - cap - 1e-9)
                .collect(),
            spent,
        }
    }

    /// Fails with the first slot kind the hard use limit leaves short.
    fn check_hard_limit(&self, elig: &Eligibility) -> Result<(), AssemblyError> {
        let Some(limit) = self.max_item_uses else {
            return Ok(());
        };
        let pool = &self.pool;
        let mut supply = vec![0u32; pool.kinds()];
        for (unit, _) in pool.units.iter().zip(&elig.spent).filter(|(_, s)| !**s) {
            for (s, c) in supply.iter_mut().zip(&pool.shapes[unit.shape]) {
                *s += c;
            }
        }
        match (0..pool.kinds()).find(|&k| supply[k] < pool.need[k]) {
            None => Ok(()),
            Some(k) => Err(AssemblyError::ExposureExhausted {
                scope: pool.scope(k),
                needed: pool.need[k],
                usable: supply[k],
                max_item_uses: limit,
            }),
        }
    }
}

#[cfg(test)]
mod tests;
