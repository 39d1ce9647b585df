//! The tools' own exports, each in a fixture folder with the hub.toml a user
//! would write: `tests/fixtures/exports/<tool>/`. Every expected value is
//! worked out by hand from the files and the README's rules. The tables a
//! report on each folder writes are the `exports-<tool>` cases of
//! `tests/fixtures/cases/`.

use std::path::PathBuf;

use hubreport::config::Config;
use hubreport::load;
use hubreport::model::{Dataset, SourceQuality, Status};

use crate::common::{TEST_KEY, fixtures, hubreport};

fn fixture(tool: &str) -> PathBuf {
    fixtures().join("exports").join(tool)
}

/// The fixture's own hub.toml, with a key so no key file is written.
fn load_tool(tool: &str) -> Dataset {
    let dir = fixture(tool);
    let mut config = Config::load(&dir.join("hub.toml")).unwrap();
    config.pseudonymisation.key = Some(TEST_KEY.into());
    load::load(&config, &dir).unwrap_or_else(|e| panic!("{tool}: {e}"))
}

fn ledger<'a>(d: &'a Dataset, file: &str) -> &'a SourceQuality {
    d.quality
        .sources
        .iter()
        .find(|s| s.file == file)
        .unwrap_or_else(|| panic!("no ledger for {file}"))
}

/// (read, loaded, rejected, skipped)
fn counts(q: &SourceQuality) -> (usize, usize, usize, usize) {
    (q.rows_read, q.rows_loaded, q.rows_rejected, q.rows_skipped)
}

/// Each booking as (session, agency, status), sorted.
fn bookings(d: &Dataset) -> Vec<(&str, &str, Status)> {
    let mut got: Vec<(&str, &str, Status)> = d
        .bookings
        .iter()
        .map(|b| (&*b.session_id, &*b.agency, b.status))
        .collect();
    got.sort_by_key(|g| (g.0, g.1));
    got
}

/// Each form's scores as (session, item, pre, post), sorted.
fn scores(d: &Dataset) -> Vec<(String, String, Option<f64>, Option<f64>)> {
    let mut v: Vec<_> = d
        .scores
        .iter()
        .map(|s| (s.session_id.to_string(), s.item.to_string(), s.pre, s.post))
        .collect();
    v.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    v
}

fn score(
    session: &str,
    item: &str,
    pre: f64,
    post: f64,
) -> (String, String, Option<f64>, Option<f64>) {
    (session.into(), item.into(), Some(pre), Some(post))
}

/// The msforms, surveymonkey and qualtrics fixtures hold the same two
/// answers: a@x.org at the morning session (Disagree, Agree; Agree, Strongly
/// agree) and b@x.org at the afternoon one (Strongly disagree, Disagree;
/// Agree, Agree).
fn ana_and_bo() -> Vec<(String, String, Option<f64>, Option<f64>)> {
    vec![
        score("n-0305-am", "making_a_referral", 4.0, 5.0),
        score("n-0305-am", "recognising_signs", 2.0, 4.0),
        score("n-0305-pm", "making_a_referral", 2.0, 4.0),
        score("n-0305-pm", "recognising_signs", 1.0, 4.0),
    ]
}

#[test]
fn eventbrite_files_take_course_and_date_from_config_and_attending_from_check_in() {
    let d = load_tool("eventbrite");
    let got = bookings(&d);
    // In the Neglect file two are checked in, so Jo's "Attending" is a
    // no-show; no one is checked in at the DA event, so both attended.
    assert_eq!(
        got,
        [
            ("eb-da-0312", "Health", Status::Attended),
            ("eb-da-0312", "Police", Status::Attended),
            ("eb-neg-0305", "Children's Services", Status::Attended),
            ("eb-neg-0305", "Education", Status::Cancelled),
            ("eb-neg-0305", "Health", Status::Dna),
            ("eb-neg-0305", "Police", Status::Attended),
        ]
    );
    assert!(d.bookings.iter().all(|b| b.course.is_some()));
    let q = ledger(&d, "eventbrite-neglect-2024-03-05.csv");
    assert_eq!(counts(q), (4, 4, 0, 0));
    assert_eq!(q.preset, Some(("eventbrite", true)));
    let notes = d.quality.notes.join("\n");
    assert!(
        notes.contains("eventbrite-neglect-2024-03-05.csv: 'Attending' is read as a no-show"),
        "{notes}"
    );
    assert!(
        notes.contains("eventbrite-dv-2024-03-12.csv: 'Attending' is read as attended"),
        "{notes}"
    );
}

#[test]
fn totara_sign_ups_find_their_session_by_course_date_and_time() {
    let d = load_tool("totara-seminar");
    let q = ledger(&d, "seminar_signups.csv");
    assert_eq!(q.preset, Some(("totara-seminar", false)));
    // Wait-listed is skipped; "Email is private" and a date with no session
    // are rejected.
    assert_eq!(counts(q), (6, 3, 2, 1));
    let mut got: Vec<(&str, Status)> = d
        .bookings
        .iter()
        .map(|b| (&*b.session_id, b.status))
        .collect();
    got.sort();
    assert_eq!(
        got,
        [
            ("t-da", Status::Cancelled),
            ("t-neg-am", Status::Attended),
            ("t-neg-pm", Status::Dna),
        ]
    );
    let reasons: Vec<(u32, &str, &str)> = d
        .quality
        .rejections
        .iter()
        .map(|r| (r.row, r.column.as_str(), r.reason.as_str()))
        .collect();
    assert_eq!(reasons[0].0, 4);
    assert_eq!(reasons[0].1, "User's Email");
    assert!(reasons[0].2.contains("ignoring user display setting"));
    assert_eq!(
        reasons[1],
        (
            7,
            "Session Start Date/Time",
            "no session of the course in the sessions source on 19/03/2024"
        )
    );
    let mapping = mapping(q);
    for (header, role) in [
        ("User's Fullname", "not read: a person's name"),
        ("Course Name", "course"),
        ("Session Start Date/Time", "session_date"),
        ("User's Email", "delegate_id"),
        ("User's Organisation Name(s)", "agency"),
        ("Seminar Name", "not read: the tool's own column"),
        ("Status", "status"),
        ("Time of sign-up", "booked_at"),
    ] {
        assert!(
            mapping.contains(&(header.into(), role.into())),
            "{header}: {mapping:?}"
        );
    }
}

#[test]
fn google_forms_grids_pair_in_order_and_answers_name_the_session() {
    let d = load_tool("googleforms");
    let q = ledger(&d, "Neglect evaluation.csv");
    assert_eq!(q.preset, Some(("googleforms", false)));
    assert_eq!(counts(q), (5, 3, 2, 0));
    assert_eq!(
        scores(&d),
        [
            score("n-0305-am", "making_a_referral", 3.0, 5.0),
            score("n-0305-am", "recognising_signs", 2.0, 4.0),
            score("n-0305-pm", "making_a_referral", 4.0, 4.0),
            score("n-0305-pm", "recognising_signs", 1.0, 2.0),
            score("n-0312", "making_a_referral", 4.0, 5.0),
            score("n-0312", "recognising_signs", 4.0, 5.0),
        ]
    );
    let mut satisfaction: Vec<(String, Option<f64>)> = d
        .forms
        .iter()
        .map(|f| (f.session_id.to_string(), f.satisfaction))
        .collect();
    satisfaction.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        satisfaction,
        [
            ("n-0305-am".into(), Some(5.0)),
            ("n-0305-pm".into(), Some(4.0)),
            ("n-0312".into(), Some(5.0))
        ]
    );
    let reasons: Vec<&str> = d
        .quality
        .rejections
        .iter()
        .map(|r| r.reason.as_str())
        .collect();
    assert_eq!(
        reasons,
        [
            "2 sessions of the course on 05/03/2024 (n-0305-am, n-0305-pm); the answer does not say which by time of day",
            "no session of the course in the sessions source on 08/03/2024",
        ]
    );
}

#[test]
fn microsoft_forms_pairs_a_statement_with_its_2_and_reads_a_typed_email() {
    let d = load_tool("msforms");
    let q = ledger(&d, "Neglect evaluation(1-3).csv");
    assert_eq!(q.preset, Some(("msforms", false)));
    assert_eq!(counts(q), (3, 2, 1, 0));
    assert_eq!(scores(&d), ana_and_bo());
    assert!(
        d.quality.rejections[0]
            .reason
            .contains("no work email was typed")
    );
    assert_eq!(
        d.quality
            .sources
            .iter()
            .map(|s| s.unmatched_links)
            .sum::<usize>(),
        0
    );
}

#[test]
fn surveymonkey_reads_its_two_header_rows() {
    let d = load_tool("surveymonkey");
    let q = ledger(&d, "Sheet_1.csv");
    assert_eq!(q.preset, Some(("surveymonkey", false)));
    assert_eq!(counts(q), (2, 2, 0, 0));
    assert_eq!(scores(&d), ana_and_bo());
    assert_eq!(q.ignored_columns, ["Custom Data 1"]);
}

#[test]
fn qualtrics_reads_three_header_rows_and_skips_unfinished_responses() {
    let d = load_tool("qualtrics");
    let q = ledger(&d, "Neglect_evaluation.csv");
    assert_eq!(q.preset, Some(("qualtrics", false)));
    assert_eq!(counts(q), (3, 2, 0, 1));
    assert_eq!(scores(&d), ana_and_bo());
    assert!(
        d.quality
            .notes
            .iter()
            .any(|n| n.contains("1 unfinished response(s) ('Finished' is false): skipped"))
    );
}

/// The mapping `check` lists for a file, as (header, what it became).
fn mapping(q: &SourceQuality) -> Vec<(String, String)> {
    q.mapping
        .iter()
        .map(|(h, r)| (h.clone(), r.to_string()))
        .collect()
}

#[test]
fn moodle_attendance_reads_one_row_per_person_and_session_column() {
    let d = load_tool("moodle-attendance");
    let q = ledger(&d, "NEG_Attendances_20240418-1000.txt");
    assert_eq!(q.preset, Some(("moodle-attendance", false)));
    // Five people by four sessions: six blank cells (another group's
    // session) and one outside an enrolment make no row; the five `?` of
    // the session not yet taken are skipped; `-X` is rejected.
    assert_eq!(counts(q), (14, 8, 1, 5));
    let got = bookings(&d);
    assert_eq!(
        got,
        [
            ("m-0403", "Education", Status::Cancelled),
            ("m-0403", "Health", Status::Attended),
            ("m-0403", "Police", Status::Dna),
            ("m-0410-am", "Children's Services", Status::Attended),
            ("m-0410-am", "Health", Status::Attended),
            ("m-0410-am", "Police", Status::Attended),
            ("m-0410-pm", "Education", Status::Attended),
            ("m-0410-pm", "Health", Status::Attended),
        ]
    );
    assert!(
        d.bookings
            .iter()
            .all(|b| b.course.as_deref() == Some("Safeguarding children: neglect"))
    );
    // A bad cell is reported under its session's heading, on the person's row.
    let r = &d.quality.rejections[0];
    assert_eq!(
        (r.row, r.column.as_str(), r.value.as_str()),
        (8, "3 Apr 2024 9.30AM All students April cohort", "-X")
    );
    assert!(r.reason.starts_with("unknown status"), "{}", r.reason);
    let notes = d.quality.notes.join("\n");
    assert!(
        notes.contains("1 session cell(s) for people outside their enrolment"),
        "{notes}"
    );
    let m = mapping(q);
    assert_eq!(
        m[0],
        ("Last name".into(), "not read: a person's name".into())
    );
    assert_eq!(
        m[6],
        (
            "3 Apr 2024 9.30AM All students April cohort".into(),
            "status at the session of 03/04/2024 09:30 (one row per person)".into()
        )
    );
    for (header, role) in [
        ("Email address", "delegate_id"),
        ("Institution", "agency"),
        ("Taken sessions", "not read: the tool's own column"),
        (
            "Course (the title row 'Safeguarding children: neglect')",
            "course",
        ),
    ] {
        assert!(m.contains(&(header.into(), role.into())), "{header}: {m:?}");
    }
}

#[test]
fn moodle_seminar_takes_course_and_start_from_its_title_rows() {
    let d = load_tool("moodle-seminar");
    let q = ledger(&d, "Neglect_5_March_2024.xlsx");
    assert_eq!(q.preset, Some(("moodle-seminar", false)));
    // Booked and Approved are not outcomes yet: skipped.
    assert_eq!(counts(q), (4, 3, 0, 1));
    assert_eq!(
        counts(ledger(&d, "DA seminar_12_March_2024.xlsx")),
        (2, 1, 0, 1)
    );
    let got = bookings(&d);
    // The 9:30 start in the title row picks the morning session of the two
    // on 5 March; the DA file's constant names its course.
    assert_eq!(
        got,
        [
            ("m-da-0312", "Children's Services", Status::Attended),
            ("m-neg-0305-am", "Education", Status::Attended),
            ("m-neg-0305-am", "Health", Status::Dna),
            ("m-neg-0305-am", "Police", Status::Attended),
        ]
    );
    let m = mapping(q);
    for (header, role) in [
        ("Email address", "delegate_id"),
        ("Institution", "agency"),
        ("Current status", "status"),
        ("Course (the title row 'Neglect')", "course"),
        (
            "Session date (the title row '5 March 2024, 9:30 AM - 5 March 2024, 12:30 PM')",
            "session_date",
        ),
    ] {
        assert!(m.contains(&(header.into(), role.into())), "{header}: {m:?}");
    }
    let da = mapping(ledger(&d, "DA seminar_12_March_2024.xlsx"));
    assert!(da.contains(&(
        "Course (the title row 'DA seminar')".into(),
        "not read: hub.toml gives course as a constant".into()
    )));
}

#[test]
fn smartsurvey_reads_numbered_questions_and_answer_rows() {
    let d = load_tool("smartsurvey");
    let q = ledger(&d, "RawData--Neglect-evaluation.csv");
    assert_eq!(q.preset, Some(("smartsurvey", false)));
    // The empty third header row is skipped; the third response has neither
    // an email nor a typed work email.
    assert_eq!(counts(q), (4, 2, 1, 1));
    assert_eq!(scores(&d), ana_and_bo());
    let mut satisfaction: Vec<Option<f64>> = d.forms.iter().map(|f| f.satisfaction).collect();
    satisfaction.sort_by(|a, b| a.partial_cmp(b).unwrap());
    assert_eq!(satisfaction, [Some(4.0), Some(5.0)]);
    let m = mapping(q);
    for (header, role) in [
        ("UserID", "not read: the tool's own column"),
        (
            "Q1. Which session did you attend?",
            "session_id (the session the answer names)",
        ),
        (
            "Q2. Before the course, how far did you agree? [Q2.1. I could recognise the signs of neglect]",
            "pre item 'recognising_signs'",
        ),
        ("Q4. Overall how satisfied were you?", "satisfaction"),
        ("Q5. Your work email address", "work_email"),
    ] {
        assert!(m.contains(&(header.into(), role.into())), "{header}: {m:?}");
    }
    assert_eq!(d.quality.rejections[0].row, 6);
}

#[test]
fn moodle_feedback_names_items_by_their_labels() {
    let d = load_tool("moodle-feedback");
    let q = ledger(&d, "Neglect evaluation.csv");
    assert_eq!(q.preset, Some(("moodle-feedback", false)));
    assert_eq!(counts(q), (3, 3, 0, 0));
    assert_eq!(
        scores(&d),
        [
            score("n-0305-am", "referral", 4.0, 5.0),
            score("n-0305-am", "signs", 2.0, 4.0),
            score("n-0305-pm", "referral", 2.0, 4.0),
            score("n-0305-pm", "signs", 1.0, 4.0),
            score("n-0312", "referral", 4.0, 5.0),
            score("n-0312", "signs", 4.0, 5.0),
        ]
    );
    assert_eq!(q.unmatched_links, 0);
    let m = mapping(q);
    for (header, role) in [
        ("(sat) Overall, how satisfied were you?", "satisfaction"),
        (
            "(session) Which session did you attend?",
            "session_id (the session the answer names)",
        ),
        ("(useful) Which parts were useful?", "not used"),
    ] {
        assert!(m.contains(&(header.into(), role.into())), "{header}: {m:?}");
    }
}

/// The sample partnership written canonically and as its tools export it
/// (`sample --as-exports`, read through the hub.toml it writes) gives the same
/// metric tables. Only the data-quality and rejected tables name the files
/// and their columns, so only they differ.
#[test]
fn sample_as_exports_gives_the_canonical_tables() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        hubreport()
            .current_dir(dir.path())
            .env("HUBREPORT_KEY", TEST_KEY)
            .args(args)
            .arg("--quiet")
            .assert()
    };
    run(&["sample", "--out", "canonical", "--csv"]).success();
    run(&["sample", "--out", "exports", "--as-exports"]).success();
    let period = ["--period", "2024-25", "--as-of", "2026-03-31"];
    run(&[
        &["report", "--data", "canonical", "--out", "a"][..],
        &period[..],
    ]
    .concat())
    .code(1);
    run(&[
        &["report", "--config", "exports/hub.toml", "--out", "b"][..],
        &period[..],
    ]
    .concat())
    .code(1);
    let tables = |out: &str| dir.path().join(out).join("2024-25/tables");
    let mut compared = 0;
    for entry in std::fs::read_dir(tables("a")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if !name.ends_with(".csv") || name == "data_quality.csv" || name == "rejected.csv" {
            continue;
        }
        let a = std::fs::read(tables("a").join(&name)).unwrap();
        let b = std::fs::read(tables("b").join(&name)).unwrap();
        assert!(a == b, "{name} differs");
        compared += 1;
    }
    assert!(compared >= 20, "only {compared} tables compared");
    // The same rows are read, loaded, rejected and merged from each source.
    let counts = |out: &str| -> Vec<String> {
        std::fs::read_to_string(tables(out).join("data_quality.csv"))
            .unwrap()
            .lines()
            .map(|l| {
                let f: Vec<&str> = l.split(',').collect();
                format!("{} {}", f[0], f[2..].join(","))
            })
            .collect()
    };
    assert_eq!(counts("a"), counts("b"));
}

/// `check` reads each tool's folder, as the analyst would first run it,
/// with the tool's preset. (`report` on each folder is an `exports-<tool>`
/// case: the tables worked out by hand are in its `expected/`.)
#[test]
fn check_reads_each_tools_folder_with_its_preset() {
    let tools = crate::common::names(&fixtures().join("exports"));
    let tools: Vec<&String> = tools.iter().filter(|t| !t.ends_with(".py")).collect();
    assert_eq!(tools.len(), 10, "{tools:?}");
    for tool in tools {
        let checked = hubreport()
            .env("HUBREPORT_KEY", TEST_KEY)
            .arg("check")
            .arg("--config")
            .arg(fixture(tool).join("hub.toml"))
            .output()
            .unwrap();
        assert!(
            matches!(checked.status.code(), Some(0 | 1)),
            "{tool}: {}",
            String::from_utf8_lossy(&checked.stderr)
        );
        let listing = String::from_utf8_lossy(&checked.stdout);
        assert!(listing.contains("read with the "), "{tool}: {listing}");
        assert!(
            fixtures()
                .join(format!("cases/exports-{tool}/case.toml"))
                .is_file(),
            "{tool} has no case"
        );
    }
}
