//! Reading one file: its bytes once, for the sheets and for the manifest's
//! hash, refusing a file that changes while it is read. Spreadsheets go to
//! [`workbook`], text files to [`text`].

use std::path::Path;
use std::time::SystemTime;

use super::sheet::RawSheet;
use super::{text, workbook};
use crate::config::SheetSelector;
use crate::error::{Error, Result};

/// The kinds of file hubreport reads, by extension.
/// `.txt` and `.tsv` are tab-separated text (Moodle's "text format"
/// download, Excel's "Text (Tab delimited)").
pub const EXTENSIONS: [&str; 8] = ["xlsx", "xlsm", "xls", "xlsb", "ods", "csv", "tsv", "txt"];

pub fn is_supported(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

/// A file's size and modification time, to tell whether it changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    pub size: u64,
    pub modified: Option<SystemTime>,
}

impl Stamp {
    pub fn of(path: &Path) -> Result<Stamp> {
        let meta = std::fs::metadata(path).map_err(|source| Error::Io {
            context: format!("could not read '{}'", path.display()),
            source,
        })?;
        Ok(Stamp {
            size: meta.len(),
            modified: meta.modified().ok(),
        })
    }

    /// An error if the file at `path` is no longer as this stamp saw it.
    pub fn ensure_unchanged(&self, path: &Path) -> Result<()> {
        if Stamp::of(path)? == *self {
            Ok(())
        } else {
            Err(changed_while_read(path))
        }
    }
}

/// The error for a file that changed between two looks at it.
fn changed_while_read(path: &Path) -> Error {
    Error::input(
        path,
        None,
        "the file changed while hubreport was reading it (its size or modification time moved): \
         run again once whatever is writing it has finished",
    )
}

/// One file read: its selected sheets, and its size and SHA-256 for the
/// run's manifest (taken from the same bytes, so the file is read once).
#[derive(Debug)]
pub struct FileRead {
    pub sheets: Vec<RawSheet>,
    pub size: u64,
    pub sha256: String,
    /// The file as it was when read; checked again once the load is done.
    pub stamp: Stamp,
    /// How a text file was decoded, when it was not plain UTF-8.
    pub encoding: Option<&'static str>,
}

/// Reads the selected sheets of one file. A file that changes while it is
/// read is refused rather than reported from a part of it.
pub fn read_file(path: &Path, selector: Option<&SheetSelector>) -> Result<FileRead> {
    let before = Stamp::of(path)?;
    let bytes = std::fs::read(path).map_err(|source| Error::Io {
        context: format!("could not read '{}'", path.display()),
        source,
    })?;
    before.ensure_unchanged(path)?;
    if bytes.len() as u64 != before.size {
        return Err(changed_while_read(path));
    }
    let stamp = before;
    let (size, sha256) = (bytes.len() as u64, crate::digest::sha256(&bytes));
    let (sheets, encoding) = if let Some(delimiter) = text_delimiter(path) {
        check_csv_selector(path, selector)?;
        let (sheet, encoding) = text::read_csv(path, bytes, delimiter)?;
        (vec![sheet], encoding)
    } else {
        (workbook::read_workbook(path, bytes, selector)?, None)
    };
    Ok(FileRead {
        sheets,
        size,
        sha256,
        stamp,
        encoding,
    })
}

/// The field delimiter of a text file, by its extension; `None` for a
/// spreadsheet.
fn text_delimiter(path: &Path) -> Option<u8> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    match ext.as_str() {
        "csv" => Some(b','),
        "tsv" | "txt" => Some(b'\t'),
        _ => None,
    }
}

fn check_csv_selector(path: &Path, selector: Option<&SheetSelector>) -> Result<()> {
    let ok = match selector {
        None | Some(SheetSelector::Index(1)) => true,
        Some(SheetSelector::Name(n)) => n == "*",
        Some(_) => false,
    };
    if ok {
        Ok(())
    } else {
        Err(Error::input(
            path,
            None,
            "a CSV or text file has no sheets; remove `sheet` from this source's config",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_rewritten_after_it_was_read_is_noticed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("attendance.csv");
        std::fs::write(&path, "a,b\n1,2\n").unwrap();
        let stamp = Stamp::of(&path).unwrap();
        stamp.ensure_unchanged(&path).unwrap();
        // Same size, new modification time: a rewrite in place.
        let file = std::fs::File::options().write(true).open(&path).unwrap();
        let later = stamp.modified.unwrap() + std::time::Duration::from_secs(5);
        file.set_modified(later).unwrap();
        let e = stamp.ensure_unchanged(&path).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(e.to_string().contains("changed while"), "{e}");
        // Longer: a rewrite that grew.
        std::fs::write(&path, "a,b\n1,2\n3,4\n").unwrap();
        assert!(stamp.ensure_unchanged(&path).is_err());
    }
}
