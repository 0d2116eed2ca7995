//! The item analysis report: Iteman's layout (a test summary with the
//! score distribution, then per item the statistics table, the option table
//! and the option quantile plot), from the values `exam analyze` computes.

use super::page::{
    TABLE_END, anchor, count_cell, esc, flagged_item, note, num_cell, page, row_table, table_head,
};
use super::svg::{Axis, Plot};
use crate::analysis::AnalysisDocument;
use exam_stats::ItemAnalysis;
use exam_stats::ctt::{FormStatistics, ItemStatistics};
use exam_stats::dif::{DifClass, DifGroup, ItemDif};
use exam_stats::distractors::{Choice, ItemDistractors};
use exam_stats::flags::{Flag, FlagThresholds};
use exam_stats::undefined::Statistic;
use std::collections::HashMap;
use std::fmt::Write as _;

/// What the analysis report shows: the results of `exam analyze` for one
/// input.
#[derive(Debug, Clone, Copy)]
pub struct AnalysisReport<'a> {
    /// The analysis: the document `exam analyze --format json` writes.
    pub document: &'a AnalysisDocument,
    /// The thresholds the flags were raised with (stated with each flag).
    pub thresholds: &'a FlagThresholds,
    /// Per item, the proportion of the maximum score earned in each fifth
    /// of the persons by total score
    /// ([`exam_stats::distractors::score_group_proportions`]): the plot of
    /// an item without an option analysis.
    pub score_groups: &'a [Vec<f64>],
}

/// The report as one self-contained HTML page.
pub fn analysis_report(r: &AnalysisReport<'_>) -> String {
    let a = &r.document.analysis;
    let options: HashMap<&str, &ItemDistractors> = r
        .document
        .distractors
        .as_deref()
        .unwrap_or_default()
        .iter()
        .map(|d| (d.id.as_str(), d))
        .collect();
    let dif: HashMap<&str, &ItemDif> = r
        .document
        .dif
        .as_ref()
        .map(|d| d.items.iter().map(|i| (i.id.as_str(), i)).collect())
        .unwrap_or_default();
    let reasons: Vec<Vec<String>> = a
        .items
        .iter()
        .map(|item| {
            flag_reasons(
                item,
                options.get(item.id.as_str()).copied(),
                dif.get(item.id.as_str()).copied(),
                r,
            )
        })
        .collect();
    let mut body = String::new();
    body.push_str(
        "<nav><p><a href=\"#summary\">Test summary</a> · <a href=\"#flagged\">Flagged items</a> · \
         <a href=\"#items\">All items</a> · <a href=\"#details\">Item details</a></p></nav>\n",
    );
    body.push_str("<section id=\"summary\">\n<h2>Test summary</h2>\n");
    body.push_str(&summary_table(a));
    if let Some(p) = &a.pairwise {
        let alpha = p
            .alpha
            .map_or_else(|| "n/a".to_owned(), |v| format!("{v:.3}"));
        note(
            &mut body,
            &format!(
                "Pairwise (psych <code>use=\"pairwise\"</code>) alpha over all {} persons: {alpha}.",
                a.n_persons
            ),
        );
    }
    if a.n_persons_without_items > 0 {
        note(
            &mut body,
            &format!(
                "{} of {} persons were presented no item (empty rows).",
                a.n_persons_without_items, a.n_persons
            ),
        );
    }
    note(
        &mut body,
        &format!("Missing data: {}.", esc(&a.missing_data)),
    );
    // The statistics table takes the page's width (a column per form);
    // the histograms share a grid under it.
    body.push_str("<div class=\"grid\">\n");
    for (i, form) in a.forms.iter().enumerate() {
        body.push_str(&histogram(i, a.forms.len(), form));
    }
    body.push_str("</div>\n</section>\n");
    body.push_str(&flagged_list(a, &reasons));
    body.push_str(&items_table(a, &dif, &reasons));
    body.push_str("<section id=\"details\">\n<h2>Item details</h2>\n");
    for ((item, groups), reasons) in a.items.iter().zip(r.score_groups).zip(&reasons) {
        body.push_str(&item_section(
            item,
            groups,
            options.get(item.id.as_str()).copied(),
            dif.get(item.id.as_str()).copied(),
            reasons,
            r.document.distractors.is_some(),
        ));
    }
    body.push_str("</section>\n");
    let mut lines = vec![
        format!("Responses: <code>{}</code>", esc(&source(r.document))),
        format!(
            "{} persons · {} items · {} form(s)",
            a.n_persons,
            a.items.len(),
            a.forms.len()
        ),
    ];
    if let Some(d) = &r.document.dif {
        lines.push(format!(
            "DIF: focal group <strong>{}</strong> ({} persons) against reference <strong>{}</strong> ({} persons); matching on {}",
            esc(&d.focal),
            d.n_focal,
            esc(&d.reference),
            d.n_reference,
            esc(&d.matching)
        ));
    }
    page("Item analysis report", &lines, &body)
}

/// The input file(s) as the document names them.
fn source(doc: &AnalysisDocument) -> String {
    match (&doc.responses, &doc.raw, &doc.forms_file) {
        (Some(r), _, _) => r.clone(),
        (None, Some(raw), Some(forms)) => format!("{raw} (forms {forms})"),
        (None, Some(raw), None) => raw.clone(),
        _ => "(not named)".to_owned(),
    }
}

/// The test statistics, one column per form.
fn summary_table(a: &ItemAnalysis) -> String {
    let mut columns = vec!["Statistic".to_owned()];
    if a.forms.len() == 1 {
        columns.push("Value".to_owned());
    } else {
        columns.extend((1..=a.forms.len()).map(|i| format!("Form {i}")));
    }
    type Row = (&'static str, fn(&FormStatistics) -> String);
    let rows: [Row; 13] = [
        ("Persons", |f| count_cell(f.n_persons)),
        ("Items", |f| count_cell(f.items.len())),
        ("Maximum possible score", |f| count_cell(f.max_possible)),
        ("Mean score", |f| stat(f, f.mean, Statistic::Mean)),
        ("Standard deviation", |f| stat(f, f.sd, Statistic::Sd)),
        ("Minimum / maximum", |f| match (f.min, f.max) {
            (Some(lo), Some(hi)) => format!("<td>{lo} / {hi}</td>"),
            _ => num_cell(None, 0, Some(exam_stats::undefined::Reason::NoPersons)),
        }),
        ("Alpha", |f| stat(f, f.alpha, Statistic::Alpha)),
        ("Alpha confidence interval (Feldt)", |f| match f.alpha_ci {
            Some(ci) => format!(
                "<td data-lower=\"{}\" data-upper=\"{}\">{:.0}%: {:.3} to {:.3}</td>",
                ci.lower,
                ci.upper,
                100.0 * ci.level,
                ci.lower,
                ci.upper
            ),
            None => num_cell(None, 3, f.undefined.reason(Statistic::AlphaCi)),
        }),
        ("KR-20", |f| stat(f, f.kr20, Statistic::Kr20)),
        ("KR-21", |f| stat(f, f.kr21, Statistic::Kr21)),
        ("Split-half (odd-even)", |f| {
            stat(f, f.split_half, Statistic::SplitHalf)
        }),
        ("Spearman-Brown corrected split-half", |f| {
            stat(f, f.spearman_brown, Statistic::SpearmanBrown)
        }),
        ("SEM", |f| stat(f, f.sem, Statistic::Sem)),
    ];
    let mut table_rows: Vec<(String, Vec<String>)> = rows
        .iter()
        .map(|(name, cell)| ((*name).to_owned(), a.forms.iter().map(cell).collect()))
        .collect();
    if a.forms.iter().any(|f| f.cut.is_some()) {
        type CutRow = (
            &'static str,
            fn(&exam_stats::decision::CutScoreStatistics) -> String,
        );
        let cut_rows: [CutRow; 12] = [
            ("Cut score (raw)", |c| {
                format!("<td data-value=\"{}\">{}</td>", c.cut, c.cut)
            }),
            ("Proportion passing", |c| {
                num_cell(
                    c.proportion_passing,
                    3,
                    c.undefined.reason(Statistic::ProportionPassing),
                )
            }),
            ("CSEM at the cut (Lord)", |c| {
                num_cell(c.csem_lord, 3, c.undefined.reason(Statistic::CsemLord))
            }),
            ("CSEM at the cut (Keats)", |c| {
                num_cell(c.csem_keats, 3, c.undefined.reason(Statistic::CsemKeats))
            }),
            ("Decision consistency (Subkoviak)", |c| {
                num_cell(
                    c.subkoviak.map(|s| s.consistency),
                    3,
                    c.undefined.reason(Statistic::Subkoviak),
                )
            }),
            ("Kappa (Subkoviak)", |c| {
                num_cell(
                    c.subkoviak.and_then(|s| s.kappa),
                    3,
                    c.undefined.reason(Statistic::Subkoviak),
                )
            }),
            ("Decision accuracy (Livingston-Lewis)", |c| {
                num_cell(
                    c.livingston_lewis.map(|l| l.accuracy),
                    3,
                    c.undefined.reason(Statistic::LivingstonLewis),
                )
            }),
            (
                "False positive / false negative (Livingston-Lewis)",
                |c| match c.livingston_lewis {
                    Some(l) => {
                        format!("<td>{:.3} / {:.3}</td>", l.false_positive, l.false_negative)
                    }
                    None => num_cell(None, 3, c.undefined.reason(Statistic::LivingstonLewis)),
                },
            ),
            ("Decision consistency (Livingston-Lewis)", |c| {
                num_cell(
                    c.livingston_lewis.map(|l| l.consistency.consistency),
                    3,
                    c.undefined.reason(Statistic::LivingstonLewis),
                )
            }),
            ("Kappa (Livingston-Lewis)", |c| {
                num_cell(
                    c.livingston_lewis.and_then(|l| l.consistency.kappa),
                    3,
                    c.undefined.reason(Statistic::LivingstonLewis),
                )
            }),
            ("Decision accuracy (Hanson-Brennan)", |c| {
                num_cell(
                    c.hanson_brennan.map(|l| l.accuracy),
                    3,
                    c.undefined.reason(Statistic::HansonBrennan),
                )
            }),
            ("Decision consistency (Hanson-Brennan)", |c| {
                num_cell(
                    c.hanson_brennan.map(|l| l.consistency.consistency),
                    3,
                    c.undefined.reason(Statistic::HansonBrennan),
                )
            }),
        ];
        for (name, cell) in cut_rows {
            table_rows.push((
                name.to_owned(),
                a.forms
                    .iter()
                    .map(|f| f.cut.as_ref().map_or_else(|| "<td></td>".to_owned(), cell))
                    .collect(),
            ));
        }
    }
    row_table("Test statistics", &columns, &table_rows)
}

fn stat(f: &FormStatistics, value: Option<f64>, statistic: Statistic) -> String {
    num_cell(value, 3, f.undefined.reason(statistic))
}

/// The score distribution of a form with the cut marked.
fn histogram(index: usize, count: usize, form: &FormStatistics) -> String {
    let name = if count > 1 {
        format!("form {}", index + 1)
    } else {
        "the test".to_owned()
    };
    let max_count = form.score_distribution.iter().copied().max().unwrap_or(0);
    let bars: Vec<(f64, f64)> = form
        .score_distribution
        .iter()
        .enumerate()
        .map(|(score, &n)| (score as f64, n as f64))
        .collect();
    let x = Axis::new(-0.5, form.max_possible as f64 + 0.5, "Total score");
    let y = Axis::new(0.0, (max_count as f64 * 1.08).max(1.0), "Persons");
    let mut desc = format!(
        "Histogram of the total scores of {} persons on {name}, from {} to {} out of {}",
        form.n_persons,
        form.min.map_or_else(|| "-".to_owned(), |v| v.to_string()),
        form.max.map_or_else(|| "-".to_owned(), |v| v.to_string()),
        form.max_possible
    );
    if let Some(m) = form.mean {
        let _ = write!(desc, ", mean {m:.2}");
    }
    let mut plot = Plot::new(
        &format!("histogram-{}", index + 1),
        &format!("Score distribution of {name}"),
        x,
        y,
    );
    plot.histogram("", &bars);
    if let Some(cut) = &form.cut {
        plot.vline(cut.cut, &format!("cut {}", cut.cut));
        if let Some(p) = cut.proportion_passing {
            let _ = write!(desc, "; cut at {}, {:.1}% passing", cut.cut, 100.0 * p);
        }
    }
    desc.push('.');
    plot.set_desc(&desc);
    plot.set_caption(&esc(&desc));
    let mut out = plot.finish();
    // The data as a table: the text alternative of the bars.
    out.push_str("<details><summary>Score frequencies</summary>");
    out.push_str(&table_head("", "", ["Score", "Persons"]));
    for (score, n) in form
        .score_distribution
        .iter()
        .enumerate()
        .filter(|(_, n)| **n > 0)
    {
        let _ = write!(out, "<tr><th scope=\"row\">{score}</th><td>{n}</td></tr>");
    }
    out.push_str(TABLE_END);
    out.push_str("</details>\n");
    format!("<div>{out}</div>\n")
}

/// Why each item is flagged, in words, with the thresholds.
fn flag_reasons(
    item: &ItemStatistics,
    options: Option<&ItemDistractors>,
    dif: Option<&ItemDif>,
    r: &AnalysisReport<'_>,
) -> Vec<String> {
    let t = r.thresholds;
    let p = item.p_value.map_or_else(String::new, |v| format!("{v:.3}"));
    let rpb = item
        .point_biserial
        .map_or_else(String::new, |v| format!("{v:.3}"));
    let mut out: Vec<String> = item
        .flags
        .iter()
        .chain(options.map(|o| o.flags.as_slice()).unwrap_or_default())
        .map(|f| match f {
            Flag::TooHard => format!("too hard: p = {p} is below {}", t.p_value_min),
            Flag::TooEasy => format!("too easy: p = {p} is above {}", t.p_value_max),
            Flag::LowDiscrimination => format!(
                "low discrimination: corrected point-biserial {rpb} is below {}",
                t.point_biserial_min
            ),
            Flag::NegativeDiscrimination => format!(
                "negative discrimination: corrected point-biserial {rpb}: higher scorers on the rest of the test do worse on this item"
            ),
            Flag::PossibleMiskey { option } => format!(
                "possible miskey: option {} has a higher point-biserial than the key",
                esc(option)
            ),
            Flag::NonFunctioningDistractor { option } => format!(
                "non-functioning distractor: option {} chosen by fewer than {}% of the persons",
                esc(option),
                100.0 * t.distractor_min_proportion
            ),
            other => esc(&other.to_string()),
        })
        .collect();
    if let (Some(d), Some(analysis)) = (dif, &r.document.dif) {
        if let Some(class @ (DifClass::B | DifClass::C)) = d.ets_class {
            let group = match d.favours {
                Some(DifGroup::Reference) => format!(
                    " favouring the reference group ({})",
                    esc(&analysis.reference)
                ),
                Some(DifGroup::Focal) => {
                    format!(" favouring the focal group ({})", esc(&analysis.focal))
                }
                None => String::new(),
            };
            out.push(format!(
                "DIF: ETS class {class:?}{group}, MH D-DIF {}",
                d.mh_d_dif
                    .map_or_else(|| "n/a".to_owned(), |v| format!("{v:.2}"))
            ));
        }
    }
    out
}

/// The short names of an item's flags, as badges.
fn badges(reasons: &[String]) -> String {
    reasons
        .iter()
        .map(|r| {
            let name = r.split(':').next().unwrap_or(r);
            format!("<span class=\"flag\">{name}</span>")
        })
        .collect()
}

/// The flagged items first, each linking to its section.
fn flagged_list(a: &ItemAnalysis, reasons: &[Vec<String>]) -> String {
    let flagged: Vec<(&ItemStatistics, &Vec<String>)> = a
        .items
        .iter()
        .zip(reasons)
        .filter(|(_, r)| !r.is_empty())
        .collect();
    let mut out = format!(
        "<section id=\"flagged\">\n<h2>Flagged items ({} of {})</h2>\n",
        flagged.len(),
        a.items.len()
    );
    if flagged.is_empty() {
        out.push_str("<p>No item is flagged.</p>\n");
    } else {
        out.push_str("<ul class=\"flags\">\n");
        for (item, reasons) in flagged {
            flagged_item(&mut out, item.id.as_str(), &reasons.join("; "));
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</section>\n");
    out
}

/// One row per item: the main statistics.
fn items_table(a: &ItemAnalysis, dif: &HashMap<&str, &ItemDif>, reasons: &[Vec<String>]) -> String {
    let mut out = String::from("<section id=\"items\">\n<h2>All items</h2>\n");
    let mut headers = vec![
        "Item",
        "N",
        "p",
        "r<sub>pb</sub> (corrected)",
        "r<sub>bis</sub>",
        "D (27%)",
        "Alpha if deleted",
    ];
    if !dif.is_empty() {
        headers.push("DIF (ETS)");
    }
    headers.push("Flags");
    out.push_str(&table_head("", "", headers));

    for (item, reasons) in a.items.iter().zip(reasons) {
        let u = &item.undefined;
        let flagged = if reasons.is_empty() {
            ""
        } else {
            " class=\"flagged\""
        };
        let _ = write!(
            out,
            "<tr{flagged} data-item=\"{}\"><th scope=\"row\"><a href=\"#{}\">{}</a></th>{}{}{}{}{}{}",
            esc(item.id.as_str()),
            anchor("item-", item.id.as_str()),
            esc(item.id.as_str()),
            count_cell(item.n_presented),
            num_cell(item.p_value, 3, u.reason(Statistic::PValue)),
            num_cell(item.point_biserial, 3, u.reason(Statistic::PointBiserial)),
            num_cell(item.biserial, 3, u.reason(Statistic::Biserial)),
            num_cell(
                item.discrimination_index,
                3,
                u.reason(Statistic::DiscriminationIndex)
            ),
            num_cell(
                item.alpha_if_deleted,
                3,
                u.reason(Statistic::AlphaIfDeleted)
            ),
        );
        if !dif.is_empty() {
            let class = dif
                .get(item.id.as_str())
                .and_then(|d| d.ets_class)
                .map_or_else(|| "n/a".to_owned(), |c| format!("{c:?}"));
            let _ = write!(out, "<td class=\"text\">{class}</td>");
        }
        let _ = writeln!(out, "<td class=\"text\">{}</td></tr>", badges(reasons));
    }
    out.push_str(TABLE_END);
    out.push_str("</section>\n");
    out
}

/// One item: statistics, flags, option table and quantile plot.
fn item_section(
    item: &ItemStatistics,
    score_groups: &[f64],
    options: Option<&ItemDistractors>,
    dif: Option<&ItemDif>,
    reasons: &[String],
    raw_input: bool,
) -> String {
    let id = item.id.as_str();
    let u = &item.undefined;
    let mut out = format!(
        "<section class=\"unit\" id=\"{}\" data-item=\"{}\">\n<h3>Item {} {}</h3>\n",
        anchor("item-", id),
        esc(id),
        esc(id),
        badges(reasons)
    );
    let mut headers = vec![
        "N presented",
        "Omitted",
        "p",
        "r<sub>pb</sub> corrected",
        "r<sub>pb</sub> uncorrected",
        "r<sub>bis</sub>",
        "D (27%)",
        "Alpha if deleted",
    ];
    let mut cells = vec![
        count_cell(item.n_presented),
        count_cell(item.n_omitted),
        num_cell(item.p_value, 3, u.reason(Statistic::PValue)).replacen(
            "<td",
            "<td data-stat=\"p_value\"",
            1,
        ),
        num_cell(item.point_biserial, 3, u.reason(Statistic::PointBiserial)).replacen(
            "<td",
            "<td data-stat=\"point_biserial\"",
            1,
        ),
        num_cell(
            item.point_biserial_uncorrected,
            3,
            u.reason(Statistic::PointBiserialUncorrected),
        ),
        num_cell(item.biserial, 3, u.reason(Statistic::Biserial)),
        num_cell(
            item.discrimination_index,
            3,
            u.reason(Statistic::DiscriminationIndex),
        ),
        num_cell(
            item.alpha_if_deleted,
            3,
            u.reason(Statistic::AlphaIfDeleted),
        ),
    ];
    if let Some(d) = dif {
        headers.extend(["MH D-DIF", "ETS class"]);
        cells.push(num_cell(
            d.mh_d_dif,
            2,
            d.undefined.reason(Statistic::MhDDif),
        ));
        cells.push(format!(
            "<td class=\"text\">{}</td>",
            d.ets_class
                .map_or_else(|| "n/a".to_owned(), |c| format!("{c:?}"))
        ));
    }
    out.push_str(&table_head("item-stats", "", headers));
    out.push_str("<tr>");
    for c in &cells {
        out.push_str(c);
    }
    out.push_str("</tr>\n");
    out.push_str(TABLE_END);
    if !reasons.is_empty() {
        out.push_str("<ul class=\"flags\">");
        for r in reasons {
            let _ = write!(out, "<li>{r}</li>");
        }
        out.push_str("</ul>\n");
    }
    out.push_str("<div class=\"grid\">\n<div>\n");
    let plot = match options {
        Some(o) => {
            out.push_str(&option_table(o));
            option_plot(o)
        }
        None => {
            let text = if raw_input {
                "Not a single-choice item: its answers are combinations of options, so it has no option table."
            } else {
                "A scored file holds no option choices: analyse the raw responses (<code>--raw</code> with <code>--forms</code>) for the option table."
            };
            note(&mut out, text);
            score_group_plot(id, item.max_score, score_groups)
        }
    };
    out.push_str("</div>\n<div>\n");
    out.push_str(&plot);
    out.push_str("</div>\n</div>\n</section>\n");
    out
}

fn choice_label(c: &Choice) -> String {
    match c {
        Choice::Option(label) => esc(label),
        Choice::NoAnswer => "no answer".to_owned(),
    }
}

/// The option table: proportion, mean score and point-biserial per option,
/// the key marked; the quantile proportions follow in a closed details
/// block (the plot's data).
fn option_table(o: &ItemDistractors) -> String {
    let mut out = table_head(
        "options",
        "Options (key marked)",
        [
            "Option",
            "Key",
            "N",
            "Proportion",
            "r<sub>pb</sub>",
            "Mean total score",
        ],
    );
    for opt in &o.options {
        let class = if opt.is_key { " class=\"key\"" } else { "" };
        let u = &opt.undefined;
        let _ = writeln!(
            out,
            "<tr{class} data-option=\"{}\"><th scope=\"row\">{}</th><td class=\"text\">{}</td>{}{}{}{}</tr>",
            choice_label(&opt.choice),
            choice_label(&opt.choice),
            if opt.is_key { "key" } else { "" },
            count_cell(opt.n),
            num_cell(opt.proportion, 3, u.reason(Statistic::OptionProportion)),
            num_cell(
                opt.point_biserial,
                3,
                u.reason(Statistic::OptionPointBiserial)
            ),
            num_cell(opt.mean_score, 2, u.reason(Statistic::OptionMeanScore)),
        );
    }
    out.push_str(TABLE_END);
    out.push_str("<details><summary>Quantile plot data</summary>");
    let groups = (1..=5).map(|g| format!("Group {g}"));
    out.push_str(&table_head(
        "",
        "",
        std::iter::once("Option".to_owned()).chain(groups),
    ));
    for opt in &o.options {
        let _ = write!(
            out,
            "<tr><th scope=\"row\">{}</th>",
            choice_label(&opt.choice)
        );
        for q in &opt.quintile_proportions {
            let _ = write!(out, "<td data-value=\"{q}\">{q:.3}</td>");
        }
        out.push_str("</tr>");
    }
    out.push_str(TABLE_END);
    out.push_str("</details>\n");
    out
}

fn group_axis() -> Axis {
    Axis::new(0.7, 5.3, "Score group (1 = lowest fifth, 5 = highest)")
}

/// Iteman's option quantile plot: the proportion choosing each option in
/// each fifth of the persons by total score; the key drawn thick and solid.
fn option_plot(o: &ItemDistractors) -> String {
    let id = o.id.as_str();
    let mut plot = Plot::of_item(
        "Option quantile plot",
        "quantile-",
        id,
        group_axis(),
        "Proportion choosing",
    );
    let mut desc = format!(
        "Proportion choosing each option of item {id} in five score groups, lowest first: "
    );
    let mut series = 1;
    let mut parts = Vec::new();
    for opt in &o.options {
        if opt.quintile_proportions.is_empty() {
            continue;
        }
        let points: Vec<(f64, f64)> = opt
            .quintile_proportions
            .iter()
            .enumerate()
            .map(|(g, &p)| ((g + 1) as f64, p))
            .collect();
        let label = choice_label(&opt.choice);
        let (style, legend) = if opt.is_key {
            (0, format!("{label} (key)"))
        } else {
            series += 1;
            (series - 1, label.clone())
        };
        plot.line(&legend, style, &points, true, opt.is_key);
        let values: Vec<String> = opt
            .quintile_proportions
            .iter()
            .map(|p| format!("{p:.2}"))
            .collect();
        parts.push(format!("{legend} {}", values.join(", ")));
    }
    desc.push_str(&parts.join("; "));
    desc.push('.');
    plot.set_desc(&desc);
    plot.set_caption("Proportion choosing each option in each fifth of the persons by total score. The key is the thick solid line: it should rise from left to right, the distractors fall.");
    plot.finish()
}

/// For scored responses: the proportion correct (mean score over maximum)
/// in each fifth of the persons by total score.
fn score_group_plot(id: &str, max_score: u8, groups: &[f64]) -> String {
    let what = if max_score > 1 {
        "Mean score / maximum"
    } else {
        "Proportion correct"
    };
    let mut plot = Plot::of_item("Score group plot", "quantile-", id, group_axis(), what);
    let points: Vec<(f64, f64)> = groups
        .iter()
        .enumerate()
        .map(|(g, &p)| ((g + 1) as f64, p))
        .collect();
    let desc = if points.is_empty() {
        format!("Item {id} was presented to nobody: no score groups.")
    } else {
        plot.line(what, 0, &points, true, true);
        let values: Vec<String> = groups.iter().map(|p| format!("{p:.2}")).collect();
        format!(
            "{what} on item {id} in five score groups, lowest first: {}.",
            values.join(", ")
        )
    };
    plot.set_desc(&desc);
    plot.set_caption(&format!(
        "{what} in each fifth of the persons by total score: {}",
        if points.is_empty() {
            "no data"
        } else {
            "it should rise from left to right"
        }
    ));
    plot.finish()
}
