//! Where a run's settings and data come from, and `hubreport init`.

use std::path::{Path, PathBuf};

use super::settings::{CONFIG_FILE_NAME, Config, DEFAULT_CONFIG_TOML};
use crate::error::{Error, Result};

/// Where a run's data and settings come from, as the command line says.
#[derive(Debug, Clone, Default)]
pub struct Input {
    /// The folder of exports (`--data`).
    pub data: Option<PathBuf>,
    /// The settings file (`--config`).
    pub config: Option<PathBuf>,
}

impl Input {
    /// The config (from `config`, else `./hub.toml`, else defaults) and the
    /// data folder (`data`, else the config's).
    pub fn resolve(&self) -> Result<(Config, PathBuf)> {
        let config = match &self.config {
            Some(path) => {
                if !path.is_file() {
                    return Err(Error::Usage(format!(
                        "--config: no such file '{}'",
                        path.display()
                    )));
                }
                Config::load(path)?
            }
            None if Path::new(CONFIG_FILE_NAME).is_file() => {
                Config::load(Path::new(CONFIG_FILE_NAME))?
            }
            None => Config::default(),
        };
        let data = match &self.data {
            Some(dir) => {
                if !dir.is_dir() {
                    return Err(Error::Usage(format!(
                        "--data: no such folder '{}'",
                        dir.display()
                    )));
                }
                dir.clone()
            }
            None if config.path.is_some() => {
                let dir = config.data_dir();
                if !dir.is_dir() {
                    return Err(Error::Config {
                        file: config.path.clone().unwrap_or_default(),
                        message: format!(
                            "data_dir: no such folder '{}' (give --data DIR, or fix data_dir)",
                            dir.display()
                        ),
                    });
                }
                dir
            }
            None => {
                return Err(Error::Usage(
                    "no data: give --data DIR, or --config FILE (or put a hub.toml here) naming data_dir".into(),
                ));
            }
        };
        Ok((config, data))
    }
}

/// `hubreport init [DIR]`: writes a commented `hub.toml`, refusing to overwrite.
pub fn init(dir: &Path) -> Result<PathBuf> {
    std::fs::create_dir_all(dir).map_err(|source| Error::Io {
        context: format!("could not create folder '{}'", dir.display()),
        source,
    })?;
    let path = dir.join(CONFIG_FILE_NAME);
    if path.exists() {
        return Err(Error::Usage(format!(
            "'{}' already exists; remove it or choose another folder",
            path.display()
        )));
    }
    std::fs::write(&path, DEFAULT_CONFIG_TOML).map_err(|source| Error::Io {
        context: format!("could not write '{}'", path.display()),
        source,
    })?;
    Ok(path)
}
