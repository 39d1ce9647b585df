//! Tests of the page context: headline figures and charts.

use super::headline::headline;
use super::*;
use crate::calendar::Calendar;
use crate::render::format::DASH;
use crate::table::Values;

fn metrics(tables: Vec<Table>) -> Metrics {
    let period = Calendar::new(4).year(2024);
    let as_of = period.end;
    Metrics {
        period,
        as_of,
        tables,
    }
}

/// Ten answers before and after on each item at 4 of the default scale,
/// as the metrics' `likert_shares` holds them.
fn likert_shares(items: &[&str]) -> Table {
    let (mut item, mut phase, mut score, mut answers) = (vec![], vec![], vec![], vec![]);
    for i in items {
        for p in ["pre", "post"] {
            for s in 1..=5 {
                item.push(Some(i.to_string()));
                phase.push(Some(p.to_string()));
                score.push(Some(s));
                answers.push(Some(if s == 4 { 10 } else { 0 }));
            }
        }
    }
    let n = item.len();
    let share = answers.iter().map(|a| a.map(|a| a as f64 / 10.0)).collect();
    Table::new("likert_shares")
        .with("item", Values::Text(item))
        .with("phase", Values::Text(phase))
        .with("score", Values::Int(score))
        .with("answers", Values::Int(answers))
        .with("paired", Values::Int(vec![Some(10); n]))
        .with("share", Values::Float(share))
}

#[test]
fn likert_items_in_any_script_or_empty_are_labelled_without_panic() {
    let items = ["émotions", "情感", "مشاعر", "", "_", "recognise_signs"];
    let m = metrics(vec![likert_shares(&items)]);
    let chart = likert::chart(&m, &Config::default()).unwrap().unwrap();
    for label in [
        "Émotions: before",
        "情感: after",
        "مشاعر: before",
        "Recognise signs: after",
    ] {
        assert!(chart.svg.contains(label), "{label}");
    }
}

fn overall(registrations: i64, dna: i64) -> Table {
    Table::new("attendance_overall")
        .with("registrations", Values::Int(vec![Some(registrations)]))
        .with("trained", Values::Int(vec![Some(registrations - dna)]))
        .with("chargeable", Values::Int(vec![Some(dna)]))
        .with("charges", Values::Float(vec![Some(75.0 * dna as f64)]))
        .with(
            "non_attendance_rate",
            Values::Float(vec![Some(dna as f64 / registrations as f64)]),
        )
}

#[test]
fn a_headline_rate_of_a_handful_is_withheld_and_not_compared() {
    let now = metrics(vec![overall(40, 3)]);
    let then = metrics(vec![overall(40, 8)]);
    let comparisons = [Comparison {
        label: "2023-24".into(),
        metrics: Some(&then),
    }];
    let rows = headline(&now, &comparisons, 5);
    let rate = rows.iter().find(|h| h.label == "Non-attendance").unwrap();
    assert_eq!(
        (rate.value.as_str(), rate.changes[0].as_str()),
        (DASH, DASH)
    );
    let charges = rows
        .iter()
        .find(|h| h.label == "Charges to agencies")
        .unwrap();
    assert_eq!(charges.value, DASH);
    let then_rows = headline(&then, &[], 5);
    let rate = then_rows
        .iter()
        .find(|h| h.label == "Non-attendance")
        .unwrap();
    assert_eq!(rate.value, "20%", "8 of 40");
    // A count shown as <5 is not compared either.
    let small = metrics(vec![overall(4, 0)]);
    let comparisons = [Comparison {
        label: "2023-24".into(),
        metrics: Some(&then),
    }];
    let rows = headline(&small, &comparisons, 5);
    let registrations = rows.iter().find(|h| h.label == "Registrations").unwrap();
    assert_eq!(
        (
            registrations.value.as_str(),
            registrations.changes[0].as_str()
        ),
        ("<5", DASH)
    );
}

#[test]
fn every_headline_figure_is_a_declared_measure() {
    for f in super::headline::FIGURES {
        let m = crate::metrics::tables::measure(f.table, f.column);
        assert!(m.is_some(), "{}.{}", f.table, f.column);
    }
}
