//! `hub.toml`: the settings, their defaults, and reading them.
//!
//! Every struct denies unknown keys so that a misspelt setting is an error that
//! names the key and the file, never a silently ignored line.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::kinds::{DateOrder, SourceKind};
use crate::error::{Error, Result};

/// The commented `hub.toml` written by `hubreport init`. It documents every key
/// with its default; a test checks that it parses to [`Config::default`].
pub const DEFAULT_CONFIG_TOML: &str = include_str!("hub.toml");

/// File name looked for in the working directory when `--config` is not given.
pub const CONFIG_FILE_NAME: &str = "hub.toml";

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Folder holding the exports, relative to the config file.
    pub data_dir: Option<PathBuf>,
    /// Where `hubreport report` writes, relative to the config file.
    pub out_dir: Option<PathBuf>,
    /// Folder of SQL files overriding the built-in queries.
    pub queries_dir: Option<PathBuf>,
    /// Folder of templates overriding the built-in report templates.
    pub templates_dir: Option<PathBuf>,
    pub date_order: DateOrder,
    pub fy_start_month: u32,
    pub notice_days: i64,
    pub follow_up_days: i64,
    /// Years after its session that a training lapses (refresher currency).
    pub refresher_years: i64,
    pub disclosure_threshold: u32,
    pub show_comments: bool,
    /// The partnership's name, for report titles.
    pub partnership: String,
    pub fees: Fees,
    pub coverage: Coverage,
    pub attention: Attention,
    /// Sub-groups that each get their own quarterly pack.
    pub subgroups: Vec<SubGroup>,
    pub status: StatusLabels,
    pub scales: BTreeMap<String, Scale>,
    pub pseudonymisation: Pseudonymisation,
    pub sources: Sources,
    /// Where the file was read from; set by [`Config::load`], not by TOML.
    #[serde(skip)]
    pub base_dir: PathBuf,
    #[serde(skip)]
    pub path: Option<PathBuf>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Fees {
    pub full_day: f64,
    pub half_day: f64,
}

impl Default for Fees {
    fn default() -> Self {
        Fees {
            full_day: 75.0,
            half_day: 50.0,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Coverage {
    pub target: f64,
    pub targets_by_level: BTreeMap<String, f64>,
}

impl Default for Coverage {
    fn default() -> Self {
        Coverage {
            target: 0.90,
            targets_by_level: BTreeMap::new(),
        }
    }
}

/// When the quarterly pack lists a course or agency under "needs attention".
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Attention {
    /// A course whose non-attendance rate is above this.
    pub non_attendance_above: f64,
    /// A course whose Hake gain is below this.
    pub gain_below: f64,
    /// A course whose impact response rate is below this.
    pub response_below: f64,
}

impl Default for Attention {
    fn default() -> Self {
        Attention {
            non_attendance_above: 0.12,
            gain_below: 0.2,
            response_below: 0.3,
        }
    }
}

/// A sub-group (a priority or a set of agencies) with its own quarterly pack:
/// the bookings of its courses (named, or by pathway) and, if given, only
/// those of its agencies.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubGroup {
    pub name: String,
    #[serde(default)]
    pub pathways: Vec<String>,
    #[serde(default)]
    pub courses: Vec<String>,
    #[serde(default)]
    pub agencies: Vec<String>,
}

/// Extra labels for each final status, added to the built-in vocabulary.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct StatusLabels {
    pub attended: Vec<String>,
    pub dna: Vec<String>,
    pub late_cancellation: Vec<String>,
    pub cancelled: Vec<String>,
    pub walk_in: Vec<String>,
    /// Words that are not an outcome yet (`Booked`, `Wait-listed`): such
    /// rows are skipped and counted, not rejected.
    pub not_outcome: Vec<String>,
    /// What `Attending` (Eventbrite's word for a booking not checked in)
    /// means once the event is over.
    pub attending: Attending,
}

/// The meaning of `Attending` in an attendance export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Attending {
    /// A no-show in a file where anyone is checked in (check-in was used);
    /// attended in a file where no one is (check-in was not used).
    #[default]
    Auto,
    Attended,
    Dna,
    /// Not an outcome: skipped and counted.
    NotOutcome,
}

/// A Likert scale: its bounds, its labels from `min` upwards, and the items
/// (evaluation or impact item names) that use it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scale {
    pub min: i64,
    pub max: i64,
    #[serde(default)]
    pub labels: Vec<String>,
    #[serde(default)]
    pub items: Vec<String>,
}

impl Scale {
    pub fn agreement() -> Scale {
        Scale {
            min: 1,
            max: 5,
            labels: [
                "Strongly disagree",
                "Disagree",
                "Neither agree nor disagree",
                "Agree",
                "Strongly agree",
            ]
            .map(String::from)
            .to_vec(),
            items: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct Pseudonymisation {
    /// The key itself. Prefer `key_file` or the `HUBREPORT_KEY` variable.
    pub key: Option<String>,
    /// File holding the key, relative to the data folder. Created on first use.
    pub key_file: Option<PathBuf>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct Sources {
    pub attendance: SourceConfig,
    pub sessions: SourceConfig,
    pub evaluations: SourceConfig,
    pub impact: SourceConfig,
    pub agency_returns: SourceConfig,
    pub agencies: SourceConfig,
}

impl Sources {
    pub fn get(&self, kind: SourceKind) -> &SourceConfig {
        match kind {
            SourceKind::Attendance => &self.attendance,
            SourceKind::Sessions => &self.sessions,
            SourceKind::Evaluations => &self.evaluations,
            SourceKind::Impact => &self.impact,
            SourceKind::AgencyReturns => &self.agency_returns,
            SourceKind::Agencies => &self.agencies,
        }
    }
}

/// Which sheet(s) of a workbook to read.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum SheetSelector {
    /// 1-based position, as the tabs are ordered in Excel.
    Index(usize),
    /// A sheet name, or `"*"` for every sheet.
    Name(String),
}

#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct SourceConfig {
    /// A path or glob, relative to the data folder. Several matches are stacked.
    pub path: Option<String>,
    pub sheet: Option<SheetSelector>,
    /// The header's row number as Excel shows it. Found automatically if unset.
    pub header_row: Option<u32>,
    /// Extra header spellings for canonical columns: `agency = ["Employer"]`.
    pub columns: BTreeMap<String, Vec<String>>,
    /// Set to false to ignore a source that is present.
    pub enabled: Option<bool>,
    /// The tool that wrote the files, by preset name (`eventbrite`,
    /// `googleforms`, ...): its header rows, column names and words. Found
    /// from the headers when unset; `"none"` turns the recognition off.
    pub preset: Option<String>,
    /// Values for canonical columns the files do not have, as text read like
    /// a cell: `{ course = "Neglect", session_date = "2024-03-05" }`. A
    /// constant stands in for a column of the same name.
    pub constants: BTreeMap<String, String>,
    /// How the files write `03/04/2024`; the top-level `date_order` if unset.
    pub date_order: Option<DateOrder>,
    /// A survey file without session ids: the header of the question whose
    /// answers name the session (`"Which session did you attend?"`; `*`
    /// matches any text). The session is found in the sessions source by the
    /// answer's date, the course, and the time of day where two share a date.
    pub session_from: Option<String>,
    /// Survey grids: the question text of the grid rated before the course
    /// and of the one rated after it (`*` matches any text; default
    /// `Before*` and `After*`). The i-th statement of one pairs with the
    /// i-th of the other, named from the after statement unless `items`
    /// names them.
    pub pre: Option<String>,
    pub post: Option<String>,
    /// The impact survey's grid of items, by question text.
    pub impact: Option<String>,
    /// Item names for the grid statements, in their order.
    pub items: Vec<String>,
    /// Files or globs with settings of their own, read as well as `path`:
    /// each entry takes the keys above, over the source's own.
    pub files: Vec<SourceConfig>,
}

impl SourceConfig {
    /// The settings for one entry of `files`: its own keys, the source's
    /// for those it leaves unset (constants and column names merged, the
    /// entry's winning).
    pub fn with_entry(&self, entry: &SourceConfig) -> SourceConfig {
        let mut columns = self.columns.clone();
        columns.extend(entry.columns.clone());
        let mut constants = self.constants.clone();
        constants.extend(entry.constants.clone());
        SourceConfig {
            path: entry.path.clone(),
            sheet: entry.sheet.clone().or_else(|| self.sheet.clone()),
            header_row: entry.header_row.or(self.header_row),
            columns,
            enabled: self.enabled,
            preset: entry.preset.clone().or_else(|| self.preset.clone()),
            constants,
            date_order: entry.date_order.or(self.date_order),
            session_from: entry
                .session_from
                .clone()
                .or_else(|| self.session_from.clone()),
            pre: entry.pre.clone().or_else(|| self.pre.clone()),
            post: entry.post.clone().or_else(|| self.post.clone()),
            impact: entry.impact.clone().or_else(|| self.impact.clone()),
            items: if entry.items.is_empty() {
                self.items.clone()
            } else {
                entry.items.clone()
            },
            files: Vec::new(),
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        let mut scales = BTreeMap::new();
        scales.insert("default".to_string(), Scale::agreement());
        Config {
            data_dir: None,
            out_dir: None,
            queries_dir: None,
            templates_dir: None,
            date_order: DateOrder::Uk,
            fy_start_month: 4,
            notice_days: 7,
            follow_up_days: 60,
            refresher_years: 2,
            disclosure_threshold: 5,
            show_comments: false,
            partnership: "Safeguarding Children Partnership".to_string(),
            fees: Fees::default(),
            coverage: Coverage::default(),
            attention: Attention::default(),
            subgroups: Vec::new(),
            status: StatusLabels::default(),
            scales,
            pseudonymisation: Pseudonymisation::default(),
            sources: Sources::default(),
            base_dir: PathBuf::from("."),
            path: None,
        }
    }
}

impl Config {
    /// Reads and validates a config file.
    pub fn load(path: &Path) -> Result<Config> {
        // The config is the user's setting, not an input: a config that
        // cannot be read or is not text is a config error (exit 3).
        let bad = |message: String| Error::Config {
            file: path.to_path_buf(),
            message,
        };
        let bytes = std::fs::read(path).map_err(|e| bad(format!("could not read it: {e}")))?;
        let text = String::from_utf8(bytes).map_err(|e| {
            let at = e.utf8_error().valid_up_to();
            let line = 1 + e.as_bytes()[..at].iter().filter(|&&b| b == b'\n').count();
            bad(format!(
                "it is not UTF-8 text (line {line} holds a byte that is not); save it as UTF-8"
            ))
        })?;
        let mut config = Config::parse(&text, path)?;
        config.base_dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        config.path = Some(path.to_path_buf());
        for (key, dir) in [
            ("queries_dir", &config.queries_dir),
            ("templates_dir", &config.templates_dir),
        ] {
            if let Some(dir) = dir {
                let full = config.base_dir.join(dir);
                if !full.is_dir() {
                    return Err(bad(format!(
                        "{key}: no such folder '{}' (it is relative to the config file)",
                        full.display()
                    )));
                }
            }
        }
        Ok(config)
    }

    /// Parses TOML text; `origin` names the file in errors.
    pub fn parse(text: &str, origin: &Path) -> Result<Config> {
        let mut config: Config = toml::from_str(text).map_err(|e| Error::Config {
            file: origin.to_path_buf(),
            message: e.to_string(),
        })?;
        config
            .scales
            .entry("default".to_string())
            .or_insert_with(Scale::agreement);
        config.validate(origin)?;
        Ok(config)
    }
}

impl Config {
    /// The scale an evaluation or impact item uses.
    pub fn scale_for(&self, item: &str) -> (&str, &Scale) {
        for (name, scale) in &self.scales {
            if scale.items.iter().any(|i| item_matches(i, item)) {
                return (name, scale);
            }
        }
        ("default", self.default_scale())
    }

    /// The scale of items no other scale names; form-level learning gain
    /// uses the items on it.
    pub fn default_scale(&self) -> &Scale {
        self.scales
            .get("default")
            .expect("the default scale is inserted by Default and on parse")
    }

    /// The data folder: `--data`, else `data_dir` relative to the config file.
    pub fn data_dir(&self) -> PathBuf {
        match &self.data_dir {
            Some(dir) => self.base_dir.join(dir),
            None => self.base_dir.clone(),
        }
    }

    pub fn out_dir(&self) -> PathBuf {
        match &self.out_dir {
            Some(dir) => self.base_dir.join(dir),
            None => self.base_dir.join("out"),
        }
    }

    /// The coverage target for a level.
    pub fn target_for(&self, level: &str) -> f64 {
        self.coverage
            .targets_by_level
            .iter()
            .find(|(l, _)| l.trim().eq_ignore_ascii_case(level.trim()))
            .map(|(_, t)| *t)
            .unwrap_or(self.coverage.target)
    }
}

/// `item` patterns may end in `*` to match a prefix.
fn item_matches(pattern: &str, item: &str) -> bool {
    let pattern = pattern.trim().to_ascii_lowercase();
    match pattern.strip_suffix('*') {
        Some(prefix) => item.starts_with(prefix),
        None => pattern == item,
    }
}
