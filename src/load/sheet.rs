//! Reading one file into raw sheets: a grid of cells kept column by column,
//! with the row numbers Excel shows, before any column is understood.
//!
//! Spreadsheets are read with calamine; CSV with polars' reader (every column
//! as text), after the bytes are checked for UTF-8 and a byte-order mark.

use std::io::Cursor;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use calamine::{Data, Reader, SheetType, SheetVisible, Sheets, open_workbook_auto_from_rs};

use crate::config::SheetSelector;
use crate::error::{Error, Result};

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
                match super::value::date_from_serial(*serial, *is_1904) {
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

/// The cells of one column.
#[derive(Debug)]
pub enum Column {
    Cells(Vec<Data>),
    Text(Vec<Option<String>>),
}

/// A sheet as read: columns of raw cells, and where its rows sit in Excel.
#[derive(Debug)]
pub struct RawSheet {
    /// `None` for CSV.
    pub sheet: Option<String>,
    pub is_1904: bool,
    /// The Excel row number of row 0 of every column.
    pub first_row: u32,
    pub columns: Vec<Column>,
    pub height: usize,
}

impl RawSheet {
    pub fn cell(&self, col: usize, row: usize) -> Cell<'_> {
        match self.columns.get(col) {
            Some(Column::Cells(v)) => match v.get(row) {
                Some(d) => data_cell(d, self.is_1904),
                None => Cell::Empty,
            },
            Some(Column::Text(v)) => match v.get(row) {
                Some(Some(s)) => Cell::Text(s),
                _ => Cell::Empty,
            },
            None => Cell::Empty,
        }
    }

    /// The Excel row number of raw row `row`.
    pub fn excel_row(&self, row: usize) -> u32 {
        self.first_row + row as u32
    }

    pub fn width(&self) -> usize {
        self.columns.len()
    }

    /// Splits off the rows below `header` (a raw row index): the header cells'
    /// text, and a sheet of the data rows below it.
    pub fn split_header(mut self, header: usize) -> (Vec<String>, RawSheet) {
        let names = (0..self.width())
            .map(|c| self.cell(c, header).as_text().unwrap_or_default())
            .collect();
        let skip = header + 1;
        for column in &mut self.columns {
            match column {
                Column::Cells(v) => {
                    v.drain(..skip.min(v.len()));
                }
                Column::Text(v) => {
                    v.drain(..skip.min(v.len()));
                }
            }
        }
        self.first_row += skip as u32;
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

/// The kinds of file hubreport reads, by extension.
pub const EXTENSIONS: [&str; 6] = ["xlsx", "xlsm", "xls", "xlsb", "ods", "csv"];

pub fn is_supported(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

/// One file read: its selected sheets, and its size and SHA-256 for the
/// run's manifest (taken from the same bytes, so the file is read once).
#[derive(Debug)]
pub struct FileRead {
    pub sheets: Vec<RawSheet>,
    pub size: u64,
    pub sha256: String,
}

/// Reads the selected sheets of one file.
pub fn read_file(path: &Path, selector: Option<&SheetSelector>) -> Result<FileRead> {
    let bytes = std::fs::read(path).map_err(|source| Error::Io {
        context: format!("could not read '{}'", path.display()),
        source,
    })?;
    let (size, sha256) = (bytes.len() as u64, crate::publish::sha256(&bytes));
    let sheets = read_sheets(path, bytes, selector)?;
    Ok(FileRead {
        sheets,
        size,
        sha256,
    })
}

fn read_sheets(
    path: &Path,
    bytes: Vec<u8>,
    selector: Option<&SheetSelector>,
) -> Result<Vec<RawSheet>> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    if ext == "csv" {
        if let Some(sel) = selector {
            let ok = matches!(sel, SheetSelector::Index(1))
                || matches!(sel, SheetSelector::Name(n) if n == "*");
            if !ok {
                return Err(Error::input(
                    path,
                    None,
                    "a CSV file has no sheets; remove `sheet` from this source's config",
                ));
            }
        }
        return read_csv(path, bytes).map(|s| vec![s]);
    }
    // calamine is not fuzzed against every hostile file: a panic inside it
    // becomes an error naming the file rather than a crash.
    match catch_unwind(AssertUnwindSafe(|| read_workbook(path, bytes, selector))) {
        Ok(result) => result,
        Err(_) => Err(Error::input(
            path,
            None,
            "the file is damaged or not a spreadsheet (the reader failed on it)",
        )),
    }
}

fn read_workbook(
    path: &Path,
    bytes: Vec<u8>,
    selector: Option<&SheetSelector>,
) -> Result<Vec<RawSheet>> {
    let mut book = open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| {
        Error::input(
            path,
            None,
            format!("cannot be opened as a spreadsheet (xlsx, xls, xlsb or ods): {e}"),
        )
    })?;
    let is_1904 = match &book {
        Sheets::Xlsx(b) => b.has_1904_epoch(),
        Sheets::Xls(b) => b.has_1904_epoch(),
        Sheets::Xlsb(b) => b.has_1904_epoch(),
        Sheets::Ods(_) => false,
    };
    let sheets: Vec<(String, bool)> = book
        .sheets_metadata()
        .iter()
        .filter(|s| s.typ == SheetType::WorkSheet)
        .map(|s| (s.name.clone(), s.visible == SheetVisible::Visible))
        .collect();
    let names: Vec<&str> = sheets.iter().map(|(n, _)| n.as_str()).collect();
    let found = || {
        if names.is_empty() {
            "it has no worksheets".to_string()
        } else {
            format!("sheets found: {}", quote_list(&names))
        }
    };
    let chosen: Vec<String> = match selector {
        None => match sheets
            .iter()
            .find(|(_, visible)| *visible)
            .or(sheets.first())
        {
            Some((n, _)) => vec![n.clone()],
            None => return Err(Error::input(path, None, found())),
        },
        Some(SheetSelector::Name(n)) if n == "*" => {
            let all: Vec<String> = sheets
                .iter()
                .filter(|(_, v)| *v)
                .map(|(n, _)| n.clone())
                .collect();
            if all.is_empty() {
                return Err(Error::input(path, None, found()));
            }
            all
        }
        Some(SheetSelector::Name(n)) => {
            match names
                .iter()
                .find(|s| s.trim().eq_ignore_ascii_case(n.trim()))
            {
                Some(s) => vec![s.to_string()],
                None => {
                    return Err(Error::input(
                        path,
                        None,
                        format!("no sheet named '{n}'; {}", found()),
                    ));
                }
            }
        }
        Some(SheetSelector::Index(i)) => match names.get(i.saturating_sub(1)) {
            Some(s) => vec![s.to_string()],
            None => {
                return Err(Error::input(
                    path,
                    None,
                    format!("no sheet at position {i}; {}", found()),
                ));
            }
        },
    };
    chosen
        .into_iter()
        .map(|name| {
            let range = book.worksheet_range(&name).map_err(|e| {
                Error::input(path, Some(&name), format!("the sheet cannot be read: {e}"))
            })?;
            Ok(from_range(name, range, is_1904))
        })
        .collect()
}

fn from_range(name: String, range: calamine::Range<Data>, is_1904: bool) -> RawSheet {
    let (height, width) = range.get_size();
    // Columns are matched by header, not by letter: only the row offset matters.
    let start_row = range.start().map_or(0, |(row, _)| row);
    let mut columns: Vec<Vec<Data>> = (0..width).map(|_| Vec::with_capacity(height)).collect();
    for row in range.rows() {
        for (c, cell) in row.iter().enumerate() {
            columns[c].push(cell.clone());
        }
    }
    RawSheet {
        sheet: Some(name),
        is_1904,
        first_row: start_row + 1,
        columns: columns.into_iter().map(Column::Cells).collect(),
        height,
    }
}

fn read_csv(path: &Path, bytes: Vec<u8>) -> Result<RawSheet> {
    let text = decode_text(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut columns: Vec<Vec<Option<String>>> = Vec::new();
    let mut height = 0usize;
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(height as u64 + 1);
                return Err(Error::input(
                    path,
                    None,
                    format!("cannot be read as CSV at line {line}: {e}"),
                ));
            }
        }
        if record.len() > columns.len() {
            columns.resize_with(record.len(), || vec![None; height]);
        }
        for (c, column) in columns.iter_mut().enumerate() {
            let value = record
                .get(c)
                .filter(|v| !v.trim().is_empty())
                .map(str::to_string);
            column.push(value);
        }
        height += 1;
    }
    let columns: Vec<Column> = columns.into_iter().map(Column::Text).collect();
    Ok(RawSheet {
        sheet: None,
        is_1904: false,
        first_row: 1,
        columns,
        height,
    })
}

/// CSV exports arrive as UTF-8 (with or without a byte-order mark) or, from
/// older Excel "CSV" saves, as Windows-1252: both read, neither garbles `£`.
fn decode_text(bytes: Vec<u8>) -> String {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    match std::str::from_utf8(body) {
        Ok(s) => s.to_string(),
        Err(_) => body.iter().map(|&b| windows_1252(b)).collect(),
    }
}

fn windows_1252(b: u8) -> char {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž',
        '\u{8f}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}',
        'ž', 'Ÿ',
    ];
    match b {
        0x80..=0x9f => HIGH[(b - 0x80) as usize],
        _ => b as char,
    }
}

pub fn quote_list(items: &[&str]) -> String {
    items
        .iter()
        .map(|s| format!("'{s}'"))
        .collect::<Vec<_>>()
        .join(", ")
}
