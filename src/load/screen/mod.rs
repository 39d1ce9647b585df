//! A screen over a workbook before calamine opens it.
//!
//! Opening a workbook, calamine reads more than the sheet asked for, and
//! sizes some of what it builds by what the file claims rather than what it
//! holds: it reserves room for every shared string an xlsx says it has; it
//! reads every sheet of an xls or ods, an ods sheet with its repeated rows
//! and cells written out, an xls sheet as the full rectangle its DIMENSIONS
//! record or its farthest cells span; and it follows an xls container's
//! sector chains until they end, which a looping chain never does. A file of
//! a few kilobytes can so claim gigabytes.
//!
//! The screen reads the same parts the way calamine will (a streaming pass
//! over XML, a walk over the xls container), in memory bounded by the file,
//! works out what calamine would build, and refuses the file (exit 2) when
//! that is out of proportion to what it holds. A legitimate file is far
//! inside every bound, and reaches calamine as it came.

mod budget;
mod compound;
mod ods;
mod part;
mod xls;
mod xlsx;

use std::path::Path;

use crate::error::{Error, Result};

pub use part::Archive;

/// Screens `bytes`, a spreadsheet; `archive` is its zip, when it is one.
/// Errors name the file and say what it claims against what it holds.
pub fn screen(path: &Path, bytes: &[u8], archive: Option<Archive<'_>>) -> Result<()> {
    // The zip, XML and container readers are not the screen's own: a panic
    // inside one means a damaged file, not a bug in hubreport.
    let verdict = crate::log::contained(|| match archive {
        Some(mut archive) => {
            xlsx::shared_strings(&mut archive)?;
            ods::ods_content(&mut archive)
        }
        None => xls::screen(bytes),
    });
    match verdict {
        Ok(Ok(())) => Ok(()),
        Ok(Err(claim)) => Err(Error::input(
            path,
            None,
            format!(
                "{claim}: refused unread, as damaged or hostile; re-save it from its spreadsheet program"
            ),
        )),
        Err(_) => Err(Error::input(
            path,
            None,
            "the file is damaged or not a spreadsheet (the reader failed on it)",
        )),
    }
}

#[cfg(test)]
mod tests;
