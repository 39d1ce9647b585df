//! Reading each source's rows from a mapped sheet into staged rows: values
//! parsed and checked, identifiers pseudonymised, not yet joined to anything.
//! One file per source's parser, beside the staged rows they yield, the
//! status vocabulary, the session index and the context they share.

mod agencies;
mod attendance;
mod context;
mod evaluations;
mod impact;
mod index;
mod sessions;
mod staged;
mod status;
#[cfg(test)]
mod tests;

pub use agencies::{agencies, returns};
pub use attendance::bookings;
pub use context::{Context, id_key, mask_personal};
pub use evaluations::forms;
pub use impact::responses;
pub use index::{SessionAnswer, SessionIndex, TimeHint, session_answer};
pub use sessions::sessions;
pub use staged::{
    Origin, PrePost, StagedAgency, StagedBooking, StagedForm, StagedResponse, StagedReturn,
    StagedSession, dedupe_first,
};
pub use status::{StatusVocabulary, Word};
