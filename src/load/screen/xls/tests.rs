//! The xls screen over compound files built here, and calamine's reading of
//! the same files.

use std::io::Cursor;
use std::path::Path;

use calamine::Reader as _;

use crate::load::screen::tests::{refusal, screened};

fn record(kind: u16, data: &[u8]) -> Vec<u8> {
    [
        &kind.to_le_bytes()[..],
        &(data.len() as u16).to_le_bytes(),
        data,
    ]
    .concat()
}

/// A cell record (NUMBER) at `row`, `col`.
fn number(row: u16, col: u16) -> Vec<u8> {
    let data = [
        &row.to_le_bytes()[..],
        &col.to_le_bytes(),
        &[0; 2],
        &1f64.to_le_bytes(),
    ]
    .concat();
    record(0x0203, &data)
}

/// A BIFF8 DIMENSIONS record: rows `first..end`, columns `first..end`.
fn dimensions(rows: (u32, u32), cols: (u16, u16)) -> Vec<u8> {
    let data = [
        &rows.0.to_le_bytes()[..],
        &rows.1.to_le_bytes(),
        &cols.0.to_le_bytes(),
        &cols.1.to_le_bytes(),
        &[0; 2],
    ]
    .concat();
    record(0x0200, &data)
}

/// A workbook stream of one sheet per entry of `sheets` (the sheet
/// records between its BOF and EOF), with `copies` BOUNDSHEET records
/// pointing at each.
fn workbook(sheets: &[Vec<u8>], copies: usize) -> Vec<u8> {
    let bof = record(0x0809, &[0x00, 0x06, 0x10, 0x00]);
    let eof = record(0x000A, &[]);
    // BOUNDSHEET: offset, visible worksheet, a three-letter name.
    let bound_len = 4 + 4 + 2 + 2 + 3;
    let globals_len = bof.len() + sheets.len() * copies * bound_len + eof.len();
    let mut globals = bof.clone();
    let mut bodies = Vec::new();
    for (i, body) in sheets.iter().enumerate() {
        let at = (globals_len + bodies.len()) as u32;
        for copy in 0..copies {
            let name = [
                b'A' + i as u8,
                b'a' + (copy % 26) as u8,
                b'a' + (copy / 26 % 26) as u8,
            ];
            let data = [&at.to_le_bytes()[..], &[0, 0, 3, 0], &name].concat();
            globals.extend(record(0x0085, &data));
        }
        bodies.extend([&bof[..], body, &eof].concat());
    }
    globals.extend(&eof);
    assert_eq!(globals.len(), globals_len);
    [globals, bodies].concat()
}

const END: u32 = 0xFFFF_FFFE;

/// A version-3 compound file (512-byte sectors) holding `stream` as its
/// Workbook stream, in regular sectors.
fn compound(stream: &[u8]) -> Vec<u8> {
    compound_with(stream, false)
}

/// The same, the stream in the mini stream when `mini` (it must then be
/// under 4096 bytes). Sectors: the stream (or the mini stream), the mini
/// FAT when there is one, the FAT, the directory.
fn compound_with(stream: &[u8], mini: bool) -> Vec<u8> {
    let put = |b: &mut [u8], at: usize, v: u32| b[at..at + 4].copy_from_slice(&v.to_le_bytes());
    let chain = |b: &mut [u8], from: usize, count: usize| {
        for i in from..from + count {
            put(
                b,
                4 * i,
                if i + 1 < from + count {
                    i as u32 + 1
                } else {
                    END
                },
            );
        }
    };
    let mut data = stream.to_vec();
    let mut mini_fat = Vec::new();
    if mini {
        data.resize(stream.len().next_multiple_of(64), 0);
        mini_fat = vec![0xFFu8; 512];
        chain(&mut mini_fat, 0, data.len() / 64);
    } else {
        data.resize(stream.len().max(4096), 0);
    }
    let (stream_len, root_len) = if mini {
        (stream.len(), data.len())
    } else {
        (data.len(), 0)
    };
    data.resize(data.len().next_multiple_of(512), 0);
    let n = data.len() / 512;
    let m = mini_fat.len() / 512;
    let (fat_at, directory_at) = (n + m, n + m + 1);
    let mut header = vec![0xFFu8; 512];
    header[..76].fill(0);
    header[..8].copy_from_slice(xls_signature());
    header[24..26].copy_from_slice(&0x3Eu16.to_le_bytes());
    header[26..28].copy_from_slice(&3u16.to_le_bytes());
    header[28..30].copy_from_slice(&0xFFFEu16.to_le_bytes());
    header[30..32].copy_from_slice(&9u16.to_le_bytes());
    header[32..34].copy_from_slice(&6u16.to_le_bytes());
    put(&mut header, 44, 1);
    put(&mut header, 48, directory_at as u32);
    put(&mut header, 56, 4096);
    put(&mut header, 60, if mini { n as u32 } else { END });
    put(&mut header, 64, m as u32);
    put(&mut header, 68, END);
    put(&mut header, 76, fat_at as u32);
    let mut fat = vec![0xFFu8; 512];
    chain(&mut fat, 0, n);
    if mini {
        put(&mut fat, 4 * n, END);
    }
    put(&mut fat, 4 * fat_at, 0xFFFF_FFFD);
    put(&mut fat, 4 * directory_at, END);
    let mut directory = vec![0u8; 512];
    let root_start = if mini { 0 } else { END };
    let entries = [
        ("Root Entry", 5u8, root_start, root_len as u32, 1),
        ("Workbook", 2, 0, stream_len as u32, 0xFFFF_FFFF),
    ];
    for (i, (name, kind, start, len, child)) in entries.into_iter().enumerate() {
        let e = &mut directory[i * 128..(i + 1) * 128];
        for (j, u) in name.encode_utf16().enumerate() {
            e[2 * j..2 * j + 2].copy_from_slice(&u.to_le_bytes());
        }
        e[64..66].copy_from_slice(&(2 * name.len() as u16 + 2).to_le_bytes());
        e[66] = kind;
        put(e, 68, 0xFFFF_FFFF);
        put(e, 72, 0xFFFF_FFFF);
        put(e, 76, child);
        put(e, 116, start);
        put(e, 120, len);
    }
    [header, data, mini_fat, fat, directory].concat()
}

fn xls_signature() -> &'static [u8] {
    b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"
}

/// The value rectangle calamine builds for the xls's first sheet.
fn calamine_size(bytes: &[u8]) -> (usize, usize) {
    let mut book: calamine::Xls<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    let name = book.sheet_names()[0].clone();
    book.worksheet_range(&name).unwrap().get_size()
}

fn table(rows: std::ops::Range<u16>, cols: std::ops::Range<u16>) -> Vec<u8> {
    rows.flat_map(|r| cols.clone().map(move |c| number(r, c)))
        .flatten()
        .collect()
}

#[test]
fn ordinary_xls_files_pass() {
    let sheet = [dimensions((0, 200), (0, 8)), table(0..200, 0..8)].concat();
    let bytes = compound(&workbook(&[sheet.clone(), sheet], 1));
    assert_eq!(calamine_size(&bytes), (200, 8));
    screened(&bytes).unwrap();
    for name in ["attendance.xls", "evaluations.xls"] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/formats/xls")
            .join(name);
        let bytes = std::fs::read(path).unwrap();
        screened(&bytes).unwrap();
        // Cut short inside its directory, an xls still reads.
        screened(&bytes[..bytes.len() - 191]).unwrap();
    }
}

#[test]
fn an_xls_dimensions_record_claiming_the_whole_sheet_is_refused() {
    let sheet = [dimensions((0, 65536), (0, 256)), table(0..5, 0..4)].concat();
    let e = refusal(&compound(&workbook(&[sheet], 1)));
    assert!(e.contains("16,777,2") && e.contains("holds 20"), "{e}");
    // Rows that wrap around in calamine's 32-bit arithmetic too.
    let sheet = [dimensions((100, 50), (0, 1)), table(0..5, 0..4)].concat();
    assert!(refusal(&compound(&workbook(&[sheet], 1))).contains("holds 20"));
}

#[test]
fn formatted_blank_cells_justify_an_xls_dimensions_record() {
    // DIMENSIONS covers 4,400 rows of 250 columns: past the fixed
    // allowance for a sheet of 20 values, inside it once 30,000
    // formatted blank cells (MULBLANK, 250 to a row) are counted.
    let values = [dimensions((0, 4400), (0, 250)), table(0..5, 0..4)].concat();
    assert!(refusal(&compound(&workbook(std::slice::from_ref(&values), 1))).contains("holds 20"));
    let blanks: Vec<u8> = (0..120u16)
        .flat_map(|r| {
            let data = [
                &r.to_le_bytes()[..],
                &0u16.to_le_bytes(),
                &[0; 500],
                &249u16.to_le_bytes(),
            ]
            .concat();
            record(0x00BE, &data)
        })
        .collect();
    screened(&compound(&workbook(&[[values, blanks].concat()], 1))).unwrap();
}

#[test]
fn an_xls_cell_at_the_far_corner_is_refused() {
    let sheet = [table(0..5, 0..4), number(65535, 255)].concat();
    let bytes = compound(&workbook(&[sheet], 1));
    assert_eq!(calamine_size(&bytes), (65536, 256));
    assert!(refusal(&bytes).contains("16,777,2"));
}

#[test]
fn an_xls_sheet_listed_two_thousand_times_is_refused() {
    // calamine reads a sheet once for each BOUNDSHEET record naming it.
    let sheet = table(0..50, 0..10);
    screened(&compound(&workbook(std::slice::from_ref(&sheet), 2))).unwrap();
    let e = refusal(&compound(&workbook(&[sheet], 2000)));
    assert!(e.contains("holds 500"), "{e}");
}

#[test]
fn an_xls_sector_chain_that_loops_is_refused() {
    let mut bytes = compound(&workbook(&[table(0..5, 0..4)], 1));
    // The directory's chain (sector 9) points back to itself.
    let fat = 512 + 8 * 512;
    bytes[fat + 4 * 9..fat + 4 * 10].copy_from_slice(&9u32.to_le_bytes());
    assert!(refusal(&bytes).contains("loops back on itself"));
}

#[test]
fn a_small_xls_in_the_mini_stream_is_read_as_calamine_reads_it() {
    let small = workbook(
        &[[dimensions((0, 10), (0, 4)), table(0..10, 0..4)].concat()],
        1,
    );
    assert!(small.len() < 4096);
    let mut bytes = compound_with(&small, true);
    assert_eq!(calamine_size(&bytes), (10, 4));
    screened(&bytes).unwrap();
    // The mini FAT (sector 2) sends the stream's last mini sector back to
    // its first.
    let last = small.len().div_ceil(64) - 1;
    let at = 512 + 2 * 512 + 4 * last;
    bytes[at..at + 4].copy_from_slice(&0u32.to_le_bytes());
    let directory = bytes.len() - 512;
    let len = directory + 128 + 120;
    bytes[len..len + 4].copy_from_slice(&4095u32.to_le_bytes());
    assert!(refusal(&bytes).contains("loops back on itself"));
}

#[test]
fn an_xls_mini_stream_looping_on_itself_is_refused() {
    // Sectors: the mini stream, the mini FAT, the FAT, the directory.
    // The mini stream's one sector points back to itself, and the root
    // entry says it is 4 GB long: calamine would read it until memory
    // runs out.
    let mut bytes = compound_with(&workbook(&[table(0..3, 0..3)], 1), true);
    assert_eq!(bytes.len(), 5 * 512);
    let fat = 3 * 512;
    bytes[fat..fat + 4].copy_from_slice(&0u32.to_le_bytes());
    let root_len = 4 * 512 + 120;
    bytes[root_len..root_len + 4].copy_from_slice(&0xFFFF_FFC0u32.to_le_bytes());
    assert!(refusal(&bytes).contains("loops back on itself"));
}

#[test]
fn an_xls_claiming_more_sector_tables_than_sectors_is_refused() {
    let mut bytes = compound(&workbook(&[table(0..5, 0..4)], 1));
    // All 109 of the header's FAT sector numbers name sector 0.
    bytes[76..512].fill(0);
    assert!(refusal(&bytes).contains("sector table claims 109 sectors, but the file has only 12"));
}
