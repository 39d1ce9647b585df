//! Spreadsheets (xlsx, xlsm, xlsb, xls, ods) into raw sheets, with calamine.
//!
//! A zipped workbook's parts are measured from its directory before calamine
//! unpacks anything, what calamine would build on opening the file is
//! screened against what the file holds (`screen/`), and xlsx and xlsb
//! sheets are streamed cell by cell into a `Grid`: nothing is sized from
//! the extent a file declares.

use std::io::Cursor;
use std::path::Path;

use calamine::{
    Data, DataRef, Reader, SheetType, SheetVisible, Sheets, open_workbook_auto_from_rs,
};

use super::screen::{self, Archive};
use super::sheet::{Column, Grid, RawSheet, limits, quote_list};
use crate::config::SheetSelector;
use crate::error::{Error, Result};

/// Reads the selected sheets of a spreadsheet file.
pub fn read_workbook(
    path: &Path,
    bytes: Vec<u8>,
    selector: Option<&SheetSelector>,
) -> Result<Vec<RawSheet>> {
    let archive = check_unpacked_size(path, &bytes)?;
    screen::screen(path, &bytes, archive)?;
    // calamine is not fuzzed against every hostile file: a panic inside it
    // becomes an error naming the file rather than a crash.
    match crate::log::contained(|| read_sheets(path, bytes, selector)) {
        Ok(result) => result,
        Err(_) => Err(Error::input(
            path,
            None,
            "the file is damaged or not a spreadsheet (the reader failed on it)",
        )),
    }
}

/// Refuses a zipped workbook (xlsx, xlsm, xlsb, ods) that would unpack to
/// more than [`limits::UNPACKED_BYTES`], or any part of which unpacks to more
/// than [`limits::UNPACK_RATIO`] times its packed size: a zip bomb. The
/// sizes are the directory's; the zip reader stops at a part's declared size,
/// so a part cannot unpack to more than it says. An xls (not a zip) has
/// nothing to check here. Returns the opened archive, for the screen.
fn check_unpacked_size<'a>(path: &Path, bytes: &'a [u8]) -> Result<Option<Archive<'a>>> {
    if !bytes.starts_with(b"PK") {
        return Ok(None);
    }
    let Ok(mut archive) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        // calamine says what is wrong with it.
        return Ok(None);
    };
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let Ok(part) = archive.by_index_raw(i) else {
            continue;
        };
        let (packed, unpacked) = (part.compressed_size(), part.size());
        total = total.saturating_add(unpacked);
        if unpacked > limits::RATIO_FROM_BYTES
            && unpacked > packed.saturating_mul(limits::UNPACK_RATIO)
        {
            return Err(Error::input(
                path,
                None,
                format!(
                    "its part '{}' unpacks from {packed} to {unpacked} bytes, over {} times its size: \
                     refused as a likely zip bomb; re-save the file from its spreadsheet program",
                    part.name().unwrap_or_default(),
                    limits::UNPACK_RATIO
                ),
            ));
        }
    }
    if total > limits::UNPACKED_BYTES {
        return Err(Error::input(
            path,
            None,
            format!(
                "it unpacks to {total} bytes, over the {} hubreport reads from one spreadsheet: \
                 split it, or export it as CSV",
                limits::UNPACKED_BYTES
            ),
        ));
    }
    Ok(Some(archive))
}

fn read_sheets(
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
    let chosen = choose_sheets(path, book.sheets_metadata(), selector)?;
    chosen
        .into_iter()
        .map(|name| {
            let sheet_error = |message: String| Error::input(path, Some(&name), message);
            let cannot =
                |e: &dyn std::fmt::Display| sheet_error(format!("the sheet cannot be read: {e}"));
            // xlsx and xlsb stream their cells; the two readers share no
            // trait, so one loop is written for both.
            macro_rules! stream {
                ($reader:expr) => {{
                    let mut cells = $reader.map_err(|e| cannot(&e))?;
                    let mut grid = Grid::new(true);
                    while let Some(cell) = cells.next_cell().map_err(|e| cannot(&e))? {
                        let (row, col) = cell.get_position();
                        push_ref(&mut grid, row, col, cell.get_value()).map_err(&sheet_error)?;
                    }
                    grid
                }};
            }
            let grid = match &mut book {
                Sheets::Xlsx(b) => stream!(b.worksheet_cells_reader(&name)),
                Sheets::Xlsb(b) => stream!(b.worksheet_cells_reader(&name)),
                // xls and ods have no cell stream: calamine built every
                // sheet on opening the file, within what the screen allowed.
                book => {
                    let range = book.worksheet_range(&name).map_err(|e| cannot(&e))?;
                    let mut grid = Grid::new(true);
                    let (row0, col0) = range.start().unwrap_or((0, 0));
                    for (r, c, value) in range.used_cells() {
                        let chars = text_chars(value);
                        grid.push(row0 + r as u32, col0 + c as u32, value.clone(), chars)
                            .map_err(&sheet_error)?;
                    }
                    grid
                }
            };
            let laid = grid.lay_out(None).map_err(&sheet_error)?;
            Ok(RawSheet {
                sheet: Some(name.clone()),
                is_1904,
                first_row: laid.first_row + 1,
                row_numbers: laid.rows.map(|rows| rows.iter().map(|r| r + 1).collect()),
                columns: laid.columns.into_iter().map(Column::Cells).collect(),
                text: String::new(),
                height: laid.height,
            })
        })
        .collect()
}

/// Adds a streamed cell to the grid, owned; empty cells are not kept.
fn push_ref(grid: &mut Grid<Data>, row: u32, col: u32, value: &DataRef<'_>) -> Result<(), String> {
    if matches!(value, DataRef::Empty) {
        return Ok(());
    }
    let chars = match value {
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => char_len(s),
        DataRef::SharedString(s) => char_len(s),
        _ => 0,
    };
    grid.push(row, col, Data::from(value.clone()), chars)
}

fn text_chars(value: &Data) -> usize {
    match value {
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => char_len(s),
        _ => 0,
    }
}

/// Characters in `s`, counted only when its bytes could be over the limit.
fn char_len(s: &str) -> usize {
    if s.len() <= limits::CELL_CHARS {
        s.len()
    } else {
        s.chars().count()
    }
}

/// The sheets to read: the selector's, or the first visible worksheet.
fn choose_sheets(
    path: &Path,
    metadata: &[calamine::Sheet],
    selector: Option<&SheetSelector>,
) -> Result<Vec<String>> {
    let sheets: Vec<(String, bool)> = metadata
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
    Ok(chosen)
}
