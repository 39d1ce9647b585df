//! The ods screen against calamine's own reading of the same sheets.

use std::io::{Cursor, Read};
use std::path::Path;

use calamine::Reader as _;

use super::*;
use crate::load::screen::tests::{refusal, screened, zipped};

const MANIFEST: &str = r#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/></manifest:manifest>"#;

/// An ods whose one sheet, "Sheet1", holds `rows` (table-row elements).
fn ods(rows: &str) -> Vec<u8> {
    let content = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet><table:table table:name="Sheet1">{rows}</table:table></office:spreadsheet></office:body></office:document-content>"#
    );
    zipped(&[
        (
            "mimetype",
            b"application/vnd.oasis.opendocument.spreadsheet",
        ),
        ("META-INF/manifest.xml", MANIFEST.as_bytes()),
        ("content.xml", content.as_bytes()),
    ])
}

fn text_cell(text: &str) -> String {
    format!(
        r#"<table:table-cell office:value-type="string"><text:p>{text}</text:p></table:table-cell>"#
    )
}

fn number_cell(n: u32) -> String {
    format!(
        r#"<table:table-cell office:value-type="float" office:value="{n}"><text:p>{n}</text:p></table:table-cell>"#
    )
}

fn row(cells: &[String], repeated: u64) -> String {
    let attr = if repeated == 1 {
        String::new()
    } else {
        format!(r#" table:number-rows-repeated="{repeated}""#)
    };
    format!(
        "<table:table-row{attr}>{}</table:table-row>",
        cells.concat()
    )
}

fn empty_cells(n: u64) -> String {
    format!(r#"<table:table-cell table:number-columns-repeated="{n}"/>"#)
}

/// The rows and columns of the values rectangle the screen works out
/// for the ods's first sheet.
fn screened_size(bytes: &[u8]) -> (u64, u64) {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let part = archive.by_name("content.xml").unwrap();
    let mut reader = xml_reader(BufReader::new(part));
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match reader.read_event_into(&mut buf).unwrap() {
            Event::Start(e) if e.name() == QName(b"table:table") => break,
            Event::Eof => panic!("no sheet"),
            _ => {}
        }
    }
    let table = ods_table(&mut reader);
    assert!(matches!(table.end, TableEnd::Closed));
    table
        .values
        .columns
        .map_or((0, 0), |(l, r)| (table.values.rows, r - l + 1))
}

#[test]
fn the_screen_sizes_an_ods_sheet_as_calamine_does() {
    let header = || vec![text_cell("Name"), text_cell("Course")];
    let data = || vec![text_cell("a@b.uk"), number_cell(4)];
    let layouts = [
        // Trailing empty rows and cells, as LibreOffice writes them, are
        // not written out.
        [
            row(&header(), 1),
            row(&data(), 3),
            row(&[empty_cells(1024)], 1_048_570),
        ]
        .concat(),
        // Empty rows between values are; so is a repeated value row.
        [
            row(&header(), 1),
            row(&[empty_cells(5)], 40),
            row(&data(), 7),
        ]
        .concat(),
        // Leading empty rows and columns only move the rectangle.
        [
            row(&[empty_cells(3)], 100),
            row(&[[empty_cells(6)].as_slice(), &header()].concat(), 1),
        ]
        .concat(),
        // A cell repeated along its row, empty cells between values.
        [
            row(&[number_cell(1), empty_cells(30), number_cell(2)], 2),
            row(
                &[
                    r#"<table:table-cell office:value="3" table:number-columns-repeated="9"/>"#
                        .to_string(),
                ],
                1,
            ),
        ]
        .concat(),
        // Repeats past the sheet's last row are cut, as calamine cuts them.
        [row(&data(), 1_048_575), row(&data(), 7)].concat(),
    ];
    for rows in layouts {
        let bytes = ods(&rows);
        let mut book: calamine::Ods<_> =
            calamine::open_workbook_from_rs(Cursor::new(&bytes[..])).unwrap();
        let range = book.worksheet_range("Sheet1").unwrap();
        let (h, w) = range.get_size();
        assert_eq!(screened_size(&bytes), (h as u64, w as u64), "{rows}");
    }
}

#[test]
fn an_ods_row_repeated_a_million_times_is_refused() {
    let rows = [
        row(&[text_cell("Name"), text_cell("Course")], 1),
        row(&[text_cell("a@b.uk"), number_cell(4)], 1_048_576),
    ]
    .concat();
    let e = refusal(&ods(&rows));
    assert!(
        e.contains("would be written out as 2,097,") && e.contains("save it as CSV"),
        "{e}"
    );
}

#[test]
fn an_ods_row_repeated_into_many_bookings_is_refused() {
    let rows = |n| {
        [
            row(&[text_cell("Name"), text_cell("Course")], 1),
            row(&[text_cell("a@b.uk"), number_cell(4)], n),
        ]
        .concat()
    };
    // 400,000 cells are within what calamine may build, but not as
    // values for the rest of the load to read.
    let e = refusal(&ods(&rows(200_000)));
    assert!(
        e.contains("would turn the 4 values its content.xml writes into 400,002"),
        "{e}"
    );
    screened(&ods(&rows(100))).unwrap();
}

#[test]
fn an_ods_value_below_a_million_empty_rows_is_refused() {
    let rows = [
        row(&[text_cell("Name"), text_cell("Course")], 1),
        row(&[empty_cells(1)], 1_048_000),
        row(&[text_cell("x")], 1),
    ]
    .concat();
    assert!(refusal(&ods(&rows)).contains("would be written out as 2,096,"));
}

#[test]
fn an_ods_cell_repeated_across_the_sheet_is_refused() {
    let cell = r#"<table:table-cell office:value="1" table:number-columns-repeated="16384"/>"#;
    let rows = row(&[cell.to_string()], 1000);
    assert!(refusal(&ods(&rows)).contains("would be written out as 16,"));
}

#[test]
fn an_ods_space_run_of_billions_is_refused() {
    let cell = r#"<table:table-cell office:value-type="string"><text:p>a<text:s text:c="4000000000"/>b</text:p></table:table-cell>"#;
    assert!(refusal(&ods(&row(&[cell.to_string()], 1))).contains("written out as 250,000,"));
}

#[test]
fn an_ods_cut_short_inside_a_sheet_is_refused() {
    let bytes = ods(&row(&[text_cell("Name")], 1));
    let content = {
        let mut archive = zip::ZipArchive::new(Cursor::new(&bytes[..])).unwrap();
        let mut text = String::new();
        archive
            .by_name("content.xml")
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        text[..text.find("</table:table>").unwrap()].to_string()
    };
    let cut = zipped(&[
        (
            "mimetype",
            b"application/vnd.oasis.opendocument.spreadsheet",
        ),
        ("META-INF/manifest.xml", MANIFEST.as_bytes()),
        ("content.xml", content.as_bytes()),
    ]);
    assert!(refusal(&cut).contains("ends inside sheet 'Sheet1'"));
}

#[test]
fn ordinary_ods_files_pass() {
    let rows: String = (0..2000)
        .map(|i| {
            row(
                &[
                    text_cell(&format!("d{i}@x.uk")),
                    number_cell(i),
                    number_cell(5),
                ],
                1,
            )
        })
        .collect();
    screened(&ods(&[rows, row(&[empty_cells(1024)], 1_046_000)].concat())).unwrap();
    for name in ["attendance.ods", "evaluations.ods"] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/formats/ods")
            .join(name);
        screened(&std::fs::read(path).unwrap()).unwrap();
    }
}
