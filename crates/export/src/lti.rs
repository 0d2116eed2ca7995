//! LTI Advantage Assignment and Grade Services (AGS 2.0): one Score per
//! candidate, the JSON of media type `application/vnd.ims.lis.v1.score+json`
//! that a tool POSTs to a line item's `scores` endpoint.

use exam_scoring::report::ScoreReport;
use serde::Serialize;

/// The media type of a Score.
pub const SCORE_MEDIA_TYPE: &str = "application/vnd.ims.lis.v1.score+json";

/// One AGS Score (the specification's Score definition).
#[derive(Debug, Clone, PartialEq, Serialize)]
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
    /// The attempt is over: `Completed`.
    pub activity_progress: &'static str,
    /// The score is final: `FullyGraded`.
    pub grading_progress: &'static str,
}

/// The scores of a line item, with the endpoint they are posted to.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LineItemScores {
    /// The line item.
    pub line_item: String,
    /// `{line item}/scores`, where each score is POSTed.
    pub scores_url: String,
    /// [`SCORE_MEDIA_TYPE`].
    pub content_type: &'static str,
    /// One score per candidate.
    pub scores: Vec<Score>,
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
        activity_progress: "Completed",
        grading_progress: "FullyGraded",
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
        content_type: SCORE_MEDIA_TYPE,
        scores: reports.iter().map(|r| score(r, timestamp)).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
