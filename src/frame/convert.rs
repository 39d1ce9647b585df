//! A plain [`Table`] to and from a dataframe.

use polars::prelude::{DataFrame, DataType};

use super::build::Cols;
use crate::error::Result;
use crate::table::{Table, Values};

/// A dataframe as a plain table: integers as i64, floats as f64, dates and
/// anything else as text (`true`/`false` for booleans).
pub fn from_frame(name: &str, df: &DataFrame) -> Result<Table> {
    from_frame_columns(name, df, None)
}

/// The names of a dataframe's columns.
pub fn column_names(df: &DataFrame) -> Vec<&str> {
    df.columns().iter().map(|c| c.name().as_str()).collect()
}

/// [`from_frame`] for the columns in `only` (all when `None`), in the
/// dataframe's order: a per-score result is read for its numbers without its
/// identifiers being copied into strings.
pub fn from_frame_columns(name: &str, df: &DataFrame, only: Option<&[&str]>) -> Result<Table> {
    let mut out = Table::new(name);
    for c in df.columns() {
        if only.is_some_and(|only| !only.contains(&c.name().as_str())) {
            continue;
        }
        let s = c.as_materialized_series();
        let values = match s.dtype() {
            DataType::String => {
                Values::Text(s.str()?.iter().map(|v| v.map(str::to_string)).collect())
            }
            DataType::Date => Values::Date(s.date()?.as_date_iter().collect()),
            dt if dt.is_integer() => Values::Int(s.cast(&DataType::Int64)?.i64()?.iter().collect()),
            dt if dt.is_float() => {
                Values::Float(s.cast(&DataType::Float64)?.f64()?.iter().collect())
            }
            DataType::Null => Values::Text(vec![None; s.len()]),
            _ => Values::Text(
                s.cast(&DataType::String)?
                    .str()?
                    .iter()
                    .map(|v| v.map(str::to_string))
                    .collect(),
            ),
        };
        out = out.with(c.name().as_str(), values);
    }
    Ok(out)
}

/// A plain table as a dataframe.
pub fn to_frame(table: &Table) -> Result<DataFrame> {
    let mut cols = Cols::new();
    for c in &table.columns {
        let name = c.name.as_str();
        cols = match &c.values {
            Values::Text(v) => cols.opt_str(name, v.iter().map(|x| x.as_deref())),
            Values::Int(v) => cols.opt_i64(name, v.iter().copied()),
            Values::Float(v) => cols.opt_f64(name, v.iter().copied()),
            Values::Date(v) => cols.opt_date(name, v.iter().copied()),
        };
    }
    cols.build(table.height())
}
