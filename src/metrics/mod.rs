//! Metrics: every figure of METRICS.md for one period.
//!
//! The aggregations are SQL ([`sql`], `queries/*.sql`) run over the loaded
//! tables; what SQL cannot say (normalised change, Hake's gain, the Wilcoxon
//! test) is [`stats`]. The result is a list of plain [`Table`]s, named as
//! the files analysts read.

pub mod sessions;
pub mod sql;
pub mod stats;

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};

use crate::calendar::Period;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::frame::{Frames, SqlSession};
use crate::model::Quality;
use crate::table::{Table, Values};
use sql::{Query, Results};
use stats::Pair;

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

/// The attendance measures by course, quarter, mode and level, in order.
pub const ATTENDANCE_MEASURES: [&str; 19] = [
    "sessions",
    "places",
    "registrations",
    "attended",
    "walk_ins",
    "dna",
    "late_cancellations",
    "cancellations",
    "trained",
    "take_up_rate",
    "attendance_rate",
    "non_attendance_rate",
    "late_cancellation_rate",
    "cancellation_rate",
    "unused_places",
    "chargeable",
    "charges",
    "cost",
    "cost_per_trained",
];

/// Measures that need sessions, so are not defined by agency.
const SESSION_MEASURES: [&str; 6] = [
    "sessions",
    "places",
    "take_up_rate",
    "unused_places",
    "cost",
    "cost_per_trained",
];

pub const GAIN_MEASURES: [&str; 17] = [
    "n_paired",
    "pre_mean",
    "post_mean",
    "mean_gain",
    "hake_gain",
    "mean_normalised_change",
    "pct_improved",
    "pct_unchanged",
    "pct_worse",
    "wilcoxon_z",
    "p_value",
    "effect_size_r",
    "rank_biserial",
    "gain_ci_low",
    "gain_ci_high",
    "hake_ci_low",
    "hake_ci_high",
];

/// By course, with the count the applied rate is over (those who answered
/// the yes/no question), so that a page discloses it over that count.
const IMPACT_MEASURES: [&str; 5] = [
    "eligible",
    "responses",
    "response_rate",
    "applied_rate",
    "answered_applied",
];
/// The impact measures with the counts behind the applied rate.
const IMPACT_ALL: [&str; 6] = [
    "eligible",
    "responses",
    "response_rate",
    "applied_rate",
    "applied",
    "answered_applied",
];
const REACTION_MEASURES: [&str; 4] = [
    "responses",
    "satisfaction_mean",
    "pct_satisfied",
    "relevance_mean",
];

/// How much of a period to compute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Scope {
    /// Only the overall figures a page compares with: the tables
    /// attendance_overall, learning_gain_overall, impact_overall and
    /// coverage_by_agency.
    Headline,
    /// Every table.
    Full,
}

/// The queries the headline figures need.
const HEADLINE_QUERIES: [&str; 7] = [
    "bookings",
    "period_sessions",
    "attendance_groups",
    "paired_forms",
    "impact_groups",
    "coverage_by_agency_level",
    "coverage_by_agency",
];

/// Computes every table for `period`. `today` bounds `as_of`.
pub fn compute(
    frames: &Frames,
    quality: &Quality,
    config: &Config,
    queries: &[Query],
    period: Period,
    today: NaiveDate,
) -> Result<Metrics> {
    compute_scope(frames, quality, config, queries, period, today, Scope::Full)
}

/// Computes the tables of `scope` for `period`.
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
    if scope == Scope::Headline {
        let wanted: Vec<Query> = queries
            .iter()
            .filter(|q| HEADLINE_QUERIES.contains(&q.name))
            .cloned()
            .collect();
        let r = Results::run(&mut session, &wanted)?;
        let [attendance, gain, impact] = overall_tables(&r, &label)?;
        let coverage = &r.get("coverage_by_agency", &["agency", "rag"])?;
        let coverage = coverage
            .select(
                "coverage_by_agency",
                &[("agency", "agency"), ("rag", "rag")],
            )
            .ok_or_else(|| missing_column("coverage_by_agency"))?;
        let tables = vec![attendance, gain, impact, coverage];
        return Ok(Metrics {
            period,
            as_of,
            tables,
        });
    }
    let r = Results::run(&mut session, queries)?;

    let attendance = &r.get("attendance_groups", &long_columns(&ATTENDANCE_MEASURES))?;
    let by_agency: Vec<&str> = ATTENDANCE_MEASURES
        .iter()
        .copied()
        .filter(|m| !SESSION_MEASURES.contains(m))
        .collect();
    let forms = &r.get(
        "paired_forms",
        &[
            "course",
            "agency",
            "quarter",
            "pre",
            "post",
            "scale_min",
            "scale_max",
        ],
    )?;
    let items = &r.get(
        "paired_items",
        &["item", "pre", "post", "scale_min", "scale_max"],
    )?;
    let reaction = &r.get("reaction_groups", &long_columns(&REACTION_MEASURES))?;
    let impact = &r.get("impact_groups", &long_columns(&IMPACT_ALL))?;
    let impact_items = &r.get(
        "impact_by_item",
        &["item", "responses", "mean", "pct_agree"],
    )?;
    let likert_cols = [
        "item",
        "phase",
        "score",
        "answers",
        "scale_min",
        "scale_max",
    ];
    let likert = &r.get("likert_answers", &likert_cols)?;
    let funnel = &r.get("funnel", &["stage", "count", "of_stage", "share"])?;
    let level_cols = [
        "agency",
        "level",
        "headcount",
        "trained",
        "pct_trained",
        "target",
        "gap",
        "rag",
    ];
    let coverage_level = &r.get("coverage_by_agency_level", &level_cols)?;
    let agency_cols = [
        "agency",
        "headcount",
        "trained",
        "pct_trained",
        "gap",
        "rag",
        "ma_trained",
        "per_100_staff",
        "representation",
        "flags",
    ];
    let coverage = &r.get("coverage_by_agency", &agency_cols)?;
    let currency_cols = [
        "agency",
        "trained_current",
        "lapsing",
        "headcount",
        "pct_current",
    ];
    let currency = &r.get("currency_by_agency", &currency_cols)?;

    let [attendance_overall, gain_overall, impact_overall] = overall_tables(&r, &label)?;
    let tables = vec![
        split(
            attendance,
            "attendance_by_course",
            "course",
            &ATTENDANCE_MEASURES,
        )?,
        split(attendance, "attendance_by_agency", "agency", &by_agency)?,
        split(
            attendance,
            "attendance_by_quarter",
            "quarter",
            &ATTENDANCE_MEASURES,
        )?,
        gain_table(
            "learning_gain_by_course",
            "course",
            group_pairs(forms, Some("course")),
        ),
        gain_table(
            "learning_gain_by_item",
            "item",
            group_pairs(items, Some("item")),
        ),
        split(impact, "impact_by_course", "course", &IMPACT_MEASURES)?,
        pick(funnel, "funnel", &["stage", "count", "of_stage", "share"])?,
        pick(coverage, "coverage_by_agency", &agency_cols)?,
        pick(coverage_level, "coverage_by_agency_level", &level_cols)?,
        pick(currency, "currency_by_agency", &currency_cols)?,
        data_quality(quality),
        // Further breakdowns.
        split(
            attendance,
            "attendance_by_mode",
            "mode",
            &ATTENDANCE_MEASURES,
        )?,
        split(
            attendance,
            "attendance_by_level",
            "level",
            &ATTENDANCE_MEASURES,
        )?,
        gain_table(
            "learning_gain_by_agency",
            "agency",
            group_pairs(forms, Some("agency")),
        ),
        gain_table(
            "learning_gain_by_quarter",
            "quarter",
            group_pairs(forms, Some("quarter")),
        ),
        split(reaction, "reaction_by_course", "course", &REACTION_MEASURES)?,
        overall(reaction, "reaction_overall", &label, &REACTION_MEASURES)?,
        pick(
            impact_items,
            "impact_by_item",
            &["item", "responses", "mean", "pct_agree"],
        )?,
        attendance_overall,
        gain_overall,
        impact_overall,
        pick(likert, "likert_answers", &likert_cols)?,
        unmatched_agencies(quality),
        rejected(quality),
    ];
    Ok(Metrics {
        period,
        as_of,
        tables,
    })
}

/// The columns of a long result: `dimension`, `key`, then `measures`.
fn long_columns(measures: &[&'static str]) -> Vec<&'static str> {
    [&["dimension", "key"][..], measures].concat()
}

/// The overall attendance, learning gain and impact of the period: the
/// headline figures, in both scopes.
fn overall_tables(r: &Results, label: &str) -> Result<[Table; 3]> {
    let attendance = &r.get("attendance_groups", &long_columns(&ATTENDANCE_MEASURES))?;
    let forms = &r.get("paired_forms", &["pre", "post", "scale_min", "scale_max"])?;
    let impact = &r.get("impact_groups", &long_columns(&IMPACT_ALL))?;
    Ok([
        overall(
            attendance,
            "attendance_overall",
            label,
            &ATTENDANCE_MEASURES,
        )?,
        with_period(
            gain_table("learning_gain_overall", "period", group_pairs(forms, None)),
            label,
        ),
        overall(impact, "impact_overall", label, &IMPACT_ALL)?,
    ])
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

/// The dates refresher currency is judged by (METRICS.md "Refresher
/// currency"): a training lapses `years` after its session, on the same day
/// of the month (28 February for a 29 February).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Currency {
    /// E: the period's end, or the run date for a period still running.
    pub date: NaiveDate,
    /// A training on or before this date has lapsed by E.
    pub lapsed_until: NaiveDate,
    /// A training on or before this date lapses by the end of the quarter
    /// after E.
    pub lapsing_until: NaiveDate,
}

impl Currency {
    pub fn new(date: NaiveDate, years: i64) -> Result<Currency> {
        let out_of_range = || Error::Usage(format!("refresher_years = {years} is out of range"));
        let months = u32::try_from(years * 12).map_err(|_| out_of_range())?;
        let lapse = |d: NaiveDate| d.checked_add_months(chrono::Months::new(months));
        // The latest session date whose training has lapsed by `by`.
        let last_lapsed = |by: NaiveDate| -> Result<NaiveDate> {
            let mut d = by
                .checked_sub_months(chrono::Months::new(months))
                .ok_or_else(out_of_range)?;
            while let Some(next) = d.succ_opt()
                && lapse(next).is_some_and(|l| l <= by)
            {
                d = next;
            }
            Ok(d)
        };
        // The end of the quarter after the one holding `date`.
        let quarter_start = NaiveDate::from_ymd_opt(date.year(), (date.month0() / 3) * 3 + 1, 1)
            .ok_or_else(out_of_range)?;
        let next_quarter_end = quarter_start
            .checked_add_months(chrono::Months::new(6))
            .and_then(|d| d.pred_opt())
            .ok_or_else(out_of_range)?;
        Ok(Currency {
            date,
            lapsed_until: last_lapsed(date)?,
            lapsing_until: last_lapsed(next_quarter_end)?,
        })
    }
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

fn missing_column(table: &str) -> Error {
    Error::Internal(format!("query result '{table}' lost a checked column"))
}

/// The rows of one breakdown of a long `dimension, key, ...` result.
fn split(long: &Table, name: &str, dimension: &str, measures: &[&str]) -> Result<Table> {
    let keep: Vec<(&str, &str)> = std::iter::once(("key", dimension))
        .chain(measures.iter().map(|m| (*m, *m)))
        .collect();
    long.select_where(name, "dimension", dimension, &keep)
        .ok_or_else(|| missing_column(&long.name))
}

/// The `overall` row of a long result, keyed by the period's label.
fn overall(long: &Table, name: &str, label: &str, measures: &[&str]) -> Result<Table> {
    let keep: Vec<(&str, &str)> = measures.iter().map(|m| (*m, *m)).collect();
    let t = long
        .select_where(name, "dimension", "overall", &keep)
        .ok_or_else(|| missing_column(&long.name))?;
    Ok(with_period(t, label))
}

/// Puts a `period` column first (replacing one that is there).
fn with_period(mut t: Table, label: &str) -> Table {
    t.columns.retain(|c| c.name != "period");
    let period = crate::table::Column {
        name: "period".into(),
        values: Values::Text(vec![Some(label.to_string()); t.height()]),
    };
    t.columns.insert(0, period);
    t
}

/// The named columns of a result, in that order.
fn pick(t: &Table, name: &str, columns: &[&str]) -> Result<Table> {
    let keep: Vec<(&str, &str)> = columns.iter().map(|c| (*c, *c)).collect();
    t.select(name, &keep).ok_or_else(|| missing_column(&t.name))
}

/// Paired rows grouped by the text column `key` (one group, `All`, if none).
fn group_pairs(t: &Table, key: Option<&str>) -> BTreeMap<String, Vec<Pair>> {
    let mut groups: BTreeMap<String, Vec<Pair>> = BTreeMap::new();
    for i in 0..t.height() {
        let num = |c: &str| t.get(i, c).as_f64();
        let (Some(pre), Some(post), Some(min), Some(max)) =
            (num("pre"), num("post"), num("scale_min"), num("scale_max"))
        else {
            continue;
        };
        let group = match key {
            Some(k) => t.get(i, k).to_text(),
            None => "All".to_string(),
        };
        groups.entry(group).or_default().push(Pair {
            pre,
            post,
            min,
            max,
        });
    }
    groups
}

/// Learning gain for each group, one row a group.
fn gain_table(name: &str, key: &str, groups: BTreeMap<String, Vec<Pair>>) -> Table {
    let mut keys = Vec::new();
    let mut cols: Vec<Vec<Option<f64>>> = vec![Vec::new(); GAIN_MEASURES.len() - 1];
    let mut n_paired = Vec::new();
    for (group, pairs) in groups {
        let Some(g) = stats::learning_gain(&pairs) else {
            continue;
        };
        keys.push(Some(group));
        n_paired.push(Some(g.n_paired as i64));
        let t = g.test;
        let row = [
            Some(g.pre_mean),
            Some(g.post_mean),
            Some(g.mean_gain),
            g.hake_gain,
            g.mean_normalised_change,
            Some(g.pct_improved),
            Some(g.pct_unchanged),
            Some(g.pct_worse),
            t.map(|t| t.z),
            t.map(|t| t.p),
            t.map(|t| t.r),
            t.map(|t| t.rank_biserial),
            g.gain_interval.map(|(lo, _)| lo),
            g.gain_interval.map(|(_, hi)| hi),
            g.hake_interval.map(|(lo, _)| lo),
            g.hake_interval.map(|(_, hi)| hi),
        ];
        for (col, v) in cols.iter_mut().zip(row) {
            col.push(v);
        }
    }
    let mut t = Table::new(name)
        .with(key, Values::Text(keys))
        .with("n_paired", Values::Int(n_paired));
    for (measure, values) in GAIN_MEASURES[1..].iter().zip(cols) {
        t = t.with(*measure, Values::Float(values));
    }
    t
}

fn ints(values: impl Iterator<Item = usize>) -> Values {
    Values::Int(values.map(|v| Some(v as i64)).collect())
}

fn texts<'a>(values: impl Iterator<Item = &'a str>) -> Values {
    Values::Text(values.map(|v| Some(v.to_string())).collect())
}

/// `data_quality.csv`: one row per source file.
pub fn data_quality(q: &Quality) -> Table {
    let s = &q.sources;
    Table::new("data_quality")
        .with("source", texts(s.iter().map(|s| s.source.as_str())))
        .with("file", texts(s.iter().map(|s| s.file.as_str())))
        .with("rows_read", ints(s.iter().map(|s| s.rows_read)))
        .with("rows_loaded", ints(s.iter().map(|s| s.rows_loaded)))
        .with("rows_rejected", ints(s.iter().map(|s| s.rows_rejected)))
        .with("rows_skipped", ints(s.iter().map(|s| s.rows_skipped)))
        .with(
            "duplicates_merged",
            ints(s.iter().map(|s| s.duplicates_merged)),
        )
        .with(
            "unmatched_agencies",
            ints(s.iter().map(|s| s.unmatched_agencies)),
        )
        .with("unmatched_links", ints(s.iter().map(|s| s.unmatched_links)))
        .with(
            "undated_cancellations",
            ints(s.iter().map(|s| s.undated_cancellations)),
        )
}

/// `rejected.csv`: every rejected row with file, sheet, Excel row, column,
/// value and reason.
pub fn rejected(q: &Quality) -> Table {
    let r = &q.rejections;
    Table::new("rejected")
        .with("source", texts(r.iter().map(|r| r.source.as_str())))
        .with("file", texts(r.iter().map(|r| r.file.as_str())))
        .with("sheet", texts(r.iter().map(|r| r.sheet.as_str())))
        .with("row", ints(r.iter().map(|r| r.row as usize)))
        .with("column", texts(r.iter().map(|r| r.column.as_str())))
        .with("value", texts(r.iter().map(|r| r.value.as_str())))
        .with("reason", texts(r.iter().map(|r| r.reason.as_str())))
}

/// `unmatched_agencies.csv`: names that match no register agency, kept as
/// written, with their rows by source and the closest register name.
pub fn unmatched_agencies(q: &Quality) -> Table {
    let u = &q.unmatched_agencies;
    let sources: Vec<String> = u
        .iter()
        .map(|u| {
            u.rows
                .iter()
                .map(|(s, n)| format!("{s} {n}"))
                .collect::<Vec<_>>()
                .join("; ")
        })
        .collect();
    Table::new("unmatched_agencies")
        .with("agency", texts(u.iter().map(|u| u.name.as_str())))
        .with("rows", ints(u.iter().map(|u| u.rows.values().sum())))
        .with("rows_by_source", texts(sources.iter().map(String::as_str)))
        .with(
            "suggestion",
            Values::Text(u.iter().map(|u| u.suggestion.clone()).collect()),
        )
}

#[cfg(test)]
mod tests {
    use super::Currency;
    use chrono::NaiveDate;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn currency_dates_lapse_on_the_same_day_years_later() {
        let c = Currency::new(d(2026, 3, 31), 2).unwrap();
        assert_eq!(c.lapsed_until, d(2024, 3, 31));
        assert_eq!(c.lapsing_until, d(2024, 6, 30));
        // 29 February 2020 lapses on 28 February 2022: lapsed on that day.
        let leap = Currency::new(d(2022, 2, 28), 2).unwrap();
        assert_eq!(leap.lapsed_until, d(2020, 2, 29));
        // A date mid-quarter: the quarter after ends on 30 June.
        let mid = Currency::new(d(2026, 2, 10), 1).unwrap();
        assert_eq!(mid.lapsing_until, d(2025, 6, 30));
    }
}
