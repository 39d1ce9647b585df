use super::*;
use crate::calendar::fy_label;
use crate::config::DateOrder;
use crate::fold::header_key;
use crate::load::dates::*;
use chrono::{NaiveDate, NaiveTime};

fn t(s: &str) -> Cell<'_> {
    Cell::Text(s)
}
fn d(y: i32, m: u32, day: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, day)
}

#[test]
fn headers_match_ignoring_case_spaces_and_punctuation() {
    assert_eq!(header_key("Session ID"), "sessionid");
    assert_eq!(header_key("session_id"), "sessionid");
    assert_eq!(header_key(" Session-Id: "), "sessionid");
}

#[test]
fn fold_treats_ampersand_as_and() {
    assert_eq!(
        fold("Children & Families  Dept."),
        "children and families dept"
    );
    assert_eq!(
        fold("children and families dept"),
        "children and families dept"
    );
    assert_eq!(fold("St. Mary's  School"), "st marys school");
}

#[test]
fn missing_markers_are_missing_never_zero() {
    for m in ["N/A", "n/a", "-", "TBC", "", "  ", "—"] {
        assert_eq!(number(t(m)), Ok(None), "{m}");
        assert_eq!(count(t(m)), Ok(None), "{m}");
    }
    assert_eq!(number(Cell::Empty), Ok(None));
    assert_eq!(count(t("0")), Ok(Some(0)));
}

#[test]
fn numbers_read_with_thousands_and_currency() {
    assert_eq!(number(t("1,234")), Ok(Some(1234.0)));
    assert_eq!(money(t("£75.50")), Ok(Some(75.5)));
    assert!(count(t("12.5")).is_err());
    assert!(count(t("-3")).is_err());
    assert!(count(t("lots")).is_err());
    assert!(money(Cell::Number(-1.0)).is_err());
    assert_eq!(money(t("£1,234.50")), Ok(Some(1234.5)));
    assert_eq!(number(t("12,345,678")), Ok(Some(12345678.0)));
    // A decimal comma is not a thousands separator.
    for bad in ["4,5", "1,23", "12,3456", ",5", "1,,000"] {
        let e = number(t(bad)).unwrap_err();
        assert!(e.contains("decimal comma"), "{bad}: {e}");
    }
}

#[test]
fn likert_number_and_label_must_agree() {
    let s = Scale::agreement();
    assert_eq!(likert(t("5 - Strongly agree"), &s), Ok(Some(5.0)));
    assert_eq!(likert(t("4 (Agree)"), &s), Ok(Some(4.0)));
    for bad in ["1 - Strongly agree", "5 - Agree", "2. Strongly disagree"] {
        let e = likert(t(bad), &s).unwrap_err();
        assert!(e.contains("label"), "{bad}: {e}");
    }
    for bad in ["4,5", "3,0", "4.5 - Agree"] {
        let e = likert(t(bad), &s).unwrap_err();
        assert!(e.contains("whole number"), "{bad}: {e}");
    }
}

#[test]
fn two_digit_years_and_odd_letters_and_infinities() {
    assert_eq!(parse_date_text("03-Apr-24", DateOrder::Uk), d(2024, 4, 3));
    assert_eq!(parse_date_text("01-Jan-00", DateOrder::Uk), d(2000, 1, 1));
    assert_eq!(fold(&fold("İstanbul")), fold("İstanbul"));
    assert_eq!(fold("ΟΔΟΣ"), fold("οδος"));
    assert!(number(Cell::Number(f64::NAN)).is_err());
    assert!(money(Cell::Number(f64::INFINITY)).is_err());
}

#[test]
fn fold_normalises_unicode_and_runs_initials_together() {
    assert_eq!(fold("G.M.P."), "gmp");
    assert_eq!(fold("G M P"), fold("GMP"));
    assert_eq!(fold("ＧＭＰ"), "gmp");
    // É as one character, and as E plus a combining accent.
    assert_eq!(fold("\u{c9}cole"), fold("E\u{301}cole"));
    assert_eq!(fold("A & E Dept"), "a and e dept");
    assert_eq!(fold("N.H.S. Trust"), "nhs trust");
    assert_eq!(header_key("Ｓｅｓｓｉｏｎ ID"), "sessionid");
}

#[test]
fn yes_no_spellings() {
    for (s, v) in [
        ("Yes", true),
        ("y", true),
        ("TRUE", true),
        ("1", true),
        ("no", false),
        ("N", false),
        ("false", false),
        ("0", false),
    ] {
        assert_eq!(yes_no(t(s)), Ok(Some(v)), "{s}");
    }
    assert_eq!(yes_no(Cell::Bool(true)), Ok(Some(true)));
    assert_eq!(yes_no(Cell::Number(0.0)), Ok(Some(false)));
    assert_eq!(yes_no(t("N/A")), Ok(None));
    assert!(yes_no(t("maybe")).is_err());
}

#[test]
fn dates_in_every_accepted_form() {
    // 2024-04-03 is serial 45385 in the 1900 system, 43923 in the 1904 one.
    assert_eq!(
        date(
            Cell::Date {
                serial: 45385.0,
                is_1904: false
            },
            DateOrder::Uk,
            false
        ),
        Ok(d(2024, 4, 3))
    );
    assert_eq!(
        date(
            Cell::Date {
                serial: 43923.0,
                is_1904: true
            },
            DateOrder::Uk,
            true
        ),
        Ok(d(2024, 4, 3))
    );
    assert_eq!(
        date(
            Cell::Date {
                serial: 45385.75,
                is_1904: false
            },
            DateOrder::Uk,
            false
        ),
        Ok(d(2024, 4, 3))
    );
    // A plain number in a date column is a serial in the sheet's system.
    assert_eq!(
        date(Cell::Number(45385.0), DateOrder::Uk, false),
        Ok(d(2024, 4, 3))
    );
    assert_eq!(
        date(Cell::Number(43923.0), DateOrder::Uk, true),
        Ok(d(2024, 4, 3))
    );
    assert_eq!(date(t("45385"), DateOrder::Uk, false), Ok(d(2024, 4, 3)));
    assert_eq!(
        date(t("2024-04-03"), DateOrder::Uk, false),
        Ok(d(2024, 4, 3))
    );
    assert_eq!(
        date(t("2024-04-03T09:30:00"), DateOrder::Uk, false),
        Ok(d(2024, 4, 3))
    );
    assert_eq!(
        date(Cell::IsoDate("2024-04-03T00:00:00"), DateOrder::Uk, false),
        Ok(d(2024, 4, 3))
    );
    assert_eq!(
        date(t("03/04/2024"), DateOrder::Uk, false),
        Ok(d(2024, 4, 3))
    );
    assert_eq!(
        date(t("03/04/2024"), DateOrder::Us, false),
        Ok(d(2024, 3, 4))
    );
    assert_eq!(
        date(t("3/4/2024 09:30"), DateOrder::Uk, false),
        Ok(d(2024, 4, 3))
    );
    assert_eq!(date(t("03-04-24"), DateOrder::Uk, false), Ok(d(2024, 4, 3)));
    assert_eq!(
        date(t("3 April 2024"), DateOrder::Uk, false),
        Ok(d(2024, 4, 3))
    );
    assert_eq!(
        date(t("Wed 3rd Apr 2024"), DateOrder::Uk, false),
        Ok(d(2024, 4, 3))
    );
    assert_eq!(
        date(t("03-Apr-2024"), DateOrder::Uk, false),
        Ok(d(2024, 4, 3))
    );
    assert_eq!(date(t("TBC"), DateOrder::Uk, false), Ok(None));
    assert_eq!(date(Cell::Empty, DateOrder::Uk, false), Ok(None));
}

#[test]
fn dates_with_times_and_zones_as_the_tools_write_them() {
    let dt = |s: &str, order| parse_date_time_text(s, order);
    let at = |y, m, d, h, min| {
        Some((
            NaiveDate::from_ymd_opt(y, m, d).unwrap(),
            NaiveTime::from_hms_opt(h, min, 0),
        ))
    };
    assert_eq!(
        dt("5 March 2024, 9:30 AM Europe/London", DateOrder::Uk),
        at(2024, 3, 5, 9, 30)
    );
    assert_eq!(
        dt("Wednesday, 3 April 2024, 9:30 AM", DateOrder::Uk),
        at(2024, 4, 3, 9, 30)
    );
    assert_eq!(
        dt("3 Apr 2024 9.30AM", DateOrder::Uk),
        at(2024, 4, 3, 9, 30)
    );
    assert_eq!(
        dt("17 Sept 2024 2:00 PM", DateOrder::Uk),
        at(2024, 9, 17, 14, 0)
    );
    assert_eq!(
        dt("2022/11/30 10:39:41 PM GMT+1", DateOrder::Uk).map(|(d, _)| d),
        NaiveDate::from_ymd_opt(2022, 11, 30)
    );
    assert_eq!(
        dt("07/14/2019 06:03:59 PM", DateOrder::Us).and_then(|(_, t)| t),
        NaiveTime::from_hms_opt(18, 3, 59)
    );
    assert_eq!(
        dt("11/29/24 22:28", DateOrder::Us),
        at(2024, 11, 29, 22, 28)
    );
    assert_eq!(
        dt("2024-03-05 10:21:33", DateOrder::Uk).map(|(d, _)| d),
        NaiveDate::from_ymd_opt(2024, 3, 5)
    );
    assert_eq!(
        dt("12:15 am 1 May 2024", DateOrder::Uk),
        at(2024, 5, 1, 0, 15)
    );
    assert_eq!(
        dt("2024-04-03T09:30:00+01:00", DateOrder::Uk),
        at(2024, 4, 3, 9, 30)
    );
    assert_eq!(
        dt("5 March 2024 UTC", DateOrder::Uk).map(|(_, t)| t),
        Some(None)
    );
    assert_eq!(dt("25:00 5 March 2024", DateOrder::Uk), None);
    assert_eq!(dt("13pm 5 March 2024", DateOrder::Uk), None);
}

#[test]
fn html_entities_left_by_web_tools_are_decoded() {
    assert_eq!(
        text(t("Children&#039;s Services")),
        Ok(Some("Children's Services".into()))
    );
    assert_eq!(
        text(t("Health &amp; Care")),
        Ok(Some("Health & Care".into()))
    );
    assert_eq!(text(t("A&E; ward &#x41;")), Ok(Some("A&E; ward A".into())));
    assert_eq!(text(t("Tom & Jerry;")), Ok(Some("Tom & Jerry;".into())));
    assert_eq!(unescape_html("&#0; &#99999999; &"), "&#0; &#99999999; &");
    assert_eq!(
        text(t("Children@SQ@s Services")),
        Ok(Some("Children's Services".into()))
    );
}

#[test]
fn non_dates_are_rejected_with_the_expected_form() {
    for bad in ["31/02/2024", "next week", "2024-13-01", "13/13/2024"] {
        let err = date(t(bad), DateOrder::Uk, false).unwrap_err();
        assert!(err.contains("expected a date"), "{bad}: {err}");
    }
    assert!(
        date(t("01/01/1900"), DateOrder::Uk, false)
            .unwrap_err()
            .contains("typing slip")
    );
    assert!(date(Cell::Number(12.0), DateOrder::Uk, false).is_err());
    assert!(
        date(Cell::Error("#REF!"), DateOrder::Uk, false)
            .unwrap_err()
            .contains("#REF!")
    );
}

#[test]
fn likert_numbers_labels_and_prefixed_labels() {
    let s = Scale::agreement();
    assert_eq!(likert(Cell::Number(4.0), &s), Ok(Some(4.0)));
    assert_eq!(likert(t("4"), &s), Ok(Some(4.0)));
    assert_eq!(likert(t("4 - Confident"), &s), Ok(Some(4.0)));
    assert_eq!(likert(t("2. Disagree"), &s), Ok(Some(2.0)));
    assert_eq!(likert(t("strongly AGREE"), &s), Ok(Some(5.0)));
    assert_eq!(likert(t("Neither agree nor disagree"), &s), Ok(Some(3.0)));
    assert_eq!(likert(t(""), &s), Ok(None));
    assert_eq!(likert(Cell::Empty, &s), Ok(None));
    for bad in [
        Cell::Number(6.0),
        Cell::Number(0.0),
        Cell::Number(3.5),
        t("7 - Very"),
        t("Sort of"),
    ] {
        let err = likert(bad, &s).unwrap_err();
        assert!(err.contains("off the 1-5 scale"), "{bad:?}: {err}");
    }
    let ten = Scale {
        min: 1,
        max: 10,
        labels: vec![],
        items: vec![],
    };
    assert_eq!(likert(Cell::Number(10.0), &ten), Ok(Some(10.0)));
    assert_eq!(likert(t("10 - Very confident"), &ten), Ok(Some(10.0)));
}

#[test]
fn financial_years() {
    for s in [
        "2024-25",
        "2024/25",
        "FY2024-25",
        "fy 2024/25",
        "2024-2025",
        "2024/2025",
    ] {
        assert_eq!(
            financial_year(t(s), 4, DateOrder::Uk, false),
            Ok(Some(2024)),
            "{s}"
        );
    }
    assert_eq!(
        financial_year(t("1999-00"), 4, DateOrder::Uk, false),
        Ok(Some(1999))
    );
    assert_eq!(
        financial_year(t("31/03/2025"), 4, DateOrder::Uk, false),
        Ok(Some(2024))
    );
    assert_eq!(
        financial_year(t("01/04/2025"), 4, DateOrder::Uk, false),
        Ok(Some(2025))
    );
    assert_eq!(
        financial_year(
            Cell::Date {
                serial: 45748.0,
                is_1904: false
            },
            4,
            DateOrder::Uk,
            false
        ),
        Ok(Some(2025))
    );
    assert!(financial_year(t("2024-26"), 4, DateOrder::Uk, false).is_err());
    assert!(
        financial_year(t("2024"), 4, DateOrder::Uk, false)
            .unwrap_err()
            .contains("ambiguous")
    );
    assert!(
        financial_year(Cell::Number(2024.0), 4, DateOrder::Uk, false)
            .unwrap_err()
            .contains("ambiguous")
    );
    assert_eq!(fy_label(2024), "2024-25");
    assert_eq!(fy_label(2099), "2099-00");
}

#[test]
fn durations() {
    for s in ["Full day", "full-day", "FULL_DAY", "fullday"] {
        assert_eq!(duration(t(s)), Ok(Some(Duration::FullDay)), "{s}");
    }
    for s in ["Half day", "half-day", "HALF_DAY"] {
        assert_eq!(duration(t(s)), Ok(Some(Duration::HalfDay)), "{s}");
    }
    assert_eq!(duration(Cell::Number(3.0)), Ok(Some(Duration::HalfDay)));
    assert_eq!(duration(Cell::Number(4.5)), Ok(Some(Duration::FullDay)));
    assert_eq!(duration(t("4.49 hours")), Ok(Some(Duration::HalfDay)));
    assert_eq!(duration(t("6h")), Ok(Some(Duration::FullDay)));
    assert_eq!(duration(t("90 mins")), Ok(Some(Duration::HalfDay)));
    assert!(duration(t("a while")).is_err());
    assert!(duration(Cell::Number(0.0)).is_err());
}

#[test]
fn moodle_attendance_session_headings() {
    let at = |h: &str| session_heading(h).map(|t| t.format("%Y-%m-%d %H:%M").to_string());
    assert_eq!(
        at("3 Apr 2024 9.30AM All students April cohort").as_deref(),
        Some("2024-04-03 09:30")
    );
    assert_eq!(
        at("17 Sept 2024 1.00PM Group A").as_deref(),
        Some("2024-09-17 13:00")
    );
    assert_eq!(
        at("3 June 2024 12.15AM All students").as_deref(),
        Some("2024-06-03 00:15")
    );
    for not in [
        "Taken sessions",
        "3 Apr 2024",
        "P",
        "3 Apr 24 9.30AM x",
        "Apr 3 2024 9.30AM",
    ] {
        assert_eq!(at(not), None, "{not}");
    }
}
