//! The report pages: minijinja templates, built in from `report_templates/`
//! and overridable file by file from config's `templates_dir`.
//!
//! Custom filters, for template authors (all apply disclosure control with
//! the configured threshold; `–` is shown for what is missing or withheld):
//! - `count`: `12,345`; `<5` for counts of 1-4.
//! - `rate(denominator)`: a fraction as a whole percentage, `–` over fewer
//!   than the threshold people or when the count it stands for (rate times
//!   denominator) is under the threshold.
//! - `percent`: a fraction that counts no one (a target) as a percentage.
//! - `mean(n, digits=2)`: a mean or statistic over `n` people.
//! - `money(count=none)`: `£12,345`, withheld if `count` is 1-4.
//! - `signed(digits=2)`: `+0.80`.
//! - `cell(kind, row)`: a table cell by kind: `text`, `count`, `money:COL`,
//!   `rate:COL`, `mean:COL` or `signed:COL` (COL names the row's column
//!   holding the number of people), `part:COL` (a rate whose count is the
//!   row's column COL: take-up, the funnel's shares), `percent` (a target),
//!   `fixed` (2 decimals), `int` (a plain number, no suppression: not for
//!   counts of people or rows), `p` (a p-value), `label` (`no_return;red` as
//!   `No return, red`).
//!
//! Rendering has a budget of steps ([`FUEL`]): a template that loops for
//! ever stops with an error naming it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use minijinja::{Environment, Value};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::render::format;

/// The built-in templates.
pub const BUILT_IN: &[(&str, &str)] = &[
    (
        "base.html",
        include_str!("../../report_templates/base.html"),
    ),
    (
        "macros.html",
        include_str!("../../report_templates/macros.html"),
    ),
    (
        "annual-report.html",
        include_str!("../../report_templates/annual-report.html"),
    ),
    (
        "quarterly-pack.html",
        include_str!("../../report_templates/quarterly-pack.html"),
    ),
    (
        "session-summary.html",
        include_str!("../../report_templates/session-summary.html"),
    ),
    (
        "facilitator.html",
        include_str!("../../report_templates/facilitator.html"),
    ),
    (
        "sessions-index.html",
        include_str!("../../report_templates/sessions-index.html"),
    ),
];

/// The steps a page may take to render: far more than the built-in
/// templates take at national scale, far fewer than a loop that never ends.
pub const FUEL: u64 = 200_000_000;

/// The template environment.
pub struct Pages {
    env: Environment<'static>,
    origins: BTreeMap<&'static str, Origin>,
}

/// Where a template's source came from.
#[derive(Debug, Clone)]
struct Origin {
    /// `built-in report_templates/<name>`, or the file's path.
    file: String,
    built_in: bool,
}

fn num(v: &Value) -> Option<f64> {
    if v.is_none() || v.is_undefined() {
        return None;
    }
    f64::try_from(v.clone()).ok()
}

impl Pages {
    /// The built-in templates, each replaced by `<dir>/<name>` where that file
    /// exists; an `.html` file there with any other name is an error.
    pub fn new(dir: Option<&Path>, threshold: u32) -> Result<Pages> {
        let mut sources: Vec<(&'static str, String, Origin)> = BUILT_IN
            .iter()
            .map(|(n, s)| {
                (
                    *n,
                    (*s).to_string(),
                    Origin {
                        file: format!("built-in report_templates/{n}"),
                        built_in: true,
                    },
                )
            })
            .collect();
        if let Some(dir) = dir {
            let entries = std::fs::read_dir(dir).map_err(|source| Error::Io {
                context: format!("could not read templates_dir '{}'", dir.display()),
                source,
            })?;
            let mut paths: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    p.extension()
                        .is_some_and(|e| e.eq_ignore_ascii_case("html"))
                })
                .collect();
            paths.sort();
            for path in paths {
                let file = path
                    .file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned();
                let Some(entry) = sources.iter_mut().find(|(n, _, _)| *n == file) else {
                    let names: Vec<&str> = BUILT_IN.iter().map(|(n, _)| *n).collect();
                    return Err(Error::Usage(format!(
                        "templates_dir '{}': '{file}' is not one of hubreport's templates ({})",
                        dir.display(),
                        names.join(", ")
                    )));
                };
                entry.1 = std::fs::read_to_string(&path).map_err(|source| Error::Io {
                    context: format!("could not read template '{}'", path.display()),
                    source,
                })?;
                entry.2 = Origin {
                    file: path.display().to_string(),
                    built_in: false,
                };
            }
        }
        let mut env = Environment::new();
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
        env.set_fuel(Some(FUEL));
        let mut origins = BTreeMap::new();
        for (name, source, origin) in sources {
            env.add_template_owned(name, source)
                .map_err(|e| template_error(&origin, &e))?;
            origins.insert(name, origin);
        }
        let t = threshold;
        env.add_filter("count", move |v: Value| format::count(num(&v), t));
        env.add_filter("rate", move |v: Value, d: Value| {
            format::rate(num(&v), num(&d), t)
        });
        env.add_filter("mean", move |v: Value, n: Value, digits: Option<usize>| {
            format::mean(num(&v), num(&n), digits.unwrap_or(2), t)
        });
        env.add_filter("money", move |v: Value, c: Option<Value>| {
            format::money(num(&v), c.as_ref().and_then(num), t)
        });
        env.add_filter("percent", |v: Value| format::percent(num(&v)));
        env.add_filter("signed", |v: Value, digits: Option<usize>| {
            format::signed(num(&v), digits.unwrap_or(2))
        });
        env.add_filter("cell", move |v: Value, kind: String, row: Value| {
            let (kind, col) = kind.split_once(':').unwrap_or((kind.as_str(), ""));
            let n = || row.get_attr(col).ok().as_ref().and_then(num);
            match kind {
                "count" => format::count(num(&v), t),
                "money" => format::money(num(&v), n(), t),
                "rate" => format::rate(num(&v), n(), t),
                "part" => format::share(num(&v), n(), t),
                "percent" => format::percent(num(&v)),
                "mean" => format::mean(num(&v), n(), 2, t),
                "signed" => {
                    if format::too_few(n(), t) {
                        format::DASH.into()
                    } else {
                        format::signed(num(&v), 2)
                    }
                }
                "fixed" => num(&v).map_or(format::DASH.into(), |x| format!("{x:.2}")),
                // A mean gain's 95% interval: the value is its low end, the
                // row's gain_ci_high its high end, COL counts its people.
                "interval" => {
                    let high = row.get_attr("gain_ci_high").ok().as_ref().and_then(num);
                    match (num(&v), high) {
                        (Some(lo), Some(hi)) if !format::too_few(n(), t) => format!(
                            "{} to {}",
                            format::signed(Some(lo), 2),
                            format::signed(Some(hi), 2)
                        ),
                        _ => format::DASH.into(),
                    }
                }
                "int" => num(&v).map_or(format::DASH.into(), |x| format::thousands(x as i64)),
                "label" => {
                    if v.is_none() || v.is_undefined() {
                        String::new()
                    } else {
                        label(&v.to_string())
                    }
                }
                "p" => num(&v).map_or(format::DASH.into(), |p| {
                    if p < 0.001 {
                        "<0.001".into()
                    } else {
                        format!("{p:.3}")
                    }
                }),
                _ => {
                    if v.is_none() || v.is_undefined() {
                        String::new()
                    } else {
                        v.to_string()
                    }
                }
            }
        });
        Ok(Pages { env, origins })
    }

    /// Renders one page. An error names the template file and line.
    pub fn render(&self, name: &str, context: &impl Serialize) -> Result<String> {
        self.env
            .get_template(name)
            .and_then(|t| t.render(minijinja::value::Serde(context)))
            .map_err(|e| self.render_error(name, &e))
    }

    /// A rendering error, naming the template it happened in. With templates
    /// of `templates_dir` in use, an error is theirs even where it shows in
    /// a built-in template (a block or macro they changed, or the data they
    /// pass): it is blamed on them, not on hubreport.
    fn render_error(&self, rendered: &str, e: &minijinja::Error) -> Error {
        let at = e.name().unwrap_or(rendered);
        let origin = self.origins.get(at).cloned().unwrap_or(Origin {
            file: at.to_string(),
            built_in: true,
        });
        let overrides: Vec<&str> = self
            .origins
            .values()
            .filter(|o| !o.built_in)
            .map(|o| o.file.as_str())
            .collect();
        if origin.built_in && !overrides.is_empty() {
            Error::Template {
                file: overrides.join("', '"),
                built_in: false,
                message: format!(
                    "{} (in {}, which these templates extend or use)",
                    describe(e),
                    origin.file
                ),
            }
        } else {
            template_error(&origin, e)
        }
    }
}

/// `no_return;red` → `No return, red`; `confidence_to_act` → `Confidence to act`.
pub fn label(key: &str) -> String {
    capitalised(&key.replace('_', " ").replace(';', ", "))
}

/// `text` with a capital first letter, whatever its script: `émotions` →
/// `Émotions`; text without cases (`情感`) or empty stays as it is.
pub fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn template_error(origin: &Origin, e: &minijinja::Error) -> Error {
    Error::Template {
        file: origin.file.clone(),
        built_in: origin.built_in,
        message: describe(e),
    }
}

/// The error with its causes; running out of fuel explained.
fn describe(e: &minijinja::Error) -> String {
    let mut message = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        message.push_str(&format!(": {s}"));
        source = s.source();
    }
    if e.kind() == minijinja::ErrorKind::OutOfFuel {
        message = format!(
            "the template took more than {FUEL} steps and was stopped (a loop that never ends?): {message}"
        );
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::exit;

    /// Pages with `files` (name, source) in a templates folder.
    fn pages(files: &[(&str, &str)]) -> (tempfile::TempDir, Result<Pages>) {
        let dir = tempfile::tempdir().unwrap();
        for (name, source) in files {
            std::fs::write(dir.path().join(name), source).unwrap();
        }
        let pages = Pages::new(Some(dir.path()), 5);
        (dir, pages)
    }

    #[test]
    fn capitals_in_any_script() {
        assert_eq!(capitalised("émotions"), "Émotions");
        assert_eq!(capitalised("情感"), "情感");
        assert_eq!(capitalised("ß"), "SS");
        assert_eq!(capitalised(""), "");
        assert_eq!(label("no_return;red"), "No return, red");
    }

    #[test]
    fn a_template_that_never_ends_stops_naming_its_file() {
        let endless = "{% for i in range(100000) %}{% for j in range(100000) %}{{ i }}{% endfor %}{% endfor %}";
        let (dir, pages) = pages(&[("annual-report.html", endless)]);
        let mut pages = pages.unwrap();
        pages.env.set_fuel(Some(100_000));
        let e = pages
            .render("annual-report.html", &minijinja::context! {})
            .unwrap_err();
        assert_eq!(e.exit_code(), exit::USAGE);
        let text = e.to_string();
        let file = dir.path().join("annual-report.html").display().to_string();
        assert!(text.starts_with(&format!("in template '{file}'")), "{text}");
        assert!(
            text.contains("was stopped (a loop that never ends?)"),
            "{text}"
        );
    }

    #[test]
    fn an_error_in_a_built_in_template_is_blamed_on_the_overrides_in_use() {
        // A base.html without the blocks the built-in pages fill in, and
        // with a variable they do not pass.
        let (dir, pages) = pages(&[("base.html", "{{ nothing.here }}")]);
        let e = pages
            .unwrap()
            .render("annual-report.html", &minijinja::context! {})
            .unwrap_err();
        assert_eq!(e.exit_code(), exit::USAGE);
        let file = dir.path().join("base.html").display().to_string();
        assert!(e.to_string().contains(&file), "{e}");

        let builtin = Pages::new(None, 5).unwrap();
        let e = builtin
            .render("annual-report.html", &minijinja::context! {})
            .unwrap_err();
        assert_eq!(e.exit_code(), exit::INTERNAL, "{e}");
    }

    #[test]
    fn the_fuel_is_far_more_than_a_national_report_takes() {
        // The tables aggregate, so a national report has a few hundred rows
        // a table; give every table 5,000.
        let rows = 5_000;
        let texts = [
            ("course", "A course"),
            ("agency", "An agency"),
            ("quarter", "2024-25 Q1"),
            ("mode", "Online"),
            ("level", "Level 1"),
            ("item", "an_item"),
            ("stage", "trained"),
            ("source", "attendance"),
            ("file", "attendance.csv"),
            ("suggestion", "An agency"),
            ("rag", "green"),
            ("flags", "red"),
        ];
        let numbers = [
            "sessions",
            "registrations",
            "trained",
            "dna",
            "late_cancellations",
            "non_attendance_rate",
            "late_cancellation_rate",
            "take_up_rate",
            "charges",
            "chargeable",
            "n_paired",
            "pre_mean",
            "post_mean",
            "mean_gain",
            "hake_gain",
            "pct_improved",
            "p_value",
            "gain_ci_low",
            "gain_ci_high",
            "hake_ci_low",
            "hake_ci_high",
            "responses",
            "satisfaction_mean",
            "pct_satisfied",
            "eligible",
            "response_rate",
            "applied_rate",
            "answered_applied",
            "mean",
            "pct_agree",
            "count",
            "share",
            "headcount",
            "pct_trained",
            "gap",
            "ma_trained",
            "representation",
            "target",
            "rows_read",
            "rows_loaded",
            "rows_rejected",
            "rows_skipped",
            "duplicates_merged",
            "unmatched_agencies",
            "unmatched_links",
            "undated_cancellations",
            "trained_current",
            "lapsing",
            "pct_current",
            "rows",
        ];
        let row: BTreeMap<&str, serde_json::Value> = texts
            .iter()
            .map(|(k, v)| (*k, serde_json::Value::from(*v)))
            .chain(numbers.iter().map(|k| (*k, serde_json::Value::from(50))))
            .collect();
        let table = vec![row; rows];
        let names = [
            "attendance_by_quarter",
            "attendance_by_course",
            "attendance_by_mode",
            "attendance_by_level",
            "attendance_by_agency",
            "learning_gain_by_item",
            "learning_gain_by_course",
            "learning_gain_by_agency",
            "reaction_by_course",
            "impact_by_course",
            "impact_by_item",
            "funnel",
            "coverage_by_agency",
            "coverage_by_agency_level",
            "currency_by_agency",
            "data_quality",
            "unmatched_agencies",
            "attendance_overall",
            "impact_overall",
        ];
        let tables: BTreeMap<&str, _> = names.iter().map(|n| (*n, table.clone())).collect();
        let context = minijinja::context! {
            kind => "annual", title => "t", partnership => "p", period => "2024-25",
            as_of => "31 March 2025", subgroup => (), threshold => 5, fees => (75, 50),
            target => 0.9, follow_up_days => 60, notice_days => 7, comparisons => ["2023-24"],
            currency_date => "31 March 2025", refresher_years => 2,
            headline => Vec::<i32>::new(), attention => Vec::<i32>::new(),
            tables => Value::from(minijinja::value::Serde(&tables)),
            charts => BTreeMap::<String, String>::new(), rows_rejected => 0,
            quarters => Vec::<i32>::new(),
        };
        let pages = Pages::new(None, 5).unwrap();
        let template = pages.env.get_template("annual-report.html").unwrap();
        let rendered = template.render_captured(context).unwrap();
        let (used, _) = rendered.state().fuel_levels().unwrap();
        assert!(
            used * 10 < FUEL,
            "{rows} rows a table take {used} of {FUEL}"
        );
    }
}
