//! A pack's last eight quarters: each quarter's headline figures as rows of
//! the page's own table, and their three trend lines.

use std::collections::BTreeMap;

use super::rows::{Comparison, Rows};
use crate::config::Config;
use crate::error::Result;
use crate::metrics::Metrics;
use crate::metrics::tables::{self, Kind};
use crate::render::charts::{self, Chart, Point};
use crate::render::format;

/// A row of a page's own table, by column.
type Row = BTreeMap<String, serde_json::Value>;

/// The headline figures of `earlier` quarters and then `m`'s, as rows.
pub(super) fn rows(
    m: &Metrics,
    earlier: &[Comparison<'_>],
) -> Vec<BTreeMap<String, serde_json::Value>> {
    if earlier.is_empty() {
        return Vec::new();
    }
    let current = Comparison {
        label: m.period.label(),
        metrics: Some(m),
    };
    earlier
        .iter()
        .chain(std::iter::once(&current))
        .map(|c| {
            let value = |table: &str, col: &str| {
                c.metrics
                    .and_then(|m| Rows::of(m, table).first(col))
                    .map_or(serde_json::Value::Null, serde_json::Value::from)
            };
            BTreeMap::from([
                (
                    "quarter".to_string(),
                    serde_json::Value::from(c.label.clone()),
                ),
                (
                    "registrations".into(),
                    value("attendance_overall", "registrations"),
                ),
                ("trained".into(), value("attendance_overall", "trained")),
                (
                    "non_attendance_rate".into(),
                    value("attendance_overall", "non_attendance_rate"),
                ),
                (
                    "hake_gain".into(),
                    value("learning_gain_overall", "hake_gain"),
                ),
                (
                    "n_paired".into(),
                    value("learning_gain_overall", "n_paired"),
                ),
            ])
        })
        .collect()
}

/// A pack's three lines over the last eight quarters: non-attendance,
/// people trained and learning gain, each withheld where too few people
/// stand behind it.
pub(super) fn charts(rows: &[Row], config: &Config) -> Result<Vec<(&'static str, Chart)>> {
    let t = config.disclosure_threshold;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let num = |r: &Row, col: &str| r.get(col).and_then(|v| v.as_f64());
    let label = |r: &Row| {
        r.get("quarter")
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_string()
    };
    // Each point shown by the kind its overall table declares, over the
    // count it declares.
    let line = |table: &str, column: &str| {
        let declared = tables::measure(table, column);
        let kind = declared.map_or(Kind::Number, |d| d.kind);
        rows.iter()
            .map(|r| {
                let n = declared.and_then(|d| d.over).and_then(|over| num(r, over));
                let (text, value) = format::measure(kind, num(r, column), n, t);
                Point {
                    label: label(r),
                    value,
                    text,
                }
            })
            .collect::<Vec<Point>>()
    };
    let dna = line("attendance_overall", "non_attendance_rate");
    let trained = line("attendance_overall", "trained");
    let gain = line("learning_gain_overall", "hake_gain");
    let span = |points: &[Point], what: &str| -> String {
        let shown: Vec<&Point> = points.iter().filter(|p| p.value.is_some()).collect();
        match (shown.first(), shown.last()) {
            (Some(first), Some(last)) if first.label != last.label => format!(
                "{what}: {} in {}, {} in {}",
                first.text, first.label, last.text, last.label
            ),
            (Some(only), _) => format!("{what}: {} in {}", only.text, only.label),
            _ => format!("{what}: too few people in any quarter to show"),
        }
    };
    let top = |points: &[Point], floor: f64| {
        points
            .iter()
            .filter_map(|p| p.value)
            .fold(0.0, f64::max)
            .max(floor)
            * 1.2
    };
    let quarters = format!(
        "the {} quarters to {}",
        rows.len(),
        label(rows.last().unwrap_or(&Row::new()))
    );
    let lines = [
        (
            "quarters_nonattendance",
            "Non-attendance",
            "the non-attendance rate (no-shows as a share of registrations)",
            "; a gap is a quarter with too few registrations to show",
            dna,
            0.05,
        ),
        (
            "quarters_trained",
            "Practitioners trained",
            "the practitioners trained (attended or walked in)",
            "",
            trained,
            10.0,
        ),
        (
            "quarters_gain",
            "Learning gain (Hake)",
            "the learning gain (Hake: the share of the possible rise in self-rating achieved)",
            "; a gap is a quarter with too few rated delegates",
            gain,
            0.2,
        ),
    ];
    lines
        .into_iter()
        .map(|(id, what, measure, gap, points, floor)| {
            let chart = charts::trend(
                id,
                &span(&points, what),
                &format!("Line chart of {measure} in each of {quarters}{gap}."),
                &points,
                top(&points, floor),
            )?;
            Ok((id, chart))
        })
        .collect()
}
