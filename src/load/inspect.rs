//! What hubreport makes of one export before any config is written: which
//! source it is, the preset recognised, the header, what each column
//! becomes, the first rows as they will be read, and what config must still
//! say. `hubreport inspect` prints it and `hubreport init --from` writes it
//! as hub.toml entries.

use std::path::{Path, PathBuf};

use super::columns::{self, Mapped};
use super::file;
use super::sheet::RawSheet;
use crate::config::{SourceConfig, SourceKind};
use crate::error::Result;
use crate::fold::header_key;
use crate::model::Role;

/// One sheet of one file, inspected.
#[derive(Debug)]
pub struct Inspection {
    pub file: PathBuf,
    pub sheet: Option<String>,
    pub kind: SourceKind,
    /// How the source was decided.
    pub kind_reason: String,
    /// The preset the sheet is read with.
    pub preset: Option<&'static str>,
    /// The Excel row of the (first) header row, once mapped.
    pub header_row: Option<u32>,
    /// Every column and what it becomes.
    pub mapping: Vec<(String, Role)>,
    /// The first data rows as read: (Excel row, [(what, value)]), values
    /// with emails and phone numbers masked.
    pub rows: Vec<(u32, Vec<(String, String)>)>,
    /// Settings for the file's `[[sources.<kind>.files]]` entry that
    /// hubreport could work out: (key, TOML value, comment).
    pub settings: Vec<(&'static str, String, String)>,
    /// What the analyst still has to say, as commented lines of the entry.
    pub todo: Vec<String>,
    /// Why the sheet cannot be read yet, when it cannot.
    pub error: Option<String>,
}

/// Inspects every sheet of `path` (the first `rows` data rows of each); as
/// the `kind` source when given.
pub fn inspect(path: &Path, kind: Option<SourceKind>, rows: usize) -> Result<Vec<Inspection>> {
    let read = file::read_file(path, None)?;
    Ok(read
        .sheets
        .into_iter()
        .filter(|s| s.height > 0)
        .map(|s| inspect_sheet(path, s, kind, rows))
        .collect())
}

fn inspect_sheet(path: &Path, raw: RawSheet, kind: Option<SourceKind>, rows: usize) -> Inspection {
    let stem = path
        .file_stem()
        .map(|s| header_key(&s.to_string_lossy()))
        .unwrap_or_default();
    let (kind, kind_reason) = match kind {
        Some(k) => (k, "as --source says".to_string()),
        None => guess_kind(&stem, &raw),
    };
    let (config, settings, todo) = suggest(kind, &raw);
    let mut out = Inspection {
        file: path.to_path_buf(),
        sheet: raw.sheet.clone(),
        kind,
        kind_reason,
        preset: None,
        header_row: None,
        mapping: Vec::new(),
        rows: Vec::new(),
        settings,
        todo,
        error: None,
    };
    match columns::map_headers(kind, &config, raw, path) {
        Ok(mapped) => {
            out.preset = mapped.preset.map(|(p, _)| p.name);
            out.header_row = Some(mapped.header_row);
            out.mapping = columns::describe(kind, &mapped)
                .into_iter()
                // Placeholders stand in for what config must still say.
                .filter(|(h, _)| !h.ends_with(PLACEHOLDER))
                .collect();
            out.rows = first_rows(kind, &mapped, rows);
            let unused: Vec<String> = out
                .mapping
                .iter()
                .filter(|(_, role)| *role == Role::Unused)
                .map(|(h, _)| toml_string(h))
                .collect();
            if let Some(first) = unused.first() {
                out.todo.push(format!(
                    "not used: {}. Name any hubreport should read, e.g. columns = {{ satisfaction = [{first}] }}",
                    unused.join(", ")
                ));
            }
        }
        Err(e) => out.error = Some(e.to_string()),
    }
    out
}

/// Which source a sheet is: by its file's name, by a tool's headers, or by
/// the first source whose required columns it has.
fn guess_kind(stem: &str, raw: &RawSheet) -> (SourceKind, String) {
    if let Some(k) = SourceKind::ALL
        .into_iter()
        .find(|k| header_key(k.name()) == stem)
    {
        return (k, "by the file's name".into());
    }
    for k in [
        SourceKind::Attendance,
        SourceKind::Evaluations,
        SourceKind::Impact,
    ] {
        if let Some((p, _)) = columns::recognise(k, raw) {
            let note = if p.reads(SourceKind::Impact) && k == SourceKind::Evaluations {
                "; for a follow-up impact survey, say --source impact"
            } else {
                ""
            };
            return (
                k,
                format!("a {} export, recognised from its headers{note}", p.name),
            );
        }
    }
    // By their required columns, in the order sources are listed.
    for k in SourceKind::ALL {
        if columns::map_headers(k, &SourceConfig::default(), raw.clone(), Path::new("")).is_ok() {
            return (k, "its columns are those of this source".into());
        }
    }
    (
        SourceKind::Attendance,
        "not recognised: shown as attendance; say --source KIND".into(),
    )
}

/// The settings to read the sheet with, those worth writing to hub.toml,
/// and what is left for the analyst.
#[allow(clippy::type_complexity)]
fn suggest(
    kind: SourceKind,
    raw: &RawSheet,
) -> (
    SourceConfig,
    Vec<(&'static str, String, String)>,
    Vec<String>,
) {
    let mut config = SourceConfig::default();
    let mut settings = Vec::new();
    let mut todo = Vec::new();
    let attempt = |c: &SourceConfig| columns::map_headers(kind, c, raw.clone(), Path::new(""));
    let first = attempt(&config);
    let has = |name: &str| first.as_ref().is_ok_and(|m: &Mapped| m.has(name));
    match kind {
        SourceKind::Evaluations | SourceKind::Impact if !has("session_id") => {
            match session_question(raw) {
                Some(question) => {
                    settings.push((
                        "session_from",
                        toml_string(&question),
                        "its answers name the session: check it is the right question".into(),
                    ));
                    config.session_from = Some(question);
                }
                None => todo.push(
                    "session_from = \"...\"  # the question whose answers name the session, or \
                     constants = { session_id = \"...\" } for a form about one session"
                        .into(),
                ),
            }
            if !has("course") {
                todo.push(
                    "constants = { course = \"...\" }  # the course the form is about, as the sessions source names it"
                        .into(),
                );
            }
        }
        SourceKind::Attendance
            if first.is_err() && !has("session_id") && !(has("course") && has("session_date")) =>
        {
            // Eventbrite and the like: the file names neither course nor
            // date. Placeholders show the rest of the mapping.
            for name in ["course", "session_date"] {
                if !has(name) {
                    config
                        .constants
                        .insert(name.into(), placeholder(name).into());
                }
            }
            todo.push(
                "constants = { course = \"...\", session_date = \"YYYY-MM-DD HH:MM\" }  # the file names neither"
                    .into(),
            );
        }
        _ => {}
    }
    (config, settings, todo)
}

/// How a constant's column is headed: every constant here is a placeholder.
const PLACEHOLDER: &str = "(constant in hub.toml)";

fn placeholder(name: &str) -> &'static str {
    match name {
        "session_date" => "2000-01-01",
        _ => "(placeholder)",
    }
}

/// A header that asks which session: `Which session did you attend?`.
fn session_question(raw: &RawSheet) -> Option<String> {
    (0..raw.height.min(5)).find_map(|r| {
        (0..raw.width()).find_map(|c| {
            let text = raw.cell(c, r).as_text()?;
            let lower = text.to_lowercase();
            let asks = (lower.contains("session") || lower.contains("date"))
                && (lower.contains("which") || lower.contains("when") || lower.ends_with('?'));
            asks.then(|| {
                let t = text.trim();
                // A grid's `Question [Statement]` names the question.
                t.rsplit_once(" [").map_or(t, |(q, _)| q).to_string()
            })
        })
    })
}

/// `"text"` as a TOML basic string.
pub fn toml_string(text: &str) -> String {
    let mut out = String::from("\"");
    for ch in text.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The first `n` rows that hold data, as the mapping reads them.
fn first_rows(kind: SourceKind, m: &Mapped, n: usize) -> Vec<(u32, Vec<(String, String)>)> {
    let mut wanted: Vec<(String, usize)> = columns::specs(kind)
        .iter()
        .filter_map(|s| m.cols.get(s.name).map(|&c| (s.name.to_string(), c)))
        .filter(|&(_, c)| !m.headers[c].ends_with(PLACEHOLDER))
        .collect();
    if let Some(c) = m.session_answer {
        wanted.push(("session (answer)".into(), c));
    }
    let mut grid: Vec<(&usize, &(&str, String))> = m.grid.iter().collect();
    grid.sort();
    wanted.extend(
        grid.into_iter()
            .map(|(&c, (phase, item))| (format!("{phase} {item}"), c)),
    );
    let data = &m.data;
    (0..data.height)
        .filter(|&r| wanted.iter().any(|&(_, c)| !data.cell(c, r).is_blank()))
        .take(n)
        .map(|r| {
            let values = wanted
                .iter()
                .map(|(what, c)| {
                    let shown = data.cell(*c, r).display();
                    (what.clone(), crate::mask::free_text(&shown).into_owned())
                })
                .collect();
            (data.excel_row(r), values)
        })
        .collect()
}
