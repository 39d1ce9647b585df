//! The periods a run builds, from what was asked and the dates in the data.

use chrono::NaiveDate;

use crate::calendar::{Calendar, Choice, Period};
use crate::error::{Error, Result};
use crate::log;
use crate::model::Dataset;

/// The periods to build; an explicit period with no sessions in it is an
/// error, not an empty report.
pub(super) fn periods_with_data(
    choices: &[Choice],
    calendar: &Calendar,
    dates: &[NaiveDate],
    today: NaiveDate,
) -> Result<Vec<Period>> {
    let (Some(first), Some(last)) = (dates.iter().min(), dates.iter().max()) else {
        return Err(Error::Sources(
            "no sessions or bookings were loaded: there is nothing to report".into(),
        ));
    };
    let mut periods: Vec<Period> = Vec::new();
    for c in choices {
        let resolved = c.resolve(calendar, dates.iter().copied(), today);
        if resolved.is_empty() {
            // Only latest resolves to nothing, and only with every date
            // after the run date.
            return Err(Error::Usage(format!(
                "--period latest: no session is on or before the run date {today}; the data runs \
                 from {first} to {last}: give --as-of, or name the period"
            )));
        }
        periods.extend(resolved);
    }
    periods.sort();
    periods.dedup();
    for p in &periods {
        if !dates.iter().any(|d| p.contains(*d)) {
            return Err(Error::Usage(format!(
                "--period {}: no session falls in it ({} to {}); the data runs from {first} to {last}",
                p.slug(),
                p.start,
                p.end
            )));
        }
    }
    Ok(periods)
}

/// Warns when the year `latest` picks has few sessions (one mistyped date
/// can make a year the latest).
pub(super) fn warn_if_thin_latest(
    data: &Dataset,
    calendar: &Calendar,
    dates: &[NaiveDate],
    today: NaiveDate,
) {
    let Some(year) = Choice::Latest
        .resolve(calendar, dates.iter().copied(), today)
        .pop()
    else {
        return;
    };
    let before = calendar.previous(&year);
    let sessions: std::collections::BTreeSet<(&str, NaiveDate)> = data
        .bookings
        .iter()
        .map(|b| (&*b.session_id, b.session_date))
        .chain(
            data.sessions
                .iter()
                .map(|s| (s.session_id.as_str(), s.session_date)),
        )
        .filter(|(_, d)| year.contains(*d) || before.contains(*d))
        .collect();
    let dates = sessions.into_iter().map(|(_, d)| d);
    if let Some(warning) = crate::calendar::thin_latest(calendar, &year, dates) {
        log::warn(warning);
    }
}
