//! The item bank: the JTA, the item sets and the items, checked together.
//!
//! [`ItemBank::new`] is the only way to build a bank, and it checks every
//! item against the JTA and against the other items, so a value of type
//! `ItemBank` is a valid bank.

use crate::ids::{ItemId, SetId};
use crate::item::{Item, ItemSet};
use crate::jta::Jta;
use std::collections::HashMap;

/// One problem found while checking a bank.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BankProblem {
    /// Two items share an id.
    #[error("item `{item}`: duplicate id")]
    DuplicateItem {
        /// The repeated id.
        item: ItemId,
    },
}

/// Every problem found in a bank, in a stable order.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the item bank has {} problem(s)", .problems.len())]
pub struct BankErrors {
    /// The problems.
    pub problems: Vec<BankProblem>,
}

/// A checked item bank.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemBank {
    jta: Jta,
    sets: Vec<ItemSet>,
    items: Vec<Item>,
    index: HashMap<ItemId, usize>,
}

impl ItemBank {
    /// Checks the parts and builds the bank, or returns every problem found.
    pub fn new(jta: Jta, sets: Vec<ItemSet>, items: Vec<Item>) -> Result<Self, BankErrors> {
        let mut problems = Vec::new();
        let mut index = HashMap::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            if index.insert(item.id.clone(), i).is_some() {
                problems.push(BankProblem::DuplicateItem {
                    item: item.id.clone(),
                });
            }
        }
        if !problems.is_empty() {
            return Err(BankErrors { problems });
        }
        Ok(Self {
            jta,
            sets,
            items,
            index,
        })
    }

    /// The JTA the bank is written for.
    pub fn jta(&self) -> &Jta {
        &self.jta
    }

    /// All items, in file order.
    pub fn items(&self) -> &[Item] {
        &self.items
    }

    /// The item sets (testlets).
    pub fn sets(&self) -> &[ItemSet] {
        &self.sets
    }

    /// The item with this id.
    pub fn item(&self, id: &ItemId) -> Option<&Item> {
        self.index.get(id).map(|&i| &self.items[i])
    }

    /// The position of an item in [`ItemBank::items`].
    pub fn position(&self, id: &ItemId) -> Option<usize> {
        self.index.get(id).copied()
    }

    /// The set with this id.
    pub fn set(&self, id: &SetId) -> Option<&ItemSet> {
        self.sets.iter().find(|s| &s.id == id)
    }
}
