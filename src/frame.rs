//! Every place hubreport builds polars dataframes from Rust values.
//!
//! Polars' Rust API changes between minor versions; keeping its construction
//! here means an upgrade touches one file.

use chrono::NaiveDate;
/// A query's result as polars holds it, named here so that callers need no
/// polars import.
pub use polars::prelude::DataFrame;
use polars::prelude::{
    ChunkTake, Column, DataType, IdxCa, IdxSize, IntoLazy, IntoSeries, NamedFrom, NewChunkedArray,
    ParquetCompression, ParquetWriter, PlSmallStr, Series, StringChunked,
};
use polars::sql::SQLContext;

use crate::calendar::Calendar;
use crate::error::{Error, Result};
use crate::model::Dataset;
use crate::table::{Table, Values};

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
struct Cols(Vec<Column>, Option<polars::error::PolarsError>);

impl Cols {
    fn new() -> Self {
        Cols(Vec::new(), None)
    }
    fn str<'a, I: IntoIterator<Item = &'a str>>(self, name: &str, values: I) -> Self {
        self.opt_str(name, values.into_iter().map(Some))
    }
    /// Text shared between rows: see [`TextBuilder`].
    fn opt_str<'a, I: IntoIterator<Item = Option<&'a str>>>(
        mut self,
        name: &str,
        values: I,
    ) -> Self {
        let values = values.into_iter();
        let mut column = TextBuilder::with_capacity(values.size_hint().0);
        for v in values {
            column.push(v);
        }
        match column.finish(name) {
            Ok(column) => self.0.push(column.into()),
            Err(e) => self.1 = Some(e),
        }
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
    fn u64<I: IntoIterator<Item = u64>>(mut self, name: &str, values: I) -> Self {
        let v: Vec<u64> = values.into_iter().collect();
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
        if let Some(e) = self.1 {
            return Err(e.into());
        }
        Ok(DataFrame::new(height, self.0)?)
    }
}

/// A text column built row by row. Text shared between rows (one string in
/// memory, however many rows hold it) is stored once in the column too: the
/// column gathers each row's value from a dictionary of the distinct strings,
/// so that rows share its bytes instead of each holding a copy.
struct TextBuilder<'a> {
    index: crate::fast::FastMap<(usize, usize), IdxSize>,
    /// The last value pushed, and where it is: rows come in runs (a form's
    /// scores, a session's bookings) and a run needs no lookup.
    last: Option<((usize, usize), IdxSize)>,
    dictionary: Vec<&'a str>,
    rows: Vec<Option<IdxSize>>,
    nulls: bool,
}

impl<'a> TextBuilder<'a> {
    fn with_capacity(rows: usize) -> Self {
        TextBuilder {
            index: Default::default(),
            last: None,
            dictionary: Vec::new(),
            rows: Vec::with_capacity(rows),
            nulls: false,
        }
    }

    fn push(&mut self, value: Option<&'a str>) {
        let Some(s) = value else {
            self.nulls = true;
            self.rows.push(None);
            return;
        };
        let key = (s.as_ptr() as usize, s.len());
        if let Some((last, at)) = self.last
            && last == key
        {
            self.rows.push(Some(at));
            return;
        }
        let dictionary = &mut self.dictionary;
        let at = *self.index.entry(key).or_insert_with(|| {
            dictionary.push(s);
            (dictionary.len() - 1) as IdxSize
        });
        self.last = Some((key, at));
        self.rows.push(Some(at));
    }

    fn finish(self, name: &str) -> polars::error::PolarsResult<Series> {
        let dictionary = StringChunked::from_slice(name.into(), &self.dictionary);
        let rows = if self.nulls {
            IdxCa::from_iter_options(PlSmallStr::EMPTY, self.rows.into_iter())
        } else {
            IdxCa::from_vec(PlSmallStr::EMPTY, self.rows.into_iter().flatten().collect())
        };
        Ok(dictionary.take(&rows)?.into_series())
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

/// A polars SQL context over the loaded tables, where each query's result is
/// registered under its name for the queries after it.
pub struct SqlSession {
    ctx: SQLContext,
    /// Every table this session registered. Polars' SQL context also keeps
    /// the alias of a derived table (`FROM (SELECT ...) a`) as a table of its
    /// own after the query ends, where it would shadow a later query's alias
    /// `a`, or even a table of the same name: after each query the context
    /// is set back to these.
    tables: Vec<(String, polars::prelude::LazyFrame)>,
}

impl SqlSession {
    pub fn new(frames: &Frames) -> Self {
        let mut session = SqlSession {
            ctx: SQLContext::new(),
            tables: Vec::new(),
        };
        for (name, df) in frames.tables() {
            session.keep(name, df.clone().lazy());
        }
        session
    }

    fn keep(&mut self, name: &str, lf: polars::prelude::LazyFrame) {
        self.ctx.register(name, lf.clone());
        match self.tables.iter_mut().find(|(n, _)| n == name) {
            Some(slot) => slot.1 = lf,
            None => self.tables.push((name.to_string(), lf)),
        }
    }

    /// Registers a plain table (parameters, targets) under its name.
    pub fn register(&mut self, table: &Table) -> Result<()> {
        let df = to_frame(table)?;
        self.keep(&table.name, df.lazy());
        Ok(())
    }

    /// Runs one statement, registers its result as `name` and returns it.
    /// The error is polars' message; the caller names the file. The result
    /// stays a dataframe: most are only read by the queries after them, and
    /// [`from_frame`] turns the ones that are reported into tables.
    pub fn run(&mut self, name: &str, sql: &str) -> std::result::Result<DataFrame, String> {
        let result = self
            .ctx
            .execute(sql)
            .and_then(|lf| lf.collect())
            .map_err(|e| e.to_string());
        // What the statement left behind goes, and what it replaced comes back.
        for left in self.ctx.get_tables() {
            if !self.tables.iter().any(|(n, _)| *n == left) {
                self.ctx.unregister(&left);
            }
        }
        for (n, lf) in &self.tables {
            self.ctx.register(n, lf.clone());
        }
        let df = result?;
        self.keep(name, df.clone().lazy());
        Ok(df)
    }
}

/// A dataframe as a plain table: integers as i64, floats as f64, dates and
/// anything else as text (`true`/`false` for booleans).
pub fn from_frame(name: &str, df: &DataFrame) -> Result<Table> {
    from_frame_columns(name, df, None)
}

/// The names of a dataframe's columns.
pub fn column_names(df: &DataFrame) -> Vec<&str> {
    df.columns().iter().map(|c| c.name().as_str()).collect()
}

/// [`from_frame`] for the columns in `only` (all when `None`), in the
/// dataframe's order: a per-score result is read for its numbers without its
/// identifiers being copied into strings.
pub fn from_frame_columns(name: &str, df: &DataFrame, only: Option<&[&str]>) -> Result<Table> {
    let mut out = Table::new(name);
    for c in df.columns() {
        if only.is_some_and(|only| !only.contains(&c.name().as_str())) {
            continue;
        }
        let s = c.as_materialized_series();
        let values = match s.dtype() {
            DataType::String => {
                Values::Text(s.str()?.iter().map(|v| v.map(str::to_string)).collect())
            }
            DataType::Date => Values::Date(s.date()?.as_date_iter().collect()),
            dt if dt.is_integer() => Values::Int(s.cast(&DataType::Int64)?.i64()?.iter().collect()),
            dt if dt.is_float() => {
                Values::Float(s.cast(&DataType::Float64)?.f64()?.iter().collect())
            }
            DataType::Null => Values::Text(vec![None; s.len()]),
            _ => Values::Text(
                s.cast(&DataType::String)?
                    .str()?
                    .iter()
                    .map(|v| v.map(str::to_string))
                    .collect(),
            ),
        };
        out = out.with(c.name().as_str(), values);
    }
    Ok(out)
}

/// A plain table as a dataframe.
pub fn to_frame(table: &Table) -> Result<DataFrame> {
    let mut cols = Cols::new();
    for c in &table.columns {
        let name = c.name.as_str();
        cols = match &c.values {
            Values::Text(v) => cols.opt_str(name, v.iter().map(|x| x.as_deref())),
            Values::Int(v) => cols.opt_i64(name, v.iter().copied()),
            Values::Float(v) => cols.opt_f64(name, v.iter().copied()),
            Values::Date(v) => cols.opt_date(name, v.iter().copied()),
        };
    }
    cols.build(table.height())
}

/// A table as an uncompressed Parquet file, the most widely readable form,
/// its text [`Table::masked`].
pub fn parquet_bytes(table: &Table) -> Result<Vec<u8>> {
    let mut df = to_frame(&table.masked())?;
    let mut bytes = Vec::new();
    ParquetWriter::new(&mut bytes)
        .with_compression(ParquetCompression::Uncompressed)
        .finish(&mut df)
        .map_err(|e| Error::Internal(format!("writing {}.parquet: {e}", table.name)))?;
    Ok(bytes)
}

/// Reads a Parquet file back (tests check the exported copies).
pub fn read_parquet(bytes: &[u8], name: &str) -> Result<Table> {
    use polars::prelude::{ParquetReader, SerReader};
    let df = ParquetReader::new(std::io::Cursor::new(bytes)).finish()?;
    from_frame(name, &df)
}

/// Reads a CSV file into a dataframe of text columns and nothing more: the
/// read floor the benchmark compares the pipeline with. `skip` title lines
/// come before the header; a short totals line at the end is allowed.
/// Returns its rows.
pub fn read_csv_only(path: &std::path::Path, skip: usize) -> Result<usize> {
    use polars::prelude::{CsvReadOptions, SerReader};
    let df = CsvReadOptions::default()
        .with_has_header(true)
        .with_skip_rows(skip)
        .with_infer_schema_length(Some(0))
        .map_parse_options(|o| o.with_truncate_ragged_lines(true))
        .try_into_reader_with_file_path(Some(path.to_path_buf()))?
        .finish()?;
    Ok(df.height())
}

impl Frames {
    /// The dataframes' estimated size in memory, in bytes.
    pub fn estimated_size(&self) -> usize {
        self.tables()
            .iter()
            .map(|(_, df)| df.estimated_size())
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session() -> SqlSession {
        let mut session = SqlSession {
            ctx: SQLContext::new(),
            tables: Vec::new(),
        };
        let table = |name: &str, x: i64| Table::new(name).with("x", Values::Int(vec![Some(x)]));
        session.register(&table("bookings", 1)).unwrap();
        session.register(&table("answers", 2)).unwrap();
        session
    }

    fn x(df: &DataFrame) -> i64 {
        df.column("x").unwrap().i64().unwrap().get(0).unwrap()
    }

    #[test]
    fn a_derived_tables_alias_does_not_outlive_its_query() {
        let mut s = session();
        // polars keeps `a` (and `bookings`, here a derived table) as tables.
        s.run(
            "first",
            "SELECT a.x FROM (SELECT x + 10 AS x FROM answers) a",
        )
        .unwrap();
        s.run("second", "SELECT * FROM (SELECT 99 AS x) bookings")
            .unwrap();
        // A later query's alias `a`, and the real `bookings`, are what they say.
        let df = s.run("third", "SELECT a.x FROM answers a").unwrap();
        assert_eq!(x(&df), 2);
        let df = s.run("fourth", "SELECT x FROM bookings").unwrap();
        assert_eq!(x(&df), 1);
        // Results stay registered for the queries after them.
        let df = s.run("fifth", "SELECT x FROM first").unwrap();
        assert_eq!(x(&df), 12);
        assert!(s.run("sixth", "SELECT x FROM a").is_err());
    }
}
