//! Per-attempt item handles and what a delivery client sends back.
//!
//! A delivery view never names a bank item: each item (and each set
//! stimulus) is shown under a [`Handle`], a keyed hash of the form and the
//! item under the server's secret [`HandleKey`]. The same item gets another
//! handle on every form, so a candidate can neither tell pretest items by
//! their ids nor pool harvested items across forms by id. Only the server,
//! holding the key and the form, maps a handle back to its item
//! ([`CandidateSubmission::resolve`]).
//!
//! The keyed hash is SipHash-2-4 (Aumasson & Bernstein 2012, *SipHash: a
//! fast short-input PRF*), a pseudorandom function of its 128-bit key:
//! without the key, handles carry no information about the items.
//!
//! A [`CandidateSubmission`] is what a client posts for an attempt: answers
//! by handle. An empty answer list is a blank attempt only when the client
//! says so with `"blank": true`; otherwise it is refused, so a client bug
//! that loses the answers does not score a candidate as having answered
//! nothing.
//!
//! ```json
//! {"answers": [
//!   {"handle": "9c1f0e7a55d2b8e4", "answer": {"selected": ["B"]}, "seconds": 41},
//!   {"handle": "03ad7c9e61b2f540", "answer": {"ordered": ["C", "A", "B", "D"]}},
//!   {"handle": "5be2d8a1907c3f16", "answer": "omitted"}
//! ]}
//! ```

use crate::form::Form;
use crate::ids::{CandidateId, FormId, ItemId, SetId};
use crate::submission::{Answer, ItemAnswer, Submission};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use siphasher::sip::SipHasher24;
use std::collections::HashMap;
use std::fmt;
use std::hash::Hasher;

/// The server's secret for item handles: 128 bits. Keep it with the
/// server's other secrets; whoever holds it can map handles back to items.
#[derive(Clone, PartialEq, Eq)]
pub struct HandleKey([u8; 16]);

impl HandleKey {
    /// A key from 16 secret bytes.
    pub fn new(secret: [u8; 16]) -> Self {
        Self(secret)
    }

    /// A key from a 32-digit hex string (as stored in a configuration file).
    pub fn from_hex(hex: &str) -> Option<Self> {
        let hex = hex.trim();
        if hex.len() != 32 || !hex.is_ascii() {
            return None;
        }
        let mut secret = [0u8; 16];
        for (i, b) in secret.iter_mut().enumerate() {
            *b = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok()?;
        }
        Some(Self(secret))
    }

    /// The key as 32 hex digits.
    pub fn to_hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// The keyed hash's state after a handle's tag and form.
    fn prefix(&self, tag: u8, form: &FormId) -> SipHasher24 {
        let mut h = SipHasher24::new_with_key(&self.0);
        h.write_u8(tag);
        h.write(form.as_str().as_bytes());
        h.write_u8(0xff);
        h
    }

    /// The handle of an item on a form.
    pub fn item(&self, form: &FormId, item: &ItemId) -> Handle {
        handle(self.prefix(b'i', form), item.as_str())
    }

    /// The handle of an item set's stimulus on a form.
    pub fn stimulus(&self, form: &FormId, set: &SetId) -> Handle {
        handle(self.prefix(b's', form), set.as_str())
    }

    /// The handles of one form, the form hashed once for all of them.
    pub(crate) fn form(&self, form: &FormId) -> FormHandles {
        FormHandles {
            item: self.prefix(b'i', form),
            stimulus: self.prefix(b's', form),
        }
    }
}

/// The hash of `id` after `prefix`.
fn handle(mut prefix: SipHasher24, id: &str) -> Handle {
    prefix.write(id.as_bytes());
    Handle(prefix.finish())
}

/// The handles of one form ([`HandleKey::form`]; the hasher is `Copy`,
/// each handle starts from a copy): the same values as
/// [`HandleKey::item`] and [`HandleKey::stimulus`].
pub(crate) struct FormHandles {
    item: SipHasher24,
    stimulus: SipHasher24,
}

impl FormHandles {
    /// The handle of an item on the form.
    pub(crate) fn item(&self, item: &ItemId) -> Handle {
        handle(self.item, item.as_str())
    }

    /// The handle of a set's stimulus on the form.
    pub(crate) fn stimulus(&self, set: &SetId) -> Handle {
        handle(self.stimulus, set.as_str())
    }
}

impl fmt::Debug for HandleKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print the secret.
        f.write_str("HandleKey(..)")
    }
}

/// An opaque per-form name of an item or stimulus: 16 hex digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Handle(u64);

impl Handle {
    /// The 16 lower-case hex digits.
    pub(crate) fn hex(self) -> [u8; 16] {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut hex = [0u8; 16];
        for (i, h) in hex.iter_mut().enumerate() {
            *h = DIGITS[(self.0 >> (60 - 4 * i)) as usize & 0xf];
        }
        hex
    }
}

impl fmt::Display for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The digits are ASCII.
        f.write_str(std::str::from_utf8(&self.hex()).unwrap_or_default())
    }
}

impl Serialize for Handle {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(std::str::from_utf8(&self.hex()).unwrap_or_default())
    }
}

impl<'de> Deserialize<'de> for Handle {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<'de, str>::deserialize(d)?;
        let parsed = (text.len() == 16)
            .then(|| u64::from_str_radix(&text, 16).ok())
            .flatten();
        parsed
            .map(Handle)
            .ok_or_else(|| serde::de::Error::custom("a handle is 16 hex digits"))
    }
}

/// One answer as a delivery client sends it: by handle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HandleAnswer {
    /// The item's handle from the delivery view.
    pub handle: Handle,
    /// What the candidate answered.
    pub answer: Answer,
    /// Seconds spent on the item, where recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seconds: Option<u32>,
}

/// What a delivery client posts for an attempt (see the module docs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CandidateSubmission {
    /// The answers, at most one per handle; items without an answer were
    /// not reached.
    pub answers: Vec<HandleAnswer>,
    /// Set to submit an attempt with no answers at all.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub blank: bool,
}

/// Why a candidate submission could not be mapped to the form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(tag = "code", content = "detail", rename_all = "snake_case")]
#[non_exhaustive]
pub enum SubmissionError {
    /// No answers, and the client did not declare a blank attempt.
    #[error("no answers: send \"blank\": true to submit an attempt with no answers")]
    EmptyNotDeclared,
    /// Answers sent with `"blank": true`.
    #[error("{answers} answer(s) sent with \"blank\": true")]
    BlankWithAnswers {
        /// How many answers were sent.
        answers: usize,
    },
    /// A handle that is not on this attempt's form.
    #[error("handle {handle} is not on this attempt")]
    UnknownHandle {
        /// The handle.
        handle: Handle,
    },
    /// Two answers for one handle.
    #[error("two answers for handle {handle}")]
    DuplicateHandle {
        /// The handle.
        handle: Handle,
    },
}

impl crate::error::ApiError for SubmissionError {
    fn code(&self) -> &'static str {
        match self {
            Self::EmptyNotDeclared => "empty_not_declared",
            Self::BlankWithAnswers { .. } => "blank_with_answers",
            Self::UnknownHandle { .. } => "unknown_handle",
            Self::DuplicateHandle { .. } => "duplicate_handle",
        }
    }

    /// Always the caller: the client sent it.
    fn fault(&self) -> crate::error::Fault {
        crate::error::Fault::Caller
    }
}

/// The handles of a form's slots, in delivery order.
pub fn handles(form: &Form, key: &HandleKey) -> Vec<Handle> {
    form.slots
        .iter()
        .map(|s| key.item(&form.id, &s.item))
        .collect()
}

impl CandidateSubmission {
    /// What a delivery client sends for a server-side submission: its
    /// answers under their handles on the submission's form (for
    /// simulations and tests; a declared blank when it has no answers).
    pub fn by_handle(submission: &Submission, key: &HandleKey) -> Self {
        Self {
            answers: submission
                .answers
                .iter()
                .map(|a| HandleAnswer {
                    handle: key.item(&submission.form, &a.item),
                    answer: a.answer.clone(),
                    seconds: a.seconds,
                })
                .collect(),
            blank: submission.answers.is_empty(),
        }
    }

    /// Maps the answers back to the form's items: the server-side
    /// [`Submission`] that exam-scoring scores.
    ///
    /// # Errors
    ///
    /// [`SubmissionError`] when the answer list is empty without
    /// `"blank": true` (or not empty with it), or a handle is not on the
    /// form or answered twice.
    pub fn resolve(
        &self,
        candidate: &CandidateId,
        form: &Form,
        key: &HandleKey,
    ) -> Result<Submission, SubmissionError> {
        match (self.answers.len(), self.blank) {
            (0, false) => return Err(SubmissionError::EmptyNotDeclared),
            (n, true) if n > 0 => return Err(SubmissionError::BlankWithAnswers { answers: n }),
            _ => {}
        }
        let slots: HashMap<Handle, usize> = handles(form, key)
            .into_iter()
            .enumerate()
            .map(|(i, h)| (h, i))
            .collect();
        let mut seen = vec![false; form.slots.len()];
        let mut answers = Vec::with_capacity(self.answers.len());
        for a in &self.answers {
            let &slot = slots
                .get(&a.handle)
                .ok_or(SubmissionError::UnknownHandle { handle: a.handle })?;
            if std::mem::replace(&mut seen[slot], true) {
                return Err(SubmissionError::DuplicateHandle { handle: a.handle });
            }
            answers.push(ItemAnswer {
                item: form.slots[slot].item.clone(),
                answer: a.answer.clone(),
                seconds: a.seconds,
            });
        }
        Ok(Submission {
            candidate: candidate.clone(),
            form: form.id.clone(),
            answers,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_depend_on_key_form_and_item_and_round_trip() {
        let key = HandleKey::new([7; 16]);
        let other = HandleKey::new([8; 16]);
        let (f1, f2) = (FormId::new("F1"), FormId::new("F2"));
        let item = ItemId::new("COM-001");
        let h = key.item(&f1, &item);
        assert_ne!(h, key.item(&f2, &item));
        assert_ne!(h, other.item(&f1, &item));
        assert_ne!(h, key.item(&f1, &ItemId::new("COM-002")));
        let json = serde_json::to_string(&h).unwrap();
        assert_eq!(json.len(), 18);
        assert!(!json.contains("COM"));
        assert_eq!(serde_json::from_str::<Handle>(&json).unwrap(), h);
        for bad in ["\"xyz\"", "\"COM-001\"", "\"0123456789abcdef0\""] {
            assert!(serde_json::from_str::<Handle>(bad).is_err());
        }
        assert_eq!(HandleKey::from_hex(&key.to_hex()), Some(key.clone()));
        assert_eq!(format!("{key:?}"), "HandleKey(..)");
    }

    #[test]
    fn blank_attempts_must_be_declared() {
        let empty: CandidateSubmission = serde_json::from_str(r#"{"answers": []}"#).unwrap();
        let form = Form {
            id: "F".into(),
            seed: 1,
            blueprint: "b".into(),
            blueprint_version: "1".into(),
            order: crate::form::DeliveryOrder::Randomised,
            slots: Vec::new(),
        };
        let key = HandleKey::new([1; 16]);
        let c = CandidateId::new("C-1");
        assert_eq!(
            empty.resolve(&c, &form, &key),
            Err(SubmissionError::EmptyNotDeclared)
        );
        let blank: CandidateSubmission =
            serde_json::from_str(r#"{"answers": [], "blank": true}"#).unwrap();
        assert_eq!(blank.resolve(&c, &form, &key).unwrap().answers.len(), 0);
    }
}
