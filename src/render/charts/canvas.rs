//! What every chart shares: its data types, sizes, colours and text, and
//! how a drawn SVG becomes a [`Chart`].

use plotters::prelude::*;
use plotters::style::text_anchor::Pos;

use crate::error::Error;

pub(super) const WIDTH: u32 = 760;
pub(super) const ROW: i32 = 24;
pub(super) const FONT: &str = "sans-serif";

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
    pub(super) fn color(self) -> RGBColor {
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

pub(super) fn draw_error<E: std::fmt::Debug>(e: E) -> Error {
    Error::Internal(format!("drawing a chart: {e:?}"))
}

/// Text of `px` CSS pixels (plotters writes its size divided by 1.24).
pub(super) fn text_style(px: u32, pos: Pos) -> TextStyle<'static> {
    TextStyle::from((FONT, f64::from(px) * 1.24).into_font())
        .color(&INK)
        .pos(pos)
}

pub(super) const INK: RGBColor = RGBColor(0x22, 0x22, 0x22);
pub(super) const GRID: RGBColor = RGBColor(0x99, 0x99, 0x99);

/// Shortens a label to `max` characters, ending in an ellipsis.
pub(super) fn fit(label: &str, max: usize) -> String {
    if label.chars().count() <= max {
        label.to_string()
    } else {
        let mut s: String = label.chars().take(max - 1).collect();
        s.push('…');
        s
    }
}

/// Makes the SVG scale with the page and adds its role, title and
/// description for screen readers.
pub(super) fn finish(id: &str, title: &str, description: &str, svg: String) -> Chart {
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
