//! Rendering: exporters return bytes, so they are pure and testable; the
//! caller decides where the bytes go. Parquet lives in [`crate::frame`], the
//! one place that speaks polars.

pub mod charts;
pub mod format;
pub mod html;
pub mod pages;
pub mod sessions;

use std::borrow::Cow;

use chrono::NaiveDate;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, Worksheet, XlsxError};

use crate::error::{Error, Result};
use crate::table::{Table, Value};

/// A file-name-safe form of a name: `Child exploitation (CE)` →
/// `child-exploitation-ce`.
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// The first characters that make a spreadsheet read a cell as a formula
/// (OWASP's list for CSV injection).
const FORMULA_START: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Excel's limit on the text of one cell, in UTF-16 units.
const XLSX_MAX_TEXT: usize = 32_767;

/// What ends a cell's text cut to fit Excel.
const XLSX_CUT: &str = " [cut to fit Excel: the full text is in the CSV]";

/// Excel's limit on the rows of one sheet.
const XLSX_MAX_ROWS: u32 = 1_048_576;

/// A text cell as it is safe to open in a spreadsheet: text that would be
/// read as a formula (starting with `=`, `+`, `-`, `@`, a tab or a carriage
/// return, even after spaces) gets a leading `'`, as OWASP recommends.
/// Numbers are not text cells and are never changed.
pub fn formula_safe(text: &str) -> Cow<'_, str> {
    if text.starts_with(FORMULA_START) || text.trim_start().starts_with(FORMULA_START) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// A cell as CSV writes it: [`Value::to_text`], text made [`formula_safe`].
fn csv_cell(value: Value<'_>) -> String {
    match value {
        Value::Text(s) => formula_safe(s).into_owned(),
        other => other.to_text(),
    }
}

/// A table as CSV: one header row of column names, empty cells for empty
/// values, numbers at full precision. Text is [`Table::masked`] and
/// [`formula_safe`].
pub fn csv(table: &Table) -> Vec<u8> {
    let table = table.masked();
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(
        table
            .column_names()
            .into_iter()
            .map(|n| formula_safe(n).into_owned()),
    )
    .expect("writing to memory cannot fail");
    for i in 0..table.height() {
        w.write_record(table.columns.iter().map(|c| csv_cell(c.values.get(i))))
            .expect("writing to memory cannot fail");
    }
    w.into_inner().expect("writing to memory cannot fail")
}

/// Tables as the sheets of one workbook, named as the CSV files. Values are
/// the same as in the CSV (text masked and made formula-safe, and written as
/// text, never as a formula); rates (`*_rate`, `pct_*`, `share`) display as
/// percentages but keep full precision. A text longer than Excel allows is
/// cut, saying so; a table longer than a sheet allows ends with a row saying
/// how many rows are only in the CSV.
pub fn xlsx(tables: &[Table]) -> Result<Vec<u8>> {
    let tables: Vec<Table> = tables.iter().map(Table::masked).collect();
    xlsx_inner(&tables, XLSX_MAX_ROWS)
        .map_err(|e| Error::Internal(format!("writing tables.xlsx: {e}")))
}

/// A text cell as the workbook holds it: [`formula_safe`], and cut to
/// Excel's limit with a note saying so.
fn xlsx_text(text: &str) -> Cow<'_, str> {
    let text = formula_safe(text);
    if text.encode_utf16().count() <= XLSX_MAX_TEXT {
        return text;
    }
    let budget = XLSX_MAX_TEXT - XLSX_CUT.encode_utf16().count();
    let mut used = 0;
    let end = text
        .char_indices()
        .find(|(_, c)| {
            used += c.len_utf16();
            used > budget
        })
        .map_or(text.len(), |(i, _)| i);
    Cow::Owned(format!("{}{XLSX_CUT}", &text[..end]))
}

/// How many of `table`'s rows fit a sheet of `max_rows` under its header,
/// keeping the last row for a note when not all do.
fn rows_that_fit(table: &Table, max_rows: u32) -> usize {
    let room = max_rows as usize - 1;
    if table.height() <= room {
        table.height()
    } else {
        room - 1
    }
}

/// In the last row of a sheet of `max_rows`, when `table` did not fit: how
/// many rows are left out, and where they are.
fn note_rows_left_out(
    ws: &mut Worksheet,
    table: &Table,
    shown: usize,
    max_rows: u32,
) -> std::result::Result<(), XlsxError> {
    let left = table.height() - shown;
    if left > 0 {
        let text = format!(
            "{left} more row(s), past the {max_rows} rows a sheet can hold, are in tables/{}.csv",
            table.name
        );
        ws.write_string(max_rows - 1, 0, text)?;
    }
    Ok(())
}

fn xlsx_inner(tables: &[Table], max_rows: u32) -> std::result::Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    // A fixed creation time: the same inputs give the same bytes.
    let created = ExcelDateTime::from_ymd(2024, 4, 1)?;
    book.set_properties(&DocProperties::new().set_creation_datetime(&created));
    let header = Format::new().set_bold();
    let percent = Format::new().set_num_format("0.0%");
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let epoch = NaiveDate::from_ymd_opt(1899, 12, 30).expect("a valid date");
    for table in tables {
        let ws = book.add_worksheet();
        ws.set_name(&table.name)?;
        let shown = rows_that_fit(table, max_rows);
        for (c, column) in table.columns.iter().enumerate() {
            let c = c as u16;
            ws.write_string_with_format(0, c, xlsx_text(&column.name), &header)?;
            let is_rate = column.name.ends_with("_rate")
                || column.name.starts_with("pct_")
                || column.name == "share";
            for i in 0..shown {
                let r = i as u32 + 1;
                match column.values.get(i) {
                    Value::Empty => {}
                    Value::Text(s) => {
                        ws.write_string(r, c, xlsx_text(s))?;
                    }
                    Value::Int(n) => {
                        ws.write_number(r, c, n as f64)?;
                    }
                    Value::Float(x) if is_rate => {
                        ws.write_number_with_format(r, c, x, &percent)?;
                    }
                    Value::Float(x) => {
                        ws.write_number(r, c, x)?;
                    }
                    Value::Date(d) => {
                        ws.write_number_with_format(r, c, (d - epoch).num_days() as f64, &date)?;
                    }
                }
            }
        }
        note_rows_left_out(ws, table, shown, max_rows)?;
        ws.set_freeze_panes(1, 0)?;
        ws.autofit();
    }
    book.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::Values;

    #[test]
    fn csv_has_a_header_even_when_empty_and_quotes_values() {
        let empty = Table::new("t")
            .with("source", Values::Text(vec![]))
            .with("row", Values::Int(vec![]));
        assert_eq!(String::from_utf8(csv(&empty)).unwrap(), "source,row\n");
        let t = Table::new("t")
            .with(
                "value",
                Values::Text(vec![Some("Maybe, later".into()), None]),
            )
            .with("rate", Values::Float(vec![Some(1.0 / 3.0), None]))
            .with("n", Values::Int(vec![Some(12), None]));
        assert_eq!(
            String::from_utf8(csv(&t)).unwrap(),
            "value,rate,n\n\"Maybe, later\",0.3333333333333333,12\n,,\n"
        );
    }

    fn hostile() -> Table {
        let texts = [
            "=1+1",
            "+ see notes",
            "-5",
            "@SUM(A1:A2)",
            "\t=1+1",
            "\r=1+1",
            "  =HYPERLINK(\"http://x\")",
            "jo@example.org",
            "a-b=c",
            "Plain",
        ];
        Table::new("rejected")
            .with(
                "value",
                Values::Text(texts.iter().map(|t| Some(t.to_string())).collect()),
            )
            .with("n", Values::Int(vec![Some(-5); texts.len()]))
            .with("x", Values::Float(vec![Some(-0.5); texts.len()]))
    }

    const SAFE: [&str; 10] = [
        "'=1+1",
        "'+ see notes",
        "'-5",
        "'@SUM(A1:A2)",
        "' =1+1",
        "' =1+1",
        "'  =HYPERLINK(\"http://x\")",
        "[email]",
        "a-b=c",
        "Plain",
    ];

    #[test]
    fn csv_text_is_masked_and_never_a_live_formula_but_numbers_stay() {
        let text = String::from_utf8(csv(&hostile())).unwrap();
        let mut rows = ::csv::Reader::from_reader(text.as_bytes());
        let got: Vec<Vec<String>> = rows
            .records()
            .map(|r| r.unwrap().iter().map(str::to_string).collect())
            .collect();
        let want: Vec<Vec<String>> = SAFE
            .iter()
            .map(|s| vec![s.to_string(), "-5".into(), "-0.5".into()])
            .collect();
        assert_eq!(got, want);
        assert!(!text.contains('\t') && !text.contains('\r'));
    }

    fn read_back(bytes: Vec<u8>, sheet: &str) -> (calamine::Range<calamine::Data>, usize) {
        use calamine::Reader;
        let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        let formulas = book.worksheet_formula(sheet).unwrap();
        let live = formulas
            .used_cells()
            .filter(|(_, _, f)| !f.is_empty())
            .count();
        (book.worksheet_range(sheet).unwrap(), live)
    }

    #[test]
    fn xlsx_text_is_masked_and_written_as_text_never_as_a_formula() {
        let (range, formulas) = read_back(xlsx(&[hostile()]).unwrap(), "rejected");
        assert_eq!(formulas, 0);
        for (i, want) in SAFE.iter().enumerate() {
            let row = i as u32 + 1;
            assert_eq!(
                range.get_value((row, 0)),
                Some(&calamine::Data::String(want.to_string()))
            );
            assert_eq!(
                range.get_value((row, 1)),
                Some(&calamine::Data::Float(-5.0))
            );
        }
    }

    #[test]
    fn xlsx_cuts_text_past_excels_limit_and_says_so() {
        let long = "é".repeat(40_000);
        let wide = "😀".repeat(20_000);
        let t = Table::new("rejected").with(
            "value",
            Values::Text(vec![Some(long), Some(wide), Some("short".into())]),
        );
        let (range, _) = read_back(xlsx(&[t]).unwrap(), "rejected");
        for row in [1, 2] {
            let Some(calamine::Data::String(s)) = range.get_value((row, 0)) else {
                panic!("row {row} is text");
            };
            assert!(s.ends_with(XLSX_CUT), "row {row}");
            let units = s.encode_utf16().count();
            assert!(
                units <= XLSX_MAX_TEXT && units > XLSX_MAX_TEXT - 2,
                "{units}"
            );
        }
        assert_eq!(
            range.get_value((3, 0)),
            Some(&calamine::Data::String("short".into()))
        );
    }

    #[test]
    fn xlsx_notes_rows_past_a_sheets_limit() {
        let t = Table::new("rejected").with("row", Values::Int((0..10).map(Some).collect()));
        let bytes = xlsx_inner(std::slice::from_ref(&t), 6).unwrap();
        let (range, _) = read_back(bytes, "rejected");
        assert_eq!(range.height(), 6);
        assert_eq!(range.get_value((4, 0)), Some(&calamine::Data::Float(3.0)));
        assert_eq!(
            range.get_value((5, 0)),
            Some(&calamine::Data::String(
                "6 more row(s), past the 6 rows a sheet can hold, are in tables/rejected.csv"
                    .into()
            ))
        );
        let (range, _) = read_back(xlsx_inner(&[t], 11).unwrap(), "rejected");
        assert_eq!(range.height(), 11, "ten rows and the header fit exactly");
    }

    #[test]
    fn xlsx_is_deterministic_and_readable() {
        let t = Table::new("funnel")
            .with("stage", Values::Text(vec![Some("trained".into())]))
            .with("share", Values::Float(vec![Some(0.5)]));
        let a = xlsx(std::slice::from_ref(&t)).unwrap();
        assert_eq!(a, xlsx(&[t]).unwrap());
        assert_eq!(&a[..2], b"PK");
    }
}
