//! A scoring key compiled for one form: each slot's key as small integer
//! tables (options by index, multiple-response keys as bit masks, ordering
//! keys as ranks, matching keys as a prompt → option table), and the credit
//! an answer earns under it and the scoring rules.

use crate::rules::{
    Adjustment, MatchingRule, MultipleResponseRule, OrderingRule, ScoringRules, matching_credit,
    multiple_response_credit, ordering_credit,
};
use crate::scoring_error::{AnswerProblem, KeyError, KeyMisfit};
use exam_core::form::{AnswerKey, SlotRole};
use exam_core::ids::{FormId, ItemId, OptionId};
use exam_core::item::ItemKind;
use exam_core::submission::Answer;

/// The most options (or prompts) an item may have: keys are compiled to
/// 64-bit masks.
pub const MAX_OPTIONS: usize = 64;

/// The largest item weight a scoring key may give: weights lie in
/// `[0, MAX_WEIGHT]`, so a raw score (a sum of at most a few thousand
/// weighted credits) is always a finite number.
pub const MAX_WEIGHT: f64 = 1000.0;

/// One slot's key, compiled against its delivered option (and prompt) order.
#[derive(Debug, Clone)]
pub(crate) enum CompiledKey {
    Single(u8),
    Multiple {
        mask: u64,
        keyed: u32,
    },
    /// Key position of each option, by option index.
    Ordering(Vec<u8>),
    /// Keyed option index of each prompt, by prompt index.
    Matching(Vec<u8>),
}

/// One compiled slot.
#[derive(Debug, Clone)]
pub(crate) struct Slot {
    pub(crate) item: ItemId,
    pub(crate) version: u32,
    pub(crate) role: SlotRole,
    pub(crate) domain: usize,
    pub(crate) weight: f64,
    pub(crate) kind: ItemKind,
    pub(crate) options: Vec<OptionId>,
    pub(crate) prompts: Vec<OptionId>,
    pub(crate) adjustment: Option<Adjustment>,
    pub(crate) key: CompiledKey,
}

impl Slot {
    /// Whether the slot counts toward the candidate's result.
    pub(crate) fn counts(&self) -> bool {
        self.role == SlotRole::Scored && self.adjustment != Some(Adjustment::Drop)
    }

    /// The key's answer in submission form (the answer that earns full
    /// credit).
    pub(crate) fn key_answer(&self) -> Answer {
        match &self.key {
            CompiledKey::Single(i) => Answer::Selected(vec![self.options[usize::from(*i)].clone()]),
            CompiledKey::Multiple { mask, .. } => Answer::Selected(
                (0..self.options.len())
                    .filter(|i| mask & (1 << i) != 0)
                    .map(|i| self.options[i].clone())
                    .collect(),
            ),
            CompiledKey::Ordering(rank) => {
                let mut order = vec![OptionId::from("?"); rank.len()];
                for (i, &r) in rank.iter().enumerate() {
                    order[usize::from(r)] = self.options[i].clone();
                }
                Answer::Ordered(order)
            }
            CompiledKey::Matching(table) => Answer::Matched(
                table
                    .iter()
                    .enumerate()
                    .map(|(p, &o)| exam_core::item::MatchPair {
                        prompt: self.prompts[p].clone(),
                        option: self.options[usize::from(o)].clone(),
                    })
                    .collect(),
            ),
        }
    }

    /// The slot's score points under `rules`: the `m` for which every
    /// credit the rule can give is a multiple of `1/m` (so credit × m is
    /// the item's score category `0..=m`). Right-or-wrong rules have 1;
    /// matching per pair one point per prompt; pairwise ordering one per
    /// pair of options; partial-credit multiple response with a
    /// whole-number penalty one per keyed option. `None` for a rule whose
    /// credits lie on no such grid (N − 1 multiple response, a fractional
    /// penalty) or a grid wider than a score cell holds (255).
    pub(crate) fn score_points(&self, rules: &ScoringRules) -> Option<u32> {
        let points = match &self.key {
            CompiledKey::Single(_) => 1,
            CompiledKey::Multiple { keyed, .. } => match rules.multiple_response {
                MultipleResponseRule::AllOrNothing => 1,
                MultipleResponseRule::PartialCredit { penalty } if penalty.fract() == 0.0 => *keyed,
                _ => return None,
            },
            CompiledKey::Ordering(rank) => match rules.ordering {
                OrderingRule::Exact => 1,
                OrderingRule::Pairwise => {
                    let n = rank.len() as u32;
                    (n * n.saturating_sub(1) / 2).max(1)
                }
            },
            CompiledKey::Matching(table) => match rules.matching {
                MatchingRule::AllOrNothing => 1,
                MatchingRule::PerPair => table.len() as u32,
            },
        };
        (points <= u32::from(u8::MAX)).then_some(points)
    }

    fn option_index(&self, id: &OptionId) -> Result<usize, AnswerProblem> {
        self.options
            .iter()
            .position(|o| same_id(o.as_str(), id.as_str()))
            .ok_or_else(|| AnswerProblem::UnknownOption(id.clone()))
    }

    fn prompt_index(&self, id: &OptionId) -> Result<usize, AnswerProblem> {
        self.prompts
            .iter()
            .position(|o| same_id(o.as_str(), id.as_str()))
            .ok_or_else(|| AnswerProblem::UnknownPrompt(id.clone()))
    }

    fn selection_mask(&self, selected: &[OptionId]) -> Result<u64, AnswerProblem> {
        let mut mask = 0u64;
        for id in selected {
            let bit = 1u64 << self.option_index(id)?;
            if mask & bit != 0 {
                return Err(AnswerProblem::RepeatedOption(id.clone()));
            }
            mask |= bit;
        }
        Ok(mask)
    }

    /// Checks an answer and returns its credit under `rules`, before any
    /// adjustment.
    pub(crate) fn credit(
        &self,
        answer: &Answer,
        rules: &ScoringRules,
    ) -> Result<f64, AnswerProblem> {
        let wrong = |given| AnswerProblem::WrongKind {
            kind: self.kind,
            given,
        };
        match (answer, &self.key) {
            (Answer::Omitted | Answer::NotReached, _) => Ok(0.0),
            (Answer::Selected(sel), CompiledKey::Single(key)) => match sel.as_slice() {
                [] => Err(AnswerProblem::Empty),
                [one] => Ok(f64::from(u8::from(
                    self.option_index(one)? == usize::from(*key),
                ))),
                more => Err(AnswerProblem::SeveralSelected(more.len())),
            },
            (Answer::Selected(sel), CompiledKey::Multiple { mask, keyed }) => {
                if sel.is_empty() {
                    return Err(AnswerProblem::Empty);
                }
                let chosen = self.selection_mask(sel)?;
                let hits = (chosen & mask).count_ones();
                let false_selections = (chosen & !mask).count_ones();
                Ok(multiple_response_credit(
                    rules.multiple_response,
                    *keyed,
                    hits,
                    false_selections,
                ))
            }
            (Answer::Ordered(order), CompiledKey::Ordering(rank)) => {
                if order.is_empty() {
                    return Err(AnswerProblem::Empty);
                }
                self.selection_mask(order)?;
                if order.len() != rank.len() {
                    return Err(AnswerProblem::IncompleteOrder {
                        given: order.len(),
                        options: rank.len(),
                    });
                }
                let mut ranks = [0u8; MAX_OPTIONS];
                for (r, id) in ranks.iter_mut().zip(order) {
                    *r = rank[self.option_index(id)?];
                }
                Ok(ordering_credit(rules.ordering, &ranks[..order.len()]))
            }
            (Answer::Matched(pairs), CompiledKey::Matching(table)) => {
                if pairs.is_empty() {
                    return Err(AnswerProblem::Empty);
                }
                let mut seen = 0u64;
                let mut correct = 0u32;
                for pair in pairs {
                    let p = self.prompt_index(&pair.prompt)?;
                    let o = self.option_index(&pair.option)?;
                    if seen & (1 << p) != 0 {
                        return Err(AnswerProblem::RepeatedPrompt(pair.prompt.clone()));
                    }
                    seen |= 1 << p;
                    correct += u32::from(usize::from(table[p]) == o);
                }
                Ok(matching_credit(rules.matching, table.len() as u32, correct))
            }
            (Answer::Selected(_), _) => Err(wrong("selected")),
            (Answer::Ordered(_), _) => Err(wrong("ordered")),
            (Answer::Matched(_), _) => Err(wrong("matched")),
        }
    }
}

/// String equality for the short ids of options and items, inlined: a
/// `memcmp` call per comparison was the largest cost of scoring.
#[inline]
pub(crate) fn same_id(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).all(|(x, y)| x == y)
}

pub(crate) fn compile_key(
    form: &FormId,
    item: &ItemId,
    key: &AnswerKey,
    options: &[OptionId],
    prompts: &[OptionId],
) -> Result<CompiledKey, KeyError> {
    let misfit = |detail| KeyError::KeyDoesNotFit {
        form: form.clone(),
        item: item.clone(),
        detail,
    };
    let index = |id: &OptionId| {
        options
            .iter()
            .position(|o| o == id)
            .map(|i| i as u8)
            .ok_or_else(|| misfit(KeyMisfit::UnknownOption { option: id.clone() }))
    };
    let distinct = |ids: &mut dyn Iterator<Item = u8>| {
        let mut mask = 0u64;
        for i in ids {
            if mask & (1 << i) != 0 {
                return None;
            }
            mask |= 1 << i;
        }
        Some(mask)
    };
    match key {
        AnswerKey::SingleChoice { option } => Ok(CompiledKey::Single(index(option)?)),
        AnswerKey::MultipleResponse { options: keyed } => {
            let idx = keyed.iter().map(index).collect::<Result<Vec<_>, _>>()?;
            match distinct(&mut idx.iter().copied()) {
                Some(mask) if mask != 0 => Ok(CompiledKey::Multiple {
                    mask,
                    keyed: mask.count_ones(),
                }),
                _ => Err(misfit(KeyMisfit::Incomplete)),
            }
        }
        AnswerKey::Ordering { order } => {
            let idx = order.iter().map(index).collect::<Result<Vec<_>, _>>()?;
            if idx.len() != options.len() || distinct(&mut idx.iter().copied()).is_none() {
                return Err(misfit(KeyMisfit::Incomplete));
            }
            let mut rank = vec![0u8; options.len()];
            for (position, &i) in idx.iter().enumerate() {
                rank[usize::from(i)] = position as u8;
            }
            Ok(CompiledKey::Ordering(rank))
        }
        AnswerKey::Matching { pairs } => {
            let mut table = vec![u8::MAX; prompts.len()];
            for pair in pairs {
                let p = prompts
                    .iter()
                    .position(|q| q == &pair.prompt)
                    .ok_or_else(|| {
                        misfit(KeyMisfit::UnknownPrompt {
                            prompt: pair.prompt.clone(),
                        })
                    })?;
                if table[p] != u8::MAX {
                    return Err(misfit(KeyMisfit::Incomplete));
                }
                table[p] = index(&pair.option)?;
            }
            if table.is_empty() || table.contains(&u8::MAX) {
                return Err(misfit(KeyMisfit::Incomplete));
            }
            Ok(CompiledKey::Matching(table))
        }
    }
}
