//! Parameter recovery: how far a calibration's estimates lie from the
//! parameters that generated the data (a simulation study's yardstick;
//! Harwell, Stone, Hsu & Kirisci 1996, *Applied Psychological
//! Measurement* 20, 101–125).
//!
//! For each parameter over the `n` items compared: `bias = Σ(est − true)/n`,
//! `RMSE = √(Σ(est − true)²/n)`, and the root mean square of the reported
//! standard errors `√(Σ se²/n)` over the items that have one: with unbiased
//! estimates and honest standard errors, the RMSE is close to it.

use super::Calibration;
use exam_core::ids::ItemId;
use exam_core::irt::ItemParams;
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
    /// The lower asymptote.
    pub c: Deviation,
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

/// Recovery of the free (not fixed) dichotomous items of `fit` that are in
/// `items` and have generating parameters; `None` when there is none.
pub fn recovery(
    fit: &Calibration,
    generating: &HashMap<ItemId, ItemParams>,
    items: &[ItemId],
) -> Option<Recovery> {
    let mut a = Vec::new();
    let mut b = Vec::new();
    let mut c = Vec::new();
    for item in fit
        .items
        .iter()
        .filter(|i| !i.fixed && items.contains(&i.id))
    {
        let (Some(est), Some(truth)) = (&item.estimate, generating.get(&item.id)) else {
            continue;
        };
        let Some(est_b) = est.b() else { continue };
        a.push((est.a, truth.a(), est.se_a));
        b.push((est_b, truth.b(), est.se_b));
        c.push((est.c, truth.c(), est.se_c));
    }
    (!a.is_empty()).then(|| Recovery {
        items: a.len(),
        a: deviation(&a),
        b: deviation(&b),
        c: deviation(&c),
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
