//! The sources' own checks: statuses, item names, masking and answers.

use super::{StatusVocabulary, Word, mask_personal, session_answer};
use crate::config::{Attending, Config, DateOrder};
use crate::fold::prefixed_item;
use crate::load::sheet::Cell;
use crate::model::Status;

#[test]
fn item_names_from_prefixed_headers() {
    assert_eq!(
        prefixed_item("pre_recognise_signs", "pre").as_deref(),
        Some("recognise_signs")
    );
    assert_eq!(
        prefixed_item("Pre: Recognise signs", "pre").as_deref(),
        Some("recognise_signs")
    );
    assert_eq!(
        prefixed_item("POST - Recognise Signs", "post").as_deref(),
        Some("recognise_signs")
    );
    assert_eq!(prefixed_item("Presentation quality", "pre"), None);
    assert_eq!(prefixed_item("pre", "pre"), None);
}

#[test]
fn personal_details_in_comments_are_masked() {
    assert_eq!(
        mask_personal("Email me at jo.bloggs@example.org, or ring 07700 900123."),
        "Email me at [email], or ring [phone]."
    );
    assert_eq!(
        mask_personal("Call (0161) 496-0000 please"),
        "Call [phone] please"
    );
    assert_eq!(
        mask_personal("Used it in 3 of 12 cases in 2024"),
        "Used it in 3 of 12 cases in 2024"
    );
}

#[test]
fn statuses_map_to_the_five_final_statuses() {
    let mut config = Config::default();
    config.status.attended.push("Signed in".into());
    let v = StatusVocabulary::new(&config);
    let status = |label: &str| {
        let word = v.parse(Cell::Text(label)).unwrap();
        v.resolve(&[word]).0[0]
    };
    for (label, expected) in [
        ("Attended", Status::Attended),
        ("checked in", Status::Attended),
        ("Signed In", Status::Attended),
        ("Did Not Attend", Status::Dna),
        ("NO SHOW", Status::Dna),
        ("Not checked-in", Status::Dna),
        ("late cancellation", Status::LateCancellation),
        ("Withdrawn", Status::Cancelled),
        ("Walk-in", Status::WalkIn),
        ("walk in", Status::WalkIn),
        ("Unbooked", Status::WalkIn),
        ("walk_in", Status::WalkIn),
        // Moodle Attendance's acronyms with their grade, Seminar's words
        // and grades, Eventbrite's.
        ("P (2/2)", Status::Attended),
        ("L (1/2)", Status::Attended),
        ("A (0/2)", Status::Dna),
        ("E", Status::Cancelled),
        ("Fully attended", Status::Attended),
        ("Partially attended", Status::Attended),
        ("No show", Status::Dna),
        ("User Cancelled", Status::Cancelled),
        ("Event Cancelled", Status::Cancelled),
        ("100.00", Status::Attended),
        ("0.00", Status::Dna),
        ("Not Attending", Status::Cancelled),
    ] {
        assert_eq!(status(label), Some(expected), "{label}");
    }
    assert_eq!(
        v.parse(Cell::Number(50.0)),
        Ok(Some(Word::Outcome(Status::Attended)))
    );
    for label in ["Booked", "Wait-listed", "?", "Requested"] {
        assert_eq!(
            v.parse(Cell::Text(label)),
            Ok(Some(Word::NotOutcome)),
            "{label}"
        );
    }
    let err = v.parse(Cell::Text("Maybe")).unwrap_err();
    assert!(
        err.contains("unknown status") && err.contains("[status]"),
        "{err}"
    );
}

#[test]
fn config_moves_a_built_in_word() {
    let mut config = Config::default();
    config.status.dna.push("Partially attended".into());
    config.status.attended.push("No show".into());
    let v = StatusVocabulary::new(&config);
    assert_eq!(
        v.parse(Cell::Text("partially attended")),
        Ok(Some(Word::Outcome(Status::Dna)))
    );
    assert_eq!(
        v.parse(Cell::Text("No show")),
        Ok(Some(Word::Outcome(Status::Attended)))
    );
}

#[test]
fn a_multi_select_answer_names_no_one_session() {
    let read = |a: &str| session_answer(Cell::Text(a), DateOrder::Uk, false);
    assert!(read("Tuesday 5 March 2024 (morning)").is_ok_and(|a| a.is_some()));
    for both in [
        "Tuesday 5 March 2024;Tuesday 12 March 2024",
        "5 March 2024\n12 March 2024",
        "5 March 2024   12 March 2024",
    ] {
        let e = read(both).unwrap_err();
        assert!(e.contains("names 2 choices"), "{both}: {e}");
    }
}

#[test]
fn attending_is_a_no_show_only_where_check_in_was_used() {
    let mut config = Config::default();
    let v = StatusVocabulary::new(&config);
    let att = Some(Word::Attending);
    let (with_check_in, note) = v.resolve(&[att, Some(Word::CheckedIn)]);
    assert_eq!(with_check_in, [Some(Status::Dna), Some(Status::Attended)]);
    assert!(note.unwrap().contains("no-show"));
    let (without, note) = v.resolve(&[att, att]);
    assert_eq!(without, [Some(Status::Attended); 2]);
    assert!(note.unwrap().contains("no one in the file is checked in"));
    assert_eq!(v.resolve(&[Some(Word::CheckedIn)]).1, None);
    config.status.attending = Attending::NotOutcome;
    let v = StatusVocabulary::new(&config);
    assert_eq!(v.resolve(&[att]).0, [None]);
}
