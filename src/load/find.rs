//! Finding each source's files in the data folder: by file stem, or by the
//! paths and globs config names.

use std::path::{Path, PathBuf};

use super::file;
use crate::config::{Config, SourceConfig, SourceKind};
use crate::error::{Error, Result};

/// The files found for one source.
#[derive(Debug, Clone)]
pub struct SourceFiles {
    pub kind: SourceKind,
    /// Each file with the settings it is read with: the source's, or those
    /// of the `files` entry that named it over the source's.
    pub files: Vec<(PathBuf, SourceConfig)>,
}

/// Finds every source's files in `data_dir`, by stem or by config's paths/globs.
pub fn find_sources(config: &Config, data_dir: &Path) -> Result<Vec<SourceFiles>> {
    if !data_dir.is_dir() {
        return Err(Error::Sources(format!(
            "the data folder '{}' does not exist or is not a folder",
            data_dir.display()
        )));
    }
    let listing: Vec<PathBuf> = std::fs::read_dir(data_dir)
        .map_err(|source| Error::Io {
            context: format!("could not list '{}'", data_dir.display()),
            source,
        })?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && file::is_supported(p))
        .collect();
    let mut out = Vec::new();
    for kind in SourceKind::ALL {
        let cfg = config.sources.get(kind);
        if cfg.enabled == Some(false) {
            continue;
        }
        let mut files: Vec<(PathBuf, SourceConfig)> = Vec::new();
        if let Some(pattern) = &cfg.path {
            for path in glob_files(config, data_dir, &format!("sources.{kind}.path"), pattern)? {
                files.push((path, cfg.clone()));
            }
        }
        for (i, entry) in cfg.files.iter().enumerate() {
            let Some(pattern) = &entry.path else { continue };
            let key = format!("sources.{kind}.files[{}].path", i + 1);
            for path in glob_files(config, data_dir, &key, pattern)? {
                // A file named twice would be counted twice: refuse it.
                if let Some((_, first)) = files.iter().find(|(f, _)| *f == path) {
                    return Err(Error::Sources(format!(
                        "'{}' is named by {key} '{pattern}' and by '{}' as well: a file is read once; narrow one of the patterns",
                        path.display(),
                        first.path.as_deref().unwrap_or_default()
                    )));
                }
                files.push((path, cfg.with_entry(entry)));
            }
        }
        if cfg.path.is_none() && cfg.files.is_empty() {
            let mut stemmed: Vec<PathBuf> = listing
                .iter()
                .filter(|p| {
                    p.file_stem()
                        .and_then(|s| s.to_str())
                        .is_some_and(|s| s.eq_ignore_ascii_case(kind.name()))
                })
                .cloned()
                .collect();
            stemmed.sort();
            if stemmed.len() > 1 {
                let names = file_names(&stemmed);
                return Err(Error::Sources(format!(
                    "several files could be the {kind} source in '{}': {}. Keep one, or name it in hub.toml with [sources.{kind}] path = \"...\"",
                    data_dir.display(),
                    names.join(", ")
                )));
            }
            files.extend(stemmed.into_iter().map(|f| (f, cfg.clone())));
        }
        if files.is_empty() && kind.required() {
            let found = file_names(&listing);
            return Err(Error::Sources(format!(
                "no {kind} file in '{}': expected {kind}.xlsx, .xls, .xlsb, .ods, .csv or tab-separated .tsv/.txt (or set [sources.{kind}] path in hub.toml); files found: {}",
                data_dir.display(),
                if found.is_empty() {
                    "none".to_string()
                } else {
                    found.join(", ")
                }
            )));
        }
        if !files.is_empty() {
            out.push(SourceFiles { kind, files });
        }
    }
    Ok(out)
}

/// The files a config path or glob matches, sorted; none is an error.
fn glob_files(config: &Config, data_dir: &Path, key: &str, pattern: &str) -> Result<Vec<PathBuf>> {
    let full = data_dir.join(pattern);
    // The data folder's own name is matched as written, even with `[`, `*`
    // or `?` in it; only the pattern is a glob.
    let escaped = glob::Pattern::escape(&data_dir.to_string_lossy());
    let text = Path::new(&escaped).join(pattern);
    let matches = glob::glob(&text.to_string_lossy()).map_err(|e| Error::Config {
        file: config
            .path
            .clone()
            .unwrap_or_else(|| PathBuf::from("hub.toml")),
        message: format!("{key} '{pattern}' is not a valid glob: {e}"),
    })?;
    let mut files = Vec::new();
    for entry in matches {
        let path = entry.map_err(|e| Error::Io {
            context: format!("could not read '{}'", e.path().display()),
            source: e.into(),
        })?;
        if path.is_file() {
            files.push(path);
        }
    }
    files.sort();
    if files.is_empty() {
        return Err(Error::Sources(format!(
            "{key} '{pattern}' matches no file (looked for '{}')",
            full.display()
        )));
    }
    Ok(files)
}

/// The files' names, without their folders, for a message.
fn file_names(files: &[PathBuf]) -> Vec<String> {
    files
        .iter()
        .map(|f| {
            f.file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .to_string()
        })
        .collect()
}
