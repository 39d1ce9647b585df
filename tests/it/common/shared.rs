//! Report runs that several tests only read, made once per test process.
//!
//! [`once`] runs a command the first time its key is asked for, in a folder
//! of its own, and hands every caller the same folder and output; the
//! folders are removed when the process exits.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::{Mutex, OnceLock};

/// A run shared by the tests that read it.
pub struct Shared {
    /// The folder the run was given, holding whatever it wrote.
    pub dir: PathBuf,
    /// What the run printed, and its exit status.
    pub output: Output,
}

impl Shared {
    pub fn code(&self) -> Option<i32> {
        self.output.status.code()
    }

    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }
}

static RUNS: Mutex<BTreeMap<String, &'static OnceLock<Shared>>> = Mutex::new(BTreeMap::new());
static FOLDERS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// The run named `key`: `run` is called with a new empty folder the first
/// time, and returns the output of the command it ran there. Callers with
/// the same key wait for that one run; runs of different keys go in
/// parallel.
pub fn once(key: &str, run: impl FnOnce(&Path) -> Output) -> &'static Shared {
    let cell: &'static OnceLock<Shared> = RUNS
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .entry(key.to_string())
        .or_insert_with(|| Box::leak(Box::new(OnceLock::new())));
    cell.get_or_init(|| {
        let dir = folder(key);
        let output = run(&dir);
        Shared { dir, output }
    })
}

/// A new folder for the run `key`, removed when the process exits.
fn folder(key: &str) -> PathBuf {
    let name: String = key
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let dir = std::env::temp_dir().join(format!("hubreport-it-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut folders = FOLDERS.lock().unwrap_or_else(|e| e.into_inner());
    if folders.is_empty() {
        // SAFETY: registers a plain function with no arguments to run at exit.
        unsafe { libc::atexit(remove_folders) };
    }
    folders.push(dir.clone());
    dir
}

extern "C" fn remove_folders() {
    let folders = std::mem::take(&mut *FOLDERS.lock().unwrap_or_else(|e| e.into_inner()));
    for dir in folders {
        let _ = std::fs::remove_dir_all(dir);
    }
}

/// `report --period all` on `sample_data/` as of 2026-11-22, every period of
/// the sample, with its standard output closed before the first line is
/// written (`cli` checks that this does not stop the run).
pub fn sample_all_periods() -> &'static Shared {
    once("sample, every period", |dir| {
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("hubreport"))
            .env_remove("HUBREPORT_KEY")
            .args([
                "report",
                "--period",
                "all",
                "--as-of",
                "2026-11-22",
                "--data",
            ])
            .arg(super::sample_data())
            .arg("--out")
            .arg(dir)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // A closed pipe: the reader is gone before the first line is written.
        drop(child.stdout.take());
        child.wait_with_output().unwrap()
    })
}
