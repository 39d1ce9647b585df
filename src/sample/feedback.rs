//! What delegates said: the evaluation form filled in after a session
//! (each item before and after, satisfaction, relevance, a comment) and the
//! follow-up survey months later (applied the learning, its impact).

use chrono::Duration;

use super::bookings::{Booking, Session};
use super::draw::{Gen, clamp_score};
use super::partnership::{IMPACT_ITEMS, ITEMS, Partnership};
use super::sheet::{Table, V, leak, s};

/// evaluations: drawn for about 70% of those trained.
pub(super) fn evaluations(
    g: &mut Gen,
    p: &Partnership,
    sessions: &[Session],
    bookings: &[Booking],
    scale: u32,
) -> Table {
    // evaluations: pre/post for ~70% of those trained.
    let mut eval_header = vec!["Session ID", "Delegate Email"];
    for item in ITEMS {
        eval_header.push(leak(format!("Pre: {item}")));
        eval_header.push(leak(format!("Post: {item}")));
    }
    eval_header.extend([
        "Overall satisfaction",
        "Relevance to my role",
        "Any other comments",
    ]);
    let mut eval_rows = Vec::new();
    for (i, b) in bookings.iter().enumerate() {
        let course = &p.courses[sessions[b.session].course];
        let fills_form = if b.trained {
            g.chance(0.70)
        } else {
            i % 401 == 5
        };
        if !fills_form {
            continue;
        }
        let mut row = vec![s(&sessions[b.session].id), s(b.delegate.clone())];
        let base = 2.3 + g.normal() * 0.7;
        for _ in ITEMS {
            let pre = clamp_score(base + g.normal() * 0.5);
            let post = clamp_score(pre as f64 + course.gain + g.normal() * 0.8);
            row.push(g.likert(pre, 0.12));
            if g.chance(0.03) {
                row.push(V::Blank);
            } else {
                row.push(g.likert(post, 0.12));
            }
        }
        let sat = clamp_score(4.1 + g.normal() * 0.8);
        row.push(g.likert(sat, 0.1));
        row.push(V::N(clamp_score(4.0 + g.normal() * 0.9) as f64));
        // Now and then a comment, chosen by position (not drawn), so the
        // scores stay as they were.
        row.push(s(
            &p.evaluation_comments[i % 23 % p.evaluation_comments.len()]
        ));
        if eval_rows.len() % 600 == 77 {
            eval_rows.push(row.clone());
        }
        eval_rows.push(row);
    }
    for (k, col, v) in [
        (10usize, 3usize, V::N(6.0)),
        (250, 5, s("7 - Very confident")),
    ] {
        let k = (k * scale as usize) % eval_rows.len().max(1);
        if let Some(row) = eval_rows.get_mut(k) {
            row[col] = v;
        }
    }
    Table {
        preamble: vec![],
        header: eval_header,
        rows: eval_rows,
    }
}

/// impact: the follow-up survey, drawn for about 40% of those trained.
pub(super) fn impact(
    g: &mut Gen,
    p: &Partnership,
    sessions: &[Session],
    bookings: &[Booking],
    scale: u32,
) -> Table {
    // impact: ~40% of those trained, 60-100 days on; UK text dates.
    let mut impact_rows = Vec::new();
    for (i, b) in bookings.iter().enumerate() {
        if !b.trained || !g.chance(0.40) {
            continue;
        }
        let session = &sessions[b.session];
        let responded = session.date + Duration::days(g.range(60, 100) as i64);
        let applied = g.chance(0.72);
        let mut row = vec![
            s(&session.id),
            s(b.delegate.clone()),
            if i % 13 == 0 {
                s("next week")
            } else {
                s(responded.format("%d/%m/%Y").to_string())
            },
            s(*g.pick(if applied {
                &["Yes", "Y", "yes"]
            } else {
                &["No", "N", "no"]
            })),
        ];
        for _ in IMPACT_ITEMS {
            let score = clamp_score(if applied { 4.0 } else { 2.8 } + g.normal() * 0.8);
            row.push(V::N(score as f64));
        }
        row.push(s(g.pick(&p.impact_comments)));
        impact_rows.push(row);
    }
    // The "next week" slip happens once in a while, not every 13th row at scale.
    let mut slips = 0;
    for row in impact_rows.iter_mut() {
        if matches!(&row[2], V::S(t) if t == "next week") {
            slips += 1;
            if slips > 2 * scale as usize {
                row[2] = s(row[2].text().replace("next week", ""));
            }
        }
    }
    let mut impact_header = vec![
        "session_id",
        "delegate_id",
        "responded_at",
        "Have you applied the learning?",
    ];
    for item in IMPACT_ITEMS {
        impact_header.push(leak(format!("Impact: {item}")));
    }
    impact_header.push("Comments");
    Table {
        preamble: vec![],
        header: impact_header,
        rows: impact_rows,
    }
}
