//! Scheduled (cron) runs: period keywords, atomic publishing, the lock,
//! manifest, determinism, exit codes and logs, on the real binary.

use std::collections::BTreeMap;
use std::fs::OpenOptions;
use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;

fn fixture_data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/metrics/data")
}

fn report(data: &Path, out: &Path, extra: &[&str]) -> Command {
    let mut cmd = Command::cargo_bin("hubreport").unwrap();
    cmd.env_remove("HUBREPORT_KEY")
        .args(["report", "--data"])
        .arg(data)
        .arg("--out")
        .arg(out)
        .args(extra);
    cmd
}

/// Every file under `dir` with its bytes, by relative path.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// The fixture without its one bad row: a clean folder.
fn clean_data() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for e in std::fs::read_dir(fixture_data()).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), dir.path().join(e.file_name())).unwrap();
    }
    let attendance = std::fs::read_to_string(dir.path().join("attendance.csv")).unwrap();
    let kept: String = attendance
        .lines()
        .filter(|l| !l.contains(",Maybe,"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(dir.path().join("attendance.csv"), kept).unwrap();
    dir
}

#[test]
fn the_same_inputs_give_byte_identical_outputs() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    for out in [&a, &b] {
        report(
            &fixture_data(),
            out.path(),
            &["--period", "all", "--as-of", "2026-01-01"],
        )
        .assert()
        .code(1);
    }
    let (ta, tb) = (tree(a.path()), tree(b.path()));
    assert!(ta.len() > 100, "{} files", ta.len());
    assert_eq!(ta.keys().collect::<Vec<_>>(), tb.keys().collect::<Vec<_>>());
    for (path, bytes) in &ta {
        if path.ends_with(".hubreport.lock") {
            continue; // holds the writing process's id
        }
        assert!(bytes == &tb[path], "{path} differs between two runs");
    }
}

#[test]
fn manifest_lists_inputs_and_outputs_with_hashes() {
    let out = tempfile::tempdir().unwrap();
    report(
        &fixture_data(),
        out.path(),
        &["--period", "2024-25", "--as-of", "2026-01-01"],
    )
    .assert()
    .code(1);
    let dir = out.path().join("2024-25");
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(
        m["engine"],
        format!("hubreport {}", env!("CARGO_PKG_VERSION"))
    );
    assert_eq!(m["period"], "2024-25");
    assert_eq!(m["as_of"], "2025-03-31");
    let inputs = m["inputs"].as_array().unwrap();
    let attendance = inputs.iter().find(|i| i["source"] == "attendance").unwrap();
    assert_eq!(attendance["path"], "attendance.csv");
    assert_eq!(attendance["rows_read"], 29);
    assert_eq!(attendance["rows_rejected"], 1);
    let bytes = std::fs::read(fixture_data().join("attendance.csv")).unwrap();
    assert_eq!(attendance["size"], bytes.len());
    assert_eq!(attendance["sha256"], hubreport::publish::sha256(&bytes));
    // Every other file of the folder is listed with its hash.
    let files = tree(&dir);
    let outputs = m["outputs"].as_array().unwrap();
    assert_eq!(outputs.len(), files.len() - 1);
    for o in outputs {
        let path = o["path"].as_str().unwrap();
        assert_eq!(
            o["sha256"],
            hubreport::publish::sha256(&files[path]),
            "{path}"
        );
    }
    assert!(outputs.iter().any(|o| o["path"] == "annual-report.html"));
}

#[test]
fn a_run_killed_midway_leaves_the_previous_report_intact() {
    let out = tempfile::tempdir().unwrap();
    report(
        &fixture_data(),
        out.path(),
        &["--period", "2024-25", "--as-of", "2026-01-01"],
    )
    .assert()
    .code(1);
    let before = tree(&out.path().join("2024-25"));
    // A later as-of date changes the figures; abort after 7 files.
    let killed = report(
        &fixture_data(),
        out.path(),
        &["--period", "2024-25", "--as-of", "2025-02-01"],
    )
    .env("HUBREPORT_TEST_ABORT_AFTER", "7")
    .output()
    .unwrap();
    assert!(!killed.status.success() && killed.status.code() != Some(1));
    assert_eq!(
        tree(&out.path().join("2024-25")),
        before,
        "the previous report is untouched"
    );
    let leftovers: Vec<String> = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp-"))
        .collect();
    assert_eq!(
        leftovers.len(),
        1,
        "the half-written folder is aside: {leftovers:?}"
    );
    // The next run clears it and publishes in full.
    report(
        &fixture_data(),
        out.path(),
        &["--period", "2024-25", "--as-of", "2025-02-01"],
    )
    .assert()
    .code(1);
    let names: Vec<String> = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.contains(".tmp-")), "{names:?}");
    let after = tree(&out.path().join("2024-25"));
    assert_ne!(after["manifest.json"], before["manifest.json"]);
    assert_eq!(after.len(), before.len());
}

#[test]
fn a_second_run_exits_4_at_once_or_waits() {
    let out = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(out.path()).unwrap();
    // This test process plays the run that holds the lock.
    let held = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(out.path().join(".hubreport.lock"))
        .unwrap();
    held.lock().unwrap();
    let assert = report(&fixture_data(), out.path(), &["--period", "2024-25"])
        .assert()
        .code(4);
    let err = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    assert!(
        err.contains("another hubreport run") && err.contains("--wait"),
        "{err}"
    );
    assert!(!out.path().join("2024-25").exists(), "nothing written");

    // With --wait it runs once the lock is released.
    let mut waiting = std::process::Command::new(assert_cmd::cargo::cargo_bin("hubreport"))
        .env_remove("HUBREPORT_KEY")
        .args(["report", "--wait", "--period", "2024-25", "--data"])
        .arg(fixture_data())
        .arg("--out")
        .arg(out.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(800));
    assert!(
        waiting.try_wait().unwrap().is_none(),
        "still waiting for the lock"
    );
    drop(held);
    let status = waiting.wait().unwrap();
    assert_eq!(status.code(), Some(1));
    assert!(out.path().join("2024-25/annual-report.html").is_file());
}

#[test]
fn exit_codes_for_each_outcome() {
    let out = tempfile::tempdir().unwrap();
    let clean = clean_data();
    report(clean.path(), out.path(), &["--period", "2024-25"])
        .assert()
        .code(0);
    report(&fixture_data(), out.path(), &["--period", "2024-25"])
        .assert()
        .code(1);
    // --strict: rejected rows fail the run, and nothing is written.
    let strict_out = tempfile::tempdir().unwrap();
    let assert = report(
        &fixture_data(),
        strict_out.path(),
        &["--period", "2024-25", "--strict"],
    )
    .assert()
    .code(2);
    let err = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    assert!(
        err.contains("--strict") && err.contains("attendance.csv") && err.contains("row 14"),
        "{err}"
    );
    assert!(!strict_out.path().join("2024-25").exists());
    report(
        clean.path(),
        out.path(),
        &["--period", "2024-25", "--strict"],
    )
    .assert()
    .code(0);
    report(clean.path(), out.path(), &["--period", "next-year"])
        .assert()
        .code(3);
    report(&clean.path().join("missing"), out.path(), &[])
        .assert()
        .code(3);
    let empty = tempfile::tempdir().unwrap();
    report(empty.path(), out.path(), &[]).assert().code(2);
}

#[test]
fn period_keywords_resolve_against_as_of() {
    let out = tempfile::tempdir().unwrap();
    // A cron run on 1 April 2025 builds the quarter that just ended.
    report(
        &fixture_data(),
        out.path(),
        &["--period", "last-quarter", "--as-of", "2025-04-01"],
    )
    .assert()
    .code(1);
    assert!(out.path().join("2024-25-Q4/quarterly-pack.html").is_file());
    report(
        &fixture_data(),
        out.path(),
        &["--period", "last-year", "--as-of", "2025-04-01"],
    )
    .assert()
    .code(1);
    assert!(out.path().join("2024-25/annual-report.html").is_file());
    report(
        &fixture_data(),
        out.path(),
        &["--period", "this-quarter", "--as-of", "2024-11-20"],
    )
    .assert()
    .code(1);
    let m: serde_json::Value = serde_json::from_slice(
        &std::fs::read(out.path().join("2024-25-Q3/manifest.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        m["as_of"], "2024-11-20",
        "a running quarter is reported up to the run date"
    );
}

#[test]
fn logs_are_json_lines_or_nothing_with_quiet() {
    let out = tempfile::tempdir().unwrap();
    let clean = clean_data();
    let assert = report(
        clean.path(),
        out.path(),
        &["--period", "2024-25", "--log-format", "json"],
    )
    .assert()
    .code(0);
    let err = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    assert!(err.lines().count() >= 3, "{err}");
    for line in err.lines() {
        let v: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("{line}: {e}"));
        assert!(v["level"].is_string() && v["message"].is_string(), "{line}");
    }
    let assert = report(
        clean.path(),
        out.path(),
        &["--period", "2024-25", "--quiet"],
    )
    .assert()
    .code(0);
    assert!(assert.get_output().stdout.is_empty() && assert.get_output().stderr.is_empty());
    // Errors still show, as JSON when asked.
    let assert = report(
        clean.path(),
        out.path(),
        &["--period", "2019-20", "--quiet", "--log-format", "json"],
    )
    .assert()
    .code(3);
    let err = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    let v: serde_json::Value = serde_json::from_str(err.trim()).unwrap();
    assert_eq!(v["level"], "error");
}
