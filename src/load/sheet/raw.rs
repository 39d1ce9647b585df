//! A sheet as read: its columns of raw cells, the text its CSV fields share,
//! and the Excel row numbers of its rows.

use calamine::Data;

use super::cell::{Cell, data_cell};

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
