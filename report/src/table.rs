//! Format-neutral tables: typed cells that each writer lays out its own way
//! (numbers stay numbers in the workbook, get the report language's decimal
//! comma in documents, and line lists become line breaks or `; `).

use rembuk_domain::Lang;

/// What an empty cell shows in a document.
pub(crate) const NO_VALUE: &str = "–";

/// One table cell.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Cell {
    /// Untrusted or translated text.
    Text(String),
    /// Several short texts (sessions, answered problems): one per line in
    /// documents, joined with `; ` in flat files.
    Lines(Vec<String>),
    /// A count.
    Int(u32),
    /// A mean or score, already rounded to two decimals.
    Decimal(f64),
    /// A share between 0 and 1, shown as a percentage.
    Share(f64),
    /// Yes or no.
    Flag(bool),
    /// Nothing to show (e.g. an idea nobody rated).
    Blank,
}

impl Cell {
    /// A text cell.
    pub(crate) fn text(s: impl Into<String>) -> Cell {
        Cell::Text(s.into())
    }

    /// An optional text: blank when absent.
    pub(crate) fn opt_text(s: Option<impl Into<String>>) -> Cell {
        s.map_or(Cell::Blank, |s| Cell::Text(s.into()))
    }

    /// A score from the domain (f32, rounded to two decimals there). Going
    /// through the two-decimal rounding again makes the f64 the nearest one
    /// to the decimal people see, so `11.33_f32` is written as `11.33`, not
    /// `11.329999923706055`.
    pub(crate) fn score(x: f32) -> Cell {
        Cell::Decimal(round2(f64::from(x)))
    }

    /// An optional score: blank when absent.
    pub(crate) fn opt_score(x: Option<f32>) -> Cell {
        x.map_or(Cell::Blank, Cell::score)
    }

    /// The cell as one line of text in `lang`, with `sep` between lines.
    pub(crate) fn display(&self, lang: Lang, sep: &str) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Lines(lines) => lines.join(sep),
            Cell::Int(n) => lang.number(i64::from(*n)),
            Cell::Decimal(x) => decimal(lang, *x, 2),
            Cell::Share(x) => format!("{}%", decimal(lang, x * 100.0, 1)),
            Cell::Flag(b) => yes_no(lang, *b).to_string(),
            Cell::Blank => String::new(),
        }
    }

    /// The cell as document markup: each line escaped with `escape` and
    /// lines joined with `line_break`; an empty cell shows [`NO_VALUE`] so
    /// readers see "nothing" rather than a gap.
    pub(crate) fn markup(
        &self,
        lang: Lang,
        escape: fn(&str) -> String,
        line_break: &str,
    ) -> String {
        match self {
            Cell::Blank => NO_VALUE.to_string(),
            Cell::Lines(lines) if lines.is_empty() => NO_VALUE.to_string(),
            Cell::Lines(lines) => lines
                .iter()
                .map(|l| escape(l))
                .collect::<Vec<_>>()
                .join(line_break),
            other => escape(&other.display(lang, "; ")),
        }
    }

    /// The cell for a machine-read flat file: numbers with a decimal point
    /// and no grouping, whatever the language.
    pub(crate) fn plain(&self, lang: Lang) -> String {
        match self {
            Cell::Int(n) => n.to_string(),
            Cell::Decimal(x) => format!("{x:.2}"),
            Cell::Share(x) => format!("{x:.3}"),
            other => other.display(lang, "; "),
        }
    }

    /// Whether the cell holds a number (right-aligned in documents).
    pub(crate) fn is_numeric(&self) -> bool {
        matches!(self, Cell::Int(_) | Cell::Decimal(_) | Cell::Share(_))
    }
}

/// How wide a column should be, relative to the others.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Width {
    /// Card texts and other long prose.
    Wide,
    /// Names, labels, lists of session titles.
    Medium,
    /// Numbers, flags, dates.
    Narrow,
}

impl Width {
    /// Relative weight when sharing a page's width. Narrow columns get
    /// half a wide one: enough for a one-word header such as "Peringkat"
    /// at table size without breaking it mid-word.
    pub(crate) fn weight(self) -> usize {
        match self {
            Width::Wide => 10,
            Width::Medium => 6,
            Width::Narrow => 5,
        }
    }
}

/// A column heading.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Column {
    pub title: String,
    pub width: Width,
    /// Numbers are right-aligned.
    pub numeric: bool,
}

impl Column {
    pub(crate) fn wide(title: impl Into<String>) -> Column {
        Column {
            title: title.into(),
            width: Width::Wide,
            numeric: false,
        }
    }

    pub(crate) fn medium(title: impl Into<String>) -> Column {
        Column {
            title: title.into(),
            width: Width::Medium,
            numeric: false,
        }
    }

    pub(crate) fn number(title: impl Into<String>) -> Column {
        Column {
            title: title.into(),
            width: Width::Narrow,
            numeric: true,
        }
    }

    pub(crate) fn narrow(title: impl Into<String>) -> Column {
        Column {
            title: title.into(),
            width: Width::Narrow,
            numeric: false,
        }
    }
}

/// A table with a header row.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Table {
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    pub(crate) fn new(columns: Vec<Column>) -> Table {
        Table {
            columns,
            rows: Vec::new(),
        }
    }

    /// Adds a row; its cells line up with the columns.
    pub(crate) fn push(&mut self, row: Vec<Cell>) {
        debug_assert_eq!(row.len(), self.columns.len(), "row and header disagree");
        self.rows.push(row);
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

/// Rounds to two decimals, as the domain does for every score.
pub(crate) fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// A decimal number as written in `lang`: `11,33` in Indonesian, `11.33`
/// in English (no thousands grouping: scores and shares are small).
pub(crate) fn decimal(lang: Lang, x: f64, places: usize) -> String {
    let s = format!("{x:.places$}");
    match lang {
        Lang::Id => s.replace('.', ","),
        Lang::En => s,
    }
}

/// "Ya"/"Tidak", "Yes"/"No".
pub(crate) fn yes_no(lang: Lang, b: bool) -> &'static str {
    let t = lang.t();
    if b { t.export_yes() } else { t.export_no() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_follow_the_report_language() {
        assert_eq!(Cell::score(11.33).display(Lang::Id, ""), "11,33");
        assert_eq!(Cell::score(11.33).display(Lang::En, ""), "11.33");
        assert_eq!(Cell::Int(1234).display(Lang::Id, ""), "1.234");
        assert_eq!(Cell::Share(0.0833).display(Lang::Id, ""), "8,3%");
        assert_eq!(Cell::Share(0.0833).plain(Lang::Id), "0.083");
        assert_eq!(Cell::score(11.33).plain(Lang::Id), "11.33");
        assert_eq!(Cell::Int(1234).plain(Lang::Id), "1234");
    }

    #[test]
    fn scores_become_the_nearest_decimal() {
        assert_eq!(Cell::score(11.33), Cell::Decimal(11.33));
        assert_eq!(Cell::opt_score(None), Cell::Blank);
    }

    #[test]
    fn lines_join_with_the_writers_separator() {
        let c = Cell::Lines(vec!["Hari 1".into(), "Hari 2".into()]);
        assert_eq!(c.display(Lang::Id, "; "), "Hari 1; Hari 2");
        assert_eq!(c.plain(Lang::Id), "Hari 1; Hari 2");
        assert_eq!(Cell::Flag(true).display(Lang::En, ""), "Yes");
    }
}
