//! Tests of the queries: one statement each, no file readers, overrides by name.

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
