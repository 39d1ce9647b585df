//! Every place hubreport builds polars dataframes from Rust values.
//!
//! Polars' Rust API changes between minor versions; keeping its construction
//! here means an upgrade touches one file.

use chrono::NaiveDate;
use polars::prelude::{Column, DataFrame, NamedFrom, Series};

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
}

/// A column builder that keeps construction terse and in one place.
struct Cols(Vec<Column>);

impl Cols {
    fn new() -> Self {
        Cols(Vec::new())
    }
    fn str<'a, I: IntoIterator<Item = &'a str>>(mut self, name: &str, values: I) -> Self {
        let v: Vec<&str> = values.into_iter().collect();
        self.0.push(Series::new(name.into(), v).into());
        self
    }
    fn opt_str<'a, I: IntoIterator<Item = Option<&'a str>>>(
        mut self,
        name: &str,
        values: I,
    ) -> Self {
        let v: Vec<Option<&str>> = values.into_iter().collect();
        self.0.push(Series::new(name.into(), v).into());
        self
    }
    fn date<I: IntoIterator<Item = NaiveDate>>(mut self, name: &str, values: I) -> Self {
        let v: Vec<NaiveDate> = values.into_iter().collect();
        self.0.push(Series::new(name.into(), v).into());
        self
    }
    fn opt_date<I: IntoIterator<Item = Option<NaiveDate>>>(
        mut self,
        name: &str,
        values: I,
    ) -> Self {
        let v: Vec<Option<NaiveDate>> = values.into_iter().collect();
        self.0.push(Series::new(name.into(), v).into());
        self
    }
    fn opt_f64<I: IntoIterator<Item = Option<f64>>>(mut self, name: &str, values: I) -> Self {
        let v: Vec<Option<f64>> = values.into_iter().collect();
        self.0.push(Series::new(name.into(), v).into());
        self
    }
    fn f64<I: IntoIterator<Item = f64>>(mut self, name: &str, values: I) -> Self {
        let v: Vec<f64> = values.into_iter().collect();
        self.0.push(Series::new(name.into(), v).into());
        self
    }
    fn i64<I: IntoIterator<Item = i64>>(mut self, name: &str, values: I) -> Self {
        let v: Vec<i64> = values.into_iter().collect();
        self.0.push(Series::new(name.into(), v).into());
        self
    }
    fn opt_i64<I: IntoIterator<Item = Option<i64>>>(mut self, name: &str, values: I) -> Self {
        let v: Vec<Option<i64>> = values.into_iter().collect();
        self.0.push(Series::new(name.into(), v).into());
        self
    }
    fn bool<I: IntoIterator<Item = bool>>(mut self, name: &str, values: I) -> Self {
        let v: Vec<bool> = values.into_iter().collect();
        self.0.push(Series::new(name.into(), v).into());
        self
    }
    fn opt_bool<I: IntoIterator<Item = Option<bool>>>(mut self, name: &str, values: I) -> Self {
        let v: Vec<Option<bool>> = values.into_iter().collect();
        self.0.push(Series::new(name.into(), v).into());
        self
    }
    fn build(self, height: usize) -> Result<DataFrame> {
        Ok(DataFrame::new(height, self.0)?)
    }
}

/// Builds the dataframes of a loaded dataset.
pub fn frames(data: &Dataset) -> Result<Frames> {
    let b = &data.bookings;
    let attendance = Cols::new()
        .str("session_id", b.iter().map(|r| r.session_id.as_str()))
        .str("delegate_id", b.iter().map(|r| r.delegate.as_str()))
        .str("agency", b.iter().map(|r| r.agency.as_str()))
        .bool("agency_matched", b.iter().map(|r| r.agency_matched))
        .str("status", b.iter().map(|r| r.status.as_str()))
        .opt_str("course", b.iter().map(|r| r.course.as_deref()))
        .date("session_date", b.iter().map(|r| r.session_date))
        .opt_date("booked_at", b.iter().map(|r| r.booked_at))
        .opt_date("cancelled_at", b.iter().map(|r| r.cancelled_at))
        .opt_str("level", b.iter().map(|r| r.level.as_deref()))
        .build(b.len())?;
    let s = &data.sessions;
    let sessions = Cols::new()
        .str("session_id", s.iter().map(|r| r.session_id.as_str()))
        .str("course", s.iter().map(|r| r.course.as_str()))
        .date("session_date", s.iter().map(|r| r.session_date))
        .opt_i64("places", s.iter().map(|r| r.places))
        .opt_str("mode", s.iter().map(|r| r.mode.as_deref()))
        .opt_str("duration", s.iter().map(|r| r.duration.map(|d| d.as_str())))
        .opt_str("level", s.iter().map(|r| r.level.as_deref()))
        .opt_str("pathway", s.iter().map(|r| r.pathway.as_deref()))
        .opt_f64("trainer_cost", s.iter().map(|r| r.trainer_cost))
        .opt_f64("venue_cost", s.iter().map(|r| r.venue_cost))
        .build(s.len())?;
    let f = &data.forms;
    let evaluations = Cols::new()
        .str("session_id", f.iter().map(|r| r.session_id.as_str()))
        .str("delegate_id", f.iter().map(|r| r.delegate.as_str()))
        .opt_f64("satisfaction", f.iter().map(|r| r.satisfaction))
        .opt_f64("relevance", f.iter().map(|r| r.relevance))
        .build(f.len())?;
    let e = &data.scores;
    let evaluation_scores = Cols::new()
        .str("session_id", e.iter().map(|r| r.session_id.as_str()))
        .str("delegate_id", e.iter().map(|r| r.delegate.as_str()))
        .str("item", e.iter().map(|r| r.item.as_str()))
        .opt_f64("pre", e.iter().map(|r| r.pre))
        .opt_f64("post", e.iter().map(|r| r.post))
        .f64("scale_min", e.iter().map(|r| r.scale_min))
        .f64("scale_max", e.iter().map(|r| r.scale_max))
        .build(e.len())?;
    let i = &data.responses;
    let impact = Cols::new()
        .str("session_id", i.iter().map(|r| r.session_id.as_str()))
        .str("delegate_id", i.iter().map(|r| r.delegate.as_str()))
        .opt_date("responded_at", i.iter().map(|r| r.responded_at))
        .opt_bool("applied_learning", i.iter().map(|r| r.applied_learning))
        .opt_str("comment", i.iter().map(|r| r.comment.as_deref()))
        .build(i.len())?;
    let is = &data.impact_scores;
    let impact_scores = Cols::new()
        .str("session_id", is.iter().map(|r| r.session_id.as_str()))
        .str("delegate_id", is.iter().map(|r| r.delegate.as_str()))
        .str("item", is.iter().map(|r| r.item.as_str()))
        .f64("score", is.iter().map(|r| r.score))
        .f64("scale_min", is.iter().map(|r| r.scale_min))
        .f64("scale_max", is.iter().map(|r| r.scale_max))
        .build(is.len())?;
    let r = &data.returns;
    let fy_labels: Vec<String> = r
        .iter()
        .map(|r| crate::load::value::fy_label(r.fy))
        .collect();
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
