//! The state of a Bock–Aitkin EM calibration and one EM step: the
//! parameters being estimated ([`State`]), what stays fixed ([`Setup`]),
//! the E-step tables and the M-step. The MML driver ([`super::mml`]),
//! SQUAREM ([`super::squarem`]) and the standard errors
//! ([`super::standard_errors`]) all work on it.

use super::estep::{self, Counts, Grid, Layout, Linear, PreparedBlock, Tables};
use super::item_terms::{self, Terms, softplus};
use super::linalg::spd_solve;
use super::options::{CalibrationOptions, LogNormalPrior};
use exam_core::irt::IrtModel;
use exam_core::irt::logistic;

/// Bounds that keep estimates finite while they run off (reported by
/// [`ItemFlag::AtBound`]). The lower bound of `logit c` puts `c` within
/// 1e-13 of zero, so that an asymptote whose maximum is at zero costs the
/// likelihood nothing measurable.
pub(crate) const SLOPE_BOUND: f64 = 20.0;
pub(crate) const INTERCEPT_BOUND: f64 = 50.0;
pub(crate) const LOGIT_C_BOUNDS: (f64, f64) = (-30.0, 4.0);
/// The smallest slope allowed when slopes must be positive (3PL, or a
/// slope prior).
const POSITIVE_SLOPE_MIN: f64 = 1e-3;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    Free,
    Fixed,
    Excluded,
}

/// One item's parameters during estimation.
#[derive(Debug, Clone)]
pub(crate) struct ItemState {
    pub a: f64,
    pub d: Vec<f64>,
    pub c: f64,
}

/// All parameters during estimation.
#[derive(Debug, Clone)]
pub(crate) struct State {
    pub items: Vec<ItemState>,
    pub mean: f64,
    pub sd: f64,
}

/// What stays fixed during estimation.
pub(crate) struct Setup<'a> {
    pub options: &'a CalibrationOptions,
    pub z: Vec<f64>,
    pub log_w: Vec<f64>,
    pub layout: Layout,
    pub blocks: Vec<PreparedBlock<'a>>,
    pub status: Vec<Status>,
    pub estimate_latent: bool,
}

impl Setup<'_> {
    pub fn model(&self) -> IrtModel {
        self.options.model
    }

    pub fn grid(&self, state: &State) -> Grid {
        Grid {
            theta: self.z.iter().map(|z| state.mean + state.sd * z).collect(),
            log_w: self.log_w.clone(),
        }
    }

    pub fn tables(&self, state: &State, grid: &Grid) -> Tables {
        let nq = grid.len();
        let n_items = self.status.len();
        let linear = state
            .items
            .iter()
            .zip(&self.status)
            .all(|(it, s)| *s == Status::Excluded || it.c == 0.0);
        let mut log_p0 = vec![0.0; n_items * nq];
        let mut delta = if linear {
            Vec::new()
        } else {
            vec![0.0; self.layout.total * nq]
        };
        let mut slope = vec![0.0; n_items];
        let mut intercept = vec![0.0; self.layout.total];
        for (j, it) in state.items.iter().enumerate() {
            if self.status[j] == Status::Excluded {
                continue;
            }
            let off = self.layout.off[j];
            slope[j] = it.a;
            intercept[off..off + it.d.len()].copy_from_slice(&it.d);
            for q in 0..nq {
                let th = grid.theta[q];
                if linear || it.c == 0.0 {
                    // GPCM (a 0/1 item without asymptote included):
                    // log P(k)/P(0) = a·k·θ + d_k.
                    let mut max: f64 = 0.0;
                    for (k, d) in it.d.iter().enumerate() {
                        max = max.max(it.a * (k + 1) as f64 * th + d);
                    }
                    let mut sum = (-max).exp();
                    for (k, d) in it.d.iter().enumerate() {
                        sum += (it.a * (k + 1) as f64 * th + d - max).exp();
                    }
                    log_p0[j * nq + q] = -(max + sum.ln());
                    if !linear {
                        // Beside items with an asymptote, every category's
                        // log-ratio is tabled.
                        for (k, d) in it.d.iter().enumerate() {
                            delta[(off + k) * nq + q] = it.a * (k + 1) as f64 * th + d;
                        }
                    }
                } else {
                    // Dichotomous: P = c + (1 − c)·logistic(z).
                    let z = it.a * th + it.d[0];
                    let log_q = (1.0 - it.c).ln() - softplus(z);
                    let p = it.c + (1.0 - it.c) * logistic(z);
                    log_p0[j * nq + q] = log_q;
                    delta[off * nq + q] = p.ln() - log_q;
                }
            }
        }
        Tables {
            log_p0,
            delta,
            linear: linear.then_some(Linear { slope, intercept }),
        }
    }

    pub fn e_step(&self, state: &State) -> (Counts, Grid) {
        let grid = self.grid(state);
        let tables = self.tables(state, &grid);
        let counts = estep::e_step(
            &self.blocks,
            &self.layout,
            &tables,
            &grid,
            self.options.parallel,
        );
        (counts, grid)
    }

    pub fn free_items(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.status.len()).filter(|&j| self.status[j] == Status::Free)
    }

    /// Packs the free item parameters (and the latent mean and log SD when
    /// estimated and `with_latent`).
    pub fn pack(&self, state: &State, with_latent: bool) -> Vec<f64> {
        let mut v = Vec::new();
        let model = self.model();
        if model == IrtModel::Rasch {
            if let Some(j) = self.free_items().next() {
                v.push(state.items[j].a);
            }
        }
        for j in self.free_items() {
            let it = &state.items[j];
            if model != IrtModel::Rasch {
                v.push(it.a);
            }
            v.extend_from_slice(&it.d);
            if model == IrtModel::ThreePl {
                v.push(logit(it.c));
            }
        }
        if with_latent && self.estimate_latent {
            v.push(state.mean);
            v.push(state.sd.ln());
        }
        v
    }

    /// The inverse of [`Setup::pack`], on top of `base` (for fixed items).
    pub fn unpack(&self, v: &[f64], base: &State, with_latent: bool) -> State {
        let mut state = base.clone();
        let model = self.model();
        let mut at = 0;
        let mut common = None;
        if model == IrtModel::Rasch && self.free_items().next().is_some() {
            common = Some(v[0].clamp(0.01, SLOPE_BOUND));
            at = 1;
        }
        for j in self.free_items() {
            let it = &mut state.items[j];
            it.a = match common {
                Some(a) => a,
                None => {
                    at += 1;
                    v[at - 1].clamp(self.slope_min(), SLOPE_BOUND)
                }
            };
            for d in it.d.iter_mut() {
                *d = v[at].clamp(-INTERCEPT_BOUND, INTERCEPT_BOUND);
                at += 1;
            }
            if model == IrtModel::ThreePl {
                it.c = logistic(v[at].clamp(LOGIT_C_BOUNDS.0, LOGIT_C_BOUNDS.1));
                at += 1;
            }
        }
        if with_latent && self.estimate_latent {
            state.mean = v[at];
            state.sd = v[at + 1].exp().clamp(0.05, 20.0);
        }
        state
    }

    pub fn slope_min(&self) -> f64 {
        if self.options.priors.a.is_some() || self.model() == IrtModel::ThreePl {
            POSITIVE_SLOPE_MIN
        } else {
            -SLOPE_BOUND
        }
    }

    /// The item's terms (with prior terms) at its parameters, in the order
    /// `(a, d.., g)` (`g = logit c` for the 3PL only).
    pub fn item_terms(&self, grid: &Grid, counts: &Counts, j: usize, it: &ItemState) -> Terms {
        let nq = grid.len();
        let off = self.layout.off[j] * nq;
        let r = &counts.r[off..off + self.layout.m[j] * nq];
        let n = &counts.n[j * nq..(j + 1) * nq];
        let mut t = if self.model() == IrtModel::ThreePl {
            let mut t = item_terms::three_pl(&grid.theta, r, n, it.a, it.d[0], logit(it.c));
            if let Some(prior) = self.options.priors.c {
                // Beta log-density in c, differentiated through c = logistic(g).
                let c = it.c;
                t.value += (prior.alpha - 1.0) * c.ln() + (prior.beta - 1.0) * (1.0 - c).ln();
                t.grad[2] += (prior.alpha - 1.0) * (1.0 - c) - (prior.beta - 1.0) * c;
                t.info[8] += (prior.alpha + prior.beta - 2.0) * c * (1.0 - c);
            }
            t
        } else {
            item_terms::gpcm(&grid.theta, r, n, it.a, &it.d)
        };
        if let Some(prior) = self.options.priors.a {
            add_slope_prior(&mut t, it.a, prior);
        }
        t
    }

    /// The exact negative Hessian of item `j`'s expected complete-data
    /// log-posterior in `(a, d_1..d_m)` (Rasch, 2PL, GPCM): the
    /// [`Setup::item_terms`] matrix with the slope prior's own curvature in
    /// place of the one the M-step's Newton steps use.
    pub fn item_information(
        &self,
        grid: &Grid,
        counts: &Counts,
        j: usize,
        it: &ItemState,
    ) -> Vec<f64> {
        let mut info = self.item_terms(grid, counts, j, it).info;
        if let Some(prior) = self.options.priors.a {
            if self.model() != IrtModel::Rasch && it.a > 0.0 {
                // −d²/da² of −ln a − (ln a − μ)²/(2v) is
                // (1 + μ − ln a)/(v a²) − 1/a²; the M-step uses 1/(v a²).
                let v = prior.sd_log * prior.sd_log;
                let a2 = it.a * it.a;
                info[0] += (prior.mean_log - it.a.ln()) / (v * a2) - 1.0 / a2;
            }
        }
        info
    }

    /// Gradient of the log-posterior in the packing order of
    /// `pack(_, false)`, from the counts of an E-step at `state`.
    pub fn gradient(&self, state: &State, grid: &Grid, counts: &Counts) -> Vec<f64> {
        let mut g = Vec::new();
        let rasch = self.model() == IrtModel::Rasch;
        if rasch && self.free_items().next().is_some() {
            g.push(0.0);
        }
        for j in self.free_items() {
            let t = self.item_terms(grid, counts, j, &state.items[j]);
            if rasch {
                g[0] += t.grad[0];
                g.extend_from_slice(&t.grad[1..]);
            } else {
                g.extend_from_slice(&t.grad);
            }
        }
        g
    }

    /// The M-step: new parameters from the counts of an E-step at `state`.
    fn m_step(&self, state: &State, grid: &Grid, counts: &Counts) -> State {
        let mut next = state.clone();
        match self.model() {
            IrtModel::Rasch => self.m_step_common_slope(&mut next, grid, counts),
            IrtModel::TwoPl | IrtModel::ThreePl | IrtModel::Gpcm => {
                for j in self.free_items() {
                    let it = &state.items[j];
                    let three = self.model() == IrtModel::ThreePl;
                    let mut x = vec![it.a];
                    x.extend_from_slice(&it.d);
                    if three {
                        x.push(logit(it.c));
                    }
                    let lo = self.slope_min();
                    let clamp = |x: &mut [f64]| {
                        x[0] = x[0].clamp(lo, SLOPE_BOUND);
                        let last = x.len() - usize::from(three);
                        for d in &mut x[1..last] {
                            *d = d.clamp(-INTERCEPT_BOUND, INTERCEPT_BOUND);
                        }
                        if three {
                            x[last] = x[last].clamp(LOGIT_C_BOUNDS.0, LOGIT_C_BOUNDS.1);
                        }
                    };
                    let x = maximize(x, clamp, |x| {
                        let it = ItemState {
                            a: x[0],
                            d: x[1..x.len() - usize::from(three)].to_vec(),
                            c: if three { logistic(x[x.len() - 1]) } else { 0.0 },
                        };
                        self.item_terms(grid, counts, j, &it)
                    });
                    let out = &mut next.items[j];
                    out.a = x[0];
                    out.d.copy_from_slice(&x[1..x.len() - usize::from(three)]);
                    if three {
                        out.c = logistic(x[x.len() - 1]);
                    }
                }
            }
        }
        if self.estimate_latent {
            let total: f64 = counts.nodes.iter().sum();
            if total > 0.0 {
                let mean = grid
                    .theta
                    .iter()
                    .zip(&counts.nodes)
                    .map(|(t, w)| t * w)
                    .sum::<f64>()
                    / total;
                let var = grid
                    .theta
                    .iter()
                    .zip(&counts.nodes)
                    .map(|(t, w)| (t - mean).powi(2) * w)
                    .sum::<f64>()
                    / total;
                next.mean = mean;
                next.sd = var.sqrt().clamp(0.05, 20.0);
            }
        }
        next
    }

    /// Joint Newton over the common slope and all intercepts; the
    /// information matrix is an arrow (slope row and column plus one block
    /// per item), solved through its Schur complement.
    fn m_step_common_slope(&self, state: &mut State, grid: &Grid, counts: &Counts) {
        let free: Vec<usize> = self.free_items().collect();
        let Some(&first) = free.first() else { return };
        let eval = |a: f64, ds: &[Vec<f64>]| -> Vec<Terms> {
            free.iter()
                .zip(ds)
                .map(|(&j, d)| {
                    let it = ItemState {
                        a,
                        d: d.clone(),
                        c: 0.0,
                    };
                    self.item_terms(grid, counts, j, &it)
                })
                .collect()
        };
        let mut a = state.items[first].a;
        let mut ds: Vec<Vec<f64>> = free.iter().map(|&j| state.items[j].d.clone()).collect();
        let mut terms = eval(a, &ds);
        let mut value: f64 = terms.iter().map(|t| t.value).sum();
        for _ in 0..100 {
            let mut s = 0.0;
            let mut rhs = 0.0;
            let mut parts = Vec::with_capacity(free.len());
            for t in &terms {
                let p = t.grad.len();
                let m = p - 1;
                s += t.info[0];
                rhs += t.grad[0];
                let dd: Vec<f64> = (1..p)
                    .flat_map(|i| (1..p).map(move |k| (i, k)))
                    .map(|(i, k)| t.info[i * p + k])
                    .collect();
                let u: Vec<f64> = (1..p).map(|i| t.info[i * p]).collect();
                let gd: Vec<f64> = t.grad[1..].to_vec();
                let (Some(dinv_u), Some(dinv_g)) = (spd_solve(&dd, m, &u), spd_solve(&dd, m, &gd))
                else {
                    return;
                };
                s -= u.iter().zip(&dinv_u).map(|(x, y)| x * y).sum::<f64>();
                rhs -= u.iter().zip(&dinv_g).map(|(x, y)| x * y).sum::<f64>();
                parts.push((dinv_u, dinv_g));
            }
            if s.is_nan() || s <= 0.0 {
                return;
            }
            let step_a = rhs / s;
            let steps: Vec<Vec<f64>> = parts
                .iter()
                .map(|(du, dg)| dg.iter().zip(du).map(|(g, u)| g - u * step_a).collect())
                .collect();
            let mut scale = 1.0;
            loop {
                let new_a = (a + scale * step_a).clamp(0.01, SLOPE_BOUND);
                let new_ds: Vec<Vec<f64>> = ds
                    .iter()
                    .zip(&steps)
                    .map(|(d, st)| {
                        d.iter()
                            .zip(st)
                            .map(|(x, s)| (x + scale * s).clamp(-INTERCEPT_BOUND, INTERCEPT_BOUND))
                            .collect()
                    })
                    .collect();
                let new_terms = eval(new_a, &new_ds);
                let new_value: f64 = new_terms.iter().map(|t| t.value).sum();
                if new_value.is_finite() && new_value >= value - 1e-12 * value.abs() {
                    a = new_a;
                    ds = new_ds;
                    terms = new_terms;
                    value = new_value;
                    break;
                }
                scale *= 0.5;
                if scale < 1e-10 {
                    break;
                }
            }
            let max_step = steps
                .iter()
                .flatten()
                .fold(step_a.abs(), |m, s| m.max(s.abs()))
                * scale;
            if max_step < 1e-10 || scale < 1e-10 {
                break;
            }
        }
        for (&j, d) in free.iter().zip(ds) {
            state.items[j].a = a;
            state.items[j].d = d;
        }
    }

    /// The log prior density of the free items' parameters (with the
    /// densities' normalising constants).
    pub fn log_prior(&self, state: &State) -> f64 {
        let priors = self.options.priors;
        self.free_items()
            .map(|j| priors.ln_density(state.items[j].a, state.items[j].c))
            .sum()
    }

    /// One EM step: the E-step at `state` (whose log-posterior is returned)
    /// and the M-step.
    pub fn em(&self, state: &State) -> (State, f64) {
        let (counts, grid) = self.e_step(state);
        let objective = counts.loglik + self.log_prior(state);
        (self.m_step(state, &grid, &counts), objective)
    }
}

fn add_slope_prior(t: &mut Terms, a: f64, prior: LogNormalPrior) {
    if a <= 0.0 {
        t.value = f64::NEG_INFINITY;
        return;
    }
    let v = prior.sd_log * prior.sd_log;
    let la = a.ln();
    t.value += -la - (la - prior.mean_log).powi(2) / (2.0 * v);
    t.grad[0] += -1.0 / a - (la - prior.mean_log) / (v * a);
    // The curvature of the log-density's dominant term keeps the Newton
    // matrix positive definite; the step-halving guards the rest.
    t.info[0] += 1.0 / (v * a * a);
}

pub(crate) fn logit(c: f64) -> f64 {
    (c / (1.0 - c)).ln()
}

/// Maximises a smooth function of a few parameters by Newton steps on its
/// information matrix, halving steps that do not increase the value.
fn maximize(mut x: Vec<f64>, clamp: impl Fn(&mut [f64]), f: impl Fn(&[f64]) -> Terms) -> Vec<f64> {
    let n = x.len();
    let mut t = f(&x);
    if !t.value.is_finite() {
        return x;
    }
    for _ in 0..100 {
        let step = spd_solve(&t.info, n, &t.grad).unwrap_or_else(|| {
            // Not positive definite: a short gradient step.
            let norm = t.grad.iter().map(|g| g * g).sum::<f64>().sqrt().max(1.0);
            t.grad.iter().map(|g| 0.1 * g / norm).collect()
        });
        let mut scale = 1.0;
        let mut moved = false;
        while scale > 1e-10 {
            let mut y: Vec<f64> = x.iter().zip(&step).map(|(x, s)| x + scale * s).collect();
            clamp(&mut y);
            let ty = f(&y);
            if ty.value.is_finite() && ty.value >= t.value - 1e-12 * t.value.abs() {
                let change = x
                    .iter()
                    .zip(&y)
                    .fold(0.0f64, |m, (a, b)| m.max((a - b).abs()));
                x = y;
                t = ty;
                moved = change >= 1e-10;
                break;
            }
            scale *= 0.5;
        }
        if !moved {
            break;
        }
    }
    x
}
