//! Item-analysis tables: the JSON document of `exam analyze` (item and
//! test statistics, decision consistency at a cut, DIF, distractors), the
//! human report, and the CSV tables (one row per item, with the DIF columns
//! when groups were given; one row per item and option for distractors).
//!
//! In the CSV, numbers are printed in full (shortest round-trip form) and
//! absent values are empty; in the table, to 3 decimals with `-` for absent.

use crate::FormatError;
use crate::csv_table::{self, Record};
use crate::json;
use crate::table::{Column, Table, Width};
use exam_core::ids::ItemId;
use exam_stats::ItemAnalysis;
use exam_stats::ctt::{FormStatistics, ItemStatistics};
use exam_stats::decision::BetaFit;
use exam_stats::dif::polytomous::PolytomousDifClass;
use exam_stats::dif::{DifAnalysis, DifGroup, ItemDif, LogisticDif};
use exam_stats::distractors::{Choice, ItemDistractors};
use exam_stats::flags::Flag;
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;
use std::io::{Read, Write};

/// What the distractor analysis covers, as printed with its results.
pub const DISTRACTOR_SCOPE: &str = "single-choice items only (multiple-response, ordering and matching \
     answers are combinations of options: those items have item statistics only)";

/// The document `exam analyze --format json` prints.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnalysisDocument {
    /// The scored response file analysed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub responses: Option<String>,
    /// The raw response file analysed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw: Option<String>,
    /// The forms file of the raw responses (not `forms`: that is the
    /// per-form statistics of the analysis).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forms_file: Option<String>,
    /// Item and test statistics.
    #[serde(flatten)]
    pub analysis: ItemAnalysis,
    /// Differential item functioning, where groups were given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dif: Option<DifAnalysis>,
    /// What the distractor analysis covers ([`DISTRACTOR_SCOPE`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distractor_scope: Option<String>,
    /// The distractor analysis, for raw responses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distractors: Option<Vec<ItemDistractors>>,
}

fn fmt(value: Option<f64>) -> String {
    value.map_or_else(|| "-".to_owned(), |v| format!("{v:.3}"))
}

fn flag_list(flags: &[Flag]) -> String {
    flags
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(" ")
}

impl AnalysisDocument {
    /// Writes the document as pretty JSON with a trailing newline.
    pub fn write(&self, out: impl Write, name: &str) -> Result<(), FormatError> {
        json::write_pretty(out, self, name)
    }

    /// Reads a document.
    pub fn read(input: impl Read, name: &str) -> Result<Self, FormatError> {
        json::read(input, name, "an item analysis document")
    }

    /// The human report: the item table, each form's test statistics (with
    /// decision consistency at the cut), then the DIF and distractor tables.
    pub fn table(&self) -> String {
        let analysis = &self.analysis;
        let mut out = items_table(&analysis.items);
        out.push('\n');
        if analysis.n_persons_without_items > 0 {
            let _ = writeln!(
                out,
                "{} of {} persons were presented no item (empty rows)",
                analysis.n_persons_without_items, analysis.n_persons
            );
        }
        if analysis.forms.is_empty() {
            out.push_str("no test statistics: nobody was presented any item\n");
        }
        for (i, form) in analysis.forms.iter().enumerate() {
            out.push_str(&form_block(i, analysis.forms.len(), form));
        }
        if let Some(p) = &analysis.pairwise {
            let _ = writeln!(
                out,
                "pairwise (psych use=\"pairwise\") over all {} persons: alpha {}",
                analysis.n_persons,
                fmt(p.alpha)
            );
        }
        let _ = writeln!(out, "missing data: {}", analysis.missing_data);
        if let Some(dif) = &self.dif {
            out.push('\n');
            out.push_str(&dif_table(dif));
        }
        if let Some(distractors) = &self.distractors {
            out.push('\n');
            out.push_str(&distractor_table(distractors));
        }
        out
    }

    /// The CSV: the item rows, then (for raw responses) an empty line and
    /// the distractor rows.
    pub fn write_csv(&self, mut out: impl Write, name: &str) -> Result<(), FormatError> {
        let rows = ItemRow::all(&self.analysis, self.dif.as_ref());
        let mut out = write_items_csv(&mut out, &rows, self.dif.is_some(), name)?;
        if let Some(distractors) = &self.distractors {
            writeln!(out).map_err(|e| FormatError::io(name, e))?;
            write_distractors_csv(&mut out, &DistractorRow::all(distractors), name)?;
        }
        Ok(())
    }
}

/// The item table: n, p, point-biserial, biserial, discrimination index,
/// alpha if deleted, flags.
fn items_table(items: &[ItemStatistics]) -> String {
    let mut t = Table::with_columns([
        Column::new("item").width(Width::Fit { min: 4 }),
        Column::right("n", 8),
        Column::right("p", 7),
        Column::right("r_pb", 7),
        Column::right("r_bis", 7),
        Column::right("D", 7),
        Column::right("a_del", 7),
        Column::left("flags", 0).gap(2),
    ]);
    for item in items {
        t.row([
            item.id.to_string(),
            item.n_presented.to_string(),
            fmt(item.p_value),
            fmt(item.point_biserial),
            fmt(item.biserial),
            fmt(item.discrimination_index),
            fmt(item.alpha_if_deleted),
            flag_list(&item.flags),
        ]);
    }
    t.render()
}

/// One form's test statistics, and decision consistency at the cut.
fn form_block(index: usize, count: usize, form: &FormStatistics) -> String {
    let mut out = String::new();
    if count > 1 {
        let _ = writeln!(
            out,
            "form {} of {count} ({} items)",
            index + 1,
            form.items.len()
        );
    }
    let ci = form.alpha_ci.map_or_else(String::new, |ci| {
        format!(" [{:.3}, {:.3}]", ci.lower, ci.upper)
    });
    let _ = writeln!(
        out,
        "persons {}  items {}  mean {}  sd {}  min {}  max {}",
        form.n_persons,
        form.items.len(),
        fmt(form.mean),
        fmt(form.sd),
        form.min.map_or_else(|| "-".to_owned(), |v| v.to_string()),
        form.max.map_or_else(|| "-".to_owned(), |v| v.to_string()),
    );
    let _ = writeln!(
        out,
        "alpha {}{ci}  kr21 {}  split-half {} (Spearman-Brown {})  sem {}",
        fmt(form.alpha),
        fmt(form.kr21),
        fmt(form.split_half),
        fmt(form.spearman_brown),
        fmt(form.sem),
    );
    if let Some(cut) = &form.cut {
        let _ = writeln!(
            out,
            "cut {}: passing {}  CSEM (Lord) {}  (Keats) {}",
            cut.cut,
            fmt(cut.proportion_passing),
            fmt(cut.csem_lord),
            fmt(cut.csem_keats),
        );
        if let Some(s) = &cut.subkoviak {
            let _ = writeln!(
                out,
                "  Subkoviak: consistency {:.3}  kappa {}",
                s.consistency,
                fmt(s.kappa)
            );
        }
        for (name, classification) in [
            ("Livingston-Lewis", &cut.livingston_lewis),
            ("Hanson-Brennan", &cut.hanson_brennan),
        ] {
            if let Some(c) = classification {
                let _ = writeln!(
                    out,
                    "  {name} (n = {}, {}): accuracy {:.3} (false +{:.3} -{:.3})  consistency {:.3}  kappa {}",
                    c.test_length,
                    beta_fit_words(c.true_score_beta.fit),
                    c.accuracy,
                    c.false_positive,
                    c.false_negative,
                    c.consistency.consistency,
                    fmt(c.consistency.kappa),
                );
            }
        }
    }
    out.push('\n');
    out
}

/// How the true-score beta was fitted, in a few words.
fn beta_fit_words(fit: BetaFit) -> &'static str {
    match fit {
        BetaFit::FourParameter => "4-parameter beta",
        BetaFit::LowerAtZero => "3-parameter beta, lower limit 0",
        BetaFit::UpperAtOne => "3-parameter beta, upper limit 1",
        BetaFit::TwoParameter => "2-parameter beta",
    }
}

/// `reference`, `focal` or empty.
fn favours_cell(favours: Option<DifGroup>) -> String {
    match favours {
        Some(DifGroup::Reference) => "reference".to_owned(),
        Some(DifGroup::Focal) => "focal".to_owned(),
        None => String::new(),
    }
}

/// The ETS class with its sign: `-` favours the reference group, `+` the focal.
fn signed_class(item: &ItemDif) -> String {
    let sign = match item.favours {
        Some(DifGroup::Reference) => "-",
        Some(DifGroup::Focal) => "+",
        None => "",
    };
    match (item.ets_class, item.mantel_smd) {
        (Some(c), _) => format!("{c:?}{sign}"),
        (None, Some(m)) => {
            let sign = match m.ets_class {
                PolytomousDifClass::AA => "",
                _ if m.smd < 0.0 => "-",
                _ => "+",
            };
            format!("{:?}{sign}", m.ets_class)
        }
        (None, None) => "-".to_owned(),
    }
}

/// Binary logistic DIF for 0/1 items, ordinal for partial-credit items.
fn logistic(item: &ItemDif) -> Option<LogisticDif> {
    item.logistic.or(item.ordinal_logistic)
}

/// The DIF table under a line naming the groups and the matching.
fn dif_table(dif: &DifAnalysis) -> String {
    let mut out = format!(
        "DIF: focal `{}` (n {}) vs reference `{}` (n {}), {} persons in neither; matching: {}; rounds {}\n",
        dif.focal,
        dif.n_focal,
        dif.reference,
        dif.n_reference,
        dif.n_excluded,
        dif.matching,
        dif.rounds
    );
    if dif.items.iter().any(|i| i.mantel_smd.is_some()) {
        out.push_str("partial-credit items: chi2 and p are Mantel's (1963) ordinal test, ETS the AA/BB/CC class of SMD/SD (Zwick, Thayer & Mazzeo 1997), LR the ordinal (cumulative logit) regression\n");
    }
    let mut t = Table::with_columns([
        Column::new("item").width(Width::Fit { min: 4 }),
        Column::right("alpha_MH", 8),
        Column::right("D", 7),
        Column::right("chi2", 8),
        Column::right("p", 7),
        Column::right("ETS", 4),
        Column::right("STD-P", 8),
        Column::right("LR dR2", 8),
        Column::right("LR", 3),
    ]);
    for item in &dif.items {
        t.row([
            item.id.to_string(),
            fmt(item.alpha_mh),
            fmt(item.mh_d_dif),
            fmt(item.mh_chi2.or(item.mantel_smd.map(|m| m.mantel_chi2))),
            fmt(item
                .mh_p_value
                .or(item.mantel_smd.map(|m| m.mantel_p_value))),
            signed_class(item),
            fmt(item.std_p_dif),
            fmt(logistic(item).map(|l| l.delta_r2_nagelkerke)),
            logistic(item).map_or_else(|| "-".to_owned(), |l| format!("{:?}", l.class)),
        ]);
    }
    out.push_str(&t.render());
    out
}

/// The option label as the table prints it: `(none)` for presented but
/// unanswered.
fn label(choice: &Choice) -> &str {
    match choice {
        Choice::Option(label) => label,
        Choice::NoAnswer => "(none)",
    }
}

/// The flags of an item that name `option`.
fn option_flags(item: &ItemDistractors, option: &Choice) -> String {
    let Choice::Option(label) = option else {
        return String::new();
    };
    item.flags
        .iter()
        .filter_map(|f| match f {
            Flag::PossibleMiskey { option } if option == label => Some("possible_miskey"),
            Flag::NonFunctioningDistractor { option } if option == label => Some("non_functioning"),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The distractor table: per item, one row per option (the key marked `*`).
fn distractor_table(items: &[ItemDistractors]) -> String {
    let mut out = format!("distractors: {DISTRACTOR_SCOPE}\n");
    out.push_str("p: proportion choosing; mean: their mean total score; r_pb: option vs rest score; q1-q5: proportion choosing in each fifth by total score, lowest first\n");
    let mut columns = vec![
        Column::new("item").width(Width::Fit { min: 4 }),
        Column::left("option", 0).width(Width::Fit { min: 6 }),
        Column::right("key", 3),
        Column::right("n", 7),
        Column::right("p", 6),
        Column::right("mean", 7),
        Column::right("r_pb", 7),
    ];
    columns.extend(["q1", "q2", "q3", "q4", "q5"].map(|q| Column::right(q, 6)));
    columns.push(Column::left("flags", 0).gap(2));
    let mut t = Table::with_columns(columns).trim(true);
    for item in items {
        for (i, o) in item.options.iter().enumerate() {
            let mut row = vec![
                if i == 0 {
                    item.id.to_string()
                } else {
                    String::new()
                },
                label(&o.choice).to_owned(),
                if o.is_key { "*" } else { "" }.to_owned(),
                o.n.to_string(),
                fmt(o.proportion),
                fmt(o.mean_score),
                fmt(o.point_biserial),
            ];
            row.extend((0..5).map(|q| fmt(o.quintile_proportions.get(q).copied())));
            row.push(option_flags(item, &o.choice));
            t.row(row);
        }
    }
    out.push_str(&t.render());
    out
}

/// The item CSV's columns.
pub const ITEM_HEADER: [&str; 12] = [
    "item",
    "n_presented",
    "n_omitted",
    "max_score",
    "p_value",
    "sd",
    "point_biserial",
    "point_biserial_uncorrected",
    "biserial",
    "discrimination_index",
    "alpha_if_deleted",
    "flags",
];

/// The DIF columns that follow [`ITEM_HEADER`] when groups were given.
pub const DIF_HEADER: [&str; 13] = [
    "alpha_mh",
    "mh_d_dif",
    "mh_p_value",
    "ets_class",
    "favours",
    "std_p_dif",
    "lr_delta_r2",
    "lr_class",
    "mantel_chi2",
    "mantel_p_value",
    "smd",
    "smd_effect_size",
    "ets_polytomous_class",
];

/// One row of the item CSV.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemRow {
    /// The item.
    pub id: ItemId,
    /// Persons presented it.
    pub n_presented: u64,
    /// Of them, persons who omitted it.
    pub n_omitted: u64,
    /// Its maximum score.
    pub max_score: u8,
    /// `p_value`, `sd`, `point_biserial`, `point_biserial_uncorrected`,
    /// `biserial`, `discrimination_index`, `alpha_if_deleted`.
    pub statistics: [Option<f64>; 7],
    /// The flags, space-separated.
    pub flags: String,
    /// The DIF columns, where groups were given.
    pub dif: Option<DifRow>,
}

/// The DIF columns of an item row.
#[derive(Debug, Clone, PartialEq)]
pub struct DifRow {
    /// `alpha_mh`, `mh_d_dif`, `mh_p_value`.
    pub mantel_haenszel: [Option<f64>; 3],
    /// The ETS class (`A`, `B`, `C`), empty where undefined.
    pub ets_class: String,
    /// The group a B or C item favours: `reference`, `focal` or empty.
    pub favours: String,
    /// STD P-DIF.
    pub std_p_dif: Option<f64>,
    /// Nagelkerke ΔR² of the logistic-regression DIF (ordinal logistic
    /// regression for a partial-credit item).
    pub lr_delta_r2: Option<f64>,
    /// Its class, empty where undefined.
    pub lr_class: String,
    /// Partial-credit items: Mantel's ordinal χ², its p-value, the SMD and
    /// SMD/SD (`mantel_chi2`, `mantel_p_value`, `smd`, `smd_effect_size`).
    pub mantel_smd: [Option<f64>; 4],
    /// The ETS class of a partial-credit item (`AA`, `BB`, `CC`), empty
    /// where undefined.
    pub ets_polytomous_class: String,
}

fn num(v: Option<f64>) -> String {
    v.map_or_else(String::new, |v| v.to_string())
}

impl ItemRow {
    /// The rows of an analysis, with the DIF of each item where given.
    pub fn all(analysis: &ItemAnalysis, dif: Option<&DifAnalysis>) -> Vec<Self> {
        analysis
            .items
            .iter()
            .enumerate()
            .map(|(i, item)| ItemRow {
                id: item.id.clone(),
                n_presented: item.n_presented,
                n_omitted: item.n_omitted,
                max_score: item.max_score,
                statistics: [
                    item.p_value,
                    item.sd,
                    item.point_biserial,
                    item.point_biserial_uncorrected,
                    item.biserial,
                    item.discrimination_index,
                    item.alpha_if_deleted,
                ],
                flags: flag_list(&item.flags),
                dif: dif.and_then(|d| d.items.get(i)).map(|d| DifRow {
                    mantel_haenszel: [d.alpha_mh, d.mh_d_dif, d.mh_p_value],
                    ets_class: d.ets_class.map_or_else(String::new, |c| format!("{c:?}")),
                    favours: favours_cell(d.favours),
                    std_p_dif: d.std_p_dif,
                    lr_delta_r2: logistic(d).map(|l| l.delta_r2_nagelkerke),
                    lr_class: logistic(d).map_or_else(String::new, |l| format!("{:?}", l.class)),
                    mantel_smd: [
                        d.mantel_smd.map(|m| m.mantel_chi2),
                        d.mantel_smd.map(|m| m.mantel_p_value),
                        d.mantel_smd.map(|m| m.smd),
                        d.mantel_smd.map(|m| m.smd_effect_size),
                    ],
                    ets_polytomous_class: d
                        .mantel_smd
                        .map_or_else(String::new, |m| format!("{:?}", m.ets_class)),
                }),
            })
            .collect()
    }

    fn cells(&self) -> Vec<String> {
        let mut cells = vec![
            self.id.to_string(),
            self.n_presented.to_string(),
            self.n_omitted.to_string(),
            self.max_score.to_string(),
        ];
        cells.extend(self.statistics.map(num));
        cells.push(self.flags.clone());
        if let Some(d) = &self.dif {
            cells.extend(d.mantel_haenszel.map(num));
            cells.extend([
                d.ets_class.clone(),
                d.favours.clone(),
                num(d.std_p_dif),
                num(d.lr_delta_r2),
                d.lr_class.clone(),
            ]);
            cells.extend(d.mantel_smd.map(num));
            cells.push(d.ets_polytomous_class.clone());
        }
        cells
    }

    fn from_record(r: &Record<'_>, with_dif: bool) -> Result<Self, FormatError> {
        let numbers = |from: usize| -> Result<Vec<Option<f64>>, FormatError> {
            (from..from + 7)
                .map(|c| r.optional(c, "a number"))
                .collect()
        };
        let stats = numbers(4)?;
        let dif = if with_dif {
            Some(DifRow {
                mantel_haenszel: [
                    r.optional(12, "a number")?,
                    r.optional(13, "a number")?,
                    r.optional(14, "a number")?,
                ],
                ets_class: r.text(15).to_owned(),
                favours: r.text(16).to_owned(),
                std_p_dif: r.optional(17, "a number")?,
                lr_delta_r2: r.optional(18, "a number")?,
                lr_class: r.text(19).to_owned(),
                mantel_smd: [
                    r.optional(20, "a number")?,
                    r.optional(21, "a number")?,
                    r.optional(22, "a number")?,
                    r.optional(23, "a number")?,
                ],
                ets_polytomous_class: r.text(24).to_owned(),
            })
        } else {
            None
        };
        Ok(ItemRow {
            id: ItemId::new(r.text(0)),
            n_presented: r.parse(1, "a count")?,
            n_omitted: r.parse(2, "a count")?,
            max_score: r.parse(3, "a score")?,
            statistics: [
                stats[0], stats[1], stats[2], stats[3], stats[4], stats[5], stats[6],
            ],
            flags: r.text(11).to_owned(),
            dif,
        })
    }
}

fn item_header(with_dif: bool) -> Vec<&'static str> {
    let mut header = ITEM_HEADER.to_vec();
    if with_dif {
        header.extend(DIF_HEADER);
    }
    header
}

/// Writes the item CSV (with the DIF columns when `with_dif`).
pub fn write_items_csv<W: Write>(
    out: W,
    rows: &[ItemRow],
    with_dif: bool,
    name: &str,
) -> Result<W, FormatError> {
    csv_table::write(
        out,
        &item_header(with_dif),
        rows.iter().map(ItemRow::cells),
        name,
    )
}

/// Reads an item CSV (with the DIF columns when `with_dif`).
pub fn read_items_csv(
    input: impl Read,
    name: &str,
    with_dif: bool,
) -> Result<Vec<ItemRow>, FormatError> {
    csv_table::read(input, name, &item_header(with_dif), |r| {
        ItemRow::from_record(r, with_dif)
    })
}

/// The distractor CSV's columns.
pub const DISTRACTOR_HEADER: [&str; 13] = [
    "item",
    "option",
    "is_key",
    "n",
    "proportion",
    "mean_score",
    "point_biserial",
    "q1",
    "q2",
    "q3",
    "q4",
    "q5",
    "flags",
];

/// One row of the distractor CSV: one option of one item. An empty
/// `option` is "presented, no answer".
#[derive(Debug, Clone, PartialEq)]
pub struct DistractorRow {
    /// The item.
    pub item: ItemId,
    /// The option's label (empty: no answer).
    pub option: String,
    /// Whether it is the key.
    pub is_key: bool,
    /// Persons choosing it.
    pub n: u64,
    /// `proportion`, `mean_score`, `point_biserial`.
    pub statistics: [Option<f64>; 3],
    /// Proportion choosing it in each fifth by total score, lowest first.
    pub quintiles: [Option<f64>; 5],
    /// The item's flags that name this option, space-separated.
    pub flags: String,
}

impl DistractorRow {
    /// The rows of a distractor analysis.
    pub fn all(items: &[ItemDistractors]) -> Vec<Self> {
        items
            .iter()
            .flat_map(|item| {
                item.options.iter().map(move |o| DistractorRow {
                    item: item.id.clone(),
                    option: match &o.choice {
                        Choice::Option(label) => label.clone(),
                        Choice::NoAnswer => String::new(),
                    },
                    is_key: o.is_key,
                    n: o.n,
                    statistics: [o.proportion, o.mean_score, o.point_biserial],
                    quintiles: std::array::from_fn(|q| o.quintile_proportions.get(q).copied()),
                    flags: option_flags(item, &o.choice),
                })
            })
            .collect()
    }

    fn cells(&self) -> Vec<String> {
        let mut cells = vec![
            self.item.to_string(),
            self.option.clone(),
            self.is_key.to_string(),
            self.n.to_string(),
        ];
        cells.extend(self.statistics.map(num));
        cells.extend(self.quintiles.map(num));
        cells.push(self.flags.clone());
        cells
    }

    fn from_record(r: &Record<'_>) -> Result<Self, FormatError> {
        let n = |c| r.optional(c, "a number");
        Ok(DistractorRow {
            item: ItemId::new(r.text(0)),
            option: r.text(1).to_owned(),
            is_key: r.parse(2, "`true` or `false`")?,
            n: r.parse(3, "a count")?,
            statistics: [n(4)?, n(5)?, n(6)?],
            quintiles: [n(7)?, n(8)?, n(9)?, n(10)?, n(11)?],
            flags: r.text(12).to_owned(),
        })
    }
}

/// Writes the distractor CSV.
pub fn write_distractors_csv<W: Write>(
    out: W,
    rows: &[DistractorRow],
    name: &str,
) -> Result<W, FormatError> {
    csv_table::write(
        out,
        &DISTRACTOR_HEADER,
        rows.iter().map(DistractorRow::cells),
        name,
    )
}

/// Reads a distractor CSV.
pub fn read_distractors_csv(
    input: impl Read,
    name: &str,
) -> Result<Vec<DistractorRow>, FormatError> {
    csv_table::read(input, name, &DISTRACTOR_HEADER, DistractorRow::from_record)
}
