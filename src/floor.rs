//! `hubreport read-floor DIR` (hidden): read every spreadsheet and CSV file
//! in a folder into memory and nothing else, with calamine's
//! `worksheet_range` and polars' CSV reader. The benchmark divides the
//! pipeline's time by this one: everything hubreport does beyond reading
//! should be small beside it.

use std::path::Path;
use std::time::Instant;

use calamine::{Reader, open_workbook_auto};

use crate::error::{Error, Result};

pub fn run(dir: &Path) -> Result<()> {
    let start = Instant::now();
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(|source| Error::Io {
            context: format!("could not read folder '{}'", dir.display()),
            source,
        })?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    let (mut files, mut rows) = (0, 0);
    for path in entries {
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        match ext.as_str() {
            "csv" => rows += crate::frame::read_csv_only(&path, header_line(&path))?,
            "xlsx" | "xlsm" | "xls" | "xlsb" | "ods" => {
                let mut book = open_workbook_auto(&path)
                    .map_err(|e| Error::input(&path, None, e.to_string()))?;
                for name in book.sheet_names() {
                    let range = book
                        .worksheet_range(&name)
                        .map_err(|e| Error::input(&path, Some(&name), e.to_string()))?;
                    rows += range.height();
                }
            }
            _ => continue,
        }
        files += 1;
    }
    crate::log::out(&format!(
        "read {files} files, {rows} rows, in {:.3} s\n",
        start.elapsed().as_secs_f64()
    ));
    Ok(())
}

/// The header's line: the first of the widest among the first 30 lines
/// (exports put title lines above it).
fn header_line(path: &Path) -> usize {
    let Ok(mut reader) = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_path(path)
    else {
        return 0;
    };
    let widths: Vec<usize> = reader
        .records()
        .take(30)
        .map_while(|r| r.ok().map(|r| r.len()))
        .collect();
    let widest = widths.iter().copied().max().unwrap_or(0);
    widths.iter().position(|&w| w == widest).unwrap_or(0)
}
