//! What one file may hold. Past any of these the file is refused with an
//! error naming it (exit 2), before it can take memory its data does not need.

/// Rows of a spreadsheet: Excel's own limit.
pub const ROWS: u32 = 1_048_576;
/// Columns holding a value: Excel's own limit.
pub const COLUMNS: u32 = 16_384;
/// Characters in one cell: Excel's own limit.
pub const CELL_CHARS: usize = 32_767;
/// Cells holding a value, in one sheet or CSV file (about 40 times the
/// bookings of a national year).
pub const CELLS: usize = 100_000_000;
/// Bytes a spreadsheet (a zip of XML parts) may unpack to.
pub const UNPACKED_BYTES: u64 = 1 << 30;
/// How much larger than its compressed size a part may unpack to, once
/// it is over [`RATIO_FROM_BYTES`]: the zip-bomb rule of Apache POI.
pub const UNPACK_RATIO: u64 = 100;
pub const RATIO_FROM_BYTES: u64 = 1 << 20;
