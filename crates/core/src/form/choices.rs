//! Lists shown in a per-form order, sharing the item's list: the options
//! of a delivered item, and a form slot's option order.

use super::DeliveredChoice;
use crate::ids::OptionId;
use rand::Rng;
use rand::seq::SliceRandom;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::sync::Arc;

/// The most elements whose order is kept packed (4 bits each in a `u64`).
const PACKED: usize = 16;

/// An item's list (its options, their ids) in the order one form shows
/// it. Cloning copies a pointer: the list itself is the item's, shared by
/// every form and view that shows it, and the order is a packed
/// permutation of it (so a form or view costs no allocation or reference
/// count per element). Serializes as the list of elements in order.
#[derive(Clone)]
pub struct Ordered<T> {
    /// The elements, in the item's order when `order` is set, else in
    /// this order.
    shown: Arc<[T]>,
    /// The order: `len` positions in `shown`, 4 bits each, the first in
    /// the lowest bits.
    order: Option<(u64, u8)>,
}

/// The options of a [`DeliveredItem`](super::DeliveredItem) in delivered
/// order (see [`Ordered`]).
pub type DeliveredChoices = Ordered<DeliveredChoice>;

/// A form slot's option ids in delivered order (see [`Ordered`]).
pub type OptionOrder = Ordered<OptionId>;

impl<T: Clone> Ordered<T> {
    /// The elements of `shown` at `positions`, in that order.
    fn at_positions(shown: &Arc<[T]>, positions: impl Iterator<Item = usize>) -> Self {
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

    /// `shown` (an item's list, in its order) shuffled by `rng` when
    /// `shuffle` is set: the same draws and the same order as shuffling a
    /// vector of it.
    pub(crate) fn shuffled(shown: &Arc<[T]>, shuffle: bool, rng: &mut impl Rng) -> Self {
        let n = shown.len();
        let mut positions: [u8; PACKED] = std::array::from_fn(|i| i as u8);
        if n > PACKED {
            let mut all: Vec<T> = shown.to_vec();
            if shuffle {
                all.shuffle(rng);
            }
            return all.into();
        }
        if shuffle {
            positions[..n].shuffle(rng);
        }
        Self::at_positions(shown, positions[..n].iter().map(|&p| usize::from(p)))
    }
}

impl DeliveredChoices {
    /// The choices of `shown` (an item's options, in its order) whose ids
    /// are in `order`, in that order.
    pub(crate) fn in_order(order: &OptionOrder, shown: &Arc<[DeliveredChoice]>) -> Self {
        // An order over the item's own ids, element for element: the
        // same permutation.
        if let Some(packed) = order.order
            && order.shown.len() == shown.len()
            && order
                .shown
                .iter()
                .zip(shown.iter())
                .all(|(id, c)| std::ptr::eq(id.as_str(), c.id.as_str()))
        {
            return Self {
                shown: Arc::clone(shown),
                order: Some(packed),
            };
        }
        // The ids of a form's order are clones of the item's, so the same
        // text in memory: found by address, by text only otherwise.
        let positions = order.iter().filter_map(|id| {
            shown
                .iter()
                .position(|c| std::ptr::eq(c.id.as_str(), id.as_str()))
                .or_else(|| shown.iter().position(|c| &c.id == id))
        });
        Self::at_positions(shown, positions)
    }
}

impl<T> Ordered<T> {
    /// How many elements are shown.
    pub fn len(&self) -> usize {
        match self.order {
            Some((_, len)) => usize::from(len),
            None => self.shown.len(),
        }
    }

    /// Whether none is shown (items other than matching have no
    /// prompts).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The `i`-th element shown.
    pub fn get(&self, i: usize) -> Option<&T> {
        (i < self.len()).then(|| self.at(i))
    }

    /// The `i`-th element shown, `i` below [`Self::len`].
    fn at(&self, i: usize) -> &T {
        match self.order {
            Some((packed, _)) => &self.shown[((packed >> (4 * i)) & 0xf) as usize],
            None => &self.shown[i],
        }
    }

    /// The elements in order.
    pub fn iter(&self) -> Iter<'_, T> {
        Iter {
            list: self,
            next: 0..self.len(),
        }
    }

    /// The elements the order is taken from (all of the item's when they
    /// are at most 16), in no particular order.
    pub(crate) fn shared(&self) -> &[T] {
        &self.shown
    }

    /// The elements in order, in a vector.
    pub fn to_vec(&self) -> Vec<T>
    where
        T: Clone,
    {
        self.iter().cloned().collect()
    }
}

/// The elements of an [`Ordered`] in order.
#[derive(Clone)]
pub struct Iter<'a, T> {
    list: &'a Ordered<T>,
    next: std::ops::Range<usize>,
}

impl<'a, T> Iterator for Iter<'a, T> {
    type Item = &'a T;

    fn next(&mut self) -> Option<&'a T> {
        self.next.next().map(|i| self.list.at(i))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.next.size_hint()
    }
}

impl<T> ExactSizeIterator for Iter<'_, T> {}

impl<T> DoubleEndedIterator for Iter<'_, T> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.next.next_back().map(|i| self.list.at(i))
    }
}

/// None (the prompts of items other than matching).
impl<T> Default for Ordered<T> {
    fn default() -> Self {
        Self {
            shown: Arc::new([]),
            order: None,
        }
    }
}

impl<T> From<Vec<T>> for Ordered<T> {
    fn from(choices: Vec<T>) -> Self {
        Self {
            shown: choices.into(),
            order: None,
        }
    }
}

impl<T> std::ops::Index<usize> for Ordered<T> {
    type Output = T;

    fn index(&self, i: usize) -> &T {
        assert!(i < self.len(), "element {i} of {} shown", self.len());
        self.at(i)
    }
}

impl<T: PartialEq> PartialEq for Ordered<T> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl<T: Eq> Eq for Ordered<T> {}

/// Equal to a vector of the same elements in the same order.
impl<T: PartialEq> PartialEq<Vec<T>> for Ordered<T> {
    fn eq(&self, other: &Vec<T>) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl<'a, T> IntoIterator for &'a Ordered<T> {
    type Item = &'a T;
    type IntoIter = Iter<'a, T>;

    fn into_iter(self) -> Iter<'a, T> {
        self.iter()
    }
}

impl<T: fmt::Debug> fmt::Debug for Ordered<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<T: Serialize> Serialize for Ordered<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Ordered<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Vec::<T>::deserialize(d).map(Self::from)
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

    /// An order over the item's own ids (as a form's shuffle makes it)
    /// gives the same choices as one found id by id.
    #[test]
    fn an_order_of_the_items_ids_is_taken_as_it_is() {
        use rand::SeedableRng;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        for n in [0, 1, 3, 16, 17, 20] {
            let shown = shown(n);
            let ids: Arc<[OptionId]> = shown.iter().map(|c| c.id.clone()).collect();
            // The same order and draws as a shuffled vector.
            let mut again = rng.clone();
            let order = OptionOrder::shuffled(&ids, true, &mut rng);
            let mut vector = ids.to_vec();
            vector.shuffle(&mut again);
            assert!(order == vector);
            assert_eq!(rng.random::<u64>(), again.random::<u64>());
            assert!(OptionOrder::shuffled(&ids, false, &mut rng) == ids.to_vec());
            let by_id = DeliveredChoices::in_order(&order.to_vec().into(), &shown);
            let shared = DeliveredChoices::in_order(&order, &shown);
            assert_eq!(shared, by_id);
            assert!(shared.iter().map(|c| &c.id).eq(order.iter()));
        }
    }

    /// Short and long option lists give the options of the order, in it,
    /// skipping ids the item does not have, and serialize as that list.
    #[test]
    fn choices_follow_the_order_given() {
        for n in [0, 1, 4, 16, 17, 30] {
            let shown = shown(n);
            let mut order: Vec<OptionId> = shown.iter().rev().map(|c| c.id.clone()).collect();
            let as_given = OptionOrder::from(order.clone());
            assert!(as_given == order && as_given.to_vec() == order);
            order.insert(0, OptionId::new("missing"));
            let choices = DeliveredChoices::in_order(&order.into(), &shown);
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
