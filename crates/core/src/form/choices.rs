//! The options of a delivered item: the item's shown options, shared with
//! the views of other forms, and this form's order of them.

use super::DeliveredChoice;
use crate::ids::OptionId;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::sync::Arc;

/// The most options whose order is kept packed (4 bits each in a `u64`).
const PACKED: usize = 16;

/// The options of a [`DeliveredItem`](super::DeliveredItem) in delivered
/// order. Cloning copies a pointer: the options themselves are the item's,
/// shared by every view that shows it, and the order is a packed
/// permutation of them (so a view costs no allocation or reference count
/// per option). Serializes as the list of [`DeliveredChoice`]s in order.
#[derive(Clone)]
pub struct DeliveredChoices {
    /// The options, in the item's order when `order` is set, else in
    /// delivered order.
    shown: Arc<[DeliveredChoice]>,
    /// The delivered order: `len` positions in `shown`, 4 bits each, the
    /// first in the lowest bits.
    order: Option<(u64, u8)>,
}

impl DeliveredChoices {
    /// The choices of `shown` (an item's options, in its order) whose ids
    /// are in `order`, in that order.
    pub(crate) fn in_order(order: &[OptionId], shown: &Arc<[DeliveredChoice]>) -> Self {
        // The ids of a form's order are clones of the item's, so the same
        // text in memory: found by address, by text only otherwise.
        let positions = order.iter().filter_map(|id| {
            shown
                .iter()
                .position(|c| std::ptr::eq(c.id.as_str(), id.as_str()))
                .or_else(|| shown.iter().position(|c| &c.id == id))
        });
        if shown.len() <= PACKED {
            let (mut packed, mut len) = (0u64, 0u8);
            for p in positions {
                packed |= (p as u64) << (4 * len);
                len += 1;
            }
            return Self {
                shown: Arc::clone(shown),
                order: Some((packed, len)),
            };
        }
        Self {
            shown: positions.map(|p| shown[p].clone()).collect(),
            order: None,
        }
    }

    /// How many options are shown.
    pub fn len(&self) -> usize {
        match self.order {
            Some((_, len)) => usize::from(len),
            None => self.shown.len(),
        }
    }

    /// Whether no option is shown (items other than matching have no
    /// prompts).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The `i`-th option delivered.
    pub fn get(&self, i: usize) -> Option<&DeliveredChoice> {
        (i < self.len()).then(|| self.at(i))
    }

    /// The `i`-th option delivered, `i` below [`Self::len`].
    fn at(&self, i: usize) -> &DeliveredChoice {
        match self.order {
            Some((packed, _)) => &self.shown[((packed >> (4 * i)) & 0xf) as usize],
            None => &self.shown[i],
        }
    }

    /// The options in delivered order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &DeliveredChoice> + Clone + '_ {
        (0..self.len()).map(move |i| self.at(i))
    }
}

/// No options (the prompts of items other than matching).
impl Default for DeliveredChoices {
    fn default() -> Self {
        Self {
            shown: Arc::new([]),
            order: None,
        }
    }
}

impl From<Vec<DeliveredChoice>> for DeliveredChoices {
    fn from(choices: Vec<DeliveredChoice>) -> Self {
        Self {
            shown: choices.into(),
            order: None,
        }
    }
}

impl std::ops::Index<usize> for DeliveredChoices {
    type Output = DeliveredChoice;

    fn index(&self, i: usize) -> &DeliveredChoice {
        assert!(i < self.len(), "option {i} of {} delivered", self.len());
        self.at(i)
    }
}

impl PartialEq for DeliveredChoices {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl Eq for DeliveredChoices {}

impl fmt::Debug for DeliveredChoices {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl Serialize for DeliveredChoices {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

impl<'de> Deserialize<'de> for DeliveredChoices {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Vec::<DeliveredChoice>::deserialize(d).map(Self::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::form::SharedText;

    fn shown(n: usize) -> Arc<[DeliveredChoice]> {
        (0..n)
            .map(|i| DeliveredChoice {
                id: OptionId::new(format!("O{i}")),
                text: SharedText::new(&format!("option {i}")),
            })
            .collect()
    }

    /// Short and long option lists give the options of the order, in it,
    /// skipping ids the item does not have, and serialize as that list.
    #[test]
    fn choices_follow_the_order_given() {
        for n in [0, 1, 4, 16, 17, 30] {
            let shown = shown(n);
            let mut order: Vec<OptionId> = shown.iter().rev().map(|c| c.id.clone()).collect();
            order.insert(0, OptionId::new("missing"));
            let choices = DeliveredChoices::in_order(&order, &shown);
            let expected: Vec<DeliveredChoice> = shown.iter().rev().cloned().collect();
            assert_eq!(choices.len(), n);
            assert_eq!(choices.is_empty(), n == 0);
            assert!(choices.iter().eq(expected.iter()));
            assert_eq!(choices.get(n), None);
            if n > 0 {
                assert_eq!(choices[0], expected[0]);
            }
            assert_eq!(choices, DeliveredChoices::from(expected.clone()));
            assert_eq!(
                serde_json::to_string(&choices).unwrap(),
                serde_json::to_string(&expected).unwrap()
            );
            let back: DeliveredChoices =
                serde_json::from_str(&serde_json::to_string(&choices).unwrap()).unwrap();
            assert_eq!(back, choices);
            assert_eq!(format!("{choices:?}"), format!("{expected:?}"));
        }
    }
}
