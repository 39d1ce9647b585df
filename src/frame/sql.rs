//! A polars SQL session over the loaded tables and the results of the
//! queries run so far.

use polars::prelude::{DataFrame, IntoLazy};
use polars::sql::SQLContext;

use super::convert::to_frame;
use super::dataset::Frames;
use crate::error::Result;
use crate::table::Table;

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
    /// [`from_frame`](super::from_frame) turns the ones that are reported into tables.
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::Values;

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
