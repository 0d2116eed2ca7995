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

use super::linalg::spd_inverse;
use super::mml::{Setup, State};
use rayon::prelude::*;

/// Above this many free parameters the full information matrix (two
/// E-steps per parameter, a dense inverse) is not attempted.
pub(crate) const MAX_PARAMETERS: usize = 1000;

/// The covariance matrix of the packed free parameters, or why it is
/// absent, with a note of the method.
pub(crate) fn covariance(setup: &Setup<'_>, state: &State) -> (Option<Vec<f64>>, String) {
    let x = setup.pack(state, false);
    let n = x.len();
    if n == 0 {
        return (None, "no free parameters".to_owned());
    }
    if n > MAX_PARAMETERS {
        return (
            None,
            format!(
                "absent: {n} free parameters exceed the {MAX_PARAMETERS} for which the full observed information is computed"
            ),
        );
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
        Some(cov) => (
            Some(cov),
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

fn step(x: f64) -> f64 {
    1e-4 * x.abs().max(1.0)
}
