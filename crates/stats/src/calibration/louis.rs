//! Louis's (1982) missing information of all item parameters at once, in
//! one pass over the persons, for the models whose log-likelihood is linear
//! in θ given the category (Rasch, 2PL, GPCM).
//!
//! The observed information is the complete-data information less
//! `M = Σ_p Cov_{θ | x_p}(S_p(θ))`, `S_p` person `p`'s complete-data score
//! over all item parameters. An item's score component is
//! `θ^e (F(x) − H(θ))`: for the slope `e = 1`, `F = x`, `H = E[K | θ]`; for
//! intercept `u` `e = 0`, `F = 1[x = u]`, `H = P_u(θ)`. With
//! `A = θ^e H`, a person's covariance of two components splits into
//!
//! - `F F′ Var(θ)` when both are slopes,
//! - `− F Cov(θ, A′)` for a slope `F` (and its transpose),
//! - `Cov(A, A′)`, whose sum over persons is
//!   `Σ_q n_q A(θ_q) A′(θ_q) − Σ_p E_p[A] E_p[A′]`,
//!
//! so the pass costs `O(W·n)` per person for the posterior means
//! (`W` nodes in the posterior's window, `n` parameters of the person's
//! form) and one rank-one update `O(n²)`, instead of the `2n` E-steps of a
//! numerical Hessian. `F` is zero on every item a person scored 0 and on
//! every intercept but the category scored, so the first two terms are
//! sparse.

use super::em_state::ItemState;
use super::estep::{Grid, Kernel, PreparedBlock, Tables, block_bases, block_tasks};
use rayon::prelude::*;

/// Persons whose posterior means are multiplied out together.
const CHUNK: usize = 64;

/// Where each item's parameters `(a, d_1..d_m)` sit in the full matrix.
pub(crate) struct ParameterLayout {
    /// Offset of item `j`'s slope, `None` for items without free parameters.
    pub offset: Vec<Option<usize>>,
    /// Total parameters.
    pub n: usize,
}

/// `M = Σ_p Cov_{θ | x_p}(S_p(θ))` over the parameters of `layout`,
/// row-major `n × n`, at the item parameters `items` (whose E-step
/// `tables` and `grid` are given).
pub(crate) fn missing_information(
    blocks: &[PreparedBlock<'_>],
    tables: &Tables,
    grid: &Grid,
    items: &[ItemState],
    layout: &ParameterLayout,
    parallel: bool,
) -> Vec<f64> {
    let n = layout.n;
    let bases = block_bases(blocks, tables, grid);
    let plans: Vec<BlockPlan> = blocks
        .iter()
        .map(|pb| BlockPlan::new(pb, grid, items, layout))
        .collect();
    let tasks = block_tasks(blocks);
    let run = |&(b, start, end): &(usize, usize, usize)| {
        let kernel = Kernel::new(&blocks[b], tables, grid, &bases[b]);
        (b, plans[b].persons(kernel, grid, (start, end)))
    };
    let mut out = vec![0.0; n * n];
    let mut nodes: Vec<Vec<f64>> = vec![vec![0.0; grid.len()]; blocks.len()];
    // Tasks run a batch at a time so that at most a batch of per-task
    // matrices is held; they add up in task order, whatever the threads.
    let batch = if parallel {
        2 * rayon::current_num_threads()
    } else {
        1
    };
    for group in tasks.chunks(batch) {
        let partials: Vec<(usize, Partial)> = if parallel && group.len() > 1 {
            group.par_iter().map(run).collect()
        } else {
            group.iter().map(run).collect()
        };
        for (b, part) in partials {
            plans[b].scatter(&part.local, &mut out, n);
            for (t, v) in nodes[b].iter_mut().zip(&part.nodes) {
                *t += v;
            }
        }
    }
    for (plan, nodes) in plans.iter().zip(&nodes) {
        plan.scatter(&plan.node_term(nodes), &mut out, n);
    }
    out
}

/// One block's parameters: their global positions and `A(θ_q)`.
struct BlockPlan {
    /// Global parameter index per local component.
    global: Vec<usize>,
    /// Per local item, the offset of its components (`None`: not free).
    offset: Vec<Option<usize>>,
    /// `A_c(θ_q)` at `[c * Q + q]`.
    a: Vec<f64>,
}

struct Partial {
    /// The block-local part of `M` from these persons, `n_b × n_b`.
    local: Vec<f64>,
    /// Posterior mass per node over these persons.
    nodes: Vec<f64>,
}

impl BlockPlan {
    fn new(
        pb: &PreparedBlock<'_>,
        grid: &Grid,
        items: &[ItemState],
        layout: &ParameterLayout,
    ) -> Self {
        let nq = grid.len();
        let (mut global, mut offset, mut a) = (Vec::new(), Vec::new(), Vec::new());
        let mut prob = Vec::new();
        for &j in &pb.items {
            let Some(start) = layout.offset[j] else {
                offset.push(None);
                continue;
            };
            offset.push(Some(global.len()));
            let it = &items[j];
            let m = it.d.len();
            global.extend(start..=start + m);
            let at = a.len();
            a.resize(at + (m + 1) * nq, 0.0);
            for (q, &th) in grid.theta.iter().enumerate() {
                category_probabilities(it, th, &mut prob);
                let mean: f64 = prob.iter().enumerate().map(|(k, p)| k as f64 * p).sum();
                a[at + q] = th * mean;
                for u in 1..=m {
                    a[at + u * nq + q] = prob[u];
                }
            }
        }
        Self { global, offset, a }
    }

    /// The part of `M` from persons `start..end` of the kernel's block,
    /// less the node term.
    fn persons(
        &self,
        mut kernel: Kernel<'_, '_>,
        grid: &Grid,
        (start, end): (usize, usize),
    ) -> Partial {
        let nb = self.global.len();
        let nq = grid.len();
        let pb = kernel.pb;
        let mut local = vec![0.0; nb * nb];
        // Σ_p F Cov(θ, A′) for slope rows; Σ_p E[A] E[A′] (lower triangle).
        let mut slope_cov = vec![0.0; nb * nb];
        let mut outer = vec![0.0; nb * nb];
        let mut nodes = vec![0.0; nq];
        let mut means = vec![0.0; nb * CHUNK];
        let mut cov = vec![0.0; nb];
        let mut filled = 0;
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
            for c in 0..nb {
                let a = &self.a[c * nq + lo..c * nq + hi];
                let (mut mean, mut cross) = (0.0, 0.0);
                for ((wq, th), av) in w.iter().zip(theta).zip(a) {
                    let wa = wq * av;
                    mean += wa;
                    cross += wa * th;
                }
                means[c * CHUNK + filled] = mean;
                cov[c] = cross - m1 * mean;
            }
            slopes.clear();
            for &cat in &pb.cats[pb.starts[p]..pb.starts[p + 1]] {
                let i = pb.cat_item[cat as usize];
                // Intercepts have e = 0: their F is a constant of the
                // person and has no covariance with anything.
                if let Some(at) = self.offset[i] {
                    slopes.push((at, pb.cat_score[cat as usize]));
                }
            }
            for &(r, x) in &slopes {
                for &(c, y) in &slopes {
                    local[r * nb + c] += var * x * y;
                }
                for (s, c) in slope_cov[r * nb..(r + 1) * nb].iter_mut().zip(&cov) {
                    *s += x * c;
                }
            }
            filled += 1;
            if filled == CHUNK {
                add_lower_cross_products(&means, nb, filled, &mut outer);
                filled = 0;
            }
        }
        add_lower_cross_products(&means, nb, filled, &mut outer);
        for r in 0..nb {
            for c in 0..nb {
                let product = if c <= r {
                    outer[r * nb + c]
                } else {
                    outer[c * nb + r]
                };
                local[r * nb + c] -= slope_cov[r * nb + c] + slope_cov[c * nb + r] + product;
            }
        }
        Partial { local, nodes }
    }

    /// `Σ_q n_q A(θ_q) A(θ_q)ᵀ` over the block's components.
    fn node_term(&self, nodes: &[f64]) -> Vec<f64> {
        let nb = self.global.len();
        let nq = nodes.len();
        let mut out = vec![0.0; nb * nb];
        for r in 0..nb {
            let ar = &self.a[r * nq..(r + 1) * nq];
            for c in 0..=r {
                let ac = &self.a[c * nq..(c + 1) * nq];
                let v: f64 = nodes
                    .iter()
                    .zip(ar)
                    .zip(ac)
                    .map(|((n, x), y)| n * x * y)
                    .sum();
                out[r * nb + c] = v;
                out[c * nb + r] = v;
            }
        }
        out
    }

    /// Adds the block-local `local` into the global `out` (`n × n`).
    fn scatter(&self, local: &[f64], out: &mut [f64], n: usize) {
        let nb = self.global.len();
        for (r, &gr) in self.global.iter().enumerate() {
            for (c, &gc) in self.global.iter().enumerate() {
                out[gr * n + gc] += local[r * nb + c];
            }
        }
    }
}

/// `outer[r][c] += Σ_i means[r][i] means[c][i]` for `c ≤ r` over the first
/// `filled` persons of the chunk (`means` column `i` per person).
fn add_lower_cross_products(means: &[f64], nb: usize, filled: usize, outer: &mut [f64]) {
    if filled == 0 {
        return;
    }
    for r in 0..nb {
        let mr = &means[r * CHUNK..r * CHUNK + filled];
        for c in 0..=r {
            let mc = &means[c * CHUNK..c * CHUNK + filled];
            outer[r * nb + c] += mr.iter().zip(mc).map(|(x, y)| x * y).sum::<f64>();
        }
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
