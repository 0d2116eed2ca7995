//! Counting checks that prove a request infeasible before any search, with
//! an explanation naming the constraint and the shortfall.

use super::pool::Pool;
use super::{AssemblyError, Scope};

/// The fewest distinct items that can fill `forms` forms with `per_form`
/// items each when each item may appear on at most `max_uses` forms and any
/// two forms share at most `max_shared` items.
pub(crate) fn min_distinct(forms: u32, per_form: u32, max_uses: u32, max_shared: u32) -> u32 {
    let total = u64::from(forms) * u64::from(per_form);
    min_distinct_total(forms, per_form, total, max_uses, max_shared)
}

/// The fewest distinct items that can fill `total` slots over `forms` forms
/// holding at most `per_form` each, under the same limits.
///
/// Derivation: with `D` distinct items used `r_1..r_D` times
/// (`Σ r_i = S = total`), the number of (form pair, shared item)
/// incidences is `Σ C(r_i, 2)`, which the overlap limit caps at
/// `C(forms, 2) · max_shared`. For a given `D` the sum is smallest when the
/// `r_i` are as equal as possible (convexity), so the answer is the least
/// `D ≥ max(per_form, ⌈S / max_uses⌉)` whose balanced use counts meet the
/// cap. Applied to one cell it is a lower bound (the overlap budget is shared
/// with the other cells).
fn min_distinct_total(
    forms: u32,
    per_form: u32,
    total: u64,
    max_uses: u32,
    max_shared: u32,
) -> u32 {
    if per_form == 0 || total == 0 {
        return 0;
    }
    let n = u64::from(forms);
    let s = total;
    let uses = u64::from(max_uses.min(forms).max(1));
    let budget = n * n.saturating_sub(1) / 2 * u64::from(max_shared);
    let pairs = |d: u64| -> u64 {
        let (r, extra) = (s / d, s % d);
        extra * (r + 1) * r / 2 + (d - extra) * r * r.saturating_sub(1) / 2
    };
    let mut d = u64::from(per_form).max(s.div_ceil(uses));
    while d < s && pairs(d) > budget {
        d += 1;
    }
    u32::try_from(d).unwrap_or(u32::MAX)
}

/// The fewest (form pair, shared item) incidences that `total` slots must
/// have when only `supply` distinct items exist: use counts as equal as
/// possible (see [`min_distinct`]).
fn min_shared(total: u64, supply: u32) -> u64 {
    let s = total;
    let d = u64::from(supply);
    if d == 0 || s <= d {
        return 0;
    }
    let (r, extra) = (s / d, s % d);
    extra * (r + 1) * r / 2 + (d - extra) * r * r.saturating_sub(1) / 2
}

/// Checks that `forms` forms can exist under the overlap and use limits,
/// whatever their mixes within the blueprint's ranges (a mix the assembler
/// chose is one of many, and a shortfall of it proves nothing): each cell
/// and the pretest slots, the overlap budget they share, the whole form,
/// every domain, phase and item kind, and the time limit
/// ([`fastest_seconds`]). A constraint's minimum is what every form must
/// hold of it; with exact cells (the mix is then forced) these are the
/// forms' own counts.
pub(crate) fn check(
    pool: &Pool,
    forms: u32,
    max_shared: u32,
    max_uses: u32,
) -> Result<(), AssemblyError> {
    // A constraint's demand: per form its minimum, over all forms that
    // many times; and the items that can meet it.
    let short = |b: usize, kind: &'static str| -> Result<(), AssemblyError> {
        let bound = &pool.bounds[b];
        let total = u64::from(forms) * u64::from(bound.min);
        let needed = min_distinct_total(forms, bound.min, total, max_uses, max_shared);
        let usable: u32 = bound.kinds.iter().map(|&k| pool.usable[k]).sum();
        if usable < needed {
            return Err(AssemblyError::Short {
                scope: bound.scope.clone(),
                forms,
                per_form: bound.min,
                max_shared,
                max_uses: max_uses.min(forms),
                needed,
                available: bound.kinds.iter().map(|&k| pool.available[k]).sum(),
                usable,
                kind,
            });
        }
        Ok(())
    };
    // Cells and the pretest slots: they partition the items.
    let pretest = pool.cells.len();
    let groups = pool.cell_bounds();
    for &g in &groups {
        let pretest_slots = pool.bounds[g].kinds == [pretest];
        short(
            g,
            if pretest_slots {
                "pretest"
            } else {
                "operational"
            },
        )?;
    }
    // The overlap budget is shared by all cells: each cell that must reuse
    // items spends at least its balanced number of shared incidences.
    let spent: u64 = groups
        .iter()
        .map(|&g| {
            let bound = &pool.bounds[g];
            let usable = bound.kinds.iter().map(|&k| pool.usable[k]).sum();
            min_shared(u64::from(forms) * u64::from(bound.min), usable)
        })
        .sum();
    let n = u64::from(forms);
    let budget = n * n.saturating_sub(1) / 2 * u64::from(max_shared);
    if spent > budget {
        return Err(AssemblyError::OverlapShort {
            forms,
            max_shared,
            needed: spent,
            allowed: budget,
        });
    }
    let per_form: u32 = pool.need.iter().sum();
    let needed = min_distinct(forms, per_form, max_uses, max_shared);
    let usable: u32 = pool.usable.iter().sum();
    if usable < needed {
        return Err(AssemblyError::Short {
            scope: Scope::Form,
            forms,
            per_form,
            max_shared,
            max_uses: max_uses.min(forms),
            needed,
            available: pool.available.iter().sum(),
            usable,
            kind: "operational and pretest",
        });
    }
    // Domains, phases and item kinds (the whole form is checked above).
    for (b, bound) in pool.bounds.iter().enumerate() {
        let other = matches!(
            bound.scope,
            Scope::Domain { .. } | Scope::Phase { .. } | Scope::ItemKind { .. }
        );
        if other {
            short(b, "operational")?;
        }
    }
    if let Some(limit) = pool.time_limit {
        let fastest = fastest_seconds(pool, 1, 1);
        if fastest > limit {
            return Err(AssemblyError::TimeShort {
                fastest_seconds: fastest,
                limit_seconds: limit,
            });
        }
        let budget = u64::from(forms) * limit;
        let fastest = fastest_seconds(pool, forms, max_uses);
        if fastest > budget {
            return Err(AssemblyError::TimeBudgetShort {
                forms,
                fastest_seconds: fastest,
                budget_seconds: budget,
            });
        }
    }
    Ok(())
}

/// A lower bound on the expected time of `forms` forms together, whatever
/// their mixes: each form takes at most the limit, so all take at most
/// `forms · limit`. The bound keeps of the blueprint only each cell's range
/// `[lo, hi]` (and the pretest count) and the form's length `n`, so it holds
/// for every mix the ranges allow (the forms' chosen mixes are one of many:
/// a slow chosen mix proves nothing). An item goes on at most
/// `min(capacity, max_uses, forms)` forms. Per cell, the `forms · lo` fastest
/// item uses are taken; the rest of the `forms · n` slots take the fastest
/// uses left in any cell, at most `forms · hi` per cell. Taking the cheapest
/// uses first is optimal here: the relaxed problem has only per-cell lower
/// and upper limits and a total. A set's time is spread evenly over its
/// items. With exact cells this is the time of each cell's fastest items,
/// the bound of one form when `forms` and `max_uses` are 1.
fn fastest_seconds(pool: &Pool, forms: u32, max_uses: u32) -> u64 {
    // The groups of the bound: the cells and the pretest slots.
    let mut uses: Vec<Vec<(u64, u64)>> = vec![Vec::new(); pool.bounds.len()];
    for unit in &pool.units {
        let per_item = unit.seconds / u64::from(unit.n_items.max(1));
        let cap = u64::from(unit.capacity.min(max_uses).min(forms));
        for (kind, &count) in pool.shapes[unit.shape].iter().enumerate() {
            let list = &mut uses[pool.cell_bound(kind)];
            list.extend(std::iter::repeat_n((per_item, cap), count as usize));
        }
    }
    let forms = u64::from(forms);
    let mut total = 0;
    let mut taken = 0;
    // Uses left after each cell's minimum: (seconds, uses).
    let mut rest: Vec<(u64, u64)> = Vec::new();
    for g in pool.cell_bounds() {
        let list = &mut uses[g];
        list.sort_unstable();
        let bound = &pool.bounds[g];
        let mut lo = forms * u64::from(bound.min);
        let mut room = forms * u64::from(bound.max) - lo;
        for &(seconds, cap) in list.iter() {
            let take = lo.min(cap);
            total += take * seconds;
            taken += take;
            lo -= take;
            let more = (cap - take).min(room);
            room -= more;
            if more > 0 {
                rest.push((seconds, more));
            }
        }
    }
    let slots = forms * u64::from(pool.need.iter().sum::<u32>());
    rest.sort_unstable();
    for (seconds, more) in rest {
        let take = slots.saturating_sub(taken).min(more);
        total += take * seconds;
        taken += take;
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assembly::synthetic::{SyntheticSpec, synthetic_bank};
    use crate::assembly::{AssemblyOptions, MaxOverlap, assemble};

    #[test]
    fn all_forms_together_cannot_exceed_their_time_budget() {
        // Items take 40 to 120 s: a 12-item form fits 9 minutes only with
        // the fastest items (40-45 s), and those cannot go on every form
        // when each item may be used once; one form can be built.
        let spec = SyntheticSpec {
            items: 1200,
            domains: 3,
            scored_items: 12,
            pretest_items: 0,
            set_share: 0.0,
            enemy_share: 0.0,
            time_limit_minutes: 9,
            ..SyntheticSpec::default()
        };
        let (bank, blueprint) = synthetic_bank(&spec, 3).unwrap();
        let options = |forms| AssemblyOptions {
            forms,
            max_overlap: Some(MaxOverlap::Items(12)),
            max_item_uses: Some(1),
            ..AssemblyOptions::default()
        };
        assert!(assemble(&bank, &blueprint, &options(1), 1).is_ok());
        // By hand: per form 540 s; the bank's items of 40-44 s are few, so
        // 30 disjoint forms need slower ones on average.
        let fast = bank
            .items()
            .iter()
            .filter(|i| i.status == crate::item::ItemStatus::Operational)
            .filter(|i| i.expected_seconds.is_some_and(|t| t <= 45))
            .count();
        assert!(fast < 30 * 12, "{fast}");
        match assemble(&bank, &blueprint, &options(30), 1) {
            Err(AssemblyError::TimeBudgetShort {
                forms: 30,
                fastest_seconds,
                budget_seconds: 16_200,
            }) => assert!(fastest_seconds > 16_200),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn min_distinct_by_hand() {
        // One form: its own length.
        assert_eq!(min_distinct(1, 5, 1, 0), 5);
        // No sharing: every form needs fresh items.
        assert_eq!(min_distinct(4, 5, 4, 0), 20);
        // Unlimited sharing and uses: one form's worth suffices.
        assert_eq!(min_distinct(4, 5, 4, 5), 5);
        // Uses cap: 4 x 5 = 20 slots, 2 uses each -> 10 items.
        assert_eq!(min_distinct(4, 5, 2, 5), 10);
        // 4 forms x 5, at most 1 shared per pair (6 pairs -> 6 incidences):
        // D = 14 gives r = (2,2,2,2,2,2,1,...) -> 6 incidences; D = 13 gives 7.
        assert_eq!(min_distinct(4, 5, 4, 1), 14);
    }
}
