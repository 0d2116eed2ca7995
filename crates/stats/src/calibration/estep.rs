//! The E-step of Bock–Aitkin EM: each person's posterior over the quadrature
//! nodes, accumulated into expected counts per item, category and node.
//!
//! For a person `p` the log-likelihood at node `q` is
//! `Σ_j log P_j(x_pj | θ_q) = S_q + Σ_{j: x_pj > 0} δ_j(x_pj, q)` with
//! `S_q = Σ_j log P_j(0 | θ_q)` over the items of the person's block and
//! `δ_j(k, q) = log P_j(k | θ_q) − log P_j(0 | θ_q)`. Under the 2PL and the
//! GPCM, `δ_j(k, q) = a_j·k·θ_q + d_jk` is linear in θ, so the posterior
//! depends on the person only through the weighted score `T_p = Σ a_j x_pj`
//! (and `Σ d_jk` enters the likelihood as a constant): the kernel is `O(k)`
//! per person plus `O(Q)` per node, not `O(k·Q)`. The 3PL uses the
//! tabulated `δ`.
//!
//! Posterior terms below `e^−30` (1e-13) of the largest are skipped (they
//! cannot move an estimate by more than that relative amount), so a long test touches only the few
//! nodes near the person's ability.

use exam_core::responses::Block;
use rayon::prelude::*;

/// Rows per parallel task (fixed, so results do not depend on the number of
/// threads).
const CHUNK_ROWS: usize = 2048;
/// Posterior terms below `exp(−WINDOW)` (1e-13) times the largest are
/// skipped.
const WINDOW: f64 = 30.0;

/// The quadrature grid: abilities and log weights.
#[derive(Debug, Clone)]
pub(crate) struct Grid {
    pub theta: Vec<f64>,
    pub log_w: Vec<f64>,
}

impl Grid {
    pub fn len(&self) -> usize {
        self.theta.len()
    }
}

/// Where each item's categories above 0 sit in the flat count arrays.
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    /// Categories above 0 per item (0 for an item not calibrated).
    pub m: Vec<usize>,
    /// Offset of each item's first category in units of categories.
    pub off: Vec<usize>,
    /// Total categories above 0.
    pub total: usize,
}

impl Layout {
    pub fn new(m: Vec<usize>) -> Self {
        let mut off = Vec::with_capacity(m.len());
        let mut total = 0;
        for &mj in &m {
            off.push(total);
            total += mj;
        }
        Self { m, off, total }
    }
}

/// Item response tables at the nodes.
#[derive(Debug, Clone)]
pub(crate) struct Tables {
    /// `log P_j(0 | θ_q)` at `[j * Q + q]`.
    pub log_p0: Vec<f64>,
    /// `δ_j(k, q) = log P_j(k | θ_q) − log P_j(0 | θ_q)` at
    /// `[(off_j + k − 1) * Q + q]`, for every item (non-linear kernel only:
    /// when some item has a lower asymptote).
    pub delta: Vec<f64>,
    /// For the linear kernel: slope per item and `d_jk` per category.
    pub linear: Option<Linear>,
}

/// Coefficients of the linear kernel `δ_j(k, q) = a_j·k·θ_q + d_jk`.
#[derive(Debug, Clone)]
pub(crate) struct Linear {
    pub slope: Vec<f64>,
    pub intercept: Vec<f64>,
}

/// A block prepared for the E-step: each person's non-zero responses as a
/// list of block-local category indices, so the kernel touches only those.
#[derive(Debug)]
pub(crate) struct PreparedBlock<'a> {
    pub block: &'a Block,
    /// Global item index per calibrated column.
    pub items: Vec<usize>,
    /// Offset of each item's categories in the block-local count array.
    local_off: Vec<usize>,
    local_total: usize,
    /// Per local category: its item (position in `items`), its score, and
    /// its global category index.
    pub cat_item: Vec<usize>,
    pub cat_score: Vec<f64>,
    cat_global: Vec<usize>,
    /// Person `p`'s local categories are `cats[starts[p]..starts[p + 1]]`.
    pub starts: Vec<usize>,
    pub cats: Vec<u32>,
}

impl<'a> PreparedBlock<'a> {
    /// Keeps the columns whose items have at least one category in `layout`.
    pub fn new(block: &'a Block, layout: &Layout) -> Option<Self> {
        let mut items = Vec::new();
        let mut cols = Vec::new();
        let mut local_off = Vec::new();
        let mut local_total = 0;
        let (mut cat_item, mut cat_score, mut cat_global) = (Vec::new(), Vec::new(), Vec::new());
        for (col, &item) in block.items().iter().enumerate() {
            if layout.m[item] > 0 {
                for k in 1..=layout.m[item] {
                    cat_item.push(items.len());
                    cat_score.push(k as f64);
                    cat_global.push(layout.off[item] + k - 1);
                }
                items.push(item);
                cols.push(col);
                local_off.push(local_total);
                local_total += layout.m[item];
            }
        }
        if items.is_empty() {
            return None;
        }
        let mut starts = Vec::with_capacity(block.n_persons() + 1);
        let mut cats = Vec::new();
        starts.push(0);
        let width = block.n_items();
        for row in block.scores().chunks_exact(width) {
            for (i, &col) in cols.iter().enumerate() {
                let k = usize::from(row[col]);
                if k > 0 {
                    // Local category counts are far below u32::MAX (blocks
                    // are forms of at most a few thousand items).
                    cats.push((local_off[i] + k - 1) as u32);
                }
            }
            starts.push(cats.len());
        }
        Some(Self {
            block,
            items,
            local_off,
            local_total,
            cat_item,
            cat_score,
            cat_global,
            starts,
            cats,
        })
    }
}

/// Expected counts and the log-likelihood from one E-step.
#[derive(Debug, Clone)]
pub(crate) struct Counts {
    /// Expected number of persons at node `q` scoring `k ≥ 1` on item `j`:
    /// `[(off_j + k − 1) * Q + q]`.
    pub r: Vec<f64>,
    /// Expected number of persons at node `q` presented item `j`: `[j * Q + q]`.
    pub n: Vec<f64>,
    /// Expected number of persons at each node, over all blocks.
    pub nodes: Vec<f64>,
    /// Marginal log-likelihood of the data.
    pub loglik: f64,
}

/// Per block: `log w_q + Σ_j log P_j(0 | θ_q)` over its items.
pub(crate) fn block_bases(
    blocks: &[PreparedBlock<'_>],
    tables: &Tables,
    grid: &Grid,
) -> Vec<Vec<f64>> {
    let nq = grid.len();
    blocks
        .iter()
        .map(|pb| {
            let mut base = grid.log_w.clone();
            for &j in &pb.items {
                for (b, l) in base.iter_mut().zip(&tables.log_p0[j * nq..(j + 1) * nq]) {
                    *b += l;
                }
            }
            base
        })
        .collect()
}

/// `(block, first row, end row)` tasks of at most [`CHUNK_ROWS`] rows.
pub(crate) fn block_tasks(blocks: &[PreparedBlock<'_>]) -> Vec<(usize, usize, usize)> {
    blocks
        .iter()
        .enumerate()
        .flat_map(|(b, pb)| {
            let n = pb.block.n_persons();
            (0..n.div_ceil(CHUNK_ROWS))
                .map(move |c| (b, c * CHUNK_ROWS, ((c + 1) * CHUNK_ROWS).min(n)))
        })
        .collect()
}

struct Partial {
    block: usize,
    r: Vec<f64>,
    nodes: Vec<f64>,
    loglik: f64,
}

/// Runs the E-step over all blocks.
pub(crate) fn e_step(
    blocks: &[PreparedBlock<'_>],
    layout: &Layout,
    tables: &Tables,
    grid: &Grid,
    parallel: bool,
) -> Counts {
    let nq = grid.len();
    let bases = block_bases(blocks, tables, grid);
    let tasks = block_tasks(blocks);
    let run = |&(b, start, end): &(usize, usize, usize)| {
        rows(&blocks[b], b, tables, grid, &bases[b], (start, end))
    };
    let partials: Vec<Partial> = if parallel && tasks.len() > 1 {
        tasks.par_iter().map(run).collect()
    } else {
        tasks.iter().map(run).collect()
    };
    let mut counts = Counts {
        r: vec![0.0; layout.total * nq],
        n: vec![0.0; layout.m.len() * nq],
        nodes: vec![0.0; nq],
        loglik: 0.0,
    };
    for part in partials {
        let pb = &blocks[part.block];
        for (i, &j) in pb.items.iter().enumerate() {
            let len = layout.m[j] * nq;
            let global = &mut counts.r[layout.off[j] * nq..layout.off[j] * nq + len];
            let local = &part.r[pb.local_off[i] * nq..pb.local_off[i] * nq + len];
            for (g, l) in global.iter_mut().zip(local) {
                *g += l;
            }
            for (g, l) in counts.n[j * nq..(j + 1) * nq].iter_mut().zip(&part.nodes) {
                *g += l;
            }
        }
        for (g, l) in counts.nodes.iter_mut().zip(&part.nodes) {
            *g += l;
        }
        counts.loglik += part.loglik;
    }
    counts
}

/// Slope times score and intercept per local category (linear kernel).
fn linear_coefficients(pb: &PreparedBlock<'_>, tables: &Tables) -> (Vec<f64>, Vec<f64>) {
    match &tables.linear {
        Some(lin) => (0..pb.cat_item.len())
            .map(|c| {
                (
                    lin.slope[pb.items[pb.cat_item[c]]] * pb.cat_score[c],
                    lin.intercept[pb.cat_global[c]],
                )
            })
            .unzip(),
        None => (Vec::new(), Vec::new()),
    }
}

/// Per-person work space and the block's fixed inputs.
pub(crate) struct Kernel<'k, 'a> {
    pub pb: &'k PreparedBlock<'a>,
    tables: &'k Tables,
    grid: &'k Grid,
    base: &'k [f64],
    cat_slope: Vec<f64>,
    cat_icpt: Vec<f64>,
    /// Table kernel on 0/1 items: `base + Σ_j δ_j`, the log-likelihood of
    /// answering everything right, from which a person with more right
    /// than wrong answers subtracts the wrong ones (fewer terms).
    all_right: Option<Vec<f64>>,
    lp: Vec<f64>,
    /// The last [`Kernel::posterior`], normalised over its window.
    pub post: Vec<f64>,
}

impl<'k, 'a> Kernel<'k, 'a> {
    pub fn new(
        pb: &'k PreparedBlock<'a>,
        tables: &'k Tables,
        grid: &'k Grid,
        base: &'k [f64],
    ) -> Self {
        let (cat_slope, cat_icpt) = linear_coefficients(pb, tables);
        let nq = grid.len();
        let dichotomous = pb.local_total == pb.items.len();
        let all_right = (tables.linear.is_none() && dichotomous).then(|| {
            let mut all = base.to_vec();
            for &g in &pb.cat_global {
                for (l, d) in all.iter_mut().zip(&tables.delta[g * nq..(g + 1) * nq]) {
                    *l += d;
                }
            }
            all
        });
        Self {
            pb,
            tables,
            grid,
            base,
            cat_slope,
            cat_icpt,
            all_right,
            lp: vec![0.0; grid.len()],
            post: vec![0.0; grid.len()],
        }
    }

    /// Person `p`'s posterior over the nodes, normalised, in
    /// `self.post[lo..hi]`; returns `(lo, hi, log-likelihood)`.
    pub fn posterior(&mut self, p: usize) -> (usize, usize, f64) {
        let nq = self.grid.len();
        let cats = &self.pb.cats[self.pb.starts[p]..self.pb.starts[p + 1]];
        let lp = &mut self.lp;
        let mut constant = 0.0;
        if self.tables.linear.is_some() {
            let mut t = 0.0;
            for &c in cats {
                t += self.cat_slope[c as usize];
                constant += self.cat_icpt[c as usize];
            }
            for ((l, b), th) in lp.iter_mut().zip(self.base).zip(&self.grid.theta) {
                *l = b + th * t;
            }
        } else if let Some(all) = self
            .all_right
            .as_ref()
            .filter(|_| 2 * cats.len() > self.pb.items.len())
        {
            // 0/1 items: local category i is item i, and `cats` ascends.
            lp.copy_from_slice(all);
            let mut right = cats.iter().peekable();
            for (i, &g) in self.pb.cat_global.iter().enumerate() {
                if right.peek().is_some_and(|&&c| c as usize == i) {
                    right.next();
                    continue;
                }
                for (l, d) in lp.iter_mut().zip(&self.tables.delta[g * nq..(g + 1) * nq]) {
                    *l -= d;
                }
            }
        } else {
            lp.copy_from_slice(self.base);
            for &c in cats {
                let at = self.pb.cat_global[c as usize] * nq;
                for (l, d) in lp.iter_mut().zip(&self.tables.delta[at..at + nq]) {
                    *l += d;
                }
            }
        }
        let max = lp.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let cut = max - WINDOW;
        let lo = lp.iter().position(|&v| v > cut).unwrap_or(0);
        let hi = nq - lp.iter().rev().position(|&v| v > cut).unwrap_or(0);
        let mut sum = 0.0;
        for (w, l) in self.post[lo..hi].iter_mut().zip(&lp[lo..hi]) {
            *w = (l - max).exp();
            sum += *w;
        }
        let inv = 1.0 / sum;
        for v in &mut self.post[lo..hi] {
            *v *= inv;
        }
        (lo, hi, max + sum.ln() + constant)
    }
}

fn rows(
    pb: &PreparedBlock<'_>,
    block_index: usize,
    tables: &Tables,
    grid: &Grid,
    base: &[f64],
    (start, end): (usize, usize),
) -> Partial {
    let nq = grid.len();
    let mut r = vec![0.0; pb.local_total * nq];
    let mut nodes = vec![0.0; nq];
    let mut loglik = 0.0;
    let mut kernel = Kernel::new(pb, tables, grid, base);
    for p in start..end {
        let (lo, hi, ll) = kernel.posterior(p);
        loglik += ll;
        let window = &kernel.post[lo..hi];
        for (n, w) in nodes[lo..hi].iter_mut().zip(window) {
            *n += w;
        }
        for &c in &pb.cats[pb.starts[p]..pb.starts[p + 1]] {
            let at = c as usize * nq;
            for (acc, w) in r[at + lo..at + hi].iter_mut().zip(window) {
                *acc += w;
            }
        }
    }
    Partial {
        block: block_index,
        r,
        nodes,
        loglik,
    }
}

/// Per calibrated item, its complete-data score `S_j(k, θ_q)` for each
/// response category `k = 0..=m` at each node, in the item's own
/// parameters: `values[j][(k·Q + q)·dim[j] + u]` (empty where the item's
/// missing information is not wanted).
#[derive(Debug, Clone)]
pub(crate) struct ItemScores {
    pub dim: Vec<usize>,
    pub values: Vec<Vec<f64>>,
}

/// Louis's (1982) missing information from one pass over the persons.
#[derive(Debug, Clone)]
pub(crate) struct Missing {
    /// Per item, `Σ_p Cov_{θ | x_p}(S_j(x_pj, θ))`, row-major `dim × dim`
    /// (empty for items without scores).
    pub items: Vec<Vec<f64>>,
    /// `Σ_p Var_{θ | x_p}(Σ_j S_j(x_pj, θ)_0)`: the missing information of a
    /// slope common to all items (parameter 0 of every item's score).
    pub common_slope: f64,
}

/// Louis's (1982) missing information for each item's own parameters,
/// `Σ_p Cov_{θ | x_p}(S_pj(θ))` with `S_pj(θ)` the complete-data score of
/// item `j` for person `p`'s response (from `scores`), and for a common
/// slope. Subtracted from the item's complete-data information (the exact
/// negative Hessian of its expected complete-data log-likelihood) it gives
/// the item's diagonal block of the observed information.
pub(crate) fn missing_information(
    blocks: &[PreparedBlock<'_>],
    layout: &Layout,
    tables: &Tables,
    grid: &Grid,
    scores: &ItemScores,
    parallel: bool,
) -> Missing {
    let nq = grid.len();
    let n_items = layout.m.len();
    let bases = block_bases(blocks, tables, grid);
    let tasks = block_tasks(blocks);
    let run = |&(b, start, end): &(usize, usize, usize)| {
        let pb = &blocks[b];
        let mut kernel = Kernel::new(pb, tables, grid, &bases[b]);
        let mut acc: Vec<Vec<f64>> = pb
            .items
            .iter()
            .map(|&j| vec![0.0; scores.dim[j].pow(2)])
            .collect();
        let mut common = 0.0;
        let mut slope_sum = vec![0.0; nq];
        let mut response = vec![0usize; pb.items.len()];
        let mut first = Vec::new();
        let mut second = Vec::new();
        for p in start..end {
            let (lo, hi, _) = kernel.posterior(p);
            let cats = &pb.cats[pb.starts[p]..pb.starts[p + 1]];
            for &c in cats {
                response[pb.cat_item[c as usize]] = pb.cat_score[c as usize] as usize;
            }
            slope_sum[lo..hi].fill(0.0);
            for (i, &j) in pb.items.iter().enumerate() {
                let dim = scores.dim[j];
                if dim == 0 {
                    continue;
                }
                let table = &scores.values[j][response[i] * nq * dim..];
                first.clear();
                first.resize(dim, 0.0);
                second.clear();
                second.resize(dim * dim, 0.0);
                for q in lo..hi {
                    let w = kernel.post[q];
                    let s = &table[q * dim..(q + 1) * dim];
                    slope_sum[q] += s[0];
                    for u in 0..dim {
                        first[u] += w * s[u];
                        for v in 0..dim {
                            second[u * dim + v] += w * s[u] * s[v];
                        }
                    }
                }
                for u in 0..dim {
                    for v in 0..dim {
                        acc[i][u * dim + v] += second[u * dim + v] - first[u] * first[v];
                    }
                }
            }
            let (mut m1, mut m2) = (0.0, 0.0);
            for (w, s) in kernel.post[lo..hi].iter().zip(&slope_sum[lo..hi]) {
                m1 += w * s;
                m2 += w * s * s;
            }
            common += m2 - m1 * m1;
            for &c in cats {
                response[pb.cat_item[c as usize]] = 0;
            }
        }
        (b, acc, common)
    };
    let partials: Vec<(usize, Vec<Vec<f64>>, f64)> = if parallel && tasks.len() > 1 {
        tasks.par_iter().map(run).collect()
    } else {
        tasks.iter().map(run).collect()
    };
    let mut out = Missing {
        items: (0..n_items)
            .map(|j| vec![0.0; scores.dim[j].pow(2)])
            .collect(),
        common_slope: 0.0,
    };
    for (b, acc, common) in partials {
        for (&j, a) in blocks[b].items.iter().zip(acc) {
            for (o, v) in out.items[j].iter_mut().zip(a) {
                *o += v;
            }
        }
        out.common_slope += common;
    }
    out
}
