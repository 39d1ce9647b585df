//! Collecting a sheet's cells as they are read, and laying them out as
//! columns within the limits.

use super::limits;
use super::names::column_letter;
use crate::error::Result;

/// Collects the cells of one sheet that hold a value, then lays them out as
/// columns. Refuses a sheet over the [`limits`].
pub(crate) struct Grid<T> {
    columns: Vec<Vec<(u32, T)>>,
    cells: usize,
    max_rows: u32,
}

/// How a grid's rows are laid out once built.
pub(crate) struct Laid<T> {
    pub columns: Vec<Vec<T>>,
    /// Index 0 of every column is this 0-based row.
    pub first_row: u32,
    pub height: usize,
    /// 0-based row of each kept row, when only rows with values are kept.
    pub rows: Option<Vec<u32>>,
}

impl<T: Default> Grid<T> {
    /// A grid for a spreadsheet (Excel's row limit) or CSV (no row limit).
    pub fn new(spreadsheet: bool) -> Self {
        Grid {
            columns: Vec::new(),
            cells: 0,
            max_rows: if spreadsheet { limits::ROWS } else { u32::MAX },
        }
    }

    /// Adds the value at 0-based (row, col); `chars` is its text length, if
    /// it is text. The error says what limit the cell broke.
    pub fn push(&mut self, row: u32, col: u32, value: T, chars: usize) -> Result<(), String> {
        let at = || format!("row {}, column {}", row as u64 + 1, column_letter(col));
        if col >= limits::COLUMNS {
            return Err(format!(
                "{} holds a value, past the {} columns hubreport reads (Excel's own limit)",
                at(),
                limits::COLUMNS
            ));
        }
        if row >= self.max_rows {
            return Err(format!(
                "{} holds a value, past the {} rows of a spreadsheet (Excel's own limit)",
                at(),
                limits::ROWS
            ));
        }
        if chars > limits::CELL_CHARS {
            return Err(format!(
                "{}: the cell holds {chars} characters, more than the {} a spreadsheet cell can hold",
                at(),
                limits::CELL_CHARS
            ));
        }
        self.cells += 1;
        if self.cells > limits::CELLS {
            return Err(format!(
                "more than {} cells hold a value (at {}): split the file",
                limits::CELLS,
                at()
            ));
        }
        let col = col as usize;
        if col >= self.columns.len() {
            self.columns.resize_with(col + 1, Vec::new);
        }
        self.columns[col].push((row, value));
        Ok(())
    }

    /// Lays the cells out as columns. `rows` fixes the first row and the
    /// height (CSV: every record counts, blank ones too); otherwise they run
    /// from the first to the last row holding a value. When that area is far
    /// larger than the cells in it, only the rows holding a value are kept;
    /// if even that is too sparse the sheet is refused.
    pub fn lay_out(mut self, rows: Option<(u32, usize)>) -> Result<Laid<T>, String> {
        for column in &mut self.columns {
            if !column.is_sorted_by_key(|(r, _)| *r) {
                column.sort_by_key(|(r, _)| *r);
            }
        }
        let rows_used = || self.columns.iter().flatten().map(|(r, _)| *r);
        let (first_row, height) = match rows {
            Some(fixed) => fixed,
            None => match (rows_used().min(), rows_used().max()) {
                (Some(lo), Some(hi)) => (lo, (hi - lo) as usize + 1),
                _ => (0, 0),
            },
        };
        let budget = self.cells.saturating_mul(4).saturating_add(1 << 16);
        let dense_cost: usize = self
            .columns
            .iter()
            .filter_map(|c| c.last())
            .map(|(r, _)| r.saturating_sub(first_row) as usize + 1)
            .sum();
        if dense_cost <= budget {
            let columns = self
                .columns
                .into_iter()
                .map(|c| densify(c, |r| r.checked_sub(first_row).map(|r| r as usize)))
                .collect();
            return Ok(Laid {
                columns,
                first_row,
                height,
                rows: None,
            });
        }
        let mut kept: Vec<u32> = rows_used().collect();
        kept.sort_unstable();
        kept.dedup();
        let sparse_cost: usize = self
            .columns
            .iter()
            .filter_map(|c| c.last())
            .map(|(r, _)| kept.binary_search(r).map_or(0, |i| i + 1))
            .sum();
        if sparse_cost > budget {
            return Err(format!(
                "its {} cells are scattered over {} rows and {} columns: hubreport reads tables of rows and columns",
                self.cells,
                kept.len(),
                self.columns.len()
            ));
        }
        let columns = self
            .columns
            .into_iter()
            .map(|c| densify(c, |r| kept.binary_search(&r).ok()))
            .collect();
        Ok(Laid {
            columns,
            first_row: kept.first().copied().unwrap_or(0),
            height: kept.len(),
            rows: Some(kept),
        })
    }
}

/// One column's cells at the indices `index` gives, blanks between.
fn densify<T: Default>(cells: Vec<(u32, T)>, index: impl Fn(u32) -> Option<usize>) -> Vec<T> {
    let len = cells
        .last()
        .and_then(|(r, _)| index(*r))
        .map_or(0, |i| i + 1);
    let mut out = Vec::with_capacity(len);
    for (r, value) in cells {
        let Some(i) = index(r) else { continue };
        if i < out.len() {
            // The same cell twice: the later one stands, as in calamine.
            out[i] = value;
            continue;
        }
        out.resize_with(i, T::default);
        out.push(value);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sparse_grid_keeps_only_its_rows_with_values() {
        let mut g: Grid<Option<String>> = Grid::new(true);
        g.push(0, 0, Some("h".into()), 1).unwrap();
        g.push(1, 0, Some("v".into()), 1).unwrap();
        g.push(1_048_575, 16_383, Some("x".into()), 1).unwrap();
        let laid = g.lay_out(None).unwrap();
        assert_eq!(laid.rows, Some(vec![0, 1, 1_048_575]));
        assert_eq!(laid.height, 3);
        assert_eq!(laid.columns[16_383], vec![None, None, Some("x".into())]);
        assert!(laid.columns[5].is_empty());
        let mut g: Grid<Option<String>> = Grid::new(true);
        assert!(g.push(1_048_576, 0, None, 0).unwrap_err().contains("rows"));
        assert!(g.push(0, 16_384, None, 0).unwrap_err().contains("columns"));
        assert!(
            g.push(0, 0, None, 40_000)
                .unwrap_err()
                .contains("40000 characters")
        );
    }
}
