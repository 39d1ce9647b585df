//! A sheet's headers as matched to canonical columns: what each column
//! became, and the lookups that match a header.

use std::collections::HashMap;

use super::specs::specs;
use crate::config::preset::{self, Preset};
use crate::config::{SourceConfig, SourceKind};
use crate::error::{Error, Result};
use crate::fold::header_key;
use crate::load::sheet::{RawSheet, quote_list};
use crate::model::Role;

/// A sheet's data rows with its headers matched.
pub struct Mapped {
    pub data: RawSheet,
    /// The Excel row of the (first) header row.
    pub header_row: u32,
    pub headers: Vec<String>,
    /// Canonical name → column index.
    pub cols: HashMap<&'static str, usize>,
    /// Columns not matched to a canonical name (item columns among them).
    pub unmatched: Vec<usize>,
    /// The tool's own bookkeeping columns (its preset says which).
    pub metadata: Vec<usize>,
    /// The preset the sheet was read with, and whether config named it.
    pub preset: Option<(&'static Preset, bool)>,
    /// Columns a constant stands in for, and the canonical name.
    pub replaced: Vec<(usize, &'static str)>,
    /// The column saying whether a response was finished (Qualtrics).
    pub finished: Option<usize>,
    /// The column whose values mark previews and tests, and those values.
    pub not_real: Option<(usize, &'static [&'static str])>,
    /// The column whose answers name the session (`session_from`).
    pub session_answer: Option<usize>,
    /// Survey grid columns read as items: column → (`pre`, `post` or
    /// `impact`, item name).
    pub grid: HashMap<usize, (&'static str, String)>,
    /// A sheet of one column per session, read as one row per person and
    /// session (Moodle Attendance).
    pub wide: Option<Wide>,
    /// What the data-quality notes should say of the sheet's layout.
    pub notes: Vec<String>,
}

/// How a sheet of one column per session was turned into rows.
#[derive(Debug)]
pub struct Wide {
    /// Each session column's heading, and when its session starts.
    pub sessions: Vec<(String, chrono::NaiveDateTime)>,
    /// Where each column of the data, and each session column, was in the
    /// file: `check` lists them in the file's order.
    pub file_order: Vec<usize>,
    pub session_order: Vec<usize>,
    /// The session (an index into `sessions`) of each data row.
    pub row_session: Vec<u32>,
    /// The columns made from the session columns: its date, its cell.
    pub date_col: usize,
    pub status_col: usize,
}

impl Mapped {
    /// The item column `c` scores for phase `prefix`: a grid statement, or
    /// a `Pre: <item>`-style header.
    pub fn item(&self, c: usize, prefix: &str) -> Option<String> {
        match self.grid.get(&c) {
            Some((phase, item)) => (*phase == prefix).then(|| item.clone()),
            None => crate::fold::prefixed_item(&self.headers[c], prefix),
        }
    }
}

impl Mapped {
    pub fn has(&self, name: &str) -> bool {
        self.cols.contains_key(name)
    }

    /// The file's header for the value at column `c`, row `r`: for a row
    /// made from a session column, that column's heading.
    pub fn header_at(&self, c: usize, r: usize) -> &str {
        match &self.wide {
            Some(w) if c == w.date_col || c == w.status_col => w
                .row_session
                .get(r)
                .and_then(|&s| w.sessions.get(s as usize))
                .map_or(&self.headers[c], |(h, _)| h),
            _ => &self.headers[c],
        }
    }
}

/// How well a row works as the header: (required found, any found).
/// Columns config gives constants for count as found.
pub(super) fn header_score(
    sheet: &RawSheet,
    row: usize,
    lookup: &HashMap<String, (&'static str, usize)>,
    kind: SourceKind,
    provided: &[&str],
) -> (usize, usize) {
    let mut found: HashMap<&str, ()> = provided.iter().map(|&p| (p, ())).collect();
    for c in 0..sheet.width() {
        if let Some(text) = sheet.cell(c, row).as_text()
            && let Some((name, _)) = lookup.get(&header_key(&text))
        {
            found.insert(name, ());
        }
    }
    let required = specs(kind)
        .iter()
        .filter(|s| s.required && found.contains_key(s.name))
        .count();
    (required, found.len())
}

/// Preference ranks below this are config's aliases; from it on, built-in.
pub(super) const CONFIG_RANKS: usize = 100;

/// Header key → (canonical name, preference rank: lower wins).
pub(super) fn alias_lookup(
    kind: SourceKind,
    config: &SourceConfig,
    preset: Option<&Preset>,
) -> HashMap<String, (&'static str, usize)> {
    let mut lookup = HashMap::new();
    for spec in specs(kind) {
        // Config aliases first: the user's word beats the built-in guesses.
        if let Some(extra) = config.columns.get(spec.name) {
            for (i, alias) in extra.iter().enumerate() {
                lookup.insert(header_key(alias), (spec.name, i.min(CONFIG_RANKS - 1)));
            }
        }
        // Then the tool's own names, which are sure for its files.
        if let Some((_, names)) =
            preset.and_then(|p| p.columns.iter().find(|(n, _)| *n == spec.name))
        {
            for (i, alias) in names.iter().enumerate() {
                lookup
                    .entry(header_key(alias))
                    .or_insert((spec.name, (CONFIG_RANKS / 2 + i).min(CONFIG_RANKS - 1)));
            }
        }
        lookup
            .entry(header_key(spec.name))
            .or_insert((spec.name, CONFIG_RANKS));
        for (i, alias) in spec.aliases.iter().enumerate() {
            lookup
                .entry(header_key(alias))
                .or_insert((spec.name, CONFIG_RANKS + 1 + i));
        }
    }
    lookup
}

/// The preset whose signature a sheet's top rows hold, and the row it is
/// in; the one with the longest signature where several fit.
pub fn recognise(kind: SourceKind, sheet: &RawSheet) -> Option<(&'static Preset, usize)> {
    let scan = sheet.height.min(30);
    let rows: Vec<Vec<String>> = (0..scan)
        .map(|r| {
            (0..sheet.width())
                .filter_map(|c| sheet.cell(c, r).as_text())
                .map(|t| header_key(&t))
                .collect()
        })
        .collect();
    preset::PRESETS
        .iter()
        .filter(|p| p.reads(kind))
        .filter_map(|p| {
            let row = rows
                .iter()
                .position(|keys| p.signature.iter().all(|s| keys.iter().any(|k| k == s)))?;
            Some((p, row))
        })
        .max_by_key(|(p, row)| (p.signature.len(), std::cmp::Reverse(*row)))
}

/// Checks that config's column aliases name real canonical columns.
pub fn check_config_columns(
    kind: SourceKind,
    config: &SourceConfig,
    origin: &std::path::Path,
) -> Result<()> {
    if let Some(name) = &config.preset
        && let Some(preset) = preset::find(name)
        && !preset.reads(kind)
    {
        let reads: Vec<&str> = preset.kinds.iter().map(|k| k.name()).collect();
        return Err(Error::Config {
            file: origin.to_path_buf(),
            message: format!(
                "sources.{kind}.preset = \"{name}\" reads {} files, not {kind}",
                reads.join(" and ")
            ),
        });
    }
    let named = config
        .columns
        .keys()
        .map(|n| ("columns", n))
        .chain(config.constants.keys().map(|n| ("constants", n)));
    for (key, name) in named {
        if !specs(kind).iter().any(|s| s.name == name) {
            let known: Vec<&str> = specs(kind).iter().map(|s| s.name).collect();
            return Err(Error::Config {
                file: origin.to_path_buf(),
                message: format!(
                    "sources.{kind}.{key}: '{name}' is not a column of {kind}; its columns are {}",
                    quote_list(&known)
                ),
            });
        }
    }
    Ok(())
}

/// What each column of a mapped sheet became, in the file's order, then
/// the constants.
pub fn describe(kind: SourceKind, mapped: &Mapped) -> Vec<(String, Role)> {
    let by_column: HashMap<usize, &'static str> =
        mapped.cols.iter().map(|(&name, &c)| (c, name)).collect();
    // (position in the file, header, role): constants go last.
    let mut out = Vec::new();
    if let Some(w) = &mapped.wide {
        for ((heading, when), &c) in w.sessions.iter().zip(&w.session_order) {
            out.push((c, heading.clone(), Role::Session(*when)));
        }
    }
    for (c, header) in mapped.headers.iter().enumerate() {
        let h = header.trim();
        let position = match &mapped.wide {
            Some(w) if c == w.date_col || c == w.status_col => continue,
            Some(w) => w.file_order.get(c).copied().unwrap_or(usize::MAX),
            None => c,
        };
        let role = if let Some(&name) = by_column.get(&c) {
            Role::Column(name)
        } else if mapped.session_answer == Some(c) {
            Role::SessionAnswer
        } else if let Some(&(_, name)) = mapped.replaced.iter().find(|(r, _)| *r == c) {
            Role::Replaced(name)
        } else if mapped.metadata.contains(&c) {
            Role::Metadata
        } else if mapped.unmatched.contains(&c) {
            let item = matches!(kind, SourceKind::Evaluations | SourceKind::Impact)
                .then(|| {
                    ["pre", "post", "impact"]
                        .iter()
                        .find_map(|p| mapped.item(c, p).map(|i| format!("{p} item '{i}'")))
                })
                .flatten();
            item.map_or(Role::Unused, Role::Item)
        } else {
            Role::Name
        };
        if !h.is_empty() {
            out.push((position, h.to_string(), role));
        }
    }
    out.sort_by_key(|&(position, _, _)| position);
    out.into_iter().map(|(_, h, role)| (h, role)).collect()
}
