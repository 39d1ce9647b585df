//! Log lines on stderr: readable by default, one JSON object a line with
//! `--log-format json` (for log collectors), nothing but errors with
//! `--quiet`. No wall-clock time is written: the collector adds its own.
//!
//! Text lines escape control characters (an ANSI escape sequence or a NUL
//! byte in a file name, sheet name or cell quoted by a message), so that an
//! input cannot move the cursor, recolour or clear the reader's terminal.
//! JSON lines are escaped by serde_json.
//!
//! What a command prints on stdout (the `check` summary, the `report`
//! headline) goes through [`out`]: a closed pipe (`| head`) or a full disk
//! never stops a run nor changes its exit code.

use std::io::{IsTerminal, Write};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
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

/// True for a character that changes what a terminal shows rather than
/// being shown: C0 and C1 controls (ESC starts an ANSI sequence, NUL, CR,
/// BEL, backspace, DEL, CSI) other than newline and tab, and the Unicode
/// bidirectional overrides and isolates, which reorder the rest of a line.
fn is_unsafe(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `text` with every unsafe character written as an escape: `\x1b` for an
/// ASCII control, `\u{9b}` for any other. Text without one is returned as it
/// is, so ordinary output is unchanged byte for byte.
pub fn escape_controls(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if !is_unsafe(c) {
            out.push(c);
        } else if c.is_ascii() {
            out.push_str(&format!("\\x{:02x}", u32::from(c)));
        } else {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        }
    }
    std::borrow::Cow::Owned(out)
}

/// One log line, as `--log-format` asks.
fn line(format: Format, level: &str, message: &str) -> String {
    match format {
        Format::Text if level == "info" => format!("{}\n", escape_controls(message)),
        Format::Text => format!("{level}: {}\n", escape_controls(message)),
        Format::Json => format!(
            "{}\n",
            serde_json::json!({ "level": level, "message": message })
        ),
    }
}

fn write(level: &str, message: &str) {
    // A closed or full stderr must not stop the run: nothing to report it on.
    let _ = std::io::stderr()
        .lock()
        .write_all(line(settings().format, level, message).as_bytes());
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

/// Set once a write to stdout has failed: later output is dropped.
static STDOUT_GONE: AtomicBool = AtomicBool::new(false);

/// Writes a command's output (not a log line) to stdout, control characters
/// escaped. If stdout is a closed pipe (the reader of `| head` has gone) the
/// rest of the output is dropped silently; any other failure (`> /dev/full`,
/// a full disk) is reported once, as a warning on stderr. Either way the run
/// goes on and keeps its exit code: what stdout shows is a summary of what
/// the run wrote, not its result.
pub fn out(text: &str) {
    if STDOUT_GONE.load(Ordering::Relaxed) {
        return;
    }
    let mut stdout = std::io::stdout().lock();
    let written = stdout
        .write_all(escape_controls(text).as_bytes())
        .and_then(|()| stdout.flush());
    drop(stdout);
    if let Err(e) = written
        && !STDOUT_GONE.swap(true, Ordering::Relaxed)
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        warn(format!(
            "could not write to standard output: {e}; the run goes on without it"
        ));
    }
}

/// Set by the first panic, so that a panic that brings down others (a
/// worker thread's, re-raised where it is joined) is reported once.
static PANICKED: AtomicBool = AtomicBool::new(false);

/// Replaces Rust's panic message (a `thread 'main' panicked` paragraph and
/// a backtrace hint) with one error line in the run's log format asking for
/// a bug report. The exit code (70) is set where the panic is caught, in
/// [`crate::cli::main`].
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        if CONTAINED.get() > 0 || PANICKED.swap(true, Ordering::SeqCst) {
            return;
        }
        let payload = info.payload();
        let message = payload
            .downcast_ref::<&str>()
            .copied()
            .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
            .unwrap_or("a panic with no message");
        let place = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        error(format!(
            "internal error: {message}{place}; please report this as a bug"
        ));
    }));
}

thread_local! {
    /// How many [`contained`] calls this thread is inside.
    static CONTAINED: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// Runs `f`, catching a panic inside it as an `Err` that the caller turns
/// into an error of its own (a third-party reader failing on a damaged file):
/// such a panic is neither reported as a bug nor makes the run exit 70.
pub fn contained<T>(f: impl FnOnce() -> T) -> std::thread::Result<T> {
    CONTAINED.set(CONTAINED.get() + 1);
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    CONTAINED.set(CONTAINED.get() - 1);
    result
}

/// True once a panic has been reported.
pub fn panicked() -> bool {
    PANICKED.load(Ordering::SeqCst)
}

/// A progress bar over `len` steps, drawn only when stderr is a terminal and
/// the log is plain text and not quiet; hidden otherwise. indicatif draws on
/// stderr and ignores write errors, so a closed terminal cannot stop a run.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped_and_plain_text_is_untouched() {
        let plain = "Police – Northshire (café)\n\tsecond line";
        assert!(matches!(
            escape_controls(plain),
            std::borrow::Cow::Borrowed(_)
        ));
        assert_eq!(
            escape_controls("a\u{1b}[2Jb\0c\rd\u{7f}e\u{9b}f\u{202e}g"),
            "a\\x1b[2Jb\\x00c\\x0dd\\x7fe\\u{9b}f\\u{202e}g"
        );
    }

    #[test]
    fn text_lines_are_escaped_and_json_lines_are_valid_json() {
        let text = line(Format::Text, "error", "sheet 'x\u{1b}[31m' not found");
        assert_eq!(text, "error: sheet 'x\\x1b[31m' not found\n");
        let json = line(Format::Json, "error", "x\u{1b}y\0");
        assert_eq!(
            json,
            "{\"level\":\"error\",\"message\":\"x\\u001by\\u0000\"}\n"
        );
    }
}
