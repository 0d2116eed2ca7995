//! LTI Advantage Assignment and Grade Services (AGS 2.0): one Score per
//! candidate, the JSON of media type `application/vnd.ims.lis.v1.score+json`
//! that a tool POSTs to a line item's `scores` endpoint.

use crate::FormatError;
use crate::json;
use exam_scoring::report::ScoreReport;
use serde::{Deserialize, Serialize};
use std::io::{Read, Write};

/// The media type of a Score.
pub const SCORE_MEDIA_TYPE: &str = "application/vnd.ims.lis.v1.score+json";

/// One AGS Score (the specification's Score definition).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Score {
    /// The LTI user id of the candidate.
    pub user_id: String,
    /// The raw score.
    pub score_given: f64,
    /// Its maximum.
    pub score_maximum: f64,
    /// `pass` or `fail` where the report has a decision, with the raw score.
    pub comment: String,
    /// When the score was set (ISO 8601 with sub-second precision).
    pub timestamp: String,
    /// Where the candidate is in the activity (`Completed`: the attempt
    /// is over).
    pub activity_progress: ActivityProgress,
    /// Where the grading is (`FullyGraded`: the score is final).
    pub grading_progress: GradingProgress,
}

/// AGS `activityProgress`: the candidate's progress in the activity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ActivityProgress {
    /// Not started.
    Initialized,
    /// Started, nothing submitted.
    Started,
    /// Under way.
    InProgress,
    /// Submitted at least once, may submit again.
    Submitted,
    /// Finished.
    Completed,
}

/// AGS `gradingProgress`: the status of the grading.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum GradingProgress {
    /// The score is final.
    FullyGraded,
    /// Grading is not finished; a final score will follow.
    Pending,
    /// A person must finish the grading.
    PendingManual,
    /// Grading failed.
    Failed,
    /// No grading process has begun.
    NotReady,
}

/// The scores of a line item, with the endpoint they are posted to: the
/// document of `exam export lti-ags` and the pilot's `lti-ags-scores.json`,
/// pretty JSON with no newline after it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LineItemScores {
    /// The line item.
    pub line_item: String,
    /// `{line item}/scores`, where each score is POSTed.
    pub scores_url: String,
    /// [`SCORE_MEDIA_TYPE`].
    pub content_type: String,
    /// One score per candidate.
    pub scores: Vec<Score>,
}

impl LineItemScores {
    /// Reads a document.
    pub fn read(input: impl Read, name: &str) -> Result<Self, FormatError> {
        json::read(input, name, "an LTI AGS scores document")
    }

    /// Writes the document.
    pub fn write(&self, out: impl Write, name: &str) -> Result<(), FormatError> {
        json::write_pretty_unterminated(out, self, name)
    }
}

/// Why AGS scores could not be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LtiError {
    /// The line item is not an absolute URL.
    #[error("line item `{url}` is not an absolute URL: {message}")]
    LineItem {
        /// The URL given.
        url: String,
        /// The parser's message.
        message: String,
    },
}

/// `at` in UTC with millisecond precision, as AGS asks (`2026-03-01T10:00:00.000Z`).
pub fn timestamp(at: time::OffsetDateTime) -> String {
    let format = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    );
    at.to_offset(time::UtcOffset::UTC)
        .format(&format)
        .unwrap_or_default()
}

/// The Score of one report, timestamped `timestamp` ([`timestamp`]).
pub fn score(report: &ScoreReport, timestamp: &str) -> Score {
    let outcome = match &report.decision {
        Some(d) if d.passed => "pass: ",
        Some(_) => "fail: ",
        None => "",
    };
    Score {
        user_id: report.candidate.to_string(),
        score_given: report.raw,
        score_maximum: report.max,
        comment: format!("{outcome}{} of {} points", report.raw, report.max),
        timestamp: timestamp.to_owned(),
        activity_progress: ActivityProgress::Completed,
        grading_progress: GradingProgress::FullyGraded,
    }
}

/// The scores of `reports` for the line item at `line_item`.
pub fn line_item_scores(
    reports: &[ScoreReport],
    line_item: &str,
    timestamp: &str,
) -> Result<LineItemScores, LtiError> {
    let bad = |message: String| LtiError::LineItem {
        url: line_item.to_owned(),
        message,
    };
    let mut url = url::Url::parse(line_item).map_err(|e| bad(e.to_string()))?;
    url.path_segments_mut()
        .map_err(|()| bad("it cannot have a path".into()))?
        .pop_if_empty()
        .push("scores");
    Ok(LineItemScores {
        line_item: line_item.to_owned(),
        scores_url: url.to_string(),
        content_type: SCORE_MEDIA_TYPE.to_owned(),
        scores: reports.iter().map(|r| score(r, timestamp)).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use exam_core::strategies::{text, token};
    use proptest::prelude::*;
    use proptest::sample::select;

    fn score() -> impl Strategy<Value = Score> {
        let activity = select(vec![
            ActivityProgress::Initialized,
            ActivityProgress::Started,
            ActivityProgress::InProgress,
            ActivityProgress::Submitted,
            ActivityProgress::Completed,
        ]);
        let grading = select(vec![
            GradingProgress::FullyGraded,
            GradingProgress::Pending,
            GradingProgress::PendingManual,
            GradingProgress::Failed,
            GradingProgress::NotReady,
        ]);
        (
            token(),
            0.0f64..100.0,
            0.0f64..100.0,
            text(),
            token(),
            activity,
            grading,
        )
            .prop_map(
                |(user_id, score_given, score_maximum, comment, timestamp, a, g)| Score {
                    user_id,
                    score_given,
                    score_maximum,
                    comment,
                    timestamp,
                    activity_progress: a,
                    grading_progress: g,
                },
            )
    }

    proptest! {
        #[test]
        fn written_documents_read_back_equal(
            line_item in token(),
            scores in proptest::collection::vec(score(), 0..5),
        ) {
            let doc = LineItemScores {
                scores_url: format!("{line_item}/scores"),
                line_item,
                content_type: SCORE_MEDIA_TYPE.to_owned(),
                scores,
            };
            let mut bytes = Vec::new();
            doc.write(&mut bytes, "l").unwrap();
            prop_assert_eq!(LineItemScores::read(bytes.as_slice(), "l").unwrap(), doc);
        }
    }

    #[test]
    fn a_progress_outside_the_specification_is_refused() {
        let text = r#"{"lineItem": "l", "scoresUrl": "l/scores", "contentType": "application/vnd.ims.lis.v1.score+json", "scores": [{"userId": "C1", "scoreGiven": 1.0, "scoreMaximum": 2.0, "comment": "", "timestamp": "t", "activityProgress": "Done", "gradingProgress": "FullyGraded"}]}"#;
        let err = LineItemScores::read(text.as_bytes(), "ags.json").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("ags.json: not an LTI AGS scores document: unknown variant `Done`"),
            "{err}"
        );
    }

    #[test]
    fn timestamps_keep_sub_second_precision_in_utc() {
        let at = time::macros::datetime!(2026-03-01 11:00:00 +01:00);
        assert_eq!(timestamp(at), "2026-03-01T10:00:00.000Z");
    }

    #[test]
    fn scores_url_keeps_the_query() {
        let out = line_item_scores(&[], "https://lms.example/api/lineitems/7?type=x", "t").unwrap();
        assert_eq!(
            out.scores_url,
            "https://lms.example/api/lineitems/7/scores?type=x"
        );
        assert!(line_item_scores(&[], "lineitems/7", "t").is_err());
    }
}
