//! The Likert chart: each evaluation item's answers before and after the
//! course as diverging bars, from the metrics' `likert_shares`; an item with
//! fewer paired answers than the disclosure threshold is left out.

use super::rows::Rows;
use crate::config::Config;
use crate::error::Result;
use crate::metrics::{LIKERT_PHASES, Metrics};
use crate::render::charts::{self, Chart, LikertRow};
use crate::render::format::{self, DASH};
use crate::render::html;

/// One item's rows of `likert_shares`: its paired answers, and for each
/// phase the share and the answers at each point of the scale.
struct Item {
    name: String,
    paired: f64,
    shares: [Vec<f64>; 2],
    answers: [Vec<f64>; 2],
}

pub(super) fn chart(m: &Metrics, config: &Config) -> Result<Option<Chart>> {
    let t = config.disclosure_threshold;
    let r = Rows::of(m, "likert_shares");
    let mut items: Vec<Item> = Vec::new();
    for i in 0..r.len() {
        let name = r.text(i, "item");
        if items.last().is_none_or(|item| item.name != name) {
            items.push(Item {
                name: name.clone(),
                paired: r.num(i, "paired").unwrap_or(0.0),
                shares: [Vec::new(), Vec::new()],
                answers: [Vec::new(), Vec::new()],
            });
        }
        let phase = usize::from(r.text(i, "phase") == LIKERT_PHASES[1]);
        if let Some(item) = items.last_mut() {
            item.shares[phase].push(r.num(i, "share").unwrap_or(0.0));
            item.answers[phase].push(r.num(i, "answers").unwrap_or(0.0));
        }
    }
    let scale = config.default_scale();
    let points = (scale.max - scale.min + 1).max(0) as usize;
    let mut rows = Vec::new();
    let (mut top_pre, mut top_post, mut all_pre, mut all_post) = (0.0, 0.0, 0.0, 0.0);
    for item in &items {
        let n = item.paired;
        if format::too_few(Some(n), t) {
            continue;
        }
        let name = html::capitalised(&item.name.replace('_', " "));
        for (phase, shares) in ["before", "after"].iter().zip(&item.shares) {
            rows.push(LikertRow {
                label: format!("{name}: {phase}"),
                shares: shares.clone(),
            });
        }
        // "Agree" is the top two points of the scale.
        let top = |answers: &[f64]| {
            answers[answers.len().saturating_sub(2)..]
                .iter()
                .sum::<f64>()
        };
        top_pre += top(&item.answers[0]);
        top_post += top(&item.answers[1]);
        all_pre += n;
        all_post += n;
    }
    if rows.is_empty() {
        return Ok(None);
    }
    let labels: Vec<String> = if scale.labels.len() == points {
        scale.labels.clone()
    } else {
        (scale.min..=scale.max).map(|s| s.to_string()).collect()
    };
    let pct = |a: f64, b: f64| {
        if format::rate_withheld(Some(a / b), Some(b), t) {
            DASH.to_string()
        } else {
            format!("{}%", (100.0 * a / b).round() as i64)
        }
    };
    Ok(Some(charts::likert(
        "likert",
        &format!(
            "After training, {} of answers were in the top two points of the scale, against {} before",
            pct(top_post, all_post),
            pct(top_pre, all_pre)
        ),
        "Diverging stacked bars of the answers to each evaluation item before and after the course: lower scores extend left of the centre line, higher scores right.",
        &rows,
        &labels,
    )?))
}
