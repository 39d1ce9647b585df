//! The clean tables the loader hands on, and the data-quality ledger.
//!
//! Rows here hold no raw identifier: `delegate` is a pseudonym. Identifiers
//! are trimmed and lowercased so that they join as the data contract says.
//! [`crate::frame`] turns these tables into polars dataframes.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use chrono::NaiveDate;
use serde::Serialize;

use crate::duration::Duration;

/// The final status of a booking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    // Declared in the order duplicates are resolved: the first wins.
    Attended,
    WalkIn,
    Dna,
    LateCancellation,
    Cancelled,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Status::Attended,
        Status::WalkIn,
        Status::Dna,
        Status::LateCancellation,
        Status::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Attended => "attended",
            Status::WalkIn => "walk_in",
            Status::Dna => "dna",
            Status::LateCancellation => "late_cancellation",
            Status::Cancelled => "cancelled",
        }
    }

    /// Attended or walked in: counts as trained.
    pub fn is_trained(self) -> bool {
        matches!(self, Status::Attended | Status::WalkIn)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Booking {
    /// Session ids and pseudonyms are shared with the other rows that carry
    /// them, as are agency, course and level names: a few hundred names for
    /// millions of bookings.
    pub session_id: Arc<str>,
    pub delegate: Arc<str>,
    /// This booking's number, shared by the evaluation form and impact
    /// response linked to it: queries join on it, not on two strings.
    pub link: u64,
    pub agency: Arc<str>,
    /// False when the agency name matched nothing in the register.
    pub agency_matched: bool,
    pub status: Status,
    /// False for a cancellation from a file without cancellation dates:
    /// whether it was late is not known.
    pub late_known: bool,
    pub course: Option<Arc<str>>,
    /// From the sessions source where it has the session, else from the row.
    pub session_date: NaiveDate,
    pub booked_at: Option<NaiveDate>,
    pub cancelled_at: Option<NaiveDate>,
    pub level: Option<Arc<str>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    pub session_id: String,
    pub course: String,
    pub session_date: NaiveDate,
    pub places: Option<i64>,
    pub mode: Option<String>,
    pub duration: Option<Duration>,
    pub level: Option<String>,
    pub pathway: Option<String>,
    pub trainer_cost: Option<f64>,
    pub venue_cost: Option<f64>,
    /// Who ran it: one name or several, `;`-separated as written.
    pub facilitator: Option<String>,
}

/// One delegate's evaluation form for one session (reaction items).
#[derive(Debug, Clone, PartialEq)]
pub struct EvaluationForm {
    pub session_id: Arc<str>,
    pub delegate: Arc<str>,
    /// The linked booking's [`Booking::link`].
    pub link: u64,
    pub satisfaction: Option<f64>,
    pub relevance: Option<f64>,
    /// Free text, emails and phone numbers already masked.
    pub comment: Option<String>,
}

/// One item of one form: its pre and post scores, and its scale. A form's
/// items share its session and delegate, and every form shares each item's
/// name: one string each, not one per score.
#[derive(Debug, Clone, PartialEq)]
pub struct EvaluationScore {
    pub session_id: Arc<str>,
    pub delegate: Arc<str>,
    /// The linked booking's [`Booking::link`].
    pub link: u64,
    pub item: Arc<str>,
    pub pre: Option<f64>,
    pub post: Option<f64>,
    pub scale_min: f64,
    pub scale_max: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ImpactResponse {
    pub session_id: Arc<str>,
    pub delegate: Arc<str>,
    /// The linked booking's [`Booking::link`].
    pub link: u64,
    pub responded_at: Option<NaiveDate>,
    pub applied_learning: Option<bool>,
    /// Masked free text; reports show it only where config turns it on.
    pub comment: Option<String>,
}

/// One item of one impact response (strings shared as in [`EvaluationScore`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ImpactScore {
    pub session_id: Arc<str>,
    pub delegate: Arc<str>,
    /// The linked booking's [`Booking::link`].
    pub link: u64,
    pub item: Arc<str>,
    pub score: f64,
    pub scale_min: f64,
    pub scale_max: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AgencyReturn {
    pub agency: String,
    pub agency_matched: bool,
    /// The calendar year the financial year starts in.
    pub fy: i32,
    pub level: String,
    pub headcount: i64,
    pub trained: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Agency {
    pub agency: String,
    pub sector: Option<String>,
    pub statutory_partner: Option<bool>,
    pub charge_exempt: bool,
}

/// Everything loaded: clean tables and what happened on the way.
#[derive(Debug, Default)]
pub struct Dataset {
    pub bookings: Vec<Booking>,
    pub sessions: Vec<Session>,
    pub forms: Vec<EvaluationForm>,
    pub scores: Vec<EvaluationScore>,
    pub responses: Vec<ImpactResponse>,
    pub impact_scores: Vec<ImpactScore>,
    pub returns: Vec<AgencyReturn>,
    pub agencies: Vec<Agency>,
    pub quality: Quality,
}

impl Dataset {
    /// The part of the data a sub-group's pack covers: bookings on its
    /// courses (named, or on its pathways) and, if it names agencies, only
    /// theirs; the sessions those bookings are on; those agencies' returns.
    /// Evaluations and impact answers follow the bookings when linked.
    pub fn subset(&self, group: &crate::config::SubGroup) -> Dataset {
        use crate::fold::header_key;
        let keys = |v: &[String]| v.iter().map(|s| header_key(s)).collect::<Vec<_>>();
        let (pathways, courses, agencies) = (
            keys(&group.pathways),
            keys(&group.courses),
            keys(&group.agencies),
        );
        let any_course = pathways.is_empty() && courses.is_empty();
        let course_sessions: std::collections::HashSet<&str> = self
            .sessions
            .iter()
            .filter(|s| {
                courses.contains(&header_key(&s.course))
                    || s.pathway
                        .as_deref()
                        .is_some_and(|p| pathways.contains(&header_key(p)))
            })
            .map(|s| s.session_id.as_str())
            .collect();
        let agency_ok = |a: &str| agencies.is_empty() || agencies.contains(&header_key(a));
        let bookings: Vec<Booking> = self
            .bookings
            .iter()
            .filter(|b| {
                let course_ok = any_course
                    || course_sessions.contains(&*b.session_id)
                    || b.course
                        .as_deref()
                        .is_some_and(|c| courses.contains(&header_key(c)));
                course_ok && agency_ok(&b.agency)
            })
            .cloned()
            .collect();
        let booked: std::collections::HashSet<&str> =
            bookings.iter().map(|b| &*b.session_id).collect();
        let sessions = self
            .sessions
            .iter()
            .filter(|s| {
                if any_course {
                    booked.contains(s.session_id.as_str())
                } else {
                    course_sessions.contains(s.session_id.as_str())
                        && (agencies.is_empty() || booked.contains(s.session_id.as_str()))
                }
            })
            .cloned()
            .collect();
        Dataset {
            sessions,
            forms: self.forms.clone(),
            scores: self.scores.clone(),
            responses: self.responses.clone(),
            impact_scores: self.impact_scores.clone(),
            returns: self
                .returns
                .iter()
                .filter(|r| agency_ok(&r.agency))
                .cloned()
                .collect(),
            agencies: self
                .agencies
                .iter()
                .filter(|a| agency_ok(&a.agency))
                .cloned()
                .collect(),
            bookings,
            quality: Quality::default(),
        }
    }
}

/// A row that could not be read, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rejection {
    pub source: String,
    pub file: String,
    pub sheet: String,
    /// The row number as Excel shows it.
    pub row: u32,
    pub column: String,
    pub value: String,
    pub reason: String,
}

/// Counts for one file of one source.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SourceQuality {
    pub source: String,
    pub file: String,
    pub rows_read: usize,
    pub rows_loaded: usize,
    pub rows_rejected: usize,
    pub rows_skipped: usize,
    pub duplicates_merged: usize,
    pub unmatched_agencies: usize,
    /// Evaluation or impact rows whose session and delegate match no trained
    /// delegate: loaded but left out of every figure.
    pub unmatched_links: usize,
    /// Cancellations from a file that gives no cancellation dates: late or
    /// not, hubreport cannot tell.
    pub undated_cancellations: usize,
    /// Headers present in the file that hubreport does not use.
    #[serde(skip)]
    pub ignored_columns: Vec<String>,
    /// The preset the file was read with, and whether config named it.
    #[serde(skip)]
    pub preset: Option<(&'static str, bool)>,
    /// What each of the (first sheet's) columns became, for `check`.
    #[serde(skip)]
    pub mapping: Vec<(String, Role)>,
    /// Rejected values listed with their reason, and those past
    /// [`MAX_LISTED_REJECTIONS`], counted only.
    #[serde(skip)]
    pub rejections_listed: usize,
    #[serde(skip)]
    pub rejections_unlisted: usize,
    /// The file's size and SHA-256, for the run's manifest.
    #[serde(skip)]
    pub size: u64,
    #[serde(skip)]
    pub sha256: String,
}

/// Rejected values listed a file, at most: a file whose every row is wrong
/// needs fixing at its source, not a list of a million lines, and listing
/// them all would take memory out of all proportion to the file. Every
/// rejected row is still counted.
pub const MAX_LISTED_REJECTIONS: usize = 100_000;

/// The data-quality ledger.
#[derive(Debug, Default)]
pub struct Quality {
    pub sources: Vec<SourceQuality>,
    pub rejections: Vec<Rejection>,
    pub unmatched_agencies: Vec<Unmatched>,
    /// Plain-language notes: sources absent, no register, key created, ...
    pub notes: Vec<String>,
}

impl Quality {
    pub fn rows_rejected(&self) -> usize {
        self.sources.iter().map(|s| s.rows_rejected).sum()
    }

    /// Totals per source, over its files.
    pub fn by_source(&self) -> BTreeMap<&str, SourceQuality> {
        let mut out: BTreeMap<&str, SourceQuality> = BTreeMap::new();
        for s in &self.sources {
            let t = out.entry(&s.source).or_insert_with(|| SourceQuality {
                source: s.source.clone(),
                file: String::new(),
                ..Default::default()
            });
            t.rows_read += s.rows_read;
            t.rows_loaded += s.rows_loaded;
            t.rows_rejected += s.rows_rejected;
            t.rows_skipped += s.rows_skipped;
            t.duplicates_merged += s.duplicates_merged;
            t.unmatched_agencies += s.unmatched_agencies;
            t.unmatched_links += s.unmatched_links;
            t.undated_cancellations += s.undated_cancellations;
        }
        out
    }
}

/// An agency name that matched no register entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Unmatched {
    /// The first spelling met; every row with the same folded name uses it.
    pub name: String,
    /// Rows carrying it, by source.
    pub rows: BTreeMap<&'static str, usize>,
    /// The closest register name, if any is reasonably close.
    pub suggestion: Option<String>,
}

/// What a file's column became.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Role {
    /// Read as a canonical column.
    Column(&'static str),
    /// Read as an item score (`pre_<item>`, `post_<item>`, `impact_<item>`).
    Item(String),
    /// Its answers name the session (`session_from`).
    SessionAnswer,
    /// One session's column (Moodle Attendance): its cells are statuses.
    Session(chrono::NaiveDateTime),
    /// Config gives a constant for the column: the file's is not read.
    Replaced(&'static str),
    /// The tool's own bookkeeping (its preset says so).
    Metadata,
    /// A person's name: never read.
    Name,
    Unused,
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Role::Column(name) => write!(f, "{name}"),
            Role::Item(item) => write!(f, "{item}"),
            Role::SessionAnswer => f.write_str("session_id (the session the answer names)"),
            Role::Session(when) => write!(
                f,
                "status at the session of {} (one row per person)",
                when.format("%d/%m/%Y %H:%M")
            ),
            Role::Replaced(name) => write!(f, "not read: hub.toml gives {name} as a constant"),
            Role::Metadata => f.write_str("not read: the tool's own column"),
            Role::Name => f.write_str("not read: a person's name"),
            Role::Unused => f.write_str("not used"),
        }
    }
}
