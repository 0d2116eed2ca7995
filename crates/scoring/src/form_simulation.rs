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
//! An item with generating parameters under the generalized partial credit
//! model ([`GpcmParams`], drawn by [`fill_gpcm_params`] for the items whose
//! rule gives partial credit in `m` equal steps) is answered by category
//! instead of steps 2–3: with probability `P(k | θ_i)` of the GPCM the
//! answer earns credit `k/m` under the scorer's rules
//! ([`crate::keyed::CompiledFormKey::score_points`]):
//!
//! - matching per pair: `k` prompts, chosen at random, matched to their key,
//!   the others to a wrong option chosen `∝ w_j`;
//! - pairwise ordering: an order with exactly `m − k` of the `m` option
//!   pairs inverted (the inversions spread over the positions at random);
//! - partial-credit multiple response: `k` keyed options chosen at random
//!   and nothing else (for `k = 0` one unkeyed option chosen `∝ w_j`, or an
//!   omission when every option is keyed).
//!
//! A wrong answer is never the key. Randomness is ChaCha8 (`rand_chacha`):
//! the candidate's stream is the seed with stream number `i`, so the result
//! does not depend on thread scheduling and is the same on every platform.

use crate::key::{CompiledKey, Slot};
use crate::keyed::Scorer;
use exam_core::hash::StableHasher;
use exam_core::ids::{CandidateId, FormId, ItemId, OptionId};
use exam_core::irt::{GpcmParams, ItemParams};
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
    /// An item's GPCM parameters do not have as many steps as its rule has
    /// score points.
    #[error(
        "item `{item}` has GPCM parameters with {steps} steps but its scoring rule gives {points} score points"
    )]
    Categories {
        /// The item.
        item: ItemId,
        /// Its GPCM steps.
        steps: usize,
        /// Its score points under the rules (0: no grid of equal steps).
        points: u32,
    },
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

/// The generating model of one item (see the module docs).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Model {
    /// The key with probability `P(θ)` of the 3PL, otherwise a wrong answer.
    Dichotomous(ItemParams),
    /// Score category `k` with probability `P(k | θ)` of the GPCM.
    Gpcm(GpcmParams),
}

pub(crate) struct SimItem<'a> {
    pub(crate) slot: &'a Slot,
    pub(crate) model: Model,
    pub(crate) weights: Vec<f64>,
}

/// A category `0..=m` drawn with the GPCM's probabilities at `theta`.
fn gpcm_category(params: &GpcmParams, theta: f64, rng: &mut ChaCha8Rng) -> usize {
    let mut probs = vec![0.0; params.max_score() + 1];
    params.category_probs(theta, &mut probs);
    let mut u = rng.random::<f64>();
    for (k, p) in probs.iter().enumerate() {
        if u < *p {
            return k;
        }
        u -= p;
    }
    params.max_score()
}

/// `k` distinct indices of `0..n` chosen at random (all when `k ≥ n`).
fn choose(n: usize, k: usize, rng: &mut ChaCha8Rng) -> Vec<usize> {
    let mut all: Vec<usize> = (0..n).collect();
    for i in 0..k.min(n) {
        let j = rng.random_range(i..n);
        all.swap(i, j);
    }
    all.truncate(k.min(n));
    all
}

/// An answer whose credit under the slot's rule is `k/m` with `m` the
/// slot's score points (module docs); the key for `k = m`.
pub(crate) fn partial_answer(
    item: &SimItem<'_>,
    k: usize,
    m: usize,
    rng: &mut ChaCha8Rng,
) -> Answer {
    let slot = item.slot;
    if k >= m {
        return slot.key_answer();
    }
    match &slot.key {
        CompiledKey::Single(_) => wrong_answer(item, rng),
        CompiledKey::Matching(table) => {
            let right = choose(table.len(), k, rng);
            let pairs = table
                .iter()
                .enumerate()
                .map(|(p, &keyed)| {
                    let keyed = usize::from(keyed);
                    let choices: Vec<(usize, f64)> = (0..slot.options.len())
                        .filter(|&j| j != keyed)
                        .map(|j| (j, item.weights[j]))
                        .collect();
                    let option = if right.contains(&p) || choices.is_empty() {
                        keyed
                    } else {
                        weighted(rng, &choices)
                    };
                    MatchPair {
                        prompt: slot.prompts[p].clone(),
                        option: slot.options[option].clone(),
                    }
                })
                .collect();
            Answer::Matched(pairs)
        }
        CompiledKey::Ordering(rank) => {
            // Lehmer code: position i takes the c_i-th smallest key position
            // left, adding c_i inversions; the c_i are drawn so that they
            // sum to the m − k pairs to invert.
            let n = rank.len();
            let mut key_order = vec![0usize; n];
            for (option, &r) in rank.iter().enumerate() {
                key_order[usize::from(r)] = option;
            }
            let mut left: Vec<usize> = (0..n).collect();
            let mut inversions = m - k;
            let mut order = Vec::with_capacity(n);
            for i in 0..n {
                let later = (n - 1 - i) * (n - 1 - i).saturating_sub(1) / 2;
                let low = inversions.saturating_sub(later);
                let high = (n - 1 - i).min(inversions);
                let c = rng.random_range(low..=high);
                inversions -= c;
                order.push(slot.options[key_order[left.remove(c)]].clone());
            }
            Answer::Ordered(order)
        }
        CompiledKey::Multiple { mask, .. } => {
            let keyed: Vec<usize> = (0..slot.options.len())
                .filter(|j| mask & (1 << j) != 0)
                .collect();
            let mut chosen: Vec<usize> = choose(keyed.len(), k, rng)
                .into_iter()
                .map(|i| keyed[i])
                .collect();
            if chosen.is_empty() {
                let unkeyed: Vec<(usize, f64)> = (0..slot.options.len())
                    .filter(|j| mask & (1 << j) == 0)
                    .map(|j| (j, item.weights[j]))
                    .collect();
                if unkeyed.is_empty() {
                    return Answer::Omitted;
                }
                chosen.push(weighted(rng, &unkeyed));
            }
            chosen.sort_unstable();
            Answer::Selected(
                chosen
                    .into_iter()
                    .map(|j| slot.options[j].clone())
                    .collect(),
            )
        }
    }
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

/// GPCM generating parameters for the items whose rule gives partial
/// credit in `m ≥ 2` equal steps
/// ([`crate::keyed::CompiledFormKey::score_points`]) and that have none: from
/// the seed and the item id, `a = exp(0.25 z₁)`, a location `b = z₂`, and
/// `m` steps spread evenly over `[b − 1, b + 1]`, each moved by
/// `0.2 z_v` (`z ~ N(0, 1)`), so that every category is reached by a
/// cohort of ordinary spread. Items already in `gpcm` keep theirs. Returns
/// the items given parameters here, in form order.
pub fn fill_gpcm_params(
    scorer: &Scorer,
    gpcm: &mut HashMap<ItemId, GpcmParams>,
    seed: u64,
) -> Vec<ItemId> {
    let mut filled = Vec::new();
    for form in scorer.forms() {
        for slot in &form.slots {
            let Some(m) = slot.score_points(&form.rules).filter(|&m| m >= 2) else {
                continue;
            };
            if gpcm.contains_key(&slot.item) {
                continue;
            }
            let h = StableHasher::with_basis(0x2545_f491_4f6c_dd1d)
                .bytes(slot.item.as_str().as_bytes())
                .finish();
            let mut rng = ChaCha8Rng::seed_from_u64(seed ^ h);
            let a = (0.25 * standard_normal(&mut rng)).exp();
            let b = standard_normal(&mut rng);
            let steps = (0..m)
                .map(|v| {
                    let even = 2.0 * f64::from(v) / f64::from(m - 1) - 1.0;
                    b + even + 0.2 * standard_normal(&mut rng)
                })
                .collect();
            if let Ok(p) = GpcmParams::new(a, steps) {
                gpcm.insert(slot.item.clone(), p);
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
    simulate_mixed(scorer, params, &HashMap::new(), candidates, options, seed)
}

/// [`simulate`] with some items answered under the GPCM: an item in `gpcm`
/// is answered by category (module docs), every other item needs
/// parameters in `params`.
pub fn simulate_mixed(
    scorer: &Scorer,
    params: &HashMap<ItemId, ItemParams>,
    gpcm: &HashMap<ItemId, GpcmParams>,
    candidates: usize,
    options: &SimulationOptions,
    seed: u64,
) -> Result<Simulation, SimulationError> {
    let simulator = Simulator::mixed(scorer, params, gpcm, candidates, options, seed)?;
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
        Self::mixed(scorer, params, &HashMap::new(), candidates, options, seed)
    }

    /// As [`Simulator::new`], the items in `gpcm` answered under the GPCM
    /// (their steps must be as many as their score points under the
    /// scorer's rules); every other item needs parameters in `params`.
    pub fn mixed(
        scorer: &'a Scorer,
        params: &HashMap<ItemId, ItemParams>,
        gpcm: &HashMap<ItemId, GpcmParams>,
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
                        let model =
                            match gpcm.get(&slot.item) {
                                Some(g) => {
                                    let points = slot.score_points(&f.rules).unwrap_or(0);
                                    if points as usize != g.max_score() {
                                        return Err(SimulationError::Categories {
                                            item: slot.item.clone(),
                                            steps: g.max_score(),
                                            points,
                                        });
                                    }
                                    Model::Gpcm(g.clone())
                                }
                                None => Model::Dichotomous(*params.get(&slot.item).ok_or_else(
                                    || SimulationError::MissingParams(slot.item.clone()),
                                )?),
                            };
                        let w = attractiveness(seed, &slot.item, &slot.options);
                        let weights = slot.options.iter().map(|o| w[o]).collect();
                        Ok(SimItem {
                            slot,
                            model,
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
                } else {
                    match &item.model {
                        Model::Dichotomous(p) if rng.random::<f64>() < p.prob(theta) => {
                            item.slot.key_answer()
                        }
                        Model::Dichotomous(_) => wrong_answer(item, &mut rng),
                        Model::Gpcm(g) => {
                            let k = gpcm_category(g, theta, &mut rng);
                            partial_answer(item, k, g.max_score(), &mut rng)
                        }
                    }
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

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::rules::{MultipleResponseRule, OrderingRule, ScoringRules};
    use exam_core::assembly::{AssemblyOptions, assemble};
    use exam_core::bank::ItemBank;

    /// The scorer of two forms assembled from the shipped bank under `rules`.
    pub(crate) fn bank_scorer(rules: &ScoringRules) -> Scorer {
        let bank = ItemBank::load(concat!(env!("CARGO_MANIFEST_DIR"), "/../../item-bank")).unwrap();
        let blueprint = bank.blueprints()[0].clone();
        let forms = assemble(&bank, &blueprint, &AssemblyOptions::default(), 3).unwrap();
        let keys: Vec<_> = forms
            .forms
            .iter()
            .map(|f| f.scoring_key(&bank).unwrap())
            .collect();
        Scorer::new(forms.forms.iter().zip(&keys), rules, &HashMap::new()).unwrap()
    }

    /// Rules under which every kind but single choice gives partial credit.
    fn partial_rules() -> ScoringRules {
        ScoringRules {
            multiple_response: MultipleResponseRule::PartialCredit { penalty: 1.0 },
            ordering: OrderingRule::Pairwise,
            ..ScoringRules::default()
        }
    }

    #[test]
    fn every_category_is_answered_with_its_credit() {
        let rules = partial_rules();
        let scorer = bank_scorer(&rules);
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let mut kinds = std::collections::HashSet::new();
        for form in scorer.forms() {
            for slot in &form.slots {
                let Some(m) = slot.score_points(&rules).filter(|&m| m >= 2) else {
                    continue;
                };
                kinds.insert(format!("{:?}", slot.kind));
                let weights = vec![1.0; slot.options.len()];
                let item = SimItem {
                    slot,
                    model: Model::Dichotomous(ItemParams::two_pl(1.0, 0.0).unwrap()),
                    weights,
                };
                for k in 0..=m as usize {
                    for _ in 0..20 {
                        let answer = partial_answer(&item, k, m as usize, &mut rng);
                        let credit = slot.credit(&answer, &rules).unwrap();
                        assert!(
                            (credit * f64::from(m) - k as f64).abs() < 1e-9,
                            "{} ({:?}, {m} points): category {k} answered {answer:?}, credit {credit}",
                            slot.item,
                            slot.kind
                        );
                    }
                }
            }
        }
        // The bank's forms carry all three partial-credit kinds.
        assert_eq!(kinds.len(), 3, "{kinds:?}");
    }

    #[test]
    fn simulated_categories_follow_the_gpcm_and_score_back_to_themselves() {
        // The default rules: matching per pair is the bank's partial-credit
        // kind.
        let rules = ScoringRules::default();
        let scorer = bank_scorer(&rules);
        let mut gpcm = HashMap::new();
        let filled = fill_gpcm_params(&scorer, &mut gpcm, 11);
        assert!(!filled.is_empty());
        let mut params = HashMap::new();
        fill_generating_params(&scorer, &mut params, 11);
        let n = 8000;
        let options = SimulationOptions {
            omit_rate: 0.0,
            ..SimulationOptions::default()
        };
        let sim = simulate_mixed(&scorer, &params, &gpcm, n, &options, 11).unwrap();
        for item in &filled {
            let g = &gpcm[item];
            let m = g.max_score();
            // Observed counts of each scored category against their
            // expectation Σ_i P(k | θ_i) over the candidates who sat the
            // item, within 4 binomial SEs √(Σ_i p_i(1 − p_i)).
            let mut observed = vec![0.0; m + 1];
            let mut expected = vec![0.0; m + 1];
            let mut variance = vec![0.0; m + 1];
            let mut probs = vec![0.0; m + 1];
            for (s, &theta) in sim.submissions.iter().zip(&sim.abilities) {
                let form = scorer.scorer_for(s).unwrap();
                let Some(position) = s.answers.iter().position(|a| &a.item == item) else {
                    continue;
                };
                let scored = form.score(s).unwrap();
                let slot = form.slots.iter().position(|x| &x.item == item).unwrap();
                let credit = scored.outcomes[slot].credit;
                let category = credit * m as f64;
                assert!((category - category.round()).abs() < 1e-9, "{credit}");
                assert!(s.answers[position].answer != Answer::Omitted);
                observed[category.round() as usize] += 1.0;
                g.category_probs(theta, &mut probs);
                for k in 0..=m {
                    expected[k] += probs[k];
                    variance[k] += probs[k] * (1.0 - probs[k]);
                }
            }
            for k in 0..=m {
                let se = variance[k].sqrt();
                assert!(
                    (observed[k] - expected[k]).abs() < 4.0 * se.max(1.0),
                    "{item} category {k}: observed {} expected {:.1} (SE {se:.1})",
                    observed[k],
                    expected[k]
                );
            }
        }
    }
}
