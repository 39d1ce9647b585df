//! What a tool writes above its header or across its columns: title rows
//! naming the course, and one column per session (Moodle Attendance).

use calamine::Data;

use super::mapped::Wide;
use crate::config::preset;
use crate::fold::header_key;
use crate::load::sheet::{Cell, Column, RawSheet};

/// What a tool's title rows above the header (raw row `header`) say:
/// (canonical column, value, the title text it came from).
pub(super) fn title_values(
    titles: preset::Titles,
    sheet: &RawSheet,
    header: usize,
) -> Vec<(&'static str, String, String)> {
    let first = |r: usize| sheet.cell(0, r).as_text();
    match titles {
        preset::Titles::None => Vec::new(),
        // `Course | Safeguarding basics`
        preset::Titles::CourseRow => (0..header)
            .find_map(|r| {
                (header_key(&first(r)?) == "course")
                    .then(|| sheet.cell(1, r).as_text())
                    .flatten()
            })
            .map(|course| vec![("course", course.clone(), course)])
            .unwrap_or_default(),
        // The activity's name, then `5 March 2024, 9:30 AM - 5 March 2024,
        // 4:30 PM` for each of the session's days: the first is its start.
        preset::Titles::ActivityAndDates => {
            let mut out = Vec::new();
            let starts = (1..header).find_map(|r| {
                let text = first(r)?;
                let (start, _) = text.split_once(" - ")?;
                let (date, time) =
                    crate::load::dates::parse_date_time_text(start, crate::config::DateOrder::Uk)?;
                let when = match time {
                    Some(t) => date.and_time(t).format("%Y-%m-%d %H:%M").to_string(),
                    None => date.format("%Y-%m-%d").to_string(),
                };
                Some((when, text))
            });
            if let Some(name) = (header >= 2).then(|| first(0)).flatten() {
                out.push(("course", name.clone(), name));
            }
            if let Some((when, text)) = starts {
                out.push(("session_date", when, text));
            }
            out
        }
    }
}

/// Moodle Attendance's text in a session's cell for a person outside their
/// enrolment on its date: not a booking. `←` repeats the cell before it.
pub(super) fn outside_enrolment(text: &str) -> bool {
    let t = text.trim();
    t.starts_with("User enrolment") || t == "Enrolment suspended" || t == "\u{2190}"
}

/// One row per person and session from a sheet of one column per session:
/// the person's columns, then the session's date and time (from its
/// heading) and the person's cell in that column. A blank cell is a session
/// not held for the person (another group's); a cell outside their
/// enrolment is skipped and counted in the note.
#[allow(clippy::type_complexity)]
pub(super) fn unpivot_sessions(
    headers: Vec<String>,
    data: RawSheet,
) -> std::result::Result<(Vec<String>, RawSheet, Wide, Option<String>), String> {
    let sessions: Vec<(usize, chrono::NaiveDateTime)> = headers
        .iter()
        .enumerate()
        .filter_map(|(c, h)| crate::load::dates::session_heading(h).map(|t| (c, t)))
        .collect();
    if sessions.is_empty() {
        return Err(
            "no session columns: Moodle Attendance heads each session with its date and time, \
                    like '3 Apr 2024 9.30AM All students', and no column of the header row does"
                .into(),
        );
    }
    let is_session = |c: usize| sessions.iter().any(|&(s, _)| s == c);
    // "Include remarks" puts a column with an empty heading after each
    // session's: free text, not read.
    let is_remark = |c: usize| c > 0 && is_session(c - 1) && headers[c].trim().is_empty();
    let ids: Vec<usize> = (0..headers.len())
        .filter(|&c| !is_session(c) && !is_remark(c))
        .collect();
    let width = ids.len() + 2;
    let mut columns: Vec<Vec<Data>> = vec![Vec::new(); width];
    let (mut rows, mut row_session, mut outside) = (Vec::new(), Vec::new(), 0usize);
    for r in 0..data.height {
        for (s, &(c, when)) in sessions.iter().enumerate() {
            let cell = data.cell(c, r);
            if cell.is_blank() {
                continue;
            }
            if let Cell::Text(t) = cell
                && outside_enrolment(t)
            {
                outside += 1;
                continue;
            }
            if (rows.len() + 1).saturating_mul(width) > crate::load::sheet::limits::CELLS {
                return Err(format!(
                    "one row per person and session would take more than {} cells",
                    crate::load::sheet::limits::CELLS
                ));
            }
            for (i, &id) in ids.iter().enumerate() {
                columns[i].push(data.data_at(id, r));
            }
            columns[ids.len()].push(Data::String(when.format("%Y-%m-%d %H:%M").to_string()));
            columns[ids.len() + 1].push(data.data_at(c, r));
            rows.push(data.excel_row(r));
            row_session.push(s as u32);
        }
    }
    let mut out_headers: Vec<String> = ids.iter().map(|&c| headers[c].clone()).collect();
    out_headers.push("Session date (from each session column's heading)".into());
    out_headers.push("Status (each session column's cell)".into());
    let wide = Wide {
        sessions: sessions
            .iter()
            .map(|&(c, when)| (headers[c].trim().to_string(), when))
            .collect(),
        row_session,
        file_order: ids.clone(),
        session_order: sessions.iter().map(|&(c, _)| c).collect(),
        date_col: ids.len(),
        status_col: ids.len() + 1,
    };
    let sheet = RawSheet {
        sheet: data.sheet.clone(),
        is_1904: data.is_1904,
        first_row: rows.first().copied().unwrap_or(data.first_row),
        height: rows.len(),
        row_numbers: Some(rows),
        columns: columns.into_iter().map(Column::Cells).collect(),
        text: String::new(),
    };
    let note = (outside > 0).then(|| {
        format!(
            "{outside} session cell(s) for people outside their enrolment on the day ('User enrolment starts ...', \
             'Enrolment suspended'): not bookings, skipped"
        )
    });
    Ok((out_headers, sheet, wide, note))
}
