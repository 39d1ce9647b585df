//! The metric queries: `queries/*.sql`, built into the binary and overridable
//! file by file from config's `queries_dir`.
//!
//! Each file is one statement. They run in a fixed order through polars' SQL
//! context; each result is registered under its file's stem, so later
//! queries can read earlier ones (`bookings` feeds nearly every other).
//!
//! A query reads hubreport's tables and nothing else: polars' table
//! functions that read files (`read_csv('/any/file')`) are refused before
//! anything runs, naming the query's file.

use std::collections::BTreeMap;
use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::frame::{DataFrame, SqlSession, column_names, from_frame_columns};
use crate::table::Table;

/// The built-in queries, in the order they run.
pub const BUILT_IN: &[(&str, &str)] = &[
    ("bookings", include_str!("../../queries/bookings.sql")),
    (
        "period_sessions",
        include_str!("../../queries/period_sessions.sql"),
    ),
    (
        "attendance_groups",
        include_str!("../../queries/attendance_groups.sql"),
    ),
    (
        "paired_forms",
        include_str!("../../queries/paired_forms.sql"),
    ),
    (
        "paired_items",
        include_str!("../../queries/paired_items.sql"),
    ),
    (
        "likert_answers",
        include_str!("../../queries/likert_answers.sql"),
    ),
    (
        "reaction_groups",
        include_str!("../../queries/reaction_groups.sql"),
    ),
    (
        "impact_groups",
        include_str!("../../queries/impact_groups.sql"),
    ),
    (
        "impact_by_item",
        include_str!("../../queries/impact_by_item.sql"),
    ),
    ("funnel", include_str!("../../queries/funnel.sql")),
    (
        "coverage_by_agency_level",
        include_str!("../../queries/coverage_by_agency_level.sql"),
    ),
    (
        "coverage_by_agency",
        include_str!("../../queries/coverage_by_agency.sql"),
    ),
    (
        "currency_by_agency",
        include_str!("../../queries/currency_by_agency.sql"),
    ),
];

/// The queries of `hubreport sessions`, run in this order.
pub const SESSION_BUILT_IN: &[(&str, &str)] = &[
    (
        "session_summaries",
        include_str!("../../queries/session_summaries.sql"),
    ),
    (
        "session_items",
        include_str!("../../queries/session_items.sql"),
    ),
    (
        "session_comments",
        include_str!("../../queries/session_comments.sql"),
    ),
];

/// Every built-in query, the report's then the session summaries'.
fn all_built_in() -> impl Iterator<Item = &'static (&'static str, &'static str)> {
    BUILT_IN.iter().chain(SESSION_BUILT_IN)
}

/// polars' SQL table functions, each of which reads a file named in the query.
pub const FILE_READERS: &[&str] = &[
    "read_csv",
    "read_parquet",
    "read_ipc",
    "read_json",
    "read_ndjson",
];

/// Where a query's text came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    BuiltIn(&'static str),
    File(PathBuf),
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::BuiltIn(name) => write!(f, "built-in queries/{name}.sql"),
            Origin::File(path) => write!(f, "{}", path.display()),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Query {
    pub name: &'static str,
    pub sql: String,
    pub origin: Origin,
}

impl Query {
    /// An error in this query, naming its file.
    pub fn error(&self, message: impl Into<String>) -> Error {
        Error::Query {
            file: self.origin.to_string(),
            built_in: self.is_built_in(),
            message: message.into(),
        }
    }

    pub fn is_built_in(&self) -> bool {
        matches!(self.origin, Origin::BuiltIn(_))
    }

    /// Refuses a query that reads a file: every table it names (in `FROM`,
    /// joins, subqueries, common table expressions) must not be one of
    /// [`FILE_READERS`], in any case or part of a dotted name.
    pub fn check(&self) -> Result<()> {
        let tables = polars::sql::extract_table_identifiers(&self.sql, true, false)
            .map_err(|e| self.error(e.to_string()))?;
        let reader = tables
            .iter()
            .flat_map(|t| t.split('.'))
            .find(|part| FILE_READERS.iter().any(|r| part.eq_ignore_ascii_case(r)));
        match reader {
            Some(reader) => Err(self.error(format!(
                "it reads a file with {reader}(...); a query may read only hubreport's tables \
                 (attendance, sessions, evaluations, evaluation_scores, impact, impact_scores, \
                 agency_returns, agencies, params and the results of the queries before it)"
            ))),
            None => Ok(()),
        }
    }
}

/// The report's queries to run: the built-in ones, each replaced by
/// `<dir>/<name>.sql` where that file exists. An `.sql` file in `dir` that
/// is not one of hubreport's queries is an error, so that a misspelt
/// override cannot be silently ignored.
pub fn queries(dir: Option<&Path>) -> Result<Vec<Query>> {
    queries_of(BUILT_IN, dir)
}

/// The session summaries' queries, overridden from `dir` as [`queries`].
pub fn session_queries(dir: Option<&Path>) -> Result<Vec<Query>> {
    queries_of(SESSION_BUILT_IN, dir)
}

fn queries_of(
    list: &'static [(&'static str, &'static str)],
    dir: Option<&Path>,
) -> Result<Vec<Query>> {
    let mut out: Vec<Query> = list
        .iter()
        .map(|(name, sql)| Query {
            name,
            sql: (*sql).to_string(),
            origin: Origin::BuiltIn(name),
        })
        .collect();
    let Some(dir) = dir else {
        return Ok(out);
    };
    let entries = std::fs::read_dir(dir).map_err(|source| Error::Io {
        context: format!("could not read queries_dir '{}'", dir.display()),
        source,
    })?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("sql")))
        .collect();
    paths.sort();
    for path in paths {
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        if !all_built_in().any(|(n, _)| *n == stem) {
            let names: Vec<String> = all_built_in().map(|(n, _)| format!("{n}.sql")).collect();
            return Err(Error::Usage(format!(
                "queries_dir '{}': '{}' is not one of hubreport's queries ({})",
                dir.display(),
                path.file_name().unwrap_or_default().to_string_lossy(),
                names.join(", ")
            )));
        }
        // Another command's query: not run here.
        let Some(query) = out.iter_mut().find(|q| q.name == stem) else {
            continue;
        };
        query.sql = std::fs::read_to_string(&path).map_err(|source| Error::Io {
            context: format!("could not read query '{}'", path.display()),
            source,
        })?;
        query.origin = Origin::File(path);
        query.check()?;
    }
    Ok(out)
}

/// Writes the built-in queries into `dir` for editing; refuses to overwrite.
pub fn write_built_in(dir: &Path) -> Result<usize> {
    std::fs::create_dir_all(dir).map_err(|source| Error::Io {
        context: format!("could not create folder '{}'", dir.display()),
        source,
    })?;
    let paths: Vec<PathBuf> = all_built_in()
        .map(|(name, _)| dir.join(format!("{name}.sql")))
        .collect();
    if let Some(existing) = paths.iter().find(|p| p.exists()) {
        return Err(Error::Usage(format!(
            "'{}' already exists; remove it or choose another folder",
            existing.display()
        )));
    }
    for (path, (_, sql)) in paths.iter().zip(all_built_in()) {
        std::fs::write(path, sql).map_err(|source| Error::Io {
            context: format!("could not write '{}'", path.display()),
            source,
        })?;
    }
    Ok(paths.len())
}

/// The result of each query, by name.
#[derive(Debug, Default)]
pub struct Results {
    /// Each query's result as polars returned it: a per-booking intermediate
    /// result such as `bookings` is never copied out of polars, and a result
    /// that is read becomes a [`Table`] of the columns read only.
    tables: BTreeMap<&'static str, (DataFrame, Origin)>,
}

impl Results {
    /// Runs every query in order. A query that fails is named; a built-in
    /// one failing after overriding queries ran fails on their results, and
    /// they are named instead.
    pub fn run(session: &mut SqlSession, queries: &[Query]) -> Result<Results> {
        let mut tables = BTreeMap::new();
        for (i, q) in queries.iter().enumerate() {
            let df = catch_unwind(AssertUnwindSafe(|| session.run(q.name, &q.sql)))
                .unwrap_or_else(|panic| {
                    Err(format!("polars stopped on it: {}", panic_text(&*panic)))
                })
                .map_err(|m| blame(&queries[..i], q, m))?;
            tables.insert(q.name, (df, q.origin.clone()));
        }
        Ok(Results { tables })
    }

    /// The `columns` of a query's result: an overriding query that drops one
    /// fails here, naming its file and what is missing.
    pub fn get(&self, name: &str, columns: &[&str]) -> Result<Table> {
        self.read(name, columns, Some(columns))
    }

    /// Every column of a query's result, which must have `required`: an
    /// overriding query's further columns come with it.
    pub fn get_all(&self, name: &str, required: &[&str]) -> Result<Table> {
        self.read(name, required, None)
    }

    fn read(&self, name: &str, columns: &[&str], only: Option<&[&str]>) -> Result<Table> {
        let (df, origin) = self
            .tables
            .get(name)
            .ok_or_else(|| Error::Internal(format!("query '{name}' did not run")))?;
        let query_error = |message: String| Error::Query {
            file: origin.to_string(),
            built_in: matches!(origin, Origin::BuiltIn(_)),
            message,
        };
        let has = column_names(df);
        let missing: Vec<&str> = columns
            .iter()
            .copied()
            .filter(|c| !has.contains(c))
            .collect();
        if !missing.is_empty() {
            return Err(query_error(format!(
                "the result has no column {}; it has {}",
                crate::display::quote_list(&missing),
                crate::display::quote_list(&has)
            )));
        }
        catch_unwind(AssertUnwindSafe(|| from_frame_columns(name, df, only)))
            .unwrap_or_else(|panic| {
                Err(Error::Internal(format!(
                    "reading the result of query '{name}': {}",
                    panic_text(&*panic)
                )))
            })
            .map_err(|e| query_error(e.to_string()))
    }
}

/// The error of `failed`, which ran after `before`: an overriding query's
/// own, or, for a built-in query, that of the overriding queries before it
/// whose results it read.
fn blame(before: &[Query], failed: &Query, message: String) -> Error {
    let overrides: Vec<String> = before
        .iter()
        .filter(|q| !q.is_built_in())
        .map(|q| q.origin.to_string())
        .collect();
    if failed.is_built_in() && !overrides.is_empty() {
        Error::Query {
            file: overrides.join("', '"),
            built_in: false,
            message: format!(
                "{} failed on the results of these overriding queries: {message}",
                failed.origin
            ),
        }
    } else {
        failed.error(message)
    }
}

/// What a caught panic said.
fn panic_text(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "an internal error".into())
}

#[cfg(test)]
mod tests;
