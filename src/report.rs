//! `hubreport report`: the pipeline in one function. Load the exports, build
//! the dataframes, compute each period's metrics, write the tables.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::cli::ReportArgs;
use crate::error::{Error, Result, exit};
use crate::metrics::period::{Calendar, Choice, Period};
use crate::metrics::{self, Metrics, sql};
use crate::{frame, load, render};

pub fn run(args: &ReportArgs) -> Result<u8> {
    let (config, data_dir) = args.input.resolve()?;
    let calendar = Calendar::new(config.fy_start_month);
    let choice = Choice::parse(&args.period, &calendar)?;
    let queries_dir = config.queries_dir.as_ref().map(|d| config.base_dir.join(d));
    let queries = sql::queries(queries_dir.as_deref())?;
    let today = args
        .as_of
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    let out_root = args.out.clone().unwrap_or_else(|| config.out_dir());

    let data = load::load(&config, &data_dir)?;
    let frames = frame::frames(&data, &calendar)?;
    let dates: Vec<NaiveDate> = data
        .bookings
        .iter()
        .map(|b| b.session_date)
        .chain(data.sessions.iter().map(|s| s.session_date))
        .collect();
    let periods = periods_with_data(&choice, &calendar, &dates)?;

    let mut outputs = Vec::new();
    for period in periods {
        let m = metrics::compute(&frames, &data.quality, &config, &queries, period, today)?;
        outputs.push((out_root.join(period.slug()), files(&m)?, headline(&m)));
    }
    for (dir, files, headline) in &outputs {
        write_all(dir, files)?;
        println!("{headline}");
        let tables = dir.join("tables");
        println!(
            "  tables: {}",
            tables.strip_prefix(".").unwrap_or(&tables).display()
        );
    }
    let rejected = data.quality.rows_rejected();
    Ok(if rejected > 0 {
        eprintln!(
            "note: {rejected} row(s) were rejected and are left out of every figure; \
             each is listed with its reason in tables/rejected.csv"
        );
        exit::REJECTED_ROWS
    } else {
        exit::OK
    })
}

/// The periods to build; an explicit period with no sessions in it is an
/// error, not an empty report.
fn periods_with_data(
    choice: &Choice,
    calendar: &Calendar,
    dates: &[NaiveDate],
) -> Result<Vec<Period>> {
    let (Some(first), Some(last)) = (dates.iter().min(), dates.iter().max()) else {
        return Err(Error::Sources(
            "no sessions or bookings were loaded: there is nothing to report".into(),
        ));
    };
    let periods = choice.resolve(calendar, dates.iter().copied());
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

/// Every file of one period's folder, as (path relative to it, bytes).
pub fn files(m: &Metrics) -> Result<Vec<(PathBuf, Vec<u8>)>> {
    let mut out = Vec::new();
    for t in &m.tables {
        out.push((
            Path::new("tables").join(format!("{}.csv", t.name)),
            render::csv(t),
        ));
        out.push((
            Path::new("tables").join(format!("{}.parquet", t.name)),
            frame::parquet_bytes(t)?,
        ));
    }
    out.push((PathBuf::from("tables.xlsx"), render::xlsx(&m.tables)?));
    Ok(out)
}

fn write_all(dir: &Path, files: &[(PathBuf, Vec<u8>)]) -> Result<()> {
    for (rel, bytes) in files {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|source| Error::Io {
                context: format!("could not create '{}'", parent.display()),
                source,
            })?;
        }
        std::fs::write(&path, bytes).map_err(|source| Error::Io {
            context: format!("could not write '{}'", path.display()),
            source,
        })?;
    }
    Ok(())
}

/// The period's headline figures in one paragraph for the terminal.
pub fn headline(m: &Metrics) -> String {
    let get = |table: &str, row: usize, col: &str| {
        m.table(table)
            .map(|t| t.get(row, col))
            .and_then(|v| v.as_f64())
    };
    let count =
        |table: &str, col: &str| get(table, 0, col).map_or("-".to_string(), |v| format!("{v:.0}"));
    let pct = |table: &str, col: &str| {
        get(table, 0, col).map_or("-".to_string(), |v| format!("{:.1}%", 100.0 * v))
    };
    let rag = |name: &str| {
        m.table("coverage_by_agency").map_or(0, |t| {
            (0..t.height())
                .filter(|&i| t.get(i, "rag").to_text() == name)
                .count()
        })
    };
    let gain = m
        .table("learning_gain_overall")
        .map(|t| (t.get(0, "mean_gain"), t.get(0, "p_value")));
    let gain = match gain {
        Some((g, p)) if g.as_f64().is_some() => format!(
            "mean gain {:+.2} (p {})",
            g.as_f64().unwrap_or_default(),
            p.as_f64().map_or("-".into(), |p| if p < 0.001 {
                "< 0.001".into()
            } else {
                format!("{p:.3}")
            })
        ),
        _ => "no paired forms".into(),
    };
    format!(
        "{} (as of {}): {} registrations, {} trained; non-attendance {}, charges £{}; \
         {} paired forms, {gain}; impact response {}, applied {}; \
         agencies red {}, amber {}, green {}, no return {}",
        m.period,
        m.as_of,
        count("attendance_overall", "registrations"),
        count("attendance_overall", "trained"),
        pct("attendance_overall", "non_attendance_rate"),
        count("attendance_overall", "charges"),
        count("learning_gain_overall", "n_paired"),
        pct("impact_overall", "response_rate"),
        pct("impact_overall", "applied_rate"),
        rag("red"),
        rag("amber"),
        rag("green"),
        rag("missing"),
    )
}
