//! The partnership's activity: each agency's staff, the sessions of each
//! course over the two years, and who booked them and what became of each
//! booking (attended, did not attend, cancelled late or in time, walked in).

use std::collections::HashSet;

use chrono::{Datelike, Duration, NaiveDate};
use rand::RngExt;

use super::draw::Gen;
use super::partnership::{Partnership, YEARS};

pub(super) struct Session {
    pub id: String,
    pub course: usize,
    pub date: NaiveDate,
    pub places: u32,
    pub mode: &'static str,
    pub trainer_cost: u32,
    pub venue_cost: u32,
}

#[derive(Clone)]
pub(super) struct Booking {
    pub session: usize,
    pub delegate: String,
    pub name: String,
    pub agency: usize,
    /// The agency as typed into the booking system.
    pub agency_text: String,
    pub status: &'static str,
    pub trained: bool,
    pub booked_at: NaiveDate,
    pub cancelled_at: Option<NaiveDate>,
}

/// Each agency's staff, as (email, name): delegates are people who book
/// more than once. Named by position, not drawn.
fn staff(p: &Partnership, scale: u32) -> Vec<Vec<(String, String)>> {
    let (first, last) = (&p.first_names, &p.last_names);
    p.agencies
        .iter()
        .enumerate()
        .map(|(a, def)| {
            let size = ((def.headcount as f64 * 0.8 * scale as f64) as usize).max(10);
            let domain: String = def
                .name
                .to_ascii_lowercase()
                .chars()
                .filter(|c| c.is_ascii_alphanumeric())
                .take(14)
                .collect();
            (0..size)
                .map(|i| {
                    let f = &first[(i * 7 + a) % first.len()];
                    let l = &last[(i * 3 + a * 5) % last.len()];
                    let email = format!("{f}.{l}{i}@{domain}.org.uk");
                    let name = format!(
                        "{}{} {}{}",
                        f[..1].to_uppercase(),
                        &f[1..],
                        l[..1].to_uppercase(),
                        &l[1..]
                    );
                    (email, name)
                })
                .collect()
        })
        .collect()
}

/// Every course's sessions in both years, in date order, numbered.
pub(super) fn sessions(g: &mut Gen, p: &'static Partnership, scale: u32) -> Vec<Session> {
    let mut sessions = Vec::new();
    for fy in YEARS {
        for (c, course) in p.courses.iter().enumerate() {
            let n = course.sessions_per_year * scale;
            for _ in 0..n {
                let shares: Vec<f64> = course.modes.iter().map(|m| m.share).collect();
                let mode = course.modes[g.weighted(&shares)].mode.as_str();
                let places = match mode {
                    "E-learning" => g.range(40, 70),
                    "Virtual" => g.range(24, 40),
                    _ => g.range(18, 30),
                };
                let trainer_cost = if mode == "E-learning" {
                    0
                } else if course.full_day {
                    g.range(45, 70) * 10
                } else {
                    g.range(25, 40) * 10
                };
                let venue_cost = if mode == "Classroom" {
                    g.range(12, 30) * 10
                } else {
                    0
                };
                sessions.push(Session {
                    id: String::new(),
                    course: c,
                    date: g.weekday_in(fy),
                    places,
                    mode,
                    trainer_cost,
                    venue_cost,
                });
            }
        }
    }
    sessions.sort_by_key(|s| (s.date, s.course));
    for (i, s) in sessions.iter_mut().enumerate() {
        s.id = format!("S{:02}-{:05}", s.date.year() % 100, i + 1);
    }
    sessions
}

/// Each session's bookings, and a few agency names nobody has put in the
/// register.
pub(super) fn bookings(
    g: &mut Gen,
    p: &Partnership,
    sessions: &[Session],
    scale: u32,
) -> Vec<Booking> {
    let pools = staff(p, scale);
    let weights: Vec<f64> = p.agencies.iter().map(|a| a.weight).collect();
    let mut bookings: Vec<Booking> = Vec::new();
    for (si, session) in sessions.iter().enumerate() {
        let fill = 0.78 + g.range(0, 30) as f64 / 100.0;
        let n = (session.places as f64 * fill).round() as u32;
        let mut seen = HashSet::new();
        for _ in 0..n {
            let a = g.weighted(&weights);
            let pool = &pools[a];
            let (email, name) = loop {
                let person = g.pick(pool);
                if seen.insert(person.0.clone()) {
                    break person.clone();
                }
            };
            let def = &p.agencies[a];
            let walk_in = session.mode != "E-learning" && g.chance(0.025);
            let dna_p = 0.075 * def.dna_factor;
            let r: f64 = g.rng.random_range(0.0..1.0);
            let lead = g.range(7, 70) as i64;
            let booked_at = session.date - Duration::days(lead);
            let (status, trained, cancelled_at): (&'static str, bool, Option<NaiveDate>) =
                if walk_in {
                    (*g.pick(&["Walk-in", "Walk in", "Unbooked"]), true, None)
                } else if r < dna_p {
                    (
                        *g.pick(&["DNA", "Did not attend", "No show", "DNA", "Not checked in"]),
                        false,
                        None,
                    )
                } else if r < dna_p + 0.03 {
                    // Cancelled within the notice period: some systems say so, others just "Cancelled".
                    let days = g.range(0, 6) as i64;
                    let label = if g.chance(0.5) {
                        "Late cancellation"
                    } else {
                        "Cancelled"
                    };
                    (label, false, Some(session.date - Duration::days(days)))
                } else if r < dna_p + 0.09 {
                    let days = g.range(8, (lead as u32).max(9)) as i64;
                    (
                        *g.pick(&["Cancelled", "Cancelled", "Withdrawn"]),
                        false,
                        Some(session.date - Duration::days(days)),
                    )
                } else {
                    let label = if session.mode == "E-learning" {
                        "Completed"
                    } else {
                        *g.pick(&["Attended", "Attended", "Checked In", "attended"])
                    };
                    (label, true, None)
                };
            // How the agency was typed: mostly the register name, sometimes an alias or a slip.
            let agency_text = if g.chance(0.82) || def.aliases.is_empty() {
                if g.chance(0.05) {
                    def.name.to_uppercase()
                } else {
                    def.name.clone()
                }
            } else if g.chance(0.85) {
                g.pick(&def.aliases).clone()
            } else {
                def.name
                    .replace(" & ", " and ")
                    .replace("Service", "Services")
            };
            bookings.push(Booking {
                session: si,
                delegate: email,
                name,
                agency: a,
                agency_text,
                status,
                trained,
                booked_at: if walk_in { session.date } else { booked_at },
                cancelled_at,
            });
        }
    }
    // Names nobody has put in the register, by position, not drawn.
    for (k, u) in p.unregistered.iter().enumerate() {
        let agency = u.agency.as_deref().and_then(|name| p.agency(name));
        for j in 0..(3 * scale as usize) {
            let i = (k * 997 + j * 131 + 17) % bookings.len();
            if agency.is_none_or(|a| bookings[i].agency == a) || j % 2 == 0 {
                bookings[i].agency_text = u.text.clone();
            }
        }
    }
    bookings
}
