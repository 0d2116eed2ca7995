//! The page every report shares: one HTML document with its stylesheet
//! inline (screen and print), and the small HTML helpers the reports use
//! (escaping, numbers with their exact value, undefined statistics with
//! their reason).

use exam_stats::undefined::Reason;
use std::fmt::Write as _;

/// The stylesheet of every report. System fonts only (nothing is fetched);
/// every text colour has at least 7:1 contrast on white, and the plots'
/// series differ in dash pattern and marker as well as in colour, so they
/// survive greyscale printing. In print, sections and plots are never split
/// across pages and the navigation is dropped.
const STYLE: &str = r#"
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #fff; color: #1a1a1a; line-height: 1.45;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1120px; margin: 0 auto; padding: 20px 32px 48px; }
header.report { border-bottom: 3px solid #0b3d75; padding-bottom: 10px; margin-bottom: 8px; }
header.report h1 { font-size: 1.6rem; margin: 0; color: #0b3d75; }
header.report p { margin: 2px 0; color: #333; }
h2 { font-size: 1.25rem; color: #0b3d75; border-bottom: 1px solid #b8c4d3; padding-bottom: 3px; margin: 28px 0 10px; }
h3 { font-size: 1.08rem; margin: 0 0 8px; }
a { color: #0b3d75; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; font-size: 0.88rem; margin: 6px 0 10px; }
th, td { border: 1px solid #b9b9b9; padding: 3px 8px; text-align: right; vertical-align: top; }
thead th, th[scope=col] { background: #e4ebf3; }
thead th:first-child { text-align: left; }
th[scope=row] { background: #f3f5f8; text-align: left; font-weight: 600; white-space: nowrap; }
th.text, td.text { text-align: left; }
caption { caption-side: top; text-align: left; font-weight: 600; padding: 2px 0 4px; }
td.undef { color: #444; font-style: italic; text-align: left; }
tr.key td, tr.key th { background: #fff3cd; font-weight: 700; }
tr.flagged th { border-left: 4px solid #8a1c1c; }
.flag { display: inline-block; border: 1px solid #8a1c1c; color: #8a1c1c; border-radius: 3px;
  padding: 0 5px; margin: 1px 4px 1px 0; font-size: 0.8rem; white-space: nowrap; }
.ok { color: #1d5c1d; font-weight: 600; }
.bad { color: #8a1c1c; font-weight: 600; }
.note { color: #333; font-size: 0.88rem; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 12px 24px; align-items: start; }
.grid > div { min-width: 0; }
section.unit { border: 1px solid #c9d1db; border-radius: 5px; padding: 12px 16px; margin: 14px 0; }
section.unit h3 .flag { vertical-align: middle; }
figure { margin: 0; }
figure svg { display: block; width: 100%; max-width: 560px; height: auto; }
figcaption { font-size: 0.82rem; color: #333; margin-top: 2px; }
details { font-size: 0.85rem; margin: 4px 0; }
ul.flags { padding-left: 20px; margin: 4px 0; }
ul.flags li { margin: 2px 0; }
footer { margin-top: 32px; font-size: 0.8rem; color: #444; border-top: 1px solid #ccc; padding-top: 6px; }
@media print {
  main { max-width: none; padding: 0; }
  nav { display: none; }
  a { color: inherit; text-decoration: none; }
  h2, h3 { break-after: avoid; }
  section.unit, figure, table, .grid { break-inside: avoid; }
  details > table { display: none; }
}
@page { margin: 14mm; }
"#;

/// A whole HTML document: `title` in the tab and as the heading, the
/// `lines` under it (already HTML), then `body`.
pub(crate) fn page(title: &str, lines: &[String], body: &str) -> String {
    let mut out = String::with_capacity(body.len() + STYLE.len() + 1024);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"exam-engine {}\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n\
         <body>\n<main>\n<header class=\"report\">\n<h1>{}</h1>\n",
        env!("CARGO_PKG_VERSION"),
        esc(title),
        esc(title)
    );
    for line in lines {
        let _ = writeln!(out, "<p>{line}</p>");
    }
    out.push_str("</header>\n");
    out.push_str(body);
    let _ = write!(
        out,
        "<footer>Written by exam-engine {}. Every number on this page is the one the \
         corresponding <code>exam</code> command prints as JSON for the same input.</footer>\n\
         </main>\n</body>\n</html>\n",
        env!("CARGO_PKG_VERSION")
    );
    out
}

/// `text` with the HTML special characters escaped.
pub(crate) fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// An id usable in an HTML `id` attribute and a `#fragment`: the prefix,
/// then the text with every character outside `[A-Za-z0-9_-]` as `_`.
pub(crate) fn anchor(prefix: &str, text: &str) -> String {
    let mut out = String::from(prefix);
    out.extend(text.chars().map(|c| {
        if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
            c
        } else {
            '_'
        }
    }));
    out
}

/// What a reason for an undefined statistic means, for a reader.
pub(crate) fn reason_text(reason: Reason) -> &'static str {
    match reason {
        Reason::NoPersons => "nobody was presented it",
        Reason::TooFewPersons => "too few persons",
        Reason::ConstantItem => "everyone has the same score on the item",
        Reason::ConstantTotal => "everyone has the same total score",
        Reason::ConstantRest => "everyone has the same score on the other items",
        Reason::ConstantHalf => "a half-test score is constant",
        Reason::TooFewItems => "too few items",
        Reason::NotDichotomous => "defined for 0/1 items only",
        Reason::SeveralForms => "the item is on several forms (see the form tables)",
        Reason::EmptyGroup => "a group or stratum is empty",
        Reason::NotEstimable => "not estimable (no convergence or an infinite estimate)",
        Reason::PairsNotPresented => "some pairs of items were never presented together",
        Reason::CutOutOfRange => "the cut lies outside the score range",
        _ => "undefined for these data",
    }
}

/// A table cell holding `value` shown with `digits` decimals, its exact
/// value in `data-value`; or, when absent, the reason in words.
pub(crate) fn num_cell(value: Option<f64>, digits: usize, reason: Option<Reason>) -> String {
    match value {
        Some(v) => format!("<td data-value=\"{v}\">{v:.digits$}</td>"),
        None => format!(
            "<td class=\"undef\">n/a: {}</td>",
            reason.map_or("not computed for these data", reason_text)
        ),
    }
}

/// Appends a note: a paragraph of `html` (escaped by the caller) in the
/// note style, and a newline.
pub(crate) fn note(out: &mut String, html: &str) {
    let _ = writeln!(out, "<p class=\"note\">{html}</p>");
}

/// Appends an entry of a list of flagged items: the item `id`, linked to
/// its section, and why it is flagged (`reasons`, HTML).
pub(crate) fn flagged_item(out: &mut String, id: &str, reasons: &str) {
    let _ = writeln!(
        out,
        "<li><a href=\"#{}\"><strong>{}</strong></a>: {reasons}</li>",
        anchor("item-", id),
        esc(id)
    );
}

/// Two blocks side by side (one under the other on a narrow screen).
pub(crate) fn side_by_side(left: &str, right: &str) -> String {
    format!("<div class=\"grid\"><div>{left}</div><div>{right}</div></div>\n")
}

/// A table cell holding an integer count.
pub(crate) fn count_cell(value: impl std::fmt::Display) -> String {
    format!("<td data-value=\"{value}\">{value}</td>")
}

/// The opening of a table up to its body: `<table>` (with `class` when
/// not empty), the caption (HTML) when not empty, and one column header
/// cell per entry of `columns` (HTML). Close it with [`TABLE_END`].
pub(crate) fn table_head<S: AsRef<str>>(
    class: &str,
    caption: &str,
    columns: impl IntoIterator<Item = S>,
) -> String {
    let mut out = if class.is_empty() {
        String::from("<table>\n")
    } else {
        format!("<table class=\"{class}\">\n")
    };
    if !caption.is_empty() {
        let _ = writeln!(out, "<caption class=\"text\">{caption}</caption>");
    }
    out.push_str("<thead><tr>");
    for c in columns {
        let _ = write!(out, "<th scope=\"col\">{}</th>", c.as_ref());
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    out
}

/// The end of a table opened with [`table_head`].
pub(crate) const TABLE_END: &str = "</tbody>\n</table>\n";

/// A table of statistics by rows: each row a header cell naming the
/// statistic, then cells. `columns` are the column headers (the first is
/// the header of the row-name column).
pub(crate) fn row_table(
    caption: &str,
    columns: &[String],
    rows: &[(String, Vec<String>)],
) -> String {
    let mut out = table_head("", caption, columns);
    for (name, cells) in rows {
        let _ = write!(out, "<tr><th scope=\"row\">{name}</th>");
        for c in cells {
            out.push_str(c);
        }
        out.push_str("</tr>\n");
    }
    out.push_str(TABLE_END);
    out
}
