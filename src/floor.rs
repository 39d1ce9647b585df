//! `hubreport read-floor DIR` (hidden): read every spreadsheet and CSV file
//! in a folder into memory and nothing else, with calamine's
//! `worksheet_range` and polars' CSV reader, files in parallel on every core
//! (as the loader reads them). The benchmark divides the pipeline's time by
//! this one: everything hubreport does beyond reading should be small beside it.

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
        .filter(|p| crate::load::file::is_supported(p))
        .collect();
    entries.sort();
    // Files on as many threads as there are cores, largest first, as the
    // loader reads them: a workbook is parsed on one thread.
    entries.sort_by_key(|p| std::cmp::Reverse(std::fs::metadata(p).map_or(0, |m| m.len())));
    let counts = crate::parallel::map_in_order(&entries, |path| read_one(path));
    let mut rows = 0;
    for count in counts {
        rows += count?;
    }
    crate::log::out(&format!(
        "read {} files, {rows} rows, in {:.3} s\n",
        entries.len(),
        start.elapsed().as_secs_f64()
    ));
    Ok(())
}

/// Reads one file into memory; returns its rows.
fn read_one(path: &Path) -> Result<usize> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if ext == "csv" {
        return crate::frame::read_csv_only(path, header_line(path));
    }
    let mut book = open_workbook_auto(path).map_err(|e| Error::input(path, None, e.to_string()))?;
    let mut rows = 0;
    for name in book.sheet_names() {
        let range = book
            .worksheet_range(&name)
            .map_err(|e| Error::input(path, Some(&name), e.to_string()))?;
        rows += range.height();
    }
    Ok(rows)
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
