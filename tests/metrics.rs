//! Metrics end to end: the real binary on a fixture small enough to check by
//! hand (tests/fixtures/metrics), every table's expected numbers written out.
//!
//! The fixture, 2024-25, as of 2025-03-31 (follow-up cut-off 2025-01-30):
//!   S1 Course A 2024-04-01 full day, 10 places, cost 300+100, face to face, Level 2
//!   S2 Course A 2024-10-15 half day, 8 places, cost 200+blank, online, Level 2
//!   S3 Course B 2025-03-31 duration blank (full-day fee), places TBC, no cost, Level 3
//!   S4 Course B 2025-04-01: the next financial year
//!   S5 Course C 2024-05-20: only in attendance (no places, no cost)
//!   S6 Course D 2024-07-10 full day, 12 places, cost 500, ten delegates all attended
//! Bookings: d3 on S1 twice (attended wins); d4 is from Family Action, which is
//! charge-exempt; d5 cancelled a month before (cancelled), d6 four days before
//! (late cancellation); d7 walked in; d9's agency, Northshire Council, is not
//! in the register; d14's status 'Maybe' is rejected.
//! Learning-gain figures are from learning_gain_reference.py, written from
//! METRICS.md independently of the engine.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn hubreport() -> Command {
    let mut cmd = Command::cargo_bin("hubreport").unwrap();
    cmd.env_remove("HUBREPORT_KEY");
    cmd
}

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/metrics")
}

/// Runs `report` on the fixture; returns the output folder.
fn report(period: &str, expected_code: i32) -> tempfile::TempDir {
    let out = tempfile::tempdir().unwrap();
    hubreport()
        .arg("report")
        .arg("--config")
        .arg(fixture().join("hub.toml"))
        .args(["--as-of", "2026-01-01", "--period", period, "--out"])
        .arg(out.path())
        .assert()
        .code(expected_code);
    out
}

struct Csv {
    name: String,
    header: Vec<String>,
    rows: Vec<HashMap<String, String>>,
}

fn read_csv(path: &Path) -> Csv {
    let mut r = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    let rows = r
        .records()
        .map(|rec| {
            let rec = rec.unwrap();
            header
                .iter()
                .cloned()
                .zip(rec.iter().map(str::to_string))
                .collect()
        })
        .collect();
    Csv {
        name: path.file_name().unwrap().to_string_lossy().into_owned(),
        header,
        rows,
    }
}

impl Csv {
    fn assert_header(&self, columns: &str) {
        assert_eq!(self.header.join(","), columns, "{}", self.name);
    }

    fn assert_keys(&self, key: &str, keys: &[&str]) {
        let got: Vec<&str> = self.rows.iter().map(|r| r[key].as_str()).collect();
        assert_eq!(got, keys, "{}: rows by {key}", self.name);
    }

    fn row(&self, keys: &[(&str, &str)]) -> &HashMap<String, String> {
        self.rows
            .iter()
            .find(|r| keys.iter().all(|(k, v)| r[*k] == *v))
            .unwrap_or_else(|| panic!("{}: no row {keys:?}", self.name))
    }

    /// Checks the row with these key values against `expected`: the other
    /// columns in header order, comma-separated as in the CSV. An integer
    /// must match exactly; a decimal or a fraction (`5/18`) to 1e-12; an
    /// empty cell must be empty; anything else is text to match exactly.
    fn assert_row(&self, keys: &[(&str, &str)], expected: &str) {
        let row = self.row(keys);
        let columns: Vec<&String> = self
            .header
            .iter()
            .filter(|h| !keys.iter().any(|(k, _)| k == h))
            .collect();
        let expected: Vec<&str> = expected.split(',').collect();
        assert_eq!(
            columns.len(),
            expected.len(),
            "{}: {keys:?}: column count",
            self.name
        );
        for (col, want) in columns.into_iter().zip(expected) {
            let got = row[col].as_str();
            // `~x`: x from a published table (Student's t), to 1e-8.
            if let Some(approx) = want.strip_prefix('~') {
                let f: f64 = approx.parse().unwrap();
                let got = row[col].as_str();
                assert!(
                    got.parse::<f64>()
                        .is_ok_and(|g| (g - f).abs() <= 1e-8 * f.abs().max(1.0)),
                    "{}: {keys:?} {col}: got '{got}', expected about '{approx}'",
                    self.name
                );
                continue;
            }
            let ok = match (want.parse::<i64>(), number(want)) {
                (Ok(_), _) => got == want,
                (_, Some(f)) => got
                    .parse::<f64>()
                    .is_ok_and(|g| (g - f).abs() <= 1e-12 * f.abs().max(1.0)),
                _ => got == want,
            };
            assert!(
                ok,
                "{}: {keys:?} {col}: got '{got}', expected '{want}'",
                self.name
            );
        }
    }
}

/// A decimal, or a fraction `a/b` of decimals.
fn number(text: &str) -> Option<f64> {
    match text.split_once('/') {
        Some((a, b)) => Some(a.parse::<f64>().ok()? / b.parse::<f64>().ok()?),
        None => text.parse().ok(),
    }
}

const ATTENDANCE: &str = "sessions,places,registrations,attended,walk_ins,dna,late_cancellations,cancellations,trained,take_up_rate,attendance_rate,non_attendance_rate,late_cancellation_rate,cancellation_rate,unused_places,chargeable,charges,cost,cost_per_trained";
const BY_AGENCY: &str = "agency,registrations,attended,walk_ins,dna,late_cancellations,cancellations,trained,attendance_rate,non_attendance_rate,late_cancellation_rate,cancellation_rate,chargeable,charges";
const GAIN: &str = "n_paired,pre_mean,post_mean,mean_gain,hake_gain,mean_normalised_change,pct_improved,pct_unchanged,pct_worse,wilcoxon_z,p_value,effect_size_r,rank_biserial,gain_ci_low,gain_ci_high,hake_ci_low,hake_ci_high";

fn tables(out: &Path, period: &str) -> PathBuf {
    out.join(period).join("tables")
}

#[test]
fn attendance_tables_match_the_hand_worked_fixture() {
    let out = report("2024-25", 1);
    let t = tables(out.path(), "2024-25");

    let c = read_csv(&t.join("attendance_by_course.csv"));
    c.assert_header(&format!("course,{ATTENDANCE}"));
    c.assert_keys("course", &["Course A", "Course B", "Course C", "Course D"]);
    // S1 + S2: attended d1 d3 | d1 d9; walk-in d7; dna d2 d4 | d8; late d6 | d10; cancelled d5.
    // Chargeable: d2, d6 (full day, 75) and d8, d10 (half day, 50); d4 is exempt.
    c.assert_row(
        &[("course", "Course A")],
        "2,18,10,4,1,3,2,1,5,5/18,0.4,0.3,0.2,0.3,13,4,250,600,120",
    );
    // S3 only (S4 is 1 April 2025): places TBC, so take-up and unused places are empty;
    // d3's no-show is charged the full-day fee as the duration is unknown.
    c.assert_row(
        &[("course", "Course B")],
        "1,,3,2,0,1,0,0,2,,2/3,1/3,0,0,,1,75,,",
    );
    // S5 is known only from attendance.
    c.assert_row(
        &[("course", "Course C")],
        "1,,2,2,0,0,0,0,2,,1,0,0,0,,0,0,,",
    );
    c.assert_row(
        &[("course", "Course D")],
        "1,12,10,10,0,0,0,0,10,10/12,1,0,0,0,2,0,0,500,50",
    );

    let a = read_csv(&t.join("attendance_by_agency.csv"));
    a.assert_header(BY_AGENCY);
    a.assert_keys(
        "agency",
        &[
            "Family Action",
            "Hilltop School",
            "Northshire Council",
            "Northshire NHS Trust",
            "Northshire Police",
        ],
    );
    a.assert_row(&[("agency", "Family Action")], "1,0,0,1,0,0,0,0,1,0,0,0,0");
    // d5 cancelled, d6 and d10 late, d11 and e6-e10 attended; d14 was rejected.
    a.assert_row(
        &[("agency", "Hilltop School")],
        "9,6,0,0,2,1,6,6/9,0,2/9,3/9,2,125",
    );
    // Unmatched names are kept as written.
    a.assert_row(
        &[("agency", "Northshire Council")],
        "1,1,0,0,0,0,1,1,0,0,0,0,0",
    );
    // "NHS" is an alias; d3 on S1 counts once (attended), and no-shows on S2 (50) and S3 (75).
    a.assert_row(
        &[("agency", "Northshire NHS Trust")],
        "4,2,1,2,0,0,3,0.5,0.5,0,0,2,125",
    );
    a.assert_row(
        &[("agency", "Northshire Police")],
        "10,9,0,1,0,0,9,0.9,0.1,0,0,1,75",
    );

    let q = read_csv(&t.join("attendance_by_quarter.csv"));
    q.assert_header(&format!("quarter,{ATTENDANCE}"));
    // No session in Q2 but S6 (10 July); S3 on 31 March is in Q4.
    q.assert_keys(
        "quarter",
        &["2024-25 Q1", "2024-25 Q2", "2024-25 Q3", "2024-25 Q4"],
    );
    q.assert_row(
        &[("quarter", "2024-25 Q1")],
        "2,10,8,4,1,2,1,1,5,0.5,0.5,0.25,0.125,0.25,5,2,150,400,80",
    );
    q.assert_row(
        &[("quarter", "2024-25 Q3")],
        "1,8,4,2,0,1,1,0,2,0.25,0.5,0.25,0.25,0.25,6,2,100,200,100",
    );
    q.assert_row(
        &[("quarter", "2024-25 Q4")],
        "1,,3,2,0,1,0,0,2,,2/3,1/3,0,0,,1,75,,",
    );

    let o = read_csv(&t.join("attendance_overall.csv"));
    o.assert_header(&format!("period,{ATTENDANCE}"));
    o.assert_row(
        &[("period", "2024-25")],
        "5,30,25,18,1,4,2,1,19,19/30,0.72,0.16,0.08,0.12,11,5,325,1100,1100/19",
    );

    let m = read_csv(&t.join("attendance_by_mode.csv"));
    m.assert_keys("mode", &["(not recorded)", "Face to face", "Online"]);
    let l = read_csv(&t.join("attendance_by_level.csv"));
    l.assert_keys(
        "level",
        &["(not recorded)", "Level 1", "Level 2", "Level 3"],
    );
}

#[test]
fn learning_gain_impact_and_funnel_match_the_fixture() {
    let out = report("2024-25", 1);
    let t = tables(out.path(), "2024-25");

    let c = read_csv(&t.join("learning_gain_by_course.csv"));
    c.assert_header(&format!("course,{GAIN}"));
    // Course B's only form (S3 d2) has no pre scores, so Course B has no paired forms.
    c.assert_keys("course", &["Course A", "Course C", "Course D"]);
    // Forms (pre, post): (2.5, 4) (3, 3) (5, 5) (4, 3) (1, 5); c = 0.6, 0, -1/3, 1 and
    // (5, 5) is left out: mean 19/60. Hake: 0.9 / (5 - 3.1).
    // 95% interval: d = 1.5, 0, 0, -1, 4, mean 0.9, s^2 = 3.8, so 0.9 +/-
    // t(0.975, 4) sqrt(3.8 / 5) with t = 2.776445105; as Hake gain, over the
    // room to rise 5 - 3.1 (learning_gain_reference.py works out every row).
    c.assert_row(
        &[("course", "Course A")],
        "5,3.1,4,0.9,0.9/1.9,19/60,0.4,0.4,0.2,,,,,~-1.520448726996635,~3.3204487269966347,~-0.8002361721034921,~1.7476045931561237",
    );
    c.assert_row(&[("course", "Course C")], "1,2,3,1,1/3,1/3,1,0,0,,,,,,,,");
    // d = +1 +1 +1 -1 +2 +2 +3 -3 +4 +4: W+ = 45, W- = 10, ties 4,2,2,2.
    c.assert_row(&[("course", "Course D")], "10,2.5,3.9,1.4,0.5599999999999999,0.4916666666666666,0.8,0,0.2,1.7990163171519953,0.07201609962555211,0.5688989110008146,0.6363636363636364,~-0.15268889806882946,~2.9526888980688293,~-0.06107555922753179,~1.1810755592275317");

    let i = read_csv(&t.join("learning_gain_by_item.csv"));
    i.assert_header(&format!("item,{GAIN}"));
    i.assert_keys("item", &["confidence", "knowledge"]);
    i.assert_row(
        &[("item", "confidence")],
        "4,3.25,3.75,0.5,0.2857142857142857,0.27777777777777773,0.5,0.5,0,,,,,~-0.4186931154366399,~1.41869311543664,~-0.2392532088209371,~0.8106817802495085",
    );
    i.assert_row(&[("item", "knowledge")], "16,2.625,3.875,1.25,0.5263157894736842,0.4388888888888889,0.6875,0.125,0.1875,2.221382855913819,0.02632504121506285,0.5936895408344954,0.6666666666666666,~0.1931935827269644,~2.3068064172730356,~0.08134466641135343,~0.971286912536015");

    let o = read_csv(&t.join("learning_gain_overall.csv"));
    o.assert_row(&[("period", "2024-25")], "16,2.65625,3.875,1.21875,0.52,0.43444444444444447,0.6875,0.125,0.1875,2.2197069727209726,0.026438665224395308,0.5932416422110751,0.6666666666666666,~0.1665716471347718,~2.270928352865228,~0.0710705694441693,~0.9689294305558307");
    let a = read_csv(&t.join("learning_gain_by_agency.csv"));
    a.assert_keys(
        "agency",
        &[
            "Hilltop School",
            "Northshire Council",
            "Northshire NHS Trust",
            "Northshire Police",
        ],
    );
    a.assert_row(
        &[("agency", "Northshire NHS Trust")],
        "2,4,4,0,0,0,0,1,0,,,,,0,0,0,0",
    );
    a.assert_row(
        &[("agency", "Northshire Police")],
        "8,2.8125,3.5,0.6875,0.3142857142857143,0.325,0.75,0,0.25,,,,,~-0.2320551526061676,~1.6070551526061676,~-0.10608235547710519,~0.7346537840485338",
    );

    // Eligible: trained on sessions up to 30 January (S3 on 31 March is not).
    // Responses: S1 d1 (its duplicate ignored), S1 d3, S2 d9 (applied blank),
    // S5 d12, S6 e1-e3; d2's response to S1 matches no trained delegate, and
    // S3 d2's delegate is not yet eligible.
    let im = read_csv(&t.join("impact_by_course.csv"));
    // answered_applied: those who answered the yes/no question (d9 did not).
    im.assert_header("course,eligible,responses,response_rate,applied_rate,answered_applied");
    im.assert_keys("course", &["Course A", "Course B", "Course C", "Course D"]);
    im.assert_row(&[("course", "Course A")], "5,3,0.6,0.5,2");
    im.assert_row(&[("course", "Course B")], "0,0,,,0");
    im.assert_row(&[("course", "Course C")], "2,1,0.5,1,1");
    im.assert_row(&[("course", "Course D")], "10,3,0.3,2/3,3");
    let io = read_csv(&t.join("impact_overall.csv"));
    io.assert_row(&[("period", "2024-25")], "17,7,7/17,4/6,4,6");
    let items = read_csv(&t.join("impact_by_item.csv"));
    items.assert_header("item,responses,mean,pct_agree");
    // 4, 2, 5, 4, 5, 3 (d12 left it blank).
    items.assert_row(&[("item", "practice")], "6,23/6,4/6");

    let r = read_csv(&t.join("reaction_by_course.csv"));
    r.assert_row(&[("course", "Course A")], "5,3.8,0.6,");
    r.assert_row(&[("course", "Course B")], "1,4,1,");
    r.assert_row(&[("course", "Course D")], "0,,,");

    let f = read_csv(&t.join("funnel.csv"));
    f.assert_header("stage,count,of_stage,share");
    f.assert_keys(
        "stage",
        &[
            "registrations",
            "trained",
            "evaluated",
            "paired",
            "impact_eligible",
            "impact_responses",
        ],
    );
    f.assert_row(&[("stage", "registrations")], "25,,");
    f.assert_row(&[("stage", "trained")], "19,registrations,19/25");
    // Evaluated: 6 forms on S1-S5 with a post score (S3 d2 included), and S6's ten.
    f.assert_row(&[("stage", "evaluated")], "17,trained,17/19");
    f.assert_row(&[("stage", "paired")], "16,evaluated,16/17");
    f.assert_row(&[("stage", "impact_eligible")], "17,trained,17/19");
    f.assert_row(&[("stage", "impact_responses")], "7,impact_eligible,7/17");
}

#[test]
fn coverage_and_data_quality_match_the_fixture() {
    let out = report("2024-25", 1);
    let t = tables(out.path(), "2024-25");

    let l = read_csv(&t.join("coverage_by_agency_level.csv"));
    l.assert_header("agency,level,headcount,trained,pct_trained,target,gap,rag");
    // Hilltop's 2023-24 return is another year's.
    assert_eq!(l.rows.len(), 5);
    l.assert_row(
        &[("agency", "Hilltop School"), ("level", "Level 1")],
        "10,7,0.7,0.9,2,red",
    );
    l.assert_row(
        &[("agency", "Northshire NHS Trust"), ("level", "Level 1")],
        "200,150,0.75,0.9,30,red",
    );
    l.assert_row(
        &[("agency", "Northshire Police"), ("level", "Level 1")],
        "100,95,0.95,0.9,0,green",
    );
    // "level 3" = 0.7 in hub.toml. ceil(0.7 * 10) is 7, not 8; 0.6 is exactly
    // 10 points under target: amber, not red.
    l.assert_row(
        &[("agency", "Northshire Police"), ("level", "Level 3")],
        "10,6,0.6,0.7,1,amber",
    );
    l.assert_row(
        &[("agency", "Youth Service"), ("level", "Level 1")],
        "40,38,0.95,0.9,0,green",
    );

    let a = read_csv(&t.join("coverage_by_agency.csv"));
    a.assert_header("agency,headcount,trained,pct_trained,gap,rag,ma_trained,per_100_staff,representation,flags");
    a.assert_keys(
        "agency",
        &[
            "Family Action",
            "Hilltop School",
            "Northshire NHS Trust",
            "Northshire Police",
            "Youth Service",
        ],
    );
    // Shares over agencies with a return: ma_trained 6 + 3 + 9 + 0 = 18;
    // headcount 10 + 200 + 110 + 40 = 360.
    a.assert_row(&[("agency", "Family Action")], ",,,,missing,0,,,no_return");
    a.assert_row(
        &[("agency", "Hilltop School")],
        "10,7,0.7,2,red,6,60,12,red",
    );
    a.assert_row(
        &[("agency", "Northshire NHS Trust")],
        "200,150,0.75,30,red,3,1.5,0.3,red",
    );
    a.assert_row(
        &[("agency", "Northshire Police")],
        "110,101,101/110,1,amber,9,900/110,18/11,",
    );
    a.assert_row(
        &[("agency", "Youth Service")],
        "40,38,0.95,0,green,0,0,0,no_attendance",
    );

    let q = read_csv(&t.join("data_quality.csv"));
    q.assert_header("source,file,rows_read,rows_loaded,rows_rejected,rows_skipped,duplicates_merged,unmatched_agencies,unmatched_links,undated_cancellations");
    q.assert_row(
        &[("source", "attendance")],
        "attendance.csv,29,28,1,0,1,1,0,0",
    );
    q.assert_row(
        &[("source", "evaluations")],
        "evaluations.csv,19,19,0,0,0,0,1,0",
    );
    q.assert_row(&[("source", "impact")], "impact.csv,10,10,0,0,1,0,1,0");
    let rej = read_csv(&t.join("rejected.csv"));
    rej.assert_header("source,file,sheet,row,column,value,reason");
    assert_eq!(rej.rows.len(), 1);
    assert_eq!(rej.rows[0]["row"], "14");
    assert_eq!(rej.rows[0]["value"], "Maybe");
}

#[test]
fn the_first_of_april_starts_the_next_year() {
    let out = report("2025-26", 1);
    let o = read_csv(&tables(out.path(), "2025-26").join("attendance_overall.csv"));
    // Only S4 (1 April 2025): d1 attended.
    let row = o.row(&[("period", "2025-26")]);
    assert_eq!(
        (row["sessions"].as_str(), row["registrations"].as_str()),
        ("1", "1")
    );
    let q4 = report("2024-25-Q4", 1);
    let o = read_csv(&tables(q4.path(), "2024-25-Q4").join("attendance_overall.csv"));
    // Only S3 (31 March 2025).
    let row = o.row(&[("period", "2024-25 Q4")]);
    assert_eq!(
        (row["sessions"].as_str(), row["registrations"].as_str()),
        ("1", "3")
    );
}

#[test]
fn every_table_is_the_same_in_csv_parquet_and_xlsx() {
    let out = report("2024-25", 1);
    let dir = out.path().join("2024-25");
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
    let err = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
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
    let funnel =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("queries/funnel.sql"))
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
    let err = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
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
    let err = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
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
    let trained = f.row(&[("stage", "trained")]);
    let count: i64 = trained["count"].parse().unwrap();
    assert_eq!(trained["tenfold"], (10 * count).to_string());
    // The workbook and Parquet carry it too.
    let parquet = std::fs::read(t.join("funnel.parquet")).unwrap();
    let table = hubreport::frame::read_parquet(&parquet, "funnel").unwrap();
    assert_eq!(
        table.column_names(),
        ["stage", "count", "of_stage", "share", "tenfold"]
    );
}

#[test]
fn every_table_comes_out_for_each_year_and_quarter_of_the_sample() {
    let out = tempfile::tempdir().unwrap();
    hubreport()
        .args(["report", "--period", "all", "--data"])
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_data"))
        .args(["--as-of", "2026-11-22", "--out"])
        .arg(out.path())
        .assert()
        .code(1);
    let mut periods: Vec<String> = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| !name.starts_with('.')) // the lock file
        .collect();
    periods.sort();
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
        let t = tables(out.path(), period);
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
        assert!(out.path().join(period).join("tables.xlsx").is_file());
    }
}

/// Refresher currency on `tests/fixtures/currency/`, for 2025-26: E is 31
/// March 2026 and training lapses after 2 years, so a training on or before
/// 31/03/2024 has lapsed by E, and one on or before 30/06/2024 lapses by the
/// end of the next quarter (30/06/2026).
///
/// - ann: Police, trained in 2023 and again on 01/06/2025: current, once.
/// - bob: Health on 01/09/2024, then Education on 01/10/2025: current, under
///   Education (the agency of the latest training).
/// - cat: Police on 31/03/2024, exactly 2 years before E: lapsed on E.
/// - dan: Health on 15/05/2024: current, lapsing on 15/05/2026.
/// - eve: Health walk-in on 01/07/2024: current, lapsing on 01/07/2026, after
///   the next quarter.
/// - fay (a no-show) and gus (trained after E) are not counted.
///
/// Headcount is the 2025-26 returns summed over levels (Police 6 + 4).
#[test]
fn refresher_currency_matches_the_fixture() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/currency");
    let out = tempfile::tempdir().unwrap();
    hubreport()
        .env("HUBREPORT_KEY", "a fixed key for the tests")
        .arg("report")
        .arg("--data")
        .arg(&data)
        .args(["--as-of", "2026-04-30", "--period", "2025-26", "--out"])
        .arg(out.path())
        .assert()
        .code(0);
    let c = read_csv(&out.path().join("2025-26/tables/currency_by_agency.csv"));
    c.assert_header("agency,trained_current,lapsing,headcount,pct_current");
    c.assert_keys("agency", &["Education", "Health", "Police"]);
    c.assert_row(&[("agency", "Education")], "1,0,5,0.2");
    c.assert_row(&[("agency", "Health")], "2,1,8,0.25");
    c.assert_row(&[("agency", "Police")], "1,0,10,0.1");
}
