//! The metric queries: `queries/*.sql`, built into the binary and overridable
//! file by file from config's `queries_dir`.
//!
//! Each file is one statement. They run in a fixed order through polars' SQL
//! context; each result is registered under its file's stem, so later
//! queries can read earlier ones (`bookings` feeds nearly every other).

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::frame::SqlSession;
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
            built_in: matches!(self.origin, Origin::BuiltIn(_)),
            message: message.into(),
        }
    }
}

/// The queries to run: the built-in ones, each replaced by `<dir>/<name>.sql`
/// where that file exists. An `.sql` file in `dir` with any other name is an
/// error, so that a misspelt override cannot be silently ignored.
pub fn queries(dir: Option<&Path>) -> Result<Vec<Query>> {
    let mut out: Vec<Query> = BUILT_IN
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
        let Some(query) = out.iter_mut().find(|q| q.name == stem) else {
            let names: Vec<String> = BUILT_IN.iter().map(|(n, _)| format!("{n}.sql")).collect();
            return Err(Error::Usage(format!(
                "queries_dir '{}': '{}' is not one of hubreport's queries ({})",
                dir.display(),
                path.file_name().unwrap_or_default().to_string_lossy(),
                names.join(", ")
            )));
        };
        query.sql = std::fs::read_to_string(&path).map_err(|source| Error::Io {
            context: format!("could not read query '{}'", path.display()),
            source,
        })?;
        query.origin = Origin::File(path);
    }
    Ok(out)
}

/// Writes the built-in queries into `dir` for editing; refuses to overwrite.
pub fn write_built_in(dir: &Path) -> Result<usize> {
    std::fs::create_dir_all(dir).map_err(|source| Error::Io {
        context: format!("could not create folder '{}'", dir.display()),
        source,
    })?;
    let paths: Vec<PathBuf> = BUILT_IN
        .iter()
        .map(|(name, _)| dir.join(format!("{name}.sql")))
        .collect();
    if let Some(existing) = paths.iter().find(|p| p.exists()) {
        return Err(Error::Usage(format!(
            "'{}' already exists; remove it or choose another folder",
            existing.display()
        )));
    }
    for (path, (_, sql)) in paths.iter().zip(BUILT_IN) {
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
    tables: BTreeMap<&'static str, (Table, Origin)>,
}

impl Results {
    /// Runs every query in order.
    pub fn run(session: &mut SqlSession, queries: &[Query]) -> Result<Results> {
        let mut tables = BTreeMap::new();
        for q in queries {
            let table = session.run(q.name, &q.sql).map_err(|m| q.error(m))?;
            tables.insert(q.name, (table, q.origin.clone()));
        }
        Ok(Results { tables })
    }

    /// A query's result, checked to have `columns`: an overriding query that
    /// drops one fails here, naming its file and what is missing.
    pub fn get(&self, name: &str, columns: &[&str]) -> Result<&Table> {
        let (table, origin) = self
            .tables
            .get(name)
            .ok_or_else(|| Error::Internal(format!("query '{name}' did not run")))?;
        let missing: Vec<&str> = columns
            .iter()
            .copied()
            .filter(|c| table.column(c).is_none())
            .collect();
        if !missing.is_empty() {
            return Err(Error::Query {
                file: origin.to_string(),
                built_in: matches!(origin, Origin::BuiltIn(_)),
                message: format!(
                    "the result has no column {}; it has {}",
                    crate::load::sheet::quote_list(&missing),
                    crate::load::sheet::quote_list(&table.column_names())
                ),
            });
        }
        Ok(table)
    }
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

    #[test]
    fn written_copies_load_back_as_overrides_and_are_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(write_built_in(dir.path()).unwrap(), BUILT_IN.len());
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
