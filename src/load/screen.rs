//! A screen over a workbook before calamine opens it.
//!
//! Opening a workbook, calamine reads more than the sheet asked for, and
//! sizes some of what it builds by what the file claims rather than what it
//! holds: it reserves room for every shared string an xlsx says it has; it
//! reads every sheet of an xls or ods, an ods sheet with its repeated rows
//! and cells written out, an xls sheet as the full rectangle its DIMENSIONS
//! record or its farthest cells span; and it follows an xls container's
//! sector chains until they end, which a looping chain never does. A file of
//! a few kilobytes can so claim gigabytes.
//!
//! The screen reads the same parts the way calamine will (a streaming pass
//! over XML, a walk over the xls container), in memory bounded by the file,
//! works out what calamine would build, and refuses the file (exit 2) when
//! that is out of proportion to what it holds. A legitimate file is far
//! inside every bound, and reaches calamine as it came.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Cursor, Read};
use std::path::Path;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::QName;

use crate::error::{Error, Result};

/// A zipped workbook (xlsx, xlsm, xlsb, ods), opened over its bytes.
pub type Archive<'a> = zip::ZipArchive<Cursor<&'a [u8]>>;

/// What any workbook may make calamine build beyond what its content
/// accounts for, in cells (a `calamine::Data` is 32 bytes; an xls cell
/// waiting to be placed is 40, a shared string 24): about 32 MB, half the
/// 64 MiB the robustness test allows any load. It lets a legitimately sparse
/// layout through (a gap of thousands of empty rows, a note typed in a
/// sheet's last row). Past it, each format's own rule asks that what calamine
/// builds follows what the file holds.
const FIXED_CELLS: u64 = 1_000_000;

/// Screens `bytes`, a spreadsheet; `archive` is its zip, when it is one.
/// Errors name the file and say what it claims against what it holds.
pub fn screen(path: &Path, bytes: &[u8], archive: Option<Archive<'_>>) -> Result<()> {
    // The zip, XML and container readers are not the screen's own: a panic
    // inside one means a damaged file, not a bug in hubreport.
    let verdict = crate::log::contained(|| match archive {
        Some(mut archive) => {
            shared_strings(&mut archive)?;
            ods_content(&mut archive)
        }
        None => xls::screen(bytes),
    });
    match verdict {
        Ok(Ok(())) => Ok(()),
        Ok(Err(claim)) => Err(Error::input(
            path,
            None,
            format!(
                "{claim}: refused unread, as damaged or hostile; re-save it from its spreadsheet program"
            ),
        )),
        Err(_) => Err(Error::input(
            path,
            None,
            "the file is damaged or not a spreadsheet (the reader failed on it)",
        )),
    }
}

/// What to do with a sheet that really is laid out that way.
const STRAY: &str = "if the sheet really spans that much, delete any stray cells far from its data, \
                     or save it as CSV";

/// A number with thousands separators, for messages.
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// An XML reader configured as calamine configures its own, so that both see
/// the same events (an empty element is a start and an end).
fn xml_reader<R: BufRead>(inner: R) -> Reader<R> {
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
fn attributes<'a>(e: &'a BytesStart<'_>) -> impl Iterator<Item = (&'a [u8], &'a [u8])> {
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

fn attribute<'a>(e: &'a BytesStart<'_>, key: &[u8]) -> Option<&'a [u8]> {
    attributes(e).find(|(k, _)| *k == key).map(|(_, v)| v)
}

/// A count as calamine parses it: `unescaped` first for the attributes it
/// unescapes. `None` where calamine fails on the file.
fn count(value: &[u8], unescaped: bool) -> Option<u64> {
    let text = std::str::from_utf8(value).ok()?;
    let text = if unescaped {
        quick_xml::escape::unescape(text).ok()?
    } else {
        text.into()
    };
    text.parse::<usize>().ok().map(|n| n as u64)
}

// ---- xlsx: the shared-string table's claimed size ----

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
fn shared_strings(archive: &mut Archive<'_>) -> Result<(), String> {
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

// ---- ods: repeated rows and cells, expanded ----

/// Bytes of content.xml that account for one cell calamine builds.
///
/// A cell written out with a value takes 100 bytes or more of XML
/// (`<table:table-cell office:value-type="float" office:value="4"
/// calcext:value-type="float"><text:p>4</text:p></table:table-cell>`), and
/// calamine builds it twice (once as read, once in the sheet's rectangle):
/// one cell per 8 bytes leaves a file written out in full six times the room
/// it needs, for runs of equal cells LibreOffice writes as one repeated cell,
/// and for empty cells between values. A file whose few bytes repeat a row a
/// million times gets no more than the fixed allowance.
const ODS_BYTES_PER_CELL: u64 = 8;

/// Text in a cell counts as one cell per this many bytes: calamine copies
/// it into every cell the cell's repeats make.
const CELL_BYTES: u64 = 32;

/// Values an ods's repeats may add to those it writes out, past three for
/// each: the values reach the rest of the load, which holds a booking row in
/// about a kilobyte. A file of a few kilobytes whose row is repeated to fill
/// this is 31,000 bookings of eight columns, held in about 32 MiB.
const ODS_FIXED_VALUES: u64 = 250_000;
const ODS_VALUES_PER_VALUE: u64 = 3;

/// calamine's own caps on a sheet: rows, and cells read in one row.
const ODS_MAX_ROWS: u64 = 1_048_576;
const ODS_MAX_COLUMNS: u64 = 16_384;

/// calamine reads every sheet of an ods on opening it, writing out each
/// repeated row and cell (`table:number-rows-repeated`,
/// `table:number-columns-repeated`): first each row as read, its cells
/// repeated along it; then the sheet's rectangle, from its first row holding
/// a value to its last, its repeated rows written out, as wide as the widest
/// value, empty rows between values included (empty rows and cells after the
/// last value are not written out). The same again for the cells' formulas.
/// This counts those cells as calamine's `read_table`, `read_row` and
/// `get_range` would make them, and refuses the file when they exceed the
/// fixed allowance plus one cell per [`ODS_BYTES_PER_CELL`] bytes of
/// content.xml, or when the values among them, which the rest of the load
/// then reads, exceed [`ODS_FIXED_VALUES`] plus [`ODS_VALUES_PER_VALUE`] for
/// each value cell the file writes.
///
/// calamine also never returns from a content.xml that ends inside a sheet:
/// that is refused too.
fn ods_content(archive: &mut Archive<'_>) -> Result<(), String> {
    let Ok(part) = archive.by_name("content.xml") else {
        return Ok(());
    };
    let size = part.size();
    let mut reader = xml_reader(BufReader::new(part));
    let (mut cells, mut values, mut written) = (0u64, 0u64, 0u64);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        let name = match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) if e.name() == QName(b"table:table") => {
                attribute(&e, b"table:name").map(|n| String::from_utf8_lossy(n).into_owned())
            }
            Ok(Event::Eof) | Err(_) => break,
            Ok(_) => None,
        };
        let Some(name) = name else { continue };
        let table = ods_table(&mut reader);
        cells = cells.saturating_add(table.cells());
        values = values.saturating_add(table.value_cells);
        written = written.saturating_add(table.written);
        match table.end {
            TableEnd::Closed => {}
            TableEnd::Failed => break,
            TableEnd::Eof => {
                return Err(format!(
                    "its content.xml ends inside sheet '{name}' (the file is cut short)"
                ));
            }
        }
    }
    let budget = FIXED_CELLS + size / ODS_BYTES_PER_CELL;
    if cells > budget {
        return Err(format!(
            "the repeated rows and cells of its content.xml ({} bytes) would be written out as {} \
             cells, more than the {} a file of that size accounts for ({STRAY})",
            grouped(size),
            grouped(cells),
            grouped(budget)
        ));
    }
    let budget = ODS_FIXED_VALUES.saturating_add(ODS_VALUES_PER_VALUE.saturating_mul(written));
    if values > budget {
        return Err(format!(
            "its repeated rows and cells would turn the {} values its content.xml writes into {}, \
             more than the {} it may repeat them to ({STRAY})",
            grouped(written),
            grouped(values),
            grouped(budget)
        ));
    }
    Ok(())
}

/// How a sheet's reading stopped.
enum TableEnd {
    /// At its end tag.
    Closed,
    /// Where calamine fails on the file (an XML error, a row it cannot read):
    /// nothing more is built.
    Failed,
    /// At the end of content.xml, where calamine would look for the end tag
    /// for ever.
    Eof,
}

/// One sheet, as calamine's `read_table` reads it.
struct OdsTable {
    /// Cells written out as the rows are read (with their text).
    read: u64,
    /// Value cells in the finished sheet, and those the file writes (a
    /// repeated cell once).
    value_cells: u64,
    written: u64,
    /// The rectangles of values and of formulas `get_range` then builds.
    values: Rectangle,
    formulas: Rectangle,
    /// The text copied into the value rectangle's rows, in cells.
    copied_text: u64,
    end: TableEnd,
}

impl OdsTable {
    /// Every cell calamine builds for the sheet: the rectangles only for a
    /// sheet it read to the end.
    fn cells(&self) -> u64 {
        let built = match self.end {
            TableEnd::Closed => self
                .values
                .cells()
                .saturating_add(self.formulas.cells())
                .saturating_add(self.copied_text),
            TableEnd::Failed | TableEnd::Eof => 0,
        };
        self.read.saturating_add(built)
    }
}

fn ods_table<R: BufRead>(reader: &mut Reader<R>) -> OdsTable {
    let mut table = OdsTable {
        read: 0,
        value_cells: 0,
        written: 0,
        values: Rectangle::default(),
        formulas: Rectangle::default(),
        copied_text: 0,
        end: TableEnd::Failed,
    };
    let mut rows = 0u64;
    let mut buf = Vec::new();
    table.end = loop {
        buf.clear();
        let repeats = match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) if e.name() == QName(b"table:table-row") => {
                attribute(&e, b"table:number-rows-repeated").map_or(Some(1), |v| count(v, true))
            }
            Ok(Event::End(e)) if e.name() == QName(b"table:table") => break TableEnd::Closed,
            Ok(Event::Eof) => break TableEnd::Eof,
            Err(_) => break TableEnd::Failed,
            Ok(_) => continue,
        };
        let Some(repeats) = repeats else {
            break TableEnd::Failed;
        };
        let row = ods_row(reader);
        table.read = table
            .read
            .saturating_add(row.cells.saturating_add(row.text));
        table.written += row.written;
        if !row.complete {
            break TableEnd::Failed;
        }
        let repeats = repeats.min(ODS_MAX_ROWS - rows);
        rows += repeats;
        table.value_cells = table.value_cells.saturating_add(row.value_cells * repeats);
        table.values.row(row.values, repeats);
        table.formulas.row(row.formulas, repeats);
        if row.values.is_some() || row.formulas.is_some() {
            table.copied_text = table
                .copied_text
                .saturating_add(row.text.saturating_mul(repeats));
        }
    };
    table
}

/// The rectangle calamine's `get_range` builds for one kind of content.
#[derive(Default)]
struct Rectangle {
    /// The rows from the first holding content to the last so far, repeats
    /// written out.
    rows: u64,
    /// Empty rows since the last row holding content: they count once a row
    /// holding content follows them.
    gap: u64,
    /// The leftmost and rightmost columns holding content, once one does.
    columns: Option<(u64, u64)>,
}

impl Rectangle {
    fn row(&mut self, span: Option<(u64, u64)>, repeats: u64) {
        match (span, &mut self.columns) {
            (Some((first, last)), Some((left, right))) => {
                *left = (*left).min(first);
                *right = (*right).max(last);
                self.rows = self.rows.saturating_add(self.gap).saturating_add(repeats);
                self.gap = 0;
            }
            (Some(span), None) => {
                self.columns = Some(span);
                self.rows = repeats;
            }
            (None, Some(_)) => self.gap = self.gap.saturating_add(repeats),
            (None, None) => {}
        }
    }

    fn cells(&self) -> u64 {
        self.columns.map_or(0, |(left, right)| {
            self.rows.saturating_mul(right - left + 1)
        })
    }
}

/// One row element as calamine's `read_row` reads it.
struct Row {
    /// Cells written out along the row (repeats included; trailing empty
    /// cells are not).
    cells: u64,
    /// The first and last of them holding a value, and a formula.
    values: Option<(u64, u64)>,
    formulas: Option<(u64, u64)>,
    /// Cells holding a value, and the elements that wrote them.
    value_cells: u64,
    written: u64,
    /// The text copied into them, in cells of [`CELL_BYTES`].
    text: u64,
    /// False where calamine fails on the row.
    complete: bool,
}

fn ods_row<R: BufRead>(reader: &mut Reader<R>) -> Row {
    let mut row = Row {
        cells: 0,
        values: None,
        formulas: None,
        value_cells: 0,
        written: 0,
        text: 0,
        complete: false,
    };
    let widen = |span: &mut Option<(u64, u64)>, first: u64, last: u64| {
        *span = Some(span.map_or((first, last), |(f, _)| (f, last)));
    };
    let mut empty = 0u64;
    let mut buf = Vec::new();
    let mut inner = Vec::new();
    loop {
        buf.clear();
        let e = match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e))
                if e.name() == QName(b"table:table-cell")
                    || e.name() == QName(b"table:covered-table-cell") =>
            {
                e
            }
            Ok(Event::End(e)) if e.name() == QName(b"table:table-row") => {
                row.complete = true;
                return row;
            }
            // Anything else in a row, calamine refuses.
            _ => return row,
        };
        let Some(cell) = ods_cell(reader, &e, &mut inner) else {
            return row;
        };
        // Empty cells are written out only when a cell follows them.
        row.cells += empty.min(ODS_MAX_COLUMNS - row.cells);
        let repeats = cell.repeats.min(ODS_MAX_COLUMNS - row.cells);
        if !cell.value && !cell.formula {
            empty = repeats;
        } else {
            empty = 0;
            if repeats > 0 {
                let (first, last) = (row.cells, row.cells + repeats - 1);
                if cell.value {
                    widen(&mut row.values, first, last);
                    row.value_cells += repeats;
                    row.written += 1;
                }
                if cell.formula {
                    widen(&mut row.formulas, first, last);
                }
                row.text = row
                    .text
                    .saturating_add(cell.text_bytes / CELL_BYTES * repeats);
            }
            row.cells += repeats;
        }
    }
}

/// One cell element, read to its end as calamine's `get_datatype` reads it.
struct Cell {
    repeats: u64,
    value: bool,
    formula: bool,
    /// Bytes of text calamine makes of it: string attributes, its formula,
    /// and for a string cell its content with `<text:s>` spaces written out.
    text_bytes: u64,
}

fn ods_cell<R: BufRead>(
    reader: &mut Reader<R>,
    e: &BytesStart<'_>,
    buf: &mut Vec<u8>,
) -> Option<Cell> {
    let repeats = match attribute(e, b"table:number-columns-repeated") {
        Some(v) => count(v, false)?,
        None => 1,
    };
    let mut cell = Cell {
        repeats,
        value: false,
        formula: false,
        text_bytes: 0,
    };
    let (mut is_string, mut is_error, mut empty_string) = (false, false, false);
    for (key, value) in attributes(e) {
        match key {
            b"office:value" | b"office:boolean-value" if !cell.value => cell.value = true,
            b"office:string-value" | b"office:date-value" | b"office:time-value" if !cell.value => {
                cell.value = true;
                empty_string = key == b"office:string-value" && value.is_empty();
                cell.text_bytes += value.len() as u64;
            }
            b"office:value-type" if !cell.value => is_string = value == b"string",
            b"calcext:value-type" => is_error = value == b"error",
            b"table:formula" => {
                cell.formula = !value.is_empty();
                cell.text_bytes += value.len() as u64;
            }
            _ => {}
        }
    }
    if !(!cell.value && is_string || is_error && empty_string) {
        buf.clear();
        reader.read_to_end_into(e.name(), buf).ok()?;
        return Some(cell);
    }
    // A string cell without its string in an attribute (or an error cell
    // with an empty one): calamine reads its text up to the first cell end
    // tag, writing out `<text:s text:c="n"/>` as n spaces.
    cell.value = true;
    let start = reader.buffer_position();
    let end = loop {
        buf.clear();
        let at = reader.buffer_position();
        match reader.read_event_into(buf).ok()? {
            Event::End(end)
                if end.name() == QName(b"table:table-cell")
                    || end.name() == QName(b"table:covered-table-cell") =>
            {
                break at;
            }
            Event::Start(s) if s.name() == QName(b"office:annotation") => {
                let mut skip = Vec::new();
                reader
                    .read_to_end_into(QName(b"office:annotation"), &mut skip)
                    .ok()?;
            }
            Event::Start(s) if s.name() == QName(b"text:s") => {
                let spaces = match attribute(&s, b"text:c") {
                    Some(v) => count(v, true)?,
                    None => 1,
                };
                cell.text_bytes = cell.text_bytes.saturating_add(spaces);
            }
            Event::Eof => return None,
            _ => {}
        }
    };
    cell.text_bytes = cell.text_bytes.saturating_add(end - start);
    Some(cell)
}

// ---- xls: the container, and each sheet's extent ----

mod xls {
    use std::borrow::Cow;
    use std::cell::Cell;

    use super::{BTreeMap, FIXED_CELLS, STRAY, grouped};

    /// Cells calamine may build per cell an xls holds, past the fixed
    /// allowance. A sheet written out in full makes each cell about three
    /// times (as read, in the room DIMENSIONS reserves, in the sheet's
    /// rectangle); four leaves room for gaps between values.
    const CELLS_PER_CELL_HELD: u64 = 4;

    const SIGNATURE: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";
    /// Sector numbers from here up are markers, not sectors.
    const RESERVED: u32 = 0xFFFF_FFFA;
    const DIFAT_SECTOR: u32 = 0xFFFF_FFFC;
    const END_OF_CHAIN: u32 = 0xFFFF_FFFE;
    /// Streams shorter than this live in the mini stream.
    const MINI_STREAM_CUTOFF: u64 = 4096;
    const MINI_SECTOR: usize = 64;

    fn u16_at(b: &[u8], at: usize) -> Option<u16> {
        Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
    }

    fn u32_at(b: &[u8], at: usize) -> Option<u32> {
        Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
    }

    fn u32s(b: &[u8]) -> impl Iterator<Item = u32> + '_ {
        b.chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
    }

    /// Screens an xls: its container as calamine walks it, then the sheets
    /// of its workbook stream. Anything that is not an xls passes: calamine
    /// says what is wrong with it.
    pub(super) fn screen(bytes: &[u8]) -> Result<(), String> {
        if !bytes.starts_with(SIGNATURE) {
            return Ok(());
        }
        let Some(container) = Container::open(bytes)? else {
            return Ok(());
        };
        match container.workbook()? {
            Some(stream) => sheets(&stream),
            None => Ok(()),
        }
    }

    /// An xls container (Microsoft's compound file) as calamine reads it
    /// (`calamine::cfb`). calamine follows each sector chain it reads until
    /// its end marker, or until it has the stream's declared length: a chain
    /// that loops grows its buffer to that length, and the directory's has
    /// none. The walk here is the same, and refuses a chain that comes back to
    /// a sector it has passed. `None` wherever calamine fails on the file by
    /// itself.
    ///
    /// A general compound-file reader would check its own reading of the
    /// container, not calamine's: the `cfb` crate opens a file whose mini
    /// stream loops on itself (calamine reads that chain, cfb only when a
    /// small stream needs it), and refuses files calamine reads well.
    struct Container<'a> {
        /// The sectors: the file after its header.
        sectors: &'a [u8],
        sector_len: usize,
        /// The highest sector number calamine reads.
        last: usize,
        /// How much of `sectors` calamine has read, zero-filled past their end.
        filled: Cell<usize>,
        fat: Vec<u32>,
        /// Directory entries: name, first sector, length.
        entries: Vec<(String, u32, u64)>,
        mini_fat: Vec<u32>,
        mini_stream: Vec<u8>,
    }

    impl<'a> Container<'a> {
        fn open(bytes: &'a [u8]) -> Result<Option<Container<'a>>, String> {
            let header = |at| u32_at(bytes, at).unwrap_or(0);
            let sector_len = match u16_at(bytes, 30) {
                Some(0x0009) => 512,
                Some(0x000C) => 4096,
                _ => return Ok(None),
            };
            if bytes.len() < sector_len || u16_at(bytes, 32) != Some(6) {
                return Ok(None);
            }
            let mut c = Container {
                sectors: &bytes[sector_len..],
                sector_len,
                last: bytes.len() / sector_len,
                filled: Cell::new(0),
                fat: Vec::new(),
                entries: Vec::new(),
                mini_fat: Vec::new(),
                mini_stream: Vec::new(),
            };
            // The DIFAT: the header's 109 FAT sector numbers, then a chain of
            // sectors of more, which calamine follows for at most as many
            // sectors as the file has.
            let mut difat: Vec<u32> = u32s(&bytes[76..512]).collect();
            let mut next = header(68);
            let mut seen = 0;
            while next < RESERVED {
                seen += 1;
                if seen > c.last + 1 {
                    return Ok(None);
                }
                let Some(sector) = c.sector(next) else {
                    return Ok(None);
                };
                difat.extend(u32s(&sector));
                next = difat.pop().unwrap_or(END_OF_CHAIN);
            }
            // calamine reads every sector the DIFAT lists into its FAT: a
            // DIFAT listing more than the file has would have it read the same
            // sectors over and over.
            let listed = difat.iter().filter(|&&id| id < DIFAT_SECTOR).count();
            if listed > c.last + 1 {
                return Err(format!(
                    "its container's sector table claims {} sectors, but the file has only {}",
                    grouped(listed as u64),
                    grouped(c.last as u64 + 1)
                ));
            }
            let mut fat = Vec::new();
            for id in difat.into_iter().filter(|&id| id < DIFAT_SECTOR) {
                let Some(sector) = c.sector(id) else {
                    return Ok(None);
                };
                fat.extend(u32s(&sector));
            }
            c.fat = fat;
            let Some(directory) = c.chain(header(48), u64::MAX, false)? else {
                return Ok(None);
            };
            let large = sector_len == 4096;
            c.entries = directory
                .chunks_exact(128)
                .map(|e| {
                    let name = char::decode_utf16(
                        e[..64]
                            .chunks_exact(2)
                            .map(|u| u16::from_le_bytes([u[0], u[1]]))
                            .take_while(|&u| u != 0),
                    )
                    .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
                    .collect();
                    let len = if large {
                        u64::from_le_bytes(e[120..128].try_into().unwrap_or_default())
                    } else {
                        u64::from(u32_at(e, 120).unwrap_or(0))
                    };
                    (name, u32_at(e, 116).unwrap_or(0), len)
                })
                .collect();
            let Some(&(_, root_start, root_len)) = c.entries.first() else {
                return Ok(None);
            };
            if u16_at(bytes, 26) != Some(3) && root_start == END_OF_CHAIN {
                return Ok(None);
            }
            let mini_fat_sectors = u64::from(header(64));
            if mini_fat_sectors > 0 {
                let Some(stream) = c.chain(root_start, root_len, false)? else {
                    return Ok(None);
                };
                let mini_fat_len = mini_fat_sectors.saturating_mul(sector_len as u64);
                let Some(mini_fat) = c.chain(header(60), mini_fat_len, false)? else {
                    return Ok(None);
                };
                c.mini_stream = stream;
                c.mini_fat = u32s(&mini_fat).collect();
            }
            Ok(Some(c))
        }

        /// Sector `id`, as calamine reads it, `None` where it fails. calamine
        /// reads the file's sectors in order into one buffer, zero-filled past
        /// the file's end: a sector the file holds only part of reads short
        /// the first time, and zero-filled after.
        fn sector(&self, id: u32) -> Option<Cow<'a, [u8]>> {
            let id = id as usize;
            if id > self.last {
                return None;
            }
            let start = id * self.sector_len;
            let end = start + self.sector_len;
            let held = self.sectors.len();
            let filled = self.filled.get();
            if end <= held {
                self.filled.set(filled.max(end));
                return Some(Cow::Borrowed(&self.sectors[start..end]));
            }
            let len = if end > filled {
                self.filled.set(end);
                filled.max(held)
            } else {
                end
            };
            let mut sector = self.sectors.get(start.min(held)..len.min(held))?.to_vec();
            sector.resize(len.checked_sub(start)?, 0);
            Some(Cow::Owned(sector))
        }

        /// The stream from sector `start` on, up to `len` bytes, following
        /// the FAT (or in the mini stream, the mini FAT).
        fn chain(&self, start: u32, len: u64, mini: bool) -> Result<Option<Vec<u8>>, String> {
            let (fat, sector_len, last) = if mini {
                (&self.mini_fat, MINI_SECTOR, self.last * 8)
            } else {
                (&self.fat, self.sector_len, self.last)
            };
            let mut out = Vec::new();
            let mut next = start;
            let mut steps = 0;
            while next != END_OF_CHAIN {
                steps += 1;
                if steps > last + 1 {
                    return Err(
                        "a sector chain in its container loops back on itself, so would never end"
                            .into(),
                    );
                }
                let sector = if mini {
                    let id = next as usize;
                    if id > last {
                        return Ok(None);
                    }
                    // Past the mini stream calamine reads whatever follows in
                    // the file: no legitimate file asks it to.
                    match self.mini_stream.get(id * sector_len..(id + 1) * sector_len) {
                        Some(sector) => Cow::Borrowed(sector),
                        None => {
                            return Err(
                                "a stream in its container runs past the mini stream that holds it"
                                    .into(),
                            );
                        }
                    }
                } else {
                    match self.sector(next) {
                        Some(sector) => sector,
                        None => return Ok(None),
                    }
                };
                let room = usize::try_from(len - out.len() as u64).unwrap_or(usize::MAX);
                out.extend_from_slice(&sector[..sector.len().min(room)]);
                if out.len() as u64 >= len {
                    break;
                }
                match fat.get(next as usize) {
                    Some(&id) => next = id,
                    None => return Ok(None),
                }
            }
            Ok(Some(out))
        }

        /// The workbook stream calamine reads: the first directory entry named
        /// `Workbook`, in any case, else `Book`.
        fn workbook(&self) -> Result<Option<Vec<u8>>, String> {
            for name in ["Workbook", "Book"] {
                let Some(&(_, start, len)) = self
                    .entries
                    .iter()
                    .find(|(n, _, _)| n.eq_ignore_ascii_case(name))
                else {
                    continue;
                };
                if let Some(stream) = self.chain(start, len, len < MINI_STREAM_CUTOFF)? {
                    return Ok(Some(stream));
                }
            }
            Ok(None)
        }
    }

    /// BIFF records, as calamine splits a stream: type and data, ending where
    /// a record runs past the stream.
    fn records(stream: &[u8]) -> impl Iterator<Item = (u16, &[u8])> {
        let mut rest = stream;
        std::iter::from_fn(move || {
            let kind = u16_at(rest, 0)?;
            let len = u16_at(rest, 2)? as usize;
            let data = rest.get(4..4 + len)?;
            rest = &rest[4 + len..];
            Some((kind, data))
        })
    }

    const BOF: u16 = 0x0809;
    const EOF: u16 = 0x000A;
    const BOUND_SHEET: u16 = 0x0085;
    const DIMENSIONS: u16 = 0x0200;
    const FORMULA: u16 = 0x0006;
    /// A formula's string result, in the cell of the formula before it.
    const STRING: u16 = 0x0207;
    const MUL_RK: u16 = 0x00BD;
    /// NUMBER, LABEL, RSTRING, BOOLERR, RK and LABELSST: one cell each, its
    /// row and column first.
    const CELLS: [u16; 6] = [0x0203, 0x0204, 0x00D6, 0x0205, 0x027E, 0x00FD];
    /// BLANK and MULBLANK: formatted empty cells. calamine keeps none of them,
    /// but they are what a DIMENSIONS record covers beyond the values.
    const BLANK: u16 = 0x0201;
    const MUL_BLANK: u16 = 0x00BE;

    /// The cells a record stands for: their row, first and last column.
    fn cell_span(kind: u16, data: &[u8]) -> Option<(u32, u32, u32)> {
        let (row, col) = (u16_at(data, 0)?, u16_at(data, 2)?);
        let (row, col) = (u32::from(row), u32::from(col));
        match kind {
            MUL_RK | MUL_BLANK => {
                let last = u32::from(u16_at(data, data.len().checked_sub(2)?)?);
                let cells = last.checked_sub(col)? as usize + 1;
                let each = if kind == MUL_RK { 6 } else { 2 };
                (data.len() == 6 + each * cells).then_some((row, col, last))
            }
            FORMULA => (data.len() >= 20).then_some((row, col, col)),
            _ => Some((row, col, col)),
        }
    }

    /// calamine reads every sheet on opening an xls, each from the offset its
    /// BOUNDSHEET record gives, to its EOF, skipping embedded substreams
    /// (charts): it reserves the rectangle its DIMENSIONS record claims, then
    /// places its value cells, and its formulas, each in the rectangle their
    /// extreme positions span. This counts those cells for every sheet, and
    /// refuses the file when they exceed the fixed allowance plus
    /// [`CELLS_PER_CELL_HELD`] for each cell the stream holds (blank ones
    /// included), counted once over the whole stream (so that sheets sharing
    /// records do not count them twice).
    fn sheets(stream: &[u8]) -> Result<(), String> {
        let mut held = 0u64;
        let mut sheets = Vec::new();
        let mut globals = true;
        for (kind, data) in records(stream) {
            match kind {
                BOUND_SHEET if globals => sheets.extend(u32_at(data, 0)),
                EOF => globals = false,
                _ => {}
            }
            let cell_record =
                CELLS.contains(&kind) || [MUL_RK, FORMULA, BLANK, MUL_BLANK].contains(&kind);
            if cell_record && let Some((_, first, last)) = cell_span(kind, data) {
                // A formula is a value and a formula.
                held += u64::from(last - first + 1) * if kind == FORMULA { 2 } else { 1 };
            }
        }
        let mut scanned = BTreeMap::new();
        let mut built = 0u64;
        for at in sheets {
            let Some(sheet) = stream.get(at as usize..) else {
                break;
            };
            let cells = *scanned.entry(at).or_insert_with(|| sheet_cells(sheet));
            built = built.saturating_add(cells);
        }
        let budget = FIXED_CELLS.saturating_add(CELLS_PER_CELL_HELD.saturating_mul(held));
        if built > budget {
            return Err(format!(
                "its sheets' DIMENSIONS records and far-apart cells would have {} cells set out in \
                 memory, but it holds {} ({STRAY})",
                grouped(built),
                grouped(held)
            ));
        }
        Ok(())
    }

    /// The cells calamine builds for the sheet whose records start `sheet`.
    fn sheet_cells(sheet: &[u8]) -> u64 {
        let mut reserved = 0u64;
        let mut cells = 0u64;
        let mut values = Rectangle::default();
        let mut formulas = Rectangle::default();
        let mut formula_at = (0, 0);
        let mut depth = 0usize;
        let mut seen_bof = false;
        for (kind, data) in records(sheet) {
            if depth > 0 {
                match kind {
                    BOF => depth += 1,
                    EOF => depth -= 1,
                    _ => {}
                }
                continue;
            }
            match kind {
                BOF if seen_bof => depth += 1,
                BOF => seen_bof = true,
                EOF => break,
                DIMENSIONS => reserved = reserved.max(dimensions(data)),
                STRING => {
                    values.add(formula_at.0, formula_at.1, formula_at.1);
                    cells += 1;
                }
                _ if CELLS.contains(&kind) || kind == MUL_RK || kind == FORMULA => {
                    let Some((row, first, last)) = cell_span(kind, data) else {
                        continue;
                    };
                    values.add(row, first, last);
                    cells += u64::from(last - first + 1);
                    if kind == FORMULA {
                        formula_at = (row, first);
                        formulas.add(row, first, first);
                        cells += 1;
                    }
                }
                _ => {}
            }
        }
        reserved
            .saturating_add(cells)
            .saturating_add(values.cells())
            .saturating_add(formulas.cells())
    }

    /// The cells a DIMENSIONS record has calamine reserve, computed as its
    /// `parse_dimensions` and `parse_workbook` do (in 32-bit arithmetic that
    /// wraps in a release build).
    fn dimensions(data: &[u8]) -> u64 {
        let (first_row, rows_end, mut first_col, cols_end) = match data.len() {
            10 => (
                u32::from(u16_at(data, 0).unwrap_or(0)),
                u32::from(u16_at(data, 2).unwrap_or(0)),
                u32::from(u16_at(data, 4).unwrap_or(0)),
                u32::from(u16_at(data, 6).unwrap_or(0)),
            ),
            14 | 16 => (
                u32_at(data, 0).unwrap_or(0),
                u32_at(data, 4).unwrap_or(0),
                u32::from(u16_at(data, 8).unwrap_or(0)),
                u32::from(u16_at(data, 10).unwrap_or(0)),
            ),
            _ => return 0,
        };
        if first_col > 0xFF || cols_end < first_col {
            first_col = 0;
        }
        let (last_row, last_col) = if rows_end >= 1 && cols_end >= 1 {
            (rows_end - 1, cols_end - 1)
        } else {
            (first_row, first_col)
        };
        let rows = last_row.wrapping_sub(first_row).wrapping_add(1);
        let cols = last_col.wrapping_sub(first_col).wrapping_add(1);
        u64::from(rows).saturating_mul(u64::from(cols))
    }

    /// The rectangle `Range::from_sparse` spans around a sheet's cells.
    #[derive(Default)]
    struct Rectangle(Option<(u32, u32, u32, u32)>);

    impl Rectangle {
        fn add(&mut self, row: u32, first: u32, last: u32) {
            let (top, bottom, left, right) = self.0.get_or_insert((row, row, first, last));
            *top = (*top).min(row);
            *bottom = (*bottom).max(row);
            *left = (*left).min(first);
            *right = (*right).max(last);
        }

        fn cells(&self) -> u64 {
            self.0.map_or(0, |(top, bottom, left, right)| {
                u64::from(bottom - top + 1) * u64::from(right - left + 1)
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use calamine::Reader as _;

    use super::*;

    /// A zip of `parts`, stored.
    fn zipped(parts: &[(&str, &[u8])]) -> Vec<u8> {
        let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, bytes) in parts {
            let options = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Stored);
            out.start_file(*name, options).unwrap();
            out.write_all(bytes).unwrap();
        }
        out.finish().unwrap().into_inner()
    }

    fn screened(bytes: &[u8]) -> Result<()> {
        let archive = zip::ZipArchive::new(Cursor::new(bytes)).ok();
        screen(Path::new("book"), bytes, archive)
    }

    fn refusal(bytes: &[u8]) -> String {
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

    // ---- ods ----

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

    // ---- xls ----

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
        let mut book: calamine::Xls<_> =
            calamine::open_workbook_from_rs(Cursor::new(bytes)).unwrap();
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
        assert!(
            refusal(&compound(&workbook(std::slice::from_ref(&values), 1))).contains("holds 20")
        );
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
        assert!(
            refusal(&bytes).contains("sector table claims 109 sectors, but the file has only 12")
        );
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
}
