//! A Word document on A4 that pastes cleanly into the master plan: real
//! heading styles (so Word's navigation pane and table of contents pick
//! them up), real tables with a shaded header row, and page numbers.

use std::io::Cursor;

use docx_rs::{
    AlignmentType, BreakType, Docx, DocxError, Footer, LineSpacing, LineSpacingType, PageMargin,
    PageNum, Paragraph, Run, RunFonts, Shading, SpecialIndentType, Style, StyleType, TableCell,
    TableCellMargins, TableLayoutType, TableRow, WidthType,
};
use rembuk_domain::report::Report;
use zip::{CompressionMethod, ZipArchive, ZipWriter, result::ZipResult, write::SimpleFileOptions};

use crate::{
    RenderError, escape,
    outline::{self, Block, Chapter, Document},
    table::{Cell, Column, NO_VALUE, Table},
};

/// A4 in twentieths of a point.
const PAGE_WIDTH: u32 = 11_906;
const PAGE_HEIGHT: u32 = 16_838;
/// 2.5 cm margins.
const MARGIN: i32 = 1_418;
/// The width tables share.
const TEXT_WIDTH: usize = PAGE_WIDTH as usize - 2 * MARGIN as usize;
/// Body and table text sizes, in half-points.
const BODY_SIZE: usize = 22;
const TABLE_SIZE: usize = 16;
const HEADER_FILL: &str = "E3EBF3";
const ACCENT: &str = "1F3864";
const FONT: &str = "Arial";

/// Renders the report as a `.docx` file.
pub(crate) fn render(report: &Report) -> Result<Vec<u8>, RenderError> {
    let doc = outline::build(report);
    let mut docx = base(&doc, &report.generated_at.to_string());
    docx = cover(docx, &doc);
    for chapter in &doc.chapters {
        docx = chapter_docx(docx, &doc, chapter);
    }
    let mut buf = Cursor::new(Vec::new());
    docx.build().pack(&mut buf).map_err(DocxError::from)?;
    deflate(buf.into_inner()).map_err(|e| RenderError::Compress(std::io::Error::other(e)))
}

/// Re-packs the document with every part deflated. docx-rs stores its
/// parts uncompressed, which makes a large workshop's report ten times the
/// size it needs to be: too big to mail over a regency office connection.
/// Parts keep their order ([Content_Types].xml first) and get a fixed
/// timestamp.
fn deflate(stored: Vec<u8>) -> ZipResult<Vec<u8>> {
    let mut archive = ZipArchive::new(Cursor::new(stored))?;
    let mut out = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    for i in 0..archive.len() {
        let mut part = archive.by_index(i)?;
        // Folder entries mean nothing to Word; only files are parts.
        if part.is_dir() {
            continue;
        }
        let name = part.name()?.into_owned();
        out.start_file(name, options)?;
        std::io::copy(&mut part, &mut out)?;
    }
    Ok(out.finish()?.into_inner())
}

/// Page set-up, fonts, styles, footer and metadata.
fn base(doc: &Document, created: &str) -> Docx {
    let fonts = RunFonts::new().ascii(FONT).hi_ansi(FONT).cs(FONT);
    let footer = Footer::new().add_paragraph(
        Paragraph::new()
            .add_page_num(PageNum::new())
            .align(AlignmentType::Center),
    );
    styles()
        .into_iter()
        .fold(Docx::new(), Docx::add_style)
        .page_size(PAGE_WIDTH, PAGE_HEIGHT)
        .page_margin(
            PageMargin::new()
                .top(MARGIN)
                .bottom(MARGIN)
                .left(MARGIN)
                .right(MARGIN)
                .header(709)
                .footer(709),
        )
        .default_fonts(fonts)
        .default_size(BODY_SIZE)
        .default_line_spacing(spacing(0, 120).line(264).line_rule(LineSpacingType::Auto))
        .footer(footer)
        .created_at(created)
        .custom_property("language", doc.lang.code())
}

/// Heading styles named as Word names its built-in ones ("heading 1"), so
/// that the navigation pane, outline view and table of contents work.
fn styles() -> Vec<Style> {
    let heading = |id: &str, name: &str, size: usize, level: usize, before: u32| {
        Style::new(id, StyleType::Paragraph)
            .name(name)
            .based_on("Normal")
            .next("Normal")
            .size(size)
            .bold()
            .color(ACCENT)
            .outline_lvl(level)
            .line_spacing(spacing(before, 120))
    };
    vec![
        Style::new("Title", StyleType::Paragraph)
            .name("Title")
            .based_on("Normal")
            .size(44)
            .bold()
            .color(ACCENT)
            .line_spacing(spacing(2400, 240)),
        Style::new("Subtitle", StyleType::Paragraph)
            .name("Subtitle")
            .based_on("Normal")
            .size(30)
            .color("2F6690")
            .line_spacing(spacing(0, 480)),
        heading("Heading1", "heading 1", 32, 0, 0),
        heading("Heading2", "heading 2", 26, 1, 360),
        heading("Heading3", "heading 3", 22, 2, 240),
        Style::new("Note", StyleType::Paragraph)
            .name("Note")
            .based_on("Normal")
            .size(20)
            .italic()
            .color("404040"),
    ]
}

/// Space before and after a paragraph, in twips.
fn spacing(before: u32, after: u32) -> LineSpacing {
    LineSpacing::new().before(before).after(after)
}

/// Table text sits tight in its cell.
fn tight() -> LineSpacing {
    spacing(0, 0).line(240).line_rule(LineSpacingType::Auto)
}

/// A run of text; line breaks inside it become Word line breaks.
fn run(text: &str) -> Run {
    let text = escape::xml_chars(text);
    let mut run = Run::new();
    for (i, line) in text.lines().enumerate() {
        if i > 0 {
            run = run.add_break(BreakType::TextWrapping);
        }
        run = run.add_text(line);
    }
    run
}

fn styled(style: &str, text: &str) -> Paragraph {
    Paragraph::new().style(style).add_run(run(text))
}

fn heading(level: u8, text: &str) -> Paragraph {
    styled(&format!("Heading{level}"), text).keep_next(true)
}

/// The title page: what this is, for which workshop, where and when.
fn cover(docx: Docx, doc: &Document) -> Docx {
    let mut docx = docx
        .add_paragraph(styled("Title", &doc.title))
        .add_paragraph(styled("Subtitle", &doc.subtitle));
    for (label, value) in &doc.facts {
        docx = docx.add_paragraph(
            Paragraph::new()
                .add_run(run(&format!("{label}: ")).bold())
                .add_run(run(value)),
        );
    }
    docx.add_paragraph(styled("Note", &doc.note))
}

/// A chapter starts a new page under a Heading 1; sections are Heading 2.
fn chapter_docx(mut docx: Docx, doc: &Document, chapter: &Chapter) -> Docx {
    docx = docx.add_paragraph(heading(1, &chapter.title).page_break_before(true));
    for section in &chapter.sections {
        docx = docx.add_paragraph(heading(2, &section.title));
        for block in &section.blocks {
            docx = block_docx(docx, doc, block);
        }
    }
    docx
}

fn block_docx(docx: Docx, doc: &Document, block: &Block) -> Docx {
    match block {
        Block::Paragraph(text) => docx.add_paragraph(Paragraph::new().add_run(run(text))),
        Block::Note(text) => docx.add_paragraph(styled("Note", text)),
        Block::List(items) => items.iter().fold(docx, |docx, item| {
            docx.add_paragraph(
                Paragraph::new()
                    .indent(Some(360), Some(SpecialIndentType::Hanging(240)), None, None)
                    .line_spacing(spacing(0, 40))
                    .add_run(run(&format!("•\u{a0}{item}"))),
            )
        }),
        Block::Caption(text) => docx.add_paragraph(heading(3, text)),
        Block::Table(table) => docx
            .add_table(table_docx(doc, table))
            // Word glues consecutive tables together without a paragraph.
            .add_paragraph(Paragraph::new()),
        // Charts are for the HTML export; Word gets the same numbers as tables.
        Block::Chart(_) => docx,
    }
}

/// Column widths in twips, by relative weight, filling the text width.
fn column_widths(columns: &[Column]) -> Vec<usize> {
    let total: usize = columns
        .iter()
        .map(|c| c.width.weight())
        .sum::<usize>()
        .max(1);
    let mut widths: Vec<usize> = columns
        .iter()
        .map(|c| TEXT_WIDTH * c.width.weight() / total)
        .collect();
    // Rounding leftovers go to the last column so the table fills the line.
    let used: usize = widths.iter().sum();
    if let Some(last) = widths.last_mut() {
        *last += TEXT_WIDTH.saturating_sub(used);
    }
    widths
}

fn table_docx(doc: &Document, table: &Table) -> docx_rs::Table {
    let widths = column_widths(&table.columns);
    let header = TableRow::new(
        table
            .columns
            .iter()
            .zip(&widths)
            .map(|(c, w)| header_cell(c, *w))
            .collect(),
    )
    .cant_split();
    let rows = std::iter::once(header).chain(table.rows.iter().map(|row| {
        TableRow::new(
            row.iter()
                .zip(&table.columns)
                .zip(&widths)
                .map(|((cell, column), w)| body_cell(doc, cell, column, *w))
                .collect(),
        )
        .cant_split()
    }));
    docx_rs::Table::new(rows.collect())
        .set_grid(widths)
        .width(TEXT_WIDTH, WidthType::Dxa)
        .layout(TableLayoutType::Fixed)
        // A little air between text and borders (top, right, bottom, left).
        .margins(TableCellMargins::new().margin(30, 80, 30, 80))
}

fn align(numeric: bool) -> AlignmentType {
    if numeric {
        AlignmentType::Right
    } else {
        AlignmentType::Left
    }
}

fn header_cell(column: &Column, width: usize) -> TableCell {
    TableCell::new()
        .width(width, WidthType::Dxa)
        .shading(Shading::new().fill(HEADER_FILL))
        .add_paragraph(
            Paragraph::new()
                .align(align(column.numeric))
                .line_spacing(tight())
                .keep_next(true)
                .add_run(run(&column.title).bold().size(TABLE_SIZE)),
        )
}

fn body_cell(doc: &Document, cell: &Cell, column: &Column, width: usize) -> TableCell {
    let lines = match cell {
        Cell::Blank => vec![NO_VALUE.to_string()],
        Cell::Lines(lines) if lines.is_empty() => vec![NO_VALUE.to_string()],
        Cell::Lines(lines) => lines.clone(),
        other => vec![other.display(doc.lang, "; ")],
    };
    lines
        .iter()
        .fold(TableCell::new().width(width, WidthType::Dxa), |tc, line| {
            tc.add_paragraph(
                Paragraph::new()
                    .align(align(column.numeric))
                    .line_spacing(tight())
                    .add_run(run(line).size(TABLE_SIZE)),
            )
        })
}
