//! How values read in messages and cells: whole numbers without a decimal
//! point, and lists of names quoted.

/// `3` for 3.0, `2.5` for 2.5: a number as a spreadsheet shows it.
pub fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// `'a', 'b', 'c'`: names quoted for a message.
pub fn quote_list(items: &[&str]) -> String {
    items
        .iter()
        .map(|s| format!("'{s}'"))
        .collect::<Vec<_>>()
        .join(", ")
}
