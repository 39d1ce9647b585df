//! The context a sheet's rows are read in, and what every source's rows
//! share: the session and delegate each row names, identifiers' keys, scales
//! and masked free text.

use std::sync::Arc;

use chrono::NaiveDate;

use super::index::{SessionAnswer, SessionIndex, TimeHint, session_answer};
use super::staged::Origin;
use super::status::StatusVocabulary;
use crate::config::{Config, DateOrder, Scale};
use crate::load::columns::RowParser;
use crate::load::pseudo::Pseudonymiser;
use crate::load::sheet::Cell;
use crate::load::{dates, value};

/// What a sheet's rows are read with: the settings, the pseudonymiser and
/// status vocabulary, and where the sheet is and how it writes dates.
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
    pub(super) fn origin(&self, p: &RowParser<'_>, r: usize) -> Origin {
        Origin {
            location: self.location,
            row: p.excel_row(r),
        }
    }
    pub(super) fn date(&self) -> impl Fn(Cell<'_>) -> value::Parsed<NaiveDate> + '_ {
        move |c| dates::date(c, self.date_order, self.is_1904)
    }
    pub(super) fn pseudonym(&self) -> impl Fn(Cell<'_>) -> value::Parsed<Arc<str>> + '_ {
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
pub(super) fn delegates(ctx: &Context<'_>, p: &mut RowParser<'_>) -> Vec<Option<Arc<str>>> {
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

/// The session id of each row: the file's `session_id`; else the session
/// an answer names (`session_from`); else the one its course and session
/// date name in the sessions source, or, without a sessions source, an id
/// made of them (`course yyyy-mm-dd`).
pub(super) fn session_ids(ctx: &Context<'_>, p: &mut RowParser<'_>) -> Vec<Option<Arc<str>>> {
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

pub(super) fn session_key(c: Cell<'_>) -> value::Parsed<Arc<str>> {
    Ok(value::identifier(c)?.map(|s| id_key(&s).into()))
}

/// Identifiers join trimmed and case-insensitively.
pub fn id_key(s: &str) -> String {
    s.trim().to_lowercase()
}

pub(super) fn scale_bounds(s: &Scale) -> (f64, f64) {
    (s.min as f64, s.max as f64)
}

/// Masks email addresses and phone numbers in free text.
pub fn mask_personal(text: &str) -> String {
    crate::mask::personal(text).into_owned()
}
