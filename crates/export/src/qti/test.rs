//! Writing an assembled form as a `qti-assessment-test`: one test part, one
//! section per run of slots in the same blueprint section, item references
//! in delivery order with shuffling off (the form already fixed the order),
//! and the test score as the sum of the scored items' scores.

use super::item::{item_href, qti_root};
use super::{QtiError, qti_identifier};
use crate::xml::El;
use exam_core::form::{Form, SlotRole};

/// The `category` of an item reference in a slot of this role.
pub fn slot_category(role: SlotRole) -> &'static str {
    match role {
        SlotRole::Scored => "scored",
        SlotRole::Pretest => "pretest",
    }
}

fn identifier(form: &Form, id: &str) -> Result<String, QtiError> {
    qti_identifier(id).ok_or_else(|| QtiError::Identifier {
        item: form.id.to_string(),
        id: id.to_owned(),
    })
}

/// The `qti-assessment-test` of a form.
pub fn test_element(form: &Form) -> Result<El, QtiError> {
    let form_id = identifier(form, form.id.as_str())?;
    let mut sections: Vec<(&str, El)> = Vec::new();
    for slot in &form.slots {
        let name = slot.section.as_str();
        if sections.last().is_none_or(|(current, _)| *current != name) {
            let id = identifier(form, &format!("S{}-{name}", sections.len() + 1))?;
            let el = El::new("qti-assessment-section")
                .attr("identifier", id)
                .attr("title", name)
                .attr("visible", "true")
                .child(El::new("qti-ordering").attr("shuffle", "false"));
            sections.push((name, el));
        }
        let reference = El::new("qti-assessment-item-ref")
            .attr("identifier", identifier(form, slot.item.as_str())?)
            .attr("href", format!("../{}", item_href(slot.item.as_str())))
            .attr("category", slot_category(slot.role));
        if let Some((_, section)) = sections.last_mut() {
            section.children.push(crate::xml::Node::El(reference));
        }
    }
    let part = El::new("qti-test-part")
        .attr("identifier", "PART-1")
        .attr("navigation-mode", "linear")
        .attr("submission-mode", "individual")
        .children(sections.into_iter().map(|(_, el)| el));
    Ok(qti_root("qti-assessment-test")
        .attr("identifier", form_id)
        .attr(
            "title",
            format!(
                "Form {} (blueprint {} {})",
                form.id, form.blueprint, form.blueprint_version
            ),
        )
        .child(
            El::new("qti-outcome-declaration")
                .attr("identifier", "SCORE")
                .attr("cardinality", "single")
                .attr("base-type", "float"),
        )
        .child(part)
        .child(
            El::new("qti-outcome-processing").child(
                El::new("qti-set-outcome-value")
                    .attr("identifier", "SCORE")
                    .child(
                        El::new("qti-sum").child(
                            El::new("qti-test-variables")
                                .attr("variable-identifier", "SCORE")
                                .attr("exclude-category", "pretest"),
                        ),
                    ),
            ),
        ))
}
