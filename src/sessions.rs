//! `hubreport sessions`: a summary of each session for its facilitators, an
//! index page per facilitator and a CSV of the same, published into
//! `OUT/sessions/` as safely as a report (the lock, written in full and
//! checked before it replaces the last run's, byte-identical re-runs).

use std::path::PathBuf;

use crate::calendar::Calendar;
use crate::error::{Result, exit};
use crate::metrics::{self, sql};
use crate::publish::{self, Manifest};
use crate::render::{self, html::Pages};
use crate::{frame, load, log};

/// The folder of `OUT` the summaries go to.
pub const FOLDER: &str = publish::SESSIONS_FOLDER;

/// What `sessions` is asked for.
#[derive(Debug, Clone)]
pub struct Options {
    pub input: crate::config::Input,
    /// The run date [default: today].
    pub as_of: Option<chrono::NaiveDate>,
    /// Days after a session before its summary is written.
    pub after_days: i64,
    /// The output folder [default: the config's].
    pub out: Option<PathBuf>,
    /// Wait for another run's lock instead of failing.
    pub wait: bool,
}

pub fn run(args: &Options) -> Result<u8> {
    let (config, data_dir) = args.input.resolve()?;
    let in_base = |d: &Option<PathBuf>| d.as_ref().map(|d| config.base_dir.join(d));
    let queries = sql::session_queries(in_base(&config.queries_dir).as_deref())?;
    let pages = Pages::new(
        in_base(&config.templates_dir).as_deref(),
        config.disclosure_threshold,
    )?;
    let as_of = args
        .as_of
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    let mut lock = crate::report::open_output(&config, args.out.as_deref(), &data_dir, args.wait)?;

    log::info(format!("reading {}", data_dir.display()));
    let data = load::load(&config, &data_dir)?;
    let rejected = data.quality.rows_rejected();
    let calendar = Calendar::new(config.fy_start_month);
    let frames = frame::frames(&data, &calendar)?;
    let due_by = render::sessions::due_by(as_of, args.after_days);
    let tables = metrics::sessions::compute(&frames, &queries, due_by)?;
    let mut files = render::sessions::files(&tables, &pages, &config, as_of, args.after_days)?;
    let manifest = Manifest {
        period: FOLDER.into(),
        as_of: as_of.to_string(),
        ..crate::report::manifest(&config, &data_dir, &data.quality)?
    }
    .with_outputs(&files);
    files.push((PathBuf::from("manifest.json"), manifest.to_bytes()));
    let dirs = publish::publish(&mut lock, &[(FOLDER, files.as_slice())])?;
    let sessions = tables.summaries.height();
    for dir in &dirs {
        log::info(format!("wrote {}", dir.display()));
        if !log::is_quiet() {
            log::out(&format!(
                "{sessions} session(s) held on or before {due_by} ({} days before {as_of})\n  index: {}\n",
                args.after_days,
                dir.join("index.html").display()
            ));
        }
    }
    Ok(if rejected > 0 {
        log::warn(format!(
            "{rejected} row(s) were rejected and are left out; `hubreport check` lists them"
        ));
        exit::REJECTED_ROWS
    } else {
        exit::OK
    })
}
