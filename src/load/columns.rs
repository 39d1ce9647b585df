//! Matching a sheet's headers to the canonical columns of its source, and
//! parsing whole columns at a time with every bad value recorded.

use std::collections::HashMap;

use crate::config::preset::{self, Preset};
use calamine::Data;

use super::sheet::{Cell, Column, RawSheet, quote_list};
use super::value::Parsed;
use crate::config::{SourceConfig, SourceKind};
use crate::error::{Error, Result};
use crate::fast::FastMap;
use crate::fold::header_key;
use crate::model::{Rejection, Role};

/// A canonical column: its name and the header spellings it answers to
/// (compared as [`header_key`]s), the canonical name first.
pub struct Spec {
    pub name: &'static str,
    pub required: bool,
    pub aliases: &'static [&'static str],
}

const fn req(name: &'static str, aliases: &'static [&'static str]) -> Spec {
    Spec {
        name,
        required: true,
        aliases,
    }
}
const fn opt(name: &'static str, aliases: &'static [&'static str]) -> Spec {
    Spec {
        name,
        required: false,
        aliases,
    }
}

const SESSION_ID: &[&str] = &[
    "sessionid",
    "session",
    "sessionref",
    "sessionreference",
    "eventid",
    "coursesessionid",
];
const DELEGATE_ID: &[&str] = &[
    "delegateid",
    "delegate",
    "email",
    "emailaddress",
    "delegateemail",
    "attendeeid",
    "attendeeemail",
    "learnerid",
    "learneremail",
    "userid",
    "personid",
];
const AGENCY: &[&str] = &[
    "agency",
    "organisation",
    "organization",
    "employer",
    "agencyname",
    "organisationname",
    "organizationname",
];
const LEVEL: &[&str] = &["level", "traininglevel", "courselevel"];
const COURSE: &[&str] = &["course", "coursetitle", "coursename", "title"];
const SESSION_DATE: &[&str] = &[
    "sessiondate",
    "date",
    "eventdate",
    "coursedate",
    "startdate",
];

const ATTENDANCE: &[Spec] = &[
    req("session_id", SESSION_ID),
    req("delegate_id", DELEGATE_ID),
    req("agency", AGENCY),
    req(
        "status",
        &["status", "attendancestatus", "attendance", "bookingstatus"],
    ),
    opt("course", COURSE),
    opt("session_date", SESSION_DATE),
    opt(
        "booked_at",
        &[
            "bookedat",
            "bookingdate",
            "datebooked",
            "bookeddate",
            "bookedon",
        ],
    ),
    opt(
        "cancelled_at",
        &[
            "cancelledat",
            "cancellationdate",
            "datecancelled",
            "cancelleddate",
            "cancelledon",
        ],
    ),
    opt("level", LEVEL),
];

const SESSIONS: &[Spec] = &[
    req("session_id", SESSION_ID),
    req("course", COURSE),
    req("session_date", SESSION_DATE),
    req(
        "places",
        &["places", "capacity", "maxplaces", "placesavailable"],
    ),
    opt("mode", &["mode", "deliverymode", "delivery", "format"]),
    opt("duration", &["duration", "length", "sessionlength"]),
    opt("level", LEVEL),
    opt("pathway", &["pathway", "priority", "theme"]),
    opt(
        "trainer_cost",
        &["trainercost", "trainerfee", "trainercosts"],
    ),
    opt("venue_cost", &["venuecost", "roomcost", "venuecosts"]),
    opt(
        "facilitator",
        &[
            "facilitator",
            "facilitators",
            "trainer",
            "trainers",
            "presenter",
            "presenters",
        ],
    ),
];

/// A typed email, for survey responses whose own is anonymous.
const WORK_EMAIL: &[&str] = &[
    "workemail",
    "workemailaddress",
    "yourworkemail",
    "yourworkemailaddress",
    "youremail",
    "youremailaddress",
];

const EVALUATIONS: &[Spec] = &[
    req("session_id", SESSION_ID),
    req("delegate_id", DELEGATE_ID),
    opt("course", COURSE),
    opt("work_email", WORK_EMAIL),
    opt("satisfaction", &["satisfaction", "overallsatisfaction"]),
    opt(
        "relevance",
        &[
            "relevance",
            "relevancetomyrole",
            "relevancetorole",
            "relevancetomywork",
        ],
    ),
    // Long form: one row a score.
    opt(
        "comment",
        &["comment", "comments", "anyothercomments", "othercomments"],
    ),
    opt("item", &["item", "question"]),
    opt("phase", &["phase", "prepost", "when"]),
    opt("score", &["score", "rating", "answer"]),
];

const IMPACT: &[Spec] = &[
    req("session_id", SESSION_ID),
    req("delegate_id", DELEGATE_ID),
    opt("course", COURSE),
    opt("work_email", WORK_EMAIL),
    req(
        "responded_at",
        &[
            "respondedat",
            "responsedate",
            "submittedat",
            "completedat",
            "submitted",
            "timestamp",
        ],
    ),
    req(
        "applied_learning",
        &[
            "appliedlearning",
            "applied",
            "haveyouappliedthelearning",
            "appliedinpractice",
        ],
    ),
    opt("comment", &["comment", "comments", "feedback"]),
];

const AGENCY_RETURNS: &[Spec] = &[
    req("agency", AGENCY),
    req("year", &["year", "financialyear", "fy", "returnyear"]),
    req("level", LEVEL),
    req(
        "headcount",
        &[
            "headcount",
            "staff",
            "stafftotal",
            "numberofstaff",
            "totalstaff",
        ],
    ),
    req(
        "trained",
        &["trained", "numbertrained", "stafftrained", "totaltrained"],
    ),
];

const AGENCIES: &[Spec] = &[
    req(
        "agency",
        &[
            "agency",
            "agencyname",
            "name",
            "organisation",
            "organization",
        ],
    ),
    opt(
        "aliases",
        &["aliases", "alias", "alsoknownas", "otherNames"],
    ),
    opt("sector", &["sector", "type", "agencytype"]),
    opt("statutory_partner", &["statutorypartner", "statutory"]),
    opt("charge_exempt", &["chargeexempt", "exempt", "nocharge"]),
];

pub fn specs(kind: SourceKind) -> &'static [Spec] {
    match kind {
        SourceKind::Attendance => ATTENDANCE,
        SourceKind::Sessions => SESSIONS,
        SourceKind::Evaluations => EVALUATIONS,
        SourceKind::Impact => IMPACT,
        SourceKind::AgencyReturns => AGENCY_RETURNS,
        SourceKind::Agencies => AGENCIES,
    }
}

/// Person-name headers: never read, so never stored or reported.
const NAME_HEADERS: &[&str] = &[
    "name",
    "firstname",
    "forename",
    "givenname",
    "surname",
    "lastname",
    "familyname",
    "fullname",
    "delegatename",
    "attendeename",
    "learnername",
    "usersfullname",
    "userfullname",
    "userfirstname",
    "userlastname",
    "recipientfirstname",
    "recipientlastname",
];

/// A sheet's data rows with its headers matched.
pub struct Mapped {
    pub data: RawSheet,
    /// The Excel row of the (first) header row.
    pub header_row: u32,
    pub headers: Vec<String>,
    /// Canonical name → column index.
    pub cols: HashMap<&'static str, usize>,
    /// Columns not matched to a canonical name (item columns among them).
    pub unmatched: Vec<usize>,
    /// The tool's own bookkeeping columns (its preset says which).
    pub metadata: Vec<usize>,
    /// The preset the sheet was read with, and whether config named it.
    pub preset: Option<(&'static Preset, bool)>,
    /// Columns a constant stands in for, and the canonical name.
    pub replaced: Vec<(usize, &'static str)>,
    /// The column saying whether a response was finished (Qualtrics).
    pub finished: Option<usize>,
    /// The column whose values mark previews and tests, and those values.
    pub not_real: Option<(usize, &'static [&'static str])>,
    /// The column whose answers name the session (`session_from`).
    pub session_answer: Option<usize>,
    /// Survey grid columns read as items: column → (`pre`, `post` or
    /// `impact`, item name).
    pub grid: HashMap<usize, (&'static str, String)>,
    /// A sheet of one column per session, read as one row per person and
    /// session (Moodle Attendance).
    pub wide: Option<Wide>,
    /// What the data-quality notes should say of the sheet's layout.
    pub notes: Vec<String>,
}

/// How a sheet of one column per session was turned into rows.
#[derive(Debug)]
pub struct Wide {
    /// Each session column's heading, and when its session starts.
    pub sessions: Vec<(String, chrono::NaiveDateTime)>,
    /// Where each column of the data, and each session column, was in the
    /// file: `check` lists them in the file's order.
    pub file_order: Vec<usize>,
    pub session_order: Vec<usize>,
    /// The session (an index into `sessions`) of each data row.
    pub row_session: Vec<u32>,
    /// The columns made from the session columns: its date, its cell.
    pub date_col: usize,
    pub status_col: usize,
}

impl Mapped {
    /// The item column `c` scores for phase `prefix`: a grid statement, or
    /// a `Pre: <item>`-style header.
    pub fn item(&self, c: usize, prefix: &str) -> Option<String> {
        match self.grid.get(&c) {
            Some((phase, item)) => (*phase == prefix).then(|| item.clone()),
            None => crate::fold::prefixed_item(&self.headers[c], prefix),
        }
    }
}

impl Mapped {
    pub fn has(&self, name: &str) -> bool {
        self.cols.contains_key(name)
    }

    /// The file's header for the value at column `c`, row `r`: for a row
    /// made from a session column, that column's heading.
    pub fn header_at(&self, c: usize, r: usize) -> &str {
        match &self.wide {
            Some(w) if c == w.date_col || c == w.status_col => w
                .row_session
                .get(r)
                .and_then(|&s| w.sessions.get(s as usize))
                .map_or(&self.headers[c], |(h, _)| h),
            _ => &self.headers[c],
        }
    }
}

/// How well a row works as the header: (required found, any found).
/// Columns config gives constants for count as found.
fn header_score(
    sheet: &RawSheet,
    row: usize,
    lookup: &HashMap<String, (&'static str, usize)>,
    kind: SourceKind,
    provided: &[&str],
) -> (usize, usize) {
    let mut found: HashMap<&str, ()> = provided.iter().map(|&p| (p, ())).collect();
    for c in 0..sheet.width() {
        if let Some(text) = sheet.cell(c, row).as_text()
            && let Some((name, _)) = lookup.get(&header_key(&text))
        {
            found.insert(name, ());
        }
    }
    let required = specs(kind)
        .iter()
        .filter(|s| s.required && found.contains_key(s.name))
        .count();
    (required, found.len())
}

/// Preference ranks below this are config's aliases; from it on, built-in.
const CONFIG_RANKS: usize = 100;

/// Header key → (canonical name, preference rank: lower wins).
fn alias_lookup(
    kind: SourceKind,
    config: &SourceConfig,
    preset: Option<&Preset>,
) -> HashMap<String, (&'static str, usize)> {
    let mut lookup = HashMap::new();
    for spec in specs(kind) {
        // Config aliases first: the user's word beats the built-in guesses.
        if let Some(extra) = config.columns.get(spec.name) {
            for (i, alias) in extra.iter().enumerate() {
                lookup.insert(header_key(alias), (spec.name, i.min(CONFIG_RANKS - 1)));
            }
        }
        // Then the tool's own names, which are sure for its files.
        if let Some((_, names)) =
            preset.and_then(|p| p.columns.iter().find(|(n, _)| *n == spec.name))
        {
            for (i, alias) in names.iter().enumerate() {
                lookup
                    .entry(header_key(alias))
                    .or_insert((spec.name, (CONFIG_RANKS / 2 + i).min(CONFIG_RANKS - 1)));
            }
        }
        lookup
            .entry(header_key(spec.name))
            .or_insert((spec.name, CONFIG_RANKS));
        for (i, alias) in spec.aliases.iter().enumerate() {
            lookup
                .entry(header_key(alias))
                .or_insert((spec.name, CONFIG_RANKS + 1 + i));
        }
    }
    lookup
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
    preset::PRESETS
        .iter()
        .filter(|p| p.reads(kind))
        .filter_map(|p| {
            let row = rows
                .iter()
                .position(|keys| p.signature.iter().all(|s| keys.iter().any(|k| k == s)))?;
            Some((p, row))
        })
        .max_by_key(|(p, row)| (p.signature.len(), std::cmp::Reverse(*row)))
}

/// Checks that config's column aliases name real canonical columns.
pub fn check_config_columns(
    kind: SourceKind,
    config: &SourceConfig,
    origin: &std::path::Path,
) -> Result<()> {
    if let Some(name) = &config.preset
        && let Some(preset) = preset::find(name)
        && !preset.reads(kind)
    {
        let reads: Vec<&str> = preset.kinds.iter().map(|k| k.name()).collect();
        return Err(Error::Config {
            file: origin.to_path_buf(),
            message: format!(
                "sources.{kind}.preset = \"{name}\" reads {} files, not {kind}",
                reads.join(" and ")
            ),
        });
    }
    let named = config
        .columns
        .keys()
        .map(|n| ("columns", n))
        .chain(config.constants.keys().map(|n| ("constants", n)));
    for (key, name) in named {
        if !specs(kind).iter().any(|s| s.name == name) {
            let known: Vec<&str> = specs(kind).iter().map(|s| s.name).collect();
            return Err(Error::Config {
                file: origin.to_path_buf(),
                message: format!(
                    "sources.{kind}.{key}: '{name}' is not a column of {kind}; its columns are {}",
                    quote_list(&known)
                ),
            });
        }
    }
    Ok(())
}

/// Finds the header row (config's, or the first of the top 30 rows holding
/// every required column), and matches headers to canonical columns.
pub fn map_headers(
    kind: SourceKind,
    config: &SourceConfig,
    sheet: RawSheet,
    file: &std::path::Path,
) -> Result<Mapped> {
    let sheet_name = sheet.sheet.clone();
    if sheet.height == 0 {
        return Err(Error::input(
            file,
            sheet_name.as_deref(),
            "the sheet is empty: no header row found",
        ));
    }
    let (preset, signature_row) = match config.preset.as_deref() {
        Some("none") => (None, None),
        // Config checked the name, and that the preset reads this source.
        Some(name) => (preset::find(name).map(|p| (p, true)), None),
        None => match recognise(kind, &sheet) {
            Some((p, row)) => (Some((p, false)), Some(row)),
            None => (None, None),
        },
    };
    let layout = preset.map_or(preset::Layout::OneRow, |(p, _)| p.layout);
    let lookup = alias_lookup(kind, config, preset.map(|(p, _)| p));
    let mut provided: Vec<&str> = config.constants.keys().map(String::as_str).collect();
    if config.session_from.is_some() {
        provided.push("session_id");
    }
    let n_required = specs(kind).iter().filter(|s| s.required).count();
    let header = match config.header_row {
        Some(r) => match sheet.raw_row(r) {
            Some(row) => row,
            None => {
                return Err(Error::input(
                    file,
                    sheet_name.as_deref(),
                    format!(
                        "header_row = {r}, but the sheet's data is in rows {} to {}",
                        sheet.first_row,
                        sheet.excel_row(sheet.height - 1)
                    ),
                ));
            }
        },
        None if signature_row.is_some() => signature_row.unwrap_or_default(),
        None => {
            let scan = sheet.height.min(30);
            let scores: Vec<(usize, usize)> = (0..scan)
                .map(|r| header_score(&sheet, r, &lookup, kind, &provided))
                .collect();
            match scores.iter().position(|&(req, _)| req == n_required) {
                Some(r) => r,
                // The best candidate, for a precise error below.
                None => (0..scan)
                    .max_by_key(|&r| (scores[r], std::cmp::Reverse(r)))
                    .unwrap_or(0),
            }
        }
    };
    let header_excel_row = sheet.excel_row(header);
    // Moodle names the course, and a seminar its date, in title rows.
    let titles = preset.map_or(Vec::new(), |(p, _)| title_values(p.titles, &sheet, header));
    let (rows, data) = sheet.split_header(header, layout.rows());
    let (headers, names) = combine_headers(layout, rows);
    let mut notes = Vec::new();
    let (mut headers, mut data, wide) = if layout == preset::Layout::SessionColumns {
        let (headers, data, wide, note) = unpivot_sessions(headers, data).map_err(|m| {
            Error::input(
                file,
                sheet_name.as_deref(),
                format!("{m} (header row {header_excel_row})"),
            )
        })?;
        notes.extend(note);
        (headers, data, Some(wide))
    } else {
        (headers, data, None)
    };
    // The columns made from the session columns are placed below.
    let file_columns = wide.as_ref().map_or(headers.len(), |w| w.date_col);

    let mut cols: HashMap<&'static str, (usize, usize)> = HashMap::new();
    let mut unmatched = Vec::new();
    let mut metadata = Vec::new();
    for (c, h) in headers.iter().enumerate().take(file_columns) {
        let key = header_key(h);
        // Qualtrics: a column's short name (`RecipientEmail`) is matched
        // before its question text.
        // A header config names is matched past a question's number
        // (SmartSurvey's `Q5.`) or label (Moodle Feedback's `(sat)`).
        let found = names
            .get(c)
            .and_then(|n| lookup.get(&header_key(n)))
            .or_else(|| lookup.get(&key))
            .or_else(|| {
                let bare = bare_question(h);
                (bare.len() < h.trim().len())
                    .then(|| lookup.get(&header_key(bare)))
                    .flatten()
                    .filter(|&&(_, rank)| rank < CONFIG_RANKS)
            });
        if key.is_empty() && found.is_none() {
            continue;
        }
        // The tool's own column is its own, whatever a built-in alias would
        // make of it (SmartSurvey's `UserID` is not the delegate).
        let is_metadata = preset.is_some_and(|(p, _)| {
            p.is_metadata(&key) || names.get(c).is_some_and(|n| p.is_metadata(&header_key(n)))
        });
        let found = found.filter(|&&(_, rank)| !(is_metadata && rank >= CONFIG_RANKS));
        match found {
            Some(&(name, rank)) => match cols.get(name) {
                // Two headers answer to one column and config named neither:
                // taking either would be a guess.
                Some(&(prev, best)) if best >= CONFIG_RANKS && rank >= CONFIG_RANKS => {
                    return Err(Error::input(
                        file,
                        sheet_name.as_deref(),
                        format!(
                            "the columns '{}' and '{h}' (row {header_excel_row}) could both be {kind}'s \
                             '{name}'; say which to use in hub.toml, e.g. [sources.{kind}.columns] {name} = [\"{h}\"]",
                            headers[prev]
                        ),
                    ));
                }
                Some(&(_, best)) if best <= rank => unmatched.push(c),
                Some(&(prev, _)) => {
                    unmatched.push(prev);
                    cols.insert(name, (c, rank));
                }
                None => {
                    cols.insert(name, (c, rank));
                }
            },
            None if kind != SourceKind::Agencies && NAME_HEADERS.contains(&key.as_str()) => {}
            None if is_metadata => metadata.push(c),
            None => unmatched.push(c),
        }
    }
    if let Some(w) = &wide {
        for (name, c) in [("session_date", w.date_col), ("status", w.status_col)] {
            if let Some((prev, _)) = cols.insert(name, (c, 0)) {
                unmatched.push(prev);
            }
        }
    }
    for (name, value, shown) in titles {
        if !cols.contains_key(name) {
            headers.push(format!("{} (the title row '{shown}')", capitalised(name)));
            data.columns.push(Column::Const(value));
            cols.insert(name, (headers.len() - 1, 0));
        }
    }
    // Constants stand in for columns, the file's own if it has one.
    let mut replaced = Vec::new();
    for (name, value) in &config.constants {
        let Some(spec) = specs(kind).iter().find(|s| s.name == name) else {
            continue;
        };
        if let Some((c, _)) = cols.remove(spec.name) {
            replaced.push((c, spec.name));
        }
        data.columns.push(Column::Const(value.clone()));
        headers.push(format!("{name} (constant in hub.toml)"));
        cols.insert(spec.name, (headers.len() - 1, 0));
    }
    // A survey names its session in an answer.
    let mut session_answer = None;
    if let Some(pattern) = &config.session_from
        && !cols.contains_key("session_id")
    {
        match (0..headers.len()).find(|&c| header_matches(pattern, &headers[c])) {
            Some(c) => {
                unmatched.retain(|&u| u != c);
                session_answer = Some(c);
            }
            None => {
                let found: Vec<&str> = headers
                    .iter()
                    .map(String::as_str)
                    .filter(|h| !h.trim().is_empty())
                    .collect();
                return Err(Error::input(
                    file,
                    sheet_name.as_deref(),
                    format!(
                        "session_from '{pattern}' matches no column of header row {header_excel_row}; columns found: {}",
                        quote_list(&found)
                    ),
                ));
            }
        }
    }
    // Without an id, a booking's course and session date name its session.
    let named_by_date = kind == SourceKind::Attendance
        && cols.contains_key("course")
        && cols.contains_key("session_date");
    let missing: Vec<&str> = specs(kind)
        .iter()
        .filter(|s| s.required && !cols.contains_key(s.name))
        .filter(|s| !(s.name == "session_id" && (session_answer.is_some() || named_by_date)))
        .map(|s| s.name)
        .collect();
    if !missing.is_empty() {
        let found: Vec<&str> = headers
            .iter()
            .map(String::as_str)
            .filter(|h| !h.trim().is_empty())
            .collect();
        let found = if found.is_empty() {
            "none".to_string()
        } else {
            quote_list(&found)
        };
        let how = if config.header_row.is_some() {
            format!("in header row {header_excel_row} (set by header_row)")
        } else {
            format!("in the best header candidate, row {header_excel_row}")
        };
        let session_hint = match kind {
            _ if !missing.contains(&"session_id") => "",
            SourceKind::Attendance => {
                ". A file without session ids can name its session by course and session_date \
                 (columns, or constants = { course = \"...\", session_date = \"...\" } for a file of one session)"
            }
            SourceKind::Evaluations | SourceKind::Impact => {
                ". A survey without session ids can name its session in an answer: session_from = \"<the question>\""
            }
            _ => "",
        };
        return Err(Error::input(
            file,
            sheet_name.as_deref(),
            format!(
                "missing required column{} {} {how}; columns found: {found}. Rename the column, or map it in hub.toml under [sources.{kind}.columns]{session_hint}",
                if missing.len() > 1 { "s" } else { "" },
                quote_list(&missing),
            ),
        ));
    }
    let grid = if matches!(kind, SourceKind::Evaluations | SourceKind::Impact) {
        grid_items(
            kind,
            config,
            preset.map(|(p, _)| p),
            &headers,
            &names,
            &unmatched,
        )
        .map_err(|message| Error::input(file, sheet_name.as_deref(), message))?
    } else {
        HashMap::new()
    };
    let column_named = |key: &str| {
        (0..headers.len()).find(|&c| {
            header_key(&headers[c]) == key || names.get(c).is_some_and(|n| header_key(n) == key)
        })
    };
    let not_real = preset
        .and_then(|(p, _)| p.not_real)
        .and_then(|(key, values)| Some((column_named(key)?, values)));
    let finished = preset.and_then(|(p, _)| p.finished).and_then(column_named);
    Ok(Mapped {
        data,
        header_row: header_excel_row,
        headers,
        cols: cols.into_iter().map(|(k, (c, _))| (k, c)).collect(),
        unmatched,
        metadata,
        preset,
        replaced,
        finished,
        not_real,
        session_answer,
        grid,
        wide,
        notes,
    })
}

/// `session_date` → `Session date`.
fn capitalised(name: &str) -> String {
    let spaced = name.replace('_', " ");
    let mut chars = spaced.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// What a tool's title rows above the header (raw row `header`) say:
/// (canonical column, value, the title text it came from).
fn title_values(
    titles: preset::Titles,
    sheet: &RawSheet,
    header: usize,
) -> Vec<(&'static str, String, String)> {
    let first = |r: usize| sheet.cell(0, r).as_text();
    match titles {
        preset::Titles::None => Vec::new(),
        // `Course | Safeguarding basics`
        preset::Titles::CourseRow => (0..header)
            .find_map(|r| {
                (header_key(&first(r)?) == "course")
                    .then(|| sheet.cell(1, r).as_text())
                    .flatten()
            })
            .map(|course| vec![("course", course.clone(), course)])
            .unwrap_or_default(),
        // The activity's name, then `5 March 2024, 9:30 AM - 5 March 2024,
        // 4:30 PM` for each of the session's days: the first is its start.
        preset::Titles::ActivityAndDates => {
            let mut out = Vec::new();
            let starts = (1..header).find_map(|r| {
                let text = first(r)?;
                let (start, _) = text.split_once(" - ")?;
                let (date, time) =
                    super::dates::parse_date_time_text(start, crate::config::DateOrder::Uk)?;
                let when = match time {
                    Some(t) => date.and_time(t).format("%Y-%m-%d %H:%M").to_string(),
                    None => date.format("%Y-%m-%d").to_string(),
                };
                Some((when, text))
            });
            if let Some(name) = (header >= 2).then(|| first(0)).flatten() {
                out.push(("course", name.clone(), name));
            }
            if let Some((when, text)) = starts {
                out.push(("session_date", when, text));
            }
            out
        }
    }
}

/// Moodle Attendance's text in a session's cell for a person outside their
/// enrolment on its date: not a booking. `←` repeats the cell before it.
fn outside_enrolment(text: &str) -> bool {
    let t = text.trim();
    t.starts_with("User enrolment") || t == "Enrolment suspended" || t == "\u{2190}"
}

/// One row per person and session from a sheet of one column per session:
/// the person's columns, then the session's date and time (from its
/// heading) and the person's cell in that column. A blank cell is a session
/// not held for the person (another group's); a cell outside their
/// enrolment is skipped and counted in the note.
#[allow(clippy::type_complexity)]
fn unpivot_sessions(
    headers: Vec<String>,
    data: RawSheet,
) -> std::result::Result<(Vec<String>, RawSheet, Wide, Option<String>), String> {
    let sessions: Vec<(usize, chrono::NaiveDateTime)> = headers
        .iter()
        .enumerate()
        .filter_map(|(c, h)| super::dates::session_heading(h).map(|t| (c, t)))
        .collect();
    if sessions.is_empty() {
        return Err(
            "no session columns: Moodle Attendance heads each session with its date and time, \
                    like '3 Apr 2024 9.30AM All students', and no column of the header row does"
                .into(),
        );
    }
    let is_session = |c: usize| sessions.iter().any(|&(s, _)| s == c);
    // "Include remarks" puts a column with an empty heading after each
    // session's: free text, not read.
    let is_remark = |c: usize| c > 0 && is_session(c - 1) && headers[c].trim().is_empty();
    let ids: Vec<usize> = (0..headers.len())
        .filter(|&c| !is_session(c) && !is_remark(c))
        .collect();
    let width = ids.len() + 2;
    let mut columns: Vec<Vec<Data>> = vec![Vec::new(); width];
    let (mut rows, mut row_session, mut outside) = (Vec::new(), Vec::new(), 0usize);
    for r in 0..data.height {
        for (s, &(c, when)) in sessions.iter().enumerate() {
            let cell = data.cell(c, r);
            if cell.is_blank() {
                continue;
            }
            if let Cell::Text(t) = cell
                && outside_enrolment(t)
            {
                outside += 1;
                continue;
            }
            if (rows.len() + 1).saturating_mul(width) > super::sheet::limits::CELLS {
                return Err(format!(
                    "one row per person and session would take more than {} cells",
                    super::sheet::limits::CELLS
                ));
            }
            for (i, &id) in ids.iter().enumerate() {
                columns[i].push(data.data_at(id, r));
            }
            columns[ids.len()].push(Data::String(when.format("%Y-%m-%d %H:%M").to_string()));
            columns[ids.len() + 1].push(data.data_at(c, r));
            rows.push(data.excel_row(r));
            row_session.push(s as u32);
        }
    }
    let mut out_headers: Vec<String> = ids.iter().map(|&c| headers[c].clone()).collect();
    out_headers.push("Session date (from each session column's heading)".into());
    out_headers.push("Status (each session column's cell)".into());
    let wide = Wide {
        sessions: sessions
            .iter()
            .map(|&(c, when)| (headers[c].trim().to_string(), when))
            .collect(),
        row_session,
        file_order: ids.clone(),
        session_order: sessions.iter().map(|&(c, _)| c).collect(),
        date_col: ids.len(),
        status_col: ids.len() + 1,
    };
    let sheet = RawSheet {
        sheet: data.sheet.clone(),
        is_1904: data.is_1904,
        first_row: rows.first().copied().unwrap_or(data.first_row),
        height: rows.len(),
        row_numbers: Some(rows),
        columns: columns.into_iter().map(Column::Cells).collect(),
        text: String::new(),
    };
    let note = (outside > 0).then(|| {
        format!(
            "{outside} session cell(s) for people outside their enrolment on the day ('User enrolment starts ...', \
             'Enrolment suspended'): not bookings, skipped"
        )
    });
    Ok((out_headers, sheet, wide, note))
}

/// A grid column's question and statement, as the tools head them:
/// `Question [Statement]` (Google Forms, and SurveyMonkey's and
/// SmartSurvey's two header rows joined), Qualtrics' `Question - Statement`
/// over columns named `Q2_1`, `Q2_2`, ..., Moodle Feedback's `(label)
/// Question`; a bare statement has no question.
fn question_and_statement(
    header: &str,
    name: Option<&str>,
    group_labels: &[&str],
    moodle_label: bool,
) -> (Option<String>, String) {
    let strip_number = |t: &str| strip_question_number(t).to_string();
    let h = header.trim();
    if let Some(open) = h.rfind(" [")
        && h.ends_with(']')
    {
        return (
            Some(strip_number(&h[..open])),
            strip_number(&h[open + 2..h.len() - 1]),
        );
    }
    if name.is_some() && group_labels.len() > 1 {
        // The longest prefix the group's labels share, cut back to " - ".
        let first = group_labels[0];
        let mut common = first.len();
        for l in &group_labels[1..] {
            common = common.min(
                first
                    .char_indices()
                    .zip(l.chars())
                    .find(|((_, a), b)| a != b)
                    .map_or(first.len().min(l.len()), |((i, _), _)| i),
            );
        }
        if let Some(cut) = first[..common].rfind(" - ") {
            return (
                Some(first[..cut].trim().to_string()),
                h[cut + 3..].trim().to_string(),
            );
        }
    }
    if moodle_label
        && let Some(rest) = h.strip_prefix('(')
        && let Some((_label, text)) = rest.split_once(") ")
    {
        return (Some(text.trim().to_string()), text.trim().to_string());
    }
    (None, strip_number(h))
}

/// A header without the number SmartSurvey puts before its questions and
/// statements: `Q2.1. Planning a lesson` is `Planning a lesson`.
fn strip_question_number(t: &str) -> &str {
    let t = t.trim();
    let Some(rest) = t.strip_prefix(['Q', 'q']) else {
        return t;
    };
    let after = rest.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.');
    if after.len() < rest.len()
        && rest.starts_with(|c: char| c.is_ascii_digit())
        && after.starts_with(' ')
    {
        after.trim()
    } else {
        t
    }
}

/// A question's text without its number (`Q5.`) or its Moodle Feedback
/// label (`(sat) `): how config may name it.
fn bare_question(t: &str) -> &str {
    let t = t.trim();
    let unlabelled = t
        .strip_prefix('(')
        .and_then(|rest| rest.split_once(") "))
        .filter(|(label, _)| !label.is_empty() && !label.contains(char::is_whitespace))
        .map_or(t, |(_, rest)| rest.trim());
    strip_question_number(unlabelled)
}

/// An item name from a statement: folded, words joined by `_`.
fn item_name(statement: &str) -> String {
    crate::fold::fold(statement).replace(' ', "_")
}

/// Survey grid columns as items: the pre grid's statements paired in order
/// with the post grid's, and the impact grid's.
fn grid_items(
    kind: SourceKind,
    config: &SourceConfig,
    preset: Option<&Preset>,
    headers: &[String],
    names: &[String],
    unmatched: &[usize],
) -> std::result::Result<HashMap<usize, (&'static str, String)>, String> {
    let mut out = HashMap::new();
    let prefixes: &[&str] = if kind == SourceKind::Impact {
        &["impact"]
    } else {
        &["pre", "post"]
    };
    // Columns already named `Pre: <item>` (or a Moodle label `(pre_x)`).
    let mut open: Vec<usize> = Vec::new();
    for &c in unmatched {
        let h = headers[c].trim();
        let label = h
            .strip_prefix('(')
            .and_then(|r| r.split_once(')'))
            .map(|(l, _)| l.trim());
        if let Some(label) = label
            && preset.is_some_and(|p| p.name == "moodle-feedback")
            && let Some((p, item)) = prefixes
                .iter()
                .find_map(|p| crate::fold::prefixed_item(label, p).map(|i| (*p, i)))
        {
            out.insert(c, (p, item));
        } else if !prefixes
            .iter()
            .any(|p| crate::fold::prefixed_item(h, p).is_some())
        {
            open.push(c);
        }
    }
    let group = |c: usize| -> Option<&str> {
        let n = names.get(c)?;
        n.rsplit_once('_').map(|(g, _)| g).filter(|g| !g.is_empty())
    };
    let split: Vec<(usize, Option<String>, String)> = open
        .iter()
        .map(|&c| {
            let labels: Vec<&str> = match group(c) {
                Some(g) => open
                    .iter()
                    .filter(|&&o| group(o) == Some(g))
                    .map(|&o| headers[o].trim())
                    .collect(),
                None => Vec::new(),
            };
            let moodle = preset.is_some_and(|p| p.name == "moodle-feedback");
            let (q, st) = question_and_statement(&headers[c], group(c), &labels, moodle);
            (c, q, st)
        })
        .collect();
    let matching = |pattern: &str| -> Vec<(usize, String)> {
        split
            .iter()
            .filter(|(_, q, _)| q.as_deref().is_some_and(|q| header_matches(pattern, q)))
            .map(|(c, _, st)| (*c, st.clone()))
            .collect()
    };
    if kind == SourceKind::Impact {
        if let Some(pattern) = &config.impact {
            let found = matching(pattern);
            if found.is_empty() {
                return Err(format!("impact = '{pattern}' matches no question's grid"));
            }
            for (i, (c, st)) in found.into_iter().enumerate() {
                let name = config
                    .items
                    .get(i)
                    .map_or_else(|| item_name(&st), |n| item_name(n));
                out.insert(c, ("impact", name));
            }
        }
        return Ok(out);
    }
    // The default patterns apply to a tool's export, not to a file written
    // for hubreport, whose grids config has not asked for.
    if preset.is_none() && config.pre.is_none() && config.post.is_none() {
        return Ok(out);
    }
    let (pre_pattern, post_pattern) = (
        config.pre.as_deref().unwrap_or("Before*"),
        config.post.as_deref().unwrap_or("After*"),
    );
    let (mut pre, mut post) = (matching(pre_pattern), matching(post_pattern));
    if pre.is_empty() && post.is_empty() && preset.is_some_and(|p| p.name == "msforms") {
        // Microsoft Forms heads a grid's columns by statement alone, and a
        // second grid over the same statements with a `2` after each.
        for (c, q, st) in &split {
            if q.is_none()
                && let Some(&(c2, _, _)) = split
                    .iter()
                    .find(|(_, q2, st2)| q2.is_none() && *st2 == format!("{st}2"))
            {
                pre.push((*c, st.clone()));
                post.push((c2, st.clone()));
            }
        }
    }
    if (config.pre.is_some() || config.post.is_some()) && (pre.is_empty() || post.is_empty()) {
        return Err(format!(
            "pre = '{pre_pattern}' matches {} grid statement(s) and post = '{post_pattern}' {}; each needs the grid its question heads",
            pre.len(),
            post.len()
        ));
    }
    if pre.len() != post.len() {
        let list = |v: &[(usize, String)]| {
            v.iter()
                .map(|(_, s)| format!("'{s}'"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        return Err(format!(
            "the pre grid has {} statement(s) ({}) and the post grid {} ({}): they pair in order, so each needs the same number",
            pre.len(),
            list(&pre),
            post.len(),
            list(&post)
        ));
    }
    for (i, ((pc, _), (qc, st))) in pre.into_iter().zip(post).enumerate() {
        let name = config
            .items
            .get(i)
            .map_or_else(|| item_name(&st), |n| item_name(n));
        out.insert(pc, ("pre", name.clone()));
        out.insert(qc, ("post", name));
    }
    Ok(out)
}

/// Whether a header is the one config names: equal as header keys, or,
/// with `*` in the pattern, matching it ignoring case.
pub fn header_matches(pattern: &str, header: &str) -> bool {
    if pattern.contains('*') {
        let options = glob::MatchOptions {
            case_sensitive: false,
            require_literal_separator: false,
            require_literal_leading_dot: false,
        };
        glob::Pattern::new(&glob::Pattern::escape(pattern).replace("[*]", "*"))
            .is_ok_and(|p| p.matches_with(header.trim(), options))
    } else {
        header_key(pattern) == header_key(header)
            || header_key(pattern) == header_key(bare_question(header))
    }
}

/// What each column of a mapped sheet became, in the file's order, then
/// the constants.
pub fn describe(kind: SourceKind, mapped: &Mapped) -> Vec<(String, Role)> {
    let by_column: HashMap<usize, &'static str> =
        mapped.cols.iter().map(|(&name, &c)| (c, name)).collect();
    // (position in the file, header, role): constants go last.
    let mut out = Vec::new();
    if let Some(w) = &mapped.wide {
        for ((heading, when), &c) in w.sessions.iter().zip(&w.session_order) {
            out.push((c, heading.clone(), Role::Session(*when)));
        }
    }
    for (c, header) in mapped.headers.iter().enumerate() {
        let h = header.trim();
        let position = match &mapped.wide {
            Some(w) if c == w.date_col || c == w.status_col => continue,
            Some(w) => w.file_order.get(c).copied().unwrap_or(usize::MAX),
            None => c,
        };
        let role = if let Some(&name) = by_column.get(&c) {
            Role::Column(name)
        } else if mapped.session_answer == Some(c) {
            Role::SessionAnswer
        } else if let Some(&(_, name)) = mapped.replaced.iter().find(|(r, _)| *r == c) {
            Role::Replaced(name)
        } else if mapped.metadata.contains(&c) {
            Role::Metadata
        } else if mapped.unmatched.contains(&c) {
            let item = matches!(kind, SourceKind::Evaluations | SourceKind::Impact)
                .then(|| {
                    ["pre", "post", "impact"]
                        .iter()
                        .find_map(|p| mapped.item(c, p).map(|i| format!("{p} item '{i}'")))
                })
                .flatten();
            item.map_or(Role::Unused, Role::Item)
        } else {
            Role::Name
        };
        if !h.is_empty() {
            out.push((position, h.to_string(), role));
        }
    }
    out.sort_by_key(|&(position, _, _)| position);
    out.into_iter().map(|(_, h, role)| (h, role)).collect()
}

/// One header per column from a layout's header rows, and, for Qualtrics,
/// each column's short name.
fn combine_headers(
    layout: preset::Layout,
    mut rows: Vec<Vec<String>>,
) -> (Vec<String>, Vec<String>) {
    match layout {
        preset::Layout::OneRow | preset::Layout::SessionColumns => {
            (rows.swap_remove(0), Vec::new())
        }
        preset::Layout::QuestionOverAnswers => {
            let (questions, answers) = (&rows[0], rows.get(1));
            let mut carried = String::new();
            let headers = questions
                .iter()
                .enumerate()
                .map(|(c, q)| {
                    let q = q.trim();
                    if !q.is_empty() {
                        carried = q.to_string();
                    }
                    let a = answers.and_then(|a| a.get(c)).map_or("", |a| a.trim());
                    // SmartSurvey writes `Answer` under a single choice.
                    let plain = ["", "response", "open-ended response", "answer"];
                    if plain.contains(&a.to_lowercase().as_str()) {
                        if q.is_empty() {
                            carried.clone()
                        } else {
                            q.to_string()
                        }
                    } else if carried.is_empty() {
                        a.to_string()
                    } else {
                        format!("{carried} [{a}]")
                    }
                })
                .collect();
            (headers, Vec::new())
        }
        preset::Layout::NamesLabelsImportIds => {
            let names = rows.remove(0);
            let labels = rows.remove(0);
            let headers = names
                .iter()
                .enumerate()
                .map(|(c, n)| match labels.get(c).map(|l| l.trim()) {
                    Some(l) if !l.is_empty() => l.to_string(),
                    _ => n.clone(),
                })
                .collect();
            (headers, names)
        }
    }
}

/// Parses the columns of one mapped sheet, recording each bad value as a
/// rejection of its row, and which rows are blank or totals (skipped).
pub struct RowParser<'a> {
    pub mapped: &'a Mapped,
    source: &'static str,
    file: String,
    sheet: String,
    pub skipped: Vec<bool>,
    pub rejected: Vec<bool>,
    pub rejections: Vec<Rejection>,
    /// How many more rejections may be listed; past that they are counted.
    room: usize,
    pub unlisted: usize,
    /// What the data-quality notes should say of this sheet.
    pub notes: Vec<String>,
}

impl<'a> RowParser<'a> {
    /// A parser listing at most `room` rejections (the rest are counted).
    pub fn new(mapped: &'a Mapped, source: &'static str, file: String, room: usize) -> Self {
        let data = &mapped.data;
        let skipped = data
            .row_shapes()
            .into_iter()
            .map(|first| match first {
                None => true,
                Some(Cell::Text(t)) => is_totals_label(t),
                Some(_) => false,
            })
            .collect();
        let mut skipped: Vec<bool> = skipped;
        let mut notes = mapped.notes.clone();
        if let Some(c) = mapped.finished {
            let mut unfinished = 0;
            for (r, skip) in skipped.iter_mut().enumerate() {
                if !*skip && super::value::yes_no(data.cell(c, r)) == Ok(Some(false)) {
                    *skip = true;
                    unfinished += 1;
                }
            }
            if unfinished > 0 {
                notes.push(format!(
                    "{unfinished} unfinished response(s) ('{}' is false): skipped",
                    mapped.headers[c]
                ));
            }
        }
        if let Some((c, values)) = mapped.not_real {
            let mut tests = 0;
            for (r, skip) in skipped.iter_mut().enumerate() {
                let value = data.cell(c, r).as_text().unwrap_or_default();
                if !*skip && values.iter().any(|v| v.eq_ignore_ascii_case(&value)) {
                    *skip = true;
                    tests += 1;
                }
            }
            if tests > 0 {
                notes.push(format!(
                    "{tests} preview, test or spam response(s) (by '{}'): skipped",
                    mapped.headers[c]
                ));
            }
        }
        RowParser {
            mapped,
            source,
            file,
            sheet: data.sheet.clone().unwrap_or_default(),
            skipped,
            rejected: vec![false; data.height],
            rejections: Vec::new(),
            room,
            unlisted: 0,
            notes,
        }
    }

    pub fn height(&self) -> usize {
        self.mapped.data.height
    }

    pub fn excel_row(&self, row: usize) -> u32 {
        self.mapped.data.excel_row(row)
    }

    /// The file's header for canonical column `name`, or the name itself.
    pub fn header_of(&self, name: &str) -> String {
        self.mapped
            .cols
            .get(name)
            .map_or_else(|| name.to_string(), |&c| self.mapped.headers[c].clone())
    }

    /// Rejects a row with a reason (for checks spanning columns).
    pub fn reject(&mut self, row: usize, column: &str, value: String, reason: String) {
        self.rejected[row] = true;
        if self.rejections.len() >= self.room {
            self.unlisted += 1;
            return;
        }
        self.rejections.push(Rejection {
            source: self.source.to_string(),
            file: self.file.clone(),
            sheet: self.sheet.clone(),
            row: self.excel_row(row),
            column: column.to_string(),
            // Rejections reach the terminal, logs and rejected.csv: no
            // email or phone number typed into a wrong column goes with them.
            value: crate::mask::personal(&value).into_owned(),
            reason,
        });
    }

    /// Parses the canonical column `name` (all missing if absent).
    pub fn column<T: Clone>(
        &mut self,
        name: &str,
        required: bool,
        parse: impl Fn(Cell<'_>) -> Parsed<T>,
    ) -> Vec<Option<T>> {
        match self.mapped.cols.get(name) {
            Some(&c) => self.column_at(c, required, parse),
            None => (0..self.height()).map(|_| None).collect(),
        }
    }

    /// Parses column `c`; a missing value in a required column rejects the row.
    ///
    /// A column repeats a few spellings (statuses, agencies, dates, session
    /// ids, scores): each distinct text is parsed once, up to [`MEMO_LIMIT`]
    /// of them, and its outcome reused. `parse` must depend on the cell only.
    pub fn column_at<T: Clone>(
        &mut self,
        c: usize,
        required: bool,
        parse: impl Fn(Cell<'_>) -> Parsed<T>,
    ) -> Vec<Option<T>> {
        let data: &'a RawSheet = &self.mapped.data;
        let mut memo: FastMap<&'a str, Parsed<T>> = FastMap::default();
        // A column of mostly distinct texts (emails) gains nothing from the
        // memo: once its first rows show that, it is no longer consulted.
        let (mut lookups, mut hits) = (0usize, 0usize);
        let mut out = Vec::with_capacity(self.height());
        for r in 0..self.height() {
            if self.skipped[r] {
                out.push(None);
                continue;
            }
            let cell = data.cell(c, r);
            let remembering = lookups < MEMO_TRIAL || hits * 4 >= lookups;
            let parsed = match cell {
                Cell::Text(text) if remembering => {
                    lookups += 1;
                    match memo.get(text) {
                        Some(known) => {
                            hits += 1;
                            known.clone()
                        }
                        None => {
                            let parsed = parse(cell);
                            if memo.len() < MEMO_LIMIT {
                                memo.insert(text, parsed.clone());
                            }
                            parsed
                        }
                    }
                }
                _ => parse(cell),
            };
            match parsed {
                Ok(Some(v)) => out.push(Some(v)),
                Ok(None) => {
                    if required {
                        let header = self.mapped.header_at(c, r).to_string();
                        self.reject(
                            r,
                            &header,
                            cell.display(),
                            "a required value is missing".into(),
                        );
                    }
                    out.push(None);
                }
                Err(reason) => {
                    let header = self.mapped.header_at(c, r).to_string();
                    self.reject(r, &header, cell.display(), reason);
                    out.push(None);
                }
            }
        }
        out
    }

    /// Rows to keep: neither skipped nor rejected.
    pub fn keep(&self, row: usize) -> bool {
        !self.skipped[row] && !self.rejected[row]
    }

    pub fn counts(&self) -> (usize, usize, usize) {
        let read = self.height();
        let skipped = self.skipped.iter().filter(|s| **s).count();
        let rejected = self
            .rejected
            .iter()
            .zip(&self.skipped)
            .filter(|(r, s)| **r && !**s)
            .count();
        (read, read - skipped - rejected, rejected)
    }
}

/// Distinct texts a column remembers the parse of (a national year has
/// some 40,000 sessions).
const MEMO_LIMIT: usize = 1 << 18;
/// Lookups after which a column whose texts repeat less than one time in
/// four stops consulting its memo.
const MEMO_TRIAL: usize = 1 << 12;

fn is_totals_label(t: &str) -> bool {
    let t = t.trim().trim_end_matches(':').trim().to_ascii_lowercase();
    t == "total" || t == "totals" || t == "grand total"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_headers_as_each_tool_writes_them() {
        let qs = |h: &str| question_and_statement(h, None, &[], false);
        assert_eq!(
            qs("Before the course, rate your confidence [I can make a referral]"),
            (
                Some("Before the course, rate your confidence".into()),
                "I can make a referral".into()
            )
        );
        assert_eq!(
            qs("Q2. Before the course [Q2.1. Planning a lesson]"),
            (Some("Before the course".into()), "Planning a lesson".into())
        );
        assert_eq!(
            qs("I can make a referral2"),
            (None, "I can make a referral2".into())
        );
        let labels = ["Before - I know A", "Before - I know B"];
        assert_eq!(
            question_and_statement("Before - I know B", Some("Q2_2"), &labels, false),
            (Some("Before".into()), "I know B".into())
        );
        assert_eq!(
            question_and_statement("(pre_x) Before the course", None, &[], true),
            (Some("Before the course".into()), "Before the course".into())
        );
        assert_eq!(
            qs("(optional) After the course"),
            (None, "(optional) After the course".into())
        );
    }

    #[test]
    fn config_names_a_header_exactly_by_pattern_or_past_its_number() {
        assert!(header_matches(
            "Which session did you attend?",
            "which session did you attend"
        ));
        assert!(header_matches(
            "Which session did you attend?",
            "Q1. Which session did you attend?"
        ));
        assert!(header_matches(
            "Which session*",
            "Which session did you attend?"
        ));
        assert!(header_matches(
            "before the course*",
            "Before the course, rate"
        ));
        assert!(!header_matches(
            "Which session",
            "Which sessions were useful?"
        ));
        assert!(!header_matches("Q1*", "Question 1"));
        assert_eq!(strip_question_number("Q12.3. Text"), "Text");
        assert_eq!(
            bare_question("(sat) Overall, how satisfied?"),
            "Overall, how satisfied?"
        );
        assert_eq!(bare_question("(a b) Text"), "(a b) Text");
        assert!(header_matches("Which session?", "(session) Which session?"));
        assert_eq!(
            strip_question_number("Quality of venue"),
            "Quality of venue"
        );
    }
}
