//! The impact source: one staged follow-up response per row, with its
//! `impact_` item scores.

use std::sync::Arc;

use super::context::{Context, delegates, mask_personal, scale_bounds, session_ids};
use super::staged::StagedResponse;
use crate::load::columns::RowParser;
use crate::load::value;

pub fn responses(ctx: &Context<'_>, p: &mut RowParser<'_>) -> Vec<StagedResponse> {
    let session_id = session_ids(ctx, p);
    let delegate = delegates(ctx, p);
    let responded_at = p.column("responded_at", false, ctx.date());
    let applied = p.column("applied_learning", false, value::yes_no);
    let comment = p.column("comment", false, |c| {
        Ok(value::text(c)?.map(|t| mask_personal(&t)))
    });
    let mut items = Vec::new();
    for &c in &p.mapped.unmatched.clone() {
        if let Some(item) = p.mapped.item(c, "impact") {
            let scale = ctx.config.scale_for(&item).1.clone();
            let scores = p.column_at(c, false, |cell| value::likert(cell, &scale));
            items.push((Arc::<str>::from(item), scale_bounds(&scale), scores));
        }
    }
    let mut out = Vec::with_capacity(p.height());
    for r in 0..p.height() {
        if !p.keep(r) {
            continue;
        }
        let (Some(s), Some(d)) = (session_id[r].clone(), delegate[r].clone()) else {
            continue;
        };
        out.push(StagedResponse {
            origin: ctx.origin(p, r),
            session_id: s,
            delegate: d,
            responded_at: responded_at[r],
            applied_learning: applied[r],
            comment: comment[r].clone(),
            scores: items
                .iter()
                .filter_map(|(item, bounds, scores)| scores[r].map(|s| (item.clone(), s, *bounds)))
                .collect(),
        });
    }
    out
}
