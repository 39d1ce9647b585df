//! `hubreport sample`: a deterministic, realistic partnership's exports over
//! two financial years (2024-25 and 2025-26), messy the way real exports are.
//!
//! The same seed and scale always give the same files. `--scale` multiplies
//! sessions and bookings (about 5,000 bookings a year at scale 1), not the
//! number of agencies or courses. The partnership itself (agencies,
//! courses, trainers, names, comments) is data, in `partnership.toml`; every
//! random value is drawn from one generator ([`draw`]) in the order
//! `write` makes the tables.

mod bookings;
mod canonical;
mod draw;
mod exports;
mod feedback;
mod partnership;
mod sheet;

use std::fmt::Write as _;
use std::path::Path;

use crate::error::{Error, Result};
use sheet::write_as;

/// The most rows the sample puts on one xlsx sheet: a sheet holds 1,048,576,
/// less a margin for headers and title rows.
const SHEET_ROWS_USED: usize = 1_048_000;

/// How the sample is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// hubreport's own layout, xlsx with CSV for some sources.
    Canonical,
    /// The canonical layout, every source as CSV.
    CanonicalCsv,
    /// As the partnership's tools export it: Totara Seminar sign-ups, a
    /// Google Forms evaluation, a SurveyMonkey follow-up survey, and a
    /// hub.toml that reads them.
    Exports,
}

/// Writes the sample to `out`; returns a summary of what was written.
pub fn write(out: &Path, scale: u32, seed: u64, layout: Layout) -> Result<String> {
    let csv_only = layout != Layout::Canonical;
    let p = partnership::get()?;
    let mut g = draw::Gen::new(seed);
    std::fs::create_dir_all(out).map_err(|source| Error::Io {
        context: format!("could not create '{}'", out.display()),
        source,
    })?;

    let sessions = bookings::sessions(&mut g, p, scale);
    let bookings = bookings::bookings(&mut g, p, &sessions, scale);
    let total_bookings = bookings.len();
    if !csv_only && total_bookings + 20 > SHEET_ROWS_USED {
        return Err(Error::Usage(format!(
            "--scale {scale} gives {total_bookings} bookings, more than an xlsx sheet holds; add --csv"
        )));
    }
    let trained_count = bookings.iter().filter(|b| b.trained).count();

    // The tables, in the order their values are drawn.
    let attendance = canonical::attendance(p, &sessions, &bookings, scale);
    let sessions_table = canonical::sessions_table(p, &sessions);
    let evaluations = feedback::evaluations(&mut g, p, &sessions, &bookings, scale);
    let impact = feedback::impact(&mut g, p, &sessions, &bookings, scale);
    let agency_returns = canonical::agency_returns(&mut g, p, scale);
    let agencies = canonical::register(p);

    let xlsx = !csv_only;
    let written = if layout == Layout::Exports {
        let exports = exports::as_exports(
            p,
            &sessions,
            attendance,
            sessions_table,
            evaluations,
            impact,
        );
        let mut written = Vec::new();
        for (name, table) in exports.iter() {
            // SurveyMonkey's second header row is not a response.
            let responses = table.rows.len() - usize::from(*name == "Follow-up survey");
            written.push((write_as(out, name, table, "", false)?, responses));
        }
        for (name, table) in [("agency_returns", &agency_returns), ("agencies", &agencies)] {
            written.push((write_as(out, name, table, "", false)?, table.rows.len()));
        }
        let path = out.join(crate::config::CONFIG_FILE_NAME);
        std::fs::write(&path, exports::EXPORTS_HUB_TOML).map_err(|source| Error::Io {
            context: format!("could not write '{}'", path.display()),
            source,
        })?;
        written.push((crate::config::CONFIG_FILE_NAME.to_string(), 0));
        written
    } else {
        vec![
            (
                write_as(out, "attendance", &attendance, "Bookings", xlsx)?,
                attendance.rows.len(),
            ),
            (
                write_as(out, "sessions", &sessions_table, "Sessions", false)?,
                sessions_table.rows.len(),
            ),
            (
                write_as(out, "evaluations", &evaluations, "Responses", xlsx)?,
                evaluations.rows.len(),
            ),
            (
                write_as(out, "impact", &impact, "Impact", false)?,
                impact.rows.len(),
            ),
            (
                write_as(out, "agency_returns", &agency_returns, "Returns", xlsx)?,
                agency_returns.rows.len(),
            ),
            (
                write_as(out, "agencies", &agencies, "Register", xlsx)?,
                agencies.rows.len(),
            ),
        ]
    };

    let mut summary = format!(
        "wrote a sample partnership to {} (scale {scale}, seed {seed}): {} agencies, {} courses, {} sessions, {} bookings ({} trained) over 2024-25 and 2025-26\n",
        out.display(),
        p.agencies.len(),
        p.courses.len(),
        sessions.len(),
        total_bookings,
        trained_count
    );
    for (file, n) in written {
        if file == crate::config::CONFIG_FILE_NAME {
            let _ = writeln!(
                summary,
                "  {file}: reads the exports (hubreport report --config {})",
                out.join(&file).display()
            );
        } else {
            let _ = writeln!(summary, "  {file}: {n} rows");
        }
    }
    Ok(summary.trim_end().to_string())
}
