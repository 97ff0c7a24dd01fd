//! A standalone page to print (or save as PDF) on A4: inline CSS, inline
//! SVG charts, no script and nothing fetched, so it opens the same offline
//! on the secretariat's laptop as on the server. Every text from the report
//! is escaped; card texts are untrusted.

use std::fmt::Write as _;

use rembuk_domain::report::Report;

use crate::{
    chart::dimension_chart_svg,
    escape::html as esc,
    outline::{self, Block, Chapter, Document},
    table::{Table, Width},
};

/// Screen and print styles. Each chapter starts a page; rows, charts and
/// headings are kept whole; table headers repeat on every printed page.
const STYLE: &str = r#"
@page { size: A4; margin: 20mm 18mm 20mm 18mm; }
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { font: 11pt/1.45 "Noto Sans", "Segoe UI", Arial, sans-serif; color: #111; background: #fff; max-width: 60rem; margin: 0 auto; padding: 1.5rem; }
h1 { font-size: 1.8em; margin: 0 0 .3em; }
h2 { font-size: 1.45em; border-bottom: 2px solid #2f6690; padding-bottom: .2em; margin: 1.6em 0 .6em; }
h3 { font-size: 1.15em; margin: 1.4em 0 .4em; }
h4 { font-size: 1em; margin: 1.1em 0 .3em; }
h2, h3, h4 { break-after: avoid; page-break-after: avoid; }
.cover .subtitle { font-size: 1.3em; font-weight: bold; margin: 0 0 1em; }
.cover dl { display: grid; grid-template-columns: max-content 1fr; gap: .2em 1em; margin: 0 0 1em; }
.cover dt { font-weight: bold; }
.cover dd { margin: 0; }
.note { font-style: italic; color: #333; }
table { border-collapse: collapse; min-width: 50%; margin: .3em 0 1em; font-size: 9.5pt; }
table.full { width: 100%; }
th, td { border: 1px solid #9aa5b1; padding: 3px 6px; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
th { background: #e3ebf3; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
thead { display: table-header-group; }
tr, figure, svg { break-inside: avoid; page-break-inside: avoid; }
figure { margin: .5em 0 1em; }
svg { max-width: 100%; height: auto; }
section.chapter { break-before: page; page-break-before: always; }
@media print {
  body { max-width: none; padding: 0; font-size: 10pt; }
  a { color: inherit; text-decoration: none; }
}
"#;

/// Renders the report as a standalone HTML page.
pub(crate) fn render(report: &Report) -> String {
    let doc = outline::build(report);
    let mut out = String::with_capacity(64 * 1024);
    let _ = write!(
        out,
        "<!doctype html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{} — {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        doc.lang.code(),
        esc(&doc.title),
        esc(&doc.subtitle),
    );
    cover(&mut out, &doc);
    out.push_str("<main>\n");
    for chapter in &doc.chapters {
        chapter_html(&mut out, report, &doc, chapter);
    }
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

fn cover(out: &mut String, doc: &Document) {
    let _ = writeln!(
        out,
        "<header class=\"cover\">\n<h1>{}</h1>\n<p class=\"subtitle\">{}</p>\n<dl>",
        esc(&doc.title),
        esc(&doc.subtitle)
    );
    for (label, value) in &doc.facts {
        let _ = writeln!(out, "<dt>{}</dt><dd>{}</dd>", esc(label), esc(value));
    }
    let _ = writeln!(
        out,
        "</dl>\n<p class=\"note\">{}</p>\n</header>",
        esc(&doc.note)
    );
}

fn chapter_html(out: &mut String, report: &Report, doc: &Document, chapter: &Chapter) {
    match &chapter.dimension {
        Some(key) => {
            let _ = writeln!(
                out,
                "<section class=\"chapter dimension\" id=\"dim-{}\">",
                esc(key)
            );
        }
        None => out.push_str("<section class=\"chapter\">\n"),
    }
    let _ = writeln!(out, "<h2>{}</h2>", esc(&chapter.title));
    for section in &chapter.sections {
        let _ = writeln!(out, "<section>\n<h3>{}</h3>", esc(&section.title));
        for block in &section.blocks {
            block_html(out, report, doc, block);
        }
        out.push_str("</section>\n");
    }
    out.push_str("</section>\n");
}

fn block_html(out: &mut String, report: &Report, doc: &Document, block: &Block) {
    match block {
        Block::Paragraph(text) => {
            let _ = writeln!(out, "<p>{}</p>", esc(text));
        }
        Block::Note(text) => {
            let _ = writeln!(out, "<p class=\"note\">{}</p>", esc(text));
        }
        Block::List(items) => {
            out.push_str("<ul>\n");
            for item in items {
                let _ = writeln!(out, "<li>{}</li>", esc(item));
            }
            out.push_str("</ul>\n");
        }
        Block::Caption(text) => {
            let _ = writeln!(out, "<h4>{}</h4>", esc(text));
        }
        Block::Table(table) => table_html(out, doc, table),
        Block::Chart(key) => {
            // The chart escapes its own texts.
            let _ = writeln!(
                out,
                "<figure>{}</figure>",
                dimension_chart_svg(report, key, None)
            );
        }
    }
}

fn table_html(out: &mut String, doc: &Document, table: &Table) {
    // Tables of prose use the full width; small tables of numbers stay
    // compact instead of stretching their figures across the page.
    let full = table.columns.iter().any(|c| c.width == Width::Wide);
    out.push_str(if full {
        "<table class=\"full\">"
    } else {
        "<table>"
    });
    out.push_str("\n<thead><tr>");
    for c in &table.columns {
        let class = if c.numeric { " class=\"num\"" } else { "" };
        let _ = write!(out, "<th scope=\"col\"{class}>{}</th>", esc(&c.title));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in &table.rows {
        out.push_str("<tr>");
        for cell in row {
            let class = if cell.is_numeric() {
                " class=\"num\""
            } else {
                ""
            };
            let _ = write!(
                out,
                "<td{class}>{}</td>",
                cell.markup(doc.lang, esc, "<br>")
            );
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
}
