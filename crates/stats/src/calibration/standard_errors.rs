//! Standard errors from the observed information matrix.
//!
//! By Fisher's identity the gradient of the marginal log-likelihood at `η`
//! is the gradient of the expected complete-data log-likelihood with the
//! E-step taken at `η`, so one E-step gives it exactly. The observed
//! information is minus the Jacobian of that gradient, taken here by central
//! differences (step `1e-4·max(1, |η_i|)`, two E-steps per parameter): the
//! quantity Oakes (1999) writes in closed form and mirt computes by the same
//! kind of differencing. Prior terms (3PL, MAP) are included, so the errors
//! are posterior standard deviations under the normal approximation. The
//! latent mean and SD of a fixed-item calibration are held at their
//! estimates.

use super::em_state::{ItemState, Setup, State, logit};
use super::estep::{Counts, Grid, ItemScores, missing_information};
use super::linalg::spd_inverse;
use exam_core::irt::IrtModel;
use exam_core::irt::logistic;
use rayon::prelude::*;

/// The covariance of the packed free parameters.
#[derive(Debug, Clone)]
pub(crate) enum Covariance {
    /// The inverse of the full observed information.
    Full { n: usize, values: Vec<f64> },
    /// Per packed parameter, its item's block and the position in it; the
    /// blocks are inverses of each item's own observed information (None
    /// where that is not positive definite). Covariances between blocks are
    /// ignored: taken as zero.
    ItemBlocks {
        position: Vec<(usize, usize)>,
        blocks: Vec<Option<Vec<f64>>>,
        dims: Vec<usize>,
    },
}

impl Covariance {
    /// Covariance of packed parameters `i` and `k`, when estimated.
    pub fn get(&self, i: usize, k: usize) -> Option<f64> {
        match self {
            Covariance::Full { n, values } => Some(values[i * n + k]),
            Covariance::ItemBlocks {
                position,
                blocks,
                dims,
            } => {
                let ((bi, pi), (bk, pk)) = (position[i], position[k]);
                if bi != bk {
                    return Some(0.0);
                }
                blocks[bi].as_ref().map(|b| b[pi * dims[bi] + pk])
            }
        }
    }
}

/// The covariance matrix of the packed free parameters, or why it is
/// absent, with a note of the method.
pub(crate) fn covariance(setup: &Setup<'_>, state: &State) -> (Option<Covariance>, String) {
    let x = setup.pack(state, false);
    let n = x.len();
    if n == 0 {
        return (None, "no free parameters".to_owned());
    }
    let limit = setup.options.full_information_max_parameters;
    if n > limit {
        return item_blocks(setup, state, n, limit);
    }
    let gradient_at = |i: usize, sign: f64| {
        let mut y = x.clone();
        y[i] += sign * step(x[i]);
        let s = setup.unpack(&y, state, false);
        let (counts, grid) = setup.e_step(&s);
        setup.gradient(&s, &grid, &counts)
    };
    let column = |i: usize| {
        let up = gradient_at(i, 1.0);
        let down = gradient_at(i, -1.0);
        let h = 2.0 * step(x[i]);
        up.iter()
            .zip(&down)
            .map(|(u, d)| (u - d) / h)
            .collect::<Vec<f64>>()
    };
    let columns: Vec<Vec<f64>> = if setup.options.parallel {
        (0..n).into_par_iter().map(column).collect()
    } else {
        (0..n).map(column).collect()
    };
    // Information = −Hessian, symmetrised.
    let mut info = vec![0.0; n * n];
    for i in 0..n {
        for k in 0..n {
            info[i * n + k] = -0.5 * (columns[k][i] + columns[i][k]);
        }
    }
    match spd_inverse(&info, n) {
        Some(values) => (
            Some(Covariance::Full { n, values }),
            "observed information (central differences of the analytic marginal gradient, as Oakes 1999)"
                .to_owned(),
        ),
        None => (
            None,
            "absent: the observed information matrix is not positive definite (the model is not identified at the estimates)"
                .to_owned(),
        ),
    }
}

/// Item-block covariances: each free item's complete-data information
/// (the exact negative Hessian of its expected complete-data
/// log-likelihood from the counts of an E-step at the estimates, with prior
/// terms) less its missing information (Louis 1982), inverted. 2PL and
/// GPCM blocks are `(a, d_1..d_m)`, 3PL blocks `(a, d, logit c)`; under the
/// common-slope model each item's intercepts form a block and the common
/// slope its own 1×1 block.
fn item_blocks(
    setup: &Setup<'_>,
    state: &State,
    n: usize,
    limit: usize,
) -> (Option<Covariance>, String) {
    let (counts, grid) = setup.e_step(state);
    let tables = setup.tables(state, &grid);
    let model = setup.model();
    let n_items = setup.status.len();
    let mut scores = ItemScores {
        dim: vec![0; n_items],
        values: vec![Vec::new(); n_items],
    };
    for j in setup.free_items() {
        let it = &state.items[j];
        let (dim, values) = if model == IrtModel::ThreePl {
            (3, three_pl_scores(&grid.theta, it))
        } else {
            (it.d.len() + 1, gpcm_scores(&grid.theta, it))
        };
        scores.dim[j] = dim;
        scores.values[j] = values;
    }
    let missing = missing_information(
        &setup.blocks,
        &setup.layout,
        &tables,
        &grid,
        &scores,
        setup.options.parallel,
    );
    let mut position = Vec::with_capacity(n);
    let mut blocks = Vec::new();
    let mut dims = Vec::new();
    let mut push = |info: Vec<f64>, dim: usize, blocks: &mut Vec<Option<Vec<f64>>>| {
        for p in 0..dim {
            position.push((blocks.len(), p));
        }
        blocks.push(spd_inverse(&info, dim));
        dims.push(dim);
    };
    let rasch = model == IrtModel::Rasch;
    if rasch {
        let complete: f64 = setup
            .free_items()
            .map(|j| setup.item_terms(&grid, &counts, j, &state.items[j]).info[0])
            .sum();
        push(vec![complete - missing.common_slope], 1, &mut blocks);
    }
    for j in setup.free_items() {
        let it = &state.items[j];
        let complete = if model == IrtModel::ThreePl {
            three_pl_complete_information(setup, &grid, &counts, j, it)
        } else {
            setup.item_terms(&grid, &counts, j, it).info
        };
        let dim = scores.dim[j];
        let info: Vec<f64> = complete
            .iter()
            .zip(&missing.items[j])
            .map(|(c, m)| c - m)
            .collect();
        if rasch {
            // The intercepts' block: drop row and column 0 (the slope).
            let sub: Vec<f64> = (1..dim)
                .flat_map(|u| (1..dim).map(move |v| (u, v)))
                .map(|(u, v)| info[u * dim + v])
                .collect();
            push(sub, dim - 1, &mut blocks);
        } else {
            push(info, dim, &mut blocks);
        }
    }
    let shape = match model {
        IrtModel::Rasch => "each item's intercepts, and the common slope on its own",
        IrtModel::ThreePl => "each item's (a, d, logit c) with the prior terms",
        IrtModel::TwoPl | IrtModel::Gpcm => "each item's (a, d)",
    };
    (
        Some(Covariance::ItemBlocks {
            position,
            blocks,
            dims,
        }),
        format!(
            "item-block observed information (Louis 1982: complete-data information less missing information, per block: {shape}; {n} free parameters exceed the {limit} for the full matrix): covariances between blocks are ignored (taken as zero), so the errors are lower bounds"
        ),
    )
}

/// GPCM (2PL, common-slope) complete-data scores in `(a, d_1..d_m)`:
/// `S(k, θ) = (θ·(k − E_θ[K]), 1[k = 1] − P_1(θ), .., 1[k = m] − P_m(θ))`.
fn gpcm_scores(theta: &[f64], it: &ItemState) -> Vec<f64> {
    let (m, nq) = (it.d.len(), theta.len());
    let dim = m + 1;
    let mut out = vec![0.0; (m + 1) * nq * dim];
    let mut prob = vec![0.0; m + 1];
    for (q, &th) in theta.iter().enumerate() {
        let z: Vec<f64> = (0..=m)
            .map(|k| {
                if k == 0 {
                    0.0
                } else {
                    it.a * k as f64 * th + it.d[k - 1]
                }
            })
            .collect();
        let max = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let sum: f64 = z.iter().map(|v| (v - max).exp()).sum();
        for (p, v) in prob.iter_mut().zip(&z) {
            *p = (v - max).exp() / sum;
        }
        let mean_k: f64 = prob.iter().enumerate().map(|(k, p)| k as f64 * p).sum();
        for k in 0..=m {
            let s = &mut out[(k * nq + q) * dim..(k * nq + q + 1) * dim];
            s[0] = th * (k as f64 - mean_k);
            for u in 1..=m {
                s[u] = f64::from(u8::from(k == u)) - prob[u];
            }
        }
    }
    out
}

/// 3PL complete-data scores in `(a, d, g = logit c)`:
/// `S(x, θ) = (x − P)/(P(1 − P))·∇P` with `P = c + (1 − c)·σ(aθ + d)`.
fn three_pl_scores(theta: &[f64], it: &ItemState) -> Vec<f64> {
    let nq = theta.len();
    let mut out = vec![0.0; 2 * nq * 3];
    let c = it.c;
    for (q, &th) in theta.iter().enumerate() {
        let sig = logistic(it.a * th + it.d[0]);
        let p = c + (1.0 - c) * sig;
        let one_minus_p = (1.0 - c) * (1.0 - sig);
        let ds = (1.0 - c) * sig * (1.0 - sig);
        let grad = [ds * th, ds, (1.0 - sig) * c * (1.0 - c)];
        for x in 0..2 {
            let w = (x as f64 - p) / (p * one_minus_p);
            for u in 0..3 {
                out[(x * nq + q) * 3 + u] = w * grad[u];
            }
        }
    }
    out
}

/// The 3PL item's exact complete-data negative Hessian in
/// `(a, d, logit c)` (prior terms included), by central differences of its
/// analytic gradient at fixed E-step counts (the Fisher-scoring matrix the
/// M-step uses is the expected, not the observed, information).
fn three_pl_complete_information(
    setup: &Setup<'_>,
    grid: &Grid,
    counts: &Counts,
    j: usize,
    it: &ItemState,
) -> Vec<f64> {
    let x = [it.a, it.d[0], logit(it.c)];
    let grad_at = |y: &[f64; 3]| {
        let s = ItemState {
            a: y[0],
            d: vec![y[1]],
            c: logistic(y[2]),
        };
        setup.item_terms(grid, counts, j, &s).grad
    };
    let mut jac = [[0.0; 3]; 3];
    for (k, row) in jac.iter_mut().enumerate() {
        let h = step(x[k]);
        let (mut up, mut down) = (x, x);
        up[k] += h;
        down[k] -= h;
        let (gu, gd) = (grad_at(&up), grad_at(&down));
        for i in 0..3 {
            row[i] = (gu[i] - gd[i]) / (2.0 * h);
        }
    }
    let mut info = vec![0.0; 9];
    for i in 0..3 {
        for k in 0..3 {
            info[i * 3 + k] = -0.5 * (jac[k][i] + jac[i][k]);
        }
    }
    info
}

fn step(x: f64) -> f64 {
    1e-4 * x.abs().max(1.0)
}
