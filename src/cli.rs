//! The command line: clap definitions and dispatch. Each command returns its
//! exit code; errors print once, here, as `error: ...`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::config::{self, CONFIG_FILE_NAME};
use crate::error::{Result, exit};

const EXIT_CODES: &str = "\
Exit codes:
  0  success
  1  success, but some rows were rejected (listed by `check`, and in rejected.csv)
  2  an input could not be read (missing, damaged, over a limit or changed while
     read), rows were rejected under `report --strict`, or the report could not
     be written
  3  bad command line, configuration, query or template file, or an output
     folder that is not hubreport's
  4  another run holds the output folder's lock (`report --wait` waits instead)
  70 internal error (a bug: please report it)";

#[derive(Debug, Parser)]
#[command(
    name = "hubreport",
    version,
    about = "Learning gain, non-attendance and agency coverage from a Safeguarding Children Partnership's training exports",
    after_help = EXIT_CODES
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Print nothing but errors (the exit code still tells what happened).
    #[arg(long, global = true)]
    pub quiet: bool,
    /// How log lines on stderr look: readable text, or one JSON object a line.
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
}

/// How log lines on stderr look.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// `message`, or `warning: message` / `error: message`
    Text,
    /// `{"level":"info","message":"..."}`
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Compute every metric for a period and write its report (HTML) and tables (CSV, Parquet, xlsx).
    Report(ReportArgs),
    /// Load every source and report what was read, rejected, skipped and merged.
    Check(CheckArgs),
    /// Write a summary of each session for its facilitators (OUT/sessions/):
    /// a page per session held at least --after-days before --as-of, a page
    /// per facilitator and facilitators.csv.
    Sessions(SessionsArgs),
    /// Show what hubreport makes of exports: the source and preset, the
    /// header, every column's mapping, the first rows as read, and a
    /// hub.toml entry to paste.
    Inspect {
        /// The exports (.xlsx, .xls, .xlsb, .ods, .csv, .tsv, .txt).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Read every file as this source (attendance, sessions,
        /// evaluations, impact, agency_returns, agencies) instead of guessing.
        #[arg(long, value_name = "KIND")]
        source: Option<String>,
        /// How many data rows to show.
        #[arg(long, value_name = "N", default_value_t = 3)]
        rows: usize,
    },
    /// Write a commented hub.toml documenting every setting and its default.
    Init {
        /// Folder to write hub.toml into.
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Also write the built-in metric queries to DIR/queries/ to edit
        /// (an existing hub.toml is then kept).
        #[arg(long)]
        queries: bool,
        /// Instead, write a hub.toml for the exports in this folder (into
        /// it): an entry per file, with what the files cannot say left as
        /// TODO lines.
        #[arg(long, value_name = "EXPORTS", conflicts_with = "queries")]
        from: Option<PathBuf>,
    },
    /// Generate a realistic, deterministic partnership's exports (two financial years).
    Sample(SampleArgs),
    /// Read every file of a folder and nothing else (the benchmark's read floor).
    #[command(hide = true)]
    ReadFloor {
        /// Folder of exports.
        dir: PathBuf,
    },
}

/// Where the data and settings come from.
#[derive(Debug, Args, Clone, Default)]
pub struct InputArgs {
    /// Folder holding the exports (attendance.xlsx, sessions.csv, ...).
    #[arg(long, value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// Settings file [default: hub.toml in the working directory, if present].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Write every rejected row to this CSV file.
    #[arg(long, value_name = "FILE")]
    pub rejected: Option<PathBuf>,
    /// How many rejections to print.
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub show: usize,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// A financial year (2024-25), a quarter (2024-25-Q3), `latest` (the
    /// latest year with sessions up to --as-of), `all` (every year and quarter in the data),
    /// or, against --as-of, `last-quarter`, `last-year` (the last complete
    /// one), `this-quarter`, `this-year`. Several, comma-separated, build
    /// several folders in one run: `2025-26,2025-26-Q1,2025-26-Q2`.
    #[arg(long, value_name = "PERIOD", default_value = "latest")]
    pub period: String,
    /// Output folder; each period is written to OUT/<period>/
    /// [default: out_dir from the config, else out/]
    #[arg(long, value_name = "OUT")]
    pub out: Option<PathBuf>,
    /// The run date: a period still running is reported up to this day, and
    /// impact counts delegates whose follow-up was due by then; last-quarter
    /// and the like are resolved against it; from 1900-01-01 to 9999-12-31
    /// [default: today]
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_as_of)]
    pub as_of: Option<chrono::NaiveDate>,
    /// If another run holds the output folder, wait for it instead of exiting.
    #[arg(long)]
    pub wait: bool,
    /// Fail (exit 2, writing nothing) if any row is rejected.
    #[arg(long)]
    pub strict: bool,
}

#[derive(Debug, Args)]
pub struct SessionsArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// The run date: sessions held at least --after-days before it are
    /// summarised; from 1900-01-01 to 9999-12-31 [default: today]
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_as_of)]
    pub as_of: Option<chrono::NaiveDate>,
    /// Days after a session before its summary is written (its evaluations
    /// have come in).
    #[arg(long, value_name = "N", default_value_t = 10, value_parser = clap::value_parser!(i64).range(0..=3650))]
    pub after_days: i64,
    /// Output folder; the summaries go to OUT/sessions/ [default: out_dir
    /// from the config, else out/]
    #[arg(long, value_name = "OUT")]
    pub out: Option<PathBuf>,
    /// If another run holds the output folder, wait for it instead of exiting.
    #[arg(long)]
    pub wait: bool,
}

#[derive(Debug, Args)]
pub struct SampleArgs {
    /// Folder to write the exports into (created if needed).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Multiply the volume: 1 is one partnership (about 5,000 bookings a year).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub scale: u32,
    /// Random seed: the same seed and scale give the same files.
    #[arg(long, default_value_t = 2024)]
    pub seed: u64,
    /// Write every source as CSV (the default writes xlsx, with CSV for some sources).
    #[arg(long)]
    pub csv: bool,
    /// Write the same partnership as its tools export it (Totara Seminar
    /// sign-ups, a Google Forms evaluation, a SurveyMonkey follow-up
    /// survey) with the hub.toml that reads them.
    #[arg(long, conflicts_with = "csv")]
    pub as_exports: bool,
}

/// The years `--as-of` accepts: every date a report can be about, with room
/// to spare, and far from the ends of the calendar arithmetic.
pub const AS_OF_YEARS: std::ops::RangeInclusive<i32> = 1900..=9999;

/// `--as-of`: a date in [`AS_OF_YEARS`].
fn parse_as_of(text: &str) -> std::result::Result<chrono::NaiveDate, String> {
    use chrono::Datelike;
    let date: chrono::NaiveDate = text
        .trim()
        .parse()
        .map_err(|e| format!("{e}: expected a date as YYYY-MM-DD"))?;
    if AS_OF_YEARS.contains(&date.year()) {
        Ok(date)
    } else {
        Err(format!(
            "the run date must be from {}-01-01 to {}-12-31",
            AS_OF_YEARS.start(),
            AS_OF_YEARS.end()
        ))
    }
}

impl From<&InputArgs> for config::Input {
    fn from(a: &InputArgs) -> Self {
        config::Input {
            data: a.data.clone(),
            config: a.config.clone(),
        }
    }
}

impl From<&ReportArgs> for crate::report::Options {
    fn from(a: &ReportArgs) -> Self {
        crate::report::Options {
            input: (&a.input).into(),
            period: a.period.clone(),
            out: a.out.clone(),
            as_of: a.as_of,
            wait: a.wait,
            strict: a.strict,
        }
    }
}

impl From<&CheckArgs> for crate::check::Options {
    fn from(a: &CheckArgs) -> Self {
        crate::check::Options {
            input: (&a.input).into(),
            rejected: a.rejected.clone(),
            show: a.show,
        }
    }
}

impl From<&SessionsArgs> for crate::sessions::Options {
    fn from(a: &SessionsArgs) -> Self {
        crate::sessions::Options {
            input: (&a.input).into(),
            as_of: a.as_of,
            after_days: a.after_days,
            out: a.out.clone(),
            wait: a.wait,
        }
    }
}

/// Parses the command line, runs the command and returns the exit code.
/// A panic (a bug) is reported on one line by the hook
/// `log::install_panic_hook` and exits with code 70.
pub fn main() -> u8 {
    crate::log::install_panic_hook();
    match std::panic::catch_unwind(parse_and_run) {
        // A panic caught and swallowed on the way (in a worker thread) was
        // reported as a bug all the same: the exit code says so too.
        Ok(_) if crate::log::panicked() => exit::INTERNAL,
        Ok(code) => code,
        Err(_) => exit::INTERNAL,
    }
}

fn parse_and_run() -> u8 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                exit::USAGE
            } else {
                exit::OK
            };
        }
    };
    let format = match cli.log_format {
        LogFormat::Text => crate::log::Format::Text,
        LogFormat::Json => crate::log::Format::Json,
    };
    crate::log::init(format, cli.quiet);
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            crate::log::error(e.to_string());
            e.exit_code()
        }
    }
}

/// Test-only: with `HUBREPORT_TEST_PANIC` set, every command panics before
/// doing anything, so that tests can check how a bug is reported (one line,
/// exit 70). Not documented to users.
const TEST_PANIC: &str = "HUBREPORT_TEST_PANIC";

pub fn run(cli: Cli) -> Result<u8> {
    if std::env::var_os(TEST_PANIC).is_some() {
        panic!("{TEST_PANIC} is set");
    }
    match cli.command {
        Command::Report(args) => crate::report::run(&(&args).into()),
        Command::Check(args) => crate::check::run(&(&args).into()),
        Command::Sessions(args) => crate::sessions::run(&(&args).into()),
        Command::Inspect {
            files,
            source,
            rows,
        } => {
            let kind = source
                .as_deref()
                .map(crate::inspect::source_kind)
                .transpose()?;
            print!("{}", crate::inspect::report(&files, kind, rows)?);
            Ok(exit::OK)
        }
        Command::Init {
            from: Some(exports),
            ..
        } => {
            let path = crate::inspect::init_from(&exports)?;
            crate::log::info(format!(
                "wrote {}: fill in its TODO lines, then run hubreport check --config {}",
                path.display(),
                path.display()
            ));
            Ok(exit::OK)
        }
        Command::Init { dir, queries, .. } => {
            if !(queries && dir.join(CONFIG_FILE_NAME).is_file()) {
                let path = config::init(&dir)?;
                crate::log::info(format!("wrote {}", path.display()));
            }
            if queries {
                let qdir = dir.join("queries");
                let n = crate::metrics::sql::write_built_in(&qdir)?;
                crate::log::info(format!(
                    "wrote {n} queries to {}; set queries_dir = \"queries\" in hub.toml to run your copies",
                    qdir.display()
                ));
            }
            Ok(exit::OK)
        }
        Command::ReadFloor { dir } => {
            crate::floor::run(&dir)?;
            Ok(exit::OK)
        }
        Command::Sample(args) => {
            let layout = match (args.as_exports, args.csv) {
                (true, _) => crate::sample::Layout::Exports,
                (false, true) => crate::sample::Layout::CanonicalCsv,
                (false, false) => crate::sample::Layout::Canonical,
            };
            let summary = crate::sample::write(&args.out, args.scale, args.seed, layout)?;
            crate::log::info(summary);
            Ok(exit::OK)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
