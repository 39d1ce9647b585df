//! Financial years and quarters (METRICS.md "Periods").
//!
//! A year starts on the first of `fy_start_month` (April by default) and is
//! labelled by its two calendar years, `2024-25`; its quarters are `2024-25 Q1`
//! (April-June) to `2024-25 Q4` (January-March), slug `2024-25-Q1`.

use std::fmt;

use chrono::{Datelike, Months, NaiveDate};

use crate::error::{Error, Result};
use crate::load::value::fy_label;

/// Maps dates to financial years and quarters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Calendar {
    fy_start_month: u32,
}

impl Calendar {
    /// `fy_start_month` is 1-12 (config validates it).
    pub fn new(fy_start_month: u32) -> Self {
        Calendar {
            fy_start_month: fy_start_month.clamp(1, 12),
        }
    }

    /// The financial year a date falls in, named by the calendar year it starts in.
    pub fn fy_of(&self, d: NaiveDate) -> i32 {
        crate::load::value::fy_of(d, self.fy_start_month)
    }

    /// The year and quarter (1-4) a date falls in.
    pub fn quarter_of(&self, d: NaiveDate) -> Period {
        let fy = self.fy_of(d);
        let months_in = (d.month() + 12 - self.fy_start_month) % 12;
        self.quarter(fy, (months_in / 3 + 1) as u8)
    }

    /// The whole financial year starting in `fy`.
    pub fn year(&self, fy: i32) -> Period {
        self.months(fy, None, 0, 12)
    }

    /// Quarter `q` (1-4) of the year starting in `fy`.
    pub fn quarter(&self, fy: i32, q: u8) -> Period {
        let q = q.clamp(1, 4);
        let first = 3 * u32::from(q - 1);
        self.months(fy, Some(q), first, first + 3)
    }

    /// The period from `from` to `to` months after the start of year `fy`.
    /// Every year hubreport can meet (dates are bounded on load, `--as-of`
    /// and `--period` on parsing) is far inside chrono's calendar; beyond
    /// it, the period is cut at the calendar's ends rather than panicking.
    fn months(&self, fy: i32, quarter: Option<u8>, from: u32, to: u32) -> Period {
        let edge = if fy < 0 {
            NaiveDate::MIN
        } else {
            NaiveDate::MAX
        };
        let start = self.month_start(fy, from).unwrap_or(edge);
        let end = self
            .month_start(fy, to)
            .and_then(|d| d.pred_opt())
            .unwrap_or(edge)
            .max(start);
        Period {
            fy,
            quarter,
            start,
            end,
        }
    }

    /// The period just before: the year before, or the quarter before.
    pub fn previous(&self, p: &Period) -> Period {
        match p.quarter {
            None => self.year(p.fy.saturating_sub(1)),
            Some(1) => self.quarter(p.fy.saturating_sub(1), 4),
            Some(q) => self.quarter(p.fy, q - 1),
        }
    }

    /// The same period a year earlier.
    pub fn year_before(&self, p: &Period) -> Period {
        match p.quarter {
            None => self.year(p.fy.saturating_sub(1)),
            Some(q) => self.quarter(p.fy.saturating_sub(1), q),
        }
    }

    /// The first day of the month `months_after_start` months into year
    /// `fy`, if the calendar has it.
    fn month_start(&self, fy: i32, months_after_start: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(fy, self.fy_start_month, 1)?
            .checked_add_months(Months::new(months_after_start))
    }

    /// Reads a period as given to `--period`: `2024-25` (or `2024/25`,
    /// `2024-2025`) for a year; `2024-25-Q3` (or `2024-25 Q3`) for a quarter.
    pub fn parse(&self, text: &str) -> Result<Period> {
        let bad = || {
            Error::Usage(format!(
                "--period: '{text}' is not a period; expected a financial year such as 2024-25, \
                 a quarter such as 2024-25-Q3, or one of latest, all, last-quarter, last-year, \
                 this-quarter, this-year"
            ))
        };
        let t = text.trim().to_ascii_uppercase().replace(' ', "-");
        let (year, quarter) = match t.split_once("-Q") {
            Some((y, q)) => {
                let q: u8 = q.parse().map_err(|_| bad())?;
                if !(1..=4).contains(&q) {
                    return Err(Error::Usage(format!(
                        "--period: '{text}' names quarter {q}; quarters are Q1-Q4"
                    )));
                }
                (y, Some(q))
            }
            None => (t.as_str(), None),
        };
        let year = year.strip_prefix("FY").unwrap_or(year);
        let (first, second) = year.split_once(['-', '/']).ok_or_else(bad)?;
        let fy: i32 = first.parse().map_err(|_| bad())?;
        if first.len() != 4 || !(1900..=2200).contains(&fy) {
            return Err(bad());
        }
        let next: i32 = second.parse().map_err(|_| bad())?;
        let follows = match second.len() {
            2 => next == (fy + 1).rem_euclid(100),
            4 => next == fy + 1,
            _ => false,
        };
        if !follows {
            return Err(Error::Usage(format!(
                "--period: '{text}' is not a financial year: {second} does not follow {first} \
                 (write it as {})",
                fy_label(fy)
            )));
        }
        Ok(match quarter {
            Some(q) => self.quarter(fy, q),
            None => self.year(fy),
        })
    }
}

/// A financial year or one of its quarters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Period {
    /// The calendar year the financial year starts in.
    pub fy: i32,
    pub quarter: Option<u8>,
    pub start: NaiveDate,
    pub end: NaiveDate,
}

impl Period {
    /// The financial year's label, `2024-25`.
    pub fn year_label(&self) -> String {
        fy_label(self.fy)
    }

    /// `2024-25` or `2024-25 Q3`.
    pub fn label(&self) -> String {
        match self.quarter {
            Some(q) => format!("{} Q{q}", self.year_label()),
            None => self.year_label(),
        }
    }

    /// The folder name: `2024-25` or `2024-25-Q3`.
    pub fn slug(&self) -> String {
        self.label().replace(' ', "-")
    }

    pub fn contains(&self, d: NaiveDate) -> bool {
        self.start <= d && d <= self.end
    }

    /// The period's last day, or `today` if that is earlier.
    pub fn as_of(&self, today: NaiveDate) -> NaiveDate {
        self.end.min(today)
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label())
    }
}

/// Which periods `report` builds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Choice {
    /// The latest financial year with any session in the data up to the
    /// run date (a mistyped date in 2099 is not a year to report on).
    Latest,
    /// Every financial year and every quarter with any session in the data.
    All,
    /// The last complete quarter or year before the run date.
    LastQuarter,
    LastYear,
    /// The quarter or year the run date is in, up to that date.
    ThisQuarter,
    ThisYear,
    One(Period),
}

impl Choice {
    pub fn parse(text: &str, calendar: &Calendar) -> Result<Choice> {
        match text.trim().to_ascii_lowercase().as_str() {
            "latest" => Ok(Choice::Latest),
            "all" => Ok(Choice::All),
            "last-quarter" => Ok(Choice::LastQuarter),
            "last-year" => Ok(Choice::LastYear),
            "this-quarter" => Ok(Choice::ThisQuarter),
            "this-year" => Ok(Choice::ThisYear),
            _ => calendar.parse(text).map(Choice::One),
        }
    }

    /// The periods to build, given the session dates in the data (oldest
    /// first; a year before its quarters) and the run date. A quarter or year
    /// is complete once the run date is past its last day. `latest` finds
    /// nothing when every date is after the run date.
    pub fn resolve(
        &self,
        calendar: &Calendar,
        dates: impl IntoIterator<Item = NaiveDate>,
        today: NaiveDate,
    ) -> Vec<Period> {
        let this_quarter = calendar.quarter_of(today);
        let this_year = calendar.year(calendar.fy_of(today));
        match self {
            Choice::One(p) => vec![*p],
            Choice::ThisQuarter => vec![this_quarter],
            Choice::ThisYear => vec![this_year],
            Choice::LastQuarter => vec![calendar.previous(&this_quarter)],
            Choice::LastYear => vec![calendar.previous(&this_year)],
            Choice::Latest => dates
                .into_iter()
                .filter(|d| *d <= today)
                .max()
                .map(|d| vec![calendar.year(calendar.fy_of(d))])
                .unwrap_or_default(),
            Choice::All => {
                let mut quarters: Vec<Period> =
                    dates.into_iter().map(|d| calendar.quarter_of(d)).collect();
                quarters.sort();
                quarters.dedup();
                let mut out = Vec::new();
                for q in quarters {
                    if out.last().is_none_or(|p: &Period| p.fy != q.fy) {
                        out.push(calendar.year(q.fy));
                    }
                    out.push(q);
                }
                out
            }
        }
    }
}

/// Fewer sessions than this in the year `latest` picks earn a warning.
pub const FEW_SESSIONS: usize = 10;

/// A warning when `year`, picked by `latest`, has few sessions: fewer than
/// [`FEW_SESSIONS`], or under a tenth of the year before's. One mistyped
/// session date, or a year only just begun, can make such a year the latest.
/// `session_dates` holds one date per distinct session.
pub fn thin_latest(
    calendar: &Calendar,
    year: &Period,
    session_dates: impl IntoIterator<Item = NaiveDate>,
) -> Option<String> {
    let before = calendar.previous(year);
    let (mut n, mut n_before) = (0usize, 0usize);
    for d in session_dates {
        if year.contains(d) {
            n += 1;
        } else if before.contains(d) {
            n_before += 1;
        }
    }
    if n >= FEW_SESSIONS && n.saturating_mul(10) >= n_before {
        return None;
    }
    let example = if n_before > 0 {
        format!(" (--period {})", before.slug())
    } else {
        String::new()
    };
    Some(format!(
        "--period latest picked {year}, the year of the last session up to the run date, but it has \
         only {n} session(s) ({before} had {n_before}); if a session date is mistyped, correct it, \
         or name the year to report on{example}"
    ))
}

#[cfg(test)]
mod tests;
