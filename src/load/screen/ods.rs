//! ods: repeated rows and cells, expanded as calamine expands them.

use std::io::{BufRead, BufReader};

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::QName;

use super::budget::{FIXED_CELLS, STRAY, grouped};
use super::part::{Archive, attribute, attributes, count, xml_reader};

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
pub(super) fn ods_content(archive: &mut Archive<'_>) -> Result<(), String> {
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

#[cfg(test)]
mod tests;
