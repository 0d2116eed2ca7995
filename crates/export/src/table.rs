//! The one renderer of human-readable tables: columns of text, each padded
//! to its width and aligned, separated by spaces.
//!
//! A column's width is either fitted to its header and cells (with a
//! minimum) or fixed (a longer cell pushes the line on rather than being
//! cut). Its alignment is left, right, or numeric: right when every
//! non-empty cell is a number (`-`, a trailing `%` or `x` allowed), left
//! otherwise. [`Table::new`] gives the plain layout of the bank commands
//! (fitted, numeric alignment, two spaces, a rule under the header, trailing
//! blanks trimmed); the report tables set their columns one by one.

/// How a column's cells are aligned within its width.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// Padded on the right.
    Left,
    /// Padded on the left.
    Right,
    /// Right when every non-empty cell is a number, else left.
    Numeric,
}

/// How wide a column is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Width {
    /// The widest of the header and the cells, at least `min` characters.
    Fit {
        /// The least width.
        min: usize,
    },
    /// Exactly this many characters (a longer cell overflows).
    Fixed(usize),
}

/// One column: its header, alignment, width and the spaces before it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    header: String,
    align: Align,
    width: Width,
    gap: usize,
}

impl Column {
    /// A left-aligned column fitted to its content, two spaces before it.
    pub fn new(header: impl Into<String>) -> Self {
        Self {
            header: header.into(),
            align: Align::Left,
            width: Width::Fit { min: 0 },
            gap: 2,
        }
    }

    /// A left-aligned column of a fixed width, one space before it.
    pub fn left(header: impl Into<String>, width: usize) -> Self {
        Self::new(header).width(Width::Fixed(width)).gap(1)
    }

    /// A right-aligned column of a fixed width, one space before it.
    pub fn right(header: impl Into<String>, width: usize) -> Self {
        Self::left(header, width).align(Align::Right)
    }

    /// The column with this alignment.
    pub fn align(mut self, align: Align) -> Self {
        self.align = align;
        self
    }

    /// The column with this width.
    pub fn width(mut self, width: Width) -> Self {
        self.width = width;
        self
    }

    /// The column with `gap` spaces before it (ignored for the first column).
    pub fn gap(mut self, gap: usize) -> Self {
        self.gap = gap;
        self
    }
}

/// A table under construction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    columns: Vec<Column>,
    rows: Vec<Vec<String>>,
    indent: String,
    rule: bool,
    trim: bool,
}

impl Table {
    /// The plain layout: a column per header, fitted, numeric alignment, two
    /// spaces apart, a rule of dashes under the header, trailing blanks
    /// trimmed.
    pub fn new<S: Into<String>>(headers: impl IntoIterator<Item = S>) -> Self {
        Self::with_columns(
            headers
                .into_iter()
                .map(|h| Column::new(h).align(Align::Numeric)),
        )
        .rule(true)
        .trim(true)
    }

    /// A table of these columns, without rule, trimming or indent.
    pub fn with_columns(columns: impl IntoIterator<Item = Column>) -> Self {
        Self {
            columns: columns.into_iter().collect(),
            rows: Vec::new(),
            indent: String::new(),
            rule: false,
            trim: false,
        }
    }

    /// Whether a rule of dashes follows the header.
    pub fn rule(mut self, rule: bool) -> Self {
        self.rule = rule;
        self
    }

    /// Whether trailing blanks are trimmed from every line.
    pub fn trim(mut self, trim: bool) -> Self {
        self.trim = trim;
        self
    }

    /// Text put before every line.
    pub fn indent(mut self, indent: impl Into<String>) -> Self {
        self.indent = indent.into();
        self
    }

    /// Appends a row (missing cells print empty).
    pub fn row<S: Into<String>>(&mut self, cells: impl IntoIterator<Item = S>) {
        self.rows.push(cells.into_iter().map(Into::into).collect());
    }

    /// The table as text, one line per row, each ending in a newline.
    pub fn render(&self) -> String {
        let mut layout = self.layout();
        for row in &self.rows {
            layout.observe(row);
        }
        let mut out = layout.header();
        for row in &self.rows {
            out.push_str(&layout.line(row));
        }
        out
    }

    /// The layout of this table's columns before any row is seen; rows
    /// given to [`Layout::observe`] fit it (the table's own rows are not
    /// looked at).
    pub fn layout(&self) -> Layout {
        let widths = self
            .columns
            .iter()
            .map(|column| match column.width {
                Width::Fixed(w) => w,
                Width::Fit { min } => column.header.chars().count().max(min),
            })
            .collect();
        Layout {
            table: Table {
                columns: self.columns.clone(),
                rows: Vec::new(),
                indent: self.indent.clone(),
                rule: self.rule,
                trim: self.trim,
            },
            widths,
            numbers_only: vec![true; self.columns.len()],
        }
    }
}

/// A table's layout fitted to rows seen one at a time: the width of each
/// fitted column (the widest of header, cells and minimum) and whether each
/// column holds only numbers (for [`Align::Numeric`]). A row need not be
/// kept once seen, so a table too long to hold renders in two passes over
/// its rows (from a spool file, say): [`Layout::observe`] each, then
/// [`Layout::header`] and [`Layout::line`] of each.
#[derive(Debug, Clone)]
pub struct Layout {
    /// The columns and options (no rows).
    table: Table,
    widths: Vec<usize>,
    numbers_only: Vec<bool>,
}

impl Layout {
    /// Fits the layout to one more row (missing cells count as empty).
    pub fn observe<S: AsRef<str>>(&mut self, row: &[S]) {
        for (c, column) in self.table.columns.iter().enumerate() {
            let value = row.get(c).map_or("", AsRef::as_ref);
            if let Width::Fit { .. } = column.width {
                self.widths[c] = self.widths[c].max(value.chars().count());
            }
            self.numbers_only[c] &= is_number(value);
        }
    }

    /// The header line, and the rule under it where the table has one.
    pub fn header(&self) -> String {
        let headers: Vec<&str> = self
            .table
            .columns
            .iter()
            .map(|c| c.header.as_str())
            .collect();
        let mut out = self.line(&headers);
        if self.table.rule {
            let dashes: Vec<String> = self.widths.iter().map(|w| "-".repeat(*w)).collect();
            out.push_str(&self.line(&dashes));
        }
        out
    }

    /// One row as a line of the table, ending in a newline.
    pub fn line<S: AsRef<str>>(&self, row: &[S]) -> String {
        let table = &self.table;
        let mut text = table.indent.clone();
        for (c, column) in table.columns.iter().enumerate() {
            let value = row.get(c).map_or("", AsRef::as_ref);
            if c > 0 {
                text.extend(std::iter::repeat_n(' ', column.gap));
            }
            let w = self.widths[c];
            let right = match column.align {
                Align::Left => false,
                Align::Right => true,
                Align::Numeric => self.numbers_only[c],
            };
            if right {
                text.push_str(&format!("{value:>w$}"));
            } else {
                text.push_str(&format!("{value:<w$}"));
            }
        }
        if table.trim {
            text.truncate(text.trim_end().len());
        }
        text.push('\n');
        text
    }
}

/// Whether a cell counts as a number for [`Align::Numeric`].
fn is_number(v: &str) -> bool {
    v.is_empty() || v == "-" || v.trim_end_matches(['%', 'x']).parse::<f64>().is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_layout_aligns_numbers_right_and_text_left_under_a_rule() {
        let mut t = Table::new(["name", "n"]);
        t.row(["alpha", "3"]);
        t.row(["b", "12%"]);
        assert_eq!(
            t.render(),
            "name     n\n-----  ---\nalpha    3\nb      12%\n"
        );
    }

    #[test]
    fn fixed_columns_pad_and_overflow_and_keep_trailing_blanks_unless_trimmed() {
        let mut t = Table::with_columns([
            Column::left("id", 3),
            Column::right("x", 4),
            Column::new("f").width(Width::Fixed(0)),
        ]);
        t.row(["abcd", "1.5", ""]);
        assert_eq!(t.render(), "id     x  f\nabcd  1.5  \n");
        let trimmed = t.clone().trim(true).indent("> ");
        assert_eq!(trimmed.render(), "> id     x  f\n> abcd  1.5\n");
    }
}
