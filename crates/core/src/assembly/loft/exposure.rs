//! How often items have been delivered on the fly: the state a service
//! keeps between requests, and merges across instances.

use crate::form::Form;
use crate::ids::ItemId;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Forms delivered so far and, per item, the forms it was on.
///
/// A running service [`record`](Self::record)s each attempt it hands out,
/// [`release`](Self::release)s an attempt abandoned before the candidate
/// saw it, and persists the state as JSON. Counts add, so states kept by
/// several instances (each counting its own deliveries from an empty state)
/// [`merge`](Self::merge) into the total, in any order and grouping, like
/// the sufficient statistics of exam-stats.
///
/// ```
/// # use exam_core::assembly::ExposureState;
/// let shared: ExposureState = serde_json::from_str(
///     r#"{"forms_delivered": 2, "uses": {"COM-001": 2, "PRJ-004": 1}}"#)?;
/// let mut total = ExposureState::default();
/// total.merge(&shared);
/// total.merge(&shared);
/// assert_eq!(total.forms_delivered, 4);
/// assert_eq!(total.rate(&"COM-001".into()), 1.0);
/// # Ok::<(), serde_json::Error>(())
/// ```
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
