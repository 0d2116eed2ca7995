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
//! Under Rasch and 2PL the log posterior is concave: Newton's method finds
//! the mode roughly, and the walk goes outward from it until the weights
//! are negligible. With some `c_j > 0` the posterior may have several modes,
//! so the whole grid is swept. A posterior that is not negligible at the
//! grid's edge is handed to the exact, extending computation.

use crate::eap::{HALF_WIDTH_SDS, TAIL, extended_moments, grid_step, weighted_moments};
use crate::prior::NormalPrior;
use crate::response::Response;
use exam_core::irt::{ItemParams, logistic};

/// One presented item, with what the walk needs.
struct Term {
    a: f64,
    b: f64,
    c: f64,
}

/// The walk's state at one node: `u_j` per presented item.
#[derive(Clone)]
struct State {
    k: i64,
    u: Vec<f64>,
}

struct Walk<'a> {
    terms: Vec<Term>,
    /// `(index into terms, c)` of correct items with `c > 0`: they enter
    /// `Π (c + u)`.
    guessing_correct: Vec<(usize, f64)>,
    up: Vec<f64>,
    down: Vec<f64>,
    prior: &'a NormalPrior,
    step: f64,
    s: f64,
    t: f64,
}

/// Products past these bounds are folded into a logarithm.
const BIG: f64 = 1e100;
const SMALL: f64 = 1e-100;

impl Walk<'_> {
    fn theta(&self, k: i64) -> f64 {
        self.prior.mean() + k as f64 * self.step
    }

    fn state(&self, k: i64) -> State {
        let theta = self.theta(k);
        State {
            k,
            u: self
                .terms
                .iter()
                .map(|t| (t.a * (theta - t.b)).exp())
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

    /// The log posterior (up to a constant) at the state's node; `None` if
    /// a `u_j` overflowed.
    fn log_post(&self, state: &State) -> Option<f64> {
        let theta = self.theta(state.k);
        // Four factors at a time between checks: each is below 1e26 unless
        // some a_j(θ − b_j) > 60, and then the sum turns non-finite and the
        // caller falls back to the exact computation.
        let (mut q, mut q_log) = (1.0f64, 0.0f64);
        let mut chunks = state.u.chunks_exact(4);
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
        let (mut p, mut p_log) = (1.0f64, 0.0f64);
        for &(j, c) in &self.guessing_correct {
            p *= c + state.u[j];
            if !(SMALL..=BIG).contains(&p) {
                p_log += p.ln();
                p = 1.0;
            }
        }
        let value = self.prior.log_density(theta) + theta * self.s - self.t + p_log + p.ln()
            - q_log
            - q.ln();
        value.is_finite().then_some(value)
    }
}

/// Posterior mean and variance of θ for one pattern (module docs).
pub(crate) fn eap_moments(
    items: &[ItemParams],
    responses: &[Response],
    prior: &NormalPrior,
) -> (f64, f64) {
    let step = grid_step(items, prior);
    let half = (HALF_WIDTH_SDS * prior.sd() / step).ceil() as i64;
    let mut terms = Vec::with_capacity(items.len());
    let mut guessing_correct = Vec::new();
    let (mut s, mut t) = (0.0, 0.0);
    for (item, r) in items.iter().zip(responses) {
        if *r == Response::NotPresented {
            continue;
        }
        let correct = *r == Response::Correct;
        if correct && item.c() <= 0.0 {
            s += item.a();
            t += item.a() * item.b();
        }
        if correct && item.c() > 0.0 {
            guessing_correct.push((terms.len(), item.c()));
        }
        terms.push(Term {
            a: item.a(),
            b: item.b(),
            c: item.c(),
        });
    }
    let linear = terms.iter().all(|t| t.c <= 0.0);
    let up: Vec<f64> = terms.iter().map(|t| (t.a * step).exp()).collect();
    let walk = Walk {
        down: up.iter().map(|f| 1.0 / f).collect(),
        up,
        terms,
        guessing_correct,
        prior,
        step,
        s,
        t,
    };
    let points = if linear {
        let mode = rough_mode(&walk);
        let start = ((mode - prior.mean()) / step)
            .round()
            .clamp(-half as f64, half as f64) as i64;
        walk_out(&walk, start, half)
    } else {
        sweep(&walk, half)
    };
    match points {
        Some(points) => weighted_moments(&points),
        None => extended_moments(items, responses, prior, step),
    }
}

/// The mode of a concave log posterior to about 0.02, by Newton's method
/// with steps of at most 2 (exactness is not needed: the walk starts there).
fn rough_mode(walk: &Walk<'_>) -> f64 {
    let precision = 1.0 / (walk.prior.sd() * walk.prior.sd());
    let mut theta = walk.prior.mean();
    for _ in 0..30 {
        let (mut d1, mut d2) = (walk.s - (theta - walk.prior.mean()) * precision, -precision);
        for term in &walk.terms {
            let l = logistic(term.a * (theta - term.b));
            d1 -= term.a * l;
            d2 -= term.a * term.a * l * (1.0 - l);
        }
        let step = (-d1 / d2).clamp(-2.0, 2.0);
        theta += step;
        if step.abs() < 0.02 {
            break;
        }
    }
    theta
}

/// From `start`, right then left, until the log posterior falls `TAIL`
/// below the largest value seen; `None` past the grid's edge or on overflow.
fn walk_out(walk: &Walk<'_>, start: i64, half: i64) -> Option<Vec<(f64, f64)>> {
    let mut points = Vec::new();
    let first = walk.state(start);
    let mut max = f64::NEG_INFINITY;
    for forward in [true, false] {
        let mut state = first.clone();
        if !forward {
            walk.advance(&mut state, false);
        }
        loop {
            if state.k.abs() > half {
                return None;
            }
            let l = walk.log_post(&state)?;
            max = max.max(l);
            if l < max - TAIL {
                break;
            }
            points.push((walk.theta(state.k), l));
            walk.advance(&mut state, forward);
        }
    }
    Some(points)
}

/// Every node of the grid; `None` if the weight at an edge is not
/// negligible or on overflow.
fn sweep(walk: &Walk<'_>, half: i64) -> Option<Vec<(f64, f64)>> {
    let mut state = walk.state(-half);
    let mut points = Vec::with_capacity(2 * half as usize + 1);
    loop {
        points.push((walk.theta(state.k), walk.log_post(&state)?));
        if state.k == half {
            break;
        }
        walk.advance(&mut state, true);
    }
    let max = points.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max);
    let edge = points[0].1.max(points[points.len() - 1].1);
    (edge < max - TAIL).then_some(points)
}
