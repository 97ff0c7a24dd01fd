//! Markdown and JSON against checked-in golden files. Run with `REMBUK_BLESS=1` to
//! rewrite them after an intended change, then review the diff.

use std::path::PathBuf;

use rembuk_domain::Lang;
use rembuk_report::{Format, render};

use crate::fixture;

fn golden(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name)
}

fn check(lang: Lang, format: Format, name: &str) {
    let out = render(&fixture::report(lang), format).unwrap();
    let md = String::from_utf8(out.bytes).unwrap();
    let path = golden(name);
    if std::env::var_os("REMBUK_BLESS").is_some() {
        std::fs::write(&path, &md).unwrap();
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (run with REMBUK_BLESS=1)", path.display()));
    assert!(
        md == expected,
        "{} differs; run with REMBUK_BLESS=1 and review the diff",
        path.display()
    );
}

#[test]
fn indonesian_markdown_matches_the_golden_file() {
    check(Lang::Id, Format::Markdown, "report.id.md");
}

#[test]
fn english_markdown_matches_the_golden_file() {
    check(Lang::En, Format::Markdown, "report.en.md");
}

/// The fixed workshop compiles to a known JSON report: the public contract
/// of `GET /api/v1/workshops/{id}/report?format=json`.
#[test]
fn the_json_report_matches_the_golden_file() {
    check(Lang::Id, Format::Json, "report.id.json");
}
