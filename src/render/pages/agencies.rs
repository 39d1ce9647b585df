//! The agencies' charts: coverage against the training target, and
//! refresher currency.

use super::rows::Rows;
use crate::config::Config;
use crate::error::Result;
use crate::metrics::Metrics;
use crate::render::charts::{self, Bar, BarChart, Chart, Shade};
use crate::render::format;

/// Each agency's staff with current training, lowest share first.
pub(super) fn currency_chart(m: &Metrics, config: &Config) -> Result<Option<Chart>> {
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

/// Each agency's share of staff trained, from its return, against the target.
pub(super) fn coverage_chart(m: &Metrics, config: &Config) -> Result<Option<Chart>> {
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
