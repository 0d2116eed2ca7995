//! How often items have been delivered on the fly: the state a service
//! keeps between requests, and merges across instances.

use crate::form::Form;
use crate::ids::ItemId;
use foldhash::fast::FixedState;
use hashbrown::HashMap;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::hash::BuildHasher;

/// Forms delivered so far and, per item, the forms it was on.
///
/// A running service [`record`](Self::record)s each attempt it hands out,
/// [`release`](Self::release)s an attempt abandoned before the candidate
/// saw it, and persists the state as JSON. Counts add, so states kept by
/// several instances (each counting its own deliveries from an empty state)
/// [`merge`](Self::merge) into the total, in any order and grouping, like
/// the sufficient statistics of exam-stats.
///
/// As JSON, `{"forms_delivered": N, "uses": {item: n}}` with the items in
/// id order. In memory the counts are a hash map with a fixed hash of the
/// id text (the ids are the bank's, not a client's), so a plan hashes its
/// items once and looks their counts up without hashing again.
///
/// ```
/// # use exam_core::assembly::ExposureState;
/// let shared: ExposureState = serde_json::from_str(
///     r#"{"forms_delivered": 2, "uses": {"PRJ-004": 1, "COM-001": 2}}"#)?;
/// let mut total = ExposureState::default();
/// total.merge(&shared);
/// total.merge(&shared);
/// assert_eq!(total.forms_delivered, 4);
/// assert_eq!(total.uses(&"COM-001".into()), 4);
/// assert_eq!(total.rate(&"COM-001".into()), 1.0);
/// assert_eq!(
///     serde_json::to_string(&total)?,
///     r#"{"forms_delivered":4,"uses":{"COM-001":4,"PRJ-004":2}}"#
/// );
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(from = "Stored")]
pub struct ExposureState {
    /// Forms delivered so far.
    pub forms_delivered: u64,
    /// Per item, the forms it was on (items never delivered are absent).
    uses: HashMap<ItemId, u64, FixedState>,
}

/// The hash an [`ExposureState`] files `id` under.
pub(super) fn hash_of(id: &ItemId) -> u64 {
    FixedState::default().hash_one(id)
}

/// The JSON form of an [`ExposureState`] as read.
#[derive(Deserialize)]
struct Stored {
    forms_delivered: u64,
    uses: BTreeMap<ItemId, u64>,
}

impl From<Stored> for ExposureState {
    fn from(stored: Stored) -> Self {
        Self {
            forms_delivered: stored.forms_delivered,
            uses: stored.uses.into_iter().collect(),
        }
    }
}

/// The JSON form of an [`ExposureState`] as written: the items in id order.
#[derive(Serialize)]
struct Written<'a> {
    forms_delivered: u64,
    uses: BTreeMap<&'a ItemId, u64>,
}

impl Serialize for ExposureState {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        Written {
            forms_delivered: self.forms_delivered,
            uses: self.uses.iter().map(|(id, &n)| (id, n)).collect(),
        }
        .serialize(serializer)
    }
}

impl ExposureState {
    /// The forms an item was on (0 for an item never delivered).
    pub fn uses(&self, item: &ItemId) -> u64 {
        self.uses.get(item).copied().unwrap_or(0)
    }

    /// [`uses`](Self::uses) of an item whose [`hash_of`] is `hash`; `None`
    /// for an item never delivered.
    pub(super) fn uses_hashed(&self, hash: u64, item: &ItemId) -> Option<u64> {
        self.uses
            .raw_entry()
            .from_hash(hash, |id| id == item)
            .map(|(_, &n)| n)
    }

    /// Whether no item has been counted.
    pub(super) fn is_empty(&self) -> bool {
        self.uses.is_empty()
    }

    /// The items counted, with the forms each was on, in no particular
    /// order.
    pub fn items(&self) -> impl Iterator<Item = (&ItemId, u64)> {
        self.uses.iter().map(|(id, &n)| (id, n))
    }

    /// The exposure rate of an item: the share of delivered forms it was on
    /// (0 before any form).
    pub fn rate(&self, item: &ItemId) -> f64 {
        if self.forms_delivered == 0 {
            return 0.0;
        }
        self.uses(item) as f64 / self.forms_delivered as f64
    }

    /// The largest exposure rate of any item (0 before any form).
    pub fn max_rate(&self) -> f64 {
        let most = self.uses.values().copied().max().unwrap_or(0);
        if self.forms_delivered == 0 {
            0.0
        } else {
            most as f64 / self.forms_delivered as f64
        }
    }

    /// Counts a delivered form.
    pub fn record(&mut self, form: &Form) {
        self.forms_delivered += 1;
        for slot in &form.slots {
            // Only a first use clones the id.
            match self.uses.get_mut(&slot.item) {
                Some(uses) => *uses += 1,
                None => {
                    self.uses.insert(slot.item.clone(), 1);
                }
            }
        }
    }

    /// Takes back a form counted by [`record`](Self::record) whose attempt
    /// was abandoned before delivery. Counts never go below zero.
    pub fn release(&mut self, form: &Form) {
        self.forms_delivered = self.forms_delivered.saturating_sub(1);
        for slot in &form.slots {
            if let Some(uses) = self.uses.get_mut(&slot.item) {
                *uses = uses.saturating_sub(1);
                if *uses == 0 {
                    self.uses.remove(&slot.item);
                }
            }
        }
    }

    /// Adds another state's counts to this one.
    pub fn merge(&mut self, other: &ExposureState) {
        self.forms_delivered += other.forms_delivered;
        for (item, &uses) in &other.uses {
            *self.uses.entry(item.clone()).or_insert(0) += uses;
        }
    }
}
