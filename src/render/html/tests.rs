//! Tests of the templates: errors naming their file, the fuel budget.

use super::*;
use crate::error::exit;
use minijinja::Value;

/// Pages with `files` (name, source) in a templates folder.
fn pages(files: &[(&str, &str)]) -> (tempfile::TempDir, Result<Pages>) {
    let dir = tempfile::tempdir().unwrap();
    for (name, source) in files {
        std::fs::write(dir.path().join(name), source).unwrap();
    }
    let pages = Pages::new(Some(dir.path()), 5);
    (dir, pages)
}

#[test]
fn capitals_in_any_script() {
    assert_eq!(capitalised("émotions"), "Émotions");
    assert_eq!(capitalised("情感"), "情感");
    assert_eq!(capitalised("ß"), "SS");
    assert_eq!(capitalised(""), "");
    assert_eq!(label("no_return;red"), "No return, red");
}

#[test]
fn a_template_that_never_ends_stops_naming_its_file() {
    let endless =
        "{% for i in range(100000) %}{% for j in range(100000) %}{{ i }}{% endfor %}{% endfor %}";
    let (dir, pages) = pages(&[("annual-report.html", endless)]);
    let mut pages = pages.unwrap();
    pages.env.set_fuel(Some(100_000));
    let e = pages
        .render("annual-report.html", &minijinja::context! {})
        .unwrap_err();
    assert_eq!(e.exit_code(), exit::USAGE);
    let text = e.to_string();
    let file = dir.path().join("annual-report.html").display().to_string();
    assert!(text.starts_with(&format!("in template '{file}'")), "{text}");
    assert!(
        text.contains("was stopped (a loop that never ends?)"),
        "{text}"
    );
}

#[test]
fn an_error_in_a_built_in_template_is_blamed_on_the_overrides_in_use() {
    // A base.html without the blocks the built-in pages fill in, and
    // with a variable they do not pass.
    let (dir, pages) = pages(&[("base.html", "{{ nothing.here }}")]);
    let e = pages
        .unwrap()
        .render("annual-report.html", &minijinja::context! {})
        .unwrap_err();
    assert_eq!(e.exit_code(), exit::USAGE);
    let file = dir.path().join("base.html").display().to_string();
    assert!(e.to_string().contains(&file), "{e}");

    let builtin = Pages::new(None, 5).unwrap();
    let e = builtin
        .render("annual-report.html", &minijinja::context! {})
        .unwrap_err();
    assert_eq!(e.exit_code(), exit::INTERNAL, "{e}");
}

#[test]
fn the_fuel_is_far_more_than_a_national_report_takes() {
    // The tables aggregate, so a national report has a few hundred rows
    // a table; give every table 5,000.
    let rows = 5_000;
    let texts = [
        ("course", "A course"),
        ("agency", "An agency"),
        ("quarter", "2024-25 Q1"),
        ("mode", "Online"),
        ("level", "Level 1"),
        ("item", "an_item"),
        ("stage", "trained"),
        ("source", "attendance"),
        ("file", "attendance.csv"),
        ("suggestion", "An agency"),
        ("rag", "green"),
        ("flags", "red"),
    ];
    let numbers = [
        "sessions",
        "registrations",
        "trained",
        "dna",
        "late_cancellations",
        "non_attendance_rate",
        "late_cancellation_rate",
        "take_up_rate",
        "charges",
        "chargeable",
        "n_paired",
        "pre_mean",
        "post_mean",
        "mean_gain",
        "hake_gain",
        "pct_improved",
        "p_value",
        "gain_ci_low",
        "gain_ci_high",
        "hake_ci_low",
        "hake_ci_high",
        "responses",
        "satisfaction_mean",
        "pct_satisfied",
        "eligible",
        "response_rate",
        "applied_rate",
        "answered_applied",
        "mean",
        "pct_agree",
        "count",
        "share",
        "headcount",
        "pct_trained",
        "gap",
        "ma_trained",
        "representation",
        "target",
        "rows_read",
        "rows_loaded",
        "rows_rejected",
        "rows_skipped",
        "duplicates_merged",
        "unmatched_agencies",
        "unmatched_links",
        "undated_cancellations",
        "trained_current",
        "lapsing",
        "pct_current",
        "rows",
    ];
    let row: BTreeMap<&str, serde_json::Value> = texts
        .iter()
        .map(|(k, v)| (*k, serde_json::Value::from(*v)))
        .chain(numbers.iter().map(|k| (*k, serde_json::Value::from(50))))
        .collect();
    let table = vec![row; rows];
    let names = [
        "attendance_by_quarter",
        "attendance_by_course",
        "attendance_by_mode",
        "attendance_by_level",
        "attendance_by_agency",
        "learning_gain_by_item",
        "learning_gain_by_course",
        "learning_gain_by_agency",
        "reaction_by_course",
        "impact_by_course",
        "impact_by_item",
        "funnel",
        "coverage_by_agency",
        "coverage_by_agency_level",
        "currency_by_agency",
        "data_quality",
        "unmatched_agencies",
        "attendance_overall",
        "impact_overall",
    ];
    let tables: BTreeMap<&str, _> = names.iter().map(|n| (*n, table.clone())).collect();
    let context = minijinja::context! {
        kind => "annual", title => "t", partnership => "p", period => "2024-25",
        as_of => "31 March 2025", subgroup => (), threshold => 5, fees => (75, 50),
        target => 0.9, follow_up_days => 60, notice_days => 7, comparisons => ["2023-24"],
        currency_date => "31 March 2025", refresher_years => 2,
        headline => Vec::<i32>::new(), attention => Vec::<i32>::new(),
        tables => Value::from(minijinja::value::Serde(&tables)),
        charts => BTreeMap::<String, String>::new(), rows_rejected => 0,
        quarters => Vec::<i32>::new(),
    };
    let pages = Pages::new(None, 5).unwrap();
    let template = pages.env.get_template("annual-report.html").unwrap();
    let rendered = template.render_captured(context).unwrap();
    let (used, _) = rendered.state().fuel_levels().unwrap();
    assert!(
        used * 10 < FUEL,
        "{rows} rows a table take {used} of {FUEL}"
    );
}
