//! `hubreport report`: the pipeline in one function. Load the exports, build
//! the dataframes, compute each period's metrics, render its page, write the
//! tables and the page.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::cli::ReportArgs;
use crate::config::SubGroup;
use crate::error::{Error, Result, exit};
use crate::metrics::period::{Calendar, Choice, Period};
use crate::metrics::{self, Metrics, sql};
use crate::model::Dataset;
use crate::render::html::Pages;
use crate::render::pages::{self, Comparison, Kind};
use crate::{frame, load, render};

pub fn run(args: &ReportArgs) -> Result<u8> {
    let (config, data_dir) = args.input.resolve()?;
    let calendar = Calendar::new(config.fy_start_month);
    let choice = Choice::parse(&args.period, &calendar)?;
    let in_base = |d: &Option<PathBuf>| d.as_ref().map(|d| config.base_dir.join(d));
    let queries = sql::queries(in_base(&config.queries_dir).as_deref())?;
    let pages = Pages::new(
        in_base(&config.templates_dir).as_deref(),
        config.disclosure_threshold,
    )?;
    let today = args
        .as_of
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    let out_root = args.out.clone().unwrap_or_else(|| config.out_dir());

    let data = load::load(&config, &data_dir)?;
    let dates: Vec<NaiveDate> = data
        .bookings
        .iter()
        .map(|b| b.session_date)
        .chain(data.sessions.iter().map(|s| s.session_date))
        .collect();
    let periods = periods_with_data(&choice, &calendar, &dates)?;
    let has_data = |p: &Period| dates.iter().any(|d| p.contains(*d));
    let rejected = data.quality.rows_rejected();

    // Each sub-group's data, for its quarterly packs.
    let wants_packs = periods.iter().any(|p| p.quarter.is_some());
    let subgroups: Vec<(&SubGroup, Group)> = config
        .subgroups
        .iter()
        .filter(|_| wants_packs)
        .map(|g| Ok((g, Group::new(&data.subset(g), &calendar)?)))
        .collect::<Result<_>>()?;
    let mut outputs: Vec<(PathBuf, Vec<(PathBuf, Vec<u8>)>, String)> = Vec::new();
    let whole = Group::new(&data, &calendar)?;
    for period in &periods {
        let m = whole.metrics(*period, &data.quality, &config, &queries, today)?;
        let mut files = files(&m)?;
        let kind = match period.quarter {
            None => Kind::Annual,
            Some(_) => Kind::Quarterly,
        };
        files.push(page(
            &pages,
            kind,
            &whole,
            &m,
            None,
            &calendar,
            &has_data,
            &data.quality,
            &config,
            &queries,
            today,
            rejected,
        )?);
        if kind == Kind::Quarterly {
            for (g, group) in &subgroups {
                let gm = group.metrics(*period, &data.quality, &config, &queries, today)?;
                let (_, html) = page(
                    &pages,
                    kind,
                    group,
                    &gm,
                    Some(&g.name),
                    &calendar,
                    &has_data,
                    &data.quality,
                    &config,
                    &queries,
                    today,
                    rejected,
                )?;
                let slug = slug(&g.name);
                files.push((PathBuf::from(format!("quarterly-pack-{slug}.html")), html));
            }
        }
        outputs.push((out_root.join(period.slug()), files, headline(&m)));
    }
    for (dir, files, headline) in &outputs {
        write_all(dir, files)?;
        println!("{headline}");
        let shown = |p: &Path| p.strip_prefix(".").unwrap_or(p).display().to_string();
        for (rel, _) in files
            .iter()
            .filter(|(r, _)| r.extension().is_some_and(|e| e == "html"))
        {
            println!("  report: {}", shown(&dir.join(rel)));
        }
        println!("  tables: {}", shown(&dir.join("tables")));
    }
    Ok(if rejected > 0 {
        eprintln!(
            "note: {rejected} row(s) were rejected and are left out of every figure; \
             each is listed with its reason in tables/rejected.csv"
        );
        exit::REJECTED_ROWS
    } else {
        exit::OK
    })
}

/// One dataset (the partnership's, or a sub-group's) as dataframes, with
/// each period's metrics computed once.
struct Group {
    frames: frame::Frames,
    cache: std::cell::RefCell<std::collections::BTreeMap<Period, std::rc::Rc<Metrics>>>,
}

impl Group {
    fn new(data: &Dataset, calendar: &Calendar) -> Result<Group> {
        Ok(Group {
            frames: frame::frames(data, calendar)?,
            cache: Default::default(),
        })
    }

    fn metrics(
        &self,
        period: Period,
        quality: &crate::model::Quality,
        config: &crate::config::Config,
        queries: &[sql::Query],
        today: NaiveDate,
    ) -> Result<std::rc::Rc<Metrics>> {
        if let Some(m) = self.cache.borrow().get(&period) {
            return Ok(m.clone());
        }
        let m = std::rc::Rc::new(metrics::compute(
            &self.frames,
            quality,
            config,
            queries,
            period,
            today,
        )?);
        self.cache.borrow_mut().insert(period, m.clone());
        Ok(m)
    }
}

/// Renders a period's page, comparing it with the period before (and, for a
/// quarter, the same quarter a year before) where the data covers them.
#[allow(clippy::too_many_arguments)]
fn page(
    pages: &Pages,
    kind: Kind,
    group: &Group,
    m: &Metrics,
    subgroup: Option<&str>,
    calendar: &Calendar,
    has_data: &dyn Fn(&Period) -> bool,
    quality: &crate::model::Quality,
    config: &crate::config::Config,
    queries: &[sql::Query],
    today: NaiveDate,
    rejected: usize,
) -> Result<(PathBuf, Vec<u8>)> {
    let mut wanted = vec![calendar.previous(&m.period)];
    if kind == Kind::Quarterly {
        wanted.push(calendar.year_before(&m.period));
    }
    let mut computed = Vec::new();
    for p in wanted {
        let metrics = if has_data(&p) {
            Some(group.metrics(p, quality, config, queries, today)?)
        } else {
            None
        };
        computed.push((p, metrics));
    }
    let comparisons: Vec<Comparison<'_>> = computed
        .iter()
        .map(|(p, m)| Comparison {
            label: p.label(),
            metrics: m.as_deref(),
        })
        .collect();
    let context = pages::page(kind, m, &comparisons, subgroup, config, rejected)?;
    let html = pages.render(kind.template(), &context)?;
    Ok((PathBuf::from(kind.template()), html.into_bytes()))
}

/// A file-name-safe form of a name: `Child exploitation (CE)` → `child-exploitation-ce`.
fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// The periods to build; an explicit period with no sessions in it is an
/// error, not an empty report.
fn periods_with_data(
    choice: &Choice,
    calendar: &Calendar,
    dates: &[NaiveDate],
) -> Result<Vec<Period>> {
    let (Some(first), Some(last)) = (dates.iter().min(), dates.iter().max()) else {
        return Err(Error::Sources(
            "no sessions or bookings were loaded: there is nothing to report".into(),
        ));
    };
    let periods = choice.resolve(calendar, dates.iter().copied());
    for p in &periods {
        if !dates.iter().any(|d| p.contains(*d)) {
            return Err(Error::Usage(format!(
                "--period {}: no session falls in it ({} to {}); the data runs from {first} to {last}",
                p.slug(),
                p.start,
                p.end
            )));
        }
    }
    Ok(periods)
}

/// Every file of one period's folder, as (path relative to it, bytes).
pub fn files(m: &Metrics) -> Result<Vec<(PathBuf, Vec<u8>)>> {
    let mut out = Vec::new();
    for t in &m.tables {
        out.push((
            Path::new("tables").join(format!("{}.csv", t.name)),
            render::csv(t),
        ));
        out.push((
            Path::new("tables").join(format!("{}.parquet", t.name)),
            frame::parquet_bytes(t)?,
        ));
    }
    out.push((PathBuf::from("tables.xlsx"), render::xlsx(&m.tables)?));
    Ok(out)
}

fn write_all(dir: &Path, files: &[(PathBuf, Vec<u8>)]) -> Result<()> {
    for (rel, bytes) in files {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|source| Error::Io {
                context: format!("could not create '{}'", parent.display()),
                source,
            })?;
        }
        std::fs::write(&path, bytes).map_err(|source| Error::Io {
            context: format!("could not write '{}'", path.display()),
            source,
        })?;
    }
    Ok(())
}

/// The period's headline figures in one paragraph for the terminal.
pub fn headline(m: &Metrics) -> String {
    let get = |table: &str, row: usize, col: &str| {
        m.table(table)
            .map(|t| t.get(row, col))
            .and_then(|v| v.as_f64())
    };
    let count =
        |table: &str, col: &str| get(table, 0, col).map_or("-".to_string(), |v| format!("{v:.0}"));
    let pct = |table: &str, col: &str| {
        get(table, 0, col).map_or("-".to_string(), |v| format!("{:.1}%", 100.0 * v))
    };
    let rag = |name: &str| {
        m.table("coverage_by_agency").map_or(0, |t| {
            (0..t.height())
                .filter(|&i| t.get(i, "rag").to_text() == name)
                .count()
        })
    };
    let gain = m
        .table("learning_gain_overall")
        .map(|t| (t.get(0, "mean_gain"), t.get(0, "p_value")));
    let gain = match gain {
        Some((g, p)) if g.as_f64().is_some() => format!(
            "mean gain {:+.2} (p {})",
            g.as_f64().unwrap_or_default(),
            p.as_f64().map_or("-".into(), |p| if p < 0.001 {
                "< 0.001".into()
            } else {
                format!("{p:.3}")
            })
        ),
        _ => "no paired forms".into(),
    };
    format!(
        "{} (as of {}): {} registrations, {} trained; non-attendance {}, charges £{}; \
         {} paired forms, {gain}; impact response {}, applied {}; \
         agencies red {}, amber {}, green {}, no return {}",
        m.period,
        m.as_of,
        count("attendance_overall", "registrations"),
        count("attendance_overall", "trained"),
        pct("attendance_overall", "non_attendance_rate"),
        count("attendance_overall", "charges"),
        count("learning_gain_overall", "n_paired"),
        pct("impact_overall", "response_rate"),
        pct("impact_overall", "applied_rate"),
        rag("red"),
        rag("amber"),
        rag("green"),
        rag("missing"),
    )
}
