//! What is refused before anything is written: replacing a folder
//! hubreport did not write, a name too long for the filesystem, a run that
//! does not fit the free space.

use std::collections::BTreeSet;
use std::io;
use std::path::{Component, Path, PathBuf};

use super::names::{has_manifest_for, marker};
use super::staged::{Staged, io};
use super::swap::exists;
use crate::error::{Error, Result};

/// Refuses, before anything is written, to replace a period folder hubreport
/// did not write, or to write where one of this run's hidden names is taken.
pub(super) fn check_targets(staged: &[Staged<'_>]) -> Result<()> {
    for s in staged {
        match std::fs::symlink_metadata(&s.target) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(io(format!("could not read '{}'", s.target.display()))(e)),
            Ok(m) if m.is_dir() && has_manifest_for(&s.target, s.slug) => {}
            Ok(_) => {
                return Err(Error::Usage(format!(
                    "'{}' is not a report folder hubreport wrote (it holds no manifest.json of \
                     hubreport's for {}), so it is not replaced and nothing was written; move it \
                     away, or choose another output folder",
                    s.target.display(),
                    s.slug
                )));
            }
        }
        for path in [&s.tmp, &s.old] {
            if exists(path) {
                return Err(Error::Usage(format!(
                    "'{}' is in the way: hubreport did not make it, so nothing was written; \
                     move it away",
                    path.display()
                )));
            }
        }
    }
    Ok(())
}

/// The longest file name and path the filesystem of `dir` takes, in bytes;
/// at most 255 and 4096, the usual limits, so reports stay portable.
#[cfg(unix)]
pub(super) fn name_limits(dir: &Path) -> (usize, usize) {
    use std::os::unix::ffi::OsStrExt;
    let Ok(dir) = std::ffi::CString::new(dir.as_os_str().as_bytes()) else {
        return (255, 4096);
    };
    let conf = |name| {
        // SAFETY: `dir` is a NUL-terminated string that outlives the call.
        let n = unsafe { libc::pathconf(dir.as_ptr(), name) };
        usize::try_from(n).ok().filter(|&n| n > 0)
    };
    (
        conf(libc::_PC_NAME_MAX).map_or(255, |n| n.min(255)),
        conf(libc::_PC_PATH_MAX).map_or(4096, |n| n.min(4096)),
    )
}

#[cfg(not(unix))]
pub(super) fn name_limits(_: &Path) -> (usize, usize) {
    (255, 4096)
}

/// Refuses a name longer than the filesystem takes, before anything is
/// written (a sub-group's name makes its pack's file name).
pub(super) fn check_names(
    root: &Path,
    staged: &[Staged<'_>],
    (name_max, path_max): (usize, usize),
) -> Result<()> {
    for s in staged {
        for (rel, _) in s.files {
            let path = s.tmp.join(rel);
            for part in rel.components() {
                let Component::Normal(name) = part else {
                    return Err(Error::Internal(format!(
                        "'{}' is not a plain relative path",
                        rel.display()
                    )));
                };
                if name.len() > name_max {
                    let hint = if name.to_string_lossy().starts_with("quarterly-pack-") {
                        " (shorten the name of the [[subgroups]] entry it is made from)"
                    } else {
                        ""
                    };
                    return Err(Error::Usage(format!(
                        "cannot write '{}' in '{}': the name is {} bytes, and the filesystem \
                         of '{}' takes {name_max} at most{hint}; nothing was written",
                        name.to_string_lossy(),
                        s.target.display(),
                        name.len(),
                        root.display()
                    )));
                }
            }
            if path.as_os_str().len() >= path_max {
                return Err(Error::Usage(format!(
                    "cannot write '{}': the path is {} bytes, and the filesystem takes {} at \
                     most; choose an output folder with a shorter path; nothing was written",
                    path.display(),
                    path.as_os_str().len(),
                    path_max - 1
                )));
            }
        }
    }
    Ok(())
}

/// Free room on a filesystem.
#[derive(Debug, Clone, Copy)]
pub(super) struct Space {
    pub bytes: u64,
    /// A file takes a whole number of blocks.
    pub block: u64,
    /// Files and folders that can still be made, where the filesystem says.
    pub inodes: Option<u64>,
}

#[cfg(unix)]
pub(super) fn free_space(dir: &Path) -> Option<Space> {
    use std::os::unix::ffi::OsStrExt;
    let dir = std::ffi::CString::new(dir.as_os_str().as_bytes()).ok()?;
    let mut stat = std::mem::MaybeUninit::<libc::statvfs>::uninit();
    // SAFETY: `dir` is NUL-terminated and `stat` is valid for a write of a
    // `statvfs`, which the call fills in when it returns 0.
    if unsafe { libc::statvfs(dir.as_ptr(), stat.as_mut_ptr()) } != 0 {
        return None;
    }
    // SAFETY: statvfs returned 0, so it filled `stat` in.
    let stat = unsafe { stat.assume_init() };
    #[allow(clippy::useless_conversion)]
    let (frsize, bavail, files, favail) = (
        u64::from(stat.f_frsize),
        u64::from(stat.f_bavail),
        u64::from(stat.f_files),
        u64::from(stat.f_favail),
    );
    let block = frsize.max(1);
    Some(Space {
        bytes: bavail.saturating_mul(block),
        block,
        inodes: (files > 0).then_some(favail),
    })
}

#[cfg(not(unix))]
pub(super) fn free_space(_: &Path) -> Option<Space> {
    None
}

/// Refuses a run whose folders would not fit in `space`, counting each file
/// and folder in whole blocks, before anything is written. The previous
/// reports stay until the new ones are in place, so they do not count as
/// free.
pub(super) fn check_space(root: &Path, staged: &[Staged<'_>], space: Option<Space>) -> Result<()> {
    let Some(space) = space else {
        return Ok(());
    };
    let blocks = |len: u64| len.div_ceil(space.block).saturating_mul(space.block);
    let (mut bytes, mut inodes) = (0u64, 0u64);
    for s in staged {
        let mut dirs = BTreeSet::from([PathBuf::new()]);
        let marker_len = marker(std::process::id(), s.slug).len() as u64;
        bytes = bytes.saturating_add(blocks(marker_len));
        inodes += 1;
        for (rel, data) in s.files {
            bytes = bytes.saturating_add(blocks(data.len() as u64));
            inodes += 1;
            dirs.extend(rel.ancestors().skip(1).map(Path::to_path_buf));
        }
        bytes = bytes.saturating_add(blocks(1).saturating_mul(dirs.len() as u64));
        inodes += dirs.len() as u64;
    }
    let full = |need: String, free: String| {
        Err(Error::Io {
            context: format!("not enough free space in '{}'", root.display()),
            source: io::Error::new(
                io::ErrorKind::StorageFull,
                format!("this run's reports need {need} and {free} is free; nothing was written"),
            ),
        })
    };
    if bytes > space.bytes {
        return full(size(bytes), size(space.bytes));
    }
    if let Some(free) = space.inodes
        && inodes > free
    {
        return full(
            format!("{inodes} files and folders"),
            format!("room for {free}"),
        );
    }
    Ok(())
}

/// `1.5 MB`.
pub(super) fn size(bytes: u64) -> String {
    match bytes {
        0..1_000 => format!("{bytes} bytes"),
        1_000..1_000_000 => format!("{:.1} kB", bytes as f64 / 1e3),
        1_000_000..1_000_000_000 => format!("{:.1} MB", bytes as f64 / 1e6),
        _ => format!("{:.1} GB", bytes as f64 / 1e9),
    }
}
