//! The templates' filters: numbers shown with disclosure control, and a
//! table's columns with the kinds [`crate::metrics::tables`] declares.

use minijinja::{Environment, Error, ErrorKind, Value};

use crate::metrics::tables::{self, Kind};
use crate::render::format;

fn num(v: &Value) -> Option<f64> {
    if v.is_none() || v.is_undefined() {
        return None;
    }
    f64::try_from(v.clone()).ok()
}

/// The `cell` kinds that show a number over the people of a column of the
/// row, which a column's declaration names when the template does not.
const OVER_A_COLUMN: [&str; 6] = ["count", "rate", "part", "mean", "money", "signed"];

/// A table's `columns` ([key, heading] or [key, heading, kind]) as
/// [key, heading, kind], each kind complete: a column without one takes the
/// kind its table `name` declares for it (`rate:registrations`; `text` for a
/// key), and a kind without its count column (`signed`, `interval`) takes
/// the declared one. Without a name, every column must give its kind.
fn declared(columns: &Value, name: Option<&str>) -> Result<Value, Error> {
    let table = name.and_then(tables::table);
    if let (Some(name), None) = (name, table) {
        return Err(Error::new(
            ErrorKind::InvalidOperation,
            format!("no table '{name}'"),
        ));
    }
    let mut out = Vec::new();
    for c in columns.try_iter()? {
        let key = c.get_item_by_index(0)?;
        let heading = c.get_item_by_index(1)?;
        let given = c.get_item_by_index(2).ok().filter(|k| !k.is_undefined());
        let key_text = key.as_str().unwrap_or_default().to_string();
        let measure = table.and_then(|t| t.measure(&key_text));
        let kind = match (given.as_ref().and_then(|k| k.as_str()), measure) {
            (Some(kind), Some(m)) if !kind.contains(':') => match m.over {
                Some(over) if OVER_A_COLUMN.contains(&kind) || kind == "interval" => {
                    format!("{kind}:{over}")
                }
                _ => kind.to_string(),
            },
            (Some(kind), _) => kind.to_string(),
            (None, Some(m)) => m.cell(),
            (None, None) if table.is_some_and(|t| t.keys.contains(&key_text.as_str())) => {
                "text".to_string()
            }
            (None, None) => {
                return Err(Error::new(
                    ErrorKind::InvalidOperation,
                    format!(
                        "column '{key_text}' of table '{}' has no declared kind: give one",
                        name.unwrap_or("(unnamed)")
                    ),
                ));
            }
        };
        out.push(Value::from(vec![key, heading, Value::from(kind)]));
    }
    Ok(Value::from(out))
}

/// Adds the filters to `env`, with disclosure control at `threshold`.
pub(super) fn add(env: &mut Environment<'static>, threshold: u32) {
    env.add_filter("declared", |columns: Value, name: Option<String>| {
        declared(&columns, name.as_deref())
    });
    let t = threshold;
    env.add_filter("count", move |v: Value| format::count(num(&v), t));
    env.add_filter("rate", move |v: Value, d: Value| {
        format::rate(num(&v), num(&d), t)
    });
    env.add_filter("mean", move |v: Value, n: Value, digits: Option<usize>| {
        format::mean(num(&v), num(&n), digits.unwrap_or(2), t)
    });
    env.add_filter("money", move |v: Value, c: Option<Value>| {
        format::money(num(&v), c.as_ref().and_then(num), t)
    });
    env.add_filter("percent", |v: Value| format::percent(num(&v)));
    env.add_filter("signed", |v: Value, digits: Option<usize>| {
        format::signed(num(&v), digits.unwrap_or(2))
    });
    env.add_filter("cell", move |v: Value, kind: String, row: Value| {
        let (kind, col) = kind.split_once(':').unwrap_or((kind.as_str(), ""));
        let n = || row.get_attr(col).ok().as_ref().and_then(num);
        let declared = |kind| format::measure(kind, num(&v), n(), t).0;
        match kind {
            "count" => declared(Kind::Count),
            "money" => declared(Kind::Money),
            "rate" => declared(Kind::Rate),
            "part" => declared(Kind::Share),
            "percent" => declared(Kind::Percent),
            "mean" => declared(Kind::Mean),
            "signed" => {
                if format::too_few(n(), t) {
                    format::DASH.into()
                } else {
                    format::signed(num(&v), 2)
                }
            }
            "fixed" => num(&v).map_or(format::DASH.into(), |x| format!("{x:.2}")),
            // A mean gain's 95% interval: the value is its low end, the
            // row's gain_ci_high its high end, COL counts its people.
            "interval" => {
                let high = row.get_attr("gain_ci_high").ok().as_ref().and_then(num);
                match (num(&v), high) {
                    (Some(lo), Some(hi)) if !format::too_few(n(), t) => format!(
                        "{} to {}",
                        format::signed(Some(lo), 2),
                        format::signed(Some(hi), 2)
                    ),
                    _ => format::DASH.into(),
                }
            }
            "int" => num(&v).map_or(format::DASH.into(), |x| format::thousands(x as i64)),
            "label" => {
                if v.is_none() || v.is_undefined() {
                    String::new()
                } else {
                    crate::render::format::label(&v.to_string())
                }
            }
            "p" => num(&v).map_or(format::DASH.into(), |p| {
                if p < 0.001 {
                    "<0.001".into()
                } else {
                    format!("{p:.3}")
                }
            }),
            _ => {
                if v.is_none() || v.is_undefined() {
                    String::new()
                } else {
                    v.to_string()
                }
            }
        }
    });
}
