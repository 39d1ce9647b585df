//! Dates, times and financial years in a cell, by the rules of the data
//! contract: spreadsheet serials, ISO and day-first text, month names, and
//! the tools' own date-time stamps.

use chrono::{Datelike, NaiveDate, NaiveTime};

use super::sheet::Cell;
use super::value::{Parsed, is_missing_marker};
use crate::calendar::{date_from_serial, fy_label, fy_of};
use crate::config::DateOrder;

/// Dates before this or after [`LATEST`] are taken for a typing slip.
const EARLIEST: i32 = 1980;
const LATEST: i32 = 2100;

fn plausible(d: NaiveDate) -> Result<NaiveDate, String> {
    if (EARLIEST..=LATEST).contains(&d.year()) {
        Ok(d)
    } else {
        Err(format!(
            "the date {} is outside {EARLIEST}-{LATEST}: a typing slip?",
            d.format("%d/%m/%Y")
        ))
    }
}

/// A date: a real spreadsheet date (1900 or 1904 system), a plain number
/// (a date cell formatted as General), ISO text, or day-first text
/// (`03/04/2024`, `3 April 2024`); `order` says how to read `03/04/2024`.
/// A time of day after the date is ignored.
pub fn date(cell: Cell<'_>, order: DateOrder, is_1904: bool) -> Parsed<NaiveDate> {
    const EXPECTED: &str = "expected a date such as 31/03/2025 or 2025-03-31";
    let serial_date = |serial: f64, is_1904: bool| -> Parsed<NaiveDate> {
        let d = date_from_serial(serial, is_1904).ok_or_else(|| EXPECTED.to_string())?;
        plausible(d).map(Some)
    };
    match cell {
        Cell::Empty => Ok(None),
        Cell::Date { serial, is_1904 } => serial_date(serial, is_1904),
        Cell::Number(serial) => serial_date(serial, is_1904),
        Cell::IsoDate(s) => parse_date_text(s, order)
            .ok_or_else(|| EXPECTED.to_string())
            .and_then(plausible)
            .map(Some),
        Cell::Text(s) => {
            if is_missing_marker(s) {
                return Ok(None);
            }
            let t = s.trim();
            if let Ok(serial) = t.parse::<f64>() {
                return serial_date(serial, is_1904);
            }
            parse_date_text(t, order)
                .ok_or_else(|| EXPECTED.to_string())
                .and_then(plausible)
                .map(Some)
        }
        Cell::Bool(_) => Err(EXPECTED.into()),
        Cell::Error(e) => Err(format!("the cell holds the spreadsheet error {e}")),
    }
}

/// A date and, where the value has one, its time of day: a spreadsheet
/// date-time, or text as [`parse_date_time_text`] reads it.
pub fn date_time(
    cell: Cell<'_>,
    order: DateOrder,
    is_1904: bool,
) -> Parsed<(NaiveDate, Option<NaiveTime>)> {
    let Some(d) = date(cell, order, is_1904)? else {
        return Ok(None);
    };
    let time = match cell {
        Cell::Date { serial, .. } | Cell::Number(serial) => {
            let secs = ((serial - serial.floor()) * 86_400.0).round() as u32;
            (secs > 0)
                .then(|| NaiveTime::from_num_seconds_from_midnight_opt(secs.min(86_399), 0))
                .flatten()
        }
        Cell::Text(t) | Cell::IsoDate(t) => parse_date_time_text(t, order).and_then(|(_, t)| t),
        _ => None,
    };
    Ok(Some((d, time)))
}

/// A date with a time of day and a zone after it, as the tools write them:
/// `5 March 2024, 9:30 AM Europe/London`, `2024/11/30 10:39:41 PM GMT+1`,
/// `Wednesday, 3 April 2024, 9:30 AM`, `3 Apr 2024 9.30AM`. The zone is
/// dropped (times are taken as local); the time of day is returned.
pub fn parse_date_time_text(s: &str, order: DateOrder) -> Option<(NaiveDate, Option<NaiveTime>)> {
    let (date, time) = split_time(s);
    parse_date_text(&date, order).map(|d| (d, time))
}

/// Splits a time of day and a time zone off date text.
fn split_time(s: &str) -> (String, Option<NaiveTime>) {
    let s = s.trim();
    // ISO: 2024-04-03T09:30:00, with fractions and a zone.
    if let Some((d, t)) = s.split_once('T')
        && d.len() == 10
        && d.bytes().all(|b| b.is_ascii_digit() || b == b'-')
    {
        let clock = t.trim_end_matches('Z');
        let clock = clock.split(['+', '.']).next().unwrap_or_default();
        let clock = match clock.rsplit_once('-') {
            Some((c, _)) if c.contains(':') => c,
            _ => clock,
        };
        return (d.to_string(), parse_clock(clock, None));
    }
    let tokens: Vec<&str> = s
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|t| !t.is_empty())
        .collect();
    let mut kept: Vec<&str> = Vec::new();
    let mut time = None;
    let mut i = 0;
    while i < tokens.len() {
        let t = tokens[i];
        if is_zone(t) {
            i += 1;
            continue;
        }
        let meridiem = tokens.get(i + 1).copied().filter(|m| is_meridiem(m));
        if let Some(clock) = parse_clock(t, meridiem) {
            time = Some(clock);
            i += if meridiem.is_some() { 2 } else { 1 };
            continue;
        }
        kept.push(t);
        i += 1;
    }
    (kept.join(" "), time)
}

fn is_meridiem(t: &str) -> bool {
    matches!(
        t.to_ascii_lowercase().as_str(),
        "am" | "pm" | "a.m." | "p.m."
    )
}

/// `GMT`, `GMT+1`, `UTC-05:00`, `BST`, `Z`, `+01:00`, `Europe/London`.
fn is_zone(t: &str) -> bool {
    let upper = t.to_ascii_uppercase();
    for zone in ["GMT", "UTC", "BST"] {
        if let Some(offset) = upper.strip_prefix(zone) {
            return offset.is_empty() || is_offset(offset);
        }
    }
    upper == "Z"
        || is_offset(t)
        || t.split_once('/').is_some_and(|(a, b)| {
            a.len() > 1
                && a.chars().all(|c| c.is_ascii_alphabetic())
                && b.len() > 1
                && b.chars()
                    .all(|c| c.is_ascii_alphabetic() || c == '_' || c == '/')
        })
}

fn is_offset(t: &str) -> bool {
    let Some(rest) = t.strip_prefix(['+', '-']) else {
        return false;
    };
    !rest.is_empty() && rest.len() <= 5 && rest.bytes().all(|b| b.is_ascii_digit() || b == b':')
}

/// A clock time: `9:30`, `09:30:15`, `9.30AM`, `2pm`, `10:39:41` with a
/// separate `PM` after it.
pub fn clock(t: &str, meridiem: Option<&str>) -> Option<NaiveTime> {
    parse_clock(t, meridiem)
}

fn parse_clock(t: &str, meridiem: Option<&str>) -> Option<NaiveTime> {
    let lower = t.to_ascii_lowercase();
    let (digits, suffix) = match lower
        .strip_suffix("am")
        .map(|d| (d, Some(false)))
        .or_else(|| lower.strip_suffix("pm").map(|d| (d, Some(true))))
    {
        Some((d, pm)) => (d.trim_end().to_string(), pm),
        None => (
            lower.clone(),
            meridiem.map(|m| m.to_ascii_lowercase().starts_with('p')),
        ),
    };
    let parts: Vec<&str> = digits.split([':', '.']).collect();
    let all_digits =
        |p: &&str| !p.is_empty() && p.len() <= 2 && p.bytes().all(|b| b.is_ascii_digit());
    let (h, m, sec) = match parts.as_slice() {
        [h] if suffix.is_some() && all_digits(h) => (h.parse::<u32>().ok()?, 0, 0),
        [h, m] if all_digits(h) && m.len() == 2 && all_digits(m) => {
            (h.parse().ok()?, m.parse().ok()?, 0)
        }
        [h, m, s] if all_digits(h) && m.len() == 2 && all_digits(m) && all_digits(s) => {
            (h.parse().ok()?, m.parse().ok()?, s.parse().ok()?)
        }
        _ => return None,
    };
    let h = match suffix {
        Some(_) if !(1..=12).contains(&h) => return None,
        Some(true) if h < 12 => h + 12,
        Some(false) if h == 12 => 0,
        _ => h,
    };
    NaiveTime::from_hms_opt(h, m, sec)
}

/// Text dates: ISO, numeric day-first (or month-first), and month names;
/// a time of day and a zone after the date are ignored.
pub fn parse_date_text(s: &str, order: DateOrder) -> Option<NaiveDate> {
    let split;
    let s = if s.contains(|c: char| c.is_ascii_alphabetic() || c == ',' || c == ':' || c == '.') {
        split = split_time(s).0;
        split.as_str()
    } else {
        s.trim()
    };
    // Drop a time of day: "2024-04-03T09:30:00", "03/04/2024 09:30".
    let date_part = s
        .split(['T', ' '])
        .next()
        .filter(|p| p.len() >= 6 && p.chars().next().is_some_and(|c| c.is_ascii_digit()))
        .filter(|p| {
            p.chars()
                .all(|c| c.is_ascii_digit() || matches!(c, '/' | '-' | '.'))
        })
        .filter(|_| {
            let rest = s
                .split_once(['T', ' '])
                .map(|(_, r)| r.trim())
                .unwrap_or("");
            rest.is_empty()
                || rest.chars().all(|c| {
                    c.is_ascii_digit()
                        || matches!(
                            c,
                            ':' | '.' | 'Z' | '+' | ' ' | 'a' | 'p' | 'm' | 'A' | 'P' | 'M'
                        )
                })
        });
    if let Some(part) = date_part {
        let pieces: Vec<&str> = part.split(['/', '-', '.']).collect();
        if pieces.len() == 3 && pieces.iter().all(|p| !p.is_empty()) {
            let nums: Option<Vec<i64>> = pieces.iter().map(|p| p.parse::<i64>().ok()).collect();
            let nums = nums?;
            if pieces[0].len() == 4 {
                return ymd(nums[0], nums[1], nums[2]);
            }
            let year = match pieces[2].len() {
                4 => nums[2],
                2 => 2000 + nums[2],
                _ => return None,
            };
            return match order {
                DateOrder::Uk => ymd(year, nums[1], nums[0]),
                DateOrder::Us => ymd(year, nums[0], nums[1]),
            };
        }
        return None;
    }
    // Month names: "3 April 2024", "03-Apr-2024", "Wednesday 3 April 2024", "April 3, 2024".
    let cleaned: String = s
        .replace(',', " ")
        .split_whitespace()
        .filter(|w| !is_weekday(w))
        .collect::<Vec<_>>()
        .join(" ");
    let cleaned = strip_ordinal_suffixes(&cleaned);
    // Moodle writes September as "Sept".
    let cleaned = cleaned
        .split(' ')
        .map(|w| {
            if w.eq_ignore_ascii_case("sept") {
                "Sep"
            } else {
                w
            }
        })
        .collect::<Vec<_>>()
        .join(" ");
    for fmt in [
        "%d %B %Y", "%d %b %Y", "%d-%b-%Y", "%d-%b-%y", "%d %b %y", "%B %d %Y", "%b %d %Y",
    ] {
        if let Ok(d) = NaiveDate::parse_from_str(&cleaned, fmt) {
            // `%Y` takes `24` as the year 24: leave two-digit years to `%y`.
            if fmt.contains("%Y") && d.year() < 100 {
                continue;
            }
            return Some(d);
        }
    }
    None
}

fn is_weekday(w: &str) -> bool {
    let w = w.trim_end_matches('.').to_ascii_lowercase();
    [
        "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun",
    ]
    .contains(&w.as_str())
        || [
            "monday",
            "tuesday",
            "wednesday",
            "thursday",
            "friday",
            "saturday",
            "sunday",
        ]
        .contains(&w.as_str())
}

/// "3rd April" reads as "3 April".
fn strip_ordinal_suffixes(s: &str) -> String {
    s.split(' ')
        .map(|w| {
            let lower = w.to_ascii_lowercase();
            for suffix in ["st", "nd", "rd", "th"] {
                if let Some(num) = lower.strip_suffix(suffix)
                    && !num.is_empty()
                    && num.chars().all(|c| c.is_ascii_digit())
                {
                    return num.to_string();
                }
            }
            w.to_string()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn ymd(y: i64, m: i64, d: i64) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(
        i32::try_from(y).ok()?,
        u32::try_from(m).ok()?,
        u32::try_from(d).ok()?,
    )
}

/// A financial year, returned as the calendar year it starts in: `2024-25`,
/// `2024/25`, `FY2024-25`, `2024-2025`, or a date inside it.
pub fn financial_year(
    cell: Cell<'_>,
    fy_start_month: u32,
    order: DateOrder,
    is_1904: bool,
) -> Parsed<i32> {
    const EXPECTED: &str = "expected a financial year such as 2024-25 (or a date inside it)";
    if let Cell::Text(s) = cell {
        if is_missing_marker(s) {
            return Ok(None);
        }
        let t = s.trim();
        let lower = t.to_ascii_lowercase();
        let body = lower.strip_prefix("fy").unwrap_or(&lower).trim();
        if let Some((a, b)) = body.split_once(['-', '/', '–']) {
            let (a, b) = (a.trim(), b.trim());
            if a.len() == 4
                && (b.len() == 2 || b.len() == 4)
                && let (Ok(start), Ok(end)) = (a.parse::<i32>(), b.parse::<i32>())
            {
                let end_full = if b.len() == 2 {
                    start / 100 * 100 + end
                } else {
                    end
                };
                let end_full = if b.len() == 2 && end_full < start {
                    end_full + 100
                } else {
                    end_full
                };
                if end_full == start + 1 {
                    return Ok(Some(start));
                }
                return Err(format!(
                    "{EXPECTED}: a financial year spans two consecutive years"
                ));
            }
        }
    }
    // A bare year could be the year starting or ending then: never guess.
    let bare_year = match cell {
        Cell::Number(n) if n.fract() == 0.0 && (1980.0..=2100.0).contains(&n) => Some(n as i32),
        Cell::Text(t) if t.trim().len() == 4 => t.trim().parse::<i32>().ok(),
        _ => None,
    };
    if let Some(y) = bare_year {
        return Err(format!(
            "'{y}' alone is ambiguous: write the financial year as {}, or {}",
            fy_label(y),
            fy_label(y - 1)
        ));
    }
    match date(cell, order, is_1904) {
        Ok(Some(d)) => Ok(Some(fy_of(d, fy_start_month))),
        Ok(None) => Ok(None),
        Err(_) => Err(EXPECTED.into()),
    }
}

/// The date and time of a Moodle Attendance session column, from its
/// heading: `3 Apr 2024 9.30AM All students April cohort` (the plugin's
/// `%d %b %Y %I.%M%p`, then the group and the session's description).
/// Month names are abbreviated as PHP (`Jun`, `Sep`) or ICU (`June`, `Sept`)
/// writes them.
pub fn session_heading(heading: &str) -> Option<chrono::NaiveDateTime> {
    let mut words = heading.split_whitespace();
    let (day, month, year, time) = (words.next()?, words.next()?, words.next()?, words.next()?);
    let digits = |w: &str, n: std::ops::RangeInclusive<usize>| {
        n.contains(&w.len()) && w.bytes().all(|b| b.is_ascii_digit())
    };
    if !digits(day, 1..=2)
        || !digits(year, 4..=4)
        || !month.bytes().all(|b| b.is_ascii_alphabetic())
    {
        return None;
    }
    let date = parse_date_text(&format!("{day} {month} {year}"), DateOrder::Uk)?;
    let time = clock(time, None)?;
    Some(date.and_time(time))
}
