//! Dataframe columns built from Rust values, text shared between rows stored
//! once.

use chrono::NaiveDate;
use polars::prelude::{
    ChunkTake, Column, DataFrame, IdxCa, IdxSize, IntoSeries, NamedFrom, NewChunkedArray,
    PlSmallStr, Series, StringChunked,
};

use crate::error::Result;

/// A column builder that keeps construction terse and in one place.
pub(super) struct Cols(Vec<Column>, Option<polars::error::PolarsError>);

impl Cols {
    pub(super) fn new() -> Self {
        Cols(Vec::new(), None)
    }
    pub(super) fn str<'a, I: IntoIterator<Item = &'a str>>(self, name: &str, values: I) -> Self {
        self.opt_str(name, values.into_iter().map(Some))
    }
    /// Text shared between rows: see [`TextBuilder`].
    pub(super) fn opt_str<'a, I: IntoIterator<Item = Option<&'a str>>>(
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
    pub(super) fn date<I: IntoIterator<Item = NaiveDate>>(mut self, name: &str, values: I) -> Self {
        let v: Vec<NaiveDate> = values.into_iter().collect();
        self.0.push(Series::new(name.into(), v).into());
        self
    }
    pub(super) fn opt_date<I: IntoIterator<Item = Option<NaiveDate>>>(
        mut self,
        name: &str,
        values: I,
    ) -> Self {
        let v: Vec<Option<NaiveDate>> = values.into_iter().collect();
        self.0.push(Series::new(name.into(), v).into());
        self
    }
    pub(super) fn opt_f64<I: IntoIterator<Item = Option<f64>>>(
        mut self,
        name: &str,
        values: I,
    ) -> Self {
        let v: Vec<Option<f64>> = values.into_iter().collect();
        self.0.push(Series::new(name.into(), v).into());
        self
    }
    pub(super) fn f64<I: IntoIterator<Item = f64>>(mut self, name: &str, values: I) -> Self {
        let v: Vec<f64> = values.into_iter().collect();
        self.0.push(Series::new(name.into(), v).into());
        self
    }
    pub(super) fn u64<I: IntoIterator<Item = u64>>(mut self, name: &str, values: I) -> Self {
        let v: Vec<u64> = values.into_iter().collect();
        self.0.push(Series::new(name.into(), v).into());
        self
    }
    pub(super) fn i64<I: IntoIterator<Item = i64>>(mut self, name: &str, values: I) -> Self {
        let v: Vec<i64> = values.into_iter().collect();
        self.0.push(Series::new(name.into(), v).into());
        self
    }
    pub(super) fn opt_i64<I: IntoIterator<Item = Option<i64>>>(
        mut self,
        name: &str,
        values: I,
    ) -> Self {
        let v: Vec<Option<i64>> = values.into_iter().collect();
        self.0.push(Series::new(name.into(), v).into());
        self
    }
    pub(super) fn bool<I: IntoIterator<Item = bool>>(mut self, name: &str, values: I) -> Self {
        let v: Vec<bool> = values.into_iter().collect();
        self.0.push(Series::new(name.into(), v).into());
        self
    }
    pub(super) fn opt_bool<I: IntoIterator<Item = Option<bool>>>(
        mut self,
        name: &str,
        values: I,
    ) -> Self {
        let v: Vec<Option<bool>> = values.into_iter().collect();
        self.0.push(Series::new(name.into(), v).into());
        self
    }
    pub(super) fn build(self, height: usize) -> Result<DataFrame> {
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
