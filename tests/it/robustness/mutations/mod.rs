//! The mutation test.
//!
//! Every case is one damaged file loaded with `load::load` from a fresh data
//! folder (beside undamaged copies of its fixture folder's other files), in a
//! worker process: the test binary started again to run only
//! `robustness::mutations::worker`. A worker reports each case on stdout; a case that
//! aborts the process (a refused allocation, a stack overflow) or hangs is
//! recorded against the case, and a new worker carries on after it.
//!
//! A case fails when a panic escapes the loader, when its peak allocation
//! exceeds [`limit`], when an error does not name the file, when a source's
//! ledger does not add up, or when it aborts or hangs.
//!
//! Cases, in order: the saved reproducers in `tests/fixtures/hostile/`
//! (`hostile:<file>`), constructed hostile files ([`NAMED`], `named:<name>`),
//! then random mutations (`random:<n>`), each from its own RNG seeded by the
//! run's seed and `n`, so a case is the same on every machine.
//!
//! Environment:
//! - `HUBREPORT_MUTATIONS=N`: random cases (default 2000; with only this set
//!   there is no time limit).
//! - `HUBREPORT_MUTATION_SECONDS=S`: stop starting cases after S seconds
//!   (default 50 when neither is set; with only this set, random cases run
//!   until then).
//! - `HUBREPORT_MUTATION_SEED=S`: the seed (decimal or 0x-hex).
//! - `HUBREPORT_MUTATION_CASE=id[,id...]`: run only these cases, e.g.
//!   `random:1234` or `named:xlsx-stray-cell-at-xfd1048576`.
//! - `HUBREPORT_MUTATION_JOBS=J`: worker processes (default: cores, at most 2).
//! - `HUBREPORT_MUTATION_CASE_SECONDS=S`: a case running longer hangs (60).
//! - `HUBREPORT_MUTATION_SAVE=DIR`: where failing cases' data folders are
//!   written (default `<target>/tmp/hubreport-mutations`).

use std::collections::{BTreeMap, HashSet};
use std::io::{BufRead, BufReader, Cursor, Read, Write};
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::Mutex;
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use hubreport::config::Config;
use hubreport::load;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};

type Rng = ChaCha8Rng;

const MIB: usize = 1 << 20;

/// The peak allocation a case may reach: 64 MiB, plus 200 bytes for
/// every byte of input.
///
/// The fixed part covers what any load needs whatever its input: reader
/// and decompression buffers, the config, hash maps, the worker threads.
/// The proportional part covers each input byte becoming part of a cell:
/// a spreadsheet cell held as 32 bytes of `calamine::Data` from a few
/// compressed bytes (sheet XML deflates 5-20 times), then copied into
/// columns, staged rows and the dataset, each with its strings. A sound
/// loader stays far below it (the fixtures peak at a few MiB); a loader
/// that allocates by a sheet's claimed size rather than its content does
/// not: one cell at XFD1048576 asks for 512 GiB.
pub fn limit(input: usize) -> usize {
    64 * MIB + 200 * input
}

/// While a case runs, an allocation that would take it past its limit is
/// refused: the worker says so on stderr and the standard library aborts
/// it. A case that would exhaust the machine's memory (512 GiB for one
/// stray cell) fails in moments, as a test failure, not a dead machine.
fn hard_cap(limit: usize) -> usize {
    limit
}

const DEFAULT_SEED: u64 = 0x6875_6272_6570_6f72;
const DEFAULT_RANDOM: usize = 2000;
const DEFAULT_SECONDS: u64 = 50;
/// Random inputs are kept below this size.
const MAX_LEN: usize = 4 * MIB;
const WORKER: &str = "HUBREPORT_MUTATION_WORKER";
const PREFIX: &str = "HUBREPORT_MUTATION_PREFIX";
const MARK: &str = "@@mutation ";

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn env_number(name: &str) -> Option<u64> {
    let text = std::env::var(name).ok()?;
    let text = text.trim();
    let parsed = match text.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => text.parse(),
    };
    Some(parsed.unwrap_or_else(|_| panic!("{name}={text} is not a number")))
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// What to run: read from the environment, identical in every process.
#[derive(Debug, Clone)]
struct Plan {
    seed: u64,
    random: usize,
    seconds: Option<u64>,
    only: Option<Vec<String>>,
    jobs: usize,
    case_seconds: u64,
    prefix: Vec<String>,
}

impl Plan {
    fn from_env() -> Plan {
        let random = env_number("HUBREPORT_MUTATIONS");
        let seconds = env_number("HUBREPORT_MUTATION_SECONDS");
        let (random, seconds) = match (random, seconds) {
            (None, None) => (DEFAULT_RANDOM, Some(DEFAULT_SECONDS)),
            (Some(n), s) => (n as usize, s),
            (None, Some(s)) => (1_000_000_000, Some(s)),
        };
        let only = std::env::var("HUBREPORT_MUTATION_CASE").ok().map(|s| {
            s.split(',')
                .map(|id| id.trim().to_string())
                .filter(|id| !id.is_empty())
                .collect()
        });
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        // A worker takes its parent's list: files added to the hostile
        // folder during a run must not shift the cases' numbers.
        let prefix = match std::env::var(PREFIX) {
            Ok(ids) => ids
                .split(',')
                .filter(|id| !id.is_empty())
                .map(String::from)
                .collect(),
            Err(_) => {
                let mut prefix: Vec<String> = hostile_files()
                    .iter()
                    .filter_map(|p| p.file_name()?.to_str().map(|n| format!("hostile:{n}")))
                    .collect();
                prefix.extend(NAMED.iter().map(|(name, _)| format!("named:{name}")));
                prefix
            }
        };
        Plan {
            seed: env_number("HUBREPORT_MUTATION_SEED").unwrap_or(DEFAULT_SEED),
            random,
            seconds,
            only,
            jobs: env_number("HUBREPORT_MUTATION_JOBS").map_or(cores.min(2), |j| j as usize),
            case_seconds: env_number("HUBREPORT_MUTATION_CASE_SECONDS").unwrap_or(60),
            prefix,
        }
    }

    fn total(&self) -> usize {
        match &self.only {
            Some(ids) => ids.len(),
            None => self.prefix.len() + self.random,
        }
    }

    fn id(&self, i: usize) -> String {
        match &self.only {
            Some(ids) => ids[i].clone(),
            None if i < self.prefix.len() => self.prefix[i].clone(),
            None => format!("random:{}", i - self.prefix.len()),
        }
    }

    fn reproduce(&self, id: &str) -> String {
        format!(
            "HUBREPORT_MUTATION_SEED={:#x} HUBREPORT_MUTATION_CASE={id} cargo test --locked --test it robustness::mutations -- --nocapture",
            self.seed
        )
    }
}

fn hostile_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(fixtures_dir().join("hostile"))
        .map(|dir| {
            dir.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| hubreport::load::file::is_supported(p))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

/// A fixture file: where it is under tests/fixtures, its bytes, and its
/// archive entries when it is a zip (xlsx, ods).
struct Fixture {
    rel: &'static str,
    bytes: Vec<u8>,
    entries: Option<Vec<Entry>>,
}

type Entry = (String, Vec<u8>);

/// The fixtures tests/it/load.rs reads in every format, and the metrics
/// partnership's CSVs (every source kind).
const FIXTURES: [&str; 16] = [
    "formats/csv/attendance.csv",
    "formats/csv/evaluations.csv",
    "formats/xlsx/attendance.xlsx",
    "formats/xlsx/evaluations.xlsx",
    "formats/xlsx1904/attendance.xlsx",
    "formats/xlsx1904/evaluations.xlsx",
    "formats/xls/attendance.xls",
    "formats/xls/evaluations.xls",
    "formats/ods/attendance.ods",
    "formats/ods/evaluations.ods",
    "metrics/data/attendance.csv",
    "metrics/data/sessions.csv",
    "metrics/data/evaluations.csv",
    "metrics/data/impact.csv",
    "metrics/data/agency_returns.csv",
    "metrics/data/agencies.csv",
];

struct Fixtures(Vec<Fixture>);

impl Fixtures {
    fn load() -> Fixtures {
        Fixtures(
            FIXTURES
                .iter()
                .map(|rel| {
                    let bytes = std::fs::read(fixtures_dir().join(rel))
                        .unwrap_or_else(|e| panic!("{rel}: {e}"));
                    let entries = if rel.ends_with(".xlsx") || rel.ends_with(".ods") {
                        Some(unzip(&bytes).unwrap_or_else(|| panic!("{rel} is not a zip")))
                    } else {
                        None
                    };
                    Fixture {
                        rel,
                        bytes,
                        entries,
                    }
                })
                .collect(),
        )
    }

    fn find(&self, rel: &str) -> usize {
        self.0
            .iter()
            .position(|f| f.rel == rel)
            .unwrap_or_else(|| panic!("no fixture {rel}"))
    }

    /// The undamaged files loaded beside fixture `i`: the rest of its folder.
    fn companions(&self, i: usize) -> Vec<(String, Vec<u8>)> {
        let folder = |rel: &str| rel.rsplit_once('/').map(|(d, _)| d.to_string());
        self.0
            .iter()
            .enumerate()
            .filter(|&(j, f)| j != i && folder(f.rel) == folder(self.0[i].rel))
            .map(|(_, f)| (file_name(f.rel), f.bytes.clone()))
            .collect()
    }
}

fn file_name(rel: &str) -> String {
    rel.rsplit('/').next().unwrap_or(rel).to_string()
}

/// One case: a damaged file and the undamaged files beside it.
struct Case {
    id: String,
    /// The damaged file's name in the data folder, and its bytes.
    name: String,
    bytes: Vec<u8>,
    companions: Vec<(String, Vec<u8>)>,
    /// The file it was made from, and what was done to it.
    origin: String,
    mutation: String,
}

impl Case {
    fn input_len(&self) -> usize {
        self.bytes.len() + self.companions.iter().map(|(_, b)| b.len()).sum::<usize>()
    }

    fn write_to(&self, dir: &Path) -> std::io::Result<()> {
        std::fs::create_dir_all(dir)?;
        std::fs::write(dir.join(&self.name), &self.bytes)?;
        for (name, bytes) in &self.companions {
            std::fs::write(dir.join(name), bytes)?;
        }
        Ok(())
    }
}

fn build_case(fixtures: &Fixtures, plan: &Plan, id: &str) -> Case {
    if let Some(file) = id.strip_prefix("hostile:") {
        let path = fixtures_dir().join("hostile").join(file);
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let (kind, _) = file.split_once("--").unwrap_or(("attendance", file));
        let ext = file.rsplit('.').next().unwrap_or("csv");
        let companions = if kind == "attendance" {
            Vec::new()
        } else {
            let i = fixtures.find("formats/csv/attendance.csv");
            vec![(file_name(FIXTURES[i]), fixtures.0[i].bytes.clone())]
        };
        return Case {
            id: id.to_string(),
            name: format!("{kind}.{ext}"),
            bytes,
            companions,
            origin: format!("tests/fixtures/hostile/{file}"),
            mutation: "a saved reproducer".into(),
        };
    }
    let (i, bytes, mutation) = if let Some(name) = id.strip_prefix("named:") {
        let (_, make) = NAMED
            .iter()
            .find(|(n, _)| *n == name)
            .unwrap_or_else(|| panic!("no named case {name}"));
        make(fixtures)
    } else if let Some(n) = id.strip_prefix("random:") {
        let n: u64 = n.parse().unwrap_or_else(|_| panic!("bad case id {id}"));
        let mut rng = Rng::seed_from_u64(plan.seed ^ (n + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        random_mutation(fixtures, &mut rng)
    } else {
        panic!("bad case id {id}: expected hostile:<file>, named:<name> or random:<n>")
    };
    Case {
        id: id.to_string(),
        name: file_name(FIXTURES[i]),
        bytes,
        companions: fixtures.companions(i),
        origin: format!("tests/fixtures/{}", FIXTURES[i]),
        mutation,
    }
}

mod archives;
mod named;
mod parent;
mod random;
mod worker;

use archives::*;
use named::*;
use parent::*;
use random::*;
use worker::*;

#[test]
#[ignore = "a worker process of mutated_fixtures_neither_panic_nor_exhaust_memory, which starts it"]
fn worker() {
    worker::run();
}

#[test]
fn mutated_fixtures_neither_panic_nor_exhaust_memory() {
    parent::run();
}
