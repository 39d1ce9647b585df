//! The evaluations source: one staged form per delegate and session, its
//! pre/post scores read from wide `pre_`/`post_` columns or long item rows.

use std::collections::HashMap;
use std::sync::Arc;

use super::context::{Context, delegates, mask_personal, scale_bounds, session_ids};
use super::staged::StagedForm;
use crate::fold::fold;
use crate::load::columns::RowParser;
use crate::load::value;

pub fn forms(ctx: &Context<'_>, p: &mut RowParser<'_>) -> Vec<StagedForm> {
    let session_id = session_ids(ctx, p);
    let delegate = delegates(ctx, p);
    let reaction_scale = ctx.config.scale_for("satisfaction").1.clone();
    let satisfaction = p.column("satisfaction", false, |c| value::likert(c, &reaction_scale));
    let relevance_scale = ctx.config.scale_for("relevance").1.clone();
    let relevance = p.column("relevance", false, |c| value::likert(c, &relevance_scale));
    let comment = p.column("comment", false, |c| {
        Ok(value::text(c)?.map(|t| mask_personal(&t)))
    });
    let long = p.mapped.has("item") && p.mapped.has("score");

    // Wide: pre_<item> / post_<item> columns.
    let mut items: Vec<(Arc<str>, Option<usize>, Option<usize>)> = Vec::new();
    if !long {
        for &c in &p.mapped.unmatched.clone() {
            for (prefix, is_pre) in [("pre", true), ("post", false)] {
                if let Some(item) = p.mapped.item(c, prefix) {
                    let slot = match items.iter().position(|(i, _, _)| **i == *item) {
                        Some(i) => i,
                        None => {
                            items.push((item.into(), None, None));
                            items.len() - 1
                        }
                    };
                    if is_pre {
                        items[slot].1.get_or_insert(c);
                    } else {
                        items[slot].2.get_or_insert(c);
                    }
                }
            }
        }
    }
    let mut item_scores = Vec::new();
    for (item, pre, post) in &items {
        let scale = ctx.config.scale_for(item).1.clone();
        let parse = |col: Option<usize>, p: &mut RowParser<'_>| match col {
            Some(c) => p.column_at(c, false, |cell| value::likert(cell, &scale)),
            None => vec![None; p.height()],
        };
        let pre_scores = parse(*pre, p);
        let post_scores = parse(*post, p);
        item_scores.push((item.clone(), scale_bounds(&scale), pre_scores, post_scores));
    }
    // Long: one row a score.
    let (long_item, long_phase, long_score) = if long {
        let item = p.column("item", true, |c| {
            Ok(value::text(c)?.map(|t| Arc::<str>::from(fold(&t).replace(' ', "_"))))
        });
        let phase = p.column("phase", true, |c| match value::text(c)? {
            None => Ok(None),
            Some(t) => match fold(&t).as_str() {
                "pre" | "before" | "start" => Ok(Some(true)),
                "post" | "after" | "end" => Ok(Some(false)),
                _ => Err("expected phase 'pre' or 'post'".to_string()),
            },
        });
        let score_col = p.mapped.cols["score"];
        let mut scores = Vec::with_capacity(p.height());
        for r in 0..p.height() {
            let Some(item) = item[r].as_deref() else {
                scores.push(None);
                continue;
            };
            if !p.keep(r) {
                scores.push(None);
                continue;
            }
            let scale = ctx.config.scale_for(item).1;
            let cell = p.mapped.data.cell(score_col, r);
            match value::likert(cell, scale) {
                Ok(v) => scores.push(v.map(|v| (v, scale_bounds(scale)))),
                Err(reason) => {
                    let header = p.mapped.headers[score_col].clone();
                    p.reject(r, &header, cell.display(), reason);
                    scores.push(None);
                }
            }
        }
        (item, phase, scores)
    } else {
        (Vec::new(), Vec::new(), Vec::new())
    };

    let mut out: Vec<StagedForm> = Vec::with_capacity(if long { 0 } else { p.height() });
    let mut index: HashMap<(Arc<str>, Arc<str>), usize> = HashMap::new();
    for r in 0..p.height() {
        if !p.keep(r) {
            continue;
        }
        let (Some(s), Some(d)) = (session_id[r].clone(), delegate[r].clone()) else {
            continue;
        };
        if long {
            let (Some(item), Some(is_pre)) = (long_item[r].clone(), long_phase[r]) else {
                continue;
            };
            let slot = *index.entry((s.clone(), d.clone())).or_insert_with(|| {
                out.push(StagedForm {
                    origin: ctx.origin(p, r),
                    session_id: s,
                    delegate: d,
                    satisfaction: None,
                    relevance: None,
                    comment: None,
                    scores: Vec::new(),
                });
                out.len() - 1
            });
            let form = &mut out[slot];
            form.satisfaction = form.satisfaction.or(satisfaction[r]);
            form.relevance = form.relevance.or(relevance[r]);
            if form.comment.is_none() {
                form.comment = comment[r].clone();
            }
            if let Some((score, bounds)) = long_score[r] {
                let entry = match form.scores.iter().position(|(i, ..)| **i == *item) {
                    Some(i) => &mut form.scores[i],
                    None => {
                        form.scores.push((item, None, None, bounds));
                        form.scores.last_mut().expect("just pushed")
                    }
                };
                let target = if is_pre { &mut entry.1 } else { &mut entry.2 };
                target.get_or_insert(score);
            }
        } else {
            let scores = item_scores
                .iter()
                .filter(|&(_item, _bounds, pre, post)| pre[r].is_some() || post[r].is_some())
                .map(|(item, bounds, pre, post)| (item.clone(), pre[r], post[r], *bounds))
                .collect();
            out.push(StagedForm {
                origin: ctx.origin(p, r),
                session_id: s,
                delegate: d,
                satisfaction: satisfaction[r],
                relevance: relevance[r],
                comment: comment[r].clone(),
                scores,
            });
        }
    }
    out
}
