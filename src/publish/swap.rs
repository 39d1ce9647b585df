//! Putting folders into place and back: the renames of a publish, rolled
//! back if one fails, and the clearing of what interrupted runs left.

use std::io;
use std::path::Path;

use super::names::{Aside, has_manifest_for, has_marker, parse_aside};
use super::stage::hooks;
use super::staged::{Staged, io};
use crate::error::{Error, Result};

/// Whether the process `pid` is running.
#[cfg(unix)]
pub(super) fn is_running(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    // SAFETY: signal 0 is never delivered; the call only checks that `pid`
    // names a process.
    if unsafe { libc::kill(pid, 0) } == 0 {
        return true;
    }
    // EPERM: it runs, under another user.
    io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
}

/// Without a way to ask, every process counts as running: nothing is removed.
#[cfg(not(unix))]
pub(super) fn is_running(_: u32) -> bool {
    true
}

pub(super) fn exists(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok()
}

/// Clears what interrupted runs left: a `.X.tmp-<pid>` folder is removed, and
/// a `.X.old-<pid>` folder (the previous report) is put back if `X` is
/// missing (the run died between its two renames), removed otherwise. Only
/// folders named for a period, carrying a file hubreport wrote (the run
/// marker or the period's manifest) and left by a process that has ended are
/// touched. This run's own id counts as ended: it has made nothing yet.
pub(super) fn recover(out_root: &Path) -> Result<()> {
    let entries = std::fs::read_dir(out_root).map_err(io(format!(
        "could not read output folder '{}'",
        out_root.display()
    )))?;
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter_map(|e| e.file_name().into_string().ok())
        .collect();
    names.sort();
    let own = std::process::id();
    for name in &names {
        let Some((slug, aside, pid)) = parse_aside(name) else {
            continue;
        };
        let path = out_root.join(name);
        if !(has_marker(&path, slug, pid) || has_manifest_for(&path, slug)) {
            crate::log::info(format!(
                "leaving '{}': hubreport did not make it",
                path.display()
            ));
            continue;
        }
        if pid != own && is_running(pid) {
            crate::log::info(format!(
                "leaving '{}': process {pid}, which made it, is still running",
                path.display()
            ));
            continue;
        }
        let target = out_root.join(slug);
        if aside == Aside::Tmp || exists(&target) {
            remove(&path)?;
        } else {
            crate::log::warn(format!(
                "putting back '{}', left aside by an interrupted run",
                target.display()
            ));
            std::fs::rename(&path, &target)
                .map_err(io(format!("could not restore '{}'", target.display())))?;
        }
    }
    Ok(())
}

pub(super) fn remove(path: &Path) -> Result<()> {
    std::fs::remove_dir_all(path).map_err(io(format!("could not remove '{}'", path.display())))
}

/// Renames every temporary folder into place, moving each previous folder
/// aside first. If one fails, the folders already renamed are put back.
pub(super) fn swap_all(staged: &[Staged<'_>]) -> Result<()> {
    let mut done: Vec<(&Staged<'_>, bool)> = Vec::new();
    for (i, s) in staged.iter().enumerate() {
        match swap(s, i + 1) {
            Ok(had_old) => done.push((s, had_old)),
            Err(source) => {
                let undone = roll_back(&done);
                discard(staged);
                let context = match undone {
                    Ok(()) => format!(
                        "could not move '{}' into place, so every folder of this run was put \
                         back as it was",
                        s.target.display()
                    ),
                    Err(failures) => format!(
                        "could not move '{}' into place, and putting back the folders already \
                         moved failed too ({failures}); the next run puts back what is missing",
                        s.target.display()
                    ),
                };
                return Err(Error::Io { context, source });
            }
        }
    }
    Ok(())
}

/// Moves `s.target` (if any) aside and `s.tmp` into its place; returns
/// whether there was a previous folder.
pub(super) fn swap(s: &Staged<'_>, n: usize) -> io::Result<bool> {
    hooks::before_swap(n)?;
    let had_old = exists(&s.target);
    if had_old {
        std::fs::rename(&s.target, &s.old)?;
    }
    if let Err(e) = std::fs::rename(&s.tmp, &s.target) {
        // If this fails too, the next run puts the folder back.
        if had_old {
            let _ = std::fs::rename(&s.old, &s.target);
        }
        return Err(e);
    }
    Ok(had_old)
}

/// Puts back the folders `swap` replaced, latest first.
pub(super) fn roll_back(done: &[(&Staged<'_>, bool)]) -> std::result::Result<(), String> {
    let mut failures = Vec::new();
    for &(s, had_old) in done.iter().rev() {
        let undone = std::fs::rename(&s.target, &s.tmp).and_then(|()| {
            if had_old {
                std::fs::rename(&s.old, &s.target)
            } else {
                Ok(())
            }
        });
        if let Err(e) = undone {
            failures.push(format!("'{}': {e}", s.target.display()));
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures.join("; "))
    }
}

/// Removes this run's temporary folders.
pub(super) fn discard(staged: &[Staged<'_>]) {
    for s in staged {
        let _ = std::fs::remove_dir_all(&s.tmp);
    }
}
