//! Simulated scored responses from IRT generating parameters and a seed,
//! for tests, benchmarks and planning studies.
//!
//! Abilities are drawn from a normal distribution (Box–Muller on the
//! generator's uniforms, written here so that a seed gives the same data
//! whatever distribution crate versions do), and person `i` answers item `j`
//! correctly when a uniform draw falls below `P_j(θ_i)`. The generator is
//! ChaCha8 seeded with the given seed; draws are taken person by person,
//! item by item in order, so a seed fixes the data on every platform.
//! (Option-level responses, with wrong answers spread over distractors,
//! belong to the form-based simulation, not here.)

use crate::prior::NormalPrior;
use exam_core::ids::PersonId;
use exam_core::irt::ItemParamsEntry;
use exam_core::random::standard_normal;
use exam_core::responses::{Cell, ResponseMatrix, ResponseMatrixBuilder};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Why a simulation could not run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum SimulateError {
    /// No items to answer.
    #[error("a simulation needs at least one item")]
    NoItems,
    /// Two entries for one item.
    #[error("item `{item}` appears more than once")]
    DuplicateItem {
        /// The item.
        item: exam_core::ids::ItemId,
    },
    /// An ability is not finite.
    #[error("ability {value} of person {index} is not finite")]
    Ability {
        /// 0-based person index.
        index: usize,
        /// The value.
        value: f64,
    },
}

/// A simulated data set: the generating abilities and the scored responses
/// (persons numbered `1..=n` in order).
#[derive(Debug, Clone, PartialEq)]
pub struct Simulated {
    /// The true θ of each person, in person order.
    pub abilities: Vec<f64>,
    /// The scored responses, items in the order given.
    pub responses: ResponseMatrix,
}

/// `n` abilities drawn from `distribution` with the given seed.
pub fn simulate_abilities(n: usize, distribution: NormalPrior, seed: u64) -> Vec<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n)
        .map(|_| distribution.mean() + distribution.sd() * standard_normal(&mut rng))
        .collect()
}

/// Scored responses of persons with the given abilities to `items`.
pub fn simulate_responses(
    items: &[ItemParamsEntry],
    abilities: &[f64],
    seed: u64,
) -> Result<Simulated, SimulateError> {
    if items.is_empty() {
        return Err(SimulateError::NoItems);
    }
    if let Some((index, &value)) = abilities.iter().enumerate().find(|(_, t)| !t.is_finite()) {
        return Err(SimulateError::Ability { index, value });
    }
    let ids = items.iter().map(|e| e.id.clone()).collect();
    let mut builder =
        ResponseMatrixBuilder::new(ids).map_err(|item| SimulateError::DuplicateItem { item })?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut cells = Vec::with_capacity(items.len());
    for (i, &theta) in abilities.iter().enumerate() {
        cells.clear();
        cells.extend(items.iter().map(|e| {
            let u: f64 = rng.random();
            Cell::Score(u8::from(u < e.params.prob(theta)))
        }));
        builder
            .push(PersonId::new((i + 1).to_string()), &cells)
            .expect("fresh person ids and one 0/1 cell per item");
    }
    Ok(Simulated {
        abilities: abilities.to_vec(),
        responses: builder.build(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use exam_core::irt::ItemParams;

    fn entry(id: &str, a: f64, b: f64, c: f64) -> ItemParamsEntry {
        ItemParamsEntry {
            id: id.into(),
            params: ItemParams::new(a, b, c).unwrap(),
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_data() {
        let items = [entry("A", 1.0, 0.0, 0.0), entry("B", 1.5, 0.5, 0.2)];
        let thetas = simulate_abilities(50, NormalPrior::standard(), 7);
        assert_eq!(thetas, simulate_abilities(50, NormalPrior::standard(), 7));
        assert_ne!(thetas, simulate_abilities(50, NormalPrior::standard(), 8));
        let a = simulate_responses(&items, &thetas, 1).unwrap();
        assert_eq!(a, simulate_responses(&items, &thetas, 1).unwrap());
        assert_ne!(
            a.responses,
            simulate_responses(&items, &thetas, 2).unwrap().responses
        );
        assert_eq!(a.responses.persons()[49].as_str(), "50");
    }

    #[test]
    fn proportions_correct_follow_the_model() {
        // 20,000 persons at θ = 0.5 on an item with P = c + (1 − c)·L(1.2·0.5)
        // = 0.2 + 0.8·0.6457 = 0.7166: the proportion correct lies within 4
        // binomial SEs (0.0032) of it.
        let items = [entry("A", 1.2, 0.0, 0.2)];
        let p = items[0].params.prob(0.5);
        let sim = simulate_responses(&items, &vec![0.5; 20_000], 3).unwrap();
        let correct = sim.responses.blocks()[0]
            .scores()
            .iter()
            .filter(|&&x| x == 1)
            .count();
        let share = correct as f64 / 20_000.0;
        assert!(
            (share - p).abs() < 4.0 * (p * (1.0 - p) / 20_000.0).sqrt(),
            "{share} vs {p}"
        );
        // Abilities: mean and SD of 20,000 draws from N(1, 2²).
        let t = simulate_abilities(20_000, NormalPrior::new(1.0, 2.0).unwrap(), 4);
        let mean = t.iter().sum::<f64>() / t.len() as f64;
        let sd = (t.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (t.len() - 1) as f64).sqrt();
        assert!((mean - 1.0).abs() < 4.0 * 2.0 / 20_000f64.sqrt());
        assert!((sd - 2.0).abs() < 0.05);
    }

    #[test]
    fn bad_input_is_an_error() {
        assert_eq!(
            simulate_responses(&[], &[0.0], 1),
            Err(SimulateError::NoItems)
        );
        let items = [entry("A", 1.0, 0.0, 0.0), entry("A", 1.0, 0.0, 0.0)];
        assert!(matches!(
            simulate_responses(&items, &[0.0], 1),
            Err(SimulateError::DuplicateItem { .. })
        ));
        let items = [entry("A", 1.0, 0.0, 0.0)];
        assert!(matches!(
            simulate_responses(&items, &[0.0, f64::NAN], 1),
            Err(SimulateError::Ability { index: 1, .. })
        ));
    }
}
