//! Making cases: structural damage inside xlsx and ods archives and xls
//! records, with the byte and XML helpers it uses.

use super::*;

pub(super) fn replace_all(data: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len());
    let mut i = 0;
    while i < data.len() {
        if data[i..].starts_with(from) {
            out.extend_from_slice(to);
            i += from.len();
        } else {
            out.push(data[i]);
            i += 1;
        }
    }
    out
}

pub(super) fn find_all(hay: &[u8], needle: &[u8]) -> Vec<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return Vec::new();
    }
    (0..=hay.len() - needle.len())
        .filter(|&i| hay[i..].starts_with(needle))
        .collect()
}

pub(super) fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    (0..=hay.len() - needle.len()).find(|&i| hay[i..].starts_with(needle))
}

/// Replaces the value after one occurrence of `open` (an attribute such as
/// `<c r="`) up to the next `close`; false when there is none.
pub(super) fn replace_after(
    rng: &mut Rng,
    xml: &mut Vec<u8>,
    open: &[u8],
    close: &[u8],
    new: &[u8],
) -> bool {
    let starts = find_all(xml, open);
    if starts.is_empty() {
        return false;
    }
    let from = *pick(rng, &starts) + open.len();
    let Some(len) = find(&xml[from..], close) else {
        return false;
    };
    xml.splice(from..from + len, new.iter().copied());
    true
}

/// Inserts `new` just before `marker` (its first occurrence).
pub(super) fn insert_before(xml: &mut Vec<u8>, marker: &[u8], new: &[u8]) -> bool {
    match find(xml, marker) {
        Some(p) => {
            xml.splice(p..p, new.iter().copied());
            true
        }
        None => false,
    }
}

pub(super) fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

pub(super) fn unzip(bytes: &[u8]) -> Option<Vec<Entry>> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    (0..archive.len())
        .map(|i| {
            let mut file = archive.by_index(i).ok()?;
            let name = file.name().ok()?.to_string();
            let mut data = Vec::new();
            file.read_to_end(&mut data).ok()?;
            Some((name, data))
        })
        .collect()
}

pub(super) fn rezip(entries: &[Entry], deflate: bool) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, data) in entries {
        let method = if deflate && name != "mimetype" {
            zip::CompressionMethod::Deflated
        } else {
            zip::CompressionMethod::Stored
        };
        let options = zip::write::SimpleFileOptions::default().compression_method(method);
        if writer.start_file(name.as_str(), options).is_err() {
            continue;
        }
        writer.write_all(data).expect("writing to memory");
    }
    writer.finish().expect("a zip in memory").into_inner()
}

pub(super) fn entry<'a>(entries: &'a mut [Entry], name: &str) -> Option<&'a mut Vec<u8>> {
    entries.iter_mut().find(|(n, _)| n == name).map(|(_, d)| d)
}

/// Cell references at and past the sheet's edges, and malformed ones.
pub(super) const REFS: [&str; 14] = [
    "XFD1048576",
    "A1048576",
    "XFD1",
    "XFE1",
    "A1048577",
    "A0",
    "",
    "1A",
    "AAAAAAAAAAAAAAAA1",
    "A99999999999999999999",
    "IV65536",
    "ZZ100000",
    "A-1",
    "$B$2",
];

/// Numbers for row and repeat attributes.
pub(super) const COUNTS: [&str; 14] = [
    "0",
    "-1",
    "2",
    "1000",
    "16384",
    "16385",
    "65536",
    "1048576",
    "1048577",
    "4294967295",
    "4294967296",
    "18446744073709551616",
    "1e3",
    "x",
];

pub(super) const VALUES: [&str; 14] = [
    "NaN",
    "inf",
    "-inf",
    "1e308",
    "-1e308",
    "1e-320",
    "99999999999999999999",
    "",
    "abc",
    "2958466",
    "-1",
    "60",
    "0",
    "45385.5",
];

/// One structural change inside an xlsx archive, described.
pub(super) fn damage_xlsx(rng: &mut Rng, entries: &mut Vec<Entry>) -> String {
    const SHEET: &str = "xl/worksheets/sheet1.xml";
    let Some(sheet_at) = entries.iter().position(|(n, _)| n == SHEET) else {
        return "xlsx: no sheet to damage".into();
    };
    let op = below(rng, 15);
    let sheet = &mut entries[sheet_at].1;
    match op {
        0 | 1 => {
            let i = if rng.random_bool(0.6) {
                sheet_at
            } else {
                below(rng, entries.len())
            };
            let donor = entries[sheet_at].1.clone();
            let (name, data) = &mut entries[i];
            format!(
                "xlsx entry bytes: {name}: {}",
                damage_bytes_stacked(rng, data, &donor)
            )
        }
        2 => {
            let r = *pick(rng, &REFS);
            replace_after(rng, sheet, b"<c r=\"", b"\"", r.as_bytes());
            format!("xlsx cell ref: one cell's r=\"{r}\"")
        }
        3 => {
            let r = *pick(rng, &COUNTS);
            replace_after(rng, sheet, b"<row r=\"", b"\"", r.as_bytes());
            format!("xlsx row number: one row's r=\"{r}\"")
        }
        4 => {
            let d = *pick(
                rng,
                &[
                    "A1:XFD1048576",
                    "XFD1048576",
                    "A1:A0",
                    ":",
                    "",
                    "A1:ZZZZ99999999",
                ],
            );
            replace_after(rng, sheet, b"<dimension ref=\"", b"\"", d.as_bytes());
            format!("xlsx dimension: ref=\"{d}\"")
        }
        5 => {
            let r = *pick(rng, &REFS);
            let row: String = r.chars().filter(char::is_ascii_digit).collect();
            let row = if rng.random_bool(0.8) {
                row
            } else {
                pick(rng, &COUNTS).to_string()
            };
            let t = *pick(
                rng,
                &["", " t=\"n\"", " t=\"inlineStr\"", " t=\"s\"", " t=\"e\""],
            );
            let body = if t == " t=\"inlineStr\"" {
                "<is><t>x</t></is>".to_string()
            } else {
                format!("<v>{}</v>", pick(rng, &VALUES))
            };
            let cell = format!("<row r=\"{row}\"><c r=\"{r}\"{t}>{body}</c></row>");
            insert_before(sheet, b"</sheetData>", cell.as_bytes());
            format!("xlsx stray cell: {cell}")
        }
        6 => {
            let v = *pick(rng, &VALUES);
            replace_after(rng, sheet, b"<v>", b"</v>", v.as_bytes());
            format!("xlsx value: one <v>{v}</v>")
        }
        7 => {
            let t = *pick(rng, &["s", "n", "b", "e", "str", "inlineStr", "d", "x", ""]);
            replace_after(rng, sheet, b" t=\"", b"\"", t.as_bytes());
            format!("xlsx cell type: one t=\"{t}\"")
        }
        8 => {
            let s = *pick(rng, &["0", "1", "2", "63", "999999", "-1", "4294967296"]);
            if rng.random_bool(0.5) {
                replace_after(rng, sheet, b" s=\"", b"\"", s.as_bytes());
                format!("xlsx style: one cell's s=\"{s}\"")
            } else {
                let styles = entry(entries, "xl/styles.xml").expect("styles");
                let id = *pick(rng, &["14", "22", "47", "164", "0", "65535", "-1"]);
                replace_after(rng, styles, b"numFmtId=\"", b"\"", id.as_bytes());
                format!("xlsx number format: one numFmtId=\"{id}\"")
            }
        }
        9 => {
            let rows = find_all(sheet, b"<row ");
            let start = *pick(rng, &rows);
            let end = find(&sheet[start..], b"</row>").map_or(sheet.len(), |e| start + e + 6);
            let row = sheet[start..end].to_vec();
            let k = *pick(rng, &[2usize, 100, 5000, 50_000]);
            let k = k.min(MAX_LEN / row.len().max(1));
            let copies = row.repeat(k);
            sheet.splice(end..end, copies);
            format!("xlsx duplicate rows: a row element repeated {k} times")
        }
        10 => {
            let i = below(rng, entries.len());
            let (name, _) = entries.remove(i);
            format!("xlsx missing entry: {name} removed")
        }
        11 => {
            let count = *pick(
                rng,
                &[
                    "1",
                    "1000000",
                    "100000000000",
                    "18446744073709551615",
                    "-1",
                    "x",
                ],
            );
            let sst = format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" count=\"{count}\" uniqueCount=\"{count}\"><si><t>Attended</t></si></sst>"
            );
            let index = *pick(rng, &["0", "1", "4294967295", "-1"]);
            let sheet = &mut entries[sheet_at].1;
            *sheet = replace_all(
                sheet,
                b"t=\"inlineStr\"><is><t>Attended</t></is>",
                format!("t=\"s\"><v>{index}</v>").as_bytes(),
            );
            entries.push(("xl/sharedStrings.xml".into(), sst.into_bytes()));
            format!(
                "xlsx shared strings: uniqueCount=\"{count}\", cells pointing at string {index}"
            )
        }
        12 => {
            let workbook = entry(entries, "xl/workbook.xml").expect("workbook");
            match below(rng, 4) {
                0 => {
                    let name = match below(rng, 4) {
                        0 => String::new(),
                        1 => "S".repeat(5000),
                        2 => "a/b\\c:*?[]".into(),
                        _ => "\u{1}\u{2}".into(),
                    };
                    replace_after(
                        rng,
                        workbook,
                        b"name=\"",
                        b"\"",
                        xml_escape(&name).as_bytes(),
                    );
                    format!("xlsx sheet name: {:?}", shorten(&name, 20))
                }
                1 => {
                    insert_before(workbook, b"/>", b" state=\"hidden\"");
                    "xlsx hidden sheet: the only sheet hidden".into()
                }
                2 => {
                    let sheets = find_all(workbook, b"<sheet ");
                    let start = *pick(rng, &sheets);
                    let end =
                        find(&workbook[start..], b"/>").map_or(workbook.len(), |e| start + e + 2);
                    let one = workbook[start..end].to_vec();
                    let k = *pick(rng, &[2usize, 1000]);
                    workbook.splice(end..end, one.repeat(k));
                    format!("xlsx duplicate sheets: the sheet listed {} times", k + 1)
                }
                _ => {
                    replace_after(rng, workbook, b"r:id=\"", b"\"", b"rId999");
                    "xlsx sheet relation: r:id points nowhere".into()
                }
            }
        }
        13 => {
            let junk = xml_junk(rng);
            let p = below(rng, sheet.len() + 1);
            sheet.splice(p..p, junk.iter().copied());
            format!(
                "xlsx markup: {:?} inserted at {p}",
                shorten(&String::from_utf8_lossy(&junk), 60)
            )
        }
        _ => {
            let text = hostile_text(rng);
            let escaped = if rng.random_bool(0.8) {
                xml_escape(&text)
            } else {
                text.clone()
            };
            replace_after(rng, sheet, b"<t>", b"</t>", escaped.as_bytes());
            format!("xlsx text: one string = {:?}", shorten(&text, 40))
        }
    }
}

/// Markup that parsers handle badly: deep nesting, entities, unclosed
/// constructs, character references out of range.
pub(super) fn xml_junk(rng: &mut Rng) -> Vec<u8> {
    match below(rng, 8) {
        0 => "<x>".repeat(*pick(rng, &[100usize, 10_000, 200_000])).into_bytes(),
        1 => b"<!DOCTYPE x [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">]>".to_vec(),
        2 => b"&c;&#0;&#x110000;&#xFFFFFFFFF;&unknown;&amp".to_vec(),
        3 => b"<![CDATA[".to_vec(),
        4 => b"<!--".to_vec(),
        5 => b"</sheetData></worksheet>".to_vec(),
        6 => b"<?xml version=\"1.0\" encoding=\"UTF-16\"?>".to_vec(),
        _ => format!("<c r=\"A1\" {}=\"1\"/>", "a".repeat(*pick(rng, &[10usize, 100_000]))).into_bytes(),
    }
}

/// One structural change inside an ods archive, described.
pub(super) fn damage_ods(rng: &mut Rng, entries: &mut Vec<Entry>) -> String {
    let Some(content_at) = entries.iter().position(|(n, _)| n == "content.xml") else {
        return "ods: no content to damage".into();
    };
    let op = below(rng, 13);
    let content = &mut entries[content_at].1;
    match op {
        0 | 1 => {
            let i = if rng.random_bool(0.6) {
                content_at
            } else {
                below(rng, entries.len())
            };
            let donor = entries[content_at].1.clone();
            let (name, data) = &mut entries[i];
            format!(
                "ods entry bytes: {name}: {}",
                damage_bytes_stacked(rng, data, &donor)
            )
        }
        2 => {
            let n = *pick(rng, &COUNTS);
            let cells = find_all(content, b"<table:table-cell");
            let at = *pick(rng, &cells) + b"<table:table-cell".len();
            let attr = format!(" table:number-columns-repeated=\"{n}\"");
            content.splice(at..at, attr.bytes());
            format!("ods repeated columns: one cell's number-columns-repeated=\"{n}\"")
        }
        3 => {
            let n = *pick(rng, &COUNTS);
            let rows = find_all(content, b"<table:table-row");
            let at = *pick(rng, &rows) + b"<table:table-row".len();
            let attr = format!(" table:number-rows-repeated=\"{n}\"");
            content.splice(at..at, attr.bytes());
            format!("ods repeated rows: one row's number-rows-repeated=\"{n}\"")
        }
        4 => {
            let t = *pick(
                rng,
                &[
                    "float",
                    "date",
                    "time",
                    "percentage",
                    "currency",
                    "boolean",
                    "string",
                    "void",
                    "",
                ],
            );
            replace_after(rng, content, b"office:value-type=\"", b"\"", t.as_bytes());
            format!("ods value type: one office:value-type=\"{t}\"")
        }
        5 => {
            let d = *pick(
                rng,
                &[
                    "99999-99-99",
                    "2024-02-30",
                    "",
                    "-0001-01-01",
                    "2024-04-03T25:61:61",
                    "1e308",
                    "2024-04-03T00:00:00.999999999999Z",
                    "+275760-09-13",
                ],
            );
            if !replace_after(rng, content, b"office:date-value=\"", b"\"", d.as_bytes()) {
                return "ods date value: no date to change".into();
            }
            format!("ods date value: one office:date-value=\"{d}\"")
        }
        6 => {
            let rows = find_all(content, b"<table:table-row");
            let start = *pick(rng, &rows);
            let end = find(&content[start..], b"</table:table-row>")
                .map_or(content.len(), |e| start + e + 18);
            let row = content[start..end].to_vec();
            let k = *pick(rng, &[2usize, 100, 5000, 50_000]);
            let k = k.min(MAX_LEN / row.len().max(1));
            content.splice(end..end, row.repeat(k));
            format!("ods duplicate rows: a row element repeated {k} times")
        }
        7 => {
            let i = below(rng, entries.len());
            let (name, _) = entries.remove(i);
            format!("ods missing entry: {name} removed")
        }
        8 => {
            let text = hostile_text(rng);
            let escaped = if rng.random_bool(0.8) {
                xml_escape(&text)
            } else {
                text.clone()
            };
            replace_after(rng, content, b"<text:p>", b"</text:p>", escaped.as_bytes());
            format!("ods text: one paragraph = {:?}", shorten(&text, 40))
        }
        9 => {
            let junk = xml_junk(rng);
            let p = below(rng, content.len() + 1);
            content.splice(p..p, junk.iter().copied());
            format!(
                "ods markup: {:?} inserted at {p}",
                shorten(&String::from_utf8_lossy(&junk), 60)
            )
        }
        10 => {
            let n = *pick(rng, &COUNTS);
            let which = *pick(rng, &["columns", "rows"]);
            let cells = find_all(content, b"<table:table-cell ");
            let at = *pick(rng, &cells) + b"<table:table-cell".len();
            let attr = format!(" table:number-{which}-spanned=\"{n}\"");
            content.splice(at..at, attr.bytes());
            format!("ods spanned cell: number-{which}-spanned=\"{n}\"")
        }
        11 => {
            let rows_n = *pick(rng, &COUNTS);
            let cols_n = *pick(rng, &COUNTS);
            let stray = format!(
                "<table:table-row table:number-rows-repeated=\"{rows_n}\"><table:table-cell/></table:table-row><table:table-row><table:table-cell table:number-columns-repeated=\"{cols_n}\"/><table:table-cell office:value-type=\"string\"><text:p>x</text:p></table:table-cell></table:table-row>"
            );
            insert_before(content, b"</table:table>", stray.as_bytes());
            format!("ods stray cell: after {rows_n} empty rows and {cols_n} empty columns")
        }
        _ => {
            let start = find(content, b"<table:table ").unwrap_or(0);
            let end = find(content, b"</table:table>").map_or(content.len(), |e| e + 14);
            let table = content[start..end].to_vec();
            let k = *pick(rng, &[1usize, 50]);
            content.splice(end..end, table.repeat(k));
            format!("ods duplicate tables: the sheet {k} more times, same name")
        }
    }
}

/// The BIFF records of an xls file's workbook stream: (offset, type, length).
pub(super) fn biff_records(b: &[u8]) -> Vec<(usize, u16, usize)> {
    let mut out = Vec::new();
    let mut at = 512;
    while at + 4 <= b.len() {
        let kind = u16::from_le_bytes([b[at], b[at + 1]]);
        let len = u16::from_le_bytes([b[at + 2], b[at + 3]]) as usize;
        if (kind == 0 && len == 0) || at + 4 + len > b.len() {
            break;
        }
        out.push((at, kind, len));
        at += 4 + len;
    }
    out
}

/// Fields worth poking in the records the reader uses: (offset in the
/// record's data, width).
pub(super) fn biff_fields(kind: u16, len: usize) -> Vec<(usize, usize)> {
    match kind {
        0x00FD | 0x027E | 0x0203 => vec![(0, 2), (2, 2), (4, 2), (6, 4)],
        0x00BD => vec![(0, 2), (2, 2), (len.saturating_sub(2), 2)],
        0x0208 => vec![(0, 2), (2, 2), (4, 2), (6, 2)],
        0x0200 => vec![(0, 4), (4, 4), (8, 2), (10, 2)],
        0x00FC => vec![(0, 4), (4, 4), (8, 2), (10, 1)],
        0x0085 => vec![(0, 4), (4, 1), (5, 1), (6, 1)],
        0x0809 => vec![(0, 2), (2, 2)],
        0x00E0 => vec![(0, 2), (2, 2)],
        0x041E => vec![(0, 2), (2, 2)],
        _ => Vec::new(),
    }
}

/// One change to an xls file's records, described.
pub(super) fn damage_xls(rng: &mut Rng, data: &mut Vec<u8>) -> String {
    let records = biff_records(data);
    let pokeable: Vec<(usize, u16, usize)> = records
        .iter()
        .copied()
        .filter(|&(_, k, len)| !biff_fields(k, len).is_empty())
        .collect();
    if records.is_empty() || pokeable.is_empty() {
        return damage_bytes_stacked(rng, data, &[]);
    }
    match below(rng, 4) {
        0 | 1 => {
            let (at, kind, len) = *pick(rng, &pokeable);
            let (off, width) = *pick(rng, &biff_fields(kind, len));
            if off + width > len {
                return format!("xls record {kind:#06x}: too short to poke");
            }
            let v = *pick(rng, &INTERESTING);
            let p = at + 4 + off;
            data[p..p + width].copy_from_slice(&v.to_le_bytes()[..width]);
            format!(
                "xls record field: record {kind:#06x} at {at}, bytes {off}..{} = {v:#x}",
                off + width
            )
        }
        2 => {
            let (at, kind, _) = *pick(rng, &records);
            let v = *pick(rng, &[0u16, 1, 0x7fff, 0xffff, 8224, 8225]);
            data[at + 2..at + 4].copy_from_slice(&v.to_le_bytes());
            format!("xls record length: record {kind:#06x} at {at} claims {v} bytes")
        }
        _ => {
            let (at, kind, len) = *pick(rng, &records);
            let one = data[at..at + 4 + len].to_vec();
            if rng.random_bool(0.5) {
                let k = *pick(rng, &[1usize, 10, 1000]);
                data.splice(at..at, one.repeat(k));
                format!("xls duplicate record: record {kind:#06x} at {at} {k} more times")
            } else {
                data.drain(at..at + 4 + len);
                format!("xls missing record: record {kind:#06x} at {at} removed")
            }
        }
    }
}
