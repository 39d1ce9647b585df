//! The load stage: find each source's files, read their sheets column-wise,
//! parse and check every value, reconcile agencies with the register, resolve
//! duplicates and links, and account for every row read.

pub mod agency;
pub mod columns;
pub mod dates;
pub mod file;
pub mod inspect;
pub mod pseudo;
mod screen;
pub mod sheet;
pub mod sources;
pub mod text;
pub mod value;
pub mod workbook;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::config::{Config, SourceConfig, SourceKind};
use crate::error::{Error, Result};
use crate::fast::FastMap;
use crate::model::{
    Agency, AgencyReturn, Booking, Dataset, EvaluationForm, EvaluationScore, ImpactResponse,
    ImpactScore, Quality, Rejection, Role, SourceQuality, Status,
};
use agency::Register;
use columns::RowParser;
use pseudo::{KeySource, Pseudonymiser};
use sources::{Context, Origin, StatusVocabulary};

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
                let names: Vec<String> = stemmed
                    .iter()
                    .map(|f| {
                        f.file_name()
                            .unwrap_or_default()
                            .to_string_lossy()
                            .to_string()
                    })
                    .collect();
                return Err(Error::Sources(format!(
                    "several files could be the {kind} source in '{}': {}. Keep one, or name it in hub.toml with [sources.{kind}] path = \"...\"",
                    data_dir.display(),
                    names.join(", ")
                )));
            }
            files.extend(stemmed.into_iter().map(|f| (f, cfg.clone())));
        }
        if files.is_empty() && kind.required() {
            let found: Vec<String> = listing
                .iter()
                .map(|f| {
                    f.file_name()
                        .unwrap_or_default()
                        .to_string_lossy()
                        .to_string()
                })
                .collect();
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

/// A file (and sheet) rows came from.
struct Location {
    ledger: usize,
    sheet: String,
    /// Whether the sheet gives cancellation dates (a `cancelled_at` column
    /// or constant): without them a cancellation's lateness is not known.
    cancellation_dates: bool,
}

/// Loads everything in the data folder into a [`Dataset`].
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
    let mut loader = Loader {
        config,
        data_dir,
        pseudo: &pseudo,
        statuses: &statuses,
        quality: Quality::default(),
        locations: Vec::new(),
        read_ahead: read_ahead(&found),
        stamps: Vec::new(),
        sessions: sources::SessionIndex::default(),
    };
    if let KeySource::Created(path) = &key_source {
        loader.quality.notes.push(format!(
            "a new pseudonymisation key was created at '{}': keep it, so that later runs link to this one",
            path.display()
        ));
    }
    let files_of = |kind: SourceKind| {
        found
            .iter()
            .find(|s| s.kind == kind)
            .map(|s| s.files.clone())
            .unwrap_or_default()
    };
    for kind in SourceKind::ALL {
        if !found.iter().any(|s| s.kind == kind) {
            loader.quality.notes.push(match kind {
                SourceKind::Sessions => "no sessions source: places, costs, modes, durations and take-up are not available".into(),
                SourceKind::Evaluations => "no evaluations source: no learning gain".into(),
                SourceKind::Impact => "no impact source: no follow-up impact figures".into(),
                SourceKind::AgencyReturns => "no agency_returns source: no coverage figures".into(),
                SourceKind::Agencies => "no agencies source (the register): agency names cannot be checked, and coverage lists only agencies that made a return".into(),
                SourceKind::Attendance => "no attendance source".into(),
            });
        }
    }

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
    for (file, stamp) in &loader.stamps {
        stamp.ensure_unchanged(file)?;
    }
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

/// A session with its course and level names as the bookings share them.
type SessionFacts<'a> = (&'a crate::model::Session, Arc<str>, Option<Arc<str>>);

/// One shared string per distinct value.
#[derive(Default)]
struct Interner(FastMap<String, Arc<str>>);

impl Interner {
    fn get_str(&mut self, value: &str) -> Arc<str> {
        match self.0.get(value) {
            Some(shared) => shared.clone(),
            None => self.get(value.to_string()),
        }
    }

    fn get(&mut self, value: String) -> Arc<str> {
        if let Some(shared) = self.0.get(&value) {
            return shared.clone();
        }
        let shared: Arc<str> = value.as_str().into();
        self.0.insert(value, shared.clone());
        shared
    }
}

struct Loader<'a> {
    config: &'a Config,
    data_dir: &'a Path,
    pseudo: &'a Pseudonymiser,
    statuses: &'a StatusVocabulary,
    quality: Quality,
    locations: Vec<Location>,
    /// Every file's sheets, read ahead in parallel; taken as each is parsed.
    read_ahead: FastMap<(&'static str, PathBuf), Result<file::FileRead>>,
    /// Every file as it was when read, to check nothing changed meanwhile.
    stamps: Vec<(PathBuf, file::Stamp)>,
    /// The sessions source by course and date, once it is read.
    sessions: sources::SessionIndex,
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

impl Loader<'_> {
    fn display_path(&self, file: &Path) -> String {
        file.strip_prefix(self.data_dir)
            .unwrap_or(file)
            .to_string_lossy()
            .replace('\\', "/")
    }

    /// Reads every file and sheet of a source through `parse`.
    fn read<T>(
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
    fn reject_late(&mut self, origin: Origin, column: &str, value: String, reason: String) {
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

    fn add_merged(&mut self, dropped: HashMap<usize, usize>) {
        for (location, n) in dropped {
            let ledger = self.locations[location].ledger;
            self.quality.sources[ledger].duplicates_merged += n;
        }
    }

    /// Evaluation and impact rows: duplicates (same session and delegate)
    /// count once, the first in file order; rows that match no trained
    /// delegate are counted as unmatched links and left out. Each row kept
    /// comes with its booking's link.
    fn keep_linked<T>(
        &mut self,
        mut rows: Vec<T>,
        trained: &FastMap<(&str, &str), u64>,
        key: impl Fn(&T) -> (&str, &str),
        origin: impl Fn(&T) -> Origin,
    ) -> Vec<(T, u64)> {
        let dropped = sources::dedupe_first(&mut rows, &key, &origin);
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

    fn note_unmatched_agency(&mut self, origin: Origin) {
        let ledger = self.locations[origin.location].ledger;
        self.quality.sources[ledger].unmatched_agencies += 1;
    }

    #[allow(clippy::too_many_arguments)]
    fn reconcile(
        mut self,
        staged_agencies: Vec<sources::StagedAgency>,
        mut staged_sessions: Vec<sources::StagedSession>,
        staged_bookings: Vec<sources::StagedBooking>,
        staged_forms: Vec<sources::StagedForm>,
        staged_responses: Vec<sources::StagedResponse>,
        staged_returns: Vec<sources::StagedReturn>,
        has_sessions: bool,
    ) -> Dataset {
        let config = self.config;
        // The register.
        let mut register = Register::default();
        let mut agencies = Vec::new();
        for a in staged_agencies {
            match register.add(&a.agency, &a.aliases) {
                Ok(_) => agencies.push(Agency {
                    agency: a.agency.trim().to_string(),
                    sector: a.sector,
                    statutory_partner: a.statutory_partner,
                    charge_exempt: a.charge_exempt,
                }),
                Err(reason) => self.reject_late(a.origin, "agency", a.agency.clone(), reason),
            }
        }
        let has_register = !register.is_empty();
        let mut resolve =
            |this: &mut Self, raw: &str, source: &'static str, origin: Origin| -> (String, bool) {
                if !has_register {
                    return (raw.trim().to_string(), true);
                }
                let (name, matched) = register.resolve(raw, source);
                if !matched {
                    this.note_unmatched_agency(origin);
                }
                (name, matched)
            };

        // Sessions: the first row of each session id counts.
        let dropped = sources::dedupe_first(
            &mut staged_sessions,
            |s| (s.session.session_id.as_str(), ""),
            |s| s.origin,
        );
        self.add_merged(dropped);
        let sessions: Vec<crate::model::Session> =
            staged_sessions.into_iter().map(|s| s.session).collect();
        // Each session with its course and level as the bookings share them.
        let mut names = Interner::default();
        let by_id: FastMap<&str, SessionFacts<'_>> = sessions
            .iter()
            .map(|s| {
                let course = names.get_str(&s.course);
                let level = s.level.as_deref().map(|l| names.get_str(l));
                (s.session_id.as_str(), (s, course, level))
            })
            .collect();
        // Each agency spelling is resolved once; a spelling's rows share one
        // string (see StagedBooking), so its address names it. The map keeps
        // the spelling alive beside its answer, so that no other string can
        // take its address meanwhile.
        let mut agency_of: FastMap<*const u8, (Arc<str>, Arc<str>, bool)> = FastMap::default();

        // Bookings: session facts, late cancellations, agencies, duplicates.
        let mut bookings: Vec<Booking> = Vec::with_capacity(staged_bookings.len());
        let mut origins: Vec<Origin> = Vec::with_capacity(staged_bookings.len());
        let mut last_session: Option<(*const u8, Option<&SessionFacts<'_>>)> = None;
        for b in staged_bookings {
            // Bookings come a session at a time: a run of one session id
            // (one shared string) is looked up once.
            let session = match last_session {
                Some((ptr, facts)) if ptr == b.session_id.as_ptr() => facts,
                _ => {
                    let facts = by_id.get(&*b.session_id);
                    last_session = Some((b.session_id.as_ptr(), facts));
                    facts
                }
            };
            let Some(session_date) = session.map(|s| s.0.session_date).or(b.session_date) else {
                let reason = if has_sessions {
                    format!(
                        "session '{}' is not in the sessions source, and the row has no session_date",
                        b.session_id
                    )
                } else {
                    "a required value is missing: session_date (needed when there is no sessions source)".to_string()
                };
                self.reject_late(b.origin, "session_date", String::new(), reason);
                continue;
            };
            let mut status = b.status;
            if status == Status::Cancelled
                && let Some(cancelled) = b.cancelled_at
                && (session_date - cancelled).num_days() <= config.notice_days
            {
                status = Status::LateCancellation;
            }
            // A cancellation from a file that gives no cancellation dates
            // may have been late: hubreport cannot tell.
            let late_known =
                status != Status::Cancelled || self.locations[b.origin.location].cancellation_dates;
            let (agency, agency_matched) = match agency_of.get(&b.agency.as_ptr()) {
                // Unmatched names are resolved again: each row is counted.
                Some((_, name, true)) => (name.clone(), true),
                _ => {
                    let (name, matched) = resolve(&mut self, &b.agency, "attendance", b.origin);
                    let name = names.get(name);
                    agency_of.insert(b.agency.as_ptr(), (b.agency.clone(), name.clone(), matched));
                    (name, matched)
                }
            };
            origins.push(b.origin);
            bookings.push(Booking {
                session_id: b.session_id,
                delegate: b.delegate,
                // Numbered once the duplicates are gone.
                link: 0,
                agency,
                agency_matched,
                status,
                late_known,
                course: match session {
                    Some((_, course, _)) => Some(course.clone()),
                    None => b.course,
                },
                session_date,
                booked_at: b.booked_at,
                cancelled_at: b.cancelled_at,
                level: match b.level {
                    Some(l) => Some(l),
                    None => session.and_then(|(_, _, level)| level.clone()),
                },
            });
        }
        // Duplicates: the best status wins (attended, walk-in, dna, late, cancelled);
        // among equals, the first in file order.
        // Sized up front: a map of millions of keys is not rebuilt as it grows.
        let mut best: FastMap<(&str, &str), usize> =
            FastMap::with_capacity_and_hasher(bookings.len(), Default::default());
        let mut keep = vec![true; bookings.len()];
        let mut dropped: HashMap<usize, usize> = HashMap::new();
        for (i, b) in bookings.iter().enumerate() {
            let key = (&*b.session_id, &*b.delegate);
            match best.get(&key) {
                None => {
                    best.insert(key, i);
                }
                Some(&j) => {
                    let loser = if b.status < bookings[j].status {
                        best.insert(key, i);
                        j
                    } else {
                        i
                    };
                    keep[loser] = false;
                    *dropped.entry(origins[loser].location).or_default() += 1;
                }
            }
        }
        self.add_merged(dropped);
        for ((b, origin), kept) in bookings.iter().zip(&origins).zip(&keep) {
            if *kept && !b.late_known {
                let ledger = self.locations[origin.location].ledger;
                self.quality.sources[ledger].undated_cancellations += 1;
            }
        }
        for q in &self.quality.sources {
            if q.undated_cancellations > 0 {
                self.quality.notes.push(format!(
                    "{}: the file gives no cancellation dates, so whether its {} cancellation(s) were late is not known: \
                     late cancellations are left empty (– in the reports) wherever they are among them, and are not charged",
                    q.file, q.undated_cancellations
                ));
            }
        }
        drop(origins);
        let mut keep = keep.into_iter();
        bookings.retain(|_| keep.next().unwrap_or(true));
        for (link, b) in (0u64..).zip(bookings.iter_mut()) {
            b.link = link;
        }

        // Links: evaluations and impact responses count only for trained delegates.
        let mut trained: FastMap<(&str, &str), u64> =
            FastMap::with_capacity_and_hasher(bookings.len(), Default::default());
        trained.extend(
            bookings
                .iter()
                .filter(|b| b.status.is_trained())
                .map(|b| ((&*b.session_id, &*b.delegate), b.link)),
        );
        let staged_forms = self.keep_linked(
            staged_forms,
            &trained,
            |f| (&*f.session_id, &*f.delegate),
            |f| f.origin,
        );
        // Sized up front: millions of scores are not copied as a vector grows.
        let mut forms = Vec::with_capacity(staged_forms.len());
        let mut scores = Vec::with_capacity(staged_forms.iter().map(|(f, _)| f.scores.len()).sum());
        for (f, link) in staged_forms {
            for (item, pre, post, (lo, hi)) in f.scores {
                scores.push(EvaluationScore {
                    session_id: f.session_id.clone(),
                    delegate: f.delegate.clone(),
                    link,
                    item,
                    pre,
                    post,
                    scale_min: lo,
                    scale_max: hi,
                });
            }
            forms.push(EvaluationForm {
                session_id: f.session_id,
                delegate: f.delegate,
                link,
                satisfaction: f.satisfaction,
                relevance: f.relevance,
                comment: f.comment,
            });
        }
        let staged_responses = self.keep_linked(
            staged_responses,
            &trained,
            |r| (&*r.session_id, &*r.delegate),
            |r| r.origin,
        );
        let mut responses = Vec::with_capacity(staged_responses.len());
        let mut impact_scores =
            Vec::with_capacity(staged_responses.iter().map(|(r, _)| r.scores.len()).sum());
        for (r, link) in staged_responses {
            for (item, score, (lo, hi)) in r.scores {
                impact_scores.push(ImpactScore {
                    session_id: r.session_id.clone(),
                    delegate: r.delegate.clone(),
                    link,
                    item,
                    score,
                    scale_min: lo,
                    scale_max: hi,
                });
            }
            responses.push(ImpactResponse {
                session_id: r.session_id,
                delegate: r.delegate,
                link,
                responded_at: r.responded_at,
                applied_learning: r.applied_learning,
                comment: r.comment,
            });
        }

        // Returns: one per agency, year and level; the first counts.
        let mut returns = Vec::new();
        let mut seen = HashSet::new();
        let mut dropped: HashMap<usize, usize> = HashMap::new();
        for r in staged_returns {
            let (agency, agency_matched) =
                resolve(&mut self, &r.agency, "agency_returns", r.origin);
            let key = (
                crate::fold::fold(&agency),
                r.fy,
                crate::fold::fold(&r.level),
            );
            if !seen.insert(key) {
                *dropped.entry(r.origin.location).or_default() += 1;
                continue;
            }
            returns.push(AgencyReturn {
                agency,
                agency_matched,
                fy: r.fy,
                level: r.level,
                headcount: r.headcount,
                trained: r.trained,
            });
        }
        self.add_merged(dropped);

        self.quality.unmatched_agencies = register.unmatched();
        for q in &self.quality.sources {
            if q.rejections_unlisted > 0 {
                self.quality.notes.push(format!(
                    "{}: {} more rejected values are counted but not listed (the first {} are): fix the file at its source",
                    q.file,
                    q.rejections_unlisted,
                    crate::model::MAX_LISTED_REJECTIONS
                ));
            }
        }
        self.quality.rejections.sort_by(|a, b| {
            (a.source.as_str(), a.file.as_str(), a.sheet.as_str(), a.row).cmp(&(
                b.source.as_str(),
                b.file.as_str(),
                b.sheet.as_str(),
                b.row,
            ))
        });
        Dataset {
            bookings,
            sessions,
            forms,
            scores,
            responses,
            impact_scores,
            returns,
            agencies,
            quality: self.quality,
        }
    }
}
