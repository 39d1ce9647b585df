//! Every place hubreport builds polars dataframes from Rust values.
//!
//! Polars' Rust API changes between minor versions; keeping its construction
//! here means an upgrade touches this folder alone.

mod build;
mod convert;
mod dataset;
mod files;
mod sql;

/// A query's result as polars holds it, named here so that callers need no
/// polars import.
pub use polars::prelude::DataFrame;

pub use convert::{column_names, from_frame, from_frame_columns, to_frame};
pub use dataset::{Frames, frames};
pub use files::{parquet_bytes, read_csv_only, read_parquet};
pub use sql::SqlSession;
