//! A small element tree over quick-xml: the QTI writers build an [`El`] and
//! serialise it, the importers parse a document into one and walk it.
//!
//! Parsing keeps the line of every element so an importer's error can name
//! where the offending element sits. Text is kept as written (entities
//! resolved); namespace prefixes are dropped from element names, so `lom:lom`
//! and `lom` read alike.

use quick_xml::Reader;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::writer::Writer;

/// One node of an element's content.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// A child element.
    El(El),
    /// Character data.
    Text(String),
}

/// An XML element with its attributes and content.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct El {
    /// The local name (prefix dropped when parsed).
    pub name: String,
    /// Attributes in document order (names as written).
    pub attrs: Vec<(String, String)>,
    /// Content in document order.
    pub children: Vec<Node>,
    /// The 1-based line where the element starts (0 when built in memory).
    pub line: usize,
}

/// Why a document could not be parsed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct XmlError {
    /// The 1-based line of the error.
    pub line: usize,
    /// What the parser found.
    pub message: String,
}

impl El {
    /// An element without attributes or content.
    pub fn new(name: &str) -> Self {
        Self {
            name: name.to_owned(),
            ..Self::default()
        }
    }

    /// Adds an attribute.
    pub fn attr(mut self, name: &str, value: impl Into<String>) -> Self {
        self.attrs.push((name.to_owned(), value.into()));
        self
    }

    /// Adds a child element.
    pub fn child(mut self, child: El) -> Self {
        self.children.push(Node::El(child));
        self
    }

    /// Adds child elements.
    pub fn children(mut self, children: impl IntoIterator<Item = El>) -> Self {
        self.children.extend(children.into_iter().map(Node::El));
        self
    }

    /// Adds text content.
    pub fn text(mut self, text: impl Into<String>) -> Self {
        self.children.push(Node::Text(text.into()));
        self
    }

    /// The value of an attribute, matched by its local name.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| local(n) == name)
            .map(|(_, v)| v.as_str())
    }

    /// The child elements.
    pub fn elements(&self) -> impl Iterator<Item = &El> {
        self.children.iter().filter_map(|n| match n {
            Node::El(e) => Some(e),
            Node::Text(_) => None,
        })
    }

    /// The child elements named `name`.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a El> {
        self.elements().filter(move |e| e.name == name)
    }

    /// The first child element named `name`.
    pub fn first(&self, name: &str) -> Option<&El> {
        self.elements().find(|e| e.name == name)
    }

    /// The first element named `name` at any depth (depth-first).
    pub fn find(&self, name: &str) -> Option<&El> {
        self.elements().find_map(|e| {
            if e.name == name {
                Some(e)
            } else {
                e.find(name)
            }
        })
    }

    /// The concatenated character data of the element and its descendants.
    pub fn all_text(&self) -> String {
        let mut out = String::new();
        collect_text(self, &mut out);
        out
    }

    /// The document as a string: declaration, then the element, indented.
    pub fn to_document(&self) -> String {
        let mut writer = Writer::new_with_indent(Vec::new(), b' ', 2);
        // Writing into a Vec cannot fail.
        let _ = writer.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)));
        let _ = write_el(&mut writer, self);
        let mut bytes = writer.into_inner();
        bytes.push(b'\n');
        String::from_utf8(bytes).unwrap_or_default()
    }
}

fn collect_text(el: &El, out: &mut String) {
    for node in &el.children {
        match node {
            Node::Text(t) => out.push_str(t),
            Node::El(e) => collect_text(e, out),
        }
    }
}

fn local(name: &str) -> &str {
    name.rsplit(':').next().unwrap_or(name)
}

fn write_el(writer: &mut Writer<Vec<u8>>, el: &El) -> std::io::Result<()> {
    let mut start = BytesStart::new(el.name.as_str());
    for (name, value) in &el.attrs {
        start.push_attribute((name.as_str(), value.as_str()));
    }
    if el.children.is_empty() {
        return writer.write_event(Event::Empty(start));
    }
    writer.write_event(Event::Start(start))?;
    for node in &el.children {
        match node {
            Node::El(child) => write_el(writer, child)?,
            Node::Text(text) => writer.write_event(Event::Text(BytesText::new(text)))?,
        }
    }
    writer.write_event(Event::End(BytesEnd::new(el.name.as_str())))
}

/// Parses a document into its root element.
pub fn parse(text: &str) -> Result<El, XmlError> {
    let mut reader = Reader::from_str(text);
    // Lines counted forward from the last position asked for: positions
    // only grow while parsing, so the document is scanned about once.
    let counted = std::cell::Cell::new((0usize, 1usize));
    let line_at = |pos: u64| {
        let pos = usize::try_from(pos).unwrap_or(usize::MAX).min(text.len());
        let (from, line) = match counted.get() {
            (from, line) if from <= pos => (from, line),
            _ => (0, 1),
        };
        let line = line
            + text.as_bytes()[from..pos]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
        counted.set((pos, line));
        line
    };
    let mut stack: Vec<El> = Vec::new();
    let mut root: Option<El> = None;
    loop {
        let at = reader.buffer_position();
        let event = reader.read_event().map_err(|e| XmlError {
            line: line_at(reader.error_position()),
            message: e.to_string(),
        })?;
        let fail = |message: String| XmlError {
            line: line_at(at),
            message,
        };
        match event {
            Event::Start(start) => stack.push(open(&start, line_at(at)).map_err(fail)?),
            Event::Empty(start) => {
                let el = open(&start, line_at(at)).map_err(fail)?;
                attach(&mut stack, &mut root, el).map_err(fail)?;
            }
            Event::End(_) => {
                let el = stack
                    .pop()
                    .ok_or_else(|| fail("closing tag without an open element".into()))?;
                attach(&mut stack, &mut root, el).map_err(fail)?;
            }
            Event::Text(t) => {
                let text = t
                    .xml_content()
                    .map_err(|e| fail(e.to_string()))?
                    .into_owned();
                push_text(&mut stack, text);
            }
            Event::CData(t) => {
                let text = String::from_utf8_lossy(&t.into_inner()).into_owned();
                push_text(&mut stack, text);
            }
            Event::GeneralRef(r) => {
                let text = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    _ => {
                        let name = String::from_utf8_lossy(&r.into_inner()).into_owned();
                        quick_xml::escape::resolve_predefined_entity(&name)
                            .ok_or_else(|| fail(format!("unknown entity `&{name};`")))?
                            .to_owned()
                    }
                };
                push_text(&mut stack, text);
            }
            Event::Eof => break,
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => {}
        }
    }
    if let Some(open) = stack.last() {
        return Err(XmlError {
            line: open.line,
            message: format!("element `{}` is never closed", open.name),
        });
    }
    root.ok_or_else(|| XmlError {
        line: 1,
        message: "no root element".into(),
    })
}

fn open(start: &BytesStart<'_>, line: usize) -> Result<El, String> {
    let name = String::from_utf8_lossy(start.local_name().as_ref()).into_owned();
    let mut attrs = Vec::new();
    for attr in start.attributes() {
        let attr = attr.map_err(|e| format!("element `{name}`: {e}"))?;
        let key = String::from_utf8_lossy(attr.key.as_ref()).into_owned();
        let value = attr
            .unescape_value()
            .map_err(|e| format!("element `{name}`, attribute `{key}`: {e}"))?
            .into_owned();
        attrs.push((key, value));
    }
    Ok(El {
        name,
        attrs,
        children: Vec::new(),
        line,
    })
}

fn attach(stack: &mut [El], root: &mut Option<El>, el: El) -> Result<(), String> {
    match stack.last_mut() {
        Some(parent) => parent.children.push(Node::El(el)),
        None if root.is_none() => *root = Some(el),
        None => return Err(format!("a second root element `{}`", el.name)),
    }
    Ok(())
}

fn push_text(stack: &mut [El], text: String) {
    // Text outside the root element is whitespace (anything else is a
    // parse error reported by quick-xml).
    if let Some(parent) = stack.last_mut() {
        match parent.children.last_mut() {
            Some(Node::Text(prev)) => prev.push_str(&text),
            _ => parent.children.push(Node::Text(text)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_written_tree_parses_back_with_text_and_entities() {
        let el = El::new("a")
            .attr("x", "1 < 2 & \"q\"")
            .child(El::new("b").text("fish & chips <3"))
            .child(El::new("c"));
        let doc = el.to_document();
        let back = parse(&doc).unwrap();
        assert_eq!(back.get("x"), Some("1 < 2 & \"q\""));
        assert_eq!(back.first("b").unwrap().all_text(), "fish & chips <3");
        assert_eq!(back.first("c").unwrap().line, 4);
    }

    #[test]
    fn broken_documents_are_refused_with_a_line() {
        let err = parse("<a>\n<b>\n</a>").unwrap_err();
        assert_eq!(err.line, 3, "{err}");
        let err = parse("<a>\n<b/>\n").unwrap_err();
        assert!(err.message.contains("never closed"), "{err}");
        assert!(parse("<a/><b/>").is_err());
        assert!(parse("").is_err());
        let err = parse("<a>&bogus;</a>").unwrap_err();
        assert!(err.message.contains("bogus"), "{err}");
    }
}
