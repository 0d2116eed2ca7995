//! Linear on-the-fly testing (LOFT): one fresh form per candidate request,
//! with exposure tracked across requests in a state the caller keeps.

use super::delivery::{self, InputsDigest};
use super::pool::{Limits, Pool};
use super::{AssemblyError, Objective, feasibility};
use crate::bank::ItemBank;
use crate::blueprint::Blueprint;
use crate::form::{DeliveryOrder, Form};
use crate::hash::StableHasher;
use crate::ids::ItemId;
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Scans of the bank in fresh random orders before LOFT gives up.
const ATTEMPTS: usize = 8;

/// How often items have been delivered by LOFT so far: the state an LMS
/// stores between requests.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExposureState {
    /// Forms delivered so far.
    pub forms_delivered: u64,
    /// Per item, the forms it was on (items never delivered are absent).
    pub uses: BTreeMap<ItemId, u64>,
}

impl ExposureState {
    /// The exposure rate of an item: the share of delivered forms it was on
    /// (0 before any form).
    pub fn rate(&self, item: &ItemId) -> f64 {
        if self.forms_delivered == 0 {
            return 0.0;
        }
        self.uses.get(item).copied().unwrap_or(0) as f64 / self.forms_delivered as f64
    }
}

/// Options of [`assemble_on_the_fly`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LoftOptions {
    /// The largest exposure rate an item may reach with this form: an item
    /// used `u` times in `n` forms is eligible when
    /// `u + 1 ≤ max(1, ⌊r · (n + 1)⌋)` (so every item is eligible for the
    /// first forms, and no item's rate exceeds `r` once `r · n ≥ 1`).
    pub max_exposure_rate: f64,
    /// How items are ordered.
    pub order: DeliveryOrder,
}

impl Default for LoftOptions {
    fn default() -> Self {
        Self {
            max_exposure_rate: 1.0,
            order: DeliveryOrder::Randomised,
        }
    }
}

/// Builds one form for one candidate, at random within the content
/// constraints (exact cell counts, pretest slots, enemies, sets all-or-none,
/// time limit) among items within the exposure limit, and returns it with
/// the updated exposure state.
///
/// Deterministic given the bank, blueprint, options, state and seed. An LMS
/// serving many requests from one bank prepares a [`LoftPlan`] once and
/// calls [`LoftPlan::next_form`], which skips compiling the bank.
pub fn assemble_on_the_fly(
    bank: &ItemBank,
    blueprint: &Blueprint,
    options: &LoftOptions,
    state: &ExposureState,
    seed: u64,
) -> Result<(Form, ExposureState), AssemblyError> {
    LoftPlan::new(bank, blueprint, options)?.next_form(state, seed)
}

/// A bank and blueprint compiled for on-the-fly assembly: units, shapes,
/// enemies, and the digest that form ids derive from.
#[derive(Debug, Clone)]
pub struct LoftPlan<'b> {
    bank: &'b ItemBank,
    blueprint: &'b Blueprint,
    options: LoftOptions,
    pool: Pool,
    digest: StableHasher,
}

impl<'b> LoftPlan<'b> {
    /// Compiles the bank for the blueprint, checking what can be checked
    /// without an exposure state (supply per cell, time limit).
    pub fn new(
        bank: &'b ItemBank,
        blueprint: &'b Blueprint,
        options: &LoftOptions,
    ) -> Result<Self, AssemblyError> {
        let rate = options.max_exposure_rate;
        if !(rate.is_finite() && rate > 0.0) {
            return Err(AssemblyError::BadExposureRate(rate));
        }
        let pool = Pool::build(
            bank,
            blueprint,
            &Objective::Random,
            &Limits {
                capacity: 1,
                exposure: None,
                item_caps: None,
            },
        )?;
        feasibility::check(&pool, 1, 0, 1)?;
        let mut digest = StableHasher::new();
        // The bank enters by its fingerprint, hashed once when it was built.
        digest.str("exam-engine loft form v2");
        digest.u64(bank.fingerprint());
        digest.str(&serde_json::to_string(blueprint).unwrap_or_default());
        digest.str(&serde_json::to_string(options).unwrap_or_default());
        Ok(Self {
            bank,
            blueprint,
            options: *options,
            pool,
            digest,
        })
    }

    /// The next form for a candidate given the exposure so far, with the
    /// updated state.
    pub fn next_form(
        &self,
        state: &ExposureState,
        seed: u64,
    ) -> Result<(Form, ExposureState), AssemblyError> {
        let n = state.forms_delivered;
        let rate = self.options.max_exposure_rate;
        let allowed = ((rate * (n + 1) as f64 + 1e-9).floor() as u64).max(1);
        // Only items at their cap are looked up.
        let mut capped = vec![false; self.bank.items().len()];
        for (id, &uses) in &state.uses {
            if uses >= allowed
                && let Some(p) = self.bank.position(id)
            {
                capped[p] = true;
            }
        }
        let eligible: Vec<bool> = self
            .pool
            .units
            .iter()
            .map(|u| u.items.iter().all(|&i| !capped[i]))
            .collect();
        self.check_supply(&eligible)?;
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let units = random_form(&self.pool, &eligible, &mut rng)?;
        let mut h = self.digest.clone();
        h.u64(seed).u64(n);
        let id = InputsDigest::from_hasher(h).form_id(self.blueprint, 0);
        let form = delivery::build_form(
            self.bank,
            self.blueprint,
            &self.pool,
            &units,
            self.options.order,
            seed,
            id,
            0,
        );
        let mut next = state.clone();
        next.forms_delivered += 1;
        for slot in &form.slots {
            *next.uses.entry(slot.item.clone()).or_insert(0) += 1;
        }
        Ok((form, next))
    }

    /// Fails with the first slot kind whose eligible supply is below need.
    fn check_supply(&self, eligible: &[bool]) -> Result<(), AssemblyError> {
        let pool = &self.pool;
        let mut supply = vec![0u32; pool.kinds()];
        for (unit, _) in pool.units.iter().zip(eligible).filter(|(_, e)| **e) {
            for (s, c) in supply.iter_mut().zip(&pool.shapes[unit.shape]) {
                *s += c;
            }
        }
        match (0..pool.kinds()).find(|&k| supply[k] < pool.need[k]) {
            None => Ok(()),
            Some(k) => Err(AssemblyError::Short {
                scope: pool.scope(k),
                forms: 1,
                per_form: pool.need[k],
                max_shared: 0,
                max_uses: 1,
                needed: pool.need[k],
                available: pool.available[k],
                usable: supply[k],
                kind: if k == pool.cells.len() {
                    "pretest"
                } else {
                    "operational"
                },
            }),
        }
    }
}

/// One scan over the units in random order, taking each unit that fits the
/// remaining needs, has no enemy on the form and keeps the time limit
/// reachable; repeated with a fresh order if the scan leaves a need open.
fn random_form(
    pool: &Pool,
    eligible: &[bool],
    rng: &mut ChaCha8Rng,
) -> Result<Vec<u32>, AssemblyError> {
    let mut order: Vec<u32> = (0..pool.units.len() as u32).collect();
    let mut missing = (0, 0);
    for _ in 0..ATTEMPTS {
        order.shuffle(rng);
        let mut need = pool.need.clone();
        let mut blocked = vec![false; pool.units.len()];
        let mut seconds = 0u64;
        let mut chosen = Vec::new();
        let mut left: u32 = need.iter().sum();
        for &u in &order {
            if left == 0 {
                break;
            }
            let unit = &pool.units[u as usize];
            let shape = &pool.shapes[unit.shape];
            if !eligible[u as usize]
                || blocked[u as usize]
                || shape.iter().zip(&need).any(|(s, n)| s > n)
            {
                continue;
            }
            if let Some(limit) = pool.time_limit {
                let rest: u64 = need
                    .iter()
                    .zip(shape)
                    .zip(&pool.min_seconds)
                    .map(|((n, s), m)| u64::from(n - s) * m)
                    .sum();
                if seconds + unit.seconds + rest > limit {
                    continue;
                }
            }
            for (n, s) in need.iter_mut().zip(shape) {
                *n -= s;
            }
            left -= unit.n_items;
            seconds += unit.seconds;
            for &e in &unit.enemies {
                blocked[e as usize] = true;
            }
            chosen.push(u);
        }
        if left == 0 {
            return Ok(chosen);
        }
        if let Some((k, n)) = need.iter().enumerate().find(|(_, n)| **n > 0) {
            missing = (k, *n);
        }
    }
    Err(AssemblyError::Stuck {
        form: 1,
        scope: pool.scope(missing.0),
        missing: missing.1,
    })
}
