//! Typed errors. Each names the file, sheet, flag or key at fault, in
//! lowercase context, and maps to one documented exit code.

use std::path::PathBuf;

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Exit codes, documented in `--help` and the README.
pub mod exit {
    /// Success: every row was read.
    pub const OK: u8 = 0;
    /// Success, but some rows were rejected (see `rejected.csv`).
    pub const REJECTED_ROWS: u8 = 1;
    /// An input could not be read: a missing or unreadable file, sheet or column.
    pub const INPUT: u8 = 2;
    /// A bad command line or configuration file.
    pub const USAGE: u8 = 3;
    /// Another run holds the lock on the output folder.
    pub const LOCKED: u8 = 4;
    /// Something went wrong inside hubreport (a bug: please report it).
    pub const INTERNAL: u8 = 70;
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },

    #[error("in config file '{}': {message}", file.display())]
    Config { file: PathBuf, message: String },

    #[error("{0}")]
    Usage(String),

    /// An input that cannot be read at all: stops the run.
    #[error("{}{}: {message}", file.display(), sheet.as_ref().map(|s| format!(" (sheet '{s}')")).unwrap_or_default())]
    Input {
        file: PathBuf,
        sheet: Option<String>,
        message: String,
    },

    /// No file for a required source, or several candidates for one source.
    #[error("{0}")]
    Sources(String),

    /// A metric query that failed or returned the wrong columns.
    #[error("in query '{file}': {message}")]
    Query {
        file: String,
        /// A built-in query failing is a bug; an overriding one, a config error.
        built_in: bool,
        message: String,
    },

    /// A report template that failed to parse or render.
    #[error("in template '{file}': {message}")]
    Template {
        file: String,
        built_in: bool,
        message: String,
    },

    /// Another run is writing to the same output folder.
    #[error("another hubreport run ({holder}) is writing to this output folder and holds '{}'; try again when it ends, or pass --wait", path.display())]
    Locked { path: PathBuf, holder: String },

    /// `--strict` and some rows were rejected.
    #[error("{0}")]
    Strict(String),

    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Config { .. } | Error::Usage(_) => exit::USAGE,
            Error::Io { .. } | Error::Input { .. } | Error::Sources(_) | Error::Strict(_) => {
                exit::INPUT
            }
            Error::Locked { .. } => exit::LOCKED,
            Error::Query { built_in, .. } | Error::Template { built_in, .. } => {
                if *built_in {
                    exit::INTERNAL
                } else {
                    exit::USAGE
                }
            }
            Error::Internal(_) => exit::INTERNAL,
        }
    }

    pub fn input(
        file: impl Into<PathBuf>,
        sheet: Option<&str>,
        message: impl Into<String>,
    ) -> Self {
        Error::Input {
            file: file.into(),
            sheet: sheet.map(str::to_string),
            message: message.into(),
        }
    }
}

impl From<polars::error::PolarsError> for Error {
    fn from(e: polars::error::PolarsError) -> Self {
        Error::Internal(format!("polars: {e}"))
    }
}
