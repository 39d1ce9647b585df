"""The benchmark's peer: the analysis an analyst would script with polars and
scipy on the same exports that `hubreport report` reads, for one financial
year.

    python benches/peer.py DATA_DIR OUT_DIR [--period 2025-26] [--notice-days 7]

Reads attendance, sessions, evaluations and the agency register (xlsx through
calamine, or csv), finds each header row below any title lines, and writes
attendance by course, agency and quarter and learning gain by course (with the
Wilcoxon signed-rank test) as CSV files into OUT_DIR, with the columns and
definitions of METRICS.md.

What it does not do, unlike hubreport: reject bad rows with reasons (it drops
what it cannot read), pseudonymise, read impact surveys or agency returns,
render reports.
"""

import argparse
import csv
import itertools
import re
import unicodedata
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
from scipy import stats

SPREADSHEETS = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")

# Canonical column -> the header spellings exports use, compared ignoring
# case, spaces and punctuation (hubreport's built-in spellings).
SESSION_ID = ["session id", "session", "session ref", "session reference", "event id",
              "course session id"]
DELEGATE_ID = ["delegate id", "delegate", "email", "email address", "delegate email",
               "attendee id", "attendee email", "learner id", "learner email", "user id",
               "person id"]
AGENCY = ["agency", "organisation", "organization", "employer", "agency name",
          "organisation name", "organization name"]
COURSE = ["course", "course title", "course name", "title"]
SESSION_DATE = ["session date", "date", "event date", "course date", "start date"]

COLUMNS = {
    "attendance": {
        "session_id": SESSION_ID,
        "delegate_id": DELEGATE_ID,
        "agency": AGENCY,
        "status": ["status", "attendance status", "attendance", "booking status"],
        "course": COURSE,
        "session_date": SESSION_DATE,
        "cancelled_at": ["cancelled at", "cancellation date", "date cancelled",
                         "cancelled date", "cancelled on"],
    },
    "sessions": {
        "session_id": SESSION_ID,
        "course": COURSE,
        "session_date": SESSION_DATE,
        "places": ["places", "capacity", "max places", "places available"],
        "duration": ["duration", "length", "session length"],
        "trainer_cost": ["trainer cost", "trainer fee", "trainer costs"],
        "venue_cost": ["venue cost", "room cost", "venue costs"],
    },
    "evaluations": {
        "session_id": SESSION_ID,
        "delegate_id": DELEGATE_ID,
    },
    "agencies": {
        "agency": ["agency", "agency name", "name", "organisation", "organization"],
        "aliases": ["aliases", "alias", "also known as", "other names"],
        "charge_exempt": ["charge exempt", "exempt", "no charge"],
    },
}

STATUSES = {
    "attended": ["Attended", "Checked In", "Present", "Completed"],
    "dna": ["DNA", "Did not attend", "No show", "Not checked in", "Absent"],
    "late_cancellation": ["Late cancellation"],
    "cancelled": ["Cancelled", "Withdrawn", "Refunded"],
    "walk_in": ["Walk-in", "Walk in", "Unbooked"],
}
# Duplicate bookings (same session and delegate): the first of these wins.
STATUS_RANK = {"attended": 0, "walk_in": 1, "dna": 2, "late_cancellation": 3, "cancelled": 4}

LIKERT = ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree",
          "Strongly agree"]
SCALE_MIN, SCALE_MAX = 1, 5
FEE_FULL_DAY, FEE_HALF_DAY = 75.0, 50.0


# ---------------------------------------------------------------- reading

def header_key(text):
    return re.sub(r"[\W_]", "", str(text)).lower()


def fold(text):
    """Names and labels compared ignoring case, spacing, punctuation and &/and."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = text.replace("'", "").replace("\u2019", "").replace("&", " and ")
    return " ".join(re.findall(r"[^\W_]+", text))


def find_file(folder, stem):
    for ext in SPREADSHEETS + (".csv",):
        path = folder / f"{stem}{ext}"
        if path.exists():
            return path
    return None


def header_row(rows, lookup):
    """The first of the top 30 rows naming the most known columns."""
    scores = [len({lookup[k] for k in map(header_key, filter(None, row)) if k in lookup})
              for row in rows[:30]]
    return scores.index(max(scores))


def read_table(path, source):
    """A file's data rows as text, its known columns renamed to canonical names."""
    lookup = {header_key(alias): name
              for name, aliases in COLUMNS[source].items() for alias in [name, *aliases]}
    if path.suffix.lower() == ".csv":
        with open(path, newline="", encoding="utf-8-sig") as f:
            top = list(itertools.islice(csv.reader(f), 30))
        skip = header_row(top, lookup)
        df = pl.read_csv(path, skip_rows=skip, infer_schema_length=0)
    else:
        raw = pl.read_excel(path, engine="calamine", has_header=False, infer_schema_length=0)
        skip = header_row(raw.head(30).rows(), lookup)
        names = [h if h is not None else f"column_{i}" for i, h in enumerate(raw.row(skip))]
        df = raw.slice(skip + 1)
        df.columns = names
    renames, taken = {}, set()
    for h in df.columns:
        name = lookup.get(header_key(h))
        if name and name not in taken:
            renames[h] = name
            taken.add(name)
    return df.rename(renames)


def parse_date(col):
    """Spreadsheet dates (read as 'YYYY-MM-DD 00:00:00'), ISO text or UK dd/mm/yyyy."""
    text = pl.col(col).str.strip_chars()
    return pl.coalesce(
        text.str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False),
        text.str.to_date("%d/%m/%Y", strict=False),
    )


def parse_number(col):
    """'£1,250' -> 1250; 'TBC', '-', 'N/A' and blanks -> null."""
    return pl.col(col).str.replace_all(r"[£,\s]", "").cast(pl.Float64, strict=False)


def ident(col):
    return pl.col(col).str.strip_chars().str.to_lowercase()


def likert_value(text):
    """'4', '4 - Agree' or 'Agree' -> 4.0; anything else -> None."""
    m = re.match(r"\s*(\d+(?:\.\d+)?)", text)
    if m:
        return float(m.group(1))
    labels = {fold(label): float(i + 1) for i, label in enumerate(LIKERT)}
    return labels.get(fold(text))


# ---------------------------------------------------------------- loading

def load_register(folder):
    """Folded name or alias -> register name, and the charge-exempt agencies."""
    path = find_file(folder, "agencies")
    if path is None:
        return {}, set()
    reg = read_table(path, "agencies")
    names = {}
    exempt = set()
    for row in reg.iter_rows(named=True):
        name = (row["agency"] or "").strip()
        if not name:
            continue
        names[fold(name)] = name
        for alias in (row.get("aliases") or "").split(";"):
            if alias.strip():
                names.setdefault(fold(alias), name)
        if (row.get("charge_exempt") or "").strip().lower() in ("yes", "y", "true", "1"):
            exempt.add(name)
    return names, exempt


def resolve_agencies(raw_names, register):
    """Each spelling -> its register name; unknown names are kept as first written."""
    mapping, unknown = {}, {}
    for raw in raw_names:
        key = fold(raw)
        if key in register:
            mapping[raw] = register[key]
        else:
            mapping[raw] = unknown.setdefault(key, raw.strip())
    return mapping


def load_sessions(folder):
    s = read_table(find_file(folder, "sessions"), "sessions")
    duration = pl.col("duration").str.to_lowercase()
    hours = duration.str.extract(r"^\s*(\d+(?:\.\d+)?)").cast(pl.Float64)
    return (
        s.select(
            ident("session_id").alias("session_id"),
            pl.col("course").str.strip_chars().alias("course"),
            parse_date("session_date").alias("session_date"),
            parse_number("places").cast(pl.Int64).alias("places"),
            (duration.str.contains("half") | (hours < 4.5)).fill_null(False).alias("half_day"),
            pl.when(pl.col("trainer_cost").is_null() & pl.col("venue_cost").is_null())
            .then(None)
            .otherwise(parse_number("trainer_cost").fill_null(0) + parse_number("venue_cost").fill_null(0))
            .alias("cost"),
        )
        .drop_nulls(["session_id", "course", "session_date"])
        .unique("session_id", keep="first", maintain_order=True)
    )


def load_bookings(folder, sessions, register, exempt, notice_days):
    a = read_table(find_file(folder, "attendance"), "attendance")
    statuses = {fold(label): status for status, labels in STATUSES.items() for label in labels}
    statuses.update({fold(s): s for s in STATUSES})
    status_map = {raw: statuses.get(fold(raw)) for raw in a["status"].drop_nulls().unique()}
    agency_map = resolve_agencies(a["agency"].drop_nulls().unique(maintain_order=True), register)
    has = set(a.columns)
    bookings = (
        a.select(
            ident("session_id").alias("session_id"),
            ident("delegate_id").alias("delegate_id"),
            pl.col("agency").replace_strict(agency_map, default=None).alias("agency"),
            pl.col("status").replace_strict(status_map, default=None).alias("status"),
            (pl.col("course") if "course" in has else pl.lit(None, pl.String)).alias("att_course"),
            (parse_date("session_date") if "session_date" in has else pl.lit(None, pl.Date)).alias("att_date"),
            (parse_date("cancelled_at") if "cancelled_at" in has else pl.lit(None, pl.Date)).alias("cancelled_at"),
        )
        .drop_nulls(["session_id", "delegate_id", "agency", "status"])
        .join(sessions, on="session_id", how="left")
        .with_columns(
            pl.coalesce("session_date", "att_date").alias("session_date"),
            pl.coalesce("course", "att_course", pl.lit("(no course)")).alias("course"),
            pl.col("course").is_not_null().alias("listed_session"),
        )
        .drop_nulls("session_date")
        # A cancellation within the notice period (or after the session) is late.
        .with_columns(
            pl.when((pl.col("status") == "cancelled")
                    & ((pl.col("session_date") - pl.col("cancelled_at")).dt.total_days() <= notice_days))
            .then(pl.lit("late_cancellation"))
            .otherwise(pl.col("status"))
            .alias("status")
        )
        # Duplicate bookings: the best status wins.
        .with_columns(pl.col("status").replace_strict(STATUS_RANK).alias("rank"))
        .sort("rank", maintain_order=True)
        .unique(["session_id", "delegate_id"], keep="first", maintain_order=True)
    )
    charged = pl.col("status").is_in(["dna", "late_cancellation"]) & ~pl.col("agency").is_in(list(exempt))
    return bookings.with_columns(
        charged.cast(pl.Int64).alias("chargeable"),
        pl.when(charged)
        .then(pl.when(pl.col("half_day")).then(FEE_HALF_DAY).otherwise(FEE_FULL_DAY))
        .otherwise(0.0)
        .alias("charge"),
    )


def with_period(df):
    """Financial year (from April) and quarter labels of session_date."""
    d = pl.col("session_date")
    fy = d.dt.year() - (d.dt.month() < 4).cast(pl.Int32)
    q = (d.dt.month() + 8) % 12 // 3 + 1
    return df.with_columns(
        fy.alias("fy"),
        pl.format("{}-{} Q{}", fy, ((fy + 1) % 100).cast(pl.String).str.zfill(2), q).alias("quarter"),
    )


# ---------------------------------------------------------------- metrics

def attendance_table(bookings, sessions, key):
    s = pl.col("status")
    counts = bookings.group_by(key).agg(
        (s == "attended").sum().alias("attended"),
        (s == "walk_in").sum().alias("walk_ins"),
        (s == "dna").sum().alias("dna"),
        (s == "late_cancellation").sum().alias("late_cancellations"),
        (s == "cancelled").sum().alias("cancellations"),
        pl.col("chargeable").sum(),
        pl.col("charge").sum().alias("charges"),
    )
    if sessions is not None:
        per_session = sessions.group_by(key).agg(
            pl.len().alias("sessions"),
            pl.when(pl.col("places").count() > 0).then(pl.col("places").sum()).alias("places"),
            pl.when(pl.col("cost").count() > 0).then(pl.col("cost").sum()).alias("cost"),
        )
        counts = per_session.join(counts, on=key, how="full", coalesce=True)
    counts = counts.with_columns(
        pl.col("attended", "walk_ins", "dna", "late_cancellations", "cancellations",
               "chargeable").fill_null(0),
        pl.col("charges").fill_null(0.0),
    ).with_columns(
        (pl.col("attended") + pl.col("dna") + pl.col("late_cancellations")
         + pl.col("cancellations")).alias("registrations"),
        (pl.col("attended") + pl.col("walk_ins")).alias("trained"),
    )
    reg = pl.col("registrations")

    def rate(num, den):
        return pl.when(den > 0).then(num / den)

    rates = [
        rate(pl.col("attended"), reg).alias("attendance_rate"),
        rate(pl.col("dna"), reg).alias("non_attendance_rate"),
        rate(pl.col("late_cancellations"), reg).alias("late_cancellation_rate"),
        rate(pl.col("cancellations") + pl.col("late_cancellations"), reg).alias("cancellation_rate"),
    ]
    cols = [key]
    if sessions is not None:
        rates += [
            rate(pl.col("trained"), pl.col("places")).alias("take_up_rate"),
            pl.when(pl.col("places").is_not_null())
            .then(pl.max_horizontal(pl.lit(0), pl.col("places") - pl.col("trained")))
            .alias("unused_places"),
            rate(pl.col("cost"), pl.col("trained")).alias("cost_per_trained"),
        ]
        cols += ["sessions", "places"]
    cols += ["registrations", "attended", "walk_ins", "dna", "late_cancellations",
             "cancellations", "trained"]
    if sessions is not None:
        cols += ["take_up_rate"]
    cols += ["attendance_rate", "non_attendance_rate", "late_cancellation_rate",
             "cancellation_rate"]
    if sessions is not None:
        cols += ["unused_places"]
    cols += ["chargeable", "charges"]
    if sessions is not None:
        cols += ["cost", "cost_per_trained"]
    return counts.with_columns(rates).select(cols).sort(key)


def paired_forms(folder, bookings):
    """One row per paired form: its course, pre and post means."""
    path = find_file(folder, "evaluations")
    ev = read_table(path, "evaluations")
    items = {}
    for h in ev.columns:
        m = re.match(r"\s*(pre|post)\b\W*(.+)", h, re.IGNORECASE)
        if m:
            items.setdefault(fold(m.group(2)), {})[m.group(1).lower()] = h
    pairs = [(f["pre"], f["post"]) for f in items.values() if "pre" in f and "post" in f]
    score_cols = [c for pair in pairs for c in pair]
    # Only a handful of distinct answers: parse each once.
    answers = pl.concat([ev[c] for c in score_cols]).drop_nulls().unique()
    scores = {a: likert_value(a) for a in answers}
    ev = ev.select(
        ident("session_id").alias("session_id"),
        ident("delegate_id").alias("delegate_id"),
        *[pl.col(c).replace_strict(scores, default=None, return_dtype=pl.Float64) for c in score_cols],
    ).drop_nulls(["session_id", "delegate_id"])
    off_scale = pl.any_horizontal([~pl.col(c).is_between(SCALE_MIN, SCALE_MAX) for c in score_cols])
    ev = (
        ev.filter(~off_scale.fill_null(False))
        .unique(["session_id", "delegate_id"], keep="first", maintain_order=True)
    )
    both = [pl.col(pre).is_not_null() & pl.col(post).is_not_null() for pre, post in pairs]
    n_items = pl.sum_horizontal([b.cast(pl.Int32) for b in both])
    pre = pl.sum_horizontal([pl.when(b).then(pl.col(p)) for b, (p, _) in zip(both, pairs)]) / n_items
    post = pl.sum_horizontal([pl.when(b).then(pl.col(q)) for b, (_, q) in zip(both, pairs)]) / n_items
    trained = bookings.filter(pl.col("status").is_in(["attended", "walk_in"])).select(
        "session_id", "delegate_id", "course")
    return (
        ev.filter(n_items > 0)
        .select("session_id", "delegate_id", pre.alias("pre"), post.alias("post"))
        .join(trained, on=["session_id", "delegate_id"], how="inner")
    )


def signed_rank(d):
    """Wilcoxon signed-rank test (normal approximation, tie-corrected, no
    continuity correction): z signed so that positive means scores rose."""
    nz = d[d != 0]
    n = len(nz)
    if n < 10:
        return None, None, None, None
    res = stats.wilcoxon(nz, zero_method="wilcox", correction=False, method="approx")
    ranks = stats.rankdata(np.abs(nz))
    w_plus, w_minus = ranks[nz > 0].sum(), ranks[nz < 0].sum()
    z = np.sign(w_plus - w_minus) * abs(res.zstatistic)
    return z, res.pvalue, z / np.sqrt(n), (w_plus - w_minus) / (w_plus + w_minus)


def learning_gain_table(forms, key):
    d = (pl.col("post") - pl.col("pre")).round(9)
    forms = forms.with_columns(d.alias("d")).with_columns(
        pl.when(pl.col("d") > 0).then((pl.col("post") - pl.col("pre")) / (SCALE_MAX - pl.col("pre")))
        .when(pl.col("d") < 0).then((pl.col("post") - pl.col("pre")) / (pl.col("pre") - SCALE_MIN))
        .when((pl.col("pre") == SCALE_MAX) | (pl.col("pre") == SCALE_MIN)).then(None)
        .otherwise(0.0)
        .alias("c")
    )
    table = forms.group_by(key).agg(
        pl.len().alias("n_paired"),
        pl.col("pre").mean().alias("pre_mean"),
        pl.col("post").mean().alias("post_mean"),
        pl.col("d").mean().alias("mean_gain"),
        pl.col("c").mean().alias("mean_normalised_change"),
        (pl.col("d") > 0).mean().alias("pct_improved"),
        (pl.col("d") == 0).mean().alias("pct_unchanged"),
        (pl.col("d") < 0).mean().alias("pct_worse"),
        pl.col("d"),
    )
    tests = [signed_rank(np.asarray(d)) for d in table["d"]]
    return (
        table.with_columns(
            pl.when(pl.col("pre_mean").round(9) != SCALE_MAX)
            .then((pl.col("post_mean") - pl.col("pre_mean")) / (SCALE_MAX - pl.col("pre_mean")))
            .alias("hake_gain"),
            pl.Series("wilcoxon_z", [t[0] for t in tests], pl.Float64),
            pl.Series("p_value", [t[1] for t in tests], pl.Float64),
            pl.Series("effect_size_r", [t[2] for t in tests], pl.Float64),
            pl.Series("rank_biserial", [t[3] for t in tests], pl.Float64),
        )
        .select(key, "n_paired", "pre_mean", "post_mean", "mean_gain", "hake_gain",
                "mean_normalised_change", "pct_improved", "pct_unchanged", "pct_worse",
                "wilcoxon_z", "p_value", "effect_size_r", "rank_biserial")
        .sort(key)
    )


# ---------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("--period", default="2025-26", help="financial year, e.g. 2025-26")
    ap.add_argument("--notice-days", type=int, default=7)
    args = ap.parse_args()
    fy = int(args.period[:4])

    register, exempt = load_register(args.data)
    sessions = with_period(load_sessions(args.data))
    bookings = with_period(load_bookings(args.data, sessions, register, exempt, args.notice_days))
    bookings = bookings.filter(pl.col("fy") == fy)
    # The period's sessions: those listed, and those known only from bookings.
    period_sessions = pl.concat([
        sessions.filter(pl.col("fy") == fy).select("session_id", "course", "quarter", "places", "cost"),
        bookings.filter(~pl.col("listed_session"))
        .group_by("session_id")
        .agg(pl.col("course").min(), pl.col("quarter").min())
        .with_columns(pl.lit(None, pl.Int64).alias("places"), pl.lit(None, pl.Float64).alias("cost")),
    ])

    args.out.mkdir(parents=True, exist_ok=True)
    attendance_table(bookings, period_sessions, "course").write_csv(args.out / "attendance_by_course.csv")
    attendance_table(bookings, None, "agency").write_csv(args.out / "attendance_by_agency.csv")
    attendance_table(bookings, period_sessions, "quarter").write_csv(args.out / "attendance_by_quarter.csv")
    if find_file(args.data, "evaluations") is not None:
        forms = paired_forms(args.data, bookings)
        learning_gain_table(forms, "course").write_csv(args.out / "learning_gain_by_course.csv")


if __name__ == "__main__":
    main()
