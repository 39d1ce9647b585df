//! What the writers read: a [`Grid`] of cells, and the [`Style`] a caller
//! writes it in.

use std::borrow::Cow;

use chrono::NaiveDate;

use crate::table::Value;

/// Rows of cells under a header, as the writers read them.
pub(crate) trait Grid {
    /// The sheet's name in a workbook.
    fn name(&self) -> &str;
    /// Lines above the header, one cell each (the title rows of an export).
    fn preamble(&self) -> &[String] {
        &[]
    }
    fn header(&self) -> Vec<&str>;
    fn height(&self) -> usize;
    /// How many cells row `row` has (an export's rows may differ).
    fn width(&self, row: usize) -> usize;
    fn cell(&self, row: usize, column: usize) -> Value<'_>;
    /// Whether a column's numbers display as percentages in a workbook.
    fn percent(&self, _column: usize) -> bool {
        false
    }
}

/// What differs between the files one caller writes and another's.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Style {
    /// Text a spreadsheet would read as a formula gets a leading `'` (see
    /// [`formula_safe`]), in the header too. The sample writes its exports
    /// as the tools do, without it.
    pub formula_safe: bool,
    /// How a date is written: its text in CSV (a chrono format) and its
    /// number format in a workbook.
    pub date: (&'static str, &'static str),
    /// The workbook's creation date, (year, month, day): fixed, so the same
    /// input gives the same bytes.
    pub created: (u16, u8, u8),
    /// Cells are written a column at a time (header first), or a row at a
    /// time. The order decides the workbook's shared strings, so each caller
    /// keeps its own to keep its files' bytes.
    pub by_column: bool,
    /// Each sheet laid out for reading: its header row frozen and its
    /// columns fitted to their text.
    pub fitted: bool,
    /// The rows a sheet may hold, its header and the lines above included.
    pub max_rows: u32,
    /// The folder holding the CSV of the same name: given, a table longer
    /// than a sheet ends with a row saying how many rows are only there; not
    /// given, such a table is an error.
    pub overflow_to: Option<&'static str>,
}

/// Excel's limit on the rows of one sheet.
pub(crate) const XLSX_MAX_ROWS: u32 = 1_048_576;

/// The first characters that make a spreadsheet read a cell as a formula
/// (OWASP's list for CSV injection).
const FORMULA_START: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A text cell as it is safe to open in a spreadsheet: text that would be
/// read as a formula (starting with `=`, `+`, `-`, `@`, a tab or a carriage
/// return, even after spaces) gets a leading `'`, as OWASP recommends.
/// Numbers are not text cells and are never changed.
pub(crate) fn formula_safe(text: &str) -> Cow<'_, str> {
    if text.starts_with(FORMULA_START) || text.trim_start().starts_with(FORMULA_START) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

impl Style {
    /// Text as this style writes it: [`formula_safe`] if it asks so.
    pub(super) fn text<'a>(&self, text: &'a str) -> Cow<'a, str> {
        if self.formula_safe {
            formula_safe(text)
        } else {
            Cow::Borrowed(text)
        }
    }

    /// A cell's text in CSV: [`Value::to_text`], dates in this style, text
    /// as [`Style::text`] writes it.
    pub(super) fn csv_text(&self, value: Value<'_>) -> String {
        match value {
            Value::Text(s) => self.text(s).into_owned(),
            Value::Date(d) => d.format(self.date.0).to_string(),
            other => other.to_text(),
        }
    }
}

/// A date as a spreadsheet's serial number (days since 30 December 1899).
pub(super) fn serial(d: NaiveDate) -> f64 {
    let epoch = NaiveDate::from_ymd_opt(1899, 12, 30).expect("a valid date");
    (d - epoch).num_days() as f64
}
