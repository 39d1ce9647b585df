//! `hubreport report`: the pipeline in one function. Load the exports, build
//! the dataframes, compute each period's metrics, render its page, and put
//! the tables, the page and a manifest in place under a lock.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::calendar::{Calendar, Choice, Period};
use crate::config::SubGroup;
use crate::error::{Error, Result, exit};
use crate::metrics::sql;
use crate::publish::{self, Manifest};
use crate::render::html::Pages;
use crate::render::pages::Kind;
use crate::{load, log};

mod group;
mod headline;
mod output;
mod periods;

use group::{Group, Run};
pub use headline::headline;
use output::Files;
pub use output::files;
pub(crate) use output::{manifest, open_output};
use periods::{periods_with_data, warn_if_thin_latest};

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
