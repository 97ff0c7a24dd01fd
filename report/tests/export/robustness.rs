//! Odd reports render in every format without panicking: nothing
//! compiled yet, missing scores, names Excel refuses, unknown keys,
//! control characters, hostile titles.

use calamine::Reader;
use rembuk_domain::{
    CardId, Lang, SessionId,
    dimension::default_dimensions,
    group::default_groups,
    ranking::Imbalance,
    report::{Facts, Report, ReportWorkshop, Scope, compile},
};
use rembuk_report::{Format, dimension_chart_svg, file_name, render};
use uuid::Uuid;

use crate::{fixture, html_page::assert_well_formed, xlsx_file};

fn render_all(report: &Report) -> Vec<(Format, Vec<u8>)> {
    Format::ALL
        .into_iter()
        .map(|f| {
            (
                f,
                render(report, f)
                    .unwrap_or_else(|e| panic!("{f}: {e}"))
                    .bytes,
            )
        })
        .collect()
}

fn empty_report() -> Report {
    compile(&Facts {
        scope: Scope::Workshop,
        workshop: ReportWorkshop {
            id: rembuk_domain::WorkshopId(Uuid::nil()),
            title: String::new(),
            place: None,
            starts_on: None,
            ends_on: None,
            language: Lang::En,
        },
        dimensions: default_dimensions(Lang::En),
        groups: default_groups(Lang::En),
        sessions: vec![],
        clusters: vec![],
        workshop_audit: vec![],
        generated_at: fixture::ts("2026-12-02T10:00:00Z"),
    })
}

#[test]
fn a_report_with_nothing_in_it_renders() {
    let report = empty_report();
    for (format, bytes) in render_all(&report) {
        assert!(!bytes.is_empty(), "{format}");
    }
    let md = String::from_utf8(render(&report, Format::Markdown).unwrap().bytes).unwrap();
    assert!(md.contains("No problems in this dimension yet."));
    assert!(md.contains("Every group is adequately represented."));
    assert_eq!(file_name(&report, Format::Csv), "rembuk-2026-12-02.csv");
}

/// The fixture bent out of shape.
fn odd_report() -> Report {
    let mut r = fixture::report(Lang::Id);
    r.workshop.title = "<img src=x onerror=alert(1)> \u{0}FGD".into();
    r.workshop.place = None;
    r.workshop.ends_on = None;
    r.scope = Scope::Session {
        session_id: SessionId(Uuid::from_u128(999)),
    };
    r.dimension_order.insert(0, "ghost".into());
    r.groups[0].name = "=Pemerintah\"><script>x</script>".into();
    r.imbalances.push(Imbalance {
        group: "unknown".into(),
        participants: 0.0,
        votes: 0.0,
    });
    let names = [
        "Tata Kelola: Pemerintahan [Digital] / Layanan Publik Terpadu",
        "Tata Kelola: Pemerintahan [Digital] / Layanan Publik Terpadu",
        "'History'",
        "?*",
    ];
    for (key, name) in r.dimension_order.clone().iter().skip(1).zip(names) {
        if let Some(d) = r.dimensions.get_mut(key) {
            d.name = name.into();
        }
    }
    let gov = r.dimensions.get_mut("governance").unwrap();
    gov.problems[0].usg = None;
    gov.problems[0].dots = 0;
    gov.problems[0].dots_by_group.insert("nobody".into(), 7);
    gov.problems[1].text = "baris\u{1}satu\nbaris dua\r\n- tiga".into();
    gov.ideas[0].answers.push(CardId(Uuid::from_u128(404)));
    gov.quick_wins.push(CardId(Uuid::from_u128(405)));
    r
}

#[test]
fn odd_input_renders_in_every_format() {
    let report = odd_report();
    render_all(&report);
    let html = String::from_utf8(render(&report, Format::Html).unwrap().bytes).unwrap();
    assert!(!html.contains("<img") && !html.contains("<script"));
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt; FGD"));
    for (key, group) in [("governance", None), ("governance", Some("government"))] {
        assert_well_formed(&dimension_chart_svg(&report, key, group));
    }
}

#[test]
fn sheet_names_are_cut_cleaned_and_unique() {
    let book = xlsx_file::open(&odd_report());
    let names = book.sheet_names();
    assert_eq!(
        names[1..5],
        [
            "Tata Kelola Pemerintahan Digita",
            "Tata Kelola Pemerintahan Di (2)",
            "History (2)",
            "5",
        ]
    );
    for name in &names {
        assert!(name.encode_utf16().count() <= 31, "{name}");
        assert!(
            !name.contains(['[', ']', ':', '*', '?', '/', '\\']),
            "{name}"
        );
    }
}

#[test]
fn markdown_keeps_odd_cells_on_one_table_row() {
    let md = String::from_utf8(render(&odd_report(), Format::Markdown).unwrap().bytes).unwrap();
    assert!(
        md.contains("| 2 | barissatu<br>baris dua<br>- tiga |"),
        "{md}"
    );
}
