//! The vocabulary settings share with the loaders: the sources of the data
//! contract and how day-first dates are read.

use serde::Deserialize;

/// The six sources of the data contract, in load order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SourceKind {
    Agencies,
    Sessions,
    Attendance,
    Evaluations,
    Impact,
    AgencyReturns,
}

impl SourceKind {
    pub const ALL: [SourceKind; 6] = [
        SourceKind::Attendance,
        SourceKind::Sessions,
        SourceKind::Evaluations,
        SourceKind::Impact,
        SourceKind::AgencyReturns,
        SourceKind::Agencies,
    ];

    /// The file stem and config key of the source.
    pub fn name(self) -> &'static str {
        match self {
            SourceKind::Agencies => "agencies",
            SourceKind::Sessions => "sessions",
            SourceKind::Attendance => "attendance",
            SourceKind::Evaluations => "evaluations",
            SourceKind::Impact => "impact",
            SourceKind::AgencyReturns => "agency_returns",
        }
    }

    pub fn required(self) -> bool {
        self == SourceKind::Attendance
    }
}

impl std::fmt::Display for SourceKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum DateOrder {
    /// `03/04/2024` is 3 April 2024.
    #[default]
    Uk,
    /// `03/04/2024` is 4 March 2024.
    Us,
}
