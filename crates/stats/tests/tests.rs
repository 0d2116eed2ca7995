//! The tests of exam-stats: one binary (as the workspace's `tests/`),
//! whose modules compare the statistics with reference values and state
//! the estimators' invariants.

mod cml_existence;
mod common;
mod ctt_reference;
mod decision;
mod dif_polytomous;
mod dif_reference;
mod distractors;
mod invariants;
mod pcm_reference;
mod priors;
mod properties;
mod recovery;
mod recovery_generator;
mod reference;
#[path = "../../../tests/reference_data.rs"]
mod reference_data;
mod reference_recovery;
mod threepl_ml;
#[path = "../../../tests/tolerance.rs"]
mod tolerance;
