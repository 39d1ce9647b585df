//! The period's headline figures in one paragraph for the terminal.

use crate::metrics::{Metrics, tables};

/// The period's headline figures in one paragraph for the terminal.
pub fn headline(m: &Metrics) -> String {
    let get = |table: &str, row: usize, col: &str| {
        m.table(table)
            .map(|t| t.get(row, col))
            .and_then(|v| v.as_f64())
    };
    // A figure of an `_overall` table by the kind its table declares: a
    // fraction as a percentage to 1 place, a count or pounds whole. Not
    // disclosure-controlled: this is for whoever runs the report.
    let plain = |table: &str, col: &str| {
        let fraction = tables::measure(table, col).is_some_and(|m| m.kind.is_fraction());
        get(table, 0, col).map_or("-".to_string(), |v| {
            if fraction {
                format!("{:.1}%", 100.0 * v)
            } else {
                format!("{v:.0}")
            }
        })
    };
    let rag = |name: &str| {
        m.table("coverage_by_agency").map_or(0, |t| {
            (0..t.height())
                .filter(|&i| t.get(i, "rag").to_text() == name)
                .count()
        })
    };
    let gain = m
        .table("learning_gain_overall")
        .map(|t| (t.get(0, "mean_gain"), t.get(0, "p_value")));
    let gain = match gain {
        Some((g, p)) if g.as_f64().is_some() => format!(
            "mean gain {:+.2} (p {})",
            g.as_f64().unwrap_or_default(),
            p.as_f64().map_or("-".into(), |p| if p < 0.001 {
                "< 0.001".into()
            } else {
                format!("{p:.3}")
            })
        ),
        _ => "no paired forms".into(),
    };
    format!(
        "{} (as of {}): {} registrations, {} trained; non-attendance {}, charges £{}; \
         {} paired forms, {gain}; impact response {}, applied {}; \
         agencies red {}, amber {}, green {}, no return {}",
        m.period,
        m.as_of,
        plain("attendance_overall", "registrations"),
        plain("attendance_overall", "trained"),
        plain("attendance_overall", "non_attendance_rate"),
        plain("attendance_overall", "charges"),
        plain("learning_gain_overall", "n_paired"),
        plain("impact_overall", "response_rate"),
        plain("impact_overall", "applied_rate"),
        rag("red"),
        rag("amber"),
        rag("green"),
        rag("missing"),
    )
}
