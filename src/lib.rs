//! hubreport: analytics and reporting for the multi-agency training of
//! Safeguarding Children Partnerships.
//!
//! The pipeline reads off the modules: [`load`] (the exports into clean
//! tables, with a data-quality ledger in [`model`]), [`frame`] (those tables as
//! polars dataframes), `metrics` (SQL queries and statistics into plain
//! [`table::Table`]s), then [`render`]; `report` runs them in that order and
//! [`cli`] wires the commands.

pub mod calendar;
pub(crate) mod check;
pub mod cli;
pub mod config;
pub mod digest;
pub(crate) mod display;
pub mod duration;
pub mod error;
pub(crate) mod fast;
pub(crate) mod floor;
pub mod fold;
pub mod frame;
pub(crate) mod inspect;
pub mod load;
pub(crate) mod log;
pub(crate) mod mask;
pub(crate) mod metrics;
pub mod model;
pub(crate) mod parallel;
pub(crate) mod publish;
pub mod render;
pub(crate) mod report;
pub(crate) mod sample;
pub(crate) mod sessions;
pub mod table;
pub(crate) mod write;

pub use config::Config;
pub use error::{Error, Result};
