//! The one way a blueprint reaches assembly, on-the-fly forms, coverage,
//! the passing rule and the pilot: checked against its JTA.

use super::problem::{BankErrors, Location, Problem};
use super::supply::check_blueprint;
use crate::blueprint::Blueprint;
use crate::jta::Jta;
use std::ops::Deref;

/// A blueprint that passed every check against a JTA: the JTA's id, known
/// and unique domains, finite non-negative weights summing to one, level
/// counts that add up to each domain's share and to `scored_items` (sums
/// saturate, so no sum past `u32::MAX` wraps around to a small number), at
/// least one scored item, and a raw cut of at
/// most `scored_items` (the checks of `exam validate`, listed on
/// [`ItemBank::check_blueprint`](super::ItemBank::check_blueprint)).
///
/// Built only by [`CheckedBlueprint::new`] or
/// [`ItemBank::check_blueprint`](super::ItemBank::check_blueprint) (a
/// loaded bank's blueprints are checked ones), and read-only afterwards
/// (it dereferences to the [`Blueprint`]): every function that builds,
/// checks or scores forms takes this type, so an unchecked blueprint
/// cannot reach them.
///
/// ```
/// use exam_core::bank::{CheckedBlueprint, ItemBank, Location};
///
/// let bank = ItemBank::load(concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/mini-bank"))?;
/// let mut blueprint = bank.blueprints()[0].clone().into_inner();
/// blueprint.passing.raw_cut = Some(blueprint.scored_items + 1);
/// let err = CheckedBlueprint::new(bank.jta(), blueprint, &Location::default()).unwrap_err();
/// assert_eq!(
///     err.problems[0].to_string(),
///     "error: `passing.raw_cut`: raw cut 9 is more than the 8 scored items"
/// );
/// # Ok::<(), exam_core::bank::BankErrors>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedBlueprint {
    blueprint: Blueprint,
    warnings: Vec<Problem>,
}

impl CheckedBlueprint {
    /// Checks `blueprint` against `jta`; `at` is where it was read from,
    /// for the problems' locations.
    ///
    /// # Errors
    ///
    /// Every problem found (errors and warnings, each naming the field,
    /// and the cells and counts that disagree) when any is an error.
    pub fn new(jta: &Jta, blueprint: Blueprint, at: &Location) -> Result<Self, BankErrors> {
        let problems = check_blueprint(jta, &blueprint, at);
        if problems.iter().any(Problem::is_error) {
            return Err(BankErrors { problems });
        }
        Ok(Self {
            blueprint,
            warnings: problems,
        })
    }

    /// The blueprint.
    pub fn blueprint(&self) -> &Blueprint {
        &self.blueprint
    }

    /// The warnings of the check (legal but suspicious: a JTA domain the
    /// blueprint leaves out).
    pub fn warnings(&self) -> &[Problem] {
        &self.warnings
    }

    /// The blueprint, to change it (and check it again).
    pub fn into_inner(self) -> Blueprint {
        self.blueprint
    }
}

impl Deref for CheckedBlueprint {
    type Target = Blueprint;

    fn deref(&self) -> &Blueprint {
        &self.blueprint
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bank::{read_blueprint, read_jta};
    use crate::blueprint::Count;

    const MINI: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fixtures/mini-bank"
    );

    /// The messages of the mini bank's blueprint after `edit`, checked
    /// against its JTA; empty when it is accepted.
    fn refused(edit: impl FnOnce(&mut Blueprint)) -> Vec<String> {
        let jta = read_jta(format!("{MINI}/jta/jta.json")).unwrap();
        let mut blueprint = read_blueprint(format!("{MINI}/blueprints/mini.json")).unwrap();
        edit(&mut blueprint);
        match CheckedBlueprint::new(&jta, blueprint, &Location::default()) {
            Ok(_) => Vec::new(),
            Err(e) => e.problems.iter().map(ToString::to_string).collect(),
        }
    }

    #[test]
    fn the_mini_blueprint_is_accepted() {
        assert_eq!(refused(|_| {}), Vec::<String>::new());
    }

    #[test]
    fn level_counts_that_disagree_with_the_scored_items_are_refused() {
        // The issue's 61 against 60, on the mini blueprint: 9 against 8.
        let found = refused(|b| b.domains[0].levels.advanced = Count::exact(5));
        assert_eq!(
            found,
            [
                "error: `domains[0].levels`: level counts of domain `infrastructure` sum to 7, but its weight apportions 6 of the scored items",
                "error: `scored_items`: level counts sum to 9, but the form has 8 scored items",
            ]
        );
    }

    #[test]
    fn level_counts_that_overflow_u32_are_refused_not_wrapped() {
        // 4294967295 + 2 + 6 wraps to 7 in u32; the sums saturate instead.
        let found = refused(|b| {
            let levels = &mut b.domains[0].levels;
            levels.foundational = Count::exact(u32::MAX);
            levels.intermediate = Count::exact(2);
            levels.advanced = Count::exact(6);
        });
        assert_eq!(
            found,
            [
                "error: `domains[0].levels`: level counts of domain `infrastructure` sum to 4294967295, but its weight apportions 6 of the scored items",
                "error: `scored_items`: level counts sum to 4294967295, but the form has 8 scored items",
            ]
        );
    }

    #[test]
    fn a_cut_above_the_scored_items_and_no_scored_items_are_refused() {
        assert_eq!(
            refused(|b| b.passing.raw_cut = Some(1000)),
            ["error: `passing.raw_cut`: raw cut 1000 is more than the 8 scored items"]
        );
        let found = refused(|b| b.scored_items = 0);
        assert!(
            found.contains(
                &"error: `scored_items`: a form needs at least one scored item".to_owned()
            ),
            "{found:?}"
        );
    }
}
