//! The one CSV and xlsx writer: the report's tables and the sample's exports
//! both go through it, each with its own [`Style`]. It returns bytes; the
//! caller decides where they go.

mod csv;
mod grid;
mod xlsx;

pub(crate) use self::csv::csv;
pub(crate) use self::grid::{Grid, Style, XLSX_MAX_ROWS};
pub(crate) use self::xlsx::xlsx;
#[cfg(test)]
pub(crate) use self::xlsx::{MAX_TEXT, TEXT_CUT};
