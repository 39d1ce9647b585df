//! Parsing single values by the rules of the data contract. Each parser takes
//! a [`Cell`] and returns `Ok(None)` for a missing value, `Ok(Some(v))`, or
//! `Err(reason)` saying what was expected, in words an analyst can act on.

use super::sheet::{Cell, format_number};
use crate::config::Scale;
use crate::duration::Duration;
use crate::fold::fold;

pub type Parsed<T> = Result<Option<T>, String>;

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
mod tests;
