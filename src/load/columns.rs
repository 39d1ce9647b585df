//! Matching a sheet's headers to the canonical columns of its source, and
//! parsing whole columns at a time with every bad value recorded.

mod grid;
mod map;
mod mapped;
mod rows;
mod specs;
#[cfg(test)]
mod tests;
mod titles;

pub use grid::header_matches;
pub use map::map_headers;
pub use mapped::{Mapped, Wide, check_config_columns, describe, recognise};
pub use rows::RowParser;
pub use specs::{Spec, specs};
