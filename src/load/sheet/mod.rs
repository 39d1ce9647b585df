//! Reading one file into raw sheets: a grid of cells kept column by column,
//! with the row numbers Excel shows, before any column is understood.
//!
//! Spreadsheets are read with calamine ([`super::workbook`]), CSV with the
//! csv crate after its encoding is settled ([`super::text`]). Either way the
//! cells that exist are collected first and the grid is laid out from them,
//! so memory follows the data, never the extent a file claims: a stray cell
//! at XFD1048576 costs one cell, not a sheet of sixteen billion.

mod cell;
mod grid;
pub mod limits;
mod names;
mod raw;

pub use crate::display::{format_number, quote_list};
pub use cell::Cell;
pub(super) use grid::Grid;
pub use names::column_letter;
pub use raw::{Column, RawSheet, Span};
