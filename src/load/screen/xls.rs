//! xls: each sheet's extent as calamine sets it out, read from the workbook
//! stream of its container.

use std::collections::BTreeMap;

use super::budget::{FIXED_CELLS, STRAY, grouped};
use super::compound::{Container, SIGNATURE, u16_at, u32_at};

/// Cells calamine may build per cell an xls holds, past the fixed
/// allowance. A sheet written out in full makes each cell about three
/// times (as read, in the room DIMENSIONS reserves, in the sheet's
/// rectangle); four leaves room for gaps between values.
const CELLS_PER_CELL_HELD: u64 = 4;

/// Screens an xls: its container as calamine walks it, then the sheets
/// of its workbook stream. Anything that is not an xls passes: calamine
/// says what is wrong with it.
pub(super) fn screen(bytes: &[u8]) -> Result<(), String> {
    if !bytes.starts_with(SIGNATURE) {
        return Ok(());
    }
    let Some(container) = Container::open(bytes)? else {
        return Ok(());
    };
    match container.workbook()? {
        Some(stream) => sheets(&stream),
        None => Ok(()),
    }
}

/// BIFF records, as calamine splits a stream: type and data, ending where
/// a record runs past the stream.
fn records(stream: &[u8]) -> impl Iterator<Item = (u16, &[u8])> {
    let mut rest = stream;
    std::iter::from_fn(move || {
        let kind = u16_at(rest, 0)?;
        let len = u16_at(rest, 2)? as usize;
        let data = rest.get(4..4 + len)?;
        rest = &rest[4 + len..];
        Some((kind, data))
    })
}

const BOF: u16 = 0x0809;
const EOF: u16 = 0x000A;
const BOUND_SHEET: u16 = 0x0085;
const DIMENSIONS: u16 = 0x0200;
const FORMULA: u16 = 0x0006;
/// A formula's string result, in the cell of the formula before it.
const STRING: u16 = 0x0207;
const MUL_RK: u16 = 0x00BD;
/// NUMBER, LABEL, RSTRING, BOOLERR, RK and LABELSST: one cell each, its
/// row and column first.
const CELLS: [u16; 6] = [0x0203, 0x0204, 0x00D6, 0x0205, 0x027E, 0x00FD];
/// BLANK and MULBLANK: formatted empty cells. calamine keeps none of them,
/// but they are what a DIMENSIONS record covers beyond the values.
const BLANK: u16 = 0x0201;
const MUL_BLANK: u16 = 0x00BE;

/// The cells a record stands for: their row, first and last column.
fn cell_span(kind: u16, data: &[u8]) -> Option<(u32, u32, u32)> {
    let (row, col) = (u16_at(data, 0)?, u16_at(data, 2)?);
    let (row, col) = (u32::from(row), u32::from(col));
    match kind {
        MUL_RK | MUL_BLANK => {
            let last = u32::from(u16_at(data, data.len().checked_sub(2)?)?);
            let cells = last.checked_sub(col)? as usize + 1;
            let each = if kind == MUL_RK { 6 } else { 2 };
            (data.len() == 6 + each * cells).then_some((row, col, last))
        }
        FORMULA => (data.len() >= 20).then_some((row, col, col)),
        _ => Some((row, col, col)),
    }
}

/// calamine reads every sheet on opening an xls, each from the offset its
/// BOUNDSHEET record gives, to its EOF, skipping embedded substreams
/// (charts): it reserves the rectangle its DIMENSIONS record claims, then
/// places its value cells, and its formulas, each in the rectangle their
/// extreme positions span. This counts those cells for every sheet, and
/// refuses the file when they exceed the fixed allowance plus
/// [`CELLS_PER_CELL_HELD`] for each cell the stream holds (blank ones
/// included), counted once over the whole stream (so that sheets sharing
/// records do not count them twice).
fn sheets(stream: &[u8]) -> Result<(), String> {
    let mut held = 0u64;
    let mut sheets = Vec::new();
    let mut globals = true;
    for (kind, data) in records(stream) {
        match kind {
            BOUND_SHEET if globals => sheets.extend(u32_at(data, 0)),
            EOF => globals = false,
            _ => {}
        }
        let cell_record =
            CELLS.contains(&kind) || [MUL_RK, FORMULA, BLANK, MUL_BLANK].contains(&kind);
        if cell_record && let Some((_, first, last)) = cell_span(kind, data) {
            // A formula is a value and a formula.
            held += u64::from(last - first + 1) * if kind == FORMULA { 2 } else { 1 };
        }
    }
    let mut scanned = BTreeMap::new();
    let mut built = 0u64;
    for at in sheets {
        let Some(sheet) = stream.get(at as usize..) else {
            break;
        };
        let cells = *scanned.entry(at).or_insert_with(|| sheet_cells(sheet));
        built = built.saturating_add(cells);
    }
    let budget = FIXED_CELLS.saturating_add(CELLS_PER_CELL_HELD.saturating_mul(held));
    if built > budget {
        return Err(format!(
            "its sheets' DIMENSIONS records and far-apart cells would have {} cells set out in \
             memory, but it holds {} ({STRAY})",
            grouped(built),
            grouped(held)
        ));
    }
    Ok(())
}

/// The cells calamine builds for the sheet whose records start `sheet`.
fn sheet_cells(sheet: &[u8]) -> u64 {
    let mut reserved = 0u64;
    let mut cells = 0u64;
    let mut values = Rectangle::default();
    let mut formulas = Rectangle::default();
    let mut formula_at = (0, 0);
    let mut depth = 0usize;
    let mut seen_bof = false;
    for (kind, data) in records(sheet) {
        if depth > 0 {
            match kind {
                BOF => depth += 1,
                EOF => depth -= 1,
                _ => {}
            }
            continue;
        }
        match kind {
            BOF if seen_bof => depth += 1,
            BOF => seen_bof = true,
            EOF => break,
            DIMENSIONS => reserved = reserved.max(dimensions(data)),
            STRING => {
                values.add(formula_at.0, formula_at.1, formula_at.1);
                cells += 1;
            }
            _ if CELLS.contains(&kind) || kind == MUL_RK || kind == FORMULA => {
                let Some((row, first, last)) = cell_span(kind, data) else {
                    continue;
                };
                values.add(row, first, last);
                cells += u64::from(last - first + 1);
                if kind == FORMULA {
                    formula_at = (row, first);
                    formulas.add(row, first, first);
                    cells += 1;
                }
            }
            _ => {}
        }
    }
    reserved
        .saturating_add(cells)
        .saturating_add(values.cells())
        .saturating_add(formulas.cells())
}

/// The cells a DIMENSIONS record has calamine reserve, computed as its
/// `parse_dimensions` and `parse_workbook` do (in 32-bit arithmetic that
/// wraps in a release build).
fn dimensions(data: &[u8]) -> u64 {
    let (first_row, rows_end, mut first_col, cols_end) = match data.len() {
        10 => (
            u32::from(u16_at(data, 0).unwrap_or(0)),
            u32::from(u16_at(data, 2).unwrap_or(0)),
            u32::from(u16_at(data, 4).unwrap_or(0)),
            u32::from(u16_at(data, 6).unwrap_or(0)),
        ),
        14 | 16 => (
            u32_at(data, 0).unwrap_or(0),
            u32_at(data, 4).unwrap_or(0),
            u32::from(u16_at(data, 8).unwrap_or(0)),
            u32::from(u16_at(data, 10).unwrap_or(0)),
        ),
        _ => return 0,
    };
    if first_col > 0xFF || cols_end < first_col {
        first_col = 0;
    }
    let (last_row, last_col) = if rows_end >= 1 && cols_end >= 1 {
        (rows_end - 1, cols_end - 1)
    } else {
        (first_row, first_col)
    };
    let rows = last_row.wrapping_sub(first_row).wrapping_add(1);
    let cols = last_col.wrapping_sub(first_col).wrapping_add(1);
    u64::from(rows).saturating_mul(u64::from(cols))
}

/// The rectangle `Range::from_sparse` spans around a sheet's cells.
#[derive(Default)]
struct Rectangle(Option<(u32, u32, u32, u32)>);

impl Rectangle {
    fn add(&mut self, row: u32, first: u32, last: u32) {
        let (top, bottom, left, right) = self.0.get_or_insert((row, row, first, last));
        *top = (*top).min(row);
        *bottom = (*bottom).max(row);
        *left = (*left).min(first);
        *right = (*right).max(last);
    }

    fn cells(&self) -> u64 {
        self.0.map_or(0, |(top, bottom, left, right)| {
            u64::from(bottom - top + 1) * u64::from(right - left + 1)
        })
    }
}

#[cfg(test)]
mod tests;
