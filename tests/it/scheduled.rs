//! Scheduled (cron) runs: period keywords, atomic publishing, the lock,
//! manifest, determinism, exit codes and logs, on the real binary.

use std::fs::OpenOptions;
use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;

use crate::common::{copy_files, hubreport, metrics_fixture, names, tree};

fn fixture_data() -> PathBuf {
    metrics_fixture().join("data")
}

fn report(data: &Path, out: &Path, extra: &[&str]) -> Command {
    let mut cmd = hubreport();
    cmd.args(["report", "--data"])
        .arg(data)
        .arg("--out")
        .arg(out)
        .args(extra);
    cmd
}

/// The fixture without its one bad row: a clean folder.
fn clean_data() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_files(&fixture_data(), dir.path());
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
    assert_eq!(attendance["sha256"], hubreport::digest::sha256(&bytes));
    // Every other file of the folder is listed with its hash.
    let files = tree(&dir);
    let outputs = m["outputs"].as_array().unwrap();
    assert_eq!(outputs.len(), files.len() - 1);
    for o in outputs {
        let path = o["path"].as_str().unwrap();
        assert_eq!(
            o["sha256"],
            hubreport::digest::sha256(&files[path]),
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

/// The id of a process that has ended.
fn ended_pid() -> u32 {
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let pid = child.id();
    child.wait().unwrap();
    pid
}

/// Asserts that `dir` holds exactly the files its manifest lists, each with
/// the listed size and hash.
fn assert_complete(dir: &Path) {
    let files = tree(dir);
    let m: serde_json::Value = serde_json::from_slice(&files["manifest.json"]).unwrap();
    let outputs = m["outputs"].as_array().unwrap();
    let listed: Vec<&str> = outputs
        .iter()
        .map(|o| o["path"].as_str().unwrap())
        .collect();
    let found: Vec<&str> = files
        .keys()
        .map(String::as_str)
        .filter(|p| *p != "manifest.json")
        .collect();
    assert_eq!(found, listed, "{}", dir.display());
    for o in outputs {
        let path = o["path"].as_str().unwrap();
        assert_eq!(o["size"], files[path].len(), "{path}");
        assert_eq!(
            o["sha256"],
            hubreport::digest::sha256(&files[path]),
            "{path}"
        );
    }
}

#[test]
fn only_hubreports_own_leftovers_are_cleared() {
    let out = tempfile::tempdir().unwrap();
    let d = out.path();
    let gone = ended_pid();
    // Hidden folders hubreport did not make, some named like its own.
    let foreign = [
        ".notes.tmp-1".to_string(),
        ".cache.old-2".to_string(),
        format!(".2024-25.tmp-{gone}"),
        format!(".2023-24.old-{gone}"),
        ".2024-25.tmp-abc".to_string(),
    ];
    for name in &foreign {
        std::fs::create_dir_all(d.join(name)).unwrap();
        std::fs::write(d.join(name).join("keep.txt"), "mine").unwrap();
    }
    report(
        &fixture_data(),
        d,
        &["--period", "2024-25", "--as-of", "2026-01-01"],
    )
    .assert()
    .code(1);
    for name in &foreign {
        assert_eq!(
            std::fs::read_to_string(d.join(name).join("keep.txt")).unwrap(),
            "mine",
            "{name} is left alone"
        );
    }
    assert!(
        !d.join("2023-24").exists(),
        "a folder without hubreport's manifest is not put back"
    );
    // A period folder hubreport wrote, left aside by a run that ended, is put back.
    std::fs::rename(d.join("2024-25"), d.join(format!(".2024-25.old-{gone}"))).unwrap();
    let before = tree(&d.join(format!(".2024-25.old-{gone}")));
    report(
        &fixture_data(),
        d,
        &["--period", "2024-25-Q1", "--as-of", "2026-01-01"],
    )
    .assert()
    .code(1);
    assert_eq!(tree(&d.join("2024-25")), before);
    assert!(!d.join(format!(".2024-25.old-{gone}")).exists());
}

#[test]
fn the_output_folder_must_be_hubreports_own() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    for e in std::fs::read_dir(fixture_data()).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), data.join(e.file_name())).unwrap();
    }
    let refused = |cmd: &mut Command, named: &[&Path]| {
        let assert = cmd.assert().code(3);
        let err = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
        for path in named {
            assert!(
                err.contains(&format!("'{}'", path.display())),
                "{} in {err}",
                path.display()
            );
        }
    };
    // The data folder, by another spelling of its path, and a folder holding it.
    let same = dir.path().join("data/../data");
    refused(
        &mut report(&data, &same, &["--period", "2024-25"]),
        &[&same, &data],
    );
    refused(
        &mut report(&data, dir.path(), &["--period", "2024-25"]),
        &[dir.path(), &data],
    );
    assert_eq!(names(dir.path()), ["data"], "nothing was written");
    assert!(
        !data.join(".hubreport.lock").exists(),
        "nothing was written"
    );
    // A folder holding the config file.
    let config = dir.path().join("conf/hub.toml");
    std::fs::create_dir(dir.path().join("conf")).unwrap();
    std::fs::write(&config, format!("data_dir = '{}'\n", data.display())).unwrap();
    let conf_dir = dir.path().join("conf");
    let mut cmd = hubreport();
    cmd.args(["report", "--period", "2024-25", "--config"])
        .arg(&config)
        .arg("--out")
        .arg(&conf_dir);
    refused(&mut cmd, &[&conf_dir, &config]);
    assert_eq!(names(&conf_dir), ["hub.toml"]);
    // The home folder.
    let home = tempfile::tempdir().unwrap();
    refused(
        report(&data, home.path(), &["--period", "2024-25"]).env("HOME", home.path()),
        &[home.path()],
    );
    assert!(names(home.path()).is_empty());
    // A period folder hubreport did not write is never replaced.
    let out = dir.path().join("out");
    std::fs::create_dir_all(out.join("2024-25")).unwrap();
    std::fs::write(out.join("2024-25/notes.txt"), "mine").unwrap();
    refused(
        &mut report(&data, &out, &["--period", "2024-25"]),
        &[&out.join("2024-25")],
    );
    assert_eq!(names(&out.join("2024-25")), ["notes.txt"]);
    // The root folder.
    refused(
        &mut report(&data, Path::new("/"), &["--period", "2024-25"]),
        &[Path::new("/")],
    );
}

#[test]
fn a_run_whose_lock_file_is_deleted_still_publishes_complete_folders() {
    let out = tempfile::tempdir().unwrap();
    let signal = tempfile::tempdir().unwrap();
    let paused = signal.path().join("paused");
    // The first run stops after writing 5 files.
    let mut first = std::process::Command::new(assert_cmd::cargo::cargo_bin("hubreport"))
        .env_remove("HUBREPORT_KEY")
        .env(
            "HUBREPORT_TEST_PAUSE_AFTER",
            format!("5:{}", paused.display()),
        )
        .args([
            "report",
            "--period",
            "2024-25",
            "--as-of",
            "2026-01-01",
            "--data",
        ])
        .arg(fixture_data())
        .arg("--out")
        .arg(out.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let start = std::time::Instant::now();
    while !paused.exists() {
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "the first run did not pause"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    // A tidy-up job deletes the lock file, so a second run starts and finishes.
    std::fs::remove_file(out.path().join(".hubreport.lock")).unwrap();
    report(
        &fixture_data(),
        out.path(),
        &["--period", "2024-25", "--as-of", "2025-02-01"],
    )
    .assert()
    .code(1);
    assert_complete(&out.path().join("2024-25"));
    std::fs::remove_file(&paused).unwrap();
    let status = first.wait().unwrap();
    assert_eq!(status.code(), Some(1));
    // Whatever was published is whole.
    assert_complete(&out.path().join("2024-25"));
    let names = names(out.path());
    assert_eq!(names, [".hubreport.lock", "2024-25"]);
}

/// A config using the fixture's data, with `extra` appended.
fn config_with(extra: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("hub.toml"),
        format!("data_dir = '{}'\n{extra}", fixture_data().display()),
    )
    .unwrap();
    dir
}

fn report_config(dir: &Path, out: &Path, extra: &[&str]) -> Command {
    let mut cmd = Command::cargo_bin("hubreport").unwrap();
    cmd.env_remove("HUBREPORT_KEY")
        .args(["report", "--config"])
        .arg(dir.join("hub.toml"))
        .arg("--out")
        .arg(out)
        .args(extra);
    cmd
}

#[test]
fn a_name_too_long_stops_the_run_before_anything_is_written() {
    let long = "x".repeat(300);
    let dir = config_with(&format!(
        "[[subgroups]]\nname = '{long}'\ncourses = ['Course A']\n"
    ));
    let out = dir.path().join("out");
    let assert = report_config(
        dir.path(),
        &out,
        &["--period", "2024-25,2024-25-Q1", "--as-of", "2026-01-01"],
    )
    .assert()
    .code(3);
    let err = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    assert!(
        err.contains(&format!("quarterly-pack-{long}.html")),
        "{err}"
    );
    assert_eq!(names(&out), [".hubreport.lock"], "nothing was written");
}

#[test]
fn a_failed_rename_puts_every_period_back() {
    let out = tempfile::tempdir().unwrap();
    let periods = ["--period", "2024-25,2024-25-Q1"];
    report(
        &fixture_data(),
        out.path(),
        &[periods[0], periods[1], "--as-of", "2026-01-01"],
    )
    .assert()
    .code(1);
    let before = tree(out.path());
    // Moving the second folder into place fails once the first is in place.
    let assert = report(
        &fixture_data(),
        out.path(),
        &[periods[0], periods[1], "--as-of", "2025-02-01"],
    )
    .env("HUBREPORT_TEST_FAIL_SWAP", "2")
    .assert()
    .code(2);
    let err = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    assert!(err.contains("put back"), "{err}");
    let after = tree(out.path());
    assert_eq!(
        after.keys().collect::<Vec<_>>(),
        before.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &before {
        if !path.ends_with(".hubreport.lock") {
            assert!(bytes == &after[path], "{path} changed");
        }
    }
    assert_eq!(
        names(out.path()),
        [".hubreport.lock", "2024-25", "2024-25-Q1"]
    );
}
