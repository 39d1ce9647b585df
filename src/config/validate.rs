//! Checking settings once they are read: every number in its range, every
//! name known, every path one a file could have.

use std::path::Path;

use super::kinds::SourceKind;
use super::preset;
use super::settings::{Config, SheetSelector};
use crate::error::{Error, Result};

impl Config {
    pub(super) fn validate(&self, origin: &Path) -> Result<()> {
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
            if !names.insert(crate::fold::header_key(&g.name)) {
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
                    && preset::find(name).is_none()
                {
                    return fail(format!(
                        "{key}.preset = \"{name}\" is not a preset; the presets are {}, or \"none\"",
                        preset::names().join(", ")
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
