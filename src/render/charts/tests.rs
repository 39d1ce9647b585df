//! Tests of the charts: accessible, scalable, escaped and the same bytes for the same data.

use super::canvas::*;
use super::likert::diverging;
use super::*;
use plotters::prelude::RGBColor;

fn sample_bars() -> BarChart {
    BarChart {
        bars: vec![
            Bar {
                label: "Working <Together> & Co".into(),
                value: 0.12,
                text: "12%".into(),
                interval: None,
                shade: Shade::Primary,
            },
            Bar {
                label: "A very long course name that will not fit in the space for labels".into(),
                value: 0.05,
                text: "5%".into(),
                interval: None,
                shade: Shade::Red,
            },
        ],
        max: 0.2,
        marker: Some((0.1, "target 10%".into())),
    }
}

#[test]
fn charts_are_accessible_scalable_and_escape_text() {
    let c = bars(
        "nonattendance",
        "Title & <more>",
        "Described",
        &sample_bars(),
    )
    .unwrap();
    assert!(
        c.svg.starts_with("<svg viewBox=\"0 0 760 "),
        "{}",
        &c.svg[..80]
    );
    assert!(c.svg.contains("role=\"img\""));
    assert!(
        c.svg
            .contains("aria-labelledby=\"nonattendance-title nonattendance-desc\"")
    );
    assert!(
        c.svg
            .contains("<title id=\"nonattendance-title\">Title &amp; &lt;more&gt;</title>")
    );
    assert!(c.svg.contains("Working &lt;Together&gt; &amp; Co"));
    assert!(!c.svg.contains("<Together>"));
    let long = "A very long course name that will not fit in the space for labels";
    assert!(c.svg.contains(&format!("{}…", &long[..45])));
    let root = c.svg.lines().next().unwrap();
    assert!(
        !root.contains(" width="),
        "fixed size removed from the root: {root}"
    );
}

#[test]
fn the_same_data_draws_the_same_bytes() {
    let a = bars("x", "t", "d", &sample_bars()).unwrap();
    let b = bars("x", "t", "d", &sample_bars()).unwrap();
    assert_eq!(a, b);
}

#[test]
fn likert_bars_split_at_the_midpoint() {
    let labels: Vec<String> = (1..=5).map(|i| i.to_string()).collect();
    let rows = vec![LikertRow {
        label: "Before".into(),
        shares: vec![0.1, 0.2, 0.4, 0.2, 0.1],
    }];
    let c = likert("l", "t", "d", &rows, &labels).unwrap();
    // Symmetric answers: the midpoint's segment is centred on the line.
    let centre = (250 + 740) / 2;
    let half = (740 - 250) as f64 / 2.0;
    let left = (centre as f64 - 0.5 * half).round() as i32;
    assert!(c.svg.contains(&format!("x=\"{left}\"")), "{}", c.svg);
    assert_eq!(diverging(7).len(), 7);
    assert_eq!(diverging(7)[3], RGBColor(0xE0, 0xE0, 0xE0));
}

#[test]
fn trend_breaks_at_gaps() {
    let p = |v: Option<f64>| Point {
        label: "Q".into(),
        value: v,
        text: v.map_or("–".into(), |v| format!("{v}")),
    };
    let c = trend("t", "t", "d", &[p(Some(0.1)), p(None), p(Some(0.2))], 0.3).unwrap();
    let line = "stroke=\"#0072B2\" stroke-width=\"3\"";
    assert!(!c.svg.contains(line), "no line across a gap: {}", c.svg);
    let c = trend("t", "t", "d", &[p(Some(0.1)), p(Some(0.2))], 0.3).unwrap();
    assert!(c.svg.contains(line), "{}", c.svg);
}
