//! Marginal maximum likelihood by Bock–Aitkin EM: the calibration driver
//! (starting values, EM with SQUAREM, standard errors, the result and its
//! flags) over the EM state of [`super::em_state`].

use super::em_state::{
    INTERCEPT_BOUND, ItemState, LOGIT_C_BOUNDS, SLOPE_BOUND, Setup, State, Status, logit,
};
use super::estep::{Layout, PreparedBlock};
use super::options::{BetaPrior, CalibrationOptions, check_options};
use super::polish::{self, Polish};
use super::result::{
    BoundParameter, Calibration, Convergence, EXTREME_DIFFICULTY, Estimation, HEYWOOD_SLOPE,
    ItemCalibration, ItemEstimate, ItemFlag, LOW_SLOPE, LatentDistribution, MAX_GRADIENT,
    StopReason,
};
use super::squarem::{EmOutcome, run_em};
use super::{CalibrationError, standard_errors};
use exam_core::irt::{IrtModel, ItemParams};
use exam_core::quadrature::Quadrature;
use exam_core::responses::ResponseMatrix;

/// Calibrates the items of `data` under `options.model`.
pub fn calibrate(
    data: &ResponseMatrix,
    options: &CalibrationOptions,
) -> Result<Calibration, CalibrationError> {
    calibrate_with_progress(data, options, &mut |_, _| {})
}

/// [`calibrate`], calling `progress(em_steps, log_likelihood)` as the EM
/// proceeds (for a progress bar).
pub fn calibrate_with_progress(
    data: &ResponseMatrix,
    options: &CalibrationOptions,
    progress: &mut dyn FnMut(usize, f64),
) -> Result<Calibration, CalibrationError> {
    check_options(options)?;
    let n_items = data.n_items();
    let model = options.model;
    // Observed category counts per item.
    let max_scores = data.max_scores();
    let mut observed: Vec<Vec<usize>> = max_scores
        .iter()
        .map(|&m| vec![0; usize::from(m) + 1])
        .collect();
    let mut presented = vec![0usize; n_items];
    for block in data.blocks() {
        let width = block.n_items();
        for row in block.scores().chunks_exact(width) {
            for (&item, &x) in block.items().iter().zip(row) {
                observed[item][usize::from(x)] += 1;
            }
        }
        for &item in block.items() {
            presented[item] += block.n_persons();
        }
    }
    let mut anchors: Vec<Option<ItemParams>> = vec![None; n_items];
    for (id, params) in &options.anchors {
        let j = data
            .item_index(id)
            .ok_or_else(|| CalibrationError::UnknownAnchor { item: id.clone() })?;
        if max_scores[j] > 1 {
            return Err(CalibrationError::PolytomousAnchor { item: id.clone() });
        }
        anchors[j] = Some(*params);
    }
    let mut status = vec![Status::Free; n_items];
    let mut flags: Vec<Vec<ItemFlag>> = vec![Vec::new(); n_items];
    let mut items = Vec::with_capacity(n_items);
    for j in 0..n_items {
        let max = max_scores[j];
        let polytomous_model = matches!(model, IrtModel::Gpcm | IrtModel::Rasch);
        if !polytomous_model && max > 1 && anchors[j].is_none() {
            return Err(CalibrationError::Polytomous {
                item: data.items()[j].clone(),
                max_score: max,
                model,
            });
        }
        let counts = &observed[j];
        let total: usize = counts.iter().sum();
        let mut state = ItemState {
            a: 1.0,
            d: vec![0.0; usize::from(max).max(1)],
            c: 0.0,
        };
        if let Some(p) = anchors[j] {
            status[j] = Status::Fixed;
            state = ItemState {
                a: p.a(),
                d: vec![p.intercept()],
                c: p.c(),
            };
            if presented[j] == 0 {
                flags[j].push(ItemFlag::NotPresented);
                status[j] = Status::Excluded;
            }
        } else if presented[j] == 0 {
            flags[j].push(ItemFlag::NotPresented);
            status[j] = Status::Excluded;
        } else if let Some(score) = (0..counts.len()).find(|&k| counts[k] == total) {
            flags[j].push(ItemFlag::NoVariance { score: score as u8 });
            status[j] = Status::Excluded;
        } else if let Some(k) = (0..counts.len()).find(|&k| counts[k] == 0) {
            flags[j].push(ItemFlag::UnobservedCategory { category: k as u8 });
            status[j] = Status::Excluded;
        } else {
            // Start: a = 1, intercepts from the category proportions.
            for k in 1..counts.len() {
                state.d[k - 1] = (counts[k] as f64 / counts[0] as f64).ln();
            }
            if model == IrtModel::ThreePl {
                let prior = options.priors.c.unwrap_or(BetaPrior::for_options(5));
                let c = (prior.alpha - 1.0) / (prior.alpha + prior.beta - 2.0).max(1.0);
                let c = c.clamp(0.05, 0.3);
                let p = (counts[1] as f64 / total as f64).clamp(c + 0.02, 0.99);
                state.c = c;
                state.d[0] = logit((p - c) / (1.0 - c));
            }
        }
        items.push(state);
    }
    let m: Vec<usize> = (0..n_items)
        .map(|j| {
            if status[j] == Status::Excluded {
                0
            } else {
                items[j].d.len()
            }
        })
        .collect();
    let estimable = status.iter().filter(|s| **s != Status::Excluded).count();
    if estimable < 2 {
        return Err(CalibrationError::TooFewItems { estimable });
    }
    let layout = Layout::new(m);
    let blocks: Vec<PreparedBlock<'_>> = data
        .blocks()
        .iter()
        .filter_map(|b| PreparedBlock::new(b, &layout))
        .collect();
    if blocks.is_empty() {
        return Err(CalibrationError::NoResponses);
    }
    let quadrature = Quadrature::gauss_hermite(options.quadrature_points);
    let estimate_latent = status.contains(&Status::Fixed);
    let setup = Setup {
        options,
        z: quadrature.nodes().to_vec(),
        log_w: quadrature.weights().iter().map(|w| w.ln()).collect(),
        layout,
        blocks,
        status,
        estimate_latent,
    };
    let initial = State {
        items,
        mean: 0.0,
        sd: 1.0,
    };
    let EmOutcome {
        state,
        iterations,
        reason,
        max_change,
        slowest,
    } = run_em(&setup, initial, progress)?;
    let n_persons: usize = setup.blocks.iter().map(|b| b.block.n_persons()).sum();
    let (state, reason, polish) = polish_if_stalled(&setup, state, reason, n_persons);

    // Final E-step: log-likelihood and projected gradient at the estimates.
    let (counts, _) = setup.e_step(&state);
    if !counts.loglik.is_finite() {
        return Err(CalibrationError::NonFinite {
            iteration: iterations,
        });
    }
    let max_gradient = polish::max_projected_gradient(&setup, &state, n_persons);
    let (covariance, se_note) = if options.standard_errors {
        standard_errors::covariance(&setup, &state)
    } else {
        (None, "not requested".to_owned())
    };
    let n_parameters = setup.pack(&state, true).len();
    let loglik = counts.loglik;
    let log_posterior = loglik + setup.log_prior(&state);
    let priors = options.priors;
    let results = build_items(data, &setup, &state, covariance.as_ref(), &presented, flags);
    Ok(Calibration {
        model,
        items: results,
        latent: LatentDistribution {
            mean: state.mean,
            sd: state.sd,
        },
        estimation: if priors.a.is_some() || priors.c.is_some() {
            Estimation::Map
        } else {
            Estimation::Ml
        },
        priors,
        log_likelihood: loglik,
        log_posterior,
        n_parameters,
        n_persons,
        aic: -2.0 * loglik + 2.0 * n_parameters as f64,
        bic: -2.0 * loglik + n_parameters as f64 * (n_persons as f64).ln(),
        iterations,
        convergence: Convergence {
            converged: matches!(
                reason,
                StopReason::ParameterChange | StopReason::ProjectedGradient
            ),
            reason,
            max_change,
            slowest_item: slowest.map(|j| data.items()[j].clone()),
            max_gradient,
            polish,
        },
        standard_errors: se_note,
    })
}

/// When the EM's steps stopped moving (`reason` is the parameter-change
/// rule) but the projected gradient is above [`MAX_GRADIENT`] per person,
/// the quasi-Newton polish of [`polish`] takes over (not after the
/// iteration limit, which bounds the work asked for, nor when the latent
/// distribution is estimated). Returns the estimates, why the estimation
/// stopped (`ParameterChange`, `ProjectedGradient` after a successful
/// polish, `Stalled`, `IterationLimit`) and what the polish did.
fn polish_if_stalled(
    setup: &Setup<'_>,
    state: State,
    reason: StopReason,
    n_persons: usize,
) -> (State, StopReason, Option<Polish>) {
    if reason != StopReason::ParameterChange {
        return (state, reason, None);
    }
    let before = polish::max_projected_gradient(setup, &state, n_persons);
    if before <= MAX_GRADIENT {
        return (state, reason, None);
    }
    if setup.estimate_latent {
        return (state, StopReason::Stalled, None);
    }
    let (state, report) = match polish::polish(setup, &state, n_persons) {
        Ok((polished, report)) if report.gain >= 0.0 => (polished, report),
        // Never worse than the EM's estimates.
        Ok((_, report)) => (state, report),
        Err(message) => (
            state,
            Polish {
                evaluations: 0,
                message,
                gain: 0.0,
            },
        ),
    };
    let after = polish::max_projected_gradient(setup, &state, n_persons);
    let reason = if after <= MAX_GRADIENT {
        StopReason::ProjectedGradient
    } else {
        StopReason::Stalled
    };
    (state, reason, Some(report))
}

fn build_items(
    data: &ResponseMatrix,
    setup: &Setup<'_>,
    state: &State,
    covariance: Option<&standard_errors::Covariance>,
    presented: &[usize],
    mut flags: Vec<Vec<ItemFlag>>,
) -> Vec<ItemCalibration> {
    let model = setup.model();
    let var = |i: usize| covariance.and_then(|c| c.get(i, i));
    let cov = |i: usize, k: usize| covariance.and_then(|c| c.get(i, k));
    let mut at = usize::from(model == IrtModel::Rasch && setup.free_items().next().is_some());
    let mut out = Vec::with_capacity(state.items.len());
    for (j, it) in state.items.iter().enumerate() {
        let status = setup.status[j];
        let mut estimate = (status != Status::Excluded).then(|| ItemEstimate {
            a: it.a,
            d: it.d.clone(),
            c: it.c,
            se_a: None,
            se_d: None,
            se_b: None,
            se_c: None,
        });
        if status == Status::Free {
            let e = estimate.as_mut().expect("free items have estimates");
            let ia = if model == IrtModel::Rasch {
                0
            } else {
                at += 1;
                at - 1
            };
            let id0 = at;
            at += it.d.len();
            let ig = (model == IrtModel::ThreePl).then(|| {
                at += 1;
                at - 1
            });
            if covariance.is_some() {
                e.se_a = var(ia).map(f64::sqrt);
                e.se_d = (id0..id0 + it.d.len())
                    .map(|i| var(i).map(f64::sqrt))
                    .collect::<Option<Vec<f64>>>();
                if it.d.len() == 1 {
                    // b = −d/a: ∂b/∂a = d/a², ∂b/∂d = −1/a.
                    let (ga, gd) = (it.d[0] / (it.a * it.a), -1.0 / it.a);
                    e.se_b = match (var(ia), var(id0), cov(ia, id0)) {
                        (Some(va), Some(vd), Some(cad)) => {
                            Some((ga * ga * va + gd * gd * vd + 2.0 * ga * gd * cad).sqrt())
                        }
                        _ => None,
                    };
                }
                if let Some(ig) = ig {
                    e.se_c = var(ig).map(|v| v.sqrt() * it.c * (1.0 - it.c));
                }
            }
            item_flags(&mut flags[j], e, model, setup.slope_min());
        }
        out.push(ItemCalibration {
            id: data.items()[j].clone(),
            n: presented[j],
            estimate,
            fixed: status == Status::Fixed,
            flags: std::mem::take(&mut flags[j]),
        });
    }
    out
}

/// Flags for an estimate: Heywood-like and barely discriminating slopes,
/// extreme difficulties, and every parameter that reached the bound the
/// estimation keeps it within (the estimate there is not a maximum).
fn item_flags(flags: &mut Vec<ItemFlag>, e: &ItemEstimate, model: IrtModel, slope_min: f64) {
    if e.a >= HEYWOOD_SLOPE {
        flags.push(ItemFlag::HeywoodSlope { a: e.a });
    }
    if e.a < LOW_SLOPE {
        flags.push(ItemFlag::LowSlope { a: e.a });
    }
    if let Some(b) = e.b() {
        if b.abs() >= EXTREME_DIFFICULTY {
            flags.push(ItemFlag::ExtremeDifficulty { b });
        }
    }
    if e.a.abs() >= SLOPE_BOUND * 0.999 || (slope_min > 0.0 && e.a <= slope_min * 1.001) {
        flags.push(ItemFlag::AtBound {
            parameter: BoundParameter::A,
            value: e.a,
        });
    }
    if let Some(d) = e.d.iter().find(|d| d.abs() >= INTERCEPT_BOUND * 0.999) {
        flags.push(ItemFlag::AtBound {
            parameter: BoundParameter::D,
            value: *d,
        });
    }
    if model == IrtModel::ThreePl {
        let g = logit(e.c);
        if g <= LOGIT_C_BOUNDS.0 + 1e-6 || g >= LOGIT_C_BOUNDS.1 - 1e-6 {
            flags.push(ItemFlag::AtBound {
                parameter: BoundParameter::C,
                value: e.c,
            });
        }
    }
    if model == IrtModel::ThreePl && !(0.001..=0.5).contains(&e.c) {
        flags.push(ItemFlag::GuessingAtEdge { c: e.c });
    }
}
