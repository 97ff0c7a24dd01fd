//! One flat CSV table of every problem and idea across the dimensions, for
//! other tools. Headers are in the report's language; numbers use a
//! decimal point whatever the language, so any program can read them; text
//! cells are defused against formula injection. No byte-order mark: people
//! who want Excel get the workbook.

use csv::{Terminator, WriterBuilder};
use rembuk_domain::report::Report;

use crate::{RenderError, escape, flat, table::Cell};

/// Renders the report's items as CSV.
pub(crate) fn render(report: &Report) -> Result<Vec<u8>, RenderError> {
    let lang = report.language;
    let table = flat::items(report, report.ordered_dimensions(), true);
    // CRLF, as RFC 4180 and spreadsheets expect.
    let mut writer = WriterBuilder::new()
        .terminator(Terminator::CRLF)
        .from_writer(Vec::new());
    writer.write_record(table.columns.iter().map(|c| escape::spreadsheet(&c.title)))?;
    for row in &table.rows {
        writer.write_record(row.iter().map(|cell| match cell {
            Cell::Text(_) | Cell::Lines(_) => escape::spreadsheet(&cell.plain(lang)),
            other => other.plain(lang),
        }))?;
    }
    writer
        .into_inner()
        .map_err(|e| RenderError::Csv(e.into_error().into()))
}
