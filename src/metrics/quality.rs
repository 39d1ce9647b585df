//! The tables of the load's ledger: `data_quality`, `rejected` and
//! `unmatched_agencies`.

use crate::model::Quality;
use crate::table::{Table, Values};

fn ints(values: impl Iterator<Item = usize>) -> Values {
    Values::Int(values.map(|v| Some(v as i64)).collect())
}

fn texts<'a>(values: impl Iterator<Item = &'a str>) -> Values {
    Values::Text(values.map(|v| Some(v.to_string())).collect())
}

/// `data_quality.csv`: one row per source file.
pub fn data_quality(q: &Quality) -> Table {
    let s = &q.sources;
    Table::new("data_quality")
        .with("source", texts(s.iter().map(|s| s.source.as_str())))
        .with("file", texts(s.iter().map(|s| s.file.as_str())))
        .with("rows_read", ints(s.iter().map(|s| s.rows_read)))
        .with("rows_loaded", ints(s.iter().map(|s| s.rows_loaded)))
        .with("rows_rejected", ints(s.iter().map(|s| s.rows_rejected)))
        .with("rows_skipped", ints(s.iter().map(|s| s.rows_skipped)))
        .with(
            "duplicates_merged",
            ints(s.iter().map(|s| s.duplicates_merged)),
        )
        .with(
            "unmatched_agencies",
            ints(s.iter().map(|s| s.unmatched_agencies)),
        )
        .with("unmatched_links", ints(s.iter().map(|s| s.unmatched_links)))
        .with(
            "undated_cancellations",
            ints(s.iter().map(|s| s.undated_cancellations)),
        )
}

/// `rejected.csv`: every rejected row with file, sheet, Excel row, column,
/// value and reason.
pub fn rejected(q: &Quality) -> Table {
    let r = &q.rejections;
    Table::new("rejected")
        .with("source", texts(r.iter().map(|r| r.source.as_str())))
        .with("file", texts(r.iter().map(|r| r.file.as_str())))
        .with("sheet", texts(r.iter().map(|r| r.sheet.as_str())))
        .with("row", ints(r.iter().map(|r| r.row as usize)))
        .with("column", texts(r.iter().map(|r| r.column.as_str())))
        .with("value", texts(r.iter().map(|r| r.value.as_str())))
        .with("reason", texts(r.iter().map(|r| r.reason.as_str())))
}

/// `unmatched_agencies.csv`: names that match no register agency, kept as
/// written, with their rows by source and the closest register name.
pub fn unmatched_agencies(q: &Quality) -> Table {
    let u = &q.unmatched_agencies;
    let sources: Vec<String> = u
        .iter()
        .map(|u| {
            u.rows
                .iter()
                .map(|(s, n)| format!("{s} {n}"))
                .collect::<Vec<_>>()
                .join("; ")
        })
        .collect();
    Table::new("unmatched_agencies")
        .with("agency", texts(u.iter().map(|u| u.name.as_str())))
        .with("rows", ints(u.iter().map(|u| u.rows.values().sum())))
        .with("rows_by_source", texts(sources.iter().map(String::as_str)))
        .with(
            "suggestion",
            Values::Text(u.iter().map(|u| u.suggestion.clone()).collect()),
        )
}
