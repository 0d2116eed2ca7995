//! The calibration report: for a calibration document (what
//! `exam calibrate --format json` writes), the test information and
//! conditional SEM, the parameter table with standard errors, fit and
//! flags, and per item its characteristic and information curves.
//!
//! The curves are those of the document's parameters in the logistic
//! metric with D = 1, computed by exam-core's item response functions
//! (the ones scoring and assembly use); the test information and CSEM at
//! the document's own θ points are listed beside the plot.

use super::page::{
    TABLE_END, anchor, count_cell, esc, flagged_item, note, num_cell, page, side_by_side,
    table_head,
};
use super::svg::{Axis, Plot};
use crate::calibration::{CalibrationDocument, ItemParamsRow};
use exam_core::ids::ItemId;
use exam_core::irt::IrtModel;
use exam_stats::calibration::empirical::{EmpiricalPoint, ItemModel};
use std::collections::HashMap;
use std::fmt::Write as _;

/// The θ grid of the plots: the latent mean ± 4 SD in 80 steps.
fn grid((mean, sd): (f64, f64)) -> Vec<f64> {
    (0..=80)
        .map(|i| mean + sd * (-4.0 + 0.1 * f64::from(i)))
        .collect()
}

/// Observed proportions by ability group, to lay over the model's curves
/// ([`exam_stats::calibration::empirical`]).
#[derive(Debug, Clone, Copy)]
pub struct Empirical<'a> {
    /// The response file they come from (named on the page).
    pub source: &'a str,
    /// Each item's groups, by item; an item absent here has no points.
    pub curves: &'a HashMap<ItemId, Vec<EmpiricalPoint>>,
}

/// The report for a calibration document (named `source_name` on the
/// page), with the observed proportions of `empirical` where given.
pub fn calibration_report(
    doc: &CalibrationDocument,
    source_name: &str,
    empirical: Option<Empirical<'_>>,
) -> String {
    let thetas = grid(doc.latent_normal());
    let models: Vec<Option<ItemModel>> = doc.items.iter().map(|i| i.model()).collect();
    let mut body = String::from(
        "<nav><p><a href=\"#test\">Test information</a> · <a href=\"#flagged\">Flagged items</a> · \
         <a href=\"#parameters\">Parameters</a> · <a href=\"#details\">Item curves</a></p></nav>\n",
    );
    body.push_str(&summary(doc));
    body.push_str(&test_section(doc, &models, &thetas));
    body.push_str(&flagged(doc));
    body.push_str(&parameter_table(doc));
    body.push_str("<section id=\"details\">\n<h2>Item curves</h2>\n");
    for (item, model) in doc.items.iter().zip(&models) {
        let observed = empirical
            .and_then(|e| e.curves.get(&item.id))
            .map(Vec::as_slice);
        body.push_str(&item_section(
            item,
            model.as_ref(),
            &thetas,
            doc.model,
            observed,
        ));
    }
    body.push_str("</section>\n");
    let estimation = doc.estimation.map_or_else(String::new, |e| {
        format!(" by {}", name_of(&e).to_uppercase())
    });
    let mut lines = vec![format!(
        "Calibration document <code>{}</code>{}",
        esc(source_name),
        doc.responses.as_ref().map_or_else(String::new, |r| format!(
            " · responses <code>{}</code>",
            esc(r)
        ))
    )];
    if let Some(e) = empirical {
        lines.push(format!(
            "Observed proportions from <code>{}</code>: persons grouped by their EAP ability into groups of equal size, with 95% intervals",
            esc(e.source)
        ));
    }
    lines.push(format!(
        "Model <strong>{}</strong>{estimation} · {} persons · {} items ({} calibrated)",
        doc.model,
        doc.n_persons
            .map_or_else(|| "?".to_owned(), |n| n.to_string()),
        doc.n_items
            .map_or_else(|| "?".to_owned(), |n| n.to_string()),
        doc.items.len()
    ));
    page("IRT calibration report", &lines, &body)
}

/// The name serde gives a unit enum value (`parameter_change`, `mml`).
fn name_of<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn summary(doc: &CalibrationDocument) -> String {
    let mut rows: Vec<(String, String)> = vec![
        (
            "Log-likelihood".into(),
            opt_cell(doc.log_likelihood, 3, "not in the document"),
        ),
        (
            "AIC".into(),
            opt_cell(doc.aic, 2, "not defined for conditional ML"),
        ),
        (
            "BIC".into(),
            opt_cell(doc.bic, 2, "not defined for conditional ML"),
        ),
        (
            "Iterations".into(),
            doc.iterations.map_or_else(
                || "<td class=\"undef\">n/a: not in the document</td>".to_owned(),
                count_cell,
            ),
        ),
    ];
    let status = match (&doc.convergence, doc.converged.unwrap_or(true)) {
        (Some(c), true) => format!(
            "<td class=\"text ok\">converged ({})</td>",
            esc(&name_of(&c.reason).replace('_', " "))
        ),
        (Some(c), false) => format!(
            "<td class=\"text bad\">NOT converged: {}; last change {:.2e}{}</td>",
            esc(&name_of(&c.reason).replace('_', " ")),
            c.max_change,
            c.slowest_item
                .as_ref()
                .map_or_else(String::new, |i| format!(
                    ", slowest item {}",
                    esc(i.as_str())
                ))
        ),
        (None, true) => "<td class=\"text ok\">converged</td>".into(),
        (None, false) => "<td class=\"text bad\">NOT converged</td>".into(),
    };
    rows.push(("Convergence".into(), status));
    if let Some(l) = &doc.latent {
        rows.push((
            "Latent distribution".into(),
            format!(
                "<td class=\"text\">normal, mean {:.3}, SD {:.3}</td>",
                l.mean, l.sd
            ),
        ));
    }
    rows.push((
        "Standard errors".into(),
        format!(
            "<td class=\"text\">{}</td>",
            esc(doc.standard_errors.as_deref().unwrap_or("not stated"))
        ),
    ));
    let mut out =
        String::from("<section id=\"summary\">\n<h2>Calibration</h2>\n<table>\n<tbody>\n");
    for (name, cell) in rows {
        let _ = writeln!(out, "<tr><th scope=\"row\">{name}</th>{cell}</tr>");
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
    out
}

fn opt_cell(v: Option<f64>, digits: usize, why: &str) -> String {
    match v {
        Some(v) => num_cell(Some(v), digits, None),
        None => format!("<td class=\"undef\">n/a: {why}</td>"),
    }
}

/// Test information and CSEM curves, with the document's points listed.
fn test_section(doc: &CalibrationDocument, models: &[Option<ItemModel>], thetas: &[f64]) -> String {
    let mut out =
        String::from("<section id=\"test\">\n<h2>Test information and conditional SEM</h2>\n");
    let info: Vec<(f64, f64)> = thetas
        .iter()
        .map(|&t| (t, models.iter().flatten().map(|m| m.information(t)).sum()))
        .collect();
    if models.iter().all(Option::is_none) {
        out.push_str("<p>No item was calibrated: no curves.</p>\n</section>\n");
        return out;
    }
    let (lo, hi) = (thetas[0], thetas[thetas.len() - 1]);
    let peak = info.iter().map(|p| p.1).fold(0.0, f64::max);
    let (at, top) = info
        .iter()
        .fold((0.0, 0.0), |best, p| if p.1 > best.1 { *p } else { best });
    let mut plot = Plot::new(
        "test-information",
        "Test information",
        Axis::new(lo, hi, "Ability θ"),
        Axis::new(0.0, peak * 1.1, "Information"),
    );
    plot.line("", 0, &info, false, true);
    plot.set_desc(&format!(
        "Test information from θ = {lo:.1} to {hi:.1}; highest, {top:.2}, at θ = {at:.1}."
    ));
    plot.set_caption("Test information: the sum of the item information functions.");
    let csem: Vec<(f64, f64)> = info
        .iter()
        .filter(|p| p.1 > 0.0)
        .map(|&(t, i)| (t, 1.0 / i.sqrt()))
        .collect();
    let min_csem = 1.0 / top.sqrt();
    let y_max = (min_csem * 4.0)
        .min(csem.iter().map(|p| p.1).fold(0.0, f64::max))
        .max(min_csem * 1.5);
    let mut csem_plot = Plot::new(
        "test-csem",
        "Conditional standard error of measurement",
        Axis::new(lo, hi, "Ability θ"),
        Axis::new(0.0, y_max, "CSEM (θ units)"),
    );
    csem_plot.line("", 1, &csem, false, true);
    csem_plot.set_desc(&format!(
        "Conditional SEM 1/√I(θ): smallest, {min_csem:.3}, at θ = {at:.1}; it grows towards the ends of the range."
    ));
    csem_plot.set_caption(
        "Conditional SEM of the ability estimate, 1/√I(θ) (clipped at four times its minimum).",
    );
    out.push_str(&side_by_side(&plot.finish(), &csem_plot.finish()));
    if !doc.test_curves.is_empty() {
        out.push_str(
            "<details><summary>Test information and CSEM at the document's θ points</summary>",
        );
        out.push_str(&table_head("test-curves", "", ["θ", "Information", "CSEM"]));
        for p in &doc.test_curves {
            let _ = write!(
                out,
                "<tr><th scope=\"row\" data-value=\"{}\">{:.2}</th>{}{}</tr>",
                p.theta,
                p.theta,
                num_cell(Some(p.information), 3, None),
                match p.csem {
                    Some(c) => num_cell(Some(c), 3, None),
                    None => "<td class=\"undef\">n/a: no information</td>".into(),
                }
            );
        }
        out.push_str(TABLE_END);
        out.push_str("</details>\n");
    }
    out.push_str("</section>\n");
    out
}

/// A flag of the document in words: its name and its values.
fn flag_text(flag: &exam_stats::calibration::ItemFlag) -> String {
    let value = serde_json::to_value(flag).unwrap_or_default();
    let Some(flag) = value.as_object() else {
        return String::new();
    };
    let name = flag
        .get("flag")
        .and_then(|v| v.as_str())
        .unwrap_or("flag")
        .replace('_', " ");
    let values: Vec<String> = flag
        .iter()
        .filter(|(k, _)| *k != "flag")
        .map(|(k, v)| match v.as_f64() {
            Some(x) => format!("{k} = {x:.3}"),
            None => format!(
                "{k} = {}",
                v.as_str().map_or_else(|| v.to_string(), str::to_owned)
            ),
        })
        .collect();
    if values.is_empty() {
        esc(&name)
    } else {
        esc(&format!("{name} ({})", values.join(", ")))
    }
}

fn item_flags(item: &ItemParamsRow) -> Vec<String> {
    let mut out: Vec<String> = item.flags.iter().map(flag_text).collect();
    if let Some(f) = item.fit.s_x2 {
        if f.p_value < 0.01 {
            out.push(format!(
                "misfit: S-X² = {:.2} on {} df, p = {:.4} (below 0.01)",
                f.statistic, f.df, f.p_value
            ));
        }
    }
    for (name, v) in [("infit", item.fit.infit), ("outfit", item.fit.outfit)] {
        if let Some(v) = v.filter(|v| !(0.7..=1.3).contains(v)) {
            out.push(format!(
                "misfit: {name} mean square {v:.3} outside 0.7 to 1.3"
            ));
        }
    }
    out
}

fn flagged(doc: &CalibrationDocument) -> String {
    let mut out =
        String::from("<section id=\"flagged\">\n<h2>Flagged items</h2>\n<ul class=\"flags\">\n");
    let mut any = false;
    for item in &doc.items {
        let flags = item_flags(item);
        if !flags.is_empty() {
            any = true;
            flagged_item(&mut out, item.id.as_str(), &flags.join("; "));
        }
    }
    for item in &doc.not_calibrated {
        any = true;
        let why: Vec<String> = item.flags.iter().map(flag_text).collect();
        let _ = writeln!(
            out,
            "<li><strong>{}</strong>: not calibrated ({})</li>",
            esc(item.id.as_str()),
            if why.is_empty() {
                "no estimate".to_owned()
            } else {
                why.join("; ")
            }
        );
    }
    if !any {
        out.push_str("<li>No item is flagged.</li>\n");
    }
    out.push_str("</ul>\n<p class=\"note\">Misfit is flagged at S-X² p &lt; 0.01 (Orlando &amp; Thissen 2000) or a Rasch mean square outside 0.7 to 1.3 (Wright &amp; Linacre 1994).</p>\n</section>\n");
    out
}

fn parameter_table(doc: &CalibrationDocument) -> String {
    let mut out = String::from(
        "<section id=\"parameters\">\n<h2>Item parameters</h2>\n<p class=\"note\">Logistic metric, D = 1. Standard errors in the columns beside each estimate.</p>\n",
    );
    out.push_str(&table_head(
        "parameters",
        "",
        [
            "Item", "N", "a", "SE(a)", "b", "SE(b)", "c", "SE(c)", "Fit", "Flags",
        ],
    ));
    for item in doc.items.iter().chain(&doc.not_calibrated) {
        let calibrated = item.a.is_some();
        let no_se = if doc.standard_errors.is_none() {
            "not computed"
        } else {
            "not computed for this parameter"
        };
        let se = |v: Option<f64>| match (v, calibrated) {
            (Some(v), _) => num_cell(Some(v), 3, None),
            (None, true) => format!("<td class=\"undef\">{no_se}</td>"),
            (None, false) => "<td></td>".to_owned(),
        };
        let b = match &item.steps {
            Some(steps) => format!(
                "<td class=\"text\">steps {}</td>",
                steps
                    .iter()
                    .map(|s| format!("{s:.3}"))
                    .collect::<Vec<_>>()
                    .join(" / ")
            ),
            None => opt_cell(item.b, 3, "not calibrated"),
        };
        let fit = match (item.fit.s_x2, item.fit.infit, item.fit.outfit) {
            (Some(f), _, _) => format!("S-X² {:.2} ({} df), p {:.3}", f.statistic, f.df, f.p_value),
            (None, Some(i), Some(o)) => format!("infit {i:.3}, outfit {o:.3}"),
            _ => "n/a".to_owned(),
        };
        let mut flags = item_flags(item);
        if item.fixed {
            flags.insert(0, "anchor (held fixed)".to_owned());
        }
        let link = if calibrated {
            format!(
                "<a href=\"#{}\">{}</a>",
                anchor("item-", item.id.as_str()),
                esc(item.id.as_str())
            )
        } else {
            esc(item.id.as_str())
        };
        let _ = writeln!(
            out,
            "<tr data-item=\"{}\"><th scope=\"row\">{link}</th>{}{}{}{}{}{}{}<td class=\"text\">{fit}</td><td class=\"text\">{}</td></tr>",
            esc(item.id.as_str()),
            item.n.map_or_else(|| "<td></td>".to_owned(), count_cell),
            opt_cell(item.a, 3, "not calibrated").replacen("<td", "<td data-stat=\"a\"", 1),
            se(item.se_a),
            b.replacen("<td", "<td data-stat=\"b\"", 1),
            se(item.se_b),
            opt_cell(item.c, 3, "not calibrated"),
            if item.steps.is_none() && doc.model == IrtModel::ThreePl {
                se(item.se_c)
            } else {
                "<td></td>".to_owned()
            },
            flags.join("; ")
        );
    }
    out.push_str(TABLE_END);
    out.push_str("</section>\n");
    out
}

fn item_section(
    item: &ItemParamsRow,
    model: Option<&ItemModel>,
    thetas: &[f64],
    model_name: IrtModel,
    observed: Option<&[EmpiricalPoint]>,
) -> String {
    let id = item.id.as_str();
    let flags = item_flags(item);
    let badges: String = flags
        .iter()
        .map(|f| {
            format!(
                "<span class=\"flag\">{}</span>",
                f.split([':', '(']).next().unwrap_or(f).trim()
            )
        })
        .collect();
    let mut out = format!(
        "<section class=\"unit\" id=\"{}\" data-item=\"{}\">\n<h3>Item {} {badges}</h3>\n",
        anchor("item-", id),
        esc(id),
        esc(id)
    );
    let Some(model) = model else {
        out.push_str("<p>Its parameters do not define a response function (slope not positive): no curves.</p>\n</section>\n");
        return out;
    };
    let params = match &item.steps {
        Some(steps) => format!(
            "a = {:.3}, step difficulties {}",
            item.a.unwrap_or_default(),
            steps
                .iter()
                .map(|s| format!("{s:.3}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        None => format!(
            "a = {:.3}, b = {:.3}, c = {:.3}",
            item.a.unwrap_or_default(),
            item.b.unwrap_or_default(),
            item.c.unwrap_or_default()
        ),
    };
    note(
        &mut out,
        &format!(
            "{}{}{}",
            esc(&params),
            item.n.map_or_else(String::new, |n| format!(" (N = {n})")),
            if flags.is_empty() {
                String::new()
            } else {
                format!(" · {}", flags.join("; "))
            }
        ),
    );
    let (lo, hi) = (thetas[0], thetas[thetas.len() - 1]);
    let icc: Vec<(f64, f64)> = thetas
        .iter()
        .map(|&t| (t, model.expected_proportion(t)))
        .collect();
    let y_label = if item.steps.is_some() {
        "Expected score / maximum"
    } else {
        "P(correct)"
    };
    let mut plot = Plot::of_item(
        "Item characteristic curve",
        "icc-",
        id,
        Axis::new(lo, hi, "Ability θ"),
        y_label,
    );
    let mut desc =
        format!("Item characteristic curve of item {id} under the {model_name} model, {params}");
    match observed {
        Some(points) if !points.is_empty() => {
            plot.line("model", 0, &icc, false, true);
            let bars: Vec<(f64, f64, f64, f64)> = points
                .iter()
                .map(|p| (p.theta, p.observed, p.lower, p.upper))
                .collect();
            plot.intervals("observed, 95% interval", 2, &bars);
            let values: Vec<String> = points
                .iter()
                .map(|p| {
                    format!(
                        "θ {:.2}: {:.2} ({:.2} to {:.2}, n {})",
                        p.theta, p.observed, p.lower, p.upper, p.n
                    )
                })
                .collect();
            let _ = write!(
                desc,
                "; observed proportions by ability group: {}",
                values.join("; ")
            );
        }
        _ => plot.line("", 0, &icc, false, true),
    }
    if let (Some(b), None) = (item.b, &item.steps) {
        if b >= lo && b <= hi {
            plot.vline(b, &format!("b = {b:.2}"));
        }
        let _ = write!(desc, "; P = {:.2} at θ = b", model.expected_proportion(b));
    }
    desc.push('.');
    plot.set_desc(&desc);
    plot.set_caption(if observed.is_some_and(|p| !p.is_empty()) {
        "Probability of a correct response (expected score over its maximum) by ability: the model's curve, and the observed proportion in each ability group with its 95% interval. Points far off the curve, their intervals missing it, show misfit."
    } else {
        "Probability of a correct response (expected score over its maximum) by ability."
    });
    let info: Vec<(f64, f64)> = thetas.iter().map(|&t| (t, model.information(t))).collect();
    let (at, top) = info
        .iter()
        .fold((0.0, 0.0), |best, p| if p.1 > best.1 { *p } else { best });
    let mut info_plot = Plot::new(
        &anchor("iif-", id),
        &format!("Item information of item {id}"),
        Axis::new(lo, hi, "Ability θ"),
        Axis::new(0.0, (top * 1.15).max(0.05), "Information"),
    );
    info_plot.line("", 1, &info, false, true);
    info_plot.set_desc(&format!(
        "Item information of item {id}: highest, {top:.3}, at θ = {at:.1}."
    ));
    info_plot.set_caption("Fisher information of the item by ability.");
    out.push_str(&side_by_side(&plot.finish(), &info_plot.finish()));
    out.push_str("</section>\n");
    out
}
