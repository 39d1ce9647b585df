//! The screen's entry point: helpers the formats' tests share, the xlsx
//! shared-string rule, and what is left to calamine.

use std::io::{Cursor, Write};
use std::path::Path;

use super::budget::grouped;
use super::screen;
use crate::error::Result;

/// A zip of `parts`, stored.
pub(super) fn zipped(parts: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, bytes) in parts {
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        out.start_file(*name, options).unwrap();
        out.write_all(bytes).unwrap();
    }
    out.finish().unwrap().into_inner()
}

pub(super) fn screened(bytes: &[u8]) -> Result<()> {
    let archive = zip::ZipArchive::new(Cursor::new(bytes)).ok();
    screen(Path::new("book"), bytes, archive)
}

pub(super) fn refusal(bytes: &[u8]) -> String {
    let e = screened(bytes).expect_err("refused");
    assert_eq!(e.exit_code(), 2, "{e}");
    e.to_string()
}

// ---- xlsx ----

fn xlsx_strings(sst: &str) -> Vec<u8> {
    zipped(&[
        ("[Content_Types].xml", b"<Types/>"),
        ("xl/sharedStrings.xml", sst.as_bytes()),
    ])
}

#[test]
fn a_shared_string_table_claiming_more_strings_than_it_can_hold_is_refused() {
    let sst = r#"<?xml version="1.0"?><sst xmlns="x" count="100000000000" uniqueCount="100000000000"><si><t>x</t></si></sst>"#;
    let e = refusal(&xlsx_strings(sst));
    assert!(
        e.contains("'xl/sharedStrings.xml' claims 100,000,000,000 distinct strings")
            && e.contains("re-save it"),
        "{e}"
    );
    // The part is found in any folder and any case, as calamine finds it.
    let moved = zipped(&[("Book/SHAREDSTRINGS.XML", sst.as_bytes())]);
    assert!(refusal(&moved).contains("claims 100,000,000,000"));
}

#[test]
fn shared_string_tables_that_tell_the_truth_pass() {
    for sst in [
        r#"<sst count="3" uniqueCount="2"><si><t>a</t></si><si><t>b</t></si></sst>"#,
        // Many cells may share few strings: `count` is not a claim.
        r#"<sst count="900000000" uniqueCount="2"><si><t>a</t></si><si><t>b</t></si></sst>"#,
        // The fixed allowance covers a writer that miscounts a little.
        r#"<sst uniqueCount="250000"><si><t>a</t></si></sst>"#,
        r#"<sst><si><t>a</t></si></sst>"#,
        r#"<sst uniqueCount="1e11"><si><t>a</t></si></sst>"#,
    ] {
        screened(&xlsx_strings(sst)).unwrap_or_else(|e| panic!("{sst}: {e}"));
    }
}

#[test]
fn what_is_no_workbook_is_left_to_calamine_to_name() {
    screened(b"Session ID,Course\nS1,Neglect\n").unwrap();
    screened(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1 but no more").unwrap();
    screened(&zipped(&[("notes.txt", b"hello")])).unwrap();
}

#[test]
fn numbers_in_messages_are_grouped() {
    assert_eq!(grouped(1_234_567), "1,234,567");
    assert_eq!(grouped(999), "999");
    assert_eq!(grouped(0), "0");
}
