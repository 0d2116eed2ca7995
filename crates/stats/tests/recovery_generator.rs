//! The seeded generator of the parameter-recovery data sets: shared by the
//! reference test (`reference_recovery.rs`), the recovery tests
//! (`recovery.rs`), the example that writes the CSVs the reference tools
//! read (`examples/write_recovery_data.rs`) and the calibration benchmarks
//! (`benches/calibration.rs` of the workspace).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The two data sets: name, persons, items, guessing, item seed, person seed.
pub const SETS: [(&str, usize, usize, bool, u64, u64); 2] = [
    ("twopl", 5000, 40, false, 71, 72),
    ("threepl", 5000, 40, true, 73, 74),
];

/// Generating item parameters, one entry per item.
pub struct Truth {
    /// Slopes.
    pub a: Vec<f64>,
    /// Difficulties.
    pub b: Vec<f64>,
    /// Lower asymptotes.
    pub c: Vec<f64>,
}

/// A standard normal draw by Box–Muller on `u` in `[1e-300, 1)`: not
/// `exam_core::random::standard_normal` (which takes `1 − u`), because the
/// reference tools fitted data drawn from this stream.
pub fn normal(rng: &mut ChaCha8Rng) -> f64 {
    let u: f64 = rng.random::<f64>().max(1e-300);
    let v: f64 = rng.random();
    (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
}

/// a = 1.1·exp(0.25 z), b = z clamped to
/// ±2.5, c uniform on [0.1, 0.25] (3PL) or 0.
pub fn truth(n_items: usize, guessing: bool, seed: u64) -> Truth {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let a = (0..n_items)
        .map(|_| (0.25 * normal(&mut rng)).exp() * 1.1)
        .collect();
    let b = (0..n_items)
        .map(|_| normal(&mut rng).clamp(-2.5, 2.5))
        .collect();
    let c = (0..n_items)
        .map(|_| {
            if guessing {
                0.1 + 0.15 * rng.random::<f64>()
            } else {
                0.0
            }
        })
        .collect();
    Truth { a, b, c }
}

/// θ ~ N(0, 1); `P = c + (1 − c)/(1 + exp(−a(θ − b)))`; complete data.
pub fn simulate(n_persons: usize, truth: &Truth, seed: u64) -> Vec<Vec<u8>> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n_persons)
        .map(|_| {
            let theta = normal(&mut rng);
            (0..truth.a.len())
                .map(|j| {
                    let p = truth.c[j]
                        + (1.0 - truth.c[j]) / (1.0 + (-truth.a[j] * (theta - truth.b[j])).exp());
                    u8::from(rng.random::<f64>() < p)
                })
                .collect()
        })
        .collect()
}
