//! An Excel workbook for the secretariat to sort, filter and total:
//! participation first, then one sheet per dimension (every problem and
//! idea with its numbers), the USG matrix of all problems, and the
//! moderation log. Numbers are written as numbers, texts are defused
//! against formula injection, and every sheet name is valid and unique.

use rembuk_domain::report::Report;
use rust_xlsxwriter::{
    Color, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet,
    XlsxError,
};

use crate::{
    RenderError, escape, flat,
    outline::{self},
    table::{Cell, Table, Width},
};

/// Excel's limit on sheet names, in UTF-16 code units.
const SHEET_NAME_MAX: usize = 31;
/// Characters Excel refuses in sheet names.
const SHEET_NAME_FORBIDDEN: [char; 7] = ['[', ']', ':', '*', '?', '/', '\\'];

/// Renders the report as an `.xlsx` file.
pub(crate) fn render(report: &Report) -> Result<Vec<u8>, RenderError> {
    let t = report.language.t();
    let styles = Styles::new();
    let mut names = SheetNames::default();
    let mut workbook = Workbook::new();
    workbook.set_properties(&properties(report)?);

    let mut sheet = Sheet::new(
        workbook.add_worksheet(),
        &names.claim(t.export_participation(), "1"),
        &styles,
    )?;
    sheet.title(t.export_participation_overview())?;
    sheet.caption(t.export_by_group())?;
    sheet.table(&outline::participation_by_group(report), false)?;
    sheet.caption(t.export_by_session())?;
    sheet.table(&outline::participation_by_session(report), false)?;
    sheet.caption(t.export_imbalances())?;
    let imbalances = outline::imbalances(report);
    if imbalances.is_empty() {
        sheet.note(t.export_no_imbalances())?;
    } else {
        sheet.note(&outline::imbalance_note(report))?;
        sheet.table(&imbalances, false)?;
    }
    sheet.finish()?;

    for (i, dim) in report.ordered_dimensions().enumerate() {
        let fallback = (i + 2).to_string();
        let name = names.claim(&dim.name, &fallback);
        let mut sheet = Sheet::new(workbook.add_worksheet(), &name, &styles)?;
        sheet.title(&dim.name)?;
        sheet.table(&flat::items(report, [dim], false), true)?;
        sheet.finish()?;
    }

    let name = names.claim(t.export_usg_matrix(), "USG");
    let mut sheet = Sheet::new(workbook.add_worksheet(), &name, &styles)?;
    sheet.title(t.export_usg_matrix())?;
    sheet.table(&flat::usg_matrix(report), true)?;
    sheet.finish()?;

    let name = names.claim(t.export_moderation_log(), "Log");
    let mut sheet = Sheet::new(workbook.add_worksheet(), &name, &styles)?;
    sheet.title(t.export_moderation_log())?;
    sheet.table(&outline::moderation_log(report), true)?;
    sheet.finish()?;

    Ok(workbook.save_to_buffer()?)
}

/// Title and a fixed creation time (the report's), so that the same report
/// gives the same metadata.
fn properties(report: &Report) -> Result<DocProperties, XlsxError> {
    let t = report.language.t();
    let created = ExcelDateTime::from_timestamp(report.generated_at.millis().div_euclid(1000))?;
    Ok(DocProperties::new()
        .set_title(format!(
            "{} — {}",
            t.export_document_title(),
            report.workshop.title
        ))
        .set_creation_datetime(&created))
}

/// The cell formats, made once per workbook.
struct Styles {
    title: Format,
    caption: Format,
    note: Format,
    header: Format,
    text: Format,
    number: Format,
    decimal: Format,
    share: Format,
}

impl Styles {
    fn new() -> Styles {
        let boxed = || {
            Format::new()
                .set_border(FormatBorder::Thin)
                .set_border_color(Color::RGB(0x9A_A5B1))
                .set_align(FormatAlign::Top)
        };
        Styles {
            title: Format::new().set_bold().set_font_size(14),
            caption: Format::new().set_bold(),
            note: Format::new().set_italic(),
            header: boxed()
                .set_bold()
                .set_text_wrap()
                .set_background_color(Color::RGB(0xE3_EBF3)),
            text: boxed().set_text_wrap(),
            number: boxed(),
            decimal: boxed().set_num_format("0.00"),
            share: boxed().set_num_format("0.0%"),
        }
    }
}

/// Writes blocks one under another on a worksheet and remembers how wide
/// each column needs to be.
struct Sheet<'a> {
    ws: &'a mut Worksheet,
    styles: &'a Styles,
    row: u32,
    widths: Vec<f64>,
}

impl<'a> Sheet<'a> {
    fn new(ws: &'a mut Worksheet, name: &str, styles: &'a Styles) -> Result<Sheet<'a>, XlsxError> {
        ws.set_name(name)?;
        Ok(Sheet {
            ws,
            styles,
            row: 0,
            widths: Vec::new(),
        })
    }

    fn title(&mut self, text: &str) -> Result<(), XlsxError> {
        self.ws.write_string_with_format(
            self.row,
            0,
            escape::spreadsheet(text),
            &self.styles.title,
        )?;
        self.row += 2;
        Ok(())
    }

    fn caption(&mut self, text: &str) -> Result<(), XlsxError> {
        self.ws.write_string_with_format(
            self.row,
            0,
            escape::spreadsheet(text),
            &self.styles.caption,
        )?;
        self.row += 1;
        Ok(())
    }

    fn note(&mut self, text: &str) -> Result<(), XlsxError> {
        self.ws.write_string_with_format(
            self.row,
            0,
            escape::spreadsheet(text),
            &self.styles.note,
        )?;
        self.row += 2;
        Ok(())
    }

    /// A table with its header row; `main` marks the sheet's one big table,
    /// which gets a filter and a frozen header.
    fn table(&mut self, table: &Table, main: bool) -> Result<(), XlsxError> {
        let header_row = self.row;
        for (col, column) in table.columns.iter().enumerate() {
            let col = col_num(col)?;
            self.ws.write_string_with_format(
                header_row,
                col,
                escape::spreadsheet(&column.title),
                &self.styles.header,
            )?;
            self.want_width(col, column.width);
        }
        for (i, row) in table.rows.iter().enumerate() {
            let r = header_row + 1 + i as u32;
            for (col, cell) in row.iter().enumerate() {
                self.cell(r, col_num(col)?, cell)?;
            }
        }
        let last_row = header_row + table.rows.len() as u32;
        if main && !table.columns.is_empty() {
            let last_col = col_num(table.columns.len() - 1)?;
            self.ws.autofilter(header_row, 0, last_row, last_col)?;
            self.ws.set_freeze_panes(header_row + 1, 0)?;
        }
        self.row = last_row + 2;
        Ok(())
    }

    /// One typed cell: numbers as numbers, flags as booleans, text defused.
    fn cell(&mut self, row: u32, col: u16, cell: &Cell) -> Result<(), XlsxError> {
        let s = self.styles;
        match cell {
            Cell::Text(text) => {
                self.ws
                    .write_string_with_format(row, col, escape::spreadsheet(text), &s.text)?;
            }
            Cell::Lines(lines) if lines.is_empty() => {}
            Cell::Lines(lines) => {
                self.ws.write_string_with_format(
                    row,
                    col,
                    escape::spreadsheet(&lines.join("\n")),
                    &s.text,
                )?;
            }
            Cell::Int(n) => {
                self.ws
                    .write_number_with_format(row, col, f64::from(*n), &s.number)?;
            }
            Cell::Decimal(x) => {
                self.ws.write_number_with_format(row, col, *x, &s.decimal)?;
            }
            Cell::Share(x) => {
                self.ws.write_number_with_format(row, col, *x, &s.share)?;
            }
            Cell::Flag(b) => {
                self.ws.write_boolean_with_format(row, col, *b, &s.number)?;
            }
            Cell::Blank => {}
        }
        Ok(())
    }

    fn want_width(&mut self, col: u16, width: Width) {
        let chars = match width {
            Width::Wide => 60.0,
            Width::Medium => 24.0,
            Width::Narrow => 12.0,
        };
        let i = usize::from(col);
        if self.widths.len() <= i {
            self.widths.resize(i + 1, 0.0);
        }
        self.widths[i] = f64::max(self.widths[i], chars);
    }

    /// Applies the column widths the tables asked for.
    fn finish(self) -> Result<(), XlsxError> {
        for (col, width) in self.widths.iter().enumerate() {
            if *width > 0.0 {
                self.ws.set_column_width(col_num(col)?, *width)?;
            }
        }
        Ok(())
    }
}

/// A column index as Excel's type; a table wider than Excel can hold is a
/// writer error, not a panic.
fn col_num(col: usize) -> Result<u16, XlsxError> {
    u16::try_from(col).map_err(|_| XlsxError::RowColumnLimitError)
}

/// Hands out valid, unique sheet names.
struct SheetNames {
    /// Lower-cased names already used: Excel compares them without case.
    taken: Vec<String>,
}

impl Default for SheetNames {
    fn default() -> Self {
        // Excel reserves "History" for its change tracking.
        SheetNames {
            taken: vec!["history".to_string()],
        }
    }
}

impl SheetNames {
    /// A valid name as close to `wanted` as possible: forbidden characters
    /// removed, cut to 31 units, and numbered when already used. `fallback`
    /// stands in for a name with nothing usable left.
    fn claim(&mut self, wanted: &str, fallback: &str) -> String {
        let mut base = clean_sheet_name(wanted);
        if base.is_empty() {
            base = clean_sheet_name(fallback);
        }
        let mut name = cut_utf16(&base, SHEET_NAME_MAX);
        let mut n = 2;
        while self.taken.contains(&name.to_lowercase()) {
            let suffix = format!(" ({n})");
            name = format!(
                "{}{suffix}",
                cut_utf16(&base, SHEET_NAME_MAX - suffix.len())
            );
            n += 1;
        }
        self.taken.push(name.to_lowercase());
        name
    }
}

/// Removes what Excel refuses: `[]:*?/\`, control characters, and
/// apostrophes or spaces at either end.
fn clean_sheet_name(name: &str) -> String {
    let kept: String = name
        .chars()
        .filter(|c| !SHEET_NAME_FORBIDDEN.contains(c) && !c.is_control())
        .collect();
    trim_name(&kept).to_string()
}

fn trim_name(name: &str) -> &str {
    name.trim_matches(|c: char| c == '\'' || c.is_whitespace())
}

/// At most `max` UTF-16 code units (Excel's measure), cut on a character
/// boundary and trimmed again so no apostrophe ends up last.
fn cut_utf16(name: &str, max: usize) -> String {
    let mut units = 0;
    let cut: String = name
        .chars()
        .take_while(|c| {
            units += c.len_utf16();
            units <= max
        })
        .collect();
    trim_name(&cut).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_are_valid_and_unique() {
        let mut names = SheetNames::default();
        assert_eq!(names.claim("Tata Kelola Cerdas", "x"), "Tata Kelola Cerdas");
        assert_eq!(
            names.claim("tata kelola cerdas", "x"),
            "tata kelola cerdas (2)"
        );
        assert_eq!(names.claim("A/B: [uji]*?\\", "x"), "AB uji");
        assert_eq!(names.claim("'kutip'", "x"), "kutip");
        assert_eq!(names.claim("History", "x"), "History (2)");
        assert_eq!(names.claim("[]:*?/\\", "7"), "7");
        let long = "Ekonomi Cerdas dan Kesejahteraan Rakyat Kabupaten";
        let a = names.claim(long, "x");
        let b = names.claim(long, "x");
        assert_eq!(a.encode_utf16().count(), 31);
        assert!(b.ends_with(" (2)") && b.encode_utf16().count() <= 31);
        assert_ne!(a.to_lowercase(), b.to_lowercase());
        let emoji = names.claim(&"🚧".repeat(40), "x");
        assert!(emoji.encode_utf16().count() <= 31, "{emoji}");
    }
}
