//! Item response functions and information for the logistic IRT models.
//!
//! Parameterization (DESIGN.md): logistic with scaling constant D = 1, slope
//! `a`, difficulty `b`, lower asymptote `c`:
//!
//! ```text
//! P(θ) = c + (1 − c) / (1 + exp(−a(θ − b)))
//! ```
//!
//! The slope-intercept form writes the logit as `aθ + d` with `d = −a·b`
//! (the form R mirt's `coef()` prints). Parameters estimated in the normal
//! ogive metric convert with [`D_NORMAL`]: `a_logistic = 1.702 · a_normal`.
//!
//! The generalized partial credit model (Muraki 1992) for items scored
//! `0..=m` is [`GpcmParams`]. Sources: Lord (1980), *Applications of Item
//! Response Theory to Practical Testing Problems*; Baker & Kim (2004), *Item
//! Response Theory: Parameter Estimation Techniques*, 2nd ed.

use crate::ids::ItemId;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The constant that makes the logistic curve approximate the normal ogive
/// (Haley 1952): `a_logistic ≈ 1.702 · a_normal`.
pub const D_NORMAL: f64 = 1.702;

/// The IRT models the engine knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum IrtModel {
    /// One-parameter logistic with unit slope: `a = 1`, `c = 0`.
    Rasch,
    /// Two-parameter logistic: `c = 0`.
    #[serde(rename = "2pl")]
    TwoPl,
    /// Three-parameter logistic.
    #[serde(rename = "3pl")]
    ThreePl,
    /// Generalized partial credit model for polytomous items.
    Gpcm,
}

impl fmt::Display for IrtModel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            IrtModel::Rasch => "rasch",
            IrtModel::TwoPl => "2pl",
            IrtModel::ThreePl => "3pl",
            IrtModel::Gpcm => "gpcm",
        })
    }
}

/// The largest slope accepted: `a` lies in `(0, MAX_SLOPE]`. Calibration
/// flags slopes from 4 on as Heywood cases; 50 leaves room for any real
/// estimate while keeping the ability grids, whose spacing follows `1/a`,
/// bounded.
pub const MAX_SLOPE: f64 = 50.0;

/// The largest difficulty magnitude accepted: `b` (and every GPCM step)
/// lies in `[−MAX_DIFFICULTY, MAX_DIFFICULTY]`, far beyond the `|b| ≥ 5` that
/// calibration flags as extreme.
pub const MAX_DIFFICULTY: f64 = 50.0;

/// Why a set of item parameters was rejected.
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize)]
#[serde(tag = "problem", content = "value", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ParamsError {
    /// The slope is outside `(0, MAX_SLOPE]`.
    #[error("slope a = {0} must lie in (0, 50]")]
    Slope(f64),
    /// The difficulty (or a step difficulty) is outside
    /// `[−MAX_DIFFICULTY, MAX_DIFFICULTY]`.
    #[error("difficulty b = {0} must lie in [-50, 50]")]
    Difficulty(f64),
    /// The lower asymptote is outside `[0, 1)`.
    #[error("lower asymptote c = {0} must lie in [0, 1)")]
    Asymptote(f64),
    /// A polytomous item needs at least one step.
    #[error("a partial-credit item needs at least one step difficulty")]
    NoSteps,
}

/// Parameters of a dichotomous item under the 3PL (Rasch and 2PL are the
/// special cases `a = 1, c = 0` and `c = 0`). Always valid:
/// `0 < a ≤ MAX_SLOPE` (50), `|b| ≤ MAX_DIFFICULTY` (50), `0 ≤ c < 1`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawParams")]
pub struct ItemParams {
    a: f64,
    b: f64,
    c: f64,
}

/// The unchecked form read from JSON (the checked type writes itself).
#[derive(Deserialize)]
struct RawParams {
    a: f64,
    b: f64,
    #[serde(default)]
    c: f64,
}

impl TryFrom<RawParams> for ItemParams {
    type Error = ParamsError;
    fn try_from(raw: RawParams) -> Result<Self, ParamsError> {
        ItemParams::new(raw.a, raw.b, raw.c)
    }
}

impl ItemParams {
    /// 3PL parameters, checked: `0 < a ≤ 50`, `|b| ≤ 50`, `0 ≤ c < 1`.
    pub fn new(a: f64, b: f64, c: f64) -> Result<Self, ParamsError> {
        check_slope(a)?;
        check_difficulty(b)?;
        if !(c.is_finite() && (0.0..1.0).contains(&c)) {
            return Err(ParamsError::Asymptote(c));
        }
        Ok(Self { a, b, c })
    }

    /// Rasch item of difficulty `b` (`a = 1`, `c = 0`).
    pub fn rasch(b: f64) -> Result<Self, ParamsError> {
        Self::new(1.0, b, 0.0)
    }

    /// 2PL item (`c = 0`).
    pub fn two_pl(a: f64, b: f64) -> Result<Self, ParamsError> {
        Self::new(a, b, 0.0)
    }

    /// From slope-intercept form: logit `aθ + d`, so `b = −d/a`.
    pub fn from_slope_intercept(a: f64, d: f64, c: f64) -> Result<Self, ParamsError> {
        check_slope(a)?;
        Self::new(a, -d / a, c)
    }

    /// Slope `a`.
    pub fn a(&self) -> f64 {
        self.a
    }

    /// Difficulty `b`.
    pub fn b(&self) -> f64 {
        self.b
    }

    /// Lower asymptote `c`.
    pub fn c(&self) -> f64 {
        self.c
    }

    /// Intercept `d = −a·b` of the slope-intercept form.
    pub fn intercept(&self) -> f64 {
        -self.a * self.b
    }

    /// Probability of a correct response at ability `theta`.
    #[inline]
    pub fn prob(&self, theta: f64) -> f64 {
        self.c + (1.0 - self.c) * logistic(self.a * (theta - self.b))
    }

    /// Fisher information at `theta`:
    /// `I(θ) = a² · (Q/P) · ((P − c)/(1 − c))²` (Lord 1980, eq. 10-6 with D = 1).
    #[inline]
    pub fn information(&self, theta: f64) -> f64 {
        let p = self.prob(theta);
        let q = 1.0 - p;
        if p <= 0.0 || q <= 0.0 {
            return 0.0;
        }
        let r = (p - self.c) / (1.0 - self.c);
        self.a * self.a * (q / p) * r * r
    }
}

fn check_slope(a: f64) -> Result<(), ParamsError> {
    if a > 0.0 && a <= MAX_SLOPE {
        Ok(())
    } else {
        Err(ParamsError::Slope(a))
    }
}

fn check_difficulty(b: f64) -> Result<(), ParamsError> {
    if b.abs() <= MAX_DIFFICULTY {
        Ok(())
    } else {
        Err(ParamsError::Difficulty(b))
    }
}

/// The logistic function `1 / (1 + exp(−x))`, computed without overflow.
#[inline]
pub fn logistic(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

/// Parameters of a generalized partial credit item scored `0..=m`
/// (Muraki 1992): `P(k | θ) ∝ exp(Σ_{v=1..k} a(θ − b_v))`, with the empty sum
/// for `k = 0`. `steps` holds `b_1..b_m`. Always valid: `0 < a ≤ 50`, at
/// least one step, every `|b_v| ≤ 50`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawGpcmParams")]
pub struct GpcmParams {
    a: f64,
    steps: Vec<f64>,
}

/// The unchecked form read from JSON (the checked type writes itself).
#[derive(Deserialize)]
struct RawGpcmParams {
    a: f64,
    steps: Vec<f64>,
}

impl TryFrom<RawGpcmParams> for GpcmParams {
    type Error = ParamsError;
    fn try_from(raw: RawGpcmParams) -> Result<Self, ParamsError> {
        GpcmParams::new(raw.a, raw.steps)
    }
}

impl GpcmParams {
    /// Checked constructor: `0 < a ≤ 50`, at least one step, every step
    /// `|b_v| ≤ 50`.
    pub fn new(a: f64, steps: Vec<f64>) -> Result<Self, ParamsError> {
        check_slope(a)?;
        if steps.is_empty() {
            return Err(ParamsError::NoSteps);
        }
        for &b in &steps {
            check_difficulty(b)?;
        }
        Ok(Self { a, steps })
    }

    /// Slope `a`.
    pub fn a(&self) -> f64 {
        self.a
    }

    /// Step difficulties `b_1..b_m`.
    pub fn steps(&self) -> &[f64] {
        &self.steps
    }

    /// Highest category `m`.
    pub fn max_score(&self) -> usize {
        self.steps.len()
    }

    /// Category probabilities `P(0..=m | θ)` written into `out`
    /// (`out.len()` must be `m + 1`).
    pub fn category_probs(&self, theta: f64, out: &mut [f64]) {
        debug_assert_eq!(out.len(), self.steps.len() + 1);
        let mut z = 0.0;
        out[0] = 0.0;
        for (k, b) in self.steps.iter().enumerate() {
            z += self.a * (theta - b);
            out[k + 1] = z;
        }
        let max = out.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let mut total = 0.0;
        for v in out.iter_mut() {
            *v = (*v - max).exp();
            total += *v;
        }
        for v in out.iter_mut() {
            *v /= total;
        }
    }

    /// Expected score `Σ k·P(k | θ)`.
    pub fn expected_score(&self, theta: f64) -> f64 {
        let mut probs = vec![0.0; self.steps.len() + 1];
        self.category_probs(theta, &mut probs);
        probs.iter().enumerate().map(|(k, p)| k as f64 * p).sum()
    }

    /// Fisher information `a² · Var(score | θ)` (Muraki 1993).
    pub fn information(&self, theta: f64) -> f64 {
        let mut probs = vec![0.0; self.steps.len() + 1];
        self.category_probs(theta, &mut probs);
        let mean: f64 = probs.iter().enumerate().map(|(k, p)| k as f64 * p).sum();
        let var: f64 = probs
            .iter()
            .enumerate()
            .map(|(k, p)| (k as f64 - mean).powi(2) * p)
            .sum();
        self.a * self.a * var
    }
}

/// The response model of one item, from its parameters: what a test of
/// dichotomous and partial-credit items (a calibration, a test
/// characteristic curve, a standard-setting panel) needs of each.
#[derive(Debug, Clone, PartialEq)]
pub enum ItemModel {
    /// A 0/1 item (Rasch, 2PL or 3PL).
    Dichotomous(ItemParams),
    /// A generalized partial credit item.
    Gpcm(GpcmParams),
}

impl ItemModel {
    /// The highest score.
    pub fn max_score(&self) -> usize {
        match self {
            Self::Dichotomous(_) => 1,
            Self::Gpcm(p) => p.max_score(),
        }
    }

    /// The expected score over its maximum at `theta`: the ICC of a 0/1
    /// item, the expected credit `E[k | θ]/m` of a partial-credit item
    /// (its term in the test characteristic curve of credit scores).
    pub fn expected_proportion(&self, theta: f64) -> f64 {
        match self {
            Self::Dichotomous(p) => p.prob(theta),
            Self::Gpcm(p) => p.expected_score(theta) / p.max_score() as f64,
        }
    }

    /// The derivative of [`ItemModel::expected_proportion`] in `theta`:
    /// `a(P − c)(1 − P)/(1 − c)` for a 0/1 item, `a·Var(k | θ)/m` for a GPCM
    /// item (Muraki 1993: `dE[k]/dθ = a·Var(k)`).
    pub fn expected_proportion_slope(&self, theta: f64) -> f64 {
        match self {
            Self::Dichotomous(p) => {
                let prob = p.prob(theta);
                p.a() * (prob - p.c()) * (1.0 - prob) / (1.0 - p.c())
            }
            Self::Gpcm(p) => p.information(theta) / p.a() / p.max_score() as f64,
        }
    }

    /// The lowest expected proportion, reached as `θ → −∞`: `c` of a 0/1
    /// item, 0 of a GPCM item.
    pub fn floor(&self) -> f64 {
        match self {
            Self::Dichotomous(p) => p.c(),
            Self::Gpcm(_) => 0.0,
        }
    }

    /// The Fisher information at `theta`.
    pub fn information(&self, theta: f64) -> f64 {
        match self {
            Self::Dichotomous(p) => p.information(theta),
            Self::Gpcm(p) => p.information(theta),
        }
    }

    /// The probability of `score` at `theta` (`scratch` holds the category
    /// probabilities of a GPCM item; a score above the maximum counts as
    /// the maximum).
    pub fn probability(&self, score: u8, theta: f64, scratch: &mut Vec<f64>) -> f64 {
        match self {
            Self::Dichotomous(p) => {
                let p = p.prob(theta);
                if score == 0 { 1.0 - p } else { p }
            }
            Self::Gpcm(p) => {
                scratch.resize(p.max_score() + 1, 0.0);
                p.category_probs(theta, scratch);
                scratch[usize::from(score).min(p.max_score())]
            }
        }
    }
}

/// Test information `Σ I_j(θ)` of a set of dichotomous items.
pub fn test_information(items: &[ItemParams], theta: f64) -> f64 {
    items.iter().map(|p| p.information(theta)).sum()
}

/// Test characteristic curve: the expected number-correct score `Σ P_j(θ)`.
pub fn expected_score(items: &[ItemParams], theta: f64) -> f64 {
    items.iter().map(|p| p.prob(theta)).sum()
}

/// One item of an item-parameter file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemParamsEntry {
    /// The item.
    pub id: ItemId,
    /// Its parameters (`a`, `b`, `c` flattened into the entry).
    #[serde(flatten)]
    pub params: ItemParams,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(x: f64, y: f64, tol: f64) -> bool {
        (x - y).abs() <= tol
    }

    #[test]
    fn probability_at_difficulty_is_midway_between_c_and_one() {
        let p = ItemParams::new(1.3, 0.4, 0.2).unwrap();
        assert!(close(p.prob(0.4), 0.6, 1e-15));
    }

    #[test]
    fn two_pl_information_peaks_at_b_with_a_squared_over_four() {
        let p = ItemParams::two_pl(1.6, -0.5).unwrap();
        assert!(close(p.information(-0.5), 1.6 * 1.6 / 4.0, 1e-15));
        assert!(p.information(0.5) < p.information(-0.5));
    }

    #[test]
    fn information_matches_numeric_derivative_formula() {
        // I(θ) = P'(θ)² / (P Q) for any dichotomous model.
        let p = ItemParams::new(0.9, 0.3, 0.25).unwrap();
        for theta in [-2.0, -0.5, 0.0, 1.0, 2.5] {
            let h = 1e-5;
            let d = (p.prob(theta + h) - p.prob(theta - h)) / (2.0 * h);
            let pr = p.prob(theta);
            assert!(close(p.information(theta), d * d / (pr * (1.0 - pr)), 1e-8));
        }
    }

    #[test]
    fn slope_intercept_round_trips() {
        let p = ItemParams::from_slope_intercept(2.0, 1.0, 0.0).unwrap();
        assert!(close(p.b(), -0.5, 1e-15));
        assert!(close(p.intercept(), 1.0, 1e-15));
    }

    #[test]
    fn invalid_parameters_are_rejected() {
        assert_eq!(ItemParams::new(0.0, 0.0, 0.0), Err(ParamsError::Slope(0.0)));
        assert!(ItemParams::new(1.0, f64::NAN, 0.0).is_err());
        assert_eq!(
            ItemParams::new(1.0, 0.0, 1.0),
            Err(ParamsError::Asymptote(1.0))
        );
        let err = serde_json::from_str::<ItemParams>(r#"{"a": -1, "b": 0}"#).unwrap_err();
        assert!(err.to_string().contains("slope"));
    }

    #[test]
    fn expected_proportion_slope_is_the_derivative() {
        let models = [
            ItemModel::Dichotomous(ItemParams::new(1.3, -0.2, 0.2).unwrap()),
            ItemModel::Gpcm(GpcmParams::new(0.8, vec![-1.0, 0.3, 1.1]).unwrap()),
        ];
        for m in &models {
            for theta in [-2.0, 0.0, 1.5] {
                let h = 1e-5;
                let d = (m.expected_proportion(theta + h) - m.expected_proportion(theta - h))
                    / (2.0 * h);
                assert!(close(m.expected_proportion_slope(theta), d, 1e-8), "{m:?}");
            }
            assert!(close(m.expected_proportion(-40.0), m.floor(), 1e-9));
        }
    }

    #[test]
    fn gpcm_with_one_step_is_the_two_pl() {
        let g = GpcmParams::new(1.2, vec![0.7]).unwrap();
        let d = ItemParams::two_pl(1.2, 0.7).unwrap();
        for theta in [-3.0, 0.0, 0.7, 2.0] {
            assert!(close(g.expected_score(theta), d.prob(theta), 1e-14));
            assert!(close(g.information(theta), d.information(theta), 1e-14));
        }
    }
}
