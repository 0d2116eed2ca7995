//! Score reports: what is stored for a candidate, with everything needed to
//! audit and recompute it.
//!
//! A [`ScoreReport`] holds the raw score of the scored items, its maximum
//! and percent; per-domain subscores with a band; the scaled score (where
//! the passing rule carries a raw-to-scale conversion); θ and its standard
//! error (where every counted item carries IRT parameters); the pass/fail
//! decision with the cut used and its source; per-item outcomes; and an
//! [`Audit`] block naming the form, blueprint and version, the key's
//! fingerprint, the scoring rules' id and version and the adjustments
//! applied.
//!
//! # Subscore bands
//!
//! A domain subscore is never reported as a pass: it rests on few items.
//! Its band compares the domain proportion correct `p_d = raw_d / max_d`
//! with the cut's proportion `π = raw_cut / max` (the domain's share of the
//! cut is `π · max_d`), allowing for the subscore's unreliability through
//! the binomial error model (Lord & Novick 1968, *Statistical Theories of
//! Mental Test Scores*, ch. 23): a candidate whose true domain proportion is
//! exactly `π` would show an observed proportion with standard error
//! `SE_d = √(π(1 − π) / n_d)` on the domain's `n_d` counted items. Then
//!
//! - `above` when `p_d − π > z · SE_d`,
//! - `below` when `π − p_d > z · SE_d`,
//! - `near` otherwise (not distinguishable from the standard),
//!
//! with `z` = `subscore_band_z` of the rules (default 1). Without a cut
//! there is no band.
//!
//! # θ
//!
//! EAP with a standard normal prior ([`crate::EapEstimator`], Bock & Mislevy
//! 1982) over the counted items, each scored correct when it earned full
//! credit (partial credit is not read by the dichotomous models); omitted
//! items count as wrong, not-reached items as not presented (Lord 1980,
//! ch. 15.11).

use crate::keyed::{CompiledFormKey, Scorer};
use crate::outcome::{ResponseStatus, ScoredSubmission};
use crate::prior::NormalPrior;
use crate::rules::Adjustment;
use crate::score_band::ScoreBand;
use crate::scoring_error::ScoringError;
use exam_core::form::SlotRole;
use exam_core::ids::{BlueprintId, CandidateId, DomainId, FormId, ItemId};
use exam_core::submission::Submission;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// θ with its standard error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThetaScore {
    /// The estimator (`eap`).
    pub method: String,
    /// The prior of the EAP.
    pub prior: NormalPrior,
    /// The estimate.
    pub theta: f64,
    /// Its standard error (posterior SD).
    pub se: f64,
}

/// Where a subscore stands against the cut's share of the domain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Band {
    /// Above the standard by more than `z` standard errors.
    Above,
    /// Within `z` standard errors of the standard.
    Near,
    /// Below the standard by more than `z` standard errors.
    Below,
}

/// One domain's subscore.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DomainScore {
    /// The domain.
    pub domain: DomainId,
    /// Counted items in the domain.
    pub items: u32,
    /// Raw subscore.
    pub raw: f64,
    /// Its maximum.
    pub max: f64,
    /// `100 · raw / max`; absent when `max` is 0.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub percent: Option<f64>,
    /// The domain's share of the cut, `π · max` (see the module docs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cut_share: Option<f64>,
    /// `SE_d` of the proportion at the standard.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub se: Option<f64>,
    /// The band; absent without a cut or items.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub band: Option<Band>,
}

/// The pass/fail decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    /// Whether the raw score meets the cut.
    pub passed: bool,
    /// The raw cut applied.
    pub raw_cut: f64,
    /// The scaled value the cut lands on, where scores are scaled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scaled_cut: Option<f64>,
    /// Where the cut came from.
    pub source: String,
}

/// One item's line in a report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemScore {
    /// The item.
    pub item: ItemId,
    /// Its version.
    pub version: u32,
    /// Scored or pretest.
    pub role: SlotRole,
    /// Answered, omitted or not reached.
    pub status: ResponseStatus,
    /// Credit in `[0, 1]`.
    pub credit: f64,
    /// Points toward the raw score (0 for pretest and dropped items).
    pub points: f64,
    /// The adjustment applied, where one was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub adjustment: Option<Adjustment>,
}

/// Counts of item outcomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResponseCounts {
    /// Items counted toward the raw score.
    pub counted: u32,
    /// Pretest items (scored for statistics only).
    pub pretest: u32,
    /// Items dropped by an adjustment.
    pub dropped: u32,
    /// Items answered (any role).
    pub answered: u32,
    /// Items omitted.
    pub omitted: u32,
    /// Items not reached.
    pub not_reached: u32,
}

/// The ids and versions a report was computed from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Audit {
    /// The form.
    pub form: FormId,
    /// The blueprint the form was built for.
    pub blueprint: BlueprintId,
    /// The blueprint's version.
    pub blueprint_version: String,
    /// The scoring key's fingerprint ([`crate::keyed::key_fingerprint`]).
    pub key: String,
    /// The scoring rules' id.
    pub scoring_rules: String,
    /// The scoring rules' version.
    pub scoring_rules_version: String,
    /// The items adjusted on this form.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub adjusted_items: Vec<ItemId>,
    /// The exam-scoring version that computed the report.
    pub engine: String,
}

/// A candidate's score report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoreReport {
    /// The candidate.
    pub candidate: CandidateId,
    /// The form sat.
    pub form: FormId,
    /// Raw score of the counted items.
    pub raw: f64,
    /// Its maximum.
    pub max: f64,
    /// `100 · raw / max`; absent when `max` is 0.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub percent: Option<f64>,
    /// The reported scaled score, where the passing rule has a conversion.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scaled: Option<i64>,
    /// The score's band: raw score ± its conditional SEM (Lord's binomial
    /// error model) and that band on the reporting scale
    /// ([`ScoreBand`]); absent with fewer than two counted items.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub band: Option<ScoreBand>,
    /// θ and SE, where every counted item carries IRT parameters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub theta: Option<ThetaScore>,
    /// Pass/fail, where a cut is set for the form.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decision: Option<Decision>,
    /// Domain subscores in order of first appearance on the form.
    pub domains: Vec<DomainScore>,
    /// Counts of outcomes.
    pub responses: ResponseCounts,
    /// Total recorded time on the items, in seconds, where recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seconds: Option<u64>,
    /// Per-item outcomes in delivery order.
    pub items: Vec<ItemScore>,
    /// What the report was computed from.
    pub audit: Audit,
}

fn percent(raw: f64, max: f64) -> Option<f64> {
    (max > 0.0).then(|| 100.0 * raw / max)
}

impl CompiledFormKey {
    /// The report of a scored submission to this form.
    pub fn report(&self, scored: &ScoredSubmission) -> ScoreReport {
        let passing = self.rules.passing_for(&self.form);
        let cut_proportion = passing
            .filter(|_| scored.max > 0.0)
            .map(|p| (p.raw_cut / scored.max).clamp(0.0, 1.0));
        let mut domains: Vec<DomainScore> = self
            .domains
            .iter()
            .map(|d| DomainScore {
                domain: d.clone(),
                items: 0,
                raw: 0.0,
                max: 0.0,
                percent: None,
                cut_share: None,
                se: None,
                band: None,
            })
            .collect();
        let mut counts = ResponseCounts {
            counted: 0,
            pretest: 0,
            dropped: 0,
            answered: 0,
            omitted: 0,
            not_reached: 0,
        };
        let mut items = Vec::with_capacity(self.slots.len());
        for (slot, outcome) in self.slots.iter().zip(&scored.outcomes) {
            let counts_here = slot.counts();
            match outcome.status {
                ResponseStatus::Answered => counts.answered += 1,
                ResponseStatus::Omitted => counts.omitted += 1,
                ResponseStatus::NotReached => counts.not_reached += 1,
            }
            if slot.role == SlotRole::Pretest {
                counts.pretest += 1;
            } else if counts_here {
                counts.counted += 1;
                let d = &mut domains[slot.domain];
                d.items += 1;
                d.raw += outcome.credit * slot.weight;
                d.max += slot.weight;
            } else {
                counts.dropped += 1;
            }
            items.push(ItemScore {
                item: slot.item.clone(),
                version: slot.version,
                role: slot.role,
                status: outcome.status,
                credit: outcome.credit,
                points: if counts_here {
                    outcome.credit * slot.weight
                } else {
                    0.0
                },
                adjustment: slot.adjustment.clone(),
            });
        }
        let z = self.rules.subscore_band_z;
        for d in &mut domains {
            d.percent = percent(d.raw, d.max);
            if let (Some(pi), true) = (cut_proportion, d.items > 0 && d.max > 0.0) {
                let se = (pi * (1.0 - pi) / f64::from(d.items)).sqrt();
                let p = d.raw / d.max;
                d.cut_share = Some(pi * d.max);
                d.se = Some(se);
                d.band = Some(if p - pi > z * se {
                    Band::Above
                } else if pi - p > z * se {
                    Band::Below
                } else {
                    Band::Near
                });
            }
        }
        domains.retain(|d| d.items > 0);
        let scale = passing.and_then(|p| p.scale.as_ref());
        ScoreReport {
            candidate: scored.candidate.clone(),
            form: scored.form.clone(),
            raw: scored.raw,
            max: scored.max,
            percent: percent(scored.raw, scored.max),
            scaled: scale.map(|s| s.reported(scored.raw)),
            band: ScoreBand::new(scored.raw, scored.max, counts.counted, scale),
            theta: self.ability.as_ref().and_then(|a| {
                a.estimate(scored).map(|est| ThetaScore {
                    method: "eap".to_owned(),
                    prior: *a.prior(),
                    theta: est.theta,
                    se: est.se,
                })
            }),
            decision: passing.map(|p| Decision {
                // A small tolerance so that fractional credits summing to the
                // cut in floating point are not failed by rounding error.
                passed: scored.raw >= p.raw_cut - 1e-9,
                raw_cut: p.raw_cut,
                scaled_cut: p.scale.as_ref().map(|s| s.cut().scaled),
                source: p.source.clone(),
            }),
            domains,
            responses: counts,
            seconds: scored.seconds,
            items,
            audit: Audit {
                form: self.form.clone(),
                blueprint: self.blueprint.clone(),
                blueprint_version: self.blueprint_version.clone(),
                key: self.key_fingerprint.clone(),
                scoring_rules: self.rules.id.clone(),
                scoring_rules_version: self.rules.version.clone(),
                adjusted_items: self
                    .slots
                    .iter()
                    .filter(|s| s.adjustment.is_some())
                    .map(|s| s.item.clone())
                    .collect(),
                engine: env!("CARGO_PKG_VERSION").to_owned(),
            },
        }
    }
}

impl Scorer {
    /// Scores and reports one submission.
    pub fn report(&self, submission: &Submission) -> Result<ScoreReport, ScoringError> {
        let scorer = self.scorer_for(submission)?;
        Ok(scorer.report(&scorer.score(submission)?))
    }

    /// Scores and reports many submissions in parallel (rayon), in input
    /// order; any bad submission makes the whole call an error (one of the
    /// bad submissions' errors).
    pub fn report_all(&self, submissions: &[Submission]) -> Result<Vec<ScoreReport>, ScoringError> {
        submissions.par_iter().map(|s| self.report(s)).collect()
    }
}
