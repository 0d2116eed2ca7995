//! The texts of delivery views, shared between the views of many forms.

use crate::ids::OptionId;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::sync::{Arc, OnceLock};

/// A text a delivery view shows (a stem, an option, a stimulus), shared:
/// cloning one copies a pointer, so the views of many forms hold one copy
/// of each text. It keeps its JSON string literal (quotes and escapes
/// included), made the first time it is needed, so
/// [`DeliveryView::write_json`](super::DeliveryView::write_json) copies it
/// instead of escaping the text again for every view. Serializes as a
/// plain string in every serde format.
#[derive(Clone)]
pub struct SharedText(Arc<Texts>);

struct Texts {
    text: Box<str>,
    /// `text` as a JSON string literal, once written.
    json: OnceLock<Box<str>>,
    /// The JSON object of the option first shown with this text, with
    /// that option's id (see [`SharedText::choice_json`]).
    choice: OnceLock<(OptionId, Box<[u8]>)>,
}

impl SharedText {
    /// A shared text.
    pub fn new(text: &str) -> Self {
        Self(Arc::new(Texts {
            text: text.into(),
            json: OnceLock::new(),
            choice: OnceLock::new(),
        }))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0.text
    }

    /// The text as a JSON string literal, quotes included (escaped on
    /// the first call, then kept).
    pub(crate) fn json(&self) -> &str {
        self.0.json.get_or_init(|| {
            // A `str` always serializes to JSON.
            serde_json::to_string(&*self.0.text)
                .unwrap_or_default()
                .into()
        })
    }
}

impl SharedText {
    /// The JSON object of an option showing this text under `id`
    /// (`{"id":…,"text":…}`), made by `write` the first time and kept for
    /// that id, so writing views copies one slice per option. An option's
    /// text is shown under one id (a plan keeps one text per option);
    /// under another id this is `None` and the caller writes the object.
    pub(crate) fn choice_json(
        &self,
        id: &OptionId,
        write: impl FnOnce() -> Vec<u8>,
    ) -> Option<&[u8]> {
        let (kept, json) = self
            .0
            .choice
            .get_or_init(|| (id.clone(), write().into_boxed_slice()));
        (kept == id).then_some(&**json)
    }
}

impl std::ops::Deref for SharedText {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0.text
    }
}

impl AsRef<str> for SharedText {
    fn as_ref(&self) -> &str {
        &self.0.text
    }
}

impl From<&str> for SharedText {
    fn from(text: &str) -> Self {
        Self::new(text)
    }
}

/// Equal when the texts are; clones of one text compare by pointer first.
impl PartialEq for SharedText {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0) || self.0.text == other.0.text
    }
}

impl Eq for SharedText {}

impl PartialEq<str> for SharedText {
    fn eq(&self, other: &str) -> bool {
        &*self.0.text == other
    }
}

impl PartialEq<&str> for SharedText {
    fn eq(&self, other: &&str) -> bool {
        &*self.0.text == *other
    }
}

impl fmt::Debug for SharedText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0.text, f)
    }
}

impl fmt::Display for SharedText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.text)
    }
}

impl Serialize for SharedText {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0.text)
    }
}

impl<'de> Deserialize<'de> for SharedText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<'de, str>::deserialize(d)?;
        Ok(Self::new(&text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_json_literal_is_serde_jsons_and_the_text_round_trips() {
        for text in ["", "plain", "a \"quoted\" \\ path\n\ttab \u{1} é ✓ 𝄞"] {
            let shared = SharedText::new(text);
            assert_eq!(shared.json(), serde_json::to_string(text).unwrap());
            assert_eq!(serde_json::to_string(&shared).unwrap(), shared.json());
            let back: SharedText = serde_json::from_str(shared.json()).unwrap();
            assert_eq!(back, shared);
            assert_eq!(back.as_str(), text);
        }
    }
}
