//! The rendered reports: structure, safety, disclosure control and
//! accessibility basics, on the hand-checked fixture with hostile names added,
//! plus snapshots of the rendered pages with their charts.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/metrics")
}

const HOSTILE_AGENCY: &str = "<script>alert(1)</script> & Sons";
const HOSTILE_COURSE: &str = "Course <img src=x onerror=alert(2)>";

/// The metrics fixture, with a booking from an agency and a session of a
/// course whose names are markup, and a sub-group; reported for 2024-25 and
/// its quarters.
fn render() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    for e in std::fs::read_dir(fixture().join("data")).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), data.join(e.file_name())).unwrap();
    }
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
        dir.path().join("hub.toml"),
        "data_dir = 'data'\npartnership = 'Northshire <Test> Partnership'\n\
         [coverage]\ntargets_by_level = { \"level 3\" = 0.7 }\n\
         [[subgroups]]\nname = 'Course A only'\ncourses = ['Course A']\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    report(dir.path(), "all").code(1);
    (dir, out)
}

/// `report` with `dir/hub.toml`, as of 1 January 2026, into `dir/out`.
fn report(dir: &Path, period: &str) -> assert_cmd::assert::Assert {
    Command::cargo_bin("hubreport")
        .unwrap()
        .env_remove("HUBREPORT_KEY")
        .arg("report")
        .arg("--config")
        .arg(dir.join("hub.toml"))
        .args(["--as-of", "2026-01-01", "--period", period, "--out"])
        .arg(dir.join("out"))
        .assert()
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
    let (_dir, out) = render();
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
    let (_dir, out) = render();
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
    let (_dir, out) = render();
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

/// No count of 1 to 4 shows anywhere a reader looks, outside the data-quality
/// appendix (which counts rows of files, not people).
#[test]
fn no_suppressed_count_is_visible() {
    let (_dir, out) = render();
    for (name, html) in pages(&out) {
        let body = html.split("id=\"quality\"").next().unwrap();
        for cell in body.split("<td class=\"num\">").skip(1) {
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

/// Snapshots of whole pages: a change to the templates or charts shows as a
/// reviewable diff (`cargo insta review`).
#[test]
fn annual_report_and_pack_snapshots() {
    let (_dir, out) = render();
    let annual = std::fs::read_to_string(out.join("2024-25/annual-report.html")).unwrap();
    insta::assert_snapshot!("annual_report_2024_25", annual);
    let pack = std::fs::read_to_string(out.join("2024-25-Q3/quarterly-pack.html")).unwrap();
    insta::assert_snapshot!("quarterly_pack_2024_25_q3", pack);
}

/// What the fixture's annual report lists under "needs attention".
#[test]
fn needs_attention_lists_what_crossed_a_threshold() {
    let (_dir, out) = render();
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
            "high non-attendance</span>Course A: 30% did not attend (&lt;5 of 10 registrations)",
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
    let err = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
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
