//! hubreport: analytics and reporting for the multi-agency training of
//! Safeguarding Children Partnerships.
//!
//! The pipeline reads off the modules: [`load`] (the exports into clean
//! tables, with a data-quality ledger in [`model`]), [`frame`] (those tables as
//! polars dataframes), [`metrics`] (SQL queries and statistics into plain
//! [`table::Table`]s), then [`render`]; [`report`] runs them in that order and
//! [`cli`] wires the commands.

pub mod calendar;
pub mod check;
pub mod cli;
pub mod config;
pub mod digest;
pub mod display;
pub mod duration;
pub mod error;
pub mod fast;
pub mod floor;
pub mod fold;
pub mod frame;
pub mod inspect;
pub mod load;
pub mod log;
pub mod mask;
pub mod metrics;
pub mod model;
pub mod parallel;
pub mod publish;
pub mod render;
pub mod report;
pub mod sample;
pub mod sessions;
pub mod table;
pub(crate) mod write;

pub use config::Config;
pub use error::{Error, Result};
