//! Rendering: exporters return bytes, so they are pure and testable; the
//! caller decides where the bytes go. Parquet lives in [`crate::frame`], the
//! one place that speaks polars.

pub mod charts;
pub mod format;
pub mod html;
pub mod pages;
pub mod sessions;

use crate::error::{Error, Result};
use crate::metrics::tables;
use crate::table::{Table, Value};
use crate::write::{self, Grid, Style, XLSX_MAX_ROWS};

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

/// How the report's tables are written: text made formula-safe, ISO dates,
/// each sheet's header frozen and its columns fitted, and a note where a
/// table is longer than a sheet (the whole of it is in `tables/`).
const TABLES: Style = Style {
    formula_safe: true,
    date: ("%Y-%m-%d", "yyyy-mm-dd"),
    created: (2024, 4, 1),
    by_column: true,
    fitted: true,
    max_rows: XLSX_MAX_ROWS,
    overflow_to: Some("tables/"),
};

/// A report table as the writers read it. A workbook shows a column as a
/// percentage where its table's declaration says it is a fraction (a rate
/// or a share); a column no declaration names (one an overriding query adds,
/// or a table of the data-quality ledger) by its name: `*_rate`, `pct_*`,
/// `share`.
impl Grid for Table {
    fn name(&self) -> &str {
        &self.name
    }
    fn header(&self) -> Vec<&str> {
        self.column_names()
    }
    fn height(&self) -> usize {
        Table::height(self)
    }
    fn width(&self, _row: usize) -> usize {
        self.columns.len()
    }
    fn cell(&self, row: usize, column: usize) -> Value<'_> {
        self.columns[column].values.get(row)
    }
    fn percent(&self, column: usize) -> bool {
        let name = &self.columns[column].name;
        match tables::measure(&self.name, name) {
            Some(m) => m.kind.is_fraction(),
            None => name.ends_with("_rate") || name.starts_with("pct_") || name == "share",
        }
    }
}

/// A table as CSV: one header row of column names, empty cells for empty
/// values, numbers at full precision. Text is [`Table::masked`] and
/// `write::formula_safe`.
pub fn csv(table: &Table) -> Vec<u8> {
    write::csv(&table.masked(), &TABLES)
}

/// Tables as the sheets of one workbook, named as the CSV files. Values are
/// the same as in the CSV (text masked and made formula-safe, and written as
/// text, never as a formula); fractions (rates and shares, as the table's
/// declaration or the column's name says) display as percentages but keep
/// full precision. A text longer than Excel allows is
/// cut, saying so; a table longer than a sheet allows ends with a row saying
/// how many rows are only in the CSV.
pub fn xlsx(tables: &[Table]) -> Result<Vec<u8>> {
    xlsx_in(tables, &TABLES)
}

fn xlsx_in(tables: &[Table], style: &Style) -> Result<Vec<u8>> {
    let tables: Vec<Table> = tables.iter().map(Table::masked).collect();
    write::xlsx(&tables, style).map_err(|e| Error::Internal(format!("writing tables.xlsx: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::Values;
    use crate::write::{MAX_TEXT as XLSX_MAX_TEXT, TEXT_CUT as XLSX_CUT};

    /// The report's tables on sheets of `max_rows`.
    fn xlsx_inner(tables: &[Table], max_rows: u32) -> Result<Vec<u8>> {
        xlsx_in(tables, &Style { max_rows, ..TABLES })
    }

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
