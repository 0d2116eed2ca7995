//! The forms report: assembled forms against their blueprint, from the
//! coverage `exam coverage` computes (exam-core's
//! [`exam_core::coverage::coverage`]): per form the domain x level
//! counts against the blueprint, the expected time against the limit and
//! the problems found; across forms the test information and CSEM curves
//! against the blueprint's information target, and the overlap matrix.

use super::page::{TABLE_END, anchor, count_cell, esc, num_cell, page, side_by_side, table_head};
use super::svg::{Axis, Plot};
use exam_core::bank::{CheckedBlueprint, ItemBank};
use exam_core::blueprint::Blueprint;
use exam_core::coverage::{Coverage, coverage};
use exam_core::form::{Form, SlotRole};
use exam_core::irt::{ItemParams, test_information};
use std::fmt::Write as _;

/// The report for `forms`, built for `blueprint` from the items of `bank`.
pub fn forms_report(forms: &[Form], bank: &ItemBank, blueprint: &CheckedBlueprint) -> String {
    let reports: Vec<Coverage> = forms
        .iter()
        .map(|f| coverage(f, bank, blueprint, forms))
        .collect();
    let mut body = String::from(
        "<nav><p><a href=\"#summary\">Summary</a> · <a href=\"#information\">Information</a> · \
         <a href=\"#overlap\">Overlap</a> · <a href=\"#coverage\">Blueprint coverage</a></p></nav>\n",
    );
    body.push_str(&summary(&reports));
    body.push_str(&information(forms, bank, blueprint, &reports));
    body.push_str(&overlap(forms, &reports));
    body.push_str("<section id=\"coverage\">\n<h2>Blueprint coverage</h2>\n");
    for c in &reports {
        body.push_str(&form_section(c));
    }
    body.push_str("</section>\n");
    let lines = vec![
        format!(
            "Blueprint <strong>{}</strong> version {} · {}",
            esc(blueprint.id.as_str()),
            esc(&blueprint.version),
            esc(&blueprint.title)
        ),
        format!(
            "{} form(s) · {} scored and {} pretest items each · time limit {} minutes",
            forms.len(),
            blueprint.scored_items,
            blueprint.pretest_items,
            blueprint.time_limit_minutes
        ),
    ];
    page("Forms report", &lines, &body)
}

fn summary(reports: &[Coverage]) -> String {
    let mut out = String::from("<section id=\"summary\">\n<h2>Summary</h2>\n");
    out.push_str(&table_head(
        "forms",
        "",
        [
            "Form",
            "Meets the blueprint",
            "Scored items",
            "Pretest items",
            "Expected time (min)",
            "Time limit (min)",
            "Mean p-value",
            "Items without IRT parameters",
            "Largest overlap",
        ],
    ));
    for c in reports {
        let meets = if c.meets_blueprint() {
            "<td class=\"text ok\">yes</td>".to_owned()
        } else {
            format!(
                "<td class=\"text bad\">no: {} problem(s)</td>",
                c.problems.len()
            )
        };
        let _ = writeln!(
            out,
            "<tr data-form=\"{}\"><th scope=\"row\"><a href=\"#{}\">{}</a></th>{meets}<td>{} / {}</td><td>{} / {}</td><td data-value=\"{}\">{:.1}</td><td>{}</td>{}{}{}</tr>",
            esc(c.form.as_str()),
            anchor("form-", c.form.as_str()),
            esc(c.form.as_str()),
            c.scored_actual,
            c.scored_target,
            c.pretest_actual,
            c.pretest_target,
            c.expected_seconds,
            c.expected_seconds as f64 / 60.0,
            c.time_limit_seconds / 60,
            match c.mean_p_value {
                Some(p) => num_cell(Some(p), 3, None),
                None => "<td class=\"undef\">n/a: no CTT statistics</td>".to_owned(),
            },
            count_cell(c.uncalibrated),
            count_cell(c.max_overlap()),
        );
    }
    out.push_str(TABLE_END);
    out.push_str("<p class=\"note\">Expected time is the sum of the items' expected response times (scored and pretest).</p>\n</section>\n");
    out
}

/// The parameters of a form's scored items, if every one has them.
fn scored_params(form: &Form, bank: &ItemBank) -> Option<Vec<ItemParams>> {
    form.slots
        .iter()
        .filter(|s| s.role == SlotRole::Scored)
        .map(|s| bank.item(&s.item)?.stats.irt.as_ref()?.params().ok())
        .collect()
}

fn information(
    forms: &[Form],
    bank: &ItemBank,
    blueprint: &Blueprint,
    reports: &[Coverage],
) -> String {
    let mut out = String::from(
        "<section id=\"information\">\n<h2>Test information and conditional SEM</h2>\n",
    );
    let params: Option<Vec<Vec<ItemParams>>> =
        forms.iter().map(|f| scored_params(f, bank)).collect();
    let Some(params) = params.filter(|p| p.iter().all(|p| !p.is_empty())) else {
        let missing: u32 = reports.iter().map(|c| c.uncalibrated).sum();
        let _ = writeln!(
            out,
            "<p>No information curves: {missing} scored item slot(s) across the forms have no IRT parameters in the bank. \
             Calibrate the items and record their parameters (<code>exam calibrate</code>, then <code>exam record-params</code>) to see them.</p>\n</section>"
        );
        return out;
    };
    let thetas: Vec<f64> = (0..=80).map(|i| -4.0 + 0.1 * f64::from(i)).collect();
    let curves: Vec<Vec<(f64, f64)>> = params
        .iter()
        .map(|p| {
            thetas
                .iter()
                .map(|&t| (t, test_information(p, t)))
                .collect()
        })
        .collect();
    let target: Vec<(f64, f64)> = blueprint
        .irt_targets
        .as_ref()
        .map(|t| {
            t.thetas
                .iter()
                .copied()
                .zip(t.information.iter().copied())
                .collect()
        })
        .unwrap_or_default();
    let peak = curves
        .iter()
        .flatten()
        .chain(&target)
        .map(|p| p.1)
        .fold(0.0, f64::max);
    let mut info = Plot::new(
        "forms-information",
        "Test information of every form",
        Axis::new(-4.0, 4.0, "Ability θ"),
        Axis::new(0.0, peak * 1.1, "Information"),
    );
    let mut csem = Plot::new(
        "forms-csem",
        "Conditional SEM of every form",
        Axis::new(-4.0, 4.0, "Ability θ"),
        Axis::new(0.0, 1.5, "CSEM (θ units)"),
    );
    let mut desc = Vec::new();
    for (i, (form, curve)) in forms.iter().zip(&curves).enumerate() {
        let style = 1 + i % 5;
        info.line(form.id.as_str(), style, curve, false, false);
        let c: Vec<(f64, f64)> = curve
            .iter()
            .filter(|p| p.1 > 0.0)
            .map(|&(t, v)| (t, 1.0 / v.sqrt()))
            .collect();
        csem.line(form.id.as_str(), style, &c, false, false);
        let (at, top) = curve
            .iter()
            .fold((0.0, 0.0), |b, p| if p.1 > b.1 { *p } else { b });
        desc.push(format!("{} peaks at {top:.2} at θ = {at:.1}", form.id));
    }
    if !target.is_empty() {
        info.line("target", 0, &target, true, true);
    }
    if let Some(cut) = blueprint.passing.theta_cut {
        info.vline(cut, "θ cut");
        csem.vline(cut, "θ cut");
    }
    let mut d = format!(
        "Test information of {} form(s): {}",
        forms.len(),
        desc.join("; ")
    );
    if !target.is_empty() {
        let t: Vec<String> = target
            .iter()
            .map(|(t, v)| format!("{v:.2} at θ = {t:.1}"))
            .collect();
        let _ = write!(d, "; target {}", t.join(", "));
    }
    d.push('.');
    info.set_desc(&d);
    info.set_caption(if target.is_empty() {
        "Test information of the scored items of each form (the blueprint sets no information target)."
    } else {
        "Test information of the scored items of each form; the thick line with points is the blueprint's target."
    });
    csem.set_desc(&format!(
        "Conditional SEM 1/√I(θ) of {} form(s), the same curves as the information plot.",
        forms.len()
    ));
    csem.set_caption("Conditional SEM of the ability estimate, 1/√I(θ) (clipped at 1.5).");
    out.push_str(&side_by_side(&info.finish(), &csem.finish()));
    out.push_str("</section>\n");
    out
}

fn overlap(forms: &[Form], reports: &[Coverage]) -> String {
    let mut out = String::from("<section id=\"overlap\">\n<h2>Overlap between forms</h2>\n");
    out.push_str(&table_head(
        "overlap",
        "Items shared by each pair of forms (the diagonal: the form's length)",
        std::iter::once("Form".to_owned()).chain(forms.iter().map(|f| esc(f.id.as_str()))),
    ));
    for (f, c) in forms.iter().zip(reports) {
        let _ = write!(out, "<tr><th scope=\"row\">{}</th>", esc(f.id.as_str()));
        for other in forms {
            let shared = if other.id == f.id {
                f.slots.len() as u32
            } else {
                c.overlaps
                    .iter()
                    .find(|o| o.form == other.id)
                    .map_or(0, |o| o.shared)
            };
            out.push_str(&count_cell(shared));
        }
        out.push_str("</tr>\n");
    }
    out.push_str(TABLE_END);
    out.push_str("</section>\n");
    out
}

fn form_section(c: &Coverage) -> String {
    let mut out = format!(
        "<section class=\"unit\" id=\"{}\" data-form=\"{}\">\n<h3>Form {} {}</h3>\n",
        anchor("form-", c.form.as_str()),
        esc(c.form.as_str()),
        esc(c.form.as_str()),
        if c.meets_blueprint() {
            "<span class=\"ok\">meets the blueprint</span>"
        } else {
            "<span class=\"flag\">does not meet the blueprint</span>"
        }
    );
    // Domains in blueprint order, one column per competency level.
    let mut domains: Vec<&str> = Vec::new();
    let mut levels: Vec<&str> = Vec::new();
    for cell in &c.cells {
        if !domains.contains(&cell.domain.as_str()) {
            domains.push(cell.domain.as_str());
        }
        if !levels.contains(&cell.level.as_str()) {
            levels.push(cell.level.as_str());
        }
    }
    out.push_str(&table_head(
        "coverage",
        "Scored items by domain and competency level: actual / target",
        std::iter::once("Domain".to_owned())
            .chain(levels.iter().map(|l| esc(l)))
            .chain(std::iter::once("Total".to_owned())),
    ));
    for d in &domains {
        let _ = write!(out, "<tr><th scope=\"row\">{}</th>", esc(d));
        // The domain's total target: the sums of the cells' minimums and
        // maximums (one number when every cell is exact).
        let (mut actual, mut least, mut most) = (0, 0, Some(0u32));
        for l in &levels {
            if let Some(cell) = c
                .cells
                .iter()
                .find(|x| x.domain.as_str() == *d && x.level.as_str() == *l)
            {
                actual += cell.actual;
                least += cell.target.min();
                most = most.zip(cell.target.max()).map(|(a, b)| a + b);
                let class = if cell.target.contains(cell.actual) {
                    ""
                } else {
                    " class=\"bad\""
                };
                let _ = write!(
                    out,
                    "<td{class} data-actual=\"{}\" data-target=\"{}\">{} / {}</td>",
                    cell.actual,
                    esc(&cell.target.to_string()),
                    cell.actual,
                    esc(&cell.target.to_string())
                );
            } else {
                out.push_str("<td></td>");
            }
        }
        let target = exam_core::blueprint::Count::range(least, most).unwrap_or_default();
        let _ = writeln!(out, "<td>{actual} / {}</td></tr>", esc(&target.to_string()));
    }
    out.push_str(TABLE_END);
    let _ = writeln!(
        out,
        "<p class=\"note\">Expected time {:.1} of {} minutes. {} scored item(s) without IRT parameters.</p>",
        c.expected_seconds as f64 / 60.0,
        c.time_limit_seconds / 60,
        c.uncalibrated
    );
    if !c.theta_points.is_empty() {
        out.push_str(&table_head(
            "theta-points",
            "",
            ["θ", "Information", "Target", "Expected score"],
        ));
        for p in &c.theta_points {
            let _ = write!(
                out,
                "<tr><th scope=\"row\">{:.2}</th>{}{}{}</tr>",
                p.theta,
                num_cell(Some(p.information), 3, None),
                p.target_information.map_or_else(
                    || "<td class=\"undef\">no target</td>".to_owned(),
                    |t| num_cell(Some(t), 3, None)
                ),
                num_cell(Some(p.expected_score), 2, None)
            );
        }
        out.push_str(TABLE_END);
    }
    if !c.problems.is_empty() {
        out.push_str("<ul class=\"flags\">");
        for p in &c.problems {
            let _ = write!(out, "<li>{}</li>", esc(&p.to_string()));
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</section>\n");
    out
}
