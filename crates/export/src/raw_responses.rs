//! Raw responses scored for item analysis: the scored response matrix and
//! the option each candidate chose, built one submission at a time.
//!
//! The submissions are scored under the scorer's rules (`exam analyze
//! --raw` and the pilot use the defaults; pretest items included, since
//! they are delivered to be analysed) into the matrix of
//! [`exam_scoring::matrix`] (`exam analyze --raw` reads full credit or
//! not, the pilot score points): items not on a candidate's form are not
//! presented, omitted and not-reached items score 0. The option chosen is
//! kept for the distractor analysis of the **single-choice** items, the only
//! kind whose answer is one option; the other kinds get item statistics but
//! no distractor table. [`RawResponses::read_csv`] builds them from a raw
//! response CSV ([`crate::raw_csv`]) row by row.

use crate::raw_csv::{RawCsvError, RawCsvReader};
use exam_core::form::{Form, ScoringKey};
use exam_core::ids::OptionId;
use exam_core::responses::ResponseMatrix;
use exam_core::submission::Submission;
use exam_scoring::keyed::Scorer;
use exam_scoring::matrix::{CreditReading, MatrixError, ScoredMatrixBuilder};
use exam_scoring::scoring_error::ScoringError;
use exam_scoring::single_choice::{KeyedDifferently, SingleChoiceOptions};
use exam_stats::distractors::{Choices, DistractorError, ItemDistractors, distractors};
use exam_stats::flags::FlagThresholds;
use std::io::Read;

/// Why raw responses could not be scored for analysis.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RawResponsesError {
    /// A submission could not be scored.
    #[error(transparent)]
    Scoring(#[from] ScoringError),
    /// The matrix rejected a row.
    #[error(transparent)]
    Matrix(#[from] MatrixError),
    /// An item is keyed differently on two forms.
    #[error(transparent)]
    Keys(#[from] KeyedDifferently),
    /// The choices could not be recorded or analysed.
    #[error(transparent)]
    Distractors(#[from] DistractorError),
}

/// Why a raw response CSV could not be read and scored for analysis; each
/// names the file, and the line where there is one.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReadRawError {
    /// The CSV is malformed or does not fit the forms.
    #[error("{name}: bad raw response CSV")]
    Csv {
        /// The raw response file.
        name: String,
        /// What is wrong.
        #[source]
        source: RawCsvError,
    },
    /// The forms' items cannot be analysed together.
    #[error("{name}: cannot build matrix ({forms})")]
    Forms {
        /// The raw response file.
        name: String,
        /// The forms file.
        forms: String,
        /// What is wrong.
        #[source]
        source: RawResponsesError,
    },
    /// A row could not be scored or added.
    #[error("{name}, line {line}")]
    Row {
        /// The raw response file.
        name: String,
        /// 1-based line of the row.
        line: u64,
        /// What is wrong.
        #[source]
        source: RawResponsesError,
    },
}

/// Raw responses read and scored.
pub struct RawResponses {
    /// The scored response matrix (pretest items included).
    pub matrix: ResponseMatrix,
    choices: Choices,
    keys: Vec<Option<OptionId>>,
}

impl RawResponses {
    /// Reads the raw response CSV `input` (named `name`) against `forms`
    /// (the forms file `forms_name`) and their `scorer`, scoring it row by
    /// row into the matrix and the chosen options (no submission is kept).
    pub fn read_csv(
        input: impl Read,
        name: &str,
        forms: &[(Form, ScoringKey)],
        forms_name: &str,
        scorer: &Scorer,
    ) -> Result<Self, ReadRawError> {
        let csv_error = |source| ReadRawError::Csv {
            name: name.to_owned(),
            source,
        };
        let mut rows = RawCsvReader::new(input, scorer).map_err(csv_error)?;
        let mut built =
            RawResponsesBuilder::new(forms, scorer).map_err(|source| ReadRawError::Forms {
                name: name.to_owned(),
                forms: forms_name.to_owned(),
                source,
            })?;
        let mut submission = Submission::new("", "");
        while rows.read_into(&mut submission).map_err(csv_error)? {
            built
                .push(&submission)
                .map_err(|source| ReadRawError::Row {
                    name: name.to_owned(),
                    line: rows.line(),
                    source,
                })?;
        }
        Ok(built.finish())
    }

    /// The distractor analysis of the single-choice items, in matrix order.
    pub fn distractors(
        &self,
        thresholds: &FlagThresholds,
    ) -> Result<Vec<ItemDistractors>, RawResponsesError> {
        // The other kinds have no one-option key; their (empty) choices are
        // analysed under a placeholder key and left out of the result.
        let keys: Vec<String> = self
            .keys
            .iter()
            .map(|k| k.as_ref().map_or_else(String::new, ToString::to_string))
            .collect();
        let all = distractors(&self.matrix, &self.choices, &keys, thresholds)?;
        Ok(all
            .into_iter()
            .zip(&self.keys)
            .filter(|(_, key)| key.is_some())
            .map(|(d, _)| d)
            .collect())
    }
}

/// Builds [`RawResponses`] one submission at a time (no submission is kept).
pub struct RawResponsesBuilder<'a> {
    scorer: &'a Scorer,
    matrix: ScoredMatrixBuilder,
    pooled: SingleChoiceOptions,
    choices: Choices,
}

impl<'a> RawResponsesBuilder<'a> {
    /// No submissions yet; the items are those of `scorer`'s forms, whose
    /// keys are `forms`.
    pub fn new(
        forms: &[(Form, ScoringKey)],
        scorer: &'a Scorer,
    ) -> Result<Self, RawResponsesError> {
        Self::with_reading(forms, scorer, CreditReading::FullCredit)
    }

    /// As [`RawResponsesBuilder::new`], the credit read into the matrix as
    /// `reading` says (the pilot reads score points).
    pub fn with_reading(
        forms: &[(Form, ScoringKey)],
        scorer: &'a Scorer,
        reading: CreditReading,
    ) -> Result<Self, RawResponsesError> {
        let matrix = ScoredMatrixBuilder::with_reading(scorer, reading)?;
        let pooled = SingleChoiceOptions::new(forms, matrix.items())?;
        let mut choices = Choices::new(matrix.items().to_vec());
        for (c, options) in pooled.options().iter().enumerate() {
            for option in options {
                choices.add_option(c, option.as_str())?;
            }
        }
        Ok(Self {
            scorer,
            matrix,
            pooled,
            choices,
        })
    }

    /// Scores `submission` and adds its row and choices.
    pub fn push(&mut self, submission: &Submission) -> Result<(), RawResponsesError> {
        let scored = self.scorer.score(submission)?;
        self.matrix.push(&scored)?;
        let chosen: Vec<Option<&str>> = self
            .pooled
            .chosen(submission)
            .into_iter()
            .map(|o| o.map(OptionId::as_str))
            .collect();
        self.choices.push(&chosen)?;
        Ok(())
    }

    /// The matrix and choices of every submission pushed.
    pub fn finish(self) -> RawResponses {
        RawResponses {
            matrix: self.matrix.build(),
            choices: self.choices,
            keys: self.pooled.keys().to_vec(),
        }
    }
}
