//! Horizontal bar charts, with error bars and a marker line.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::canvas::{BarChart, Chart, INK, ROW, WIDTH, draw_error, finish, fit, text_style};
use crate::error::Result;

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
