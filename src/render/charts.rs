//! Charts as SVG strings, drawn with plotters' SVG backend (no font files:
//! the reader's browser draws the text).
//!
//! Every chart is laid out by hand from plain numbers, so it is the same
//! bytes for the same data, and every one carries `role="img"`, a `<title>`
//! and a `<desc>`. Colours are the Okabe-Ito palette and a purple-orange
//! diverging scale, safe for colour-blind readers; every bar also carries its
//! value as text, so nothing depends on colour alone, printed in grey or not.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::error::{Error, Result};

const WIDTH: u32 = 760;
const ROW: i32 = 24;
const FONT: &str = "sans-serif";

/// Fill colours. Each has a distinct lightness, so they stay apart in grey.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shade {
    /// Okabe-Ito blue.
    Primary,
    /// Okabe-Ito sky blue, lighter: a comparison series.
    Secondary,
    Red,
    Amber,
    Green,
    /// Grey: no rating.
    Muted,
}

impl Shade {
    fn color(self) -> RGBColor {
        match self {
            Shade::Primary => RGBColor(0x00, 0x72, 0xB2),
            Shade::Secondary => RGBColor(0x56, 0xB4, 0xE9),
            Shade::Red => RGBColor(0xB4, 0x3C, 0x00), // darkened vermillion
            Shade::Amber => RGBColor(0xE6, 0x9F, 0x00),
            Shade::Green => RGBColor(0x00, 0x9E, 0x73),
            Shade::Muted => RGBColor(0xBB, 0xBB, 0xBB),
        }
    }
}

/// A bar: its label, length and the text printed at its end.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub label: String,
    pub value: f64,
    pub text: String,
    /// An interval drawn as an error bar across the bar's end (a 95%
    /// confidence interval).
    pub interval: Option<(f64, f64)>,
    pub shade: Shade,
}

/// Horizontal bars from zero, one per row, with an optional vertical marker
/// (a target, or 1.0 for representation).
#[derive(Debug, Clone, PartialEq)]
pub struct BarChart {
    pub bars: Vec<Bar>,
    /// The value at the right end of the axis.
    pub max: f64,
    pub marker: Option<(f64, String)>,
}

/// One row of a diverging stacked bar: the share of answers at each score,
/// lowest first.
#[derive(Debug, Clone, PartialEq)]
pub struct LikertRow {
    pub label: String,
    pub shares: Vec<f64>,
}

/// One point of a trend line; `None` is a gap.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    pub label: String,
    pub value: Option<f64>,
    pub text: String,
}

/// A chart ready for the page: its SVG and what it says in words.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Chart {
    pub id: String,
    pub title: String,
    pub description: String,
    pub svg: String,
}

fn draw_error<E: std::fmt::Debug>(e: E) -> Error {
    Error::Internal(format!("drawing a chart: {e:?}"))
}

/// Text of `px` CSS pixels (plotters writes its size divided by 1.24).
fn text_style(px: u32, pos: Pos) -> TextStyle<'static> {
    TextStyle::from((FONT, f64::from(px) * 1.24).into_font())
        .color(&INK)
        .pos(pos)
}

const INK: RGBColor = RGBColor(0x22, 0x22, 0x22);
const GRID: RGBColor = RGBColor(0x99, 0x99, 0x99);

/// Shortens a label to `max` characters, ending in an ellipsis.
fn fit(label: &str, max: usize) -> String {
    if label.chars().count() <= max {
        label.to_string()
    } else {
        let mut s: String = label.chars().take(max - 1).collect();
        s.push('…');
        s
    }
}

/// Horizontal bar chart.
pub fn bars(id: &str, title: &str, description: &str, chart: &BarChart) -> Result<Chart> {
    let label_w: i32 = 330;
    let value_w: i32 = 120;
    let top: i32 = if chart.marker.is_some() { 26 } else { 8 };
    let height = (top + ROW * chart.bars.len() as i32 + 28).max(60);
    let x1 = WIDTH as i32 - value_w;
    let max = if chart.max > 0.0 { chart.max } else { 1.0 };
    let x_of =
        |v: f64| label_w + ((x1 - label_w) as f64 * (v / max).clamp(0.0, 1.0)).round() as i32;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height as u32)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_error)?;
        for (i, bar) in chart.bars.iter().enumerate() {
            let y = top + ROW * i as i32;
            let mid = y + ROW / 2;
            root.draw(&Text::new(
                fit(&bar.label, 46),
                (label_w - 8, mid),
                text_style(13, Pos::new(HPos::Right, VPos::Center)),
            ))
            .map_err(draw_error)?;
            let end = x_of(bar.value);
            if end > label_w {
                root.draw(&Rectangle::new(
                    [(label_w, y + 4), (end, y + ROW - 4)],
                    bar.shade.color().filled(),
                ))
                .map_err(draw_error)?;
            }
            // An error bar: a line across the interval, with end caps.
            let mut end = end;
            if let Some((lo, hi)) = bar.interval {
                let (a, b) = (x_of(lo), x_of(hi));
                root.draw(&PathElement::new(
                    vec![(a, mid), (b, mid)],
                    INK.stroke_width(2),
                ))
                .map_err(draw_error)?;
                for x in [a, b] {
                    root.draw(&PathElement::new(
                        vec![(x, mid - 6), (x, mid + 6)],
                        INK.stroke_width(2),
                    ))
                    .map_err(draw_error)?;
                }
                end = end.max(b);
            }
            // The value sits after the bar, or after the marker line if the
            // bar ends short of it, so the two never overlap.
            let marker_x = chart.marker.as_ref().map_or(0, |(at, _)| x_of(*at) + 2);
            let text_x = if (end - marker_x).abs() < 60 {
                end.max(marker_x)
            } else {
                end
            };
            root.draw(&Text::new(
                bar.text.clone(),
                (text_x + 6, mid),
                text_style(13, Pos::new(HPos::Left, VPos::Center)),
            ))
            .map_err(draw_error)?;
        }
        let bottom = top + ROW * chart.bars.len() as i32;
        root.draw(&PathElement::new(
            vec![(label_w, top), (label_w, bottom)],
            INK.stroke_width(1),
        ))
        .map_err(draw_error)?;
        if let Some((at, label)) = &chart.marker {
            let x = x_of(*at);
            root.draw(&PathElement::new(
                vec![(x, top - 6), (x, bottom + 4)],
                INK.stroke_width(2),
            ))
            .map_err(draw_error)?;
            root.draw(&Text::new(
                label.clone(),
                (x, top - 10),
                text_style(12, Pos::new(HPos::Center, VPos::Bottom)),
            ))
            .map_err(draw_error)?;
        }
        root.present().map_err(draw_error)?;
    }
    Ok(finish(id, title, description, svg))
}

/// The diverging scale, lowest score first: dark orange to dark purple
/// through a light grey midpoint.
fn diverging(n: usize) -> Vec<RGBColor> {
    let five = [
        RGBColor(0xB3, 0x58, 0x06),
        RGBColor(0xF1, 0xA3, 0x40),
        RGBColor(0xE0, 0xE0, 0xE0),
        RGBColor(0x99, 0x8E, 0xC3),
        RGBColor(0x54, 0x27, 0x88),
    ];
    if n == 5 {
        return five.to_vec();
    }
    // Other scales: interpolate between the ends through the midpoint.
    (0..n)
        .map(|i| {
            let t = if n > 1 {
                i as f64 / (n - 1) as f64
            } else {
                0.5
            };
            let (a, b, u) = if t < 0.5 {
                (five[0], five[2], t * 2.0)
            } else {
                (five[2], five[4], (t - 0.5) * 2.0)
            };
            let mix = |x: u8, y: u8| (x as f64 + (y as f64 - x as f64) * u).round() as u8;
            RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
        })
        .collect()
}

/// Diverging stacked bars: answers below the midpoint extend left of the
/// centre line, above it right, the midpoint straddles it. `labels` name
/// the scores for the legend, lowest first.
pub fn likert(
    id: &str,
    title: &str,
    description: &str,
    rows: &[LikertRow],
    labels: &[String],
) -> Result<Chart> {
    let label_w: i32 = 250;
    let legend_h: i32 = 24 + 18 * labels.len().div_ceil(3) as i32;
    let height = legend_h + ROW * rows.len() as i32 + 34;
    let x0 = label_w;
    let x1 = WIDTH as i32 - 20;
    let centre = (x0 + x1) / 2;
    let half = (x1 - x0) as f64 / 2.0;
    let colors = diverging(labels.len());
    let mid = labels.len() as f64 / 2.0; // scores below index mid go left
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height as u32)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_error)?;
        for (k, label) in labels.iter().enumerate() {
            let col = (k % 3) as i32;
            let row = (k / 3) as i32;
            let (x, y) = (x0 - 120 + col * 210, 6 + row * 18);
            root.draw(&Rectangle::new(
                [(x, y), (x + 12, y + 12)],
                colors[k].filled(),
            ))
            .map_err(draw_error)?;
            root.draw(&Rectangle::new(
                [(x, y), (x + 12, y + 12)],
                GRID.stroke_width(1),
            ))
            .map_err(draw_error)?;
            root.draw(&Text::new(
                fit(label, 30),
                (x + 17, y + 6),
                text_style(12, Pos::new(HPos::Left, VPos::Center)),
            ))
            .map_err(draw_error)?;
        }
        for (i, row) in rows.iter().enumerate() {
            let y = legend_h + ROW * i as i32;
            root.draw(&Text::new(
                fit(&row.label, 36),
                (label_w - 8, y + ROW / 2),
                text_style(13, Pos::new(HPos::Right, VPos::Center)),
            ))
            .map_err(draw_error)?;
            // Left part: the disagreeing shares and half the midpoint.
            let left: f64 = row
                .shares
                .iter()
                .enumerate()
                .map(|(k, s)| {
                    let k = k as f64 + 0.5;
                    if k < mid {
                        *s
                    } else if k == mid {
                        s / 2.0
                    } else {
                        0.0
                    }
                })
                .sum();
            let mut start = centre as f64 - left * half;
            for (k, share) in row.shares.iter().enumerate() {
                let w = share * half;
                if w > 0.0 {
                    let a = start.round() as i32;
                    let b = (start + w).round() as i32;
                    root.draw(&Rectangle::new(
                        [(a, y + 3), (b.max(a + 1), y + ROW - 3)],
                        colors[k].filled(),
                    ))
                    .map_err(draw_error)?;
                }
                start += w;
            }
        }
        let bottom = legend_h + ROW * rows.len() as i32;
        root.draw(&PathElement::new(
            vec![(centre, legend_h - 4), (centre, bottom + 4)],
            INK.stroke_width(1),
        ))
        .map_err(draw_error)?;
        for (share, anchor) in [(-1.0, HPos::Left), (0.0, HPos::Center), (1.0, HPos::Right)] {
            let x = (centre as f64 + share * half).round() as i32;
            let text = if share == 0.0 { "0" } else { "100%" };
            root.draw(&Text::new(
                text,
                (x, bottom + 16),
                text_style(12, Pos::new(anchor, VPos::Center)),
            ))
            .map_err(draw_error)?;
        }
        root.present().map_err(draw_error)?;
    }
    Ok(finish(id, title, description, svg))
}

/// A line over the periods, each point labelled with its value.
pub fn trend(
    id: &str,
    title: &str,
    description: &str,
    points: &[Point],
    max: f64,
) -> Result<Chart> {
    let height: i32 = 230;
    let (x0, x1, y0, y1) = (60, WIDTH as i32 - 60, 30, height - 40);
    let max = if max > 0.0 { max } else { 1.0 };
    let n = points.len().max(1) as i32;
    let step = if n > 1 { (x1 - x0) / (n - 1) } else { 0 };
    let x_of = |i: usize| {
        if n > 1 {
            x0 + step * i as i32
        } else {
            (x0 + x1) / 2
        }
    };
    let y_of = |v: f64| y1 - ((y1 - y0) as f64 * (v / max).clamp(0.0, 1.0)).round() as i32;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height as u32)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_error)?;
        root.draw(&PathElement::new(
            vec![(x0 - 20, y1), (x1 + 20, y1)],
            INK.stroke_width(1),
        ))
        .map_err(draw_error)?;
        let color = Shade::Primary.color();
        // Consecutive known points are joined; a gap breaks the line.
        let mut run: Vec<(i32, i32)> = Vec::new();
        let mut runs = Vec::new();
        for (i, p) in points.iter().enumerate() {
            match p.value {
                Some(v) => run.push((x_of(i), y_of(v))),
                None => runs.push(std::mem::take(&mut run)),
            }
        }
        runs.push(run);
        for r in runs.into_iter().filter(|r| r.len() > 1) {
            root.draw(&PathElement::new(r, color.stroke_width(3)))
                .map_err(draw_error)?;
        }
        for (i, p) in points.iter().enumerate() {
            let x = x_of(i);
            root.draw(&Text::new(
                p.label.clone(),
                (x, y1 + 18),
                text_style(12, Pos::new(HPos::Center, VPos::Center)),
            ))
            .map_err(draw_error)?;
            if let Some(v) = p.value {
                let y = y_of(v);
                root.draw(&Circle::new((x, y), 5, color.filled()))
                    .map_err(draw_error)?;
                root.draw(&Text::new(
                    p.text.clone(),
                    (x, y - 14),
                    text_style(13, Pos::new(HPos::Center, VPos::Center)),
                ))
                .map_err(draw_error)?;
            } else {
                root.draw(&Text::new(
                    p.text.clone(),
                    (x, y1 - 14),
                    text_style(13, Pos::new(HPos::Center, VPos::Center)),
                ))
                .map_err(draw_error)?;
            }
        }
        root.present().map_err(draw_error)?;
    }
    Ok(finish(id, title, description, svg))
}

/// Makes the SVG scale with the page and adds its role, title and
/// description for screen readers.
fn finish(id: &str, title: &str, description: &str, svg: String) -> Chart {
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    let body = match svg.find('>') {
        Some(end) if svg.starts_with("<svg") => {
            let attrs = &svg[4..end];
            // Keep the viewBox, drop the fixed size: the page sets the width.
            let view_box = attrs
                .split("viewBox=\"")
                .nth(1)
                .and_then(|rest| rest.split('"').next())
                .unwrap_or("0 0 760 300");
            format!(
                "<svg viewBox=\"{view_box}\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" \
                 aria-labelledby=\"{id}-title {id}-desc\" class=\"chart\">\n\
                 <title id=\"{id}-title\">{}</title>\n<desc id=\"{id}-desc\">{}</desc>{}",
                esc(title),
                esc(description),
                &svg[end + 1..]
            )
        }
        _ => svg,
    };
    Chart {
        id: id.to_string(),
        title: title.to_string(),
        description: description.to_string(),
        svg: body,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
                    label: "A very long course name that will not fit in the space for labels"
                        .into(),
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
}
