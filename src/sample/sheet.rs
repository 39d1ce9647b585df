//! The sample's tables as they are built (cells of text, numbers and dates
//! under a header, with any title rows above) and written, as CSV or xlsx,
//! through the shared writer in the tools' own style.

use std::path::Path;

use chrono::NaiveDate;

use crate::error::{Error, Result};
use crate::table::Value;
use crate::write::{self, Grid, Style};

/// A value to write: a string, a number or a date.
#[derive(Clone)]
pub(super) enum V {
    S(String),
    N(f64),
    D(NaiveDate),
    Blank,
}

pub(super) fn s(x: impl Into<String>) -> V {
    V::S(x.into())
}

impl V {
    /// The value as a CSV file holds it: UK dates, whole numbers plainly.
    pub fn text(&self) -> String {
        match self {
            V::S(x) => x.clone(),
            V::N(n) => crate::display::format_number(*n),
            V::D(d) => d.format("%d/%m/%Y").to_string(),
            V::Blank => String::new(),
        }
    }
}

/// One table to write, as xlsx or csv.
pub(super) struct Table {
    /// Lines above the header (title rows of an export).
    pub preamble: Vec<String>,
    pub header: Vec<&'static str>,
    pub rows: Vec<Vec<V>>,
}

/// How the sample's files are written: as the tools write theirs (no
/// formula neutralising), UK dates, a row at a time.
const EXPORT: Style = Style {
    formula_safe: false,
    date: ("%d/%m/%Y", "dd/mm/yyyy"),
    created: (2026, 4, 1),
    by_column: false,
    fitted: false,
    max_rows: write::XLSX_MAX_ROWS,
    overflow_to: None,
};

/// A sample table on its sheet, as the writers read it.
struct Sheet<'a> {
    name: &'a str,
    table: &'a Table,
}

impl Grid for Sheet<'_> {
    fn name(&self) -> &str {
        self.name
    }
    fn preamble(&self) -> &[String] {
        &self.table.preamble
    }
    fn header(&self) -> Vec<&str> {
        self.table.header.clone()
    }
    fn height(&self) -> usize {
        self.table.rows.len()
    }
    fn width(&self, row: usize) -> usize {
        self.table.rows[row].len()
    }
    fn cell(&self, row: usize, column: usize) -> Value<'_> {
        match &self.table.rows[row][column] {
            V::S(x) => Value::Text(x),
            V::N(n) => Value::Float(*n),
            V::D(d) => Value::Date(*d),
            V::Blank => Value::Empty,
        }
    }
}

/// Writes `table` into `out` as `name.xlsx` (on sheet `sheet`) or
/// `name.csv`; returns the file's name.
pub(super) fn write_as(
    out: &Path,
    name: &str,
    table: &Table,
    sheet: &str,
    xlsx: bool,
) -> Result<String> {
    let file = if xlsx {
        format!("{name}.xlsx")
    } else {
        format!("{name}.csv")
    };
    let path = out.join(&file);
    let sheet = Sheet { name: sheet, table };
    let bytes = if xlsx {
        write::xlsx(&[sheet], &EXPORT)
    } else {
        Ok(write::csv(&sheet, &EXPORT))
    };
    let bytes = bytes.map_err(|e| Error::Internal(format!("writing {file}: {e}")))?;
    std::fs::write(&path, bytes).map_err(|source| Error::Io {
        context: format!("could not write '{}'", path.display()),
        source,
    })?;
    Ok(file)
}

/// A header built from an item's name, kept for the rest of the run (the
/// tables' headers are `&'static str`).
pub(super) fn leak(text: String) -> &'static str {
    Box::leak(text.into_boxed_str())
}
