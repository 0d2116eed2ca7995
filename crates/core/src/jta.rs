//! The Job Task Analysis: the job the exam certifies, as data.
//!
//! A JTA lists the job's content domains, each with the competency level the
//! job requires in it; the lifecycle phases of the work; and task statements,
//! each linked to a domain and a phase, optionally with survey ratings of
//! importance and frequency. The shipped JTA is `item-bank/jta/jta.json`,
//! encoded from the program's JTA document.

use crate::ids::{DomainId, TaskId};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt;

/// How deep a competency is: the level the job requires in a domain, and the
/// level an item measures.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum CompetencyLevel {
    /// Knows the concepts and follows documented procedures.
    Foundational,
    /// Applies them independently to routine implementation work.
    Intermediate,
    /// Exercises judgement: diagnoses, adapts, and decides in unusual situations.
    Advanced,
}

impl CompetencyLevel {
    /// All levels, lowest first.
    pub const ALL: [CompetencyLevel; 3] = [
        CompetencyLevel::Foundational,
        CompetencyLevel::Intermediate,
        CompetencyLevel::Advanced,
    ];

    /// The lowercase name used in files.
    pub fn as_str(self) -> &'static str {
        match self {
            CompetencyLevel::Foundational => "foundational",
            CompetencyLevel::Intermediate => "intermediate",
            CompetencyLevel::Advanced => "advanced",
        }
    }
}

impl fmt::Display for CompetencyLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The phases of an implementation engagement.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum LifecyclePhase {
    /// Understanding the customer's environment and goals.
    Discovery,
    /// Designing how the platform will be implemented.
    Design,
    /// Configuring and deploying the platform components.
    Implementation,
    /// Verifying that everything functions correctly.
    Validation,
    /// Documentation, knowledge transfer and hand-over.
    Closeout,
}

impl LifecyclePhase {
    /// All phases, in lifecycle order.
    pub const ALL: [LifecyclePhase; 5] = [
        LifecyclePhase::Discovery,
        LifecyclePhase::Design,
        LifecyclePhase::Implementation,
        LifecyclePhase::Validation,
        LifecyclePhase::Closeout,
    ];

    /// The lowercase name used in files.
    pub fn as_str(self) -> &'static str {
        match self {
            LifecyclePhase::Discovery => "discovery",
            LifecyclePhase::Design => "design",
            LifecyclePhase::Implementation => "implementation",
            LifecyclePhase::Validation => "validation",
            LifecyclePhase::Closeout => "closeout",
        }
    }
}

impl fmt::Display for LifecyclePhase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A content domain of the job, from the JTA's competency table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Domain {
    /// Stable id (`infrastructure`).
    pub id: DomainId,
    /// Display name (`Infrastructure`).
    pub name: String,
    /// The competency the domain covers, as the JTA words it.
    pub competency: String,
    /// The level the job requires in this domain.
    pub level: CompetencyLevel,
}

/// Survey ratings of a task by job incumbents (means on the survey's scale).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskRatings {
    /// Mean importance rating (e.g. 1 = minor … 5 = critical).
    pub importance: f64,
    /// Mean frequency rating (e.g. 1 = yearly or less … 5 = daily).
    pub frequency: f64,
    /// Number of respondents the means are based on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub respondents: Option<u32>,
}

/// A task statement: one thing the job holder does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Task {
    /// Stable id (`T-IMP-03`).
    pub id: TaskId,
    /// The task, as an action statement.
    pub statement: String,
    /// The domain the task belongs to.
    pub domain: DomainId,
    /// The lifecycle phase in which it is mainly performed.
    pub phase: LifecyclePhase,
    /// The section of the JTA document the statement comes from
    /// (e.g. "Troubleshooting Skills").
    pub source: String,
    /// Survey ratings, where a survey has been run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ratings: Option<TaskRatings>,
}

/// The Job Task Analysis: the file format of `item-bank/jta/jta.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Jta {
    /// Stable id of the job (`devops-implementation-engineer`).
    pub id: String,
    /// The job title.
    pub title: String,
    /// Version of this JTA.
    pub version: String,
    /// Where the JTA comes from (document, authors, method).
    pub source: String,
    /// The content domains with their required levels.
    pub domains: Vec<Domain>,
    /// The task statements.
    pub tasks: Vec<Task>,
}

impl Jta {
    /// The domain with this id.
    pub fn domain(&self, id: &DomainId) -> Option<&Domain> {
        self.domains.iter().find(|d| &d.id == id)
    }

    /// The task with this id.
    pub fn task(&self, id: &TaskId) -> Option<&Task> {
        self.tasks.iter().find(|t| &t.id == id)
    }
}
