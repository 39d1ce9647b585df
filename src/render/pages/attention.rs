//! The "needs attention" list: a line for each kind of the metrics'
//! `attention` table, in its order, saying each agency or course with the
//! figures of its row in the table the rule read.

use serde::Serialize;

use super::rows::Rows;
use crate::config::Config;
use crate::metrics::Metrics;
use crate::metrics::attention::row_of;
use crate::render::format;
use crate::table::Table;

/// One "needs attention" line.
#[derive(Debug, Clone, Serialize)]
pub struct Attention {
    pub kind: String,
    pub text: String,
}

/// The red agencies a line lists, furthest from target first, so that the
/// list fits a pack's first page.
const RED_LISTED: usize = 8;
/// The agencies with most training lapsing that a line lists.
const LAPSING_LISTED: usize = 5;

/// One line per kind of flag in the period's `attention` table.
pub(super) fn lines(m: &Metrics, config: &Config) -> Vec<Attention> {
    let t = config.disclosure_threshold;
    let flags = Rows::of(m, "attention");
    let mut kinds: Vec<(String, Vec<usize>)> = Vec::new();
    for i in 0..flags.len() {
        let kind = flags.text(i, "kind");
        match kinds.last_mut() {
            Some((k, rows)) if *k == kind => rows.push(i),
            _ => kinds.push((kind, vec![i])),
        }
    }
    let empty = Table::new("");
    kinds
        .into_iter()
        .map(|(kind, rows)| {
            // Each flagged row of the table its rule read, as (rows, row).
            let source: Vec<(Rows<'_>, Option<usize>)> = rows
                .iter()
                .map(|&i| {
                    let table = m.table(&flags.text(i, "table")).unwrap_or(&empty);
                    let subject = flags
                        .0
                        .map_or(String::new(), |f| f.get(i, "subject").to_text());
                    (Rows(Some(table)), row_of(table, &subject))
                })
                .collect();
            let each = |say: &dyn Fn(&Rows<'_>, usize) -> String| -> Vec<String> {
                source
                    .iter()
                    .filter_map(|(r, i)| i.map(|i| say(r, i)))
                    .collect()
            };
            let agency = |r: &Rows<'_>, i: usize| r.text(i, "agency");
            let text = match kind.as_str() {
                "red agencies" => {
                    let listed = each(&|r, i| {
                        format!(
                            "{} ({}, {} to train)",
                            r.text(i, "agency"),
                            format::rate(r.num(i, "pct_trained"), r.num(i, "headcount"), t),
                            format::count(r.num(i, "gap"), t)
                        )
                    });
                    let more = match listed.len().saturating_sub(RED_LISTED) {
                        0 => String::new(),
                        n => format!("; and {n} more, in the coverage table"),
                    };
                    format!(
                        "{} agencies more than 10 points below the training target of {}: {}{more}",
                        listed.len(),
                        format::percent(Some(config.coverage.target)),
                        listed[..listed.len().min(RED_LISTED)].join("; ")
                    )
                }
                "missing returns" => format!(
                    "No training return for {}: {}",
                    m.period.year_label(),
                    each(&agency).join(", ")
                ),
                "no attendance" => format!(
                    "No one trained on multi-agency courses from: {}",
                    each(&agency).join(", ")
                ),
                "lapsing training" => {
                    let listed = each(&|r, i| {
                        format!(
                            "{} ({})",
                            r.text(i, "agency"),
                            format::count(r.num(i, "lapsing"), t)
                        )
                    });
                    format!(
                        "Most staff whose training lapses by the end of next quarter: {}",
                        listed[..listed.len().min(LAPSING_LISTED)].join("; ")
                    )
                }
                "high non-attendance" => each(&|r, i| {
                    format!(
                        "{}: {} did not attend ({} of {} registrations)",
                        r.text(i, "course"),
                        format::rate(
                            r.num(i, "non_attendance_rate"),
                            r.num(i, "registrations"),
                            t
                        ),
                        format::count(r.num(i, "dna"), t),
                        format::count(r.num(i, "registrations"), t)
                    )
                })
                .join("; "),
                "low learning gain" => each(&|r, i| {
                    let n = r.num(i, "n_paired");
                    format!(
                        "{}: Hake gain {} (95% interval {} to {}) over {} delegates",
                        r.text(i, "course"),
                        format::mean(r.num(i, "hake_gain"), n, 2, t),
                        format::mean(r.num(i, "hake_ci_low"), n, 2, t),
                        format::mean(r.num(i, "hake_ci_high"), n, 2, t),
                        format::count(n, t)
                    )
                })
                .join("; "),
                "low follow-up response" => each(&|r, i| {
                    let n = r.num(i, "eligible");
                    format!(
                        "{}: {} answered the follow-up survey ({} due)",
                        r.text(i, "course"),
                        format::rate(r.num(i, "response_rate"), n, t),
                        format::count(n, t)
                    )
                })
                .join("; "),
                // A kind a later version adds: its subjects.
                _ => (0..rows.len())
                    .map(|j| flags.text(rows[j], "subject"))
                    .collect::<Vec<_>>()
                    .join("; "),
            };
            Attention { kind, text }
        })
        .collect()
}
