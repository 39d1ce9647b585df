//! Putting a run's output where readers look, safely: a lock on the output
//! folder, every period's folder written in full beside its target, checked,
//! and renamed into place together, and a manifest of what went in and came
//! out.
//!
//! hubreport touches nothing in the output folder that it did not make: its
//! lock file, period folders holding its `manifest.json`, and hidden
//! `.<period>.tmp-<pid>` and `.<period>.old-<pid>` folders that carry a file
//! it wrote (the run marker written first into a temporary folder, or a
//! period's manifest) and whose process has ended.
//!
//! A run publishes all its periods or none. Before writing anything it checks
//! the period folders it would replace, the length of every name and the free
//! space. Each folder is then written into a temporary folder and read back
//! against what was written; only when every one is whole are they renamed
//! into place, and if one rename fails, those already done are put back. A
//! run killed while writing leaves the previous reports intact and its
//! temporary folders for the next run to clear.

mod checks;
mod lock;
mod manifest;
mod names;
mod stage;
mod staged;
mod swap;
#[cfg(test)]
mod tests;

use std::collections::BTreeSet;
use std::path::PathBuf;

pub use crate::digest::sha256_file;
use crate::error::{Error, Result};
use checks::{check_names, check_space, check_targets, free_space, name_limits};
pub use lock::{Lock, check_out_root, lock};
pub use manifest::{Hashed, Input, Manifest};
use names::{Aside, aside_name, is_period_slug};
use stage::{verify, write_all};
pub use staged::{Files, SESSIONS_FOLDER};
use staged::{RUN_MARKER, Staged, io};
use swap::{discard, exists, remove, swap_all};

/// Publishes a run's period folders, given as (folder name, its files), all
/// together or none. Each is written into a temporary folder beside its
/// target, then read back against what was written (the sizes and SHA-256
/// the manifest lists); only when every one is whole are they renamed into
/// place, and if one rename fails those already done are put back. Returns
/// the folders' paths.
pub fn publish(lock: &mut Lock, folders: &[(&str, &Files)]) -> Result<Vec<PathBuf>> {
    let root = lock.out_root.clone();
    let pid = std::process::id();
    let mut seen = BTreeSet::new();
    let mut staged = Vec::new();
    for &(slug, files) in folders {
        if !is_period_slug(slug) || !seen.insert(slug) {
            return Err(Error::Internal(format!(
                "'{slug}' is not a period folder name, or comes twice"
            )));
        }
        staged.push(Staged {
            slug,
            files,
            target: root.join(slug),
            tmp: root.join(aside_name(slug, Aside::Tmp, pid)),
            old: root.join(aside_name(slug, Aside::Old, pid)),
        });
    }
    check_targets(&staged)?;
    check_names(&root, &staged, name_limits(&root))?;
    check_space(&root, &staged, free_space(&root))?;

    let ready = write_all(&staged, pid)
        .and_then(|()| staged.iter().try_for_each(|s| verify(s, pid)))
        .and_then(|()| lock.reassert())
        .and_then(|()| {
            staged.iter().try_for_each(|s| {
                let path = s.tmp.join(RUN_MARKER);
                std::fs::remove_file(&path)
                    .map_err(io(format!("could not remove '{}'", path.display())))
            })
        });
    if let Err(e) = ready {
        discard(&staged);
        return Err(e);
    }
    swap_all(&staged)?;
    for s in staged.iter().filter(|s| exists(&s.old)) {
        if let Err(e) = remove(&s.old) {
            crate::log::warn(format!("{e}; the next run removes it"));
        }
    }
    Ok(staged.into_iter().map(|s| s.target).collect())
}
