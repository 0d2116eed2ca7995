//! The fingerprint of a scoring key for the audit trail of a score report.

use exam_core::form::{AnswerKey, ScoringKey};
use exam_core::hash::StableHasher;

/// FNV-1a over the bytes fed to it, each field followed by a `0xff`
/// separator so that `("ab", "c")` and `("a", "bc")` differ.
struct Fnv(StableHasher);

impl Fnv {
    fn new() -> Self {
        Self(StableHasher::new())
    }
    fn bytes(&mut self, bytes: &[u8]) {
        self.0.bytes(bytes).bytes(&[0xff]);
    }
}

/// The fingerprint of a scoring key: FNV-1a 64 over the form id and, per
/// entry, item, version, role, weight and keyed option ids in order. Two
/// keys with the same fingerprint score every submission alike.
pub fn key_fingerprint(key: &ScoringKey) -> String {
    let mut h = Fnv::new();
    h.bytes(key.form.as_str().as_bytes());
    for e in &key.entries {
        h.bytes(e.item.as_str().as_bytes());
        h.bytes(&e.version.to_le_bytes());
        h.bytes(e.role.as_str().as_bytes());
        h.bytes(&e.weight.to_bits().to_le_bytes());
        match &e.key {
            AnswerKey::SingleChoice { option } => h.bytes(option.as_str().as_bytes()),
            AnswerKey::MultipleResponse { options } | AnswerKey::Ordering { order: options } => {
                for o in options {
                    h.bytes(o.as_str().as_bytes());
                }
            }
            AnswerKey::Matching { pairs } => {
                for p in pairs {
                    h.bytes(p.prompt.as_str().as_bytes());
                    h.bytes(p.option.as_str().as_bytes());
                }
            }
        }
    }
    format!("fnv1a64:{:016x}", h.0.finish())
}
