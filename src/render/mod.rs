//! Rendering: exporters return bytes, so they are pure and testable; the
//! caller decides where the bytes go.

use crate::model::{Rejection, SourceQuality};

/// `rejected.csv`: every rejected value with file, sheet, Excel row, column,
/// value and reason.
pub fn rejected_csv(rejections: &[Rejection]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in rejections {
        w.serialize(r).expect("writing to memory cannot fail");
    }
    if rejections.is_empty() {
        w.write_record([
            "source", "file", "sheet", "row", "column", "value", "reason",
        ])
        .expect("writing to memory cannot fail");
    }
    w.into_inner().expect("writing to memory cannot fail")
}

/// `data_quality.csv`: one row per source file.
pub fn data_quality_csv(sources: &[SourceQuality]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "source",
        "file",
        "rows_read",
        "rows_loaded",
        "rows_rejected",
        "rows_skipped",
        "duplicates_merged",
        "unmatched_agencies",
        "unmatched_links",
    ])
    .expect("writing to memory cannot fail");
    for s in sources {
        w.write_record([
            s.source.clone(),
            s.file.clone(),
            s.rows_read.to_string(),
            s.rows_loaded.to_string(),
            s.rows_rejected.to_string(),
            s.rows_skipped.to_string(),
            s.duplicates_merged.to_string(),
            s.unmatched_agencies.to_string(),
            s.unmatched_links.to_string(),
        ])
        .expect("writing to memory cannot fail");
    }
    w.into_inner().expect("writing to memory cannot fail")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejected_csv_has_a_header_even_when_empty_and_quotes_values() {
        assert_eq!(
            String::from_utf8(rejected_csv(&[])).unwrap(),
            "source,file,sheet,row,column,value,reason\n"
        );
        let r = Rejection {
            source: "attendance".into(),
            file: "attendance.xlsx".into(),
            sheet: "Bookings".into(),
            row: 12,
            column: "Status".into(),
            value: "Maybe, later".into(),
            reason: "unknown status".into(),
        };
        assert_eq!(
            String::from_utf8(rejected_csv(&[r])).unwrap(),
            "source,file,sheet,row,column,value,reason\nattendance,attendance.xlsx,Bookings,12,Status,\"Maybe, later\",unknown status\n"
        );
    }
}
