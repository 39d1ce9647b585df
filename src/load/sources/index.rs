//! Finding the session a row names without a session id: the date and time
//! of day an answer gives, and the sessions source indexed by course and day.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{NaiveDate, NaiveTime};

use super::staged::StagedSession;
use crate::config::DateOrder;
use crate::fold::fold;
use crate::load::sheet::Cell;
use crate::load::{dates, value};

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
    pub(super) present: bool,
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
