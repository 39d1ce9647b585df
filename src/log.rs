//! Log lines on stderr: readable by default, one JSON object a line with
//! `--log-format json` (for log collectors), nothing but errors with
//! `--quiet`. No wall-clock time is written: the collector adds its own.

use std::io::{IsTerminal, Write};
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// `message`, or `warning: message` / `error: message`
    #[default]
    Text,
    /// `{"level":"info","message":"..."}`
    Json,
}

#[derive(Debug, Clone, Copy, Default)]
struct Settings {
    format: Format,
    quiet: bool,
}

static SETTINGS: OnceLock<Settings> = OnceLock::new();

/// Sets the format once, at start-up.
pub fn init(format: Format, quiet: bool) {
    let _ = SETTINGS.set(Settings { format, quiet });
}

fn settings() -> Settings {
    SETTINGS.get().copied().unwrap_or_default()
}

fn write(level: &str, message: &str) {
    let line = match settings().format {
        Format::Text if level == "info" => format!("{message}\n"),
        Format::Text => format!("{level}: {message}\n"),
        Format::Json => format!(
            "{}\n",
            serde_json::json!({ "level": level, "message": message })
        ),
    };
    let _ = std::io::stderr().lock().write_all(line.as_bytes());
}

/// True with `--quiet`: print nothing but errors.
pub fn is_quiet() -> bool {
    settings().quiet
}

/// Progress worth a line; silent with `--quiet`.
pub fn info(message: impl AsRef<str>) {
    if !settings().quiet {
        write("info", message.as_ref());
    }
}

/// Something the reader should know (rows rejected); silent with `--quiet`.
pub fn warn(message: impl AsRef<str>) {
    if !settings().quiet {
        write("warning", message.as_ref());
    }
}

/// Why the run failed: always written.
pub fn error(message: impl AsRef<str>) {
    write("error", message.as_ref());
}

/// A progress bar over `len` steps, drawn only when stderr is a terminal and
/// the log is plain text and not quiet; hidden otherwise.
pub fn progress(len: u64) -> indicatif::ProgressBar {
    let s = settings();
    if s.quiet || s.format == Format::Json || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len);
    if let Ok(style) = indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} {msg}") {
        bar.set_style(style);
    }
    bar
}
