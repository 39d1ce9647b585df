//! Charts as SVG strings, drawn with plotters' SVG backend (no font files:
//! the reader's browser draws the text).
//!
//! Every chart is laid out by hand from plain numbers, so it is the same
//! bytes for the same data, and every one carries `role="img"`, a `<title>`
//! and a `<desc>`. Colours are the Okabe-Ito palette and a purple-orange
//! diverging scale, safe for colour-blind readers; every bar also carries its
//! value as text, so nothing depends on colour alone, printed in grey or not.

mod bars;
mod canvas;
mod likert;
#[cfg(test)]
mod tests;
mod trend;

pub use bars::bars;
pub use canvas::{Bar, BarChart, Chart, LikertRow, Point, Shade};
pub use likert::likert;
pub use trend::trend;
