//! The output folder: refusing one that is not hubreport's to manage, and
//! the lock a run holds on it from start to end.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Write};
use std::path::{Component, Path, PathBuf};

use super::staged::{LOCK_FILE, io};
use super::swap::recover;
use crate::error::{Error, Result};

/// Refuses an output folder whose top level may hold what is not hubreport's
/// to rename or remove: the root folder, the home folder or one containing
/// it, the data folder or one containing it, or one containing the config
/// file. Paths are compared resolved, so a symbolic link or `..` does not
/// hide an overlap.
pub fn check_out_root(out_root: &Path, data_dir: &Path, config: Option<&Path>) -> Result<()> {
    let refuse = |what: String| {
        Err(Error::Usage(format!(
            "the output folder '{}' {what}; give the reports a folder of their own \
             (--out, or out_dir in hub.toml)",
            out_root.display()
        )))
    };
    if out_root.as_os_str().is_empty() {
        return refuse("is an empty path".into());
    }
    let out = resolved(out_root);
    if out.parent().is_none() {
        return refuse("is the root folder".into());
    }
    if let Some(home) = std::env::var_os("HOME").filter(|h| !h.is_empty()) {
        let home = PathBuf::from(home);
        let resolved_home = resolved(&home);
        if resolved_home == out {
            return refuse(format!("is the home folder '{}'", home.display()));
        }
        if resolved_home.starts_with(&out) {
            return refuse(format!("contains the home folder '{}'", home.display()));
        }
    }
    let data = resolved(data_dir);
    if data == out {
        return refuse(format!("is the data folder '{}'", data_dir.display()));
    }
    if data.starts_with(&out) {
        return refuse(format!("contains the data folder '{}'", data_dir.display()));
    }
    if let Some(config) = config
        && resolved(config).starts_with(&out)
    {
        return refuse(format!("contains the config file '{}'", config.display()));
    }
    Ok(())
}

/// `path` made absolute, with symbolic links and `..` resolved as far as it
/// exists; the part that does not exist yet is appended as written.
pub(super) fn resolved(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let parts: Vec<Component<'_>> = absolute.components().collect();
    (1..=parts.len())
        .rev()
        .find_map(|n| {
            let mut resolved = parts[..n].iter().collect::<PathBuf>().canonicalize().ok()?;
            for part in &parts[n..] {
                match part {
                    Component::ParentDir => {
                        resolved.pop();
                    }
                    Component::Normal(name) => resolved.push(name),
                    _ => {}
                }
            }
            Some(resolved)
        })
        .unwrap_or(absolute)
}

/// Held for the whole run; released when dropped or when the process ends,
/// however it ends.
#[derive(Debug)]
pub struct Lock {
    file: File,
    path: PathBuf,
    pub(super) out_root: PathBuf,
}

/// Takes the lock on `out_root` (created if needed), then clears what
/// interrupted runs left there. Without `wait`, a lock held by another run is
/// an error at once, naming that run's process.
pub fn lock(out_root: &Path, wait: bool) -> Result<Lock> {
    std::fs::create_dir_all(out_root).map_err(io(format!(
        "could not create output folder '{}'",
        out_root.display()
    )))?;
    let path = out_root.join(LOCK_FILE);
    let file = acquire(&path, wait)?;
    recover(out_root)?;
    Ok(Lock {
        file,
        path,
        out_root: out_root.to_path_buf(),
    })
}

pub(super) fn acquire(path: &Path, wait: bool) -> Result<File> {
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map_err(io(format!("could not open lock file '{}'", path.display())))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) if wait => {
            crate::log::info(format!(
                "waiting for the run that holds '{}'",
                path.display()
            ));
            file.lock()
                .map_err(io(format!("could not lock '{}'", path.display())))?;
        }
        Err(TryLockError::WouldBlock) => {
            let mut holder = String::new();
            let _ = file.read_to_string(&mut holder);
            return Err(Error::Locked {
                path: path.to_path_buf(),
                holder: holder.trim().to_string(),
            });
        }
        Err(TryLockError::Error(e)) => {
            return Err(io(format!("could not lock '{}'", path.display()))(e));
        }
    }
    // Say who holds it, for the message a second run prints.
    let _ = file.set_len(0);
    let _ = write!(file, "process {}", std::process::id());
    let _ = file.flush();
    Ok(file)
}

impl Lock {
    /// Makes sure this run still holds the output folder's lock. If its file
    /// was removed (by a tidy-up job, say), another run may have started:
    /// the lock is taken again, or, if that run holds it now, this one stops.
    pub(super) fn reassert(&mut self) -> Result<()> {
        if same_file(&self.file, &self.path) {
            return Ok(());
        }
        crate::log::warn(format!(
            "the lock file '{}' was removed during this run; taking it again",
            self.path.display()
        ));
        self.file = acquire(&self.path, false)?;
        Ok(())
    }
}

#[cfg(unix)]
pub(super) fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), std::fs::metadata(path)) {
        (Ok(a), Ok(b)) => (a.dev(), a.ino()) == (b.dev(), b.ino()),
        _ => false,
    }
}

#[cfg(not(unix))]
pub(super) fn same_file(_: &File, path: &Path) -> bool {
    path.exists()
}
