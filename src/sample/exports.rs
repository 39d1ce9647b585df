//! `sample --as-exports`: the canonical tables rewritten as the
//! partnership's tools export them (Totara Seminar sign-ups, a Google Forms
//! evaluation, a SurveyMonkey follow-up survey), and the hub.toml that
//! reads them.

use chrono::NaiveDate;

use super::bookings::Session;
use super::partnership::{IMPACT_ITEMS, ITEMS, Partnership};
use super::sheet::{Table, V, leak, s};

/// The hub.toml that reads `sample --as-exports`: what the exports cannot
/// say themselves.
pub(super) const EXPORTS_HUB_TOML: &str = r#"# The sample partnership as its tools export it. Every other setting keeps
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
pub(super) fn as_exports(
    p: &Partnership,
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
                        s(&p.courses[se.course].title),
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
            end.clone(),
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
