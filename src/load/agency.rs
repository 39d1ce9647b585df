//! Reconciling agency names with the register: case, spacing, punctuation and
//! `&`/`and` are folded and aliases applied. A name that matches nothing is
//! kept as written and reported with the closest register name as a
//! suggestion; it is never dropped and never merged by guess.

use std::collections::{BTreeMap, HashMap};

use crate::fold::fold;
use crate::model::Unmatched;

#[derive(Debug, Default)]
pub struct Register {
    /// Canonical names, in register order.
    names: Vec<String>,
    /// Folded name or alias → index into `names`.
    by_key: HashMap<String, usize>,
    /// Names met so far, as written, and their folded key: a column repeats
    /// a few dozen spellings, folded once each.
    seen: HashMap<String, String>,
    /// Names met that match nothing, by folded key.
    unmatched: BTreeMap<String, Unmatched>,
}

/// The outcome of resolving one name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    Register(usize),
    Unmatched(String),
}

impl Register {
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Adds a register entry and its aliases. Returns an error message when
    /// the name or an alias already belongs to another entry.
    pub fn add(&mut self, name: &str, aliases: &[String]) -> Result<usize, String> {
        let index = self.names.len();
        let key = fold(name);
        if let Some(&other) = self.by_key.get(&key) {
            return Err(format!(
                "'{name}' is already in the register as '{}'",
                self.names[other]
            ));
        }
        self.names.push(name.trim().to_string());
        self.by_key.insert(key, index);
        for alias in aliases {
            let key = fold(alias);
            if key.is_empty() {
                continue;
            }
            match self.by_key.get(&key) {
                Some(&other) if other != index => {
                    return Err(format!(
                        "the alias '{}' of '{name}' is already the name or an alias of '{}'",
                        alias.trim(),
                        self.names[other]
                    ));
                }
                _ => {
                    self.by_key.insert(key, index);
                }
            }
        }
        Ok(index)
    }

    /// The register name for `raw`, or `raw` itself (first spelling met) when
    /// it matches nothing; the miss is recorded against `source`.
    pub fn resolve(&mut self, raw: &str, source: &'static str) -> (String, bool) {
        let key = match self.seen.get(raw) {
            Some(key) => key.clone(),
            None => {
                let key = fold(raw);
                self.seen.insert(raw.to_string(), key.clone());
                key
            }
        };
        if let Some(&i) = self.by_key.get(&key) {
            return (self.names[i].clone(), true);
        }
        let (names, by_key) = (&self.names, &self.by_key);
        let entry = self
            .unmatched
            .entry(key.clone())
            .or_insert_with(|| Unmatched {
                name: raw.trim().to_string(),
                rows: BTreeMap::new(),
                suggestion: suggest(&key, by_key).map(|i| names[i].clone()),
            });
        *entry.rows.entry(source).or_default() += 1;
        (entry.name.clone(), false)
    }

    /// Unmatched names, most rows first.
    pub fn unmatched(&self) -> Vec<Unmatched> {
        let mut all: Vec<Unmatched> = self.unmatched.values().cloned().collect();
        all.sort_by(|a, b| {
            let (na, nb) = (
                a.rows.values().sum::<usize>(),
                b.rows.values().sum::<usize>(),
            );
            nb.cmp(&na).then_with(|| a.name.cmp(&b.name))
        });
        all
    }
}

/// The register entry whose folded name or alias is closest to `key` by
/// Jaro-Winkler similarity, or contains / is contained in it, if close
/// enough to help. Ties go to the earlier entry, so the answer is stable.
fn suggest(key: &str, by_key: &HashMap<String, usize>) -> Option<usize> {
    let score = |folded: &str| {
        let s = strsim::jaro_winkler(key, folded);
        if !key.is_empty() && (folded.contains(key) || key.contains(folded)) {
            s.max(0.9)
        } else {
            s
        }
    };
    by_key
        .iter()
        .map(|(folded, &i)| (score(folded), i))
        .filter(|(s, _)| *s >= 0.75)
        .max_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)))
        .map(|(_, i)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn register() -> Register {
        let mut r = Register::default();
        r.add(
            "Children & Families Services",
            &["CFS".into(), "Childrens Social Care".into()],
        )
        .unwrap();
        r.add("Northshire Police", &[]).unwrap();
        r
    }

    #[test]
    fn folding_and_aliases_resolve_to_the_register_name() {
        let mut r = register();
        for raw in [
            "children and families services",
            " CHILDREN & FAMILIES  SERVICES ",
            "cfs",
            "Children's Social Care",
        ] {
            assert_eq!(
                r.resolve(raw, "attendance"),
                ("Children & Families Services".into(), true),
                "{raw}"
            );
        }
        assert!(r.unmatched().is_empty());
    }

    #[test]
    fn unknown_names_are_kept_counted_and_given_a_suggestion() {
        let mut r = register();
        assert_eq!(
            r.resolve("Northshire Polce", "attendance"),
            ("Northshire Polce".into(), false)
        );
        assert_eq!(
            r.resolve("northshire polce", "impact"),
            ("Northshire Polce".into(), false)
        );
        assert_eq!(
            r.resolve("Acme Widgets", "attendance"),
            ("Acme Widgets".into(), false)
        );
        let u = r.unmatched();
        assert_eq!(u[0].name, "Northshire Polce");
        assert_eq!(u[0].rows.values().sum::<usize>(), 2);
        assert_eq!(u[0].suggestion.as_deref(), Some("Northshire Police"));
        assert_eq!(u[1].suggestion, None);
    }

    #[test]
    fn initials_accents_and_aliases_match_as_people_type_them() {
        let mut r = register();
        r.add("Greater Manchester Police", &["GMP".into()]).unwrap();
        r.add("\u{c9}cole Saint-Jean", &[]).unwrap();
        for raw in ["G.M.P.", "g m p", "ＧＭＰ"] {
            assert_eq!(
                r.resolve(raw, "attendance"),
                ("Greater Manchester Police".into(), true),
                "{raw}"
            );
        }
        // The accent typed as a combining mark still matches.
        assert!(r.resolve("E\u{301}cole Saint Jean", "attendance").1);
        // A slip in an alias is suggested its entry's name.
        r.resolve("Childrens Socal Care", "attendance");
        let u = r.unmatched();
        assert_eq!(
            u[0].suggestion.as_deref(),
            Some("Children & Families Services")
        );
    }

    #[test]
    fn clashing_aliases_are_refused() {
        let mut r = register();
        assert!(
            r.add("Police", &["Northshire Police".into()])
                .unwrap_err()
                .contains("already")
        );
        assert!(r.add("children and families services", &[]).is_err());
    }
}
