//! The loaded dataset's tables as dataframes, one per table the SQL queries
//! read.

use chrono::NaiveDate;
use polars::prelude::DataFrame;

use super::build::Cols;
use crate::calendar::Calendar;
use crate::error::Result;
use crate::model::Dataset;

/// The loaded tables as dataframes, named as the SQL queries see them.
#[derive(Debug, Clone)]
pub struct Frames {
    pub attendance: DataFrame,
    pub sessions: DataFrame,
    pub evaluations: DataFrame,
    pub evaluation_scores: DataFrame,
    pub impact: DataFrame,
    pub impact_scores: DataFrame,
    pub agency_returns: DataFrame,
    pub agencies: DataFrame,
}

impl Frames {
    /// (name, frame) pairs in a fixed order.
    pub fn tables(&self) -> [(&'static str, &DataFrame); 8] {
        [
            ("attendance", &self.attendance),
            ("sessions", &self.sessions),
            ("evaluations", &self.evaluations),
            ("evaluation_scores", &self.evaluation_scores),
            ("impact", &self.impact),
            ("impact_scores", &self.impact_scores),
            ("agency_returns", &self.agency_returns),
            ("agencies", &self.agencies),
        ]
    }

    /// The dataframes' estimated size in memory, in bytes.
    pub fn estimated_size(&self) -> usize {
        self.tables()
            .iter()
            .map(|(_, df)| df.estimated_size())
            .sum()
    }
}

/// Builds the dataframes of a loaded dataset. Bookings and sessions carry
/// their financial year's and quarter's labels (`2024-25`, `2024-25 Q3`)
/// from `calendar`.
pub fn frames(data: &Dataset, calendar: &Calendar) -> Result<Frames> {
    let b = &data.bookings;
    let labels = period_labels(
        b.iter()
            .map(|r| r.session_date)
            .chain(data.sessions.iter().map(|s| s.session_date)),
        calendar,
    );
    let fy = |d: &NaiveDate| labels.get(d).map_or("", |(fy, _)| fy.as_str());
    let quarter = |d: &NaiveDate| labels.get(d).map_or("", |(_, q)| q.as_str());
    let attendance = Cols::new()
        .str("session_id", b.iter().map(|r| &*r.session_id))
        .str("delegate_id", b.iter().map(|r| &*r.delegate))
        .u64("link", b.iter().map(|r| r.link))
        .str("agency", b.iter().map(|r| &*r.agency))
        .bool("agency_matched", b.iter().map(|r| r.agency_matched))
        .str("status", b.iter().map(|r| r.status.as_str()))
        .bool("late_known", b.iter().map(|r| r.late_known))
        .opt_str("course", b.iter().map(|r| r.course.as_deref()))
        .date("session_date", b.iter().map(|r| r.session_date))
        .str("fy", b.iter().map(|r| fy(&r.session_date)))
        .str("quarter", b.iter().map(|r| quarter(&r.session_date)))
        .opt_date("booked_at", b.iter().map(|r| r.booked_at))
        .opt_date("cancelled_at", b.iter().map(|r| r.cancelled_at))
        .opt_str("level", b.iter().map(|r| r.level.as_deref()))
        .build(b.len())?;
    let s = &data.sessions;
    let sessions = Cols::new()
        .str("session_id", s.iter().map(|r| r.session_id.as_str()))
        .str("course", s.iter().map(|r| r.course.as_str()))
        .date("session_date", s.iter().map(|r| r.session_date))
        .str("fy", s.iter().map(|r| fy(&r.session_date)))
        .str("quarter", s.iter().map(|r| quarter(&r.session_date)))
        .opt_i64("places", s.iter().map(|r| r.places))
        .opt_str("mode", s.iter().map(|r| r.mode.as_deref()))
        .opt_str("duration", s.iter().map(|r| r.duration.map(|d| d.as_str())))
        .opt_str("level", s.iter().map(|r| r.level.as_deref()))
        .opt_str("pathway", s.iter().map(|r| r.pathway.as_deref()))
        .opt_f64("trainer_cost", s.iter().map(|r| r.trainer_cost))
        .opt_f64("venue_cost", s.iter().map(|r| r.venue_cost))
        .opt_str("facilitator", s.iter().map(|r| r.facilitator.as_deref()))
        .build(s.len())?;
    let f = &data.forms;
    let evaluations = Cols::new()
        .str("session_id", f.iter().map(|r| &*r.session_id))
        .str("delegate_id", f.iter().map(|r| &*r.delegate))
        .u64("link", f.iter().map(|r| r.link))
        .opt_f64("satisfaction", f.iter().map(|r| r.satisfaction))
        .opt_f64("relevance", f.iter().map(|r| r.relevance))
        .opt_str("comment", f.iter().map(|r| r.comment.as_deref()))
        .build(f.len())?;
    let e = &data.scores;
    let evaluation_scores = Cols::new()
        .str("session_id", e.iter().map(|r| &*r.session_id))
        .str("delegate_id", e.iter().map(|r| &*r.delegate))
        .u64("link", e.iter().map(|r| r.link))
        .str("item", e.iter().map(|r| &*r.item))
        .opt_f64("pre", e.iter().map(|r| r.pre))
        .opt_f64("post", e.iter().map(|r| r.post))
        .f64("scale_min", e.iter().map(|r| r.scale_min))
        .f64("scale_max", e.iter().map(|r| r.scale_max))
        .build(e.len())?;
    let i = &data.responses;
    let impact = Cols::new()
        .str("session_id", i.iter().map(|r| &*r.session_id))
        .str("delegate_id", i.iter().map(|r| &*r.delegate))
        .u64("link", i.iter().map(|r| r.link))
        .opt_date("responded_at", i.iter().map(|r| r.responded_at))
        .opt_bool("applied_learning", i.iter().map(|r| r.applied_learning))
        .opt_str("comment", i.iter().map(|r| r.comment.as_deref()))
        .build(i.len())?;
    let is = &data.impact_scores;
    let impact_scores = Cols::new()
        .str("session_id", is.iter().map(|r| &*r.session_id))
        .str("delegate_id", is.iter().map(|r| &*r.delegate))
        .u64("link", is.iter().map(|r| r.link))
        .str("item", is.iter().map(|r| &*r.item))
        .f64("score", is.iter().map(|r| r.score))
        .f64("scale_min", is.iter().map(|r| r.scale_min))
        .f64("scale_max", is.iter().map(|r| r.scale_max))
        .build(is.len())?;
    let r = &data.returns;
    let fy_labels: Vec<String> = r.iter().map(|r| crate::calendar::fy_label(r.fy)).collect();
    let agency_returns = Cols::new()
        .str("agency", r.iter().map(|r| r.agency.as_str()))
        .bool("agency_matched", r.iter().map(|r| r.agency_matched))
        .str("year", fy_labels.iter().map(String::as_str))
        .str("level", r.iter().map(|r| r.level.as_str()))
        .i64("headcount", r.iter().map(|r| r.headcount))
        .i64("trained", r.iter().map(|r| r.trained))
        .build(r.len())?;
    let a = &data.agencies;
    let agencies = Cols::new()
        .str("agency", a.iter().map(|r| r.agency.as_str()))
        .opt_str("sector", a.iter().map(|r| r.sector.as_deref()))
        .opt_bool("statutory_partner", a.iter().map(|r| r.statutory_partner))
        .bool("charge_exempt", a.iter().map(|r| r.charge_exempt))
        .build(a.len())?;
    Ok(Frames {
        attendance,
        sessions,
        evaluations,
        evaluation_scores,
        impact,
        impact_scores,
        agency_returns,
        agencies,
    })
}

/// Each distinct date's financial year and quarter labels (`2024-25`,
/// `2024-25 Q3`), worked out once rather than formatted for every row.
fn period_labels(
    dates: impl Iterator<Item = NaiveDate>,
    calendar: &Calendar,
) -> crate::fast::FastMap<NaiveDate, (String, String)> {
    let mut labels = crate::fast::FastMap::default();
    for d in dates {
        labels.entry(d).or_insert_with(|| {
            (
                crate::calendar::fy_label(calendar.fy_of(d)),
                calendar.quarter_of(d).label(),
            )
        });
    }
    labels
}
