//! Presets: how each booking system, LMS and survey tool writes its exports,
//! so that a file is read as the tool wrote it. A preset is part of the
//! mapping step: it says where the header is, what the tool calls the
//! canonical columns, and which of its columns are its own bookkeeping.

use super::kinds::{DateOrder, SourceKind};
use crate::fold::header_key;

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
    /// Moodle Attendance: one row per person and one column per session,
    /// headed by its date and time ([`crate::load::dates::session_heading`]); read as one row
    /// per person and session.
    SessionColumns,
}

impl Layout {
    /// Header rows the layout takes.
    pub fn rows(self) -> usize {
        match self {
            Layout::OneRow | Layout::SessionColumns => 1,
            Layout::QuestionOverAnswers => 2,
            Layout::NamesLabelsImportIds => 3,
        }
    }
}

/// What a tool writes in title rows above its header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Titles {
    None,
    /// Moodle Attendance: `Course | <course name>`, `Group | <group>`.
    CourseRow,
    /// Moodle Face-to-face: the activity's name, then a row per session
    /// date, `5 March 2024, 9:30 AM - 5 March 2024, 4:30 PM`.
    ActivityAndDates,
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
    /// How the tool writes `03/04/2024`, where it is sure; config's
    /// `date_order` for the source or file wins.
    pub date_order: Option<DateOrder>,
    /// A column saying whether the response was finished (a header key):
    /// unfinished ones are skipped and counted.
    pub finished: Option<&'static str>,
    /// A column (a header key) and the values in it that mark a response
    /// as a preview, a test or spam: skipped and counted.
    pub not_real: Option<(&'static str, &'static [&'static str])>,
    /// Course or session date in title rows, read where the file has no
    /// column for them and config gives no constant.
    pub titles: Titles,
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
        name: "surveymonkey",
        export: "SurveyMonkey: Analyze results > Save as > Export file > All responses data (XLS or CSV, expanded, actual answer text)",
        kinds: SURVEYS,
        signature: &["respondentid", "collectorid"],
        layout: Layout::QuestionOverAnswers,
        columns: &[
            ("delegate_id", &["Email Address"]),
            ("responded_at", &["End Date"]),
        ],
        metadata: &[
            "Respondent ID",
            "Collector ID",
            "Start Date",
            "End Date",
            "IP Address",
        ],
        date_order: Some(DateOrder::Us),
        finished: None,
        not_real: None,
        titles: Titles::None,
    },
    Preset {
        name: "qualtrics",
        export: "Qualtrics: Data & Analysis > Export & Import > Export Data > CSV (choice text)",
        kinds: SURVEYS,
        signature: &["responseid", "recordeddate", "finished"],
        layout: Layout::NamesLabelsImportIds,
        columns: &[
            ("delegate_id", &["RecipientEmail"]),
            ("responded_at", &["RecordedDate"]),
        ],
        metadata: &[
            "StartDate",
            "EndDate",
            "Status",
            "IPAddress",
            "Progress",
            "Duration (in seconds)",
            "Finished",
            "RecordedDate",
            "ResponseId",
            "ExternalReference",
            "LocationLatitude",
            "LocationLongitude",
            "DistributionChannel",
            "UserLanguage",
        ],
        date_order: None,
        finished: Some("finished"),
        // The Status column: "Survey Preview", "Survey Test", "Spam" as
        // choice text, 1, 2 and 8 as numeric values.
        not_real: Some((
            "status",
            &["Survey Preview", "Survey Test", "Spam", "1", "2", "8"],
        )),
        titles: Titles::None,
    },
    Preset {
        name: "smartsurvey",
        export: "SmartSurvey: Results > Export > Excel or CSV (full responses)",
        kinds: SURVEYS,
        signature: &["userno", "started", "ended", "trackinglink"],
        layout: Layout::QuestionOverAnswers,
        columns: &[("delegate_id", &["Email"]), ("responded_at", &["Ended"])],
        metadata: &[
            "UserID",
            "UserNo",
            "IP Address",
            "Unique ID",
            "Started",
            "Ended",
            "Tracking Link",
        ],
        date_order: None,
        finished: None,
        not_real: None,
        titles: Titles::None,
    },
    Preset {
        name: "msforms",
        export: "Microsoft Forms: Responses > Open results in Excel (.xlsx)",
        kinds: SURVEYS,
        signature: &["starttime", "completiontime"],
        layout: Layout::OneRow,
        columns: &[
            ("delegate_id", &["Email"]),
            ("responded_at", &["Completion time"]),
        ],
        metadata: &[
            "ID",
            "Start time",
            "Completion time",
            "Last modified time",
            "Total points",
            "Quiz feedback",
        ],
        date_order: Some(DateOrder::Us),
        finished: None,
        not_real: None,
        titles: Titles::None,
    },
    Preset {
        name: "googleforms",
        export: "Google Forms: Responses > Download responses (.csv), or the linked Google Sheet",
        kinds: SURVEYS,
        signature: &["timestamp"],
        layout: Layout::OneRow,
        columns: &[
            ("delegate_id", &["Email Address", "Email address"]),
            ("responded_at", &["Timestamp"]),
        ],
        metadata: &["Timestamp", "Score"],
        date_order: None,
        finished: None,
        not_real: None,
        titles: Titles::None,
    },
    Preset {
        name: "moodle-feedback",
        export: "Moodle Feedback: the activity's Responses tab > Download table data as (CSV, Excel or ODS)",
        kinds: SURVEYS,
        signature: &["userfullname", "emailaddress", "date"],
        layout: Layout::OneRow,
        columns: &[
            ("delegate_id", &["Email address"]),
            ("responded_at", &["Date"]),
        ],
        metadata: &["Groups", "Date", "Response number"],
        date_order: None,
        finished: None,
        not_real: None,
        titles: Titles::None,
    },
    Preset {
        name: "eventbrite",
        export: "Eventbrite: Manage attendees > Reports > Attendee summary > Export (CSV or Excel), one file per event",
        kinds: &[Attendance],
        signature: &["attendeestatus", "tickettype"],
        layout: Layout::OneRow,
        columns: &[
            ("delegate_id", &["Email"]),
            ("agency", &["Organisation", "Organization", "Company"]),
            ("status", &["Attendee Status"]),
            ("booked_at", &["Order Date"]),
        ],
        metadata: &[
            "Order #",
            "Order no.",
            "Quantity",
            "Price Tier",
            "Ticket Type",
            "Attendee #",
            "Group",
            "Order Type",
            "Currency",
            "Total Paid",
            "Fees Paid",
            "Eventbrite Fees",
            "Eventbrite Payment Processing",
            "Home Address 1",
            "Home Address 2",
            "Home City",
            "Home State",
            "Home Zip",
            "Home Postcode",
            "County of Residence",
            "Home Country",
            "Job Title",
        ],
        date_order: None,
        finished: None,
        not_real: None,
        titles: Titles::None,
    },
    Preset {
        name: "moodle-attendance",
        export: "Moodle Attendance: the activity's Export tab > Identify student by Email address > Download in Excel, OpenOffice or text format",
        kinds: &[Attendance],
        signature: &["takensessions", "points", "percentage"],
        layout: Layout::SessionColumns,
        columns: &[
            ("delegate_id", &["Email address"]),
            ("agency", &["Institution", "Department"]),
        ],
        metadata: &[
            "Student ID",
            "ID number",
            "Username",
            "Groups",
            "City/town",
            "Country",
            "Phone",
            "Mobile phone",
            "Address",
            "P",
            "L",
            "E",
            "A",
            "Taken sessions",
            "Points",
            "Percentage",
        ],
        date_order: None,
        finished: None,
        not_real: None,
        titles: Titles::CourseRow,
    },
    Preset {
        name: "moodle-seminar",
        export: "Moodle Face-to-face (Seminar): a session's Attendees > Download in Excel format (or ODS)",
        kinds: &[Attendance],
        signature: &["currentstatus"],
        layout: Layout::OneRow,
        columns: &[
            ("delegate_id", &["Email address"]),
            ("agency", &["Institution", "Department"]),
            ("status", &["Current status"]),
        ],
        metadata: &[
            "ID number",
            "Username",
            "City/town",
            "Country",
            "Phone",
            "Mobile phone",
        ],
        date_order: None,
        finished: None,
        not_real: None,
        titles: Titles::ActivityAndDates,
    },
    Preset {
        name: "totara-seminar",
        export: "Totara Seminar: Reports > a report from the Seminar Sign-ups source > Export (CSV, Excel or ODS)",
        kinds: &[Attendance],
        signature: &["sessionstartdatetime"],
        layout: Layout::OneRow,
        columns: &[
            (
                "delegate_id",
                &[
                    "User's Email (ignoring user display setting)",
                    "User's Email",
                ],
            ),
            (
                "agency",
                &["User's Organisation Name(s)", "User's Institution"],
            ),
            ("course", &["Course Name"]),
            (
                "session_date",
                &["Session Start Date/Time", "Local Session Start Date/Time"],
            ),
            ("status", &["Status"]),
            ("booked_at", &["Time of sign-up"]),
            ("cancelled_at", &["Cancellation date"]),
        ],
        metadata: &[
            "Seminar Name",
            "Session Finish Date/Time",
            "Local Session Finish Date/Time",
            "Session Start Time",
            "Session Finish Time",
            "Booked by",
            "Actioned By",
            "Position on sign up",
            "Job assignment",
            "User's Position Name(s)",
            "User's Department",
            "User ID Number",
            "Approver name",
            "Approver Email",
            "Approval Time",
            "Cancelled status",
            "Event Maximum Bookings",
            "Number of Attendees",
            "Event Details",
        ],
        date_order: None,
        finished: None,
        not_real: None,
        titles: Titles::None,
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
                    p.kinds.iter().any(|&k| crate::load::columns::specs(k)
                        .iter()
                        .any(|s| s.name == *name)),
                    "{}: {name}",
                    p.name
                );
            }
        }
    }
}
