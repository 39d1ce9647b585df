//! The charts of a report page from the period's tables: non-attendance by
//! quarter and by course, charges by agency, learning gain by course, the
//! funnel and representation; the agencies' and the Likert charts are in
//! their own modules.

use std::collections::BTreeMap;

use super::rows::Rows;
use super::{agencies, likert};
use crate::config::Config;
use crate::error::Result;
use crate::metrics::Metrics;
use crate::render::charts::{self, Bar, BarChart, Chart, Point, Shade};
use crate::render::format::{self, DASH};

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

pub(super) fn build(m: &Metrics, config: &Config) -> Result<BTreeMap<&'static str, Chart>> {
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
    if let Some(chart) = likert::chart(m, config)? {
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
    if let Some(chart) = agencies::coverage_chart(m, config)? {
        out.insert("coverage", chart);
    }
    if let Some(chart) = agencies::currency_chart(m, config)? {
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
