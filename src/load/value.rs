//! Parsing single values by the rules of the data contract. Each parser takes
//! a [`Cell`] and returns `Ok(None)` for a missing value, `Ok(Some(v))`, or
//! `Err(reason)` saying what was expected, in words an analyst can act on.

use chrono::{Datelike, NaiveDate, NaiveTime};

use super::sheet::{Cell, format_number};
use crate::config::{DateOrder, Scale};

pub type Parsed<T> = Result<Option<T>, String>;

/// Text in Unicode compatibility form (NFKC): `É` typed as `E` plus an
/// accent, full-width `ＧＭＰ` and ligatures compare equal to their plain forms.
fn normalised(s: &str) -> std::borrow::Cow<'_, str> {
    use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};
    if s.is_ascii() || is_nfkc_quick(s.chars()) == IsNormalized::Yes {
        std::borrow::Cow::Borrowed(s)
    } else {
        std::borrow::Cow::Owned(s.nfkc().collect())
    }
}

/// Header text reduced for matching: lowercase letters and digits only, so
/// `Session ID`, `session_id` and `Session-Id` all read `sessionid`.
pub fn header_key(s: &str) -> String {
    normalised(s)
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(lowercase)
        .collect()
}

/// A letter's lowercase, less any combining mark lowercasing adds (`İ` is
/// `i` plus a dot above), with final sigma as sigma: folding twice gives
/// what folding once gave.
fn lowercase(c: char) -> impl Iterator<Item = char> {
    c.to_lowercase()
        .filter(|&l| l.is_ascii() || !unicode_normalization::char::is_combining_mark(l))
        .map(|l| if l == 'ς' { 'σ' } else { l })
}

/// Free text folded for comparing labels and agency names: Unicode
/// normalised, lowercase, `&` as `and`, punctuation as space, runs of space
/// as one, and initials run together (`G.M.P.` and `G M P` read `gmp`).
pub fn fold(s: &str) -> String {
    let s = normalised(s);
    let mut words: Vec<String> = Vec::new();
    let mut word = String::new();
    for c in s.chars() {
        if c.is_alphanumeric() {
            word.extend(lowercase(c));
        } else if c == '\''
            || c == '’'
            || (!c.is_ascii() && unicode_normalization::char::is_combining_mark(c))
        {
            // "Children's" and "Childrens" are the same name; a mark with no
            // composed form belongs to its letter, not between words.
        } else {
            if !word.is_empty() {
                words.push(std::mem::take(&mut word));
            }
            if c == '&' {
                words.push("and".to_string());
            }
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    join_initials(words).join(" ")
}

/// Runs of two or more one-letter words become one word: initials.
fn join_initials(words: Vec<String>) -> Vec<String> {
    let is_initial = |w: &str| {
        let mut chars = w.chars();
        chars.next().is_some_and(char::is_alphabetic) && chars.next().is_none()
    };
    let mut out: Vec<String> = Vec::with_capacity(words.len());
    let mut run = 0;
    for w in words {
        if is_initial(&w) {
            if run > 0
                && let Some(last) = out.last_mut()
            {
                last.push_str(&w);
                run += 1;
                continue;
            }
            run = 1;
        } else {
            run = 0;
        }
        out.push(w);
    }
    out
}

/// `N/A`, `-`, `TBC` and friends: a value that is known to be missing.
pub fn is_missing_marker(s: &str) -> bool {
    let t = s.trim();
    t.is_empty()
        || matches!(
            t.to_ascii_lowercase().as_str(),
            "n/a" | "na" | "n.a." | "-" | "--" | "tbc" | "tba" | "tbd" | "#n/a" | "null"
        )
        || t == "–"
        || t == "—"
}

/// Text, trimmed; missing markers and blanks are missing. HTML entities
/// that web tools leave in their exports (`Children&#039;s`) are decoded.
pub fn text(cell: Cell<'_>) -> Parsed<String> {
    match cell {
        Cell::Text(s) if is_missing_marker(s) => Ok(None),
        Cell::Error(e) => Err(format!("the cell holds the spreadsheet error {e}")),
        Cell::Text(s) if s.contains('&') && s.contains(';') => Ok(Some(unescape_html(s.trim()))),
        // SmartSurvey's API download writes an apostrophe as `@SQ@`.
        Cell::Text(s) if s.contains("@SQ@") => Ok(Some(s.trim().replace("@SQ@", "'"))),
        other => Ok(other.as_text()),
    }
}

/// `&amp;`, `&lt;`, `&gt;`, `&quot;`, `&apos;`, `&nbsp;` and numeric
/// references decoded; anything else after an `&` kept as written.
pub fn unescape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let decoded = Some(&rest[1..]).and_then(|tail| {
            let end = tail.find(';').filter(|&end| end <= 10)?;
            let name = &tail[..end];
            let c = match name {
                "amp" => '&',
                "lt" => '<',
                "gt" => '>',
                "quot" => '"',
                "apos" => '\'',
                "nbsp" => ' ',
                _ => {
                    let code = match name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                        None => name.strip_prefix('#')?.parse().ok()?,
                    };
                    char::from_u32(code).filter(|c| !c.is_control() || c.is_whitespace())?
                }
            };
            Some((c, end + 2))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// An identifier: trimmed text; a whole number written as a number reads
/// without its `.0`.
pub fn identifier(cell: Cell<'_>) -> Parsed<String> {
    match cell {
        Cell::Text(s) if s.trim().is_empty() => Ok(None),
        Cell::Text(s) => Ok(Some(s.trim().to_string())),
        Cell::Empty => Ok(None),
        Cell::Error(e) => Err(format!("the cell holds the spreadsheet error {e}")),
        other => Ok(Some(other.display())),
    }
}

/// A number; `1,234`, `£75.00` and ` 12 ` read as numbers.
pub fn number(cell: Cell<'_>) -> Parsed<f64> {
    match cell {
        Cell::Empty => Ok(None),
        Cell::Number(n) if n.is_finite() => Ok(Some(n)),
        Cell::Number(_) => Err("expected a number".into()),
        Cell::Text(s) => {
            if is_missing_marker(s) {
                return Ok(None);
            }
            if !thousands_well_placed(s.trim()) {
                return Err(
                    "expected a number: commas must separate thousands (1,234); a decimal comma (4,5) is not read"
                        .to_string(),
                );
            }
            let cleaned: String = s
                .trim()
                .chars()
                .filter(|c| !matches!(c, ',' | '£' | '$' | '€' | ' ' | '\u{a0}'))
                .collect();
            cleaned
                .parse::<f64>()
                .ok()
                .filter(|n| n.is_finite())
                .map(Some)
                .ok_or_else(|| "expected a number".to_string())
        }
        Cell::Error(e) => Err(format!("the cell holds the spreadsheet error {e}")),
        Cell::Bool(_) | Cell::Date { .. } | Cell::IsoDate(_) => Err("expected a number".into()),
    }
}

/// Commas, if any, sit between groups of three digits before any decimal
/// point: `1,234.5` yes, `4,5` and `1,23` no.
fn thousands_well_placed(s: &str) -> bool {
    let whole = s.split('.').next().unwrap_or(s);
    let mut groups = whole.split(',');
    let first = groups.next().unwrap_or("");
    let digits = |g: &str| g.chars().filter(char::is_ascii_digit).count();
    groups.all(|g| digits(g) == 3 && g.chars().all(|c| c.is_ascii_digit()))
        && (!whole.contains(',') || (1..=3).contains(&digits(first)))
}

/// A whole number of people or places: 0 or more.
pub fn count(cell: Cell<'_>) -> Parsed<i64> {
    match number(cell).map_err(|_| "expected a whole number (0 or more)".to_string())? {
        None => Ok(None),
        Some(n) if n >= 0.0 && n.fract() == 0.0 && n < 1e12 => Ok(Some(n as i64)),
        Some(_) => Err("expected a whole number (0 or more)".into()),
    }
}

/// An amount of money: 0 or more.
pub fn money(cell: Cell<'_>) -> Parsed<f64> {
    match number(cell)
        .map_err(|_| "expected an amount of money such as 250 or £250.00".to_string())?
    {
        None => Ok(None),
        Some(n) if n >= 0.0 => Ok(Some(n)),
        Some(_) => Err("expected an amount of money, 0 or more".into()),
    }
}

/// yes/no, y/n, true/false, 1/0, or a TRUE/FALSE cell.
pub fn yes_no(cell: Cell<'_>) -> Parsed<bool> {
    const EXPECTED: &str = "expected yes or no (also y/n, true/false, 1/0)";
    match cell {
        Cell::Empty => Ok(None),
        Cell::Bool(b) => Ok(Some(b)),
        Cell::Number(1.0) => Ok(Some(true)),
        Cell::Number(0.0) => Ok(Some(false)),
        Cell::Text(s) if is_missing_marker(s) => Ok(None),
        Cell::Text(s) => match s.trim().to_ascii_lowercase().as_str() {
            "yes" | "y" | "true" | "1" => Ok(Some(true)),
            "no" | "n" | "false" | "0" => Ok(Some(false)),
            _ => Err(EXPECTED.into()),
        },
        _ => Err(EXPECTED.into()),
    }
}

/// Dates before this or after [`LATEST`] are taken for a typing slip.
const EARLIEST: i32 = 1980;
const LATEST: i32 = 2100;

pub fn date_from_serial(serial: f64, is_1904: bool) -> Option<NaiveDate> {
    if !serial.is_finite() || !(0.0..=2_958_465.0).contains(&serial) {
        return None;
    }
    let days = serial.floor() as i64;
    let epoch = if is_1904 {
        NaiveDate::from_ymd_opt(1904, 1, 1)?
    } else {
        // Excel counts 1900-02-29, which never was: from March 1900 on,
        // serials count from 1899-12-30.
        NaiveDate::from_ymd_opt(1899, 12, 30)?
    };
    epoch.checked_add_signed(chrono::Duration::days(days))
}

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

/// A Likert score on `scale`: a number on it, a label starting with its number
/// (`4 - Confident`), or one of the scale's labels.
pub fn likert(cell: Cell<'_>, scale: &Scale) -> Parsed<f64> {
    let off = |shown: String| {
        let labels = if scale.labels.is_empty() {
            String::new()
        } else {
            format!(" or one of its labels ({})", scale.labels.join(", "))
        };
        Err(format!(
            "{shown} is off the {}-{} scale: expected a whole number from {} to {}{labels}",
            scale.min, scale.max, scale.min, scale.max
        ))
    };
    let on_scale = |n: f64| -> Parsed<f64> {
        if n.fract() == 0.0 && n >= scale.min as f64 && n <= scale.max as f64 {
            Ok(Some(n))
        } else {
            off(format_number(n))
        }
    };
    match cell {
        Cell::Empty => Ok(None),
        Cell::Number(n) => on_scale(n),
        Cell::Text(s) => {
            let t = s.trim();
            if is_missing_marker(t) {
                return Ok(None);
            }
            if let Ok(n) = t.parse::<f64>() {
                return on_scale(n);
            }
            // "4 - Confident", "4. Agree", "4 (Agree)"
            let digits: String = t.chars().take_while(|c| c.is_ascii_digit()).collect();
            if !digits.is_empty() {
                let rest = &t[digits.len()..];
                if rest.starts_with([',', '.'])
                    && rest[1..].starts_with(|c: char| c.is_ascii_digit())
                {
                    return Err(format!(
                        "'{t}' is not a whole number: a Likert answer is one of {} to {} \
                         (a decimal comma? averages are not answers)",
                        scale.min, scale.max
                    ));
                }
                if (rest.starts_with(|c: char| !c.is_ascii_digit() && c != '.')
                    || rest.starts_with(". "))
                    && let Ok(n) = digits.parse::<f64>()
                {
                    return label_agrees(t, n, rest, scale).and_then(|()| on_scale(n));
                }
            }
            let key = fold(t);
            if let Some(i) = scale.labels.iter().position(|l| fold(l) == key) {
                return Ok(Some((scale.min + i as i64) as f64));
            }
            off(format!("'{t}'"))
        }
        Cell::Error(e) => Err(format!("the cell holds the spreadsheet error {e}")),
        other => off(other.display()),
    }
}

/// `4 - Agree`: the label after the number, if it is one of the scale's,
/// must be the label of that number; `1 - Strongly agree` is a slip that
/// cannot be scored either way.
fn label_agrees(t: &str, n: f64, rest: &str, scale: &Scale) -> Result<(), String> {
    let label = fold(rest);
    let Some(i) = scale.labels.iter().position(|l| fold(l) == label) else {
        return Ok(());
    };
    let labelled = scale.min + i as i64;
    if labelled as f64 == n {
        Ok(())
    } else {
        Err(format!(
            "'{t}': the number {} and the label '{}' (which is {labelled}) disagree; \
             fix the answer or the scale's labels",
            format_number(n),
            scale.labels[i]
        ))
    }
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

/// The financial year (its starting calendar year) that a date falls in.
pub fn fy_of(d: NaiveDate, fy_start_month: u32) -> i32 {
    if d.month() >= fy_start_month {
        d.year()
    } else {
        d.year() - 1
    }
}

/// `2024` → `2024-25`.
pub fn fy_label(start: i32) -> String {
    format!("{start}-{:02}", (start + 1).rem_euclid(100))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Duration {
    HalfDay,
    FullDay,
}

impl Duration {
    pub fn as_str(self) -> &'static str {
        match self {
            Duration::HalfDay => "half_day",
            Duration::FullDay => "full_day",
        }
    }
}

/// `full day` / `half day` in any spelling, or hours (under 4.5 is a half day):
/// `3`, `3.5 hours`, `3h`, `90 mins`.
pub fn duration(cell: Cell<'_>) -> Parsed<Duration> {
    const EXPECTED: &str = "expected 'full day', 'half day' or a number of hours";
    let from_hours = |h: f64| -> Parsed<Duration> {
        if h > 0.0 && h <= 24.0 {
            Ok(Some(if h < 4.5 {
                Duration::HalfDay
            } else {
                Duration::FullDay
            }))
        } else {
            Err(format!(
                "{EXPECTED}; {} hours is not a session length",
                format_number(h)
            ))
        }
    };
    match cell {
        Cell::Empty => Ok(None),
        Cell::Number(h) => from_hours(h),
        Cell::Text(s) => {
            if is_missing_marker(s) {
                return Ok(None);
            }
            let key = fold(s).replace(' ', "");
            match key.as_str() {
                "fullday" | "full" | "day" | "1day" | "allday" => {
                    return Ok(Some(Duration::FullDay));
                }
                "halfday" | "half" | "05day" | "am" | "pm" | "morning" | "afternoon" => {
                    return Ok(Some(Duration::HalfDay));
                }
                _ => {}
            }
            let t = s.trim().to_ascii_lowercase();
            let num: String = t
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == '.')
                .collect();
            let unit = t[num.len()..].trim();
            let n: f64 = num.parse().map_err(|_| EXPECTED.to_string())?;
            match unit {
                "" | "h" | "hr" | "hrs" | "hour" | "hours" => from_hours(n),
                "m" | "min" | "mins" | "minutes" => from_hours(n / 60.0),
                _ => Err(EXPECTED.into()),
            }
        }
        _ => Err(EXPECTED.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Cell<'_> {
        Cell::Text(s)
    }
    fn d(y: i32, m: u32, day: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, day)
    }

    #[test]
    fn headers_match_ignoring_case_spaces_and_punctuation() {
        assert_eq!(header_key("Session ID"), "sessionid");
        assert_eq!(header_key("session_id"), "sessionid");
        assert_eq!(header_key(" Session-Id: "), "sessionid");
    }

    #[test]
    fn fold_treats_ampersand_as_and() {
        assert_eq!(
            fold("Children & Families  Dept."),
            "children and families dept"
        );
        assert_eq!(
            fold("children and families dept"),
            "children and families dept"
        );
        assert_eq!(fold("St. Mary's  School"), "st marys school");
    }

    #[test]
    fn missing_markers_are_missing_never_zero() {
        for m in ["N/A", "n/a", "-", "TBC", "", "  ", "—"] {
            assert_eq!(number(t(m)), Ok(None), "{m}");
            assert_eq!(count(t(m)), Ok(None), "{m}");
        }
        assert_eq!(number(Cell::Empty), Ok(None));
        assert_eq!(count(t("0")), Ok(Some(0)));
    }

    #[test]
    fn numbers_read_with_thousands_and_currency() {
        assert_eq!(number(t("1,234")), Ok(Some(1234.0)));
        assert_eq!(money(t("£75.50")), Ok(Some(75.5)));
        assert!(count(t("12.5")).is_err());
        assert!(count(t("-3")).is_err());
        assert!(count(t("lots")).is_err());
        assert!(money(Cell::Number(-1.0)).is_err());
        assert_eq!(money(t("£1,234.50")), Ok(Some(1234.5)));
        assert_eq!(number(t("12,345,678")), Ok(Some(12345678.0)));
        // A decimal comma is not a thousands separator.
        for bad in ["4,5", "1,23", "12,3456", ",5", "1,,000"] {
            let e = number(t(bad)).unwrap_err();
            assert!(e.contains("decimal comma"), "{bad}: {e}");
        }
    }

    #[test]
    fn likert_number_and_label_must_agree() {
        let s = Scale::agreement();
        assert_eq!(likert(t("5 - Strongly agree"), &s), Ok(Some(5.0)));
        assert_eq!(likert(t("4 (Agree)"), &s), Ok(Some(4.0)));
        for bad in ["1 - Strongly agree", "5 - Agree", "2. Strongly disagree"] {
            let e = likert(t(bad), &s).unwrap_err();
            assert!(e.contains("label"), "{bad}: {e}");
        }
        for bad in ["4,5", "3,0", "4.5 - Agree"] {
            let e = likert(t(bad), &s).unwrap_err();
            assert!(e.contains("whole number"), "{bad}: {e}");
        }
    }

    #[test]
    fn two_digit_years_and_odd_letters_and_infinities() {
        assert_eq!(parse_date_text("03-Apr-24", DateOrder::Uk), d(2024, 4, 3));
        assert_eq!(parse_date_text("01-Jan-00", DateOrder::Uk), d(2000, 1, 1));
        assert_eq!(fold(&fold("İstanbul")), fold("İstanbul"));
        assert_eq!(fold("ΟΔΟΣ"), fold("οδος"));
        assert!(number(Cell::Number(f64::NAN)).is_err());
        assert!(money(Cell::Number(f64::INFINITY)).is_err());
    }

    #[test]
    fn fold_normalises_unicode_and_runs_initials_together() {
        assert_eq!(fold("G.M.P."), "gmp");
        assert_eq!(fold("G M P"), fold("GMP"));
        assert_eq!(fold("ＧＭＰ"), "gmp");
        // É as one character, and as E plus a combining accent.
        assert_eq!(fold("\u{c9}cole"), fold("E\u{301}cole"));
        assert_eq!(fold("A & E Dept"), "a and e dept");
        assert_eq!(fold("N.H.S. Trust"), "nhs trust");
        assert_eq!(header_key("Ｓｅｓｓｉｏｎ ID"), "sessionid");
    }

    #[test]
    fn yes_no_spellings() {
        for (s, v) in [
            ("Yes", true),
            ("y", true),
            ("TRUE", true),
            ("1", true),
            ("no", false),
            ("N", false),
            ("false", false),
            ("0", false),
        ] {
            assert_eq!(yes_no(t(s)), Ok(Some(v)), "{s}");
        }
        assert_eq!(yes_no(Cell::Bool(true)), Ok(Some(true)));
        assert_eq!(yes_no(Cell::Number(0.0)), Ok(Some(false)));
        assert_eq!(yes_no(t("N/A")), Ok(None));
        assert!(yes_no(t("maybe")).is_err());
    }

    #[test]
    fn dates_in_every_accepted_form() {
        // 2024-04-03 is serial 45385 in the 1900 system, 43923 in the 1904 one.
        assert_eq!(
            date(
                Cell::Date {
                    serial: 45385.0,
                    is_1904: false
                },
                DateOrder::Uk,
                false
            ),
            Ok(d(2024, 4, 3))
        );
        assert_eq!(
            date(
                Cell::Date {
                    serial: 43923.0,
                    is_1904: true
                },
                DateOrder::Uk,
                true
            ),
            Ok(d(2024, 4, 3))
        );
        assert_eq!(
            date(
                Cell::Date {
                    serial: 45385.75,
                    is_1904: false
                },
                DateOrder::Uk,
                false
            ),
            Ok(d(2024, 4, 3))
        );
        // A plain number in a date column is a serial in the sheet's system.
        assert_eq!(
            date(Cell::Number(45385.0), DateOrder::Uk, false),
            Ok(d(2024, 4, 3))
        );
        assert_eq!(
            date(Cell::Number(43923.0), DateOrder::Uk, true),
            Ok(d(2024, 4, 3))
        );
        assert_eq!(date(t("45385"), DateOrder::Uk, false), Ok(d(2024, 4, 3)));
        assert_eq!(
            date(t("2024-04-03"), DateOrder::Uk, false),
            Ok(d(2024, 4, 3))
        );
        assert_eq!(
            date(t("2024-04-03T09:30:00"), DateOrder::Uk, false),
            Ok(d(2024, 4, 3))
        );
        assert_eq!(
            date(Cell::IsoDate("2024-04-03T00:00:00"), DateOrder::Uk, false),
            Ok(d(2024, 4, 3))
        );
        assert_eq!(
            date(t("03/04/2024"), DateOrder::Uk, false),
            Ok(d(2024, 4, 3))
        );
        assert_eq!(
            date(t("03/04/2024"), DateOrder::Us, false),
            Ok(d(2024, 3, 4))
        );
        assert_eq!(
            date(t("3/4/2024 09:30"), DateOrder::Uk, false),
            Ok(d(2024, 4, 3))
        );
        assert_eq!(date(t("03-04-24"), DateOrder::Uk, false), Ok(d(2024, 4, 3)));
        assert_eq!(
            date(t("3 April 2024"), DateOrder::Uk, false),
            Ok(d(2024, 4, 3))
        );
        assert_eq!(
            date(t("Wed 3rd Apr 2024"), DateOrder::Uk, false),
            Ok(d(2024, 4, 3))
        );
        assert_eq!(
            date(t("03-Apr-2024"), DateOrder::Uk, false),
            Ok(d(2024, 4, 3))
        );
        assert_eq!(date(t("TBC"), DateOrder::Uk, false), Ok(None));
        assert_eq!(date(Cell::Empty, DateOrder::Uk, false), Ok(None));
    }

    #[test]
    fn dates_with_times_and_zones_as_the_tools_write_them() {
        let dt = |s: &str, order| parse_date_time_text(s, order);
        let at = |y, m, d, h, min| {
            Some((
                NaiveDate::from_ymd_opt(y, m, d).unwrap(),
                NaiveTime::from_hms_opt(h, min, 0),
            ))
        };
        assert_eq!(
            dt("5 March 2024, 9:30 AM Europe/London", DateOrder::Uk),
            at(2024, 3, 5, 9, 30)
        );
        assert_eq!(
            dt("Wednesday, 3 April 2024, 9:30 AM", DateOrder::Uk),
            at(2024, 4, 3, 9, 30)
        );
        assert_eq!(
            dt("3 Apr 2024 9.30AM", DateOrder::Uk),
            at(2024, 4, 3, 9, 30)
        );
        assert_eq!(
            dt("17 Sept 2024 2:00 PM", DateOrder::Uk),
            at(2024, 9, 17, 14, 0)
        );
        assert_eq!(
            dt("2022/11/30 10:39:41 PM GMT+1", DateOrder::Uk).map(|(d, _)| d),
            NaiveDate::from_ymd_opt(2022, 11, 30)
        );
        assert_eq!(
            dt("07/14/2019 06:03:59 PM", DateOrder::Us).and_then(|(_, t)| t),
            NaiveTime::from_hms_opt(18, 3, 59)
        );
        assert_eq!(
            dt("11/29/24 22:28", DateOrder::Us),
            at(2024, 11, 29, 22, 28)
        );
        assert_eq!(
            dt("2024-03-05 10:21:33", DateOrder::Uk).map(|(d, _)| d),
            NaiveDate::from_ymd_opt(2024, 3, 5)
        );
        assert_eq!(
            dt("12:15 am 1 May 2024", DateOrder::Uk),
            at(2024, 5, 1, 0, 15)
        );
        assert_eq!(
            dt("2024-04-03T09:30:00+01:00", DateOrder::Uk),
            at(2024, 4, 3, 9, 30)
        );
        assert_eq!(
            dt("5 March 2024 UTC", DateOrder::Uk).map(|(_, t)| t),
            Some(None)
        );
        assert_eq!(dt("25:00 5 March 2024", DateOrder::Uk), None);
        assert_eq!(dt("13pm 5 March 2024", DateOrder::Uk), None);
    }

    #[test]
    fn html_entities_left_by_web_tools_are_decoded() {
        assert_eq!(
            text(t("Children&#039;s Services")),
            Ok(Some("Children's Services".into()))
        );
        assert_eq!(
            text(t("Health &amp; Care")),
            Ok(Some("Health & Care".into()))
        );
        assert_eq!(text(t("A&E; ward &#x41;")), Ok(Some("A&E; ward A".into())));
        assert_eq!(text(t("Tom & Jerry;")), Ok(Some("Tom & Jerry;".into())));
        assert_eq!(unescape_html("&#0; &#99999999; &"), "&#0; &#99999999; &");
        assert_eq!(
            text(t("Children@SQ@s Services")),
            Ok(Some("Children's Services".into()))
        );
    }

    #[test]
    fn non_dates_are_rejected_with_the_expected_form() {
        for bad in ["31/02/2024", "next week", "2024-13-01", "13/13/2024"] {
            let err = date(t(bad), DateOrder::Uk, false).unwrap_err();
            assert!(err.contains("expected a date"), "{bad}: {err}");
        }
        assert!(
            date(t("01/01/1900"), DateOrder::Uk, false)
                .unwrap_err()
                .contains("typing slip")
        );
        assert!(date(Cell::Number(12.0), DateOrder::Uk, false).is_err());
        assert!(
            date(Cell::Error("#REF!"), DateOrder::Uk, false)
                .unwrap_err()
                .contains("#REF!")
        );
    }

    #[test]
    fn likert_numbers_labels_and_prefixed_labels() {
        let s = Scale::agreement();
        assert_eq!(likert(Cell::Number(4.0), &s), Ok(Some(4.0)));
        assert_eq!(likert(t("4"), &s), Ok(Some(4.0)));
        assert_eq!(likert(t("4 - Confident"), &s), Ok(Some(4.0)));
        assert_eq!(likert(t("2. Disagree"), &s), Ok(Some(2.0)));
        assert_eq!(likert(t("strongly AGREE"), &s), Ok(Some(5.0)));
        assert_eq!(likert(t("Neither agree nor disagree"), &s), Ok(Some(3.0)));
        assert_eq!(likert(t(""), &s), Ok(None));
        assert_eq!(likert(Cell::Empty, &s), Ok(None));
        for bad in [
            Cell::Number(6.0),
            Cell::Number(0.0),
            Cell::Number(3.5),
            t("7 - Very"),
            t("Sort of"),
        ] {
            let err = likert(bad, &s).unwrap_err();
            assert!(err.contains("off the 1-5 scale"), "{bad:?}: {err}");
        }
        let ten = Scale {
            min: 1,
            max: 10,
            labels: vec![],
            items: vec![],
        };
        assert_eq!(likert(Cell::Number(10.0), &ten), Ok(Some(10.0)));
        assert_eq!(likert(t("10 - Very confident"), &ten), Ok(Some(10.0)));
    }

    #[test]
    fn financial_years() {
        for s in [
            "2024-25",
            "2024/25",
            "FY2024-25",
            "fy 2024/25",
            "2024-2025",
            "2024/2025",
        ] {
            assert_eq!(
                financial_year(t(s), 4, DateOrder::Uk, false),
                Ok(Some(2024)),
                "{s}"
            );
        }
        assert_eq!(
            financial_year(t("1999-00"), 4, DateOrder::Uk, false),
            Ok(Some(1999))
        );
        assert_eq!(
            financial_year(t("31/03/2025"), 4, DateOrder::Uk, false),
            Ok(Some(2024))
        );
        assert_eq!(
            financial_year(t("01/04/2025"), 4, DateOrder::Uk, false),
            Ok(Some(2025))
        );
        assert_eq!(
            financial_year(
                Cell::Date {
                    serial: 45748.0,
                    is_1904: false
                },
                4,
                DateOrder::Uk,
                false
            ),
            Ok(Some(2025))
        );
        assert!(financial_year(t("2024-26"), 4, DateOrder::Uk, false).is_err());
        assert!(
            financial_year(t("2024"), 4, DateOrder::Uk, false)
                .unwrap_err()
                .contains("ambiguous")
        );
        assert!(
            financial_year(Cell::Number(2024.0), 4, DateOrder::Uk, false)
                .unwrap_err()
                .contains("ambiguous")
        );
        assert_eq!(fy_label(2024), "2024-25");
        assert_eq!(fy_label(2099), "2099-00");
    }

    #[test]
    fn durations() {
        for s in ["Full day", "full-day", "FULL_DAY", "fullday"] {
            assert_eq!(duration(t(s)), Ok(Some(Duration::FullDay)), "{s}");
        }
        for s in ["Half day", "half-day", "HALF_DAY"] {
            assert_eq!(duration(t(s)), Ok(Some(Duration::HalfDay)), "{s}");
        }
        assert_eq!(duration(Cell::Number(3.0)), Ok(Some(Duration::HalfDay)));
        assert_eq!(duration(Cell::Number(4.5)), Ok(Some(Duration::FullDay)));
        assert_eq!(duration(t("4.49 hours")), Ok(Some(Duration::HalfDay)));
        assert_eq!(duration(t("6h")), Ok(Some(Duration::FullDay)));
        assert_eq!(duration(t("90 mins")), Ok(Some(Duration::HalfDay)));
        assert!(duration(t("a while")).is_err());
        assert!(duration(Cell::Number(0.0)).is_err());
    }
}
