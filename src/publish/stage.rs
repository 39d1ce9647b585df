//! Each folder written into its temporary folder and read back against what
//! was written, with the test hooks that interrupt a run on demand.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use super::manifest::manifest_path;
use super::names::marker;
use super::staged::{RUN_MARKER, Staged, io};
use crate::digest::{sha256, sha256_file};
use crate::error::{Error, Result};

/// Test-only hooks, read from the environment, that make happen on demand
/// what tests cannot otherwise cause:
///
/// - `HUBREPORT_TEST_ABORT_AFTER=N` aborts the process after writing N
///   files, as a kill would;
/// - `HUBREPORT_TEST_PAUSE_AFTER=N:FILE`, after writing N files, creates FILE
///   and waits (a minute at most) until it is removed, as a slow run would;
/// - `HUBREPORT_TEST_FAIL_SWAP=N` fails the rename of the Nth folder into
///   place, as a full disk or a filesystem error would.
pub(super) mod hooks {
    use std::path::Path;
    use std::time::{Duration, Instant};

    fn number(var: &str) -> Option<usize> {
        std::env::var(var).ok()?.parse().ok()
    }

    pub fn after_write(written: usize) {
        if number("HUBREPORT_TEST_ABORT_AFTER").is_some_and(|n| written >= n) {
            std::process::abort();
        }
        let pause = std::env::var("HUBREPORT_TEST_PAUSE_AFTER").ok();
        if let Some((n, file)) = pause.as_deref().and_then(|v| v.split_once(':'))
            && n.parse() == Ok(written)
        {
            let file = Path::new(file);
            let _ = std::fs::write(file, "paused");
            let start = Instant::now();
            while file.exists() && start.elapsed() < Duration::from_secs(60) {
                std::thread::sleep(Duration::from_millis(10));
            }
        }
    }

    pub fn before_swap(n: usize) -> std::io::Result<()> {
        if number("HUBREPORT_TEST_FAIL_SWAP") == Some(n) {
            return Err(std::io::Error::other("failed by HUBREPORT_TEST_FAIL_SWAP"));
        }
        Ok(())
    }
}

/// Writes each folder into its temporary folder: the run marker first, then
/// every file.
pub(super) fn write_all(staged: &[Staged<'_>], pid: u32) -> Result<()> {
    let mut written = 0;
    for s in staged {
        std::fs::create_dir(&s.tmp)
            .map_err(io(format!("could not create '{}'", s.tmp.display())))?;
        let path = s.tmp.join(RUN_MARKER);
        std::fs::write(&path, marker(pid, s.slug))
            .map_err(io(format!("could not write '{}'", path.display())))?;
        for (rel, bytes) in s.files {
            let path = s.tmp.join(rel);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)
                    .map_err(io(format!("could not create '{}'", parent.display())))?;
            }
            std::fs::write(&path, bytes)
                .map_err(io(format!("could not write '{}'", path.display())))?;
            written += 1;
            hooks::after_write(written);
        }
    }
    Ok(())
}

/// Every entry under `dir` that is not a folder, as (path relative to `dir`,
/// whether it is a plain file).
pub(super) fn list_files(dir: &Path) -> io::Result<Vec<(String, bool)>> {
    let mut out = Vec::new();
    let mut pending = vec![PathBuf::new()];
    while let Some(rel) = pending.pop() {
        for entry in std::fs::read_dir(dir.join(&rel))? {
            let entry = entry?;
            let kind = entry.file_type()?;
            let rel = rel.join(entry.file_name());
            if kind.is_dir() {
                pending.push(rel);
            } else {
                out.push((manifest_path(&rel), kind.is_file()));
            }
        }
    }
    Ok(out)
}

/// Checks that a temporary folder holds exactly what this run wrote there:
/// the run marker and every file, each with its size and SHA-256. Another
/// process (a second run started after the lock file was removed, a tidy-up
/// job) may have removed or changed it.
pub(super) fn verify(s: &Staged<'_>, pid: u32) -> Result<()> {
    let failed = |problem: String| Error::Io {
        context: format!(
            "'{}' does not hold what this run wrote there, so nothing was published",
            s.tmp.display()
        ),
        source: io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "{problem}; another process changed it (keep the output folder on a local \
                 filesystem, and its lock file in place)"
            ),
        ),
    };
    let marker = marker(pid, s.slug);
    let mut expected: BTreeMap<String, (u64, String)> = s
        .files
        .iter()
        .map(|(rel, bytes)| (manifest_path(rel), (bytes.len() as u64, sha256(bytes))))
        .collect();
    expected.insert(
        RUN_MARKER.to_string(),
        (marker.len() as u64, sha256(marker.as_bytes())),
    );
    let found = list_files(&s.tmp).map_err(|e| failed(format!("it cannot be read ({e})")))?;
    let mut problems = Vec::new();
    for (rel, is_file) in found {
        match expected.remove(&rel) {
            None => problems.push(format!("'{rel}' was not written by this run")),
            Some(_) if !is_file => problems.push(format!("'{rel}' is not a plain file")),
            Some((size, hash)) => match sha256_file(&s.tmp.join(&rel)) {
                Ok((n, h)) if n == size && h == hash => {}
                Ok(_) => problems.push(format!("'{rel}' differs from what was written")),
                Err(_) => problems.push(format!("'{rel}' cannot be read")),
            },
        }
    }
    problems.extend(
        expected
            .into_keys()
            .map(|rel| format!("'{rel}' is missing")),
    );
    match problems.len() {
        0 => Ok(()),
        1 => Err(failed(problems.swap_remove(0))),
        n => Err(failed(format!(
            "{}, and {} other file(s) are missing or differ",
            problems[0],
            n - 1
        ))),
    }
}
