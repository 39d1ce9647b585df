//! xlsx: the shared-string table's claimed size.

use std::io::{BufRead, BufReader, Read};

use quick_xml::events::Event;

use super::budget::{FIXED_CELLS, grouped};
use super::part::{Archive, attribute, count, xml_reader};

/// How much of a shared-string part is read to find its `<sst>` element.
const SST_HEAD: u64 = 64 * 1024;

/// The bytes of the smallest shared string, `<si/>`.
const SMALLEST_STRING: u64 = 5;

/// calamine reserves room for the strings an xlsx's shared-string table
/// says it has (its `uniqueCount`), 24 bytes each, before reading one. A part
/// of `n` bytes holds at most `n / 5` strings, so a larger claim (past the
/// fixed allowance) is false. `count` is not checked: it counts the cells
/// that use a shared string, and any number of cells may share one.
///
/// calamine finds the part beside the workbook the package names, matching
/// its name in any case: every part called `sharedStrings.xml` is checked.
pub(super) fn shared_strings(archive: &mut Archive<'_>) -> Result<(), String> {
    for i in 0..archive.len() {
        let Some(Ok(name)) = archive.name_for_index(i) else {
            continue;
        };
        let normal = name.replace('\\', "/").to_ascii_lowercase();
        if normal != "sharedstrings.xml" && !normal.ends_with("/sharedstrings.xml") {
            continue;
        }
        let name = name.into_owned();
        let Ok(part) = archive.by_index(i) else {
            continue;
        };
        let size = part.size();
        let Some(claimed) = unique_count(BufReader::new(part.take(SST_HEAD))) else {
            continue;
        };
        if claimed > FIXED_CELLS + size / SMALLEST_STRING {
            return Err(format!(
                "its part '{name}' claims {} distinct strings, but its {} bytes hold at most {}",
                grouped(claimed),
                grouped(size),
                grouped(size / SMALLEST_STRING)
            ));
        }
    }
    Ok(())
}

/// The `uniqueCount` of the part's `<sst>` element, when it has one calamine
/// would read as a number.
fn unique_count(part: impl BufRead) -> Option<u64> {
    let mut reader = xml_reader(part);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match reader.read_event_into(&mut buf).ok()? {
            Event::Start(e) if e.local_name().as_ref() == b"sst" => {
                let value = attribute(&e, b"uniqueCount")?;
                return value
                    .iter()
                    .all(u8::is_ascii_digit)
                    .then(|| count(value, false))?;
            }
            Event::Eof => return None,
            _ => {}
        }
    }
}
