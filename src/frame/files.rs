//! Tables written to and read from Parquet files, and the CSV read floor.

use polars::prelude::{ParquetCompression, ParquetWriter};

use super::convert::{from_frame, to_frame};
use crate::error::{Error, Result};
use crate::table::Table;

/// A table as an uncompressed Parquet file, the most widely readable form,
/// its text [`Table::masked`].
pub fn parquet_bytes(table: &Table) -> Result<Vec<u8>> {
    let mut df = to_frame(&table.masked())?;
    let mut bytes = Vec::new();
    ParquetWriter::new(&mut bytes)
        .with_compression(ParquetCompression::Uncompressed)
        .finish(&mut df)
        .map_err(|e| Error::Internal(format!("writing {}.parquet: {e}", table.name)))?;
    Ok(bytes)
}

/// Reads a Parquet file back (tests check the exported copies).
pub fn read_parquet(bytes: &[u8], name: &str) -> Result<Table> {
    use polars::prelude::{ParquetReader, SerReader};
    let df = ParquetReader::new(std::io::Cursor::new(bytes)).finish()?;
    from_frame(name, &df)
}

/// Reads a CSV file into a dataframe of text columns and nothing more: the
/// read floor the benchmark compares the pipeline with. `skip` title lines
/// come before the header; a short totals line at the end is allowed.
/// Returns its rows.
pub fn read_csv_only(path: &std::path::Path, skip: usize) -> Result<usize> {
    use polars::prelude::{CsvReadOptions, SerReader};
    let df = CsvReadOptions::default()
        .with_has_header(true)
        .with_skip_rows(skip)
        .with_infer_schema_length(Some(0))
        .map_parse_options(|o| o.with_truncate_ragged_lines(true))
        .try_into_reader_with_file_path(Some(path.to_path_buf()))?
        .finish()?;
    Ok(df.height())
}
