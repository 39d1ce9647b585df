//! Tests of periods: financial years, quarters, choices and the latest year.

use super::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

#[test]
fn thirty_first_of_march_and_first_of_april_fall_in_different_years() {
    let c = Calendar::new(4);
    assert_eq!(c.fy_of(d(2025, 3, 31)), 2024);
    assert_eq!(c.fy_of(d(2025, 4, 1)), 2025);
    let y = c.year(2024);
    assert_eq!((y.start, y.end), (d(2024, 4, 1), d(2025, 3, 31)));
    assert!(y.contains(d(2025, 3, 31)) && !y.contains(d(2025, 4, 1)));
    assert_eq!(c.quarter_of(d(2025, 3, 31)).label(), "2024-25 Q4");
    assert_eq!(c.quarter_of(d(2025, 4, 1)).label(), "2025-26 Q1");
}

#[test]
fn quarters_run_april_june_to_january_march() {
    let c = Calendar::new(4);
    let bounds: Vec<_> = (1..=4)
        .map(|q| {
            let p = c.quarter(2024, q);
            (p.start, p.end)
        })
        .collect();
    assert_eq!(
        bounds,
        [
            (d(2024, 4, 1), d(2024, 6, 30)),
            (d(2024, 7, 1), d(2024, 9, 30)),
            (d(2024, 10, 1), d(2024, 12, 31)),
            (d(2025, 1, 1), d(2025, 3, 31)),
        ]
    );
    assert_eq!(c.quarter_of(d(2024, 6, 30)).quarter, Some(1));
    assert_eq!(c.quarter_of(d(2024, 7, 1)).quarter, Some(2));
    assert_eq!(c.quarter_of(d(2024, 12, 31)).quarter, Some(3));
    assert_eq!(c.quarter_of(d(2025, 1, 1)).quarter, Some(4));
    assert_eq!(c.quarter(2024, 3).slug(), "2024-25-Q3");
    // A leap year's February ends a Q4.
    assert_eq!(c.quarter(2023, 4).end, d(2024, 3, 31));
}

#[test]
fn other_year_starts() {
    let c = Calendar::new(9); // September, as schools count
    assert_eq!(c.year(2024).end, d(2025, 8, 31));
    assert_eq!(c.quarter_of(d(2025, 8, 31)).label(), "2024-25 Q4");
    assert_eq!(c.quarter_of(d(2024, 9, 1)).label(), "2024-25 Q1");
    let jan = Calendar::new(1);
    assert_eq!(jan.year(2024).end, d(2024, 12, 31));
}

#[test]
fn parses_periods_in_the_ways_people_write_them() {
    let c = Calendar::new(4);
    for s in ["2024-25", "2024/25", "2024-2025", "FY2024-25", " 2024-25 "] {
        assert_eq!(c.parse(s).unwrap(), c.year(2024), "{s}");
    }
    for s in ["2024-25-Q3", "2024-25 Q3", "2024-25-q3", "2024/25-Q3"] {
        assert_eq!(c.parse(s).unwrap(), c.quarter(2024, 3), "{s}");
    }
    assert_eq!(c.parse("1999-00").unwrap(), c.year(1999));
    for s in [
        "2024",
        "2024-26",
        "2024-25-Q5",
        "Q3",
        "24-25",
        "",
        "2024-25-Qx",
    ] {
        let e = c.parse(s).unwrap_err().to_string();
        assert!(e.starts_with("--period:"), "{s}: {e}");
    }
    assert!(
        c.parse("2024-26")
            .unwrap_err()
            .to_string()
            .contains("26 does not follow 2024")
    );
}

#[test]
fn comparisons_step_back_across_year_ends() {
    let c = Calendar::new(4);
    assert_eq!(c.previous(&c.quarter(2025, 1)), c.quarter(2024, 4));
    assert_eq!(c.previous(&c.quarter(2025, 3)), c.quarter(2025, 2));
    assert_eq!(c.previous(&c.year(2025)), c.year(2024));
    assert_eq!(c.year_before(&c.quarter(2025, 3)), c.quarter(2024, 3));
}

/// What a cron run on each day picks.
#[test]
fn last_and_this_resolve_around_quarter_and_year_ends() {
    let c = Calendar::new(4);
    let pick = |choice: &str, y, m, day| {
        Choice::parse(choice, &c)
            .unwrap()
            .resolve(&c, [], d(y, m, day))[0]
            .slug()
    };
    // The first day of a quarter: the quarter just ended is complete.
    assert_eq!(pick("last-quarter", 2025, 4, 1), "2024-25-Q4");
    assert_eq!(pick("last-year", 2025, 4, 1), "2024-25");
    assert_eq!(pick("this-quarter", 2025, 4, 1), "2025-26-Q1");
    assert_eq!(pick("this-year", 2025, 4, 1), "2025-26");
    // The last day of a quarter or year is not yet complete.
    assert_eq!(pick("last-quarter", 2025, 3, 31), "2024-25-Q3");
    assert_eq!(pick("last-year", 2025, 3, 31), "2023-24");
    assert_eq!(pick("this-quarter", 2025, 3, 31), "2024-25-Q4");
    assert_eq!(pick("last-quarter", 2025, 1, 1), "2024-25-Q3");
    assert_eq!(pick("last-quarter", 2024, 7, 1), "2024-25-Q1");
    assert_eq!(pick("this-year", 2025, 3, 31), "2024-25");
}

#[test]
fn as_of_is_the_last_day_or_today_if_earlier() {
    let y = Calendar::new(4).year(2025);
    assert_eq!(y.as_of(d(2026, 11, 22)), d(2026, 3, 31));
    assert_eq!(y.as_of(d(2025, 12, 1)), d(2025, 12, 1));
}

#[test]
fn resolves_latest_and_all_from_the_data() {
    let c = Calendar::new(4);
    let dates = [d(2024, 5, 1), d(2025, 3, 31), d(2025, 4, 1), d(2024, 5, 9)];
    let today = d(2026, 11, 22);
    assert_eq!(Choice::Latest.resolve(&c, dates, today), vec![c.year(2025)]);
    let all: Vec<String> = Choice::All
        .resolve(&c, dates, today)
        .iter()
        .map(Period::slug)
        .collect();
    assert_eq!(
        all,
        [
            "2024-25",
            "2024-25-Q1",
            "2024-25-Q4",
            "2025-26",
            "2025-26-Q1"
        ]
    );
    assert!(Choice::Latest.resolve(&c, [], today).is_empty());
    // Only dates up to the run date count for latest.
    let typo = [d(2024, 5, 1), d(2025, 6, 1), d(2099, 6, 1)];
    assert_eq!(
        Choice::Latest.resolve(&c, typo, d(2026, 1, 1)),
        vec![c.year(2025)]
    );
    assert_eq!(
        Choice::Latest.resolve(&c, typo, d(2025, 5, 1)),
        vec![c.year(2024)]
    );
    assert!(Choice::Latest.resolve(&c, typo, d(2024, 4, 30)).is_empty());
    assert_eq!(Choice::parse("ALL", &c).unwrap(), Choice::All);
    assert_eq!(
        Choice::parse("2024-25-Q2", &c).unwrap(),
        Choice::One(c.quarter(2024, 2))
    );
}

#[test]
fn a_thin_latest_year_is_warned_about() {
    let c = Calendar::new(4);
    let year = c.year(2025);
    let days = |y, n: u32| (0..n).map(move |i| d(y, 5, 1 + i % 28));
    // Plenty, and no fewer than a tenth of the year before.
    assert_eq!(
        thin_latest(&c, &year, days(2025, 10).chain(days(2024, 100))),
        None
    );
    // Fewer than 10.
    let w = thin_latest(&c, &year, days(2025, 9).chain(days(2024, 9))).unwrap();
    assert!(w.contains("only 9 session(s) (2024-25 had 9)"), "{w}");
    assert!(w.contains("--period 2024-25"), "{w}");
    // A first year: nothing before it to suggest.
    let w = thin_latest(&c, &year, days(2025, 3)).unwrap();
    assert!(w.ends_with("(2024-25 had 0); if a session date is mistyped, correct it, or name the year to report on"), "{w}");
    // Under a tenth of the year before.
    assert!(thin_latest(&c, &year, days(2025, 12).chain(days(2024, 121))).is_some());
    assert!(thin_latest(&c, &year, days(2025, 12).chain(days(2024, 120))).is_none());
}

/// No year, quarter or step back panics, however far out.
#[test]
fn period_arithmetic_never_panics() {
    for start in 1..=12 {
        let c = Calendar::new(start);
        for d in [NaiveDate::MIN, NaiveDate::MAX, d(1, 1, 1), d(9999, 12, 31)] {
            let q = c.quarter_of(d);
            let y = c.year(c.fy_of(d));
            for p in [q, y, c.previous(&q), c.year_before(&q), c.previous(&y)] {
                assert!(p.start <= p.end, "{p:?}");
                let _ = (p.label(), p.as_of(d));
            }
            for choice in [
                Choice::ThisYear,
                Choice::ThisQuarter,
                Choice::LastYear,
                Choice::LastQuarter,
                Choice::Latest,
                Choice::All,
            ] {
                let _ = choice.resolve(&c, [d], d);
            }
        }
        for fy in [i32::MIN, -262_145, 262_143, i32::MAX] {
            let _ = (c.year(fy), c.quarter(fy, 4), c.previous(&c.quarter(fy, 1)));
        }
    }
}
