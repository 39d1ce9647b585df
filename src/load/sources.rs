//! Reading each source's rows from a mapped sheet into staged rows: values
//! parsed and checked, identifiers pseudonymised, not yet joined to anything.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{NaiveDate, NaiveTime};

use super::columns::RowParser;
use super::pseudo::Pseudonymiser;
use super::sheet::Cell;
use super::{dates, value};
use crate::config::{Attending, Config, DateOrder, Scale};
use crate::duration::Duration;
use crate::fold::fold;
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

/// Identifiers join trimmed and case-insensitively.
pub fn id_key(s: &str) -> String {
    s.trim().to_lowercase()
}

/// What a status word says of a booking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Word {
    Outcome(Status),
    /// Attended, and a sign that the file's event used check-in.
    CheckedIn,
    /// Eventbrite's booked-but-not-checked-in: its meaning is config's.
    Attending,
    /// Not an outcome yet (booked, wait-listed): the row is skipped.
    NotOutcome,
}

/// The status vocabulary: built-in labels plus config's, folded.
pub struct StatusVocabulary {
    map: HashMap<String, Word>,
    attending: Attending,
}

/// The built-in words, as the booking systems and LMSs write them.
const BUILTIN_WORDS: &[(Word, &[&str])] = &[
    (
        Word::Outcome(Status::Attended),
        &[
            "Attended",
            "Present",
            "Completed",
            "Fully attended",
            "Partially attended",
            "Late",
            "P",
            "L",
            "100",
            "50",
        ],
    ),
    (Word::CheckedIn, &["Checked In"]),
    (
        Word::Outcome(Status::Dna),
        &[
            "DNA",
            "Did not attend",
            "No show",
            "Not checked in",
            "Absent",
            "A",
            "0",
        ],
    ),
    (
        Word::Outcome(Status::LateCancellation),
        &["Late cancellation"],
    ),
    (
        Word::Outcome(Status::Cancelled),
        &[
            "Cancelled",
            "Withdrawn",
            "Refunded",
            "User cancelled",
            "Event cancelled",
            "Session cancelled",
            "Not attending",
            "Excused",
            "E",
        ],
    ),
    (
        Word::Outcome(Status::WalkIn),
        &["Walk-in", "Walk in", "Unbooked"],
    ),
    (Word::Attending, &["Attending"]),
    (
        Word::NotOutcome,
        &[
            "Booked",
            "Wait-listed",
            "Waitlisted",
            "Requested",
            "Approved",
            "Declined",
            "Not set",
            "?",
        ],
    ),
];

/// A status word's key: folded, a grade in brackets after it dropped
/// (`P (2/2)`), a number written as a number (`100.00` is `100`).
fn status_key(text: &str) -> String {
    let mut t = text.trim();
    if let Some(open) = t.rfind('(')
        && t.ends_with(')')
        && !t[..open].trim().is_empty()
    {
        t = t[..open].trim();
    }
    if t.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && let Ok(n) = t.parse::<f64>()
    {
        return super::sheet::format_number(n);
    }
    let folded = fold(t);
    if folded.is_empty() {
        t.to_string()
    } else {
        folded
    }
}

impl StatusVocabulary {
    pub fn new(config: &Config) -> Self {
        let extra = &config.status;
        let added: [(Word, &Vec<String>); 6] = [
            (Word::Outcome(Status::Attended), &extra.attended),
            (Word::Outcome(Status::Dna), &extra.dna),
            (
                Word::Outcome(Status::LateCancellation),
                &extra.late_cancellation,
            ),
            (Word::Outcome(Status::Cancelled), &extra.cancelled),
            (Word::Outcome(Status::WalkIn), &extra.walk_in),
            (Word::NotOutcome, &extra.not_outcome),
        ];
        let mut map = HashMap::new();
        for &(word, labels) in BUILTIN_WORDS {
            for label in labels {
                map.insert(status_key(label), word);
            }
        }
        // The canonical names themselves: "late_cancellation", "walk_in".
        for status in Status::ALL {
            map.insert(status_key(status.as_str()), Word::Outcome(status));
        }
        // Config's words last: a built-in word config names moves.
        for (word, labels) in added {
            for label in labels {
                map.insert(status_key(label), word);
            }
        }
        StatusVocabulary {
            map,
            attending: config.status.attending,
        }
    }

    /// The word a cell holds.
    pub fn parse(&self, cell: Cell<'_>) -> value::Parsed<Word> {
        let text = match cell {
            Cell::Number(n) => super::sheet::format_number(n),
            _ => match value::text(cell)? {
                Some(text) => text,
                None => return Ok(None),
            },
        };
        // An export repeats a handful of spellings; the column parser
        // folds each once (RowParser::column_at).
        self.map
            .get(&status_key(&text))
            .copied()
            .map(Some)
            .ok_or_else(|| {
                "unknown status: expected a word such as Attended, DNA, No show, Late cancellation, \
                 Cancelled or Walk-in, or Booked for a row that is not an outcome yet (the README \
                 lists every word; add others under [status] in hub.toml)"
                    .to_string()
            })
    }

    /// The statuses of one file's words; `None` for a row that is not an
    /// outcome. `Attending` is read as config says, and by default by
    /// whether anyone in the file is checked in; the note says how.
    pub fn resolve(&self, words: &[Option<Word>]) -> (Vec<Option<Status>>, Option<String>) {
        let attending = words.contains(&Some(Word::Attending));
        let checked_in = words.contains(&Some(Word::CheckedIn));
        let (meaning, note) = match self.attending {
            Attending::Auto if checked_in => (
                Some(Status::Dna),
                "'Attending' is read as a no-show: others in the file are checked in",
            ),
            Attending::Auto => (
                Some(Status::Attended),
                "'Attending' is read as attended: no one in the file is checked in",
            ),
            Attending::Attended => (Some(Status::Attended), "'Attending' is read as attended"),
            Attending::Dna => (Some(Status::Dna), "'Attending' is read as a no-show"),
            Attending::NotOutcome => (None, "'Attending' rows are skipped"),
        };
        let statuses = words
            .iter()
            .map(|w| match w {
                Some(Word::Outcome(s)) => Some(*s),
                Some(Word::CheckedIn) => Some(Status::Attended),
                Some(Word::Attending) => meaning,
                Some(Word::NotOutcome) | None => None,
            })
            .collect();
        let note = attending
            .then(|| format!("{note} (set [status] attending in hub.toml to say otherwise)"));
        (statuses, note)
    }
}

pub struct Context<'a> {
    pub config: &'a Config,
    pub pseudo: &'a Pseudonymiser,
    pub statuses: &'a StatusVocabulary,
    pub location: usize,
    pub is_1904: bool,
    /// How this file writes `03/04/2024`.
    pub date_order: DateOrder,
    /// The sessions by course and date, for files without session ids.
    pub sessions: &'a SessionIndex,
}

impl Context<'_> {
    fn origin(&self, p: &RowParser<'_>, r: usize) -> Origin {
        Origin {
            location: self.location,
            row: p.excel_row(r),
        }
    }
    fn date(&self) -> impl Fn(Cell<'_>) -> value::Parsed<NaiveDate> + '_ {
        move |c| dates::date(c, self.date_order, self.is_1904)
    }
    fn pseudonym(&self) -> impl Fn(Cell<'_>) -> value::Parsed<Arc<str>> + '_ {
        move |c| match c {
            Cell::Text(s) => {
                let t = s.trim();
                // Moodle writes emails as links; survey tools write
                // `anonymous` where they have none.
                let t = match t.get(..7) {
                    Some(p) if p.eq_ignore_ascii_case("mailto:") => t[7..].trim(),
                    _ => t,
                };
                if t.is_empty() || t.eq_ignore_ascii_case("anonymous") {
                    Ok(None)
                } else if t.eq_ignore_ascii_case("email is private") {
                    Err(
                        "the export hides this person's email: export the column \"User's Email \
                         (ignoring user display setting)\" instead"
                            .into(),
                    )
                } else {
                    Ok(Some(self.pseudo.pseudonym(t)))
                }
            }
            _ => Ok(value::identifier(c)?.map(|id| self.pseudo.pseudonym(&id))),
        }
    }
}

/// The delegate of each row: `delegate_id`, or where that is anonymous or
/// blank, a work email the respondent typed (`work_email`).
fn delegates(ctx: &Context<'_>, p: &mut RowParser<'_>) -> Vec<Option<Arc<str>>> {
    if !p.mapped.has("work_email") {
        return p.column("delegate_id", true, ctx.pseudonym());
    }
    let mut own = p.column("delegate_id", false, ctx.pseudonym());
    let typed = p.column("work_email", false, ctx.pseudonym());
    for (r, (o, t)) in own.iter_mut().zip(typed).enumerate() {
        if o.is_none() {
            *o = t;
        }
        if o.is_none() && p.keep(r) {
            let header = p.header_of("delegate_id");
            p.reject(
                r,
                &header,
                String::new(),
                "no email: the respondent's is anonymous or blank, and no work email was typed"
                    .into(),
            );
        }
    }
    own
}

/// What an answer naming a session says: its date (the year if given)
/// and the time of day if it says one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionAnswer {
    pub month: u32,
    pub day: u32,
    pub year: Option<i32>,
    pub time: TimeHint,
}

/// A time of day an answer or a date cell gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeHint {
    None,
    At(NaiveTime),
    Morning,
    Afternoon,
    Evening,
}

impl TimeHint {
    fn fits(self, start: Option<NaiveTime>) -> bool {
        let Some(start) = start else { return false };
        let noon = NaiveTime::from_hms_opt(12, 0, 0).unwrap_or_default();
        let five = NaiveTime::from_hms_opt(17, 0, 0).unwrap_or_default();
        match self {
            TimeHint::None => false,
            TimeHint::At(t) => t == start,
            TimeHint::Morning => start < noon,
            TimeHint::Afternoon => start >= noon && start < five,
            TimeHint::Evening => start >= five,
        }
    }
}

/// Reads the date and time of day out of an answer such as `Tuesday 5 March
/// 2024 - Oldham Civic Centre` or `17 September 2024 (afternoon, Teams)`.
pub fn session_answer(
    c: Cell<'_>,
    order: DateOrder,
    is_1904: bool,
) -> value::Parsed<SessionAnswer> {
    use chrono::Datelike;
    const EXPECTED: &str =
        "expected an answer naming the session's date, such as 'Tuesday 5 March 2024 (morning)'";
    if let Cell::Date { .. } | Cell::Number(_) = c {
        return Ok(
            dates::date_time(c, order, is_1904)?.map(|(d, t)| SessionAnswer {
                month: d.month(),
                day: d.day(),
                year: Some(d.year()),
                time: t.map_or(TimeHint::None, TimeHint::At),
            }),
        );
    }
    let Some(text) = value::text(c)? else {
        return Ok(None);
    };
    // A multi-select question joins its choices with `;` or new lines
    // (Moodle Feedback's download turns each new line into three spaces):
    // two sessions ticked name neither.
    let choices = text
        .replace("   ", "\n")
        .split([';', '\n'])
        .filter(|p| !p.trim().is_empty())
        .count();
    if choices > 1 {
        return Err(format!(
            "the answer names {choices} choices (joined by ';' or on separate lines): one session is expected"
        ));
    }
    let words: Vec<&str> = text
        .split(|ch: char| ch.is_whitespace() || matches!(ch, ',' | '(' | ')' | ';' | '|'))
        .filter(|w| !w.is_empty() && *w != "-" && *w != "–")
        .collect();
    let lower: Vec<String> = words.iter().map(|w| w.to_lowercase()).collect();
    let mut time = TimeHint::None;
    for (i, w) in lower.iter().enumerate() {
        let meridiem = words.get(i + 1).copied().filter(|m| {
            matches!(
                m.to_ascii_lowercase().as_str(),
                "am" | "pm" | "a.m." | "p.m."
            )
        });
        if let Some(t) = dates::clock(w, meridiem) {
            time = TimeHint::At(t);
            break;
        }
        time = match w.as_str() {
            "morning" | "am" => TimeHint::Morning,
            "afternoon" | "pm" => TimeHint::Afternoon,
            "evening" => TimeHint::Evening,
            _ => continue,
        };
    }
    // The longest run of words that reads as a date, with a year or not.
    for len in (1..=4).rev() {
        for start in 0..words.len().saturating_sub(len - 1) {
            let run = words[start..start + len].join(" ");
            if let Some(d) = dates::parse_date_text(&run, order) {
                return Ok(Some(SessionAnswer {
                    month: d.month(),
                    day: d.day(),
                    year: Some(d.year()),
                    time,
                }));
            }
            // No year: "Tuesday 5 March".
            if let Some(d) = dates::parse_date_text(&format!("{run} 2000"), order)
                && run.chars().any(|ch| ch.is_ascii_alphabetic())
            {
                return Ok(Some(SessionAnswer {
                    month: d.month(),
                    day: d.day(),
                    year: None,
                    time,
                }));
            }
        }
    }
    Err(EXPECTED.into())
}

/// The sessions of the sessions source by course, month and day, to find
/// the session that an answer or a booking without a session id names.
#[derive(Default)]
pub struct SessionIndex {
    present: bool,
    by_day: HashMap<(u32, u32), Vec<DaySession>>,
}

/// A session as the index holds it: folded course, date, start, id.
type DaySession = (String, NaiveDate, Option<NaiveTime>, Arc<str>);

impl SessionIndex {
    pub fn new(sessions: &[StagedSession]) -> Self {
        let mut by_day: HashMap<(u32, u32), Vec<_>> = HashMap::new();
        for s in sessions {
            use chrono::Datelike;
            let d = s.session.session_date;
            by_day.entry((d.month(), d.day())).or_default().push((
                fold(&s.session.course),
                d,
                s.start,
                Arc::from(s.session.session_id.as_str()),
            ));
        }
        SessionIndex {
            present: !sessions.is_empty(),
            by_day,
        }
    }

    /// The one session of `course` (any course if unknown) on the answer's
    /// date, told apart by time of day where several share it.
    pub fn find(&self, course: Option<&str>, a: SessionAnswer) -> Result<Arc<str>, String> {
        let course = course.map(fold);
        let on_day: Vec<&DaySession> = self
            .by_day
            .get(&(a.month, a.day))
            .into_iter()
            .flatten()
            .filter(|(c, d, _, _)| {
                course.as_ref().is_none_or(|course| c == course)
                    && a.year.is_none_or(|y| chrono::Datelike::year(d) == y)
            })
            .collect();
        let when = match a.year {
            Some(y) => format!("{:02}/{:02}/{y}", a.day, a.month),
            None => format!("{:02}/{:02}", a.day, a.month),
        };
        let of = course.map(|_| " of the course").unwrap_or_default();
        match on_day.as_slice() {
            [] => Err(format!("no session{of} in the sessions source on {when}")),
            [(_, _, _, id)] => Ok(id.clone()),
            many => {
                let fitting: Vec<_> = many.iter().filter(|(_, _, t, _)| a.time.fits(*t)).collect();
                match fitting.as_slice() {
                    [(_, _, _, id)] => Ok(id.clone()),
                    _ => {
                        let mut ids: Vec<&str> = many.iter().map(|(_, _, _, id)| &**id).collect();
                        ids.sort_unstable();
                        ids.dedup();
                        Err(format!(
                            "{} sessions{of} on {when} ({}); the answer does not say which by time of day",
                            many.len(),
                            ids.join(", ")
                        ))
                    }
                }
            }
        }
    }
}

/// The session id of each row: the file's `session_id`; else the session
/// an answer names (`session_from`); else the one its course and session
/// date name in the sessions source, or, without a sessions source, an id
/// made of them (`course yyyy-mm-dd`).
fn session_ids(ctx: &Context<'_>, p: &mut RowParser<'_>) -> Vec<Option<Arc<str>>> {
    if p.mapped.has("session_id") {
        return p.column("session_id", true, session_key);
    }
    let course_col = p.mapped.cols.get("course").copied();
    let course_at = |p: &RowParser<'_>, r: usize| {
        course_col.and_then(|c| value::text(p.mapped.data.cell(c, r)).ok().flatten())
    };
    if let Some(c) = p.mapped.session_answer {
        let answers = p.column_at(c, true, |cell| {
            session_answer(cell, ctx.date_order, ctx.is_1904)
        });
        let header = p.mapped.headers[c].clone();
        let mut out = Vec::with_capacity(answers.len());
        for (r, a) in answers.into_iter().enumerate() {
            let found = match a {
                Some(a) if p.keep(r) => match ctx.sessions.find(course_at(p, r).as_deref(), a) {
                    Ok(id) => Some(id),
                    Err(reason) => {
                        let shown = p.mapped.data.cell(c, r).display();
                        p.reject(r, &header, shown, reason);
                        None
                    }
                },
                _ => None,
            };
            out.push(found);
        }
        return out;
    }
    let Some(date_col) = p.mapped.cols.get("session_date").copied() else {
        return p.column("session_id", true, session_key);
    };
    let mut out = Vec::with_capacity(p.height());
    for r in 0..p.height() {
        if !p.keep(r) {
            out.push(None);
            continue;
        }
        let cell = p.mapped.data.cell(date_col, r);
        // A date that does not read is rejected where session_date is read.
        let when = dates::date_time(cell, ctx.date_order, ctx.is_1904);
        let (course, when) = match (course_at(p, r), when) {
            (Some(course), Ok(Some(when))) => (course, when),
            (_, Err(_)) => {
                out.push(None);
                continue;
            }
            _ => {
                p.reject(
                    r,
                    "session_id",
                    String::new(),
                    "a required value is missing: the file has no session id, so the row's course and session date must name the session".into(),
                );
                out.push(None);
                continue;
            }
        };
        let (date, time) = when;
        let id = if ctx.sessions.present {
            use chrono::Datelike;
            let answer = SessionAnswer {
                month: date.month(),
                day: date.day(),
                year: Some(date.year()),
                time: time.map_or(TimeHint::None, TimeHint::At),
            };
            match ctx.sessions.find(Some(&course), answer) {
                Ok(id) => Some(id),
                Err(reason) => {
                    let header = p.mapped.header_at(date_col, r).to_string();
                    p.reject(r, &header, cell.display(), reason);
                    None
                }
            }
        } else {
            let mut id = format!("{course} {}", date.format("%Y-%m-%d"));
            if let Some(t) = time {
                id.push_str(&t.format(" %H:%M").to_string());
            }
            Some(id_key(&id).into())
        };
        out.push(id);
    }
    out
}

fn session_key(c: Cell<'_>) -> value::Parsed<Arc<str>> {
    Ok(value::identifier(c)?.map(|s| id_key(&s).into()))
}

/// An agency: one name. A cell listing several on separate lines (Totara's
/// `User's Organisation Name(s)` for someone in two) cannot say which the
/// booking is for.
fn one_agency(c: Cell<'_>) -> value::Parsed<Arc<str>> {
    let Some(text) = value::text(c)? else {
        return Ok(None);
    };
    let mut names: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    names.dedup();
    match names.as_slice() {
        [one] => Ok(Some(Arc::from(*one))),
        _ => Err(format!(
            "the cell lists {} organisations on separate lines: hubreport cannot tell which the booking is for; \
             export one organisation per person",
            names.len()
        )),
    }
}

/// Text, shared (see [`StagedBooking`]).
fn shared_text(c: Cell<'_>) -> value::Parsed<Arc<str>> {
    Ok(value::text(c)?.map(Arc::from))
}

pub fn bookings(ctx: &Context<'_>, p: &mut RowParser<'_>) -> Vec<StagedBooking> {
    // Rows that are not an outcome yet are skipped before anything else
    // is asked of them: a wait-listed row for a session not yet in the
    // sessions source is not an error.
    let words = p.column("status", true, |c| ctx.statuses.parse(c));
    let (status, note) = ctx.statuses.resolve(&words);
    let mut not_outcome = 0;
    for (r, w) in words.iter().enumerate() {
        let skip = *w == Some(Word::NotOutcome) || (w.is_some() && status[r].is_none());
        if skip && p.keep(r) {
            p.skipped[r] = true;
            not_outcome += 1;
        }
    }
    if let Some(note) = note {
        p.notes.push(note);
    }
    if not_outcome > 0 {
        p.notes.push(format!(
            "{not_outcome} row(s) have a status that is not an outcome yet (booked, wait-listed, not yet taken): skipped"
        ));
    }
    let session_id = session_ids(ctx, p);
    let delegate = p.column("delegate_id", true, ctx.pseudonym());
    let agency = p.column("agency", true, one_agency);
    let course = p.column("course", false, shared_text);
    let session_date = p.column("session_date", false, ctx.date());
    let booked_at = p.column("booked_at", false, ctx.date());
    let cancelled_at = p.column("cancelled_at", false, ctx.date());
    let level = p.column("level", false, shared_text);
    let mut out = Vec::with_capacity(p.height());
    let rows = session_id.into_iter().zip(delegate).zip(agency).zip(status);
    let rest = course
        .into_iter()
        .zip(session_date)
        .zip(booked_at)
        .zip(cancelled_at)
        .zip(level);
    for (r, ((((s, d), a), st), ((((co, sd), ba), ca), lv))) in rows.zip(rest).enumerate() {
        if !p.keep(r) {
            continue;
        }
        let (Some(session_id), Some(delegate), Some(agency), Some(status)) = (s, d, a, st) else {
            continue;
        };
        out.push(StagedBooking {
            origin: ctx.origin(p, r),
            session_id,
            delegate,
            agency,
            status,
            course: co,
            session_date: sd,
            booked_at: ba,
            cancelled_at: ca,
            level: lv,
        });
    }
    out
}

pub fn sessions(ctx: &Context<'_>, p: &mut RowParser<'_>) -> Vec<StagedSession> {
    let session_id = p.column("session_id", true, session_key);
    let course = p.column("course", true, value::text);
    let session_date = p.column("session_date", true, |c| {
        dates::date_time(c, ctx.date_order, ctx.is_1904)
    });
    let places = p.column("places", false, value::count);
    let mode = p.column("mode", false, value::text);
    let duration = p.column("duration", false, value::duration);
    let level = p.column("level", false, value::text);
    let pathway = p.column("pathway", false, value::text);
    let trainer_cost = p.column("trainer_cost", false, value::money);
    let venue_cost = p.column("venue_cost", false, value::money);
    let mut facilitator = p.column("facilitator", false, value::text).into_iter();
    let mut out = Vec::new();
    let a = session_id
        .into_iter()
        .zip(course)
        .zip(session_date)
        .zip(places)
        .zip(mode);
    let b = duration
        .into_iter()
        .zip(level)
        .zip(pathway)
        .zip(trainer_cost)
        .zip(venue_cost);
    for (r, ((((s, c), sd), pl), m), ((((du, lv), pw), tc), vc)) in
        a.zip(b).enumerate().map(|(r, (a, b))| (r, a, b))
    {
        let facilitator = facilitator.next().flatten();
        if !p.keep(r) {
            continue;
        }
        let (Some(session_id), Some(course), Some((session_date, start))) = (s, c, sd) else {
            continue;
        };
        out.push(StagedSession {
            origin: ctx.origin(p, r),
            start,
            session: crate::model::Session {
                session_id: session_id.to_string(),
                course,
                session_date,
                places: pl,
                mode: m.map(|m| tidy_label(&m)),
                duration: du,
                level: lv,
                pathway: pw,
                trainer_cost: tc,
                venue_cost: vc,
                facilitator,
            },
        });
    }
    out
}

/// `e-learning`, `E Learning` and `ELearning` read the same; the first
/// letter is capitalised for display.
fn tidy_label(s: &str) -> String {
    let t = s.trim();
    let mut chars = t.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().collect::<String>() + chars.as_str(),
        None => String::new(),
    }
}

fn scale_bounds(s: &Scale) -> (f64, f64) {
    (s.min as f64, s.max as f64)
}

pub fn forms(ctx: &Context<'_>, p: &mut RowParser<'_>) -> Vec<StagedForm> {
    let session_id = session_ids(ctx, p);
    let delegate = delegates(ctx, p);
    let reaction_scale = ctx.config.scale_for("satisfaction").1.clone();
    let satisfaction = p.column("satisfaction", false, |c| value::likert(c, &reaction_scale));
    let relevance_scale = ctx.config.scale_for("relevance").1.clone();
    let relevance = p.column("relevance", false, |c| value::likert(c, &relevance_scale));
    let comment = p.column("comment", false, |c| {
        Ok(value::text(c)?.map(|t| mask_personal(&t)))
    });
    let long = p.mapped.has("item") && p.mapped.has("score");

    // Wide: pre_<item> / post_<item> columns.
    let mut items: Vec<(Arc<str>, Option<usize>, Option<usize>)> = Vec::new();
    if !long {
        for &c in &p.mapped.unmatched.clone() {
            for (prefix, is_pre) in [("pre", true), ("post", false)] {
                if let Some(item) = p.mapped.item(c, prefix) {
                    let slot = match items.iter().position(|(i, _, _)| **i == *item) {
                        Some(i) => i,
                        None => {
                            items.push((item.into(), None, None));
                            items.len() - 1
                        }
                    };
                    if is_pre {
                        items[slot].1.get_or_insert(c);
                    } else {
                        items[slot].2.get_or_insert(c);
                    }
                }
            }
        }
    }
    let mut item_scores = Vec::new();
    for (item, pre, post) in &items {
        let scale = ctx.config.scale_for(item).1.clone();
        let parse = |col: Option<usize>, p: &mut RowParser<'_>| match col {
            Some(c) => p.column_at(c, false, |cell| value::likert(cell, &scale)),
            None => vec![None; p.height()],
        };
        let pre_scores = parse(*pre, p);
        let post_scores = parse(*post, p);
        item_scores.push((item.clone(), scale_bounds(&scale), pre_scores, post_scores));
    }
    // Long: one row a score.
    let (long_item, long_phase, long_score) = if long {
        let item = p.column("item", true, |c| {
            Ok(value::text(c)?.map(|t| Arc::<str>::from(fold(&t).replace(' ', "_"))))
        });
        let phase = p.column("phase", true, |c| match value::text(c)? {
            None => Ok(None),
            Some(t) => match fold(&t).as_str() {
                "pre" | "before" | "start" => Ok(Some(true)),
                "post" | "after" | "end" => Ok(Some(false)),
                _ => Err("expected phase 'pre' or 'post'".to_string()),
            },
        });
        let score_col = p.mapped.cols["score"];
        let mut scores = Vec::with_capacity(p.height());
        for r in 0..p.height() {
            let Some(item) = item[r].as_deref() else {
                scores.push(None);
                continue;
            };
            if !p.keep(r) {
                scores.push(None);
                continue;
            }
            let scale = ctx.config.scale_for(item).1;
            let cell = p.mapped.data.cell(score_col, r);
            match value::likert(cell, scale) {
                Ok(v) => scores.push(v.map(|v| (v, scale_bounds(scale)))),
                Err(reason) => {
                    let header = p.mapped.headers[score_col].clone();
                    p.reject(r, &header, cell.display(), reason);
                    scores.push(None);
                }
            }
        }
        (item, phase, scores)
    } else {
        (Vec::new(), Vec::new(), Vec::new())
    };

    let mut out: Vec<StagedForm> = Vec::with_capacity(if long { 0 } else { p.height() });
    let mut index: HashMap<(Arc<str>, Arc<str>), usize> = HashMap::new();
    for r in 0..p.height() {
        if !p.keep(r) {
            continue;
        }
        let (Some(s), Some(d)) = (session_id[r].clone(), delegate[r].clone()) else {
            continue;
        };
        if long {
            let (Some(item), Some(is_pre)) = (long_item[r].clone(), long_phase[r]) else {
                continue;
            };
            let slot = *index.entry((s.clone(), d.clone())).or_insert_with(|| {
                out.push(StagedForm {
                    origin: ctx.origin(p, r),
                    session_id: s,
                    delegate: d,
                    satisfaction: None,
                    relevance: None,
                    comment: None,
                    scores: Vec::new(),
                });
                out.len() - 1
            });
            let form = &mut out[slot];
            form.satisfaction = form.satisfaction.or(satisfaction[r]);
            form.relevance = form.relevance.or(relevance[r]);
            if form.comment.is_none() {
                form.comment = comment[r].clone();
            }
            if let Some((score, bounds)) = long_score[r] {
                let entry = match form.scores.iter().position(|(i, ..)| **i == *item) {
                    Some(i) => &mut form.scores[i],
                    None => {
                        form.scores.push((item, None, None, bounds));
                        form.scores.last_mut().expect("just pushed")
                    }
                };
                let target = if is_pre { &mut entry.1 } else { &mut entry.2 };
                target.get_or_insert(score);
            }
        } else {
            let scores = item_scores
                .iter()
                .filter(|&(_item, _bounds, pre, post)| pre[r].is_some() || post[r].is_some())
                .map(|(item, bounds, pre, post)| (item.clone(), pre[r], post[r], *bounds))
                .collect();
            out.push(StagedForm {
                origin: ctx.origin(p, r),
                session_id: s,
                delegate: d,
                satisfaction: satisfaction[r],
                relevance: relevance[r],
                comment: comment[r].clone(),
                scores,
            });
        }
    }
    out
}

pub fn responses(ctx: &Context<'_>, p: &mut RowParser<'_>) -> Vec<StagedResponse> {
    let session_id = session_ids(ctx, p);
    let delegate = delegates(ctx, p);
    let responded_at = p.column("responded_at", false, ctx.date());
    let applied = p.column("applied_learning", false, value::yes_no);
    let comment = p.column("comment", false, |c| {
        Ok(value::text(c)?.map(|t| mask_personal(&t)))
    });
    let mut items = Vec::new();
    for &c in &p.mapped.unmatched.clone() {
        if let Some(item) = p.mapped.item(c, "impact") {
            let scale = ctx.config.scale_for(&item).1.clone();
            let scores = p.column_at(c, false, |cell| value::likert(cell, &scale));
            items.push((Arc::<str>::from(item), scale_bounds(&scale), scores));
        }
    }
    let mut out = Vec::with_capacity(p.height());
    for r in 0..p.height() {
        if !p.keep(r) {
            continue;
        }
        let (Some(s), Some(d)) = (session_id[r].clone(), delegate[r].clone()) else {
            continue;
        };
        out.push(StagedResponse {
            origin: ctx.origin(p, r),
            session_id: s,
            delegate: d,
            responded_at: responded_at[r],
            applied_learning: applied[r],
            comment: comment[r].clone(),
            scores: items
                .iter()
                .filter_map(|(item, bounds, scores)| scores[r].map(|s| (item.clone(), s, *bounds)))
                .collect(),
        });
    }
    out
}

pub fn returns(ctx: &Context<'_>, p: &mut RowParser<'_>) -> Vec<StagedReturn> {
    let agency = p.column("agency", true, value::text);
    let fy = p.column("year", true, |c| {
        dates::financial_year(c, ctx.config.fy_start_month, ctx.date_order, ctx.is_1904)
    });
    let level = p.column("level", true, value::text);
    let headcount = p.column("headcount", true, value::count);
    let trained = p.column("trained", true, value::count);
    for r in 0..p.height() {
        if let (true, Some(h), Some(t)) = (p.keep(r), headcount[r], trained[r])
            && t > h
        {
            let header = p.header_of("trained");
            p.reject(
                r,
                &header,
                t.to_string(),
                format!("{t} trained is more than the headcount of {h}: one of them is wrong"),
            );
        }
    }
    let mut out = Vec::new();
    for r in 0..p.height() {
        if !p.keep(r) {
            continue;
        }
        if let (Some(a), Some(y), Some(l), Some(h), Some(t)) = (
            agency[r].clone(),
            fy[r],
            level[r].clone(),
            headcount[r],
            trained[r],
        ) {
            out.push(StagedReturn {
                origin: ctx.origin(p, r),
                agency: a,
                fy: y,
                level: l,
                headcount: h,
                trained: t,
            });
        }
    }
    out
}

pub fn agencies(ctx: &Context<'_>, p: &mut RowParser<'_>) -> Vec<StagedAgency> {
    let agency = p.column("agency", true, value::text);
    let aliases = p.column("aliases", false, value::text);
    let sector = p.column("sector", false, value::text);
    let statutory = p.column("statutory_partner", false, value::yes_no);
    let exempt = p.column("charge_exempt", false, value::yes_no);
    let mut out = Vec::new();
    for r in 0..p.height() {
        if !p.keep(r) {
            continue;
        }
        let Some(name) = agency[r].clone() else {
            continue;
        };
        out.push(StagedAgency {
            origin: ctx.origin(p, r),
            agency: name,
            aliases: aliases[r]
                .as_deref()
                .map(|a| {
                    a.split(';')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default(),
            sector: sector[r].clone(),
            statutory_partner: statutory[r],
            charge_exempt: exempt[r].unwrap_or(false),
        });
    }
    out
}

/// Masks email addresses and phone numbers in free text.
pub fn mask_personal(text: &str) -> String {
    crate::mask::personal(text).into_owned()
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

pub fn duration_of(d: Option<Duration>) -> Duration {
    d.unwrap_or(Duration::FullDay)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fold::prefixed_item;

    #[test]
    fn item_names_from_prefixed_headers() {
        assert_eq!(
            prefixed_item("pre_recognise_signs", "pre").as_deref(),
            Some("recognise_signs")
        );
        assert_eq!(
            prefixed_item("Pre: Recognise signs", "pre").as_deref(),
            Some("recognise_signs")
        );
        assert_eq!(
            prefixed_item("POST - Recognise Signs", "post").as_deref(),
            Some("recognise_signs")
        );
        assert_eq!(prefixed_item("Presentation quality", "pre"), None);
        assert_eq!(prefixed_item("pre", "pre"), None);
    }

    #[test]
    fn personal_details_in_comments_are_masked() {
        assert_eq!(
            mask_personal("Email me at jo.bloggs@example.org, or ring 07700 900123."),
            "Email me at [email], or ring [phone]."
        );
        assert_eq!(
            mask_personal("Call (0161) 496-0000 please"),
            "Call [phone] please"
        );
        assert_eq!(
            mask_personal("Used it in 3 of 12 cases in 2024"),
            "Used it in 3 of 12 cases in 2024"
        );
    }

    #[test]
    fn statuses_map_to_the_five_final_statuses() {
        let mut config = Config::default();
        config.status.attended.push("Signed in".into());
        let v = StatusVocabulary::new(&config);
        let status = |label: &str| {
            let word = v.parse(Cell::Text(label)).unwrap();
            v.resolve(&[word]).0[0]
        };
        for (label, expected) in [
            ("Attended", Status::Attended),
            ("checked in", Status::Attended),
            ("Signed In", Status::Attended),
            ("Did Not Attend", Status::Dna),
            ("NO SHOW", Status::Dna),
            ("Not checked-in", Status::Dna),
            ("late cancellation", Status::LateCancellation),
            ("Withdrawn", Status::Cancelled),
            ("Walk-in", Status::WalkIn),
            ("walk in", Status::WalkIn),
            ("Unbooked", Status::WalkIn),
            ("walk_in", Status::WalkIn),
            // Moodle Attendance's acronyms with their grade, Seminar's words
            // and grades, Eventbrite's.
            ("P (2/2)", Status::Attended),
            ("L (1/2)", Status::Attended),
            ("A (0/2)", Status::Dna),
            ("E", Status::Cancelled),
            ("Fully attended", Status::Attended),
            ("Partially attended", Status::Attended),
            ("No show", Status::Dna),
            ("User Cancelled", Status::Cancelled),
            ("Event Cancelled", Status::Cancelled),
            ("100.00", Status::Attended),
            ("0.00", Status::Dna),
            ("Not Attending", Status::Cancelled),
        ] {
            assert_eq!(status(label), Some(expected), "{label}");
        }
        assert_eq!(
            v.parse(Cell::Number(50.0)),
            Ok(Some(Word::Outcome(Status::Attended)))
        );
        for label in ["Booked", "Wait-listed", "?", "Requested"] {
            assert_eq!(
                v.parse(Cell::Text(label)),
                Ok(Some(Word::NotOutcome)),
                "{label}"
            );
        }
        let err = v.parse(Cell::Text("Maybe")).unwrap_err();
        assert!(
            err.contains("unknown status") && err.contains("[status]"),
            "{err}"
        );
    }

    #[test]
    fn config_moves_a_built_in_word() {
        let mut config = Config::default();
        config.status.dna.push("Partially attended".into());
        config.status.attended.push("No show".into());
        let v = StatusVocabulary::new(&config);
        assert_eq!(
            v.parse(Cell::Text("partially attended")),
            Ok(Some(Word::Outcome(Status::Dna)))
        );
        assert_eq!(
            v.parse(Cell::Text("No show")),
            Ok(Some(Word::Outcome(Status::Attended)))
        );
    }

    #[test]
    fn a_multi_select_answer_names_no_one_session() {
        let read = |a: &str| session_answer(Cell::Text(a), DateOrder::Uk, false);
        assert!(read("Tuesday 5 March 2024 (morning)").is_ok_and(|a| a.is_some()));
        for both in [
            "Tuesday 5 March 2024;Tuesday 12 March 2024",
            "5 March 2024\n12 March 2024",
            "5 March 2024   12 March 2024",
        ] {
            let e = read(both).unwrap_err();
            assert!(e.contains("names 2 choices"), "{both}: {e}");
        }
    }

    #[test]
    fn attending_is_a_no_show_only_where_check_in_was_used() {
        let mut config = Config::default();
        let v = StatusVocabulary::new(&config);
        let att = Some(Word::Attending);
        let (with_check_in, note) = v.resolve(&[att, Some(Word::CheckedIn)]);
        assert_eq!(with_check_in, [Some(Status::Dna), Some(Status::Attended)]);
        assert!(note.unwrap().contains("no-show"));
        let (without, note) = v.resolve(&[att, att]);
        assert_eq!(without, [Some(Status::Attended); 2]);
        assert!(note.unwrap().contains("no one in the file is checked in"));
        assert_eq!(v.resolve(&[Some(Word::CheckedIn)]).1, None);
        config.status.attending = Attending::NotOutcome;
        let v = StatusVocabulary::new(&config);
        assert_eq!(v.resolve(&[att]).0, [None]);
    }
}
