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

/// An expected cell.
enum E {
    I(i64),
    F(f64),
    T(&'static str),
    Empty,
}
use E::*;

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

    /// Checks the row where `key` is `value` against `expected`, which names
    /// every other column in header order.
    fn assert_row(&self, keys: &[(&str, &str)], expected: &[E]) {
        let row = self.row(keys);
        let columns: Vec<&String> = self
            .header
            .iter()
            .filter(|h| !keys.iter().any(|(k, _)| k == h))
            .collect();
        assert_eq!(
            columns.len(),
            expected.len(),
            "{}: {keys:?}: column count",
            self.name
        );
        for (col, want) in columns.into_iter().zip(expected) {
            let got = row[col].as_str();
            let ok = match want {
                I(i) => got == i.to_string(),
                T(t) => got == *t,
                Empty => got.is_empty(),
                F(f) => got
                    .parse::<f64>()
                    .is_ok_and(|g| (g - f).abs() <= 1e-12 * f.abs().max(1.0)),
            };
            assert!(
                ok,
                "{}: {keys:?} {col}: got '{got}', expected {}",
                self.name,
                show(want)
            );
        }
    }
}

fn show(e: &E) -> String {
    match e {
        I(i) => i.to_string(),
        F(f) => f.to_string(),
        T(t) => format!("'{t}'"),
        Empty => "empty".into(),
    }
}

const ATTENDANCE: &str = "sessions,places,registrations,attended,walk_ins,dna,late_cancellations,cancellations,trained,take_up_rate,attendance_rate,non_attendance_rate,late_cancellation_rate,cancellation_rate,unused_places,chargeable,charges,cost,cost_per_trained";
const BY_AGENCY: &str = "agency,registrations,attended,walk_ins,dna,late_cancellations,cancellations,trained,attendance_rate,non_attendance_rate,late_cancellation_rate,cancellation_rate,chargeable,charges";
const GAIN: &str = "n_paired,pre_mean,post_mean,mean_gain,hake_gain,mean_normalised_change,pct_improved,pct_unchanged,pct_worse,wilcoxon_z,p_value,effect_size_r,rank_biserial";

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
        &[
            I(2),
            I(18),
            I(10),
            I(4),
            I(1),
            I(3),
            I(2),
            I(1),
            I(5),
            F(5.0 / 18.0),
            F(0.4),
            F(0.3),
            F(0.2),
            F(0.3),
            I(13),
            I(4),
            I(250),
            I(600),
            F(120.0),
        ],
    );
    // S3 only (S4 is 1 April 2025): places TBC, so take-up and unused places are empty;
    // d3's no-show is charged the full-day fee as the duration is unknown.
    c.assert_row(
        &[("course", "Course B")],
        &[
            I(1),
            Empty,
            I(3),
            I(2),
            I(0),
            I(1),
            I(0),
            I(0),
            I(2),
            Empty,
            F(2.0 / 3.0),
            F(1.0 / 3.0),
            F(0.0),
            F(0.0),
            Empty,
            I(1),
            I(75),
            Empty,
            Empty,
        ],
    );
    // S5 is known only from attendance.
    c.assert_row(
        &[("course", "Course C")],
        &[
            I(1),
            Empty,
            I(2),
            I(2),
            I(0),
            I(0),
            I(0),
            I(0),
            I(2),
            Empty,
            F(1.0),
            F(0.0),
            F(0.0),
            F(0.0),
            Empty,
            I(0),
            I(0),
            Empty,
            Empty,
        ],
    );
    c.assert_row(
        &[("course", "Course D")],
        &[
            I(1),
            I(12),
            I(10),
            I(10),
            I(0),
            I(0),
            I(0),
            I(0),
            I(10),
            F(10.0 / 12.0),
            F(1.0),
            F(0.0),
            F(0.0),
            F(0.0),
            I(2),
            I(0),
            I(0),
            I(500),
            F(50.0),
        ],
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
    a.assert_row(
        &[("agency", "Family Action")],
        &[
            I(1),
            I(0),
            I(0),
            I(1),
            I(0),
            I(0),
            I(0),
            F(0.0),
            F(1.0),
            F(0.0),
            F(0.0),
            I(0),
            I(0),
        ],
    );
    // d5 cancelled, d6 and d10 late, d11 and e6-e10 attended; d14 was rejected.
    a.assert_row(
        &[("agency", "Hilltop School")],
        &[
            I(9),
            I(6),
            I(0),
            I(0),
            I(2),
            I(1),
            I(6),
            F(6.0 / 9.0),
            F(0.0),
            F(2.0 / 9.0),
            F(3.0 / 9.0),
            I(2),
            I(125),
        ],
    );
    // Unmatched names are kept as written.
    a.assert_row(
        &[("agency", "Northshire Council")],
        &[
            I(1),
            I(1),
            I(0),
            I(0),
            I(0),
            I(0),
            I(1),
            F(1.0),
            F(0.0),
            F(0.0),
            F(0.0),
            I(0),
            I(0),
        ],
    );
    // "NHS" is an alias; d3 on S1 counts once (attended), and no-shows on S2 (50) and S3 (75).
    a.assert_row(
        &[("agency", "Northshire NHS Trust")],
        &[
            I(4),
            I(2),
            I(1),
            I(2),
            I(0),
            I(0),
            I(3),
            F(0.5),
            F(0.5),
            F(0.0),
            F(0.0),
            I(2),
            I(125),
        ],
    );
    a.assert_row(
        &[("agency", "Northshire Police")],
        &[
            I(10),
            I(9),
            I(0),
            I(1),
            I(0),
            I(0),
            I(9),
            F(0.9),
            F(0.1),
            F(0.0),
            F(0.0),
            I(1),
            I(75),
        ],
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
        &[
            I(2),
            I(10),
            I(8),
            I(4),
            I(1),
            I(2),
            I(1),
            I(1),
            I(5),
            F(0.5),
            F(0.5),
            F(0.25),
            F(0.125),
            F(0.25),
            I(5),
            I(2),
            I(150),
            I(400),
            F(80.0),
        ],
    );
    q.assert_row(
        &[("quarter", "2024-25 Q3")],
        &[
            I(1),
            I(8),
            I(4),
            I(2),
            I(0),
            I(1),
            I(1),
            I(0),
            I(2),
            F(0.25),
            F(0.5),
            F(0.25),
            F(0.25),
            F(0.25),
            I(6),
            I(2),
            I(100),
            I(200),
            F(100.0),
        ],
    );
    q.assert_row(
        &[("quarter", "2024-25 Q4")],
        &[
            I(1),
            Empty,
            I(3),
            I(2),
            I(0),
            I(1),
            I(0),
            I(0),
            I(2),
            Empty,
            F(2.0 / 3.0),
            F(1.0 / 3.0),
            F(0.0),
            F(0.0),
            Empty,
            I(1),
            I(75),
            Empty,
            Empty,
        ],
    );

    let o = read_csv(&t.join("attendance_overall.csv"));
    o.assert_header(&format!("period,{ATTENDANCE}"));
    o.assert_row(
        &[("period", "2024-25")],
        &[
            I(5),
            I(30),
            I(25),
            I(18),
            I(1),
            I(4),
            I(2),
            I(1),
            I(19),
            F(19.0 / 30.0),
            F(0.72),
            F(0.16),
            F(0.08),
            F(0.12),
            I(11),
            I(5),
            I(325),
            I(1100),
            F(1100.0 / 19.0),
        ],
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
    // Forms (pre, post): (2.5, 4) (3, 3) (5, 5) (4, 3) (1, 5); (5, 5) is left out of c.
    c.assert_row(
        &[("course", "Course A")],
        &[
            I(5),
            F(3.1),
            F(4.0),
            F(0.9),
            F(0.9 / 1.9),
            F((0.6 + 0.0 - 1.0 / 3.0 + 1.0) / 4.0),
            F(0.4),
            F(0.4),
            F(0.2),
            Empty,
            Empty,
            Empty,
            Empty,
        ],
    );
    c.assert_row(
        &[("course", "Course C")],
        &[
            I(1),
            F(2.0),
            F(3.0),
            F(1.0),
            F(1.0 / 3.0),
            F(1.0 / 3.0),
            F(1.0),
            F(0.0),
            F(0.0),
            Empty,
            Empty,
            Empty,
            Empty,
        ],
    );
    // d = +1 +1 +1 -1 +2 +2 +3 -3 +4 +4: W+ = 45, W- = 10, ties 4,2,2,2.
    c.assert_row(
        &[("course", "Course D")],
        &[
            I(10),
            F(2.5),
            F(3.9),
            F(1.4),
            F(0.5599999999999999),
            F(0.4916666666666666),
            F(0.8),
            F(0.0),
            F(0.2),
            F(1.7990163171519953),
            F(0.07201609962555211),
            F(0.5688989110008146),
            F(0.6363636363636364),
        ],
    );

    let i = read_csv(&t.join("learning_gain_by_item.csv"));
    i.assert_header(&format!("item,{GAIN}"));
    i.assert_keys("item", &["confidence", "knowledge"]);
    i.assert_row(
        &[("item", "confidence")],
        &[
            I(4),
            F(3.25),
            F(3.75),
            F(0.5),
            F(0.2857142857142857),
            F(0.27777777777777773),
            F(0.5),
            F(0.5),
            F(0.0),
            Empty,
            Empty,
            Empty,
            Empty,
        ],
    );
    i.assert_row(
        &[("item", "knowledge")],
        &[
            I(16),
            F(2.625),
            F(3.875),
            F(1.25),
            F(0.5263157894736842),
            F(0.4388888888888889),
            F(0.6875),
            F(0.125),
            F(0.1875),
            F(2.221382855913819),
            F(0.02632504121506285),
            F(0.5936895408344954),
            F(0.6666666666666666),
        ],
    );

    let o = read_csv(&t.join("learning_gain_overall.csv"));
    o.assert_row(
        &[("period", "2024-25")],
        &[
            I(16),
            F(2.65625),
            F(3.875),
            F(1.21875),
            F(0.52),
            F(0.43444444444444447),
            F(0.6875),
            F(0.125),
            F(0.1875),
            F(2.2197069727209726),
            F(0.026438665224395308),
            F(0.5932416422110751),
            F(0.6666666666666666),
        ],
    );
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
        &[
            I(2),
            F(4.0),
            F(4.0),
            F(0.0),
            F(0.0),
            F(0.0),
            F(0.0),
            F(1.0),
            F(0.0),
            Empty,
            Empty,
            Empty,
            Empty,
        ],
    );
    a.assert_row(
        &[("agency", "Northshire Police")],
        &[
            I(8),
            F(2.8125),
            F(3.5),
            F(0.6875),
            F(0.3142857142857143),
            F(0.325),
            F(0.75),
            F(0.0),
            F(0.25),
            Empty,
            Empty,
            Empty,
            Empty,
        ],
    );

    // Eligible: trained on sessions up to 30 January (S3 on 31 March is not).
    // Responses: S1 d1 (its duplicate ignored), S1 d3, S2 d9 (applied blank),
    // S5 d12, S6 e1-e3; d2's response to S1 matches no trained delegate, and
    // S3 d2's delegate is not yet eligible.
    let im = read_csv(&t.join("impact_by_course.csv"));
    im.assert_header("course,eligible,responses,response_rate,applied_rate");
    im.assert_keys("course", &["Course A", "Course B", "Course C", "Course D"]);
    im.assert_row(&[("course", "Course A")], &[I(5), I(3), F(0.6), F(0.5)]);
    im.assert_row(&[("course", "Course B")], &[I(0), I(0), Empty, Empty]);
    im.assert_row(&[("course", "Course C")], &[I(2), I(1), F(0.5), F(1.0)]);
    im.assert_row(
        &[("course", "Course D")],
        &[I(10), I(3), F(0.3), F(2.0 / 3.0)],
    );
    let io = read_csv(&t.join("impact_overall.csv"));
    io.assert_row(
        &[("period", "2024-25")],
        &[I(17), I(7), F(7.0 / 17.0), F(4.0 / 6.0), I(4), I(6)],
    );
    let items = read_csv(&t.join("impact_by_item.csv"));
    items.assert_header("item,responses,mean,pct_agree");
    // 4, 2, 5, 4, 5, 3 (d12 left it blank).
    items.assert_row(
        &[("item", "practice")],
        &[I(6), F(23.0 / 6.0), F(4.0 / 6.0)],
    );

    let r = read_csv(&t.join("reaction_by_course.csv"));
    r.assert_row(&[("course", "Course A")], &[I(5), F(3.8), F(0.6), Empty]);
    r.assert_row(&[("course", "Course B")], &[I(1), F(4.0), F(1.0), Empty]);
    r.assert_row(&[("course", "Course D")], &[I(0), Empty, Empty, Empty]);

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
    f.assert_row(&[("stage", "registrations")], &[I(25), Empty, Empty]);
    f.assert_row(
        &[("stage", "trained")],
        &[I(19), T("registrations"), F(19.0 / 25.0)],
    );
    // Evaluated: 6 forms on S1-S5 with a post score (S3 d2 included), and S6's ten.
    f.assert_row(
        &[("stage", "evaluated")],
        &[I(17), T("trained"), F(17.0 / 19.0)],
    );
    f.assert_row(
        &[("stage", "paired")],
        &[I(16), T("evaluated"), F(16.0 / 17.0)],
    );
    f.assert_row(
        &[("stage", "impact_eligible")],
        &[I(17), T("trained"), F(17.0 / 19.0)],
    );
    f.assert_row(
        &[("stage", "impact_responses")],
        &[I(7), T("impact_eligible"), F(7.0 / 17.0)],
    );
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
        &[I(10), I(7), F(0.7), F(0.9), I(2), T("red")],
    );
    l.assert_row(
        &[("agency", "Northshire NHS Trust"), ("level", "Level 1")],
        &[I(200), I(150), F(0.75), F(0.9), I(30), T("red")],
    );
    l.assert_row(
        &[("agency", "Northshire Police"), ("level", "Level 1")],
        &[I(100), I(95), F(0.95), F(0.9), I(0), T("green")],
    );
    // "level 3" = 0.7 in hub.toml. ceil(0.7 * 10) is 7, not 8; 0.6 is exactly
    // 10 points under target: amber, not red.
    l.assert_row(
        &[("agency", "Northshire Police"), ("level", "Level 3")],
        &[I(10), I(6), F(0.6), F(0.7), I(1), T("amber")],
    );
    l.assert_row(
        &[("agency", "Youth Service"), ("level", "Level 1")],
        &[I(40), I(38), F(0.95), F(0.9), I(0), T("green")],
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
    a.assert_row(
        &[("agency", "Family Action")],
        &[
            Empty,
            Empty,
            Empty,
            Empty,
            T("missing"),
            I(0),
            Empty,
            Empty,
            T("no_return"),
        ],
    );
    a.assert_row(
        &[("agency", "Hilltop School")],
        &[
            I(10),
            I(7),
            F(0.7),
            I(2),
            T("red"),
            I(6),
            F(60.0),
            F((6.0 / 18.0) / (10.0 / 360.0)),
            T("red"),
        ],
    );
    a.assert_row(
        &[("agency", "Northshire NHS Trust")],
        &[
            I(200),
            I(150),
            F(0.75),
            I(30),
            T("red"),
            I(3),
            F(1.5),
            F((3.0 / 18.0) / (200.0 / 360.0)),
            T("red"),
        ],
    );
    a.assert_row(
        &[("agency", "Northshire Police")],
        &[
            I(110),
            I(101),
            F(101.0 / 110.0),
            I(1),
            T("amber"),
            I(9),
            F(900.0 / 110.0),
            F((9.0 / 18.0) / (110.0 / 360.0)),
            T(""),
        ],
    );
    a.assert_row(
        &[("agency", "Youth Service")],
        &[
            I(40),
            I(38),
            F(0.95),
            I(0),
            T("green"),
            I(0),
            F(0.0),
            F(0.0),
            T("no_attendance"),
        ],
    );

    let q = read_csv(&t.join("data_quality.csv"));
    q.assert_header("source,file,rows_read,rows_loaded,rows_rejected,rows_skipped,duplicates_merged,unmatched_agencies,unmatched_links");
    q.assert_row(
        &[("source", "attendance")],
        &[
            T("attendance.csv"),
            I(29),
            I(28),
            I(1),
            I(0),
            I(1),
            I(1),
            I(0),
        ],
    );
    q.assert_row(
        &[("source", "evaluations")],
        &[
            T("evaluations.csv"),
            I(19),
            I(19),
            I(0),
            I(0),
            I(0),
            I(0),
            I(1),
        ],
    );
    q.assert_row(
        &[("source", "impact")],
        &[T("impact.csv"), I(10), I(10), I(0), I(0), I(1), I(0), I(1)],
    );
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
        ("impact_by_course", "course,eligible,responses,response_rate,applied_rate".into()),
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
