//! The candidate's score report: the result with its measurement error,
//! pass/fail against the cut, and the domain subscores as bars with their
//! bands, from a score report `exam score` writes.

use super::page::{TABLE_END, esc, page, table_head};
use super::svg::{Axis, Plot};
use exam_scoring::report::{Band, ScoreReport};
use std::fmt::Write as _;

/// Domains with fewer counted items than this get a note that their
/// subscore is a rough indication only: with so few items the standard
/// error of a domain proportion near a typical cut (0.7) exceeds 0.14,
/// a band more than 28 points wide (binomial error model, Lord & Novick
/// 1968, ch. 23; see the Standards for Educational and Psychological
/// Testing, 2014, standard 1.14, on reporting subscores).
pub const MIN_DOMAIN_ITEMS: u32 = 10;

/// The score report of one candidate as an HTML page.
pub fn candidate_report(r: &ScoreReport) -> String {
    let mut body = String::new();
    body.push_str(&result(r));
    body.push_str(&domains(r));
    body.push_str(&audit(r));
    let lines = vec![
        format!(
            "Candidate <strong data-candidate>{}</strong> · form {}",
            esc(r.candidate.as_str()),
            esc(r.form.as_str())
        ),
        format!(
            "Blueprint {} version {}",
            esc(r.audit.blueprint.as_str()),
            esc(&r.audit.blueprint_version)
        ),
    ];
    page("Score report", &lines, &body)
}

fn result(r: &ScoreReport) -> String {
    let mut out = String::from("<section id=\"result\">\n<h2>Result</h2>\n");
    let decision = match &r.decision {
        Some(d) if d.passed => "<p class=\"decision\" style=\"font-size:1.6rem\"><strong class=\"ok\" data-decision=\"pass\">PASS</strong></p>".to_owned(),
        Some(_) => "<p class=\"decision\" style=\"font-size:1.6rem\"><strong class=\"bad\" data-decision=\"fail\">FAIL</strong></p>".to_owned(),
        None => "<p class=\"decision\">No pass/fail decision: no cut score is set for this form.</p>".to_owned(),
    };
    out.push_str(&decision);
    out.push_str("<table class=\"result\">\n<tbody>\n");
    if let Some(s) = r.scaled {
        let cut = r
            .decision
            .as_ref()
            .and_then(|d| d.scaled_cut)
            .map_or_else(String::new, |c| format!(" (passing score {c})"));
        fact(
            &mut out,
            "Scaled score",
            &format!(" data-value=\"{s}\""),
            &format!("{s}{cut}"),
        );
    }
    if let Some(b) = &r.band {
        let scaled = b.scaled.map_or_else(String::new, |s| {
            format!(
                "<span data-scaled-lower=\"{}\" data-scaled-upper=\"{}\">{:.0} to {:.0} on the scale of {} to {}</span>; ",
                s.lower,
                s.upper,
                s.lower,
                s.upper,
                number(s.scale_min),
                number(s.scale_max)
            )
        });
        fact(
            &mut out,
            "Score band (± 1 CSEM)",
            &format!(
                " data-csem=\"{}\" data-lower=\"{}\" data-upper=\"{}\"",
                b.csem, b.raw_lower, b.raw_upper
            ),
            &format!(
                "{scaled}raw {} to {} (CSEM {:.2} raw points)",
                number(b.raw_lower),
                number(b.raw_upper),
                b.csem
            ),
        );
    }
    let percent = r
        .percent
        .map_or_else(String::new, |p| format!(" ({p:.1}%)"));
    fact(
        &mut out,
        "Raw score",
        &format!(" data-value=\"{}\"", r.raw),
        &format!("{} of {}{percent}", r.raw, r.max),
    );
    if let Some(d) = &r.decision {
        fact(
            &mut out,
            "Passing raw score",
            &format!(" data-value=\"{}\"", d.raw_cut),
            &d.raw_cut.to_string(),
        );
        fact(&mut out, "Cut score source", "", &esc(&d.source));
    }
    if let Some(t) = &r.theta {
        fact(
            &mut out,
            &format!("Ability (θ, {})", esc(&t.method.to_uppercase())),
            &format!(" data-value=\"{}\"", t.theta),
            &format!("{:.3}, standard error {:.3}", t.theta, t.se),
        );
    }
    let c = &r.responses;
    fact(
        &mut out,
        "Responses",
        "",
        &format!(
            "{} counted: {} answered, {} omitted, {} not reached; {} pretest (not scored)",
            c.counted, c.answered, c.omitted, c.not_reached, c.pretest
        ),
    );
    out.push_str("</tbody>\n</table>\n");
    out.push_str(&score_plot(r));
    out.push_str("</section>\n");
    out
}

/// Appends a row of the result table: the header `name` (HTML), then one
/// text cell with `attributes` (each ` name="value"`, or none) holding
/// `html`.
fn fact(out: &mut String, name: &str, attributes: &str, html: &str) {
    let _ = writeln!(
        out,
        "<tr><th scope=\"row\">{name}</th><td class=\"text\"{attributes}>{html}</td></tr>"
    );
}

/// The score on its reporting scale (the raw score where there is no
/// scale) with its one-CSEM band and the passing score.
fn score_plot(r: &ScoreReport) -> String {
    let scaled = r.band.and_then(|b| b.scaled).zip(r.scaled);
    let (range, score, band, cut, what) = match scaled {
        Some((s, score)) => (
            (s.scale_min, s.scale_max),
            score as f64,
            Some((s.lower, s.upper)),
            r.decision.as_ref().and_then(|d| d.scaled_cut),
            "Scaled score",
        ),
        None => (
            (0.0, r.max.max(1.0)),
            r.raw,
            r.band.map(|b| (b.raw_lower, b.raw_upper)),
            r.decision.as_ref().map(|d| d.raw_cut),
            "Raw score",
        ),
    };
    let mut plot = Plot::new(
        "score-band",
        &format!("{what} with its measurement band"),
        Axis::new(range.0, range.1, what),
        Axis::categories(&[what.to_owned()], ""),
    );
    plot.set_left_margin(100.0);
    plot.set_height(130.0);
    let mut desc = format!("{what} {}", number(score));
    if let Some((lower, upper)) = band {
        plot.hbar(1.0, lower, upper, 0.25, "#c9d6e6");
        let _ = write!(
            desc,
            ", band from {} to {} (one conditional standard error of measurement either side)",
            number(lower),
            number(upper)
        );
    }
    let tick = (range.1 - range.0) / 300.0;
    plot.hbar(1.0, score - tick, score + tick, 0.34, "#1a1a1a");
    if let Some(cut) = cut {
        plot.vline(cut, &format!("passing score {}", number(cut)));
        let _ = write!(desc, "; passing score {}", number(cut));
    }
    desc.push('.');
    plot.set_desc(&desc);
    plot.set_caption(
        "The black tick is the score; the shaded band runs one conditional standard error of \
         measurement (CSEM) either side of it; the dashed line is the passing score. A band that \
         crosses the line means a retest could well land on the other side.",
    );
    plot.finish()
}

/// A score as the page shows it: at most two decimals, trailing zeros
/// dropped.
fn number(v: f64) -> String {
    let text = format!("{v:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

fn band_text(band: Option<Band>) -> &'static str {
    match band {
        Some(Band::Above) => "above the standard",
        Some(Band::Near) => "near the standard",
        Some(Band::Below) => "below the standard",
        None => "no band (no cut)",
    }
}

fn domains(r: &ScoreReport) -> String {
    let mut out = String::from("<section id=\"domains\">\n<h2>Domain subscores</h2>\n");
    if r.domains.is_empty() {
        out.push_str("<p>No domain subscores.</p>\n</section>\n");
        return out;
    }
    let names: Vec<String> = r.domains.iter().map(|d| d.domain.to_string()).collect();
    let mut plot = Plot::new(
        "domain-bars",
        "Domain subscores",
        Axis::new(0.0, 100.0, "Percent correct"),
        Axis::categories(&names, ""),
    );
    plot.set_left_margin(170.0);
    plot.set_height(70.0 + 34.0 * r.domains.len() as f64);
    let n = r.domains.len() as f64;
    let mut desc = Vec::new();
    for (i, d) in r.domains.iter().enumerate() {
        let y = n - i as f64;
        if let (Some(share), Some(se)) = (d.cut_share, d.se) {
            let standard = if d.max > 0.0 {
                100.0 * share / d.max
            } else {
                0.0
            };
            plot.hbar(
                y,
                standard - 100.0 * se,
                standard + 100.0 * se,
                0.36,
                "#e6e6e6",
            );
            plot.hbar(y, standard - 0.3, standard + 0.3, 0.36, "#8a1c1c");
        }
        let p = d.percent.unwrap_or(0.0);
        plot.hbar(y, 0.0, p, 0.2, "#0b5394");
        desc.push(format!(
            "{} {:.0}% ({} items, {})",
            d.domain,
            p,
            d.items,
            band_text(d.band)
        ));
    }
    plot.set_desc(&format!("Percent correct by domain: {}.", desc.join("; ")));
    plot.set_caption("Blue bar: the percent correct in the domain. Red tick: the passing standard's share of the domain; grey: the standard ± one standard error on this domain's items. A bar ending inside the grey zone cannot be told apart from the standard.");
    out.push_str(&plot.finish());
    out.push_str(&table_head(
        "domains",
        "",
        ["Domain", "Items", "Score", "Percent", "Band", "Note"],
    ));
    for d in &r.domains {
        let note = if d.items < MIN_DOMAIN_ITEMS {
            format!(
                "only {} items: a rough indication, not a dependable measure",
                d.items
            )
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "<tr data-domain=\"{}\"><th scope=\"row\">{}</th><td>{}</td><td data-value=\"{}\">{} / {}</td>{}<td class=\"text\">{}</td><td class=\"text\">{}</td></tr>",
            esc(d.domain.as_str()),
            esc(d.domain.as_str()),
            d.items,
            d.raw,
            d.raw,
            d.max,
            match d.percent {
                Some(p) => format!("<td data-value=\"{p}\">{p:.1}%</td>"),
                None => "<td class=\"undef\">n/a: no items</td>".to_owned(),
            },
            band_text(d.band),
            note
        );
    }
    out.push_str(TABLE_END);
    out.push_str("<p class=\"note\">Domain results describe strengths and weaknesses; they are not separate pass/fail decisions.</p>\n</section>\n");
    out
}

fn audit(r: &ScoreReport) -> String {
    let a = &r.audit;
    format!(
        "<section id=\"audit\">\n<h2>How this score was computed</h2>\n<p class=\"note\">Form {}, blueprint {} {}, key {}, scoring rules {} {}{}, {}.</p>\n</section>\n",
        esc(a.form.as_str()),
        esc(a.blueprint.as_str()),
        esc(&a.blueprint_version),
        esc(&a.key),
        esc(&a.scoring_rules),
        esc(&a.scoring_rules_version),
        if a.adjusted_items.is_empty() {
            String::new()
        } else {
            format!(
                ", adjusted items {}",
                a.adjusted_items
                    .iter()
                    .map(|i| esc(i.as_str()))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        },
        esc(&a.engine)
    )
}
