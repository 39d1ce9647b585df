//! `hubreport inspect FILE...` and `hubreport init --from DIR`: what
//! hubreport makes of exports before any config is written, as text to read
//! and as hub.toml entries to paste or keep.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::config::{CONFIG_FILE_NAME, SourceKind};
use crate::error::{Error, Result};
use crate::load::inspect::{Inspection, inspect, toml_string};

/// The source named `name` (`attendance`, `evaluations`, ...).
pub fn source_kind(name: &str) -> Result<SourceKind> {
    SourceKind::ALL
        .into_iter()
        .find(|k| k.name() == name)
        .ok_or_else(|| {
            let names: Vec<&str> = SourceKind::ALL.iter().map(|k| k.name()).collect();
            Error::Usage(format!(
                "--source '{name}': expected one of {}",
                names.join(", ")
            ))
        })
}

/// The report `inspect` prints for some files.
pub fn report(files: &[PathBuf], kind: Option<SourceKind>, rows: usize) -> Result<String> {
    let mut out = String::new();
    for file in files {
        if !file.is_file() {
            return Err(Error::Usage(format!("no such file '{}'", file.display())));
        }
        for i in inspect(file, kind, rows)? {
            describe(&mut out, &i);
            out.push('\n');
        }
    }
    Ok(out)
}

fn describe(out: &mut String, i: &Inspection) {
    let name = file_name(&i.file);
    let sheet = i
        .sheet
        .as_deref()
        .map_or(String::new(), |s| format!(", sheet '{s}'"));
    let _ = writeln!(out, "{name}{sheet}");
    let _ = writeln!(out, "  source: {} ({})", i.kind, i.kind_reason);
    match i.preset {
        Some(p) => {
            let _ = writeln!(out, "  preset: {p}");
        }
        None => {
            let _ = writeln!(out, "  preset: none (hubreport's own column names)");
        }
    }
    if let Some(row) = i.header_row {
        let _ = writeln!(out, "  header: row {row}");
    }
    if let Some(e) = &i.error {
        let _ = writeln!(out, "  cannot be read yet: {e}");
    }
    if !i.mapping.is_empty() {
        let _ = writeln!(out, "  columns:");
        let width = i
            .mapping
            .iter()
            .map(|(h, _)| h.chars().count())
            .max()
            .unwrap_or(0);
        for (header, role) in &i.mapping {
            let pad = width - header.chars().count();
            let _ = writeln!(out, "    {header}{} -> {role}", " ".repeat(pad));
        }
    }
    if !i.rows.is_empty() {
        let _ = writeln!(
            out,
            "  first rows, as read (emails and phone numbers masked):"
        );
        for (row, values) in &i.rows {
            let shown: Vec<String> = values
                .iter()
                .map(|(what, v)| format!("{what} '{v}'"))
                .collect();
            let _ = writeln!(out, "    row {row}: {}", shown.join("; "));
        }
    }
    let _ = writeln!(out, "  for hub.toml:");
    for line in entry(i).lines() {
        let _ = writeln!(out, "    {line}");
    }
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// The file's `[[sources.<kind>.files]]` entry, with what is left to say
/// as `# TODO` lines.
pub fn entry(i: &Inspection) -> String {
    let mut out = String::new();
    let how = i
        .preset
        .map_or(String::new(), |p| format!(": read with the {p} preset"));
    let _ = writeln!(out, "# {}{how}", file_name(&i.file));
    if let Some(e) = &i.error
        && i.todo.is_empty()
    {
        let _ = writeln!(out, "# cannot be read yet: {}", e.replace('\n', " "));
    }
    let _ = writeln!(out, "[[sources.{}.files]]", i.kind);
    let _ = writeln!(out, "path = {}", toml_string(&file_name(&i.file)));
    if let Some(sheet) = &i.sheet {
        let _ = writeln!(out, "sheet = {}", toml_string(sheet));
    }
    for (key, value, comment) in &i.settings {
        let _ = writeln!(out, "{key} = {value}  # {comment}");
    }
    for todo in &i.todo {
        let _ = writeln!(out, "# TODO {todo}");
    }
    out
}

/// `init --from DIR`: writes DIR/hub.toml with an entry for every export in
/// DIR; returns its path.
pub fn init_from(dir: &Path) -> Result<PathBuf> {
    if !dir.is_dir() {
        return Err(Error::Usage(format!(
            "--from: no such folder '{}'",
            dir.display()
        )));
    }
    let path = dir.join(CONFIG_FILE_NAME);
    if path.exists() {
        return Err(Error::Usage(format!(
            "'{}' already exists; remove it or choose another folder",
            path.display()
        )));
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|source| Error::Io {
            context: format!("could not list '{}'", dir.display()),
            source,
        })?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && crate::load::file::is_supported(p))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(Error::Usage(format!(
            "no exports in '{}': expected .xlsx, .xls, .xlsb, .ods, .csv, .tsv or .txt files",
            dir.display()
        )));
    }
    let mut text = String::from(
        "# hub.toml for the exports in this folder, as `hubreport inspect` read them.\n\
         # Lines starting \"# TODO\" are what the files cannot say: write them in,\n\
         # then run `hubreport check --config hub.toml`. Every other setting keeps\n\
         # its default; `hubreport init` in an empty folder writes them all, documented.\n\
         data_dir = \".\"\n",
    );
    for file in &files {
        for i in inspect(file, None, 0)? {
            text.push('\n');
            text.push_str(&entry(&i));
        }
    }
    std::fs::write(&path, text).map_err(|source| Error::Io {
        context: format!("could not write '{}'", path.display()),
        source,
    })?;
    Ok(path)
}
