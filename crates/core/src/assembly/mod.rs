//! Automated test assembly: forms that meet the blueprint exactly, are as
//! parallel as the bank allows, and do not overexpose it.
//!
//! Two entry points:
//! - [`assemble`] builds `N` fixed forms together (a program that publishes
//!   forms);
//! - [`LoftPlan::attempt`] builds one form per candidate attempt given an
//!   [`ExposureState`] (linear on-the-fly testing, LOFT; see [`LoftPlan`]).
//!
//! ```
//! # #[cfg(feature = "synthetic")]
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use exam_core::assembly::synthetic::{SyntheticSpec, synthetic_bank};
//! use exam_core::assembly::{AssemblyOptions, MaxOverlap, assemble};
//! use exam_core::coverage::coverage;
//!
//! let spec = SyntheticSpec { items: 600, ..SyntheticSpec::default() };
//! let (bank, blueprint) = synthetic_bank(&spec, 7)?;
//! let options = AssemblyOptions {
//!     forms: 2,
//!     max_overlap: Some(MaxOverlap::Items(6)),
//!     max_item_uses: Some(2),
//!     ..AssemblyOptions::default()
//! };
//! let assembly = assemble(&bank, &blueprint, &options, 42)?;
//! for form in &assembly.forms {
//!     let report = coverage(form, &bank, &blueprint, &assembly.forms);
//!     assert!(report.meets_blueprint() && report.max_overlap() <= 6);
//!     let handles = exam_core::attempt::HandleKey::new([7; 16]); // the server's secret
//!     let view = form.delivery_view(&bank, blueprint.time_limit_minutes, &handles)?; // no keys
//!     let key = form.scoring_key(&bank)?; // kept on the server
//!     assert_eq!(view.items.len(), key.entries.len());
//! }
//! assert!(assembly.max_deviation().unwrap() < 0.05);
//! # Ok(())
//! # }
//! # #[cfg(not(feature = "synthetic"))]
//! # fn main() {}
//! ```
//!
//! # The problem
//!
//! It is the 0-1 model of van der Linden (2005), *Linear Models for Optimal
//! Test Design*: decision variables `x_if` (item `i` on form `f`);
//! **hard constraints** — for every blueprint cell (domain × competency
//! level), every domain, and every lifecycle phase and item kind the
//! blueprint names, a number of operational items within the blueprint's
//! count (exact or a range), `scored_items` in all; exactly
//! `pretest_items` pretest items; at most one item of any enemy pair
//! (enemies are symmetric); item sets all-or-none; total expected response
//! time within the time limit (items without an expected time count 0);
//! across forms at most `max_shared` items common to any two forms, each item
//! on at most `max_item_uses` forms (uses on published forms included), at
//! most `max_overlap_published` items shared with any published form, and
//! an item's projected administrations within the exposure limit. **Objective** — minimax: the largest absolute
//! deviation, over forms and theta points, of the form's test information
//! (or other feature) from its target (van der Linden 2005, ch. 5 and 6);
//! among forms within the tolerance of it, fewer repeated items.
//!
//! # The algorithm
//!
//! An exact mixed-integer solver is the reference, but it does not scale to
//! many forms (the issue's measurements: 20 forms are not solved in 120 s).
//! We use a construction heuristic and local search, the approach of
//! Swanson & Stocking (1993) and Luecht (1998) followed by swap improvement:
//!
//! 0. **Mixes.** Each form's count per slot kind (a blueprint cell, split
//!    by phase and item kind where the blueprint constrains them) is chosen
//!    within the ranges first (`mix.rs`): with exact counts it is the
//!    blueprint's; with ranges, forms take turns adding one item to the
//!    kind that serves the most unmet minimums and is least used relative
//!    to its supply, so together they draw on the bank in proportion to
//!    it. A form that later finds no item for a kind moves that slot to
//!    another kind the ranges allow; when no single move keeps them, as a
//!    last repair the slot moves to a kind of another cell while one of
//!    that cell's slots moves back to the first cell, in a kind that keeps
//!    the phase and item-kind ranges (`search/exchange.rs`), so every cell
//!    keeps its count. Parallelism across mixes is carried by
//!    the information target (and `max_mix_difference`, which gives every
//!    form the same mix).
//! 1. **Units.** A stand-alone item is a unit; the deliverable items of an
//!    item set form one unit, so sets are all-or-none by construction (a
//!    set with more items in a cell, domain, phase or item kind than its
//!    maximum is left out, and its items are not counted as usable). A
//!    unit's *shape* is its count vector over the blueprint cells plus the
//!    pretest slot.
//! 2. **Greedy construction, round robin, under an exposure plan.** Forms
//!    take one unit each in turn, so later forms are not starved of good
//!    items. Each unit has a planned number of uses, its kind's demand over
//!    all forms spread evenly over the kind's items; a form picks among
//!    units below their plan and goes beyond it only when none fits, so
//!    hundreds of forms spread their uses instead of exhausting the best
//!    items and the overlap budget of the first forms. A pick or a swap
//!    looks at up to 48 candidates per shape from a random place in its
//!    list (further while too few feasible ones are found). A form takes a
//!    unit whose shape fits its remaining needs and that breaks no hard
//!    constraint; among the single-item shapes it still needs, the scarcest
//!    one (fewest feasible items per needed item) goes first when it is
//!    scarce (fewer than two candidates per need), otherwise the unit (item
//!    or set) whose features per
//!    item are closest to the remaining target per remaining item (the
//!    normalised weighted absolute deviation heuristic of Luecht 1998, with
//!    squared deviations), that target aimed off at random per pick and
//!    each form a unit is already on counting as a full miss. Forms take
//!    their turns in a seeded random order. Other seeds thus start from
//!    other forms and reach other near-optimal ones. A kind whose feasible stand-alone items cannot
//!    cover its need takes its best feasible set first. Ties are broken by
//!    seeded random priorities. When a form has no feasible unit left, a
//!    repair step forces in the stand-alone item that needs the fewest
//!    removals (its enemies, items shared with over-full form pairs) and
//!    the greedy refills what was removed. When that fails too (tight
//!    instances use most of the bank's uses and of the overlap budget), the
//!    overlap between new forms becomes soft for that pick: the form takes
//!    the unit (or an item set displacing stand-alone items of its kinds,
//!    or an item of another kind the ranges allow) that keeps every other
//!    hard constraint and exceeds the overlap limit least; if every such
//!    unit is at its use limit, it takes an item off another form, which
//!    refills the slot later (an ejection chain). After construction,
//!    min-conflicts swaps on the over-full pairs (with a tabu list and a
//!    little random walk) remove the excess, every other constraint held
//!    throughout; if they cannot within their budget, the run fails with
//!    [`AssemblyError::OverlapUnresolved`] (not a proof).
//! 3. **Local search.** Each form in turn, worst first, applies the best
//!    swap of one of its units for an unused or less-used unit of the same
//!    shape (so the content constraints stay exact) that keeps every hard
//!    constraint and lowers the form's objective lexicographically:
//!    first its largest deviation, then its sum of squared deviations (the
//!    second term moves the search across plateaus of the minimax). Form
//!    features are updated incrementally (`F − f_u + f_v`). Passes repeat
//!    until no form improves or the pass budget is spent.
//! 4. **Fewer repeats.** Each unit another form (new or published) also
//!    holds is swapped for an unused unit of its shape when the form stays
//!    within the tolerance (the secondary objective).
//!
//! Because swaps keep shapes, content constraints hold after every step;
//! cross-form constraints are checked on every move. Infeasible requests are
//! caught before the search by counting arguments that name the constraint
//! (cell, domain, phase, item kind, pretest slots, the whole form) and the
//! shortfall, from each constraint's minimum, so they hold for every mix the
//! ranges allow and not only the chosen ones (`feasibility.rs`;
//! [`AssemblyError::Short`], [`AssemblyError::OverlapShort`],
//! [`AssemblyError::TimeBudgetShort`]); if the heuristic still cannot
//! complete a form it says which form and which need it could not fill.
//!
//! # Quality
//!
//! For an absolute information target the optimum is at least 0, so the
//! reported deviation is an upper bound on the gap to the optimum. For
//! "most information at the cut" the target is an upper bound (the best
//! items of each cell), so the deviation bounds the gap too. Tests compare
//! the heuristic with the exact optimum of small instances by enumeration.

mod delivery;
mod feasibility;
mod loft;
mod mix;
mod pool;
mod search;
#[cfg(any(test, feature = "synthetic"))]
pub mod synthetic;

pub use loft::{Attempt, AttemptRecord, ExposureState, LoftOptions, LoftPlan, LoftQuality};

use crate::bank::{CheckedBlueprint, ItemBank};
use crate::error::{ApiError, Fault};
use crate::form::{DeliveryOrder, Form};
use crate::ids::{DomainId, FormId, ItemId};
use crate::irt::ParamsError;
use crate::item::ItemKind;
use crate::jta::{CompetencyLevel, LifecyclePhase};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The largest number of items any two forms may share.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MaxOverlap {
    /// At most this many items.
    Items(u32),
    /// At most this fraction of the form length (rounded down).
    Fraction(f64),
}

impl MaxOverlap {
    /// The limit written as one number, as on the command line: a fraction
    /// of the form length in `[0, 1)`, or a whole number of items from 1 on.
    /// Anything else (1.5, a negative number, NaN, infinity) is an error,
    /// never rounded.
    pub fn from_number(value: f64) -> Result<Self, AssemblyError> {
        if (0.0..1.0).contains(&value) {
            Ok(Self::Fraction(value))
        } else if value >= 1.0 && value.fract() == 0.0 && value <= f64::from(u32::MAX) {
            Ok(Self::Items(value as u32))
        } else {
            Err(AssemblyError::BadOverlap(value))
        }
    }
}

/// A limit on an item's exposure given its historical use.
///
/// An item already administered `stats.administrations` times may go on `k`
/// more forms only while `administrations + k · candidates_per_form ≤
/// max_administrations`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExposureLimit {
    /// The most administrations any item may reach.
    pub max_administrations: u64,
    /// The number of candidates each new form is expected to reach.
    pub candidates_per_form: u64,
}

/// What the assembly optimises once the hard constraints hold.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Objective {
    /// Chosen from the data: the blueprint's information target where the
    /// blueprint has one and every operational item has IRT parameters; else
    /// most information at the cut where the blueprint has a theta cut; else
    /// parallel forms at θ = −1, 0, 1; else the mean p-value where every
    /// operational item has one; else randomisation within the content
    /// constraints.
    #[default]
    Auto,
    /// Minimise the largest deviation of each form's test information from
    /// the blueprint's `irt_targets` (absolute target).
    InformationTarget,
    /// Parallel forms: minimise the largest deviation of each form's test
    /// information and expected score at `thetas` from a common target, the
    /// blueprint's count per cell times the mean item of that cell.
    Parallel {
        /// The theta points.
        thetas: Vec<f64>,
    },
    /// Most information at the cut: minimise the largest shortfall of each
    /// form's information at `theta` (the blueprint's theta cut when absent)
    /// from the best any form could have.
    MaxInformationAtCut {
        /// The theta point.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        theta: Option<f64>,
    },
    /// Mean p-value (classical difficulty) of the scored items as close as
    /// possible to `target` (the content-weighted bank mean when absent).
    MeanPValue {
        /// The target mean p-value.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        target: Option<f64>,
    },
    /// No statistical objective: random forms within the content constraints.
    Random,
}

/// Options of [`assemble`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssemblyOptions {
    /// How many forms to build.
    pub forms: u32,
    /// The largest number of items two forms may share (no limit if absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_overlap: Option<MaxOverlap>,
    /// The most forms any one item may appear on (no limit if absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_item_uses: Option<u32>,
    /// A limit on exposure given historical use (none if absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exposure: Option<ExposureLimit>,
    /// What to optimise.
    #[serde(default)]
    pub objective: Objective,
    /// How items are ordered for delivery.
    #[serde(default)]
    pub order: DeliveryOrder,
    /// The most local-search passes over all forms (1 to 10000).
    pub max_passes: u32,
    /// A form whose largest deviation from its target is at most this is
    /// not improved further (in the objective's units: information, score
    /// points or p-value). 0 searches to a local optimum. Finite, at least 0.
    pub tolerance: f64,
    /// Independent runs of construction and search from different random
    /// tie-breaks; the best result is kept (1 = a single run; at most 1000).
    pub restarts: u32,
    /// Forms published earlier: each new form shares at most
    /// `max_overlap_published` items with any of them, and their uses count
    /// towards `max_item_uses`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub published: Vec<PublishedForm>,
    /// The most items a new form may share with a published form (no limit
    /// if absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_overlap_published: Option<u32>,
}

/// A form published earlier, as far as assembly needs it: its items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishedForm {
    /// The form's id.
    pub id: FormId,
    /// Its items (scored and pretest).
    pub items: Vec<ItemId>,
}

impl From<&Form> for PublishedForm {
    fn from(form: &Form) -> Self {
        Self {
            id: form.id.clone(),
            items: form.slots.iter().map(|s| s.item.clone()).collect(),
        }
    }
}

impl AssemblyOptions {
    /// Checks the ranges documented on the fields: `restarts` in
    /// `1..=1000`, `max_passes` in `1..=10000`, `tolerance` finite and
    /// non-negative.
    pub fn check(&self) -> Result<(), AssemblyError> {
        let bad = |name, value: f64, range| Err(AssemblyError::BadOption { name, value, range });
        if !(1..=1000).contains(&self.restarts) {
            return bad("restarts", f64::from(self.restarts), "1 to 1000");
        }
        if !(1..=10_000).contains(&self.max_passes) {
            return bad("max_passes", f64::from(self.max_passes), "1 to 10000");
        }
        if !(self.tolerance.is_finite() && self.tolerance >= 0.0) {
            return bad("tolerance", self.tolerance, "finite, at least 0");
        }
        Ok(())
    }
}

impl Default for AssemblyOptions {
    fn default() -> Self {
        Self {
            forms: 1,
            max_overlap: None,
            max_item_uses: None,
            exposure: None,
            objective: Objective::Auto,
            order: DeliveryOrder::Sections,
            max_passes: 50,
            tolerance: 0.005,
            restarts: 1,
            published: Vec::new(),
            max_overlap_published: None,
        }
    }
}

/// The objective an assembly ran with, after [`Objective::Auto`] was resolved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ResolvedObjective {
    /// Absolute information target.
    InformationTarget {
        /// Theta points.
        thetas: Vec<f64>,
        /// Target information at each point.
        information: Vec<f64>,
    },
    /// Parallel forms around a common target.
    Parallel {
        /// Theta points.
        thetas: Vec<f64>,
        /// Target information at each point.
        information: Vec<f64>,
        /// Target expected score at each point.
        expected_score: Vec<f64>,
    },
    /// Most information at the cut.
    MaxInformationAtCut {
        /// The cut.
        theta: f64,
        /// The upper bound any form could reach (the target).
        bound: f64,
    },
    /// Target mean p-value.
    MeanPValue {
        /// The target.
        target: f64,
    },
    /// Randomisation within the content constraints.
    Random,
}

/// How close a form came to the objective.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FormQuality {
    /// The largest absolute deviation of the form's features from their
    /// targets (information units, score points, or p-value units);
    /// absent for [`ResolvedObjective::Random`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_deviation: Option<f64>,
}

/// The result of [`assemble`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assembly {
    /// The forms, in build order.
    pub forms: Vec<Form>,
    /// Per form, how close it came to the objective.
    pub quality: Vec<FormQuality>,
    /// The objective used.
    pub objective: ResolvedObjective,
    /// The largest number of items two forms are allowed to share.
    pub max_shared: u32,
}

impl Assembly {
    /// The largest deviation over all forms (absent without an objective).
    pub fn max_deviation(&self) -> Option<f64> {
        self.quality
            .iter()
            .filter_map(|q| q.max_deviation)
            .reduce(f64::max)
    }
}

/// The part of a form a shortfall is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Scope {
    /// One blueprint cell.
    Cell {
        /// The domain.
        domain: DomainId,
        /// The level.
        level: CompetencyLevel,
    },
    /// One domain.
    Domain {
        /// The domain.
        domain: DomainId,
    },
    /// The scored items of one lifecycle phase.
    Phase {
        /// The phase.
        phase: LifecyclePhase,
    },
    /// The scored items of one item kind.
    ItemKind {
        /// The item kind.
        item_kind: ItemKind,
    },
    /// The pretest slots.
    Pretest,
    /// The whole form.
    Form,
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scope::Cell { domain, level } => write!(f, "domain {domain}, level {level}"),
            Scope::Domain { domain } => write!(f, "domain {domain}"),
            Scope::Phase { phase } => write!(f, "phase {phase}"),
            Scope::ItemKind { item_kind } => write!(f, "item kind {item_kind}"),
            Scope::Pretest => f.write_str("pretest slots"),
            Scope::Form => f.write_str("whole form"),
        }
    }
}

/// Why no forms could be assembled.
///
/// Serialized as `{"code": "<variant>", "detail": {...}}`; see
/// [`crate::error`].
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize)]
#[serde(tag = "code", content = "detail", rename_all = "snake_case")]
#[non_exhaustive]
pub enum AssemblyError {
    /// Zero forms were requested.
    #[error("at least one form must be requested")]
    NoForms,
    /// More forms than one assembly supports (65,535).
    #[error("{0} forms requested; one assembly builds at most 65535")]
    TooManyForms(u32),
    /// The overlap is neither a fraction in `[0, 1]` nor a whole number of
    /// items.
    #[error("maximum overlap {0} must be a fraction in [0, 1) or a whole number of items")]
    BadOverlap(f64),
    /// The blueprint was checked against another JTA than the bank's.
    #[error("blueprint {blueprint} is for JTA `{blueprint_jta}`, the bank's is `{bank_jta}`")]
    OtherJta {
        /// The blueprint id.
        blueprint: String,
        /// The JTA the blueprint was checked against.
        blueprint_jta: String,
        /// The bank's JTA.
        bank_jta: String,
    },
    /// An option is outside its documented range.
    #[error("assembly option `{name}` = {value} is out of range ({range})")]
    BadOption {
        /// The option.
        name: &'static str,
        /// Its value.
        value: f64,
        /// The range it must lie in.
        range: &'static str,
    },
    /// The LOFT exposure rate is not a positive number.
    #[error("maximum exposure rate {0} must be a positive number")]
    BadExposureRate(f64),
    /// The LOFT tolerance is negative or not finite.
    #[error("tolerance {0} must be finite and non-negative")]
    BadTolerance(f64),
    /// The hard limit on uses per item leaves too few items for a part of
    /// an on-the-fly form.
    #[error(
        "exposure exhausted: {scope} needs {needed} item(s) per form and only {usable} are below the limit of {max_item_uses} uses per item; raise max_item_uses, add items to this part of the bank, or release abandoned attempts"
    )]
    ExposureExhausted {
        /// The part of the form.
        scope: Scope,
        /// Items of this part per form.
        needed: u32,
        /// Items below the limit.
        usable: u32,
        /// The limit.
        max_item_uses: u64,
    },
    /// A stored attempt record was made by another LOFT plan (the bank,
    /// blueprint or options changed since).
    #[error("attempt record of form {form} was made by another bank, blueprint or LOFT options")]
    ForeignRecord {
        /// The form of the record.
        form: crate::ids::FormId,
    },
    /// The objective needs the blueprint's IRT targets and it has none.
    #[error("blueprint {blueprint} has no IRT information targets")]
    NoTargets {
        /// The blueprint id.
        blueprint: String,
    },
    /// The blueprint's target lists differ in length or hold bad values.
    #[error(
        "blueprint IRT targets: {thetas} theta points but {information} information values (all must be finite)"
    )]
    BadTargets {
        /// Number of theta points.
        thetas: usize,
        /// Number of information values.
        information: usize,
    },
    /// The objective needs a theta and none is given or set in the blueprint.
    #[error(
        "most information at the cut needs a theta: give one or set passing.theta_cut in the blueprint"
    )]
    NoCut,
    /// The objective needs IRT parameters an operational item lacks.
    #[error(
        "the objective needs IRT parameters, and {count} operational item(s) have none (first: `{first}`)"
    )]
    MissingIrt {
        /// The first such item.
        first: ItemId,
        /// How many there are.
        count: usize,
    },
    /// An item's IRT parameters are invalid.
    #[error("item `{item}`: {source}")]
    BadIrt {
        /// The item.
        item: ItemId,
        /// What is wrong.
        source: ParamsError,
    },
    /// The bank cannot supply enough items for a part of the forms.
    #[error(
        "{scope}: {forms} form(s) x {per_form} item(s) with at most {max_shared} shared item(s) between two forms and each item on at most {max_uses} form(s) need {needed} distinct items; the bank has {available} {kind} ({usable} usable under the exposure limit and enemy rules)"
    )]
    Short {
        /// The part of the form.
        scope: Scope,
        /// Forms requested.
        forms: u32,
        /// Items of this part per form.
        per_form: u32,
        /// Largest overlap allowed.
        max_shared: u32,
        /// Largest number of forms per item.
        max_uses: u32,
        /// Distinct items needed at least.
        needed: u32,
        /// Items of the right status in the bank.
        available: u32,
        /// Of those, items that can be used at all.
        usable: u32,
        /// `operational` or `pretest`.
        kind: &'static str,
    },
    /// The cells that must reuse items need more sharing between forms
    /// than the overlap limit allows in total.
    #[error(
        "overlap: with the items the bank has, {forms} forms need at least {needed} shared item incidences over all pairs of forms; at most {max_shared} shared items per pair allows {allowed}"
    )]
    OverlapShort {
        /// Forms requested.
        forms: u32,
        /// Largest overlap allowed per pair.
        max_shared: u32,
        /// Least total number of (form pair, shared item) incidences.
        needed: u64,
        /// `C(forms, 2) · max_shared`.
        allowed: u64,
    },
    /// A content constraint asks for more items than the bank can put on
    /// one form.
    #[error(
        "{scope}: a form needs at least {min} scored item(s); the bank has {usable} usable (of the right status, within the exposure limit, not in a set that does not fit)"
    )]
    ContentShort {
        /// The constraint.
        scope: Scope,
        /// Its minimum.
        min: u32,
        /// Items that count towards it.
        usable: u32,
    },
    /// The ranges leave a form no way to reach a constraint's minimum.
    #[error(
        "form {form}: {scope} needs at least {min} item(s) but only {reached} fit: every slot kind that counts towards it is at another constraint's maximum or out of items"
    )]
    MixShort {
        /// 1-based form number.
        form: u32,
        /// The constraint.
        scope: Scope,
        /// Its minimum.
        min: u32,
        /// Items the mix reached.
        reached: u32,
    },
    /// Even the fastest items meeting the counts exceed the time limit.
    #[error(
        "time limit: the fastest items meeting the blueprint need {fastest_seconds} s of expected response time; the limit is {limit_seconds} s"
    )]
    TimeShort {
        /// The least total expected time of a form meeting the counts.
        fastest_seconds: u64,
        /// The limit.
        limit_seconds: u64,
    },
    /// All forms together need more expected time than their limits allow:
    /// each item may go on only so many forms, so the fastest items cannot
    /// fill every form.
    #[error(
        "time limit: {forms} forms need at least {fastest_seconds} s of expected response time in all (the fastest items, each on at most its use limit); {forms} x the limit allows {budget_seconds} s"
    )]
    TimeBudgetShort {
        /// Forms requested.
        forms: u32,
        /// The least total expected time of all forms.
        fastest_seconds: u64,
        /// `forms` times the limit.
        budget_seconds: u64,
    },
    /// A published form names an item the bank does not hold.
    #[error("published form {form}: item `{item}` is not in the bank")]
    UnknownPublishedItem {
        /// The published form.
        form: FormId,
        /// The item.
        item: ItemId,
    },
    /// Forced picks left two forms sharing more items than the overlap
    /// limit, and the repair found no sequence of swaps that removed the
    /// excess within its budget (the counting checks passed, so this is not
    /// a proof of infeasibility).
    #[error(
        "forms {first} and {second} share {shared} items, more than the limit of {max_shared} ({excess} shared item(s) over the limit over all pairs of forms); no swap keeping the other limits removes them: loosen max_overlap or max_item_uses, or add items"
    )]
    OverlapUnresolved {
        /// 1-based number of one form of the pair.
        first: u32,
        /// 1-based number of the other.
        second: u32,
        /// Items they share.
        shared: u32,
        /// The limit.
        max_shared: u32,
        /// Items shared beyond the limit, summed over all pairs.
        excess: u64,
    },
    /// The heuristic could not complete a form though the counting checks
    /// passed (enemies, sets, time and overlap together are too tight).
    #[error(
        "form {form}: no item left for {scope} ({missing} slot(s) unfilled) that keeps the enemy, set, time, overlap and use limits; loosen a limit or add items"
    )]
    Stuck {
        /// 1-based form number.
        form: u32,
        /// The part that could not be filled.
        scope: Scope,
        /// Slots left unfilled.
        missing: u32,
    },
}

impl ApiError for AssemblyError {
    fn code(&self) -> &'static str {
        match self {
            Self::NoForms => "no_forms",
            Self::TooManyForms(_) => "too_many_forms",
            Self::BadOverlap(_) => "bad_overlap",
            Self::BadExposureRate(_) => "bad_exposure_rate",
            Self::BadTolerance(_) => "bad_tolerance",
            Self::ExposureExhausted { .. } => "exposure_exhausted",
            Self::ForeignRecord { .. } => "foreign_record",
            Self::NoTargets { .. } => "no_targets",
            Self::BadTargets { .. } => "bad_targets",
            Self::NoCut => "no_cut",
            Self::MissingIrt { .. } => "missing_irt",
            Self::BadIrt { .. } => "bad_irt",
            Self::Short { .. } => "short",
            Self::OtherJta { .. } => "other_jta",
            Self::BadOption { .. } => "bad_option",
            Self::OverlapShort { .. } => "overlap_short",
            Self::TimeShort { .. } => "time_short",
            Self::TimeBudgetShort { .. } => "time_budget_short",
            Self::ContentShort { .. } => "content_short",
            Self::MixShort { .. } => "mix_short",
            Self::UnknownPublishedItem { .. } => "unknown_published_item",
            Self::OverlapUnresolved { .. } => "overlap_unresolved",
            Self::Stuck { .. } => "stuck",
        }
    }

    /// The server: the bank, blueprint and options are the server's, and a
    /// stored record it cannot restore is its own.
    fn fault(&self) -> Fault {
        Fault::Server
    }
}

/// Refuses a blueprint checked against another JTA than the bank's (its
/// counts, cut and weights were checked when the [`CheckedBlueprint`] was
/// built): the one pairing check of every assembly, of fixed forms and on
/// the fly.
pub(crate) fn same_jta(bank: &ItemBank, blueprint: &CheckedBlueprint) -> Result<(), AssemblyError> {
    if blueprint.jta == bank.jta().id {
        Ok(())
    } else {
        Err(AssemblyError::OtherJta {
            blueprint: blueprint.id.to_string(),
            blueprint_jta: blueprint.jta.clone(),
            bank_jta: bank.jta().id.clone(),
        })
    }
}

/// How far a running [`assemble_with_progress`] has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// Construction: `filled` of `slots` slots (over all forms) hold an
    /// item. Starts again from 0 on each restart.
    Building {
        /// Slots filled so far.
        filled: u64,
        /// Slots of all forms.
        slots: u64,
    },
    /// Local search: pass `pass` (from 1) has visited `forms_done` of
    /// `forms` forms.
    Improving {
        /// The pass.
        pass: u32,
        /// Forms visited in this pass.
        forms_done: u64,
        /// All forms.
        forms: u64,
    },
}

/// Builds `options.forms` forms from the bank for the blueprint.
///
/// Deterministic: the same bank (including its order), blueprint, options
/// and seed give the same forms. All randomness comes from a ChaCha8 stream
/// seeded with `seed`.
pub fn assemble(
    bank: &ItemBank,
    blueprint: &CheckedBlueprint,
    options: &AssemblyOptions,
    seed: u64,
) -> Result<Assembly, AssemblyError> {
    assemble_with_progress(bank, blueprint, options, seed, &mut |_| {})
}

/// [`assemble`], telling `progress` how far it has come (once per round of
/// construction and once per form of each search pass), for a progress bar
/// on long runs. The forms are the same as [`assemble`]'s.
pub fn assemble_with_progress(
    bank: &ItemBank,
    blueprint: &CheckedBlueprint,
    options: &AssemblyOptions,
    seed: u64,
    progress: &mut dyn FnMut(Progress),
) -> Result<Assembly, AssemblyError> {
    if options.forms == 0 {
        return Err(AssemblyError::NoForms);
    }
    if options.forms > u32::from(u16::MAX) {
        return Err(AssemblyError::TooManyForms(options.forms));
    }
    options.check()?;
    same_jta(bank, blueprint)?;
    let overlap = match (options.max_overlap, blueprint.max_overlap) {
        (Some(o), _) => Some(o),
        (None, Some(n)) => Some(MaxOverlap::from_number(n)?),
        (None, None) => None,
    };
    let max_shared = max_shared(overlap, blueprint.form_length())?;
    let max_uses = options.max_item_uses.or(blueprint.max_item_uses);
    let capacity = max_uses.unwrap_or(options.forms);
    let earlier = earlier_uses(bank, &options.published)?;
    let item_caps: Option<Vec<u32>> = max_uses
        .filter(|_| !options.published.is_empty())
        .map(|m| earlier.iter().map(|e| m.saturating_sub(*e)).collect());
    let pool = pool::Pool::build(
        bank,
        blueprint,
        &options.objective,
        &pool::Limits {
            capacity,
            exposure: options.exposure,
            item_caps: item_caps.as_deref(),
        },
    )?;
    let needs = mix::choose(
        &pool,
        options.forms as usize,
        capacity,
        blueprint.max_mix_difference.is_some(),
        seed,
    )?;
    feasibility::check(&pool, options.forms, max_shared, capacity)?;
    let published = published_shares(bank, &pool, options);
    let selection = search::run(
        &pool,
        &needs,
        max_shared,
        &published,
        &search::Effort {
            max_passes: options.max_passes,
            tolerance: options.tolerance,
            restarts: options.restarts,
        },
        seed,
        progress,
    )?;
    let inputs = delivery::InputsDigest::new(bank, blueprint, options, seed);
    let forms = selection
        .forms
        .iter()
        .enumerate()
        .map(|(f, units)| {
            delivery::build_form_at(
                bank,
                None,
                blueprint,
                &pool,
                units,
                options.order,
                seed,
                inputs.form_id(blueprint, f as u64),
                f as u64,
            )
            .0
        })
        .collect();
    let quality = selection
        .deviations
        .iter()
        .map(|d| FormQuality { max_deviation: *d })
        .collect();
    Ok(Assembly {
        forms,
        quality,
        objective: pool.objective.clone(),
        max_shared,
    })
}

/// Per bank item, the published forms it is on; fails on an item the bank
/// does not hold.
fn earlier_uses(bank: &ItemBank, published: &[PublishedForm]) -> Result<Vec<u32>, AssemblyError> {
    let mut uses = vec![0u32; bank.items().len()];
    for form in published {
        for item in &form.items {
            let p = bank
                .position(item)
                .ok_or_else(|| AssemblyError::UnknownPublishedItem {
                    form: form.id.clone(),
                    item: item.clone(),
                })?;
            uses[p] += 1;
        }
    }
    Ok(uses)
}

/// Per unit of the pool, the published forms it shares items with.
fn published_shares(
    bank: &ItemBank,
    pool: &pool::Pool,
    options: &AssemblyOptions,
) -> search::Published {
    let mut forms_of_item: Vec<Vec<u32>> = vec![Vec::new(); bank.items().len()];
    for (p, form) in options.published.iter().enumerate() {
        for item in &form.items {
            if let Some(i) = bank.position(item) {
                forms_of_item[i].push(p as u32);
            }
        }
    }
    let shares = pool
        .units
        .iter()
        .map(|unit| {
            let mut list: Vec<(u32, u32)> = Vec::new();
            for &i in &unit.items {
                for &p in &forms_of_item[i] {
                    match list.iter_mut().find(|(q, _)| *q == p) {
                        Some((_, n)) => *n += 1,
                        None => list.push((p, 1)),
                    }
                }
            }
            list
        })
        .collect();
    search::Published {
        shares,
        forms: options.published.len(),
        max_shared: options.max_overlap_published.unwrap_or(u32::MAX),
    }
}

fn max_shared(overlap: Option<MaxOverlap>, form_length: u32) -> Result<u32, AssemblyError> {
    match overlap {
        None => Ok(form_length),
        Some(MaxOverlap::Items(n)) => Ok(n.min(form_length)),
        Some(MaxOverlap::Fraction(f)) if f.is_finite() && (0.0..=1.0).contains(&f) => {
            // Round down, forgiving the last bit of binary error (0.1 · 60).
            Ok((f * f64::from(form_length) + 1e-9).floor() as u32)
        }
        Some(MaxOverlap::Fraction(f)) => Err(AssemblyError::BadOverlap(f)),
    }
}

#[cfg(test)]
mod tests;
