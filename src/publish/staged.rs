//! What the steps of publishing share: the names hubreport writes in the
//! output folder, and one period's folder on its way into place.

use std::io;
use std::path::PathBuf;

use crate::error::Error;

pub(super) const LOCK_FILE: &str = ".hubreport.lock";
/// The folder `hubreport sessions` publishes, as a period's is.
pub const SESSIONS_FOLDER: &str = "sessions";
/// Written first into every temporary folder, and removed just before the
/// folder is renamed into place.
pub(super) const RUN_MARKER: &str = ".hubreport-run";
pub(super) const MANIFEST: &str = "manifest.json";
/// Far above any manifest hubreport writes; a larger file is not one.
pub(super) const MANIFEST_MAX: u64 = 64 << 20;

/// One folder's files, as (path relative to the folder, bytes).
pub type Files = [(PathBuf, Vec<u8>)];

pub(super) fn io(context: String) -> impl FnOnce(io::Error) -> Error {
    move |source| Error::Io { context, source }
}

/// One period's folder on its way into place.
pub(super) struct Staged<'a> {
    pub slug: &'a str,
    pub files: &'a Files,
    pub target: PathBuf,
    pub tmp: PathBuf,
    pub old: PathBuf,
}
