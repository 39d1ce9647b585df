//! CSV files into a raw sheet: the encoding settled on the file's own
//! evidence, the quoting checked so that a lost quote cannot swallow rows,
//! then every record read with the csv crate.

use std::path::Path;

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, WINDOWS_1252};

use super::sheet::{Column, Grid, RawSheet, Span};
use crate::error::{Error, Result};

/// Reads a CSV file (or a tab-separated one, with `delimiter` b'\t'); also
/// says how it was decoded when that was not UTF-8.
pub fn read_csv(
    path: &Path,
    bytes: Vec<u8>,
    delimiter: u8,
) -> Result<(RawSheet, Option<&'static str>)> {
    let (text, encoding) = decode(bytes).map_err(|m| Error::input(path, None, m))?;
    check_quotes(&text, delimiter).map_err(|m| Error::input(path, None, m))?;
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut grid = Grid::new(false);
    // Every field's text, one after another: a file's worth of bytes, not a
    // string allocated per cell.
    let mut fields = String::with_capacity(text.len() / 2);
    let mut height: u32 = 0;
    let mut record = csv::StringRecord::new();
    loop {
        // The csv crate passes over empty lines; a spreadsheet shows each
        // as a row, so they count, and rows are numbered as Excel shows them.
        // (Its positions place a record at the start of the empty lines
        // before it.)
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let start = record.position().map_or(0, |p| p.byte());
                let start = usize::try_from(start).unwrap_or(usize::MAX);
                let blank =
                    u32::try_from(empty_lines_before(text.as_bytes(), start)).unwrap_or(u32::MAX);
                height = height.checked_add(blank).ok_or_else(|| {
                    Error::input(path, None, "more rows than hubreport can count")
                })?;
            }
            Err(e) => {
                let line = e.position().map_or(height as u64 + 1, |p| p.line());
                return Err(Error::input(
                    path,
                    None,
                    format!("cannot be read as CSV at line {line}: {e}"),
                ));
            }
        }
        for (c, value) in record.iter().enumerate() {
            if value.trim().is_empty() {
                continue;
            }
            // A value's characters are at most its bytes: most need no count.
            let chars = if value.len() > super::sheet::limits::CELL_CHARS {
                value.chars().count()
            } else {
                value.len()
            };
            let col = u32::try_from(c).unwrap_or(u32::MAX);
            // A field past the cell limit is refused by the grid, before it
            // needs a span.
            let span = Span::new(fields.len(), value.len()).unwrap_or_default();
            grid.push(height, col, span, chars)
                .map_err(|m| Error::input(path, None, m))?;
            fields.push_str(value);
        }
        height = height
            .checked_add(1)
            .ok_or_else(|| Error::input(path, None, "more rows than hubreport can count"))?;
    }
    let laid = grid
        .lay_out(Some((0, height as usize)))
        .map_err(|m| Error::input(path, None, m))?;
    let sheet = RawSheet {
        sheet: None,
        is_1904: false,
        first_row: laid.first_row + 1,
        row_numbers: laid.rows.map(|rows| rows.iter().map(|r| r + 1).collect()),
        columns: laid.columns.into_iter().map(Column::Text).collect(),
        height: laid.height,
        text: fields,
    };
    Ok((sheet, encoding))
}

/// The empty lines a record that the csv crate places at byte `start`
/// passes over: its position is where the previous record's line ending
/// stopped, which for `\r\n` is at the `\n`.
fn empty_lines_before(bytes: &[u8], start: usize) -> usize {
    let Some(rest) = bytes.get(start..) else {
        return 0;
    };
    let rest = if start > 0 && bytes[start - 1] == b'\r' {
        rest.strip_prefix(b"\n").unwrap_or(rest)
    } else {
        rest
    };
    let mut lines = 0;
    let mut i = 0;
    while let Some(&b) = rest.get(i) {
        match b {
            b'\r' if rest.get(i + 1) == Some(&b'\n') => i += 2,
            b'\r' | b'\n' => i += 1,
            _ => break,
        }
        lines += 1;
    }
    lines
}

/// Decodes a text file on its own evidence: a byte-order mark says UTF-8 or
/// UTF-16; bytes that are valid UTF-8 are UTF-8; UTF-16 without a mark shows
/// as a NUL byte in every other place; a file whose every byte past ASCII is
/// invalid as UTF-8 is Windows-1252 (Excel's "CSV" save). A file that is UTF-8
/// in places and not in others is refused, naming the line: decoding it
/// either way would garble some of its values.
fn decode(bytes: Vec<u8>) -> Result<(String, Option<&'static str>), String> {
    if let Some((encoding, bom)) = Encoding::for_bom(&bytes) {
        let body = &bytes[bom..];
        return if encoding == encoding_rs::UTF_8 {
            utf8(body).map(|s| (s, None))
        } else {
            utf16(body, encoding).map(|s| (s, Some(encoding.name())))
        };
    }
    if let Some(encoding) = utf16_without_bom(&bytes) {
        return utf16(&bytes, encoding).map(|s| (s, Some(encoding.name())));
    }
    match String::from_utf8(bytes) {
        Ok(s) => Ok((s, None)),
        Err(e) => {
            let bytes = e.into_bytes();
            let utf8_beyond_ascii = bytes.utf8_chunks().any(|chunk| !chunk.valid().is_ascii());
            if utf8_beyond_ascii {
                return Err(mixed_encoding(&bytes));
            }
            let (text, _) = WINDOWS_1252.decode_without_bom_handling(&bytes);
            Ok((text.into_owned(), Some(WINDOWS_1252.name())))
        }
    }
}

fn utf8(body: &[u8]) -> Result<String, String> {
    std::str::from_utf8(body)
        .map(str::to_string)
        .map_err(|_| mixed_encoding(body))
}

fn utf16(body: &[u8], encoding: &'static Encoding) -> Result<String, String> {
    encoding
        .decode_without_bom_handling_and_without_replacement(body)
        .map(|s| s.into_owned())
        .ok_or_else(|| {
            format!(
                "looks like {} text but is not valid {}: re-save it as CSV UTF-8",
                encoding.name(),
                encoding.name()
            )
        })
}

/// UTF-16 without a byte-order mark: in its first few KB, most characters
/// are ASCII, so every other byte is NUL.
fn utf16_without_bom(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(4096) & !1];
    if head.len() < 4 {
        return None;
    }
    let pairs = head.len() / 2;
    let nul_at = |parity: usize| {
        head.iter()
            .skip(parity)
            .step_by(2)
            .filter(|&&b| b == 0)
            .count()
    };
    let (even, odd) = (nul_at(0), nul_at(1));
    if odd * 10 >= pairs * 7 && even * 10 < pairs {
        Some(UTF_16LE)
    } else if even * 10 >= pairs * 7 && odd * 10 < pairs {
        Some(UTF_16BE)
    } else {
        None
    }
}

/// The error for a file that is UTF-8 in places only, naming the first line
/// holding a byte that is not.
fn mixed_encoding(bytes: &[u8]) -> String {
    let bad = std::str::from_utf8(bytes)
        .err()
        .map_or(0, |e| e.valid_up_to());
    let line = bytes[..bad].iter().filter(|&&b| b == b'\n').count() + 1;
    let byte = bytes.get(bad).copied().unwrap_or(0);
    format!(
        "is UTF-8 text, but line {line} holds a byte (0x{byte:02X}) that is not UTF-8: \
         the file mixes two encodings (often from pasting into it); re-save it as CSV UTF-8"
    )
}

/// Checks that every quoted value closes, and does not run over lines that
/// look like rows of their own: a quote that never closes makes a CSV reader
/// take the rest of the file as one value, losing every row after it.
fn check_quotes(text: &str, delimiter: u8) -> Result<(), String> {
    let bytes = text.as_bytes();
    // Quoted delimiters in a header are rare: its line's are a fair count.
    let header_commas = commas_on_line(bytes, delimiter);
    let mut line = 1usize;
    let mut at_field_start = true;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' if at_field_start => {
                let opened = line;
                i += 1;
                loop {
                    let Some(&b) = bytes.get(i) else {
                        return Err(format!(
                            "the quoted value opened on line {opened} never closes: a quote (\") is missing, \
                             and every row after it would be lost; fix the quote and run again"
                        ));
                    };
                    match b {
                        b'"' if bytes.get(i + 1) == Some(&b'"') => i += 2,
                        b'"' => {
                            i += 1;
                            break;
                        }
                        b'\n' => {
                            line += 1;
                            i += 1;
                            if header_commas >= 3
                                && commas_on_line(&bytes[i..], delimiter) >= header_commas
                            {
                                return Err(format!(
                                    "the quoted value opened on line {opened} runs on over line {line}, \
                                     which looks like a row of its own: a closing quote (\") is probably \
                                     missing, and rows would be lost; fix the quote and run again"
                                ));
                            }
                        }
                        _ => i += 1,
                    }
                }
                at_field_start = false;
            }
            b if b == delimiter => {
                at_field_start = true;
                i += 1;
            }
            b'\n' => {
                line += 1;
                at_field_start = true;
                i += 1;
            }
            b'\r' => i += 1,
            _ => {
                at_field_start = false;
                i += 1;
            }
        }
    }
    Ok(())
}

/// Delimiters on the first line of `bytes` (to its newline).
fn commas_on_line(bytes: &[u8], delimiter: u8) -> usize {
    bytes
        .iter()
        .take_while(|&&b| b != b'\n')
        .filter(|&&b| b == delimiter)
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_endings_of_every_kind_count_empty_lines_once() {
        for text in [
            "h,s\na,P\n\nb,A\n",
            "h,s\r\na,P\r\n\r\nb,A\r\n",
            "h,s\ra,P\r\rb,A\r",
        ] {
            let (sheet, _) = read_csv(Path::new("x.csv"), text.as_bytes().to_vec(), b',').unwrap();
            let rows: Vec<(u32, String)> = (0..sheet.height)
                .filter(|&r| !sheet.cell(0, r).is_blank())
                .map(|r| (sheet.excel_row(r), sheet.cell(0, r).display()))
                .collect();
            assert_eq!(
                rows,
                [(1, "h".into()), (2, "a".into()), (4, "b".into())],
                "{text:?}"
            );
        }
    }

    #[test]
    fn rows_are_numbered_as_a_spreadsheet_shows_them_past_empty_lines() {
        let text = "Course\tNeglect\n\nname\tstatus\n\"two\nlines\"\tP\n\n\nb\tA\n";
        let (sheet, _) = read_csv(Path::new("x.txt"), text.as_bytes().to_vec(), b'\t').unwrap();
        let at = |row: u32| {
            let r = sheet.raw_row(row).unwrap();
            (0..2)
                .map(|c| sheet.cell(c, r).display())
                .collect::<Vec<_>>()
        };
        assert_eq!(at(3), ["name", "status"]);
        assert_eq!(at(4), ["two\nlines", "P"]);
        assert_eq!(at(7), ["b", "A"]);
        assert!(sheet.raw_row(8).is_none());
    }

    #[test]
    fn an_unclosed_quote_names_the_line_it_opened_on() {
        let text = "a,b,c,d\n1,2,3,4\n5,\"oops,7,8\n9,10,11,12\n";
        let e = check_quotes(text, b',').unwrap_err();
        assert!(e.contains("opened on line 3"), "{e}");
        let text = "a,b\n1,\"never closed\n";
        let e = check_quotes(text, b',').unwrap_err();
        assert!(
            e.contains("opened on line 2") && e.contains("never closes"),
            "{e}"
        );
    }

    #[test]
    fn quoted_commas_quotes_and_line_breaks_are_fine() {
        let text = "a,b,c,d\n1,\"x, y\",\"say \"\"hi\"\"\",\"two\nlines\"\n2,3,4,5\n";
        check_quotes(text, b',').unwrap();
        // A quote inside an unquoted value is literal.
        check_quotes("a,b\n5\" screen,2\n", b',').unwrap();
    }

    #[test]
    fn encodings_are_decided_on_evidence() {
        let (s, e) = decode("£75".as_bytes().to_vec()).unwrap();
        assert_eq!((s.as_str(), e), ("£75", None));
        let (s, e) = decode(b"\xEF\xBB\xBFcaf\xC3\xA9".to_vec()).unwrap();
        assert_eq!((s.as_str(), e), ("café", None));
        let (s, e) = decode(b"\xA375 caf\xE9".to_vec()).unwrap();
        assert_eq!((s.as_str(), e), ("£75 café", Some("windows-1252")));
        // UTF-8 in one place and not in another: refused, naming the line.
        let e = decode(b"a\n\xC2\xA375\n\xA3 9\n".to_vec()).unwrap_err();
        assert!(e.contains("line 3") && e.contains("0xA3"), "{e}");
        let le: Vec<u8> = "id,agency\n1,Police\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        let (s, e) = decode(le.clone()).unwrap();
        assert_eq!((s.as_str(), e), ("id,agency\n1,Police\n", Some("UTF-16LE")));
        let mut bom = vec![0xFF, 0xFE];
        bom.extend(&le);
        assert_eq!(decode(bom).unwrap().1, Some("UTF-16LE"));
        let be: Vec<u8> = "id,agency\n"
            .encode_utf16()
            .flat_map(u16::to_be_bytes)
            .collect();
        assert_eq!(decode(be).unwrap().1, Some("UTF-16BE"));
    }
}
