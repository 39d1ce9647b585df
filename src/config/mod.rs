//! Configuration: `hub.toml`, its defaults, the presets for the tools'
//! exports, and `hubreport init`.

mod input;
mod kinds;
pub mod preset;
mod settings;
mod validate;

pub use input::{Input, init};
pub use kinds::{DateOrder, SourceKind};
pub use settings::{
    Attending, Attention, CONFIG_FILE_NAME, Config, Coverage, DEFAULT_CONFIG_TOML, Fees,
    Pseudonymisation, Scale, SheetSelector, SourceConfig, Sources, StatusLabels, SubGroup,
};
pub use validate::limits;

#[cfg(test)]
mod tests;
