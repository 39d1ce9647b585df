//! Reading one file into raw sheets: a grid of cells kept column by column,
//! with the row numbers Excel shows, before any column is understood.
//!
//! Spreadsheets are read with calamine ([`super::workbook`]), CSV with the
//! csv crate after its encoding is settled ([`super::text`]). Either way the
//! cells that exist are collected first and the grid is laid out from them,
//! so memory follows the data, never the extent a file claims: a stray cell
//! at XFD1048576 costs one cell, not a sheet of sixteen billion.

use calamine::Data;

use crate::error::Result;

/// What one file may hold. Past any of these the file is refused with an
/// error naming it (exit 2), before it can take memory its data does not need.
pub mod limits {
    /// Rows of a spreadsheet: Excel's own limit.
    pub const ROWS: u32 = 1_048_576;
    /// Columns holding a value: Excel's own limit.
    pub const COLUMNS: u32 = 16_384;
    /// Characters in one cell: Excel's own limit.
    pub const CELL_CHARS: usize = 32_767;
    /// Cells holding a value, in one sheet or CSV file (about 40 times the
    /// bookings of a national year).
    pub const CELLS: usize = 100_000_000;
    /// Bytes a spreadsheet (a zip of XML parts) may unpack to.
    pub const UNPACKED_BYTES: u64 = 1 << 30;
    /// How much larger than its compressed size a part may unpack to, once
    /// it is over [`RATIO_FROM_BYTES`]: the zip-bomb rule of Apache POI.
    pub const UNPACK_RATIO: u64 = 100;
    pub const RATIO_FROM_BYTES: u64 = 1 << 20;
}

/// One cell, borrowed from a raw column.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell<'a> {
    Empty,
    Text(&'a str),
    Number(f64),
    Bool(bool),
    /// A real spreadsheet date: its serial and the workbook's date system.
    Date {
        serial: f64,
        is_1904: bool,
    },
    /// A date written as ISO text by the file format itself (ODS).
    IsoDate(&'a str),
    /// An Excel error value such as `#N/A` or `#REF!`.
    Error(&'a str),
}

impl Cell<'_> {
    pub fn is_blank(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(s) => s.trim().is_empty(),
            _ => false,
        }
    }

    /// The value as the user would read it, for rejection messages.
    pub fn display(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) | Cell::IsoDate(s) | Cell::Error(s) => s.to_string(),
            Cell::Number(n) => format_number(*n),
            Cell::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
            Cell::Date { serial, is_1904 } => {
                match crate::calendar::date_from_serial(*serial, *is_1904) {
                    Some(d) => d.format("%d/%m/%Y").to_string(),
                    None => format_number(*serial),
                }
            }
        }
    }

    /// Text content, numbers written as Excel would show them.
    pub fn as_text(&self) -> Option<String> {
        match self {
            Cell::Empty => None,
            Cell::Text(s) => {
                let t = s.trim();
                (!t.is_empty()).then(|| t.to_string())
            }
            other => Some(other.display()),
        }
    }
}

pub fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// The cells of one column: a spreadsheet's typed cells, or a text file's
/// fields as spans of the sheet's [`RawSheet::text`].
#[derive(Debug, Clone)]
pub enum Column {
    Cells(Vec<Data>),
    Text(Vec<Span>),
    /// One value on every row: a constant from config for a column the file
    /// does not have. It never makes a blank row count as data.
    Const(String),
}

/// Where a field sits in a sheet's text: its start and length in bytes,
/// packed in one word (a field never holds a value with a zero length, so
/// the default, zero, is an empty cell). Every field of a CSV file shares one
/// buffer instead of each being a `String` of its own.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Span(u64);

impl Span {
    const LEN_BITS: u32 = 20;

    /// The span of `len` bytes at `start`; `None` past what a span holds
    /// (a field over 1 MiB, or text past 16 TiB: beyond every limit).
    pub fn new(start: usize, len: usize) -> Option<Span> {
        let (start, len) = (u64::try_from(start).ok()?, u64::try_from(len).ok()?);
        (len < 1 << Self::LEN_BITS && start < 1 << (64 - Self::LEN_BITS))
            .then_some(Span(start << Self::LEN_BITS | len))
    }

    fn range(self) -> std::ops::Range<usize> {
        let start = (self.0 >> Self::LEN_BITS) as usize;
        start..start + (self.0 & ((1 << Self::LEN_BITS) - 1)) as usize
    }
}

/// A sheet as read: columns of raw cells, and where its rows sit in Excel.
/// A column may be shorter than the sheet: the cells below its end are empty.
#[derive(Debug, Clone)]
pub struct RawSheet {
    /// `None` for CSV.
    pub sheet: Option<String>,
    pub is_1904: bool,
    /// The Excel row number of row 0 of every column.
    pub first_row: u32,
    /// The Excel row number of each row, when the rows kept are not
    /// consecutive: a sheet whose few cells are spread over a vast area keeps
    /// only the rows that hold a value.
    pub row_numbers: Option<Vec<u32>>,
    pub columns: Vec<Column>,
    pub height: usize,
    /// The fields of [`Column::Text`] columns, one after another.
    pub text: String,
}

impl RawSheet {
    pub fn cell(&self, col: usize, row: usize) -> Cell<'_> {
        match self.columns.get(col) {
            Some(Column::Cells(v)) => match v.get(row) {
                Some(d) => data_cell(d, self.is_1904),
                None => Cell::Empty,
            },
            Some(Column::Text(v)) => match v.get(row) {
                Some(&span) if span != Span::default() => {
                    Cell::Text(self.text.get(span.range()).unwrap_or_default())
                }
                _ => Cell::Empty,
            },
            Some(Column::Const(text)) if row < self.height => Cell::Text(text),
            Some(Column::Const(_)) | None => Cell::Empty,
        }
    }

    /// The Excel row number of raw row `row`.
    pub fn excel_row(&self, row: usize) -> u32 {
        match &self.row_numbers {
            Some(rows) => rows.get(row).copied().unwrap_or(u32::MAX),
            None => self.first_row.saturating_add(row as u32),
        }
    }

    /// The raw row holding Excel row `excel_row`, if the sheet has it.
    pub fn raw_row(&self, excel_row: u32) -> Option<usize> {
        match &self.row_numbers {
            Some(rows) => rows.binary_search(&excel_row).ok(),
            None => {
                let r = excel_row.checked_sub(self.first_row)? as usize;
                (r < self.height).then_some(r)
            }
        }
    }

    /// For each row: whether it holds nothing but blanks, and the first
    /// non-blank cell from the left. Walks the cells that exist, column by
    /// column, so a wide sheet costs its cells, not its width times height.
    pub fn row_shapes(&self) -> Vec<Option<Cell<'_>>> {
        let mut first: Vec<Option<Cell<'_>>> = vec![None; self.height];
        for c in 0..self.width() {
            let len = match &self.columns[c] {
                Column::Cells(v) => v.len(),
                Column::Text(v) => v.len(),
                Column::Const(_) => 0,
            };
            for (r, slot) in first.iter_mut().enumerate().take(len) {
                if slot.is_none() {
                    let cell = self.cell(c, r);
                    if !cell.is_blank() {
                        *slot = Some(cell);
                    }
                }
            }
        }
        first
    }

    pub fn width(&self) -> usize {
        self.columns.len()
    }

    /// Cell (`col`, `row`) as an owned value, to build another sheet from.
    pub fn data_at(&self, col: usize, row: usize) -> Data {
        match self.columns.get(col) {
            Some(Column::Cells(v)) => v.get(row).cloned().unwrap_or(Data::Empty),
            Some(Column::Text(_) | Column::Const(_)) => match self.cell(col, row) {
                Cell::Text(t) => Data::String(t.to_string()),
                _ => Data::Empty,
            },
            None => Data::Empty,
        }
    }

    /// Splits off the rows below `count` header rows from `header` (a raw
    /// row index): each header row's cells as text, and a sheet of the data
    /// rows below them.
    pub fn split_header(mut self, header: usize, count: usize) -> (Vec<Vec<String>>, RawSheet) {
        let names = (header..header + count.max(1))
            .map(|r| {
                (0..self.width())
                    .map(|c| self.cell(c, r).as_text().unwrap_or_default())
                    .collect()
            })
            .collect();
        let skip = header + count.max(1);
        for column in &mut self.columns {
            match column {
                Column::Cells(v) => {
                    v.drain(..skip.min(v.len()));
                }
                Column::Text(v) => {
                    v.drain(..skip.min(v.len()));
                }
                Column::Const(_) => {}
            }
        }
        match &mut self.row_numbers {
            Some(rows) => {
                rows.drain(..skip.min(rows.len()));
                self.first_row = rows.first().copied().unwrap_or(self.first_row);
            }
            None => self.first_row = self.first_row.saturating_add(skip as u32),
        }
        self.height = self.height.saturating_sub(skip);
        (names, self)
    }
}

fn data_cell(d: &Data, is_1904: bool) -> Cell<'_> {
    match d {
        Data::Empty => Cell::Empty,
        Data::String(s) => Cell::Text(s),
        Data::Float(f) => Cell::Number(*f),
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(dt) => Cell::Date {
            serial: dt.as_f64(),
            is_1904,
        },
        Data::DateTimeIso(s) => Cell::IsoDate(s),
        Data::DurationIso(s) => Cell::Text(s),
        Data::Error(e) => Cell::Error(error_text(e)),
    }
}

fn error_text(e: &calamine::CellErrorType) -> &'static str {
    use calamine::CellErrorType::*;
    match e {
        Div0 => "#DIV/0!",
        NA => "#N/A",
        Name => "#NAME?",
        Null => "#NULL!",
        Num => "#NUM!",
        Ref => "#REF!",
        Value => "#VALUE!",
        GettingData => "#GETTING_DATA",
    }
}

/// Collects the cells of one sheet that hold a value, then lays them out as
/// columns. Refuses a sheet over the [`limits`].
pub(super) struct Grid<T> {
    columns: Vec<Vec<(u32, T)>>,
    cells: usize,
    max_rows: u32,
}

/// How a grid's rows are laid out once built.
pub(super) struct Laid<T> {
    pub columns: Vec<Vec<T>>,
    /// Index 0 of every column is this 0-based row.
    pub first_row: u32,
    pub height: usize,
    /// 0-based row of each kept row, when only rows with values are kept.
    pub rows: Option<Vec<u32>>,
}

/// The Excel name of 0-based column `c`: 0 → A, 26 → AA.
pub fn column_letter(c: u32) -> String {
    let mut n = c as u64 + 1;
    let mut out = Vec::new();
    while n > 0 {
        let rem = ((n - 1) % 26) as u8;
        out.push(b'A' + rem);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

impl<T: Default> Grid<T> {
    /// A grid for a spreadsheet (Excel's row limit) or CSV (no row limit).
    pub fn new(spreadsheet: bool) -> Self {
        Grid {
            columns: Vec::new(),
            cells: 0,
            max_rows: if spreadsheet { limits::ROWS } else { u32::MAX },
        }
    }

    /// Adds the value at 0-based (row, col); `chars` is its text length, if
    /// it is text. The error says what limit the cell broke.
    pub fn push(&mut self, row: u32, col: u32, value: T, chars: usize) -> Result<(), String> {
        let at = || format!("row {}, column {}", row as u64 + 1, column_letter(col));
        if col >= limits::COLUMNS {
            return Err(format!(
                "{} holds a value, past the {} columns hubreport reads (Excel's own limit)",
                at(),
                limits::COLUMNS
            ));
        }
        if row >= self.max_rows {
            return Err(format!(
                "{} holds a value, past the {} rows of a spreadsheet (Excel's own limit)",
                at(),
                limits::ROWS
            ));
        }
        if chars > limits::CELL_CHARS {
            return Err(format!(
                "{}: the cell holds {chars} characters, more than the {} a spreadsheet cell can hold",
                at(),
                limits::CELL_CHARS
            ));
        }
        self.cells += 1;
        if self.cells > limits::CELLS {
            return Err(format!(
                "more than {} cells hold a value (at {}): split the file",
                limits::CELLS,
                at()
            ));
        }
        let col = col as usize;
        if col >= self.columns.len() {
            self.columns.resize_with(col + 1, Vec::new);
        }
        self.columns[col].push((row, value));
        Ok(())
    }

    /// Lays the cells out as columns. `rows` fixes the first row and the
    /// height (CSV: every record counts, blank ones too); otherwise they run
    /// from the first to the last row holding a value. When that area is far
    /// larger than the cells in it, only the rows holding a value are kept;
    /// if even that is too sparse the sheet is refused.
    pub fn lay_out(mut self, rows: Option<(u32, usize)>) -> Result<Laid<T>, String> {
        for column in &mut self.columns {
            if !column.is_sorted_by_key(|(r, _)| *r) {
                column.sort_by_key(|(r, _)| *r);
            }
        }
        let rows_used = || self.columns.iter().flatten().map(|(r, _)| *r);
        let (first_row, height) = match rows {
            Some(fixed) => fixed,
            None => match (rows_used().min(), rows_used().max()) {
                (Some(lo), Some(hi)) => (lo, (hi - lo) as usize + 1),
                _ => (0, 0),
            },
        };
        let budget = self.cells.saturating_mul(4).saturating_add(1 << 16);
        let dense_cost: usize = self
            .columns
            .iter()
            .filter_map(|c| c.last())
            .map(|(r, _)| r.saturating_sub(first_row) as usize + 1)
            .sum();
        if dense_cost <= budget {
            let columns = self
                .columns
                .into_iter()
                .map(|c| densify(c, |r| r.checked_sub(first_row).map(|r| r as usize)))
                .collect();
            return Ok(Laid {
                columns,
                first_row,
                height,
                rows: None,
            });
        }
        let mut kept: Vec<u32> = rows_used().collect();
        kept.sort_unstable();
        kept.dedup();
        let sparse_cost: usize = self
            .columns
            .iter()
            .filter_map(|c| c.last())
            .map(|(r, _)| kept.binary_search(r).map_or(0, |i| i + 1))
            .sum();
        if sparse_cost > budget {
            return Err(format!(
                "its {} cells are scattered over {} rows and {} columns: hubreport reads tables of rows and columns",
                self.cells,
                kept.len(),
                self.columns.len()
            ));
        }
        let columns = self
            .columns
            .into_iter()
            .map(|c| densify(c, |r| kept.binary_search(&r).ok()))
            .collect();
        Ok(Laid {
            columns,
            first_row: kept.first().copied().unwrap_or(0),
            height: kept.len(),
            rows: Some(kept),
        })
    }
}

/// One column's cells at the indices `index` gives, blanks between.
fn densify<T: Default>(cells: Vec<(u32, T)>, index: impl Fn(u32) -> Option<usize>) -> Vec<T> {
    let len = cells
        .last()
        .and_then(|(r, _)| index(*r))
        .map_or(0, |i| i + 1);
    let mut out = Vec::with_capacity(len);
    for (r, value) in cells {
        let Some(i) = index(r) else { continue };
        if i < out.len() {
            // The same cell twice: the later one stands, as in calamine.
            out[i] = value;
            continue;
        }
        out.resize_with(i, T::default);
        out.push(value);
    }
    out
}

pub fn quote_list(items: &[&str]) -> String {
    items
        .iter()
        .map(|s| format!("'{s}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters_as_excel_writes_them() {
        for (c, l) in [
            (0, "A"),
            (25, "Z"),
            (26, "AA"),
            (701, "ZZ"),
            (702, "AAA"),
            (16_383, "XFD"),
        ] {
            assert_eq!(column_letter(c), l);
        }
    }

    #[test]
    fn a_sparse_grid_keeps_only_its_rows_with_values() {
        let mut g: Grid<Option<String>> = Grid::new(true);
        g.push(0, 0, Some("h".into()), 1).unwrap();
        g.push(1, 0, Some("v".into()), 1).unwrap();
        g.push(1_048_575, 16_383, Some("x".into()), 1).unwrap();
        let laid = g.lay_out(None).unwrap();
        assert_eq!(laid.rows, Some(vec![0, 1, 1_048_575]));
        assert_eq!(laid.height, 3);
        assert_eq!(laid.columns[16_383], vec![None, None, Some("x".into())]);
        assert!(laid.columns[5].is_empty());
        let mut g: Grid<Option<String>> = Grid::new(true);
        assert!(g.push(1_048_576, 0, None, 0).unwrap_err().contains("rows"));
        assert!(g.push(0, 16_384, None, 0).unwrap_err().contains("columns"));
        assert!(
            g.push(0, 0, None, 40_000)
                .unwrap_err()
                .contains("40000 characters")
        );
    }
}
