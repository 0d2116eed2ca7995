//! The items each pair of new forms shares, kept as units join and leave
//! forms: a map over the pairs that share any (at most `Σ C(uses, 2)`
//! entries over the units, however many forms there are, no `n²` matrix),
//! the excess over the limit summed over the pairs, and a dense row for one
//! form in focus (the form a pick or a local search works on), so the
//! admissibility checks of its candidates read an array instead of the map.

use hashbrown::HashMap;

/// Shared items between pairs of new forms.
pub(super) struct Overlap {
    /// The most items two forms may share.
    max: u32,
    /// Items two forms share, only for the pairs that share any (keyed by
    /// [`pair`]).
    map: HashMap<u64, u32>,
    /// Items shared beyond the limit, summed over the pairs of forms: 0
    /// except while forced picks are being resolved.
    excess: u64,
    /// The form in focus ([`NONE`] if none).
    focus: usize,
    /// Per form `g`, the items it shares with the form in focus (0 for the
    /// focus itself and for every form when none is in focus).
    row: Vec<u32>,
}

/// [`Overlap::focus`] when no form is in focus.
const NONE: usize = usize::MAX;

impl Overlap {
    pub fn new(forms: usize, max: u32) -> Self {
        Self {
            max,
            map: HashMap::new(),
            excess: 0,
            focus: NONE,
            row: vec![0; forms],
        }
    }

    /// Items forms `f` and `g` share.
    pub fn shared(&self, f: usize, g: usize) -> u32 {
        let in_map = || self.map.get(&pair(f, g)).copied().unwrap_or(0);
        let shared = if f == self.focus {
            self.row[g]
        } else if g == self.focus {
            self.row[f]
        } else {
            return in_map();
        };
        debug_assert_eq!(shared, in_map());
        shared
    }

    /// Items shared beyond the limit over all pairs.
    pub fn excess(&self) -> u64 {
        self.excess
    }

    /// Forms `f` and `g` come to share `n` more items.
    pub fn join(&mut self, f: usize, g: usize, n: u32) {
        let max = self.max;
        let shared = self.map.entry(pair(f, g)).or_insert(0);
        self.excess +=
            u64::from((*shared + n).saturating_sub(max)) - u64::from(shared.saturating_sub(max));
        *shared += n;
        self.move_row(f, g, |s| s + n);
    }

    /// Forms `f` and `g` come to share `n` fewer items.
    pub fn leave(&mut self, f: usize, g: usize, n: u32) {
        let max = self.max;
        let key = pair(f, g);
        if let Some(shared) = self.map.get_mut(&key) {
            self.excess -= u64::from(shared.saturating_sub(max))
                - u64::from((*shared - n).saturating_sub(max));
            *shared -= n;
            if *shared == 0 {
                self.map.remove(&key);
            }
            self.move_row(f, g, |s| s - n);
        }
    }

    fn move_row(&mut self, f: usize, g: usize, change: impl Fn(u32) -> u32) {
        if f == self.focus {
            self.row[g] = change(self.row[g]);
        } else if g == self.focus {
            self.row[f] = change(self.row[f]);
        }
    }

    /// Puts form `f` in focus: `units[g]` are the units of form `g`,
    /// `forms_of[u]` the forms unit `u` is on and `n_items(u)` its items.
    /// Costs `O(Σ uses)` over the units of the old and the new focus.
    pub fn set_focus(
        &mut self,
        f: usize,
        units: &[Vec<u32>],
        forms_of: &[Vec<u16>],
        n_items: impl Fn(usize) -> u32,
    ) {
        if self.focus == f {
            return;
        }
        if let Some(old) = units.get(self.focus) {
            for &u in old {
                for &g in &forms_of[u as usize] {
                    self.row[g as usize] = 0;
                }
            }
        }
        self.focus = f;
        for &u in &units[f] {
            let n = n_items(u as usize);
            for &g in &forms_of[u as usize] {
                if g as usize != f {
                    self.row[g as usize] += n;
                }
            }
        }
    }

    /// The pairs of forms that share more than the limit, in key order.
    pub fn over_full(&self) -> Vec<(usize, usize)> {
        let mut keys: Vec<u64> = self
            .map
            .iter()
            .filter(|(_, s)| **s > self.max)
            .map(|(&key, _)| key)
            .collect();
        keys.sort_unstable();
        keys.into_iter().map(unpair).collect()
    }

    /// The pair that shares the most items (the lowest pair among ties),
    /// with its count; `(0, 0)` and 0 when no pair shares any.
    pub fn most_shared(&self) -> ((usize, usize), u32) {
        let (key, shared) = self
            .map
            .iter()
            .map(|(&key, &s)| (key, s))
            .max_by_key(|&(key, s)| (s, std::cmp::Reverse(key)))
            .unwrap_or((0, 0));
        (unpair(key), shared)
    }
}

/// The key of the unordered pair of forms `f` and `g`.
fn pair(f: usize, g: usize) -> u64 {
    let (a, b) = if f < g { (f, g) } else { (g, f) };
    (a as u64) << 32 | b as u64
}

/// The pair of forms of a key.
fn unpair(key: u64) -> (usize, usize) {
    ((key >> 32) as usize, (key & 0xffff_ffff) as usize)
}
