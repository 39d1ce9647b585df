//! The report pages: minijinja templates, built in from `report_templates/`
//! and overridable file by file from config's `templates_dir`.
//!
//! Custom filters, for template authors (all apply disclosure control with
//! the configured threshold; `–` is shown for what is missing or withheld):
//! - `count`: `12,345`; `<5` for counts of 1-4.
//! - `rate(denominator)`: a fraction as a whole percentage, `–` over fewer
//!   than the threshold.
//! - `mean(n, digits=2)`: a mean or statistic over `n` people.
//! - `money(count=none)`: `£12,345`, withheld if `count` is 1-4.
//! - `signed(digits=2)`: `+0.80`.
//! - `cell(kind, row)`: a table cell by kind: `text`, `count`, `money:COL`,
//!   `rate:COL`, `mean:COL` or `signed:COL` (COL names the row's column
//!   holding the number of people), `fixed` (2 decimals), `int` (a plain
//!   number, no suppression: rows of files), `p` (a p-value), `label`
//!   (`no_return;red` as `No return, red`).

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
];

/// The template environment.
pub struct Pages {
    env: Environment<'static>,
    origins: BTreeMap<&'static str, String>,
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
        let mut sources: Vec<(&'static str, String, String)> = BUILT_IN
            .iter()
            .map(|(n, s)| {
                (
                    *n,
                    (*s).to_string(),
                    format!("built-in report_templates/{n}"),
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
                entry.2 = path.display().to_string();
            }
        }
        let mut env = Environment::new();
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
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
                "mean" => format::mean(num(&v), n(), 2, t),
                "signed" => {
                    if format::too_few(n(), t) {
                        format::DASH.into()
                    } else {
                        format::signed(num(&v), 2)
                    }
                }
                "fixed" => num(&v).map_or(format::DASH.into(), |x| format!("{x:.2}")),
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
        let origin = self
            .origins
            .get(name)
            .cloned()
            .unwrap_or_else(|| name.to_string());
        let template = self
            .env
            .get_template(name)
            .map_err(|e| template_error(&origin, &e))?;
        template
            .render(minijinja::value::Serde(context))
            .map_err(|e| template_error(&origin, &e))
    }
}

/// `no_return;red` → `No return, red`; `confidence_to_act` → `Confidence to act`.
pub fn label(key: &str) -> String {
    let text = key.replace('_', " ").replace(';', ", ");
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => text,
    }
}

fn template_error(origin: &str, e: &minijinja::Error) -> Error {
    let mut message = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        message.push_str(&format!(": {s}"));
        source = s.source();
    }
    Error::Template {
        file: origin.to_string(),
        built_in: origin.starts_with("built-in"),
        message,
    }
}
