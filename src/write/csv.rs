//! A [`Grid`] as CSV: the lines above the header one cell each, the header,
//! then every row; rows may differ in length.

use super::grid::{Grid, Style};

/// `grid` as CSV in `style`: empty cells for empty values, numbers at full
/// precision ([`crate::table::Value::to_text`]).
pub(crate) fn csv(grid: &impl Grid, style: &Style) -> Vec<u8> {
    let mut w = ::csv::WriterBuilder::new()
        .flexible(true)
        .from_writer(Vec::new());
    for line in grid.preamble() {
        w.write_record([line])
            .expect("writing to memory cannot fail");
    }
    w.write_record(
        grid.header()
            .into_iter()
            .map(|h| style.text(h))
            .map(|h| h.into_owned()),
    )
    .expect("writing to memory cannot fail");
    for r in 0..grid.height() {
        w.write_record((0..grid.width(r)).map(|c| style.csv_text(grid.cell(r, c))))
            .expect("writing to memory cannot fail");
    }
    w.into_inner().expect("writing to memory cannot fail")
}
