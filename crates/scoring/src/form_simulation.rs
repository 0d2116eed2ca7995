//! Simulated submissions from IRT generating parameters, for tests, demos
//! and studies of scoring rules.
//!
//! # The model
//!
//! Candidate `i` has ability `θ_i ~ N(mean, sd²)` and sits form
//! `i mod F` of the `F` forms given. On each item of the form, with
//! generating parameters `(a, b, c)` (2PL/3PL, [`exam_core::irt`]):
//!
//! 1. with probability `omit_rate` the item is omitted;
//! 2. otherwise the answer is fully correct (the key) with probability
//!    `P(θ_i) = c + (1 − c) / (1 + e^{−a(θ_i − b)})`;
//! 3. otherwise the answer is wrong, and wrong answers are spread over the
//!    distractors by **option attractiveness**: each option `j` of an item
//!    has a weight `w_j ~ Exp(1)` drawn once per item from the seed and the
//!    item id (so the same item has the same popular and neglected
//!    distractors on every form and in every run with that seed, as real
//!    distractors do: a few draw most wrong answers, some almost none).
//!    - single choice: a distractor with probability `∝ w_j`;
//!    - multiple response: the key with `e ≥ 1` option errors (`e − 1`
//!      geometric with continuation ½); each error either leaves out a
//!      keyed option (while more than one is selected) or adds an unkeyed
//!      option chosen `∝ w_j`, each with probability ½;
//!    - ordering: the key order with `e ≥ 1` swaps of adjacent options;
//!    - matching: `e ≥ 1` prompts matched to a wrong option chosen `∝ w_j`.
//!
//! A wrong answer is never the key. Randomness is ChaCha8 (`rand_chacha`):
//! the candidate's stream is the seed with stream number `i`, so the result
//! does not depend on thread scheduling and is the same on every platform.

use crate::key::Slot;
use crate::keyed::Scorer;
use exam_core::hash::StableHasher;
use exam_core::ids::{CandidateId, FormId, ItemId, OptionId};
use exam_core::irt::ItemParams;
use exam_core::item::MatchPair;
use exam_core::random::standard_normal;
use exam_core::submission::{Answer, ItemAnswer, Submission};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use std::collections::HashMap;
use std::ops::Range;

/// Why a simulation could not run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum SimulationError {
    /// An item on a form has no generating parameters.
    #[error("item `{0}` has no generating parameters")]
    MissingParams(ItemId),
    /// No forms to sit.
    #[error("no forms given")]
    NoForms,
    /// The omission rate is outside `[0, 1)`.
    #[error("omission rate {0} must lie in [0, 1)")]
    OmitRate(f64),
    /// The ability distribution is invalid.
    #[error("ability distribution N({mean}, {sd}²) must have a finite mean and a positive sd")]
    Ability {
        /// Its mean.
        mean: f64,
        /// Its standard deviation.
        sd: f64,
    },
}

/// Settings of a simulation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SimulationOptions {
    /// Mean of the abilities.
    pub ability_mean: f64,
    /// Standard deviation of the abilities.
    pub ability_sd: f64,
    /// Probability that a candidate omits an item.
    pub omit_rate: f64,
}

impl Default for SimulationOptions {
    fn default() -> Self {
        Self {
            ability_mean: 0.0,
            ability_sd: 1.0,
            omit_rate: 0.01,
        }
    }
}

/// Simulated candidates: their submissions and generating abilities.
#[derive(Debug, Clone, PartialEq)]
pub struct Simulation {
    /// One submission per candidate (`C000001`, ...).
    pub submissions: Vec<Submission>,
    /// The true θ of each candidate, in the same order.
    pub abilities: Vec<f64>,
}

/// Index drawn with probability proportional to `weights` (all positive).
fn weighted(rng: &mut ChaCha8Rng, weights: &[(usize, f64)]) -> usize {
    let total: f64 = weights.iter().map(|w| w.1).sum();
    let mut u = rng.random::<f64>() * total;
    for &(i, w) in weights {
        if u < w {
            return i;
        }
        u -= w;
    }
    weights[weights.len() - 1].0
}

/// Number of errors: 1 + geometric with continuation ½.
fn errors(rng: &mut ChaCha8Rng) -> usize {
    let mut e = 1;
    while e < 8 && rng.random::<bool>() {
        e += 1;
    }
    e
}

/// The attractiveness weights of an item's options (in the slot's option
/// order), drawn from the seed and the item id.
pub(crate) fn attractiveness(
    seed: u64,
    item: &ItemId,
    options: &[OptionId],
) -> HashMap<OptionId, f64> {
    // FNV-1a of the id, mixed into the seed.
    let h = StableHasher::new().bytes(item.as_str().as_bytes()).finish();
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ h);
    // Draw in id order, so the weights do not depend on the delivered order.
    let mut sorted: Vec<&OptionId> = options.iter().collect();
    sorted.sort();
    sorted
        .into_iter()
        .map(|o| (o.clone(), (-(1.0 - rng.random::<f64>()).ln()).max(1e-12)))
        .collect()
}

pub(crate) struct SimItem<'a> {
    pub(crate) slot: &'a Slot,
    pub(crate) params: ItemParams,
    pub(crate) weights: Vec<f64>,
}

pub(crate) fn wrong_answer(item: &SimItem<'_>, rng: &mut ChaCha8Rng) -> Answer {
    let slot = item.slot;
    let key = slot.key_answer();
    let index = |id: &OptionId| slot.options.iter().position(|o| o == id).unwrap_or(0);
    match key {
        Answer::Selected(keyed) if slot.kind == exam_core::item::ItemKind::SingleChoice => {
            let k = keyed.first().map(index).unwrap_or(0);
            let choices: Vec<(usize, f64)> = (0..slot.options.len())
                .filter(|&j| j != k)
                .map(|j| (j, item.weights[j]))
                .collect();
            if choices.is_empty() {
                return Answer::Omitted;
            }
            Answer::Selected(vec![slot.options[weighted(rng, &choices)].clone()])
        }
        Answer::Selected(keyed) => {
            let keyed: Vec<usize> = keyed.iter().map(index).collect();
            let mut chosen: Vec<bool> = (0..slot.options.len())
                .map(|j| keyed.contains(&j))
                .collect();
            for _ in 0..errors(rng) {
                let selected_keyed: Vec<usize> =
                    keyed.iter().copied().filter(|&j| chosen[j]).collect();
                let addable: Vec<(usize, f64)> = (0..slot.options.len())
                    .filter(|&j| !chosen[j] && !keyed.contains(&j))
                    .map(|j| (j, item.weights[j]))
                    .collect();
                let can_remove =
                    chosen.iter().filter(|c| **c).count() > 1 && !selected_keyed.is_empty();
                if can_remove && (addable.is_empty() || rng.random::<bool>()) {
                    let r = selected_keyed[rng.random_range(0..selected_keyed.len())];
                    chosen[r] = false;
                } else if !addable.is_empty() {
                    chosen[weighted(rng, &addable)] = true;
                }
            }
            Answer::Selected(
                (0..slot.options.len())
                    .filter(|&j| chosen[j])
                    .map(|j| slot.options[j].clone())
                    .collect(),
            )
        }
        Answer::Ordered(mut order) => {
            let n = order.len();
            if n >= 2 {
                let key = order.clone();
                for _ in 0..errors(rng) {
                    let i = rng.random_range(0..n - 1);
                    order.swap(i, i + 1);
                }
                if order == key {
                    order.swap(0, 1);
                }
            }
            Answer::Ordered(order)
        }
        Answer::Matched(mut pairs) => {
            let n = pairs.len();
            for _ in 0..errors(rng).min(n) {
                let p = rng.random_range(0..n);
                let right = index(&pairs[p].option);
                let choices: Vec<(usize, f64)> = (0..slot.options.len())
                    .filter(|&j| j != right)
                    .map(|j| (j, item.weights[j]))
                    .collect();
                if !choices.is_empty() {
                    pairs[p] = MatchPair {
                        prompt: pairs[p].prompt.clone(),
                        option: slot.options[weighted(rng, &choices)].clone(),
                    };
                }
            }
            Answer::Matched(pairs)
        }
        other => other,
    }
}

/// Generating parameters for items that have none: for each item, from the
/// seed and the item id, `a = exp(0.25 z₁)`, `b = z₂` with `z₁, z₂ ~ N(0, 1)`,
/// and `c = 1/k` for a single-choice item with `k` options (blind guessing),
/// 0 for the other kinds (guessing the whole key is improbable). Items
/// already in `params` keep theirs. Returns the items that were given
/// parameters here, in form order.
pub fn fill_generating_params(
    scorer: &Scorer,
    params: &mut HashMap<ItemId, ItemParams>,
    seed: u64,
) -> Vec<ItemId> {
    let mut filled = Vec::new();
    for form in scorer.forms() {
        for slot in &form.slots {
            if params.contains_key(&slot.item) {
                continue;
            }
            let h = StableHasher::with_basis(0x9e37_79b9_7f4a_7c15)
                .bytes(slot.item.as_str().as_bytes())
                .finish();
            let mut rng = ChaCha8Rng::seed_from_u64(seed ^ h);
            let a = (0.25 * standard_normal(&mut rng)).exp();
            let b = standard_normal(&mut rng);
            let c = if slot.kind == exam_core::item::ItemKind::SingleChoice {
                1.0 / slot.options.len().max(2) as f64
            } else {
                0.0
            };
            if let Ok(p) = ItemParams::new(a, b, c) {
                params.insert(slot.item.clone(), p);
                filled.push(slot.item.clone());
            }
        }
    }
    filled
}

/// Simulates `candidates` submissions on the forms of `scorer` (see the
/// module docs for the model), all held in memory. Every item on the
/// forms needs generating parameters in `params`. For many candidates,
/// [`Simulator::batch`] gives the same submissions a batch at a time.
pub fn simulate(
    scorer: &Scorer,
    params: &HashMap<ItemId, ItemParams>,
    candidates: usize,
    options: &SimulationOptions,
    seed: u64,
) -> Result<Simulation, SimulationError> {
    let simulator = Simulator::new(scorer, params, candidates, options, seed)?;
    let (submissions, abilities) = simulator.batch(0..candidates).into_iter().unzip();
    Ok(Simulation {
        submissions,
        abilities,
    })
}

/// A simulation ready to run: the forms with their generating parameters
/// and option weights. Candidate `i` depends only on the seed and `i`, so
/// simulating in batches ([`Simulator::batch`]) gives exactly what
/// [`simulate`] gives, holding one batch at a time.
pub struct Simulator<'a> {
    forms: Vec<Vec<SimItem<'a>>>,
    form_ids: Vec<FormId>,
    candidates: usize,
    options: SimulationOptions,
    seed: u64,
}

impl<'a> Simulator<'a> {
    /// Checks the options and prepares the forms of `scorer` for
    /// `candidates` candidates. Every item on the forms needs generating
    /// parameters in `params`.
    pub fn new(
        scorer: &'a Scorer,
        params: &HashMap<ItemId, ItemParams>,
        candidates: usize,
        options: &SimulationOptions,
        seed: u64,
    ) -> Result<Self, SimulationError> {
        if !(0.0..1.0).contains(&options.omit_rate) {
            return Err(SimulationError::OmitRate(options.omit_rate));
        }
        if !(options.ability_mean.is_finite()
            && options.ability_sd.is_finite()
            && options.ability_sd > 0.0)
        {
            return Err(SimulationError::Ability {
                mean: options.ability_mean,
                sd: options.ability_sd,
            });
        }
        let forms: Vec<Vec<SimItem<'a>>> = scorer
            .forms()
            .map(|f| {
                f.slots
                    .iter()
                    .map(|slot| {
                        let params = *params
                            .get(&slot.item)
                            .ok_or_else(|| SimulationError::MissingParams(slot.item.clone()))?;
                        let w = attractiveness(seed, &slot.item, &slot.options);
                        let weights = slot.options.iter().map(|o| w[o]).collect();
                        Ok(SimItem {
                            slot,
                            params,
                            weights,
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()
            })
            .collect::<Result<_, _>>()?;
        if forms.is_empty() {
            return Err(SimulationError::NoForms);
        }
        Ok(Self {
            forms,
            form_ids: scorer.forms().map(|f| f.form().clone()).collect(),
            candidates,
            options: *options,
            seed,
        })
    }

    /// The submissions and generating abilities of the candidates in
    /// `range` (0-based, clipped to the number of candidates), in order,
    /// simulated on all cores.
    pub fn batch(&self, range: Range<usize>) -> Vec<(Submission, f64)> {
        let range = range.start.min(self.candidates)..range.end.min(self.candidates);
        range.into_par_iter().map(|i| self.candidate(i)).collect()
    }

    /// Candidate `i`'s submission and generating ability.
    fn candidate(&self, i: usize) -> (Submission, f64) {
        let options = &self.options;
        let width = self.candidates.to_string().len().max(6);
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        rng.set_stream(i as u64 + 1);
        let theta = options.ability_mean + options.ability_sd * standard_normal(&mut rng);
        let f = i % self.forms.len();
        let answers = self.forms[f]
            .iter()
            .map(|item| {
                let answer = if rng.random::<f64>() < options.omit_rate {
                    Answer::Omitted
                } else if rng.random::<f64>() < item.params.prob(theta) {
                    item.slot.key_answer()
                } else {
                    wrong_answer(item, &mut rng)
                };
                ItemAnswer::new(item.slot.item.clone(), answer)
            })
            .collect();
        let submission = Submission {
            candidate: CandidateId::new(format!("C{:0width$}", i + 1)),
            form: self.form_ids[f].clone(),
            answers,
        };
        (submission, theta)
    }
}
