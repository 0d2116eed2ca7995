//! The mix of each form: how many items of each slot kind it holds, chosen
//! within the blueprint's ranges before any item is.
//!
//! With exact counts there is one mix and this step only copies it. With
//! ranges, a form's mix is built one item at a time: the next item goes to
//! the slot kind that counts towards the most constraints still below their
//! minimum (so one item serves a cell, its domain and a phase at once), and
//! among those to the kind least used so far relative to its usable items
//! (so the forms together draw on each part of the bank in proportion to
//! its supply), never past a constraint's maximum. Forms take turns, one
//! item each, so no form is left the scarce kinds. With a
//! `max_mix_difference` every form gets the same mix, the balanced one.

use super::pool::Pool;
use super::{AssemblyError, Scope};
use crate::hash::mix as hash;

/// Per form, items per slot kind: `forms` mixes, each meeting every content
/// constraint of the pool, preferring at most `uses` forms per usable item
/// of a kind on average. `common` gives every form the same mix. `salt`
/// breaks ties.
pub(crate) fn choose(
    pool: &Pool,
    forms: usize,
    uses: u32,
    common: bool,
    salt: u64,
) -> Result<Vec<Vec<u32>>, AssemblyError> {
    check_supply(pool)?;
    if let Some(forced) = forced(pool) {
        return Ok(vec![forced; forms]);
    }
    let building = if common { 1 } else { forms };
    // A common mix is used by every form at once.
    let weight = if common { forms as u64 } else { 1 };
    let mut mixes: Vec<Filling> = (0..building).map(|_| Filling::new(pool)).collect();
    let mut load = vec![0u64; pool.kinds()];
    let cap: Vec<u64> = pool
        .usable
        .iter()
        .map(|&u| u64::from(u) * u64::from(uses.max(1)))
        .collect();
    loop {
        let mut progress = false;
        for (f, filling) in mixes.iter_mut().enumerate() {
            let Some(deficient) = filling.deficient(pool) else {
                continue;
            };
            match filling.next_kind(pool, &deficient, &load, &cap, weight, salt ^ f as u64) {
                Some(k) => {
                    filling.add(pool, k);
                    load[k] += weight;
                    progress = true;
                }
                None => {
                    let b = &pool.bounds[deficient[0]];
                    return Err(AssemblyError::MixShort {
                        form: f as u32 + 1,
                        scope: b.scope.clone(),
                        min: b.min,
                        reached: filling.sums[deficient[0]],
                    });
                }
            }
        }
        if !progress {
            break;
        }
    }
    let mixes: Vec<Vec<u32>> = mixes.into_iter().map(|m| m.counts).collect();
    Ok(if common {
        vec![mixes[0].clone(); forms]
    } else {
        mixes
    })
}

/// The one mix there is when every slot kind is alone in an exact cell
/// (or is the pretest slot) and those counts meet every other constraint:
/// the filling below could reach no other, so it is skipped (it costs
/// `O(forms · items · constraints)`, most of the time of a request for
/// 10,000 forms that the counting checks then refuse). `None` otherwise.
fn forced(pool: &Pool) -> Option<Vec<u32>> {
    let counts: Vec<u32> = (0..pool.kinds())
        .map(|k| {
            let own = &pool.bounds[*pool.bounds_of[k].first()?];
            (own.min == own.max && own.kinds == [k]).then_some(own.min)
        })
        .collect::<Option<_>>()?;
    pool.bounds
        .iter()
        .all(|b| {
            let sum: u32 = b.kinds.iter().map(|&k| counts[k]).sum();
            (b.min..=b.max).contains(&sum)
        })
        .then_some(counts)
}

/// Fails when a domain, phase, kind or total minimum exceeds the usable
/// items that count towards it (no form could meet it). Cells and pretest
/// slots, and domains and totals made of exact cells, are left to the
/// feasibility check, which says more.
fn check_supply(pool: &Pool) -> Result<(), AssemblyError> {
    let exact = |k: usize| {
        let cell = &pool.bounds[pool.cell_bound(k)];
        cell.min == cell.max
    };
    let checked = pool.bounds.iter().filter(|b| match b.scope {
        Scope::Cell { .. } | Scope::Pretest => false,
        Scope::Domain { .. } | Scope::Form => !b.kinds.iter().all(|&k| exact(k)),
        _ => true,
    });
    for b in checked {
        let usable: u32 = b.kinds.iter().map(|&k| pool.usable[k]).sum();
        if usable < b.min {
            return Err(AssemblyError::ContentShort {
                scope: b.scope.clone(),
                min: b.min,
                usable,
            });
        }
    }
    Ok(())
}

/// One form's mix under construction.
struct Filling {
    /// Items per slot kind.
    counts: Vec<u32>,
    /// Items per constraint.
    sums: Vec<u32>,
}

impl Filling {
    fn new(pool: &Pool) -> Self {
        Self {
            counts: vec![0; pool.kinds()],
            sums: vec![0; pool.bounds.len()],
        }
    }

    /// The constraints below their minimum, most specific first (cells
    /// come before domains, domains before the total); `None` when none is.
    fn deficient(&self, pool: &Pool) -> Option<Vec<usize>> {
        let list: Vec<usize> = (0..pool.bounds.len())
            .filter(|&b| self.sums[b] < pool.bounds[b].min)
            .collect();
        (!list.is_empty()).then_some(list)
    }

    fn add(&mut self, pool: &Pool, kind: usize) {
        self.counts[kind] += 1;
        for &b in &pool.bounds_of[kind] {
            self.sums[b] += 1;
        }
    }

    /// The kind the next item goes to (see the module docs), or `None` when
    /// no kind of a deficient constraint can take one.
    fn next_kind(
        &self,
        pool: &Pool,
        deficient: &[usize],
        load: &[u64],
        cap: &[u64],
        weight: u64,
        salt: u64,
    ) -> Option<usize> {
        // (items left for the form, constraints served, within the uses
        // of the kind's items, load share, tie-break, kind)
        type Key = (bool, usize, bool, f64, u64, usize);
        let mut best: Option<Key> = None;
        for &b in deficient {
            for &k in &pool.bounds[b].kinds {
                let open = pool.bounds_of[k]
                    .iter()
                    .all(|&c| self.sums[c] < pool.bounds[c].max);
                if !open {
                    continue;
                }
                let usable = pool.usable[k];
                // Past the supply only when nothing else can serve (exact
                // counts); the feasibility check then names the shortfall.
                let left = self.counts[k] < usable;
                let within = load[k] + weight <= cap[k];
                let serves = pool.bounds_of[k]
                    .iter()
                    .filter(|&&c| deficient.contains(&c))
                    .count();
                let share = (load[k] + weight) as f64 / f64::from(usable.max(1));
                let tie = hash(salt.wrapping_mul(0x9e37_79b9) ^ k as u64);
                let key: Key = (left, serves, within, share, tie, k);
                let better = best.is_none_or(|(l, s, w, r, t, _)| {
                    (left, serves, within)
                        .cmp(&(l, s, w))
                        .then(r.total_cmp(&share))
                        .then(t.cmp(&tie))
                        .is_gt()
                });
                if better {
                    best = Some(key);
                }
            }
        }
        best.map(|(.., k)| k)
    }
}
