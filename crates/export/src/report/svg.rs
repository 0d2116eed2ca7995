//! Plots as inline SVG, written by hand: line plots with markers, error
//! bars and bands, histograms and horizontal reference lines, on linear
//! axes with round tick values. Each plot is a `<figure>` whose `<svg>` has
//! a `<title>` and a `<desc>` (its text alternative, read by screen
//! readers), and whose caption says what it shows.
//!
//! Series are told apart by dash pattern and marker shape as well as by
//! colour, so a plot printed in greyscale still reads; the colours all have
//! at least 4.5:1 contrast on white.

use super::page::{anchor, esc};
use std::fmt::Write as _;

/// Width and height of the drawing, in SVG units (the figure scales).
const WIDTH: f64 = 520.0;
const HEIGHT: f64 = 300.0;
const LEFT: f64 = 58.0;
const RIGHT: f64 = 14.0;
const TOP: f64 = 14.0;
const BOTTOM: f64 = 46.0;
/// Height of one legend row, above the plot area.
const LEGEND_ROW: f64 = 18.0;

/// The look of a series: colour, dash pattern (empty = solid) and marker.
struct Style {
    colour: &'static str,
    dash: &'static str,
    marker: Marker,
}

#[derive(Clone, Copy)]
enum Marker {
    Circle,
    Square,
    Triangle,
    Diamond,
    Cross,
    Plus,
}

/// The series styles, in order of use.
const STYLES: [Style; 6] = [
    Style {
        colour: "#1a1a1a",
        dash: "",
        marker: Marker::Circle,
    },
    Style {
        colour: "#0b5394",
        dash: "7 4",
        marker: Marker::Square,
    },
    Style {
        colour: "#a34c00",
        dash: "2 3",
        marker: Marker::Triangle,
    },
    Style {
        colour: "#2e6b1a",
        dash: "9 3 2 3",
        marker: Marker::Diamond,
    },
    Style {
        colour: "#6d1a4a",
        dash: "4 2",
        marker: Marker::Cross,
    },
    Style {
        colour: "#555555",
        dash: "12 4",
        marker: Marker::Plus,
    },
];

fn style(series: usize) -> &'static Style {
    &STYLES[series % STYLES.len()]
}

/// A linear axis: its range, its label and its tick values.
pub(crate) struct Axis {
    min: f64,
    max: f64,
    label: String,
    ticks: Vec<(f64, String)>,
}

impl Axis {
    /// An axis from `min` to `max` (widened when they are equal) with
    /// about five round ticks.
    pub(crate) fn new(min: f64, max: f64, label: &str) -> Self {
        let (min, max) = if max > min {
            (min, max)
        } else {
            (min - 0.5, min + 0.5)
        };
        let raw = (max - min) / 5.0;
        let magnitude = 10f64.powf(raw.log10().floor());
        let step = [1.0, 2.0, 2.5, 5.0, 10.0]
            .iter()
            .map(|m| m * magnitude)
            .find(|s| *s >= raw)
            .unwrap_or(10.0 * magnitude);
        let first = (min / step).ceil() as i64;
        let last = (max / step + 1e-9).floor() as i64;
        let ticks = (first..=last)
            .map(|i| {
                let t = i as f64 * step;
                (t, tick_label(t, step))
            })
            .collect();
        Self {
            min,
            max,
            label: label.to_owned(),
            ticks,
        }
    }

    /// A category axis: one tick per name, the first at the top (of a
    /// vertical axis) at `names.len()`, the last at 1.
    pub(crate) fn categories(names: &[String], label: &str) -> Self {
        let n = names.len() as f64;
        let ticks = names
            .iter()
            .enumerate()
            .map(|(i, name)| (n - i as f64, name.clone()))
            .collect();
        Self {
            min: 0.5,
            max: n + 0.5,
            label: label.to_owned(),
            ticks,
        }
    }

    fn fraction(&self, v: f64) -> f64 {
        (v - self.min) / (self.max - self.min)
    }
}

/// A tick label: as few decimals as the tick values need.
fn tick_label(v: f64, step: f64) -> String {
    let decimals = (0..6)
        .find(|&d| {
            let s = step * 10f64.powi(d);
            (s - s.round()).abs() < 1e-6
        })
        .unwrap_or(6) as usize;
    let v = if v.abs() < 1e-12 { 0.0 } else { v };
    format!("{v:.decimals$}").replace('-', "\u{2212}")
}

/// A plot being drawn.
pub(crate) struct Plot {
    id: String,
    title: String,
    desc: String,
    caption: String,
    x: Axis,
    y: Axis,
    legend: Vec<(String, Option<usize>)>,
    body: String,
    left: f64,
    height: f64,
}

impl Plot {
    /// An empty plot. `id` makes the ids of its title and description
    /// unique on the page.
    pub(crate) fn new(id: &str, title: &str, x: Axis, y: Axis) -> Self {
        Self {
            id: id.to_owned(),
            title: title.to_owned(),
            desc: String::new(),
            caption: String::new(),
            x,
            y,
            legend: Vec::new(),
            body: String::new(),
            left: LEFT,
            height: HEIGHT,
        }
    }

    /// The plot of one item: `kind` of item `id` (its title), with the id
    /// `prefix` and the item's [`anchor`], over the share `y_label` from 0
    /// to 1.
    pub(crate) fn of_item(kind: &str, prefix: &str, id: &str, x: Axis, y_label: &str) -> Self {
        Self::new(
            &anchor(prefix, id),
            &format!("{kind} of item {id}"),
            x,
            Axis::new(0.0, 1.0, y_label),
        )
    }

    /// Room for the labels of the vertical axis (default 58 units).
    pub(crate) fn set_left_margin(&mut self, left: f64) {
        self.left = left;
    }

    /// The text alternative (plain text): what the plot shows, with its
    /// numbers.
    pub(crate) fn set_desc(&mut self, desc: &str) {
        self.desc = desc.to_owned();
    }

    /// The caption under the plot (HTML).
    pub(crate) fn set_caption(&mut self, caption: &str) {
        self.caption = caption.to_owned();
    }

    fn legend_rows(&self) -> usize {
        self.legend_positions().last().map_or(0, |p| p.1 + 1)
    }

    /// Where each legend entry starts: its x and its row, entries flowing
    /// left to right and wrapping at the right edge.
    fn legend_positions(&self) -> Vec<(f64, usize)> {
        let mut out = Vec::with_capacity(self.legend.len());
        let (mut x, mut row) = (self.left, 0);
        for (label, _) in &self.legend {
            let width = 31.0 + 6.9 * label.chars().count() as f64 + 16.0;
            if x + width > WIDTH - RIGHT && x > self.left {
                row += 1;
                x = self.left;
            }
            out.push((x, row));
            x += width;
        }
        out
    }

    /// The height of the plot, legend excluded (default 300 units).
    pub(crate) fn set_height(&mut self, height: f64) {
        self.height = height;
    }

    fn px(&self, x: f64) -> f64 {
        self.left + self.x.fraction(x) * (WIDTH - self.left - RIGHT)
    }

    /// The vertical position of `y` in the plot's own frame, which the
    /// legend never moves: the legend rows are added above it when the
    /// plot is finished (see [`Plot::finish`]), so a point drawn before a
    /// legend entry wraps lands where the axes drawn after it say.
    fn py(&self, y: f64) -> f64 {
        TOP + (1.0 - self.y.fraction(y)) * (self.height - TOP - BOTTOM)
    }

    /// A line through `points` (in data units) in the style of `series`,
    /// with markers when `markers`; `emphasis` draws it thicker. Points
    /// outside the axes are clipped to them.
    pub(crate) fn line(
        &mut self,
        label: &str,
        series: usize,
        points: &[(f64, f64)],
        markers: bool,
        emphasis: bool,
    ) {
        let s = style(series);
        let width = if emphasis { 3.0 } else { 1.8 };
        let mut path = String::new();
        for (i, &(x, y)) in points.iter().enumerate() {
            let y = y.clamp(self.y.min, self.y.max);
            let _ = write!(
                path,
                "{}{:.1},{:.1}",
                if i == 0 { "M" } else { " L" },
                self.px(x),
                self.py(y)
            );
        }
        let dash = if s.dash.is_empty() {
            String::new()
        } else {
            format!(" stroke-dasharray=\"{}\"", s.dash)
        };
        let _ = writeln!(
            self.body,
            "<path d=\"{path}\" fill=\"none\" stroke=\"{}\" stroke-width=\"{width}\"{dash} stroke-linejoin=\"round\"/>",
            s.colour
        );
        if markers {
            for &(x, y) in points {
                let y = y.clamp(self.y.min, self.y.max);
                self.marker(series, self.px(x), self.py(y));
            }
        }
        if !label.is_empty() {
            self.legend.push((label.to_owned(), Some(series)));
        }
    }

    /// Points with vertical interval bars `(x, y, lower, upper)` in the
    /// style of `series`, without a connecting line.
    pub(crate) fn intervals(
        &mut self,
        label: &str,
        series: usize,
        points: &[(f64, f64, f64, f64)],
    ) {
        let colour = style(series).colour;
        let cap = 4.0;
        for &(x, y, lower, upper) in points {
            let (cx, top, bottom) = (
                self.px(x),
                self.py(upper.min(self.y.max)),
                self.py(lower.max(self.y.min)),
            );
            let _ = writeln!(
                self.body,
                "<path d=\"M{cx:.1},{top:.1} L{cx:.1},{bottom:.1} M{:.1},{top:.1} L{:.1},{top:.1} M{:.1},{bottom:.1} L{:.1},{bottom:.1}\" stroke=\"{colour}\" stroke-width=\"1.4\"/>",
                cx - cap,
                cx + cap,
                cx - cap,
                cx + cap
            );
            self.marker(series, cx, self.py(y.clamp(self.y.min, self.y.max)));
        }
        if !label.is_empty() {
            self.legend.push((label.to_owned(), Some(series)));
        }
    }

    fn marker(&mut self, series: usize, cx: f64, cy: f64) {
        let s = style(series);
        let r = 3.6;
        let shape = match s.marker {
            Marker::Circle => format!(
                "<circle cx=\"{cx:.1}\" cy=\"{cy:.1}\" r=\"{r}\" fill=\"{}\"/>",
                s.colour
            ),
            Marker::Square => format!(
                "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{}\"/>",
                cx - r,
                cy - r,
                2.0 * r,
                2.0 * r,
                s.colour
            ),
            Marker::Triangle => format!(
                "<path d=\"M{cx:.1},{:.1} L{:.1},{:.1} L{:.1},{:.1} Z\" fill=\"{}\"/>",
                cy - r - 0.8,
                cx + r + 0.6,
                cy + r * 0.8,
                cx - r - 0.6,
                cy + r * 0.8,
                s.colour
            ),
            Marker::Diamond => format!(
                "<path d=\"M{cx:.1},{:.1} L{:.1},{cy:.1} L{cx:.1},{:.1} L{:.1},{cy:.1} Z\" fill=\"#fff\" stroke=\"{}\" stroke-width=\"1.8\"/>",
                cy - r - 0.8,
                cx + r + 0.8,
                cy + r + 0.8,
                cx - r - 0.8,
                s.colour
            ),
            Marker::Cross => format!(
                "<path d=\"M{:.1},{:.1} L{:.1},{:.1} M{:.1},{:.1} L{:.1},{:.1}\" stroke=\"{}\" stroke-width=\"2\"/>",
                cx - r,
                cy - r,
                cx + r,
                cy + r,
                cx - r,
                cy + r,
                cx + r,
                cy - r,
                s.colour
            ),
            Marker::Plus => format!(
                "<path d=\"M{:.1},{cy:.1} L{:.1},{cy:.1} M{cx:.1},{:.1} L{cx:.1},{:.1}\" stroke=\"{}\" stroke-width=\"2\"/>",
                cx - r - 0.5,
                cx + r + 0.5,
                cy - r - 0.5,
                cy + r + 0.5,
                s.colour
            ),
        };
        self.body.push_str(&shape);
        self.body.push('\n');
    }

    /// A histogram: one bar per `(x, count)`, each one x unit wide
    /// centred on x.
    pub(crate) fn histogram(&mut self, label: &str, bars: &[(f64, f64)]) {
        for &(x, count) in bars {
            if count <= 0.0 {
                continue;
            }
            let (x0, x1) = (self.px(x - 0.5), self.px(x + 0.5));
            let (y0, y1) = (self.py(count.min(self.y.max)), self.py(self.y.min));
            let _ = writeln!(
                self.body,
                "<rect x=\"{x0:.1}\" y=\"{y0:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"#8fa9c8\" stroke=\"#0b3d75\" stroke-width=\"0.6\"/>",
                (x1 - x0).max(0.5),
                (y1 - y0).max(0.0)
            );
        }
        if !label.is_empty() {
            self.legend.push((label.to_owned(), None));
        }
    }

    /// Horizontal bars `(y_row_centre, from, to)`: used for score bands.
    pub(crate) fn hbar(&mut self, y: f64, from: f64, to: f64, half_height: f64, fill: &str) {
        let (x0, x1) = (self.px(from.max(self.x.min)), self.px(to.min(self.x.max)));
        let (y0, y1) = (self.py(y + half_height), self.py(y - half_height));
        let _ = writeln!(
            self.body,
            "<rect x=\"{x0:.1}\" y=\"{y0:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{fill}\" stroke=\"#1a1a1a\" stroke-width=\"0.6\"/>",
            (x1 - x0).max(0.0),
            (y1 - y0).max(0.0)
        );
    }

    /// A labelled vertical reference line at `x` (a cut score).
    pub(crate) fn vline(&mut self, x: f64, label: &str) {
        if x < self.x.min || x > self.x.max {
            return;
        }
        let cx = self.px(x);
        let (y0, y1) = (self.py(self.y.max), self.py(self.y.min));
        let anchor = if self.x.fraction(x) > 0.8 {
            "end"
        } else {
            "start"
        };
        let dx = if anchor == "end" { -4.0 } else { 4.0 };
        let _ = writeln!(
            self.body,
            "<path d=\"M{cx:.1},{y0:.1} L{cx:.1},{y1:.1}\" stroke=\"#8a1c1c\" stroke-width=\"2\" stroke-dasharray=\"6 3\"/>\n\
             <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\" fill=\"#8a1c1c\" text-anchor=\"{anchor}\" font-weight=\"600\">{}</text>",
            cx + dx,
            y0 + 12.0,
            esc(label)
        );
    }

    /// The `<figure>`.
    pub(crate) fn finish(self) -> String {
        let mut out = String::with_capacity(self.body.len() + 3000);
        let (title_id, desc_id) = (format!("{}-title", self.id), format!("{}-desc", self.id));
        let legend_height = LEGEND_ROW * self.legend_rows() as f64;
        let _ = writeln!(
            out,
            "<figure id=\"{}\">\n<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {}\" role=\"img\" aria-labelledby=\"{title_id} {desc_id}\" font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif\">\n\
             <title id=\"{title_id}\">{}</title>\n<desc id=\"{desc_id}\">{}</desc>\n<g class=\"plot-area\" transform=\"translate(0 {legend_height})\">",
            self.id,
            self.height + legend_height,
            esc(&self.title),
            esc(&self.desc)
        );
        let (x0, x1, y0, y1) = (self.left, WIDTH - RIGHT, TOP, self.height - BOTTOM);
        let _ = writeln!(
            out,
            "<rect x=\"{x0}\" y=\"{y0:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"#fff\" stroke=\"#8c8c8c\"/>",
            x1 - x0,
            y1 - y0
        );
        // Grid and ticks.
        for (t, label) in &self.x.ticks {
            let px = self.px(*t);
            let _ = writeln!(
                out,
                "<path d=\"M{px:.1},{y0:.1} L{px:.1},{y1:.1}\" stroke=\"#e3e3e3\"/><text x=\"{px:.1}\" y=\"{:.1}\" font-size=\"12\" text-anchor=\"middle\" fill=\"#1a1a1a\">{}</text>",
                y1 + 16.0,
                esc(label)
            );
        }
        for (t, label) in &self.y.ticks {
            let py = self.py(*t);
            let _ = writeln!(
                out,
                "<path d=\"M{x0},{py:.1} L{x1},{py:.1}\" stroke=\"#e3e3e3\"/><text x=\"{:.1}\" y=\"{py:.1}\" font-size=\"12\" text-anchor=\"end\" dominant-baseline=\"middle\" fill=\"#1a1a1a\">{}</text>",
                x0 - 6.0,
                esc(label)
            );
        }
        let _ = writeln!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"13\" text-anchor=\"middle\" fill=\"#1a1a1a\">{}</text>\n\
             <text transform=\"translate(16 {:.1}) rotate(-90)\" font-size=\"13\" text-anchor=\"middle\" fill=\"#1a1a1a\">{}</text>",
            (x0 + x1) / 2.0,
            self.height - 10.0,
            esc(&self.x.label),
            (y0 + y1) / 2.0,
            esc(&self.y.label)
        );
        out.push_str(&self.body);
        out.push_str("</g>\n");
        // Legend rows above the plot area.
        for ((label, series), (lx, row)) in self.legend.iter().zip(self.legend_positions()) {
            let ly = TOP - 2.0 + row as f64 * LEGEND_ROW;
            match series {
                Some(s) => {
                    let st = style(*s);
                    let dash = if st.dash.is_empty() {
                        String::new()
                    } else {
                        format!(" stroke-dasharray=\"{}\"", st.dash)
                    };
                    let _ = writeln!(
                        out,
                        "<path d=\"M{lx:.1},{ly:.1} L{:.1},{ly:.1}\" stroke=\"{}\" stroke-width=\"2.2\"{dash}/>",
                        lx + 26.0,
                        st.colour
                    );
                    let mut marker =
                        Plot::new("", "", Axis::new(0.0, 1.0, ""), Axis::new(0.0, 1.0, ""));
                    marker.marker(*s, lx + 13.0, ly);
                    out.push_str(&marker.body);
                }
                None => {
                    let _ = writeln!(
                        out,
                        "<rect x=\"{lx:.1}\" y=\"{:.1}\" width=\"26\" height=\"10\" fill=\"#8fa9c8\" stroke=\"#0b3d75\" stroke-width=\"0.6\"/>",
                        ly - 5.0
                    );
                }
            }
            let _ = writeln!(
                out,
                "<text x=\"{:.1}\" y=\"{ly:.1}\" font-size=\"12\" dominant-baseline=\"middle\" fill=\"#1a1a1a\">{}</text>",
                lx + 31.0,
                esc(label)
            );
        }
        out.push_str("</svg>\n");
        if !self.caption.is_empty() {
            let _ = writeln!(out, "<figcaption>{}</figcaption>", self.caption);
        }
        out.push_str("</figure>\n");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axes_have_round_ticks_inside_the_range() {
        let labels = |a: &Axis| a.ticks.iter().map(|t| t.1.clone()).collect::<Vec<_>>();
        assert_eq!(
            labels(&Axis::new(0.0, 1.0, "p")),
            ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"]
        );
        assert_eq!(
            labels(&Axis::new(-4.0, 4.0, "theta")),
            ["\u{2212}4", "\u{2212}2", "0", "2", "4"]
        );
        let a = Axis::new(-0.5, 60.5, "score");
        assert_eq!(labels(&a), ["0", "20", "40", "60"]);
    }

    #[test]
    fn tick_labels_use_the_decimals_the_step_needs() {
        assert_eq!(tick_label(0.6000000000000001, 0.2), "0.6");
        assert_eq!(tick_label(-2.0, 2.0), "\u{2212}2");
        assert_eq!(tick_label(0.25, 0.25), "0.25");
    }

    /// The number after `attribute="` in the first element of `svg` that
    /// starts with `prefix`.
    fn attribute_of(svg: &str, prefix: &str, attribute: &str) -> f64 {
        let element = &svg[svg.find(prefix).expect(prefix)..];
        let key = format!("{attribute}=\"");
        let value = &element[element.find(&key).expect(attribute) + key.len()..];
        value[..value.find('"').unwrap()].parse().unwrap()
    }

    #[test]
    fn points_drawn_before_the_legend_grows_sit_on_their_gridline() {
        // The option quantile plot draws its first option before any legend
        // entry exists; its point at 1.0 must lie on the 1.0 gridline, not
        // one legend row above it.
        let mut p = Plot::new(
            "q",
            "quantiles",
            Axis::new(0.7, 5.3, "group"),
            Axis::new(0.0, 1.0, "proportion"),
        );
        p.line("A (key)", 0, &[(1.0, 0.5), (5.0, 1.0)], true, true);
        for (series, label) in ["option B", "option C", "option D", "no answer", "option E"]
            .iter()
            .enumerate()
        {
            p.line(label, series + 1, &[(1.0, 0.2), (5.0, 0.0)], true, false);
        }
        assert!(p.legend_rows() > 1, "the legend wraps");
        let svg = p.finish();
        // Gridlines and points share the plot area's frame; the legend is
        // drawn outside it.
        let area = &svg[svg.find("<g class=\"plot-area\"").unwrap()..svg.find("</g>").unwrap()];
        let gridline = |label: &str| {
            let text = area
                .lines()
                .find(|l| {
                    l.ends_with(&format!(">{label}</text>")) && l.contains("text-anchor=\"end\"")
                })
                .expect(label);
            attribute_of(text, "<text", "y")
        };
        // The key's points, in order: 0.5 in group 1 and 1.0 in group 5.
        let key: Vec<f64> = area
            .lines()
            .filter(|l| l.starts_with("<circle"))
            .map(|l| attribute_of(l, "<circle", "cy"))
            .collect();
        let expected = [(gridline("0.4") + gridline("0.6")) / 2.0, gridline("1.0")];
        assert_eq!(key.len(), 2);
        for (got, want) in key.iter().zip(expected) {
            assert!((got - want).abs() < 0.05, "{key:?} vs {expected:?}");
        }
    }

    #[test]
    fn a_plot_has_a_title_a_description_and_a_clipped_line() {
        let mut p = Plot::new(
            "f1",
            "ICC <A>",
            Axis::new(0.0, 1.0, "x"),
            Axis::new(0.0, 1.0, "y"),
        );
        p.set_desc("rises");
        p.line("A", 0, &[(0.0, -5.0), (1.0, 0.5)], true, false);
        let svg = p.finish();
        assert!(svg.contains("<title id=\"f1-title\">ICC &lt;A&gt;</title>"));
        assert!(svg.contains("<desc id=\"f1-desc\">rises</desc>"));
        assert!(svg.contains("aria-labelledby=\"f1-title f1-desc\""));
        assert!(!svg.contains("NaN"));
    }
}
