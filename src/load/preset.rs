//! Presets: how each booking system, LMS and survey tool writes its exports,
//! so that a file is read as the tool wrote it. A preset is part of the
//! mapping step: it says where the header is, what the tool calls the
//! canonical columns, and which of its columns are its own bookkeeping.

use super::sheet::RawSheet;
use super::value::header_key;
use crate::config::SourceKind;

/// How a tool lays out its header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// One header row (possibly below title rows).
    OneRow,
    /// SurveyMonkey: the question over the first column of its answers, and
    /// a second row naming each answer column (`Response`, a grid's
    /// statement, `Open-Ended Response`).
    QuestionOverAnswers,
    /// Qualtrics: column names, then question texts, then `{"ImportId": ...}`.
    NamesLabelsImportIds,
}

impl Layout {
    /// Header rows the layout takes.
    pub fn rows(self) -> usize {
        match self {
            Layout::OneRow => 1,
            Layout::QuestionOverAnswers => 2,
            Layout::NamesLabelsImportIds => 3,
        }
    }
}

/// One tool's export.
#[derive(Debug)]
pub struct Preset {
    pub name: &'static str,
    /// The tool and its export, as the README names them.
    pub export: &'static str,
    pub kinds: &'static [SourceKind],
    /// Headers (as [`header_key`]s) that together mark the tool's files.
    pub signature: &'static [&'static str],
    pub layout: Layout,
    /// Canonical column → the tool's headers for it, preferred first.
    pub columns: &'static [(&'static str, &'static [&'static str])],
    /// The tool's own bookkeeping columns: read by nothing, and listed as
    /// the tool's, not as unused.
    pub metadata: &'static [&'static str],
}

impl Preset {
    pub fn reads(&self, kind: SourceKind) -> bool {
        self.kinds.contains(&kind)
    }

    /// Whether `key` (a header key) is one of the tool's own columns.
    pub fn is_metadata(&self, key: &str) -> bool {
        self.metadata.iter().any(|m| header_key(m) == key)
    }
}

use SourceKind::{Attendance, Evaluations, Impact};

const SURVEYS: &[SourceKind] = &[Evaluations, Impact];

/// Every preset, in the order recognition tries them.
pub const PRESETS: &[Preset] = &[
    Preset {
        name: "eventbrite",
        export: "Eventbrite: Reports > Attendee summary (or Manage attendees > Export), CSV or Excel",
        kinds: &[Attendance],
        signature: &["attendeestatus", "tickettype"],
        layout: Layout::OneRow,
        columns: &[
            ("delegate_id", &["Email", "Email Address"]),
            ("agency", &["Organisation", "Organization", "Company"]),
            ("status", &["Attendee Status"]),
            ("booked_at", &["Order Date", "Order date"]),
            ("session_id", &["Event ID"]),
            ("course", &["Event Name"]),
            ("session_date", &["Event Start Date", "Event Date"]),
        ],
        metadata: &[
            "Order #",
            "Order no.",
            "Attendee #",
            "Quantity",
            "Ticket Type",
            "Group",
            "Order Type",
            "Currency",
            "Total Paid",
            "Fees Paid",
            "Eventbrite Fees",
            "Eventbrite Payment Processing",
            "Attendee Status",
            "Barcode #",
            "Job Title",
            "Home Address 1",
            "Home City",
            "Home Postcode",
            "Cell Phone",
            "Mobile phone",
        ],
    },
    Preset {
        name: "googleforms",
        export: "Google Forms: Responses > Download responses (.csv), or the linked Google Sheet",
        kinds: SURVEYS,
        signature: &["timestamp"],
        layout: Layout::OneRow,
        columns: &[("delegate_id", &["Email Address", "Email address", "Email"])],
        metadata: &["Timestamp", "Score"],
    },
];

/// The preset called `name`.
pub fn find(name: &str) -> Option<&'static Preset> {
    PRESETS.iter().find(|p| p.name == name)
}

/// Every preset's name, for messages.
pub fn names() -> Vec<&'static str> {
    PRESETS.iter().map(|p| p.name).collect()
}

/// The preset whose signature a sheet's top rows hold, and the row it is
/// in; the one with the longest signature where several fit.
pub fn recognise(kind: SourceKind, sheet: &RawSheet) -> Option<(&'static Preset, usize)> {
    let scan = sheet.height.min(30);
    let rows: Vec<Vec<String>> = (0..scan)
        .map(|r| {
            (0..sheet.width())
                .filter_map(|c| sheet.cell(c, r).as_text())
                .map(|t| header_key(&t))
                .collect()
        })
        .collect();
    PRESETS
        .iter()
        .filter(|p| p.reads(kind))
        .filter_map(|p| {
            let row = rows.iter().position(|keys| {
                p.signature
                    .iter()
                    .all(|s| keys.iter().any(|k| k == s))
            })?;
            Some((p, row))
        })
        .max_by_key(|(p, row)| (p.signature.len(), std::cmp::Reverse(*row)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_signatures_are_header_keys() {
        for (i, p) in PRESETS.iter().enumerate() {
            assert!(PRESETS[..i].iter().all(|q| q.name != p.name), "{}", p.name);
            for s in p.signature {
                assert_eq!(header_key(s), *s, "{}: {s}", p.name);
            }
            for (name, _) in p.columns {
                assert!(
                    p.kinds
                        .iter()
                        .any(|&k| super::super::columns::specs(k).iter().any(|s| s.name == *name)),
                    "{}: {name}",
                    p.name
                );
            }
        }
    }
}
