//! What an HTTP layer needs from every error of the engine.
//!
//! Each error type a service can meet ([`crate::assembly::AssemblyError`],
//! [`crate::form::FormError`], [`crate::attempt::SubmissionError`], and in
//! exam-scoring `ScoringError`, `AnswerProblem` and `KeyError`) implements
//! [`ApiError`]: a stable machine-readable [`ApiError::code`] (the
//! variant's snake_case name, also the `"code"` field of its serde form),
//! and whether the caller or the server is at [`Fault`] (a 4xx or a 5xx
//! answer). [`ErrorBody`] is the JSON an HTTP layer sends back; its
//! message is cut at [`MAX_MESSAGE_LEN`] bytes, and ids read from outside
//! are already bounded ([`crate::ids::MAX_ID_LEN`]), so no client input is
//! echoed at length.
//!
//! ```
//! use exam_core::attempt::SubmissionError;
//! use exam_core::error::{ErrorBody, Fault};
//!
//! let body = ErrorBody::of(&SubmissionError::EmptyNotDeclared);
//! assert_eq!(body.code, "empty_not_declared");
//! assert_eq!(body.fault, Fault::Caller);
//! assert_eq!(
//!     serde_json::to_string(&body)?,
//!     r#"{"code":"empty_not_declared","fault":"caller","message":"no answers: send \"blank\": true to submit an attempt with no answers"}"#
//! );
//! # Ok::<(), serde_json::Error>(())
//! ```

use serde::Serialize;

/// The longest error message an [`ErrorBody`] carries, in bytes.
pub const MAX_MESSAGE_LEN: usize = 512;

/// Who has to change something for a request to succeed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Fault {
    /// The request is wrong (HTTP 4xx): bad input, an unknown id.
    Caller,
    /// The server's data or configuration is wrong or exhausted (HTTP 5xx):
    /// a bank that cannot supply the blueprint, a stale form.
    Server,
}

/// An error an HTTP layer can turn into a response.
pub trait ApiError: std::error::Error {
    /// A stable machine-readable code: the variant's snake_case name.
    fn code(&self) -> &'static str;
    /// Who is at fault.
    fn fault(&self) -> Fault;
}

/// The JSON body of an error response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorBody {
    /// [`ApiError::code`].
    pub code: &'static str,
    /// [`ApiError::fault`].
    pub fault: Fault,
    /// The error's message, at most [`MAX_MESSAGE_LEN`] bytes.
    pub message: String,
}

impl ErrorBody {
    /// The body of an error.
    pub fn of(error: &dyn ApiError) -> Self {
        Self {
            code: error.code(),
            fault: error.fault(),
            message: bounded(&error.to_string()),
        }
    }
}

/// `text` cut to at most [`MAX_MESSAGE_LEN`] bytes at a character boundary,
/// with `…` marking the cut.
pub fn bounded(text: &str) -> String {
    if text.len() <= MAX_MESSAGE_LEN {
        return text.to_owned();
    }
    let mut end = MAX_MESSAGE_LEN - '…'.len_utf8();
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_messages_are_cut_at_a_character_boundary() {
        let text = "é".repeat(1000);
        let cut = bounded(&text);
        assert!(cut.len() <= MAX_MESSAGE_LEN);
        assert!(cut.ends_with('…'));
        assert_eq!(bounded("short"), "short");
    }
}
