//! `hubreport report`: the pipeline in one function. Load the exports, build
//! the dataframes, compute each period's metrics, render its page, and put
//! the tables, the page and a manifest in place under a lock.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use chrono::NaiveDate;

use crate::calendar::{Calendar, Choice, Period};
use crate::config::{Config, SubGroup};
use crate::error::{Error, Result, exit};
use crate::metrics::{self, Metrics, Scope, sql};
use crate::model::{Dataset, Quality};
use crate::publish::{self, Manifest};
use crate::render::html::Pages;
use crate::render::pages::{self, Comparison, Kind};
use crate::{frame, load, log, render};

type Files = Vec<(PathBuf, Vec<u8>)>;

/// What `report` is asked for.
#[derive(Debug, Clone)]
pub struct Options {
    pub input: crate::config::Input,
    /// A period, several comma-separated, or a name such as `latest`.
    pub period: String,
    /// The output folder [default: the config's].
    pub out: Option<PathBuf>,
    /// The run date [default: today].
    pub as_of: Option<NaiveDate>,
    /// Wait for another run's lock instead of failing.
    pub wait: bool,
    /// Fail, writing nothing, if any row is rejected.
    pub strict: bool,
}

pub fn run(args: &Options) -> Result<u8> {
    let (config, data_dir) = args.input.resolve()?;
    let calendar = Calendar::new(config.fy_start_month);
    let choices: Vec<Choice> = args
        .period
        .split(',')
        .map(|p| Choice::parse(p, &calendar))
        .collect::<Result<_>>()?;
    let in_base = |d: &Option<PathBuf>| d.as_ref().map(|d| config.base_dir.join(d));
    let queries = sql::queries(in_base(&config.queries_dir).as_deref())?;
    let pages = Pages::new(
        in_base(&config.templates_dir).as_deref(),
        config.disclosure_threshold,
    )?;
    let today = args
        .as_of
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    let mut lock = open_output(&config, args.out.as_deref(), &data_dir, args.wait)?;

    log::info(format!("reading {}", data_dir.display()));
    let mut data = load::load(&config, &data_dir)?;
    let rejected = data.quality.rows_rejected();
    if rejected > 0 && args.strict {
        let first = &data.quality.rejections[0];
        return Err(Error::Strict(format!(
            "{rejected} row(s) were rejected and --strict is set, so nothing was written; the first: \
             {}, sheet '{}', row {}, column '{}': '{}': {} (`hubreport check` lists them all)",
            first.file, first.sheet, first.row, first.column, first.value, first.reason
        )));
    }
    let dates: Vec<NaiveDate> = data
        .bookings
        .iter()
        .map(|b| b.session_date)
        .chain(data.sessions.iter().map(|s| s.session_date))
        .collect();
    let periods = periods_with_data(&choices, &calendar, &dates, today)?;
    if choices.contains(&Choice::Latest) {
        warn_if_thin_latest(&data, &calendar, &dates, today);
    }
    let manifest = manifest(&config, &data_dir, &data.quality)?;

    // Every folder is computed in memory before anything is written.
    let whole = Group::new(&data, &calendar)?;
    log::info(format!(
        "loaded {} bookings, {} sessions, {} evaluation scores, {} impact answers; frames {:.1} MB",
        data.bookings.len(),
        data.sessions.len(),
        data.scores.len(),
        data.responses.len(),
        whole.frames.estimated_size() as f64 / 1e6
    ));
    let wants_packs = periods.iter().any(|p| p.quarter.is_some());
    let subgroups: Vec<(&SubGroup, Group)> = config
        .subgroups
        .iter()
        .filter(|_| wants_packs)
        .map(|g| Ok((g, Group::new(&data.subset(g), &calendar)?)))
        .collect::<Result<_>>()?;
    // The frames hold every row now: free the loaded rows (all but the
    // ledger), so that the queries reuse their memory rather than take more.
    // Millions of small strings take a while to free: another thread does it
    // while the first period is computed.
    let quality = std::mem::take(&mut data.quality);
    let freeing = std::thread::spawn(move || drop(data));
    let run = Run {
        config: &config,
        calendar,
        queries,
        pages,
        quality: &quality,
        today,
        dates,
    };
    let bar = log::progress(periods.len() as u64);
    // Periods are independent: they are computed on as many threads as there
    // are cores, and kept in the order asked for.
    let outputs: Vec<(Period, Files, String)> = crate::parallel::map_in_order(&periods, |period| {
        bar.set_message(period.label());
        log::info(format!("computing {period}"));
        let m = whole.metrics(*period, &run)?;
        let mut files = files(&m)?;
        let kind = match period.quarter {
            None => Kind::Annual,
            Some(_) => Kind::Quarterly,
        };
        files.push((
            PathBuf::from(kind.template()),
            run.page(kind, &whole, &m, None)?,
        ));
        if kind == Kind::Quarterly {
            for (g, group) in &subgroups {
                let gm = group.metrics(*period, &run)?;
                files.push((
                    PathBuf::from(format!(
                        "quarterly-pack-{}.html",
                        crate::render::slug(&g.name)
                    )),
                    run.page(kind, group, &gm, Some(&g.name))?,
                ));
            }
        }
        let manifest = Manifest {
            period: period.label(),
            as_of: m.as_of.to_string(),
            ..manifest.clone()
        }
        .with_outputs(&files);
        files.push((PathBuf::from("manifest.json"), manifest.to_bytes()));
        bar.inc(1);
        Ok((*period, files, headline(&m)))
    })
    .into_iter()
    .collect::<Result<_>>()?;
    bar.finish_and_clear();

    let slugs: Vec<String> = outputs.iter().map(|(p, _, _)| p.slug()).collect();
    let folders: Vec<(&str, &publish::Files)> = slugs
        .iter()
        .zip(&outputs)
        .map(|(slug, (_, files, _))| (slug.as_str(), files.as_slice()))
        .collect();
    let dirs = publish::publish(&mut lock, &folders)?;
    for ((_, files, headline), dir) in outputs.iter().zip(&dirs) {
        log::info(format!("wrote {}", dir.display()));
        if !log::is_quiet() {
            log::out(&format!("{headline}\n"));
            let shown = |p: &Path| p.strip_prefix(".").unwrap_or(p).display().to_string();
            for (rel, _) in files
                .iter()
                .filter(|(r, _)| r.extension().is_some_and(|e| e == "html"))
            {
                log::out(&format!("  report: {}\n", shown(&dir.join(rel))));
            }
            log::out(&format!("  tables: {}\n", shown(&dir.join("tables"))));
        }
    }
    // The loaded data and frames are large at national scale and the process
    // is about to end: let the OS reclaim them rather than free them piece
    // by piece (a second or more at a million rows).
    drop(run);
    std::mem::forget((whole, subgroups, outputs));
    // A thread that panicked has already reported it through the hook.
    let _ = freeing.join();
    Ok(if rejected > 0 {
        log::warn(format!(
            "{rejected} row(s) were rejected and are left out of every figure; \
             each is listed with its reason in tables/rejected.csv"
        ));
        exit::REJECTED_ROWS
    } else {
        exit::OK
    })
}

/// The config file's path and hash, or none when running on defaults.
/// The output folder (`out`, else the config's), checked and locked: the
/// first thing a run that publishes does. A folder named in hub.toml that
/// cannot be made is the config's fault.
pub(crate) fn open_output(
    config: &Config,
    out: Option<&Path>,
    data_dir: &Path,
    wait: bool,
) -> Result<publish::Lock> {
    let out_root = out.map_or_else(|| config.out_dir(), Path::to_path_buf);
    if out.is_none() && config.out_dir.is_some() {
        std::fs::create_dir_all(&out_root).map_err(|e| Error::Config {
            file: config.path.clone().unwrap_or_else(|| "hub.toml".into()),
            message: format!("out_dir: could not create '{}': {e}", out_root.display()),
        })?;
    }
    publish::check_out_root(&out_root, data_dir, config.path.as_deref())?;
    publish::lock(&out_root, wait)
}

/// A run's manifest before its folder's period, date and outputs are set:
/// the engine, the config's hash and every input.
pub(crate) fn manifest(config: &Config, data_dir: &Path, quality: &Quality) -> Result<Manifest> {
    Ok(Manifest {
        engine: format!("hubreport {}", env!("CARGO_PKG_VERSION")),
        period: String::new(),
        as_of: String::new(),
        config: config_hash(config)?,
        data_dir: data_dir.display().to_string(),
        inputs: inputs(quality),
        outputs: Vec::new(),
    })
}

fn config_hash(config: &Config) -> Result<Option<publish::Hashed>> {
    let Some(path) = &config.path else {
        return Ok(None);
    };
    let (size, sha256) = publish::sha256_file(path)?;
    Ok(Some(publish::Hashed {
        path: path.display().to_string(),
        size,
        sha256,
    }))
}

/// Every input file with its hash (taken when it was read) and row counts.
fn inputs(quality: &Quality) -> Vec<publish::Input> {
    let mut by_file: BTreeMap<(String, String), publish::Input> = BTreeMap::new();
    for s in &quality.sources {
        let input = by_file
            .entry((s.source.clone(), s.file.clone()))
            .or_insert_with(|| publish::Input {
                source: s.source.clone(),
                path: s.file.clone(),
                size: s.size,
                sha256: s.sha256.clone(),
                rows_read: 0,
                rows_loaded: 0,
                rows_rejected: 0,
                rows_skipped: 0,
            });
        input.rows_read += s.rows_read;
        input.rows_loaded += s.rows_loaded;
        input.rows_rejected += s.rows_rejected;
        input.rows_skipped += s.rows_skipped;
    }
    by_file.into_values().collect()
}

/// What every period of one run shares.
struct Run<'a> {
    config: &'a Config,
    calendar: Calendar,
    queries: Vec<sql::Query>,
    pages: Pages,
    quality: &'a Quality,
    today: NaiveDate,
    dates: Vec<NaiveDate>,
}

impl Run<'_> {
    fn has_data(&self, p: &Period) -> bool {
        self.dates.iter().any(|d| p.contains(*d))
    }

    /// Renders a period's page, comparing it with the period before (and,
    /// for a quarter, the same quarter a year before) where the data covers
    /// them.
    fn page(
        &self,
        kind: Kind,
        group: &Group,
        m: &Metrics,
        subgroup: Option<&str>,
    ) -> Result<Vec<u8>> {
        let mut wanted = vec![self.calendar.previous(&m.period)];
        if kind == Kind::Quarterly {
            wanted.push(self.calendar.year_before(&m.period));
        }
        let mut computed = Vec::new();
        for p in wanted {
            let metrics = if self.has_data(&p) {
                Some(group.metrics_scope(p, self, Scope::Headline)?)
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
        // A pack's trend: the seven quarters before this one, oldest first.
        let mut earlier = Vec::new();
        if kind == Kind::Quarterly {
            let mut p = m.period;
            for _ in 0..7 {
                p = self.calendar.previous(&p);
                let metrics = if self.has_data(&p) {
                    Some(group.metrics_scope(p, self, Scope::Headline)?)
                } else {
                    None
                };
                earlier.push((p, metrics));
            }
            earlier.reverse();
            // Quarters before the data begins are not part of its trend.
            let first = earlier.iter().position(|(_, m)| m.is_some());
            earlier.drain(..first.unwrap_or(earlier.len()));
        }
        let earlier: Vec<Comparison<'_>> = earlier
            .iter()
            .map(|(p, m)| Comparison {
                label: p.label(),
                metrics: m.as_deref(),
            })
            .collect();
        let rejected = self.quality.rows_rejected();
        let context = pages::page(
            kind,
            m,
            &comparisons,
            &earlier,
            subgroup,
            self.config,
            rejected,
        )?;
        Ok(self.pages.render(kind.template(), &context)?.into_bytes())
    }
}

/// One dataset (the partnership's, or a sub-group's) as dataframes, with
/// each period's metrics computed once.
struct Group {
    frames: frame::Frames,
    cache: Mutex<BTreeMap<(Period, Scope), Arc<Metrics>>>,
}

impl Group {
    fn new(data: &Dataset, calendar: &Calendar) -> Result<Group> {
        Ok(Group {
            frames: frame::frames(data, calendar)?,
            cache: Mutex::default(),
        })
    }

    /// A period's metrics: every table, or (for a comparison) only the
    /// headline ones, unless every table is computed already.
    fn metrics(&self, period: Period, run: &Run<'_>) -> Result<Arc<Metrics>> {
        self.metrics_scope(period, run, Scope::Full)
    }

    fn metrics_scope(&self, period: Period, run: &Run<'_>, scope: Scope) -> Result<Arc<Metrics>> {
        for have in [Scope::Full, scope] {
            let cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(m) = cache.get(&(period, have)) {
                return Ok(m.clone());
            }
        }
        let m = Arc::new(metrics::compute_scope(
            &self.frames,
            run.quality,
            run.config,
            &run.queries,
            period,
            run.today,
            scope,
        )?);
        // Two threads may compute the same comparison; either result serves.
        self.cache
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert((period, scope), m.clone());
        Ok(m)
    }
}

/// The periods to build; an explicit period with no sessions in it is an
/// error, not an empty report.
fn periods_with_data(
    choices: &[Choice],
    calendar: &Calendar,
    dates: &[NaiveDate],
    today: NaiveDate,
) -> Result<Vec<Period>> {
    let (Some(first), Some(last)) = (dates.iter().min(), dates.iter().max()) else {
        return Err(Error::Sources(
            "no sessions or bookings were loaded: there is nothing to report".into(),
        ));
    };
    let mut periods: Vec<Period> = Vec::new();
    for c in choices {
        let resolved = c.resolve(calendar, dates.iter().copied(), today);
        if resolved.is_empty() {
            // Only latest resolves to nothing, and only with every date
            // after the run date.
            return Err(Error::Usage(format!(
                "--period latest: no session is on or before the run date {today}; the data runs \
                 from {first} to {last}: give --as-of, or name the period"
            )));
        }
        periods.extend(resolved);
    }
    periods.sort();
    periods.dedup();
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

/// Warns when the year `latest` picks has few sessions (one mistyped date
/// can make a year the latest).
fn warn_if_thin_latest(data: &Dataset, calendar: &Calendar, dates: &[NaiveDate], today: NaiveDate) {
    let Some(year) = Choice::Latest
        .resolve(calendar, dates.iter().copied(), today)
        .pop()
    else {
        return;
    };
    let before = calendar.previous(&year);
    let sessions: std::collections::BTreeSet<(&str, NaiveDate)> = data
        .bookings
        .iter()
        .map(|b| (&*b.session_id, b.session_date))
        .chain(
            data.sessions
                .iter()
                .map(|s| (s.session_id.as_str(), s.session_date)),
        )
        .filter(|(_, d)| year.contains(*d) || before.contains(*d))
        .collect();
    let dates = sessions.into_iter().map(|(_, d)| d);
    if let Some(warning) = crate::calendar::thin_latest(calendar, &year, dates) {
        log::warn(warning);
    }
}

/// Every file of one period's folder, as (path relative to it, bytes).
pub fn files(m: &Metrics) -> Result<Files> {
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
