//! The EM iterations, accelerated by SQUAREM, and their stopping rule.

use super::CalibrationError;
use super::em_state::{Setup, State, logit};
use super::result::StopReason;
use exam_core::irt::IrtModel;

/// EM with SQUAREM (scheme S3 of Varadhan & Roland 2008): two EM steps give
/// `r = F(x) − x` and `v = F(F(x)) − 2F(x) + x`; the extrapolation
/// `x − 2αr + α²v` with `α = −‖r‖/‖v‖` (at most −1) is followed by one
/// stabilising EM step, and is dropped for the plain EM step whenever it
/// lowers the log-posterior.
pub(crate) fn run_em(
    setup: &Setup<'_>,
    mut state: State,
    progress: &mut dyn FnMut(usize, f64),
) -> Result<EmOutcome, CalibrationError> {
    let opts = setup.options;
    let mut iterations = 0;
    let mut max_change = f64::INFINITY;
    let mut slowest = None;
    while iterations < opts.max_iterations {
        let x0 = setup.pack(&state, true);
        let (s1, obj0) = setup.em(&state);
        let (change, item) = largest_change(setup, &state, &s1);
        max_change = change;
        slowest = item;
        iterations += 1;
        if !obj0.is_finite() {
            return Err(CalibrationError::NonFinite {
                iteration: iterations,
            });
        }
        progress(iterations, obj0);
        let x1 = setup.pack(&s1, true);
        if max_change < opts.tolerance {
            return Ok(EmOutcome {
                state: s1,
                iterations,
                reason: StopReason::ParameterChange,
                max_change,
                slowest,
            });
        }
        if !opts.accelerate || iterations + 2 > opts.max_iterations {
            state = s1;
            continue;
        }
        let (s2, obj1) = setup.em(&s1);
        iterations += 1;
        let x2 = setup.pack(&s2, true);
        let r: Vec<f64> = x1.iter().zip(&x0).map(|(a, b)| a - b).collect();
        let v: Vec<f64> = x2
            .iter()
            .zip(&x1)
            .zip(&r)
            .map(|((a, b), r)| a - b - r)
            .collect();
        let rr: f64 = r.iter().map(|x| x * x).sum();
        let vv: f64 = v.iter().map(|x| x * x).sum();
        let alpha = -(rr / vv).sqrt();
        if !alpha.is_finite() || alpha >= -1.0 {
            state = s2;
            continue;
        }
        let x_new: Vec<f64> = x0
            .iter()
            .zip(&r)
            .zip(&v)
            .map(|((x, r), v)| x - 2.0 * alpha * r + alpha * alpha * v)
            .collect();
        let extrapolated = setup.unpack(&x_new, &state, true);
        let (s3, obj_new) = setup.em(&extrapolated);
        iterations += 1;
        if obj_new.is_finite() && obj_new >= obj1 - 1e-12 * obj1.abs() {
            state = s3;
        } else {
            state = s2;
        }
    }
    Ok(EmOutcome {
        state,
        iterations,
        reason: StopReason::IterationLimit,
        max_change,
        slowest,
    })
}

pub(crate) struct EmOutcome {
    pub state: State,
    pub iterations: usize,
    pub reason: StopReason,
    pub max_change: f64,
    /// The item whose parameters moved most in the last EM step (None: the
    /// latent mean or SD).
    pub slowest: Option<usize>,
}

/// The largest parameter change between two states (slopes, intercepts,
/// `logit c`, latent mean and log SD), and the item it belongs to.
fn largest_change(setup: &Setup<'_>, from: &State, to: &State) -> (f64, Option<usize>) {
    let mut best = (0.0f64, None);
    for j in setup.free_items() {
        let (x, y) = (&from.items[j], &to.items[j]);
        let mut change = (x.a - y.a).abs();
        for (u, v) in x.d.iter().zip(&y.d) {
            change = change.max((u - v).abs());
        }
        if setup.model() == IrtModel::ThreePl {
            change = change.max((logit(x.c) - logit(y.c)).abs());
        }
        if change > best.0 {
            best = (change, Some(j));
        }
    }
    if setup.estimate_latent {
        let change = (from.mean - to.mean)
            .abs()
            .max((from.sd.ln() - to.sd.ln()).abs());
        if change > best.0 {
            best = (change, None);
        }
    }
    best
}
