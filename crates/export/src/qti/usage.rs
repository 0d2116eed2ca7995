//! QTI 3.0 Usage Data: item statistics handed back to the item bank.
//!
//! Each statistic is an `ordinaryStatistic` named as in 1EdTech's published
//! usage-data example (`qtiv3-examples/usageData/example.xml`): `P-value`
//! (proportion correct among those presented), `PTbis` (corrected
//! point-biserial, item vs rest score), `rbis` (biserial), with `caseCount`
//! the number presented; IRT parameters `A-Parm`, `B-Parm`, `C-Parm`
//! (logistic, D = 1) with their standard errors as `stdError`; and per option
//! the proportion choosing it, `AIS-Response` with the option as
//! `partIdentifier`, under the distractor-statistics glossary of that
//! example.

use super::qti_identifier;
use crate::xml::El;
use exam_core::bank::record::CalibratedItem;
use exam_stats::ctt::ItemStatistics;
use exam_stats::distractors::{Choice, ItemDistractors};

/// The usage-data namespace.
pub const USAGE_NS: &str = "http://www.imsglobal.org/xsd/imsqti_usagedata_v3p0";
const USAGE_XSD: &str =
    "https://purl.imsglobal.org/spec/qti/v3p0/schema/xsd/imsqti_usagedatav3p0_v1p0.xsd";
/// The glossary that defines the distractor statistics' names.
pub const DISTRACTOR_GLOSSARY: &str =
    "http://www.imsglobal.org/question/qti_2p0/glossaries/distractor_statistics";

/// Where the statistics come from, written on every statistic.
#[derive(Debug, Clone, PartialEq)]
pub struct UsageContext {
    /// A URI naming the analysis (the `context` attribute).
    pub context: String,
    /// The date the statistics were computed.
    pub date: time::Date,
}

fn statistic(
    name: &str,
    ctx: &UsageContext,
    item: &str,
    part: Option<&str>,
    value: f64,
    cases: Option<u64>,
    se: Option<f64>,
) -> El {
    let mut el = El::new("ordinaryStatistic")
        .attr("name", name)
        .attr("context", ctx.context.as_str());
    if part.is_some() {
        el = el.attr("glossary", DISTRACTOR_GLOSSARY);
    }
    if let Some(n) = cases {
        el = el.attr("caseCount", n.to_string());
    }
    if let Some(se) = se {
        el = el.attr("stdError", se.to_string());
    }
    let date = ctx
        .date
        .format(&time::format_description::well_known::Iso8601::DATE)
        .unwrap_or_default();
    let mut target = El::new("targetObject")
        .attr(
            "identifier",
            qti_identifier(item).unwrap_or_else(|| item.to_owned()),
        )
        .attr("objectType", if part.is_some() { "choice" } else { "item" });
    if let Some(part) = part.and_then(qti_identifier) {
        target = target.attr("partIdentifier", part);
    }
    el.attr("lastUpdated", date).child(target).child(
        El::new("value")
            .attr("baseType", "float")
            .text(value.to_string()),
    )
}

/// The `usageData` document of an analysis: for each analysed item its
/// classical statistics, its option proportions where `distractors` has the
/// item, and its IRT parameters where `calibration` has it.
pub fn usage_element(
    items: &[ItemStatistics],
    distractors: &[ItemDistractors],
    calibration: &[CalibratedItem],
    ctx: &UsageContext,
) -> El {
    let mut root = El::new("usageData")
        .attr("xmlns", USAGE_NS)
        .attr("xmlns:xsi", super::XSI_NS)
        .attr("xsi:schemaLocation", format!("{USAGE_NS} {USAGE_XSD}"));
    for item in items {
        let id = item.id.as_str();
        let n = Some(item.n_presented);
        for (name, value) in [
            ("P-value", item.p_value),
            ("PTbis", item.point_biserial),
            ("rbis", item.biserial),
        ] {
            if let Some(v) = value {
                root = root.child(statistic(name, ctx, id, None, v, n, None));
            }
        }
        if let Some(d) = distractors.iter().find(|d| d.id == item.id) {
            for option in &d.options {
                if let (Choice::Option(label), Some(p)) = (&option.choice, option.proportion) {
                    root = root.child(statistic("AIS-Response", ctx, id, Some(label), p, n, None));
                }
            }
        }
        if let Some(cal) = calibration.iter().find(|c| c.id == item.id) {
            for (name, value, se) in [
                ("A-Parm", cal.a, cal.se_a),
                ("B-Parm", cal.b, cal.se_b),
                ("C-Parm", cal.c, cal.se_c),
            ] {
                if let Some(v) = value {
                    root = root.child(statistic(name, ctx, id, None, v, cal.n, se));
                }
            }
        }
    }
    root
}
