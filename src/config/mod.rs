//! Configuration: `hub.toml`, its defaults, the presets for the tools'
//! exports, and `hubreport init`.

mod input;
mod kinds;
pub mod preset;
mod settings;
mod validate;

pub use input::{Input, init};
pub use kinds::{DateOrder, SourceKind};
pub use settings::*;
pub use validate::limits;

#[cfg(test)]
mod tests;
