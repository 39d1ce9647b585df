//! Rendering: exporters return bytes, so they are pure and testable; the
//! caller decides where the bytes go. Parquet lives in [`crate::frame`], the
//! one place that speaks polars.

pub mod charts;
pub mod format;
pub mod html;
pub mod pages;

use chrono::NaiveDate;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, XlsxError};

use crate::error::{Error, Result};
use crate::table::{Table, Value};

/// A table as CSV: one header row of column names, empty cells for empty
/// values, numbers at full precision.
pub fn csv(table: &Table) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(table.column_names())
        .expect("writing to memory cannot fail");
    for i in 0..table.height() {
        w.write_record(table.columns.iter().map(|c| c.values.get(i).to_text()))
            .expect("writing to memory cannot fail");
    }
    w.into_inner().expect("writing to memory cannot fail")
}

/// Tables as the sheets of one workbook, named as the CSV files. Values are
/// the same as in the CSV; rates (`*_rate`, `pct_*`, `share`) display as
/// percentages but keep full precision.
pub fn xlsx(tables: &[Table]) -> Result<Vec<u8>> {
    xlsx_inner(tables).map_err(|e| Error::Internal(format!("writing tables.xlsx: {e}")))
}

fn xlsx_inner(tables: &[Table]) -> std::result::Result<Vec<u8>, XlsxError> {
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
        for (c, column) in table.columns.iter().enumerate() {
            let c = c as u16;
            ws.write_string_with_format(0, c, &column.name, &header)?;
            let is_rate = column.name.ends_with("_rate")
                || column.name.starts_with("pct_")
                || column.name == "share";
            for i in 0..table.height() {
                let r = i as u32 + 1;
                match column.values.get(i) {
                    Value::Empty => {}
                    Value::Text(s) => {
                        ws.write_string(r, c, s)?;
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
