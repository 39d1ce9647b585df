//! The sample partnership as data: its agencies, courses, trainers, staff
//! names and comments, read once from the embedded `partnership.toml`.

use std::sync::OnceLock;

use serde::Deserialize;

use crate::error::{Error, Result};

/// Evaluation items: the header text after "Pre: "/"Post: ".
pub(super) const ITEMS: [&str; 4] = [
    "Knowledge of the topic",
    "Recognising signs",
    "Confidence to act",
    "Knowing local procedures",
];
/// Follow-up survey items: the header text after "Impact: ".
pub(super) const IMPACT_ITEMS: [&str; 3] = [
    "Changed my practice",
    "Shared learning with colleagues",
    "More confident making referrals",
];
pub(super) const LIKERT: [&str; 5] = [
    "Strongly disagree",
    "Disagree",
    "Neither agree nor disagree",
    "Agree",
    "Strongly agree",
];

/// The modes a session runs in.
const MODES: [&str; 3] = ["Classroom", "Virtual", "E-learning"];

/// Everything `partnership.toml` holds.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Partnership {
    pub facilitators: Vec<String>,
    pub first_names: Vec<String>,
    pub last_names: Vec<String>,
    pub evaluation_comments: Vec<String>,
    pub impact_comments: Vec<String>,
    pub agencies: Vec<Agency>,
    pub courses: Vec<Course>,
    pub unregistered: Vec<Unregistered>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Agency {
    pub name: String,
    pub sector: String,
    #[serde(default)]
    pub statutory_partner: bool,
    #[serde(default)]
    pub charge_exempt: bool,
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Staff in scope for safeguarding training.
    pub headcount: u32,
    /// Share of staff trained in a year (drives the RAG spread).
    pub coverage: f64,
    /// Relative booking volume.
    pub weight: f64,
    /// Propensity not to turn up, relative to the partnership's.
    pub dna_factor: f64,
    /// Whether it sends a training return.
    #[serde(default = "yes")]
    pub returns: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Course {
    pub title: String,
    pub level: String,
    pub pathway: String,
    pub modes: Vec<Mode>,
    pub full_day: bool,
    pub sessions_per_year: u32,
    /// Mean post-minus-pre gain per item, on the 1-5 scale.
    pub gain: f64,
}

/// A mode a course runs in, and the share of its sessions in that mode.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Mode {
    pub mode: String,
    pub share: f64,
}

/// An agency name no register entry matches, and the agency it misspells.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Unregistered {
    pub text: String,
    pub agency: Option<String>,
}

const TOML: &str = include_str!("partnership.toml");

/// The partnership, parsed on first use.
pub(super) fn get() -> Result<&'static Partnership> {
    static PARTNERSHIP: OnceLock<std::result::Result<Partnership, String>> = OnceLock::new();
    PARTNERSHIP
        .get_or_init(|| parse(TOML))
        .as_ref()
        .map_err(|e| Error::Internal(format!("the sample's partnership.toml: {e}")))
}

fn parse(text: &str) -> std::result::Result<Partnership, String> {
    let p: Partnership = toml::from_str(text).map_err(|e| e.to_string())?;
    p.check()?;
    Ok(p)
}

impl Partnership {
    /// The index of the agency named `name`.
    pub fn agency(&self, name: &str) -> Option<usize> {
        self.agencies.iter().position(|a| a.name == name)
    }

    /// What the generator relies on: lists it picks from are not empty,
    /// names are unique, shares and weights can be drawn from, modes and
    /// levels are the ones it knows.
    fn check(&self) -> std::result::Result<(), String> {
        for (list, items) in [
            ("facilitators", &self.facilitators),
            ("first_names", &self.first_names),
            ("last_names", &self.last_names),
            ("evaluation_comments", &self.evaluation_comments),
            ("impact_comments", &self.impact_comments),
        ] {
            if items.is_empty() {
                return Err(format!("{list} is empty"));
            }
        }
        if self
            .first_names
            .iter()
            .any(|n| n.is_empty() || !n.is_ascii())
            || self
                .last_names
                .iter()
                .any(|n| n.is_empty() || !n.is_ascii())
        {
            return Err("a staff name is empty or not ASCII".into());
        }
        let mut seen = std::collections::HashSet::new();
        for a in &self.agencies {
            for name in std::iter::once(&a.name).chain(&a.aliases) {
                if !seen.insert(name.to_lowercase()) {
                    return Err(format!("the agency name or alias '{name}' is given twice"));
                }
            }
            if !(0.0..=1.0).contains(&a.coverage) || a.weight < 0.0 || a.dna_factor < 0.0 {
                return Err(format!(
                    "agency '{}': coverage, weight or dna_factor out of range",
                    a.name
                ));
            }
        }
        if !self.agencies.iter().any(|a| a.weight > 0.0) {
            return Err("no agency has a booking weight".into());
        }
        let mut titles = std::collections::HashSet::new();
        for c in &self.courses {
            if !titles.insert(c.title.as_str()) {
                return Err(format!("the course '{}' is given twice", c.title));
            }
            if !["Level 1", "Level 2", "Level 3"].contains(&c.level.as_str()) {
                return Err(format!("course '{}': unknown level '{}'", c.title, c.level));
            }
            if c.modes.is_empty()
                || c.modes
                    .iter()
                    .any(|m| !MODES.contains(&m.mode.as_str()) || m.share <= 0.0)
            {
                return Err(format!(
                    "course '{}': a mode unknown or without a share",
                    c.title
                ));
            }
        }
        if self.courses.is_empty() {
            return Err("no courses".into());
        }
        for u in &self.unregistered {
            if seen.contains(&u.text.to_lowercase()) {
                return Err(format!("'{}' is in the register", u.text));
            }
            if let Some(name) = &u.agency
                && self.agency(name).is_none()
            {
                return Err(format!("'{}' misspells '{name}', not an agency", u.text));
            }
        }
        Ok(())
    }
}

/// The financial years generated, by starting calendar year.
pub const YEARS: [i32; 2] = [2024, 2025];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_partnership_parses_and_is_consistent() {
        let p = get().unwrap();
        assert_eq!((p.agencies.len(), p.courses.len()), (33, 13));
        assert_eq!(p.agency("Northshire Police"), Some(0));
        assert!(p.agencies.iter().filter(|a| a.statutory_partner).count() == 4);
        // The hub.toml of `sample --as-exports` names the items.
        let hub = super::super::exports::EXPORTS_HUB_TOML;
        for item in ITEMS.iter().chain(&IMPACT_ITEMS) {
            assert!(hub.contains(&format!("\"{item}\"")), "{item}");
        }
    }

    #[test]
    fn a_slip_in_the_partnership_is_refused() {
        let unknown = TOML.replacen("headcount = 820", "headcount = 820\nstaff = 3", 1);
        assert!(parse(&unknown).unwrap_err().contains("unknown field"));
        let twice = TOML.replacen("name = \"Cafcass\"", "name = \"Northshire Police\"", 1);
        assert!(parse(&twice).unwrap_err().contains("given twice"));
        let mode = TOML.replacen("mode = \"Virtual\"", "mode = \"Webinar\"", 1);
        assert!(parse(&mode).unwrap_err().contains("mode unknown"));
        let typo = TOML.replacen("text = \"Sure Start Eastvale\"", "text = \"NSP\"", 1);
        assert!(parse(&typo).unwrap_err().contains("in the register"));
    }
}
