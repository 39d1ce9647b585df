//! Damaged, hostile and merely unlucky inputs: each is read right, or
//! refused with an error naming the file and what is wrong, in memory that
//! follows the data rather than what a file claims.
//!
//! The test crate counts its allocations ([`crate::common::alloc`]), so a case
//! can assert the most memory the loader held; such a case runs in a process
//! of its own for that ([`in_own_process`]).

use std::path::Path;

use hubreport::config::Config;
use hubreport::load;
use hubreport::model::Dataset;

use crate::common::{alloc, folder, in_own_process, keyed};
use crate::test_path;

const MIB: usize = 1 << 20;

/// Loads `dir`, returning the result and the most memory held meanwhile
/// beyond what was held before. The test calling it runs in a process of
/// its own ([`in_own_process`]), so the peak is this load's alone.
fn load_measured(dir: &Path, config: &Config) -> (hubreport::Result<Dataset>, usize) {
    let base = alloc::reset_peak();
    let result = load::load(config, dir);
    (result, alloc::peak().saturating_sub(base))
}

const HEADER: &str = "Session ID,Delegate Email,Organisation,Status,Course,Session Date";

fn attendance_rows(n: usize) -> String {
    (0..n)
        .map(|i| format!("S{},d{i}@x.uk,Police,Attended,Neglect,03/04/2024\n", i % 7))
        .collect()
}

/// The error from loading `dir`, which must be an input error (exit 2).
fn input_error(dir: &Path) -> String {
    match load::load(&keyed(), dir) {
        Ok(_) => panic!("{} loaded, but should have been refused", dir.display()),
        Err(e) => {
            assert_eq!(e.exit_code(), 2, "{e}");
            e.to_string()
        }
    }
}

/// An attendance workbook of `rows` bookings, then `extra` applied to it.
fn workbook(rows: usize, extra: impl FnOnce(&mut rust_xlsxwriter::Worksheet)) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in HEADER.split(',').enumerate() {
        sheet.write_string(0, c as u16, h).unwrap();
    }
    for (r, line) in attendance_rows(rows).lines().enumerate() {
        for (c, v) in line.split(',').enumerate() {
            sheet.write_string(r as u32 + 1, c as u16, v).unwrap();
        }
    }
    extra(sheet);
    book.save_to_buffer().unwrap()
}

/// Rewrites one part of a zip (an xlsx) through `edit`.
fn edit_part(zipped: &[u8], part: &str, edit: impl Fn(&str) -> String) -> Vec<u8> {
    use std::io::{Read, Write};
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zipped)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).unwrap();
        let name = file.name().unwrap().to_string();
        let mut text = Vec::new();
        file.read_to_end(&mut text).unwrap();
        if name == part {
            text = edit(&String::from_utf8(text).unwrap()).into_bytes();
        }
        out.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        out.write_all(&text).unwrap();
    }
    out.finish().unwrap().into_inner()
}

#[test]
fn a_stray_cell_at_the_sheets_last_corner_costs_one_cell() {
    in_own_process(
        &test_path!(a_stray_cell_at_the_sheets_last_corner_costs_one_cell),
        || {
            let bytes = workbook(20, |s| {
                s.write_string(1_048_575, 16_383, "x").unwrap();
            });
            let dir = folder(&[("attendance.xlsx", &bytes)]);
            let (data, peak) = load_measured(dir.path(), &keyed());
            let data = data.unwrap();
            assert!(peak < 32 * MIB, "peak {} MiB", peak / MIB);
            assert_eq!(data.bookings.len(), 20);
            // The stray row is accounted for, never silently dropped.
            let q = &data.quality.sources[0];
            assert_eq!((q.rows_read, q.rows_loaded, q.rows_rejected), (21, 20, 1));
            assert!(
                data.quality
                    .rejections
                    .iter()
                    .any(|r| r.row == 1_048_576 && r.reason.contains("missing")),
                "{:?}",
                data.quality.rejections
            );
        },
    );
}

#[test]
fn a_cell_reference_past_excels_last_row_is_refused_in_bounded_memory() {
    in_own_process(
        &test_path!(a_cell_reference_past_excels_last_row_is_refused_in_bounded_memory),
        || {
            let bytes = workbook(5, |_| {});
            let bytes = edit_part(&bytes, "xl/worksheets/sheet1.xml", |xml| {
                xml.replacen("r=\"A3\"", "r=\"A99999999999\"", 1)
            });
            let dir = folder(&[("attendance.xlsx", &bytes)]);
            let (result, peak) = load_measured(dir.path(), &keyed());
            // A debug build's reader overflows on the reference and panics (caught,
            // and printed with a backtrace when RUST_BACKTRACE is set); a release
            // build reads a row past the limit. Either way: an error, in little memory.
            assert!(peak < 64 * MIB, "peak {} MiB", peak / MIB);
            let e = result.unwrap_err();
            assert_eq!(e.exit_code(), 2, "{e}");
            assert!(e.to_string().contains("attendance.xlsx"), "{e}");
        },
    );
}

#[test]
fn a_header_of_a_million_empty_columns_costs_nothing() {
    in_own_process(
        &test_path!(a_header_of_a_million_empty_columns_costs_nothing),
        || {
            let text = format!(
                "{HEADER}{}\n{}",
                ",".repeat(1_000_000),
                attendance_rows(200)
            );
            let dir = folder(&[("attendance.csv", text.as_bytes())]);
            let (data, peak) = load_measured(dir.path(), &keyed());
            let data = data.unwrap();
            assert_eq!(data.bookings.len(), 200);
            // The text (read, then decoded), and the CSV reader's 8-byte end offset
            // for each field of the widest record, doubled as it grows.
            let fields = 1_000_006;
            assert!(
                peak < 4 * text.len() + 16 * fields + 8 * MIB,
                "peak {} MiB",
                peak / MIB
            );
        },
    );
}

#[test]
fn a_zip_bomb_is_refused_before_it_is_unpacked() {
    in_own_process(
        &test_path!(a_zip_bomb_is_refused_before_it_is_unpacked),
        || {
            let bytes = workbook(5, |_| {});
            let huge = "y".repeat(64 * MIB);
            let bomb = edit_part(&bytes, "xl/sharedStrings.xml", |xml| {
                xml.replacen("<t>", &format!("<t>{huge}"), 1)
            });
            drop(huge);
            assert!(bomb.len() < 2 * MIB, "{}", bomb.len());
            let dir = folder(&[("attendance.xlsx", &bomb)]);
            let (result, peak) = load_measured(dir.path(), &keyed());
            assert!(peak < 32 * MIB, "peak {} MiB", peak / MIB);
            let e = result.unwrap_err().to_string();
            assert!(e.contains("zip bomb") && e.contains("sharedStrings"), "{e}");
        },
    );
}

#[test]
fn a_cell_longer_than_a_spreadsheet_allows_is_refused_naming_it() {
    let text = format!(
        "{HEADER}\n{}S1,d@x.uk,{},Attended,Neglect,03/04/2024\n",
        attendance_rows(3),
        "P".repeat(40_000)
    );
    let dir = folder(&[("attendance.csv", text.as_bytes())]);
    let e = input_error(dir.path());
    assert!(
        e.contains("attendance.csv") && e.contains("row 5, column C") && e.contains("32767"),
        "{e}"
    );
}

#[test]
fn values_past_the_last_column_excel_allows_are_refused() {
    let text = format!("{HEADER}{}x\n{}", ",".repeat(20_000), attendance_rows(3));
    let dir = folder(&[("attendance.csv", text.as_bytes())]);
    let e = input_error(dir.path());
    assert!(e.contains("16384 columns"), "{e}");
}

#[test]
fn an_unbalanced_quote_stops_the_run_naming_the_line_it_opened_on() {
    let mut text = format!("{HEADER}\n{}", attendance_rows(4));
    text.push_str("S1,\"quoted@x.uk,Police,Attended,Neglect,03/04/2024\n");
    text.push_str(&attendance_rows(115));
    let dir = folder(&[("attendance.csv", text.as_bytes())]);
    let e = input_error(dir.path());
    assert!(e.contains("attendance.csv") && e.contains("line 6"), "{e}");
}

#[test]
fn a_stray_byte_in_a_utf8_file_is_refused_not_read_as_mojibake() {
    let mut bytes =
        format!("{HEADER}\nS1,a@x.uk,Caf\u{e9} Society,Attended,Neglect,03/04/2024\n").into_bytes();
    bytes.extend(b"S1,b@x.uk,Police \xA3,Attended,Neglect,03/04/2024\n");
    let dir = folder(&[("attendance.csv", &bytes)]);
    let e = input_error(dir.path());
    assert!(e.contains("line 3") && e.contains("0xA3"), "{e}");
}

#[test]
fn utf16_and_windows_1252_files_read_as_their_utf8_twin() {
    let text = format!("{HEADER}\nS1,a@x.uk,Caf\u{e9} Society,Attended,Neglect,03/04/2024\n");
    let utf8 = folder(&[("attendance.csv", text.as_bytes())]);
    let reference = load::load(&keyed(), utf8.path()).unwrap();
    let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let mut le_bom = vec![0xFF, 0xFE];
    le_bom.extend(&le);
    let cp1252: Vec<u8> = text
        .chars()
        .map(|c| if c == '\u{e9}' { 0xE9 } else { c as u8 })
        .collect();
    for (name, bytes, encoding) in [
        ("utf-16 without bom", le, "UTF-16LE"),
        ("utf-16 with bom", le_bom, "UTF-16LE"),
        ("windows-1252", cp1252, "windows-1252"),
    ] {
        let dir = folder(&[("attendance.csv", &bytes)]);
        let data = load::load(&keyed(), dir.path()).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(data.bookings, reference.bookings, "{name}");
        assert!(
            data.quality.notes.iter().any(|n| n.contains(encoding)),
            "{name}: {:?}",
            data.quality.notes
        );
    }
}

#[test]
fn two_columns_answering_to_one_canonical_column_need_config_to_choose() {
    let text = "Session ID,Delegate Email,Employer,Organisation,Status,Course,Session Date\n\
                S1,a@x.uk,Police,Northshire Police,Attended,Neglect,03/04/2024\n";
    let dir = folder(&[("attendance.csv", text.as_bytes())]);
    let e = input_error(dir.path());
    assert!(
        e.contains("'Employer'") && e.contains("'Organisation'") && e.contains("agency"),
        "{e}"
    );
    let mut config = keyed();
    config
        .sources
        .attendance
        .columns
        .insert("agency".into(), vec!["Organisation".into()]);
    let data = load::load(&config, dir.path()).unwrap();
    assert_eq!(&*data.bookings[0].agency, "Northshire Police");
    assert_eq!(data.quality.sources[0].ignored_columns, vec!["Employer"]);
}

#[test]
fn a_return_training_more_than_its_headcount_is_rejected() {
    let attendance = format!("{HEADER}\n{}", attendance_rows(2));
    let returns = "Agency,Year,Level,Headcount,Trained\n\
                   Police,2024-25,1,10,12\n\
                   Police,2024-25,2,10,10\n\
                   Police,2024-25,3,0,0\n";
    let dir = folder(&[
        ("attendance.csv", attendance.as_bytes()),
        ("agency_returns.csv", returns.as_bytes()),
    ]);
    let data = load::load(&keyed(), dir.path()).unwrap();
    assert_eq!(data.returns.len(), 2);
    let r = &data.quality.rejections[0];
    assert_eq!((r.row, r.column.as_str()), (2, "Trained"));
    assert!(r.reason.contains("more than the headcount of 10"), "{r:?}");
}

#[test]
fn a_file_of_nothing_but_bad_rows_lists_the_first_rejections_and_counts_all() {
    in_own_process(
        &test_path!(a_file_of_nothing_but_bad_rows_lists_the_first_rejections_and_counts_all),
        || {
            let rows = hubreport::model::MAX_LISTED_REJECTIONS + 10;
            let mut text = String::from(HEADER);
            text.push('\n');
            for i in 0..rows {
                text.push_str(&format!("S1,d{i}@x.uk,Police,Maybe,Neglect,03/04/2024\n"));
            }
            let dir = folder(&[("attendance.csv", text.as_bytes())]);
            let (data, peak) = load_measured(dir.path(), &keyed());
            let data = data.unwrap();
            let q = &data.quality.sources[0];
            assert_eq!((q.rows_read, q.rows_rejected), (rows, rows));
            assert_eq!(
                data.quality.rejections.len(),
                hubreport::model::MAX_LISTED_REJECTIONS
            );
            assert!(
                data.quality
                    .notes
                    .iter()
                    .any(|n| n.contains("10 more rejected values are counted but not listed")),
                "{:?}",
                data.quality.notes
            );
            assert!(peak < 64 * MIB + 40 * text.len(), "peak {} MiB", peak / MIB);
        },
    );
}
