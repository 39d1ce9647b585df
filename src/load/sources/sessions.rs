//! The sessions source: one staged session per row, with its start time.

use super::context::{Context, session_key};
use super::staged::StagedSession;
use crate::load::columns::RowParser;
use crate::load::{dates, value};

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
