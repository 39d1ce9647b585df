//! Output tables read back from CSV, and how an expected cell is matched.

use std::collections::HashMap;
use std::path::Path;

/// A CSV table: its file name, header and rows by column name.
pub struct Csv {
    pub name: String,
    pub header: Vec<String>,
    pub rows: Vec<HashMap<String, String>>,
}

pub fn read_csv(path: &Path) -> Csv {
    let mut r = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    let rows = r
        .records()
        .map(|rec| {
            let rec = rec.unwrap();
            header
                .iter()
                .cloned()
                .zip(rec.iter().map(str::to_string))
                .collect()
        })
        .collect();
    Csv {
        name: path.file_name().unwrap().to_string_lossy().into_owned(),
        header,
        rows,
    }
}

impl Csv {
    pub fn assert_header(&self, columns: &str) {
        assert_eq!(self.header.join(","), columns, "{}", self.name);
    }

    pub fn assert_keys(&self, key: &str, keys: &[&str]) {
        let got: Vec<&str> = self.rows.iter().map(|r| r[key].as_str()).collect();
        assert_eq!(got, keys, "{}: rows by {key}", self.name);
    }
}

/// Whether the cell `got` is what the expected cell `want` asks for. Text, an
/// empty cell and a whole number must match exactly. A decimal or a fraction
/// (`5/18`, written as it was worked out) must be within 1e-12 of it: the
/// last digit of a double depends on the order of the sums. `~x` marks a
/// value from a published table (Student's t), to match within 1e-8.
pub fn cell_matches(want: &str, got: &str) -> bool {
    if let Some(approx) = want.strip_prefix('~') {
        return near(approx.parse().ok(), got, 1e-8);
    }
    if got == want || want.parse::<i64>().is_ok() {
        return got == want;
    }
    match fraction(want).or_else(|| want.parse().ok()) {
        Some(f) => near(Some(f), got, 1e-12),
        None => false,
    }
}

fn near(want: Option<f64>, got: &str, tolerance: f64) -> bool {
    let (Some(f), Ok(g)) = (want, got.parse::<f64>()) else {
        return false;
    };
    (g - f).abs() <= tolerance * f.abs().max(1.0)
}

/// `a/b` of two decimals, as a number.
fn fraction(text: &str) -> Option<f64> {
    let (a, b) = text.split_once('/')?;
    Some(a.trim().parse::<f64>().ok()? / b.trim().parse::<f64>().ok()?)
}
