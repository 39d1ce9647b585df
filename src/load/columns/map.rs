//! Finding the header row and matching its headers to canonical columns.

use std::collections::HashMap;

use super::grid::{bare_question, grid_items, header_matches};
use super::mapped::{CONFIG_RANKS, Mapped, alias_lookup, header_score, recognise};
use super::specs::{NAME_HEADERS, specs};
use super::titles::{title_values, unpivot_sessions};
use crate::config::preset;
use crate::config::{SourceConfig, SourceKind};
use crate::error::{Error, Result};
use crate::fold::header_key;
use crate::load::sheet::{Column, RawSheet, quote_list};

/// Finds the header row (config's, or the first of the top 30 rows holding
/// every required column), and matches headers to canonical columns.
pub fn map_headers(
    kind: SourceKind,
    config: &SourceConfig,
    sheet: RawSheet,
    file: &std::path::Path,
) -> Result<Mapped> {
    let sheet_name = sheet.sheet.clone();
    if sheet.height == 0 {
        return Err(Error::input(
            file,
            sheet_name.as_deref(),
            "the sheet is empty: no header row found",
        ));
    }
    let (preset, signature_row) = match config.preset.as_deref() {
        Some("none") => (None, None),
        // Config checked the name, and that the preset reads this source.
        Some(name) => (preset::find(name).map(|p| (p, true)), None),
        None => match recognise(kind, &sheet) {
            Some((p, row)) => (Some((p, false)), Some(row)),
            None => (None, None),
        },
    };
    let layout = preset.map_or(preset::Layout::OneRow, |(p, _)| p.layout);
    let lookup = alias_lookup(kind, config, preset.map(|(p, _)| p));
    let mut provided: Vec<&str> = config.constants.keys().map(String::as_str).collect();
    if config.session_from.is_some() {
        provided.push("session_id");
    }
    let n_required = specs(kind).iter().filter(|s| s.required).count();
    let header = match config.header_row {
        Some(r) => match sheet.raw_row(r) {
            Some(row) => row,
            None => {
                return Err(Error::input(
                    file,
                    sheet_name.as_deref(),
                    format!(
                        "header_row = {r}, but the sheet's data is in rows {} to {}",
                        sheet.first_row,
                        sheet.excel_row(sheet.height - 1)
                    ),
                ));
            }
        },
        None if signature_row.is_some() => signature_row.unwrap_or_default(),
        None => {
            let scan = sheet.height.min(30);
            let scores: Vec<(usize, usize)> = (0..scan)
                .map(|r| header_score(&sheet, r, &lookup, kind, &provided))
                .collect();
            match scores.iter().position(|&(req, _)| req == n_required) {
                Some(r) => r,
                // The best candidate, for a precise error below.
                None => (0..scan)
                    .max_by_key(|&r| (scores[r], std::cmp::Reverse(r)))
                    .unwrap_or(0),
            }
        }
    };
    let header_excel_row = sheet.excel_row(header);
    // Moodle names the course, and a seminar its date, in title rows.
    let titles = preset.map_or(Vec::new(), |(p, _)| title_values(p.titles, &sheet, header));
    let (rows, data) = sheet.split_header(header, layout.rows());
    let (headers, names) = combine_headers(layout, rows);
    let mut notes = Vec::new();
    let (mut headers, mut data, wide) = if layout == preset::Layout::SessionColumns {
        let (headers, data, wide, note) = unpivot_sessions(headers, data).map_err(|m| {
            Error::input(
                file,
                sheet_name.as_deref(),
                format!("{m} (header row {header_excel_row})"),
            )
        })?;
        notes.extend(note);
        (headers, data, Some(wide))
    } else {
        (headers, data, None)
    };
    // The columns made from the session columns are placed below.
    let file_columns = wide.as_ref().map_or(headers.len(), |w| w.date_col);

    let mut cols: HashMap<&'static str, (usize, usize)> = HashMap::new();
    let mut unmatched = Vec::new();
    let mut metadata = Vec::new();
    for (c, h) in headers.iter().enumerate().take(file_columns) {
        let key = header_key(h);
        // Qualtrics: a column's short name (`RecipientEmail`) is matched
        // before its question text.
        // A header config names is matched past a question's number
        // (SmartSurvey's `Q5.`) or label (Moodle Feedback's `(sat)`).
        let found = names
            .get(c)
            .and_then(|n| lookup.get(&header_key(n)))
            .or_else(|| lookup.get(&key))
            .or_else(|| {
                let bare = bare_question(h);
                (bare.len() < h.trim().len())
                    .then(|| lookup.get(&header_key(bare)))
                    .flatten()
                    .filter(|&&(_, rank)| rank < CONFIG_RANKS)
            });
        if key.is_empty() && found.is_none() {
            continue;
        }
        // The tool's own column is its own, whatever a built-in alias would
        // make of it (SmartSurvey's `UserID` is not the delegate).
        let is_metadata = preset.is_some_and(|(p, _)| {
            p.is_metadata(&key) || names.get(c).is_some_and(|n| p.is_metadata(&header_key(n)))
        });
        let found = found.filter(|&&(_, rank)| !(is_metadata && rank >= CONFIG_RANKS));
        match found {
            Some(&(name, rank)) => match cols.get(name) {
                // Two headers answer to one column and config named neither:
                // taking either would be a guess.
                Some(&(prev, best)) if best >= CONFIG_RANKS && rank >= CONFIG_RANKS => {
                    return Err(Error::input(
                        file,
                        sheet_name.as_deref(),
                        format!(
                            "the columns '{}' and '{h}' (row {header_excel_row}) could both be {kind}'s \
                             '{name}'; say which to use in hub.toml, e.g. [sources.{kind}.columns] {name} = [\"{h}\"]",
                            headers[prev]
                        ),
                    ));
                }
                Some(&(_, best)) if best <= rank => unmatched.push(c),
                Some(&(prev, _)) => {
                    unmatched.push(prev);
                    cols.insert(name, (c, rank));
                }
                None => {
                    cols.insert(name, (c, rank));
                }
            },
            None if kind != SourceKind::Agencies && NAME_HEADERS.contains(&key.as_str()) => {}
            None if is_metadata => metadata.push(c),
            None => unmatched.push(c),
        }
    }
    if let Some(w) = &wide {
        for (name, c) in [("session_date", w.date_col), ("status", w.status_col)] {
            if let Some((prev, _)) = cols.insert(name, (c, 0)) {
                unmatched.push(prev);
            }
        }
    }
    for (name, value, shown) in titles {
        if !cols.contains_key(name) {
            headers.push(format!("{} (the title row '{shown}')", capitalised(name)));
            data.columns.push(Column::Const(value));
            cols.insert(name, (headers.len() - 1, 0));
        }
    }
    // Constants stand in for columns, the file's own if it has one.
    let mut replaced = Vec::new();
    for (name, value) in &config.constants {
        let Some(spec) = specs(kind).iter().find(|s| s.name == name) else {
            continue;
        };
        if let Some((c, _)) = cols.remove(spec.name) {
            replaced.push((c, spec.name));
        }
        data.columns.push(Column::Const(value.clone()));
        headers.push(format!("{name} (constant in hub.toml)"));
        cols.insert(spec.name, (headers.len() - 1, 0));
    }
    // A survey names its session in an answer.
    let mut session_answer = None;
    if let Some(pattern) = &config.session_from
        && !cols.contains_key("session_id")
    {
        match (0..headers.len()).find(|&c| header_matches(pattern, &headers[c])) {
            Some(c) => {
                unmatched.retain(|&u| u != c);
                session_answer = Some(c);
            }
            None => {
                let found: Vec<&str> = headers
                    .iter()
                    .map(String::as_str)
                    .filter(|h| !h.trim().is_empty())
                    .collect();
                return Err(Error::input(
                    file,
                    sheet_name.as_deref(),
                    format!(
                        "session_from '{pattern}' matches no column of header row {header_excel_row}; columns found: {}",
                        quote_list(&found)
                    ),
                ));
            }
        }
    }
    // Without an id, a booking's course and session date name its session.
    let named_by_date = kind == SourceKind::Attendance
        && cols.contains_key("course")
        && cols.contains_key("session_date");
    let missing: Vec<&str> = specs(kind)
        .iter()
        .filter(|s| s.required && !cols.contains_key(s.name))
        .filter(|s| !(s.name == "session_id" && (session_answer.is_some() || named_by_date)))
        .map(|s| s.name)
        .collect();
    if !missing.is_empty() {
        let found: Vec<&str> = headers
            .iter()
            .map(String::as_str)
            .filter(|h| !h.trim().is_empty())
            .collect();
        let found = if found.is_empty() {
            "none".to_string()
        } else {
            quote_list(&found)
        };
        let how = if config.header_row.is_some() {
            format!("in header row {header_excel_row} (set by header_row)")
        } else {
            format!("in the best header candidate, row {header_excel_row}")
        };
        let session_hint = match kind {
            _ if !missing.contains(&"session_id") => "",
            SourceKind::Attendance => {
                ". A file without session ids can name its session by course and session_date \
                 (columns, or constants = { course = \"...\", session_date = \"...\" } for a file of one session)"
            }
            SourceKind::Evaluations | SourceKind::Impact => {
                ". A survey without session ids can name its session in an answer: session_from = \"<the question>\""
            }
            _ => "",
        };
        return Err(Error::input(
            file,
            sheet_name.as_deref(),
            format!(
                "missing required column{} {} {how}; columns found: {found}. Rename the column, or map it in hub.toml under [sources.{kind}.columns]{session_hint}",
                if missing.len() > 1 { "s" } else { "" },
                quote_list(&missing),
            ),
        ));
    }
    let grid = if matches!(kind, SourceKind::Evaluations | SourceKind::Impact) {
        grid_items(
            kind,
            config,
            preset.map(|(p, _)| p),
            &headers,
            &names,
            &unmatched,
        )
        .map_err(|message| Error::input(file, sheet_name.as_deref(), message))?
    } else {
        HashMap::new()
    };
    let column_named = |key: &str| {
        (0..headers.len()).find(|&c| {
            header_key(&headers[c]) == key || names.get(c).is_some_and(|n| header_key(n) == key)
        })
    };
    let not_real = preset
        .and_then(|(p, _)| p.not_real)
        .and_then(|(key, values)| Some((column_named(key)?, values)));
    let finished = preset.and_then(|(p, _)| p.finished).and_then(column_named);
    Ok(Mapped {
        data,
        header_row: header_excel_row,
        headers,
        cols: cols.into_iter().map(|(k, (c, _))| (k, c)).collect(),
        unmatched,
        metadata,
        preset,
        replaced,
        finished,
        not_real,
        session_answer,
        grid,
        wide,
        notes,
    })
}

/// `session_date` → `Session date`.
pub(super) fn capitalised(name: &str) -> String {
    let spaced = name.replace('_', " ");
    let mut chars = spaced.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// One header per column from a layout's header rows, and, for Qualtrics,
/// each column's short name.
pub(super) fn combine_headers(
    layout: preset::Layout,
    mut rows: Vec<Vec<String>>,
) -> (Vec<String>, Vec<String>) {
    match layout {
        preset::Layout::OneRow | preset::Layout::SessionColumns => {
            (rows.swap_remove(0), Vec::new())
        }
        preset::Layout::QuestionOverAnswers => {
            let (questions, answers) = (&rows[0], rows.get(1));
            let mut carried = String::new();
            let headers = questions
                .iter()
                .enumerate()
                .map(|(c, q)| {
                    let q = q.trim();
                    if !q.is_empty() {
                        carried = q.to_string();
                    }
                    let a = answers.and_then(|a| a.get(c)).map_or("", |a| a.trim());
                    // SmartSurvey writes `Answer` under a single choice.
                    let plain = ["", "response", "open-ended response", "answer"];
                    if plain.contains(&a.to_lowercase().as_str()) {
                        if q.is_empty() {
                            carried.clone()
                        } else {
                            q.to_string()
                        }
                    } else if carried.is_empty() {
                        a.to_string()
                    } else {
                        format!("{carried} [{a}]")
                    }
                })
                .collect();
            (headers, Vec::new())
        }
        preset::Layout::NamesLabelsImportIds => {
            let names = rows.remove(0);
            let labels = rows.remove(0);
            let headers = names
                .iter()
                .enumerate()
                .map(|(c, n)| match labels.get(c).map(|l| l.trim()) {
                    Some(l) if !l.is_empty() => l.to_string(),
                    _ => n.clone(),
                })
                .collect();
            (headers, names)
        }
    }
}
