//! The integration tests: one test crate, so that the library (and polars)
//! is linked into one test binary, not one per file.
//!
//! - `architecture`: the module graph of `src/` (no import cycle, layers one
//!   way);
//! - `cases`: the fixture folders of `tests/fixtures/cases/`, each a run of
//!   the real binary and the tables it must write, checked by one harness;
//! - `cli`: commands, messages and exit codes;
//! - `exports`: each tool's export loaded through the hub.toml a user writes;
//! - `hostile`: damaged and hostile files, and the memory they cost;
//! - `load`: the load stage on small fixtures worked out by hand;
//! - `metrics`: the metric tables beyond the cases (their formats, overriding
//!   queries, every table of the sample);
//! - `report_html`: the rendered pages;
//! - `robustness`: property tests of the parsers and the mutation test;
//! - `scheduled`: cron runs, atomic publishing, the lock and the manifest.
//!
//! `common` holds what they share, including report runs several tests only
//! read (`common::shared`) and the counting allocator.

mod architecture;
mod cases;
mod cli;
mod common;
mod exports;
mod hostile;
mod load;
mod metrics;
mod report_html;
mod robustness;
mod scheduled;
