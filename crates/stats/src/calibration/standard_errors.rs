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

use super::estep::missing_information;
use super::linalg::spd_inverse;
use super::mml::{Setup, State, Status};
use super::options::Model;
use rayon::prelude::*;

/// The covariance of the packed free parameters.
#[derive(Debug, Clone)]
pub(crate) enum Covariance {
    /// The inverse of the full observed information.
    Full { n: usize, values: Vec<f64> },
    /// Per packed parameter, its item's block and the position in it; the
    /// blocks are inverses of each item's own observed information (None
    /// where that is not positive definite). Covariances between items are
    /// not estimated.
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
                    return None;
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
/// (from the counts of an E-step at the estimates, with prior terms) less
/// its missing information (Louis 1982), inverted.
fn item_blocks(
    setup: &Setup<'_>,
    state: &State,
    n: usize,
    limit: usize,
) -> (Option<Covariance>, String) {
    if !matches!(setup.model(), Model::TwoPl | Model::Gpcm) {
        return (
            None,
            format!(
                "absent: {n} free parameters exceed the {limit} for the full observed information, and the item-block approximation covers the 2PL and GPCM only"
            ),
        );
    }
    let (counts, grid) = setup.e_step(state);
    let tables = setup.tables(state, &grid);
    if tables.linear.is_none() {
        return (
            None,
            "absent: item-block information needs anchors without a lower asymptote".to_owned(),
        );
    }
    let missing = missing_information(
        &setup.blocks,
        &setup.layout,
        &tables,
        &grid,
        setup.options.parallel,
    );
    let mut position = Vec::with_capacity(n);
    let mut blocks = Vec::new();
    let mut dims = Vec::new();
    for j in (0..setup.status.len()).filter(|&j| setup.status[j] == Status::Free) {
        let terms = setup.item_terms(&grid, &counts, j, &state.items[j]);
        let dim = terms.grad.len();
        let info: Vec<f64> = terms
            .info
            .iter()
            .zip(&missing[j])
            .map(|(c, m)| c - m)
            .collect();
        for p in 0..dim {
            position.push((blocks.len(), p));
        }
        blocks.push(spd_inverse(&info, dim));
        dims.push(dim);
    }
    (
        Some(Covariance::ItemBlocks {
            position,
            blocks,
            dims,
        }),
        format!(
            "item-block observed information (Louis 1982; {n} free parameters exceed the {limit} for the full matrix): covariances between items left out, so the errors are lower bounds"
        ),
    )
}

fn step(x: f64) -> f64 {
    1e-4 * x.abs().max(1.0)
}
