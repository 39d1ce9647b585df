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
//!   `No return, red`), `interval:COL` (a mean gain's 95% interval: the
//!   value is its low end, the row's `gain_ci_high` its high end).
//! - `declared(name)`: a metrics table's columns, `[key, heading]` or
//!   `[key, heading, kind]`, each with its kind complete: the kind its table
//!   declares (`metrics::tables`) where none is given, and the
//!   declared COL where a kind leaves it out (`signed`, `interval`). The
//!   `table` macro of `macros.html` applies it when given the table's name.
//!
//! Rendering has a budget of steps ([`FUEL`]): a template that loops for
//! ever stops with an error naming it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use minijinja::Environment;
use serde::Serialize;

use crate::error::{Error, Result};
pub use crate::render::format::{capitalised, label};

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

mod filters;

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
        filters::add(&mut env, threshold);
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
mod tests;
