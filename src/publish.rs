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

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{File, OpenOptions, TryLockError};
use std::io::{self, Read, Write};
use std::path::{Component, Path, PathBuf};

use serde::Serialize;

use crate::error::{Error, Result};

const LOCK_FILE: &str = ".hubreport.lock";
/// The folder `hubreport sessions` publishes, as a period's is.
pub const SESSIONS_FOLDER: &str = "sessions";
/// Written first into every temporary folder, and removed just before the
/// folder is renamed into place.
const RUN_MARKER: &str = ".hubreport-run";
const MANIFEST: &str = "manifest.json";
/// Far above any manifest hubreport writes; a larger file is not one.
const MANIFEST_MAX: u64 = 64 << 20;

/// One folder's files, as (path relative to the folder, bytes).
pub type Files = [(PathBuf, Vec<u8>)];

fn io(context: String) -> impl FnOnce(io::Error) -> Error {
    move |source| Error::Io { context, source }
}

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
fn resolved(path: &Path) -> PathBuf {
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
    out_root: PathBuf,
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

fn acquire(path: &Path, wait: bool) -> Result<File> {
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
    fn reassert(&mut self) -> Result<()> {
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
fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), std::fs::metadata(path)) {
        (Ok(a), Ok(b)) => (a.dev(), a.ino()) == (b.dev(), b.ino()),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_: &File, path: &Path) -> bool {
    path.exists()
}

/// The two hidden folders a run keeps beside a period's folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Aside {
    /// `.<period>.tmp-<pid>`: the new folder, being written.
    Tmp,
    /// `.<period>.old-<pid>`: the previous folder, moved aside for the rename.
    Old,
}

fn aside_name(slug: &str, aside: Aside, pid: u32) -> String {
    let kind = match aside {
        Aside::Tmp => "tmp",
        Aside::Old => "old",
    };
    format!(".{slug}.{kind}-{pid}")
}

/// Reads a name [`aside_name`] makes: `.2024-25-Q3.tmp-123`.
fn parse_aside(name: &str) -> Option<(&str, Aside, u32)> {
    let rest = name.strip_prefix('.')?;
    let (slug, aside, pid) = if let Some((slug, pid)) = rest.rsplit_once(".tmp-") {
        (slug, Aside::Tmp, pid)
    } else {
        let (slug, pid) = rest.rsplit_once(".old-")?;
        (slug, Aside::Old, pid)
    };
    if !is_period_slug(slug) || pid.is_empty() || !pid.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // A process id is a positive `pid_t`; 0 and negative ids name groups.
    let pid = pid
        .parse::<u32>()
        .ok()
        .filter(|&p| p > 0 && p <= i32::MAX as u32)?;
    Some((slug, aside, pid))
}

/// A period's folder name: `2024-25` or `2024-25-Q3`, the second year
/// following the first; or `sessions`, the folder `hubreport sessions`
/// publishes as a period's is.
fn is_period_slug(slug: &str) -> bool {
    if slug == SESSIONS_FOLDER {
        return true;
    }
    let Some((year, quarter)) = slug.split_at_checked(7) else {
        return false;
    };
    let b = year.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    if !(digits(0..4) && b[4] == b'-' && digits(5..7)) {
        return false;
    }
    let (Ok(first), Ok(second)) = (year[..4].parse::<u32>(), year[5..].parse::<u32>()) else {
        return false;
    };
    second == (first + 1) % 100 && matches!(quarter, "" | "-Q1" | "-Q2" | "-Q3" | "-Q4")
}

/// The run marker's text: which run made the folder, for which period.
fn marker(pid: u32, slug: &str) -> String {
    format!("hubreport run\nprocess {pid}\nperiod {slug}\n")
}

/// Whether `dir` holds the marker of run `pid` for period `slug`.
fn has_marker(dir: &Path, slug: &str, pid: u32) -> bool {
    let expected = marker(pid, slug);
    let mut text = String::new();
    File::open(dir.join(RUN_MARKER))
        .and_then(|f| f.take(expected.len() as u64 + 1).read_to_string(&mut text))
        .is_ok_and(|_| text == expected)
}

/// Whether `dir` holds a `manifest.json` hubreport wrote for period `slug`.
fn has_manifest_for(dir: &Path, slug: &str) -> bool {
    let mut bytes = Vec::new();
    if File::open(dir.join(MANIFEST))
        .and_then(|f| f.take(MANIFEST_MAX).read_to_end(&mut bytes))
        .is_err()
    {
        return false;
    }
    let Ok(manifest) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
        return false;
    };
    manifest["engine"]
        .as_str()
        .is_some_and(|e| e.starts_with("hubreport "))
        && manifest["period"]
            .as_str()
            .is_some_and(|p| p.replace(' ', "-") == slug)
}

/// Whether the process `pid` is running.
#[cfg(unix)]
fn is_running(pid: u32) -> bool {
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
fn is_running(_: u32) -> bool {
    true
}

fn exists(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok()
}

/// Clears what interrupted runs left: a `.X.tmp-<pid>` folder is removed, and
/// a `.X.old-<pid>` folder (the previous report) is put back if `X` is
/// missing (the run died between its two renames), removed otherwise. Only
/// folders named for a period, carrying a file hubreport wrote (the run
/// marker or the period's manifest) and left by a process that has ended are
/// touched. This run's own id counts as ended: it has made nothing yet.
fn recover(out_root: &Path) -> Result<()> {
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

fn remove(path: &Path) -> Result<()> {
    std::fs::remove_dir_all(path).map_err(io(format!("could not remove '{}'", path.display())))
}

/// Test-only hooks, read from the environment, that make happen on demand
/// what tests cannot otherwise cause:
///
/// - `HUBREPORT_TEST_ABORT_AFTER=N` aborts the process after writing N
///   files, as a kill would;
/// - `HUBREPORT_TEST_PAUSE_AFTER=N:FILE`, after writing N files, creates FILE
///   and waits (a minute at most) until it is removed, as a slow run would;
/// - `HUBREPORT_TEST_FAIL_SWAP=N` fails the rename of the Nth folder into
///   place, as a full disk or a filesystem error would.
mod hooks {
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

/// One period's folder on its way into place.
struct Staged<'a> {
    slug: &'a str,
    files: &'a Files,
    target: PathBuf,
    tmp: PathBuf,
    old: PathBuf,
}

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

/// Removes this run's temporary folders.
fn discard(staged: &[Staged<'_>]) {
    for s in staged {
        let _ = std::fs::remove_dir_all(&s.tmp);
    }
}

/// Refuses, before anything is written, to replace a period folder hubreport
/// did not write, or to write where one of this run's hidden names is taken.
fn check_targets(staged: &[Staged<'_>]) -> Result<()> {
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
fn name_limits(dir: &Path) -> (usize, usize) {
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
fn name_limits(_: &Path) -> (usize, usize) {
    (255, 4096)
}

/// Refuses a name longer than the filesystem takes, before anything is
/// written (a sub-group's name makes its pack's file name).
fn check_names(
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
struct Space {
    bytes: u64,
    /// A file takes a whole number of blocks.
    block: u64,
    /// Files and folders that can still be made, where the filesystem says.
    inodes: Option<u64>,
}

#[cfg(unix)]
fn free_space(dir: &Path) -> Option<Space> {
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
fn free_space(_: &Path) -> Option<Space> {
    None
}

/// Refuses a run whose folders would not fit in `space`, counting each file
/// and folder in whole blocks, before anything is written. The previous
/// reports stay until the new ones are in place, so they do not count as
/// free.
fn check_space(root: &Path, staged: &[Staged<'_>], space: Option<Space>) -> Result<()> {
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
fn size(bytes: u64) -> String {
    match bytes {
        0..1_000 => format!("{bytes} bytes"),
        1_000..1_000_000 => format!("{:.1} kB", bytes as f64 / 1e3),
        1_000_000..1_000_000_000 => format!("{:.1} MB", bytes as f64 / 1e6),
        _ => format!("{:.1} GB", bytes as f64 / 1e9),
    }
}

/// Writes each folder into its temporary folder: the run marker first, then
/// every file.
fn write_all(staged: &[Staged<'_>], pid: u32) -> Result<()> {
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

/// A path relative to a folder as the manifest writes it.
fn manifest_path(rel: &Path) -> String {
    rel.to_string_lossy().replace('\\', "/")
}

/// Every entry under `dir` that is not a folder, as (path relative to `dir`,
/// whether it is a plain file).
fn list_files(dir: &Path) -> io::Result<Vec<(String, bool)>> {
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
fn verify(s: &Staged<'_>, pid: u32) -> Result<()> {
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

/// Renames every temporary folder into place, moving each previous folder
/// aside first. If one fails, the folders already renamed are put back.
fn swap_all(staged: &[Staged<'_>]) -> Result<()> {
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
fn swap(s: &Staged<'_>, n: usize) -> io::Result<bool> {
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
fn roll_back(done: &[(&Staged<'_>, bool)]) -> std::result::Result<(), String> {
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

pub use crate::digest::{sha256, sha256_file};

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
                path: manifest_path(rel),
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

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    /// The id of a process that has ended.
    fn ended_pid() -> u32 {
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        child.wait().unwrap();
        pid
    }

    /// A period folder as hubreport leaves it: its manifest and one file.
    fn period_folder(dir: &Path, label: &str, text: &str) {
        std::fs::create_dir_all(dir).unwrap();
        let manifest = serde_json::json!({ "engine": "hubreport 0.1.0", "period": label });
        std::fs::write(dir.join(MANIFEST), manifest.to_string()).unwrap();
        std::fs::write(dir.join("a.txt"), text).unwrap();
    }

    fn staged<'a>(root: &Path, slug: &'a str, files: &'a Files) -> Staged<'a> {
        let pid = std::process::id();
        Staged {
            slug,
            files,
            target: root.join(slug),
            tmp: root.join(aside_name(slug, Aside::Tmp, pid)),
            old: root.join(aside_name(slug, Aside::Old, pid)),
        }
    }

    #[test]
    fn publish_replaces_the_folders_whole() {
        let dir = tempfile::tempdir().unwrap();
        let mut lock = lock(dir.path(), false).unwrap();
        let one = files("one");
        let paths = publish(&mut lock, &[("2024-25", &one), ("2024-25-Q1", &one)]).unwrap();
        assert_eq!(
            paths,
            [dir.path().join("2024-25"), dir.path().join("2024-25-Q1")]
        );
        let p = dir.path().join("2024-25");
        std::fs::write(
            p.join(MANIFEST),
            r#"{"engine": "hubreport 0", "period": "2024-25"}"#,
        )
        .unwrap();
        std::fs::write(p.join("stale.txt"), "x").unwrap();
        publish(&mut lock, &[("2024-25", &files("two"))]).unwrap();
        assert_eq!(std::fs::read_to_string(p.join("a.txt")).unwrap(), "two");
        assert_eq!(
            names(&p),
            ["a.txt", "sub"],
            "no file of an earlier run is mixed in"
        );
        assert_eq!(names(dir.path()), [LOCK_FILE, "2024-25", "2024-25-Q1"]);
    }

    #[test]
    fn leftovers_of_an_interrupted_run_are_cleared_or_put_back() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let gone = ended_pid();
        let own = std::process::id();
        // Half-written, by an ended run and by an earlier run with this id.
        for pid in [gone, own] {
            let tmp = d.join(aside_name("2024-25", Aside::Tmp, pid));
            std::fs::create_dir_all(tmp.join("tables")).unwrap();
            std::fs::write(tmp.join(RUN_MARKER), marker(pid, "2024-25")).unwrap();
        }
        // Complete but not yet renamed: its marker is removed already.
        period_folder(
            &d.join(aside_name("2024-25-Q4", Aside::Tmp, gone)),
            "2024-25 Q4",
            "",
        );
        // Left aside between the two renames.
        period_folder(
            &d.join(aside_name("2024-25-Q1", Aside::Old, gone)),
            "2024-25 Q1",
            "previous",
        );
        // Left aside after the second rename.
        period_folder(&d.join("2024-25-Q2"), "2024-25 Q2", "new");
        period_folder(
            &d.join(aside_name("2024-25-Q2", Aside::Old, gone)),
            "2024-25 Q2",
            "previous",
        );
        let _lock = lock(d, false).unwrap();
        assert_eq!(
            std::fs::read_to_string(d.join("2024-25-Q1/a.txt")).unwrap(),
            "previous"
        );
        assert_eq!(
            std::fs::read_to_string(d.join("2024-25-Q2/a.txt")).unwrap(),
            "new"
        );
        assert_eq!(names(d), [LOCK_FILE, "2024-25-Q1", "2024-25-Q2"]);
    }

    #[test]
    fn folders_hubreport_did_not_make_or_that_a_running_process_made_are_left() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let gone = ended_pid();
        let running = std::process::Command::new("sleep")
            .arg("30")
            .spawn()
            .unwrap();
        let mut kept = Vec::new();
        let mut keep = |name: String, marker_text: Option<String>, label: Option<&str>| {
            let path = d.join(&name);
            std::fs::create_dir_all(&path).unwrap();
            std::fs::write(path.join("keep.txt"), "mine").unwrap();
            if let Some(text) = marker_text {
                std::fs::write(path.join(RUN_MARKER), text).unwrap();
            }
            if let Some(label) = label {
                period_folder(&path, label, "mine");
            }
            kept.push(name);
        };
        // Not named for a period, or not by hubreport.
        keep(format!(".notes.tmp-{gone}"), None, None);
        keep(
            format!(".2024-26.tmp-{gone}"),
            Some(marker(gone, "2024-26")),
            None,
        );
        keep(".2024-25.tmp-0".into(), Some(marker(0, "2024-25")), None);
        keep(".2024-25.tmp-+1".into(), None, Some("2024-25"));
        keep(format!(".2024-25.tmp-{gone}.bak"), None, Some("2024-25"));
        // Named like hubreport's, but without its marker or manifest.
        keep(format!(".2024-25.tmp-{gone}"), None, None);
        keep(format!(".2023-24.old-{gone}"), None, None);
        keep(
            format!(".2022-23.tmp-{gone}"),
            Some(marker(gone + 1, "2022-23")),
            None,
        );
        keep(format!(".2021-22.old-{gone}"), None, Some("2021-22 Q1"));
        // A run still going.
        let pid = running.id();
        keep(
            format!(".2024-25-Q1.tmp-{pid}"),
            Some(marker(pid, "2024-25-Q1")),
            None,
        );
        keep(format!(".2024-25-Q2.old-{pid}"), None, Some("2024-25 Q2"));
        let _lock = lock(d, false).unwrap();
        for name in &kept {
            assert_eq!(
                std::fs::read_to_string(d.join(name).join("keep.txt")).unwrap(),
                "mine",
                "{name}"
            );
        }
        kept.push(LOCK_FILE.into());
        kept.sort();
        assert_eq!(names(d), kept, "nothing moved or removed");
        let mut running = running;
        running.kill().unwrap();
        running.wait().unwrap();
    }

    #[test]
    fn period_slugs_and_hidden_names_are_read_strictly() {
        for ok in ["2024-25", "1999-00", "2024-25-Q1", "2024-25-Q4", "sessions"] {
            assert!(is_period_slug(ok), "{ok}");
        }
        for bad in [
            "",
            "2024",
            "2024-26",
            "2024-25-Q5",
            "2024-25-q1",
            "2024-25 Q1",
            "2024/25",
            "202a-25",
            "2024-25-Q1x",
            "2024-2é",
            "../2024-25",
            "Sessions",
            "sessions-1",
        ] {
            assert!(!is_period_slug(bad), "{bad}");
        }
        assert_eq!(
            parse_aside(".2024-25-Q3.tmp-123"),
            Some(("2024-25-Q3", Aside::Tmp, 123))
        );
        assert_eq!(
            parse_aside(".2024-25.old-7"),
            Some(("2024-25", Aside::Old, 7))
        );
        for bad in [
            "2024-25.tmp-1",
            ".2024-25.tmp-",
            ".2024-25.tmp-0",
            ".2024-25.tmp--1",
            ".2024-25.tmp-+1",
            ".2024-25.tmp-4294967296",
            ".2024-25.tmp-2147483648",
            ".2024-25.new-1",
        ] {
            assert_eq!(parse_aside(bad), None, "{bad}");
        }
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

    #[test]
    fn a_removed_lock_file_is_taken_again_unless_another_run_holds_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(LOCK_FILE);
        let mut first = lock(dir.path(), false).unwrap();
        first.reassert().unwrap();
        std::fs::remove_file(&path).unwrap();
        let second = lock(dir.path(), false).unwrap();
        let e = first.reassert().unwrap_err();
        assert!(matches!(e, Error::Locked { .. }), "{e}");
        let e = publish(&mut first, &[("2024-25", &files("one"))]).unwrap_err();
        assert!(matches!(e, Error::Locked { .. }), "{e}");
        assert_eq!(names(dir.path()), [LOCK_FILE], "nothing was published");
        drop(second);
        std::fs::remove_file(&path).unwrap();
        first.reassert().unwrap();
        assert!(path.is_file());
        assert!(lock(dir.path(), false).is_err(), "held again");
    }

    #[test]
    fn a_temporary_folder_changed_by_another_process_is_not_published() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let pid = std::process::id();
        let one = files("one");
        let s = staged(d, "2024-25", &one);
        /// What another process does to the folder, and what the check says.
        type Tamper = (&'static str, fn(&Path));
        let tamper: [Tamper; 5] = [
            ("'sub/b.txt' is missing", |t| {
                std::fs::remove_file(t.join("sub/b.txt")).unwrap()
            }),
            ("'a.txt' differs", |t| {
                std::fs::write(t.join("a.txt"), "two").unwrap()
            }),
            ("'x.txt' was not written", |t| {
                std::fs::write(t.join("x.txt"), "").unwrap()
            }),
            ("'.hubreport-run' is missing", |t| {
                std::fs::remove_file(t.join(RUN_MARKER)).unwrap()
            }),
            ("cannot be read", |t| std::fs::remove_dir_all(t).unwrap()),
        ];
        for (expected, change) in tamper {
            write_all(std::slice::from_ref(&s), pid).unwrap();
            verify(&s, pid).unwrap();
            change(&s.tmp);
            let e = verify(&s, pid).unwrap_err();
            assert!(e.to_string().contains(expected), "{expected}: {e}");
            assert!(e.to_string().contains("nothing was published"), "{e}");
            assert_eq!(e.exit_code(), crate::error::exit::INPUT);
            discard(std::slice::from_ref(&s));
        }
    }

    #[test]
    fn a_folder_hubreport_did_not_write_is_not_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let mut lock = lock(d, false).unwrap();
        let one = files("one");
        std::fs::create_dir(d.join("2024-25")).unwrap();
        std::fs::write(d.join("2024-25/notes.txt"), "mine").unwrap();
        std::fs::write(d.join("2024-25-Q1"), "a file").unwrap();
        period_folder(&d.join("2024-25-Q2"), "2024-25 Q3", "another period's");
        for slug in ["2024-25", "2024-25-Q1", "2024-25-Q2"] {
            let e = publish(&mut lock, &[("2024-26-Q1", &one), (slug, &one)]).unwrap_err();
            assert!(matches!(e, Error::Internal(_)), "{e}");
            let e = publish(&mut lock, &[("2024-25-Q4", &one), (slug, &one)]).unwrap_err();
            assert!(matches!(e, Error::Usage(_)), "{e}");
            assert!(
                e.to_string()
                    .contains(&format!("'{}'", d.join(slug).display())),
                "{e}"
            );
        }
        assert_eq!(names(d), [LOCK_FILE, "2024-25", "2024-25-Q1", "2024-25-Q2"]);
    }

    #[test]
    fn names_too_long_for_the_filesystem_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let long = vec![(
            PathBuf::from(format!("quarterly-pack-{}.html", "x".repeat(236))),
            Vec::new(),
        )];
        let s = [staged(d, "2024-25-Q1", &long)];
        check_names(d, &s, (256, 4096)).unwrap();
        let e = check_names(d, &s, (255, 4096)).unwrap_err();
        assert!(matches!(e, Error::Usage(_)), "{e}");
        assert!(
            e.to_string().contains("256 bytes") && e.to_string().contains("[[subgroups]]"),
            "{e}"
        );
        let e = check_names(d, &s, (256, 200)).unwrap_err();
        assert!(e.to_string().contains("shorter path"), "{e}");
        let up = vec![(PathBuf::from("../a.txt"), Vec::new())];
        let e = check_names(d, &[staged(d, "2024-25", &up)], (255, 4096)).unwrap_err();
        assert!(matches!(e, Error::Internal(_)), "{e}");
        // The limits of a real filesystem.
        let (name_max, path_max) = name_limits(d);
        assert!((14..=255).contains(&name_max) && (256..=4096).contains(&path_max));
    }

    #[test]
    fn a_run_that_does_not_fit_is_refused_before_writing() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let big = vec![
            (PathBuf::from("a.bin"), vec![0u8; 10_000]),
            (PathBuf::from("tables/b.csv"), vec![0u8; 10]),
        ];
        let s = [staged(d, "2024-25", &big), staged(d, "2024-25-Q1", &big)];
        // Per folder: a.bin 3 blocks, b.csv 1, the marker 1, two folders 2.
        let space = |bytes, inodes| Space {
            bytes,
            block: 4096,
            inodes,
        };
        check_space(d, &s, Some(space(14 * 4096, Some(10)))).unwrap();
        let e = check_space(d, &s, Some(space(14 * 4096 - 1, None))).unwrap_err();
        assert_eq!(e.exit_code(), crate::error::exit::INPUT);
        assert_eq!(
            e.to_string(),
            format!(
                "not enough free space in '{}': this run's reports need 57.3 kB and 57.3 kB \
                 is free; nothing was written",
                d.display()
            )
        );
        let e = check_space(d, &s, Some(space(1 << 40, Some(9)))).unwrap_err();
        assert!(e.to_string().contains("need 10 files and folders"), "{e}");
        check_space(d, &s, None).unwrap();
        assert!(free_space(d).is_some_and(|s| s.block > 0));
    }

    #[test]
    fn the_output_folder_is_not_the_data_folder_home_or_root() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let data = d.join("data");
        std::fs::create_dir(&data).unwrap();
        let config = d.join("hub.toml");
        std::fs::write(&config, "").unwrap();
        check_out_root(&d.join("out"), &data, Some(&config)).unwrap();
        check_out_root(&data.join("out"), &data, None).unwrap();
        for (out, what) in [
            (data.clone(), "is the data folder"),
            (d.join("data/x/.."), "is the data folder"),
            (d.join("nothing/../data"), "is the data folder"),
            (d.to_path_buf(), "contains the data folder"),
            (PathBuf::from("/"), "is the root folder"),
            (PathBuf::new(), "is an empty path"),
        ] {
            let e = check_out_root(&out, &data, None).unwrap_err();
            assert!(matches!(e, Error::Usage(_)), "{e}");
            assert!(e.to_string().contains(what), "{}: {e}", out.display());
        }
        let elsewhere = tempfile::tempdir().unwrap();
        let e = check_out_root(d, elsewhere.path(), Some(&config)).unwrap_err();
        assert!(e.to_string().contains("contains the config file"), "{e}");
        #[cfg(unix)]
        {
            let link = d.join("link");
            std::os::unix::fs::symlink(&data, &link).unwrap();
            let e = check_out_root(&link, &data, None).unwrap_err();
            assert!(e.to_string().contains("is the data folder"), "{e}");
        }
    }

    #[test]
    fn resolved_paths_follow_links_and_dots_as_far_as_they_exist() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().canonicalize().unwrap();
        assert_eq!(resolved(&d.join("a/b/../c")), d.join("a/c"));
        assert_eq!(resolved(&d.join("a/./b")), d.join("a/b"));
        assert_eq!(resolved(&d), d);
    }
}
