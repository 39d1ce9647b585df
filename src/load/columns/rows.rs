//! Parsing whole columns at a time, with every bad value recorded.

use super::mapped::Mapped;
use crate::fast::FastMap;
use crate::load::sheet::{Cell, RawSheet};
use crate::load::value::Parsed;
use crate::model::Rejection;

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
                if !*skip && crate::load::value::yes_no(data.cell(c, r)) == Ok(Some(false)) {
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
    /// ids, scores): each distinct text is parsed once, up to `MEMO_LIMIT`
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
pub(super) const MEMO_LIMIT: usize = 1 << 18;
/// Lookups after which a column whose texts repeat less than one time in
/// four stops consulting its memo.
pub(super) const MEMO_TRIAL: usize = 1 << 12;

pub(super) fn is_totals_label(t: &str) -> bool {
    let t = t.trim().trim_end_matches(':').trim().to_ascii_lowercase();
    t == "total" || t == "totals" || t == "grand total"
}
