//! The headline figures: each shown and compared by the kind its table
//! declares for it, withheld over the count it is declared over.

use serde::Serialize;

use super::rows::{Comparison, Rows};
use crate::metrics::Metrics;
use crate::metrics::tables::{self, Kind};
use crate::render::format::{self, DASH};

/// One headline figure.
#[derive(Debug, Clone, Serialize)]
pub struct Headline {
    pub label: String,
    pub value: String,
    /// One entry per comparison, in order: "+0.4 points", or "–".
    pub changes: Vec<String>,
    pub note: String,
}

/// A headline figure: a measure of a one-row `_overall` table.
pub(super) struct Figure {
    pub label: &'static str,
    pub table: &'static str,
    pub column: &'static str,
    pub note: &'static str,
}

pub(super) const FIGURES: &[Figure] = &[
    Figure {
        label: "Registrations",
        table: "attendance_overall",
        column: "registrations",
        note: "places booked, including no-shows and cancellations",
    },
    Figure {
        label: "Trained",
        table: "attendance_overall",
        column: "trained",
        note: "attended or walked in",
    },
    Figure {
        label: "Non-attendance",
        table: "attendance_overall",
        column: "non_attendance_rate",
        note: "registrations not attended, without notice",
    },
    Figure {
        label: "Charges to agencies",
        table: "attendance_overall",
        column: "charges",
        note: "for no-shows and late cancellations",
    },
    Figure {
        label: "Learning gain (Hake)",
        table: "learning_gain_overall",
        column: "hake_gain",
        note: "share of the possible improvement achieved, 0 to 1",
    },
    Figure {
        label: "Improved self-rating",
        table: "learning_gain_overall",
        column: "pct_improved",
        note: "of delegates with before and after ratings",
    },
    Figure {
        label: "Follow-up response",
        table: "impact_overall",
        column: "response_rate",
        note: "of delegates due a follow-up survey",
    },
    Figure {
        label: "Applied learning",
        table: "impact_overall",
        column: "applied_rate",
        note: "of follow-up answers",
    },
];

impl Figure {
    /// The kind its table declares for it.
    fn kind(&self) -> Kind {
        tables::measure(self.table, self.column).map_or(Kind::Number, |m| m.kind)
    }
}

/// A figure as shown, and its value for comparing: `None` when withheld.
fn figure_value(m: &Metrics, f: &Figure, t: u32) -> (String, Option<f64>) {
    let rows = Rows::of(m, f.table);
    let over = tables::measure(f.table, f.column).and_then(|d| d.over);
    let n = over.and_then(|c| rows.first(c));
    format::measure(f.kind(), rows.first(f.column), n, t)
}

/// The change from `then` to `now`: a count's or money's in per cent, a
/// rate's in points, a mean's as a signed difference.
fn change(now: Option<f64>, then: Option<f64>, kind: Kind) -> String {
    let (Some(a), Some(b)) = (now, then) else {
        return DASH.into();
    };
    match kind {
        Kind::Count | Kind::Money => {
            if b == 0.0 {
                DASH.into()
            } else {
                format!("{}%", format::signed(Some(100.0 * (a - b) / b), 0))
            }
        }
        Kind::Rate | Kind::Share | Kind::Percent => {
            format!("{} points", format::signed(Some(100.0 * (a - b)), 1))
        }
        Kind::Mean | Kind::Number | Kind::Text => format::signed(Some(a - b), 2),
    }
}

pub(super) fn headline(m: &Metrics, comparisons: &[Comparison<'_>], t: u32) -> Vec<Headline> {
    let mut out: Vec<Headline> = FIGURES
        .iter()
        .map(|f| {
            let (value, now) = figure_value(m, f, t);
            let changes = comparisons
                .iter()
                .map(|c| {
                    let then = c.metrics.and_then(|p| figure_value(p, f, t).1);
                    change(now, then, f.kind())
                })
                .collect();
            Headline {
                label: f.label.into(),
                value,
                changes,
                note: f.note.into(),
            }
        })
        .collect();
    let rag = |m: &Metrics, rag: &str| {
        let r = Rows::of(m, "coverage_by_agency");
        (0..r.len()).filter(|&i| r.text(i, "rag") == rag).count()
    };
    let returned = |m: &Metrics| {
        let r = Rows::of(m, "coverage_by_agency");
        (0..r.len())
            .filter(|&i| r.text(i, "rag") != "missing")
            .count()
    };
    out.push(Headline {
        label: "Agencies at target".into(),
        value: format!("{} of {}", rag(m, "green"), returned(m)),
        changes: comparisons
            .iter()
            .map(|c| match c.metrics {
                Some(p) if returned(p) > 0 => {
                    format::signed(Some(rag(m, "green") as f64 - rag(p, "green") as f64), 0)
                }
                _ => DASH.into(),
            })
            .collect(),
        note: "agencies whose return shows every level at or above target".into(),
    });
    out
}
