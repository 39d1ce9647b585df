//! [`Grid`]s as the sheets of one workbook: text written as text (never as a
//! formula) and cut to Excel's limit, numbers as numbers, dates as dates.

use std::borrow::Cow;

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, Worksheet, XlsxError};

use super::grid::{Grid, Style, serial};
use crate::table::Value;

/// Excel's limit on the text of one cell, in UTF-16 units.
pub(crate) const MAX_TEXT: usize = 32_767;

/// What ends a cell's text cut to fit Excel.
pub(crate) const TEXT_CUT: &str = " [cut to fit Excel: the full text is in the CSV]";

/// The formats a sheet's cells take.
struct Formats {
    header: Format,
    percent: Format,
    date: Format,
}

/// `grids` as the sheets of one workbook, in `style`.
pub(crate) fn xlsx<G: Grid>(grids: &[G], style: &Style) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    // A fixed creation time: the same inputs give the same bytes.
    let (y, m, d) = style.created;
    let created = ExcelDateTime::from_ymd(y, m, d)?;
    book.set_properties(&DocProperties::new().set_creation_datetime(&created));
    let formats = Formats {
        header: Format::new().set_bold(),
        percent: Format::new().set_num_format("0.0%"),
        date: Format::new().set_num_format(style.date.1),
    };
    for grid in grids {
        let ws = book.add_worksheet();
        ws.set_name(grid.name())?;
        let mut r: u32 = 0;
        for line in grid.preamble() {
            ws.write_string(r, 0, line)?;
            r += 1;
        }
        let shown = rows_that_fit(grid, style, r);
        if style.by_column {
            for (c, name) in grid.header().into_iter().enumerate() {
                ws.write_string_with_format(r, c as u16, text(name, style), &formats.header)?;
                for i in 0..shown {
                    if c < grid.width(i) {
                        let value = grid.cell(i, c);
                        write_cell(ws, r + 1 + i as u32, c, value, grid, style, &formats)?;
                    }
                }
            }
        } else {
            for (c, name) in grid.header().into_iter().enumerate() {
                ws.write_string_with_format(r, c as u16, text(name, style), &formats.header)?;
            }
            for i in 0..shown {
                for c in 0..grid.width(i) {
                    let value = grid.cell(i, c);
                    write_cell(ws, r + 1 + i as u32, c, value, grid, style, &formats)?;
                }
            }
        }
        note_rows_left_out(ws, grid, shown, style)?;
        if style.fitted {
            ws.set_freeze_panes(r + 1, 0)?;
            ws.autofit();
        }
    }
    book.save_to_buffer()
}

fn write_cell(
    ws: &mut Worksheet,
    r: u32,
    c: usize,
    value: Value<'_>,
    grid: &impl Grid,
    style: &Style,
    formats: &Formats,
) -> Result<(), XlsxError> {
    let c16 = c as u16;
    match value {
        Value::Empty => {}
        Value::Text(s) => {
            ws.write_string(r, c16, text(s, style))?;
        }
        Value::Int(n) => {
            ws.write_number(r, c16, n as f64)?;
        }
        Value::Float(x) if grid.percent(c) => {
            ws.write_number_with_format(r, c16, x, &formats.percent)?;
        }
        Value::Float(x) => {
            ws.write_number(r, c16, x)?;
        }
        Value::Date(d) => {
            ws.write_number_with_format(r, c16, serial(d), &formats.date)?;
        }
    }
    Ok(())
}

/// A text cell as the workbook holds it: as the style writes text, and cut
/// to Excel's limit with a note saying so.
fn text<'a>(text: &'a str, style: &Style) -> Cow<'a, str> {
    let text = style.text(text);
    if text.encode_utf16().count() <= MAX_TEXT {
        return text;
    }
    let budget = MAX_TEXT - TEXT_CUT.encode_utf16().count();
    let mut used = 0;
    let end = text
        .char_indices()
        .find(|(_, c)| {
            used += c.len_utf16();
            used > budget
        })
        .map_or(text.len(), |(i, _)| i);
    Cow::Owned(format!("{}{TEXT_CUT}", &text[..end]))
}

/// How many of `grid`'s rows fit under its header (on row `header_row`),
/// keeping the last row for a note when not all do and the style gives
/// where the rest are. Without that, every row is written and a sheet too
/// long is the workbook library's error.
fn rows_that_fit(grid: &impl Grid, style: &Style, header_row: u32) -> usize {
    let room = (style.max_rows - header_row) as usize - 1;
    if grid.height() <= room || style.overflow_to.is_none() {
        grid.height()
    } else {
        room - 1
    }
}

/// In the last row of a sheet, when `grid` did not fit: how many rows are
/// left out, and where they are.
fn note_rows_left_out(
    ws: &mut Worksheet,
    grid: &impl Grid,
    shown: usize,
    style: &Style,
) -> Result<(), XlsxError> {
    let left = grid.height() - shown;
    if let (true, Some(folder)) = (left > 0, style.overflow_to) {
        let max_rows = style.max_rows;
        let text = format!(
            "{left} more row(s), past the {max_rows} rows a sheet can hold, are in {folder}{}.csv",
            grid.name()
        );
        ws.write_string(max_rows - 1, 0, text)?;
    }
    Ok(())
}
