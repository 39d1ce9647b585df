//! Metrics: every figure of METRICS.md for one period.
//!
//! The aggregations are SQL ([`sql`], `queries/*.sql`) run over the loaded
//! tables; what SQL cannot say (normalised change, Hake's gain, the Wilcoxon
//! test) is [`stats`]. The result is a list of plain [`Table`]s, named as
//! the files analysts read, each as `tables` declares it: the rows its
//! query gives, its declared columns, then any an overriding query adds.
//! Two tables are worked out from the others: what needs `attention`, and
//! the Likert answers as shares of each item's (`likert`).

pub(crate) mod attention;
mod build;
mod currency;
mod likert;
mod quality;
pub mod sessions;
pub mod sql;
pub mod stats;
pub(crate) mod tables;

use chrono::NaiveDate;

use crate::calendar::Period;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::frame::{Frames, SqlSession};
use crate::model::Quality;
use crate::table::{Table, Values};
pub use currency::Currency;
pub(crate) use likert::PHASES as LIKERT_PHASES;
pub use quality::rejected;
use sql::{Query, Results};
use tables::{Declared, Rows};

/// Every table for one period.
#[derive(Debug, Clone)]
pub struct Metrics {
    pub period: Period,
    pub as_of: NaiveDate,
    /// In the order METRICS.md lists them, then the further breakdowns.
    pub tables: Vec<Table>,
}

impl Metrics {
    pub fn table(&self, name: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.name == name)
    }
}

/// How much of a period to compute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Scope {
    /// Only the tables a page compares with: `HEADLINE_TABLES`.
    Headline,
    /// Every table.
    Full,
}

/// The tables of [`Scope::Headline`]: the overall figures and each agency's
/// rating.
const HEADLINE_TABLES: [&str; 4] = [
    "attendance_overall",
    "learning_gain_overall",
    "impact_overall",
    "coverage_by_agency",
];

/// The queries the headline tables need.
const HEADLINE_QUERIES: [&str; 7] = [
    "bookings",
    "period_sessions",
    "attendance_groups",
    "paired_forms",
    "impact_groups",
    "coverage_by_agency_level",
    "coverage_by_agency",
];

/// Computes the tables of `scope` for `period`, each as `tables::TABLES`
/// declares it.
pub fn compute_scope(
    frames: &Frames,
    quality: &Quality,
    config: &Config,
    queries: &[Query],
    period: Period,
    today: NaiveDate,
    scope: Scope,
) -> Result<Metrics> {
    let as_of = period.as_of(today);
    let mut session = SqlSession::new(frames);
    session.register(&params(config, &period, as_of)?)?;
    session.register(&targets(config))?;
    let label = period.label();
    let declared: Vec<&Declared> = tables::TABLES
        .iter()
        .filter(|d| scope == Scope::Full || HEADLINE_TABLES.contains(&d.name))
        .collect();
    let wanted: Vec<Query> = queries
        .iter()
        .filter(|q| scope == Scope::Full || HEADLINE_QUERIES.contains(&q.name))
        .cloned()
        .collect();
    let r = Results::run(&mut session, &wanted)?;
    let paired = build::paired_rows(&r, declared.iter().copied())?;
    let mut out: Vec<Table> = Vec::with_capacity(declared.len());
    for d in declared {
        let t = match (d.rows, d.name) {
            (Rows::Built, "data_quality") => quality::data_quality(quality),
            (Rows::Built, "unmatched_agencies") => quality::unmatched_agencies(quality),
            (Rows::Built, "rejected") => quality::rejected(quality),
            (Rows::Built, "attention") => attention::table(&out, config),
            (Rows::Built, "likert_shares") => likert::table(&out, config),
            (Rows::Built, name) => {
                return Err(Error::Internal(format!("no way to build table '{name}'")));
            }
            _ => build::from_query(&r, d, &label, &paired)?,
        };
        out.push(t);
    }
    Ok(Metrics {
        period,
        as_of,
        tables: out,
    })
}

/// The one-row `params` table the queries read the period and settings from.
fn params(config: &Config, period: &Period, as_of: NaiveDate) -> Result<Table> {
    let cutoff = as_of
        .checked_sub_signed(chrono::Duration::days(config.follow_up_days))
        .ok_or_else(|| {
            Error::Usage(format!(
                "follow_up_days = {} is out of range",
                config.follow_up_days
            ))
        })?;
    let scale = config.default_scale();
    // `as_of` is the period's end, or the run date for one still running.
    let currency = Currency::new(as_of, config.refresher_years)?;
    let text = |s: String| Values::Text(vec![Some(s)]);
    let date = |d: NaiveDate| Values::Date(vec![Some(d)]);
    let float = |x: f64| Values::Float(vec![Some(x)]);
    Ok(Table::new("params")
        .with("period", text(period.label()))
        .with("fy", text(period.year_label()))
        .with(
            "is_year",
            Values::Int(vec![Some(i64::from(period.quarter.is_none()))]),
        )
        .with("period_start", date(period.start))
        .with("period_end", date(period.end))
        .with("as_of", date(as_of))
        .with("follow_up_cutoff", date(cutoff))
        .with("currency_date", date(currency.date))
        .with("lapsed_until", date(currency.lapsed_until))
        .with("lapsing_until", date(currency.lapsing_until))
        .with("fee_full_day", float(config.fees.full_day))
        .with("fee_half_day", float(config.fees.half_day))
        .with("default_target", float(config.coverage.target))
        .with("scale_min", float(scale.min as f64))
        .with("scale_max", float(scale.max as f64)))
}

/// Coverage targets by level, keyed by the level in lowercase.
fn targets(config: &Config) -> Table {
    let t = &config.coverage.targets_by_level;
    Table::new("targets")
        .with(
            "level_key",
            Values::Text(t.keys().map(|k| Some(k.trim().to_lowercase())).collect()),
        )
        .with(
            "target",
            Values::Float(t.values().map(|v| Some(*v)).collect()),
        )
}
