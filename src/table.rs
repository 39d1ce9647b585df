//! A plain, polars-free table: what the metrics stage hands to the renderers.
//!
//! Query results are converted into this shape once (in [`crate::frame`]),
//! so exporters and templates never touch polars' API.

use chrono::NaiveDate;
use serde::Serialize;

/// The values of one column. Missing values are `None` and write as empty
/// cells.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Values {
    Text(Vec<Option<String>>),
    Int(Vec<Option<i64>>),
    Float(Vec<Option<f64>>),
    Date(Vec<Option<NaiveDate>>),
}

impl Values {
    pub fn len(&self) -> usize {
        match self {
            Values::Text(v) => v.len(),
            Values::Int(v) => v.len(),
            Values::Float(v) => v.len(),
            Values::Date(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The value in row `i`; `Empty` past the last row.
    pub fn get(&self, i: usize) -> Value<'_> {
        match self {
            Values::Text(v) => v
                .get(i)
                .and_then(|x| x.as_deref())
                .map_or(Value::Empty, Value::Text),
            Values::Int(v) => v.get(i).copied().flatten().map_or(Value::Empty, Value::Int),
            Values::Float(v) => v
                .get(i)
                .copied()
                .flatten()
                .filter(|x| x.is_finite())
                .map_or(Value::Empty, Value::Float),
            Values::Date(v) => v
                .get(i)
                .copied()
                .flatten()
                .map_or(Value::Empty, Value::Date),
        }
    }

    /// Every text value with [`crate::mask::free_text`] applied: what may
    /// leave hubreport.
    fn masked(&self) -> Values {
        match self {
            Values::Text(v) => Values::Text(
                v.iter()
                    .map(|x| x.as_deref().map(|s| crate::mask::free_text(s).into_owned()))
                    .collect(),
            ),
            other => other.clone(),
        }
    }

    fn take(&self, rows: &[usize]) -> Values {
        match self {
            Values::Text(v) => Values::Text(rows.iter().map(|&i| v[i].clone()).collect()),
            Values::Int(v) => Values::Int(rows.iter().map(|&i| v[i]).collect()),
            Values::Float(v) => Values::Float(rows.iter().map(|&i| v[i]).collect()),
            Values::Date(v) => Values::Date(rows.iter().map(|&i| v[i]).collect()),
        }
    }
}

/// One cell.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value<'a> {
    Empty,
    Text(&'a str),
    Int(i64),
    Float(f64),
    Date(NaiveDate),
}

impl Value<'_> {
    pub fn as_f64(self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(i as f64),
            Value::Float(f) => Some(f),
            _ => None,
        }
    }

    /// The cell as CSV writes it: integers plainly, floats at full precision
    /// (the shortest text that reads back to the same number), empty as "".
    pub fn to_text(self) -> String {
        match self {
            Value::Empty => String::new(),
            Value::Text(s) => s.to_string(),
            Value::Int(i) => i.to_string(),
            Value::Date(d) => d.format("%Y-%m-%d").to_string(),
            Value::Float(f) => {
                if f == 0.0 {
                    "0".to_string() // no "-0"
                } else if f.abs() < 1e-5 || f.abs() >= 1e16 {
                    format!("{f:e}") // 2.5e-12, not 0.0000000000025
                } else {
                    format!("{f}")
                }
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Column {
    pub name: String,
    pub values: Values,
}

/// A named table: its file stem (`attendance_by_course`) and columns.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Table {
    pub name: String,
    pub columns: Vec<Column>,
}

impl Table {
    pub fn new(name: impl Into<String>) -> Self {
        Table {
            name: name.into(),
            columns: Vec::new(),
        }
    }

    /// Adds a column (builder style).
    pub fn with(mut self, name: impl Into<String>, values: Values) -> Self {
        self.columns.push(Column {
            name: name.into(),
            values,
        });
        self
    }

    pub fn height(&self) -> usize {
        self.columns.first().map_or(0, |c| c.values.len())
    }

    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    pub fn column_names(&self) -> Vec<&str> {
        self.columns.iter().map(|c| c.name.as_str()).collect()
    }

    /// The value at (`row`, `column`), or `Empty` if there is no such column.
    pub fn get(&self, row: usize, column: &str) -> Value<'_> {
        self.column(column)
            .map_or(Value::Empty, |c| c.values.get(row))
    }

    /// The table as it may leave hubreport, in any format: emails and phone
    /// numbers masked and control characters replaced in every text value
    /// (see `mask`).
    pub fn masked(&self) -> Table {
        Table {
            name: self.name.clone(),
            columns: self
                .columns
                .iter()
                .map(|c| Column {
                    name: c.name.clone(),
                    values: c.values.masked(),
                })
                .collect(),
        }
    }

    /// Every row, keeping the columns in `keep` (in that order), renamed.
    pub fn select(&self, name: &str, keep: &[(&str, &str)]) -> Option<Table> {
        let rows: Vec<usize> = (0..self.height()).collect();
        self.take(name, &rows, keep)
    }

    fn take(&self, name: &str, rows: &[usize], keep: &[(&str, &str)]) -> Option<Table> {
        let mut out = Table::new(name);
        for (from, to) in keep {
            let c = self.column(from)?;
            out.columns.push(Column {
                name: (*to).to_string(),
                values: c.values.take(rows),
            });
        }
        Some(out)
    }

    /// The rows whose text column `column` equals `value`, keeping the other
    /// columns in `keep` (in that order), renamed by `rename` where given.
    pub fn select_where(
        &self,
        name: &str,
        column: &str,
        value: &str,
        keep: &[(&str, &str)],
    ) -> Option<Table> {
        let key = self.column(column)?;
        let rows: Vec<usize> = (0..self.height())
            .filter(|&i| key.values.get(i) == Value::Text(value))
            .collect();
        self.take(name, &rows, keep)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_write_at_full_precision_and_non_finite_is_empty() {
        assert_eq!(Value::Float(1.0 / 3.0).to_text(), "0.3333333333333333");
        assert_eq!(Value::Float(0.25).to_text(), "0.25");
        assert_eq!(Value::Float(-0.0).to_text(), "0");
        assert_eq!(Value::Float(3.0).to_text(), "3");
        assert_eq!(Value::Float(0.00001).to_text(), "0.00001");
        assert_eq!(Value::Float(3.8483e-304).to_text(), "3.8483e-304");
        assert_eq!(Value::Float(-2.5e-12).to_text(), "-2.5e-12");
        let v = Values::Float(vec![Some(f64::NAN), None]);
        assert_eq!(v.get(0), Value::Empty);
        assert_eq!(v.get(1), Value::Empty);
        assert_eq!(v.get(2), Value::Empty, "past the end");
    }

    #[test]
    fn masked_tables_hold_no_email_phone_or_control_character() {
        let t = Table::new("unmatched_agencies")
            .with(
                "agency",
                Values::Text(vec![
                    Some("jo.bloggs@example.org".into()),
                    Some("Ring 0161 496 0000".into()),
                    Some("Line\nbreak\t".into()),
                    Some("Northshire NHS Trust".into()),
                    None,
                ]),
            )
            .with(
                "rows",
                Values::Int(vec![Some(1), Some(2), Some(3), Some(4), None]),
            );
        let m = t.masked();
        assert_eq!(m.name, "unmatched_agencies");
        assert_eq!(m.column_names(), ["agency", "rows"]);
        let agencies: Vec<String> = (0..m.height())
            .map(|i| m.get(i, "agency").to_text())
            .collect();
        assert_eq!(
            agencies,
            [
                "[email]",
                "Ring [phone]",
                "Line break ",
                "Northshire NHS Trust",
                ""
            ]
        );
        assert_eq!(m.column("rows"), t.column("rows"));
    }

    #[test]
    fn select_where_filters_and_renames() {
        let t = Table::new("long")
            .with(
                "dimension",
                Values::Text(vec![Some("a".into()), Some("b".into()), Some("a".into())]),
            )
            .with(
                "key",
                Values::Text(vec![Some("x".into()), Some("y".into()), Some("z".into())]),
            )
            .with("n", Values::Int(vec![Some(1), Some(2), None]));
        let a = t
            .select_where("a_only", "dimension", "a", &[("key", "course"), ("n", "n")])
            .unwrap();
        assert_eq!(a.column_names(), ["course", "n"]);
        assert_eq!(a.height(), 2);
        assert_eq!(a.get(1, "course"), Value::Text("z"));
        assert_eq!(a.get(1, "n"), Value::Empty);
        assert!(
            t.select_where("x", "dimension", "a", &[("nope", "n")])
                .is_none()
        );
    }
}
