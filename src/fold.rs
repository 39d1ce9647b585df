//! Text folded for comparing: headers reduced to letters and digits
//! ([`header_key`]) and free text to a canonical spelling ([`fold`]), so that
//! hand-typed names, tool headers and configured labels meet.

/// Text in Unicode compatibility form (NFKC): `É` typed as `E` plus an
/// accent, full-width `ＧＭＰ` and ligatures compare equal to their plain forms.
fn normalised(s: &str) -> std::borrow::Cow<'_, str> {
    use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};
    if s.is_ascii() || is_nfkc_quick(s.chars()) == IsNormalized::Yes {
        std::borrow::Cow::Borrowed(s)
    } else {
        std::borrow::Cow::Owned(s.nfkc().collect())
    }
}

/// Header text reduced for matching: lowercase letters and digits only, so
/// `Session ID`, `session_id` and `Session-Id` all read `sessionid`.
pub fn header_key(s: &str) -> String {
    normalised(s)
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(lowercase)
        .collect()
}

/// A letter's lowercase, less any combining mark lowercasing adds (`İ` is
/// `i` plus a dot above), with final sigma as sigma: folding twice gives
/// what folding once gave.
fn lowercase(c: char) -> impl Iterator<Item = char> {
    c.to_lowercase()
        .filter(|&l| l.is_ascii() || !unicode_normalization::char::is_combining_mark(l))
        .map(|l| if l == 'ς' { 'σ' } else { l })
}

/// Free text folded for comparing labels and agency names: Unicode
/// normalised, lowercase, `&` as `and`, punctuation as space, runs of space
/// as one, and initials run together (`G.M.P.` and `G M P` read `gmp`).
pub fn fold(s: &str) -> String {
    let s = normalised(s);
    let mut words: Vec<String> = Vec::new();
    let mut word = String::new();
    for c in s.chars() {
        if c.is_alphanumeric() {
            word.extend(lowercase(c));
        } else if c == '\''
            || c == '’'
            || (!c.is_ascii() && unicode_normalization::char::is_combining_mark(c))
        {
            // "Children's" and "Childrens" are the same name; a mark with no
            // composed form belongs to its letter, not between words.
        } else {
            if !word.is_empty() {
                words.push(std::mem::take(&mut word));
            }
            if c == '&' {
                words.push("and".to_string());
            }
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    join_initials(words).join(" ")
}

/// Runs of two or more one-letter words become one word: initials.
fn join_initials(words: Vec<String>) -> Vec<String> {
    let is_initial = |w: &str| {
        let mut chars = w.chars();
        chars.next().is_some_and(char::is_alphabetic) && chars.next().is_none()
    };
    let mut out: Vec<String> = Vec::with_capacity(words.len());
    let mut run = 0;
    for w in words {
        if is_initial(&w) {
            if run > 0
                && let Some(last) = out.last_mut()
            {
                last.push_str(&w);
                run += 1;
                continue;
            }
            run = 1;
        } else {
            run = 0;
        }
        out.push(w);
    }
    out
}

/// An item name from a header with a prefix: `Pre: Recognising neglect` →
/// `recognising_neglect`.
pub fn prefixed_item(header: &str, prefix: &str) -> Option<String> {
    let slug = fold(header).replace(' ', "_");
    slug.strip_prefix(prefix)
        .and_then(|rest| rest.strip_prefix('_'))
        .filter(|rest| !rest.is_empty())
        .map(str::to_string)
}
