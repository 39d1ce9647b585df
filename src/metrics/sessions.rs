//! The tables of `hubreport sessions`: one row per session due a summary,
//! its items, and its comments, from the queries of
//! [`super::sql::SESSION_BUILT_IN`].

use chrono::NaiveDate;

use super::sql::{Query, Results};
use crate::error::Result;
use crate::frame::{Frames, SqlSession};
use crate::table::{Table, Values};

/// The columns of `session_summaries` that the pages read.
pub const SUMMARY_COLUMNS: [&str; 14] = [
    "session_id",
    "course",
    "session_date",
    "mode",
    "facilitator",
    "places",
    "booked",
    "attended",
    "walk_ins",
    "no_shows",
    "forms",
    "satisfaction_mean",
    "relevance_mean",
    "mean_change",
];

pub const ITEM_COLUMNS: [&str; 6] = [
    "session_id",
    "item",
    "forms",
    "pre_mean",
    "post_mean",
    "change",
];

/// Every due session's summary, items and comments.
#[derive(Debug)]
pub struct SessionTables {
    pub summaries: Table,
    pub items: Table,
    pub comments: Table,
}

/// Runs the session queries for the sessions held on or before `due_by`.
pub fn compute(frames: &Frames, queries: &[Query], due_by: NaiveDate) -> Result<SessionTables> {
    let mut session = SqlSession::new(frames);
    session.register(&Table::new("params").with("due_by", Values::Date(vec![Some(due_by)])))?;
    let r = Results::run(&mut session, queries)?;
    Ok(SessionTables {
        summaries: r.get("session_summaries", &SUMMARY_COLUMNS)?,
        items: r.get("session_items", &ITEM_COLUMNS)?,
        comments: r.get("session_comments", &["session_id", "comment"])?,
    })
}
