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
                crate::load::sheet::quote_list(&missing),
                crate::load::sheet::quote_list(&has)
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
mod tests {
    use super::*;

    #[test]
    fn every_built_in_query_is_one_statement_with_a_comment() {
        for (name, sql) in BUILT_IN {
            assert!(sql.starts_with("--"), "{name}.sql explains itself first");
            let code: String = sql
                .lines()
                .filter(|l| !l.trim_start().starts_with("--"))
                .collect::<Vec<_>>()
                .join("\n");
            // Outside string literals, no ';' separates a second statement.
            let outside: String = code.split('\'').step_by(2).collect();
            assert!(!outside.contains(';'), "{name}.sql: one statement, no ';'");
        }
    }

    fn user_query(sql: &str) -> Query {
        Query {
            name: "funnel",
            sql: sql.into(),
            origin: Origin::File(PathBuf::from("queries/funnel.sql")),
        }
    }

    #[test]
    fn queries_that_read_files_are_refused_naming_the_file() {
        for sql in [
            "SELECT * FROM read_csv('/etc/passwd')",
            "select * from READ_PARQUET('/data/raw.parquet')",
            "SELECT * FROM \"read_ipc\"('x.ipc')",
            "SELECT * FROM read_json('x.json') AS j",
            "SELECT * FROM read_ndjson('x.json')",
            "SELECT * FROM read_csv.x('/etc/passwd')",
            "WITH a AS (SELECT * FROM read_csv('x.csv')) SELECT * FROM a",
            "SELECT * FROM bookings JOIN read_csv('x.csv') r ON true",
            "SELECT * FROM (SELECT * FROM read_csv('x.csv')) t",
            "SELECT (SELECT count(*) FROM read_csv('x.csv')) AS n FROM bookings",
            "SELECT * FROM bookings WHERE agency IN (SELECT a FROM read_csv('x.csv'))",
            "SELECT agency FROM bookings UNION ALL SELECT a FROM read_csv('x.csv')",
            "CREATE TABLE t AS SELECT * FROM read_parquet('x.parquet')",
        ] {
            let e = user_query(sql).check().expect_err(sql);
            assert_eq!(e.exit_code(), crate::error::exit::USAGE, "{sql}");
            let text = e.to_string().to_lowercase();
            assert!(
                text.starts_with("in query 'queries/funnel.sql': it reads a file with read_"),
                "{sql}: {text}"
            );
        }
    }

    #[test]
    fn every_file_reader_of_polars_sql_is_refused() {
        let readers: Vec<String> = polars::sql::keywords::all_functions()
            .iter()
            .filter(|f| f.starts_with("read_"))
            .map(|f| f.to_string())
            .collect();
        assert!(!readers.is_empty());
        for r in readers {
            assert!(FILE_READERS.contains(&r.as_str()), "{r} is not refused");
        }
    }

    #[test]
    fn built_in_queries_and_plain_overrides_pass_the_check() {
        for (name, sql) in BUILT_IN {
            let q = Query {
                name,
                sql: (*sql).to_string(),
                origin: Origin::BuiltIn(name),
            };
            assert!(q.check().is_ok(), "{name}");
        }
        let q = user_query("SELECT 'read_csv' AS read_csv_note, count(*) AS n FROM bookings");
        assert!(q.check().is_ok());
    }

    #[test]
    fn a_built_in_query_failing_after_an_override_blames_the_override() {
        let overriding = Query {
            name: "bookings",
            sql: "SELECT 1 AS x".into(),
            origin: Origin::File(PathBuf::from("q/bookings.sql")),
        };
        let built_in = Query {
            name: "funnel",
            sql: String::new(),
            origin: Origin::BuiltIn("funnel"),
        };
        let e = blame(
            std::slice::from_ref(&overriding),
            &built_in,
            "no column 'agency'".into(),
        );
        assert_eq!(e.exit_code(), crate::error::exit::USAGE);
        assert_eq!(
            e.to_string(),
            "in query 'q/bookings.sql': built-in queries/funnel.sql failed on the results of \
             these overriding queries: no column 'agency'"
        );
        let e = blame(&[], &built_in, "bug".into());
        assert_eq!(e.exit_code(), crate::error::exit::INTERNAL);
    }

    #[test]
    fn written_copies_load_back_as_overrides_and_are_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            write_built_in(dir.path()).unwrap(),
            BUILT_IN.len() + SESSION_BUILT_IN.len()
        );
        let qs = queries(Some(dir.path())).unwrap();
        for (q, (name, sql)) in qs.iter().zip(BUILT_IN) {
            assert_eq!((q.name, q.sql.as_str()), (*name, *sql));
            assert!(matches!(q.origin, Origin::File(_)));
        }
        let e = write_built_in(dir.path()).unwrap_err().to_string();
        assert!(e.contains("already exists"), "{e}");
    }

    #[test]
    fn overrides_replace_by_name_and_unknown_files_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("funnel.sql"), "SELECT 1 AS x").unwrap();
        std::fs::write(dir.path().join("notes.txt"), "ignored").unwrap();
        let qs = queries(Some(dir.path())).unwrap();
        let funnel = qs.iter().find(|q| q.name == "funnel").unwrap();
        assert_eq!(funnel.sql, "SELECT 1 AS x");
        assert_eq!(funnel.origin, Origin::File(dir.path().join("funnel.sql")));
        assert_eq!(qs.len(), BUILT_IN.len());

        std::fs::write(dir.path().join("funel.sql"), "SELECT 1").unwrap();
        let e = queries(Some(dir.path())).unwrap_err().to_string();
        assert!(
            e.contains("'funel.sql' is not one of hubreport's queries"),
            "{e}"
        );
        let e = queries(Some(&dir.path().join("absent")))
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("could not read queries_dir"), "{e}");
    }
}
