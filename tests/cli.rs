//! The real binary on fixture folders: exit codes, messages and files.

use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;

fn hubreport() -> Command {
    let mut cmd = Command::cargo_bin("hubreport").unwrap();
    cmd.env_remove("HUBREPORT_KEY");
    cmd
}

fn sample_data() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_data")
}

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
    let mut names: Vec<String> = std::fs::read_dir(a.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    names.sort();
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
