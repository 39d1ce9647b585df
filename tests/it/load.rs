//! The load stage against small fixtures whose every value is worked out by
//! hand from the data contract.

use std::path::Path;

use chrono::NaiveDate;
use hubreport::config::Config;
use hubreport::load;
use hubreport::model::{Dataset, Status};

use crate::common::{fixtures, folder, keyed};

fn load_dir(dir: &Path, config: &Config) -> Dataset {
    load::load(config, dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

#[test]
fn every_format_loads_to_equal_dataframes() {
    let config = keyed();
    let reference = load_dir(&fixtures().join("formats/csv"), &config);
    let reference_frames =
        hubreport::frame::frames(&reference, &hubreport::calendar::Calendar::new(4)).unwrap();
    assert_eq!(reference_frames.attendance.height(), 6);
    for kind in ["xlsx", "xlsx1904", "xls", "ods"] {
        let data = load_dir(&fixtures().join("formats").join(kind), &config);
        assert_eq!(
            data.quality.rows_rejected(),
            0,
            "{kind}: {:?}",
            data.quality.rejections
        );
        let frames =
            hubreport::frame::frames(&data, &hubreport::calendar::Calendar::new(4)).unwrap();
        for ((name, a), (_, b)) in reference_frames.tables().iter().zip(frames.tables()) {
            assert!(
                a.equals_missing(b),
                "{kind}: table {name} differs\ncsv:\n{a}\n{kind}:\n{b}"
            );
        }
    }
}

#[test]
fn the_1904_workbook_reads_the_same_dates_as_its_1900_twin() {
    let config = keyed();
    let d1900 = load_dir(&fixtures().join("formats/xlsx"), &config);
    let d1904 = load_dir(&fixtures().join("formats/xlsx1904"), &config);
    let dates = |d: &Dataset| {
        d.bookings
            .iter()
            .map(|b| (b.session_date, b.cancelled_at))
            .collect::<Vec<_>>()
    };
    assert_eq!(dates(&d1900), dates(&d1904));
    assert_eq!(d1904.bookings[0].session_date, date(2024, 4, 3));
    assert_eq!(d1904.bookings[2].cancelled_at, Some(date(2024, 3, 30)));
}

#[test]
fn format_fixture_values_by_hand() {
    let d = load_dir(&fixtures().join("formats/csv"), &keyed());
    let statuses: Vec<Status> = d.bookings.iter().map(|b| b.status).collect();
    // Cancelled 4 days before: late. Cancelled 30 days before: cancelled.
    assert_eq!(
        statuses,
        [
            Status::Attended,
            Status::Dna,
            Status::LateCancellation,
            Status::WalkIn,
            Status::Cancelled,
            Status::Attended
        ]
    );
    // No register: names are kept trimmed, not flagged.
    assert_eq!(&*d.bookings[4].agency, "northshire police");
    assert!(d.quality.unmatched_agencies.is_empty());
    // 31 March and 1 April stay on their days.
    assert_eq!(d.bookings[4].session_date, date(2025, 3, 31));
    assert_eq!(d.bookings[5].session_date, date(2025, 4, 1));
    // AMY@police.uk links to amy@police.uk's walk-in: three forms, all linked.
    assert_eq!(d.forms.len(), 3);
    assert_eq!(d.forms[1].delegate, d.bookings[3].delegate);
    let knowledge: Vec<(Option<f64>, Option<f64>)> =
        d.scores.iter().map(|s| (s.pre, s.post)).collect();
    assert_eq!(
        knowledge,
        [
            (Some(2.0), Some(4.0)),
            (Some(3.0), Some(3.0)),
            (Some(1.0), None)
        ]
    );
    assert_eq!(d.forms[0].satisfaction, Some(5.0));
    // No raw identifier survives the loader.
    for b in &d.bookings {
        assert!(!b.delegate.contains('@'), "{}", b.delegate);
    }
}

const REGISTER: &str = "agency,aliases,sector,statutory_partner,charge_exempt
Northshire Police,NSP; Constabulary,Police,yes,no
Children & Families Service,CFS,Local authority,Y,N
Safe Homes,,Voluntary sector,no,yes
";

#[test]
fn messy_attendance_is_read_rejected_skipped_and_merged_by_the_rules() {
    let attendance = "Bookings export,,,,,
Exported 01/04/2025,,,,,
,,,,,
Session ID,Delegate Email,Employer,Attendance Status,Session Date,Cancelled On
S1, Jo@X.org ,nsp,Attended,03/04/2024,
S1,jo@x.org,Northshire Police,Cancelled,03/04/2024,01/03/2024
S1,kim@x.org,children and families service,No show,2024-04-03,
S1,lee@x.org,Northshire Polce,Maybe,03/04/2024,
,,,,,
S2,lee@x.org,Northshire Polce,Withdrawn,04/04/2024,01/04/2024
S2,max@x.org,Safe Homes,Walk in,31/02/2024,
S2,,Safe Homes,Attended,04/04/2024,
S2,ned@x.org,Acme Widgets,Present,N/A,
Total,8,,,,
";
    let dir = folder(&[("attendance.csv", attendance), ("agencies.csv", REGISTER)]);
    let d = load_dir(dir.path(), &keyed());
    let q = &d
        .quality
        .sources
        .iter()
        .find(|s| s.source == "attendance")
        .unwrap();
    // 10 rows below the header: 1 blank and 1 totals row skipped; 4 rejected
    // (unknown status, impossible date, missing email, missing session date).
    assert_eq!(
        (q.rows_read, q.rows_loaded, q.rows_rejected, q.rows_skipped),
        (10, 4, 4, 2)
    );
    assert_eq!(
        q.rows_read,
        q.rows_loaded + q.rows_rejected + q.rows_skipped
    );
    // jo's two rows are one booking; attended beats cancelled.
    assert_eq!(q.duplicates_merged, 1);
    assert_eq!(d.bookings.len(), 3);
    assert_eq!(d.bookings[0].status, Status::Attended);
    assert_eq!(&*d.bookings[0].agency, "Northshire Police");
    assert_eq!(&*d.bookings[1].agency, "Children & Families Service");
    assert_eq!(d.bookings[1].status, Status::Dna);
    // Withdrawn 3 days before the session: a late cancellation.
    assert_eq!(d.bookings[2].status, Status::LateCancellation);
    assert_eq!(&*d.bookings[2].agency, "Northshire Polce");
    assert!(!d.bookings[2].agency_matched);
    let u = &d.quality.unmatched_agencies;
    assert_eq!(u.len(), 1, "{u:?}");
    assert_eq!(u[0].suggestion.as_deref(), Some("Northshire Police"));
    // Every rejection names file, row as Excel shows it, column, value and reason.
    let r: Vec<(u32, &str, &str)> = d
        .quality
        .rejections
        .iter()
        .map(|r| (r.row, r.column.as_str(), r.value.as_str()))
        .collect();
    assert_eq!(
        r,
        [
            (8, "Attendance Status", "Maybe"),
            (11, "Session Date", "31/02/2024"),
            (12, "Delegate Email", ""),
            (13, "session_date", "")
        ]
    );
    assert!(
        d.quality
            .rejections
            .iter()
            .all(|r| r.file == "attendance.csv")
    );
    assert!(d.quality.rejections[0].reason.contains("unknown status"));
    assert!(
        d.quality.rejections[3]
            .reason
            .contains("no sessions source")
    );
}

#[test]
fn sessions_supply_dates_and_a_booking_of_an_unknown_session_is_rejected() {
    let sessions = "session_id,course,session_date,places,mode,duration,trainer_cost,venue_cost
s1,Neglect,03/04/2024,20,Classroom,Full day,\"£1,200\",-
S2,Exploitation,04/04/2024,TBC,virtual,3 hours,300,0
S1,Duplicate of S1,05/04/2024,10,Classroom,Half day,1,1
";
    let attendance = "session_id,delegate_id,agency,status
S1,a@x.org,Police,Attended
S3,b@x.org,Police,Attended
";
    let dir = folder(&[("attendance.csv", attendance), ("sessions.csv", sessions)]);
    let d = load_dir(dir.path(), &keyed());
    assert_eq!(d.sessions.len(), 2);
    let s1 = &d.sessions[0];
    assert_eq!(
        (s1.places, s1.trainer_cost, s1.venue_cost),
        (Some(20), Some(1200.0), None)
    );
    assert_eq!(d.sessions[1].places, None, "TBC is missing, never zero");
    assert_eq!(
        d.sessions[1].duration,
        Some(hubreport::duration::Duration::HalfDay)
    );
    let sq = d
        .quality
        .sources
        .iter()
        .find(|s| s.source == "sessions")
        .unwrap();
    assert_eq!(sq.duplicates_merged, 1);
    assert_eq!(d.bookings.len(), 1);
    assert_eq!(d.bookings[0].session_date, date(2024, 4, 3));
    assert_eq!(d.bookings[0].course.as_deref(), Some("Neglect"));
    assert_eq!(d.quality.rejections.len(), 1);
    assert!(
        d.quality.rejections[0]
            .reason
            .contains("'s3' is not in the sessions source")
    );
}

#[test]
fn evaluations_link_dedupe_and_read_labels_and_long_form() {
    let attendance = "session_id,delegate_id,agency,status,session_date
S1,a@x.org,Police,Attended,01/05/2024
S1,b@x.org,Police,DNA,01/05/2024
S1,c@x.org,Police,Walk-in,01/05/2024
";
    let wide = "session_id,delegate_id,Pre - Knowledge,Post - Knowledge,pre_confidence,post_confidence,satisfaction
S1,a@x.org,2,4 - Agree,Disagree,strongly agree,5
S1,A@X.ORG,1,1,1,1,1
S1,b@x.org,1,5,1,5,5
S1,c@x.org,6,5,,,
";
    let dir = folder(&[("attendance.csv", attendance), ("evaluations.csv", wide)]);
    let d = load_dir(dir.path(), &keyed());
    let q = d
        .quality
        .sources
        .iter()
        .find(|s| s.source == "evaluations")
        .unwrap();
    assert_eq!(
        (
            q.rows_loaded,
            q.rows_rejected,
            q.duplicates_merged,
            q.unmatched_links
        ),
        (3, 1, 1, 1)
    );
    assert_eq!(
        d.forms.len(),
        1,
        "b did not attend; c's row was rejected; a's second form is a duplicate"
    );
    let scores: Vec<(&str, Option<f64>, Option<f64>)> =
        d.scores.iter().map(|s| (&*s.item, s.pre, s.post)).collect();
    assert_eq!(
        scores,
        [
            ("knowledge", Some(2.0), Some(4.0)),
            ("confidence", Some(2.0), Some(5.0))
        ]
    );
    assert!(d.quality.rejections[0].reason.contains("off the 1-5 scale"));

    let long = "session_id,delegate_id,item,phase,score
S1,a@x.org,Knowledge,pre,2
S1,a@x.org,Knowledge,post,4
S1,c@x.org,Knowledge,Pre,3
";
    let dir = folder(&[("attendance.csv", attendance), ("evaluations.csv", long)]);
    let d = load_dir(dir.path(), &keyed());
    let scores: Vec<(Option<f64>, Option<f64>)> =
        d.scores.iter().map(|s| (s.pre, s.post)).collect();
    assert_eq!(scores, [(Some(2.0), Some(4.0)), (Some(3.0), None)]);
}

#[test]
fn a_second_scale_applies_to_its_items() {
    let attendance = "session_id,delegate_id,agency,status,session_date\nS1,a@x.org,Police,Attended,01/05/2024\n";
    let evals = "session_id,delegate_id,pre_confidence,post_confidence,pre_knowledge,post_knowledge\nS1,a@x.org,3,9,2,4\n";
    let dir = folder(&[("attendance.csv", attendance), ("evaluations.csv", evals)]);
    let mut config = keyed();
    config.scales.insert(
        "confidence".into(),
        hubreport::config::Scale {
            min: 1,
            max: 10,
            labels: vec![],
            items: vec!["confidence".into()],
        },
    );
    let d = load_dir(dir.path(), &config);
    assert_eq!(d.scores[0].scale_max, 10.0);
    assert_eq!(d.scores[0].post, Some(9.0));
    assert_eq!(d.scores[1].scale_max, 5.0);
}

#[test]
fn impact_returns_and_register_rules() {
    let attendance =
        "session_id,delegate_id,agency,status,session_date\nS1,a@x.org,NSP,Attended,01/05/2024\n";
    let impact =
        "session_id,delegate_id,responded_at,applied_learning,Impact: Changed my practice,comment
S1,a@x.org,15/07/2024,Y,4 - Agree,Ring me on 07700 900123 or a@x.org
S1,z@x.org,15/07/2024,no,2,
";
    let returns = "agency,year,level,headcount,trained
Northshire Police,2024-25,Level 1,100,90
northshire police,FY2024/25,Level 1,100,10
CFS,31/03/2025,Level 2,N/A,5
Safe Homes,2024,Level 1,10,9
Acme Widgets,2025-2026,Level 1,10,9
";
    let dir = folder(&[
        ("attendance.csv", attendance),
        ("impact.csv", impact),
        ("agency_returns.csv", returns),
        ("agencies.csv", REGISTER),
    ]);
    let d = load_dir(dir.path(), &keyed());
    assert_eq!(d.responses.len(), 1);
    assert_eq!(d.responses[0].applied_learning, Some(true));
    assert_eq!(
        d.responses[0].comment.as_deref(),
        Some("Ring me on [phone] or [email]")
    );
    assert_eq!(d.impact_scores[0].score, 4.0);
    let iq = d
        .quality
        .sources
        .iter()
        .find(|s| s.source == "impact")
        .unwrap();
    assert_eq!(iq.unmatched_links, 1);
    // Returns: the duplicate for police counts once; N/A headcount and a bare
    // year are rejected; Acme is kept under its own name.
    let got: Vec<(&str, i32, i64)> = d
        .returns
        .iter()
        .map(|r| (r.agency.as_str(), r.fy, r.trained))
        .collect();
    assert_eq!(
        got,
        [("Northshire Police", 2024, 90), ("Acme Widgets", 2025, 9)]
    );
    let rq = d
        .quality
        .sources
        .iter()
        .find(|s| s.source == "agency_returns")
        .unwrap();
    assert_eq!(
        (
            rq.rows_read,
            rq.rows_loaded,
            rq.rows_rejected,
            rq.duplicates_merged
        ),
        (5, 3, 2, 1)
    );
    assert_eq!(d.quality.unmatched_agencies[0].name, "Acme Widgets");
    assert!(d.agencies[2].charge_exempt);
    assert_eq!(d.agencies[0].statutory_partner, Some(true));
}

#[test]
fn config_aliases_sheet_choice_and_stacked_globs() {
    let q1 = "Ref,Person,Employer name,Outcome,When\nS1,a@x.org,Police,Attended,01/05/2024\n";
    let q2 = "Outcome,Ref,Person,Employer name,When\nDNA,S2,b@x.org,Police,01/08/2024\n";
    let dir = folder(&[("bookings-q1.csv", q1), ("bookings-q2.csv", q2)]);
    let text = r#"
[sources.attendance]
path = "bookings-*.csv"
[sources.attendance.columns]
session_id = ["Ref"]
delegate_id = ["Person"]
agency = ["Employer name"]
status = ["Outcome"]
session_date = ["When"]
"#;
    let mut config = Config::parse(text, Path::new("hub.toml")).unwrap();
    config.pseudonymisation.key = Some("k".repeat(20));
    let d = load_dir(dir.path(), &config);
    assert_eq!(d.bookings.len(), 2);
    assert_eq!(d.quality.sources.len(), 2, "one ledger row per file");
    assert_eq!(d.bookings[1].status, Status::Dna);
}

#[test]
fn fatal_input_errors_name_the_file_and_what_was_found() {
    // A missing required column lists the columns found.
    let dir = folder(&[("attendance.csv", "session_id,delegate_id,agency\nS1,a,b\n")]);
    let err = load::load(&keyed(), dir.path()).unwrap_err().to_string();
    assert!(
        err.contains("attendance.csv") && err.contains("'status'") && err.contains("'delegate_id'"),
        "{err}"
    );

    // No attendance at all lists the files found.
    let dir = folder(&[("sessions.csv", "x\n")]);
    let err = load::load(&keyed(), dir.path()).unwrap_err().to_string();
    assert!(
        err.contains("no attendance file") && err.contains("sessions.csv"),
        "{err}"
    );

    // A sheet that is not there lists the sheets that are.
    let mut config = keyed();
    config.sources.attendance.sheet =
        Some(hubreport::config::SheetSelector::Name("Bookings".into()));
    let err = load::load(&config, &fixtures().join("formats/xlsx"))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("no sheet named 'Bookings'") && err.contains("'Data'"),
        "{err}"
    );

    // Two candidates for one source.
    let dir = folder(&[("attendance.csv", "a\n"), ("Attendance.xlsx", "b")]);
    let err = load::load(&keyed(), dir.path()).unwrap_err().to_string();
    assert!(err.contains("several files"), "{err}");
}

#[test]
fn truncated_and_random_files_give_errors_not_panics() {
    let good = std::fs::read(fixtures().join("formats/xlsx/attendance.xlsx")).unwrap();
    let xls = std::fs::read(fixtures().join("formats/xls/attendance.xls")).unwrap();
    let ods = std::fs::read(fixtures().join("formats/ods/attendance.ods")).unwrap();
    // A small deterministic generator: no dependency, same bytes every run.
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut noise = |n: usize| -> Vec<u8> {
        (0..n)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state as u8
            })
            .collect()
    };
    let mut cases: Vec<(&str, Vec<u8>)> = vec![
        ("attendance.xlsx", good[..good.len() / 2].to_vec()),
        ("attendance.xlsx", good[..100].to_vec()),
        ("attendance.xls", xls[..xls.len() / 2].to_vec()),
        ("attendance.ods", ods[..ods.len() / 3].to_vec()),
        ("attendance.xlsx", Vec::new()),
        ("attendance.csv", Vec::new()),
    ];
    for ext in ["xlsx", "xls", "xlsb", "ods", "csv"] {
        for size in [1, 64, 4096] {
            cases.push((
                Box::leak(format!("attendance.{ext}").into_boxed_str()),
                noise(size),
            ));
        }
    }
    // Flipped bytes inside a real workbook.
    let mut flipped = good.clone();
    for i in (200..flipped.len()).step_by(97) {
        flipped[i] ^= 0x5A;
    }
    cases.push(("attendance.xlsx", flipped));
    for (name, bytes) in cases {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(name), &bytes).unwrap();
        let result = std::panic::catch_unwind(|| load::load(&keyed(), dir.path()));
        match result {
            Ok(Err(e)) => assert!(
                e.to_string().contains(name),
                "{name}: error does not name the file: {e}"
            ),
            Ok(Ok(_)) => panic!("{name} ({} bytes) loaded without error", bytes.len()),
            Err(_) => panic!("{name} ({} bytes) panicked", bytes.len()),
        }
    }
}
