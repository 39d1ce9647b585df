//! Tests of the declarations: each names a query that exists, each measure
//! is disclosed over a count of its own table, and the workbook's
//! percentages agree with the declared fractions.

use super::*;

#[test]
fn names_are_unique_and_queries_are_built_in() {
    for (i, d) in TABLES.iter().enumerate() {
        assert!(
            TABLES[..i].iter().all(|e| e.name != d.name),
            "{} twice",
            d.name
        );
        assert!(!d.keys.is_empty(), "{} has no key", d.name);
        match d.query {
            Some(q) => {
                assert_ne!(d.rows, Rows::Built, "{}", d.name);
                assert!(
                    crate::metrics::sql::BUILT_IN.iter().any(|(n, _)| *n == q),
                    "{}: no query {q}",
                    d.name
                );
            }
            None => assert_eq!(d.rows, Rows::Built, "{}", d.name),
        }
    }
}

#[test]
fn every_measure_is_disclosed_over_a_count_of_its_table() {
    for d in TABLES {
        for m in d.measures {
            let Some(over) = m.over else {
                assert!(
                    !matches!(m.kind, Kind::Rate | Kind::Share | Kind::Mean),
                    "{}.{}: a {:?} needs the count it is over",
                    d.name,
                    m.name,
                    m.kind
                );
                continue;
            };
            let count = d.measure(over).map(|c| c.kind);
            assert_eq!(
                count,
                Some(Kind::Count),
                "{}.{} over {over}",
                d.name,
                m.name
            );
        }
    }
}

#[test]
fn the_workbooks_percentages_are_the_declared_fractions() {
    // tables.xlsx shows a declared column as a percentage by its kind, and
    // any other by this rule: the two agree on every declared column, so a
    // column an overriding query adds reads as the built-in one would.
    let by_name = |c: &str| c.ends_with("_rate") || c.starts_with("pct_") || c == "share";
    for d in TABLES {
        for m in d.measures {
            assert_eq!(
                m.kind.is_fraction(),
                by_name(m.name),
                "{}.{}",
                d.name,
                m.name
            );
        }
    }
}

#[test]
fn cells_name_the_declared_count() {
    let m = measure("attendance_by_course", "non_attendance_rate").unwrap();
    assert_eq!(m.cell(), "rate:registrations");
    assert_eq!(
        measure("attendance_by_course", "take_up_rate")
            .unwrap()
            .cell(),
        "part:trained"
    );
    assert_eq!(
        measure("coverage_by_agency_level", "target")
            .unwrap()
            .cell(),
        "percent"
    );
    assert_eq!(
        measure("impact_by_course", "applied_rate").unwrap().cell(),
        "rate:answered_applied"
    );
    assert!(measure("attendance_by_agency", "sessions").is_none());
}
