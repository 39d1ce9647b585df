//! The load stage: find each source's files, read their sheets column-wise,
//! parse and check every value, reconcile agencies with the register, resolve
//! duplicates and links, and account for every row read.

pub mod agency;
pub mod columns;
pub mod dates;
pub mod file;
mod find;
pub mod inspect;
mod loader;
pub mod pseudo;
mod reconcile;
mod screen;
pub mod sheet;
pub mod sources;
pub mod text;
pub mod value;
pub mod workbook;

use std::path::{Path, PathBuf};

use crate::config::{Config, SourceKind};
use crate::error::Result;
use crate::model::Dataset;
pub use find::{SourceFiles, find_sources};
use loader::Loader;
use pseudo::{KeySource, Pseudonymiser};
use sources::StatusVocabulary;

/// Loads everything in the data folder into a [`Dataset`]: each source's
/// files found and read into staged rows, the agencies and sessions first,
/// then the rows that name them; all of it reconciled at the end.
pub fn load(config: &Config, data_dir: &Path) -> Result<Dataset> {
    let origin = config
        .path
        .clone()
        .unwrap_or_else(|| PathBuf::from("hub.toml"));
    for kind in SourceKind::ALL {
        let cfg = config.sources.get(kind);
        for entry in std::iter::once(cfg).chain(&cfg.files) {
            columns::check_config_columns(kind, entry, &origin)?;
        }
    }
    let found = find_sources(config, data_dir)?;
    let (pseudo, key_source) = Pseudonymiser::from_config(config, data_dir)?;
    let statuses = StatusVocabulary::new(config);
    let mut loader = Loader::new(config, data_dir, &pseudo, &statuses, &found);
    if let KeySource::Created(path) = &key_source {
        loader.quality.notes.push(format!(
            "a new pseudonymisation key was created at '{}': keep it, so that later runs link to this one",
            path.display()
        ));
    }
    loader.note_absent(&found);
    let files_of = |kind: SourceKind| {
        found
            .iter()
            .find(|s| s.kind == kind)
            .map(|s| s.files.clone())
            .unwrap_or_default()
    };

    let agencies = loader.read(
        SourceKind::Agencies,
        &files_of(SourceKind::Agencies),
        sources::agencies,
    )?;
    let sessions = loader.read(
        SourceKind::Sessions,
        &files_of(SourceKind::Sessions),
        sources::sessions,
    )?;
    loader.sessions = sources::SessionIndex::new(&sessions);
    let bookings = loader.read(
        SourceKind::Attendance,
        &files_of(SourceKind::Attendance),
        sources::bookings,
    )?;
    let forms = loader.read(
        SourceKind::Evaluations,
        &files_of(SourceKind::Evaluations),
        sources::forms,
    )?;
    let responses = loader.read(
        SourceKind::Impact,
        &files_of(SourceKind::Impact),
        sources::responses,
    )?;
    let returns = loader.read(
        SourceKind::AgencyReturns,
        &files_of(SourceKind::AgencyReturns),
        sources::returns,
    )?;
    let has_sessions = found.iter().any(|s| s.kind == SourceKind::Sessions);
    // A file rewritten while the others were read would leave the run
    // reporting on a mix of old and new: refuse it.
    loader.ensure_unchanged()?;
    Ok(loader.reconcile(
        agencies,
        sessions,
        bookings,
        forms,
        responses,
        returns,
        has_sessions,
    ))
}
