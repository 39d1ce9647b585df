//! The rendered reports: structure, safety, disclosure control and
//! accessibility basics, on the hand-checked fixture with hostile names added,
//! plus snapshots of the rendered pages with their charts.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::common::shared::{self, Shared};
use crate::common::{copy_files, hubreport, metrics_fixture as fixture, stderr_of, tree};

const HOSTILE_AGENCY: &str = "<script>alert(1)</script> & Sons";
const HOSTILE_COURSE: &str = "Course <img src=x onerror=alert(2)>";

/// A copy of the fixture's data in `dir/data/`.
fn fixture_copy(dir: &Path) -> PathBuf {
    let data = dir.join("data");
    std::fs::create_dir(&data).unwrap();
    copy_files(&fixture().join("data"), &data);
    data
}

/// Appends `lines` to the data file `name`.
fn append(data: &Path, name: &str, lines: &str) {
    let mut text = std::fs::read_to_string(data.join(name)).unwrap();
    text.push_str(lines);
    std::fs::write(data.join(name), text).unwrap();
}

/// The metrics fixture, with a booking from an agency and a session of a
/// course whose names are markup, and a sub-group; reported for 2024-25 and
/// its quarters, once for every test that reads it. The output folder.
fn render() -> PathBuf {
    let run = shared::once("report_html: rendered", |dir| {
        render_into(dir).output().unwrap()
    });
    assert_eq!(run.code(), Some(1), "{}", run.stderr());
    run.dir.join("out")
}

/// Writes the data and hub.toml of [`render`] into `dir`; its command.
fn render_into(dir: &Path) -> assert_cmd::Command {
    let data = fixture_copy(dir);
    let mut attendance = std::fs::read_to_string(data.join("attendance.csv")).unwrap();
    attendance.push_str(&format!(
        "S7,h1@x.example,\"{HOSTILE_AGENCY}\",Attended,,,\n"
    ));
    std::fs::write(data.join("attendance.csv"), attendance).unwrap();
    let mut sessions = std::fs::read_to_string(data.join("sessions.csv")).unwrap();
    sessions.push_str(&format!(
        "S7,\"{HOSTILE_COURSE}\",2024-11-05,10,Online,Full day,Level 1,,\n"
    ));
    std::fs::write(data.join("sessions.csv"), sessions).unwrap();
    std::fs::write(
        dir.join("hub.toml"),
        "data_dir = 'data'\npartnership = 'Northshire <Test> Partnership'\n\
         [coverage]\ntargets_by_level = { \"level 3\" = 0.7 }\n\
         [[subgroups]]\nname = 'Course A only'\ncourses = ['Course A']\n",
    )
    .unwrap();
    report_command(dir, "all")
}

/// `report` with `dir/hub.toml`, as of 1 January 2026, into `dir/out`.
fn report(dir: &Path, period: &str) -> assert_cmd::assert::Assert {
    report_command(dir, period).assert()
}

fn report_command(dir: &Path, period: &str) -> assert_cmd::Command {
    let mut cmd = hubreport();
    cmd.arg("report")
        .arg("--config")
        .arg(dir.join("hub.toml"))
        .args(["--as-of", "2026-01-01", "--period", period, "--out"])
        .arg(dir.join("out"));
    cmd
}

fn pages(out: &Path) -> Vec<(String, String)> {
    let mut pages = Vec::new();
    for period in std::fs::read_dir(out).unwrap() {
        let period = period.unwrap().path();
        if !period.is_dir() {
            continue; // the lock file
        }
        for f in std::fs::read_dir(&period).unwrap() {
            let f = f.unwrap().path();
            if f.extension().is_some_and(|e| e == "html") {
                let name = format!(
                    "{}/{}",
                    period.file_name().unwrap().to_string_lossy(),
                    f.file_name().unwrap().to_string_lossy()
                );
                pages.push((name, std::fs::read_to_string(&f).unwrap()));
            }
        }
    }
    pages.sort();
    pages
}

#[test]
fn every_period_has_its_page_and_each_sub_group_a_pack() {
    let out = render();
    let names: Vec<String> = pages(&out).into_iter().map(|(n, _)| n).collect();
    assert_eq!(
        names,
        [
            "2024-25-Q1/quarterly-pack-course-a-only.html",
            "2024-25-Q1/quarterly-pack.html",
            "2024-25-Q2/quarterly-pack-course-a-only.html",
            "2024-25-Q2/quarterly-pack.html",
            "2024-25-Q3/quarterly-pack-course-a-only.html",
            "2024-25-Q3/quarterly-pack.html",
            "2024-25-Q4/quarterly-pack-course-a-only.html",
            "2024-25-Q4/quarterly-pack.html",
            "2024-25/annual-report.html",
            "2025-26-Q1/quarterly-pack-course-a-only.html",
            "2025-26-Q1/quarterly-pack.html",
            "2025-26/annual-report.html",
        ]
    );
}

fn count(haystack: &str, needle: &str) -> usize {
    haystack.matches(needle).count()
}

/// Every `<tag ...>` opening in `html`.
fn tags<'a>(html: &'a str, tag: &str) -> Vec<&'a str> {
    let open = format!("<{tag}");
    html.match_indices(&open)
        .filter(|(i, _)| {
            html[i + open.len()..]
                .chars()
                .next()
                .is_some_and(|c| c == '>' || c.is_whitespace())
        })
        .map(|(i, _)| &html[i..i + html[i..].find('>').unwrap() + 1])
        .collect()
}

#[test]
fn pages_are_self_contained_escaped_and_accessible() {
    let out = render();
    for (name, html) in pages(&out) {
        // One file, no requests.
        for bad in [
            "src=\"http",
            "href=\"http",
            "url(http",
            "@import",
            "<link",
            "<script",
            "<iframe",
            "<img",
        ] {
            assert!(!html.contains(bad), "{name}: contains {bad}");
        }
        // Input text is escaped wherever it appears.
        assert!(!html.contains("<script>alert"), "{name}");
        assert!(!html.contains("onerror=alert(2)>"), "{name}");
        assert!(
            html.contains("Northshire &lt;Test&gt; Partnership"),
            "{name}"
        );
        // Language, one h1, headings in order.
        assert!(
            html.starts_with("<!DOCTYPE html>\n<html lang=\"en-GB\">"),
            "{name}"
        );
        assert_eq!(count(&html, "<h1"), 1, "{name}: one h1");
        let mut last = 1;
        for (i, _) in html.match_indices("<h") {
            let Some(level) = html[i + 2..].chars().next().and_then(|c| c.to_digit(10)) else {
                continue;
            };
            assert!(level <= last + 1, "{name}: h{level} after h{last}");
            last = level;
        }
        // Tables: a caption each; header cells with scope.
        let tables = count(&html, "<table");
        assert!(tables > 0, "{name}");
        assert_eq!(count(&html, "<caption>"), tables, "{name}: captions");
        for th in tags(&html, "th") {
            assert!(
                th.contains("scope=\"col\"") || th.contains("scope=\"row\""),
                "{name}: {th}"
            );
        }
        // Charts: an image role with a title and a description.
        for svg in tags(&html, "svg") {
            assert!(
                svg.contains("role=\"img\"") && svg.contains("aria-labelledby="),
                "{name}: {svg}"
            );
        }
        assert_eq!(
            count(&html, "<svg"),
            count(&html, "<title id="),
            "{name}: chart titles"
        );
        assert_eq!(
            count(&html, "<svg"),
            count(&html, "<desc id="),
            "{name}: chart descriptions"
        );
    }
}

#[test]
fn hostile_names_show_as_text() {
    let out = render();
    let html = std::fs::read_to_string(out.join("2024-25/annual-report.html")).unwrap();
    // minijinja also escapes '/'.
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt; &amp; Sons"),
        "agency name escaped"
    );
    assert!(
        html.contains("Course &lt;img src=x onerror=alert(2)&gt;"),
        "course name escaped"
    );
}

/// No count of 1 to 4 shows anywhere a reader looks: table cells, headline
/// figures, the appendices, chart labels.
#[test]
fn no_suppressed_count_is_visible() {
    let out = render();
    for (name, html) in pages(&out) {
        let body = html.as_str();
        let cells = body
            .split("<td class=\"num\">")
            .skip(1)
            .chain(body.split("<td class=\"num value\">").skip(1));
        for cell in cells {
            let value = &cell[..cell.find("</td>").unwrap()];
            assert!(
                !["1", "2", "3", "4", "£75", "£50"].contains(&value),
                "{name}: a cell shows {value}"
            );
        }
        // Charts print their values as text too.
        for svg in body.split("<svg").skip(1) {
            let svg = &svg[..svg.find("</svg>").unwrap()];
            for text in svg.split("<text").skip(1) {
                let t = &text[text.find('>').unwrap() + 1..text.find("</text>").unwrap()];
                let t = t.trim();
                assert!(
                    !["1", "2", "3", "4"].contains(&t),
                    "{name}: a chart shows {t}"
                );
            }
        }
    }
    // The fixture's small numbers: shown as <5 and –.
    let html = std::fs::read_to_string(out.join("2024-25/annual-report.html")).unwrap();
    assert!(html.contains(
        "<th scope=\"row\">Course C</th><td class=\"num\">&lt;5</td><td class=\"num\">&lt;5</td>"
    ));
    assert!(
        html.contains("Rates or averages over fewer")
            || html.contains("rates or averages over fewer")
    );
}

/// The numbers a headline figure is a share of, from the period's tables:
/// (figure, count, people) for each rate.
fn headline_rates(period: &Path) -> Vec<(&'static str, f64, f64)> {
    let first = |table: &str| -> HashMap<String, f64> {
        let path = period.join(format!("tables/{table}.csv"));
        let mut rows = csv::Reader::from_path(path).unwrap();
        let headers = rows.headers().unwrap().clone();
        let Some(row) = rows.records().next() else {
            return HashMap::new();
        };
        let row = row.unwrap();
        headers
            .iter()
            .zip(row.iter())
            .filter_map(|(h, v)| Some((h.to_string(), v.parse().ok()?)))
            .collect()
    };
    let a = first("attendance_overall");
    let g = first("learning_gain_overall");
    let i = first("impact_overall");
    let get = |t: &HashMap<String, f64>, c: &str| t.get(c).copied().unwrap_or(0.0);
    vec![
        ("Non-attendance", get(&a, "dna"), get(&a, "registrations")),
        (
            "Improved self-rating",
            (get(&g, "pct_improved") * get(&g, "n_paired")).round(),
            get(&g, "n_paired"),
        ),
        (
            "Follow-up response",
            get(&i, "responses"),
            get(&i, "eligible"),
        ),
        (
            "Applied learning",
            get(&i, "applied"),
            get(&i, "answered_applied"),
        ),
    ]
}

/// A headline rate whose count is 1 to 4 shows as `–`, not as a percentage
/// from which the count could be worked back (3 of 40 as 8%).
#[test]
fn headline_rates_of_a_handful_are_withheld() {
    let out = render();
    let mut seen_small = 0;
    for (name, html) in pages(&out) {
        let Some((period, "annual-report.html" | "quarterly-pack.html")) = name.split_once('/')
        else {
            continue; // a sub-group's pack: its figures are not the period's tables
        };
        let period = out.join(period);
        for (label, count, people) in headline_rates(&period) {
            let row = format!("<tr><th scope=\"row\">{label}</th><td class=\"num value\">");
            let Some(at) = html.find(&row) else {
                panic!("{name}: no headline row {label}");
            };
            let cell = &html[at + row.len()..];
            let value = &cell[..cell.find("</td>").unwrap()];
            if count > 0.0 && count < 5.0 {
                seen_small += 1;
                assert_eq!(value, "–", "{name}: {label} is {count} of {people}");
            }
        }
    }
    assert!(seen_small > 0, "the fixture has a small headline count");
}

/// The fixture with what a careless export holds: emails, phone numbers and
/// a name typed as agencies, a delegate's email in a date column, text that
/// a spreadsheet would run as a formula, an answer so long that the reason
/// it is rejected (which quotes it) is longer than an Excel cell holds, and
/// an evaluation item whose name starts with a letter of two bytes.
/// Made once for every test that reads it.
fn hostile_report() -> &'static Shared {
    shared::once("report_html: hostile", |dir| {
        hostile_into(dir).output().unwrap()
    })
}

/// Writes the data and hub.toml of [`hostile_report`] into `dir`; its command.
fn hostile_into(dir: &Path) -> assert_cmd::Command {
    let data = fixture_copy(dir);
    // Under the 32,767 characters an input cell may hold; its rejection
    // reason quotes it and is longer.
    let long = "x".repeat(32_700);
    append(
        &data,
        "attendance.csv",
        "S6,h1@x.example,jo.bloggs@example.org,Attended,,,\n\
             S6,h2@x.example,Ring 0161 496 0000,Attended,,,\n\
             S6,h3@x.example,Jane Smith,Attended,,,\n\
             S6,h4@x.example,\"=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\",Attended,,,\n\
             S6,h5@x.example,\"\t-2+3\",Attended,,,\n\
             S6,h6@x.example,Police,Attended,,jane.doe@example.org,\n\
             S6,h7@x.example,Police,Attended,,=1+1,\n",
    );
    let evaluations = std::fs::read_to_string(data.join("evaluations.csv")).unwrap();
    let widened: String = evaluations
        .lines()
        .enumerate()
        .map(|(i, line)| match i {
            0 => format!("{line},Pre: Émotions,Post: Émotions\n"),
            1 => format!("{line},{long},4\n"),
            _ => format!("{line},3,4\n"),
        })
        .collect();
    std::fs::write(data.join("evaluations.csv"), widened).unwrap();
    std::fs::write(dir.join("hub.toml"), "data_dir = 'data'\n").unwrap();
    report_command(dir, "2024-25")
}

/// Every text cell of every sheet of a workbook.
fn workbook_texts(bytes: &[u8]) -> Vec<String> {
    use calamine::Reader;
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let mut texts = Vec::new();
    for name in book.sheet_names() {
        let formulas = book.worksheet_formula(&name).unwrap();
        assert!(
            formulas.used_cells().all(|(_, _, f)| f.is_empty()),
            "{name}: no cell is a formula"
        );
        for cell in book.worksheet_range(&name).unwrap().used_cells() {
            if let (_, _, calamine::Data::String(s)) = cell {
                texts.push(s.clone());
            }
        }
    }
    texts
}

const PERSONAL: [&str; 4] = [
    "jo.bloggs@example.org",
    "0161 496 0000",
    "jane.doe@example.org",
    "Ring 0161",
];

/// No email or phone number typed into the exports reaches any output:
/// report, CSV, Parquet or workbook; names are in the report only with
/// their count withheld.
#[test]
fn personal_details_never_reach_an_output() {
    let run = hostile_report();
    assert_eq!(run.code(), Some(1), "{}", run.stderr());
    let period = run.dir.join("out/2024-25");
    for (path, bytes) in tree(&period) {
        let texts = if path.ends_with(".xlsx") {
            workbook_texts(&bytes)
        } else {
            vec![String::from_utf8_lossy(&bytes).into_owned()]
        };
        let binary = path.ends_with(".parquet");
        for text in texts {
            for personal in PERSONAL {
                assert!(!text.contains(personal), "{path} holds {personal}");
            }
            assert!(
                binary || !text.chars().any(|c| c.is_control() && c != '\n'),
                "{path} holds a control character"
            );
        }
    }
    let rejected = std::fs::read_to_string(period.join("tables/rejected.csv")).unwrap();
    assert!(rejected.contains(",[email],"), "{rejected}");
    let html = std::fs::read_to_string(period.join("annual-report.html")).unwrap();
    assert!(html.contains("<tr><th scope=\"row\">Jane Smith</th><td class=\"num\">&lt;5</td>"));
    assert!(html.contains("<tr><th scope=\"row\">[email]</th><td class=\"num\">&lt;5</td>"));
}

/// No text cell of a CSV starts as a formula would (`=`, `+`, `-`, `@`, a
/// tab or carriage return): such text gets a leading `'`. Numbers, negative
/// ones included, are left as they are.
#[test]
fn no_csv_cell_is_a_live_formula() {
    let run = hostile_report();
    assert_eq!(run.code(), Some(1), "{}", run.stderr());
    let tables = run.dir.join("out/2024-25/tables");
    let mut neutralised = 0;
    for (path, bytes) in tree(&tables) {
        if !path.ends_with(".csv") {
            continue;
        }
        let mut rows = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(bytes.as_slice());
        for row in rows.records() {
            for cell in row.unwrap().iter() {
                let live = cell
                    .trim_start()
                    .starts_with(['=', '+', '-', '@', '\t', '\r']);
                assert!(
                    !live || cell.parse::<f64>().is_ok(),
                    "{path}: a cell reads as a formula: {cell:?}"
                );
                neutralised += usize::from(cell.starts_with('\''));
            }
        }
    }
    assert!(neutralised >= 3, "{neutralised}");
    let agencies = std::fs::read_to_string(tables.join("attendance_by_agency.csv")).unwrap();
    assert!(agencies.contains("\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\""));
    assert!(
        agencies.contains("'-2+3,"),
        "a trimmed tab does not make it live"
    );
}

/// A table cell longer than Excel allows is cut in the workbook, saying so,
/// and kept whole in the CSV; an item name in any script is drawn.
#[test]
fn long_cells_and_any_script_do_not_stop_the_report() {
    let run = hostile_report();
    assert_eq!(run.code(), Some(1), "{}", run.stderr());
    let period = run.dir.join("out/2024-25");
    let texts = workbook_texts(&std::fs::read(period.join("tables.xlsx")).unwrap());
    let cut = texts
        .iter()
        .find(|t| t.ends_with("[cut to fit Excel: the full text is in the CSV]"))
        .expect("the long reason is cut in the workbook");
    assert!(cut.contains("xxxx"));
    assert!(cut.encode_utf16().count() <= 32_767);
    let rejected = std::fs::read_to_string(period.join("tables/rejected.csv")).unwrap();
    let reason = format!("'{}' is off the 1-5 scale", "x".repeat(32_700));
    assert!(rejected.contains(&reason));
    let html = std::fs::read_to_string(period.join("annual-report.html")).unwrap();
    assert!(html.contains("Émotions: before"));
}

/// An overriding query may read only hubreport's tables: one that reads a
/// file is refused before anything runs, naming its file (exit 3); a
/// built-in query failing on an override's result blames the override.
#[test]
fn query_overrides_read_no_files_and_own_their_failures() {
    let dir = tempfile::tempdir().unwrap();
    let queries = dir.path().join("q");
    std::fs::create_dir(&queries).unwrap();
    let secret = dir.path().join("secret.csv");
    std::fs::write(&secret, "email\njo.bloggs@example.org\n").unwrap();
    std::fs::write(
        dir.path().join("hub.toml"),
        format!(
            "data_dir = '{}'\nqueries_dir = 'q'\n",
            fixture().join("data").display()
        ),
    )
    .unwrap();
    let run = |name: &str, sql: &str| {
        for e in std::fs::read_dir(&queries).unwrap() {
            std::fs::remove_file(e.unwrap().path()).unwrap();
        }
        std::fs::write(queries.join(name), sql).unwrap();
        let assert = report(dir.path(), "2024-25").code(3);
        stderr_of(&assert)
    };
    for sql in [
        format!(
            "SELECT email AS stage, 1 AS count, 'trained' AS of_stage, 1.0 AS share FROM read_csv('{}')",
            secret.display()
        ),
        format!(
            "WITH s AS (SELECT * FROM READ_CSV('{}')) SELECT email AS stage FROM s",
            secret.display()
        ),
    ] {
        let err = run("funnel.sql", &sql);
        assert!(
            err.contains("funnel.sql") && err.to_lowercase().contains("reads a file with read_csv"),
            "{err}"
        );
        assert!(!err.contains("jo.bloggs"), "{err}");
        assert!(!dir.path().join("out/2024-25").exists());
    }
    let err = run("bookings.sql", "SELECT 1 AS x");
    assert!(err.contains("bookings.sql"), "the override is named: {err}");
}

/// A template that loops for ever is stopped, naming it (exit 3).
#[test]
fn a_template_that_never_ends_is_stopped() {
    let dir = tempfile::tempdir().unwrap();
    let templates = dir.path().join("t");
    std::fs::create_dir(&templates).unwrap();
    std::fs::write(
        templates.join("annual-report.html"),
        "{% for i in range(100000) %}{% for j in range(100000) %}.{% endfor %}{% endfor %}",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("hub.toml"),
        format!(
            "data_dir = '{}'\ntemplates_dir = 't'\n",
            fixture().join("data").display()
        ),
    )
    .unwrap();
    let assert = report(dir.path(), "2024-25").code(3);
    let err = stderr_of(&assert);
    assert!(
        err.contains("annual-report.html") && err.contains("a loop that never ends"),
        "{err}"
    );
}

/// Snapshots of whole pages: a change to the templates or charts shows as a
/// reviewable diff (`cargo insta review`).
#[test]
fn annual_report_and_pack_snapshots() {
    let out = render();
    let annual = std::fs::read_to_string(out.join("2024-25/annual-report.html")).unwrap();
    insta::assert_snapshot!("annual_report_2024_25", annual);
    let pack = std::fs::read_to_string(out.join("2024-25-Q3/quarterly-pack.html")).unwrap();
    insta::assert_snapshot!("quarterly_pack_2024_25_q3", pack);
}

/// What the fixture's annual report lists under "needs attention".
#[test]
fn needs_attention_lists_what_crossed_a_threshold() {
    let out = render();
    let html = std::fs::read_to_string(out.join("2024-25/annual-report.html")).unwrap();
    let items: Vec<&str> = html
        .split("<span class=\"tag\">")
        .skip(1)
        .map(|s| &s[..s.find("</li>").unwrap()])
        .collect();
    assert_eq!(
        items,
        [
            "red agencies</span>2 agencies more than 10 points below the training target of 90%: \
             Hilltop School (70%, &lt;5 to train); Northshire NHS Trust (75%, 30 to train)",
            "missing returns</span>No training return for 2024-25: Family Action",
            "no attendance</span>No one trained on multi-agency courses from: Youth Service",
            "high non-attendance</span>Course A: – did not attend (&lt;5 of 10 registrations)",
        ]
    );
}

/// A template in templates_dir replaces the built-in one; a broken one stops
/// the run naming its file and line, and writes nothing.
#[test]
fn templates_can_be_overridden_and_errors_name_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let templates = dir.path().join("t");
    std::fs::create_dir(&templates).unwrap();
    std::fs::write(
        dir.path().join("hub.toml"),
        format!(
            "data_dir = '{}'\ntemplates_dir = 't'\n",
            fixture().join("data").display()
        ),
    )
    .unwrap();
    let run = |template: &str| {
        std::fs::write(templates.join("annual-report.html"), template).unwrap();
        report(dir.path(), "2024-25")
    };
    run("{% extends \"base.html\" %}{% block content %}<p>Registrations: {{ tables.attendance_overall[0].registrations | count }}</p>{% endblock %}")
        .code(1);
    let html = std::fs::read_to_string(dir.path().join("out/2024-25/annual-report.html")).unwrap();
    assert!(html.contains("<p>Registrations: 25</p>"), "{html}");

    let assert =
        run("{% extends \"base.html\" %}{% block content %}\n{{ nope.x }}{% endblock %}").code(3);
    let err = stderr_of(&assert);
    assert!(
        err.contains("in template '") && err.contains("annual-report.html"),
        "{err}"
    );
    assert!(
        err.contains("annual-report.html:2"),
        "names the line: {err}"
    );
    // The earlier report is still there, unchanged.
    assert_eq!(
        std::fs::read_to_string(dir.path().join("out/2024-25/annual-report.html")).unwrap(),
        html
    );
}
