//! The Word document read back with `docx-rs`'s reader.

use docx_rs::{DocumentChild, TableCellContent, TableChild, TableRowChild, read_docx};
use rembuk_domain::Lang;
use rembuk_report::{Format, render};

use crate::fixture;

/// What a reader sees: styled paragraphs and tables of cell texts.
struct Read {
    paragraphs: Vec<(String, String)>,
    tables: Vec<Vec<Vec<String>>>,
}

impl Read {
    fn with_style(&self, style: &str) -> Vec<&str> {
        self.paragraphs
            .iter()
            .filter(|(s, _)| s == style)
            .map(|(_, t)| t.as_str())
            .collect()
    }

    /// The table whose header row starts with these cells.
    fn table(&self, header: &[&str]) -> Vec<&Vec<Vec<String>>> {
        self.tables
            .iter()
            .filter(|t| {
                t.first().is_some_and(|h| {
                    h.starts_with(&header.iter().map(|s| s.to_string()).collect::<Vec<_>>())
                })
            })
            .collect()
    }
}

fn read(lang: Lang) -> Read {
    let out = render(&fixture::report(lang), Format::Docx).unwrap();
    let docx = read_docx(&out.bytes).expect("a readable .docx");
    let mut read = Read {
        paragraphs: vec![],
        tables: vec![],
    };
    for child in &docx.document.children {
        match child {
            DocumentChild::Paragraph(p) => {
                let style = p
                    .property
                    .style
                    .as_ref()
                    .map_or(String::new(), |s| s.val.clone());
                read.paragraphs.push((style, p.raw_text()));
            }
            DocumentChild::Table(t) => read.tables.push(
                t.rows
                    .iter()
                    .map(|TableChild::TableRow(row)| {
                        row.cells
                            .iter()
                            .map(|TableRowChild::TableCell(cell)| {
                                cell.children
                                    .iter()
                                    .filter_map(|c| match c {
                                        TableCellContent::Paragraph(p) => Some(p.raw_text()),
                                        _ => None,
                                    })
                                    .collect::<Vec<_>>()
                                    .join("\n")
                            })
                            .collect()
                    })
                    .collect(),
            ),
            _ => {}
        }
    }
    read
}

#[test]
fn the_title_page_names_the_workshop_place_and_dates() {
    let doc = read(Lang::Id);
    assert_eq!(
        doc.with_style("Title"),
        ["Masukan Rancangan Rencana Induk Smart City"]
    );
    assert_eq!(
        doc.with_style("Subtitle"),
        ["FGD Rencana Induk Smart City Aceh Selatan"]
    );
    let texts: Vec<&str> = doc.paragraphs.iter().map(|(_, t)| t.as_str()).collect();
    assert!(
        texts.contains(&"Tempat: Aula Bappeda, Tapaktuan"),
        "{texts:?}"
    );
    assert!(texts.contains(&"Tanggal pelaksanaan: 1 s.d. 2 Desember 2026"));
    assert!(texts.contains(&"Tanggal penyusunan: 2 Desember 2026"));
}

#[test]
fn headings_are_one_per_dimension_with_sections_a_to_e() {
    let doc = read(Lang::Id);
    assert_eq!(
        doc.with_style("Heading1"),
        [
            "Ringkasan Partisipasi",
            "Tata Kelola Cerdas",
            "Branding Daerah",
            "Ekonomi Cerdas",
            "Kehidupan Cerdas",
            "Masyarakat Cerdas",
            "Lingkungan Cerdas",
            "Lampiran Umum"
        ]
    );
    let h2 = doc.with_style("Heading2");
    for section in [
        "A. Partisipasi",
        "B. Masalah Prioritas",
        "C. Gagasan",
        "D. Kandidat Quick Win dan Program",
        "E. Lampiran",
    ] {
        assert_eq!(h2.iter().filter(|h| **h == section).count(), 6, "{section}");
    }
    for annex in ["Metode", "Peringatan Keterwakilan", "Catatan Moderasi"] {
        assert!(h2.contains(&annex), "{annex}");
    }
    assert!(doc.with_style("Heading3").contains(&"Matriks USG"));
}

#[test]
fn tables_have_header_rows_and_the_numbers() {
    let doc = read(Lang::Id);
    let ranking = doc.table(&[
        "Peringkat",
        "Masalah",
        "Sub-elemen",
        "Sesi",
        "Suara",
        "Cakupan kelompok",
        "Skor USG",
    ]);
    assert_eq!(
        ranking.len(),
        5,
        "governance, branding, living, society, environment"
    );
    let governance = ranking[0];
    assert_eq!(governance[1][0], "1");
    assert!(governance[1][1].starts_with(fixture::CLUSTER_TEXT));
    assert!(governance[1][1].contains("Gabungan dari: Antrean KTP-el"));
    assert_eq!(
        governance[1][3],
        "Hari 1 — Tata Kelola\nHari 2 — Kehidupan dan Lingkungan"
    );
    assert_eq!(&governance[1][4..], ["12", "4", "12,36"]);
    assert_eq!(
        governance[5][1],
        fixture::FORMULA_CARD,
        "Word shows the text, never a formula"
    );
    assert_eq!(governance[5][6], "–", "no USG");

    let usg = doc.table(&["Peringkat", "Masalah", "Urgensi (U)"]);
    assert!(usg.iter().any(|t| {
        t.iter()
            .any(|r| r[1].starts_with("Puskesmas") && r[5] == "13,33")
    }));

    let ideas = doc.table(&["Peringkat", "Gagasan", "Menjawab masalah"]);
    assert!(
        ideas[0].iter().any(|r| r[1] == fixture::SCRIPT_CARD),
        "shown as text"
    );
    assert_eq!(ideas[0][1][7], "Ya");

    let programmes = doc.table(&["Program", "Jangka waktu", "OPD pengampu"]);
    assert_eq!(
        programmes[0][1],
        [
            "Antrean daring untuk layanan kependudukan",
            "Jangka pendek (1–2 tahun)",
            "Disdukcapil"
        ]
    );
    assert_eq!(programmes[0][2][2], "Belum ditentukan");

    let participation = doc.table(&["Kelompok", "Peserta", "Porsi"]);
    assert_eq!(
        participation[0].last().unwrap(),
        &["Jumlah", "40", "100,0%"]
    );

    let log = doc.table(&["Tanggal", "Waktu (WIB)"]);
    assert!(
        log[0]
            .iter()
            .any(|r| r[0] == "2026-12-02" && r[1] == "00:30:00"),
        "WIB date and time"
    );
    let minority = doc.table(&["Kelompok", "Kartu"]);
    assert_eq!(minority[0][1], ["Media", fixture::MINORITY_CARD]);
}

#[test]
fn english_documents_use_english_headings() {
    let doc = read(Lang::En);
    assert_eq!(
        doc.with_style("Title"),
        ["Draft Input to the Smart City Master Plan"]
    );
    assert!(doc.with_style("Heading2").contains(&"B. Priority Problems"));
    assert!(!doc.table(&["Rank", "Problem", "Sub-element"]).is_empty());
}
