//! The dates refresher currency is judged by, worked out on the calendar.

use chrono::{Datelike, NaiveDate};

use crate::error::{Error, Result};

/// The dates refresher currency is judged by (METRICS.md "Refresher
/// currency"): a training lapses `years` after its session, on the same day
/// of the month (28 February for a 29 February).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Currency {
    /// E: the period's end, or the run date for a period still running.
    pub date: NaiveDate,
    /// A training on or before this date has lapsed by E.
    pub lapsed_until: NaiveDate,
    /// A training on or before this date lapses by the end of the quarter
    /// after E.
    pub lapsing_until: NaiveDate,
}

impl Currency {
    pub fn new(date: NaiveDate, years: i64) -> Result<Currency> {
        let out_of_range = || Error::Usage(format!("refresher_years = {years} is out of range"));
        let months = u32::try_from(years * 12).map_err(|_| out_of_range())?;
        let lapse = |d: NaiveDate| d.checked_add_months(chrono::Months::new(months));
        // The latest session date whose training has lapsed by `by`.
        let last_lapsed = |by: NaiveDate| -> Result<NaiveDate> {
            let mut d = by
                .checked_sub_months(chrono::Months::new(months))
                .ok_or_else(out_of_range)?;
            while let Some(next) = d.succ_opt()
                && lapse(next).is_some_and(|l| l <= by)
            {
                d = next;
            }
            Ok(d)
        };
        // The end of the quarter after the one holding `date`.
        let quarter_start = NaiveDate::from_ymd_opt(date.year(), (date.month0() / 3) * 3 + 1, 1)
            .ok_or_else(out_of_range)?;
        let next_quarter_end = quarter_start
            .checked_add_months(chrono::Months::new(6))
            .and_then(|d| d.pred_opt())
            .ok_or_else(out_of_range)?;
        Ok(Currency {
            date,
            lapsed_until: last_lapsed(date)?,
            lapsing_until: last_lapsed(next_quarter_end)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::Currency;
    use chrono::NaiveDate;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn currency_dates_lapse_on_the_same_day_years_later() {
        let c = Currency::new(d(2026, 3, 31), 2).unwrap();
        assert_eq!(c.lapsed_until, d(2024, 3, 31));
        assert_eq!(c.lapsing_until, d(2024, 6, 30));
        // 29 February 2020 lapses on 28 February 2022: lapsed on that day.
        let leap = Currency::new(d(2022, 2, 28), 2).unwrap();
        assert_eq!(leap.lapsed_until, d(2020, 2, 29));
        // A date mid-quarter: the quarter after ends on 30 June.
        let mid = Currency::new(d(2026, 2, 10), 1).unwrap();
        assert_eq!(mid.lapsing_until, d(2025, 6, 30));
    }
}
