//! The staged rows each source's parser yields: values parsed and checked,
//! not yet joined to anything, each with the file, sheet and row it came from.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{NaiveDate, NaiveTime};

use crate::model::Status;

/// Where a staged row came from: a location (file and sheet) and its row.
#[derive(Debug, Clone, Copy)]
pub struct Origin {
    pub location: usize,
    pub row: u32,
}

/// Text values are shared: a column's repeated spellings (and a delegate's
/// pseudonym) are one string each, however many rows carry them.
pub struct StagedBooking {
    pub origin: Origin,
    pub session_id: Arc<str>,
    pub delegate: Arc<str>,
    pub agency: Arc<str>,
    pub status: Status,
    pub course: Option<Arc<str>>,
    pub session_date: Option<NaiveDate>,
    pub booked_at: Option<NaiveDate>,
    pub cancelled_at: Option<NaiveDate>,
    pub level: Option<Arc<str>>,
}

pub struct StagedSession {
    pub origin: Origin,
    pub session: crate::model::Session,
    /// The start time, where `session_date` holds one.
    pub start: Option<NaiveTime>,
}

/// One item of a form: (item, pre, post, the scale's (min, max)).
pub type PrePost = (Arc<str>, Option<f64>, Option<f64>, (f64, f64));

pub struct StagedForm {
    pub origin: Origin,
    pub session_id: Arc<str>,
    pub delegate: Arc<str>,
    pub satisfaction: Option<f64>,
    pub relevance: Option<f64>,
    pub comment: Option<String>,
    pub scores: Vec<PrePost>,
}

pub struct StagedResponse {
    pub origin: Origin,
    pub session_id: Arc<str>,
    pub delegate: Arc<str>,
    pub responded_at: Option<NaiveDate>,
    pub applied_learning: Option<bool>,
    pub comment: Option<String>,
    pub scores: Vec<(Arc<str>, f64, (f64, f64))>,
}

pub struct StagedReturn {
    pub origin: Origin,
    pub agency: String,
    pub fy: i32,
    pub level: String,
    pub headcount: i64,
    pub trained: i64,
}

pub struct StagedAgency {
    pub origin: Origin,
    pub agency: String,
    pub aliases: Vec<String>,
    pub sector: Option<String>,
    pub statutory_partner: Option<bool>,
    pub charge_exempt: bool,
}

/// Keeps the first occurrence of each key (a pair of strings borrowed from
/// the row, so nothing is copied to compare); returns how many were dropped
/// per location.
pub fn dedupe_first<T>(
    rows: &mut Vec<T>,
    key: impl Fn(&T) -> (&str, &str),
    origin: impl Fn(&T) -> Origin,
) -> HashMap<usize, usize> {
    let mut dropped: HashMap<usize, usize> = HashMap::new();
    let keep: Vec<bool> = {
        let mut seen =
            crate::fast::FastSet::with_capacity_and_hasher(rows.len(), Default::default());
        rows.iter()
            .map(|row| {
                let first = seen.insert(key(row));
                if !first {
                    *dropped.entry(origin(row).location).or_default() += 1;
                }
                first
            })
            .collect()
    };
    let mut keep = keep.into_iter();
    rows.retain(|_| keep.next().unwrap_or(true));
    dropped
}
