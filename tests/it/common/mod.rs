//! What the test modules share: the binary, fixture paths, folders of files,
//! tables read back, the shared report runs and the counting allocator.

pub mod alloc;
pub mod shared;
pub mod table;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use hubreport::config::Config;

/// The pseudonymisation key the tests give when a run's outputs must not
/// depend on a key file.
pub const TEST_KEY: &str = "a fixed key for the tests";

/// The repository's root.
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `tests/fixtures`.
pub fn fixtures() -> PathBuf {
    root().join("tests/fixtures")
}

/// The bundled sample partnership, `sample_data/`.
pub fn sample_data() -> PathBuf {
    root().join("sample_data")
}

/// The metrics fixture, `tests/fixtures/metrics`: a partnership small enough
/// to work out by hand.
pub fn metrics_fixture() -> PathBuf {
    fixtures().join("metrics")
}

/// The real binary, without a key from the environment.
pub fn hubreport() -> Command {
    let mut cmd = Command::cargo_bin("hubreport").unwrap();
    cmd.env_remove("HUBREPORT_KEY");
    cmd
}

pub fn stdout_of(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8(assert.get_output().stdout.clone()).unwrap()
}

pub fn stderr_of(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8(assert.get_output().stderr.clone()).unwrap()
}

/// The default config with [`TEST_KEY`], so that loading writes no key file.
pub fn keyed() -> Config {
    let mut c = Config::default();
    c.pseudonymisation.key = Some(TEST_KEY.into());
    c
}

/// Writes files into a fresh folder.
pub fn folder<T: AsRef<[u8]>>(files: &[(&str, T)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in files {
        std::fs::write(dir.path().join(name), bytes).unwrap();
    }
    dir
}

/// Copies the files of `from` (not its folders) into `to`.
pub fn copy_files(from: &Path, to: &Path) {
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.path().is_file() {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

/// Every file under `dir` with its bytes, by path relative to `dir`.
pub fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// The names in `dir`, sorted.
pub fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Set in a process started by [`in_own_process`].
const ALONE: &str = "HUBREPORT_TEST_ALONE";

/// Runs `body` as the only test of a process: the test binary started again
/// to run just the test `name` (its path below the crate, e.g.
/// `hostile::a_zip_bomb_is_refused_before_it_is_unpacked`). For tests that
/// measure the process's allocations, which tests running beside them would
/// add to.
pub fn in_own_process(name: &str, body: impl FnOnce()) {
    if std::env::var_os(ALONE).is_some() {
        body();
        return;
    }
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([name, "--exact", "--test-threads=1", "--nocapture"])
        .env(ALONE, "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "{name} in its own process: {}\n{stdout}\n{stderr}",
        out.status
    );
    // A name that matches no test runs nothing and passes: not here.
    assert!(
        stdout.contains("test result: ok. 1 passed"),
        "{name} did not run in its own process:\n{stdout}"
    );
}

/// The path of the test function this is called from, below the crate, for
/// [`in_own_process`].
#[macro_export]
macro_rules! test_path {
    ($name:ident) => {{
        let module = module_path!();
        let module = module.split_once("::").map_or("", |(_, rest)| rest);
        if module.is_empty() {
            stringify!($name).to_string()
        } else {
            format!("{module}::{}", stringify!($name))
        }
    }};
}
