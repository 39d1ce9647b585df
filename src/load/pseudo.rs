//! Pseudonymisation: identifiers become keyed hashes (HMAC-SHA-256) on load.
//!
//! The same person gets the same pseudonym in every run with the same key, so
//! quarters link; without the key a pseudonym cannot be turned back into an
//! email, nor recomputed from a guessed one.

use std::cell::RefCell;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::config::Config;
use crate::error::{Error, Result};

pub const DEFAULT_KEY_FILE: &str = ".hubreport-key";
const KEY_ENV: &str = "HUBREPORT_KEY";

pub struct Pseudonymiser {
    mac: Hmac<Sha256>,
    /// Each identifier met so far, as written, and its pseudonym: a delegate
    /// books many sessions and answers several forms, and is hashed once.
    seen: RefCell<crate::fast::FastMap<Box<str>, Arc<str>>>,
}

impl Clone for Pseudonymiser {
    fn clone(&self) -> Self {
        Pseudonymiser {
            mac: self.mac.clone(),
            seen: RefCell::default(),
        }
    }
}

/// Where the key came from, for `check` to report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    Config,
    Environment,
    File(PathBuf),
    Created(PathBuf),
}

impl Pseudonymiser {
    pub fn new(key: &[u8]) -> Self {
        let mac =
            <Hmac<Sha256> as KeyInit>::new_from_slice(key).expect("HMAC takes a key of any length");
        Pseudonymiser {
            mac,
            seen: RefCell::default(),
        }
    }

    /// The key from config, else `HUBREPORT_KEY`, else the key file beside the
    /// data (created with a random key on first use).
    pub fn from_config(config: &Config, data_dir: &Path) -> Result<(Self, KeySource)> {
        if let Some(key) = config
            .pseudonymisation
            .key
            .as_deref()
            .filter(|k| !k.is_empty())
        {
            return Ok((Self::new(key.as_bytes()), KeySource::Config));
        }
        if let Ok(key) = std::env::var(KEY_ENV)
            && !key.is_empty()
        {
            return Ok((Self::new(key.as_bytes()), KeySource::Environment));
        }
        let path = data_dir.join(
            config
                .pseudonymisation
                .key_file
                .as_deref()
                .unwrap_or(Path::new(DEFAULT_KEY_FILE)),
        );
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                let key = text.trim();
                if key.len() < 16 {
                    return Err(Error::input(
                        &path,
                        None,
                        "the pseudonymisation key file holds fewer than 16 characters; delete it to have a new key made (pseudonyms will change)",
                    ));
                }
                Ok((Self::new(key.as_bytes()), KeySource::File(path)))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut bytes = [0u8; 32];
                getrandom::fill(&mut bytes)
                    .map_err(|e| Error::Internal(format!("no random source for a new key: {e}")))?;
                let key = hex::encode(bytes);
                match write_private(&path, &format!("{key}\n")) {
                    Ok(()) => Ok((Self::new(key.as_bytes()), KeySource::Created(path))),
                    // Another run made it first: use that one.
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                        Self::from_config(config, data_dir)
                    }
                    // A key_file named in hub.toml that cannot be made is
                    // the config's to fix (exit 3).
                    Err(e) if config.pseudonymisation.key_file.is_some() => Err(Error::Config {
                        file: config.path.clone().unwrap_or_else(|| "hub.toml".into()),
                        message: format!(
                            "pseudonymisation.key_file: could not create '{}': {e}",
                            path.display()
                        ),
                    }),
                    Err(source) => Err(Error::Io {
                        context: format!(
                            "could not create the pseudonymisation key file '{}' (set pseudonymisation.key_file, or HUBREPORT_KEY)",
                            path.display()
                        ),
                        source,
                    }),
                }
            }
            Err(source) => Err(Error::Io {
                context: format!(
                    "could not read the pseudonymisation key file '{}'",
                    path.display()
                ),
                source,
            }),
        }
    }

    /// The pseudonym of an identifier, compared trimmed and case-insensitively.
    /// Each identifier's pseudonym is one shared string, however many rows
    /// carry it.
    pub fn pseudonym(&self, id: &str) -> Arc<str> {
        if let Some(known) = self.seen.borrow().get(id) {
            return known.clone();
        }
        let pseudonym: Arc<str> = self.hash(id).into();
        self.seen.borrow_mut().insert(id.into(), pseudonym.clone());
        pseudonym
    }

    fn hash(&self, id: &str) -> String {
        let mut mac = self.mac.clone();
        mac.update(id.trim().to_lowercase().as_bytes());
        let digest = mac.finalize().into_bytes();
        hex::encode(&digest[..12])
    }
}

/// Creates the file at `path` holding `text`, readable and writable by its
/// owner only (mode 0600 on Unix), and fails if it exists.
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pseudonyms_are_keyed_stable_and_case_blind() {
        let a = Pseudonymiser::new(b"key one, long enough");
        let b = Pseudonymiser::new(b"key two, long enough");
        assert_eq!(
            a.pseudonym("Jo.Bloggs@Example.org "),
            a.pseudonym("jo.bloggs@example.org")
        );
        assert_ne!(
            a.pseudonym("jo.bloggs@example.org"),
            b.pseudonym("jo.bloggs@example.org")
        );
        assert_eq!(a.pseudonym("x").len(), 24);
        assert!(!a.pseudonym("jo.bloggs@example.org").contains("bloggs"));
    }

    #[test]
    fn a_key_file_is_created_once_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let config = Config::default();
        let (first, src) = Pseudonymiser::from_config(&config, dir.path()).unwrap();
        assert!(matches!(src, KeySource::Created(_)));
        let (second, src) = Pseudonymiser::from_config(&config, dir.path()).unwrap();
        assert!(matches!(src, KeySource::File(_)));
        assert_eq!(first.pseudonym("a@b.c"), second.pseudonym("a@b.c"));
    }

    #[cfg(unix)]
    #[test]
    fn a_new_key_file_is_readable_by_its_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let (_, src) = Pseudonymiser::from_config(&Config::default(), dir.path()).unwrap();
        let KeySource::Created(path) = src else {
            panic!("a key file is created: {src:?}");
        };
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "mode {:o}", mode & 0o777);
        assert_eq!(std::fs::read_to_string(&path).unwrap().trim().len(), 64);
    }
}
