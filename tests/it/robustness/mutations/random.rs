//! Making cases: random mutations of bytes and of CSV text, and the choice
//! among every kind of damage.

use super::*;

pub(super) fn below(rng: &mut Rng, n: usize) -> usize {
    if n == 0 { 0 } else { rng.random_range(0..n) }
}

pub(super) fn pick<'a, T>(rng: &mut Rng, items: &'a [T]) -> &'a T {
    &items[below(rng, items.len())]
}

/// Integers that sit on a boundary somewhere: sizes, counts, sheet limits.
pub(super) const INTERESTING: [u64; 20] = [
    0,
    1,
    0x7f,
    0x80,
    0xff,
    0x100,
    0x7fff,
    0x8000,
    0xffff,
    0x1_0000,
    16_383,
    16_384,
    1_048_575,
    1_048_576,
    0x7fff_ffff,
    0x8000_0000,
    0xffff_ffff,
    0x1_0000_0000,
    0x7fff_ffff_ffff_ffff,
    u64::MAX,
];

/// Byte strings that mean something to one of the readers.
pub(super) const TOKENS: [&[u8]; 16] = [
    b"\"",
    b"<",
    b">",
    b"&",
    b"\r",
    b"\n",
    b",",
    b"\0",
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"]]>",
    b"<!--",
    b"PK\x03\x04",
    b"\xd0\xcf\x11\xe0",
    b"\xc3\x28",
    b"\xf4\x90\x80\x80",
];

/// One random change to raw bytes, described.
pub(super) fn damage_bytes(rng: &mut Rng, data: &mut Vec<u8>, donor: &[u8]) -> String {
    let len = data.len();
    match below(rng, 9) {
        0 if len > 0 => {
            let n = 1 + below(rng, 8);
            let mut at = Vec::new();
            for _ in 0..n {
                let p = below(rng, len);
                data[p] ^= 1 << below(rng, 8);
                at.push(p);
            }
            format!("flip {n} bits at {at:?}")
        }
        1 if len > 0 => {
            let p = below(rng, len);
            let v = *pick(
                rng,
                &[0u8, 0xff, 0x7f, 0x80, b'"', b',', b'\n', b'<', b'0', b'9'],
            );
            data[p] = v;
            format!("byte {p} set to {v:#04x}")
        }
        2 if len > 0 => {
            let width = *pick(rng, &[1usize, 2, 4, 8]);
            let p = below(rng, len);
            let v = *pick(rng, &INTERESTING);
            let big = rng.random_bool(0.5);
            let bytes = if big {
                v.to_be_bytes()
            } else {
                v.to_le_bytes()
            };
            let bytes = if big {
                &bytes[8 - width..]
            } else {
                &bytes[..width]
            };
            let end = (p + width).min(len);
            data[p..end].copy_from_slice(&bytes[..end - p]);
            format!(
                "{width}-byte {} integer {v:#x} written at {p}",
                if big { "big-endian" } else { "little-endian" }
            )
        }
        3 => {
            let n = 1 + below(rng, 64);
            let p = below(rng, len + 1);
            let mut bytes = vec![0u8; n];
            rng.fill(&mut bytes[..]);
            data.splice(p..p, bytes);
            format!("{n} random bytes inserted at {p}")
        }
        4 if len > 0 => {
            let p = below(rng, len);
            let n = 1 + below(rng, (len - p).min(256));
            data.drain(p..p + n);
            format!("{n} bytes deleted at {p}")
        }
        5 if len > 0 => {
            let p = below(rng, len);
            data.truncate(p);
            format!("truncated to {p} bytes")
        }
        6 if len > 0 => {
            let a = below(rng, len);
            let n = 1 + below(rng, (len - a).min(4096));
            let times = if rng.random_bool(0.2) {
                1 + below(rng, 1000)
            } else {
                1 + below(rng, 4)
            };
            let times = times.min(MAX_LEN / 4 / n).max(1);
            let chunk: Vec<u8> = data[a..a + n].repeat(times);
            let p = below(rng, len + 1);
            data.splice(p..p, chunk);
            format!("bytes {a}..{} repeated {times} times at {p}", a + n)
        }
        7 if len > 0 && !donor.is_empty() => {
            let a = below(rng, donor.len());
            let n = 1 + below(rng, (donor.len() - a).min(1024));
            let p = below(rng, len);
            let m = below(rng, (len - p).min(1024) + 1);
            data.splice(p..p + m, donor[a..a + n].iter().copied());
            format!("bytes {p}..{} replaced by {n} bytes of another file", p + m)
        }
        _ => {
            let token = *pick(rng, &TOKENS);
            let p = below(rng, len + 1);
            data.splice(p..p, token.iter().copied());
            format!("{:?} inserted at {p}", String::from_utf8_lossy(token))
        }
    }
}

/// One to three byte-level changes.
pub(super) fn damage_bytes_stacked(rng: &mut Rng, data: &mut Vec<u8>, donor: &[u8]) -> String {
    let n = 1 + below(rng, 3);
    let steps: Vec<String> = (0..n).map(|_| damage_bytes(rng, data, donor)).collect();
    data.truncate(MAX_LEN);
    format!("bytes: {}", steps.join("; "))
}

/// Values for a cell, hostile to one parser or another.
pub(super) fn hostile_text(rng: &mut Rng) -> String {
    let fixed = [
        "1e309",
        "-1e309",
        "NaN",
        "inf",
        "-0",
        "0x10",
        "1,2,3",
        "£-5",
        "€1.000,50",
        "99999999999999999999999",
        "31/02/2024",
        "29/02/2023",
        "00/00/0000",
        "9999-99-99",
        "2024-04-03T",
        "03/04/2024 25:61",
        "45385.99999999999",
        "2958466",
        "-1",
        "3rd Smarch 2024",
        "0 - None",
        "6 - Very",
        "4.5",
        "5/5",
        "٤",
        "İstanbul Council",
        "a\u{0}b",
        "\u{202e}lacol",
        "\u{feff}",
        "=HYPERLINK(\"http://x\")",
        "Total",
        "Totals",
        "N/A",
        "\"",
        "\r",
        "line\nbreak",
        "\u{7f}\u{1b}[2J",
        "   ",
        "2024-25",
        "FY1999/2001",
        "Walk‐in",
        "Attended ",
    ];
    match below(rng, 6) {
        0 => "9".repeat(1 + below(rng, 400)),
        1 => "x".repeat(1 + below(rng, 100_000)),
        2 => "😀".repeat(1 + below(rng, 1000)),
        _ => pick(rng, &fixed).to_string(),
    }
}

pub(super) fn quoted(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

pub(super) fn lines(data: &[u8]) -> Vec<Vec<u8>> {
    data.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect()
}

/// One structural change to CSV text, described.
pub(super) fn damage_csv(rng: &mut Rng, data: &mut Vec<u8>) -> String {
    let mut rows = lines(data);
    let n = rows.len();
    let desc = match below(rng, 12) {
        0 => {
            let commas: Vec<usize> = data
                .iter()
                .enumerate()
                .filter(|(_, b)| **b == b',' || **b == b'\n')
                .map(|(i, _)| i + 1)
                .collect();
            let p = if commas.is_empty() {
                0
            } else {
                *pick(rng, &commas)
            };
            data.insert(p.min(data.len()), b'"');
            return format!("csv unbalanced quote: '\"' inserted at byte {p}");
        }
        1 => {
            let width = *pick(rng, &[1000usize, 16_384, 65_536, 250_000]);
            let at = below(rng, n + 1);
            rows.insert(at, vec![b','; width]);
            format!("csv huge row: {width} commas as line {}", at + 1)
        }
        2 => {
            let height = *pick(rng, &[100usize, 1000, 5000]);
            let width = *pick(rng, &[1000usize, 10_000, 50_000]);
            rows.extend(std::iter::repeat_n(b"x".to_vec(), height));
            rows.push(vec![b','; width]);
            format!("csv ragged rows: {height} one-field rows, then one of {width} commas")
        }
        3 => {
            let text = String::from_utf8_lossy(data).to_string();
            let (what, bytes): (&str, Vec<u8>) = match below(rng, 7) {
                0 => (
                    "UTF-16LE with BOM",
                    [0xff, 0xfe]
                        .into_iter()
                        .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
                        .collect(),
                ),
                1 => (
                    "UTF-16BE with BOM",
                    [0xfe, 0xff]
                        .into_iter()
                        .chain(text.encode_utf16().flat_map(u16::to_be_bytes))
                        .collect(),
                ),
                2 => (
                    "UTF-16LE without BOM",
                    text.encode_utf16().flat_map(u16::to_le_bytes).collect(),
                ),
                3 => (
                    "UTF-32LE with BOM",
                    [0xff, 0xfe, 0, 0]
                        .into_iter()
                        .chain(text.chars().flat_map(|c| (c as u32).to_le_bytes()))
                        .collect(),
                ),
                4 => (
                    "two UTF-8 BOMs",
                    b"\xef\xbb\xbf"
                        .iter()
                        .copied()
                        .chain(data.iter().copied())
                        .collect(),
                ),
                5 => ("a BOM in the middle", {
                    let mut d = data.clone();
                    let p = below(rng, d.len() + 1);
                    d.splice(p..p, *b"\xef\xbb\xbf");
                    d
                }),
                _ => ("Windows-1252 bytes", {
                    let mut d = data.clone();
                    for _ in 0..1 + below(rng, 8) {
                        let p = below(rng, d.len() + 1);
                        d.insert(p, 0x80 + below(rng, 0x80) as u8);
                    }
                    d
                }),
            };
            *data = bytes;
            return format!("csv encoding: {what}");
        }
        4 => {
            let k = 1 + below(rng, 16);
            for _ in 0..k {
                let p = below(rng, data.len() + 1);
                data.insert(p, 0);
            }
            return format!("csv NULs: {k} NUL bytes inserted");
        }
        5 => {
            const ENDINGS: [(&str, &[u8], &[u8]); 4] = [
                ("CR only", b"\n", b"\r"),
                ("CRLF", b"\n", b"\r\n"),
                ("LFCR", b"\n", b"\n\r"),
                ("blank lines", b"\n", b"\n\n\n"),
            ];
            let (what, from, to) = *pick(rng, &ENDINGS);
            let text = replace_all(data, from, to);
            *data = text;
            if rng.random_bool(0.3) {
                data.extend(std::iter::repeat_n(b'\n', 10_000));
            }
            return format!("csv line endings: {what}");
        }
        6 => {
            let k = 1 + below(rng, 5);
            let mut what = Vec::new();
            for _ in 0..k {
                let r = below(rng, n);
                let mut fields: Vec<Vec<u8>> =
                    rows[r].split(|&b| b == b',').map(<[u8]>::to_vec).collect();
                let f = below(rng, fields.len());
                let value = hostile_text(rng);
                fields[f] = if rng.random_bool(0.7) {
                    quoted(&value).into_bytes()
                } else {
                    value.clone().into_bytes()
                };
                rows[r] = fields.join(&b","[..]);
                what.push(format!(
                    "line {} field {} = {:?}",
                    r + 1,
                    f + 1,
                    shorten(&value, 40)
                ));
            }
            format!("csv cells: {}", what.join(", "))
        }
        7 => match below(rng, 4) {
            0 => {
                let k = *pick(rng, &[10usize, 1000, 100_000]);
                let mut header = vec![b','; k];
                header.extend_from_slice(&rows[0]);
                rows[0] = header;
                format!("csv header: {k} empty columns before it")
            }
            1 => {
                let k = 1 + below(rng, 50);
                let header = rows[0].clone();
                for _ in 0..k {
                    rows.insert(1, header.clone());
                }
                format!("csv header: repeated {k} more times")
            }
            2 => {
                rows.remove(0);
                "csv header: removed".into()
            }
            _ => {
                let header = rows[0].clone();
                rows[0] = [header.clone(), header].join(&b","[..]);
                "csv header: every column twice".into()
            }
        },
        8 => {
            let to = *pick(rng, b";\t|");
            for b in data.iter_mut() {
                if *b == b',' {
                    *b = to;
                }
            }
            return format!("csv delimiter: {:?}", to as char);
        }
        9 => {
            let r = 1 + below(rng, n.saturating_sub(1).max(1));
            let r = r.min(n - 1);
            let k = *pick(rng, &[10usize, 1000, 20_000]);
            let row = rows[r].clone();
            for _ in 0..k {
                rows.insert(r, row.clone());
            }
            format!("csv duplicate rows: line {} repeated {k} times", r + 1)
        }
        10 => {
            let k = *pick(rng, &[100usize, 10_000, 200_000]);
            let r = below(rng, n);
            rows[r].extend_from_slice(b",\"");
            rows[r].extend("x\n".repeat(k).into_bytes());
            rows[r].push(b'"');
            format!(
                "csv multi-line field: {k} lines in one quoted field on line {}",
                r + 1
            )
        }
        _ => {
            let w = *pick(rng, &[10usize, 300, 2000]);
            for row in &mut rows {
                row.extend(",x".repeat(w).into_bytes());
            }
            format!("csv wide rows: {w} more fields on every line")
        }
    };
    *data = rows.join(&b"\n"[..]);
    data.truncate(MAX_LEN);
    desc
}

/// A random fixture and a random mutation of it.
pub(super) fn random_mutation(fixtures: &Fixtures, rng: &mut Rng) -> (usize, Vec<u8>, String) {
    let i = below(rng, fixtures.0.len());
    let fixture = &fixtures.0[i];
    let donor = &fixtures.0[below(rng, fixtures.0.len())].bytes;
    let mut bytes = fixture.bytes.clone();
    let ext = fixture.rel.rsplit('.').next().unwrap_or("");
    let mutation = match (ext, &fixture.entries) {
        ("csv", _) if rng.random_bool(0.6) => {
            let first = damage_csv(rng, &mut bytes);
            if rng.random_bool(0.2) {
                format!(
                    "{first}; then {}",
                    damage_bytes_stacked(rng, &mut bytes, donor)
                )
            } else {
                first
            }
        }
        ("xls", _) if rng.random_bool(0.6) => damage_xls(rng, &mut bytes),
        ("xlsx" | "ods", Some(entries)) if rng.random_bool(0.8) => {
            let mut entries = entries.clone();
            let what = if ext == "xlsx" {
                damage_xlsx(rng, &mut entries)
            } else {
                damage_ods(rng, &mut entries)
            };
            bytes = rezip(&entries, rng.random_bool(0.5));
            if rng.random_bool(0.1) {
                format!(
                    "{what}; then {}",
                    damage_bytes_stacked(rng, &mut bytes, donor)
                )
            } else {
                what
            }
        }
        _ => damage_bytes_stacked(rng, &mut bytes, donor),
    };
    (i, bytes, mutation)
}
