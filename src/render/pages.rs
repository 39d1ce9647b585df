//! What a report page shows: headline figures with their changes, what needs
//! attention, and the charts, laid out from a period's metrics (and those of
//! the periods it is compared with). The figures and rules are the metrics';
//! the templates lay the page out.

mod agencies;
mod attention;
mod charts;
mod headline;
mod likert;
mod quarters;
mod rows;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::config::Config;
use crate::error::Result;
use crate::mask;
use crate::metrics::Metrics;
use crate::render::charts::Chart;
use crate::table::{Table, Value};
pub use attention::Attention;
pub use headline::Headline;
pub use rows::Comparison;

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
    let quarters = quarters::rows(m, earlier);
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
        headline: headline::headline(m, comparisons, t),
        attention: attention::lines(m, config),
        tables: m
            .tables
            .iter()
            .map(|t| (t.name.clone(), json_rows(t)))
            .collect(),
        charts: {
            let mut charts = charts::build(m, config)?;
            charts.extend(quarters::charts(&quarters, config)?);
            charts
        },
        quarters,
        rows_rejected,
    })
}
