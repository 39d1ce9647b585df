//! The pages of `hubreport sessions`: one summary per session for its
//! facilitators, an index page per facilitator, an index of them all and a
//! CSV of the same, as files (path, bytes) for the caller to publish.
//!
//! Disclosure control is the reports': counts of 1 to `threshold - 1` show
//! as `<threshold`, and a session with fewer evaluation forms than the
//! threshold shows its counts only (no means, items or comments).

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use chrono::NaiveDate;
use serde::Serialize;

use super::format;
use super::html::Pages;
use crate::config::Config;
use crate::error::Result;
use crate::metrics::sessions::SessionTables;
use crate::table::{Table, Value, Values};

/// The heading of the sessions that name no facilitator.
const NO_FACILITATOR: &str = "No facilitator recorded";

/// One item of a session: its forms, before, after and change, shown.
#[derive(Debug, Serialize)]
struct ItemRow {
    item: String,
    forms: String,
    pre: String,
    post: String,
    change: String,
}

/// A link to a page of the folder.
#[derive(Debug, Clone, Serialize)]
struct Link {
    name: String,
    file: String,
}

/// One session's figures, shown (the same on its page and in the lists).
#[derive(Debug, Clone, Serialize)]
struct SessionRow {
    file: String,
    course: String,
    date: String,
    mode: String,
    facilitators: Vec<Link>,
    places: String,
    booked: String,
    attended: String,
    walk_ins: String,
    no_shows: String,
    forms: String,
    /// Whether enough forms came back to show means.
    enough: bool,
    satisfaction: String,
    relevance: String,
    mean_change: String,
}

#[derive(Debug, Serialize)]
struct SessionPage {
    title: String,
    partnership: String,
    period: String,
    as_of: String,
    threshold: u32,
    session: SessionRow,
    items: Vec<ItemRow>,
    show_comments: bool,
    comments: Vec<String>,
}

#[derive(Debug, Serialize)]
struct FacilitatorPage {
    title: String,
    partnership: String,
    period: String,
    as_of: String,
    threshold: u32,
    facilitator: String,
    sessions: Vec<SessionRow>,
}

#[derive(Debug, Serialize)]
struct IndexPage {
    title: String,
    partnership: String,
    period: String,
    as_of: String,
    threshold: u32,
    after_days: i64,
    facilitators: Vec<(Link, usize)>,
    sessions: Vec<SessionRow>,
}

/// The facilitators a session names: `;`-separated, trimmed, in order.
pub fn facilitators(text: Option<&str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for name in text.unwrap_or_default().split(';').map(str::trim) {
        if !name.is_empty() && !out.iter().any(|n| n == name) {
            out.push(name.to_string());
        }
    }
    out
}

/// File names for `names`, unique: `prefix-<slug>.html`, numbered where two
/// names make the same slug.
fn file_names(prefix: &str, names: &[String]) -> Vec<String> {
    let mut used = BTreeSet::new();
    names
        .iter()
        .map(|name| {
            let mut base = super::slug(name);
            if base.is_empty() {
                base = prefix.to_string();
            }
            let mut file = format!("{prefix}-{base}.html");
            let mut n = 2;
            while !used.insert(file.clone()) {
                file = format!("{prefix}-{base}-{n}.html");
                n += 1;
            }
            file
        })
        .collect()
}

fn text(v: Value<'_>) -> String {
    match v {
        Value::Text(s) => crate::mask::free_text(s).into_owned(),
        Value::Empty => String::new(),
        other => other.to_text(),
    }
}

fn long_date(d: NaiveDate) -> String {
    d.format("%A %-d %B %Y").to_string()
}

/// Every page and the CSV of the sessions in `tables`.
pub fn files(
    tables: &SessionTables,
    pages: &Pages,
    config: &Config,
    as_of: NaiveDate,
    after_days: i64,
) -> Result<Vec<(PathBuf, Vec<u8>)>> {
    let t = config.disclosure_threshold;
    let s = &tables.summaries;
    let ids: Vec<String> = (0..s.height())
        .map(|i| text(s.get(i, "session_id")))
        .collect();
    let session_files = file_names("session", &ids);
    let names_of: Vec<Vec<String>> = (0..s.height())
        .map(|i| match s.get(i, "facilitator") {
            Value::Text(f) => facilitators(Some(f)),
            _ => Vec::new(),
        })
        .collect();
    // Facilitators in name order, with the sessions of none last.
    let mut by_name: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    let mut unnamed = Vec::new();
    for (i, names) in names_of.iter().enumerate() {
        if names.is_empty() {
            unnamed.push(i);
        }
        for n in names {
            by_name.entry(n.clone()).or_default().push(i);
        }
    }
    let mut groups: Vec<(String, Vec<usize>)> = by_name.into_iter().collect();
    if !unnamed.is_empty() {
        groups.push((NO_FACILITATOR.to_string(), unnamed));
    }
    let group_names: Vec<String> = groups.iter().map(|(n, _)| n.clone()).collect();
    let group_files = file_names("facilitator", &group_names);
    let file_of = |name: &str| {
        group_names
            .iter()
            .position(|n| n == name)
            .map(|g| group_files[g].clone())
            .unwrap_or_default()
    };

    let num = |i: usize, col: &str| s.get(i, col).as_f64();
    let rows: Vec<SessionRow> = (0..s.height())
        .map(|i| {
            let forms = num(i, "forms");
            let enough = !format::too_few(forms, t);
            let mean = |col: &str| {
                if enough {
                    format::mean(num(i, col), forms, 2, t)
                } else {
                    format::DASH.into()
                }
            };
            let links = if names_of[i].is_empty() {
                vec![Link {
                    name: NO_FACILITATOR.into(),
                    file: file_of(NO_FACILITATOR),
                }]
            } else {
                names_of[i]
                    .iter()
                    .map(|n| Link {
                        name: n.clone(),
                        file: file_of(n),
                    })
                    .collect()
            };
            SessionRow {
                file: session_files[i].clone(),
                course: text(s.get(i, "course")),
                date: match s.get(i, "session_date") {
                    Value::Date(d) => long_date(d),
                    other => text(other),
                },
                mode: text(s.get(i, "mode")),
                facilitators: links,
                places: num(i, "places")
                    .map_or(format::DASH.into(), |p| format::thousands(p as i64)),
                booked: format::count(num(i, "booked"), t),
                attended: format::count(num(i, "attended"), t),
                walk_ins: format::count(num(i, "walk_ins"), t),
                no_shows: format::count(num(i, "no_shows"), t),
                forms: format::count(forms, t),
                enough,
                satisfaction: mean("satisfaction_mean"),
                relevance: mean("relevance_mean"),
                mean_change: if enough {
                    format::signed(num(i, "mean_change"), 2)
                } else {
                    format::DASH.into()
                },
            }
        })
        .collect();

    let as_of_text = as_of.format("%-d %B %Y").to_string();
    let mut out: Vec<(PathBuf, Vec<u8>)> = Vec::new();
    let items = &tables.items;
    let comments = &tables.comments;
    // Each session's rows of the items and comments tables, found once.
    let rows_of = |t: &Table| {
        let mut by: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for k in 0..t.height() {
            by.entry(text(t.get(k, "session_id"))).or_default().push(k);
        }
        by
    };
    let (items_of, comments_of) = (rows_of(items), rows_of(comments));
    let none = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let id = &ids[i];
        let item_rows: Vec<ItemRow> = if row.enough {
            items_of
                .get(id)
                .unwrap_or(&none)
                .iter()
                .map(|&k| {
                    let n = items.get(k, "forms").as_f64();
                    ItemRow {
                        item: super::html::label(&text(items.get(k, "item"))),
                        forms: format::count(n, t),
                        pre: format::mean(items.get(k, "pre_mean").as_f64(), n, 2, t),
                        post: format::mean(items.get(k, "post_mean").as_f64(), n, 2, t),
                        change: if format::too_few(n, t) {
                            format::DASH.into()
                        } else {
                            format::signed(items.get(k, "change").as_f64(), 2)
                        },
                    }
                })
                .collect()
        } else {
            Vec::new()
        };
        let session_comments: Vec<String> = if row.enough && config.show_comments {
            comments_of
                .get(id)
                .unwrap_or(&none)
                .iter()
                .map(|&k| text(comments.get(k, "comment")))
                .collect()
        } else {
            Vec::new()
        };
        let page = SessionPage {
            title: format!("Session summary: {}, {}", row.course, row.date),
            partnership: config.partnership.clone(),
            period: row.date.clone(),
            as_of: as_of_text.clone(),
            threshold: t,
            session: row.clone(),
            items: item_rows,
            show_comments: config.show_comments,
            comments: session_comments,
        };
        out.push((
            PathBuf::from(&row.file),
            pages.render("session-summary.html", &page)?.into_bytes(),
        ));
    }
    for ((name, members), file) in groups.iter().zip(&group_files) {
        let page = FacilitatorPage {
            title: format!("Sessions of {name}"),
            partnership: config.partnership.clone(),
            period: format!("sessions to {}", long_date(due_by(as_of, after_days))),
            as_of: as_of_text.clone(),
            threshold: t,
            facilitator: name.clone(),
            sessions: members.iter().map(|&i| rows[i].clone()).collect(),
        };
        out.push((
            PathBuf::from(file),
            pages.render("facilitator.html", &page)?.into_bytes(),
        ));
    }
    let index = IndexPage {
        title: "Session summaries".into(),
        partnership: config.partnership.clone(),
        period: format!("sessions to {}", long_date(due_by(as_of, after_days))),
        as_of: as_of_text,
        threshold: t,
        after_days,
        facilitators: groups
            .iter()
            .zip(&group_files)
            .map(|((name, members), file)| {
                (
                    Link {
                        name: name.clone(),
                        file: file.clone(),
                    },
                    members.len(),
                )
            })
            .collect(),
        sessions: rows,
    };
    out.push((
        PathBuf::from("index.html"),
        pages.render("sessions-index.html", &index)?.into_bytes(),
    ));
    out.push((
        PathBuf::from("facilitators.csv"),
        super::csv(&facilitator_table(s, &names_of)),
    ));
    Ok(out)
}

/// The last session date due a summary on `as_of`.
pub fn due_by(as_of: NaiveDate, after_days: i64) -> NaiveDate {
    as_of - chrono::Duration::days(after_days)
}

/// One row per facilitator and session (a session of several appears under
/// each; one of none, once with an empty facilitator), unsuppressed.
fn facilitator_table(s: &Table, names_of: &[Vec<String>]) -> Table {
    let mut order: Vec<(String, usize)> = Vec::new();
    for (i, names) in names_of.iter().enumerate() {
        if names.is_empty() {
            order.push((String::new(), i));
        }
        for n in names {
            order.push((n.clone(), i));
        }
    }
    order.sort_by(|a, b| (a.0.is_empty(), &a.0, a.1).cmp(&(b.0.is_empty(), &b.0, b.1)));
    let texts = |col: &str| {
        Values::Text(
            order
                .iter()
                .map(|&(_, i)| match s.get(i, col) {
                    Value::Empty => None,
                    v => Some(v.to_text()),
                })
                .collect(),
        )
    };
    let ints = |col: &str| {
        Values::Int(
            order
                .iter()
                .map(|&(_, i)| s.get(i, col).as_f64().map(|x| x as i64))
                .collect(),
        )
    };
    let floats =
        |col: &str| Values::Float(order.iter().map(|&(_, i)| s.get(i, col).as_f64()).collect());
    Table::new("facilitators")
        .with(
            "facilitator",
            Values::Text(
                order
                    .iter()
                    .map(|(n, _)| (!n.is_empty()).then(|| n.clone()))
                    .collect(),
            ),
        )
        .with("session_id", texts("session_id"))
        .with("course", texts("course"))
        .with("session_date", texts("session_date"))
        .with("mode", texts("mode"))
        .with("places", ints("places"))
        .with("booked", ints("booked"))
        .with("attended", ints("attended"))
        .with("walk_ins", ints("walk_ins"))
        .with("no_shows", ints("no_shows"))
        .with("forms", ints("forms"))
        .with("satisfaction_mean", floats("satisfaction_mean"))
        .with("relevance_mean", floats("relevance_mean"))
        .with("mean_change", floats("mean_change"))
}
