//! How numbers read in a report, with disclosure control (METRICS.md "What a
//! reader sees"): a count from 1 to `threshold - 1` shows as `<5`; a rate or
//! mean over fewer than `threshold` people shows as `–`, and so does a rate
//! whose count (the rate times its people) would be 1 to `threshold - 1`;
//! zero shows as 0; rates show as whole percentages. The templates reach
//! these through filters of the same names.

use crate::metrics::tables::Kind;

/// What a suppressed or missing value shows as.
pub const DASH: &str = "–";

/// `12,345`; `<5` for 1-4 (threshold 5); `–` when missing.
pub fn count(n: Option<f64>, threshold: u32) -> String {
    match n {
        None => DASH.into(),
        Some(n) if small(n, threshold) => format!("<{threshold}"),
        Some(n) => thousands(n.round() as i64),
    }
}

/// True when a count of `n` is withheld: 1 to `threshold - 1`.
pub fn small(n: f64, threshold: u32) -> bool {
    n.abs() > 0.0 && n.abs() < f64::from(threshold)
}

pub use crate::metrics::tables::too_few;

/// True when a rate over `denominator` people is withheld: too few people,
/// or the count it stands for (the rate times the people, `3` for 7.5% of
/// 40) is small.
pub fn rate_withheld(value: Option<f64>, denominator: Option<f64>, threshold: u32) -> bool {
    too_few(denominator, threshold)
        || value
            .zip(denominator)
            .is_some_and(|(v, d)| small((v * d).round(), threshold))
}

/// A rate over `denominator` people as a whole percentage; `–` when
/// [`rate_withheld`].
pub fn rate(value: Option<f64>, denominator: Option<f64>, threshold: u32) -> String {
    if rate_withheld(value, denominator, threshold) {
        DASH.into()
    } else {
        percent(value)
    }
}

/// A rate whose count is `part` (the trained of take-up, the people at a
/// stage of the funnel) as a whole percentage; `–` when that count is under
/// `threshold`.
pub fn share(value: Option<f64>, part: Option<f64>, threshold: u32) -> String {
    if too_few(part, threshold) {
        DASH.into()
    } else {
        percent(value)
    }
}

/// A fraction that counts no one (a target) as a whole percentage.
pub fn percent(value: Option<f64>) -> String {
    match value {
        Some(v) if v.is_finite() => format!("{}%", (v * 100.0).round() as i64),
        _ => DASH.into(),
    }
}

/// A mean or other statistic to `digits` places, `–` over fewer than
/// `threshold` people.
pub fn mean(value: Option<f64>, n: Option<f64>, digits: usize, threshold: u32) -> String {
    match value {
        Some(v) if v.is_finite() && !too_few(n, threshold) => format!("{v:.digits$}"),
        _ => DASH.into(),
    }
}

/// A measure's value as shown by its declared kind (see
/// `metrics::tables`), over `n`, the value of the column it is
/// disclosed over; and the value itself where it is not withheld, for
/// comparing. A number that counts no one shows to 2 places, text as it is.
pub(crate) fn measure(
    kind: Kind,
    value: Option<f64>,
    n: Option<f64>,
    threshold: u32,
) -> (String, Option<f64>) {
    let t = threshold;
    let (shown, withheld) = match kind {
        Kind::Count => (count(value, t), value.is_some_and(|v| small(v, t))),
        Kind::Rate => (rate(value, n, t), rate_withheld(value, n, t)),
        Kind::Share => (share(value, n, t), too_few(n, t)),
        Kind::Mean => (mean(value, n, 2, t), too_few(n, t)),
        Kind::Money => {
            let shown = money(value, n, t);
            let withheld = shown == DASH;
            (shown, withheld)
        }
        Kind::Percent => (percent(value), false),
        Kind::Number | Kind::Text => (value.map_or(DASH.into(), |x| format!("{x:.2}")), false),
    };
    (shown, value.filter(|_| !withheld))
}

/// `£12,345`, `–` when it would reveal a count of 1 to `threshold - 1`.
pub fn money(value: Option<f64>, count: Option<f64>, threshold: u32) -> String {
    let small = count.is_some_and(|c| c > 0.0 && c < f64::from(threshold));
    match value {
        Some(v) if v.is_finite() && !small => {
            let pounds = v.round() as i64;
            if pounds < 0 {
                format!("-£{}", thousands(-pounds))
            } else {
                format!("£{}", thousands(pounds))
            }
        }
        _ => DASH.into(),
    }
}

/// `+0.80` / `-0.12` / `0.00`.
pub fn signed(value: Option<f64>, digits: usize) -> String {
    match value {
        Some(v) if v.is_finite() => {
            let s = format!("{v:.digits$}");
            if v > 0.0 && !s.chars().all(|c| c == '0' || c == '.') {
                format!("+{s}")
            } else if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
                s[1..].to_string() // no "-0.00"
            } else {
                s
            }
        }
        _ => DASH.into(),
    }
}

/// `12345` → `12,345`.
pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// `no_return;red` → `No return, red`; `confidence_to_act` → `Confidence to act`.
pub fn label(key: &str) -> String {
    capitalised(&key.replace('_', " ").replace(';', ", "))
}

/// `text` with a capital first letter, whatever its script: `émotions` →
/// `Émotions`; text without cases (`情感`) or empty stays as it is.
pub fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_suppress_one_to_four_but_not_zero() {
        assert_eq!(count(Some(0.0), 5), "0");
        assert_eq!(count(Some(1.0), 5), "<5");
        assert_eq!(count(Some(4.0), 5), "<5");
        assert_eq!(count(Some(5.0), 5), "5");
        assert_eq!(count(Some(12345.0), 5), "12,345");
        assert_eq!(count(None, 5), DASH);
        assert_eq!(
            count(Some(3.0), 1),
            "3",
            "threshold 1 turns suppression off"
        );
    }

    #[test]
    fn rates_and_means_need_enough_people() {
        assert_eq!(rate(Some(0.126), Some(500.0), 5), "13%");
        assert_eq!(rate(Some(1.0), Some(5.0), 5), "100%");
        assert_eq!(rate(Some(0.5), Some(4.0), 5), DASH);
        assert_eq!(rate(Some(0.0), Some(40.0), 5), "0%");
        assert_eq!(rate(None, Some(40.0), 5), DASH);
        assert_eq!(rate(Some(0.5), None, 5), DASH);
        assert_eq!(mean(Some(4.12345), Some(10.0), 2, 5), "4.12");
        assert_eq!(mean(Some(4.12345), Some(2.0), 2, 5), DASH);
    }

    #[test]
    fn a_rate_that_would_reveal_a_small_count_is_withheld() {
        assert_eq!(rate(Some(3.0 / 40.0), Some(40.0), 5), DASH, "3 of 40");
        assert_eq!(rate(Some(1.0 / 300.0), Some(300.0), 5), DASH, "1 of 300");
        assert_eq!(rate(Some(5.0 / 40.0), Some(40.0), 5), "13%", "5 of 40");
        assert_eq!(rate(Some(0.0), Some(40.0), 5), "0%", "none of 40");
        assert_eq!(rate(Some(1.0), Some(40.0), 5), "100%");
        assert!(rate_withheld(Some(0.1), Some(40.0), 5));
        assert!(!rate_withheld(Some(0.1), Some(40.0), 1), "threshold 1");
        assert!(rate_withheld(None, Some(3.0), 5));
        assert!(!rate_withheld(None, Some(30.0), 5));
        assert_eq!(share(Some(0.25), Some(10.0), 5), "25%", "10 of 40");
        assert_eq!(share(Some(0.05), Some(2.0), 5), DASH, "2 of 40");
        assert_eq!(percent(Some(0.7)), "70%");
        assert_eq!(percent(Some(f64::NAN)), DASH);
    }

    #[test]
    fn money_and_signs() {
        assert_eq!(money(Some(35950.0), Some(601.0), 5), "£35,950");
        assert_eq!(
            money(Some(150.0), Some(2.0), 5),
            DASH,
            "would reveal 2 no-shows"
        );
        assert_eq!(money(Some(0.0), Some(0.0), 5), "£0");
        assert_eq!(signed(Some(0.8), 2), "+0.80");
        assert_eq!(signed(Some(-0.004), 2), "0.00");
        assert_eq!(signed(Some(-0.12), 2), "-0.12");
        assert_eq!(thousands(-1234567), "-1,234,567");
        assert_eq!(thousands(999), "999");
    }
}
