//! Making cases: constructed hostile files.

use super::*;

/// A constructed case: the fixture it was made from, its bytes, what it is.
pub(super) type Named = (usize, Vec<u8>, String);
pub(super) type Maker = fn(&Fixtures) -> Named;

/// Hostile files built on purpose, each a class of input that has broken
/// spreadsheet loaders: content placed at a sheet's far corner, counts
/// that claim more than the file holds, very wide or ragged CSV.
pub(super) const NAMED: [(&str, Maker); 12] = [
    ("csv-million-empty-header-columns", |f| {
        let i = f.find("metrics/data/attendance.csv");
        let mut rows = lines(&f.0[i].bytes);
        rows[0].extend(std::iter::repeat_n(b',', 1_000_000));
        (
            i,
            rows.join(&b"\n"[..]),
            "csv header: 1,000,000 empty columns after it, 74 rows below".into(),
        )
    }),
    ("csv-wide-row-below-many-rows", |f| {
        let i = f.find("formats/csv/attendance.csv");
        let mut bytes = f.0[i].bytes.clone();
        for _ in 0..5000 {
            bytes.extend_from_slice(b"S9,x@y.org,Agency,Attended,Course,01/05/2024,\n");
        }
        bytes.extend(std::iter::repeat_n(b',', 50_000));
        bytes.push(b'\n');
        (
            i,
            bytes,
            "csv ragged rows: 5,000 rows of 7 fields, then one of 50,001".into(),
        )
    }),
    ("csv-200000-rows-each-missing-required-values", |f| {
        let i = f.find("formats/csv/attendance.csv");
        let mut rows = lines(&f.0[i].bytes);
        rows.truncate(1);
        rows.extend(std::iter::repeat_n(b"x".to_vec(), 200_000));
        (
            i,
            rows.join(&b"\n"[..]),
            "csv rejected rows: 200,000 rows of one field, each missing three required values"
                .into(),
        )
    }),
    ("csv-utf16le-with-bom", |f| {
        let i = f.find("formats/csv/attendance.csv");
        let text = String::from_utf8_lossy(&f.0[i].bytes).to_string();
        let bytes = [0xff, 0xfe]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        (
            i,
            bytes,
            "csv encoding: UTF-16LE with BOM (Excel's 'Unicode text')".into(),
        )
    }),
    ("xlsx-stray-cell-at-xfd1048576", |f| {
        xlsx_with_cell(
            f,
            "<row r=\"1048576\"><c r=\"XFD1048576\"><v>1</v></c></row>",
        )
    }),
    ("xlsx-stray-cell-at-a1048576", |f| {
        xlsx_with_cell(f, "<row r=\"1048576\"><c r=\"A1048576\"><v>1</v></c></row>")
    }),
    ("xlsx-stray-cell-at-xfd1", |f| {
        xlsx_with_cell(f, "<row r=\"7\"><c r=\"XFD7\"><v>1</v></c></row>")
    }),
    ("xlsx-shared-strings-claim-1e11-strings", |f| {
        let i = f.find("formats/xlsx/attendance.xlsx");
        let mut entries = f.0[i].entries.clone().expect("entries");
        entries.push((
            "xl/sharedStrings.xml".into(),
            b"<?xml version=\"1.0\" encoding=\"UTF-8\"?><sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" count=\"100000000000\" uniqueCount=\"100000000000\"><si><t>x</t></si></sst>".to_vec(),
        ));
        (
            i,
            rezip(&entries, true),
            "xlsx shared strings: uniqueCount=\"100000000000\" for one string".into(),
        )
    }),
    ("xls-cell-at-row-65535-column-255", |f| {
        let i = f.find("formats/xls/attendance.xls");
        let mut bytes = f.0[i].bytes.clone();
        let (at, _, _) = *biff_records(&bytes)
            .iter()
            .rfind(|r| r.1 == 0x00FD)
            .expect("a LABELSST record");
        bytes[at + 4..at + 6].copy_from_slice(&0xFFFFu16.to_le_bytes());
        bytes[at + 6..at + 8].copy_from_slice(&0x00FFu16.to_le_bytes());
        (
            i,
            bytes,
            "xls record field: the last string cell moved to row 65536, column IV".into(),
        )
    }),
    ("xls-dimensions-claim-the-whole-sheet", |f| {
        let i = f.find("formats/xls/attendance.xls");
        let mut bytes = f.0[i].bytes.clone();
        let (at, _, _) = *biff_records(&bytes)
            .iter()
            .find(|r| r.1 == 0x0200)
            .expect("a DIMENSIONS record");
        bytes[at + 8..at + 12].copy_from_slice(&65536u32.to_le_bytes());
        bytes[at + 14..at + 16].copy_from_slice(&256u16.to_le_bytes());
        (
            i,
            bytes,
            "xls record field: DIMENSIONS claims 65,536 rows and 256 columns".into(),
        )
    }),
    ("ods-cell-repeated-to-the-sheet-edges", |f| {
        let i = f.find("formats/ods/attendance.ods");
        let mut entries = f.0[i].entries.clone().expect("entries");
        let content = entry(&mut entries, "content.xml").expect("content");
        let rows = find_all(content, b"<table:table-row>");
        let at = rows[1] + b"<table:table-row".len();
        content.splice(at..at, *b" table:number-rows-repeated=\"1048570\"");
        let cell = find(&content[at..], b"<table:table-cell").expect("a cell")
            + at
            + b"<table:table-cell".len();
        content.splice(cell..cell, *b" table:number-columns-repeated=\"16380\"");
        (
            i,
            rezip(&entries, true),
            "ods repeated cells: one data cell repeated 16,380 columns, its row 1,048,570 times"
                .into(),
        )
    }),
    ("ods-value-below-a-million-empty-rows", |f| {
        let i = f.find("formats/ods/attendance.ods");
        let mut entries = f.0[i].entries.clone().expect("entries");
        let content = entry(&mut entries, "content.xml").expect("content");
        insert_before(
            content,
            b"</table:table>",
            b"<table:table-row table:number-rows-repeated=\"1048000\"><table:table-cell/></table:table-row><table:table-row><table:table-cell office:value-type=\"string\"><text:p>x</text:p></table:table-cell></table:table-row>",
        );
        (
            i,
            rezip(&entries, true),
            "ods stray cell: a value below 1,048,000 empty rows".into(),
        )
    }),
];

pub(super) fn xlsx_with_cell(f: &Fixtures, row: &str) -> Named {
    let i = f.find("formats/xlsx/attendance.xlsx");
    let mut entries = f.0[i].entries.clone().expect("entries");
    let sheet = entry(&mut entries, "xl/worksheets/sheet1.xml").expect("sheet");
    insert_before(sheet, b"</sheetData>", row.as_bytes());
    (i, rezip(&entries, true), format!("xlsx stray cell: {row}"))
}
