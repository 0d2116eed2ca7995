//! Standard errors from the observed information matrix.
//!
//! The observed information is computed exactly by Louis's (1982)
//! identity: the complete-data information (the exact negative Hessian of
//! the expected complete-data log-posterior; the 3PL's by central
//! differences of its analytic gradient at fixed counts) less the missing
//! information `Σ_p Cov_{θ | x_p}(S_p(θ))` of all item parameters, in one
//! pass over the persons ([`super::louis`]). This is the matrix Oakes
//! (1999) writes as the sum of the two second derivatives of `Q(η′ | η)`;
//! it is not the cross-product of per-person scores.
//!
//! The test oracle (unit tests) is the numerical matrix: by Fisher's
//! identity the gradient of the marginal log-posterior at `η` is the
//! gradient of the expected complete-data log-posterior with the E-step
//! taken at `η`, and minus its Jacobian by central differences (step
//! `1e-4·max(1, |η_i|)`, two E-steps per parameter) is the information, as
//! mirt computes Oakes' matrix.
//!
//! Prior terms (3PL, MAP) are included in both, so the errors are
//! posterior standard deviations under the normal approximation. The
//! latent mean and SD of a fixed-item calibration are held at their
//! estimates.

use super::em_state::{ItemState, Setup, State, logit};
use super::estep::{Counts, Grid, ItemScores, missing_information};
use super::linalg::{cholesky_in_place, dot, inverse_factor_transposed, spd_inverse};
use super::louis::{self, ParameterLayout};
use exam_core::irt::IrtModel;
use exam_core::irt::logistic;

/// The covariance of the packed free parameters.
#[derive(Debug, Clone)]
pub(crate) enum Covariance {
    /// The inverse of the full observed information `I = L Lᵀ`, kept as
    /// `Xᵀ` for `X = L⁻¹` (row-major `n × n`, row `i` zero before `i`):
    /// `Cov(i, k) = Σ_{m ≥ max(i, k)} X_mi X_mk`.
    Full { n: usize, inverse_factor: Vec<f64> },
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
            Covariance::Full { n, inverse_factor } => {
                let (row, m) = (|r: usize| &inverse_factor[r * n..(r + 1) * n], i.max(k));
                Some(dot(&row(i)[m..], &row(k)[m..]))
            }
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

/// Bytes the full information may take at its peak (1 GiB); above it the
/// errors come from item blocks.
const FULL_INFORMATION_MAX_BYTES: u64 = 1 << 30;

/// The covariance matrix of the packed free parameters, or why it is
/// absent, with a note of the method: the full matrix up to
/// [`super::CalibrationOptions::full_information_max_parameters`] and
/// [`FULL_INFORMATION_MAX_BYTES`] (estimated before anything is
/// allocated), item blocks beyond.
pub(crate) fn covariance(setup: &Setup<'_>, state: &State) -> (Option<Covariance>, String) {
    let x = setup.pack(state, false);
    let n = x.len();
    if n == 0 {
        return (None, "no free parameters".to_owned());
    }
    let limit = setup.options.full_information_max_parameters;
    if n > limit {
        let why = format!("{n} free parameters exceed the {limit} for the full matrix");
        return item_blocks(setup, state, n, &why);
    }
    let layout = louis_layout(setup, state);
    let bytes = full_information_bytes(setup, state, &layout, n);
    if bytes > FULL_INFORMATION_MAX_BYTES {
        let why = format!(
            "the full matrix of {n} free parameters would need {} MiB, over the {} MiB allowed",
            bytes >> 20,
            FULL_INFORMATION_MAX_BYTES >> 20
        );
        return item_blocks(setup, state, n, &why);
    }
    let (mut info, method) = information(setup, state, &x, &layout);
    let parallel = setup.options.parallel;
    if cholesky_in_place(&mut info, n, parallel) {
        let inverse_factor = inverse_factor_transposed(&info, n, parallel);
        (
            Some(Covariance::Full { n, inverse_factor }),
            method.to_owned(),
        )
    } else {
        (
            None,
            "absent: the observed information matrix is not positive definite (the model is not identified at the estimates)"
                .to_owned(),
        )
    }
}

/// Peak bytes of the full information: Louis's pass
/// ([`louis::bytes_needed`]), under Rasch the packed matrix besides the
/// item-space one, and the inverse factor.
fn full_information_bytes(setup: &Setup<'_>, state: &State, layout: &LouisLayout, n: usize) -> u64 {
    let square = |k: usize| (k as u64).saturating_mul(k as u64).saturating_mul(8);
    let pass = louis::bytes_needed(
        &setup.blocks,
        setup.options.quadrature_points,
        &state.items,
        &layout.items,
        setup.model() == IrtModel::ThreePl,
        setup.options.parallel,
    );
    let packed = if layout.items.n == n { 0 } else { square(n) };
    pass.saturating_add(packed).saturating_add(square(n))
}

/// The observed information of the packed parameters `x` by central
/// differences of the marginal gradient (two E-steps per parameter),
/// symmetrised: the test oracle.
#[cfg(test)]
fn numerical_information(setup: &Setup<'_>, state: &State, x: &[f64]) -> Vec<f64> {
    use rayon::prelude::*;
    let n = x.len();
    let gradient_at = |i: usize, sign: f64| {
        let mut y = x.to_vec();
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
    let mut info = vec![0.0; n * n];
    for i in 0..n {
        for k in 0..n {
            info[i * n + k] = -0.5 * (columns[k][i] + columns[i][k]);
        }
    }
    info
}

/// Where Louis's pass puts each free item's parameters (item space:
/// each free item's `a, d_1..d_m`, 3PL `a, d, logit c`), and the packed
/// position of each.
struct LouisLayout {
    items: ParameterLayout,
    /// Packed position per item-space parameter (under the common-slope
    /// model every slope is the one packed slope).
    packed: Vec<usize>,
}

fn louis_layout(setup: &Setup<'_>, state: &State) -> LouisLayout {
    let rasch = setup.model() == IrtModel::Rasch;
    let three_pl = setup.model() == IrtModel::ThreePl;
    let mut offset = vec![None; setup.status.len()];
    let mut packed = Vec::new();
    let mut next = usize::from(rasch);
    for j in setup.free_items() {
        offset[j] = Some(packed.len());
        if rasch {
            packed.push(0);
        } else {
            packed.push(next);
            next += 1;
        }
        for _ in 0..state.items[j].d.len() + usize::from(three_pl) {
            packed.push(next);
            next += 1;
        }
    }
    LouisLayout {
        items: ParameterLayout {
            offset,
            n: packed.len(),
        },
        packed,
    }
}

/// The exact observed information of the `n` packed parameters by Louis's
/// identity: each free item's complete-data information (with its priors)
/// on the diagonal, less the missing information of all item parameters
/// together.
fn louis_information(setup: &Setup<'_>, state: &State, layout: &LouisLayout, n: usize) -> Vec<f64> {
    let (counts, grid) = setup.e_step(state);
    let tables = setup.tables(state, &grid);
    let three_pl = setup.model() == IrtModel::ThreePl;
    let packed = &layout.packed;
    let mut missing = louis::missing_information(
        &setup.blocks,
        &tables,
        &grid,
        &state.items,
        &layout.items,
        three_pl,
        setup.options.parallel,
    );
    let m = layout.items.n;
    let mut info = if m == n {
        // Item space is the packed space: the matrix is reused.
        missing.iter_mut().for_each(|v| *v = -*v);
        missing
    } else {
        let mut info = vec![0.0; n * n];
        for (u, &pu) in packed.iter().enumerate() {
            for (v, &pv) in packed.iter().enumerate() {
                info[pu * n + pv] -= missing[u * m + v];
            }
        }
        info
    };
    for j in setup.free_items() {
        let Some(start) = layout.items.offset[j] else {
            continue;
        };
        let it = &state.items[j];
        let complete = if three_pl {
            three_pl_complete_information(setup, &grid, &counts, j, it)
        } else {
            setup.item_information(&grid, &counts, j, it)
        };
        let dim = it.d.len() + 1 + usize::from(three_pl);
        for u in 0..dim {
            for v in 0..dim {
                info[packed[start + u] * n + packed[start + v]] += complete[u * dim + v];
            }
        }
    }
    info
}

/// How the full information is computed, as the result states it.
const LOUIS: &str =
    "observed information (Louis 1982: exact, all item parameters, one pass over the persons)";

/// The observed information of the packed parameters `x`, and how it was
/// computed (in tests, the numerical oracle when a test asks for it).
fn information(
    setup: &Setup<'_>,
    state: &State,
    x: &[f64],
    layout: &LouisLayout,
) -> (Vec<f64>, &'static str) {
    #[cfg(test)]
    if FORCE_NUMERICAL.with(std::cell::Cell::get) {
        return (
            numerical_information(setup, state, x),
            "observed information (central differences of the analytic marginal gradient)",
        );
    }
    (louis_information(setup, state, layout, x.len()), LOUIS)
}

#[cfg(test)]
thread_local! {
    /// Tests set it to compute the oracle, the numerical information.
    pub(crate) static FORCE_NUMERICAL: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
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
    why: &str,
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
            .map(|j| setup.item_information(&grid, &counts, j, &state.items[j])[0])
            .sum();
        push(vec![complete - missing.common_slope], 1, &mut blocks);
    }
    for j in setup.free_items() {
        let it = &state.items[j];
        let complete = if model == IrtModel::ThreePl {
            three_pl_complete_information(setup, &grid, &counts, j, it)
        } else {
            setup.item_information(&grid, &counts, j, it)
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
            "item-block observed information (Louis 1982: complete-data information less missing information, per block: {shape}; {why}): covariances between blocks are ignored (taken as zero), so the errors are lower bounds"
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

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests: a panic is the failure report
mod tests {
    use super::FORCE_NUMERICAL;
    use crate::calibration::{
        Calibration, CalibrationOptions, IrtModel, LogNormalPrior, calibrate,
    };
    use exam_core::irt::ItemParams;
    use exam_core::responses::{CsvOptions, ResponseMatrix};

    /// Agreement of the exact errors with the numerical oracle.
    const TOLERANCE: f64 = 1e-3;

    fn read(text: &str) -> ResponseMatrix {
        ResponseMatrix::from_csv(text.as_bytes(), "test", CsvOptions { id_column: false }).unwrap()
    }

    fn reference_text(file: &str) -> String {
        let path = format!(
            "{}/../../tests/data/reference/{file}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read_to_string(path).unwrap()
    }

    /// The calibration with exact errors and the one with numerical errors.
    fn both(data: &ResponseMatrix, options: &CalibrationOptions) -> (Calibration, Calibration) {
        let exact = calibrate(data, options).unwrap();
        FORCE_NUMERICAL.with(|f| f.set(true));
        let numerical = calibrate(data, options);
        FORCE_NUMERICAL.with(|f| f.set(false));
        (exact, numerical.unwrap())
    }

    /// The largest relative difference over every item's se_a, se_d, se_b,
    /// se_c.
    fn max_relative_difference(data: &ResponseMatrix, options: &CalibrationOptions) -> f64 {
        let (exact, numerical) = both(data, options);
        assert!(
            exact
                .standard_errors
                .starts_with("observed information (Louis")
        );
        assert!(numerical.standard_errors.contains("central differences"));
        let mut worst: f64 = 0.0;
        let mut compared = 0;
        for (e, n) in exact.items.iter().zip(&numerical.items) {
            let (Some(e), Some(n)) = (&e.estimate, &n.estimate) else {
                continue;
            };
            let mut pairs = vec![(e.se_a, n.se_a), (e.se_b, n.se_b), (e.se_c, n.se_c)];
            if let (Some(de), Some(dn)) = (&e.se_d, &n.se_d) {
                pairs.extend(de.iter().zip(dn).map(|(x, y)| (Some(*x), Some(*y))));
            }
            for pair in pairs {
                match pair {
                    (Some(x), Some(y)) => {
                        worst = worst.max((x / y - 1.0).abs());
                        compared += 1;
                    }
                    (None, None) => {}
                    other => panic!("one method has an error the other lacks: {other:?}"),
                }
            }
        }
        assert!(compared > 0);
        eprintln!(
            "{:?}: exact vs numerical SE, max relative difference {worst:.1e}",
            options.model
        );
        worst
    }

    #[test]
    fn exact_errors_equal_the_numerical_ones_for_every_model() {
        let sat12 = read(&reference_text("sat12.csv"));
        let lsat6 = read(&reference_text("lsat6.csv"));
        let poly = read(&reference_text("verbal_aggression_poly.csv"));
        let cases = [
            (&sat12, IrtModel::TwoPl),
            (&sat12, IrtModel::Rasch),
            (&lsat6, IrtModel::TwoPl),
            (&lsat6, IrtModel::Rasch),
            (&poly, IrtModel::Gpcm),
            (&sat12, IrtModel::ThreePl),
            (&lsat6, IrtModel::ThreePl),
        ];
        for (data, model) in cases {
            let d = max_relative_difference(data, &CalibrationOptions::new(model));
            assert!(d < TOLERANCE, "{model:?}: {d}");
        }
    }

    #[test]
    fn exact_errors_equal_the_numerical_ones_with_a_slope_prior() {
        let sat12 = read(&reference_text("sat12.csv"));
        let mut options = CalibrationOptions::new(IrtModel::TwoPl);
        options.priors.a = Some(LogNormalPrior::BILOG);
        let d = max_relative_difference(&sat12, &options);
        assert!(d < TOLERANCE, "{d}");
    }

    #[test]
    fn exact_errors_equal_the_numerical_ones_on_two_forms_with_anchors() {
        // SAT12 split into two overlapping forms: the first 300 persons saw
        // items 1-20, the others items 13-32 (empty cells: not presented).
        let text = reference_text("sat12.csv");
        let mut lines = text.lines();
        let mut sparse = format!("{}\n", lines.next().unwrap());
        for (p, line) in lines.enumerate() {
            let cells: Vec<&str> = line.split(',').collect();
            let shown = if p < 300 { 0..20 } else { 12..32 };
            let row: Vec<&str> = (0..cells.len())
                .map(|j| if shown.contains(&j) { cells[j] } else { "" })
                .collect();
            sparse.push_str(&row.join(","));
            sparse.push('\n');
        }
        let data = read(&sparse);
        assert_eq!(data.blocks().len(), 2);
        for model in [IrtModel::TwoPl, IrtModel::Gpcm, IrtModel::ThreePl] {
            let d = max_relative_difference(&data, &CalibrationOptions::new(model));
            assert!(d < TOLERANCE, "{model:?}: {d}");
        }
        // Two anchors at bank values: the latent mean and SD are
        // estimated, the anchors have no errors.
        let mut options = CalibrationOptions::new(IrtModel::TwoPl);
        options.anchors = vec![
            (
                data.items()[0].clone(),
                ItemParams::two_pl(0.9, -0.4).unwrap(),
            ),
            (
                data.items()[31].clone(),
                ItemParams::two_pl(1.1, 0.3).unwrap(),
            ),
        ];
        let d = max_relative_difference(&data, &options);
        assert!(d < TOLERANCE, "anchored: {d}");
    }
}
