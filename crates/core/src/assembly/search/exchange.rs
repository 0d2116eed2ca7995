//! The exchange of two slots of a form's mix between two cells, the last
//! repair of the construction. A form whose first need has no feasible unit
//! may find that no single move of that slot keeps the blueprint's ranges
//! ([`State::remix`]): with exact cell counts and one Design item asked
//! for, the Design slot may sit in a cell whose Design items all belong to
//! sets the form cannot take, while stand-alone Design items wait in other
//! cells. Moving the Design slot to another cell breaks both cells' counts;
//! moving one of that cell's other slots back to the first cell (in a kind
//! outside Design) restores them, and the Design total is unchanged.
//!
//! In general: the needed slot of kind `from` moves to a kind `to` of any
//! cell, and one slot of a kind `x` of `to`'s cell moves to a kind `y` of
//! `from`'s cell, so every cell and domain keeps its count; the pair is
//! taken only when the two moves together keep every other content
//! constraint (phases, item kinds) and `to` and `y` each have a feasible
//! stand-alone item. An `x` slot already filled gives up its stand-alone
//! item, which the greedy then replaces.

use super::State;
use std::cmp::Reverse;

impl State<'_> {
    /// Exchanges form `f`'s first needed slot as the module docs say (the
    /// kind `to` with the most usable items first, then the first `x` and
    /// `y` that work). Returns whether it did.
    pub(super) fn exchange(&mut self, f: usize) -> bool {
        let pool = self.pool;
        let Some((from, _)) = self.first_need(f) else {
            return false;
        };
        let scored = pool.cells.len();
        // Items per content constraint of the form's mix.
        let sums: Vec<i64> = (pool.bounds.iter())
            .map(|b| b.kinds.iter().map(|&k| i64::from(self.mix[f][k])).sum())
            .collect();
        // The slot kinds of a kind's cell (its first constraint).
        let cell_kinds = |k: usize| &pool.bounds[pool.cell_bound(k)].kinds;
        let mut targets: Vec<usize> = (0..scored)
            .filter(|&k| k != from && pool.single_shape(k).is_some())
            .collect();
        targets.sort_by_key(|&k| Reverse(pool.usable[k]));
        for to in targets {
            for &x in cell_kinds(to) {
                if x == to || x == from || self.mix[f][x] == 0 {
                    continue;
                }
                // A filled `x` slot gives up its stand-alone item.
                let out = if self.need[f][x] > 0 {
                    None
                } else {
                    match self.filled_by(f, x) {
                        Some(u) => Some(u),
                        None => continue,
                    }
                };
                for &y in cell_kinds(from) {
                    let moves = [(from, -1), (to, 1), (x, -1), (y, 1)];
                    if y == from || y == x || !self.keeps_ranges(&sums, &moves) {
                        continue;
                    }
                    // The need after the moves (a filled `x` slot's need
                    // is unchanged: its item leaves as its slot does).
                    let mut need = self.need[f].clone();
                    need[from] -= 1;
                    need[to] += 1;
                    need[y] += 1;
                    if out.is_none() {
                        need[x] -= 1;
                    }
                    if self.feasible_after(f, need, out, &[to, y]) {
                        if let Some(u) = out {
                            self.remove(f, u);
                        }
                        self.move_slot(f, from, to);
                        self.move_slot(f, x, y);
                        return true;
                    }
                }
            }
        }
        false
    }

    /// A stand-alone item of kind `k` on form `f`, if any.
    fn filled_by(&self, f: usize, k: usize) -> Option<usize> {
        let shape = self.pool.single_shape(k)?;
        self.units[f]
            .iter()
            .map(|&u| u as usize)
            .find(|&u| self.hot[u].shape as usize == shape)
    }

    /// Whether a mix with `sums` items per content constraint, changed by
    /// `moves` (slot kind, change), keeps every constraint the moves touch
    /// within its range.
    fn keeps_ranges(&self, sums: &[i64], moves: &[(usize, i64)]) -> bool {
        let pool = self.pool;
        moves.iter().all(|&(k, _)| {
            pool.bounds_of[k].iter().all(|&b| {
                let bound = &pool.bounds[b];
                let change: i64 = moves
                    .iter()
                    .filter(|(j, _)| pool.bounds_of[*j].contains(&b))
                    .map(|(_, d)| d)
                    .sum();
                (i64::from(bound.min)..=i64::from(bound.max)).contains(&(sums[b] + change))
            })
        })
    }

    /// Whether each kind of `kinds` has a stand-alone item form `f` could
    /// take (uses, enemies, overlap, published forms, time) were its need
    /// `need` and unit `out` (if any) gone from it. Leaves the state as it
    /// was.
    fn feasible_after(
        &mut self,
        f: usize,
        need: Vec<u32>,
        out: Option<usize>,
        kinds: &[usize],
    ) -> bool {
        let freed = out.map_or(0, |u| self.hot[u].seconds);
        let saved = std::mem::replace(&mut self.need[f], need);
        self.seconds[f] -= freed;
        let feasible = kinds.iter().all(|&k| {
            self.pool.single_shape(k).is_some_and(|s| {
                self.pool.by_shape[s]
                    .iter()
                    .any(|&v| self.admissible(f, v as usize, out) && self.time_ok(f, v as usize))
            })
        });
        self.seconds[f] += freed;
        self.need[f] = saved;
        feasible
    }
}
