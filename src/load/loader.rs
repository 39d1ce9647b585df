//! Reading every file of every source into staged rows, accounting for each
//! row in the data-quality ledger: the files read ahead in parallel, each
//! sheet's headers mapped and its rows parsed by its source's parser.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::columns::{self, RowParser};
use super::file;
use super::find::SourceFiles;
use super::pseudo::Pseudonymiser;
use super::sources::{Context, Origin, SessionIndex, StatusVocabulary, dedupe_first};
use crate::config::{Config, SourceConfig, SourceKind};
use crate::error::Result;
use crate::fast::FastMap;
use crate::model::{Quality, Rejection, Role, SourceQuality};

/// A file (and sheet) rows came from.
pub(super) struct Location {
    pub(super) ledger: usize,
    pub(super) sheet: String,
    /// Whether the sheet gives cancellation dates (a `cancelled_at` column
    /// or constant): without them a cancellation's lateness is not known.
    pub(super) cancellation_dates: bool,
}

/// A load under way: the sources read so far, the data-quality ledger with
/// a row for each file, and where each sheet's rows came from.
pub(super) struct Loader<'a> {
    pub(super) config: &'a Config,
    data_dir: &'a Path,
    pseudo: &'a Pseudonymiser,
    statuses: &'a StatusVocabulary,
    pub(super) quality: Quality,
    pub(super) locations: Vec<Location>,
    /// Every file's sheets, read ahead in parallel; taken as each is parsed.
    read_ahead: FastMap<(&'static str, PathBuf), Result<file::FileRead>>,
    /// Every file as it was when read, to check nothing changed meanwhile.
    stamps: Vec<(PathBuf, file::Stamp)>,
    /// The sessions source by course and date, once it is read.
    pub(super) sessions: SessionIndex,
}

/// Reads every file of every source at once, on as many threads as there are
/// cores: reading spreadsheets is most of a load, and files are independent.
/// Errors are kept, to be raised where the file is parsed.
fn read_ahead(found: &[SourceFiles]) -> FastMap<(&'static str, PathBuf), Result<file::FileRead>> {
    let mut jobs: Vec<(&'static str, &Path, Option<&crate::config::SheetSelector>)> = found
        .iter()
        .flat_map(|s| {
            s.files
                .iter()
                .map(move |(f, cfg)| (s.kind.name(), f.as_path(), cfg.sheet.as_ref()))
        })
        .collect();
    // Largest first: the largest file is the longest read, and the rest fit
    // around it on the other cores.
    jobs.sort_by_key(|&(_, path, _)| {
        std::cmp::Reverse(std::fs::metadata(path).map_or(0, |m| m.len()))
    });
    let reads = crate::parallel::map_in_order(&jobs, |&(_, path, sel)| file::read_file(path, sel));
    jobs.iter()
        .zip(reads)
        .map(|(&(kind, path, _), read)| ((kind, path.to_path_buf()), read))
        .collect()
}

impl<'a> Loader<'a> {
    /// A load of the files `found`, each read ahead at once.
    pub(super) fn new(
        config: &'a Config,
        data_dir: &'a Path,
        pseudo: &'a Pseudonymiser,
        statuses: &'a StatusVocabulary,
        found: &[SourceFiles],
    ) -> Self {
        Loader {
            config,
            data_dir,
            pseudo,
            statuses,
            quality: Quality::default(),
            locations: Vec::new(),
            read_ahead: read_ahead(found),
            stamps: Vec::new(),
            sessions: SessionIndex::default(),
        }
    }

    fn display_path(&self, file: &Path) -> String {
        file.strip_prefix(self.data_dir)
            .unwrap_or(file)
            .to_string_lossy()
            .replace('\\', "/")
    }

    /// Reads every file and sheet of a source through `parse`.
    pub(super) fn read<T>(
        &mut self,
        kind: SourceKind,
        files: &[(PathBuf, SourceConfig)],
        parse: impl Fn(&Context<'_>, &mut RowParser<'_>) -> Vec<T>,
    ) -> Result<Vec<T>> {
        let mut out = Vec::new();
        for (file, cfg) in files {
            let ledger = self.quality.sources.len();
            let display = self.display_path(file);
            self.quality.sources.push(SourceQuality {
                source: kind.name().to_string(),
                file: display.clone(),
                ..Default::default()
            });
            let read = match self.read_ahead.remove(&(kind.name(), file.clone())) {
                Some(read) => read?,
                None => file::read_file(file, cfg.sheet.as_ref())?,
            };
            self.quality.sources[ledger].size = read.size;
            self.quality.sources[ledger].sha256 = read.sha256;
            self.stamps.push((file.clone(), read.stamp));
            if let Some(encoding) = read.encoding {
                self.quality.notes.push(format!(
                    "{display} was read as {encoding} text (it is not UTF-8): check that names with accents and £ signs read right"
                ));
            }
            for raw in read.sheets {
                let is_1904 = raw.is_1904;
                let mapped = columns::map_headers(kind, cfg, raw, file)?;
                let location = self.locations.len();
                self.locations.push(Location {
                    ledger,
                    sheet: mapped.data.sheet.clone().unwrap_or_default(),
                    cancellation_dates: mapped.has("cancelled_at"),
                });
                let ctx = Context {
                    config: self.config,
                    pseudo: self.pseudo,
                    statuses: self.statuses,
                    location,
                    is_1904,
                    sessions: &self.sessions,
                    date_order: cfg
                        .date_order
                        .or(mapped.preset.and_then(|(p, _)| p.date_order))
                        .unwrap_or(self.config.date_order),
                };
                let room = crate::model::MAX_LISTED_REJECTIONS
                    .saturating_sub(self.quality.sources[ledger].rejections_listed);
                let mut parser = RowParser::new(&mapped, kind.name(), display.clone(), room);
                let rows = parse(&ctx, &mut parser);
                if out.is_empty() {
                    // One file: its rows as they are, not copied.
                    out = rows;
                } else {
                    out.extend(rows);
                }
                let (read, loaded, rejected) = parser.counts();
                let q = &mut self.quality.sources[ledger];
                q.rows_read += read;
                q.rows_loaded += loaded;
                q.rows_rejected += rejected;
                q.rows_skipped += read - loaded - rejected;
                let mapping = columns::describe(kind, &mapped);
                for (h, role) in &mapping {
                    if *role == Role::Unused && !q.ignored_columns.iter().any(|x| x == h) {
                        q.ignored_columns.push(h.clone());
                    }
                }
                if q.mapping.is_empty() {
                    q.preset = mapped.preset.map(|(p, named)| (p.name, named));
                    q.mapping = mapping;
                }
                let sheet_label = match &mapped.data.sheet {
                    Some(sheet) => format!("{display}, sheet '{sheet}'"),
                    None => display.clone(),
                };
                for note in &parser.notes {
                    self.quality.notes.push(format!("{sheet_label}: {note}"));
                }
                q.rejections_listed += parser.rejections.len();
                q.rejections_unlisted += parser.unlisted;
                self.quality.rejections.extend(parser.rejections);
            }
        }
        Ok(out)
    }

    /// Rejects a staged row after parsing (a check that needs another source).
    pub(super) fn reject_late(
        &mut self,
        origin: Origin,
        column: &str,
        value: String,
        reason: String,
    ) {
        let loc = &self.locations[origin.location];
        let q = &mut self.quality.sources[loc.ledger];
        q.rows_loaded -= 1;
        q.rows_rejected += 1;
        if q.rejections_listed >= crate::model::MAX_LISTED_REJECTIONS {
            q.rejections_unlisted += 1;
            return;
        }
        q.rejections_listed += 1;
        self.quality.rejections.push(Rejection {
            source: q.source.clone(),
            file: q.file.clone(),
            sheet: loc.sheet.clone(),
            row: origin.row,
            column: column.to_string(),
            // Rejections reach the terminal, logs and rejected.csv: no
            // email or phone number typed into a wrong column goes with them.
            value: crate::mask::personal(&value).into_owned(),
            reason,
        });
    }

    pub(super) fn add_merged(&mut self, dropped: HashMap<usize, usize>) {
        for (location, n) in dropped {
            let ledger = self.locations[location].ledger;
            self.quality.sources[ledger].duplicates_merged += n;
        }
    }

    /// Evaluation and impact rows: duplicates (same session and delegate)
    /// count once, the first in file order; rows that match no trained
    /// delegate are counted as unmatched links and left out. Each row kept
    /// comes with its booking's link.
    pub(super) fn keep_linked<T>(
        &mut self,
        mut rows: Vec<T>,
        trained: &FastMap<(&str, &str), u64>,
        key: impl Fn(&T) -> (&str, &str),
        origin: impl Fn(&T) -> Origin,
    ) -> Vec<(T, u64)> {
        let dropped = dedupe_first(&mut rows, &key, &origin);
        self.add_merged(dropped);
        let mut linked = Vec::with_capacity(rows.len());
        for r in rows {
            match trained.get(&key(&r)) {
                Some(&link) => linked.push((r, link)),
                None => {
                    let ledger = self.locations[origin(&r).location].ledger;
                    self.quality.sources[ledger].unmatched_links += 1;
                }
            }
        }
        linked
    }

    pub(super) fn note_unmatched_agency(&mut self, origin: Origin) {
        let ledger = self.locations[origin.location].ledger;
        self.quality.sources[ledger].unmatched_agencies += 1;
    }

    /// Notes each source that has no files, and what is missing for it.
    pub(super) fn note_absent(&mut self, found: &[SourceFiles]) {
        for kind in SourceKind::ALL {
            if !found.iter().any(|s| s.kind == kind) {
                self.quality.notes.push(match kind {
                    SourceKind::Sessions => "no sessions source: places, costs, modes, durations and take-up are not available".into(),
                    SourceKind::Evaluations => "no evaluations source: no learning gain".into(),
                    SourceKind::Impact => "no impact source: no follow-up impact figures".into(),
                    SourceKind::AgencyReturns => "no agency_returns source: no coverage figures".into(),
                    SourceKind::Agencies => "no agencies source (the register): agency names cannot be checked, and coverage lists only agencies that made a return".into(),
                    SourceKind::Attendance => "no attendance source".into(),
                });
            }
        }
    }

    /// Refuses a run whose files changed while the others were read: it
    /// would report on a mix of old and new.
    pub(super) fn ensure_unchanged(&self) -> Result<()> {
        for (file, stamp) in &self.stamps {
            stamp.ensure_unchanged(file)?;
        }
        Ok(())
    }
}
