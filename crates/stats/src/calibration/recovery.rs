//! Parameter recovery: how far a calibration's estimates lie from the
//! parameters that generated the data (a simulation study's yardstick;
//! Harwell, Stone, Hsu & Kirisci 1996, *Applied Psychological
//! Measurement* 20, 101–125).
//!
//! [`recovery`] covers dichotomous items, [`gpcm_recovery`] generalized
//! partial credit items. For each parameter over the `n` items compared: `bias = Σ(est − true)/n`,
//! `RMSE = √(Σ(est − true)²/n)`, and the root mean square of the reported
//! standard errors `√(Σ se²/n)` over the items that have one: with unbiased
//! estimates and honest standard errors, the RMSE is close to it.

use super::{Calibration, ItemEstimate};
use exam_core::ids::ItemId;
use exam_core::irt::{GpcmParams, IrtModel, ItemParams};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Recovery of one parameter.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Deviation {
    /// Mean of estimate − generating value.
    pub bias: f64,
    /// Root mean square of estimate − generating value.
    pub rmse: f64,
    /// Root mean square of the standard errors; absent when none was
    /// reported.
    pub rms_se: Option<f64>,
}

/// Recovery of `a`, `b` and `c` over a set of items.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Recovery {
    /// Items compared (estimated, with a generating value).
    pub items: usize,
    /// The slope.
    pub a: Deviation,
    /// The difficulty.
    pub b: Deviation,
    /// The lower asymptote, over the items of 3PL calibrations (the other
    /// models hold `c` at 0); absent when there is none.
    pub c: Option<Deviation>,
}

fn deviation(pairs: &[(f64, f64, Option<f64>)]) -> Deviation {
    let n = pairs.len() as f64;
    let bias = pairs.iter().map(|(e, t, _)| e - t).sum::<f64>() / n;
    let rmse = (pairs.iter().map(|(e, t, _)| (e - t).powi(2)).sum::<f64>() / n).sqrt();
    let ses: Vec<f64> = pairs.iter().filter_map(|p| p.2).collect();
    let rms_se = (!ses.is_empty())
        .then(|| (ses.iter().map(|s| s * s).sum::<f64>() / ses.len() as f64).sqrt());
    Deviation { bias, rmse, rms_se }
}

/// The free (not fixed) items of `fit` that are in `items` and have
/// generating parameters, with their estimates and those parameters.
fn compared<'f, T>(
    fit: &'f Calibration,
    generating: &'f HashMap<ItemId, T>,
    items: &'f [ItemId],
) -> impl Iterator<Item = (&'f ItemEstimate, &'f T)> + 'f {
    fit.items
        .iter()
        .filter(|i| !i.fixed && items.contains(&i.id))
        .filter_map(|i| Some((i.estimate.as_ref()?, generating.get(&i.id)?)))
}

/// Recovery of the free (not fixed) dichotomous items of `fits` (the
/// calibrations of one test under different models, say 3PL for some items
/// and 2PL for the others) that are in `items` and have generating
/// parameters; `None` when there is none.
pub fn recovery(
    fits: &[&Calibration],
    generating: &HashMap<ItemId, ItemParams>,
    items: &[ItemId],
) -> Option<Recovery> {
    let mut a = Vec::new();
    let mut b = Vec::new();
    let mut c = Vec::new();
    for fit in fits {
        for (est, truth) in compared(fit, generating, items) {
            let Some(est_b) = est.b() else { continue };
            a.push((est.a, truth.a(), est.se_a));
            b.push((est_b, truth.b(), est.se_b));
            if fit.model == IrtModel::ThreePl {
                c.push((est.c, truth.c(), est.se_c));
            }
        }
    }
    (!a.is_empty()).then(|| Recovery {
        items: a.len(),
        a: deviation(&a),
        b: deviation(&b),
        c: (!c.is_empty()).then(|| deviation(&c)),
    })
}

/// Recovery of generalized partial credit items: the slope, the step
/// difficulties `b_k` and the intercepts `d_k = −a Σ_{v≤k} b_v` of the
/// slope-intercept form, each deviation pooled over every step of every
/// item compared. Standard errors are reported for `a` and the intercepts
/// (the calibration's parameters); a step's error would need the
/// covariances of `a` and two intercepts, which the calibration does not
/// report, so the steps carry none.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GpcmRecovery {
    /// Items compared (estimated, with generating values of as many steps).
    pub items: usize,
    /// Steps compared (over all items).
    pub steps_compared: usize,
    /// The slope.
    pub a: Deviation,
    /// The step difficulties.
    pub steps: Deviation,
    /// The intercepts.
    pub d: Deviation,
}

/// Recovery of the free GPCM items of `fit` (more than one step) that are
/// in `items` and have generating parameters with as many steps; `None`
/// when there is none.
pub fn gpcm_recovery(
    fit: &Calibration,
    generating: &HashMap<ItemId, GpcmParams>,
    items: &[ItemId],
) -> Option<GpcmRecovery> {
    let mut a = Vec::new();
    let mut steps = Vec::new();
    let mut d = Vec::new();
    for (est, truth) in compared(fit, generating, items) {
        if est.d.len() < 2 || est.d.len() != truth.max_score() {
            continue;
        }
        a.push((est.a, truth.a(), est.se_a));
        let mut true_d = 0.0;
        for (k, (b, true_b)) in est.steps().into_iter().zip(truth.steps()).enumerate() {
            true_d -= truth.a() * true_b;
            let se_d = est.se_d.as_ref().and_then(|s| s.get(k).copied());
            steps.push((b, *true_b, None));
            d.push((est.d[k], true_d, se_d));
        }
    }
    (!a.is_empty()).then(|| GpcmRecovery {
        items: a.len(),
        steps_compared: steps.len(),
        a: deviation(&a),
        steps: deviation(&steps),
        d: deviation(&d),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bias_and_rmse_by_hand() {
        // Errors +0.1, −0.3: bias −0.1, RMSE √((0.01 + 0.09)/2) = √0.05.
        let d = deviation(&[(1.1, 1.0, Some(0.3)), (0.7, 1.0, Some(0.4))]);
        assert!((d.bias + 0.1).abs() < 1e-12);
        assert!((d.rmse - 0.05f64.sqrt()).abs() < 1e-12);
        // √((0.09 + 0.16)/2) = √0.125.
        assert!((d.rms_se.unwrap() - 0.125f64.sqrt()).abs() < 1e-12);
        assert_eq!(deviation(&[(1.0, 1.0, None)]).rms_se, None);
    }
}
