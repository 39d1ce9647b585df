//! What a report page shows: headline figures with their changes, what needs
//! attention, and the charts, built from a period's metrics (and those of the
//! periods it is compared with). The templates lay it out.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::config::Config;
use crate::error::Result;
use crate::mask;
use crate::metrics::Metrics;
use crate::render::charts::{self, Bar, BarChart, Chart, LikertRow, Point, Shade};
use crate::render::format::{self, DASH};
use crate::render::html;
use crate::table::{Table, Value};

/// The annual report or a quarterly pack.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Annual,
    Quarterly,
}

impl Kind {
    pub fn template(self) -> &'static str {
        match self {
            Kind::Annual => "annual-report.html",
            Kind::Quarterly => "quarterly-pack.html",
        }
    }
}

/// A period the page compares with; `metrics` is `None` when the data does
/// not cover it.
pub struct Comparison<'a> {
    pub label: String,
    pub metrics: Option<&'a Metrics>,
}

/// One headline figure.
#[derive(Debug, Clone, Serialize)]
pub struct Headline {
    pub label: String,
    pub value: String,
    /// One entry per comparison, in order: "+0.4 points", or "–".
    pub changes: Vec<String>,
    pub note: String,
}

/// One "needs attention" line.
#[derive(Debug, Clone, Serialize)]
pub struct Attention {
    pub kind: String,
    pub text: String,
}

/// Everything a template sees.
#[derive(Debug, Serialize)]
pub struct Page {
    pub kind: Kind,
    pub title: String,
    pub partnership: String,
    pub period: String,
    pub as_of: String,
    pub subgroup: Option<String>,
    pub threshold: u32,
    pub fees: (f64, f64),
    pub target: f64,
    pub follow_up_days: i64,
    pub notice_days: i64,
    /// The day refresher currency is judged on: the period's end, or the
    /// run date for a period still running.
    pub currency_date: String,
    pub refresher_years: i64,
    pub comparisons: Vec<String>,
    pub headline: Vec<Headline>,
    pub attention: Vec<Attention>,
    /// Every metrics table, by name, as a list of rows.
    pub tables: BTreeMap<String, Vec<BTreeMap<String, serde_json::Value>>>,
    pub charts: BTreeMap<&'static str, Chart>,
    /// A pack's last eight quarters, oldest first: quarter, registrations,
    /// trained, non_attendance_rate, hake_gain and n_paired.
    pub quarters: Vec<BTreeMap<String, serde_json::Value>>,
    pub rows_rejected: usize,
}

/// Reads cells of a table by row and column name.
struct Rows<'a>(Option<&'a Table>);

impl<'a> Rows<'a> {
    fn of(m: &'a Metrics, name: &str) -> Self {
        Rows(m.table(name))
    }
    fn len(&self) -> usize {
        self.0.map_or(0, Table::height)
    }
    fn num(&self, i: usize, col: &str) -> Option<f64> {
        self.0.and_then(|t| t.get(i, col).as_f64())
    }
    /// A cell as text; text from the inputs [`mask::free_text`].
    fn text(&self, i: usize, col: &str) -> String {
        match self.0.map_or(Value::Empty, |t| t.get(i, col)) {
            Value::Text(s) => mask::free_text(s).into_owned(),
            other => other.to_text(),
        }
    }
    /// The first row's value (the `_overall` tables have one row).
    fn first(&self, col: &str) -> Option<f64> {
        self.num(0, col)
    }
}

fn json_rows(t: &Table) -> Vec<BTreeMap<String, serde_json::Value>> {
    (0..t.height())
        .map(|i| {
            t.columns
                .iter()
                .map(|c| {
                    let v = match c.values.get(i) {
                        Value::Empty => serde_json::Value::Null,
                        Value::Text(s) => serde_json::Value::from(mask::free_text(s)),
                        Value::Int(n) => serde_json::Value::from(n),
                        Value::Float(x) => serde_json::Value::from(x),
                        Value::Date(d) => serde_json::Value::from(d.to_string()),
                    };
                    (c.name.clone(), v)
                })
                .collect()
        })
        .collect()
}

/// How a headline figure is shown and compared.
#[derive(Clone, Copy)]
enum Measure {
    Count,
    Money,
    /// A rate over the people in the named column.
    Rate(&'static str, &'static str),
    /// A statistic over the people in the named column, to 2 places.
    Stat(&'static str, &'static str),
}

struct Figure {
    label: &'static str,
    table: &'static str,
    column: &'static str,
    measure: Measure,
    note: &'static str,
}

const FIGURES: &[Figure] = &[
    Figure {
        label: "Registrations",
        table: "attendance_overall",
        column: "registrations",
        measure: Measure::Count,
        note: "places booked, including no-shows and cancellations",
    },
    Figure {
        label: "Trained",
        table: "attendance_overall",
        column: "trained",
        measure: Measure::Count,
        note: "attended or walked in",
    },
    Figure {
        label: "Non-attendance",
        table: "attendance_overall",
        column: "non_attendance_rate",
        measure: Measure::Rate("attendance_overall", "registrations"),
        note: "registrations not attended, without notice",
    },
    Figure {
        label: "Charges to agencies",
        table: "attendance_overall",
        column: "charges",
        measure: Measure::Money,
        note: "for no-shows and late cancellations",
    },
    Figure {
        label: "Learning gain (Hake)",
        table: "learning_gain_overall",
        column: "hake_gain",
        measure: Measure::Stat("learning_gain_overall", "n_paired"),
        note: "share of the possible improvement achieved, 0 to 1",
    },
    Figure {
        label: "Improved self-rating",
        table: "learning_gain_overall",
        column: "pct_improved",
        measure: Measure::Rate("learning_gain_overall", "n_paired"),
        note: "of delegates with before and after ratings",
    },
    Figure {
        label: "Follow-up response",
        table: "impact_overall",
        column: "response_rate",
        measure: Measure::Rate("impact_overall", "eligible"),
        note: "of delegates due a follow-up survey",
    },
    Figure {
        label: "Applied learning",
        table: "impact_overall",
        column: "applied_rate",
        measure: Measure::Rate("impact_overall", "answered_applied"),
        note: "of follow-up answers",
    },
];

/// A figure as shown, and its value for comparing: `None` when withheld.
fn figure_value(m: &Metrics, f: &Figure, t: u32) -> (String, Option<f64>) {
    let v = Rows::of(m, f.table).first(f.column);
    match f.measure {
        Measure::Count => (format::count(v, t), v.filter(|&n| !format::small(n, t))),
        Measure::Money => {
            let n = Rows::of(m, "attendance_overall").first("chargeable");
            let shown = format::money(v, n, t);
            let v = if shown == DASH { None } else { v };
            (shown, v)
        }
        Measure::Rate(table, col) => {
            let n = Rows::of(m, table).first(col);
            let v = if format::rate_withheld(v, n, t) {
                None
            } else {
                v
            };
            (format::rate(v, n, t), v)
        }
        Measure::Stat(table, col) => {
            let n = Rows::of(m, table).first(col);
            let v = if format::too_few(n, t) { None } else { v };
            (format::mean(v, n, 2, t), v)
        }
    }
}

fn change(now: Option<f64>, then: Option<f64>, measure: Measure) -> String {
    let (Some(a), Some(b)) = (now, then) else {
        return DASH.into();
    };
    match measure {
        Measure::Count | Measure::Money => {
            if b == 0.0 {
                DASH.into()
            } else {
                format!("{}%", format::signed(Some(100.0 * (a - b) / b), 0))
            }
        }
        Measure::Rate(..) => format!("{} points", format::signed(Some(100.0 * (a - b)), 1)),
        Measure::Stat(..) => format::signed(Some(a - b), 2),
    }
}

fn headline(m: &Metrics, comparisons: &[Comparison<'_>], t: u32) -> Vec<Headline> {
    let mut out: Vec<Headline> = FIGURES
        .iter()
        .map(|f| {
            let (value, now) = figure_value(m, f, t);
            let changes = comparisons
                .iter()
                .map(|c| {
                    let then = c.metrics.and_then(|p| figure_value(p, f, t).1);
                    change(now, then, f.measure)
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

fn attention(m: &Metrics, config: &Config) -> Vec<Attention> {
    let t = config.disclosure_threshold;
    let a = &config.attention;
    let mut out = Vec::new();
    let mut push = |kind: &str, text: String| {
        out.push(Attention {
            kind: kind.into(),
            text,
        })
    };
    let cov = Rows::of(m, "coverage_by_agency");
    // Red agencies on one line, furthest from target first.
    let mut red: Vec<(f64, String)> = (0..cov.len())
        .filter(|&i| cov.text(i, "rag") == "red")
        .map(|i| {
            let pct = cov.num(i, "pct_trained");
            (
                pct.unwrap_or(0.0),
                format!(
                    "{} ({}, {} to train)",
                    cov.text(i, "agency"),
                    format::rate(pct, cov.num(i, "headcount"), t),
                    format::count(cov.num(i, "gap"), t)
                ),
            )
        })
        .collect();
    red.sort_by(|a, b| a.0.total_cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
    if !red.is_empty() {
        // The furthest from target, so that the list fits a pack's first page.
        const LISTED: usize = 8;
        let more = match red.len().saturating_sub(LISTED) {
            0 => String::new(),
            n => format!("; and {n} more, in the coverage table"),
        };
        push(
            "red agencies",
            format!(
                "{} agencies more than 10 points below the training target of {}: {}{more}",
                red.len(),
                format::percent(Some(config.coverage.target)),
                red.into_iter()
                    .take(LISTED)
                    .map(|(_, s)| s)
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
        );
    }
    let missing: Vec<String> = (0..cov.len())
        .filter(|&i| cov.text(i, "rag") == "missing")
        .map(|i| cov.text(i, "agency"))
        .collect();
    if !missing.is_empty() {
        push(
            "missing returns",
            format!(
                "No training return for {}: {}",
                m.period.year_label(),
                missing.join(", ")
            ),
        );
    }
    let absent: Vec<String> = (0..cov.len())
        .filter(|&i| cov.text(i, "flags").contains("no_attendance"))
        .map(|i| cov.text(i, "agency"))
        .collect();
    if !absent.is_empty() {
        push(
            "no attendance",
            format!(
                "No one trained on multi-agency courses from: {}",
                absent.join(", ")
            ),
        );
    }
    // The agencies with the most training lapsing by the end of next quarter.
    let cur = Rows::of(m, "currency_by_agency");
    let mut lapsing: Vec<(f64, String)> = (0..cur.len())
        .filter_map(|i| {
            let n = cur.num(i, "lapsing").filter(|&n| n > 0.0)?;
            Some((n, cur.text(i, "agency")))
        })
        .collect();
    lapsing.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    if !lapsing.is_empty() {
        let shown: Vec<String> = lapsing
            .iter()
            .take(5)
            .map(|(n, agency)| format!("{agency} ({})", format::count(Some(*n), t)))
            .collect();
        push(
            "lapsing training",
            format!(
                "Most staff whose training lapses by the end of next quarter: {}",
                shown.join("; ")
            ),
        );
    }
    // Courses past a threshold, among those with enough people to say so:
    // one line for each kind, the courses `;`-separated.
    let mut courses = |table: &str,
                       people: &str,
                       value: &str,
                       past: &dyn Fn(f64) -> bool,
                       kind: &str,
                       say: &dyn Fn(&Rows<'_>, usize) -> String| {
        let rows = Rows::of(m, table);
        let found: Vec<String> = (0..rows.len())
            .filter(|&i| {
                !format::too_few(rows.num(i, people), t) && rows.num(i, value).is_some_and(past)
            })
            .map(|i| say(&rows, i))
            .collect();
        if !found.is_empty() {
            push(kind, found.join("; "));
        }
    };
    courses(
        "attendance_by_course",
        "registrations",
        "non_attendance_rate",
        &|r| r > a.non_attendance_above,
        "high non-attendance",
        &|rows, i| {
            format!(
                "{}: {} did not attend ({} of {} registrations)",
                rows.text(i, "course"),
                format::rate(
                    rows.num(i, "non_attendance_rate"),
                    rows.num(i, "registrations"),
                    t
                ),
                format::count(rows.num(i, "dna"), t),
                format::count(rows.num(i, "registrations"), t)
            )
        },
    );
    // Low learning gain: only where the whole 95% interval of the Hake
    // gain lies below the threshold, not where chance could explain it.
    courses(
        "learning_gain_by_course",
        "n_paired",
        "hake_ci_high",
        &|h| h < a.gain_below,
        "low learning gain",
        &|rows, i| {
            let n = rows.num(i, "n_paired");
            format!(
                "{}: Hake gain {} (95% interval {} to {}) over {} delegates",
                rows.text(i, "course"),
                format::mean(rows.num(i, "hake_gain"), n, 2, t),
                format::mean(rows.num(i, "hake_ci_low"), n, 2, t),
                format::mean(rows.num(i, "hake_ci_high"), n, 2, t),
                format::count(n, t)
            )
        },
    );
    courses(
        "impact_by_course",
        "eligible",
        "response_rate",
        &|r| r < a.response_below,
        "low follow-up response",
        &|rows, i| {
            let n = rows.num(i, "eligible");
            format!(
                "{}: {} answered the follow-up survey ({} due)",
                rows.text(i, "course"),
                format::rate(rows.num(i, "response_rate"), n, t),
                format::count(n, t)
            )
        },
    );
    out
}

/// Bars of one column of a table, for rows with at least `threshold`
/// people in `people` whose value `text` does not withhold; largest first,
/// at most `limit`.
fn ranked(
    rows: &Rows<'_>,
    key: &str,
    value: &str,
    people: &str,
    t: u32,
    limit: usize,
    text: impl Fn(Option<f64>, Option<f64>) -> String,
) -> Vec<Bar> {
    let mut bars: Vec<Bar> = (0..rows.len())
        .filter(|&i| !format::too_few(rows.num(i, people), t))
        .filter_map(|i| {
            let v = rows.num(i, value)?;
            Some(Bar {
                label: rows.text(i, key),
                value: v,
                text: text(Some(v), rows.num(i, people)),
                interval: None,
                shade: Shade::Primary,
            })
        })
        .filter(|bar| bar.text != DASH)
        .collect();
    bars.sort_by(|a, b| {
        b.value
            .total_cmp(&a.value)
            .then_with(|| a.label.cmp(&b.label))
    });
    bars.truncate(limit);
    bars
}

fn left_out(total: usize, shown: usize, t: u32) -> String {
    match total.saturating_sub(shown) {
        0 => String::new(),
        1 => format!(
            " 1 group with fewer than {t} people, or beyond the largest shown, is in the table only."
        ),
        n => format!(
            " {n} groups with fewer than {t} people, or beyond the largest shown, are in the table only."
        ),
    }
}

fn build_charts(m: &Metrics, config: &Config) -> Result<BTreeMap<&'static str, Chart>> {
    let t = config.disclosure_threshold;
    let mut out = BTreeMap::new();
    let overall = Rows::of(m, "attendance_overall");
    let overall_rate = overall.first("non_attendance_rate");
    let overall_registrations = overall.first("registrations");

    // Non-attendance by quarter.
    let q = Rows::of(m, "attendance_by_quarter");
    if q.len() > 1 {
        let points: Vec<Point> = (0..q.len())
            .map(|i| {
                let n = q.num(i, "registrations");
                let v = q.num(i, "non_attendance_rate");
                let v = v.filter(|_| !format::rate_withheld(v, n, t));
                Point {
                    label: q.text(i, "quarter"),
                    value: v,
                    text: format::rate(v, n, t),
                }
            })
            .collect();
        let max = points.iter().filter_map(|p| p.value).fold(0.0, f64::max) * 1.25;
        let (lo, hi) = points.iter().filter(|p| p.value.is_some()).fold(
            (None::<&Point>, None::<&Point>),
            |(lo, hi), p| {
                let lo = match lo {
                    Some(l) if l.value <= p.value => Some(l),
                    _ => Some(p),
                };
                let hi = match hi {
                    Some(h) if h.value >= p.value => Some(h),
                    _ => Some(p),
                };
                (lo, hi)
            },
        );
        if let (Some(lo), Some(hi)) = (lo, hi) {
            out.insert(
                "trend",
                charts::trend(
                    "trend",
                    &trend_title(lo, hi),
                    "Line chart of the non-attendance rate (no-shows as a share of registrations) in each quarter.",
                    &points,
                    max.max(0.05),
                )?,
            );
        }
    }

    // Non-attendance by course.
    let c = Rows::of(m, "attendance_by_course");
    let bars = ranked(
        &c,
        "course",
        "non_attendance_rate",
        "registrations",
        t,
        20,
        |v, n| format::rate(v, n, t),
    );
    if let Some(top) = bars.first() {
        let max = bars.iter().map(|b| b.value).fold(0.0, f64::max).max(0.05) * 1.1;
        let shown = bars.len();
        out.insert(
            "nonattendance",
            charts::bars(
                "nonattendance",
                &format!("Non-attendance was highest on {}: {} of registrations", top.label, top.text),
                &format!(
                    "Bar chart of the non-attendance rate by course, highest first; the line marks the rate over all courses.{}",
                    left_out(c.len(), shown, t)
                ),
                &BarChart {
                    bars,
                    max,
                    marker: overall_rate
                        .filter(|_| !format::rate_withheld(overall_rate, overall_registrations, t))
                        .map(|r| (r, format!("all courses {}", format::percent(Some(r))))),
                },
            )?,
        );
    }

    // Charges by agency.
    let a = Rows::of(m, "attendance_by_agency");
    let bars: Vec<Bar> = ranked(&a, "agency", "charges", "chargeable", t, 15, |v, n| {
        format::money(v, n, t)
    })
    .into_iter()
    .filter(|b| b.value > 0.0)
    .collect();
    if let Some(top) = bars.first() {
        let max = bars[0].value * 1.05;
        let shown = bars.len();
        out.insert(
            "charges",
            charts::bars(
                "charges",
                &format!("{} was charged most: {}", top.label, top.text),
                &format!(
                    "Bar chart of charges for no-shows and late cancellations by agency, largest first.{}",
                    left_out(a.len(), shown, t)
                ),
                &BarChart {
                    bars,
                    max,
                    marker: None,
                },
            )?,
        );
    }

    // Pre and post answers per item.
    if let Some(chart) = likert_chart(m, config)? {
        out.insert("likert", chart);
    }

    // Learning gain by course.
    let g = Rows::of(m, "learning_gain_by_course");
    let mut bars = ranked(&g, "course", "mean_gain", "n_paired", t, 20, |v, _| {
        format::signed(v, 2)
    });
    // Each course's 95% confidence interval, as an error bar.
    for bar in &mut bars {
        if let Some(i) = (0..g.len()).find(|&i| g.text(i, "course") == bar.label)
            && let (Some(lo), Some(hi)) = (g.num(i, "gain_ci_low"), g.num(i, "gain_ci_high"))
        {
            bar.interval = Some((lo, hi));
        }
    }
    if let Some(top) = bars.first() {
        let max = bars
            .iter()
            .map(|b| b.interval.map_or(b.value, |(_, hi)| hi.max(b.value)))
            .fold(0.0, f64::max)
            .max(0.5)
            * 1.15;
        let shown = bars.len();
        out.insert(
            "gain",
            charts::bars(
                "gain",
                &format!(
                    "Self-rated learning rose most on {}: {} points on average",
                    top.label, top.text
                ),
                &format!(
                    "Bar chart of the mean change in self-rating (after minus before) by course, largest first; \
                     the line across each bar's end spans its 95% confidence interval.{}",
                    left_out(g.len(), shown, t)
                ),
                &BarChart {
                    bars,
                    max,
                    marker: None,
                },
            )?,
        );
    }

    // The funnel.
    let f = Rows::of(m, "funnel");
    if f.len() > 0 {
        let labels = [
            ("registrations", "Registered"),
            ("trained", "Trained"),
            ("evaluated", "Returned an evaluation"),
            ("paired", "Rated before and after"),
            ("impact_eligible", "Due a follow-up"),
            ("impact_responses", "Answered the follow-up"),
        ];
        let counts: BTreeMap<String, Option<f64>> = (0..f.len())
            .map(|i| (f.text(i, "stage"), f.num(i, "count")))
            .collect();
        // A stage's share, withheld when the stage it is drawn from is small.
        let share_of = |i: usize| {
            let base = counts.get(&f.text(i, "of_stage")).copied().flatten();
            format::rate(f.num(i, "share"), base, t)
        };
        let bars: Vec<Bar> = (0..f.len())
            .map(|i| {
                let stage = f.text(i, "stage");
                let label = labels
                    .iter()
                    .find(|(s, _)| *s == stage)
                    .map_or(stage.clone(), |(_, l)| (*l).to_string());
                let count = f.num(i, "count");
                let text = match f.num(i, "share") {
                    Some(_) => format!("{} ({})", format::count(count, t), share_of(i)),
                    None => format::count(count, t),
                };
                Bar {
                    label,
                    value: count.unwrap_or(0.0),
                    text,
                    interval: None,
                    shade: Shade::Primary,
                }
            })
            .collect();
        let max = bars.iter().map(|b| b.value).fold(0.0, f64::max) * 1.1;
        let share = |stage: &str| {
            (0..f.len())
                .find(|&i| f.text(i, "stage") == stage)
                .map(share_of)
                .unwrap_or_else(|| DASH.into())
        };
        out.insert(
            "funnel",
            charts::bars(
                "funnel",
                &format!(
                    "{} of trained delegates returned an evaluation; {} of those due a follow-up answered it",
                    share("evaluated"),
                    share("impact_responses")
                ),
                "Bar chart of the Kirkpatrick funnel: delegates at each stage, with the share of the stage before.",
                &BarChart {
                    bars,
                    max: max.max(1.0),
                    marker: None,
                },
            )?,
        );
    }

    // Coverage against target.
    if let Some(chart) = coverage_chart(m, config)? {
        out.insert("coverage", chart);
    }
    if let Some(chart) = currency_chart(m, config)? {
        out.insert("currency", chart);
    }

    // Representation in multi-agency training.
    let cov = Rows::of(m, "coverage_by_agency");
    let mut bars: Vec<Bar> = (0..cov.len())
        .filter_map(|i| {
            let v = cov.num(i, "representation")?;
            Some(Bar {
                label: cov.text(i, "agency"),
                value: v,
                text: format!("{v:.2}"),
                interval: None,
                shade: if v < 1.0 {
                    Shade::Secondary
                } else {
                    Shade::Primary
                },
            })
        })
        .collect();
    bars.sort_by(|a, b| {
        a.value
            .total_cmp(&b.value)
            .then_with(|| a.label.cmp(&b.label))
    });
    if !bars.is_empty() {
        let under = bars.iter().filter(|b| b.value < 1.0).count();
        let max = bars.iter().map(|b| b.value).fold(2.0, f64::max) * 1.05;
        out.insert(
            "representation",
            charts::bars(
                "representation",
                &format!("{under} of {} agencies are under-represented in multi-agency training", bars.len()),
                "Bar chart of each agency's share of multi-agency trained delegates divided by its share of staff, lowest first; the line marks 1, a fair share.",
                &BarChart {
                    bars,
                    max,
                    marker: Some((1.0, "fair share".into())),
                },
            )?,
        );
    }
    Ok(out)
}

/// The finding of the trend chart, from its lowest and highest points.
fn trend_title(lo: &Point, hi: &Point) -> String {
    if lo.label == hi.label {
        format!(
            "Non-attendance was {} in {}, the only quarter with enough people to show",
            lo.text, lo.label
        )
    } else {
        format!(
            "Non-attendance ranged from {} in {} to {} in {}",
            lo.text, lo.label, hi.text, hi.label
        )
    }
}

/// Each agency's share of staff trained, from its return, against the target.
/// Each agency's staff with current training, lowest share first.
fn currency_chart(m: &Metrics, config: &Config) -> Result<Option<Chart>> {
    let t = config.disclosure_threshold;
    let cur = Rows::of(m, "currency_by_agency");
    let with_staff: Vec<(usize, f64)> = (0..cur.len())
        .filter_map(|i| Some((i, cur.num(i, "pct_current")?)))
        .collect();
    // Never the share of a handful.
    let mut bars: Vec<Bar> = with_staff
        .iter()
        .filter(|&&(i, _)| {
            !cur.num(i, "trained_current")
                .is_some_and(|n| format::small(n, t))
        })
        .map(|&(i, v)| Bar {
            label: cur.text(i, "agency"),
            value: v.min(1.0),
            text: format!(
                "{}, {} lapsing",
                format::percent(Some(v)),
                format::count(cur.num(i, "lapsing"), t)
            ),
            interval: None,
            shade: Shade::Primary,
        })
        .collect();
    let Some(lowest) = bars
        .iter()
        .min_by(|a, b| {
            a.value
                .total_cmp(&b.value)
                .then_with(|| a.label.cmp(&b.label))
        })
        .map(|b| (b.label.clone(), format::percent(Some(b.value))))
    else {
        return Ok(None);
    };
    bars.sort_by(|a, b| {
        a.value
            .total_cmp(&b.value)
            .then_with(|| a.label.cmp(&b.label))
    });
    let left_out = match with_staff.len() - bars.len() {
        0 => String::new(),
        1 => format!(" 1 agency with fewer than {t} staff current is in the table only."),
        n => format!(" {n} agencies with fewer than {t} staff current are in the table only."),
    };
    Ok(Some(charts::bars(
        "currency",
        &format!(
            "{} has the smallest share of staff with current training: {}",
            lowest.0, lowest.1
        ),
        &format!(
            "Bar chart of the share of each agency's staff (from its return) whose latest training is within \
             {} years, lowest first, labelled with the share and how many lapse by the end of next quarter.{left_out}",
            config.refresher_years
        ),
        &BarChart {
            bars,
            max: 1.0,
            marker: None,
        },
    )?))
}

fn coverage_chart(m: &Metrics, config: &Config) -> Result<Option<Chart>> {
    let t = config.disclosure_threshold;
    let cov = Rows::of(m, "coverage_by_agency");
    let returned: Vec<(usize, f64)> = (0..cov.len())
        .filter(|&i| cov.text(i, "rag") != "missing")
        .filter_map(|i| Some((i, cov.num(i, "pct_trained")?)))
        .collect();
    let green = returned
        .iter()
        .filter(|&&(i, _)| cov.text(i, "rag") == "green")
        .count();
    // Over few staff too (a return counts posts, not delegates), but never
    // the share of a handful trained.
    let mut bars: Vec<Bar> = returned
        .iter()
        .filter(|&&(i, _)| !cov.num(i, "trained").is_some_and(|n| format::small(n, t)))
        .map(|&(i, v)| {
            let rag = cov.text(i, "rag");
            Bar {
                label: cov.text(i, "agency"),
                value: v,
                text: format!("{} {rag}", format::percent(Some(v))),
                interval: None,
                shade: match rag.as_str() {
                    "red" => Shade::Red,
                    "amber" => Shade::Amber,
                    "green" => Shade::Green,
                    _ => Shade::Muted,
                },
            }
        })
        .collect();
    if bars.is_empty() {
        return Ok(None);
    }
    bars.sort_by(|a, b| {
        a.value
            .total_cmp(&b.value)
            .then_with(|| a.label.cmp(&b.label))
    });
    let left_out = match returned.len() - bars.len() {
        0 => String::new(),
        1 => format!(" 1 agency with fewer than {t} staff trained is in the table only."),
        n => format!(" {n} agencies with fewer than {t} staff trained are in the table only."),
    };
    Ok(Some(charts::bars(
        "coverage",
        &format!(
            "{green} of the {} agencies that made a return reached the training target",
            returned.len()
        ),
        &format!(
            "Bar chart of the share of each agency's staff trained, from its return, lowest first, labelled with its rating; the line marks the target of {}.{left_out}",
            format::percent(Some(config.coverage.target))
        ),
        &BarChart {
            bars,
            max: 1.0,
            marker: Some((config.coverage.target, "target".into())),
        },
    )?))
}

fn likert_chart(m: &Metrics, config: &Config) -> Result<Option<Chart>> {
    let t = config.disclosure_threshold;
    let r = Rows::of(m, "likert_answers");
    // item -> phase -> score -> answers, for items on the default scale.
    let scale = config.default_scale();
    let points = (scale.max - scale.min + 1) as usize;
    let mut items: BTreeMap<String, [Vec<f64>; 2]> = BTreeMap::new();
    for i in 0..r.len() {
        if r.num(i, "scale_min") != Some(scale.min as f64)
            || r.num(i, "scale_max") != Some(scale.max as f64)
        {
            continue;
        }
        let (Some(score), Some(n)) = (r.num(i, "score"), r.num(i, "answers")) else {
            continue;
        };
        let k = (score - scale.min as f64).round();
        if k < 0.0 || k as usize >= points {
            continue;
        }
        let phase = usize::from(r.text(i, "phase") == "post");
        let entry = items
            .entry(r.text(i, "item"))
            .or_insert_with(|| [vec![0.0; points], vec![0.0; points]]);
        entry[phase][k as usize] += n;
    }
    let mut rows = Vec::new();
    let (mut top_pre, mut top_post, mut all_pre, mut all_post) = (0.0, 0.0, 0.0, 0.0);
    for (item, [pre, post]) in &items {
        let n: f64 = pre.iter().sum();
        if format::too_few(Some(n), t) {
            continue;
        }
        let name = html::capitalised(&item.replace('_', " "));
        for (phase, counts) in [("before", pre), ("after", post)] {
            rows.push(LikertRow {
                label: format!("{name}: {phase}"),
                shares: counts.iter().map(|c| c / n).collect(),
            });
        }
        // "Agree" is the top two points of the scale.
        top_pre += pre[points.saturating_sub(2)..].iter().sum::<f64>();
        top_post += post[points.saturating_sub(2)..].iter().sum::<f64>();
        all_pre += n;
        all_post += n;
    }
    if rows.is_empty() {
        return Ok(None);
    }
    let labels: Vec<String> = if scale.labels.len() == points {
        scale.labels.clone()
    } else {
        (scale.min..=scale.max).map(|s| s.to_string()).collect()
    };
    let pct = |a: f64, b: f64| {
        if format::rate_withheld(Some(a / b), Some(b), t) {
            DASH.to_string()
        } else {
            format!("{}%", (100.0 * a / b).round() as i64)
        }
    };
    Ok(Some(charts::likert(
        "likert",
        &format!(
            "After training, {} of answers were in the top two points of the scale, against {} before",
            pct(top_post, all_post),
            pct(top_pre, all_pre)
        ),
        "Diverging stacked bars of the answers to each evaluation item before and after the course: lower scores extend left of the centre line, higher scores right.",
        &rows,
        &labels,
    )?))
}

/// Builds a page's context.
pub fn page(
    kind: Kind,
    m: &Metrics,
    comparisons: &[Comparison<'_>],
    earlier: &[Comparison<'_>],
    subgroup: Option<&str>,
    config: &Config,
    rows_rejected: usize,
) -> Result<Page> {
    let t = config.disclosure_threshold;
    let what = match kind {
        Kind::Annual => format!(
            "Multi-agency safeguarding training: annual report {}",
            m.period
        ),
        Kind::Quarterly => format!(
            "Multi-agency safeguarding training: quarterly pack {}",
            m.period
        ),
    };
    let title = match subgroup {
        Some(g) => format!("{what}: {g}"),
        None => what,
    };
    let quarters = quarter_rows(m, earlier);
    Ok(Page {
        kind,
        title,
        partnership: config.partnership.clone(),
        period: m.period.label(),
        as_of: m.as_of.format("%-d %B %Y").to_string(),
        subgroup: subgroup.map(str::to_string),
        threshold: t,
        fees: (config.fees.full_day, config.fees.half_day),
        target: config.coverage.target,
        follow_up_days: config.follow_up_days,
        notice_days: config.notice_days,
        currency_date: m.as_of.format("%-d %B %Y").to_string(),
        refresher_years: config.refresher_years,
        comparisons: comparisons.iter().map(|c| c.label.clone()).collect(),
        headline: headline(m, comparisons, t),
        attention: attention(m, config),
        tables: m
            .tables
            .iter()
            .map(|t| (t.name.clone(), json_rows(t)))
            .collect(),
        charts: {
            let mut charts = build_charts(m, config)?;
            charts.extend(quarter_charts(&quarters, config)?);
            charts
        },
        quarters,
        rows_rejected,
    })
}

/// A row of a page's own table, by column.
type Row = BTreeMap<String, serde_json::Value>;

/// The headline figures of `earlier` quarters and then `m`'s, as rows.
fn quarter_rows(
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
fn quarter_charts(rows: &[Row], config: &Config) -> Result<Vec<(&'static str, Chart)>> {
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
    let line = |value: &dyn Fn(&Row) -> (Option<f64>, String)| {
        rows.iter()
            .map(|r| {
                let (value, text) = value(r);
                Point {
                    label: label(r),
                    value,
                    text,
                }
            })
            .collect::<Vec<Point>>()
    };
    let dna = line(&|r| {
        let (v, n) = (num(r, "non_attendance_rate"), num(r, "registrations"));
        let v = v.filter(|_| !format::rate_withheld(v, n, t));
        (v, format::rate(v, n, t))
    });
    let trained = line(&|r| {
        let v = num(r, "trained").filter(|&n| !format::small(n, t));
        (v, format::count(num(r, "trained"), t))
    });
    let gain = line(&|r| {
        let n = num(r, "n_paired");
        let v = num(r, "hake_gain").filter(|_| !format::too_few(n, t));
        (v, format::mean(v, n, 2, t))
    });
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::Calendar;
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

    /// Ten answers before and after on each item, all on the default scale.
    fn likert_answers(items: &[&str]) -> Table {
        let mut item = Vec::new();
        let mut phase = Vec::new();
        for i in items {
            for p in ["pre", "post"] {
                item.push(Some(i.to_string()));
                phase.push(Some(p.to_string()));
            }
        }
        let n = item.len();
        Table::new("likert_answers")
            .with("item", Values::Text(item))
            .with("phase", Values::Text(phase))
            .with("score", Values::Int(vec![Some(4); n]))
            .with("answers", Values::Int(vec![Some(10); n]))
            .with("scale_min", Values::Int(vec![Some(1); n]))
            .with("scale_max", Values::Int(vec![Some(5); n]))
    }

    #[test]
    fn likert_items_in_any_script_or_empty_are_labelled_without_panic() {
        let items = ["émotions", "情感", "مشاعر", "", "_", "recognise_signs"];
        let m = metrics(vec![likert_answers(&items)]);
        let chart = likert_chart(&m, &Config::default()).unwrap().unwrap();
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
}
