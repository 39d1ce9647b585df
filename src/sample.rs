//! `hubreport sample`: a deterministic, realistic partnership's exports over
//! two financial years (2024-25 and 2025-26), messy the way real exports are.
//!
//! The same seed and scale always give the same files. `--scale` multiplies
//! sessions and bookings (about 5,000 bookings a year at scale 1), not the
//! number of agencies or courses.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::Path;

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::error::{Error, Result};
use crate::table::Value;
use crate::write::{self, Grid, Style};

/// The financial years generated, by starting calendar year.
pub const YEARS: [i32; 2] = [2024, 2025];

/// An xlsx sheet holds 1,048,576 rows.
const XLSX_MAX_ROWS: usize = 1_048_000;

struct AgencyDef {
    name: &'static str,
    sector: &'static str,
    statutory: bool,
    exempt: bool,
    aliases: &'static [&'static str],
    /// Staff in scope for safeguarding training.
    headcount: u32,
    /// Share of staff trained in a year (drives the RAG spread).
    coverage: f64,
    /// Relative booking volume.
    weight: f64,
    /// Propensity not to turn up, relative to the partnership's.
    dna_factor: f64,
    returns: bool,
}

// One row of the sample's agency table: a call per agency reads as a table.
#[allow(clippy::too_many_arguments)]
const fn ag(
    name: &'static str,
    sector: &'static str,
    statutory: bool,
    exempt: bool,
    aliases: &'static [&'static str],
    headcount: u32,
    coverage: f64,
    weight: f64,
    dna_factor: f64,
    returns: bool,
) -> AgencyDef {
    AgencyDef {
        name,
        sector,
        statutory,
        exempt,
        aliases,
        headcount,
        coverage,
        weight,
        dna_factor,
        returns,
    }
}

const AGENCIES: &[AgencyDef] = &[
    ag(
        "Northshire Police",
        "Police",
        true,
        false,
        &["Northshire Constabulary", "NSP"],
        820,
        0.93,
        9.0,
        1.3,
        true,
    ),
    ag(
        "Northshire Children's Social Care",
        "Local authority",
        true,
        false,
        &["Childrens Social Care", "CSC"],
        640,
        0.97,
        14.0,
        0.6,
        true,
    ),
    ag(
        "Northshire Early Help Service",
        "Local authority",
        true,
        false,
        &["Early Help"],
        210,
        0.91,
        6.0,
        0.8,
        true,
    ),
    ag(
        "Northshire Integrated Care Board",
        "Health",
        true,
        false,
        &["ICB", "NHS Northshire ICB"],
        160,
        0.88,
        3.0,
        1.0,
        true,
    ),
    ag(
        "Northshire Hospitals NHS Foundation Trust",
        "Health",
        false,
        false,
        &["NHFT", "Northshire Hospitals"],
        1450,
        0.84,
        10.0,
        1.4,
        true,
    ),
    ag(
        "Northshire Community Health NHS Trust",
        "Health",
        false,
        false,
        &["Community Health"],
        720,
        0.90,
        7.0,
        1.1,
        true,
    ),
    ag(
        "Northshire Mental Health NHS Trust",
        "Health",
        false,
        false,
        &["NMHT"],
        530,
        0.79,
        5.0,
        1.6,
        true,
    ),
    ag(
        "Northshire Ambulance Service",
        "Health",
        false,
        false,
        &[],
        310,
        0.62,
        2.0,
        2.0,
        true,
    ),
    ag(
        "GP Practices (Northshire)",
        "Health",
        false,
        false,
        &["GP Practices", "General Practice"],
        380,
        0.55,
        3.0,
        1.8,
        true,
    ),
    ag(
        "Northshire Primary Schools",
        "Education",
        false,
        false,
        &["Primary Schools"],
        1900,
        0.92,
        12.0,
        0.9,
        true,
    ),
    ag(
        "Northshire Secondary Schools",
        "Education",
        false,
        false,
        &["Secondary Schools"],
        1300,
        0.86,
        9.0,
        1.0,
        true,
    ),
    ag(
        "Ashfield Academy Trust",
        "Education",
        false,
        false,
        &["Ashfield Academies"],
        420,
        0.95,
        4.0,
        0.7,
        true,
    ),
    ag(
        "St Mary's Catholic Academy Trust",
        "Education",
        false,
        false,
        &["St Marys CAT"],
        300,
        0.81,
        3.0,
        1.0,
        true,
    ),
    ag(
        "Northshire College",
        "Education",
        false,
        false,
        &["Northshire FE College"],
        260,
        0.72,
        2.0,
        1.5,
        true,
    ),
    ag(
        "Early Years Providers",
        "Early years",
        false,
        false,
        &["Early Years", "Private nurseries"],
        700,
        0.77,
        6.0,
        1.2,
        true,
    ),
    ag(
        "Little Acorns Nurseries",
        "Early years",
        false,
        false,
        &[],
        90,
        0.96,
        1.0,
        0.5,
        true,
    ),
    ag(
        "Northshire Young Carers",
        "Voluntary sector",
        false,
        true,
        &["Young Carers"],
        40,
        1.0,
        1.0,
        0.7,
        true,
    ),
    ag(
        "Safe Homes Women's Aid",
        "Voluntary sector",
        false,
        true,
        &["Safe Homes"],
        55,
        0.92,
        1.5,
        0.8,
        true,
    ),
    ag(
        "Northshire Mind",
        "Voluntary sector",
        false,
        true,
        &[],
        70,
        0.68,
        1.0,
        1.2,
        true,
    ),
    ag(
        "Youth Connect Northshire",
        "Voluntary sector",
        false,
        true,
        &["Youth Connect"],
        65,
        0.88,
        1.2,
        1.0,
        true,
    ),
    ag(
        "Northshire Scouts & Guides",
        "Voluntary sector",
        false,
        true,
        &[],
        120,
        0.35,
        0.6,
        1.5,
        false,
    ),
    ag(
        "Northshire Homes",
        "Housing",
        false,
        false,
        &["Northshire Homes Ltd"],
        240,
        0.58,
        1.5,
        1.6,
        true,
    ),
    ag(
        "Riverside Housing Association",
        "Housing",
        false,
        false,
        &["Riverside Housing"],
        150,
        0.0,
        0.0,
        1.0,
        true,
    ),
    ag(
        "Probation Service (Northshire)",
        "Probation",
        false,
        false,
        &["Probation Service", "Probation"],
        190,
        0.83,
        2.5,
        1.1,
        true,
    ),
    ag(
        "Northshire Youth Justice Service",
        "Youth justice",
        false,
        false,
        &["YJS", "Youth Justice"],
        85,
        0.99,
        1.5,
        0.6,
        true,
    ),
    ag(
        "Cafcass",
        "Courts",
        false,
        false,
        &[],
        60,
        0.90,
        0.8,
        0.9,
        true,
    ),
    ag(
        "Eastvale District Council",
        "District council",
        false,
        false,
        &["Eastvale DC"],
        140,
        0.66,
        1.2,
        1.3,
        true,
    ),
    ag(
        "Westmoor Borough Council",
        "District council",
        false,
        false,
        &["Westmoor BC"],
        160,
        0.74,
        1.3,
        1.2,
        false,
    ),
    ag(
        "Northshire Fire & Rescue Service",
        "Fire and rescue",
        false,
        false,
        &["NFRS", "Fire Service"],
        330,
        0.48,
        1.5,
        1.4,
        true,
    ),
    ag(
        "Northshire Adult Social Care",
        "Local authority",
        false,
        false,
        &["Adult Social Care", "ASC"],
        450,
        0.71,
        3.5,
        1.0,
        true,
    ),
    ag(
        "Northshire Drug & Alcohol Service",
        "Health",
        false,
        false,
        &["Turning Point Northshire"],
        95,
        0.87,
        1.2,
        1.3,
        true,
    ),
    ag(
        "Northshire Faith Forum",
        "Faith",
        false,
        true,
        &[],
        50,
        0.30,
        0.5,
        1.7,
        false,
    ),
    ag(
        "Active Northshire",
        "Sport and leisure",
        false,
        true,
        &[],
        75,
        0.45,
        0.6,
        1.4,
        true,
    ),
];

struct CourseDef {
    title: &'static str,
    level: &'static str,
    pathway: &'static str,
    /// (mode, share of this course's sessions)
    modes: &'static [(&'static str, f64)],
    full_day: bool,
    sessions_per_year: u32,
    /// Mean post-minus-pre gain per item, on the 1-5 scale.
    gain: f64,
}

const COURSES: &[CourseDef] = &[
    CourseDef {
        title: "Introduction to Safeguarding Children",
        level: "Level 1",
        pathway: "Core",
        modes: &[("E-learning", 0.6), ("Virtual", 0.4)],
        full_day: false,
        sessions_per_year: 26,
        gain: 1.1,
    },
    CourseDef {
        title: "Working Together: Roles and Responsibilities",
        level: "Level 2",
        pathway: "Core",
        modes: &[("Classroom", 0.7), ("Virtual", 0.3)],
        full_day: true,
        sessions_per_year: 22,
        gain: 0.9,
    },
    CourseDef {
        title: "Recognising and Responding to Neglect",
        level: "Level 2",
        pathway: "Neglect",
        modes: &[("Classroom", 0.5), ("Virtual", 0.5)],
        full_day: true,
        sessions_per_year: 18,
        gain: 1.0,
    },
    CourseDef {
        title: "Child Exploitation: Criminal and Sexual",
        level: "Level 3",
        pathway: "Exploitation",
        modes: &[("Classroom", 1.0)],
        full_day: true,
        sessions_per_year: 14,
        gain: 1.2,
    },
    CourseDef {
        title: "Domestic Abuse and its Impact on Children",
        level: "Level 2",
        pathway: "Domestic abuse",
        modes: &[("Virtual", 0.8), ("Classroom", 0.2)],
        full_day: false,
        sessions_per_year: 18,
        gain: 0.8,
    },
    CourseDef {
        title: "Understanding Thresholds and Making Referrals",
        level: "Level 2",
        pathway: "Core",
        modes: &[("Virtual", 1.0)],
        full_day: false,
        sessions_per_year: 20,
        gain: 0.7,
    },
    CourseDef {
        title: "Safeguarding Disabled Children",
        level: "Level 3",
        pathway: "Core",
        modes: &[("Classroom", 1.0)],
        full_day: true,
        sessions_per_year: 8,
        gain: 0.9,
    },
    CourseDef {
        title: "Harmful Sexual Behaviour",
        level: "Level 3",
        pathway: "Exploitation",
        modes: &[("Classroom", 0.6), ("Virtual", 0.4)],
        full_day: true,
        sessions_per_year: 10,
        gain: 1.1,
    },
    CourseDef {
        title: "Parental Mental Health and Substance Misuse",
        level: "Level 2",
        pathway: "Neglect",
        modes: &[("Virtual", 1.0)],
        full_day: false,
        sessions_per_year: 14,
        gain: 0.6,
    },
    CourseDef {
        title: "Online Safety for Practitioners",
        level: "Level 1",
        pathway: "Exploitation",
        modes: &[("E-learning", 1.0)],
        full_day: false,
        sessions_per_year: 12,
        gain: 0.5,
    },
    CourseDef {
        title: "Contextual Safeguarding",
        level: "Level 3",
        pathway: "Exploitation",
        modes: &[("Classroom", 1.0)],
        full_day: true,
        sessions_per_year: 8,
        gain: 1.0,
    },
    CourseDef {
        title: "Professional Curiosity and Challenge",
        level: "Level 2",
        pathway: "Core",
        modes: &[("Virtual", 0.7), ("Classroom", 0.3)],
        full_day: false,
        sessions_per_year: 16,
        gain: 0.2,
    },
    CourseDef {
        title: "Child Protection Conferences and Core Groups",
        level: "Level 3",
        pathway: "Core",
        modes: &[("Classroom", 1.0)],
        full_day: true,
        sessions_per_year: 10,
        gain: 0.8,
    },
];

/// Evaluation items: (header text after "Pre: "/"Post: ").
const ITEMS: [&str; 4] = [
    "Knowledge of the topic",
    "Recognising signs",
    "Confidence to act",
    "Knowing local procedures",
];
const IMPACT_ITEMS: [&str; 3] = [
    "Changed my practice",
    "Shared learning with colleagues",
    "More confident making referrals",
];
const LIKERT: [&str; 5] = [
    "Strongly disagree",
    "Disagree",
    "Neither agree nor disagree",
    "Agree",
    "Strongly agree",
];
/// The hub's pool of trainers.
const FACILITATORS: [&str; 7] = [
    "Ayesha Khan",
    "Ben Carter",
    "Chloe Murray",
    "Daniel Okafor",
    "Eleanor Price",
    "Farah Siddiqui",
    "Gareth Lloyd",
];

/// Evaluation comments, blank most often; two carry contact details that
/// every output masks.
const EVAL_COMMENTS: [&str; 12] = [
    "",
    "",
    "",
    "",
    "",
    "",
    "Really useful case studies; I will use the referral flowchart.",
    "The afternoon felt rushed.",
    "More time on local procedures, please.",
    "Happy to help with the next session: chris.walsh@example.org",
    "Great trainer. Call me on 07700 900456 about training my team.",
    "The venue was hard to find.",
];

const FIRST: [&str; 24] = [
    "amy", "ben", "chloe", "dan", "emma", "faisal", "grace", "harry", "isla", "jack", "kiran",
    "laura", "mohammed", "nina", "owen", "priya", "quinn", "rachel", "sam", "tom", "uma",
    "victoria", "will", "zara",
];
const LAST: [&str; 20] = [
    "smith", "jones", "taylor", "brown", "williams", "wilson", "johnson", "davies", "patel",
    "wright", "khan", "evans", "thomas", "roberts", "walker", "hughes", "green", "hall", "wood",
    "clarke",
];

struct Session {
    id: String,
    course: usize,
    date: NaiveDate,
    places: u32,
    mode: &'static str,
    trainer_cost: u32,
    venue_cost: u32,
}

#[derive(Clone)]
struct Booking {
    session: usize,
    delegate: String,
    name: String,
    agency: usize,
    /// The agency as typed into the booking system.
    agency_text: String,
    status: &'static str,
    trained: bool,
    booked_at: NaiveDate,
    cancelled_at: Option<NaiveDate>,
}

/// A value to write: a string, a number or a date.
enum V {
    S(String),
    N(f64),
    D(NaiveDate),
    Blank,
}

fn s(x: impl Into<String>) -> V {
    V::S(x.into())
}

/// One table to write, as xlsx or csv.
struct Table {
    /// Lines above the header (title rows of an export).
    preamble: Vec<String>,
    header: Vec<&'static str>,
    rows: Vec<Vec<V>>,
}

struct Gen {
    rng: ChaCha8Rng,
}

impl Gen {
    fn chance(&mut self, p: f64) -> bool {
        self.rng.random_bool(p.clamp(0.0, 1.0))
    }
    fn range(&mut self, lo: u32, hi: u32) -> u32 {
        self.rng.random_range(lo..=hi)
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.rng.random_range(0..items.len())]
    }
    fn weighted(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        let mut x = self.rng.random_range(0.0..total);
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        weights.len() - 1
    }
    fn normal(&mut self) -> f64 {
        // Box-Muller: enough for plausible scores.
        let u1: f64 = self.rng.random_range(f64::EPSILON..1.0);
        let u2: f64 = self.rng.random_range(0.0..1.0);
        (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
    }
}

fn weekday_in(g: &mut Gen, fy: i32) -> NaiveDate {
    let start = NaiveDate::from_ymd_opt(fy, 4, 1).expect("valid date");
    loop {
        let d = start + Duration::days(g.range(0, 364) as i64);
        // Fewer sessions in August and over Christmas.
        let quiet = d.month() == 8 || (d.month() == 12 && d.day() > 18);
        if !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) && (!quiet || !g.chance(0.7)) {
            return d;
        }
    }
}

fn likert_value(g: &mut Gen, score: u32, label_share: f64) -> V {
    if g.chance(label_share) {
        if g.chance(0.5) {
            s(LIKERT[(score - 1) as usize])
        } else {
            s(format!("{score} - {}", LIKERT[(score - 1) as usize]))
        }
    } else {
        V::N(score as f64)
    }
}

fn clamp_score(x: f64) -> u32 {
    x.round().clamp(1.0, 5.0) as u32
}

/// Writes the sample to `out`; returns a summary of what was written.
/// How the sample is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// hubreport's own layout, xlsx with CSV for some sources.
    Canonical,
    /// The canonical layout, every source as CSV.
    CanonicalCsv,
    /// As the partnership's tools export it: Totara Seminar sign-ups, a
    /// Google Forms evaluation, a SurveyMonkey follow-up survey, and a
    /// hub.toml that reads them.
    Exports,
}

pub fn write(out: &Path, scale: u32, seed: u64, layout: Layout) -> Result<String> {
    let csv_only = layout != Layout::Canonical;
    let mut g = Gen {
        rng: ChaCha8Rng::seed_from_u64(seed),
    };
    std::fs::create_dir_all(out).map_err(|source| Error::Io {
        context: format!("could not create '{}'", out.display()),
        source,
    })?;

    // Staff pools: delegates are people who book more than once.
    let pools: Vec<Vec<(String, String)>> = AGENCIES
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
                    let f = FIRST[(i * 7 + a) % FIRST.len()];
                    let l = LAST[(i * 3 + a * 5) % LAST.len()];
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
        .collect();

    // Sessions.
    let mut sessions = Vec::new();
    for fy in YEARS {
        for (c, course) in COURSES.iter().enumerate() {
            let n = course.sessions_per_year * scale;
            for _ in 0..n {
                let mode = course.modes
                    [g.weighted(&course.modes.iter().map(|m| m.1).collect::<Vec<_>>())]
                .0;
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
                    date: weekday_in(&mut g, fy),
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

    // Bookings.
    let weights: Vec<f64> = AGENCIES.iter().map(|a| a.weight).collect();
    let mut bookings: Vec<Booking> = Vec::new();
    for (si, session) in sessions.iter().enumerate() {
        let fill = 0.78 + g.range(0, 30) as f64 / 100.0;
        let n = (session.places as f64 * fill).round() as u32;
        let mut seen = HashSet::new();
        for _ in 0..n {
            let a = g.weighted(&weights);
            let pool = &pools[a];
            let (email, name) = loop {
                let p = g.pick(pool);
                if seen.insert(p.0.clone()) {
                    break p.clone();
                }
            };
            let def = &AGENCIES[a];
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
                    def.name.to_string()
                }
            } else if g.chance(0.85) {
                g.pick(def.aliases).to_string()
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
    // A couple of names nobody has put in the register.
    let typos = [
        ("Northshire Polce", 0usize),
        ("Ashfeld Academy Trust", 11),
        ("Sure Start Eastvale", usize::MAX),
    ];
    for (k, (text, agency)) in typos.iter().enumerate() {
        for j in 0..(3 * scale as usize) {
            let i = (k * 997 + j * 131 + 17) % bookings.len();
            if *agency == usize::MAX || bookings[i].agency == *agency || j % 2 == 0 {
                bookings[i].agency_text = text.to_string();
            }
        }
    }

    let total_bookings = bookings.len();
    if !csv_only && total_bookings + 20 > XLSX_MAX_ROWS {
        return Err(Error::Usage(format!(
            "--scale {scale} gives {total_bookings} bookings, more than an xlsx sheet holds; add --csv"
        )));
    }

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
            s(COURSES[session.course].title),
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
                s(COURSES[session.course].title),
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
    let trained_count = bookings.iter().filter(|b| b.trained).count();
    let mut total = vec![s("Total")];
    total.extend((1..9).map(|c| {
        if c == 4 {
            V::N(total_bookings as f64)
        } else {
            V::Blank
        }
    }));
    rows.push(total);
    let attendance = Table {
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
    };

    // sessions: costs with £ and commas, durations in words or hours, a TBC.
    let sessions_table = Table {
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
                let c = &COURSES[se.course];
                let duration = match (c.full_day, i % 3) {
                    (true, 0) => s("6.5"),
                    (true, _) => s(if i % 2 == 0 { "Full day" } else { "full-day" }),
                    (false, 0) => s("3 hours"),
                    (false, _) => s("Half day"),
                };
                vec![
                    s(&se.id),
                    s(c.title),
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
                    s(c.level),
                    s(c.pathway),
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
                            FACILITATORS[(i + se.course) % FACILITATORS.len()],
                            FACILITATORS[(i + se.course + 3) % FACILITATORS.len()]
                        ))
                    } else {
                        s(FACILITATORS[(i + se.course) % FACILITATORS.len()])
                    },
                ]
            })
            .collect(),
    };

    // evaluations: pre/post for ~70% of those trained.
    let mut eval_header = vec!["Session ID", "Delegate Email"];
    for item in ITEMS {
        eval_header.push(Box::leak(format!("Pre: {item}").into_boxed_str()));
        eval_header.push(Box::leak(format!("Post: {item}").into_boxed_str()));
    }
    eval_header.extend([
        "Overall satisfaction",
        "Relevance to my role",
        "Any other comments",
    ]);
    let mut eval_rows = Vec::new();
    let mut responders = Vec::new();
    for (i, b) in bookings.iter().enumerate() {
        let course = &COURSES[sessions[b.session].course];
        let fills_form = if b.trained {
            g.chance(0.70)
        } else {
            i % 401 == 5
        };
        if !fills_form {
            continue;
        }
        let mut row = vec![s(&sessions[b.session].id), s(b.delegate.clone())];
        let base = 2.3 + g.normal() * 0.7;
        for _ in ITEMS {
            let pre = clamp_score(base + g.normal() * 0.5);
            let post = clamp_score(pre as f64 + course.gain + g.normal() * 0.8);
            row.push(likert_value(&mut g, pre, 0.12));
            if g.chance(0.03) {
                row.push(V::Blank);
            } else {
                row.push(likert_value(&mut g, post, 0.12));
            }
        }
        let sat = clamp_score(4.1 + g.normal() * 0.8);
        row.push(likert_value(&mut g, sat, 0.1));
        row.push(V::N(clamp_score(4.0 + g.normal() * 0.9) as f64));
        // Now and then a comment, chosen by position (not drawn), so the
        // scores stay as they were.
        row.push(s(EVAL_COMMENTS[i % 23 % EVAL_COMMENTS.len()]));
        if eval_rows.len() % 600 == 77 {
            eval_rows.push(row.iter().map(clone_v).collect());
        }
        eval_rows.push(row);
        if b.trained {
            responders.push(i);
        }
    }
    for (k, col, v) in [
        (10usize, 3usize, V::N(6.0)),
        (250, 5, s("7 - Very confident")),
    ] {
        let k = (k * scale as usize) % eval_rows.len().max(1);
        if let Some(row) = eval_rows.get_mut(k) {
            row[col] = v;
        }
    }
    let evaluations = Table {
        preamble: vec![],
        header: eval_header,
        rows: eval_rows,
    };

    // impact: ~40% of those trained, 60-100 days on; UK text dates.
    let mut impact_rows = Vec::new();
    let comments = [
        "",
        "",
        "",
        "Used the neglect toolkit with two families since the course.",
        "Shared the referral pathway with my team at our weekly meeting.",
        "More confident challenging other agencies. Happy to talk: sam.walker@example.org",
        "Have not had a case yet where this applied.",
        "Call me on 07700 900123 about running this for our staff.",
    ];
    for (i, b) in bookings.iter().enumerate() {
        if !b.trained || !g.chance(0.40) {
            continue;
        }
        let session = &sessions[b.session];
        let responded = session.date + Duration::days(g.range(60, 100) as i64);
        let applied = g.chance(0.72);
        let mut row = vec![
            s(&session.id),
            s(b.delegate.clone()),
            if i % 13 == 0 {
                s("next week")
            } else {
                s(responded.format("%d/%m/%Y").to_string())
            },
            s(*g.pick(if applied {
                &["Yes", "Y", "yes"]
            } else {
                &["No", "N", "no"]
            })),
        ];
        for _ in IMPACT_ITEMS {
            let score = clamp_score(if applied { 4.0 } else { 2.8 } + g.normal() * 0.8);
            row.push(V::N(score as f64));
        }
        row.push(s(*g.pick(&comments)));
        impact_rows.push(row);
    }
    // The "next week" slip happens once in a while, not every 13th row at scale.
    let mut slips = 0;
    for row in impact_rows.iter_mut() {
        if matches!(&row[2], V::S(t) if t == "next week") {
            slips += 1;
            if slips > 2 * scale as usize {
                row[2] = s(row[2].text().replace("next week", ""));
            }
        }
    }
    let mut impact_header = vec![
        "session_id",
        "delegate_id",
        "responded_at",
        "Have you applied the learning?",
    ];
    for item in IMPACT_ITEMS {
        impact_header.push(Box::leak(format!("Impact: {item}").into_boxed_str()));
    }
    impact_header.push("Comments");
    let impact = Table {
        preamble: vec![],
        header: impact_header,
        rows: impact_rows,
    };

    // agency_returns: one row per agency, year and level, years in several spellings.
    let levels = [("Level 1", 0.55), ("Level 2", 0.35), ("Level 3", 0.10)];
    let mut return_rows = Vec::new();
    for fy in YEARS {
        for (a, def) in AGENCIES.iter().enumerate() {
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
                    def.name.to_string()
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
    let agency_returns = Table {
        preamble: vec![],
        header: vec!["Agency", "Financial Year", "Level", "Headcount", "Trained"],
        rows: return_rows,
    };

    let agencies = Table {
        preamble: vec![],
        header: vec![
            "agency",
            "aliases",
            "sector",
            "statutory_partner",
            "charge_exempt",
        ],
        rows: AGENCIES
            .iter()
            .map(|a| {
                vec![
                    s(a.name),
                    s(a.aliases.join("; ")),
                    s(a.sector),
                    s(if a.statutory { "Yes" } else { "No" }),
                    s(if a.exempt { "Yes" } else { "No" }),
                ]
            })
            .collect(),
    };

    let write_as = |name: &str, table: &Table, sheet: &str, xlsx: bool| -> Result<String> {
        let file = if xlsx {
            format!("{name}.xlsx")
        } else {
            format!("{name}.csv")
        };
        let path = out.join(&file);
        let sheet = Sheet { name: sheet, table };
        let bytes = if xlsx {
            write::xlsx(&[sheet], &EXPORT)
        } else {
            Ok(write::csv(&sheet, &EXPORT))
        };
        let bytes = bytes.map_err(|e| Error::Internal(format!("writing {file}: {e}")))?;
        std::fs::write(&path, bytes).map_err(|source| Error::Io {
            context: format!("could not write '{}'", path.display()),
            source,
        })?;
        Ok(file)
    };
    let xlsx = !csv_only;
    let written = if layout == Layout::Exports {
        let exports = as_exports(&sessions, attendance, sessions_table, evaluations, impact);
        let mut written = Vec::new();
        for (name, table) in exports.iter() {
            // SurveyMonkey's second header row is not a response.
            let responses = table.rows.len() - usize::from(*name == "Follow-up survey");
            written.push((write_as(name, table, "", false)?, responses));
        }
        for (name, table) in [("agency_returns", &agency_returns), ("agencies", &agencies)] {
            written.push((write_as(name, table, "", false)?, table.rows.len()));
        }
        let path = out.join(crate::config::CONFIG_FILE_NAME);
        std::fs::write(&path, EXPORTS_HUB_TOML).map_err(|source| Error::Io {
            context: format!("could not write '{}'", path.display()),
            source,
        })?;
        written.push((crate::config::CONFIG_FILE_NAME.to_string(), 0));
        written
    } else {
        vec![
            (
                write_as("attendance", &attendance, "Bookings", xlsx)?,
                attendance.rows.len(),
            ),
            (
                write_as("sessions", &sessions_table, "Sessions", false)?,
                sessions_table.rows.len(),
            ),
            (
                write_as("evaluations", &evaluations, "Responses", xlsx)?,
                evaluations.rows.len(),
            ),
            (
                write_as("impact", &impact, "Impact", false)?,
                impact.rows.len(),
            ),
            (
                write_as("agency_returns", &agency_returns, "Returns", xlsx)?,
                agency_returns.rows.len(),
            ),
            (
                write_as("agencies", &agencies, "Register", xlsx)?,
                agencies.rows.len(),
            ),
        ]
    };

    let mut summary = format!(
        "wrote a sample partnership to {} (scale {scale}, seed {seed}): {} agencies, {} courses, {} sessions, {} bookings ({} trained) over 2024-25 and 2025-26\n",
        out.display(),
        AGENCIES.len(),
        COURSES.len(),
        sessions.len(),
        total_bookings,
        trained_count
    );
    for (file, n) in written {
        if file == crate::config::CONFIG_FILE_NAME {
            let _ = writeln!(
                summary,
                "  {file}: reads the exports (hubreport report --config {})",
                out.join(&file).display()
            );
        } else {
            let _ = writeln!(summary, "  {file}: {n} rows");
        }
    }
    Ok(summary.trim_end().to_string())
}

/// The hub.toml that reads `sample --as-exports`: what the exports cannot
/// say themselves.
const EXPORTS_HUB_TOML: &str = r#"# The sample partnership as its tools export it. Every other setting keeps
# its default (hubreport init writes them all, documented).

# Totara Seminar: a report from the Seminar Sign-ups source, exported as CSV.
# No session ids: each sign-up is matched to sessions.csv by course and start.
[sources.attendance]
path = "Seminar Sign-ups.csv"

# One Google Form for every course, its responses downloaded as CSV. The
# course and the session are questions; the confidence grids are asked before
# and after, and named as the hub names its items.
[sources.evaluations]
path = "Course evaluation (Responses).csv"
session_from = "Which session did you attend?"
pre = "Before the course*"
post = "After the course*"
items = ["Knowledge of the topic", "Recognising signs", "Confidence to act", "Knowing local procedures"]

[sources.evaluations.columns]
course = ["Which course did you attend?"]

# The follow-up survey in SurveyMonkey: all responses, CSV, expanded. Each
# invitation carried the session id as custom data.
[sources.impact]
path = "Follow-up survey.csv"
impact = "Since the course*"
items = ["Changed my practice", "Shared learning with colleagues", "More confident making referrals"]

[sources.impact.columns]
session_id = ["Custom Data 1"]
"#;

/// A start time for each session, distinct among the sessions of a course
/// on one day (the tools name a session by course, date and time).
fn start_times(sessions: &[Session]) -> Vec<chrono::NaiveTime> {
    let mut seen: std::collections::HashMap<(usize, NaiveDate), u32> =
        std::collections::HashMap::new();
    sessions
        .iter()
        .map(|se| {
            let k = seen.entry((se.course, se.date)).or_default();
            let minutes = (9 * 60 + 30 + (*k % 2) * 240 + (*k / 2) * 15) % (24 * 60);
            *k += 1;
            chrono::NaiveTime::from_hms_opt(minutes / 60, minutes % 60, 0).unwrap_or_default()
        })
        .collect()
}

fn leak(text: String) -> &'static str {
    Box::leak(text.into_boxed_str())
}

/// Totara's date-time: `5 March 2024, 9:30 AM Europe/London`.
fn totara_time(d: NaiveDate, t: chrono::NaiveTime) -> String {
    format!(
        "{}, {} Europe/London",
        d.format("%-d %B %Y"),
        t.format("%-I:%M %p")
    )
}

/// A canonical cell's date, if it holds one: a date, or UK text.
fn date_of(v: &V) -> Option<NaiveDate> {
    match v {
        V::D(d) => Some(*d),
        V::S(t) => NaiveDate::parse_from_str(t.trim(), "%d/%m/%Y").ok(),
        _ => None,
    }
}

/// The canonical tables rewritten as the tools export them. Every value a
/// metric reads is carried over as written (slips and all), so the two
/// layouts give the same tables.
fn as_exports(
    sessions: &[Session],
    attendance: Table,
    sessions_table: Table,
    evaluations: Table,
    impact: Table,
) -> Vec<(&'static str, Table)> {
    let times = start_times(sessions);
    let by_id: std::collections::HashMap<&str, usize> = sessions
        .iter()
        .enumerate()
        .map(|(i, se)| (se.id.as_str(), i))
        .collect();
    let session_of = |v: &V| match v {
        V::S(id) => by_id.get(id.as_str()).copied(),
        _ => None,
    };

    // sessions: the same, each date with its start time.
    let mut sessions_out = sessions_table;
    for row in &mut sessions_out.rows {
        if let Some(i) = session_of(&row[0]) {
            let time = times[i].format("%H:%M");
            row[2] = s(format!("{} {time}", row[2].text()));
        }
    }

    // attendance: Totara Seminar sign-ups, no session id.
    let totara_status = |v: V| match &v {
        V::S(t) if t == "Attended" => s("Fully attended"),
        V::S(t) if t == "DNA" => s("No show"),
        V::S(t) if t == "Cancelled" => s("User Cancelled"),
        _ => v,
    };
    let rows = attendance
        .rows
        .into_iter()
        .map(|row| {
            if row.len() < 9 {
                return row;
            }
            let session = session_of(&row[0]);
            let mut it = row.into_iter();
            let (id, course, date, name, email, agency, status, booked, cancelled) = (
                it.next().unwrap_or(V::Blank),
                it.next().unwrap_or(V::Blank),
                it.next().unwrap_or(V::Blank),
                it.next().unwrap_or(V::Blank),
                it.next().unwrap_or(V::Blank),
                it.next().unwrap_or(V::Blank),
                it.next().unwrap_or(V::Blank),
                it.next().unwrap_or(V::Blank),
                it.next().unwrap_or(V::Blank),
            );
            let start = match (session, date_of(&date)) {
                (Some(i), Some(d)) => s(totara_time(d, times[i])),
                _ => date,
            };
            let when = |v: V| match date_of(&v) {
                Some(d) if matches!(v, V::D(_)) => s(totara_time(
                    d,
                    chrono::NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default(),
                )),
                _ => v,
            };
            // The totals row keeps its label first.
            let first = match &id {
                V::S(t) if t == "Total" => id,
                _ => name,
            };
            vec![
                first,
                course,
                start,
                email,
                agency,
                totara_status(status),
                when(booked),
                when(cancelled),
            ]
        })
        .collect();
    let attendance_out = Table {
        preamble: vec![],
        header: vec![
            "User's Fullname",
            "Course Name",
            "Session Start Date/Time",
            "User's Email",
            "User's Organisation Name(s)",
            "Status",
            "Time of sign-up",
            "Cancellation date",
        ],
        rows,
    };

    // evaluations: one Google Form, course and session as questions.
    let mut header = vec![
        "Timestamp",
        "Email address",
        "Which course did you attend?",
        "Which session did you attend?",
    ];
    for item in ITEMS {
        header.push(leak(format!(
            "Before the course, how far do you agree? [{item}]"
        )));
    }
    for item in ITEMS {
        header.push(leak(format!(
            "After the course, how far do you agree? [{item}]"
        )));
    }
    header.extend([
        "Overall satisfaction",
        "Relevance to my role",
        "Any other comments",
    ]);
    let rows = evaluations
        .rows
        .into_iter()
        .map(|row| {
            let i = session_of(&row[0]);
            let mut row = row.into_iter();
            let id = row.next().unwrap_or(V::Blank);
            let email = row.next().unwrap_or(V::Blank);
            let rest: Vec<V> = row.collect();
            let (course, answer, stamp) = match i {
                Some(i) => {
                    let se = &sessions[i];
                    (
                        s(COURSES[se.course].title),
                        s(format!(
                            "{}, {}",
                            se.date.format("%A %-d %B %Y"),
                            times[i].format("%-I:%M%P")
                        )),
                        s(format!("{} 17:05:00", se.date.format("%Y/%m/%d"))),
                    )
                }
                None => (V::Blank, id, V::Blank),
            };
            // Pre and post alternate in the canonical row: the form asks
            // every pre statement first.
            let (mut pre, mut post) = (Vec::new(), Vec::new());
            let mut scores = rest.into_iter();
            for _ in ITEMS {
                pre.push(scores.next().unwrap_or(V::Blank));
                post.push(scores.next().unwrap_or(V::Blank));
            }
            let mut out = vec![stamp, email, course, answer];
            out.extend(pre);
            out.extend(post);
            out.extend(scores);
            out
        })
        .collect();
    let evaluations_out = Table {
        preamble: vec![],
        header,
        rows,
    };

    // impact: SurveyMonkey, two header rows, the session id as custom data,
    // US dates.
    let mut header = vec![
        "Respondent ID",
        "Collector ID",
        "Start Date",
        "End Date",
        "IP Address",
        "Email Address",
        "First Name",
        "Last Name",
        "Custom Data 1",
        "Have you applied the learning?",
        "Since the course, how far do you agree?",
    ];
    header.extend((1..IMPACT_ITEMS.len()).map(|_| ""));
    header.push("Comments");
    let mut second: Vec<V> = (0..9).map(|_| V::Blank).collect();
    second.push(s("Response"));
    second.extend(IMPACT_ITEMS.iter().map(|i| s(*i)));
    second.push(s("Open-Ended Response"));
    let mut rows = vec![second];
    for (n, row) in impact.rows.into_iter().enumerate() {
        let mut row = row.into_iter();
        let id = row.next().unwrap_or(V::Blank);
        let email = row.next().unwrap_or(V::Blank);
        let responded = row.next().unwrap_or(V::Blank);
        let end = match date_of(&responded) {
            Some(d) => s(format!("{} 10:15:00 AM", d.format("%m/%d/%Y"))),
            None => responded,
        };
        let mut out = vec![
            V::N((11_500_000_000u64 + n as u64) as f64),
            V::N(400_000_001.0),
            end.clone_text(),
            end,
            V::Blank,
            email,
            V::Blank,
            V::Blank,
            id,
        ];
        out.extend(row);
        rows.push(out);
    }
    let impact_out = Table {
        preamble: vec![],
        header,
        rows,
    };

    vec![
        ("Seminar Sign-ups", attendance_out),
        ("sessions", sessions_out),
        ("Course evaluation (Responses)", evaluations_out),
        ("Follow-up survey", impact_out),
    ]
}

fn clone_v(v: &V) -> V {
    match v {
        V::S(x) => V::S(x.clone()),
        V::N(n) => V::N(*n),
        V::D(d) => V::D(*d),
        V::Blank => V::Blank,
    }
}

impl V {
    fn clone_text(&self) -> V {
        clone_v(self)
    }

    fn text(&self) -> String {
        match self {
            V::S(x) => x.clone(),
            V::N(n) => crate::load::sheet::format_number(*n),
            V::D(d) => d.format("%d/%m/%Y").to_string(),
            V::Blank => String::new(),
        }
    }
}

/// How the sample's files are written: as the tools write theirs (no
/// formula neutralising), UK dates, a row at a time.
const EXPORT: Style = Style {
    formula_safe: false,
    date: ("%d/%m/%Y", "dd/mm/yyyy"),
    created: (2026, 4, 1),
    by_column: false,
    fitted: false,
    max_rows: write::XLSX_MAX_ROWS,
    overflow_to: None,
};

/// A sample table on its sheet, as the writers read it.
struct Sheet<'a> {
    name: &'a str,
    table: &'a Table,
}

impl Grid for Sheet<'_> {
    fn name(&self) -> &str {
        self.name
    }
    fn preamble(&self) -> &[String] {
        &self.table.preamble
    }
    fn header(&self) -> Vec<&str> {
        self.table.header.clone()
    }
    fn height(&self) -> usize {
        self.table.rows.len()
    }
    fn width(&self, row: usize) -> usize {
        self.table.rows[row].len()
    }
    fn cell(&self, row: usize, column: usize) -> Value<'_> {
        match &self.table.rows[row][column] {
            V::S(x) => Value::Text(x),
            V::N(n) => Value::Float(*n),
            V::D(d) => Value::Date(*d),
            V::Blank => Value::Empty,
        }
    }
}
