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
    /// `δ_j(k, q)` at `[(off_j + k − 1) * Q + q]` (3PL kernel only).
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
    cat_item: Vec<usize>,
    cat_score: Vec<f64>,
    cat_global: Vec<usize>,
    /// Person `p`'s local categories are `cats[starts[p]..starts[p + 1]]`.
    starts: Vec<usize>,
    cats: Vec<u32>,
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
    // Per block: log w_q + Σ_j log P_j(0 | θ_q).
    let bases: Vec<Vec<f64>> = blocks
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
        .collect();
    let tasks: Vec<(usize, usize, usize)> = blocks
        .iter()
        .enumerate()
        .flat_map(|(b, pb)| {
            let n = pb.block.n_persons();
            (0..n.div_ceil(CHUNK_ROWS))
                .map(move |c| (b, c * CHUNK_ROWS, ((c + 1) * CHUNK_ROWS).min(n)))
        })
        .collect();
    let run = |&(b, start, end): &(usize, usize, usize)| {
        rows(&blocks[b], b, tables, grid, &bases[b], start, end)
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

#[allow(clippy::too_many_arguments)]
fn rows(
    pb: &PreparedBlock<'_>,
    block_index: usize,
    tables: &Tables,
    grid: &Grid,
    base: &[f64],
    start: usize,
    end: usize,
) -> Partial {
    let nq = grid.len();
    let mut r = vec![0.0; pb.local_total * nq];
    let mut nodes = vec![0.0; nq];
    let mut lp = vec![0.0; nq];
    let mut post = vec![0.0; nq];
    let mut loglik = 0.0;
    // Per local category: slope times score and intercept (linear kernel).
    let (cat_slope, cat_icpt): (Vec<f64>, Vec<f64>) = match &tables.linear {
        Some(lin) => (0..pb.cat_item.len())
            .map(|c| {
                (
                    lin.slope[pb.items[pb.cat_item[c]]] * pb.cat_score[c],
                    lin.intercept[pb.cat_global[c]],
                )
            })
            .unzip(),
        None => (Vec::new(), Vec::new()),
    };
    for p in start..end {
        let cats = &pb.cats[pb.starts[p]..pb.starts[p + 1]];
        let mut constant = 0.0;
        if tables.linear.is_some() {
            let mut t = 0.0;
            for &c in cats {
                t += cat_slope[c as usize];
                constant += cat_icpt[c as usize];
            }
            for ((l, b), th) in lp.iter_mut().zip(base).zip(&grid.theta) {
                *l = b + th * t;
            }
        } else {
            lp.copy_from_slice(base);
            for &c in cats {
                let at = pb.cat_global[c as usize] * nq;
                for (l, d) in lp.iter_mut().zip(&tables.delta[at..at + nq]) {
                    *l += d;
                }
            }
        }
        let max = lp.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let cut = max - WINDOW;
        let lo = lp.iter().position(|&v| v > cut).unwrap_or(0);
        let hi = nq - lp.iter().rev().position(|&v| v > cut).unwrap_or(0);
        let mut sum = 0.0;
        for q in lo..hi {
            let e = (lp[q] - max).exp();
            post[q] = e;
            sum += e;
        }
        loglik += max + sum.ln() + constant;
        let inv = 1.0 / sum;
        for q in lo..hi {
            post[q] *= inv;
            nodes[q] += post[q];
        }
        let window = &post[lo..hi];
        for &c in cats {
            let at = c as usize * nq;
            for (acc, p) in r[at + lo..at + hi].iter_mut().zip(window) {
                *acc += p;
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
