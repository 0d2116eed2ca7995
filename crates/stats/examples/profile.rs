#![allow(clippy::unwrap_used, missing_docs, clippy::needless_range_loop)]
use exam_core::ids::{ItemId, PersonId};
use exam_core::responses::{Cell, ResponseMatrixBuilder};
use exam_stats::calibration::{CalibrationOptions, Model, calibrate, rasch_cml};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
fn cpu() -> f64 {
    let s = std::fs::read_to_string("/proc/self/stat").unwrap();
    let f: Vec<&str> = s.rsplit(')').next().unwrap().split_whitespace().collect();
    (f[11].parse::<f64>().unwrap() + f[12].parse::<f64>().unwrap()) / 100.0
}
fn normal(rng: &mut ChaCha8Rng) -> f64 {
    let u: f64 = rng.random::<f64>().max(1e-300);
    let v: f64 = rng.random();
    (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
}
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args[1].parse().unwrap();
    let k: usize = args[2].parse().unwrap();
    let model = match args[3].as_str() {
        "3pl" => Model::ThreePl,
        "cml" => Model::Rasch,
        _ => Model::TwoPl,
    };
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let a: Vec<f64> = (0..k)
        .map(|_| (0.25 * normal(&mut rng)).exp() * 1.1)
        .collect();
    let b: Vec<f64> = (0..k).map(|_| normal(&mut rng).clamp(-2.5, 2.5)).collect();
    let c: Vec<f64> = (0..k)
        .map(|_| {
            if args[3] == "3pl" {
                0.1 + 0.15 * rng.random::<f64>()
            } else {
                0.0
            }
        })
        .collect();
    let ids: Vec<ItemId> = (0..k).map(|j| ItemId::new(format!("I{j}"))).collect();
    let mut builder = ResponseMatrixBuilder::new(ids).unwrap();
    let mut cells = vec![Cell::Score(0); k];
    for p in 0..n {
        let theta = normal(&mut rng);
        for j in 0..k {
            let aj = if args[3] == "cml" { 1.0 } else { a[j] };
            let prob = c[j] + (1.0 - c[j]) / (1.0 + (-aj * (theta - b[j])).exp());
            cells[j] = Cell::Score(u8::from(rng.random::<f64>() < prob));
        }
        builder.push(PersonId::new(p.to_string()), &cells).unwrap();
    }
    let data = builder.build();
    let t0 = cpu();
    let w0 = std::time::Instant::now();
    if args[3] == "cml" {
        let f = rasch_cml(&data).unwrap();
        eprintln!(
            "cml cpu {:.4}s wall {:.4}s iters {} conv {}",
            cpu() - t0,
            w0.elapsed().as_secs_f64(),
            f.iterations,
            f.converged
        );
        return;
    }
    let mut o = CalibrationOptions::new(model);
    o.parallel = args.get(5).is_some_and(|a| a == "par");
    o.standard_errors = false;
    o.tolerance = args.get(4).map_or(1e-4, |t| t.parse().unwrap());
    let f = calibrate(&data, &o).unwrap();
    let rmse = (f
        .items
        .iter()
        .zip(&a)
        .map(|(i, a)| (i.estimate.as_ref().unwrap().a - a).powi(2))
        .sum::<f64>()
        / k as f64)
        .sqrt();
    eprintln!(
        "cpu {:.3}s wall {:.3}s iters {} conv {} a-rmse {rmse:.4}",
        cpu() - t0,
        w0.elapsed().as_secs_f64(),
        f.iterations,
        f.convergence.converged
    );
}
