//! The same report gives the same bytes, so exports can be diffed and
//! cached.

use rembuk_domain::Lang;
use rembuk_report::{Format, render};

use crate::fixture;

#[test]
fn text_formats_are_byte_for_byte_repeatable() {
    for lang in Lang::ALL {
        for format in [Format::Markdown, Format::Csv, Format::Json, Format::Html] {
            // Compiled afresh each time: nothing may depend on hash order.
            let a = render(&fixture::report(lang), format).unwrap();
            let b = render(&fixture::report(lang), format).unwrap();
            assert!(
                a.bytes == b.bytes,
                "{format} in {lang} differs between runs"
            );
        }
    }
}

#[test]
fn the_generation_time_only_shows_as_a_date() {
    let mut report = fixture::report(Lang::Id);
    let md = |r: &rembuk_domain::report::Report| render(r, Format::Markdown).unwrap().bytes;
    let before = md(&report);
    // Later the same day in WIB: the document must not change.
    report.generated_at = fixture::ts("2026-12-02T16:59:00Z");
    assert_eq!(md(&report), before);
    let md = String::from_utf8(before).unwrap();
    assert!(
        !md.contains("17:00") && !md.contains("T10:00"),
        "no clock time of generation"
    );
}
