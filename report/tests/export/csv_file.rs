//! The CSV parsed back with the `csv` crate.

use std::collections::HashMap;

use rembuk_domain::Lang;
use rembuk_report::{Format, render};

use crate::fixture;

/// Header and rows as maps from column title to value.
fn parse(lang: Lang) -> (Vec<String>, Vec<HashMap<String, String>>) {
    let out = render(&fixture::report(lang), Format::Csv).unwrap();
    let mut reader = csv::Reader::from_reader(out.bytes.as_slice());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let rows = reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            header
                .iter()
                .cloned()
                .zip(r.iter().map(String::from))
                .collect()
        })
        .collect();
    (header, rows)
}

fn row<'a>(
    rows: &'a [HashMap<String, String>],
    text_col: &str,
    text: &str,
) -> &'a HashMap<String, String> {
    rows.iter()
        .find(|r| r[text_col] == text)
        .unwrap_or_else(|| panic!("no row {text:?}"))
}

#[test]
fn formula_like_card_texts_come_out_neutralised() {
    let (_, rows) = parse(Lang::Id);
    let evil = row(&rows, "Teks", &format!("'{}", fixture::FORMULA_CARD));
    assert_eq!(evil["Jenis"], "Masalah");
    let plus = row(&rows, "Teks", "'+62 812 hotline sampah tidak aktif");
    assert_eq!(plus["Kode dimensi"], "environment");
    for r in &rows {
        for (column, value) in r {
            assert!(
                !value.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "{column} = {value:?} would be read as a formula"
            );
        }
    }
}

#[test]
fn one_row_per_item_with_a_column_per_group() {
    let report = fixture::report(Lang::Id);
    let (header, rows) = parse(Lang::Id);
    let items: usize = report
        .dimensions
        .values()
        .map(|d| d.problems.len() + d.ideas.len())
        .sum();
    assert_eq!(rows.len(), items);
    for g in &report.groups {
        let column = format!("Suara {}", g.name);
        assert!(header.contains(&column), "{column} in {header:?}");
    }
    let first = &header[..5];
    assert_eq!(
        first,
        ["Kode dimensi", "Dimensi", "Jenis", "Peringkat", "Teks"]
    );

    let cluster = row(&rows, "Teks", fixture::CLUSTER_TEXT);
    assert_eq!(cluster["Kode dimensi"], "governance");
    assert_eq!(cluster["Dimensi"], "Tata Kelola Cerdas");
    assert_eq!(cluster["Peringkat"], "1");
    assert_eq!(cluster["Suara"], "12");
    assert_eq!(cluster["Suara Komunitas"], "6");
    assert_eq!(cluster["Suara Pemerintah (OPD/SKPK)"], "3");
    assert_eq!(cluster["Suara Media"], "0");
    assert_eq!(cluster["Cakupan kelompok"], "4");
    assert_eq!(
        cluster["Sesi"],
        "Hari 1 — Tata Kelola; Hari 2 — Kehidupan dan Lingkungan"
    );
    // Machine-readable numbers: a decimal point even in Indonesian.
    assert_eq!(cluster["Skor USG"], "12.36");
    assert_eq!(cluster["Urgensi (U)"], "4.55");
    assert_eq!(cluster["Penilai"], "11");
    assert!(cluster["Gabungan dari"].contains("Antrean KTP-el di Disdukcapil sangat panjang"));
}

#[test]
fn ideas_carry_ratings_quick_wins_and_programmes() {
    let (_, rows) = parse(Lang::Id);
    let idea = row(&rows, "Teks", "Antrean daring untuk layanan kependudukan");
    assert_eq!(idea["Jenis"], "Gagasan");
    assert_eq!(idea["Dampak"], "4.50");
    assert_eq!(idea["Upaya"], "2.00");
    assert_eq!(idea["Kandidat quick win"], "Ya");
    assert_eq!(idea["Jangka waktu"], "Jangka pendek (1–2 tahun)");
    assert_eq!(idea["OPD pengampu"], "Disdukcapil");
    assert_eq!(idea["Menjawab masalah"], fixture::CLUSTER_TEXT);
    assert_eq!(idea["Skor USG"], "", "ideas have no USG");
    let unrated = row(&rows, "Teks", "Angkutan desa terjadwal");
    assert_eq!(
        (
            unrated["Dampak"].as_str(),
            unrated["Kandidat quick win"].as_str()
        ),
        ("", "Tidak")
    );
    let problem = row(&rows, "Teks", "Abrasi pantai mengancam permukiman");
    assert_eq!(problem["Skor USG"], "", "a problem nobody rated");
}

#[test]
fn english_headers_come_from_the_english_strings() {
    let (header, rows) = parse(Lang::En);
    assert!(header.iter().any(|h| h == "USG score"));
    assert!(header.iter().any(|h| h == "Votes: Community"));
    let idea = row(&rows, "Text", "Antrean daring untuk layanan kependudukan");
    assert_eq!(idea["Quick-win candidate"], "Yes");
    assert_eq!(idea["Horizon"], "Short term (1–2 years)");
}
