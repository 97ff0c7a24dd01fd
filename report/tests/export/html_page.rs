//! The print page and the SVG charts.

use quick_xml::{Reader, events::Event};
use rembuk_domain::Lang;
use rembuk_report::{Format, bar_chart_svg, dimension_chart_svg, render};

use crate::fixture;

fn page(lang: Lang) -> String {
    String::from_utf8(render(&fixture::report(lang), Format::Html).unwrap().bytes).unwrap()
}

/// Parses `xml` completely, checking that every element is closed in
/// order; returns the number of elements.
pub fn assert_well_formed(xml: &str) -> usize {
    let mut reader = Reader::from_str(xml);
    let (mut depth, mut elements) = (0_i32, 0);
    loop {
        match reader.read_event() {
            Ok(Event::Start(_)) => {
                depth += 1;
                elements += 1;
            }
            Ok(Event::Empty(_)) => elements += 1,
            Ok(Event::End(_)) => {
                depth -= 1;
                assert!(depth >= 0, "closing tag without opening tag");
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!(
                "not well-formed at {}: {e}\n{xml}",
                reader.buffer_position()
            ),
        }
    }
    assert_eq!(depth, 0, "unclosed elements");
    elements
}

#[test]
fn card_texts_are_escaped() {
    let html = page(Lang::Id);
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!html.contains("<script"), "no script tag, not even ours");
    assert!(html.contains("=HYPERLINK(&quot;http://evil.example&quot;,&quot;klik&quot;)"));
    assert!(html.contains("Informasi layanan tersebar | sering berubah"));
}

#[test]
fn the_page_is_standalone_and_print_ready() {
    let html = page(Lang::Id);
    assert!(html.starts_with("<!doctype html>\n<html lang=\"id\">"));
    assert!(html.contains("<meta charset=\"utf-8\">"));
    for css in [
        "@page { size: A4;",
        "section.chapter { break-before: page;",
        "tr, figure, svg { break-inside: avoid;",
        "thead { display: table-header-group; }",
    ] {
        assert!(html.contains(css), "{css}");
    }
    assert!(
        !html.contains("<link") && !html.contains("src="),
        "nothing fetched"
    );
    assert_eq!(
        html.matches("<section class=\"chapter dimension\"").count(),
        6
    );
    for heading in [
        "<h2>Tata Kelola Cerdas</h2>",
        "<h3>B. Masalah Prioritas</h3>",
        "<h3>E. Lampiran</h3>",
        "<h4>Matriks USG</h4>",
        "<h3>Catatan Moderasi</h3>",
    ] {
        assert!(html.contains(heading), "{heading}");
    }
    assert!(html.contains("<td class=\"num\">12,36</td>"));
    assert!(page(Lang::En).starts_with("<!doctype html>\n<html lang=\"en\">"));
}

#[test]
fn every_inline_chart_is_well_formed_svg() {
    let html = page(Lang::Id);
    let charts: Vec<&str> = html
        .match_indices("<svg ")
        .map(|(start, _)| {
            let end = html[start..].find("</svg>").expect("closed") + start + "</svg>".len();
            &html[start..end]
        })
        .collect();
    assert_eq!(charts.len(), 5, "one per dimension with problems");
    for svg in charts {
        assert!(assert_well_formed(svg) > 3);
    }
}

#[test]
fn dimension_charts_show_the_top_problems_escaped() {
    let report = fixture::report(Lang::Id);
    let svg = dimension_chart_svg(&report, "governance", None);
    assert_well_formed(&svg);
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(svg.contains("Masalah teratas: Tata Kelola Cerdas"));
    assert!(svg.contains(fixture::CLUSTER_TEXT));
    assert!(svg.contains("=HYPERLINK(&quot;http://evil.example&quot;,&quot;klik&quot;)"));
    assert_eq!(svg.matches("<rect").count(), 5);

    let media = dimension_chart_svg(&report, "living", Some("media"));
    assert_well_formed(&media);
    assert!(media.contains("Masalah teratas menurut Media: Kehidupan Cerdas"));
    assert_eq!(media.matches("<rect").count(), 1);
    assert!(media.contains(fixture::MINORITY_CARD));

    let empty = dimension_chart_svg(&report, "economy", None);
    assert_well_formed(&empty);
    assert!(empty.contains("Belum ada suara.") && !empty.contains("<rect"));
    assert_well_formed(&dimension_chart_svg(
        &report,
        "no-such-dimension",
        Some("no-such-group"),
    ));
}

#[test]
fn bar_charts_escape_hostile_labels() {
    let svg = bar_chart_svg(
        "Judul \"kutip\" & <b>",
        &[
            (fixture::SCRIPT_CARD.to_string(), 3),
            ("' onload='alert(1)".to_string(), 1),
        ],
        10,
    );
    assert_well_formed(&svg);
    assert!(svg.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(svg.contains("&#39; onload=&#39;alert(1)"));
    assert!(svg.contains("Judul &quot;kutip&quot; &amp; &lt;b&gt;"));
    assert!(!svg.contains("<script") && !svg.contains("<b>"));
}
