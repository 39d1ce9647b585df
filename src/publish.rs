//! Putting a run's output where readers look, safely: a lock on the output
//! folder, each period's folder written in full beside its target and renamed
//! into place, and a manifest of what went in and came out.
//!
//! A run killed at any point leaves the previous report intact: its new files
//! sit in a hidden `.<period>.tmp-<pid>` folder until they are complete, and
//! the next run clears such leftovers. The only instant without a report is
//! between two renames; a run killed there is put back by the next one.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

const LOCK_FILE: &str = ".hubreport.lock";

/// Held for the whole run; released when dropped or when the process ends,
/// however it ends.
#[derive(Debug)]
pub struct Lock {
    _file: File,
}

fn io(context: String) -> impl FnOnce(std::io::Error) -> Error {
    move |source| Error::Io { context, source }
}

/// Takes the lock on `out_root` (created if needed). Without `wait`, a lock
/// held by another run is an error at once, naming that run's process.
pub fn lock(out_root: &Path, wait: bool) -> Result<Lock> {
    std::fs::create_dir_all(out_root).map_err(io(format!(
        "could not create output folder '{}'",
        out_root.display()
    )))?;
    let path = out_root.join(LOCK_FILE);
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
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
                path,
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
    recover(out_root)?;
    Ok(Lock { _file: file })
}

/// Clears what an interrupted run left: a half-written `.X.tmp-*` folder is
/// removed; a `.X.old-*` folder is the previous report, put back if `X` is
/// missing (the run died between its two renames), removed otherwise.
fn recover(out_root: &Path) -> Result<()> {
    let entries = std::fs::read_dir(out_root).map_err(io(format!(
        "could not read output folder '{}'",
        out_root.display()
    )))?;
    let mut leftovers: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    leftovers.sort();
    for path in leftovers {
        let name = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let Some(rest) = name.strip_prefix('.') else {
            continue;
        };
        if let Some((slug, _)) = rest.rsplit_once(".old-") {
            let target = out_root.join(slug);
            if target.exists() {
                remove(&path)?;
            } else {
                crate::log::warn(format!(
                    "putting back '{}', left aside by an interrupted run",
                    target.display()
                ));
                std::fs::rename(&path, &target)
                    .map_err(io(format!("could not restore '{}'", target.display())))?;
            }
        } else if rest.contains(".tmp-") {
            remove(&path)?;
        }
    }
    Ok(())
}

fn remove(path: &Path) -> Result<()> {
    std::fs::remove_dir_all(path).map_err(io(format!("could not remove '{}'", path.display())))
}

/// For tests of interrupted runs: `HUBREPORT_TEST_ABORT_AFTER=N` aborts the
/// process after writing N files.
fn abort_hook(written: usize) {
    if let Some(n) = std::env::var("HUBREPORT_TEST_ABORT_AFTER")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        && written >= n
    {
        std::process::abort();
    }
}

/// Writes `files` (paths relative to the folder) as `out_root/slug`,
/// replacing what was there only once every file is written.
pub fn publish(
    out_root: &Path,
    slug: &str,
    files: &[(PathBuf, Vec<u8>)],
    written: &mut usize,
) -> Result<PathBuf> {
    let pid = std::process::id();
    let tmp = out_root.join(format!(".{slug}.tmp-{pid}"));
    if tmp.exists() {
        remove(&tmp)?;
    }
    for (rel, bytes) in files {
        let path = tmp.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(io(format!("could not create '{}'", parent.display())))?;
        }
        std::fs::write(&path, bytes)
            .map_err(io(format!("could not write '{}'", path.display())))?;
        *written += 1;
        abort_hook(*written);
    }
    let target = out_root.join(slug);
    let old = out_root.join(format!(".{slug}.old-{pid}"));
    if target.exists() {
        std::fs::rename(&target, &old)
            .map_err(io(format!("could not move aside '{}'", target.display())))?;
    }
    std::fs::rename(&tmp, &target).map_err(io(format!(
        "could not move '{}' into place",
        target.display()
    )))?;
    if old.exists() {
        remove(&old)?;
    }
    Ok(target)
}

pub fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// A file's SHA-256, read in chunks.
pub fn sha256_file(path: &Path) -> Result<(u64, String)> {
    let mut file = File::open(path).map_err(io(format!("could not read '{}'", path.display())))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut size = 0u64;
    loop {
        let n = file
            .read(&mut buf)
            .map_err(io(format!("could not read '{}'", path.display())))?;
        if n == 0 {
            break;
        }
        size += n as u64;
        hasher.update(&buf[..n]);
    }
    Ok((size, hex::encode(hasher.finalize())))
}

/// `manifest.json`: what a report was made from and what it holds.
#[derive(Debug, Clone, Serialize)]
pub struct Manifest {
    pub engine: String,
    pub period: String,
    pub as_of: String,
    pub config: Option<Hashed>,
    pub data_dir: String,
    pub inputs: Vec<Input>,
    pub outputs: Vec<Hashed>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Hashed {
    pub path: String,
    pub size: u64,
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Input {
    pub source: String,
    pub path: String,
    pub size: u64,
    pub sha256: String,
    pub rows_read: usize,
    pub rows_loaded: usize,
    pub rows_rejected: usize,
    pub rows_skipped: usize,
}

impl Manifest {
    /// The manifest for a folder's files (listed in path order).
    pub fn with_outputs(mut self, files: &[(PathBuf, Vec<u8>)]) -> Manifest {
        let mut outputs: Vec<Hashed> = files
            .iter()
            .map(|(rel, bytes)| Hashed {
                path: rel.to_string_lossy().replace('\\', "/"),
                size: bytes.len() as u64,
                sha256: sha256(bytes),
            })
            .collect();
        outputs.sort_by(|a, b| a.path.cmp(&b.path));
        self.outputs = outputs;
        self
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = serde_json::to_vec_pretty(self).expect("a manifest serialises");
        bytes.push(b'\n');
        bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(text: &str) -> Vec<(PathBuf, Vec<u8>)> {
        vec![
            (PathBuf::from("a.txt"), text.as_bytes().to_vec()),
            (PathBuf::from("sub/b.txt"), b"b".to_vec()),
        ]
    }

    #[test]
    fn publish_replaces_the_folder_whole() {
        let dir = tempfile::tempdir().unwrap();
        let mut n = 0;
        publish(dir.path(), "2024-25", &files("one"), &mut n).unwrap();
        std::fs::write(dir.path().join("2024-25/stale.txt"), "x").unwrap();
        publish(dir.path(), "2024-25", &files("two"), &mut n).unwrap();
        let p = dir.path().join("2024-25");
        assert_eq!(std::fs::read_to_string(p.join("a.txt")).unwrap(), "two");
        assert!(
            !p.join("stale.txt").exists(),
            "no file of an earlier run is mixed in"
        );
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["2024-25"]);
        assert_eq!(n, 4);
    }

    #[test]
    fn leftovers_of_an_interrupted_run_are_cleared_or_put_back() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir_all(d.join(".2024-25.tmp-99")).unwrap();
        std::fs::create_dir_all(d.join(".2024-25-Q1.old-99")).unwrap();
        std::fs::write(d.join(".2024-25-Q1.old-99/a.txt"), "previous").unwrap();
        std::fs::create_dir_all(d.join("2024-25-Q2")).unwrap();
        std::fs::create_dir_all(d.join(".2024-25-Q2.old-99")).unwrap();
        let _lock = lock(d, false).unwrap();
        assert!(!d.join(".2024-25.tmp-99").exists());
        assert_eq!(
            std::fs::read_to_string(d.join("2024-25-Q1/a.txt")).unwrap(),
            "previous"
        );
        assert!(!d.join(".2024-25-Q2.old-99").exists());
        assert!(d.join("2024-25-Q2").exists());
    }

    #[test]
    fn a_second_lock_is_refused_and_released_on_drop() {
        let dir = tempfile::tempdir().unwrap();
        let first = lock(dir.path(), false).unwrap();
        let e = lock(dir.path(), false).unwrap_err();
        assert!(matches!(e, Error::Locked { .. }), "{e}");
        assert!(
            e.to_string()
                .contains(&format!("process {}", std::process::id())),
            "{e}"
        );
        drop(first);
        lock(dir.path(), false).unwrap();
    }
}
