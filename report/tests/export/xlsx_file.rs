//! The workbook read back with `calamine`.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use rembuk_domain::{Lang, report::Report};
use rembuk_report::{Format, render};

use crate::fixture;

type Book = Xlsx<Cursor<Vec<u8>>>;

pub fn open(report: &Report) -> Book {
    let out = render(report, Format::Xlsx).unwrap();
    open_workbook_from_rs(Cursor::new(out.bytes)).expect("a readable .xlsx")
}

/// A sheet's rows.
fn sheet(book: &mut Book, name: &str) -> Vec<Vec<Data>> {
    let range = book.worksheet_range(name).expect(name);
    range.rows().map(<[Data]>::to_vec).collect()
}

fn text(s: &str) -> Data {
    Data::String(s.to_string())
}

/// The header row (found by its first cell) and a row after it whose
/// `column` holds `value`, as a lookup by header title.
fn lookup<'a>(
    rows: &'a [Vec<Data>],
    header_starts: &str,
    column: &str,
    value: &str,
) -> impl Fn(&str) -> &'a Data + use<'a> {
    let h = rows
        .iter()
        .position(|r| r.first() == Some(&text(header_starts)))
        .unwrap_or_else(|| panic!("no header {header_starts:?}"));
    let header = &rows[h];
    let index = move |title: &str| {
        header
            .iter()
            .position(|c| *c == text(title))
            .unwrap_or_else(|| panic!("no column {title:?} in {header:?}"))
    };
    let row = rows[h + 1..]
        .iter()
        .find(|r| r.get(index(column)) == Some(&text(value)))
        .unwrap_or_else(|| panic!("no row with {column} = {value:?}"));
    move |title| &row[index(title)]
}

#[test]
fn sheets_are_participation_dimensions_usg_and_log() {
    let mut book = open(&fixture::report(Lang::Id));
    assert_eq!(
        book.sheet_names(),
        [
            "Partisipasi",
            "Tata Kelola Cerdas",
            "Branding Daerah",
            "Ekonomi Cerdas",
            "Kehidupan Cerdas",
            "Masyarakat Cerdas",
            "Lingkungan Cerdas",
            "Matriks USG",
            "Catatan Moderasi"
        ]
    );
    let rows = sheet(&mut book, "Tata Kelola Cerdas");
    assert_eq!(rows[0][0], text("Tata Kelola Cerdas"));
    let header = &rows[2];
    assert_eq!(
        header[..6],
        [
            text("Jenis"),
            text("Peringkat"),
            text("Teks"),
            text("Sub-elemen"),
            text("Sesi"),
            text("Suara")
        ]
    );
    assert!(header.contains(&text("Suara Pemerintah (OPD/SKPK)")));
    assert!(header.contains(&text("Skor USG")));
}

#[test]
fn numbers_are_numbers() {
    let mut book = open(&fixture::report(Lang::Id));
    let rows = sheet(&mut book, "Tata Kelola Cerdas");
    let cluster = lookup(&rows, "Jenis", "Teks", fixture::CLUSTER_TEXT);
    assert_eq!(*cluster("Peringkat"), Data::Float(1.0));
    assert_eq!(*cluster("Suara"), Data::Float(12.0));
    assert_eq!(*cluster("Suara Komunitas"), Data::Float(6.0));
    assert_eq!(*cluster("Skor USG"), Data::Float(12.36));
    assert_eq!(*cluster("Urgensi (U)"), Data::Float(4.55));
    assert_eq!(*cluster("Penilai"), Data::Float(11.0));
    let idea = lookup(
        &rows,
        "Jenis",
        "Teks",
        "Antrean daring untuk layanan kependudukan",
    );
    assert_eq!(*idea("Dampak"), Data::Float(4.5));
    assert_eq!(*idea("Kandidat quick win"), Data::Bool(true));
    assert_eq!(*idea("Jangka waktu"), text("Jangka pendek (1–2 tahun)"));

    let usg = sheet(&mut book, "Matriks USG");
    let puskesmas = lookup(
        &usg,
        "Dimensi",
        "Masalah",
        "Puskesmas kekurangan dokter di kecamatan terpencil",
    );
    assert_eq!(*puskesmas("Skor USG"), Data::Float(13.33));
    assert_eq!(*puskesmas("Dimensi"), text("Kehidupan Cerdas"));
    let unrated = lookup(
        &usg,
        "Dimensi",
        "Masalah",
        "Abrasi pantai mengancam permukiman",
    );
    assert_eq!(*unrated("Skor USG"), Data::Empty);

    let people = sheet(&mut book, "Partisipasi");
    let total = lookup(&people, "Kelompok", "Kelompok", "Jumlah");
    assert_eq!(*total("Peserta"), Data::Float(40.0));
    assert_eq!(*total("Porsi"), Data::Float(1.0));
    let media = lookup(&people, "Kelompok", "Kelompok", "Media");
    assert_eq!(*media("Porsi"), Data::Float(0.05));
}

#[test]
fn formula_like_texts_are_neutralised() {
    let mut book = open(&fixture::report(Lang::Id));
    let rows = sheet(&mut book, "Tata Kelola Cerdas");
    let quoted = format!("'{}", fixture::FORMULA_CARD);
    assert!(rows.iter().flatten().any(|c| *c == text(&quoted)));
    for name in book.sheet_names() {
        for cell in sheet(&mut book, &name).iter().flatten() {
            if let Data::String(s) = cell {
                assert!(
                    !s.starts_with(['=', '+', '-', '@', '\t', '\r']),
                    "{name}: {s:?}"
                );
            }
        }
    }
}

#[test]
fn english_workbooks_have_english_sheet_names() {
    let book = open(&fixture::report(Lang::En));
    let names = book.sheet_names();
    assert_eq!(names.first().map(String::as_str), Some("Participation"));
    assert!(names.contains(&"USG Matrix".to_string()));
    assert!(names.contains(&"Smart Governance".to_string()));
}
