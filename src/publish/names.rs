//! How hubreport knows its own folders: a period folder's name, the hidden
//! names a run keeps beside it, the run marker and the manifest.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use super::staged::{MANIFEST, MANIFEST_MAX, RUN_MARKER, SESSIONS_FOLDER};

/// The two hidden folders a run keeps beside a period's folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Aside {
    /// `.<period>.tmp-<pid>`: the new folder, being written.
    Tmp,
    /// `.<period>.old-<pid>`: the previous folder, moved aside for the rename.
    Old,
}

pub(super) fn aside_name(slug: &str, aside: Aside, pid: u32) -> String {
    let kind = match aside {
        Aside::Tmp => "tmp",
        Aside::Old => "old",
    };
    format!(".{slug}.{kind}-{pid}")
}

/// Reads a name [`aside_name`] makes: `.2024-25-Q3.tmp-123`.
pub(super) fn parse_aside(name: &str) -> Option<(&str, Aside, u32)> {
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
pub(super) fn is_period_slug(slug: &str) -> bool {
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
pub(super) fn marker(pid: u32, slug: &str) -> String {
    format!("hubreport run\nprocess {pid}\nperiod {slug}\n")
}

/// Whether `dir` holds the marker of run `pid` for period `slug`.
pub(super) fn has_marker(dir: &Path, slug: &str, pid: u32) -> bool {
    let expected = marker(pid, slug);
    let mut text = String::new();
    File::open(dir.join(RUN_MARKER))
        .and_then(|f| f.take(expected.len() as u64 + 1).read_to_string(&mut text))
        .is_ok_and(|_| text == expected)
}

/// Whether `dir` holds a `manifest.json` hubreport wrote for period `slug`.
pub(super) fn has_manifest_for(dir: &Path, slug: &str) -> bool {
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
