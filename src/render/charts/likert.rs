//! Diverging stacked bars of Likert answers, on a colour-blind-safe scale.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::canvas::{Chart, GRID, INK, LikertRow, ROW, WIDTH, draw_error, finish, fit, text_style};
use crate::error::Result;

/// The diverging scale, lowest score first: dark orange to dark purple
/// through a light grey midpoint.
pub(super) fn diverging(n: usize) -> Vec<RGBColor> {
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
