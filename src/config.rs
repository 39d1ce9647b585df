//! Configuration: `hub.toml`, its defaults, and `hubreport init`.
//!
//! Every struct denies unknown keys so that a misspelt setting is an error that
//! names the key and the file, never a silently ignored line.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{Error, Result};

/// The commented `hub.toml` written by `hubreport init`. It documents every key
/// with its default; a test checks that it parses to [`Config::default`].
pub const DEFAULT_CONFIG_TOML: &str = include_str!("config/hub.toml");

/// File name looked for in the working directory when `--config` is not given.
pub const CONFIG_FILE_NAME: &str = "hub.toml";

/// The six sources of the data contract, in load order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SourceKind {
    Agencies,
    Sessions,
    Attendance,
    Evaluations,
    Impact,
    AgencyReturns,
}

impl SourceKind {
    pub const ALL: [SourceKind; 6] = [
        SourceKind::Attendance,
        SourceKind::Sessions,
        SourceKind::Evaluations,
        SourceKind::Impact,
        SourceKind::AgencyReturns,
        SourceKind::Agencies,
    ];

    /// The file stem and config key of the source.
    pub fn name(self) -> &'static str {
        match self {
            SourceKind::Agencies => "agencies",
            SourceKind::Sessions => "sessions",
            SourceKind::Attendance => "attendance",
            SourceKind::Evaluations => "evaluations",
            SourceKind::Impact => "impact",
            SourceKind::AgencyReturns => "agency_returns",
        }
    }

    pub fn required(self) -> bool {
        self == SourceKind::Attendance
    }
}

impl std::fmt::Display for SourceKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum DateOrder {
    /// `03/04/2024` is 3 April 2024.
    #[default]
    Uk,
    /// `03/04/2024` is 4 March 2024.
    Us,
}

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

    fn validate(&self, origin: &Path) -> Result<()> {
        let fail = |message: String| {
            Err(Error::Config {
                file: origin.to_path_buf(),
                message,
            })
        };
        if self.sources.attendance.enabled == Some(false) {
            return fail(
                "attendance cannot be disabled: every figure is built from it; remove \
                 `enabled = false` from [sources.attendance]"
                    .into(),
            );
        }
        let whole = |key: &str, value: i64, (lo, hi): (i64, i64), what: &str| {
            if (lo..=hi).contains(&value) {
                Ok(())
            } else {
                fail(format!(
                    "{key} = {value} is out of range: it must be {what} from {lo} to {hi}"
                ))
            }
        };
        let number = |key: &str, value: f64, (lo, hi): (f64, f64), what: &str| {
            if value.is_finite() && (lo..=hi).contains(&value) {
                Ok(())
            } else {
                fail(format!(
                    "{key} = {value} is out of range: it must be {what} from {lo} to {hi}"
                ))
            }
        };
        let fraction = |key: &str, value: f64| {
            number(key, value, limits::FRACTION, "a fraction (0.9 for 90%)")
        };
        whole(
            "fy_start_month",
            i64::from(self.fy_start_month),
            limits::FY_START_MONTH,
            "a month number (4 for April)",
        )?;
        whole(
            "notice_days",
            self.notice_days,
            limits::NOTICE_DAYS,
            "a number of days",
        )?;
        whole(
            "follow_up_days",
            self.follow_up_days,
            limits::FOLLOW_UP_DAYS,
            "a number of days",
        )?;
        whole(
            "refresher_years",
            self.refresher_years,
            limits::REFRESHER_YEARS,
            "a number of years",
        )?;
        whole(
            "disclosure_threshold",
            i64::from(self.disclosure_threshold),
            limits::DISCLOSURE_THRESHOLD,
            "a number of people (1 turns suppression off)",
        )?;
        number(
            "fees.full_day",
            self.fees.full_day,
            limits::FEE,
            "an amount in pounds",
        )?;
        number(
            "fees.half_day",
            self.fees.half_day,
            limits::FEE,
            "an amount in pounds",
        )?;
        fraction("coverage.target", self.coverage.target)?;
        for (level, t) in &self.coverage.targets_by_level {
            fraction(&format!("coverage.targets_by_level.\"{level}\""), *t)?;
        }
        fraction(
            "attention.non_attendance_above",
            self.attention.non_attendance_above,
        )?;
        number(
            "attention.gain_below",
            self.attention.gain_below,
            limits::GAIN,
            "a Hake gain (0.2 for 20% of the possible improvement)",
        )?;
        fraction("attention.response_below", self.attention.response_below)?;
        let mut names = std::collections::BTreeSet::new();
        for g in &self.subgroups {
            if g.name.trim().is_empty() {
                return fail("subgroups: every sub-group needs a name".into());
            }
            if !names.insert(crate::load::value::header_key(&g.name)) {
                return fail(format!("subgroups: the name '{}' is used twice", g.name));
            }
            if g.pathways.is_empty() && g.courses.is_empty() && g.agencies.is_empty() {
                return fail(format!(
                    "subgroups: '{}' names no pathways, courses or agencies",
                    g.name
                ));
            }
        }
        for (name, scale) in &self.scales {
            whole(
                &format!("scales.{name}.min"),
                scale.min,
                limits::SCALE_BOUND,
                "a whole number",
            )?;
            whole(
                &format!("scales.{name}.max"),
                scale.max,
                limits::SCALE_BOUND,
                "a whole number",
            )?;
            if scale.max <= scale.min {
                return fail(format!(
                    "scales.{name}: max ({}) must be above min ({})",
                    scale.max, scale.min
                ));
            }
            let points = scale.max - scale.min + 1;
            if points > limits::SCALE_POINTS {
                return fail(format!(
                    "scales.{name}: a {}-{} scale has {points} points; a scale has at most {}",
                    scale.min,
                    scale.max,
                    limits::SCALE_POINTS
                ));
            }
            if !scale.labels.is_empty() && scale.labels.len() as i64 != points {
                return fail(format!(
                    "scales.{name}: {} labels given for a {}-{} scale, which has {points} points",
                    scale.labels.len(),
                    scale.min,
                    scale.max
                ));
            }
        }
        for kind in SourceKind::ALL {
            let source = self.sources.get(kind);
            for (i, entry) in source.files.iter().enumerate() {
                let key = format!("sources.{kind}.files[{}]", i + 1);
                if entry.path.is_none() {
                    return fail(format!("{key}: every entry of files needs a path"));
                }
                if !entry.files.is_empty() || entry.enabled.is_some() {
                    return fail(format!(
                        "{key}: a file entry cannot have files or enabled of its own; set them on [sources.{kind}]"
                    ));
                }
            }
            let entries = std::iter::once((format!("sources.{kind}"), source)).chain(
                source
                    .files
                    .iter()
                    .enumerate()
                    .map(|(i, e)| (format!("sources.{kind}.files[{}]", i + 1), e)),
            );
            for (key, entry) in entries {
                if let Some(name) = &entry.preset
                    && name != "none"
                    && crate::load::preset::find(name).is_none()
                {
                    return fail(format!(
                        "{key}.preset = \"{name}\" is not a preset; the presets are {}, or \"none\"",
                        crate::load::preset::names().join(", ")
                    ));
                }
                if let Some(SheetSelector::Index(i)) = entry.sheet {
                    let (lo, hi) = limits::SHEET_POSITION;
                    if !(lo..=hi).contains(&i) {
                        return fail(format!(
                            "{key}.sheet = {i} is out of range: sheet positions are numbered \
                             from {lo} (the first tab) to {hi}"
                        ));
                    }
                }
                if let Some(row) = entry.header_row {
                    whole(
                        &format!("{key}.header_row"),
                        i64::from(row),
                        limits::HEADER_ROW,
                        "a row number as Excel shows it",
                    )?;
                }
                if let Some(pattern) = &entry.path {
                    let key = format!("{key}.path");
                    no_nul(&key, pattern).or_else(fail)?;
                    if let Err(e) = glob::Pattern::new(pattern) {
                        return fail(format!("{key} '{pattern}' is not a valid glob: {e}"));
                    }
                }
            }
        }
        for (key, path) in [
            ("data_dir", &self.data_dir),
            ("out_dir", &self.out_dir),
            ("queries_dir", &self.queries_dir),
            ("templates_dir", &self.templates_dir),
            ("pseudonymisation.key_file", &self.pseudonymisation.key_file),
        ] {
            if let Some(path) = path {
                no_nul(key, &path.to_string_lossy()).or_else(fail)?;
            }
        }
        Ok(())
    }

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

/// The ranges numeric settings must be in, as `init`'s hub.toml states them.
/// Each is wide enough for any real partnership, and narrow enough that no
/// calculation on it can overflow or allocate without bound.
pub mod limits {
    pub const FY_START_MONTH: (i64, i64) = (1, 12);
    /// Up to a year before a session.
    pub const NOTICE_DAYS: (i64, i64) = (0, 365);
    /// Up to two years after a session.
    pub const FOLLOW_UP_DAYS: (i64, i64) = (1, 730);
    pub const REFRESHER_YEARS: (i64, i64) = (1, 10);
    pub const DISCLOSURE_THRESHOLD: (i64, i64) = (1, 100);
    /// Pounds charged for a no-show or late cancellation.
    pub const FEE: (f64, f64) = (0.0, 100_000.0);
    /// Coverage targets, non-attendance and response thresholds.
    pub const FRACTION: (f64, f64) = (0.0, 1.0);
    /// A Hake gain threshold: gains run up to 1, and below 0 for a fall.
    pub const GAIN: (f64, f64) = (-1.0, 1.0);
    /// A Likert scale's min and max.
    pub const SCALE_BOUND: (i64, i64) = (-1000, 1000);
    /// A Likert scale's points, max - min + 1 (a 0-10 scale has 11).
    pub const SCALE_POINTS: i64 = 101;
    /// Excel's last row.
    pub const HEADER_ROW: (i64, i64) = (1, 1_048_576);
    pub const SHEET_POSITION: (usize, usize) = (1, 10_000);
}

/// A path setting cannot hold a NUL character: no file name can.
fn no_nul(key: &str, path: &str) -> std::result::Result<(), String> {
    if path.contains('\0') {
        Err(format!(
            "{key} '{}' holds a NUL character, which no file name can",
            path.escape_debug()
        ))
    } else {
        Ok(())
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

/// Where a run's data and settings come from, as the command line says.
#[derive(Debug, Clone, Default)]
pub struct Input {
    /// The folder of exports (`--data`).
    pub data: Option<PathBuf>,
    /// The settings file (`--config`).
    pub config: Option<PathBuf>,
}

impl Input {
    /// The config (from `config`, else `./hub.toml`, else defaults) and the
    /// data folder (`data`, else the config's).
    pub fn resolve(&self) -> Result<(Config, PathBuf)> {
        let config = match &self.config {
            Some(path) => {
                if !path.is_file() {
                    return Err(Error::Usage(format!(
                        "--config: no such file '{}'",
                        path.display()
                    )));
                }
                Config::load(path)?
            }
            None if Path::new(CONFIG_FILE_NAME).is_file() => {
                Config::load(Path::new(CONFIG_FILE_NAME))?
            }
            None => Config::default(),
        };
        let data = match &self.data {
            Some(dir) => {
                if !dir.is_dir() {
                    return Err(Error::Usage(format!(
                        "--data: no such folder '{}'",
                        dir.display()
                    )));
                }
                dir.clone()
            }
            None if config.path.is_some() => {
                let dir = config.data_dir();
                if !dir.is_dir() {
                    return Err(Error::Config {
                        file: config.path.clone().unwrap_or_default(),
                        message: format!(
                            "data_dir: no such folder '{}' (give --data DIR, or fix data_dir)",
                            dir.display()
                        ),
                    });
                }
                dir
            }
            None => {
                return Err(Error::Usage(
                    "no data: give --data DIR, or --config FILE (or put a hub.toml here) naming data_dir".into(),
                ));
            }
        };
        Ok((config, data))
    }
}

/// `hubreport init [DIR]`: writes a commented `hub.toml`, refusing to overwrite.
pub fn init(dir: &Path) -> Result<PathBuf> {
    std::fs::create_dir_all(dir).map_err(|source| Error::Io {
        context: format!("could not create folder '{}'", dir.display()),
        source,
    })?;
    let path = dir.join(CONFIG_FILE_NAME);
    if path.exists() {
        return Err(Error::Usage(format!(
            "'{}' already exists; remove it or choose another folder",
            path.display()
        )));
    }
    std::fs::write(&path, DEFAULT_CONFIG_TOML).map_err(|source| Error::Io {
        context: format!("could not write '{}'", path.display()),
        source,
    })?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_init_template_parses_to_the_defaults() {
        let parsed = Config::parse(DEFAULT_CONFIG_TOML, Path::new("hub.toml")).unwrap();
        assert_eq!(parsed, Config::default());
    }

    #[test]
    fn an_unknown_key_is_an_error_naming_key_and_file() {
        let err = Config::parse("notice_dayz = 3\n", Path::new("conf/hub.toml")).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("notice_dayz"), "{text}");
        assert!(text.contains("conf/hub.toml"), "{text}");
        let err = Config::parse("[sources.attendance]\nsheeet = 2\n", Path::new("x.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("sheeet"), "{err}");
    }

    #[test]
    fn sheet_selector_takes_name_index_or_star() {
        let c = Config::parse(
            "[sources.attendance]\nsheet = 2\n[sources.sessions]\nsheet = \"*\"\n[sources.impact]\nsheet = \"Q1\"\n",
            Path::new("x"),
        )
        .unwrap();
        assert_eq!(c.sources.attendance.sheet, Some(SheetSelector::Index(2)));
        assert_eq!(
            c.sources.sessions.sheet,
            Some(SheetSelector::Name("*".into()))
        );
    }

    #[test]
    fn bad_values_are_explained() {
        for (text, needle) in [
            ("fy_start_month = 13", "fy_start_month"),
            ("[coverage]\ntarget = 90", "coverage.target"),
            ("[scales.c]\nmin = 1\nmax = 1", "scales.c"),
            ("[scales.c]\nmin = 1\nmax = 3\nlabels = [\"a\"]", "3 points"),
            ("[sources.impact]\nheader_row = 0", "header_row"),
        ] {
            let err = Config::parse(text, Path::new("x")).unwrap_err().to_string();
            assert!(err.contains(needle), "{text}: {err}");
        }
    }

    #[test]
    fn items_pick_their_scale_and_level_targets_override() {
        let c = Config::parse(
            "[scales.confidence]\nmin = 1\nmax = 10\nitems = [\"confidence_*\", \"overall\"]\n[coverage.targets_by_level]\n\"Level 3\" = 0.8\n",
            Path::new("x"),
        )
        .unwrap();
        assert_eq!(c.scale_for("confidence_recognise").0, "confidence");
        assert_eq!(c.scale_for("overall").1.max, 10);
        assert_eq!(c.scale_for("knowledge").0, "default");
        assert_eq!(c.target_for("level 3"), 0.8);
        assert_eq!(c.target_for("Level 1"), 0.9);
    }

    #[test]
    fn attendance_cannot_be_disabled() {
        let err = Config::parse(
            "[sources.attendance]\nenabled = false\n",
            Path::new("h.toml"),
        )
        .unwrap_err();
        assert_eq!(err.exit_code(), crate::error::exit::USAGE);
        let text = err.to_string();
        assert!(
            text.starts_with("in config file 'h.toml': attendance cannot be disabled: "),
            "{text}"
        );
        // Other sources can be, and attendance can be said to be enabled.
        Config::parse(
            "[sources.attendance]\nenabled = true\n[sources.impact]\nenabled = false\n",
            Path::new("h.toml"),
        )
        .unwrap();
    }

    /// Every numeric setting out of its range is a config error naming the
    /// key, the value and the range; none panics.
    #[test]
    fn numbers_out_of_range_name_key_value_and_range() {
        for (text, needle) in [
            (
                "fy_start_month = 0",
                "fy_start_month = 0 is out of range: it must be a month number (4 for April) from 1 to 12",
            ),
            ("fy_start_month = 13", "fy_start_month = 13 is out of range"),
            (
                "notice_days = -1",
                "notice_days = -1 is out of range: it must be a number of days from 0 to 365",
            ),
            ("notice_days = 366", "notice_days = 366 is out"),
            (
                "follow_up_days = 9223372036854775807",
                "follow_up_days = 9223372036854775807 is out of range: it must be a number of days from 1 to 730",
            ),
            (
                "follow_up_days = -9223372036854775808",
                "follow_up_days = -9223372036854775808 is out",
            ),
            ("follow_up_days = 0", "follow_up_days = 0 is out"),
            ("follow_up_days = 731", "follow_up_days = 731 is out"),
            (
                "disclosure_threshold = 0",
                "disclosure_threshold = 0 is out of range: it must be a number of people (1 turns suppression off) from 1 to 100",
            ),
            (
                "disclosure_threshold = 4294967295",
                "disclosure_threshold = 4294967295 is out",
            ),
            (
                "[fees]\nfull_day = -1.0",
                "fees.full_day = -1 is out of range: it must be an amount in pounds from 0 to 100000",
            ),
            ("[fees]\nhalf_day = nan", "fees.half_day = NaN is out"),
            ("[fees]\nhalf_day = inf", "fees.half_day = inf is out"),
            ("[fees]\nfull_day = 1e300", "fees.full_day = 1000"),
            (
                "[coverage]\ntarget = 90",
                "coverage.target = 90 is out of range: it must be a fraction (0.9 for 90%) from 0 to 1",
            ),
            ("[coverage]\ntarget = nan", "coverage.target = NaN is out"),
            (
                "[coverage.targets_by_level]\n\"Level 3\" = -inf",
                "coverage.targets_by_level.\"Level 3\" = -inf is out",
            ),
            (
                "[attention]\nnon_attendance_above = 1.5",
                "attention.non_attendance_above = 1.5 is out",
            ),
            (
                "[attention]\ngain_below = nan",
                "attention.gain_below = NaN is out of range: it must be a Hake gain (0.2 for 20% of the possible improvement) from -1 to 1",
            ),
            (
                "[attention]\ngain_below = -2",
                "attention.gain_below = -2 is out",
            ),
            (
                "[attention]\nresponse_below = -0.1",
                "attention.response_below = -0.1 is out",
            ),
            (
                "[scales.c]\nmin = 0\nmax = 4000000000000000000",
                "scales.c.max = 4000000000000000000 is out of range: it must be a whole number from -1000 to 1000",
            ),
            (
                "[scales.c]\nmin = -9223372036854775808\nmax = 9223372036854775807",
                "scales.c.min = -9223372036854775808 is out",
            ),
            (
                "[scales.c]\nmin = 0\nmax = 1000",
                "scales.c: a 0-1000 scale has 1001 points; a scale has at most 101",
            ),
            (
                "[scales.default]\nmin = 1\nmax = 1000000000",
                "scales.default.max = 1000000000 is out",
            ),
            (
                "[sources.agencies]\nheader_row = 1048577",
                "sources.agencies.header_row = 1048577 is out of range: it must be a row number as Excel shows it from 1 to 1048576",
            ),
            (
                "[sources.impact]\nheader_row = 0",
                "sources.impact.header_row = 0 is out",
            ),
            (
                "[sources.impact]\nsheet = 0",
                "sources.impact.sheet = 0 is out of range: sheet positions are numbered from 1",
            ),
            (
                "[sources.impact]\nsheet = 18446744073709551615",
                "sources.impact.sheet = 18446744073709551615 is out",
            ),
        ] {
            let err = Config::parse(text, Path::new("x")).unwrap_err();
            assert_eq!(err.exit_code(), crate::error::exit::USAGE, "{text}");
            let err = err.to_string();
            assert!(err.contains(needle), "{text}: {err}");
        }
    }

    #[test]
    fn numbers_at_the_ends_of_their_ranges_are_accepted() {
        let c = Config::parse(
            "fy_start_month = 12\nnotice_days = 365\nfollow_up_days = 730\ndisclosure_threshold = 100\n\
             [fees]\nfull_day = 100000\nhalf_day = 0\n[coverage]\ntarget = 1\n\
             [attention]\ngain_below = -1\nnon_attendance_above = 0\nresponse_below = 1\n\
             [scales.c]\nmin = -50\nmax = 50\n[scales.d]\nmin = 999\nmax = 1000\n\
             [sources.impact]\nheader_row = 1048576\nsheet = 10000\n",
            Path::new("x"),
        )
        .unwrap();
        assert_eq!(c.follow_up_days, 730);
        Config::parse(
            "fy_start_month = 1\nnotice_days = 0\nfollow_up_days = 1\ndisclosure_threshold = 1\n",
            Path::new("x"),
        )
        .unwrap();
    }

    /// `init`'s hub.toml states the range of every numeric setting.
    #[test]
    fn the_init_template_states_every_range() {
        for range in [
            "1 to 12",
            "0 to 365",
            "1 to 730",
            "1 to 100",
            "0 to 100000",
            "from 0 to 1",
            "-1 to 1",
            "-1000 to 1000",
            "at most 101 points",
            "1 to 1048576",
            "1 to 10000",
        ] {
            assert!(
                DEFAULT_CONFIG_TOML.contains(range),
                "hub.toml does not say '{range}'"
            );
        }
    }

    #[test]
    fn bad_paths_and_globs_are_config_errors() {
        for (text, needle) in [
            (
                "data_dir = \"a\\u0000b\"",
                "data_dir 'a\\0b' holds a NUL character",
            ),
            ("out_dir = \"\\u0000\"", "out_dir"),
            ("queries_dir = \"q\\u0000\"", "queries_dir"),
            ("templates_dir = \"t\\u0000\"", "templates_dir"),
            (
                "[pseudonymisation]\nkey_file = \"k\\u0000\"",
                "pseudonymisation.key_file",
            ),
            (
                "[sources.sessions]\npath = \"s\\u0000.csv\"",
                "sources.sessions.path",
            ),
            (
                "[sources.sessions]\npath = \"[a.csv\"",
                "sources.sessions.path '[a.csv' is not a valid glob",
            ),
            (
                "[sources.attendance]\npath = \"***.csv\"",
                "sources.attendance.path '***.csv' is not a valid glob",
            ),
        ] {
            let err = Config::parse(text, Path::new("x")).unwrap_err();
            assert_eq!(err.exit_code(), crate::error::exit::USAGE, "{text}");
            let err = err.to_string();
            assert!(err.contains(needle), "{text}: {err}");
        }
    }

    #[test]
    fn a_config_that_is_not_utf8_is_a_config_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hub.toml");
        std::fs::write(&path, b"notice_days = 7\npartnership = \"Caf\xe9\"\n").unwrap();
        let err = Config::load(&path).unwrap_err();
        assert_eq!(err.exit_code(), crate::error::exit::USAGE);
        let text = err.to_string();
        assert!(
            text.contains("hub.toml") && text.contains("not UTF-8 text (line 2"),
            "{text}"
        );
        let err = Config::load(dir.path()).unwrap_err();
        assert_eq!(err.exit_code(), crate::error::exit::USAGE, "{err}");
    }

    #[test]
    fn queries_and_templates_folders_must_exist() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hub.toml");
        std::fs::create_dir(dir.path().join("q")).unwrap();
        std::fs::write(dir.path().join("t"), "a file").unwrap();
        std::fs::write(&path, "queries_dir = 'q'\n").unwrap();
        Config::load(&path).unwrap();
        for (text, needle) in [
            ("queries_dir = 'nope'", "queries_dir: no such folder '"),
            ("templates_dir = 't'", "templates_dir: no such folder '"),
        ] {
            std::fs::write(&path, text).unwrap();
            let err = Config::load(&path).unwrap_err();
            assert_eq!(err.exit_code(), crate::error::exit::USAGE, "{err}");
            assert!(err.to_string().contains(needle), "{err}");
        }
    }
}
