//! The package's `imsmanifest.xml` (IMS Content Packaging 1.2, QTI 3.0
//! profile): one resource per item, stimulus and test, and each item's
//! metadata in IEEE LOM (loose binding) and QTI metadata.
//!
//! The item metadata in LOM, all under the catalog or source `exam-engine`:
//! `general/identifier` the item id; `lifeCycle/version` the content
//! version; `lifeCycle/status` the status (draft, pretest, operational,
//! retired); `educational/typicalLearningTime` the expected time (ISO 8601
//! duration `PT40S`); one `relation` of kind `enemy` per enemy item; one
//! `classification` each for the JTA domain (purpose `discipline`), task
//! (purpose `competency`), competency level (purpose `skill level`) and
//! lifecycle phase (purpose `idea`), told apart by their taxon path's source.

use super::QtiError;
use super::item::{item_href, stimulus_href};
use crate::xml::El;
use exam_core::form::Form;
use exam_core::item::{Item, ItemKind};

/// The IMS CP namespace of the QTI 3.0 profile.
pub const CP_NS: &str = "http://www.imsglobal.org/xsd/qti/qtiv3p0/imscp_v1p1";
/// The IEEE LOM namespace.
pub const LOM_NS: &str = "http://ltsc.ieee.org/xsd/LOM";
/// The QTI 3.0 metadata namespace.
pub const QMD_NS: &str = "http://www.imsglobal.org/xsd/imsqti_metadata_v3p0";
/// The catalog and vocabulary source of exam-engine's own values.
pub const SOURCE: &str = "exam-engine";

const CP_XSD: &str =
    "https://purl.imsglobal.org/spec/qti/v3p0/schema/xsd/imsqtiv3p0_imscpv1p2_v1p0.xsd";
const LOM_XSD: &str = "https://purl.imsglobal.org/spec/md/v1p3/schema/xsd/imsmd_loose_v1p3p2.xsd";
const QMD_XSD: &str =
    "https://purl.imsglobal.org/spec/qti/v3p0/schema/xsd/imsqti_metadatav3p0_v1p0.xsd";

/// The taxon path source of the JTA domain.
pub const DOMAIN: &str = "exam-engine:domain";
/// The taxon path source of the JTA task.
pub const TASK: &str = "exam-engine:task";
/// The taxon path source of the competency level.
pub const LEVEL: &str = "exam-engine:level";
/// The taxon path source of the lifecycle phase.
pub const PHASE: &str = "exam-engine:phase";

/// The resource identifier of an item (an `xs:ID`).
pub fn item_resource(qti_id: &str) -> String {
    format!("ITEM-{qti_id}")
}

/// The resource identifier of a stimulus.
pub fn stimulus_resource(qti_id: &str) -> String {
    format!("STIMULUS-{qti_id}")
}

/// The resource identifier of a test.
pub fn test_resource(qti_id: &str) -> String {
    format!("TEST-{qti_id}")
}

/// Where a test sits in a package.
pub fn test_href(form: &str) -> String {
    format!("tests/{form}.xml")
}

fn vocab(name: &str, source: &str, value: &str) -> El {
    El::new(name)
        .child(El::new("lom:source").text(source))
        .child(El::new("lom:value").text(value))
}

fn lang_string(name: &str, text: &str) -> El {
    El::new(name).child(El::new("lom:string").text(text))
}

fn classification(purpose: &str, source: &str, id: &str) -> El {
    El::new("lom:classification")
        .child(vocab("lom:purpose", "LOMv1.0", purpose))
        .child(
            El::new("lom:taxonPath")
                .child(lang_string("lom:source", source))
                .child(El::new("lom:taxon").child(El::new("lom:id").text(id))),
        )
}

fn identifier(entry: &str) -> El {
    El::new("lom:identifier")
        .child(El::new("lom:catalog").text(SOURCE))
        .child(El::new("lom:entry").text(entry))
}

/// The LOM record of an item.
fn lom(item: &Item) -> El {
    let mut lom = El::new("lom:lom")
        .child(El::new("lom:general").child(identifier(item.id.as_str())))
        .child(
            El::new("lom:lifeCycle")
                .child(lang_string("lom:version", &item.version.to_string()))
                .child(vocab("lom:status", SOURCE, item.status.as_str())),
        );
    if let Some(seconds) = item.expected_seconds {
        lom = lom.child(
            El::new("lom:educational").child(
                El::new("lom:typicalLearningTime")
                    .child(El::new("lom:duration").text(format!("PT{seconds}S"))),
            ),
        );
    }
    for enemy in &item.enemies {
        lom = lom.child(
            El::new("lom:relation")
                .child(vocab("lom:kind", SOURCE, "enemy"))
                .child(El::new("lom:resource").child(identifier(enemy.as_str()))),
        );
    }
    lom.child(classification("discipline", DOMAIN, item.domain.as_str()))
        .child(classification("competency", TASK, item.task.as_str()))
        .child(classification("skill level", LEVEL, item.level.as_str()))
        .child(classification("idea", PHASE, item.phase.as_str()))
}

fn interaction_type(kind: ItemKind) -> &'static str {
    match kind {
        ItemKind::SingleChoice | ItemKind::MultipleResponse => "choiceInteraction",
        ItemKind::Ordering => "orderInteraction",
        ItemKind::Matching => "matchInteraction",
    }
}

/// What the manifest lists: items (with their QTI identifiers and their
/// set's QTI identifier), stimuli and tests.
pub struct Contents<'a> {
    /// Each item with its QTI identifier and that of its set.
    pub items: Vec<(&'a Item, String, Option<String>)>,
    /// Each set's id (for the file name) and QTI identifier.
    pub stimuli: Vec<(String, String)>,
    /// Each form with its QTI identifier and those of its items.
    pub tests: Vec<(&'a Form, String, Vec<String>)>,
}

/// The `imsmanifest.xml` document of a package.
pub fn manifest_element(identifier: &str, contents: &Contents<'_>) -> El {
    let mut resources = El::new("resources");
    for (item, qti_id, set) in &contents.items {
        let href = item_href(item.id.as_str());
        let mut resource = El::new("resource")
            .attr("identifier", item_resource(qti_id))
            .attr("type", "imsqti_item_xmlv3p0")
            .attr("href", href.as_str())
            .child(
                El::new("metadata")
                    .child(
                        El::new("qmd:qtiMetadata")
                            .child(El::new("qmd:timeDependent").text("false"))
                            .child(
                                El::new("qmd:interactionType").text(interaction_type(item.kind())),
                            )
                            .child(El::new("qmd:toolName").text(SOURCE))
                            .child(El::new("qmd:toolVersion").text(env!("CARGO_PKG_VERSION"))),
                    )
                    .child(lom(item)),
            )
            .child(El::new("file").attr("href", href));
        if let Some(set) = set {
            resource =
                resource.child(El::new("dependency").attr("identifierref", stimulus_resource(set)));
        }
        resources = resources.child(resource);
    }
    for (set_id, qti_id) in &contents.stimuli {
        let href = stimulus_href(set_id);
        resources = resources.child(
            El::new("resource")
                .attr("identifier", stimulus_resource(qti_id))
                .attr("type", "imsqti_stimulus_xmlv3p0")
                .attr("href", href.as_str())
                .child(El::new("file").attr("href", href)),
        );
    }
    for (form, qti_id, item_ids) in &contents.tests {
        let href = test_href(form.id.as_str());
        resources = resources.child(
            El::new("resource")
                .attr("identifier", test_resource(qti_id))
                .attr("type", "imsqti_test_xmlv3p0")
                .attr("href", href.as_str())
                .child(El::new("file").attr("href", href))
                .children(
                    item_ids
                        .iter()
                        .map(|id| El::new("dependency").attr("identifierref", item_resource(id))),
                ),
        );
    }
    El::new("manifest")
        .attr("xmlns", CP_NS)
        .attr("xmlns:lom", LOM_NS)
        .attr("xmlns:qmd", QMD_NS)
        .attr("xmlns:xsi", super::XSI_NS)
        .attr(
            "xsi:schemaLocation",
            format!("{CP_NS} {CP_XSD} {LOM_NS} {LOM_XSD} {QMD_NS} {QMD_XSD}"),
        )
        .attr("identifier", identifier)
        .child(
            El::new("metadata")
                .child(El::new("schema").text("QTI Package"))
                .child(El::new("schemaversion").text("3.0.0")),
        )
        .child(El::new("organizations"))
        .child(resources)
}

/// The metadata of one item as the manifest gives it; absent fields are
/// `None` (a package written elsewhere may carry none of them).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ItemMetadata {
    /// `lifeCycle/version`.
    pub version: Option<String>,
    /// `lifeCycle/status`.
    pub status: Option<String>,
    /// `educational/typicalLearningTime/duration`.
    pub duration: Option<String>,
    /// `relation` of kind `enemy`.
    pub enemies: Vec<String>,
    /// The classification whose taxon path source is [`DOMAIN`].
    pub domain: Option<String>,
    /// The classification whose taxon path source is [`TASK`].
    pub task: Option<String>,
    /// The classification whose taxon path source is [`LEVEL`].
    pub level: Option<String>,
    /// The classification whose taxon path source is [`PHASE`].
    pub phase: Option<String>,
}

fn text_at(el: &El, path: &[&str]) -> Option<String> {
    let mut at = el;
    for name in path {
        at = at.first(name)?;
    }
    Some(at.all_text().trim().to_owned())
}

/// The metadata of an item resource's LOM record.
pub fn read_item_metadata(resource: &El) -> ItemMetadata {
    let Some(lom) = resource.first("metadata").and_then(|m| m.first("lom")) else {
        return ItemMetadata::default();
    };
    let mut meta = ItemMetadata {
        version: text_at(lom, &["lifeCycle", "version", "string"]),
        status: text_at(lom, &["lifeCycle", "status", "value"]),
        duration: text_at(lom, &["educational", "typicalLearningTime", "duration"]),
        ..ItemMetadata::default()
    };
    for relation in lom.all("relation") {
        if text_at(relation, &["kind", "value"]).as_deref() == Some("enemy")
            && let Some(entry) = text_at(relation, &["resource", "identifier", "entry"])
        {
            meta.enemies.push(entry);
        }
    }
    for class in lom.all("classification") {
        for path in class.all("taxonPath") {
            let source = text_at(path, &["source", "string"]);
            let id = text_at(path, &["taxon", "id"]);
            let slot = match source.as_deref() {
                Some(DOMAIN) => &mut meta.domain,
                Some(TASK) => &mut meta.task,
                Some(LEVEL) => &mut meta.level,
                Some(PHASE) => &mut meta.phase,
                _ => continue,
            };
            *slot = id;
        }
    }
    meta
}

/// Reads an ISO 8601 duration of whole seconds, minutes and hours
/// (`PT1M30S`); `None` for anything else.
pub fn duration_seconds(text: &str) -> Option<u32> {
    let rest = text.strip_prefix("PT")?;
    let mut total: u32 = 0;
    let mut number = String::new();
    for c in rest.chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let n: u32 = number.parse().ok()?;
        number.clear();
        let unit = match c {
            'H' => 3600,
            'M' => 60,
            'S' => 1,
            _ => return None,
        };
        total = total.checked_add(n.checked_mul(unit)?)?;
    }
    number.is_empty().then_some(total)
}

/// The `resources` element of a manifest.
pub(crate) fn resources(manifest: &El) -> Result<&El, QtiError> {
    manifest
        .first("resources")
        .ok_or_else(|| QtiError::Missing {
            file: "imsmanifest.xml".into(),
            line: manifest.line,
            element: manifest.name.clone(),
            what: "`resources`".into(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_whole_units() {
        assert_eq!(duration_seconds("PT40S"), Some(40));
        assert_eq!(duration_seconds("PT1M30S"), Some(90));
        assert_eq!(duration_seconds("PT1H"), Some(3600));
        assert_eq!(duration_seconds("PT1.5S"), None);
        assert_eq!(duration_seconds("P1D"), None);
        assert_eq!(duration_seconds("PT40"), None);
    }
}
