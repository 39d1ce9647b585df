//! The real binary on fixture folders: exit codes, messages and files.

use std::path::Path;

use predicates::prelude::*;

use crate::common::{TEST_KEY, fixtures, hubreport, names, sample_data, stderr_of, stdout_of};

#[test]
fn check_on_the_bundled_sample_adds_up_and_reports_its_rejections() {
    let assert = hubreport()
        .args(["check", "--data"])
        .arg(sample_data())
        .assert()
        .code(1);
    let out = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
    assert!(out.contains("every file adds up"), "{out}");
    for source in [
        "attendance",
        "sessions",
        "evaluations",
        "impact",
        "agency_returns",
        "agencies",
    ] {
        assert!(
            out.lines().any(|l| l.starts_with(source)),
            "{source} missing:\n{out}"
        );
    }
    assert!(out.contains("closest: 'Northshire Police'"), "{out}");
    assert!(out.contains("row(s) rejected"), "{out}");
    // Nothing personal is printed.
    assert!(!out.contains(".org.uk"), "{out}");
}

#[test]
fn check_writes_every_rejection_to_csv() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("rejected.csv");
    hubreport()
        .args(["check", "--show", "0", "--data"])
        .arg(sample_data())
        .arg("--rejected")
        .arg(&csv)
        .assert()
        .code(1);
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(
        text.starts_with("source,file,sheet,row,column,value,reason\n"),
        "{text}"
    );
    assert!(
        text.contains("attendance,attendance.xlsx,Bookings,"),
        "{text}"
    );
}

#[test]
fn a_clean_folder_exits_zero() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("attendance.csv"),
        "session_id,delegate_id,agency,status,session_date\nS1,a@x.org,Police,Attended,01/05/2024\n",
    )
    .unwrap();
    hubreport()
        .args(["check", "--data"])
        .arg(dir.path())
        .assert()
        .code(0)
        .stdout(predicate::str::contains("no rows rejected"));
    assert!(
        dir.path().join(".hubreport-key").is_file(),
        "the key is kept beside the data"
    );
}

#[test]
fn input_errors_exit_2_and_name_the_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("attendance.csv"),
        "session_id,agency\nS1,x\n",
    )
    .unwrap();
    hubreport()
        .args(["check", "--data"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("attendance.csv").and(predicate::str::contains("'status'")),
        );
}

#[test]
fn usage_and_config_errors_exit_3() {
    hubreport()
        .args(["check", "--data", "/no/such/folder"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("--data"));
    hubreport().args(["check", "--bogus"]).assert().code(3);
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("hub.toml");
    std::fs::write(&config, "notice_dayz = 3\n").unwrap();
    hubreport()
        .args(["check", "--config"])
        .arg(&config)
        .assert()
        .code(3)
        .stderr(predicate::str::contains("notice_dayz").and(predicate::str::contains("hub.toml")));
}

#[test]
fn init_writes_a_config_that_check_accepts_and_will_not_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    hubreport().args(["init"]).arg(dir.path()).assert().code(0);
    let config = dir.path().join("hub.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    assert!(text.contains("notice_days = 7") && text.contains("[scales.default]"));
    hubreport()
        .args(["init"])
        .arg(dir.path())
        .assert()
        .code(3)
        .stderr(predicate::str::contains("already exists"));
    hubreport()
        .args(["check", "--config"])
        .arg(&config)
        .arg("--data")
        .arg(sample_data())
        .assert()
        .code(1);
}

#[test]
fn help_lists_the_exit_codes() {
    hubreport()
        .arg("--help")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("Exit codes"));
}

#[test]
fn sample_is_deterministic_and_loads() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    for dir in [&a, &b] {
        hubreport()
            .args(["sample", "--seed", "7", "--out"])
            .arg(dir.path())
            .assert()
            .code(0);
    }
    let names = names(a.path());
    assert_eq!(
        names,
        [
            "agencies.xlsx",
            "agency_returns.xlsx",
            "attendance.xlsx",
            "evaluations.xlsx",
            "impact.csv",
            "sessions.csv"
        ]
    );
    for name in &names {
        assert_eq!(
            std::fs::read(a.path().join(name)).unwrap(),
            std::fs::read(b.path().join(name)).unwrap(),
            "{name} differs between two runs with the same seed"
        );
    }
    hubreport()
        .args(["check", "--data"])
        .arg(a.path())
        .assert()
        .code(1);
}

/// The README's first command: `report --data sample_data` writes the latest
/// year's tables under out/ in the working directory and says where.
#[test]
fn report_on_the_sample_writes_the_latest_year_under_out() {
    let cwd = tempfile::tempdir().unwrap();
    let assert = hubreport()
        .current_dir(cwd.path())
        .args(["report", "--data"])
        .arg(sample_data())
        .assert()
        .code(1);
    let out = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
    assert!(out.starts_with("2025-26 (as of 2026-03-31): "), "{out}");
    assert!(out.contains("tables: out/2025-26/tables"), "{out}");
    let err = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    assert!(err.contains("10 row(s) were rejected"), "{err}");
    let dir = cwd.path().join("out/2025-26");
    assert!(dir.join("tables.xlsx").is_file());
    for name in [
        "attendance_by_course",
        "funnel",
        "coverage_by_agency",
        "rejected",
    ] {
        assert!(
            dir.join(format!("tables/{name}.csv")).is_file(),
            "{name}.csv"
        );
        assert!(
            dir.join(format!("tables/{name}.parquet")).is_file(),
            "{name}.parquet"
        );
    }
}

#[test]
fn init_with_queries_writes_editable_copies_that_report_runs() {
    let dir = tempfile::tempdir().unwrap();
    hubreport()
        .arg("init")
        .arg(dir.path())
        .arg("--queries")
        .assert()
        .success()
        .stderr(predicate::str::contains("queries"));
    assert!(dir.path().join("hub.toml").is_file());
    assert!(dir.path().join("queries/funnel.sql").is_file());
    // A second run keeps hub.toml but will not overwrite the queries.
    hubreport()
        .arg("init")
        .arg(dir.path())
        .arg("--queries")
        .assert()
        .code(3)
        .stderr(predicate::str::contains("already exists"));
    std::fs::write(
        dir.path().join("hub.toml"),
        format!(
            "data_dir = '{}'\nqueries_dir = 'queries'\n",
            sample_data().display()
        ),
    )
    .unwrap();
    hubreport()
        .args([
            "report",
            "--period",
            "2024-25-Q1",
            "--as-of",
            "2026-11-22",
            "--config",
        ])
        .arg(dir.path().join("hub.toml"))
        .assert()
        .code(1)
        .stdout(predicate::str::contains("2024-25 Q1 (as of 2024-06-30)"));
    assert!(
        dir.path()
            .join("out/2024-25-Q1/tables/funnel.csv")
            .is_file()
    );
}

/// A folder with an attendance file of one booking per session, on these
/// dates, and a config naming it.
fn dated_data(dates: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("session_id,delegate_id,agency,status,session_date\n");
    for (i, date) in dates.iter().enumerate() {
        csv.push_str(&format!("S{i},d{i}@x.org,Police,Attended,{date}\n"));
    }
    std::fs::write(dir.path().join("attendance.csv"), csv).unwrap();
    dir
}

/// `report` on `data` for the default period, `latest`, as of `as_of`.
fn report_latest(
    data: &tempfile::TempDir,
    out: &tempfile::TempDir,
    as_of: &str,
) -> assert_cmd::assert::Assert {
    hubreport()
        .args(["report", "--as-of", as_of, "--data"])
        .arg(data.path())
        .arg("--out")
        .arg(out.path())
        .assert()
}

/// A config file in its own folder naming `data` and holding `settings`.
fn config_for(data: &Path, settings: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hub.toml");
    std::fs::write(
        &path,
        format!("data_dir = '{}'\n{settings}\n", data.display()),
    )
    .unwrap();
    (dir, path)
}

#[test]
fn attendance_cannot_be_disabled() {
    let data = dated_data(&["01/05/2024"]);
    let (_dir, config) = config_for(data.path(), "[sources.attendance]\nenabled = false");
    for command in ["check", "report"] {
        let assert = hubreport()
            .args([command, "--config"])
            .arg(&config)
            .assert()
            .code(3);
        let err = stderr_of(&assert);
        assert!(
            err.starts_with("error: in config file '")
                && err.contains("attendance cannot be disabled: "),
            "{err}"
        );
    }
}

/// Numbers that used to panic or allocate without bound are config errors.
#[test]
fn numbers_out_of_range_in_the_config_exit_3() {
    let data = dated_data(&["01/05/2024"]);
    for (settings, needle) in [
        (
            "follow_up_days = 9223372036854775807",
            "follow_up_days = 9223372036854775807 is out of range: it must be a number of days from 1 to 730",
        ),
        (
            "[scales.default]\nmin = 0\nmax = 4000000000000000000",
            "scales.default.max = 4000000000000000000 is out of range",
        ),
        (
            "[scales.default]\nmin = 1\nmax = 1000000000",
            "scales.default.max = 1000000000 is out of range",
        ),
        (
            "[fees]\nfull_day = nan",
            "fees.full_day = NaN is out of range",
        ),
    ] {
        let (_dir, config) = config_for(data.path(), settings);
        let assert = hubreport()
            .args(["report", "--as-of", "2025-01-01", "--config"])
            .arg(&config)
            .assert()
            .code(3);
        let err = stderr_of(&assert);
        assert!(err.contains(needle), "{settings}: {err}");
    }
}

#[test]
fn as_of_far_out_is_a_usage_error_not_a_panic() {
    let data = dated_data(&["01/05/2024"]);
    for as_of in ["+262142-06-01", "0001-01-01", "1899-12-31", "10000-01-01"] {
        let assert = hubreport()
            .args(["report", "--period", "this-year", "--data"])
            .arg(data.path())
            .args(["--as-of", as_of])
            .assert()
            .code(3);
        let err = stderr_of(&assert);
        assert!(
            err.contains("--as-of") && err.contains("1900-01-01 to 9999-12-31")
                || err.contains("--as-of") && err.contains("YYYY-MM-DD"),
            "{as_of}: {err}"
        );
    }
    // The ends of the range work.
    let out = tempfile::tempdir().unwrap();
    hubreport()
        .args([
            "report",
            "--period",
            "2024-25",
            "--as-of",
            "9999-12-31",
            "--data",
        ])
        .arg(data.path())
        .arg("--out")
        .arg(out.path())
        .assert()
        .code(0);
}

#[test]
fn latest_ignores_dates_after_the_run_date() {
    // Twelve sessions in 2024-25 and one mistyped into 2099.
    let mut dates: Vec<String> = (1..=12).map(|d| format!("{d:02}/06/2024")).collect();
    dates.push("01/06/2099".into());
    let dates: Vec<&str> = dates.iter().map(String::as_str).collect();
    let data = dated_data(&dates);
    let out = tempfile::tempdir().unwrap();
    let assert = report_latest(&data, &out, "2026-01-01").code(0);
    let stdout = stdout_of(&assert);
    assert!(
        stdout.starts_with("2024-25 (as of 2025-03-31): "),
        "{stdout}"
    );
    assert!(
        !stderr_of(&assert).contains("warning"),
        "{}",
        stderr_of(&assert)
    );
    // Every date after the run date: nothing to pick.
    let assert = report_latest(&data, &out, "2024-01-01").code(3);
    let err = stderr_of(&assert);
    assert!(
        err.contains("--period latest: no session is on or before the run date 2024-01-01"),
        "{err}"
    );
}

#[test]
fn latest_warns_when_its_year_has_few_sessions() {
    let mut dates: Vec<String> = (1..=20).map(|d| format!("{d:02}/06/2024")).collect();
    // One session in 2025-26, perhaps 2024 mistyped as 2025.
    dates.push("01/06/2025".into());
    let dates: Vec<&str> = dates.iter().map(String::as_str).collect();
    let data = dated_data(&dates);
    let out = tempfile::tempdir().unwrap();
    let assert = report_latest(&data, &out, "2026-01-01").code(0);
    assert!(stdout_of(&assert).starts_with("2025-26 (as of 2026-01-01)"));
    let err = stderr_of(&assert);
    assert!(
        err.contains("warning: --period latest picked 2025-26")
            && err.contains("only 1 session(s) (2024-25 had 20)")
            && err.contains("--period 2024-25"),
        "{err}"
    );
}

/// Spawns the binary with stdout going to `stdout` and returns its exit
/// code and stderr.
fn run_with_stdout(args: &[&std::ffi::OsStr], stdout: std::process::Stdio) -> (i32, String) {
    use std::io::Read;
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("hubreport"))
        .env_remove("HUBREPORT_KEY")
        .args(args)
        .stdout(stdout)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // A closed pipe: the reader is gone before the first line is written.
    drop(child.stdout.take());
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    let status = child.wait().unwrap();
    (status.code().unwrap_or(-1), err)
}

/// The sample reported for every period with stdout closed (the shared run
/// [`crate::common::shared::sample_all_periods`]), and `check` the same way.
#[test]
fn a_closed_stdout_does_not_stop_a_run() {
    let run = crate::common::shared::sample_all_periods();
    let (code, err) = (run.code().unwrap_or(-1), run.stderr());
    assert_eq!(code, 1, "{err}");
    assert!(
        !err.contains("panicked") && !err.contains("standard output"),
        "{err}"
    );
    // Every period was published, the last one included.
    for period in ["2024-25", "2024-25-Q1", "2025-26", "2025-26-Q4"] {
        assert!(
            run.dir.join(period).join("manifest.json").is_file(),
            "{period} missing; stderr: {err}"
        );
    }
    let sample = sample_data();
    let (code, err) = run_with_stdout(
        &["check".as_ref(), "--data".as_ref(), sample.as_os_str()],
        std::process::Stdio::piped(),
    );
    assert_eq!(code, 1, "{err}");
    assert!(
        !err.contains("panicked") && !err.contains("standard output"),
        "{err}"
    );
}

#[test]
fn a_full_stdout_is_a_warning_and_keeps_the_exit_code() {
    if !Path::new("/dev/full").exists() {
        return;
    }
    let full = || {
        std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap()
    };
    let sample = sample_data();
    let (code, err) = run_with_stdout(
        &["check".as_ref(), "--data".as_ref(), sample.as_os_str()],
        full().into(),
    );
    assert_eq!(code, 1, "{err}");
    assert_eq!(
        err.matches("warning: could not write to standard output")
            .count(),
        1,
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    let clean = dated_data(&["01/05/2024"]);
    let out = tempfile::tempdir().unwrap();
    let (code, err) = run_with_stdout(
        &[
            "report".as_ref(),
            "--data".as_ref(),
            clean.path().as_os_str(),
            "--out".as_ref(),
            out.path().as_os_str(),
        ],
        full().into(),
    );
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("could not write to standard output"), "{err}");
    assert!(out.path().join("2024-25/manifest.json").is_file());
}

/// The panic hook, through the test-only HUBREPORT_TEST_PANIC trigger.
#[test]
fn a_panic_is_one_line_asking_for_a_bug_report_and_exit_70() {
    let assert = hubreport()
        .env("HUBREPORT_TEST_PANIC", "1")
        .args(["check", "--data"])
        .arg(sample_data())
        .assert()
        .code(70);
    let err = stderr_of(&assert);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("error: internal error: HUBREPORT_TEST_PANIC is set at src/cli.rs:")
            && err.ends_with("; please report this as a bug\n"),
        "{err}"
    );
    assert!(stdout_of(&assert).is_empty());
    let assert = hubreport()
        .env("HUBREPORT_TEST_PANIC", "1")
        .args(["--log-format", "json", "--quiet", "check", "--data"])
        .arg(sample_data())
        .assert()
        .code(70);
    let err = stderr_of(&assert);
    assert_eq!(err.lines().count(), 1, "{err}");
    let v: serde_json::Value = serde_json::from_str(err.trim()).unwrap();
    assert_eq!(v["level"], "error");
    let message = v["message"].as_str().unwrap();
    assert!(
        message.starts_with("internal error: HUBREPORT_TEST_PANIC is set at ")
            && message.ends_with("please report this as a bug"),
        "{message}"
    );
}

#[test]
fn config_problems_exit_3_not_2() {
    let data = dated_data(&["01/05/2024"]);
    let dir = tempfile::tempdir().unwrap();
    // Not UTF-8.
    let config = dir.path().join("hub.toml");
    let mut latin1 =
        format!("data_dir = '{}'\npartnership = 'Caf", data.path().display()).into_bytes();
    latin1.extend(b"\xe9'\n");
    std::fs::write(&config, latin1).unwrap();
    let assert = hubreport()
        .args(["check", "--config"])
        .arg(&config)
        .assert()
        .code(3);
    let err = stderr_of(&assert);
    assert!(
        err.contains("hub.toml") && err.contains("not UTF-8"),
        "{err}"
    );
    // A data_dir that is not there, a NUL in a path, a glob no file name fits.
    for (settings, needle) in [
        ("data_dir = 'no/such/folder'", "data_dir: no such folder"),
        ("data_dir = \"a\\u0000b\"", "data_dir"),
        ("out_dir = \"o\\u0000\"", "out_dir"),
        ("queries_dir = \"q\\u0000\"", "queries_dir"),
        (
            "queries_dir = 'no-such-folder'",
            "queries_dir: no such folder",
        ),
        (
            "templates_dir = 'no-such-folder'",
            "templates_dir: no such folder",
        ),
        (
            "[sources.attendance]\npath = '[x.csv'",
            "is not a valid glob",
        ),
        (
            "[sources.sessions]\npath = \"s\\u0000.csv\"",
            "sources.sessions.path",
        ),
    ] {
        let text = if settings.starts_with("data_dir") {
            format!("{settings}\n")
        } else {
            format!("data_dir = '{}'\n{settings}\n", data.path().display())
        };
        std::fs::write(&config, text).unwrap();
        for command in ["check", "report"] {
            let assert = hubreport()
                .args([command, "--config"])
                .arg(&config)
                .assert()
                .code(3);
            let err = stderr_of(&assert);
            assert!(
                err.contains(needle) && err.contains("hub.toml"),
                "{settings}: {err}"
            );
        }
    }
    // A key_file in a folder that is not there.
    std::fs::write(
        &config,
        format!(
            "data_dir = '{}'\n[pseudonymisation]\nkey_file = 'no-such-folder/key'\n",
            data.path().display()
        ),
    )
    .unwrap();
    let assert = hubreport()
        .env_remove("HUBREPORT_KEY")
        .args(["check", "--config"])
        .arg(&config)
        .assert()
        .code(3);
    let err = stderr_of(&assert);
    assert!(
        err.contains("key_file") && err.contains("hub.toml"),
        "{err}"
    );
    // An out_dir that cannot be made (a file stands where a folder must go).
    std::fs::write(dir.path().join("blocker"), "").unwrap();
    std::fs::write(
        &config,
        format!(
            "data_dir = '{}'\nout_dir = 'blocker/out'\n",
            data.path().display()
        ),
    )
    .unwrap();
    let assert = hubreport()
        .args(["report", "--config"])
        .arg(&config)
        .assert()
        .code(3);
    let err = stderr_of(&assert);
    assert!(err.contains("out_dir") && err.contains("hub.toml"), "{err}");
}

/// Control characters from inputs are escaped in text log lines and in
/// what commands print, so a file cannot drive the reader's terminal.
#[test]
fn control_characters_from_inputs_are_escaped() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("attendance.csv"),
        "session_id,delegate_id,agency,\u{1b}[2J\u{1b}[31mred\0\n S1,a@x.org,Police,x\n",
    )
    .unwrap();
    let assert = hubreport()
        .args(["check", "--data"])
        .arg(dir.path())
        .assert()
        .code(2);
    let err = stderr_of(&assert);
    assert!(err.contains("\\x1b[2J\\x1b[31mred\\x00"), "{err}");
    assert!(!err.contains('\u{1b}') && !err.contains('\0'), "{err:?}");
    // JSON lines escape them their own way.
    let assert = hubreport()
        .args(["--log-format", "json", "check", "--data"])
        .arg(dir.path())
        .assert()
        .code(2);
    let err = stderr_of(&assert);
    assert!(!err.contains('\u{1b}') && !err.contains('\0'), "{err:?}");
    let v: serde_json::Value = serde_json::from_str(err.trim()).unwrap();
    assert!(v["message"].as_str().unwrap().contains("\u{1b}[2J"));

    // A rejected value, as check prints it and as report warns of it.
    std::fs::write(
        dir.path().join("attendance.csv"),
        "session_id,delegate_id,agency,status,session_date\n\
         S1,a@x.org,Police,Attended,01/05/2024\n\
         S2,b@x.org,Police,\u{1b}]0;pwned\u{7},01/05/2024\n",
    )
    .unwrap();
    let assert = hubreport()
        .args(["check", "--data"])
        .arg(dir.path())
        .assert()
        .code(1);
    let out = stdout_of(&assert);
    assert!(out.contains("'\\x1b]0;pwned\\x07'"), "{out}");
    assert!(!out.contains('\u{1b}') && !out.contains('\u{7}'), "{out:?}");
    let report = tempfile::tempdir().unwrap();
    let assert = hubreport()
        .args(["report", "--strict", "--data"])
        .arg(dir.path())
        .arg("--out")
        .arg(report.path())
        .assert()
        .code(2);
    let err = stderr_of(&assert);
    assert!(err.contains("\\x1b]0;pwned\\x07"), "{err}");
    assert!(!err.contains('\u{1b}'), "{err:?}");
}

#[test]
fn a_reader_failing_on_a_damaged_workbook_is_an_input_error_not_a_bug() {
    // A cell reference past Excel's last row: calamine can fail on it inside
    // its own code; hubreport reports the file, exit 2, and no internal error.
    let data = fixtures().join("hostile/bad-cell-reference");
    let assert = hubreport()
        .env("HUBREPORT_KEY", "a key for the test")
        .args(["check", "--data"])
        .arg(&data)
        .assert()
        .code(2);
    let err = stderr_of(&assert);
    assert!(err.contains("attendance.xlsx"), "{err}");
    assert!(!err.contains("internal error"), "{err}");
}

#[test]
fn a_data_folder_whose_name_looks_like_a_glob_is_matched_as_written() {
    let root = tempfile::tempdir().unwrap();
    for name in ["g[1", "g[ab]"] {
        let data = root.path().join(name);
        std::fs::create_dir(&data).unwrap();
        std::fs::write(
            data.join("bookings.csv"),
            "session_id,delegate_id,agency,status,session_date\nS1,d@x.org,Police,Attended,03/04/2024\n",
        )
        .unwrap();
        let (_dir, config) = config_for(&data, "[sources.attendance]\npath = \"book*.csv\"\n");
        hubreport()
            .env("HUBREPORT_KEY", "a key for the test")
            .args(["check", "--config"])
            .arg(&config)
            .assert()
            .code(0);
    }
}

/// `inspect` on tools' exports: source, preset, mapping, masked rows and a
/// hub.toml entry; `init --from` writes entries that parse, with TODO lines
/// for what the files cannot say.
#[test]
fn inspect_and_init_from_a_folder_of_exports() {
    let exports = fixtures().join("exports");
    let out = hubreport()
        .arg("inspect")
        .arg(exports.join("googleforms/Neglect evaluation.csv"))
        .arg(exports.join("moodle-attendance/NEG_Attendances_20240418-1000.txt"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for expected in [
        "source: evaluations (a googleforms export, recognised from its headers",
        "preset: googleforms",
        "session_from = \"Which session did you attend?\"",
        "# TODO constants = { course = \"...\" }",
        "-> pre item 'i_recognise_the_signs_of_neglect'",
        "preset: moodle-attendance",
        "header: row 4",
        "row 5: delegate_id '[email]'; agency 'Police'; status 'A (0/2)'",
    ] {
        assert!(text.contains(expected), "{expected}\n{text}");
    }
    // No email reaches the terminal.
    assert!(
        !text.contains("@x.org") && !text.contains("@police.example"),
        "{text}"
    );

    let dir = tempfile::tempdir().unwrap();
    for f in [
        "eventbrite-neglect-2024-03-05.csv",
        "eventbrite-dv-2024-03-12.csv",
    ] {
        std::fs::copy(exports.join("eventbrite").join(f), dir.path().join(f)).unwrap();
    }
    hubreport()
        .args(["init", "--from"])
        .arg(dir.path())
        .assert()
        .success();
    let written = std::fs::read_to_string(dir.path().join("hub.toml")).unwrap();
    assert_eq!(written.matches("[[sources.attendance.files]]").count(), 2);
    assert_eq!(written.matches("# TODO constants").count(), 2, "{written}");
    hubreport::config::Config::load(&dir.path().join("hub.toml")).unwrap();
    // Until the TODO lines are written in, check says what is missing.
    hubreport()
        .args(["check", "--config"])
        .arg(dir.path().join("hub.toml"))
        .env("HUBREPORT_KEY", "k")
        .assert()
        .code(2)
        .stderr(predicates::str::contains("session_date"));
    // A second run keeps the hub.toml the analyst may have edited.
    hubreport()
        .args(["init", "--from"])
        .arg(dir.path())
        .assert()
        .code(3);
}

/// The text of a page, tags and runs of space removed.
fn page_text(path: &Path) -> String {
    let html = std::fs::read_to_string(path).unwrap();
    let body = &html[html.find("<main>").unwrap()..];
    let mut text = String::new();
    let mut in_tag = false;
    for c in body.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                text.push(' ');
            }
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.replace("&lt;", "<")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// `sessions` on `tests/fixtures/cases/sessions/` (threshold 3, comments on), run
/// on 1 April 2024 with the default 10 days: S1 (5 March) and S2 (12 March)
/// are due, S3 (28 March) is not.
///
/// S1: booked = 3 attended + 1 no-show + 1 cancelled = 5; 1 walk-in; 3 forms.
/// Satisfaction (5 + 4 + 3) / 3 = 4.00, relevance (4 + 4 + 5) / 3 = 4.33.
/// Knowledge 2, 1, 3 -> 4, 3, 4: 2.00 -> 3.67, change +1.67; confidence
/// 3, 2, 3 -> 4, 4, 3: 2.67 -> 3.67, +1.00; all six changes: 8 / 6 = +1.33.
/// S2 has 1 form, under the threshold: counts only. Its `facilitators.csv`
/// is checked by the case's `expected/` (the `cases` harness).
#[test]
fn session_summaries_for_facilitators() {
    let fixture = fixtures().join("cases/sessions");
    let out = tempfile::tempdir().unwrap();
    let run = |as_of: &str| {
        hubreport()
            .env("HUBREPORT_KEY", TEST_KEY)
            .args(["sessions", "--config"])
            .arg(fixture.join("hub.toml"))
            .args(["--as-of", as_of, "--out"])
            .arg(out.path())
            .assert()
            .success()
    };
    run("2024-04-01");
    let dir = out.path().join("sessions");
    let files = names(&dir);
    assert_eq!(
        files,
        [
            "facilitator-ann-lee.html",
            "facilitator-raj-patel.html",
            "facilitators.csv",
            "index.html",
            "manifest.json",
            "session-s1.html",
            "session-s2.html",
        ]
    );
    let s1 = page_text(&dir.join("session-s1.html"));
    for expected in [
        "Date Tuesday 5 March 2024 Delivery Classroom Facilitators Ann Lee , Raj Patel",
        "Evaluation forms 10 5 3 <3 <3 3",
        "Satisfaction 4.00 and relevance to their role 4.33",
        "changed by +1.33 points",
        "Confidence 3 2.67 3.67 +1.00 Knowledge 3 2.00 3.67 +1.67",
        "Comments Great, email me at [email] More case studies",
    ] {
        assert!(s1.contains(expected), "{expected}\n{s1}");
    }
    assert!(!s1.contains("example.org"));
    let s2 = page_text(&dir.join("session-s2.html"));
    assert!(s2.contains("Fewer than 3 evaluation forms"), "{s2}");
    assert!(
        !s2.contains("Too short") && !s2.contains("Knowledge"),
        "{s2}"
    );
    let ann = page_text(&dir.join("facilitator-ann-lee.html"));
    assert!(
        ann.contains("Neglect Tuesday 5 March 2024 5 3 <3 3 4.00 +1.33"),
        "{ann}"
    );
    // The same run again writes the same bytes.
    let before: Vec<(String, Vec<u8>)> = files
        .iter()
        .map(|f| (f.clone(), std::fs::read(dir.join(f)).unwrap()))
        .collect();
    run("2024-04-01");
    for (f, bytes) in &before {
        assert_eq!(&std::fs::read(dir.join(f)).unwrap(), bytes, "{f}");
    }
    // A week on, S3 has come due.
    run("2024-04-08");
    assert!(dir.join("session-s3.html").is_file());
}
