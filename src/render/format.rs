//! How numbers read in a report, with disclosure control (METRICS.md "What a
//! reader sees"): a count from 1 to `threshold - 1` shows as `<5`; a rate or
//! mean over fewer than `threshold` people shows as `–`; zero shows as 0;
//! rates show as whole percentages. The templates reach these through
//! filters of the same names.

/// What a suppressed or missing value shows as.
pub const DASH: &str = "–";

/// `12,345`; `<5` for 1-4 (threshold 5); `–` when missing.
pub fn count(n: Option<f64>, threshold: u32) -> String {
    match n {
        None => DASH.into(),
        Some(n) if n.abs() > 0.0 && n.abs() < f64::from(threshold) => format!("<{threshold}"),
        Some(n) => thousands(n.round() as i64),
    }
}

/// True when a group of `n` people is too small to show a rate or mean of.
pub fn too_few(n: Option<f64>, threshold: u32) -> bool {
    n.is_none_or(|n| n < f64::from(threshold))
}

/// A rate as a whole percentage, `–` over fewer than `threshold` people.
pub fn rate(value: Option<f64>, denominator: Option<f64>, threshold: u32) -> String {
    match value {
        Some(v) if v.is_finite() && !too_few(denominator, threshold) => {
            format!("{}%", (v * 100.0).round() as i64)
        }
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
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
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
        assert_eq!(rate(Some(0.126), Some(5.0), 5), "13%");
        assert_eq!(rate(Some(0.5), Some(4.0), 5), DASH);
        assert_eq!(rate(Some(0.0), Some(40.0), 5), "0%");
        assert_eq!(rate(None, Some(40.0), 5), DASH);
        assert_eq!(rate(Some(0.5), None, 5), DASH);
        assert_eq!(mean(Some(3.14159), Some(10.0), 2, 5), "3.14");
        assert_eq!(mean(Some(3.14159), Some(2.0), 2, 5), DASH);
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
