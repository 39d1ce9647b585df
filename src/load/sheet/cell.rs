//! One cell of a raw sheet, and how a calamine value reads as one.

use calamine::Data;

use crate::display::format_number;

/// One cell, borrowed from a raw column.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell<'a> {
    Empty,
    Text(&'a str),
    Number(f64),
    Bool(bool),
    /// A real spreadsheet date: its serial and the workbook's date system.
    Date {
        serial: f64,
        is_1904: bool,
    },
    /// A date written as ISO text by the file format itself (ODS).
    IsoDate(&'a str),
    /// An Excel error value such as `#N/A` or `#REF!`.
    Error(&'a str),
}

impl Cell<'_> {
    pub fn is_blank(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(s) => s.trim().is_empty(),
            _ => false,
        }
    }

    /// The value as the user would read it, for rejection messages.
    pub fn display(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) | Cell::IsoDate(s) | Cell::Error(s) => s.to_string(),
            Cell::Number(n) => format_number(*n),
            Cell::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
            Cell::Date { serial, is_1904 } => {
                match crate::calendar::date_from_serial(*serial, *is_1904) {
                    Some(d) => d.format("%d/%m/%Y").to_string(),
                    None => format_number(*serial),
                }
            }
        }
    }

    /// Text content, numbers written as Excel would show them.
    pub fn as_text(&self) -> Option<String> {
        match self {
            Cell::Empty => None,
            Cell::Text(s) => {
                let t = s.trim();
                (!t.is_empty()).then(|| t.to_string())
            }
            other => Some(other.display()),
        }
    }
}

pub(super) fn data_cell(d: &Data, is_1904: bool) -> Cell<'_> {
    match d {
        Data::Empty => Cell::Empty,
        Data::String(s) => Cell::Text(s),
        Data::Float(f) => Cell::Number(*f),
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(dt) => Cell::Date {
            serial: dt.as_f64(),
            is_1904,
        },
        Data::DateTimeIso(s) => Cell::IsoDate(s),
        Data::DurationIso(s) => Cell::Text(s),
        Data::Error(e) => Cell::Error(error_text(e)),
    }
}

fn error_text(e: &calamine::CellErrorType) -> &'static str {
    use calamine::CellErrorType::*;
    match e {
        Div0 => "#DIV/0!",
        NA => "#N/A",
        Name => "#NAME?",
        Null => "#NULL!",
        Num => "#NUM!",
        Ref => "#REF!",
        Value => "#VALUE!",
        GettingData => "#GETTING_DATA",
    }
}
