//! SHA-256 of bytes and of files, as lowercase hex: the fingerprints a
//! manifest records of every input and output.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

pub fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// A file's size and SHA-256, read in chunks.
pub fn sha256_file(path: &Path) -> Result<(u64, String)> {
    let context = || format!("could not read '{}'", path.display());
    let mut file = File::open(path).map_err(|source| Error::Io {
        context: context(),
        source,
    })?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut size = 0u64;
    loop {
        let n = file.read(&mut buf).map_err(|source| Error::Io {
            context: context(),
            source,
        })?;
        if n == 0 {
            break;
        }
        size += n as u64;
        hasher.update(&buf[..n]);
    }
    Ok((size, hex::encode(hasher.finalize())))
}
