//! The status vocabulary: the words booking systems and LMSs write for a
//! booking's outcome, with config's own, and how a file's words resolve to
//! the five final statuses.

use std::collections::HashMap;

use crate::config::{Attending, Config};
use crate::fold::fold;
use crate::load::sheet::{self, Cell};
use crate::load::value;
use crate::model::Status;

/// What a status word says of a booking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Word {
    Outcome(Status),
    /// Attended, and a sign that the file's event used check-in.
    CheckedIn,
    /// Eventbrite's booked-but-not-checked-in: its meaning is config's.
    Attending,
    /// Not an outcome yet (booked, wait-listed): the row is skipped.
    NotOutcome,
}

/// The status vocabulary: built-in labels plus config's, folded.
pub struct StatusVocabulary {
    map: HashMap<String, Word>,
    attending: Attending,
}

/// The built-in words, as the booking systems and LMSs write them.
const BUILTIN_WORDS: &[(Word, &[&str])] = &[
    (
        Word::Outcome(Status::Attended),
        &[
            "Attended",
            "Present",
            "Completed",
            "Fully attended",
            "Partially attended",
            "Late",
            "P",
            "L",
            "100",
            "50",
        ],
    ),
    (Word::CheckedIn, &["Checked In"]),
    (
        Word::Outcome(Status::Dna),
        &[
            "DNA",
            "Did not attend",
            "No show",
            "Not checked in",
            "Absent",
            "A",
            "0",
        ],
    ),
    (
        Word::Outcome(Status::LateCancellation),
        &["Late cancellation"],
    ),
    (
        Word::Outcome(Status::Cancelled),
        &[
            "Cancelled",
            "Withdrawn",
            "Refunded",
            "User cancelled",
            "Event cancelled",
            "Session cancelled",
            "Not attending",
            "Excused",
            "E",
        ],
    ),
    (
        Word::Outcome(Status::WalkIn),
        &["Walk-in", "Walk in", "Unbooked"],
    ),
    (Word::Attending, &["Attending"]),
    (
        Word::NotOutcome,
        &[
            "Booked",
            "Wait-listed",
            "Waitlisted",
            "Requested",
            "Approved",
            "Declined",
            "Not set",
            "?",
        ],
    ),
];

/// A status word's key: folded, a grade in brackets after it dropped
/// (`P (2/2)`), a number written as a number (`100.00` is `100`).
fn status_key(text: &str) -> String {
    let mut t = text.trim();
    if let Some(open) = t.rfind('(')
        && t.ends_with(')')
        && !t[..open].trim().is_empty()
    {
        t = t[..open].trim();
    }
    if t.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && let Ok(n) = t.parse::<f64>()
    {
        return sheet::format_number(n);
    }
    let folded = fold(t);
    if folded.is_empty() {
        t.to_string()
    } else {
        folded
    }
}

impl StatusVocabulary {
    pub fn new(config: &Config) -> Self {
        let extra = &config.status;
        let added: [(Word, &Vec<String>); 6] = [
            (Word::Outcome(Status::Attended), &extra.attended),
            (Word::Outcome(Status::Dna), &extra.dna),
            (
                Word::Outcome(Status::LateCancellation),
                &extra.late_cancellation,
            ),
            (Word::Outcome(Status::Cancelled), &extra.cancelled),
            (Word::Outcome(Status::WalkIn), &extra.walk_in),
            (Word::NotOutcome, &extra.not_outcome),
        ];
        let mut map = HashMap::new();
        for &(word, labels) in BUILTIN_WORDS {
            for label in labels {
                map.insert(status_key(label), word);
            }
        }
        // The canonical names themselves: "late_cancellation", "walk_in".
        for status in Status::ALL {
            map.insert(status_key(status.as_str()), Word::Outcome(status));
        }
        // Config's words last: a built-in word config names moves.
        for (word, labels) in added {
            for label in labels {
                map.insert(status_key(label), word);
            }
        }
        StatusVocabulary {
            map,
            attending: config.status.attending,
        }
    }

    /// The word a cell holds.
    pub fn parse(&self, cell: Cell<'_>) -> value::Parsed<Word> {
        let text = match cell {
            Cell::Number(n) => sheet::format_number(n),
            _ => match value::text(cell)? {
                Some(text) => text,
                None => return Ok(None),
            },
        };
        // An export repeats a handful of spellings; the column parser
        // folds each once (RowParser::column_at).
        self.map
            .get(&status_key(&text))
            .copied()
            .map(Some)
            .ok_or_else(|| {
                "unknown status: expected a word such as Attended, DNA, No show, Late cancellation, \
                 Cancelled or Walk-in, or Booked for a row that is not an outcome yet (the README \
                 lists every word; add others under [status] in hub.toml)"
                    .to_string()
            })
    }

    /// The statuses of one file's words; `None` for a row that is not an
    /// outcome. `Attending` is read as config says, and by default by
    /// whether anyone in the file is checked in; the note says how.
    pub fn resolve(&self, words: &[Option<Word>]) -> (Vec<Option<Status>>, Option<String>) {
        let attending = words.contains(&Some(Word::Attending));
        let checked_in = words.contains(&Some(Word::CheckedIn));
        let (meaning, note) = match self.attending {
            Attending::Auto if checked_in => (
                Some(Status::Dna),
                "'Attending' is read as a no-show: others in the file are checked in",
            ),
            Attending::Auto => (
                Some(Status::Attended),
                "'Attending' is read as attended: no one in the file is checked in",
            ),
            Attending::Attended => (Some(Status::Attended), "'Attending' is read as attended"),
            Attending::Dna => (Some(Status::Dna), "'Attending' is read as a no-show"),
            Attending::NotOutcome => (None, "'Attending' rows are skipped"),
        };
        let statuses = words
            .iter()
            .map(|w| match w {
                Some(Word::Outcome(s)) => Some(*s),
                Some(Word::CheckedIn) => Some(Status::Attended),
                Some(Word::Attending) => meaning,
                Some(Word::NotOutcome) | None => None,
            })
            .collect();
        let note = attending
            .then(|| format!("{note} (set [status] attending in hub.toml to say otherwise)"));
        (statuses, note)
    }
}
