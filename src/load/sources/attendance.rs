//! The attendance source: one staged booking per row that is an outcome.

use std::sync::Arc;

use super::context::{Context, session_ids};
use super::staged::StagedBooking;
use super::status::Word;
use crate::load::columns::RowParser;
use crate::load::sheet::Cell;
use crate::load::value;

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
