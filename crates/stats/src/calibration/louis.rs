//! Louis's (1982) missing information of all item parameters at once, in
//! one pass over the persons.
//!
//! The observed information is the complete-data information less
//! `M = Σ_p Cov_{θ | x_p}(S_p(θ))`, `S_p` person `p`'s complete-data score
//! over all item parameters. Each model's score has a shape that keeps the
//! pass linear in the persons:
//!
//! - Rasch, 2PL, GPCM ([`LinearPlan`]): an item's score component is
//!   `θ^e (F(x) − H(θ))`; for the slope `e = 1`, `F = x`, `H = E[K | θ]`;
//!   for intercept `u` `e = 0`, `F = 1[x = u]`, `H = P_u(θ)`. With
//!   `A = θ^e H`, a person's covariance of two components splits into
//!   `F F′ Var(θ)` when both are slopes, `− F Cov(θ, A′)` for a slope `F`
//!   (and its transpose), and `Cov(A, A′)`, whose sum over persons is
//!   `Σ_q n_q A(θ_q) A′(θ_q) − Σ_p E_p[A] E_p[A′]`. `F` is zero on every
//!   item a person scored 0, so the first two terms are sparse. Both
//!   posterior moments of `A` are linear in the person's posterior weights
//!   `w_p` over the nodes (`E_p[A] = Aᵀ w_p`), so the persons add only
//!   `Σ_p w_p w_pᵀ` (`Q × Q`) and, per right answer, `F v_pᵀ`, and `A`
//!   multiplies the sums once at the end: `O(W² + r·W + r²)` per person
//!   (`W` nodes in the posterior's window, `r` right answers) and
//!   `O(Q·n²)` per block, nothing of order `n²` per person.
//! - 3PL ([`ThreePlPlan`]): in `(a, d, logit c)` the score is
//!   `x A(θ) − B(θ)` with `B = (σθ, σ, c)`, `A = B/P`
//!   (`σ = logistic(aθ + d)`, `P = c + (1 − c)σ`), so
//!   `Σ_p E_p[S S′]` needs, per node, the posterior mass of the persons
//!   answering both items right (`R_jk(θ_q)`), answering one right
//!   (`R_j(θ_q)`, the E-step's counts) and in all (`n_q`); then
//!   `Σ_p E_p[S] E_p[S′]` is subtracted. `E_p[S]` depends on which items
//!   the person answered right, so this pass costs `O(W·n)` per person for
//!   the posterior means, a rank-one update `O(n²)` and `O(W·r²)` for the
//!   pair masses.
//!
//! Either way this replaces the `2n` E-steps of a numerical Hessian.

use super::em_state::ItemState;
use super::estep::{Grid, Kernel, PreparedBlock, Tables, block_bases, block_tasks};
use super::linalg::dot;
use exam_core::irt::logistic;
use rayon::prelude::*;

/// Persons whose posterior means are multiplied out together.
const CHUNK: usize = 64;

/// Where each item's parameters (`(a, d_1..d_m)`, 3PL `(a, d, logit c)`)
/// sit in the full matrix.
pub(crate) struct ParameterLayout {
    /// Offset of item `j`'s slope, `None` for items without free parameters.
    pub offset: Vec<Option<usize>>,
    /// Total parameters.
    pub n: usize,
}

/// One block's share of `M`: sums over its persons, added up task by
/// task, and the block-local matrix they give at the end.
trait BlockTerms: Sync {
    /// Global parameter index per block-local component.
    fn global(&self) -> &[usize];
    /// The sums over persons `start..end`.
    fn persons(&self, kernel: Kernel<'_, '_>, grid: &Grid, range: (usize, usize)) -> Vec<f64>;
    /// Length of the block's sums.
    fn sums_len(&self, grid: &Grid) -> usize;
    /// The block-local part of `M`, `n_b × n_b`, from the sums over all
    /// the block's persons.
    fn finish(&self, sums: &[f64], grid: &Grid) -> Vec<f64>;
}

/// `M = Σ_p Cov_{θ | x_p}(S_p(θ))` over the parameters of `layout`,
/// row-major `n × n`, at the item parameters `items` (whose E-step
/// `tables` and `grid` are given); `three_pl` selects the 3PL's score.
pub(crate) fn missing_information(
    blocks: &[PreparedBlock<'_>],
    tables: &Tables,
    grid: &Grid,
    items: &[ItemState],
    layout: &ParameterLayout,
    three_pl: bool,
    parallel: bool,
) -> Vec<f64> {
    let plans: Vec<Box<dyn BlockTerms>> = blocks
        .iter()
        .map(|pb| -> Box<dyn BlockTerms> {
            if three_pl {
                Box::new(ThreePlPlan::new(pb, grid, items, layout))
            } else {
                Box::new(LinearPlan::new(pb, grid, items, layout))
            }
        })
        .collect();
    let n = layout.n;
    let bases = block_bases(blocks, tables, grid);
    let tasks = block_tasks(blocks);
    let run = |&(b, start, end): &(usize, usize, usize)| {
        let kernel = Kernel::new(&blocks[b], tables, grid, &bases[b]);
        (b, plans[b].persons(kernel, grid, (start, end)))
    };
    let mut sums: Vec<Vec<f64>> = plans.iter().map(|p| vec![0.0; p.sums_len(grid)]).collect();
    // Tasks run a batch at a time so that at most a batch of per-task
    // sums is held; they add up in task order, whatever the threads.
    let batch = if parallel {
        2 * rayon::current_num_threads()
    } else {
        1
    };
    for group in tasks.chunks(batch) {
        let partials: Vec<(usize, Vec<f64>)> = if parallel && group.len() > 1 {
            group.par_iter().map(run).collect()
        } else {
            group.iter().map(run).collect()
        };
        for (b, part) in partials {
            for (t, v) in sums[b].iter_mut().zip(&part) {
                *t += v;
            }
        }
    }
    let mut out = vec![0.0; n * n];
    for (plan, sums) in plans.iter().zip(&sums) {
        scatter(plan.global(), &plan.finish(sums, grid), &mut out, n);
    }
    out
}

/// Peak bytes of [`missing_information`] over `nq` nodes, from the shapes
/// alone: the `n × n` result, every block's sums, a batch of per-task
/// sums of the widest block, and one block's local matrix.
pub(crate) fn bytes_needed(
    blocks: &[PreparedBlock<'_>],
    nq: usize,
    items: &[ItemState],
    layout: &ParameterLayout,
    three_pl: bool,
    parallel: bool,
) -> u64 {
    let nq = nq as u64;
    let (mut all, mut widest, mut widest_local) = (0u64, 0u64, 0u64);
    for pb in blocks {
        let free = pb.items.iter().filter(|&&j| layout.offset[j].is_some());
        let nf = free.clone().count() as u64;
        let nb: u64 = free
            .map(|&j| {
                if three_pl {
                    3
                } else {
                    items[j].d.len() as u64 + 1
                }
            })
            .sum();
        let sums = if three_pl {
            (1 + nf + nf * (nf + 1) / 2) * nq + nb * nb
        } else {
            nq + nq * nq + nf * nq + nf * nf
        };
        all = all.saturating_add(sums);
        widest = widest.max(sums);
        widest_local = widest_local.max(nb * nb);
    }
    let batch = if parallel {
        2 * rayon::current_num_threads() as u64
    } else {
        1
    };
    let n = layout.n as u64;
    (n * n)
        .saturating_add(all)
        .saturating_add(batch.saturating_mul(widest))
        .saturating_add(widest_local)
        .saturating_mul(8)
}

/// Adds the block-local `local` (components at `global`) into `out`
/// (`n × n`).
fn scatter(global: &[usize], local: &[f64], out: &mut [f64], n: usize) {
    let nb = global.len();
    for (r, &gr) in global.iter().enumerate() {
        for (c, &gc) in global.iter().enumerate() {
            out[gr * n + gc] += local[r * nb + c];
        }
    }
}

/// Posterior means of the block's components, a chunk of persons at a
/// time, and their cross products `Σ_p E_p[·] E_p[·]ᵀ` (lower triangle).
struct MeanProducts {
    nb: usize,
    means: Vec<f64>,
    filled: usize,
    lower: Vec<f64>,
}

impl MeanProducts {
    fn new(nb: usize) -> Self {
        Self {
            nb,
            means: vec![0.0; nb * CHUNK],
            filled: 0,
            lower: vec![0.0; nb * nb],
        }
    }

    /// Sets the current person's mean of component `c`.
    fn set(&mut self, c: usize, value: f64) {
        self.means[c * CHUNK + self.filled] = value;
    }

    /// Ends the current person.
    fn next_person(&mut self) {
        self.filled += 1;
        if self.filled == CHUNK {
            self.flush();
        }
    }

    fn flush(&mut self) {
        let (nb, filled) = (self.nb, self.filled);
        if filled == 0 {
            return;
        }
        for r in 0..nb {
            let mr = &self.means[r * CHUNK..r * CHUNK + filled];
            for c in 0..=r {
                let mc = &self.means[c * CHUNK..c * CHUNK + filled];
                self.lower[r * nb + c] += dot(mr, mc);
            }
        }
        self.filled = 0;
    }

    /// `Σ_p E_p[A_r] E_p[A_c]` at `(r, c)`, once every person is in.
    fn finish(mut self) -> impl Fn(usize, usize) -> f64 {
        self.flush();
        let (nb, lower) = (self.nb, self.lower);
        move |r, c| {
            if c <= r {
                lower[r * nb + c]
            } else {
                lower[c * nb + r]
            }
        }
    }
}

/// `A` (and `B`) tabulated node-major, `[q * n_b + c]`, so that a person's
/// posterior means of all components are one pass over the window's rows.
fn node_major(component_major: &[f64], nb: usize, nq: usize) -> Vec<f64> {
    let mut out = vec![0.0; component_major.len()];
    for c in 0..nb {
        for q in 0..nq {
            out[q * nb + c] = component_major[c * nq + q];
        }
    }
    out
}

/// Sets `out` to `Σ_q w_q row_q` over the window starting at node `lo`
/// (rows of `table`, node-major, `out.len()` wide).
fn window_means(table: &[f64], lo: usize, w: &[f64], out: &mut [f64]) {
    let nb = out.len();
    out.fill(0.0);
    for (i, wq) in w.iter().enumerate() {
        let row = &table[(lo + i) * nb..(lo + i + 1) * nb];
        axpy(out, *wq, row);
    }
}

/// Per local item of a block, the offset of its components (`None`: no
/// free parameters), and the global index of every component.
fn block_components(
    pb: &PreparedBlock<'_>,
    layout: &ParameterLayout,
    dim: impl Fn(usize) -> usize,
) -> (Vec<Option<usize>>, Vec<usize>) {
    let mut offset = Vec::with_capacity(pb.items.len());
    let mut global = Vec::new();
    for &j in &pb.items {
        match layout.offset[j] {
            Some(start) => {
                offset.push(Some(global.len()));
                global.extend(start..start + dim(j));
            }
            None => offset.push(None),
        }
    }
    (offset, global)
}

/// A Rasch, 2PL or GPCM block: its components and `A(θ_q)`.
struct LinearPlan {
    global: Vec<usize>,
    /// Per local item, its position among the block's free items.
    free: Vec<Option<usize>>,
    /// Per free item, the component of its slope.
    slope_at: Vec<usize>,
    /// `A_c(θ_q)` at `[c * Q + q]`, and node-major.
    a: Vec<f64>,
    a_nodes: Vec<f64>,
}

impl LinearPlan {
    fn new(
        pb: &PreparedBlock<'_>,
        grid: &Grid,
        items: &[ItemState],
        layout: &ParameterLayout,
    ) -> Self {
        let nq = grid.len();
        let (offset, global) = block_components(pb, layout, |j| items[j].d.len() + 1);
        let mut a = vec![0.0; global.len() * nq];
        let mut prob = Vec::new();
        let mut free = Vec::with_capacity(offset.len());
        let mut slope_at = Vec::new();
        for (&j, at) in pb.items.iter().zip(&offset) {
            let Some(at) = *at else {
                free.push(None);
                continue;
            };
            free.push(Some(slope_at.len()));
            slope_at.push(at);
            let it = &items[j];
            for (q, &th) in grid.theta.iter().enumerate() {
                category_probabilities(it, th, &mut prob);
                let mean: f64 = prob.iter().enumerate().map(|(k, p)| k as f64 * p).sum();
                a[at * nq + q] = th * mean;
                for (u, p) in prob.iter().enumerate().skip(1) {
                    a[(at + u) * nq + q] = *p;
                }
            }
        }
        let a_nodes = node_major(&a, global.len(), nq);
        Self {
            global,
            free,
            slope_at,
            a,
            a_nodes,
        }
    }

    /// The sums split into the node masses `n_q` (`Q`), the posterior
    /// cross products `W = Σ_p w_p w_pᵀ` (`Q × Q`, lower triangle), the
    /// centred weights of the right answers `V` (free items × `Q`) and the
    /// slopes' `Σ_p Var_p(θ) F F′` (free items², lower triangle).
    fn split<'s>(&self, sums: &'s [f64], nq: usize) -> [&'s [f64]; 4] {
        let nf = self.slope_at.len();
        let (nodes, rest) = sums.split_at(nq);
        let (pairs, rest) = rest.split_at(nq * nq);
        let (centred, slopes) = rest.split_at(nf * nq);
        [nodes, pairs, centred, slopes]
    }
}

impl BlockTerms for LinearPlan {
    fn global(&self) -> &[usize] {
        &self.global
    }

    /// A person's part of `M` is `Var_p(θ) F F′` (slopes) `− F Cov_p(θ,
    /// A′) − Cov_p(θ, A) F′ − E_p[A] E_p[A′]`, and both posterior moments
    /// of `A` are linear in the person's posterior weights `w_p`:
    /// `E_p[A] = Aᵀ w_p`, `Cov_p(θ, A) = Aᵀ v_p` with `v_pq = w_pq (θ_q −
    /// E_p[θ])`. So the persons only add `W = Σ_p w_p w_pᵀ` over their
    /// posterior window and `Σ_p F_p v_pᵀ` over their right answers
    /// (`O(W² + r·W + r²)` for `r` right answers), and [`Self::finish`]
    /// multiplies by `A` once.
    fn persons(
        &self,
        mut kernel: Kernel<'_, '_>,
        grid: &Grid,
        (start, end): (usize, usize),
    ) -> Vec<f64> {
        let nq = grid.len();
        let nf = self.slope_at.len();
        let pb = kernel.pb;
        let mut sums = vec![0.0; self.sums_len(grid)];
        let (nodes, rest) = sums.split_at_mut(nq);
        let (pairs, rest) = rest.split_at_mut(nq * nq);
        let (centred, slope_pairs) = rest.split_at_mut(nf * nq);
        let mut v = vec![0.0; nq];
        let mut slopes: Vec<(usize, f64)> = Vec::new();
        for p in start..end {
            let (lo, hi, _) = kernel.posterior(p);
            let w = &kernel.post[lo..hi];
            let theta = &grid.theta[lo..hi];
            let (mut m1, mut m2) = (0.0, 0.0);
            for ((n, wq), th) in nodes[lo..hi].iter_mut().zip(w).zip(theta) {
                *n += wq;
                m1 += wq * th;
                m2 += wq * th * th;
            }
            let var = m2 - m1 * m1;
            for (i, &wi) in w.iter().enumerate() {
                let row = (lo + i) * nq + lo;
                for (s, wk) in pairs[row..=row + i].iter_mut().zip(w) {
                    *s += wi * wk;
                }
            }
            for ((vq, wq), th) in v.iter_mut().zip(w).zip(theta) {
                *vq = wq * (th - m1);
            }
            // Intercepts have e = 0: their F is a constant of the person and
            // has no covariance with anything.
            slopes.clear();
            for &cat in &pb.cats[pb.starts[p]..pb.starts[p + 1]] {
                if let Some(i) = self.free[pb.cat_item[cat as usize]] {
                    slopes.push((i, pb.cat_score[cat as usize]));
                }
            }
            for (s, &(i, x)) in slopes.iter().enumerate() {
                let row = &mut centred[i * nq + lo..i * nq + hi];
                for (c, vq) in row.iter_mut().zip(&v) {
                    *c += x * vq;
                }
                let vx = var * x;
                for &(k, y) in &slopes[..=s] {
                    slope_pairs[i.max(k) * nf + i.min(k)] += vx * y;
                }
            }
        }
        sums
    }

    fn sums_len(&self, grid: &Grid) -> usize {
        let (nq, nf) = (grid.len(), self.slope_at.len());
        nq + nq * nq + nf * nq + nf * nf
    }

    /// `Aᵀ (diag(n_q) − W) A − S − Sᵀ` with `S = Σ_p F_p v_pᵀ A` on the
    /// slope rows, plus `Σ_p Var_p(θ) F F′` on the slopes.
    fn finish(&self, sums: &[f64], grid: &Grid) -> Vec<f64> {
        let nb = self.global.len();
        let nq = grid.len();
        let nf = self.slope_at.len();
        let [nodes, pairs, centred, slope_pairs] = self.split(sums, nq);
        // (diag(n_q) − W) A, node-major.
        let mut weighted = vec![0.0; nq * nb];
        for (q, row) in weighted.chunks_exact_mut(nb).enumerate() {
            for r in 0..nq {
                let g = if r <= q {
                    pairs[q * nq + r]
                } else {
                    pairs[r * nq + q]
                };
                let g = if r == q { nodes[q] - g } else { -g };
                axpy(row, g, &self.a_nodes[r * nb..(r + 1) * nb]);
            }
        }
        let mut out = vec![0.0; nb * nb];
        for (r, row) in out.chunks_exact_mut(nb).enumerate() {
            for (q, &x) in self.a[r * nq..(r + 1) * nq].iter().enumerate() {
                axpy(row, x, &weighted[q * nb..(q + 1) * nb]);
            }
        }
        let mut s = vec![0.0; nb];
        for (i, &r) in self.slope_at.iter().enumerate() {
            s.fill(0.0);
            for (q, &x) in centred[i * nq..(i + 1) * nq].iter().enumerate() {
                axpy(&mut s, x, &self.a_nodes[q * nb..(q + 1) * nb]);
            }
            for (c, sc) in s.iter().enumerate() {
                out[r * nb + c] -= sc;
                out[c * nb + r] -= sc;
            }
            for (k, &c) in self.slope_at[..=i].iter().enumerate() {
                let v = slope_pairs[i * nf + k];
                out[r * nb + c] += v;
                if c != r {
                    out[c * nb + r] += v;
                }
            }
        }
        // Exactly symmetric: the lower triangle mirrored.
        for r in 0..nb {
            for c in 0..r {
                out[c * nb + r] = out[r * nb + c];
            }
        }
        out
    }
}

/// `y += a x`.
fn axpy(y: &mut [f64], a: f64, x: &[f64]) {
    for (yi, xi) in y.iter_mut().zip(x) {
        *yi += a * xi;
    }
}

/// A 3PL block: per free local item, `A` and `B` at the nodes.
struct ThreePlPlan {
    global: Vec<usize>,
    /// Per local item, its position among the block's free items.
    free: Vec<Option<usize>>,
    /// Free items of the block.
    n_free: usize,
    /// `A_c(θ_q)`, `B_c(θ_q)` at `[c * Q + q]` (component `c = 3i + u`),
    /// and node-major.
    a: Vec<f64>,
    b: Vec<f64>,
    a_nodes: Vec<f64>,
    b_nodes: Vec<f64>,
}

impl ThreePlPlan {
    fn new(
        pb: &PreparedBlock<'_>,
        grid: &Grid,
        items: &[ItemState],
        layout: &ParameterLayout,
    ) -> Self {
        let nq = grid.len();
        let (offset, global) = block_components(pb, layout, |_| 3);
        let free: Vec<Option<usize>> = offset.iter().map(|o| o.map(|at| at / 3)).collect();
        let mut a = vec![0.0; global.len() * nq];
        let mut b = vec![0.0; global.len() * nq];
        for (&j, at) in pb.items.iter().zip(&offset) {
            let Some(at) = *at else { continue };
            let it = &items[j];
            for (q, &th) in grid.theta.iter().enumerate() {
                let sig = logistic(it.a * th + it.d[0]);
                let p = it.c + (1.0 - it.c) * sig;
                for (u, v) in [sig * th, sig, it.c].into_iter().enumerate() {
                    b[(at + u) * nq + q] = v;
                    a[(at + u) * nq + q] = v / p;
                }
            }
        }
        let nb = global.len();
        Self {
            n_free: nb / 3,
            a_nodes: node_major(&a, nb, nq),
            b_nodes: node_major(&b, nb, nq),
            global,
            free,
            a,
            b,
        }
    }
}

impl BlockTerms for ThreePlPlan {
    fn global(&self) -> &[usize] {
        &self.global
    }

    /// The sums are, per node, `n_q`, `R_i` per free item and `R_ik` per
    /// pair `i ≤ k` of free items, then `Σ_p E_p[S] E_p[S′]` (`n_b × n_b`).
    fn persons(
        &self,
        mut kernel: Kernel<'_, '_>,
        grid: &Grid,
        (start, end): (usize, usize),
    ) -> Vec<f64> {
        let nb = self.global.len();
        let nq = grid.len();
        let nf = self.n_free;
        let pb = kernel.pb;
        let mut sums = vec![0.0; self.sums_len(grid)];
        let mut products = MeanProducts::new(nb);
        let mut right: Vec<usize> = Vec::new();
        let mut is_right = vec![false; nf];
        let (mut mean_a, mut mean_b) = (vec![0.0; nb], vec![0.0; nb]);
        for p in start..end {
            let (lo, hi, _) = kernel.posterior(p);
            let w = &kernel.post[lo..hi];
            right.clear();
            for &cat in &pb.cats[pb.starts[p]..pb.starts[p + 1]] {
                if let Some(i) = self.free[pb.cat_item[cat as usize]] {
                    right.push(i);
                    is_right[i] = true;
                }
            }
            for (s, wq) in sums[lo..hi].iter_mut().zip(w) {
                *s += wq;
            }
            for (x, &i) in right.iter().enumerate() {
                let at = (1 + i) * nq;
                for (s, wq) in sums[at + lo..at + hi].iter_mut().zip(w) {
                    *s += wq;
                }
                for &k in &right[x..] {
                    let at = self.pair(i.min(k), i.max(k)) * nq;
                    for (s, wq) in sums[at + lo..at + hi].iter_mut().zip(w) {
                        *s += wq;
                    }
                }
            }
            window_means(&self.b_nodes, lo, w, &mut mean_b);
            window_means(&self.a_nodes, lo, w, &mut mean_a);
            for c in 0..nb {
                let right_part = if is_right[c / 3] { mean_a[c] } else { 0.0 };
                products.set(c, right_part - mean_b[c]);
            }
            products.next_person();
            for &i in &right {
                is_right[i] = false;
            }
        }
        let product = products.finish();
        let tail = &mut sums[self.node_sums_len(nq)..];
        for r in 0..nb {
            for c in 0..nb {
                tail[r * nb + c] = product(r, c);
            }
        }
        sums
    }

    fn sums_len(&self, grid: &Grid) -> usize {
        let nb = self.global.len();
        self.node_sums_len(grid.len()) + nb * nb
    }

    /// `Σ_p E_p[S S′] − Σ_p E_p[S] E_p[S′]` with
    /// `Σ_p E_p[S S′] = Σ_q [R_ik A A′ − R_i A B′ − R_k B A′ + n_q B B′]`.
    fn finish(&self, sums: &[f64], grid: &Grid) -> Vec<f64> {
        let nb = self.global.len();
        let nq = grid.len();
        let nodes = &sums[..nq];
        let product = &sums[self.node_sums_len(nq)..];
        let single = |i: usize| &sums[(1 + i) * nq..(2 + i) * nq];
        let mut out = vec![0.0; nb * nb];
        for r in 0..nb {
            let (i, ar, br) = (
                r / 3,
                &self.a[r * nq..(r + 1) * nq],
                &self.b[r * nq..(r + 1) * nq],
            );
            for c in 0..=r {
                let (k, ac, bc) = (
                    c / 3,
                    &self.a[c * nq..(c + 1) * nq],
                    &self.b[c * nq..(c + 1) * nq],
                );
                let both = &sums[self.pair(k.min(i), k.max(i)) * nq..][..nq];
                let (ri, rk) = (single(i), single(k));
                let mut v = 0.0;
                for q in 0..nq {
                    v += both[q] * ar[q] * ac[q] - ri[q] * ar[q] * bc[q] - rk[q] * br[q] * ac[q]
                        + nodes[q] * br[q] * bc[q];
                }
                let v = v - product[r * nb + c];
                out[r * nb + c] = v;
                out[c * nb + r] = v;
            }
        }
        out
    }
}

impl ThreePlPlan {
    /// Length of the per-node sums: `n_q`, the `R_i` and the `R_ik`.
    fn node_sums_len(&self, nq: usize) -> usize {
        let nf = self.n_free;
        (1 + nf + nf * (nf + 1) / 2) * nq
    }

    /// Row of the pair `i ≤ k` in the sums (after `n_q` and the `R_i`).
    fn pair(&self, i: usize, k: usize) -> usize {
        let nf = self.n_free;
        // Pairs (i, k ≥ i) row by row: row i starts after
        // Σ_{l<i} (nf − l) = i·nf − i(i − 1)/2 pairs.
        1 + nf + i * nf - i * i.saturating_sub(1) / 2 + (k - i)
    }
}

/// GPCM category probabilities `P(k | θ) ∝ exp(a·k·θ + d_k)`, `k = 0..=m`.
fn category_probabilities(it: &ItemState, theta: f64, out: &mut Vec<f64>) {
    out.clear();
    out.push(0.0);
    out.extend(
        it.d.iter()
            .enumerate()
            .map(|(k, d)| it.a * (k + 1) as f64 * theta + d),
    );
    let max = out.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut sum = 0.0;
    for v in out.iter_mut() {
        *v = (*v - max).exp();
        sum += *v;
    }
    for v in out.iter_mut() {
        *v /= sum;
    }
}
