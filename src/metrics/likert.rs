//! `likert_shares`: the answers to each evaluation item before and after the
//! course, on every point of the default scale, as shares of the item's
//! paired answers: the diverging bars of the report. Worked out from
//! `likert_answers`; items on their own scales are left out.

use std::collections::BTreeMap;

use crate::config::Config;
use crate::table::{Table, Values};

/// The phases, in the order of the rows.
pub const PHASES: [&str; 2] = ["pre", "post"];

/// The `likert_shares` table from `tables`, the period's tables so far.
pub(super) fn table(tables: &[Table], config: &Config) -> Table {
    let scale = config.default_scale();
    let points = (scale.max - scale.min + 1).max(0) as usize;
    // item -> phase -> answers at each point of the scale.
    let mut items: BTreeMap<String, [Vec<f64>; 2]> = BTreeMap::new();
    if let Some(r) = tables.iter().find(|t| t.name == "likert_answers") {
        for i in 0..r.height() {
            let num = |c: &str| r.get(i, c).as_f64();
            if num("scale_min") != Some(scale.min as f64)
                || num("scale_max") != Some(scale.max as f64)
            {
                continue;
            }
            let (Some(score), Some(n)) = (num("score"), num("answers")) else {
                continue;
            };
            let k = (score - scale.min as f64).round();
            if k < 0.0 || k as usize >= points {
                continue;
            }
            let phase = usize::from(r.get(i, "phase").to_text() == "post");
            let entry = items
                .entry(r.get(i, "item").to_text())
                .or_insert_with(|| [vec![0.0; points], vec![0.0; points]]);
            entry[phase][k as usize] += n;
        }
    }
    let (mut item, mut phase, mut score) = (Vec::new(), Vec::new(), Vec::new());
    let (mut answers, mut paired, mut share) = (Vec::new(), Vec::new(), Vec::new());
    for (name, counts) in &items {
        // Every paired item has an answer before and one after.
        let n: f64 = counts[0].iter().sum();
        for (p, counts) in PHASES.iter().zip(counts) {
            for (k, c) in counts.iter().enumerate() {
                item.push(Some(name.clone()));
                phase.push(Some(p.to_string()));
                score.push(Some(scale.min + k as i64));
                answers.push(Some(c.round() as i64));
                paired.push(Some(n.round() as i64));
                share.push((n > 0.0).then(|| c / n));
            }
        }
    }
    Table::new("likert_shares")
        .with("item", Values::Text(item))
        .with("phase", Values::Text(phase))
        .with("score", Values::Int(score))
        .with("answers", Values::Int(answers))
        .with("paired", Values::Int(paired))
        .with("share", Values::Float(share))
}
