//! Rembuk's exports: the compiled [`Report`] laid out as JSON, Markdown,
//! Word (DOCX), Excel (XLSX), CSV and a printable HTML page, so that the
//! secretariat can paste the draft input into the regency's Rencana Induk
//! Smart City.
//!
//! Every format is drawn from one format-neutral outline (see `outline`),
//! so the Word file, the Markdown and the print page cannot drift apart;
//! the spreadsheet and the CSV share one flat table of items. Every label
//! comes from the translation files in the report's own language.
//!
//! Card texts, titles and names are untrusted input: HTML and SVG output
//! escapes them, and CSV and XLSX output defuses cells that a spreadsheet
//! would read as a formula.
//!
//! ```
//! # fn demo(report: &rembuk_domain::report::Report) -> Result<(), rembuk_report::RenderError> {
//! use rembuk_report::{Format, render, file_name};
//! let format: Format = "docx".parse().expect("a known format");
//! let out = render(report, format)?;
//! let name = file_name(report, format);
//! # let _ = (out.bytes, out.content_type, name);
//! # Ok(()) }
//! ```

mod chart;
mod escape;
mod flat;
mod outline;
mod render;
mod table;

use std::{fmt, str::FromStr};

use rembuk_domain::{AppError, Field, Problem, report::Report, text, time::WIB};

pub use chart::{bar_chart_svg, dimension_chart_svg};

/// An export format.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Format {
    /// The report model itself, for other programs.
    #[default]
    Json,
    /// GitHub-flavoured Markdown, for pasting and for review in git.
    Markdown,
    /// A Word document with real headings and tables.
    Docx,
    /// An Excel workbook: one sheet per dimension, the USG matrix and
    /// participation.
    Xlsx,
    /// One flat table of every problem and idea.
    Csv,
    /// A standalone page to print on A4 (or save as PDF) and to project.
    Html,
}

impl Format {
    /// Every format, in the order the export menu lists them.
    pub const ALL: [Format; 6] = [
        Format::Json,
        Format::Markdown,
        Format::Docx,
        Format::Xlsx,
        Format::Csv,
        Format::Html,
    ];

    /// The name used in URLs and the API (`json`, `md`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Markdown => "md",
            Format::Docx => "docx",
            Format::Xlsx => "xlsx",
            Format::Csv => "csv",
            Format::Html => "html",
        }
    }

    /// The `Content-Type` to serve the bytes with.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Json => "application/json",
            Format::Markdown => "text/markdown; charset=utf-8",
            Format::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Format::Csv => "text/csv; charset=utf-8",
            Format::Html => "text/html; charset=utf-8",
        }
    }

    /// The file extension, without the dot.
    pub fn extension(self) -> &'static str {
        self.as_str()
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Format {
    type Err = AppError;

    /// Parses an API name; an empty one means JSON, the API's default.
    fn from_str(s: &str) -> Result<Self, AppError> {
        let s = s.trim();
        if s.is_empty() {
            return Ok(Format::Json);
        }
        Format::ALL
            .into_iter()
            .find(|f| f.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| AppError::invalid(Field::Format, Problem::Unknown))
    }
}

/// A rendered export, ready to send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rendered {
    pub bytes: Vec<u8>,
    pub content_type: &'static str,
    pub extension: &'static str,
}

/// Why an export could not be written. These are internal failures (a
/// writer library refusing its input); no report, however odd, is a user
/// error.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("could not serialise the report as JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("could not write the Word document: {0}")]
    Docx(#[from] docx_rs::DocxError),
    #[error("could not compress the Word document: {0}")]
    Compress(#[source] std::io::Error),
    #[error("could not write the workbook: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    #[error("could not write the CSV: {0}")]
    Csv(#[from] csv::Error),
}

/// Renders a report in one format.
pub fn render(report: &Report, format: Format) -> Result<Rendered, RenderError> {
    let bytes = match format {
        Format::Json => serde_json::to_vec_pretty(report)?,
        Format::Markdown => render::markdown::render(report).into_bytes(),
        Format::Docx => render::docx::render(report)?,
        Format::Xlsx => render::xlsx::render(report)?,
        Format::Csv => render::csv::render(report)?,
        Format::Html => render::html::render(report).into_bytes(),
    };
    Ok(Rendered {
        bytes,
        content_type: format.content_type(),
        extension: format.extension(),
    })
}

/// The download name, e.g. `rembuk-fgd-aceh-selatan-2026-12-02.docx`: the
/// workshop title as ASCII, then the day the report was compiled (in WIB,
/// Aceh's time), so that successive drafts sort by date.
pub fn file_name(report: &Report, format: Format) -> String {
    let slug = file_slug(&report.workshop.title);
    let date = report.generated_at.date_at_offset(WIB);
    let ext = format.extension();
    if slug.is_empty() {
        format!("rembuk-{date}.{ext}")
    } else {
        format!("rembuk-{slug}-{date}.{ext}")
    }
}

/// Longest title part of a file name, in bytes (all ASCII).
const FILE_SLUG_MAX: usize = 60;

/// The title as lower-case ASCII words joined by `-`, cut between words.
fn file_slug(title: &str) -> String {
    let mut out = String::new();
    let words = title
        .split_whitespace()
        .map(|w| text::slug(w).replace('_', "-"))
        .filter(|w| !w.is_empty());
    for word in words {
        let sep = usize::from(!out.is_empty());
        if out.len() + sep + word.len() > FILE_SLUG_MAX {
            break;
        }
        if sep == 1 {
            out.push('-');
        }
        out.push_str(&word);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_parse_from_their_api_names() {
        for f in Format::ALL {
            assert_eq!(f.as_str().parse::<Format>().unwrap(), f);
            assert_eq!(f.to_string(), f.extension());
            assert!(!f.content_type().is_empty());
        }
        assert_eq!(" DOCX ".parse::<Format>().unwrap(), Format::Docx);
        assert_eq!("".parse::<Format>().unwrap(), Format::Json);
        assert_eq!(
            "pdf".parse::<Format>(),
            Err(AppError::invalid(Field::Format, Problem::Unknown))
        );
    }

    #[test]
    fn file_slugs_are_ascii_and_cut_between_words() {
        assert_eq!(
            file_slug("FGD Smart City — Aceh Selatan"),
            "fgd-smart-city-aceh-selatan"
        );
        assert_eq!(file_slug("Café/Kopi: Hari 1"), "cafe-kopi-hari-1");
        assert_eq!(file_slug("!!! ???"), "");
        let long = file_slug(&"Kabupaten ".repeat(20));
        assert!(long.len() <= FILE_SLUG_MAX && long.ends_with("kabupaten"));
    }
}
