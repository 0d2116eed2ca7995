//! Forced picks and the repair of the overlap they break. When the
//! construction finds no unit within the pairwise overlap limit for a form
//! (tight instances use most of the bank and of the overlap budget), the
//! form takes the unit that exceeds the limit least ([`State::force`]);
//! min-conflicts swaps then move the excess away ([`State::resolve`]).
//! Every other hard constraint (uses, enemies, sets, time, published
//! forms, the content ranges) holds throughout.

use super::{AssemblyError, EPS, State};
use hashbrown::HashMap;
use rand::Rng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

/// Swaps the repair may try per slot of all forms before it gives up.
const STEPS_PER_SLOT: usize = 20;

/// Steps during which a unit swapped off a form may not come back to it
/// (a tabu list, so the repair does not undo its last moves).
const TENURE: usize = 10;

/// The chance of taking the best swap of an over-full pair when it moves
/// more excess onto other pairs than it removes (a random walk out of
/// local minima of the excess).
const NOISE: f64 = 0.1;

/// A set to force onto a form: (excess change, items displaced, uses,
/// tie-break), the set, the stand-alone units it displaces.
type SetChoice = ((i64, usize, usize, u64), usize, Vec<usize>);

/// A swap of the repair: on form `form`, unit `out` for unit `into`, whose
/// slot moves to kind `kind` (the same kind unless the ranges allow
/// another), changing the total excess by `change`.
#[derive(Clone, Copy)]
struct Swap {
    change: i64,
    tie: f64,
    form: usize,
    out: usize,
    into: usize,
    kind: Option<(usize, usize)>,
}

impl State<'_> {
    /// The change in the total excess ([`State::excess`]) when unit `out`
    /// (if any) leaves form `f` and unit `v` (not on it) joins it.
    fn excess_change(&self, f: usize, out: Option<usize>, v: usize) -> i64 {
        let units = &self.pool.units;
        let max = i64::from(self.max_shared);
        let over = |s: i64| (s - max).max(0);
        let n_out = out.map_or(0, |u| i64::from(units[u].n_items));
        let on_out = |g: u16| out.is_some_and(|u| self.forms_of[u].contains(&g));
        let n_in = i64::from(units[v].n_items);
        let mut change = 0;
        for &g in &self.forms_of[v] {
            let s = i64::from(self.shared(f, g as usize));
            let d = n_in - if on_out(g) { n_out } else { 0 };
            change += over(s + d) - over(s);
        }
        if let Some(u) = out {
            for &g in &self.forms_of[u] {
                if g as usize != f && !self.forms_of[v].contains(&g) {
                    let s = i64::from(self.shared(f, g as usize));
                    change += over(s - n_out) - over(s);
                }
            }
        }
        change
    }

    /// Whether unit `v` may join form `f` in place of `out` (if any) by
    /// every hard constraint except the overlap between new forms; the time
    /// limit is checked by the caller.
    fn relaxed_ok(&self, f: usize, out: Option<usize>, v: usize) -> bool {
        let unit = &self.pool.units[v];
        !self.is_member(f, v)
            && (self.forms_of[v].len() as u32) < unit.capacity
            && !unit
                .enemies
                .iter()
                .any(|&e| Some(e as usize) != out && self.is_member(f, e as usize))
            && self.published_ok(f, v, out.as_slice())
    }

    /// Puts on form `f` the unit for its first need (or, where the ranges
    /// allow, for another kind of slot) that keeps every hard constraint
    /// but the overlap between new forms and exceeds that the least (then
    /// the least used unit). Returns false when no unit keeps the others.
    pub(super) fn force(&mut self, f: usize, rng: &mut ChaCha8Rng) -> bool {
        let pool = self.pool;
        let Some((from, kinds)) = self.open_kinds(f) else {
            return false;
        };
        // (excess change, uses, tie-break, unit, kind)
        let mut best: Option<(i64, usize, u64, usize, usize)> = None;
        for to in kinds {
            if to != from {
                self.move_slot(f, from, to);
            }
            for (s, shape) in pool.shapes.iter().enumerate() {
                let fits = shape[to] > 0 && shape.iter().zip(&self.need[f]).all(|(c, n)| c <= n);
                let single = shape.iter().sum::<u32>() == 1;
                if !fits || (to != from && !single) {
                    continue;
                }
                for &v in &pool.by_shape[s] {
                    let v = v as usize;
                    if !self.relaxed_ok(f, None, v) || !self.time_ok(f, v) {
                        continue;
                    }
                    let key = (self.excess_change(f, None, v), self.uses(v), rng.random());
                    if best.is_none_or(|b| key < (b.0, b.1, b.2)) {
                        best = Some((key.0, key.1, key.2, v, to));
                    }
                }
            }
            if to != from {
                self.move_slot(f, to, from);
            }
        }
        let single = best.map(|(change, uses, tie, v, to)| ((change, 0, uses, tie), v, to));
        let set = self.best_set(f, rng);
        if let Some((key, v, to)) = single
            && set.as_ref().is_none_or(|(k, ..)| key <= *k)
        {
            if to != from {
                self.move_slot(f, from, to);
            }
            self.add(f, v);
            return true;
        }
        let Some((_, v, out)) = set else {
            return false;
        };
        for u in out {
            self.remove(f, u);
        }
        self.add(f, v);
        true
    }

    /// When no unit with uses left fits form `f`'s first need (nor a kind
    /// the ranges let the slot move to): takes a stand-alone item of such a
    /// kind off a form that holds it and puts it on `f` (the least excess,
    /// then at random); that form needs the slot again and the
    /// construction refills it (an ejection chain). Returns false when no
    /// item can move.
    pub(super) fn eject(&mut self, f: usize, rng: &mut ChaCha8Rng) -> bool {
        let pool = self.pool;
        let Some((from, kinds)) = self.open_kinds(f) else {
            return false;
        };
        // (excess change, tie-break, unit, its form, kind)
        let mut best: Option<(i64, u64, usize, usize, usize)> = None;
        for to in kinds {
            let Some(s) = pool.single_shape(to) else {
                continue;
            };
            if to != from {
                self.move_slot(f, from, to);
            }
            for &v in &pool.by_shape[s] {
                let v = v as usize;
                let holders = &self.forms_of[v];
                let enemy = pool.units[v]
                    .enemies
                    .iter()
                    .any(|&e| self.is_member(f, e as usize));
                if holders.is_empty()
                    || self.is_member(f, v)
                    || enemy
                    || !self.time_ok(f, v)
                    || !self.published_ok(f, v, &[])
                {
                    continue;
                }
                let h = holders[rng.random_range(0..holders.len())] as usize;
                let key = (self.excess_change(f, None, v), rng.random());
                if best.is_none_or(|b| key < (b.0, b.1)) {
                    best = Some((key.0, key.1, v, h, to));
                }
            }
            if to != from {
                self.move_slot(f, to, from);
            }
        }
        let Some((.., v, h, to)) = best else {
            return false;
        };
        self.remove(h, v);
        if to != from {
            self.move_slot(f, from, to);
        }
        self.add(f, v);
        true
    }

    /// The best item set to force onto form `f`: one that covers some of
    /// its remaining need, displacing the form's stand-alone items of the
    /// kinds where the set holds more than the need (so the form's mix
    /// stays and its need shrinks). Key: (excess change, items displaced,
    /// uses, tie-break); with the set and the units it displaces.
    fn best_set(&mut self, f: usize, rng: &mut ChaCha8Rng) -> Option<SetChoice> {
        let pool = self.pool;
        let mut best: Option<SetChoice> = None;
        for (s, shape) in pool.shapes.iter().enumerate() {
            let covers = shape
                .iter()
                .zip(&self.need[f])
                .any(|(c, n)| *c > 0 && *n > 0);
            if shape.iter().sum::<u32>() < 2 || !covers {
                continue;
            }
            let Some(out) = self.displaced(f, shape) else {
                continue;
            };
            let before = self.overlap.excess() as i64;
            for &u in &out {
                self.remove(f, u);
            }
            let freed = before - self.overlap.excess() as i64;
            for &v in &pool.by_shape[s] {
                let v = v as usize;
                if !self.relaxed_ok(f, None, v) || !self.time_ok(f, v) {
                    continue;
                }
                let key = (
                    self.excess_change(f, None, v) - freed,
                    out.len(),
                    self.uses(v),
                    rng.random(),
                );
                if best.as_ref().is_none_or(|(b, ..)| key < *b) {
                    best = Some((key, v, out.clone()));
                }
            }
            for &u in &out {
                self.add(f, u);
            }
        }
        best
    }

    /// The stand-alone units of form `f` a set of shape `shape` would
    /// displace: per kind, as many as the set holds beyond the form's need
    /// (the latest placed first); `None` when the form has too few.
    fn displaced(&self, f: usize, shape: &[u32]) -> Option<Vec<usize>> {
        let pool = self.pool;
        let mut out = Vec::new();
        for (k, (&c, &n)) in shape.iter().zip(&self.need[f]).enumerate() {
            let excess = c.saturating_sub(n) as usize;
            let before = out.len();
            out.extend(
                self.units[f]
                    .iter()
                    .rev()
                    .map(|&u| u as usize)
                    .filter(|&u| {
                        pool.units[u].n_items == 1 && pool.shapes[pool.units[u].shape][k] == 1
                    })
                    .take(excess),
            );
            if out.len() - before < excess {
                return None;
            }
        }
        Some(out)
    }

    /// Removes the overlap excess by min-conflicts: each over-full pair of
    /// forms in turn (in random order) takes the swap of one of the units
    /// they share, on either form, for a unit of the same shape (or a
    /// single item of another kind the ranges allow) that keeps every other
    /// hard constraint and lowers the total excess most (then keeps the
    /// form's information closest to its target); a swap that lowers
    /// nothing is taken when it raises nothing, and one that raises the
    /// excess only now and then. Fails with the most over-full pair when
    /// the step budget is spent.
    pub(super) fn resolve(&mut self, rng: &mut ChaCha8Rng) -> Result<(), AssemblyError> {
        let pool = self.pool;
        let single_shape: Vec<Option<usize>> =
            (0..pool.kinds()).map(|k| pool.single_shape(k)).collect();
        let slots: usize = self.units.iter().map(Vec::len).sum();
        let mut budget = STEPS_PER_SLOT * slots;
        let mut tabu: HashMap<(usize, usize), usize> = HashMap::new();
        let mut step = 0usize;
        while self.overlap.excess() > 0 {
            let mut over = self.overlap.over_full();
            over.shuffle(rng);
            for (f, g) in over {
                if self.shared(f, g) <= self.max_shared {
                    continue;
                }
                if budget == 0 {
                    return Err(self.unresolved());
                }
                budget -= 1;
                step += 1;
                let Some(swap) = self.relief(f, g, &single_shape, &tabu, step, rng) else {
                    continue;
                };
                if swap.change > 0 && rng.random::<f64>() >= NOISE {
                    continue;
                }
                let x = swap.form;
                self.remove(x, swap.out);
                if let Some((from, to)) = swap.kind {
                    self.move_slot(x, from, to);
                }
                self.add(x, swap.into);
                tabu.insert((x, swap.out), step + TENURE);
                if self.overlap.excess() == 0 {
                    break;
                }
            }
        }
        Ok(())
    }

    /// The best swap (see [`State::resolve`]) of a unit forms `f` and `g`
    /// share, on either form.
    fn relief(
        &self,
        f: usize,
        g: usize,
        single_shape: &[Option<usize>],
        tabu: &HashMap<(usize, usize), usize>,
        step: usize,
        rng: &mut ChaCha8Rng,
    ) -> Option<Swap> {
        let pool = self.pool;
        let k = pool.k;
        let mut trial = vec![0.0; k];
        let mut best: Option<Swap> = None;
        let shared: Vec<usize> = self.units[f]
            .iter()
            .map(|&u| u as usize)
            .filter(|&u| self.is_member(g, u))
            .collect();
        for &u in &shared {
            let unit = &pool.units[u];
            let shape = &pool.shapes[unit.shape];
            let kind = (unit.n_items == 1)
                .then(|| shape.iter().position(|&c| c == 1))
                .flatten();
            for x in [f, g] {
                // The same shape, then single items of the kinds the
                // ranges let this slot move to.
                let mut options: Vec<(usize, Option<(usize, usize)>)> = vec![(unit.shape, None)];
                if let Some(from) = kind {
                    options.extend(
                        (0..pool.cells.len())
                            .filter(|&to| to != from && self.may_move(x, from, to))
                            .filter_map(|to| Some((single_shape[to]?, Some((from, to))))),
                    );
                }
                let base = &self.feat[x * k..(x + 1) * k];
                for (s, moved) in options {
                    for &v in &pool.by_shape[s] {
                        let v = v as usize;
                        if v == u
                            || tabu.get(&(x, v)).is_some_and(|&until| until > step)
                            || !self.relaxed_ok(x, Some(u), v)
                        {
                            continue;
                        }
                        if let Some(limit) = pool.time_limit
                            && self.seconds[x] - unit.seconds + pool.units[v].seconds > limit
                        {
                            continue;
                        }
                        let change = self.excess_change(x, Some(u), v);
                        if best.is_some_and(|b| change > b.change) {
                            continue;
                        }
                        for (((t, b), a), c) in trial
                            .iter_mut()
                            .zip(base)
                            .zip(pool.feat(u))
                            .zip(pool.feat(v))
                        {
                            *t = b - a + c;
                        }
                        let tie = self.score(&trial).1 * (1.0 + rng.random::<f64>());
                        let better = best.is_none_or(|b| {
                            change < b.change || (change == b.change && tie < b.tie - EPS)
                        });
                        if better {
                            best = Some(Swap {
                                change,
                                tie,
                                form: x,
                                out: u,
                                into: v,
                                kind: moved,
                            });
                        }
                    }
                }
            }
        }
        best
    }

    /// The failure of the repair: the pair of forms that shares the most.
    fn unresolved(&self) -> AssemblyError {
        let ((first, second), shared) = self.overlap.most_shared();
        AssemblyError::OverlapUnresolved {
            first: first as u32 + 1,
            second: second as u32 + 1,
            shared,
            max_shared: self.max_shared,
            excess: self.overlap.excess(),
        }
    }
}
