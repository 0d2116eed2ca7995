//! Greedy round-robin construction and swap local search (see the module
//! docs of [`crate::assembly`] for the method).

mod conflicts;
mod exchange;
mod overlap;

use super::pool::Pool;
use super::{AssemblyError, Progress};
use crate::hash::mix;
use crate::random::standard_normal;
use hashbrown::HashMap;
use overlap::Overlap;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Attempts of the construction with fresh tie-break priorities before the
/// heuristic gives up.
const ATTEMPTS: u64 = 8;

/// A single-item shape is scarce for a form when it has fewer than this
/// many feasible units per item still needed: it is then filled before
/// better-scoring shapes.
const SCARCE: f64 = 2.0;

/// Forced insertions per construction, per slot and form, before the
/// heuristic gives up.
const REPAIRS: usize = 2;

/// The standard deviation of the random factors the greedy aims its
/// per-item target with ([`State::construct`]).
const AIM_SPREAD: f64 = 0.25;

/// Candidates a pick or a swap looks at per shape (from a random place in
/// the shape's list), so a step costs the same on a bank of 10,000 items as
/// on one of 2,000; a pick looks further only while it has found too few
/// feasible units.
const CANDIDATES: usize = 48;

/// Deviations closer than this are equal (information units).
const EPS: f64 = 1e-12;

/// The units chosen for each form and each form's largest deviation.
pub(crate) struct Selection {
    pub forms: Vec<Vec<u32>>,
    pub deviations: Vec<Option<f64>>,
}

/// The state of a set of forms under construction.
struct State<'p> {
    pool: &'p Pool,
    n_forms: usize,
    n_units: usize,
    max_shared: u32,
    /// Bit `f · U + u`: unit `u` is on form `f`.
    member: Vec<u64>,
    /// Forms each unit is on: the per-item index through which pairs of
    /// forms come to share items.
    forms_of: Vec<Vec<u16>>,
    /// Per unit, the forms it is on, new and published.
    uses: Vec<u32>,
    /// Items pairs of new forms share; the excess over the limit is 0
    /// except while [`conflicts`] resolves what forced picks broke.
    overlap: Overlap,
    /// Per unit, what the hot loops read of it, packed.
    hot: Vec<Hot>,
    /// `units × k`: each unit's features per item.
    per_item: Vec<f64>,
    /// Per shape, the least expected time of its slots
    /// ([`Pool::min_seconds`]).
    shape_seconds: Vec<u64>,
    /// Per shape, its slot kinds with their counts (the nonzero entries).
    shape_kinds: Vec<Vec<(usize, u32)>>,
    /// Per form, remaining need per slot kind.
    need: Vec<Vec<u32>>,
    /// Per form, its mix: items per slot kind when complete.
    mix: Vec<Vec<u32>>,
    /// Per form, `k` feature sums.
    feat: Vec<f64>,
    /// Per form, expected seconds.
    seconds: Vec<u64>,
    /// Per form, its units.
    units: Vec<Vec<u32>>,
    /// Tie-break salt.
    salt: u64,
    /// A form whose largest deviation is at most this is good enough.
    tolerance: f64,
    /// Relative random noise on greedy scores (0 on the first run).
    jitter: f64,
    /// Items published forms share with each unit: `(published form, items)`.
    published: &'p [Vec<(u32, u32)>],
    /// The number of published forms.
    n_published: usize,
    /// The largest number of items a form may share with a published form.
    max_shared_published: u32,
    /// `f · P + p`: items form `f` shares with published form `p`.
    published_overlap: Vec<u32>,
    /// The random multiplier of each feature of the greedy's per-item target
    /// for the next pick (all 1 without diversification).
    aim: Vec<f64>,
    /// Per unit, the uses the construction gives it before it takes a unit
    /// beyond its plan ([`exposure_plan`]).
    plan: &'p [u32],
    /// Per shape, its units below their plan (in no fixed order).
    open: Vec<Vec<u32>>,
    /// Per unit, its place in its shape's `open` list ([`CLOSED`] if none).
    open_at: Vec<u32>,
}

/// [`State::open_at`] of a unit at or above its plan.
const CLOSED: u32 = u32::MAX;

/// What the picks and swaps read of a unit, in one small record (a
/// [`super::pool::Unit`] spreads it over several cache lines).
#[derive(Debug, Clone, Copy)]
struct Hot {
    seconds: u64,
    shape: u32,
    n_items: u32,
    capacity: u32,
    /// Whether it has enemies.
    enemies: bool,
}

/// What new forms must keep with forms published earlier.
pub(crate) struct Published {
    /// Per unit, the published forms it shares items with: `(form, items)`.
    pub shares: Vec<Vec<(u32, u32)>>,
    /// The number of published forms.
    pub forms: usize,
    /// The most items a new form may share with a published one.
    pub max_shared: u32,
}

impl<'p> State<'p> {
    fn new(
        pool: &'p Pool,
        needs: &[Vec<u32>],
        max_shared: u32,
        published: &'p Published,
        salt: u64,
        tolerance: f64,
        plan: &'p [u32],
    ) -> Self {
        let n_units = pool.units.len();
        let n_forms = needs.len();
        let mut state = Self {
            pool,
            n_forms,
            n_units,
            max_shared,
            member: vec![0; (n_forms * n_units).div_ceil(64)],
            forms_of: vec![Vec::new(); n_units],
            uses: published.shares.iter().map(|p| p.len() as u32).collect(),
            overlap: Overlap::new(n_forms, max_shared),
            hot: pool
                .units
                .iter()
                .map(|u| Hot {
                    seconds: u.seconds,
                    shape: u.shape as u32,
                    n_items: u.n_items,
                    capacity: u.capacity,
                    enemies: !u.enemies.is_empty(),
                })
                .collect(),
            per_item: pool
                .units
                .iter()
                .enumerate()
                .flat_map(|(u, unit)| {
                    let n = f64::from(unit.n_items);
                    pool.feat(u).iter().map(move |x| x / n)
                })
                .collect(),
            shape_seconds: pool
                .shapes
                .iter()
                .map(|shape| {
                    shape
                        .iter()
                        .zip(&pool.min_seconds)
                        .map(|(&c, m)| u64::from(c) * m)
                        .sum()
                })
                .collect(),
            shape_kinds: pool
                .shapes
                .iter()
                .map(|shape| {
                    (shape.iter().enumerate())
                        .filter(|(_, c)| **c > 0)
                        .map(|(k, &c)| (k, c))
                        .collect()
                })
                .collect(),
            need: needs.to_vec(),
            mix: needs.to_vec(),
            feat: vec![0.0; n_forms * pool.k],
            seconds: vec![0; n_forms],
            units: vec![Vec::new(); n_forms],
            salt,
            tolerance: tolerance.max(EPS),
            jitter: 0.0,
            published: &published.shares,
            n_published: published.forms,
            max_shared_published: published.max_shared,
            published_overlap: vec![0; n_forms * published.forms],
            aim: vec![1.0; pool.k],
            plan,
            open: vec![Vec::new(); pool.shapes.len()],
            open_at: vec![CLOSED; n_units],
        };
        for u in 0..n_units {
            state.update_open(u);
        }
        state
    }

    /// Puts unit `u` on its shape's open list or takes it off, as its uses
    /// are below its plan or not.
    fn update_open(&mut self, u: usize) {
        let below = self.uses[u] < self.plan[u];
        let shape = self.hot[u].shape as usize;
        match (below, self.open_at[u]) {
            (true, CLOSED) => {
                self.open_at[u] = self.open[shape].len() as u32;
                self.open[shape].push(u as u32);
            }
            (false, at) if at != CLOSED => {
                let list = &mut self.open[shape];
                list.swap_remove(at as usize);
                if let Some(&moved) = list.get(at as usize) {
                    self.open_at[moved as usize] = at;
                }
                self.open_at[u] = CLOSED;
            }
            _ => {}
        }
    }

    fn priority(&self, f: usize, u: usize) -> u64 {
        mix(self.salt ^ ((u as u64) << 16 | f as u64))
    }

    fn add(&mut self, f: usize, u: usize) {
        let pool = self.pool;
        let unit = &pool.units[u];
        self.set_member(f, u, true);
        for &g in &self.forms_of[u] {
            self.overlap.join(f, g as usize, unit.n_items);
        }
        self.forms_of[u].push(f as u16);
        self.uses[u] += 1;
        self.update_open(u);
        for &(p, n) in &self.published[u] {
            self.published_overlap[f * self.n_published + p as usize] += n;
        }
        for (n, s) in self.need[f].iter_mut().zip(&pool.shapes[unit.shape]) {
            *n -= s;
        }
        let k = pool.k;
        for (acc, v) in self.feat[f * k..(f + 1) * k].iter_mut().zip(pool.feat(u)) {
            *acc += v;
        }
        self.seconds[f] += unit.seconds;
        self.units[f].push(u as u32);
    }

    fn remove(&mut self, f: usize, u: usize) {
        let pool = self.pool;
        let unit = &pool.units[u];
        self.set_member(f, u, false);
        self.forms_of[u].retain(|&g| g as usize != f);
        self.uses[u] -= 1;
        self.update_open(u);
        for &(p, n) in &self.published[u] {
            self.published_overlap[f * self.n_published + p as usize] -= n;
        }
        for &g in &self.forms_of[u] {
            self.overlap.leave(f, g as usize, unit.n_items);
        }
        for (n, s) in self.need[f].iter_mut().zip(&pool.shapes[unit.shape]) {
            *n += s;
        }
        let k = pool.k;
        for (acc, v) in self.feat[f * k..(f + 1) * k].iter_mut().zip(pool.feat(u)) {
            *acc -= v;
        }
        self.seconds[f] -= unit.seconds;
        self.units[f].retain(|&x| x as usize != u);
    }

    /// Whether unit `u` is on form `f`.
    fn is_member(&self, f: usize, u: usize) -> bool {
        let bit = f * self.n_units + u;
        self.member[bit / 64] & (1 << (bit % 64)) != 0
    }

    fn set_member(&mut self, f: usize, u: usize, on: bool) {
        let bit = f * self.n_units + u;
        if on {
            self.member[bit / 64] |= 1 << (bit % 64);
        } else {
            self.member[bit / 64] &= !(1 << (bit % 64));
        }
    }

    /// Items forms `f` and `g` share.
    fn shared(&self, f: usize, g: usize) -> u32 {
        self.overlap.shared(f, g)
    }

    /// Puts form `f` in focus, so the overlap checks of its candidates
    /// read a dense row ([`Overlap::set_focus`]).
    fn focus(&mut self, f: usize) {
        let hot = &self.hot;
        self.overlap
            .set_focus(f, &self.units, &self.forms_of, |u| hot[u].n_items);
    }

    /// Whether unit `v` may join form `f` in place of `out` (if any), as far
    /// as membership, enemies, uses and overlap go.
    fn admissible(&self, f: usize, v: usize, out: Option<usize>) -> bool {
        if self.is_member(f, v) {
            return false;
        }
        let unit = self.hot[v];
        let enemy_on_form = unit.enemies
            && self.pool.units[v]
                .enemies
                .iter()
                .any(|&e| Some(e as usize) != out && self.is_member(f, e as usize));
        if enemy_on_form {
            return false;
        }
        let forms = &self.forms_of[v];
        if forms.len() as u32 >= unit.capacity
            || (self.n_published > 0 && !self.published_ok(f, v, out.as_slice()))
        {
            return false;
        }
        forms.iter().all(|&g| {
            let shared_out = out.map_or(0, |o| {
                if self.forms_of[o].contains(&g) {
                    self.hot[o].n_items
                } else {
                    0
                }
            });
            self.shared(f, g as usize) + unit.n_items <= self.max_shared + shared_out
        })
    }

    /// Whether unit `v` may join form `f` when the units `out` leave it, as
    /// far as the overlap with published forms goes.
    fn published_ok(&self, f: usize, v: usize, out: &[usize]) -> bool {
        self.published[v].iter().all(|&(p, n)| {
            let leaving: u32 = out
                .iter()
                .flat_map(|&o| &self.published[o])
                .filter(|(q, _)| *q == p)
                .map(|(_, m)| m)
                .sum();
            self.published_overlap[f * self.n_published + p as usize] + n
                <= self.max_shared_published.saturating_add(leaving)
        })
    }

    /// Whether form `f` can still meet the time limit after adding `v`
    /// (its remaining slots filled with the fastest items of their kinds).
    fn time_ok(&self, f: usize, v: usize) -> bool {
        let unit = self.hot[v];
        self.time_budget(f, unit.shape as usize, self.least_rest(f))
            .is_some_and(|b| unit.seconds <= b)
    }

    /// The least time form `f`'s remaining slots can take (0 without a
    /// time limit).
    fn least_rest(&self, f: usize) -> u64 {
        match self.pool.time_limit {
            Some(_) => self.need[f]
                .iter()
                .zip(&self.pool.min_seconds)
                .map(|(&n, m)| u64::from(n) * m)
                .sum(),
            None => 0,
        }
    }

    /// The most seconds a unit of shape `s` (which fits form `f`'s
    /// remaining need, whose least time is `rest`) may take for the form
    /// to meet the time limit; `None` when none may.
    fn time_budget(&self, f: usize, s: usize, rest: u64) -> Option<u64> {
        match self.pool.time_limit {
            Some(limit) => (limit + self.shape_seconds[s]).checked_sub(self.seconds[f] + rest),
            None => Some(u64::MAX),
        }
    }

    /// The objective of a form with features `feat`: (largest absolute
    /// deviation, sum of squared deviations).
    fn score(&self, feat: &[f64]) -> (f64, f64) {
        let mut max = 0.0f64;
        let mut sq = 0.0;
        for (v, t) in feat.iter().zip(&self.pool.target) {
            let d = v - t;
            max = max.max(d.abs());
            sq += d * d;
        }
        (max, sq)
    }

    /// The objective of a deviation vector.
    fn score_deviation(&self, d: &[f64]) -> (f64, f64) {
        d.iter()
            .fold((0.0f64, 0.0), |(m, sq), x| (m.max(x.abs()), sq + x * x))
    }

    fn form_score(&self, f: usize) -> (f64, f64) {
        let k = self.pool.k;
        self.score(&self.feat[f * k..(f + 1) * k])
    }

    /// Greedy choice of the next unit for form `f`, or `None` when no unit
    /// fits; with `planned`, only among units below their planned uses
    /// ([`exposure_plan`]).
    fn pick(&self, f: usize, planned: bool) -> Option<usize> {
        let pool = self.pool;
        let need = &self.need[f];
        let remaining: u32 = need.iter().sum();
        let k = pool.k;
        let current = &self.feat[f * k..(f + 1) * k];
        // Target per remaining item, aimed off at random (see `aim`).
        let per_item: Vec<f64> = pool
            .target
            .iter()
            .zip(current)
            .zip(&self.aim)
            .map(|((t, c), a)| a * (t - c) / f64::from(remaining.max(1)))
            .collect();
        let target_norm: f64 = per_item.iter().map(|p| p * p).sum();
        // (ratio, best unit, its score, its priority) of the best shape so far
        let mut scarce: Option<(f64, usize, f64, u64)> = None;
        let mut best: Option<(f64, u64, usize)> = None;
        // Per kind, feasible stand-alone items (counted up to the scarcity
        // threshold); per set shape, its best feasible unit.
        let mut singles = vec![0usize; need.len()];
        let mut sets: Vec<(usize, (f64, u64, usize))> = Vec::new();
        let rest = self.least_rest(f);
        for (s, kinds) in self.shape_kinds.iter().enumerate() {
            let copies = kinds.iter().map(|&(k, c)| need[k] / c).min().unwrap_or(0);
            if copies == 0 {
                continue;
            }
            // A stand-alone item's kind.
            let single = match kinds.as_slice() {
                &[(kind, 1)] => Some(kind),
                _ => None,
            };
            // The most seconds a unit of this shape may take.
            let Some(time_budget) = self.time_budget(f, s, rest) else {
                continue;
            };
            // Feasible units are counted only up to the scarcity threshold;
            // past it only candidates better than the best are checked. A
            // set shape's count serves only to end the scan (sets are never
            // scarce, below): one feasible unit is enough.
            let threshold = match single {
                Some(_) => (SCARCE * f64::from(copies)).ceil() as usize,
                None => 1,
            };
            let mut feasible = 0usize;
            let mut shape_best: Option<(f64, u64, usize)> = None;
            let start = mix(self.salt ^ (f as u64) << 24 ^ self.units[f].len() as u64 ^ s as u64);
            let list = if planned {
                &self.open[s]
            } else {
                &pool.by_shape[s]
            };
            for (seen, &v) in rotated(list, start).enumerate() {
                // Past the window, only while too few feasible units are
                // known (the scarcity count stays exact below the threshold).
                if seen >= CANDIDATES && feasible >= threshold.max(1) {
                    break;
                }
                let v = v as usize;
                let score: f64 = self.per_item[v * k..(v + 1) * k]
                    .iter()
                    .zip(&per_item)
                    .map(|(x, p)| (x - p).powi(2))
                    .sum();
                // The random tie-break, hashed only when needed.
                let mut prio = None;
                // Restarts after the first randomise the greedy (GRASP):
                // scores are inflated by up to 100% at random.
                let noise = if self.jitter == 0.0 {
                    1.0
                } else {
                    let p = *prio.insert(self.priority(f, v));
                    1.0 + self.jitter * (p >> 11) as f64 / (1u64 << 53) as f64
                };
                // Fewer repeated items: each form the unit is already on
                // counts as missing the target per item by 100%.
                let repeats = f64::from(self.uses[v]) * target_norm;
                let value = score * noise + repeats;
                let improves = shape_best.is_none_or(|b| {
                    value < b.0 - EPS
                        || ((value - b.0).abs() <= EPS
                            && *prio.get_or_insert_with(|| self.priority(f, v)) < b.1)
                });
                if !(improves || feasible < threshold) {
                    continue;
                }
                if self.hot[v].seconds > time_budget || !self.admissible(f, v, None) {
                    continue;
                }
                feasible += 1;
                if improves {
                    let prio = prio.unwrap_or_else(|| self.priority(f, v));
                    shape_best = Some((value, prio, v));
                }
            }
            if let Some(kind) = single {
                // Exact below the threshold, which is at least the need.
                singles[kind] = feasible;
            }
            let single = single.is_some();
            let Some(sb) = shape_best else {
                // A needed shape with no feasible unit: another shape may
                // still cover the need (sets), so go on.
                continue;
            };
            if !single {
                sets.push((s, sb));
            }
            // Only single-item shapes can be scarce here: a set is needed
            // only when stand-alone items cannot cover a kind (below).
            let ratio = feasible as f64 / f64::from(copies);
            if single && ratio < SCARCE && scarce.is_none_or(|(r, _, _, _)| ratio < r) {
                scarce = Some((ratio, sb.2, sb.0, sb.1));
            }
            if best.is_none_or(|b| better(sb, b)) {
                best = Some(sb);
            }
        }
        // A kind whose feasible stand-alone items cannot meet its need must
        // take a set: the best-scoring feasible set covering it.
        let forced = (0..need.len())
            .filter(|&k| need[k] > 0 && singles[k] < need[k] as usize)
            .find_map(|k| {
                sets.iter()
                    .filter(|(s, _)| pool.shapes[*s][k] > 0)
                    .map(|(_, b)| *b)
                    .reduce(|a, b| if better(b, a) { b } else { a })
            });
        forced
            .map(|b| b.2)
            .or(scarce.map(|(_, u, _, _)| u))
            .or(best.map(|b| b.2))
    }

    /// The first slot kind form `f` still needs.
    fn first_need(&self, f: usize) -> Option<(usize, u32)> {
        self.need[f]
            .iter()
            .enumerate()
            .find(|(_, n)| **n > 0)
            .map(|(k, n)| (k, *n))
    }

    /// Builds all forms round robin, in a random order of forms, each pick
    /// aimed at a randomly perturbed target per item (each feature times
    /// `1 + N(0, spread²)`, kept non-negative) so that other seeds start from
    /// other forms; the remaining target adapts after every pick and the
    /// local search closes the gap. A form that finds no unit within the
    /// overlap limit takes the one that exceeds it least
    /// ([`State::force`]); the excess is then swapped away
    /// ([`State::resolve`]). When nothing else fits, the form's mix
    /// exchanges two slots between cells ([`State::exchange`]). Fails when
    /// a form finds no unit at all, or the excess cannot be removed.
    fn construct(
        &mut self,
        rng: &mut ChaCha8Rng,
        spread: f64,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<(), AssemblyError> {
        let slots: u64 = self.mix.iter().flatten().map(|&n| u64::from(n)).sum();
        let mut open: Vec<usize> = (0..self.n_forms).collect();
        open.shuffle(rng);
        let mut round = 0usize;
        let mut repairs = REPAIRS * self.pool.need.iter().sum::<u32>() as usize * self.n_forms;
        let mut ejections = repairs;
        // Each exchange scans the slot kinds of two cells per target kind;
        // a few per form are what a misplaced phase or item-kind slot needs.
        let mut exchanges = REPAIRS * self.n_forms;
        let order = open.clone();
        while !open.is_empty() {
            let len = open.len();
            for i in 0..len {
                let f = open[(i + round) % len];
                if self.need[f].iter().all(|&n| n == 0) {
                    continue;
                }
                for a in &mut self.aim {
                    *a = (1.0 + spread * standard_normal(rng)).max(0.0);
                }
                self.focus(f);
                match self.pick(f, true).or_else(|| self.pick(f, false)) {
                    Some(u) => self.add(f, u),
                    None if self.remix(f) => {}
                    None if repairs > 0 && self.repair(f) => repairs -= 1,
                    None if self.force(f, rng) => {}
                    None if ejections > 0 && self.eject(f, rng) => ejections -= 1,
                    None if exchanges > 0 && self.exchange(f) => exchanges -= 1,
                    None => {
                        let (kind, missing) = self.first_need(f).unwrap_or((0, 0));
                        return Err(AssemblyError::Stuck {
                            form: f as u32 + 1,
                            scope: self.pool.scope(kind),
                            missing,
                        });
                    }
                }
            }
            // An ejection may reopen a completed form.
            open = order
                .iter()
                .copied()
                .filter(|&f| self.need[f].iter().any(|&n| n > 0))
                .collect();
            round += 1;
            let left: u64 = self.need.iter().flatten().map(|&n| u64::from(n)).sum();
            progress(Progress::Building {
                filled: slots - left,
                slots,
            });
        }
        self.resolve(rng)
    }

    /// Form `f`'s first need and the scored kinds its slot may go to: that
    /// kind first, then every other the ranges allow ([`State::may_move`]).
    fn open_kinds(&self, f: usize) -> Option<(usize, Vec<usize>)> {
        let (from, _) = self.first_need(f)?;
        let kinds = std::iter::once(from)
            .chain((0..self.pool.cells.len()).filter(|&k| k != from && self.may_move(f, from, k)))
            .collect();
        Some((from, kinds))
    }

    /// Whether form `f`'s mix may move one slot from kind `from` to kind
    /// `to` and keep every content constraint: the move lowers the
    /// constraints only `from` counts in and raises those only `to` counts
    /// in.
    fn may_move(&self, f: usize, from: usize, to: usize) -> bool {
        let pool = self.pool;
        let mix = &self.mix[f];
        let sums = |b: usize| -> u32 { pool.bounds[b].kinds.iter().map(|&k| mix[k]).sum() };
        let (a, b) = (&pool.bounds_of[from], &pool.bounds_of[to]);
        a.iter()
            .filter(|c| !b.contains(c))
            .all(|&c| sums(c) > pool.bounds[c].min)
            && b.iter()
                .filter(|c| !a.contains(c))
                .all(|&c| sums(c) < pool.bounds[c].max)
    }

    /// Moves one slot of form `f`'s mix (and of its remaining need) from
    /// kind `from` to kind `to`.
    fn move_slot(&mut self, f: usize, from: usize, to: usize) {
        self.mix[f][from] -= 1;
        self.mix[f][to] += 1;
        self.need[f][from] -= 1;
        self.need[f][to] += 1;
    }

    /// When form `f` has no feasible unit for its first need and the
    /// blueprint's ranges allow it: moves that slot to another scored slot
    /// kind that has a feasible stand-alone item and keeps every content
    /// constraint (a kind of the same cell first, then the one with the
    /// most usable items), so forms differ in mix where the bank requires
    /// it. Returns whether it moved one.
    fn remix(&mut self, f: usize) -> bool {
        let pool = self.pool;
        let Some((from, _)) = self.first_need(f) else {
            return false;
        };
        let mut order: Vec<usize> = (0..pool.cells.len())
            .filter(|&k| k != from && self.may_move(f, from, k))
            .collect();
        // Kinds of the same cell first, then the most usable items.
        order.sort_by_key(|&k| {
            (
                pool.cells[k] != pool.cells[from],
                std::cmp::Reverse(pool.usable[k]),
            )
        });
        for to in order {
            let Some(shape) = pool.single_shape(to) else {
                continue;
            };
            let mut probe = self.need[f].clone();
            probe[from] -= 1;
            probe[to] += 1;
            let saved = std::mem::replace(&mut self.need[f], probe);
            let feasible = pool.by_shape[shape]
                .iter()
                .any(|&v| self.admissible(f, v as usize, None) && self.time_ok(f, v as usize));
            if feasible {
                self.mix[f][from] -= 1;
                self.mix[f][to] += 1;
                return true;
            }
            self.need[f] = saved;
        }
        false
    }

    /// When form `f` has no feasible unit for its first need: forces in the
    /// stand-alone item of that kind that costs the fewest removals (its
    /// enemies on the form, and items shared with forms it would overlap
    /// too much), removing those; their slots are refilled by the greedy.
    /// Returns false when no item can be forced in.
    fn repair(&mut self, f: usize) -> bool {
        let pool = self.pool;
        let Some((kind, _)) = self.first_need(f) else {
            return false;
        };
        let Some(shape) = pool.single_shape(kind) else {
            return false;
        };
        let mut best: Option<(usize, u64, usize, Vec<usize>)> = None;
        for &v in &pool.by_shape[shape] {
            let v = v as usize;
            let unit = &pool.units[v];
            if self.is_member(f, v) || self.forms_of[v].len() as u32 >= unit.capacity {
                continue;
            }
            let mut out: Vec<usize> = self.units[f]
                .iter()
                .map(|&u| u as usize)
                .filter(|u| unit.enemies.binary_search(&(*u as u32)).is_ok())
                .collect();
            let mut possible = true;
            for &g in &self.forms_of[v] {
                let g = g as usize;
                let shared_out: u32 = out
                    .iter()
                    .filter(|&&u| self.forms_of[u].contains(&(g as u16)))
                    .map(|&u| pool.units[u].n_items)
                    .sum();
                let mut excess =
                    (self.shared(f, g) + unit.n_items).saturating_sub(self.max_shared + shared_out);
                for &u in &self.units[f] {
                    let u = u as usize;
                    if excess == 0 {
                        break;
                    }
                    if !out.contains(&u) && self.forms_of[u].contains(&(g as u16)) {
                        out.push(u);
                        excess = excess.saturating_sub(pool.units[u].n_items);
                    }
                }
                possible &= excess == 0;
            }
            let freed: u64 = out.iter().map(|&u| pool.units[u].seconds).sum();
            if let Some(limit) = pool.time_limit {
                possible &= self.seconds[f] - freed + unit.seconds <= limit;
            }
            possible &= self.published_ok(f, v, &out);
            if !possible || out.len() >= self.units[f].len().max(1) {
                continue;
            }
            let key = (out.len(), self.priority(f, v));
            if best.as_ref().is_none_or(|b| key < (b.0, b.1)) {
                best = Some((key.0, key.1, v, out));
            }
        }
        match best {
            Some((_, _, v, out)) => {
                for u in out {
                    self.remove(f, u);
                }
                self.add(f, v);
                true
            }
            None => false,
        }
    }

    /// How many forms unit `u` is on, new and published.
    fn uses(&self, u: usize) -> usize {
        self.uses[u] as usize
    }

    /// The secondary objective, fewer repeated items: each unit of form `f`
    /// that another form (new or published) also holds is swapped for the
    /// unit of its shape that no form holds and that keeps every hard
    /// constraint and the form's largest deviation within the tolerance
    /// (or within its current deviation, if that is larger), the one with
    /// the smallest deviation. Returns the number of swaps.
    fn spread(&mut self, f: usize) -> usize {
        let pool = self.pool;
        let k = pool.k;
        let mut swaps = 0;
        let mut trial = vec![0.0; k];
        self.focus(f);
        let repeated: Vec<usize> = self.units[f]
            .iter()
            .map(|&u| u as usize)
            .filter(|&u| self.uses(u) > 1)
            .collect();
        for u in repeated {
            let limit = self.form_score(f).0.max(self.tolerance) + EPS;
            let mut best: Option<((f64, f64), usize)> = None;
            for &v in &pool.by_shape[self.hot[u].shape as usize] {
                let v = v as usize;
                if self.uses[v] > 0 {
                    continue;
                }
                let base = &self.feat[f * k..(f + 1) * k];
                for (((t, b), x), y) in trial
                    .iter_mut()
                    .zip(base)
                    .zip(pool.feat(u))
                    .zip(pool.feat(v))
                {
                    *t = b - x + y;
                }
                let s = self.score(&trial);
                if s.0 <= limit
                    && best.is_none_or(|(b, _)| Mode::Minimax.better(s, b))
                    && self.swap_ok(f, u, v)
                {
                    best = Some((s, v));
                }
            }
            if let Some((_, v)) = best {
                self.remove(f, u);
                self.add(f, v);
                swaps += 1;
            }
        }
        swaps
    }

    /// Whether swapping `u` for `v` on form `f` keeps every hard constraint.
    fn swap_ok(&self, f: usize, u: usize, v: usize) -> bool {
        let pool = self.pool;
        if let Some(limit) = pool.time_limit
            && self.seconds[f] - self.hot[u].seconds + self.hot[v].seconds > limit
        {
            return false;
        }
        self.admissible(f, v, Some(u))
    }

    /// Calls `visit(score, u, v)` for every swap of a unit `u` of form `f`
    /// for another unit `v` of the same shape (within the window) for
    /// which `wanted(score)` holds; the hard constraints are the caller's
    /// to check ([`State::swap_ok`]), after the (cheap) score.
    fn for_each_swap(
        &self,
        f: usize,
        mut wanted: impl FnMut((f64, f64)) -> bool,
        mut visit: impl FnMut((f64, f64), usize, usize),
    ) {
        let pool = self.pool;
        let k = pool.k;
        let mut trial = vec![0.0; k];
        let base = &self.feat[f * k..(f + 1) * k];
        // The window moves with the form's features, so each step looks
        // at other candidates.
        let salt = base.iter().fold(self.salt, |h, x| mix(h ^ x.to_bits()));
        for &u in &self.units[f] {
            let u = u as usize;
            let fu = pool.feat(u);
            let list = &pool.by_shape[self.hot[u].shape as usize];
            for &v in rotated(list, mix(salt ^ u as u64)).take(CANDIDATES) {
                let v = v as usize;
                if v == u {
                    continue;
                }
                for (((t, b), x), y) in trial.iter_mut().zip(base).zip(fu).zip(pool.feat(v)) {
                    *t = b - x + y;
                }
                let s = self.score(&trial);
                if wanted(s) {
                    visit(s, u, v);
                }
            }
        }
    }

    /// The best swap on form `f` strictly better than `reference` under `mode`.
    fn best_swap(
        &self,
        f: usize,
        mode: Mode,
        reference: (f64, f64),
    ) -> Option<((f64, f64), usize, usize)> {
        let best = std::cell::Cell::new(None::<((f64, f64), usize, usize)>);
        self.for_each_swap(
            f,
            |s| mode.better(s, best.get().map_or(reference, |b| b.0)),
            |s, u, v| {
                if self.swap_ok(f, u, v) {
                    best.set(Some((s, u, v)));
                }
            },
        );
        best.get()
    }

    /// Two swaps that together lower the form's minimax objective when no
    /// single swap does, found by meeting in the middle: with `d` the
    /// form's deviation vector and `m` its largest entry, a pair of swaps
    /// with feature changes `Δ₁ + Δ₂` improves only if `Δ₂` lies within `m`
    /// of `−d − Δ₁` in every coordinate, so the swaps are bucketed on a grid
    /// of side `2m` over (up to) their first three coordinates and each
    /// swap looks up its partners in the `2ᵏ` cells that box of side `2m`
    /// meets (per coordinate its own cell and the nearer neighbour). A
    /// cell is keyed by its coordinates packed in one word, each clamped to
    /// ±2²⁰ (a far cell merges with the edge one: more partners are scored,
    /// none is missed, as clamping keeps neighbours neighbours). The hard
    /// constraints are checked only for the swaps of an improving pair.
    fn pair_move(&mut self, f: usize) -> bool {
        let pool = self.pool;
        let k = pool.k;
        let current = self.form_score(f);
        let m = current.0;
        if k == 0 || m <= EPS {
            return false;
        }
        let d: Vec<f64> = self.feat[f * k..(f + 1) * k]
            .iter()
            .zip(&pool.target)
            .map(|(x, t)| x - t)
            .collect();
        let mut swaps: Vec<(usize, usize)> = Vec::new();
        let mut deltas: Vec<f64> = Vec::new();
        self.for_each_swap(
            f,
            |_| true,
            |_, u, v| {
                swaps.push((u, v));
                deltas.extend(pool.feat(v).iter().zip(pool.feat(u)).map(|(a, b)| a - b));
            },
        );
        let dims = k.min(3);
        const HALF: i64 = 1 << 20;
        let side = 2.0 * m;
        // A point's cell, and per coordinate the side its nearer neighbour
        // cell is on.
        let cell = |x: &[f64]| -> ([i64; 3], [i64; 3]) {
            let mut c = [0i64; 3];
            let mut near = [0i64; 3];
            for ((ci, ni), xi) in c.iter_mut().zip(&mut near).zip(&x[..dims]) {
                let scaled = xi / side;
                let floor = scaled.floor();
                *ci = (floor as i64).clamp(2 - HALF, HALF - 2);
                *ni = if scaled - floor < 0.5 { -1 } else { 1 };
            }
            (c, near)
        };
        let key = |c: [i64; 3]| -> u64 {
            c.iter()
                .fold(0u64, |acc, &ci| acc << 21 | (ci + HALF) as u64)
        };
        // The swaps sorted by cell (then by index), and per cell its run.
        let mut sorted: Vec<(u64, u32)> = deltas
            .chunks_exact(k)
            .enumerate()
            .map(|(j, delta)| (key(cell(delta).0), j as u32))
            .collect();
        sorted.sort_unstable();
        let mut grid: HashMap<u64, std::ops::Range<usize>> = HashMap::with_capacity(sorted.len());
        for (at, &(cell, _)) in sorted.iter().enumerate() {
            grid.entry(cell).or_insert(at..at).end = at + 1;
        }
        let mut best: Option<((f64, f64), usize, usize)> = None;
        // Per swap, whether it keeps every hard constraint on its own, once
        // asked.
        let mut alone: Vec<Option<bool>> = vec![None; swaps.len()];
        let mut query = vec![0.0; k];
        let mut combined = vec![0.0; k];
        // Per coordinate, whether to step to the nearer neighbour.
        let steps: Vec<[bool; 3]> = (0..1usize << dims)
            .map(|n| std::array::from_fn(|c| c < dims && n >> c & 1 == 1))
            .collect();
        for (i, di) in deltas.chunks_exact(k).enumerate() {
            for ((q, dv), x) in query.iter_mut().zip(&d).zip(di) {
                *q = -dv - x;
            }
            let (centre, side_of) = cell(&query);
            for step in &steps {
                let near = std::array::from_fn(|c| centre[c] + i64::from(step[c]) * side_of[c]);
                let Some(run) = grid.get(&key(near)) else {
                    continue;
                };
                for &(_, j) in &sorted[run.clone()] {
                    let j = j as usize;
                    if j <= i {
                        continue;
                    }
                    let (ui, vi) = swaps[i];
                    let (uj, vj) = swaps[j];
                    if ui == uj || vi == vj {
                        continue;
                    }
                    let dj = &deltas[j * k..(j + 1) * k];
                    for (((c, dv), x), y) in combined.iter_mut().zip(&d).zip(di).zip(dj) {
                        *c = dv + x + y;
                    }
                    let s = self.score_deviation(&combined);
                    if !Mode::Minimax.better(s, best.map_or(current, |b| b.0)) {
                        continue;
                    }
                    let mut ok_alone = |x: usize, (u, v): (usize, usize)| {
                        *alone[x].get_or_insert_with(|| self.swap_ok(f, u, v))
                    };
                    if ok_alone(i, (ui, vi)) && ok_alone(j, (uj, vj)) {
                        // Jointly admissible? Apply the first and test the second.
                        self.remove(f, ui);
                        self.add(f, vi);
                        let ok = self.swap_ok(f, uj, vj);
                        self.remove(f, vi);
                        self.add(f, ui);
                        if ok {
                            best = Some((s, i, j));
                        }
                    }
                }
            }
        }
        match best {
            Some((_, i, j)) => {
                let (ui, vi) = swaps[i];
                let (uj, vj) = swaps[j];
                self.remove(f, ui);
                self.add(f, vi);
                self.remove(f, uj);
                self.add(f, vj);
                true
            }
            None => false,
        }
    }

    /// Best-improvement swaps on form `f` until it is a local optimum or the
    /// budget is spent; in minimax mode, pair moves when single swaps stall.
    /// Returns whether the form improved.
    fn improve(&mut self, f: usize, budget: usize, mode: Mode) -> bool {
        let mut improved = false;
        self.focus(f);
        for _ in 0..budget {
            let current = self.form_score(f);
            if current.0 <= self.tolerance {
                break;
            }
            match self.best_swap(f, mode, current) {
                Some((_, u, v)) => {
                    self.remove(f, u);
                    self.add(f, v);
                }
                None if matches!(mode, Mode::Minimax) && self.pair_move(f) => {}
                None => break,
            }
            improved = true;
        }
        improved
    }
}

/// What a swap must lower.
#[derive(Debug, Clone, Copy)]
enum Mode {
    /// The sum of squared deviations: smooth, so sequences of small moves
    /// can change the shape of the information curve.
    SumOfSquares,
    /// The largest deviation, then the sum of squares (the minimax proper).
    Minimax,
}

impl Mode {
    /// Whether score `a` is strictly better than `b`.
    fn better(self, a: (f64, f64), b: (f64, f64)) -> bool {
        match self {
            Mode::SumOfSquares => a.1 < b.1 - EPS * EPS,
            Mode::Minimax => a.0 < b.0 - EPS || ((a.0 - b.0).abs() <= EPS && a.1 < b.1 - EPS),
        }
    }
}

/// The units of `list` from position `start % len` on, wrapping round.
fn rotated(list: &[u32], start: u64) -> impl Iterator<Item = &u32> {
    let (a, b) = list.split_at((start % list.len().max(1) as u64) as usize);
    b.iter().chain(a)
}

/// Lower score first, then lower priority (the random tie-break).
fn better(a: (f64, u64, usize), b: (f64, u64, usize)) -> bool {
    a.0 < b.0 - EPS || ((a.0 - b.0).abs() <= EPS && a.1 < b.1)
}

/// How hard the search works.
pub(crate) struct Effort {
    /// The most local-search passes over all forms.
    pub max_passes: u32,
    /// A form within this deviation is not improved further.
    pub tolerance: f64,
    /// Independent constructions + searches; the best is kept.
    pub restarts: u32,
}

/// Runs construction (each with up to [`ATTEMPTS`] random starts), local
/// search and the secondary objective ([`State::spread`])
/// `effort.restarts` times, keeping the result with the smallest largest
/// deviation (then the smallest sum of deviations). `needs` gives each
/// form's mix.
pub(crate) fn run(
    pool: &Pool,
    needs: &[Vec<u32>],
    max_shared: u32,
    published: &Published,
    effort: &Effort,
    seed: u64,
    progress: &mut dyn FnMut(Progress),
) -> Result<Selection, AssemblyError> {
    let n_forms = needs.len();
    let restarts = effort.restarts.max(1) as u64;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut failure = None;
    let mut best: Option<((f64, f64), Selection)> = None;
    let mut successes = 0;
    let plan = exposure_plan(pool, needs, published);
    for attempt in 0..ATTEMPTS * restarts {
        let mut state = State::new(
            pool,
            needs,
            max_shared,
            published,
            rng.random(),
            effort.tolerance,
            &plan,
        );
        if attempt > 0 {
            state.jitter = 1.0;
        }
        if let Err(e) = state.construct(&mut rng, AIM_SPREAD, progress) {
            failure = Some(e);
            continue;
        }
        if pool.k > 0 {
            local_search(&mut state, effort.max_passes, progress);
        }
        for f in 0..n_forms {
            state.spread(f);
        }
        let scores: Vec<f64> = (0..n_forms).map(|f| state.form_score(f).0).collect();
        let key = (
            scores.iter().copied().fold(0.0, f64::max),
            scores.iter().sum::<f64>(),
        );
        let deviations = scores.iter().map(|d| (pool.k > 0).then_some(*d)).collect();
        let selection = Selection {
            forms: state.units,
            deviations,
        };
        if best
            .as_ref()
            .is_none_or(|(b, _)| Mode::Minimax.better(key, *b))
        {
            best = Some((key, selection));
        }
        successes += 1;
        if successes == restarts {
            break;
        }
    }
    if let Some((_, selection)) = best {
        return Ok(selection);
    }
    Err(failure.unwrap_or(AssemblyError::NoForms))
}

/// The exposure plan: per unit, how many forms the construction puts it on
/// before it takes any unit beyond its plan. Per slot kind, the forms'
/// total demand `T_k = Σ_f need_f(k)` spread evenly over its `S_k` usable
/// items gives each `⌈T_k / S_k⌉` uses (at least 1, at most the unit's
/// capacity); a unit takes the largest over its kinds, and published uses
/// count against it. Spreading exposure so keeps every item's uses, and
/// thereby every pair's overlap, near the least the demand forces
/// (`Σ_i C(r_i, 2)` shared incidences are smallest with equal `r_i`, see
/// [`super::feasibility`]), instead of letting the first forms use the best
/// items up to their limit and starve the later forms.
pub(super) fn exposure_plan(pool: &Pool, needs: &[Vec<u32>], published: &Published) -> Vec<u32> {
    let mut demand = vec![0u64; pool.kinds()];
    for need in needs {
        for (d, &n) in demand.iter_mut().zip(need) {
            *d += u64::from(n);
        }
    }
    let per_item: Vec<u64> = demand
        .iter()
        .zip(&pool.usable)
        .map(|(&d, &s)| d.div_ceil(u64::from(s.max(1))).max(1))
        .collect();
    pool.units
        .iter()
        .zip(&published.shares)
        .map(|(unit, shares)| {
            let planned = pool.shapes[unit.shape]
                .iter()
                .zip(&per_item)
                .filter(|(c, _)| **c > 0)
                .map(|(_, &q)| q)
                .max()
                .unwrap_or(1)
                + shares.len() as u64;
            u32::try_from(planned)
                .unwrap_or(u32::MAX)
                .min(unit.capacity)
        })
        .collect()
}

fn local_search(state: &mut State<'_>, max_passes: u32, progress: &mut dyn FnMut(Progress)) {
    let budget = 4 * state.pool.need.iter().sum::<u32>() as usize + 16;
    for pass in 1..=max_passes {
        let mut order: Vec<usize> = (0..state.n_forms).collect();
        order.sort_by(|&a, &b| state.form_score(b).0.total_cmp(&state.form_score(a).0));
        let mut any = false;
        for (done, f) in order.into_iter().enumerate() {
            any |= state.improve(f, budget, Mode::SumOfSquares);
            any |= state.improve(f, budget, Mode::Minimax);
            progress(Progress::Improving {
                pass,
                forms_done: done as u64 + 1,
                forms: state.n_forms as u64,
            });
        }
        if !any {
            break;
        }
    }
}
