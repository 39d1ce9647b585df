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
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            context: format!("could not read config file '{}'", path.display()),
            source,
        })?;
        let mut config = Config::parse(&text, path)?;
        config.base_dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        config.path = Some(path.to_path_buf());
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
        if !(1..=12).contains(&self.fy_start_month) {
            return fail(format!(
                "fy_start_month must be a month number 1-12, found {}",
                self.fy_start_month
            ));
        }
        if self.notice_days < 0 {
            return fail(format!(
                "notice_days must be 0 or more, found {}",
                self.notice_days
            ));
        }
        if self.follow_up_days < 0 {
            return fail(format!(
                "follow_up_days must be 0 or more, found {}",
                self.follow_up_days
            ));
        }
        if self.disclosure_threshold == 0 {
            return fail("disclosure_threshold must be 1 or more (1 turns suppression off)".into());
        }
        let check_target = |key: &str, t: f64| {
            if (0.0..=1.0).contains(&t) {
                Ok(())
            } else {
                fail(format!(
                    "{key} must be a fraction from 0 to 1 (0.9 for 90%), found {t}"
                ))
            }
        };
        check_target("coverage.target", self.coverage.target)?;
        check_target(
            "attention.non_attendance_above",
            self.attention.non_attendance_above,
        )?;
        check_target("attention.response_below", self.attention.response_below)?;
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
        for (level, t) in &self.coverage.targets_by_level {
            check_target(&format!("coverage.targets_by_level.\"{level}\""), *t)?;
        }
        for (name, scale) in &self.scales {
            if scale.max <= scale.min {
                return fail(format!(
                    "scales.{name}: max ({}) must be above min ({})",
                    scale.max, scale.min
                ));
            }
            let points = (scale.max - scale.min + 1) as usize;
            if !scale.labels.is_empty() && scale.labels.len() != points {
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
            if let Some(SheetSelector::Index(0)) = source.sheet {
                return fail(format!(
                    "sources.{kind}.sheet: sheet positions start at 1, found 0"
                ));
            }
            if source.header_row == Some(0) {
                return fail(format!(
                    "sources.{kind}.header_row: rows are numbered from 1 as in Excel, found 0"
                ));
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

/// `item` patterns may end in `*` to match a prefix.
fn item_matches(pattern: &str, item: &str) -> bool {
    let pattern = pattern.trim().to_ascii_lowercase();
    match pattern.strip_suffix('*') {
        Some(prefix) => item.starts_with(prefix),
        None => pattern == item,
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
}
