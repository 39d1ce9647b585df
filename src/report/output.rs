//! What a run writes besides its pages: the locked output folder, the
//! manifest's inputs, and each period's tables as CSV, Parquet and a workbook.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::error::{Error, Result};
use crate::metrics::Metrics;
use crate::model::Quality;
use crate::publish::{self, Manifest};
use crate::{frame, render};

/// A period folder's files, as (path relative to it, bytes).
pub(super) type Files = Vec<(PathBuf, Vec<u8>)>;

/// The output folder (`out`, else the config's), checked and locked: the
/// first thing a run that publishes does. A folder named in hub.toml that
/// cannot be made is the config's fault.
pub(crate) fn open_output(
    config: &Config,
    out: Option<&Path>,
    data_dir: &Path,
    wait: bool,
) -> Result<publish::Lock> {
    let out_root = out.map_or_else(|| config.out_dir(), Path::to_path_buf);
    if out.is_none() && config.out_dir.is_some() {
        std::fs::create_dir_all(&out_root).map_err(|e| Error::Config {
            file: config.path.clone().unwrap_or_else(|| "hub.toml".into()),
            message: format!("out_dir: could not create '{}': {e}", out_root.display()),
        })?;
    }
    publish::check_out_root(&out_root, data_dir, config.path.as_deref())?;
    publish::lock(&out_root, wait)
}

/// A run's manifest before its folder's period, date and outputs are set:
/// the engine, the config's hash and every input.
pub(crate) fn manifest(config: &Config, data_dir: &Path, quality: &Quality) -> Result<Manifest> {
    Ok(Manifest {
        engine: format!("hubreport {}", env!("CARGO_PKG_VERSION")),
        period: String::new(),
        as_of: String::new(),
        config: config_hash(config)?,
        data_dir: data_dir.display().to_string(),
        inputs: inputs(quality),
        outputs: Vec::new(),
    })
}

/// The config file's path and hash, or none when running on defaults.
fn config_hash(config: &Config) -> Result<Option<publish::Hashed>> {
    let Some(path) = &config.path else {
        return Ok(None);
    };
    let (size, sha256) = publish::sha256_file(path)?;
    Ok(Some(publish::Hashed {
        path: path.display().to_string(),
        size,
        sha256,
    }))
}

/// Every input file with its hash (taken when it was read) and row counts.
fn inputs(quality: &Quality) -> Vec<publish::Input> {
    let mut by_file: BTreeMap<(String, String), publish::Input> = BTreeMap::new();
    for s in &quality.sources {
        let input = by_file
            .entry((s.source.clone(), s.file.clone()))
            .or_insert_with(|| publish::Input {
                source: s.source.clone(),
                path: s.file.clone(),
                size: s.size,
                sha256: s.sha256.clone(),
                rows_read: 0,
                rows_loaded: 0,
                rows_rejected: 0,
                rows_skipped: 0,
            });
        input.rows_read += s.rows_read;
        input.rows_loaded += s.rows_loaded;
        input.rows_rejected += s.rows_rejected;
        input.rows_skipped += s.rows_skipped;
    }
    by_file.into_values().collect()
}

/// Every file of one period's folder, as (path relative to it, bytes).
pub fn files(m: &Metrics) -> Result<Files> {
    let mut out = Vec::new();
    for t in &m.tables {
        out.push((
            Path::new("tables").join(format!("{}.csv", t.name)),
            render::csv(t),
        ));
        out.push((
            Path::new("tables").join(format!("{}.parquet", t.name)),
            frame::parquet_bytes(t)?,
        ));
    }
    out.push((PathBuf::from("tables.xlsx"), render::xlsx(&m.tables)?));
    Ok(out)
}
