//! The output tables, declared once: each table's name, the query it is read
//! from, its key columns and, for each measure, its kind and the count it is
//! disclosed over. Metrics build the tables from this list, the pages format
//! their cells and headline figures by it, and `tables.xlsx` shows its
//! fractions as percentages by it.
//!
//! A column that an overriding query adds, beyond those declared here, is
//! kept: it follows the declared ones in the table, in the query's order.

/// What a measure is, which says how a page shows it and when it withholds
/// it (METRICS.md "What a reader sees").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// People or rows: withheld from 1 to `threshold - 1`.
    Count,
    /// A fraction of the people counted in `over`: withheld over fewer than
    /// the threshold, or where the count it stands for is small.
    Rate,
    /// A fraction withheld only when the count `over` is small: the count it
    /// stands for (trained of places, a funnel stage of the stage before),
    /// or, for a Likert item's shares, the paired forms they are shares of.
    Share,
    /// A mean or other statistic over the people counted in `over`.
    Mean,
    /// Pounds, withheld where `over` (the count it is charged for) is small.
    Money,
    /// A fraction that counts no one (a target).
    Percent,
    /// A number that counts no one (a ratio, a test statistic).
    Number,
    /// Text: a rating, flags, a file name.
    Text,
}

impl Kind {
    /// Whether the workbook shows the column as a percentage (a target,
    /// counting no one, is shown as written).
    pub fn is_fraction(self) -> bool {
        matches!(self, Kind::Rate | Kind::Share)
    }
}

/// One measure of a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Measure {
    pub name: &'static str,
    pub kind: Kind,
    /// The column of the same row counting the people the value is
    /// disclosed over.
    pub over: Option<&'static str>,
}

impl Measure {
    /// The `cell` kind a page shows it with by default (see
    /// [`crate::render::html`]): `count`, `rate:registrations`, ...
    pub fn cell(&self) -> String {
        let kind = match self.kind {
            Kind::Count => "count",
            Kind::Rate => "rate",
            Kind::Share => "part",
            Kind::Mean => "mean",
            Kind::Money => "money",
            Kind::Percent => "percent",
            Kind::Number => "fixed",
            Kind::Text => "text",
        };
        match self.over {
            Some(over) => format!("{kind}:{over}"),
            None => kind.to_string(),
        }
    }
}

const fn new(name: &'static str, kind: Kind, over: Option<&'static str>) -> Measure {
    Measure { name, kind, over }
}
const fn count(name: &'static str) -> Measure {
    new(name, Kind::Count, None)
}
const fn rate(name: &'static str, over: &'static str) -> Measure {
    new(name, Kind::Rate, Some(over))
}
const fn share(name: &'static str, part: &'static str) -> Measure {
    new(name, Kind::Share, Some(part))
}
const fn mean(name: &'static str, over: &'static str) -> Measure {
    new(name, Kind::Mean, Some(over))
}
const fn money(name: &'static str, over: Option<&'static str>) -> Measure {
    new(name, Kind::Money, over)
}
const fn percent(name: &'static str) -> Measure {
    new(name, Kind::Percent, None)
}
const fn number(name: &'static str) -> Measure {
    new(name, Kind::Number, None)
}
const fn text(name: &'static str) -> Measure {
    new(name, Kind::Text, None)
}

/// How a table's rows come from its query's result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rows {
    /// Every row, as the query returns it.
    All,
    /// The rows of one breakdown of a long result (`dimension`, `key`,
    /// measures): those whose `dimension` is the table's key, `key` renamed
    /// to it.
    Breakdown,
    /// The `overall` row of a long result, keyed by the period.
    Overall,
    /// Learning gain worked out for each group of the query's paired rows
    /// (one group, the period, for an `_overall` table).
    Gain,
    /// Worked out from the load's ledger or from other tables, not a query.
    Built,
}

/// One output table: `tables/<name>.csv`, `.parquet` and a sheet of
/// `tables.xlsx`.
#[derive(Debug, Clone, Copy)]
pub struct Declared {
    pub name: &'static str,
    /// The query (`queries/<query>.sql`) it is read from.
    pub query: Option<&'static str>,
    pub rows: Rows,
    /// The columns that name a row, first in the table.
    pub keys: &'static [&'static str],
    pub measures: &'static [Measure],
    /// Columns of the query's result that the table leaves out.
    pub omit: &'static [&'static str],
}

impl Declared {
    pub fn measure(&self, column: &str) -> Option<&'static Measure> {
        self.measures.iter().find(|m| m.name == column)
    }

    /// Every declared column, keys first.
    pub fn columns(&self) -> Vec<&'static str> {
        self.keys
            .iter()
            .copied()
            .chain(self.measures.iter().map(|m| m.name))
            .collect()
    }
}

/// The attendance measures by course, quarter, mode and level, in order.
const ATTENDANCE: &[Measure] = &[
    count("sessions"),
    count("places"),
    count("registrations"),
    count("attended"),
    count("walk_ins"),
    count("dna"),
    count("late_cancellations"),
    count("cancellations"),
    count("trained"),
    share("take_up_rate", "trained"),
    rate("attendance_rate", "registrations"),
    rate("non_attendance_rate", "registrations"),
    rate("late_cancellation_rate", "registrations"),
    rate("cancellation_rate", "registrations"),
    count("unused_places"),
    count("chargeable"),
    money("charges", Some("chargeable")),
    money("cost", None),
    money("cost_per_trained", Some("trained")),
];

/// The attendance measures by agency: sessions, places and cost are not
/// defined by agency.
const ATTENDANCE_BY_AGENCY: &[Measure] = &[
    count("registrations"),
    count("attended"),
    count("walk_ins"),
    count("dna"),
    count("late_cancellations"),
    count("cancellations"),
    count("trained"),
    rate("attendance_rate", "registrations"),
    rate("non_attendance_rate", "registrations"),
    rate("late_cancellation_rate", "registrations"),
    rate("cancellation_rate", "registrations"),
    count("chargeable"),
    money("charges", Some("chargeable")),
];
const SESSION_MEASURES: &[&str] = &[
    "sessions",
    "places",
    "take_up_rate",
    "unused_places",
    "cost",
    "cost_per_trained",
];

/// Learning gain, as [`crate::metrics::stats::learning_gain`] works it out.
/// The signed-rank test needs 10 forms that changed, so its statistics are
/// empty, not withheld, for fewer.
pub const GAIN: &[Measure] = &[
    count("n_paired"),
    mean("pre_mean", "n_paired"),
    mean("post_mean", "n_paired"),
    mean("mean_gain", "n_paired"),
    mean("hake_gain", "n_paired"),
    mean("mean_normalised_change", "n_paired"),
    rate("pct_improved", "n_paired"),
    rate("pct_unchanged", "n_paired"),
    rate("pct_worse", "n_paired"),
    number("wilcoxon_z"),
    number("p_value"),
    number("effect_size_r"),
    number("rank_biserial"),
    mean("gain_ci_low", "n_paired"),
    mean("gain_ci_high", "n_paired"),
    mean("hake_ci_low", "n_paired"),
    mean("hake_ci_high", "n_paired"),
];

const REACTION: &[Measure] = &[
    count("responses"),
    mean("satisfaction_mean", "responses"),
    rate("pct_satisfied", "responses"),
    mean("relevance_mean", "responses"),
];

/// The counts of the applied-learning rate: those who answered yes, and all
/// who answered the question, whom the rate is disclosed over.
const IMPACT_OVERALL: &[Measure] = &[
    count("eligible"),
    count("responses"),
    rate("response_rate", "eligible"),
    rate("applied_rate", "answered_applied"),
    count("applied"),
    count("answered_applied"),
];

const fn breakdown(
    name: &'static str,
    query: &'static str,
    key: &'static [&'static str],
) -> Declared {
    Declared {
        name,
        query: Some(query),
        rows: Rows::Breakdown,
        keys: key,
        measures: ATTENDANCE,
        omit: &[],
    }
}

const fn gain(name: &'static str, query: &'static str, key: &'static [&'static str]) -> Declared {
    Declared {
        name,
        query: Some(query),
        rows: Rows::Gain,
        keys: key,
        measures: GAIN,
        omit: &[],
    }
}

/// Every output table, in the order of the workbook's sheets: METRICS.md's
/// order, then the further breakdowns, then the tables worked out from
/// others.
pub const TABLES: &[Declared] = &[
    breakdown("attendance_by_course", "attendance_groups", &["course"]),
    Declared {
        name: "attendance_by_agency",
        query: Some("attendance_groups"),
        rows: Rows::Breakdown,
        keys: &["agency"],
        measures: ATTENDANCE_BY_AGENCY,
        omit: SESSION_MEASURES,
    },
    breakdown("attendance_by_quarter", "attendance_groups", &["quarter"]),
    gain("learning_gain_by_course", "paired_forms", &["course"]),
    gain("learning_gain_by_item", "paired_items", &["item"]),
    Declared {
        name: "impact_by_course",
        query: Some("impact_groups"),
        rows: Rows::Breakdown,
        keys: &["course"],
        measures: &[
            count("eligible"),
            count("responses"),
            rate("response_rate", "eligible"),
            rate("applied_rate", "answered_applied"),
            count("answered_applied"),
        ],
        omit: &["applied"],
    },
    Declared {
        name: "funnel",
        query: Some("funnel"),
        rows: Rows::All,
        keys: &["stage"],
        measures: &[count("count"), text("of_stage"), share("share", "count")],
        omit: &[],
    },
    Declared {
        name: "coverage_by_agency",
        query: Some("coverage_by_agency"),
        rows: Rows::All,
        keys: &["agency"],
        measures: &[
            count("headcount"),
            count("trained"),
            rate("pct_trained", "headcount"),
            count("gap"),
            text("rag"),
            count("ma_trained"),
            number("per_100_staff"),
            number("representation"),
            text("flags"),
        ],
        omit: &[],
    },
    Declared {
        name: "coverage_by_agency_level",
        query: Some("coverage_by_agency_level"),
        rows: Rows::All,
        keys: &["agency", "level"],
        measures: &[
            count("headcount"),
            count("trained"),
            rate("pct_trained", "headcount"),
            percent("target"),
            count("gap"),
            text("rag"),
        ],
        omit: &[],
    },
    Declared {
        name: "currency_by_agency",
        query: Some("currency_by_agency"),
        rows: Rows::All,
        keys: &["agency"],
        measures: &[
            count("trained_current"),
            count("lapsing"),
            count("headcount"),
            rate("pct_current", "headcount"),
        ],
        omit: &[],
    },
    Declared {
        name: "data_quality",
        query: None,
        rows: Rows::Built,
        keys: &["source", "file"],
        measures: &[
            count("rows_read"),
            count("rows_loaded"),
            count("rows_rejected"),
            count("rows_skipped"),
            count("duplicates_merged"),
            count("unmatched_agencies"),
            count("unmatched_links"),
            count("undated_cancellations"),
        ],
        omit: &[],
    },
    // Further breakdowns.
    breakdown("attendance_by_mode", "attendance_groups", &["mode"]),
    breakdown("attendance_by_level", "attendance_groups", &["level"]),
    gain("learning_gain_by_agency", "paired_forms", &["agency"]),
    gain("learning_gain_by_quarter", "paired_forms", &["quarter"]),
    Declared {
        name: "reaction_by_course",
        query: Some("reaction_groups"),
        rows: Rows::Breakdown,
        keys: &["course"],
        measures: REACTION,
        omit: &[],
    },
    Declared {
        name: "reaction_overall",
        query: Some("reaction_groups"),
        rows: Rows::Overall,
        keys: &["period"],
        measures: REACTION,
        omit: &[],
    },
    Declared {
        name: "impact_by_item",
        query: Some("impact_by_item"),
        rows: Rows::All,
        keys: &["item"],
        measures: &[
            count("responses"),
            mean("mean", "responses"),
            rate("pct_agree", "responses"),
        ],
        omit: &["scale_min", "scale_max"],
    },
    Declared {
        name: "attendance_overall",
        query: Some("attendance_groups"),
        rows: Rows::Overall,
        keys: &["period"],
        measures: ATTENDANCE,
        omit: &[],
    },
    gain("learning_gain_overall", "paired_forms", &["period"]),
    Declared {
        name: "impact_overall",
        query: Some("impact_groups"),
        rows: Rows::Overall,
        keys: &["period"],
        measures: IMPACT_OVERALL,
        omit: &[],
    },
    Declared {
        name: "likert_answers",
        query: Some("likert_answers"),
        rows: Rows::All,
        keys: &["item", "phase", "score"],
        measures: &[count("answers"), number("scale_min"), number("scale_max")],
        omit: &[],
    },
    Declared {
        name: "unmatched_agencies",
        query: None,
        rows: Rows::Built,
        keys: &["agency"],
        measures: &[count("rows"), text("rows_by_source"), text("suggestion")],
        omit: &[],
    },
    Declared {
        name: "rejected",
        query: None,
        rows: Rows::Built,
        keys: &["source", "file", "sheet", "row", "column"],
        measures: &[text("value"), text("reason")],
        omit: &[],
    },
    // Worked out from the tables above.
    Declared {
        name: "attention",
        query: None,
        rows: Rows::Built,
        keys: &["kind", "subject"],
        measures: &[
            text("table"),
            text("measure"),
            number("value"),
            count("people"),
            number("threshold"),
        ],
        omit: &[],
    },
    Declared {
        name: "likert_shares",
        query: None,
        rows: Rows::Built,
        keys: &["item", "phase", "score"],
        measures: &[count("answers"), count("paired"), share("share", "paired")],
        omit: &[],
    },
];

/// True when a group of `n` people is too small to show a rate or mean of:
/// the disclosure rule every measure's `over` count is held to.
pub fn too_few(n: Option<f64>, threshold: u32) -> bool {
    n.is_none_or(|n| n < f64::from(threshold))
}

/// The declared table `name`.
pub fn table(name: &str) -> Option<&'static Declared> {
    TABLES.iter().find(|t| t.name == name)
}

/// The measure `column` of the table `name`, if declared.
pub fn measure(name: &str, column: &str) -> Option<&'static Measure> {
    table(name).and_then(|t| t.measure(column))
}

#[cfg(test)]
mod tests;
