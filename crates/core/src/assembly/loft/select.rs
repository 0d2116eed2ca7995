//! One on-the-fly form: a randomised greedy construction towards the
//! objective's target among items within their exposure cap, then swaps
//! that bring the form within the tolerance of the target.

use super::super::pool::Pool;
use rand::RngCore;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

/// Candidate units compared for each slot or swap under a statistical
/// objective.
const SAMPLES: usize = 12;
/// Candidate units compared for each slot without a statistical objective,
/// where the least exposed is taken: as in balanced allocation (Azar,
/// Broder, Karlin and Upfal 1999), a few choices already level the uses
/// (on the shipped bank 2, 3 and 4 gave the same largest exposure, overlap
/// and spread of uses over 10,000 forms as 12), and the soft cap bounds
/// them.
const LEAST_EXPOSED_SAMPLES: usize = 3;
/// Random draws per slot before the kind's whole list is scanned.
const DRAWS: usize = 48;
/// Fresh construction orders tried before giving up.
const ATTEMPTS: usize = 8;
/// Swap trials per unit on the form.
const SWAPS_PER_UNIT: usize = 8;

/// Where each unit stands against the exposure limits of this request.
pub(super) struct Eligibility {
    /// Per unit: `max over its items of (uses + 1) − cap`; at most 0 means
    /// taking it keeps every item of it within the soft cap.
    pub over: Vec<f64>,
    /// Per unit: an item has reached the hard use limit.
    pub spent: Vec<bool>,
}

/// The chosen units and how the form came out.
pub(super) struct Selection {
    pub units: Vec<u32>,
    /// Largest absolute deviation of the form's features from the target
    /// (absent without a statistical objective).
    pub deviation: Option<f64>,
    /// Items placed above their soft exposure cap (the bank had no other
    /// item for the slot).
    pub over_exposed: u32,
}

/// Slot kind and unfilled slots when no construction order completed.
pub(super) struct Stuck {
    pub kind: usize,
    pub missing: u32,
}

/// The partial form under construction.
struct Build<'p> {
    pool: &'p Pool,
    elig: &'p Eligibility,
    /// Per shape, its slot kinds with their counts, and the least expected
    /// time of items of those kinds.
    parts: &'p [ShapeParts],
    need: Vec<u32>,
    /// The least expected time of the open slots.
    rest_seconds: u64,
    on: Vec<bool>,
    /// Per unit, how many chosen units are its enemies.
    enemy_hits: Vec<u16>,
    seconds: u64,
    sums: Vec<f64>,
    chosen: Vec<u32>,
    scored_left: u32,
}

/// A shape's nonzero slot kinds and the least time they take.
#[derive(Debug, Clone)]
pub(super) struct ShapeParts {
    kinds: Vec<(usize, u32)>,
    min_seconds: u64,
    scored: u32,
}

/// The scored items of unit `u`, from its shape's `parts`.
pub(super) fn scored_items(parts: &[ShapeParts], pool: &Pool, u: u32) -> u32 {
    parts[pool.units[u as usize].shape].scored
}

/// The parts of every shape of the pool.
pub(super) fn shape_parts(pool: &Pool) -> Vec<ShapeParts> {
    pool.shapes
        .iter()
        .map(|shape| {
            let kinds: Vec<(usize, u32)> = shape
                .iter()
                .enumerate()
                .filter(|(_, c)| **c > 0)
                .map(|(k, c)| (k, *c))
                .collect();
            ShapeParts {
                min_seconds: kinds
                    .iter()
                    .map(|&(k, c)| u64::from(c) * pool.min_seconds[k])
                    .sum(),
                scored: kinds
                    .iter()
                    .filter(|(k, _)| *k < pool.cells.len())
                    .map(|(_, c)| c)
                    .sum(),
                kinds,
            }
        })
        .collect()
}

impl<'p> Build<'p> {
    fn new(pool: &'p Pool, elig: &'p Eligibility, parts: &'p [ShapeParts]) -> Self {
        Self {
            pool,
            elig,
            parts,
            rest_seconds: pool
                .need
                .iter()
                .zip(&pool.min_seconds)
                .map(|(n, m)| u64::from(*n) * m)
                .sum(),
            need: pool.need.clone(),
            on: vec![false; pool.units.len()],
            enemy_hits: vec![0; pool.units.len()],
            seconds: 0,
            sums: vec![0.0; pool.k],
            // At most one unit per slot.
            chosen: Vec::with_capacity(pool.need.iter().sum::<u32>() as usize),
            scored_left: pool.need[..pool.cells.len()].iter().sum(),
        }
    }

    fn scored_in(&self, u: u32) -> u32 {
        scored_items(self.parts, self.pool, u)
    }

    /// Whether unit `u` can join the form: not spent, and
    /// [`fits_unspent`](Self::fits_unspent).
    fn fits(&self, u: u32) -> bool {
        !self.elig.spent[u as usize] && self.fits_unspent(u)
    }

    /// Whether unit `u`, not spent (as every unit of the open lists), can
    /// join the form: not on it, no enemy on it, its shape within the open
    /// needs, the time limit reachable.
    fn fits_unspent(&self, u: u32) -> bool {
        let ui = u as usize;
        let unit = &self.pool.units[ui];
        let parts = &self.parts[unit.shape];
        if self.on[ui]
            || self.enemy_hits[ui] > 0
            || parts.kinds.iter().any(|&(k, c)| c > self.need[k])
        {
            return false;
        }
        self.pool.time_limit.is_none_or(|limit| {
            self.seconds + unit.seconds + (self.rest_seconds - parts.min_seconds) <= limit
        })
    }

    /// Squared distance of the predicted final features from the target
    /// when `u` joins and every other open scored slot gets an item of the
    /// pool's mean features.
    fn score(&self, u: u32, mean: &[f64]) -> f64 {
        let rest = f64::from(self.scored_left - self.scored_in(u));
        let f = self.pool.feat(u as usize);
        let pool = self.pool;
        pool.target
            .iter()
            .zip(&self.sums)
            .zip(f)
            .zip(mean)
            .map(|(((t, s), f), m)| {
                let d = t - s - f - rest * m;
                d * d
            })
            .sum()
    }

    /// What a slot minimises: the [`score`](Self::score) with a
    /// statistical objective, else the excess over the cap (the least
    /// exposed first).
    #[inline(always)]
    fn value(&self, u: u32, mean: &[f64]) -> f64 {
        if self.pool.k > 0 {
            self.score(u, mean)
        } else {
            self.elig.over[u as usize]
        }
    }

    fn take(&mut self, u: u32) {
        let ui = u as usize;
        let unit = &self.pool.units[ui];
        let parts = &self.parts[unit.shape];
        for &(k, c) in &parts.kinds {
            self.need[k] -= c;
        }
        self.rest_seconds -= parts.min_seconds;
        self.scored_left -= self.scored_in(u);
        self.seconds += unit.seconds;
        for (acc, v) in self.sums.iter_mut().zip(self.pool.feat(ui)) {
            *acc += v;
        }
        for &e in &unit.enemies {
            self.enemy_hits[e as usize] += 1;
        }
        self.on[ui] = true;
        self.chosen.push(u);
    }

    /// The best of up to `samples` random fitting units drawn from
    /// `open` (the kind's units within their cap and not taken for it), with
    /// its position there; or, when none is found in [`DRAWS`] draws, the
    /// fitting unit least over its cap in the kind's whole list `all` (from
    /// a random start), without a position.
    fn pick(
        &self,
        open: &[u32],
        all: &[u32],
        samples: usize,
        mean: &[f64],
        rng: &mut ChaCha8Rng,
    ) -> Option<(u32, Option<usize>)> {
        if all.is_empty() {
            return None;
        }
        let score = |u: u32| self.value(u, mean);
        // The open units are all within their cap, so the draws are ranked
        // by score alone.
        let (mut best_at, mut best) = (usize::MAX, f64::INFINITY);
        let mut found = 0;
        if !open.is_empty() {
            for _ in 0..DRAWS {
                let i = index(rng, open.len());
                let u = open[i];
                if !self.fits_unspent(u) {
                    continue;
                }
                let s = score(u);
                if s < best {
                    (best_at, best) = (i, s);
                }
                found += 1;
                if found == samples {
                    break;
                }
            }
        }
        if let Some(&u) = open.get(best_at) {
            return Some((u, Some(best_at)));
        }
        let rank = |u: u32| -> (f64, f64) { (self.elig.over[u as usize].max(0.0), score(u)) };
        let better =
            |a: (f64, f64), b: (f64, f64)| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)).is_lt();
        let mut best: Option<(u32, (f64, f64))> = None;
        let start = index(rng, all.len());
        for &u in all[start..].iter().chain(&all[..start]) {
            if !self.fits(u) {
                continue;
            }
            let r = rank(u);
            if best.is_none_or(|(_, b)| better(r, b)) {
                best = Some((u, r));
            }
        }
        best.map(|(u, _)| (u, None))
    }

    /// Largest absolute deviation and sum of squared deviations of `sums`.
    fn deviation(&self, sums: &[f64]) -> (f64, f64) {
        sums.iter()
            .zip(&self.pool.target)
            .fold((0.0_f64, 0.0), |(max, ss), (s, t)| {
                let d = (s - t).abs();
                (max.max(d), ss + d * d)
            })
    }

    /// Swaps of a random chosen unit for a random unit of the same shape
    /// that keeps every constraint and the exposure no worse, taken when
    /// they lower (largest deviation, sum of squares), until the form is
    /// within `tolerance` or the trials are spent.
    fn improve(&mut self, tolerance: f64, rng: &mut ChaCha8Rng) -> f64 {
        let pool = self.pool;
        let mut current = self.deviation(&self.sums);
        let mut trial = vec![0.0; pool.k];
        for _ in 0..SWAPS_PER_UNIT * self.chosen.len() {
            if current.0 <= tolerance {
                break;
            }
            let p = index(rng, self.chosen.len());
            let u = self.chosen[p];
            let unit = &pool.units[u as usize];
            let list = &pool.by_shape[unit.shape];
            let cap = self.elig.over[u as usize].max(0.0);
            let mut best: Option<(u32, (f64, f64))> = None;
            for _ in 0..SAMPLES {
                let v = list[index(rng, list.len())];
                let vi = v as usize;
                let other = &pool.units[vi];
                let hits = self.enemy_hits[vi] - u16::from(other.enemies.binary_search(&u).is_ok());
                let time_ok = pool
                    .time_limit
                    .is_none_or(|l| self.seconds - unit.seconds + other.seconds <= l);
                if self.on[vi]
                    || hits > 0
                    || self.elig.spent[vi]
                    || self.elig.over[vi] > cap
                    || !time_ok
                {
                    continue;
                }
                for (j, t) in trial.iter_mut().enumerate() {
                    *t = self.sums[j] - pool.feat(u as usize)[j] + pool.feat(vi)[j];
                }
                let d = self.deviation(&trial);
                if best.is_none_or(|(_, b)| d < b) {
                    best = Some((v, d));
                }
            }
            if let Some((v, d)) = best.filter(|(_, d)| *d < current) {
                self.swap(p, v);
                current = d;
            }
        }
        current.0
    }

    fn swap(&mut self, p: usize, v: u32) {
        let pool = self.pool;
        let u = self.chosen[p];
        let (unit, other) = (&pool.units[u as usize], &pool.units[v as usize]);
        for &e in &unit.enemies {
            self.enemy_hits[e as usize] -= 1;
        }
        for &e in &other.enemies {
            self.enemy_hits[e as usize] += 1;
        }
        for j in 0..pool.k {
            self.sums[j] += pool.feat(v as usize)[j] - pool.feat(u as usize)[j];
        }
        self.seconds = self.seconds - unit.seconds + other.seconds;
        self.on[u as usize] = false;
        self.on[v as usize] = true;
        self.chosen[p] = v;
    }
}

/// The slot kinds of one form, kind by kind: the order the construction
/// shuffles.
pub(super) fn slot_kinds(pool: &Pool) -> Vec<usize> {
    (0..pool.kinds())
        .flat_map(|k| std::iter::repeat_n(k, pool.need[k] as usize))
        .collect()
}

/// A uniform index below `len` (at most `u32::MAX`) from one 32-bit draw,
/// by Lemire's multiply-shift: `⌊x · len / 2³²⌋`. Without the rejection
/// step an index is off uniform by at most `len / 2³²` (under 10⁻⁵ for
/// any list of a bank), and every draw takes exactly one `u32`.
fn index(rng: &mut ChaCha8Rng, len: usize) -> usize {
    ((u64::from(rng.next_u32()) * len as u64) >> 32) as usize
}

/// The plan's tables [`select`] works from.
pub(super) struct Tables<'a> {
    /// The pool's [`shape_parts`].
    pub parts: &'a [ShapeParts],
    /// The pool's [`slot_kinds`].
    pub slots: &'a [usize],
    /// Per slot kind `k`, the units holding an item of kind `k`.
    pub with_kind: &'a [Vec<u32>],
    /// The pool's mean feature vector per scored item.
    pub mean: &'a [f64],
    /// Per slot kind, whether its units all score alike: a statistical
    /// objective and no scored item in any of them (the pretest kind).
    pub flat: &'a [bool],
}

/// Per slot kind, the units of [`Tables::with_kind`] within their cap and
/// not spent: what a slot draws from. One buffer, a range per kind.
struct Open {
    units: Vec<u32>,
    /// Per kind, its range of `units`: `start..start + len`.
    ranges: Vec<(usize, usize)>,
}

impl Open {
    fn new(with_kind: &[Vec<u32>], elig: &Eligibility) -> Self {
        let mut units = Vec::with_capacity(with_kind.iter().map(Vec::len).sum());
        let ranges = with_kind
            .iter()
            .map(|list| {
                let start = units.len();
                units.extend(
                    list.iter()
                        .filter(|&&u| elig.over[u as usize] <= 0.0 && !elig.spent[u as usize]),
                );
                (start, units.len() - start)
            })
            .collect();
        Self { units, ranges }
    }

    fn of(&self, k: usize) -> &[u32] {
        let (start, len) = self.ranges[k];
        &self.units[start..start + len]
    }

    /// Takes the unit at position `i` of kind `k` out (the last takes its
    /// place).
    fn remove(&mut self, k: usize, i: usize) {
        let (start, len) = &mut self.ranges[k];
        *len -= 1;
        self.units.swap(*start + i, *start + *len);
    }
}

/// Builds one form (see the module docs) from the plan's `tables`.
pub(super) fn select(
    pool: &Pool,
    tables: &Tables<'_>,
    elig: &Eligibility,
    tolerance: f64,
    rng: &mut ChaCha8Rng,
) -> Result<Selection, Stuck> {
    let Tables {
        parts,
        with_kind,
        mean,
        ..
    } = *tables;
    let mut slots = tables.slots.to_vec();
    let mut stuck = Stuck {
        kind: 0,
        missing: 0,
    };
    'attempt: for _ in 0..ATTEMPTS {
        let mut open = Open::new(with_kind, elig);
        slots.shuffle(rng);
        let mut build = Build::new(pool, elig, parts);
        for &k in &slots {
            if build.need[k] == 0 {
                continue;
            }
            let samples = if tables.flat[k] {
                1
            } else if pool.k == 0 {
                LEAST_EXPOSED_SAMPLES
            } else {
                SAMPLES
            };
            match build.pick(open.of(k), &with_kind[k], samples, mean, rng) {
                Some((u, at)) => {
                    if let Some(i) = at {
                        open.remove(k, i);
                    }
                    build.take(u);
                }
                None => {
                    stuck = Stuck {
                        kind: k,
                        missing: build.need[k],
                    };
                    continue 'attempt;
                }
            }
        }
        let deviation = (pool.k > 0).then(|| build.improve(tolerance, rng));
        let over_exposed = build
            .chosen
            .iter()
            .filter(|&&u| elig.over[u as usize] > 0.0)
            .map(|&u| pool.units[u as usize].n_items)
            .sum();
        return Ok(Selection {
            units: build.chosen,
            deviation,
            over_exposed,
        });
    }
    Err(stuck)
}
