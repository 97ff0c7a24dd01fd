//! Making untrusted text (card texts, titles, names, reasons) safe for each
//! output. Card texts are typed by anyone holding a session code, so every
//! writer that emits markup or spreadsheet cells goes through here.

/// Whether XML 1.0 allows the character at all. Control characters would
/// make a standalone SVG or a Word document unreadable, so they are dropped
/// rather than escaped (XML 1.0 has no escape for them).
fn xml_allowed(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}')
}

/// Text with the characters XML cannot hold removed (for writers that do
/// their own escaping, like the Word writer).
pub(crate) fn xml_chars(text: &str) -> String {
    text.chars().filter(|c| xml_allowed(*c)).collect()
}

/// Escapes text for HTML and SVG, in element content and in quoted
/// attributes alike (both quote characters are escaped).
pub(crate) fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for c in text.chars().filter(|c| xml_allowed(*c)) {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Escapes text for inline Markdown, e.g. a table cell or a list item.
///
/// Punctuation that could start emphasis, code, links or raw HTML is
/// backslash-escaped (CommonMark renders `\<` as `<`, so a card cannot
/// smuggle in a `<script>` or a `javascript:` link), `|` cannot end a table
/// cell early, a leading `#`, `-` or `+` cannot turn a list item into a
/// heading or a nested list, and line breaks become `<br>` so that a cell
/// stays on one line. Control characters are dropped, as for HTML.
pub(crate) fn markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    if text.starts_with(['#', '-', '+']) {
        out.push('\\');
    }
    let mut chars = text.chars().filter(|c| xml_allowed(*c)).peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '&' => out.push_str("&amp;"),
            '\r' => {
                chars.next_if_eq(&'\n');
                out.push_str("<br>");
            }
            '\n' => out.push_str("<br>"),
            c => out.push(c),
        }
    }
    out
}

/// Characters that make a spreadsheet read a cell as a formula (or, for
/// tab and carriage return, that some importers strip to reveal one).
const FORMULA_TRIGGERS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Defuses formula injection in a CSV or XLSX text cell: a cell starting
/// with `=`, `+`, `-`, `@`, tab or carriage return gets a leading `'`, which
/// spreadsheets show as text and never evaluate (OWASP's advice for CSV
/// injection). Numbers are written as numbers and never pass through here.
pub(crate) fn spreadsheet(text: &str) -> String {
    if text.starts_with(FORMULA_TRIGGERS) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escapes_all_five_special_characters() {
        assert_eq!(
            html(r#"<script>alert('x') & "y"</script>"#),
            "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;"
        );
        assert_eq!(html("Jalan rusak di Kluet"), "Jalan rusak di Kluet");
    }

    #[test]
    fn control_characters_are_dropped_for_xml() {
        assert_eq!(html("a\u{0}b\u{1b}c\u{FFFF}"), "abc");
        assert_eq!(xml_chars("a\u{8}b\tc\nd"), "ab\tc\nd");
        assert_eq!(xml_chars("Jalan ✓ 🚧"), "Jalan ✓ 🚧");
    }

    #[test]
    fn markdown_cells_cannot_break_the_table_or_inject_html() {
        assert_eq!(markdown("a | b"), r"a \| b");
        assert_eq!(markdown("satu\r\ndua\nTiga"), "satu<br>dua<br>Tiga");
        assert_eq!(
            markdown("<script>alert(1)</script>"),
            r"\<script\>alert(1)\</script\>"
        );
        assert_eq!(
            markdown("[klik](javascript:alert(1))"),
            r"\[klik\](javascript:alert(1))"
        );
        assert_eq!(markdown("*tebal* _miring_"), r"\*tebal\* \_miring\_");
        assert_eq!(markdown("R&D"), "R&amp;D");
        assert_eq!(markdown("a\u{0}b"), "ab");
        assert_eq!(markdown("# judul"), r"\# judul");
        assert_eq!(markdown("- butir"), r"\- butir");
        assert_eq!(markdown("Segera! No. 1 #2"), "Segera! No. 1 #2");
    }

    #[test]
    fn formula_like_cells_are_neutralised() {
        for evil in [
            "=HYPERLINK(\"x\")",
            "+1+1",
            "-2+3",
            "@SUM(A1)",
            "\t=1",
            "\r=1",
        ] {
            let safe = spreadsheet(evil);
            assert_eq!(safe, format!("'{evil}"), "{evil:?}");
        }
        assert_eq!(spreadsheet("Jalan rusak"), "Jalan rusak");
        assert_eq!(spreadsheet("a=b"), "a=b", "only a leading trigger counts");
        assert_eq!(spreadsheet(""), "");
    }
}
