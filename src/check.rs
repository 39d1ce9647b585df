//! `hubreport check`: load everything and account for every row.

use std::fmt::Write as _;

use crate::error::{Error, Result, exit};
use crate::model::Quality;

/// What `check` is asked for.
#[derive(Debug, Clone)]
pub struct Options {
    pub input: crate::config::Input,
    /// Write every rejected row to this CSV file.
    pub rejected: Option<std::path::PathBuf>,
    /// How many rejections to print.
    pub show: usize,
}

pub fn run(args: &Options) -> Result<u8> {
    let (config, data_dir) = args.input.resolve()?;
    let data = crate::load::load(&config, &data_dir)?;
    // The dataframes are what later stages get: build them, so that check
    // fails where a report would.
    let calendar = crate::calendar::Calendar::new(config.fy_start_month);
    let frames = crate::frame::frames(&data, &calendar)?;
    let mut out = format!("data folder: {}\n\n", data_dir.display());
    out.push_str(&summary(&data.quality, args.show));
    out.push_str("\nloaded tables:");
    for (name, frame) in frames.tables() {
        let _ = write!(out, " {name} {}", frame.height());
        out.push(';');
    }
    out.pop();
    out.push('\n');
    if !crate::log::is_quiet() {
        crate::log::out(&out);
    }
    if let Some(path) = &args.rejected {
        std::fs::write(
            path,
            crate::render::csv(&crate::metrics::rejected(&data.quality)),
        )
        .map_err(|source| Error::Io {
            context: format!("could not write '{}'", path.display()),
            source,
        })?;
        crate::log::info(format!(
            "wrote {} rejected value(s) to {}",
            data.quality.rejections.len(),
            path.display()
        ));
    }
    Ok(if data.quality.rows_rejected() > 0 {
        exit::REJECTED_ROWS
    } else {
        exit::OK
    })
}

/// The human-readable account of a load.
pub fn summary(q: &Quality, show: usize) -> String {
    let mut out = String::new();
    let headers = [
        "source",
        "file",
        "read",
        "loaded",
        "rejected",
        "skipped",
        "merged",
        "unmatched agencies",
        "unmatched links",
    ];
    let rows: Vec<[String; 9]> = q
        .sources
        .iter()
        .map(|s| {
            [
                s.source.clone(),
                s.file.clone(),
                s.rows_read.to_string(),
                s.rows_loaded.to_string(),
                s.rows_rejected.to_string(),
                s.rows_skipped.to_string(),
                s.duplicates_merged.to_string(),
                s.unmatched_agencies.to_string(),
                s.unmatched_links.to_string(),
            ]
        })
        .collect();
    let widths: Vec<usize> = (0..headers.len())
        .map(|i| {
            rows.iter()
                .map(|r| r[i].chars().count())
                .chain([headers[i].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: &[&str]| {
        let mut l = String::new();
        for (i, c) in cells.iter().enumerate() {
            if i < 2 {
                let _ = write!(l, "{c:<w$}  ", w = widths[i]);
            } else {
                let _ = write!(l, "{c:>w$}  ", w = widths[i]);
            }
        }
        l.trim_end().to_string() + "\n"
    };
    out.push_str(&line(&headers));
    for r in &rows {
        out.push_str(&line(&r.iter().map(String::as_str).collect::<Vec<_>>()));
    }
    let unbalanced: Vec<&str> = q
        .sources
        .iter()
        .filter(|s| s.rows_read != s.rows_loaded + s.rows_rejected + s.rows_skipped)
        .map(|s| s.file.as_str())
        .collect();
    if unbalanced.is_empty() {
        out.push_str("every file adds up: read = loaded + rejected + skipped (blank and totals rows are skipped)\n");
    } else {
        let _ = writeln!(
            out,
            "internal error: counts do not add up for {}",
            unbalanced.join(", ")
        );
    }
    for s in &q.sources {
        if let Some((name, named)) = s.preset {
            let how = if named {
                "named in hub.toml"
            } else {
                "recognised from its headers"
            };
            let _ = writeln!(
                out,
                "{} ({}): read with the {name} preset ({how})",
                s.file, s.source
            );
        }
        if !s.mapping.is_empty() {
            if s.preset.is_none() {
                let _ = writeln!(out, "{} ({}): columns", s.file, s.source);
            }
            let width = s
                .mapping
                .iter()
                .map(|(h, _)| h.chars().count())
                .max()
                .unwrap_or(0);
            for (header, role) in &s.mapping {
                let _ = writeln!(out, "  {header:<width$}  -> {role}");
            }
        }
        if !s.ignored_columns.is_empty() {
            let _ = writeln!(
                out,
                "{} ({}): columns not used: {}",
                s.file,
                s.source,
                s.ignored_columns.join(", ")
            );
        }
    }

    if !q.unmatched_agencies.is_empty() {
        let _ = writeln!(
            out,
            "\n{} agency name(s) match nothing in the register; they are kept as written. Add them to agencies, or as aliases:",
            q.unmatched_agencies.len()
        );
        for u in &q.unmatched_agencies {
            let rows: usize = u.rows.values().sum();
            let hint = u
                .suggestion
                .as_ref()
                .map(|s| format!("  (closest: '{s}')"))
                .unwrap_or_default();
            let _ = writeln!(out, "  '{}': {rows} row(s){hint}", u.name);
        }
    }

    let rejected = q.rows_rejected();
    if rejected == 0 {
        out.push_str("\nno rows rejected\n");
    } else {
        let _ = writeln!(
            out,
            "\n{rejected} row(s) rejected ({} bad value(s)); {}:",
            q.rejections.len(),
            if q.rejections.len() > show {
                format!("the first {show}")
            } else {
                "all".to_string()
            }
        );
        for r in q.rejections.iter().take(show) {
            let sheet = if r.sheet.is_empty() {
                String::new()
            } else {
                format!(", sheet '{}'", r.sheet)
            };
            let _ = writeln!(
                out,
                "  {}{sheet}, row {}, column '{}': '{}': {}",
                r.file, r.row, r.column, r.value, r.reason
            );
        }
        if q.rejections.len() > show {
            out.push_str("  (use --rejected FILE to write them all to a CSV file)\n");
        }
    }
    if !q.notes.is_empty() {
        out.push_str("\nnotes:\n");
        for n in &q.notes {
            let _ = writeln!(out, "  - {n}");
        }
    }
    out
}
