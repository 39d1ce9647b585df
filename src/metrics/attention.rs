//! `attention`: what needs attention in a period, one row per agency or
//! course a rule picks out, worked out from the period's other tables. The
//! pages' "needs attention" list says each kind in a line.
//!
//! The rules, in the order of the kinds:
//! - `red agencies`: agencies rated red (more than 10 points below the
//!   training target at some level), furthest from the target first;
//! - `missing returns`: agencies with no training return;
//! - `no attendance`: agencies with staff but no one on multi-agency courses;
//! - `lapsing training`: agencies with training lapsing by the end of next
//!   quarter, most first;
//! - `high non-attendance`, `low learning gain` (the whole 95% interval of
//!   the Hake gain below the threshold, not a low gain that chance could
//!   explain), `low follow-up response`: courses past the `[attention]`
//!   thresholds, among those with at least the disclosure threshold of
//!   people, so with enough to say so.

use crate::config::Config;
use crate::table::{Table, Value, Values};

/// One row: the agency or course, the table and column the rule read, the
/// value it judged, the people that value is a share or mean of, and the
/// line it crossed.
struct Flag {
    kind: &'static str,
    subject: String,
    table: &'static str,
    measure: &'static str,
    value: Option<f64>,
    people: Option<f64>,
    threshold: Option<f64>,
}

/// The `attention` table from `tables`, the period's tables so far.
pub(super) fn table(tables: &[Table], config: &Config) -> Table {
    let empty = Table::new("");
    let get = |name: &str| tables.iter().find(|t| t.name == name).unwrap_or(&empty);
    let mut flags = Vec::new();

    let cov = get("coverage_by_agency");
    let flag = |t: &Table, i: usize, kind, table, measure, people: Option<&str>| Flag {
        kind,
        subject: t.get(i, key_of(table)).to_text(),
        table,
        measure,
        value: t.get(i, measure).as_f64(),
        people: people.and_then(|p| t.get(i, p).as_f64()),
        threshold: None,
    };
    let rag = |i: usize| cov.get(i, "rag").to_text();
    let mut red: Vec<Flag> = (0..cov.height())
        .filter(|&i| rag(i) == "red")
        .map(|i| Flag {
            threshold: Some(config.coverage.target),
            ..flag(
                cov,
                i,
                "red agencies",
                "coverage_by_agency",
                "pct_trained",
                Some("headcount"),
            )
        })
        .collect();
    red.sort_by(|a, b| {
        let pct = |f: &Flag| f.value.unwrap_or(0.0);
        pct(a)
            .total_cmp(&pct(b))
            .then_with(|| a.subject.cmp(&b.subject))
    });
    flags.extend(red);
    flags.extend(
        (0..cov.height())
            .filter(|&i| rag(i) == "missing")
            .map(|i| Flag {
                value: None,
                ..flag(cov, i, "missing returns", "coverage_by_agency", "rag", None)
            }),
    );
    flags.extend(
        (0..cov.height())
            .filter(|&i| cov.get(i, "flags").to_text().contains("no_attendance"))
            .map(|i| {
                flag(
                    cov,
                    i,
                    "no attendance",
                    "coverage_by_agency",
                    "ma_trained",
                    Some("headcount"),
                )
            }),
    );

    let cur = get("currency_by_agency");
    let mut lapsing: Vec<Flag> = (0..cur.height())
        .filter(|&i| cur.get(i, "lapsing").as_f64().is_some_and(|n| n > 0.0))
        .map(|i| {
            flag(
                cur,
                i,
                "lapsing training",
                "currency_by_agency",
                "lapsing",
                None,
            )
        })
        .collect();
    lapsing.sort_by(|a, b| {
        let n = |f: &Flag| f.value.unwrap_or(0.0);
        n(b).total_cmp(&n(a))
            .then_with(|| a.subject.cmp(&b.subject))
    });
    flags.extend(lapsing);

    let a = &config.attention;
    let enough = |n: Option<f64>| !super::tables::too_few(n, config.disclosure_threshold);
    let mut courses = |kind: &'static str,
                       table: &'static str,
                       people: &'static str,
                       measure: &'static str,
                       threshold: f64,
                       past: &dyn Fn(f64) -> bool| {
        let t = get(table);
        flags.extend(
            (0..t.height())
                .filter(|&i| {
                    enough(t.get(i, people).as_f64())
                        && t.get(i, measure).as_f64().is_some_and(past)
                })
                .map(|i| Flag {
                    threshold: Some(threshold),
                    ..flag(t, i, kind, table, measure, Some(people))
                }),
        );
    };
    courses(
        "high non-attendance",
        "attendance_by_course",
        "registrations",
        "non_attendance_rate",
        a.non_attendance_above,
        &|r| r > a.non_attendance_above,
    );
    courses(
        "low learning gain",
        "learning_gain_by_course",
        "n_paired",
        "hake_ci_high",
        a.gain_below,
        &|h| h < a.gain_below,
    );
    courses(
        "low follow-up response",
        "impact_by_course",
        "eligible",
        "response_rate",
        a.response_below,
        &|r| r < a.response_below,
    );

    let texts = |f: fn(&Flag) -> String| Values::Text(flags.iter().map(|x| Some(f(x))).collect());
    let floats = |f: fn(&Flag) -> Option<f64>| Values::Float(flags.iter().map(f).collect());
    Table::new("attention")
        .with("kind", texts(|f| f.kind.to_string()))
        .with("subject", texts(|f| f.subject.clone()))
        .with("table", texts(|f| f.table.to_string()))
        .with("measure", texts(|f| f.measure.to_string()))
        .with("value", floats(|f| f.value))
        .with(
            "people",
            Values::Int(
                flags
                    .iter()
                    .map(|f| f.people.map(|n| n.round() as i64))
                    .collect(),
            ),
        )
        .with("threshold", floats(|f| f.threshold))
}

/// The column naming a row of `table`: the agency or the course. Every
/// table the rules read is declared with a key (a test checks it); `key`,
/// a column no table has, finds no row.
pub fn key_of(table: &str) -> &'static str {
    super::tables::table(table)
        .and_then(|d| d.keys.first().copied())
        .unwrap_or("key")
}

/// The row of `table` whose key is `subject`.
pub fn row_of(table: &Table, subject: &str) -> Option<usize> {
    let key = key_of(&table.name);
    (0..table.height()).find(|&i| match table.get(i, key) {
        Value::Empty => subject.is_empty(),
        v => v.to_text() == subject,
    })
}

#[cfg(test)]
mod tests {
    /// The tables the rules flag rows of, each declared with its key.
    #[test]
    fn every_table_the_rules_read_has_a_declared_key() {
        for (table, key) in [
            ("coverage_by_agency", "agency"),
            ("currency_by_agency", "agency"),
            ("attendance_by_course", "course"),
            ("learning_gain_by_course", "course"),
            ("impact_by_course", "course"),
        ] {
            assert_eq!(super::key_of(table), key, "{table}");
        }
    }
}
