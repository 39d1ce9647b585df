//! Robustness of the load stage, so that what is fixed stays fixed.
//!
//! `properties`: property tests of the value parsers (dates, Likert scores,
//! numbers, statuses, agency names). Each asserts what the data contract says
//! the parser does with every input of a kind, not only that it returns.
//! `PROPTEST_CASES` and `PROPTEST_RNG_SEED` override the modest, fixed defaults.
//!
//! `mutations`: thousands of damaged copies of the fixture files (byte-level
//! damage to any file; structural damage inside xlsx and ods archives, inside
//! xls records and in CSV text) through `load::load`, each case checked for
//! an escaped panic, its peak allocation and an error that names the file.
//! See [`mutations`] for the budget and how to reproduce a failing case.
//!
//!
//! Both run under the test crate's counting allocator
//! ([`crate::common::alloc`]): live and peak bytes, and a hard cap that the
//! mutation workers arm around each case.

mod mutations;
mod properties;
