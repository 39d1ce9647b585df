//! The module graph: no import cycle between the files of `src/`, and the
//! pipeline's layers depend one way (a lower layer never imports a higher
//! one). Test code is left out: a `#[cfg(test)]` item may import anything.
//!
//! Each file's imports are the `crate::`, `self::` and `super::` paths it
//! names (in `use` trees and inline), and the paths through its own child
//! modules; each path is charged to the file that defines the longest module
//! prefix it names.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The layers, lowest first. A module may import its own layer or a lower
/// one. A module not listed is shared vocabulary (the calendar, text
/// folding, hashing, the table type and its writer...): it may import only
/// other such modules, so every layer can use it.
const LAYERS: &[&[&str]] = &[
    &["config"],
    &["model"],
    &["load"],
    &["frame"],
    &["metrics"],
    &["render", "publish"],
    &["report", "check", "sessions", "inspect", "sample", "floor"],
    &["cli"],
];

#[test]
fn no_import_cycle_between_files() {
    let graph = Graph::of(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"));
    let cycles = graph.cycles();
    assert!(
        cycles.is_empty(),
        "import cycles between files of src/ (each edge with the line that makes it):\n{}",
        cycles
            .iter()
            .map(|c| graph.describe(c))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn layers_depend_one_way() {
    let graph = Graph::of(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"));
    let rank = |file: &str| {
        let top = graph.module[file]
            .split("::")
            .nth(1)
            .unwrap_or_default()
            .to_string();
        LAYERS
            .iter()
            .position(|layer| layer.contains(&top.as_str()))
    };
    let mut wrong = Vec::new();
    // The crate root re-exports: it sits above every layer.
    for ((from, to), line) in graph.edges.iter().filter(|((from, _), _)| from != "lib.rs") {
        match (rank(from), rank(to)) {
            (Some(a), Some(b)) if b > a => {
                wrong.push(format!("  {from}:{line} imports {to}, a higher layer"));
            }
            (None, Some(_)) => {
                wrong.push(format!(
                    "  {from}:{line} is shared vocabulary but imports {to}, a layer"
                ));
            }
            _ => {}
        }
    }
    assert!(
        wrong.is_empty(),
        "lower layers import higher ones:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_checker_sees_a_cycle() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path();
    std::fs::create_dir(src.join("a")).unwrap();
    std::fs::write(src.join("lib.rs"), "mod a;\nmod b;\n").unwrap();
    std::fs::write(
        src.join("a/mod.rs"),
        "mod c;\npub use c::Z;\n/// [`crate::b`] in a comment is no import\npub struct X;\n",
    )
    .unwrap();
    std::fs::write(
        src.join("a/c.rs"),
        "use crate::{b::{self, Y}};\npub struct Z;\n",
    )
    .unwrap();
    std::fs::write(
        src.join("b.rs"),
        "pub struct Y;\nmod inner {\n    use super::Y;\n}\nfn f() { let s = \"crate::a\"; super::a::X; }\n",
    )
    .unwrap();
    let graph = Graph::of(src);
    assert_eq!(
        graph.cycles(),
        vec![vec![
            "a/c.rs".to_string(),
            "a/mod.rs".to_string(),
            "b.rs".to_string()
        ]]
    );
    let edges: BTreeSet<_> = graph.edges.keys().cloned().collect();
    assert!(edges.contains(&("a/c.rs".into(), "b.rs".into())));
    assert!(!edges.contains(&("a/mod.rs".into(), "b.rs".into())));
}

/// The files of a crate and the imports between them.
struct Graph {
    /// File (relative to `src/`) to its module path.
    module: BTreeMap<String, String>,
    /// (importer, imported) to the first line of the import.
    edges: BTreeMap<(String, String), usize>,
}

impl Graph {
    fn of(src: &Path) -> Graph {
        let mut files = Vec::new();
        walk(src, &mut files);
        let mut module = BTreeMap::new();
        let mut texts = BTreeMap::new();
        for path in files {
            let rel = path
                .strip_prefix(src)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            if rel == "main.rs" {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            module.insert(rel.clone(), module_path(&rel));
            texts.insert(rel, text);
        }
        // Every module (file or inline) to the file that holds it.
        let mut owner: BTreeMap<String, String> =
            module.iter().map(|(f, m)| (m.clone(), f.clone())).collect();
        let mut scanned = BTreeMap::new();
        let mut test_only = BTreeSet::new();
        for (file, text) in &texts {
            let scan = scan(&module[file], &code_only(text));
            for m in &scan.inline {
                owner.insert(m.clone(), file.clone());
            }
            for m in &scan.test_modules {
                test_only.insert(m.clone());
            }
            scanned.insert(file.clone(), scan);
        }
        let test_file = |f: &str| {
            let m = &module[f];
            test_only
                .iter()
                .any(|t| m == t || m.starts_with(&format!("{t}::")))
        };
        let mut edges = BTreeMap::new();
        for (file, scan) in &scanned {
            if test_file(file) {
                continue;
            }
            for (path, line) in &scan.paths {
                let parts: Vec<&str> = path.split("::").collect();
                let target = (1..=parts.len())
                    .rev()
                    .find_map(|k| owner.get(&parts[..k].join("::")));
                if let Some(target) = target
                    && target != file
                    && !test_file(target)
                {
                    edges.entry((file.clone(), target.clone())).or_insert(*line);
                }
            }
        }
        let module = module
            .iter()
            .filter(|(f, _)| !test_file(f))
            .map(|(f, m)| (f.clone(), m.clone()))
            .collect();
        Graph { module, edges }
    }

    /// Strongly connected groups of more than one file (Tarjan), each sorted.
    fn cycles(&self) -> Vec<Vec<String>> {
        let names: Vec<&String> = self.module.keys().collect();
        let index_of: BTreeMap<&String, usize> =
            names.iter().enumerate().map(|(i, n)| (*n, i)).collect();
        let mut next = vec![Vec::new(); names.len()];
        for (a, b) in self.edges.keys() {
            if let (Some(&i), Some(&j)) = (index_of.get(a), index_of.get(b)) {
                next[i].push(j);
            }
        }
        let mut t = Tarjan {
            next: &next,
            index: vec![None; names.len()],
            low: vec![0; names.len()],
            ..Default::default()
        };
        for v in 0..names.len() {
            if t.index[v].is_none() {
                t.visit(v);
            }
        }
        let mut groups: Vec<Vec<String>> = t
            .groups
            .into_iter()
            .filter(|g| g.len() > 1)
            .map(|g| {
                let mut g: Vec<String> = g.into_iter().map(|i| names[i].clone()).collect();
                g.sort();
                g
            })
            .collect();
        groups.sort();
        groups
    }

    fn describe(&self, group: &[String]) -> String {
        let mut out = format!("cycle among {}:", group.join(", "));
        for ((a, b), line) in &self.edges {
            if group.contains(a) && group.contains(b) {
                out.push_str(&format!("\n  {a}:{line} imports {b}"));
            }
        }
        out
    }
}

#[derive(Default)]
struct Tarjan<'a> {
    next: &'a [Vec<usize>],
    index: Vec<Option<usize>>,
    low: Vec<usize>,
    stack: Vec<usize>,
    on_stack: BTreeSet<usize>,
    counter: usize,
    groups: Vec<Vec<usize>>,
}

impl Tarjan<'_> {
    fn visit(&mut self, v: usize) {
        self.index[v] = Some(self.counter);
        self.low[v] = self.counter;
        self.counter += 1;
        self.stack.push(v);
        self.on_stack.insert(v);
        for &w in &self.next[v] {
            match self.index[w] {
                None => {
                    self.visit(w);
                    self.low[v] = self.low[v].min(self.low[w]);
                }
                Some(i) if self.on_stack.contains(&w) => self.low[v] = self.low[v].min(i),
                Some(_) => {}
            }
        }
        if Some(self.low[v]) == self.index[v] {
            let mut group = Vec::new();
            while let Some(w) = self.stack.pop() {
                self.on_stack.remove(&w);
                group.push(w);
                if w == v {
                    break;
                }
            }
            self.groups.push(group);
        }
    }
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            walk(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `lib.rs` is `crate`; `a/mod.rs` and `a.rs` are `crate::a`; `a/b.rs` is
/// `crate::a::b`.
fn module_path(rel: &str) -> String {
    let stem = rel.trim_end_matches(".rs");
    let stem = stem.strip_suffix("/mod").unwrap_or(stem);
    if stem == "lib" {
        "crate".into()
    } else {
        format!("crate::{}", stem.replace('/', "::"))
    }
}

/// The text with comments, string and character literals blanked (newlines
/// kept, so line numbers hold).
fn code_only(text: &str) -> String {
    let b: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < b.len() && b[i] != '\n' {
                out.push(' ');
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < b.len() {
                if b[i] == '/' && b.get(i + 1) == Some(&'*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if b[i] == '*' && b.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    out.push(blank(b[i]));
                    i += 1;
                }
            }
        } else if c == 'r'
            && (next == Some('"') || next == Some('#'))
            && !ident_char(b.get(i.wrapping_sub(1)).copied())
        {
            let mut j = i + 1;
            let mut hashes = 0;
            while b.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if b.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            j += 1;
            while j < b.len()
                && !(b[j] == '"' && (0..hashes).all(|k| b.get(j + 1 + k) == Some(&'#')))
            {
                j += 1;
            }
            let end = (j + 1 + hashes).min(b.len());
            out.extend(b[i..end].iter().map(|&c| blank(c)));
            i = end;
        } else if c == '"' {
            let mut j = i + 1;
            while j < b.len() && b[j] != '"' {
                j += if b[j] == '\\' { 2 } else { 1 };
            }
            let end = (j + 1).min(b.len());
            out.extend(b[i..end].iter().map(|&c| blank(c)));
            i = end;
        } else if c == '\'' {
            // A character literal ('x', '\n', '\u{..}'), not a lifetime.
            let end = if next == Some('\\') {
                b[i + 2..]
                    .iter()
                    .position(|&c| c == '\'')
                    .map(|p| i + 3 + p)
            } else if b.get(i + 2) == Some(&'\'') {
                Some(i + 3)
            } else {
                None
            };
            match end {
                Some(end) => {
                    out.extend(b[i..end].iter().map(|&c| blank(c)));
                    i = end;
                }
                None => {
                    out.push(c);
                    i += 1;
                }
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn ident_char(c: Option<char>) -> bool {
    c.is_some_and(|c| c.is_alphanumeric() || c == '_')
}

/// What one file names.
struct Scan {
    /// Absolute module paths it names, with their line.
    paths: Vec<(String, usize)>,
    /// Inline modules it defines.
    inline: Vec<String>,
    /// Modules declared under `#[cfg(test)]`.
    test_modules: Vec<String>,
}

/// Tokens: identifiers, `::`, and single punctuation characters.
fn tokens(code: &str) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    let mut line = 1;
    let chars: Vec<char> = code.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else if c.is_alphanumeric() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            out.push((chars[start..i].iter().collect(), line));
        } else if c == ':' && chars.get(i + 1) == Some(&':') {
            out.push(("::".into(), line));
            i += 2;
        } else {
            out.push((c.to_string(), line));
            i += 1;
        }
    }
    out
}

fn scan(file_module: &str, code: &str) -> Scan {
    let t = tokens(code);
    let mut scan = Scan {
        paths: Vec::new(),
        inline: Vec::new(),
        test_modules: Vec::new(),
    };
    // Module scopes: (module path, brace depth at which it closes, its child modules).
    let mut scopes: Vec<(String, usize)> = vec![(file_module.to_string(), 0)];
    let children = child_modules(&t);
    let mut depth = 0;
    let mut i = 0;
    while i < t.len() {
        let tok = t[i].0.as_str();
        let current = scopes.last().unwrap().0.clone();
        match tok {
            "#" if is_cfg_test(&t, i) => {
                // Skip the attribute and the item it guards.
                let mut j = i;
                while j < t.len() && t[j].0 != "]" {
                    j += 1;
                }
                j += 1;
                let item_start = j;
                while j < t.len() && t[j].0 != "{" && t[j].0 != ";" {
                    j += 1;
                }
                if let Some(k) = (item_start..j).find(|&k| t[k].0 == "mod") {
                    scan.test_modules.push(format!("{current}::{}", t[k + 1].0));
                }
                if j < t.len() && t[j].0 == "{" {
                    let mut d = 0;
                    while j < t.len() {
                        match t[j].0.as_str() {
                            "{" => d += 1,
                            "}" => {
                                d -= 1;
                                if d == 0 {
                                    break;
                                }
                            }
                            _ => {}
                        }
                        j += 1;
                    }
                }
                i = j + 1;
                continue;
            }
            "mod" if t.get(i + 2).is_some_and(|x| x.0 == "{") => {
                let name = format!("{current}::{}", t[i + 1].0);
                scan.inline.push(name.clone());
                depth += 1;
                scopes.push((name, depth));
                i += 3;
                continue;
            }
            "{" => depth += 1,
            "}" => {
                if scopes.len() > 1 && scopes.last().unwrap().1 == depth {
                    scopes.pop();
                }
                depth = depth.saturating_sub(1);
            }
            "crate" | "self" | "super" if t.get(i + 1).is_some_and(|x| x.0 == "::") => {
                // `a::crate::b` is no path of ours; `pub(in crate::a)` is a
                // visibility, not an import.
                let preceded = i > 0 && (t[i - 1].0 == "::" || t[i - 1].0 == "in");
                if !preceded {
                    let (paths, end) = path_tree(&t, i);
                    for (p, line) in paths {
                        if let Some(abs) = absolute(&current, &p) {
                            scan.paths.push((abs, line));
                        }
                    }
                    i = end;
                    continue;
                }
            }
            name if scopes.len() == 1
                && children.contains(name)
                && t.get(i + 1).is_some_and(|x| x.0 == "::")
                && (i == 0 || t[i - 1].0 != "::") =>
            {
                let (paths, end) = path_tree(&t, i);
                for (p, line) in paths {
                    scan.paths.push((format!("{current}::{p}"), line));
                }
                i = end;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    scan
}

fn is_cfg_test(t: &[(String, usize)], i: usize) -> bool {
    let words: Vec<&str> = t[i..(i + 6).min(t.len())]
        .iter()
        .map(|x| x.0.as_str())
        .collect();
    words.starts_with(&["#", "[", "cfg", "(", "test", ")"])
}

/// The names of the file modules a file declares (`mod x;`).
fn child_modules(t: &[(String, usize)]) -> BTreeSet<String> {
    t.windows(3)
        .filter(|w| w[0].0 == "mod" && w[2].0 == ";")
        .map(|w| w[1].0.clone())
        .collect()
}

/// The paths a path or use tree starting at `i` names, and the index after it.
fn path_tree(t: &[(String, usize)], i: usize) -> (Vec<(String, usize)>, usize) {
    let mut prefix = Vec::new();
    let mut j = i;
    let line = t[i].1;
    loop {
        match t.get(j).map(|x| x.0.as_str()) {
            Some("{") => {
                let mut out = Vec::new();
                j += 1;
                while j < t.len() && t[j].0 != "}" {
                    if t[j].0 == "," {
                        j += 1;
                        continue;
                    }
                    let (inner, end) = path_tree(t, j);
                    for (p, l) in inner {
                        let full = if p == "self" {
                            prefix.join("::")
                        } else {
                            format!("{}::{p}", prefix.join("::"))
                        };
                        out.push((full, l));
                    }
                    j = end;
                }
                return (out, j + 1);
            }
            Some(word) if word.chars().all(|c| c.is_alphanumeric() || c == '_') => {
                prefix.push(word.to_string());
                if t.get(j + 1).is_some_and(|x| x.0 == "::") {
                    j += 2;
                } else {
                    // `as name` renames; the path is what precedes it.
                    let mut end = j + 1;
                    if t.get(end).is_some_and(|x| x.0 == "as") {
                        end += 2;
                    }
                    return (vec![(prefix.join("::"), line)], end);
                }
            }
            _ => return (vec![(prefix.join("::"), line)], j),
        }
    }
}

/// `crate::a`, `self::a` and `super::a` from inside `module`, as `crate::...`.
fn absolute(module: &str, path: &str) -> Option<String> {
    let mut base: Vec<&str> = module.split("::").collect();
    let mut parts = path.split("::").peekable();
    match parts.peek().copied() {
        Some("crate") => {
            base = vec!["crate"];
            parts.next();
        }
        Some("self") => {
            parts.next();
        }
        Some("super") => {
            while parts.peek() == Some(&"super") {
                parts.next();
                base.pop();
            }
            if base.is_empty() {
                return None;
            }
        }
        _ => return None,
    }
    Some(base.into_iter().chain(parts).collect::<Vec<_>>().join("::"))
}
