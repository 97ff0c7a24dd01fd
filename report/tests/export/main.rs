//! Renders a realistic workshop report in every format and reads each one
//! back with an independent reader: the tests check what a person opening
//! the file would see, not merely that bytes came out.

mod csv_file;
mod determinism;
mod docx_file;
mod fixture;
mod golden_files;
mod html_page;
mod robustness;
mod xlsx_file;

use rembuk_domain::Lang;
use rembuk_report::{Format, file_name, render};

/// The fixture really holds the awkward cases the other tests rely on.
#[test]
fn the_fixture_covers_the_awkward_cases() {
    let r = fixture::report(Lang::Id);
    assert_eq!(r.participation.total, 40);
    assert_eq!(r.participation.sessions.len(), 2);
    assert_eq!(r.dimension_order.len(), 6);
    let gov = &r.dimensions["governance"];
    assert_eq!(
        gov.problems[0].text,
        fixture::CLUSTER_TEXT,
        "cluster ranks first"
    );
    assert_eq!(gov.problems[0].sessions.len(), 2);
    assert!(
        gov.problems
            .iter()
            .any(|p| !p.merged_from.is_empty() && p.text.contains("internet"))
    );
    assert!(r.dimensions["economy"].problems.is_empty());
    assert!(r.dimensions.values().any(|d| !d.quick_wins.is_empty()));
    assert!(r.dimensions.values().any(|d| !d.programmes.is_empty()));
    assert!(
        r.annex
            .minority_views
            .iter()
            .any(|m| m.text == fixture::MINORITY_CARD && m.group == "media"),
        "{:?}",
        r.annex.minority_views
    );
    assert!(r.imbalances.iter().any(|i| i.group == "media"));
    assert_eq!(r.annex.moderation_log.len(), 6);
    let env = &r.dimensions["environment"];
    assert!(
        env.problems.iter().any(|p| p.usg.is_none()),
        "a problem without USG"
    );
}

#[test]
fn every_format_renders_with_its_content_type_and_name() {
    let r = fixture::report(Lang::Id);
    for format in Format::ALL {
        let out = render(&r, format).expect("renders");
        assert!(!out.bytes.is_empty(), "{format}");
        assert_eq!(out.content_type, format.content_type());
        assert_eq!(out.extension, format.extension());
        assert_eq!(
            file_name(&r, format),
            format!("rembuk-fgd-rencana-induk-smart-city-aceh-selatan-2026-12-02.{format}")
        );
    }
}

#[test]
fn json_is_the_model_itself() {
    let r = fixture::report(Lang::En);
    let out = render(&r, Format::Json).unwrap();
    let back: rembuk_domain::report::Report = serde_json::from_slice(&out.bytes).unwrap();
    assert_eq!(back, r);
}

/// Writes every format of the fixture to `$REMBUK_DUMP` for a person to
/// open (no-op otherwise).
#[test]
fn dump_for_review() {
    let Some(dir) = std::env::var_os("REMBUK_DUMP") else {
        return;
    };
    for lang in Lang::ALL {
        let r = fixture::report(lang);
        for format in Format::ALL {
            let out = render(&r, format).unwrap();
            let path = std::path::Path::new(&dir).join(format!("{lang}.{}", out.extension));
            std::fs::write(path, out.bytes).unwrap();
        }
    }
}
