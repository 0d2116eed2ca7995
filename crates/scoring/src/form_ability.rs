//! θ on a score report: EAP over the counted items of a form, where every
//! one carries IRT parameters (see [`crate::report`]).

use crate::ability::Estimate;
use crate::eap::EapEstimator;
use crate::item_response::Response;
use crate::key::Slot;
use crate::outcome::{ResponseStatus, ScoredSubmission};
use crate::prior::NormalPrior;
use exam_core::ids::ItemId;
use exam_core::irt::ItemParams;
use std::collections::HashMap;

/// EAP scoring over the counted items of a form, where all are calibrated.
#[derive(Debug, Clone)]
pub(crate) struct CountedItemsEap {
    eap: EapEstimator,
    /// Slot index of each item of `eap`.
    slots: Vec<usize>,
}

impl CountedItemsEap {
    /// The EAP of the counted slots, or `None` when one lacks parameters.
    pub(crate) fn new(slots: &[Slot], params: &HashMap<ItemId, ItemParams>) -> Option<Self> {
        let mut items = Vec::new();
        let mut index = Vec::new();
        for (i, slot) in slots.iter().enumerate().filter(|(_, s)| s.counts()) {
            items.push(*params.get(&slot.item)?);
            index.push(i);
        }
        if items.is_empty() {
            return None;
        }
        Some(Self {
            eap: EapEstimator::new(&items, NormalPrior::standard()),
            slots: index,
        })
    }

    /// The prior of the EAP.
    pub(crate) fn prior(&self) -> &NormalPrior {
        self.eap.prior()
    }

    /// The EAP estimate of a scored submission: each counted item right
    /// when it earned full credit, omitted items wrong, not-reached items
    /// not presented.
    pub(crate) fn estimate(&self, scored: &ScoredSubmission) -> Option<Estimate> {
        let responses: Vec<Response> = self
            .slots
            .iter()
            .map(|&i| {
                let o = scored.outcomes[i];
                match o.status {
                    ResponseStatus::NotReached if o.credit < 1.0 => Response::NotPresented,
                    _ => Response::from(o.credit >= 1.0),
                }
            })
            .collect();
        self.eap.score(&responses).ok()
    }
}
