//! What the page builders share: a table's cells by row and column name,
//! and the periods a page compares with.

use crate::mask;
use crate::metrics::Metrics;
use crate::table::{Table, Value};

/// A period the page compares with; `metrics` is `None` when the data does
/// not cover it.
pub struct Comparison<'a> {
    pub label: String,
    pub metrics: Option<&'a Metrics>,
}

/// Reads cells of a table by row and column name.
pub(super) struct Rows<'a>(pub(super) Option<&'a Table>);

impl<'a> Rows<'a> {
    pub(super) fn of(m: &'a Metrics, name: &str) -> Self {
        Rows(m.table(name))
    }
    pub(super) fn len(&self) -> usize {
        self.0.map_or(0, Table::height)
    }
    pub(super) fn num(&self, i: usize, col: &str) -> Option<f64> {
        self.0.and_then(|t| t.get(i, col).as_f64())
    }
    /// A cell as text; text from the inputs [`mask::free_text`].
    pub(super) fn text(&self, i: usize, col: &str) -> String {
        match self.0.map_or(Value::Empty, |t| t.get(i, col)) {
            Value::Text(s) => mask::free_text(s).into_owned(),
            other => other.to_text(),
        }
    }
    /// The first row's value (the `_overall` tables have one row).
    pub(super) fn first(&self, col: &str) -> Option<f64> {
        self.num(0, col)
    }
}
