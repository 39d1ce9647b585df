//! The sample in hubreport's own layout: the booking system's attendance
//! export, the sessions list, the agencies' training returns and the
//! agency register, each with the slips real exports have.

use super::bookings::{Booking, Session};
use super::draw::Gen;
use super::partnership::{Partnership, YEARS};
use super::sheet::{Table, V, s};

/// attendance: every booking, as the booking system exports it.
pub(super) fn attendance(
    p: &Partnership,
    sessions: &[Session],
    bookings: &[Booking],
    scale: u32,
) -> Table {
    let total_bookings = bookings.len();
    // attendance: title rows, real dates beside UK text dates, a name column,
    // duplicates, a few bad rows, blank rows and a totals row.
    let mut rows: Vec<Vec<V>> = Vec::with_capacity(total_bookings + 32);
    for (i, b) in bookings.iter().enumerate() {
        let session = &sessions[b.session];
        let date = if i % 9 == 4 {
            s(session.date.format("%d/%m/%Y").to_string())
        } else {
            V::D(session.date)
        };
        let row = vec![
            s(&session.id),
            s(&p.courses[session.course].title),
            date,
            s(b.name.clone()),
            s(if i % 17 == 3 {
                b.delegate.to_uppercase()
            } else {
                b.delegate.clone()
            }),
            s(b.agency_text.clone()),
            s(b.status),
            V::D(b.booked_at),
            b.cancelled_at.map(V::D).unwrap_or(V::Blank),
        ];
        rows.push(row);
        // Re-exported rows: the same booking twice, now and then with another status.
        if i % 211 == 7 {
            let mut dup = vec![
                s(&session.id),
                s(&p.courses[session.course].title),
                V::D(session.date),
                s(b.name.clone()),
            ];
            dup.extend([
                s(b.delegate.clone()),
                s(b.agency_text.clone()),
                s(if b.trained { "Cancelled" } else { b.status }),
                V::D(b.booked_at),
                V::Blank,
            ]);
            rows.push(dup);
        }
        if i % 1500 == 750 {
            rows.push((0..9).map(|_| V::Blank).collect());
        }
    }
    // Bad rows: an unknown status, an impossible date, a missing email.
    let bad = [
        (3usize, 6usize, s("Maybe")),
        (41, 2, s("31/02/2025")),
        (97, 4, V::Blank),
        (160, 6, s("Postponed")),
        (333, 7, s("last Tuesday")),
    ];
    for (i, col, v) in bad {
        let i = (i * scale as usize) % rows.len();
        if rows[i].len() > col {
            rows[i][col] = v;
        }
    }
    let mut total = vec![s("Total")];
    total.extend((1..9).map(|c| {
        if c == 4 {
            V::N(total_bookings as f64)
        } else {
            V::Blank
        }
    }));
    rows.push(total);
    Table {
        preamble: vec![
            "Northshire Safeguarding Children Partnership - Learning Hub bookings".into(),
            "Exported from the booking system for 01/04/2024 to 31/03/2026".into(),
            String::new(),
        ],
        header: vec![
            "Session ID",
            "Course Title",
            "Session Date",
            "Delegate Name",
            "Delegate Email",
            "Organisation",
            "Attendance Status",
            "Booked On",
            "Cancelled On",
        ],
        rows,
    }
}

/// sessions: one row per session, with its course, costs and trainers.
pub(super) fn sessions_table(p: &Partnership, sessions: &[Session]) -> Table {
    // sessions: costs with £ and commas, durations in words or hours, a TBC.
    Table {
        preamble: vec![],
        header: vec![
            "session_id",
            "course",
            "session_date",
            "places",
            "mode",
            "duration",
            "level",
            "pathway",
            "trainer_cost",
            "venue_cost",
            "facilitator",
        ],
        rows: sessions
            .iter()
            .enumerate()
            .map(|(i, se)| {
                let c = &p.courses[se.course];
                let duration = match (c.full_day, i % 3) {
                    (true, 0) => s("6.5"),
                    (true, _) => s(if i % 2 == 0 { "Full day" } else { "full-day" }),
                    (false, 0) => s("3 hours"),
                    (false, _) => s("Half day"),
                };
                vec![
                    s(&se.id),
                    s(&c.title),
                    if i % 5 == 1 {
                        s(se.date.format("%d/%m/%Y").to_string())
                    } else {
                        s(se.date.format("%Y-%m-%d").to_string())
                    },
                    if i % 97 == 13 {
                        s("TBC")
                    } else {
                        V::N(se.places as f64)
                    },
                    s(if i % 7 == 2 {
                        se.mode.to_lowercase()
                    } else {
                        se.mode.to_string()
                    }),
                    duration,
                    s(&c.level),
                    s(&c.pathway),
                    if se.trainer_cost >= 1000 {
                        s(format!(
                            "£{},{:03}",
                            se.trainer_cost / 1000,
                            se.trainer_cost % 1000
                        ))
                    } else {
                        V::N(se.trainer_cost as f64)
                    },
                    if se.venue_cost == 0 {
                        s("-")
                    } else {
                        V::N(se.venue_cost as f64)
                    },
                    // A pool of trainers, two on every fourth session; not
                    // drawn from the generator, so nothing else changes.
                    if i % 4 == 0 {
                        s(format!(
                            "{}; {}",
                            p.facilitators[(i + se.course) % p.facilitators.len()],
                            p.facilitators[(i + se.course + 3) % p.facilitators.len()]
                        ))
                    } else {
                        s(&p.facilitators[(i + se.course) % p.facilitators.len()])
                    },
                ]
            })
            .collect(),
    }
}

/// agency_returns: each agency's headcount and number trained, by year and
/// level; drawn, after the evaluations and the follow-up survey.
pub(super) fn agency_returns(g: &mut Gen, p: &Partnership, scale: u32) -> Table {
    // agency_returns: one row per agency, year and level, years in several spellings.
    let levels = [("Level 1", 0.55), ("Level 2", 0.35), ("Level 3", 0.10)];
    let mut return_rows = Vec::new();
    for fy in YEARS {
        for (a, def) in p.agencies.iter().enumerate() {
            if !def.returns || (fy == 2024 && a % 11 == 6) {
                continue;
            }
            for (li, (level, share)) in levels.iter().enumerate() {
                let headcount = ((def.headcount * scale) as f64 * share).round().max(1.0) as u32;
                let drift = (g.normal() * 0.04).clamp(-0.1, 0.1);
                let trained =
                    ((headcount as f64) * (def.coverage + drift).clamp(0.0, 1.0)).round() as u32;
                let year = match (a + li) % 4 {
                    0 => format!("{fy}-{:02}", (fy + 1) % 100),
                    1 => format!("{fy}/{:02}", (fy + 1) % 100),
                    2 => format!("FY{fy}-{:02}", (fy + 1) % 100),
                    _ => format!("{fy}-{}", fy + 1),
                };
                let name = if a % 5 == 2 && li == 0 {
                    def.name.to_lowercase()
                } else {
                    def.name.clone()
                };
                return_rows.push(vec![
                    s(name),
                    s(year),
                    s(*level),
                    V::N(headcount as f64),
                    V::N(trained as f64),
                ]);
            }
        }
    }
    if let Some(row) = return_rows.get_mut(9) {
        row[3] = s("approx 200");
    }
    Table {
        preamble: vec![],
        header: vec!["Agency", "Financial Year", "Level", "Headcount", "Trained"],
        rows: return_rows,
    }
}

/// agencies: the register, with aliases, sector and charging.
pub(super) fn register(p: &Partnership) -> Table {
    Table {
        preamble: vec![],
        header: vec![
            "agency",
            "aliases",
            "sector",
            "statutory_partner",
            "charge_exempt",
        ],
        rows: p
            .agencies
            .iter()
            .map(|a| {
                vec![
                    s(&a.name),
                    s(a.aliases.join("; ")),
                    s(&a.sector),
                    s(if a.statutory_partner { "Yes" } else { "No" }),
                    s(if a.charge_exempt { "Yes" } else { "No" }),
                ]
            })
            .collect(),
    }
}
