//! Metrics end to end beyond the hand-worked tables: the real binary on the
//! metrics fixture (`tests/fixtures/metrics/`, described in the README of
//! the `metrics-2024-25` case, whose `expected/` holds every table worked out
//! by hand), and on the bundled sample.

use std::path::{Path, PathBuf};

use crate::common::table::read_csv;
use crate::common::{hubreport, metrics_fixture, names, root, shared, stderr_of};

fn fixture() -> PathBuf {
    metrics_fixture()
}

const ATTENDANCE: &str = "sessions,places,registrations,attended,walk_ins,dna,late_cancellations,cancellations,trained,take_up_rate,attendance_rate,non_attendance_rate,late_cancellation_rate,cancellation_rate,unused_places,chargeable,charges,cost,cost_per_trained";
const BY_AGENCY: &str = "agency,registrations,attended,walk_ins,dna,late_cancellations,cancellations,trained,attendance_rate,non_attendance_rate,late_cancellation_rate,cancellation_rate,chargeable,charges";
const GAIN: &str = "n_paired,pre_mean,post_mean,mean_gain,hake_gain,mean_normalised_change,pct_improved,pct_unchanged,pct_worse,wilcoxon_z,p_value,effect_size_r,rank_biserial,gain_ci_low,gain_ci_high,hake_ci_low,hake_ci_high";

fn tables(out: &Path, period: &str) -> PathBuf {
    out.join(period).join("tables")
}

/// The `metrics-2024-25` case's run, shared with the `cases` harness.
#[test]
fn every_table_is_the_same_in_csv_parquet_and_xlsx() {
    let run = crate::cases::run("metrics-2024-25");
    assert_eq!(run.code(), Some(1), "{}", run.stderr());
    let dir = run.dir.join("2024-25");
    let mut workbook: calamine::Xlsx<_> = calamine::open_workbook(dir.join("tables.xlsx")).unwrap();
    use calamine::Reader;
    let sheets = workbook.sheet_names();
    let mut csvs: Vec<PathBuf> = std::fs::read_dir(dir.join("tables"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "csv"))
        .collect();
    csvs.sort();
    assert!(csvs.len() >= 10);
    for path in csvs {
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        let csv_text = std::fs::read_to_string(&path).unwrap();
        let parquet = std::fs::read(path.with_extension("parquet")).unwrap();
        let table = hubreport::frame::read_parquet(&parquet, &stem).unwrap();
        assert_eq!(
            String::from_utf8(hubreport::render::csv(&table)).unwrap(),
            csv_text,
            "{stem}.parquet differs from {stem}.csv"
        );
        assert!(sheets.contains(&stem), "tables.xlsx has no sheet {stem}");
        let range = workbook.worksheet_range(&stem).unwrap();
        let csv = read_csv(&path);
        assert_eq!(range.height(), csv.rows.len() + 1, "{stem}: rows in xlsx");
        let header: Vec<String> = range
            .rows()
            .next()
            .unwrap()
            .iter()
            .map(|c| c.to_string())
            .collect();
        assert_eq!(header, csv.header, "{stem}: xlsx header");
    }
}

#[test]
fn a_period_without_sessions_is_a_usage_error() {
    let out = tempfile::tempdir().unwrap();
    let assert = hubreport()
        .arg("report")
        .arg("--config")
        .arg(fixture().join("hub.toml"))
        .args(["--period", "2019-20", "--out"])
        .arg(out.path())
        .assert()
        .code(3);
    let err = stderr_of(&assert);
    assert!(
        err.contains("--period 2019-20: no session falls in it"),
        "{err}"
    );
    assert!(
        err.contains("the data runs from 2024-04-01 to 2025-04-01"),
        "{err}"
    );
    hubreport()
        .args(["report", "--period", "2024-25-Q5", "--config"])
        .arg(fixture().join("hub.toml"))
        .assert()
        .code(3)
        .stderr(predicates::str::contains("quarters are Q1-Q4"));
}

fn config_with_queries(dir: &Path, queries: &[(&str, &str)]) -> PathBuf {
    let qdir = dir.join("queries");
    std::fs::create_dir_all(&qdir).unwrap();
    for (name, sql) in queries {
        std::fs::write(qdir.join(name), sql).unwrap();
    }
    let config = dir.join("hub.toml");
    std::fs::write(
        &config,
        format!(
            "data_dir = '{}'\nqueries_dir = 'queries'\n",
            fixture().join("data").display()
        ),
    )
    .unwrap();
    config
}

#[test]
fn an_overriding_query_runs_and_a_broken_one_names_its_file() {
    let dir = tempfile::tempdir().unwrap();
    // A funnel without the impact stages.
    let funnel = std::fs::read_to_string(root().join("queries/funnel.sql"))
        .unwrap()
        .replace(
            "ORDER BY s.position",
            "WHERE s.position <= 4 ORDER BY s.position",
        );
    let config = config_with_queries(dir.path(), &[("funnel.sql", &funnel)]);
    let out = dir.path().join("out");
    hubreport()
        .args(["report", "--period", "2024-25", "--config"])
        .arg(&config)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(1);
    let f = read_csv(&out.join("2024-25/tables/funnel.csv"));
    f.assert_keys(
        "stage",
        &["registrations", "trained", "evaluated", "paired"],
    );

    let broken = config_with_queries(
        dir.path(),
        &[("funnel.sql", "SELECT stage, count FROM nowhere")],
    );
    let assert = hubreport()
        .args(["report", "--config"])
        .arg(&broken)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(3);
    let err = stderr_of(&assert);
    assert!(
        err.contains("in query '") && err.contains("funnel.sql"),
        "{err}"
    );
    assert!(err.contains("nowhere"), "{err}");

    let missing = config_with_queries(
        dir.path(),
        &[("funnel.sql", "SELECT 'trained' AS stage, 1 AS count")],
    );
    let assert = hubreport()
        .args(["report", "--config"])
        .arg(&missing)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(3);
    let err = stderr_of(&assert);
    assert!(
        err.contains("funnel.sql': the result has no column 'of_stage', 'share'"),
        "{err}"
    );
}

/// A column an analyst adds in an overriding query comes out in the tables
/// read from it, after the declared columns: in every breakdown and the
/// overall row of a long result, and in a table of every row.
#[test]
fn a_column_an_overriding_query_adds_comes_out_in_its_tables() {
    let dir = tempfile::tempdir().unwrap();
    let built_in = |name: &str| {
        std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("queries")
                .join(name),
        )
        .unwrap()
    };
    let attendance = built_in("attendance_groups.sql").replace(
        "END AS cost_per_trained\n",
        "END AS cost_per_trained,\n    registrations * 2 AS double_registrations\n",
    );
    assert!(attendance.contains("double_registrations"));
    let funnel = built_in("funnel.sql")
        .replace("    s.stage,", "    s.count * 10 AS tenfold,\n    s.stage,");
    assert!(funnel.contains("tenfold"));
    let config = config_with_queries(
        dir.path(),
        &[
            ("attendance_groups.sql", &attendance),
            ("funnel.sql", &funnel),
        ],
    );
    let out = dir.path().join("out");
    hubreport()
        .args([
            "report",
            "--period",
            "2024-25",
            "--as-of",
            "2026-01-01",
            "--config",
        ])
        .arg(&config)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(1);
    let t = tables(&out, "2024-25");
    let c = read_csv(&t.join("attendance_by_course.csv"));
    c.assert_header(&format!("course,{ATTENDANCE},double_registrations"));
    let a = read_csv(&t.join("attendance_by_agency.csv"));
    a.assert_header(&format!("{BY_AGENCY},double_registrations"));
    let o = read_csv(&t.join("attendance_overall.csv"));
    o.assert_header(&format!("period,{ATTENDANCE},double_registrations"));
    for csv in [&c, &a, &o] {
        for row in &csv.rows {
            let registrations: i64 = row["registrations"].parse().unwrap();
            assert_eq!(row["double_registrations"], (2 * registrations).to_string());
        }
    }
    let f = read_csv(&t.join("funnel.csv"));
    f.assert_header("stage,count,of_stage,share,tenfold");
    let trained = f
        .rows
        .iter()
        .find(|r| r["stage"] == "trained")
        .expect("a trained stage");
    let count: i64 = trained["count"].parse().unwrap();
    assert_eq!(trained["tenfold"], (10 * count).to_string());
    // Parquet carries it too.
    let parquet = std::fs::read(t.join("funnel.parquet")).unwrap();
    let table = hubreport::frame::read_parquet(&parquet, "funnel").unwrap();
    assert_eq!(
        table.column_names(),
        ["stage", "count", "of_stage", "share", "tenfold"]
    );
}

/// On the shared run of the sample for every period
/// ([`shared::sample_all_periods`]).
#[test]
fn every_table_comes_out_for_each_year_and_quarter_of_the_sample() {
    let run = shared::sample_all_periods();
    assert_eq!(run.code(), Some(1), "{}", run.stderr());
    let out = run.dir.as_path();
    let periods: Vec<String> = names(out)
        .into_iter()
        .filter(|name| !name.starts_with('.')) // the lock file
        .collect();
    assert_eq!(
        periods,
        [
            "2024-25",
            "2024-25-Q1",
            "2024-25-Q2",
            "2024-25-Q3",
            "2024-25-Q4",
            "2025-26",
            "2025-26-Q1",
            "2025-26-Q2",
            "2025-26-Q3",
            "2025-26-Q4",
        ]
    );
    let required = [
        ("attendance_by_course", format!("course,{ATTENDANCE}")),
        ("attendance_by_agency", BY_AGENCY.to_string()),
        ("attendance_by_quarter", format!("quarter,{ATTENDANCE}")),
        ("learning_gain_by_course", format!("course,{GAIN}")),
        ("learning_gain_by_item", format!("item,{GAIN}")),
        (
            "impact_by_course",
            "course,eligible,responses,response_rate,applied_rate,answered_applied".into(),
        ),
        ("funnel", "stage,count,of_stage,share".into()),
        (
            "coverage_by_agency",
            "agency,headcount,trained,pct_trained,gap,rag,ma_trained,per_100_staff,representation,flags".into(),
        ),
        (
            "coverage_by_agency_level",
            "agency,level,headcount,trained,pct_trained,target,gap,rag".into(),
        ),
    ];
    for period in &periods {
        let t = tables(out, period);
        for (name, header) in &required {
            let csv = read_csv(&t.join(format!("{name}.csv")));
            csv.assert_header(header);
            assert!(!csv.rows.is_empty(), "{period}/{name}.csv has no rows");
            assert!(t.join(format!("{name}.parquet")).is_file());
        }
        let q = read_csv(&t.join("data_quality.csv"));
        assert!(q.header.starts_with(&[
            "source".to_string(),
            "file".into(),
            "rows_read".into(),
            "rows_loaded".into(),
            "rows_rejected".into(),
            "rows_skipped".into(),
            "duplicates_merged".into(),
            "unmatched_agencies".into(),
        ]));
        assert!(out.join(period).join("tables.xlsx").is_file());
    }
}
