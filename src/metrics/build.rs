//! Declared tables from the queries' results: the rows a table takes, its
//! declared columns in order, then any further column an overriding query
//! returns. Learning gain is worked out here for each group of paired rows.

use std::collections::BTreeMap;

use super::sql::Results;
use super::stats::{self, Pair};
use super::tables::{Declared, GAIN, Rows};
use crate::error::{Error, Result};
use crate::table::{Column, Table, Values};

/// The columns of a paired row that learning gain is worked out from.
const PAIRED: [&str; 4] = ["pre", "post", "scale_min", "scale_max"];

/// The table `d` from its query's result in `r`; `label` names the period
/// (the key of an `_overall` table). `paired` holds the paired rows each
/// learning-gain query returned, read once for all its tables.
pub(super) fn from_query(
    r: &Results,
    d: &Declared,
    label: &str,
    paired: &BTreeMap<&str, Table>,
) -> Result<Table> {
    let query = d
        .query
        .ok_or_else(|| Error::Internal(format!("table '{}' is not read from a query", d.name)))?;
    let measures: Vec<&str> = d.measures.iter().map(|m| m.name).collect();
    match d.rows {
        Rows::All => {
            let t = r.get_all(query, &d.columns())?;
            keep(&t, d, &d.columns(), &[])
        }
        Rows::Breakdown | Rows::Overall => {
            let required = [&["dimension", "key"][..], &measures].concat();
            let long = r.get_all(query, &required)?;
            let (dimension, key) = match d.rows {
                Rows::Breakdown => (d.keys[0], Some(d.keys[0])),
                _ => ("overall", None),
            };
            let rows = Table {
                name: long.name.clone(),
                columns: long
                    .select_where(&long.name, "dimension", dimension, &renamed(&long, key))
                    .ok_or_else(|| missing_column(&long.name))?
                    .columns,
            };
            let declared: Vec<&str> = key.into_iter().chain(measures.iter().copied()).collect();
            let t = keep(&rows, d, &declared, &["dimension", "key"])?;
            Ok(match key {
                Some(_) => t,
                None => with_period(t, label),
            })
        }
        Rows::Gain => {
            let t = paired
                .get(query)
                .ok_or_else(|| Error::Internal(format!("query '{query}' was not read")))?;
            let key = d.keys.first().copied().filter(|k| *k != "period");
            let t = gain_table(d.name, d.keys[0], group_pairs(t, key));
            Ok(match key {
                Some(_) => t,
                None => with_period(t, label),
            })
        }
        Rows::Built => Err(Error::Internal(format!(
            "table '{}' is not read from a query",
            d.name
        ))),
    }
}

/// The paired rows each learning-gain query of `tables` returned: the
/// columns that group them and those gain is worked out from.
pub(super) fn paired_rows<'a>(
    r: &Results,
    tables: impl Iterator<Item = &'a Declared>,
) -> Result<BTreeMap<&'static str, Table>> {
    let mut wanted: BTreeMap<&'static str, Vec<&str>> = BTreeMap::new();
    for d in tables.filter(|d| d.rows == Rows::Gain) {
        let Some(query) = d.query else { continue };
        let columns = wanted.entry(query).or_default();
        for k in d.keys.iter().filter(|k| **k != "period") {
            if !columns.contains(k) {
                columns.push(k);
            }
        }
    }
    wanted
        .into_iter()
        .map(|(query, mut columns)| {
            columns.extend(PAIRED);
            Ok((query, r.get(query, &columns)?))
        })
        .collect()
}

/// Every column of `t` renamed as the table names it: `key` as the
/// breakdown's key.
fn renamed<'t>(t: &'t Table, key: Option<&'t str>) -> Vec<(&'t str, &'t str)> {
    t.columns
        .iter()
        .map(|c| match (c.name.as_str(), key) {
            ("key", Some(k)) => ("key", k),
            (n, _) => (n, n),
        })
        .collect()
}

/// The `declared` columns of `t` in that order, then its other columns
/// (not omitted, not `skip`), in theirs.
fn keep(t: &Table, d: &Declared, declared: &[&str], skip: &[&str]) -> Result<Table> {
    let extra = t.columns.iter().map(|c| c.name.as_str()).filter(|n| {
        !declared.contains(n) && !d.omit.contains(n) && !skip.contains(n) && !d.keys.contains(n)
    });
    let columns: Vec<(&str, &str)> = declared
        .iter()
        .copied()
        .chain(extra)
        .map(|c| (c, c))
        .collect();
    t.select(d.name, &columns)
        .ok_or_else(|| missing_column(&t.name))
}

fn missing_column(table: &str) -> Error {
    Error::Internal(format!("query result '{table}' lost a checked column"))
}

/// Puts a `period` column first (replacing one that is there).
fn with_period(mut t: Table, label: &str) -> Table {
    t.columns.retain(|c| c.name != "period");
    let period = Column {
        name: "period".into(),
        values: Values::Text(vec![Some(label.to_string()); t.height()]),
    };
    t.columns.insert(0, period);
    t
}

/// Paired rows grouped by the text column `key` (one group, `All`, if none).
fn group_pairs(t: &Table, key: Option<&str>) -> BTreeMap<String, Vec<Pair>> {
    let mut groups: BTreeMap<String, Vec<Pair>> = BTreeMap::new();
    for i in 0..t.height() {
        let num = |c: &str| t.get(i, c).as_f64();
        let (Some(pre), Some(post), Some(min), Some(max)) =
            (num("pre"), num("post"), num("scale_min"), num("scale_max"))
        else {
            continue;
        };
        let group = match key {
            Some(k) => t.get(i, k).to_text(),
            None => "All".to_string(),
        };
        groups.entry(group).or_default().push(Pair {
            pre,
            post,
            min,
            max,
        });
    }
    groups
}

/// Learning gain for each group, one row a group, in [`GAIN`]'s order.
fn gain_table(name: &str, key: &str, groups: BTreeMap<String, Vec<Pair>>) -> Table {
    let mut keys = Vec::new();
    let mut cols: Vec<Vec<Option<f64>>> = vec![Vec::new(); GAIN.len() - 1];
    let mut n_paired = Vec::new();
    for (group, pairs) in groups {
        let Some(g) = stats::learning_gain(&pairs) else {
            continue;
        };
        keys.push(Some(group));
        n_paired.push(Some(g.n_paired as i64));
        let t = g.test;
        let row = [
            Some(g.pre_mean),
            Some(g.post_mean),
            Some(g.mean_gain),
            g.hake_gain,
            g.mean_normalised_change,
            Some(g.pct_improved),
            Some(g.pct_unchanged),
            Some(g.pct_worse),
            t.map(|t| t.z),
            t.map(|t| t.p),
            t.map(|t| t.r),
            t.map(|t| t.rank_biserial),
            g.gain_interval.map(|(lo, _)| lo),
            g.gain_interval.map(|(_, hi)| hi),
            g.hake_interval.map(|(lo, _)| lo),
            g.hake_interval.map(|(_, hi)| hi),
        ];
        for (col, v) in cols.iter_mut().zip(row) {
            col.push(v);
        }
    }
    let mut t = Table::new(name)
        .with(key, Values::Text(keys))
        .with(GAIN[0].name, Values::Int(n_paired));
    for (measure, values) in GAIN[1..].iter().zip(cols) {
        t = t.with(measure.name, Values::Float(values));
    }
    t
}
