//! A quasi-Newton polish of the marginal objective after EM stalls.
//!
//! Bock–Aitkin EM converges linearly, and where the likelihood is flat
//! (the 3PL without priors, an asymptote running to zero) its steps
//! become too small for the parameter-change rule while the gradient is
//! still far from zero. The polish then maximises the same objective, the
//! marginal log-likelihood (ML) or log-posterior (MAP), directly by
//! L-BFGS-B (Byrd, Lu, Nocedal & Zhu 1995, *SIAM J. Sci. Comput.* 16,
//! 1190–1208; the `rcompat-lbfgsb` crate, R's `optim` method) with the
//! analytic gradient: by Fisher's identity the gradient of the marginal
//! log-likelihood equals the gradient of the expected complete-data
//! log-likelihood at the E-step's own parameters
//! ([`Setup::gradient`]), so each evaluation is one E-step.
//!
//! The coordinates are the free item parameters in the order of
//! [`Setup::pack`], with the 3PL's lower asymptote as `c` itself (not its
//! logit, whose gradient vanishes as `c` goes to zero), inside the box the
//! EM keeps them in: slopes in `[slope_min, 20]`, intercepts in `[−50, 50]`,
//! `c` in `[logistic(−30), logistic(4)]`. A parameter that ends on a face
//! of the box is reported by the calibration's `at_bound` flag; nothing is
//! clamped after the fact. The latent mean and SD (fixed-item calibration)
//! are not in the coordinates, so the polish runs only when they are fixed.

use super::em_state::{INTERCEPT_BOUND, LOGIT_C_BOUNDS, SLOPE_BOUND, Setup, State, logit};
use exam_core::irt::{IrtModel, logistic};
use rcompat_lbfgsb::{Bounds, OptimControl, optim_lbfgsb_with_gradient};
use serde::{Deserialize, Serialize};
use std::cell::RefCell;

/// The largest projected gradient per person the polish aims at (its
/// stopping rule; convergence is accepted at
/// [`super::result::MAX_GRADIENT`]).
const TARGET_GRADIENT: f64 = 1e-6;
/// L-BFGS-B iterations allowed.
const MAX_ITERATIONS: usize = 500;
/// Correction pairs kept by L-BFGS-B.
const HISTORY: usize = 10;
/// Relative reduction of the objective below which L-BFGS-B stops, in
/// units of the machine epsilon: about 2e-14, so that in practice the
/// gradient rule stops it.
const REDUCTION_FACTOR: f64 = 100.0;
/// The smallest slope of the Rasch model's common slope (as the M-step).
const COMMON_SLOPE_MIN: f64 = 0.01;

/// What the polish did (part of the calibration's convergence report).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Polish {
    /// E-steps evaluated (each gives the objective and its gradient).
    pub evaluations: usize,
    /// Why L-BFGS-B stopped, in its own words (for instance
    /// `CONVERGENCE: NORM OF PROJECTED GRADIENT <= PGTOL`).
    pub message: String,
    /// How much the polish raised the objective over the EM's estimates.
    pub gain: f64,
}

/// The box of the coordinates: `(lower, upper)`.
pub(crate) fn bounds(setup: &Setup<'_>) -> (Vec<f64>, Vec<f64>) {
    let model = setup.model();
    let (mut lower, mut upper) = (Vec::new(), Vec::new());
    let mut push = |lo: f64, hi: f64| {
        lower.push(lo);
        upper.push(hi);
    };
    if model == IrtModel::Rasch && setup.free_items().next().is_some() {
        push(COMMON_SLOPE_MIN, SLOPE_BOUND);
    }
    for j in setup.free_items() {
        if model != IrtModel::Rasch {
            push(setup.slope_min(), SLOPE_BOUND);
        }
        for _ in 0..setup.layout.m[j] {
            push(-INTERCEPT_BOUND, INTERCEPT_BOUND);
        }
        if model == IrtModel::ThreePl {
            push(logistic(LOGIT_C_BOUNDS.0), logistic(LOGIT_C_BOUNDS.1));
        }
    }
    (lower, upper)
}

/// The 3PL's `c` coordinates: every third (`(a, d, c)` per free item).
fn c_positions(setup: &Setup<'_>, n: usize) -> impl Iterator<Item = usize> {
    let three = setup.model() == IrtModel::ThreePl;
    (2..n).step_by(3).filter(move |_| three)
}

/// The coordinates of `state`.
pub(crate) fn coordinates(setup: &Setup<'_>, state: &State) -> Vec<f64> {
    let mut x = setup.pack(state, false);
    for i in c_positions(setup, x.len()).collect::<Vec<_>>() {
        x[i] = logistic(x[i]);
    }
    x
}

/// The state at coordinates `x` (fixed and excluded items from `base`).
fn state_at(setup: &Setup<'_>, x: &[f64], base: &State) -> State {
    let mut v = x.to_vec();
    for i in c_positions(setup, v.len()).collect::<Vec<_>>() {
        v[i] = logit(v[i]);
    }
    setup.unpack(&v, base, false)
}

/// The objective (log-likelihood plus log prior) at `state` and its
/// gradient in the coordinates.
pub(crate) fn objective(setup: &Setup<'_>, state: &State) -> (f64, Vec<f64>) {
    let (counts, grid) = setup.e_step(state);
    let value = counts.loglik + setup.log_prior(state);
    let mut gradient = setup.gradient(state, &grid, &counts);
    // ∂/∂c = ∂/∂(logit c) / (c (1 − c)).
    for (i, j) in c_positions(setup, gradient.len()).zip(setup.free_items()) {
        let c = state.items[j].c;
        gradient[i] /= c * (1.0 - c);
    }
    (value, gradient)
}

/// The gradient with the components of coordinates on a face of the box
/// that point out of it set to zero (the projected gradient of an ascent:
/// zero at a constrained maximum).
pub(crate) fn projected(
    x: &[f64],
    gradient: &[f64],
    (lower, upper): &(Vec<f64>, Vec<f64>),
) -> Vec<f64> {
    x.iter()
        .zip(gradient)
        .zip(lower.iter().zip(upper))
        .map(|((&x, &g), (&lo, &hi))| {
            let at_lower = x - lo <= 1e-12 * (1.0 + lo.abs());
            let at_upper = hi - x <= 1e-12 * (1.0 + hi.abs());
            if (at_lower && g < 0.0) || (at_upper && g > 0.0) {
                0.0
            } else {
                g
            }
        })
        .collect()
}

/// Largest absolute component of the projected gradient of the objective
/// at `state`, per person.
pub(crate) fn max_projected_gradient(setup: &Setup<'_>, state: &State, n_persons: usize) -> f64 {
    let x = coordinates(setup, state);
    let (_, gradient) = objective(setup, state);
    projected(&x, &gradient, &bounds(setup))
        .iter()
        .fold(
            0.0f64,
            |m, g| if g.is_nan() { f64::NAN } else { m.max(g.abs()) },
        )
        / n_persons as f64
}

/// The minimised function's value and gradient at a point.
struct Evaluation {
    at: Vec<f64>,
    value: f64,
    gradient: Vec<f64>,
}

/// Maximises the objective from `state` by L-BFGS-B within the box; the
/// new state and what was done, or why L-BFGS-B could not run (the state
/// is then kept).
pub(crate) fn polish(
    setup: &Setup<'_>,
    state: &State,
    n_persons: usize,
) -> Result<(State, Polish), String> {
    let scale = n_persons as f64;
    let x0 = coordinates(setup, state);
    let (lower, upper) = bounds(setup);
    let box_ = Bounds::new(lower, upper).map_err(|e| e.to_string())?;
    // The last evaluation, so that the objective and the gradient at one
    // point take one E-step.
    let cache: RefCell<Option<Evaluation>> = RefCell::new(None);
    let evaluations = RefCell::new(0usize);
    let evaluate = |x: &[f64]| -> (f64, Vec<f64>) {
        if let Some(last) = cache.borrow().as_ref() {
            if last.at.as_slice() == x {
                return (last.value, last.gradient.clone());
            }
        }
        *evaluations.borrow_mut() += 1;
        let (value, gradient) = objective(setup, &state_at(setup, x, state));
        // Minimised: the negative objective per person.
        let value = -value / scale;
        let gradient: Vec<f64> = gradient.iter().map(|g| -g / scale).collect();
        *cache.borrow_mut() = Some(Evaluation {
            at: x.to_vec(),
            value,
            gradient: gradient.clone(),
        });
        (value, gradient)
    };
    let start = evaluate(&x0).0;
    let mut control = OptimControl::default_for_dimension(x0.len());
    control.maxit = MAX_ITERATIONS;
    control.pgtol = TARGET_GRADIENT;
    control.factr = REDUCTION_FACTOR;
    control.lmm = HISTORY;
    let result =
        optim_lbfgsb_with_gradient(x0, box_, |x| evaluate(x).0, |x| evaluate(x).1, control)
            .map_err(|e| e.to_string())?;
    let evaluations = *evaluations.borrow();
    Ok((
        state_at(setup, &result.par, state),
        Polish {
            evaluations,
            message: result.message,
            gain: (start - result.value) * scale,
        },
    ))
}
