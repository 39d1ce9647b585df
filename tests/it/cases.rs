//! The fixture cases: each folder of `tests/fixtures/cases/` is a run of the
//! real binary and the tables it must write.
//!
//! A case folder holds:
//! - `case.toml`: the command (`args`, run in the case's folder with
//!   `--out <a new folder>` added), its `exit_code`, the folder of the output
//!   that `expected/` mirrors (`tables`), optionally `key` (the
//!   pseudonymisation key; otherwise none is given) and `some_columns` (the
//!   tables compared only on the columns their expected file names);
//! - `expected/`: tables (CSV) the run must write, compared cell by cell;
//!   the run's other files are not compared;
//! - `README.md`: what it checks and how the expected values were worked
//!   out;
//! - the input data and hub.toml, or a path in `args` to shared ones.
//!
//! An expected cell matches as [`cell_matches`] says: text and whole numbers
//! exactly, decimals and fractions (`a/b`) to 1e-12, a published value `~x`
//! to 1e-8. Every mismatch of every case is listed before the test fails.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::common::shared::{self, Shared};
use crate::common::table::cell_matches;
use crate::common::{fixtures, hubreport};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    args: Vec<String>,
    exit_code: i32,
    tables: String,
    #[serde(default)]
    key: Option<String>,
    #[serde(default)]
    some_columns: Vec<String>,
}

fn cases_dir() -> PathBuf {
    fixtures().join("cases")
}

fn read_case(dir: &Path) -> Case {
    let path = dir.join("case.toml");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The run of the case `name`, made once per test process and shared with
/// any test that reads its output.
pub fn run(name: &str) -> &'static Shared {
    let dir = cases_dir().join(name);
    let case = read_case(&dir);
    shared::once(&format!("case {name}"), |out| {
        let mut cmd = hubreport();
        if let Some(key) = &case.key {
            cmd.env("HUBREPORT_KEY", key);
        }
        cmd.current_dir(&dir)
            .args(&case.args)
            .arg("--out")
            .arg(out)
            .output()
            .unwrap()
    })
}

/// Every file under `dir`, as paths relative to it, sorted.
fn files(dir: &Path) -> Vec<PathBuf> {
    crate::common::tree(dir)
        .into_keys()
        .map(PathBuf::from)
        .collect()
}

fn read_table(path: &Path) -> Result<Vec<Vec<String>>, String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_path(path)
        .map_err(|e| e.to_string())?;
    reader
        .records()
        .map(|r| {
            r.map(|r| r.iter().map(str::to_string).collect())
                .map_err(|e| e.to_string())
        })
        .collect()
}

/// The mismatches between the expected table and the one written, each a
/// line naming the row (1 is the first below the header), the column and
/// both values.
fn compare(expected: &[Vec<String>], got: &[Vec<String>], some_columns: bool) -> Vec<String> {
    let mut out = Vec::new();
    let (Some(want_header), Some(got_header)) = (expected.first(), got.first()) else {
        return vec!["an empty file".into()];
    };
    // The expected columns: name, place in the expected file, place in the
    // table written.
    let mut columns = Vec::new();
    if some_columns {
        for (i, name) in want_header.iter().enumerate() {
            match got_header.iter().position(|h| h == name) {
                Some(at) => columns.push((name.as_str(), i, at)),
                None => out.push(format!("no column '{name}' (the header is {got_header:?})")),
            }
        }
    } else if want_header != got_header {
        out.push(format!(
            "header: expected {want_header:?}, got {got_header:?}"
        ));
        return out;
    } else {
        columns = want_header
            .iter()
            .enumerate()
            .map(|(i, h)| (h.as_str(), i, i))
            .collect();
    }
    if expected.len() != got.len() {
        out.push(format!(
            "{} row(s) expected, {} written",
            expected.len() - 1,
            got.len() - 1
        ));
    }
    for (row, (want, have)) in expected.iter().zip(got).enumerate().skip(1) {
        for &(name, i, at) in &columns {
            let want = want.get(i).map_or("", String::as_str);
            let have = have.get(at).map_or("", String::as_str);
            if !cell_matches(want, have) {
                out.push(format!(
                    "row {row}, column {name}: expected '{want}', got '{have}'"
                ));
            }
        }
    }
    out
}

/// Runs one case; its mismatches, each naming the case and file.
fn check(name: &str) -> Vec<String> {
    let dir = cases_dir().join(name);
    let case = read_case(&dir);
    let run = run(name);
    if run.code() != Some(case.exit_code) {
        return vec![format!(
            "{name}: exit code {:?}, expected {}\n{}",
            run.code(),
            case.exit_code,
            run.stderr()
        )];
    }
    let mut out = Vec::new();
    if !dir.join("README.md").is_file() {
        out.push(format!("{name}: no README.md saying what the case checks"));
    }
    let expected_dir = dir.join("expected");
    let written = run.dir.join(&case.tables);
    let expected_files = files(&expected_dir);
    if expected_files.is_empty() {
        out.push(format!("{name}: nothing in expected/"));
    }
    for file in &expected_files {
        let label = format!("{name}: {}", file.display());
        let some = case
            .some_columns
            .iter()
            .any(|c| Path::new(c) == file.as_path());
        let expected = match read_table(&expected_dir.join(file)) {
            Ok(t) => t,
            Err(e) => {
                out.push(format!("{label}: the expected file: {e}"));
                continue;
            }
        };
        match read_table(&written.join(file)) {
            Ok(got) => out.extend(
                compare(&expected, &got, some)
                    .into_iter()
                    .map(|m| format!("{label}: {m}")),
            ),
            Err(e) => out.push(format!("{label}: not written: {e}")),
        }
    }
    for listed in &case.some_columns {
        if !expected_files
            .iter()
            .any(|f| Path::new(listed) == f.as_path())
        {
            out.push(format!(
                "{name}: some_columns names {listed}, not in expected/"
            ));
        }
    }
    out
}

/// Every case folder, run in parallel, every mismatch listed.
#[test]
fn every_case_writes_its_expected_tables() {
    let names = crate::common::names(&cases_dir());
    assert!(names.len() >= 10, "only {} cases", names.len());
    let next = std::sync::atomic::AtomicUsize::new(0);
    let jobs = std::thread::available_parallelism().map_or(2, |n| n.get().min(4));
    let mut mismatches: Vec<(usize, Vec<String>)> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..jobs)
            .map(|_| {
                s.spawn(|| {
                    let mut found = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(name) = names.get(i) else { break };
                        found.push((i, check(name)));
                    }
                    found
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect()
    });
    mismatches.sort();
    let lines: Vec<String> = mismatches.into_iter().flat_map(|(_, m)| m).collect();
    assert!(
        lines.is_empty(),
        "{} mismatch(es):\n{}",
        lines.len(),
        lines.join("\n")
    );
}

/// The harness itself: a column missing from the table written is named,
/// and the columns after it are still compared with their own expected
/// cells.
#[test]
fn the_harness_names_each_mismatch() {
    let rows = |t: &[&[&str]]| -> Vec<Vec<String>> {
        t.iter()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect()
    };
    let expected = rows(&[&["a", "gone", "b"], &["1", "x", "2"]]);
    let got = rows(&[&["b", "a"], &["2", "1"]]);
    assert_eq!(
        compare(&expected, &got, true),
        [r#"no column 'gone' (the header is ["b", "a"])"#]
    );
    let wrong = rows(&[&["b", "a"], &["3", "1"]]);
    assert_eq!(
        compare(&expected, &wrong, true),
        [
            r#"no column 'gone' (the header is ["b", "a"])"#,
            "row 1, column b: expected '2', got '3'"
        ]
    );
    let whole = rows(&[&["a", "b"], &["1", "2"]]);
    assert_eq!(compare(&whole, &whole, false), Vec::<String>::new());
}
