use super::synthetic::{SyntheticSpec, synthetic_bank};
use super::*;
use crate::coverage::coverage;

#[test]
fn debug_quality() {
    let (bank, blueprint) = synthetic_bank(&SyntheticSpec::default(), 7).unwrap();
    let a = assemble(&bank, &blueprint, &AssemblyOptions::default(), 1).unwrap();
    let c = coverage(&a.forms[0], &bank, &blueprint, &[]);
    eprintln!("{:?}\n{:?}\n{:?}", a.objective, c.theta_points, a.quality);
}
