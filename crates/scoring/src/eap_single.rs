//! EAP for a single pattern without per-form tables: the same trapezoidal
//! grid as [`mod@crate::eap`] (same spacing, same `1e-13` weight cut-off), with
//! the likelihood evaluated only at the nodes that carry weight.
//!
//! Along the grid `θ_k = μ + kh`, each item's `u_j = exp(a_j(θ − b_j))`
//! moves by the constant factor `exp(±a_j h)` from node to node, so after
//! one exponential per item at the start, a node costs a few multiplications
//! per item: with `ln(1 + u)` = `−ln Q_j` up to a constant,
//! `ln P_j = ln(c_j + u_j) − ln(1 + u_j)` and `ln Q_j = ln(1 − c_j) −
//! ln(1 + u_j)`, the log posterior at a node is
//! `ln g(θ) + θ·S − T + ln Π_{correct, c>0}(c_j + u_j) − ln Π_{presented}(1 + u_j)`
//! plus a constant, where `S` and `T` sum `a_j` and `a_j b_j` over correct
//! items with `c_j = 0`. Products are renormalised through a logarithm
//! before they can overflow or underflow.
//!
//! Newton's method finds the posterior mode roughly, and the walk goes
//! outward from it. Under Rasch and 2PL the log posterior is concave, so the
//! walk stops where it falls `TAIL` below its maximum. With some `c_j > 0`
//! the posterior may have several modes, and the walk stops only where a
//! bound guarantees that nothing further out matters: every `ln P_j` rises
//! and every `ln Q_j` falls with θ, so to the right of `θ0` the log
//! posterior is at most `ln g(max(θ0, μ)) + Σ_incorrect ln Q_j(θ0)`, and to
//! its left at most `ln g(min(θ0, μ)) + Σ_correct ln P_j(θ0)`. A posterior
//! that is not negligible at the grid's edge is handed to the exact,
//! extending computation.

use crate::ability::AbilityError;
use crate::eap::{HALF_WIDTH_SDS, TAIL, extended_moments, grid_step, weighted_moments};
use crate::item_response::Response;
use crate::likelihood::slope_and_curvature;
use crate::prior::NormalPrior;
use exam_core::irt::ItemParams;

/// The log posterior at a node, split for the tail bounds.
struct Node {
    theta: f64,
    /// `ln g(θ) + Σ_correct ln P_j + Σ_incorrect ln Q_j`.
    value: f64,
    /// `Σ_correct ln P_j(θ)`.
    correct: f64,
    /// `Σ_incorrect ln Q_j(θ)`.
    incorrect: f64,
}

/// The presented items of one pattern, correct ones first, with the
/// per-node factors of the walk.
struct Walk<'a> {
    a: Vec<f64>,
    b: Vec<f64>,
    n_correct: usize,
    /// `(index, c)` of correct items with `c > 0`: they enter `Π (c + u)`.
    guessing_correct: Vec<(usize, f64)>,
    up: Vec<f64>,
    down: Vec<f64>,
    prior: &'a NormalPrior,
    step: f64,
    /// `Σ a_j` and `Σ a_j b_j` over correct items with `c = 0`.
    s: f64,
    t: f64,
    /// `Σ_incorrect ln(1 − c_j)`.
    incorrect_constant: f64,
}

/// The walk's position: node index `k` and `u_j` per presented item.
#[derive(Clone)]
struct State {
    k: i64,
    u: Vec<f64>,
}

/// Products past these bounds are folded into a logarithm.
const BIG: f64 = 1e100;
const SMALL: f64 = 1e-100;

/// `Σ ln(1 + u_j)`, multiplying four factors at a time between checks:
/// each is below 1e26 unless some `a_j(θ − b_j) > 60`, and then the result
/// may turn non-finite and the caller falls back to the exact computation.
fn sum_log_one_plus(u: &[f64]) -> f64 {
    let (mut q, mut q_log) = (1.0f64, 0.0f64);
    let mut chunks = u.chunks_exact(4);
    for u in &mut chunks {
        q *= ((1.0 + u[0]) * (1.0 + u[1])) * ((1.0 + u[2]) * (1.0 + u[3]));
        if q > BIG {
            q_log += q.ln();
            q = 1.0;
        }
    }
    for u in chunks.remainder() {
        q *= 1.0 + u;
    }
    q_log + q.ln()
}

impl Walk<'_> {
    fn theta(&self, k: i64) -> f64 {
        self.prior.mean() + k as f64 * self.step
    }

    fn state(&self, k: i64) -> State {
        let theta = self.theta(k);
        State {
            k,
            u: self
                .a
                .iter()
                .zip(&self.b)
                .map(|(a, b)| (a * (theta - b)).exp())
                .collect(),
        }
    }

    fn advance(&self, state: &mut State, forward: bool) {
        let factors = if forward { &self.up } else { &self.down };
        for (u, f) in state.u.iter_mut().zip(factors) {
            *u *= f;
        }
        state.k += if forward { 1 } else { -1 };
    }

    /// The log posterior at the state's node; `None` on overflow.
    fn node(&self, state: &State) -> Option<Node> {
        let theta = self.theta(state.k);
        let (u_correct, u_incorrect) = state.u.split_at(self.n_correct);
        let (mut p, mut p_log) = (1.0f64, 0.0f64);
        for &(j, c) in &self.guessing_correct {
            p *= c + state.u[j];
            if !(SMALL..=BIG).contains(&p) {
                p_log += p.ln();
                p = 1.0;
            }
        }
        let correct = theta * self.s - self.t + p_log + p.ln() - sum_log_one_plus(u_correct);
        let incorrect = self.incorrect_constant - sum_log_one_plus(u_incorrect);
        let value = self.prior.log_density(theta) + correct + incorrect;
        value.is_finite().then_some(Node {
            theta,
            value,
            correct,
            incorrect,
        })
    }
}

/// Posterior mean and variance of θ for one pattern (module docs).
pub(crate) fn eap_moments(
    items: &[ItemParams],
    responses: &[Response],
    prior: &NormalPrior,
) -> Result<(f64, f64), AbilityError> {
    let step = grid_step(items, prior);
    let half = (HALF_WIDTH_SDS * prior.sd() / step).ceil() as i64;
    let presented = || {
        items
            .iter()
            .zip(responses)
            .filter(|(_, r)| **r != Response::NotPresented)
    };
    let ordered: Vec<(&ItemParams, bool)> = presented()
        .filter(|(_, r)| **r == Response::Correct)
        .chain(presented().filter(|(_, r)| **r == Response::Incorrect))
        .map(|(i, r)| (i, *r == Response::Correct))
        .collect();
    let n_correct = ordered.iter().filter(|(_, correct)| *correct).count();
    let (mut s, mut t, mut incorrect_constant) = (0.0, 0.0, 0.0);
    let mut guessing_correct = Vec::new();
    for (j, (item, correct)) in ordered.iter().enumerate() {
        match (correct, item.c() > 0.0) {
            (true, true) => guessing_correct.push((j, item.c())),
            (true, false) => {
                s += item.a();
                t += item.a() * item.b();
            }
            (false, _) => incorrect_constant += (1.0 - item.c()).ln(),
        }
    }
    let concave = ordered.iter().all(|(i, _)| i.c() <= 0.0);
    let up: Vec<f64> = ordered.iter().map(|(i, _)| (i.a() * step).exp()).collect();
    let walk = Walk {
        a: ordered.iter().map(|(i, _)| i.a()).collect(),
        b: ordered.iter().map(|(i, _)| i.b()).collect(),
        n_correct,
        guessing_correct,
        down: up.iter().map(|f| 1.0 / f).collect(),
        up,
        prior,
        step,
        s,
        t,
        incorrect_constant,
    };
    let mode = rough_mode(items, responses, prior);
    let start = ((mode - prior.mean()) / step)
        .round()
        .clamp(-half as f64, half as f64) as i64;
    match walk_out(&walk, start, half, concave) {
        Some(points) => Ok(weighted_moments(&points)),
        None => extended_moments(items, responses, prior, step),
    }
}

/// The posterior mode roughly (to about 0.02; the walk only starts there),
/// by Newton's method with steps of at most 2, or a step of 0.5 uphill where
/// the log posterior is not concave.
fn rough_mode(items: &[ItemParams], responses: &[Response], prior: &NormalPrior) -> f64 {
    let precision = 1.0 / (prior.sd() * prior.sd());
    let mut theta = prior.mean();
    for _ in 0..30 {
        let (d1, d2) = slope_and_curvature(items, responses, theta);
        let d1 = d1 - (theta - prior.mean()) * precision;
        let d2 = d2 - precision;
        let step = if d2 < 0.0 {
            (-d1 / d2).clamp(-2.0, 2.0)
        } else {
            0.5 * d1.signum()
        };
        theta += step;
        if step.abs() < 0.02 {
            break;
        }
    }
    theta
}

/// From `start`, right then left, collecting `(θ, log posterior)` until
/// nothing further out can carry weight: for a `concave` log posterior,
/// once it is `TAIL` below the largest value seen; otherwise once the tail
/// bound of the module docs is. `None` past the grid's edge or on overflow.
fn walk_out(walk: &Walk<'_>, start: i64, half: i64, concave: bool) -> Option<Vec<(f64, f64)>> {
    let mut points = Vec::new();
    let first = walk.state(start);
    let mut max = f64::NEG_INFINITY;
    let mean = walk.prior.mean();
    for forward in [true, false] {
        let mut state = first.clone();
        if !forward {
            walk.advance(&mut state, false);
        }
        loop {
            if state.k.abs() > half {
                return None;
            }
            let node = walk.node(&state)?;
            max = max.max(node.value);
            points.push((node.theta, node.value));
            let bound = match (concave, forward) {
                (true, _) => node.value,
                (false, true) => walk.prior.log_density(node.theta.max(mean)) + node.incorrect,
                (false, false) => walk.prior.log_density(node.theta.min(mean)) + node.correct,
            };
            if bound < max - TAIL {
                break;
            }
            walk.advance(&mut state, forward);
        }
    }
    Some(points)
}
