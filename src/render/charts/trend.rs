//! A line over the periods, with gaps where a point is withheld.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::canvas::{Chart, INK, Point, Shade, WIDTH, draw_error, finish, text_style};
use crate::error::Result;

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
