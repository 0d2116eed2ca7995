//! What a real administration adds to simulated submissions
//! ([`crate::form_simulation`]): a group variable, candidates who run out of
//! time, and an item that functions differently for the focal group.
//!
//! - **Groups**: candidate `i` is in the focal group with probability
//!   `focal_share`, drawn from the seed (ChaCha8, stream `i + 1`).
//! - **Not-reached tails**: with probability `rate` a candidate stops
//!   before the end; the number of items left unanswered at the end is
//!   uniform on `1..=max_items` (at most the form's length), and those
//!   answers become [`Answer::NotReached`].
//! - **Uniform DIF** (Holland & Wainer 1993, *Differential Item
//!   Functioning*, ch. 1): for focal candidates the item's difficulty is
//!   `b + shift` (`shift > 0`, same `a` and `c`), so `P_F(θ) ≤ P_R(θ)` at
//!   every θ. A focal candidate's correct answer, drawn under `P_R`, is kept
//!   with probability `P_F(θ)/P_R(θ)` and otherwise replaced by a wrong
//!   answer drawn as the simulation draws them (distractor attractiveness),
//!   which makes the probability of a correct answer exactly `P_F(θ)`.
//!
//! - **A modified-Angoff panel**: rater `r` rates item `j` (the probability
//!   that a minimally competent candidate answers it correctly; for a
//!   partial-credit item the share of its points such a candidate earns,
//!   the usual extension of the method) as `P_j(θ_mc) + δ_r + ε_rj`
//!   ([`ItemModel::expected_proportion`]), clamped to `[0.01, 0.99]`, with a leniency
//!   `δ_r ~ N(0, leniency_sd²)` and noise `ε ~ N(0, sd²)` whose sd shrinks
//!   from round to round as the panel discusses (Cizek & Bunch 2007,
//!   *Standard Setting*, ch. 6).
//!
//! Each step draws from its own ChaCha8 stream per candidate, so adding one
//! never changes what the others drew.

use crate::angoff::{AngoffError, AngoffStudy, RaterId};
use crate::form_simulation::{Model, SimItem, Simulation, attractiveness, wrong_answer};
use crate::keyed::Scorer;
use exam_core::ids::ItemId;
use exam_core::irt::{ItemModel, ItemParams};
use exam_core::random::standard_normal;
use exam_core::submission::Answer;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::HashMap;

/// Salts that give each step its own generator for one seed.
const GROUP_SALT: u64 = 0x6772_6f75_7073;
const NOT_REACHED_SALT: u64 = 0x6e6f_7472_6561_6368;
const DIF_SALT: u64 = 0x6469_6673_6869_6674;
const PANEL_SALT: u64 = 0x616e_676f_6666;

/// Why a field-test step could not run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum FieldTestError {
    /// A share or rate outside `[0, 1]`.
    #[error("{name} {value} must lie in [0, 1]")]
    Share {
        /// Which option.
        name: &'static str,
        /// Its value.
        value: f64,
    },
    /// The DIF shift is not a finite positive number.
    #[error("DIF shift {0} must be finite and positive")]
    Shift(f64),
    /// The DIF item is on no form.
    #[error("DIF item `{0}` is on none of the forms")]
    NotOnForms(ItemId),
    /// The DIF item has no generating parameters.
    #[error("DIF item `{0}` has no generating parameters")]
    MissingParams(ItemId),
    /// The group list does not have one entry per candidate.
    #[error("{found} group entries for {expected} candidates")]
    Groups {
        /// Candidates simulated.
        expected: usize,
        /// Entries given.
        found: usize,
    },
}

fn share(name: &'static str, value: f64) -> Result<f64, FieldTestError> {
    if (0.0..=1.0).contains(&value) {
        Ok(value)
    } else {
        Err(FieldTestError::Share { name, value })
    }
}

fn candidate_rng(seed: u64, salt: u64, candidate: usize) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ salt);
    rng.set_stream(candidate as u64 + 1);
    rng
}

/// Whether each of `candidates` is in the focal group (module docs).
pub fn focal_groups(
    candidates: usize,
    focal_share: f64,
    seed: u64,
) -> Result<Vec<bool>, FieldTestError> {
    let focal_share = share("focal share", focal_share)?;
    Ok((0..candidates)
        .map(|i| candidate_rng(seed, GROUP_SALT, i).random::<f64>() < focal_share)
        .collect())
}

/// Who stops before the end, and how early.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NotReachedOptions {
    /// Probability that a candidate does not reach the end, in `[0, 1]`.
    pub rate: f64,
    /// Most items left unreached at the end of a form.
    pub max_items: usize,
}

/// Turns the last answers of some candidates into not reached (module
/// docs); returns how many candidates stopped early.
pub fn not_reached_tails(
    simulation: &mut Simulation,
    options: &NotReachedOptions,
    seed: u64,
) -> Result<usize, FieldTestError> {
    let rate = share("not-reached rate", options.rate)?;
    let mut stopped = 0;
    for (i, submission) in simulation.submissions.iter_mut().enumerate() {
        let mut rng = candidate_rng(seed, NOT_REACHED_SALT, i);
        let most = options.max_items.min(submission.answers.len());
        if most == 0 || rng.random::<f64>() >= rate {
            continue;
        }
        let tail = rng.random_range(1..=most);
        let start = submission.answers.len() - tail;
        for answer in &mut submission.answers[start..] {
            answer.answer = Answer::NotReached;
        }
        stopped += 1;
    }
    Ok(stopped)
}

/// An item made harder for the focal group.
#[derive(Debug, Clone, PartialEq)]
pub struct DifItem {
    /// The item.
    pub item: ItemId,
    /// Added to its difficulty for the focal group; finite and positive.
    pub shift: f64,
}

/// Gives `dif.item` uniform DIF against the focal group (`focal[i]` for
/// candidate `i`; module docs), after the simulation drew every answer
/// under the reference parameters `params`. Returns how many focal
/// answers were turned from right to wrong.
pub fn impose_dif(
    scorer: &Scorer,
    simulation: &mut Simulation,
    params: &HashMap<ItemId, ItemParams>,
    focal: &[bool],
    dif: &DifItem,
    seed: u64,
) -> Result<usize, FieldTestError> {
    if !(dif.shift.is_finite() && dif.shift > 0.0) {
        return Err(FieldTestError::Shift(dif.shift));
    }
    if focal.len() != simulation.submissions.len() {
        return Err(FieldTestError::Groups {
            expected: simulation.submissions.len(),
            found: focal.len(),
        });
    }
    let reference = *params
        .get(&dif.item)
        .ok_or_else(|| FieldTestError::MissingParams(dif.item.clone()))?;
    let harder = ItemParams::new(reference.a(), reference.b() + dif.shift, reference.c())
        .map_err(|_| FieldTestError::Shift(dif.shift))?;
    let slot = scorer
        .forms()
        .flat_map(|f| f.slots.iter())
        .find(|s| s.item == dif.item)
        .ok_or_else(|| FieldTestError::NotOnForms(dif.item.clone()))?;
    let weights = attractiveness(seed, &slot.item, &slot.options);
    let item = SimItem {
        slot,
        model: Model::Dichotomous(reference),
        weights: slot.options.iter().map(|o| weights[o]).collect(),
    };
    let key = slot.key_answer();
    let mut flipped = 0;
    let candidates = simulation.submissions.iter_mut().zip(&simulation.abilities);
    for (i, (submission, &theta)) in candidates.enumerate() {
        if !focal[i] {
            continue;
        }
        let Some(answer) = submission.answers.iter_mut().find(|a| a.item == dif.item) else {
            continue;
        };
        if answer.answer != key {
            continue;
        }
        let mut rng = candidate_rng(seed, DIF_SALT, i);
        let keep = harder.prob(theta) / reference.prob(theta);
        if rng.random::<f64>() >= keep {
            answer.answer = wrong_answer(&item, &mut rng);
            flipped += 1;
        }
    }
    Ok(flipped)
}

/// A simulated standard-setting panel.
#[derive(Debug, Clone, PartialEq)]
pub struct PanelOptions {
    /// Raters on the panel.
    pub raters: usize,
    /// θ of the minimally competent candidate the panel has in mind.
    pub theta: f64,
    /// Standard deviation of a rater's leniency.
    pub leniency_sd: f64,
    /// Standard deviation of the rating noise in each round, in order.
    pub noise_sd: Vec<f64>,
}

/// Simulated modified-Angoff ratings of `items` (module docs).
pub fn simulate_angoff(
    items: &[(ItemId, ItemModel)],
    panel: &PanelOptions,
    seed: u64,
) -> Result<AngoffStudy, AngoffError> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ PANEL_SALT);
    let raters: Vec<RaterId> = (1..=panel.raters)
        .map(|r| RaterId::new(format!("R{r:02}")))
        .collect();
    let leniency: Vec<f64> = raters
        .iter()
        .map(|_| panel.leniency_sd * standard_normal(&mut rng))
        .collect();
    let rounds = panel
        .noise_sd
        .iter()
        .map(|sd| {
            leniency
                .iter()
                .map(|d| {
                    items
                        .iter()
                        .map(|(_, p)| {
                            let rating = p.expected_proportion(panel.theta)
                                + d
                                + sd * standard_normal(&mut rng);
                            rating.clamp(0.01, 0.99)
                        })
                        .collect()
                })
                .collect()
        })
        .collect();
    AngoffStudy::new(items.iter().map(|i| i.0.clone()).collect(), raters, rounds)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::form_simulation::tests::bank_scorer;
    use crate::form_simulation::{SimulationOptions, fill_generating_params, simulate};
    use crate::rules::ScoringRules;

    fn scorer() -> (Scorer, HashMap<ItemId, ItemParams>) {
        let scorer = bank_scorer(&ScoringRules::default());
        let mut params = HashMap::new();
        fill_generating_params(&scorer, &mut params, 3);
        (scorer, params)
    }

    #[test]
    fn dif_lowers_the_focal_groups_proportion_correct_to_the_model() {
        let (scorer, params) = scorer();
        let n = 20_000;
        let mut sim = simulate(&scorer, &params, n, &SimulationOptions::default(), 5).unwrap();
        let focal = vec![true; n];
        let form = scorer.forms().next().unwrap();
        let item = form.slots[0].item.clone();
        let key = form.slots[0].key_answer();
        let dif = DifItem {
            item: item.clone(),
            shift: 1.0,
        };
        impose_dif(&scorer, &mut sim, &params, &focal, &dif, 5).unwrap();
        // Expected proportion correct among those not omitting:
        // the mean of P_F(θ) over the candidates who sat the item.
        let p = params[&item];
        let harder = ItemParams::new(p.a(), p.b() + 1.0, p.c()).unwrap();
        let (mut right, mut answered, mut expected) = (0.0, 0.0, 0.0);
        for (s, &theta) in sim.submissions.iter().zip(&sim.abilities) {
            if let Some(a) = s.answers.iter().find(|a| a.item == item)
                && a.answer != Answer::Omitted
            {
                answered += 1.0;
                expected += harder.prob(theta);
                right += f64::from(u8::from(a.answer == key));
            }
        }
        // Binomial SE of a proportion over ~5,000 answers is below 0.008.
        assert!(
            ((right - expected) / answered).abs() < 0.03,
            "observed {} expected {}",
            right / answered,
            expected / answered
        );
    }

    #[test]
    fn not_reached_tails_cover_the_last_answers_only() {
        let (scorer, params) = scorer();
        let mut sim = simulate(&scorer, &params, 400, &SimulationOptions::default(), 2).unwrap();
        let options = NotReachedOptions {
            rate: 0.5,
            max_items: 5,
        };
        let stopped = not_reached_tails(&mut sim, &options, 2).unwrap();
        assert!((150..250).contains(&stopped), "{stopped} of 400 stopped");
        for s in &sim.submissions {
            let first = s
                .answers
                .iter()
                .position(|a| a.answer == Answer::NotReached)
                .unwrap_or(s.answers.len());
            assert!(s.answers.len() - first <= 5);
            assert!(
                s.answers[first..]
                    .iter()
                    .all(|a| a.answer == Answer::NotReached)
            );
        }
        let bad = NotReachedOptions {
            rate: 1.5,
            max_items: 5,
        };
        assert!(matches!(
            not_reached_tails(&mut sim, &bad, 2),
            Err(FieldTestError::Share { .. })
        ));
    }

    #[test]
    fn focal_groups_follow_the_share() {
        let groups = focal_groups(10_000, 0.3, 1).unwrap();
        let focal = groups.iter().filter(|g| **g).count();
        assert!((2_800..3_200).contains(&focal), "{focal}");
        assert_eq!(groups, focal_groups(10_000, 0.3, 1).unwrap());
    }

    #[test]
    fn an_angoff_panel_without_noise_rates_the_model_probabilities() {
        let items = vec![
            (
                ItemId::new("A"),
                ItemModel::Dichotomous(ItemParams::new(1.0, 0.0, 0.0).unwrap()),
            ),
            (
                ItemId::new("B"),
                ItemModel::Dichotomous(ItemParams::new(1.5, 1.0, 0.2).unwrap()),
            ),
            (
                ItemId::new("C"),
                ItemModel::Gpcm(exam_core::irt::GpcmParams::new(0.9, vec![-0.4, 0.4]).unwrap()),
            ),
        ];
        let panel = PanelOptions {
            raters: 3,
            theta: 0.0,
            leniency_sd: 0.0,
            noise_sd: vec![0.0],
        };
        let study = simulate_angoff(&items, &panel, 1).unwrap();
        let round = study.final_round(2.0).unwrap();
        // P_A(0) = 0.5; P_B(0) = 0.2 + 0.8/(1 + e^1.5); C's steps are
        // symmetric about 0, so its expected credit there is 1/2.
        let expected = 0.5 + 0.2 + 0.8 / (1.0 + 1.5f64.exp()) + 0.5;
        assert!((round.cut - expected).abs() < 1e-12);
        assert_eq!(study.raters().len(), 3);
    }
}
