//! Survey grids: a question over its statements, as each tool writes the
//! header, read as items.

use std::collections::HashMap;

use crate::config::preset::Preset;
use crate::config::{SourceConfig, SourceKind};
use crate::fold::header_key;

/// A grid column's question and statement, as the tools head them:
/// `Question [Statement]` (Google Forms, and SurveyMonkey's and
/// SmartSurvey's two header rows joined), Qualtrics' `Question - Statement`
/// over columns named `Q2_1`, `Q2_2`, ..., Moodle Feedback's `(label)
/// Question`; a bare statement has no question.
pub(super) fn question_and_statement(
    header: &str,
    name: Option<&str>,
    group_labels: &[&str],
    moodle_label: bool,
) -> (Option<String>, String) {
    let strip_number = |t: &str| strip_question_number(t).to_string();
    let h = header.trim();
    if let Some(open) = h.rfind(" [")
        && h.ends_with(']')
    {
        return (
            Some(strip_number(&h[..open])),
            strip_number(&h[open + 2..h.len() - 1]),
        );
    }
    if name.is_some() && group_labels.len() > 1 {
        // The longest prefix the group's labels share, cut back to " - ".
        let first = group_labels[0];
        let mut common = first.len();
        for l in &group_labels[1..] {
            common = common.min(
                first
                    .char_indices()
                    .zip(l.chars())
                    .find(|((_, a), b)| a != b)
                    .map_or(first.len().min(l.len()), |((i, _), _)| i),
            );
        }
        if let Some(cut) = first[..common].rfind(" - ") {
            return (
                Some(first[..cut].trim().to_string()),
                h[cut + 3..].trim().to_string(),
            );
        }
    }
    if moodle_label
        && let Some(rest) = h.strip_prefix('(')
        && let Some((_label, text)) = rest.split_once(") ")
    {
        return (Some(text.trim().to_string()), text.trim().to_string());
    }
    (None, strip_number(h))
}

/// A header without the number SmartSurvey puts before its questions and
/// statements: `Q2.1. Planning a lesson` is `Planning a lesson`.
pub(super) fn strip_question_number(t: &str) -> &str {
    let t = t.trim();
    let Some(rest) = t.strip_prefix(['Q', 'q']) else {
        return t;
    };
    let after = rest.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.');
    if after.len() < rest.len()
        && rest.starts_with(|c: char| c.is_ascii_digit())
        && after.starts_with(' ')
    {
        after.trim()
    } else {
        t
    }
}

/// A question's text without its number (`Q5.`) or its Moodle Feedback
/// label (`(sat) `): how config may name it.
pub(super) fn bare_question(t: &str) -> &str {
    let t = t.trim();
    let unlabelled = t
        .strip_prefix('(')
        .and_then(|rest| rest.split_once(") "))
        .filter(|(label, _)| !label.is_empty() && !label.contains(char::is_whitespace))
        .map_or(t, |(_, rest)| rest.trim());
    strip_question_number(unlabelled)
}

/// An item name from a statement: folded, words joined by `_`.
pub(super) fn item_name(statement: &str) -> String {
    crate::fold::fold(statement).replace(' ', "_")
}

/// Survey grid columns as items: the pre grid's statements paired in order
/// with the post grid's, and the impact grid's.
pub(super) fn grid_items(
    kind: SourceKind,
    config: &SourceConfig,
    preset: Option<&Preset>,
    headers: &[String],
    names: &[String],
    unmatched: &[usize],
) -> std::result::Result<HashMap<usize, (&'static str, String)>, String> {
    let mut out = HashMap::new();
    let prefixes: &[&str] = if kind == SourceKind::Impact {
        &["impact"]
    } else {
        &["pre", "post"]
    };
    // Columns already named `Pre: <item>` (or a Moodle label `(pre_x)`).
    let mut open: Vec<usize> = Vec::new();
    for &c in unmatched {
        let h = headers[c].trim();
        let label = h
            .strip_prefix('(')
            .and_then(|r| r.split_once(')'))
            .map(|(l, _)| l.trim());
        if let Some(label) = label
            && preset.is_some_and(|p| p.name == "moodle-feedback")
            && let Some((p, item)) = prefixes
                .iter()
                .find_map(|p| crate::fold::prefixed_item(label, p).map(|i| (*p, i)))
        {
            out.insert(c, (p, item));
        } else if !prefixes
            .iter()
            .any(|p| crate::fold::prefixed_item(h, p).is_some())
        {
            open.push(c);
        }
    }
    let group = |c: usize| -> Option<&str> {
        let n = names.get(c)?;
        n.rsplit_once('_').map(|(g, _)| g).filter(|g| !g.is_empty())
    };
    let split: Vec<(usize, Option<String>, String)> = open
        .iter()
        .map(|&c| {
            let labels: Vec<&str> = match group(c) {
                Some(g) => open
                    .iter()
                    .filter(|&&o| group(o) == Some(g))
                    .map(|&o| headers[o].trim())
                    .collect(),
                None => Vec::new(),
            };
            let moodle = preset.is_some_and(|p| p.name == "moodle-feedback");
            let (q, st) = question_and_statement(&headers[c], group(c), &labels, moodle);
            (c, q, st)
        })
        .collect();
    let matching = |pattern: &str| -> Vec<(usize, String)> {
        split
            .iter()
            .filter(|(_, q, _)| q.as_deref().is_some_and(|q| header_matches(pattern, q)))
            .map(|(c, _, st)| (*c, st.clone()))
            .collect()
    };
    if kind == SourceKind::Impact {
        if let Some(pattern) = &config.impact {
            let found = matching(pattern);
            if found.is_empty() {
                return Err(format!("impact = '{pattern}' matches no question's grid"));
            }
            for (i, (c, st)) in found.into_iter().enumerate() {
                let name = config
                    .items
                    .get(i)
                    .map_or_else(|| item_name(&st), |n| item_name(n));
                out.insert(c, ("impact", name));
            }
        }
        return Ok(out);
    }
    // The default patterns apply to a tool's export, not to a file written
    // for hubreport, whose grids config has not asked for.
    if preset.is_none() && config.pre.is_none() && config.post.is_none() {
        return Ok(out);
    }
    let (pre_pattern, post_pattern) = (
        config.pre.as_deref().unwrap_or("Before*"),
        config.post.as_deref().unwrap_or("After*"),
    );
    let (mut pre, mut post) = (matching(pre_pattern), matching(post_pattern));
    if pre.is_empty() && post.is_empty() && preset.is_some_and(|p| p.name == "msforms") {
        // Microsoft Forms heads a grid's columns by statement alone, and a
        // second grid over the same statements with a `2` after each.
        for (c, q, st) in &split {
            if q.is_none()
                && let Some(&(c2, _, _)) = split
                    .iter()
                    .find(|(_, q2, st2)| q2.is_none() && *st2 == format!("{st}2"))
            {
                pre.push((*c, st.clone()));
                post.push((c2, st.clone()));
            }
        }
    }
    if (config.pre.is_some() || config.post.is_some()) && (pre.is_empty() || post.is_empty()) {
        return Err(format!(
            "pre = '{pre_pattern}' matches {} grid statement(s) and post = '{post_pattern}' {}; each needs the grid its question heads",
            pre.len(),
            post.len()
        ));
    }
    if pre.len() != post.len() {
        let list = |v: &[(usize, String)]| {
            v.iter()
                .map(|(_, s)| format!("'{s}'"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        return Err(format!(
            "the pre grid has {} statement(s) ({}) and the post grid {} ({}): they pair in order, so each needs the same number",
            pre.len(),
            list(&pre),
            post.len(),
            list(&post)
        ));
    }
    for (i, ((pc, _), (qc, st))) in pre.into_iter().zip(post).enumerate() {
        let name = config
            .items
            .get(i)
            .map_or_else(|| item_name(&st), |n| item_name(n));
        out.insert(pc, ("pre", name.clone()));
        out.insert(qc, ("post", name));
    }
    Ok(out)
}

/// Whether a header is the one config names: equal as header keys, or,
/// with `*` in the pattern, matching it ignoring case.
pub fn header_matches(pattern: &str, header: &str) -> bool {
    if pattern.contains('*') {
        let options = glob::MatchOptions {
            case_sensitive: false,
            require_literal_separator: false,
            require_literal_leading_dot: false,
        };
        glob::Pattern::new(&glob::Pattern::escape(pattern).replace("[*]", "*"))
            .is_ok_and(|p| p.matches_with(header.trim(), options))
    } else {
        header_key(pattern) == header_key(header)
            || header_key(pattern) == header_key(bare_question(header))
    }
}
