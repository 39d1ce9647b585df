//! The parts of a zipped workbook, read as calamine reads them: the archive,
//! an XML reader configured as calamine's, and attributes and counts parsed
//! as calamine parses them.

use std::io::{BufRead, Cursor};

use quick_xml::Reader;
use quick_xml::events::BytesStart;

/// A zipped workbook (xlsx, xlsm, xlsb, ods), opened over its bytes.
pub type Archive<'a> = zip::ZipArchive<Cursor<&'a [u8]>>;

/// An XML reader configured as calamine configures its own, so that both see
/// the same events (an empty element is a start and an end).
pub(super) fn xml_reader<R: BufRead>(inner: R) -> Reader<R> {
    let mut reader = Reader::from_reader(inner);
    let config = reader.config_mut();
    config.check_end_names = false;
    config.trim_text(false);
    config.check_comments = false;
    config.expand_empty_elements = true;
    reader
}

/// An element's attributes as calamine reads them: `key="value"` pairs,
/// the value raw (not unescaped), ending at the first malformed one.
pub(super) fn attributes<'a>(e: &'a BytesStart<'_>) -> impl Iterator<Item = (&'a [u8], &'a [u8])> {
    let mut rest = e.attributes_raw();
    std::iter::from_fn(move || {
        let key_at = rest.iter().position(|b| !b.is_ascii_whitespace())?;
        rest = &rest[key_at..];
        let eq = rest.iter().position(|&b| b == b'=')?;
        let key = rest[..eq].trim_ascii_end();
        let (&quote, body) = rest[eq + 1..].trim_ascii_start().split_first()?;
        if quote != b'"' && quote != b'\'' {
            return None;
        }
        let end = body.iter().position(|&b| b == quote).unwrap_or(body.len());
        rest = body.get(end + 1..).unwrap_or_default();
        Some((key, &body[..end]))
    })
}

pub(super) fn attribute<'a>(e: &'a BytesStart<'_>, key: &[u8]) -> Option<&'a [u8]> {
    attributes(e).find(|(k, _)| *k == key).map(|(_, v)| v)
}

/// A count as calamine parses it: `unescaped` first for the attributes it
/// unescapes. `None` where calamine fails on the file.
pub(super) fn count(value: &[u8], unescaped: bool) -> Option<u64> {
    let text = std::str::from_utf8(value).ok()?;
    let text = if unescaped {
        quick_xml::escape::unescape(text).ok()?
    } else {
        text.into()
    };
    text.parse::<usize>().ok().map(|n| n as u64)
}
