//! GitHub-flavoured Markdown: headings, pipe tables and lists, nothing a
//! plain-text reader would stumble over. Deterministic, so a golden file in
//! git shows exactly what changed between two drafts.

use std::fmt::Write as _;

use rembuk_domain::report::Report;

use crate::{
    escape,
    outline::{self, Block, Chapter, Document},
    table::Table,
};

/// Renders the report as Markdown.
pub(crate) fn render(report: &Report) -> String {
    let doc = outline::build(report);
    let mut out = String::new();
    cover(&mut out, &doc);
    for chapter in &doc.chapters {
        chapter_md(&mut out, &doc, chapter);
    }
    // Exactly one trailing newline.
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

fn cover(out: &mut String, doc: &Document) {
    let _ = writeln!(out, "# {}\n", escape::markdown(&doc.title));
    if !doc.subtitle.trim().is_empty() {
        let _ = writeln!(out, "**{}**\n", escape::markdown(&doc.subtitle));
    }
    for (label, value) in &doc.facts {
        let _ = writeln!(
            out,
            "- **{}:** {}",
            escape::markdown(label),
            escape::markdown(value)
        );
    }
    let _ = writeln!(out, "\n*{}*\n", escape::markdown(&doc.note));
}

fn chapter_md(out: &mut String, doc: &Document, chapter: &Chapter) {
    let _ = writeln!(out, "## {}\n", escape::markdown(&chapter.title));
    for section in &chapter.sections {
        let _ = writeln!(out, "### {}\n", escape::markdown(&section.title));
        for block in &section.blocks {
            block_md(out, doc, block);
        }
    }
}

fn block_md(out: &mut String, doc: &Document, block: &Block) {
    match block {
        Block::Paragraph(text) => {
            let _ = writeln!(out, "{}\n", escape::markdown(text));
        }
        Block::Note(text) => {
            let _ = writeln!(out, "*{}*\n", escape::markdown(text));
        }
        Block::List(items) => {
            for item in items {
                let _ = writeln!(out, "- {}", escape::markdown(item));
            }
            out.push('\n');
        }
        Block::Caption(text) => {
            let _ = writeln!(out, "#### {}\n", escape::markdown(text));
        }
        Block::Table(table) => table_md(out, doc, table),
        // Markdown has no pictures of its own; the HTML export carries them.
        Block::Chart(_) => {}
    }
}

fn table_md(out: &mut String, doc: &Document, table: &Table) {
    let header: Vec<String> = table
        .columns
        .iter()
        .map(|c| escape::markdown(&c.title))
        .collect();
    row_md(out, &header);
    let rule: Vec<String> = table
        .columns
        .iter()
        .map(|c| if c.numeric { "---:" } else { "---" }.to_string())
        .collect();
    row_md(out, &rule);
    for row in &table.rows {
        let cells: Vec<String> = row
            .iter()
            .map(|c| c.markup(doc.lang, escape::markdown, "<br>"))
            .collect();
        row_md(out, &cells);
    }
    out.push('\n');
}

fn row_md(out: &mut String, cells: &[String]) {
    let _ = writeln!(out, "| {} |", cells.join(" | "));
}
