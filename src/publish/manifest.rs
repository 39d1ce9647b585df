//! `manifest.json`: what a report was made from and what it holds.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::digest::sha256;

/// A path relative to a folder as the manifest writes it.
pub(super) fn manifest_path(rel: &Path) -> String {
    rel.to_string_lossy().replace('\\', "/")
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
