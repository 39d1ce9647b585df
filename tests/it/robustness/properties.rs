//! Property tests of the value parsers (dates, Likert scores, numbers,
//! statuses, agency names): each asserts what the data contract says the
//! parser does with every input of a kind, not only that it returns.
//! `PROPTEST_CASES` and `PROPTEST_RNG_SEED` override the modest, fixed defaults.

use chrono::{Datelike, NaiveDate};
use hubreport::config::{Config, DateOrder, Scale};
use hubreport::fold::{fold, header_key};
use hubreport::load::agency::Register;
use hubreport::load::sheet::Cell;
use hubreport::load::sources::{StatusVocabulary, Word};
use hubreport::load::{dates, value};
use hubreport::model::Status;
use proptest::prelude::*;
use proptest::test_runner::{Config as Runner, RngSeed};
use unicode_normalization::UnicodeNormalization;

/// Modest and fixed by default, so a run takes seconds and fails the same
/// way every time; the PROPTEST_* variables still override both.
fn runner(cases: u32) -> Runner {
    let mut config = Runner::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = cases;
    }
    if std::env::var_os("PROPTEST_RNG_SEED").is_none() {
        config.rng_seed = RngSeed::Fixed(0x6875_6272_6570_6f72);
    }
    config.failure_persistence = None;
    config
}

const EARLIEST: i32 = 1980;
const LATEST: i32 = 2100;

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a real date")
}

/// Any date the loader accepts: 1980-01-01 to 2100-12-31.
fn plausible_date() -> impl Strategy<Value = NaiveDate> {
    let first = ymd(EARLIEST, 1, 1);
    let days = (ymd(LATEST, 12, 31) - first).num_days();
    (0..=days).prop_map(move |n| first + chrono::Duration::days(n))
}

fn epoch(is_1904: bool) -> NaiveDate {
    if is_1904 {
        ymd(1904, 1, 1)
    } else {
        ymd(1899, 12, 30)
    }
}

fn order() -> impl Strategy<Value = DateOrder> {
    prop_oneof![Just(DateOrder::Uk), Just(DateOrder::Us)]
}

/// Text that looks like a date often enough to reach every branch.
fn date_like() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9]{0,5}[/.\\- ][0-9]{0,5}[/.\\- ][0-9]{0,6}([T ][0-9:.apmAPMZ+]{0,12})?",
        "[0-9]{1,2}(st|nd|rd|th)? [A-Za-z]{3,9},? [0-9]{2,5}",
        "([A-Za-z]{3,9}\\.? )?[A-Za-z]{3,9} [0-9]{1,2},? [0-9]{2,4}",
        "[0-9eE+\\-.]{1,24}",
        "[ -~]{0,32}",
        any::<String>(),
    ]
}

fn ordinal(day: u32) -> &'static str {
    match (day % 10, day % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    }
}

/// `d` written in each form the contract accepts, with the reading order
/// each needs (`None`: read the same in either order).
fn accepted_forms(d: NaiveDate, hh: u32, mm: u32) -> Vec<(String, Option<DateOrder>)> {
    let f = |fmt: &str| d.format(fmt).to_string();
    let time = format!("{hh:02}:{mm:02}");
    let mut forms = vec![
        (f("%Y-%m-%d"), None),
        (format!("{}T{time}:00", f("%Y-%m-%d")), None),
        (format!("{}T{time}:00Z", f("%Y-%m-%d")), None),
        (format!("{} {time}", f("%Y-%m-%d")), None),
        (f("%d/%m/%Y"), Some(DateOrder::Uk)),
        (f("%-d/%-m/%Y"), Some(DateOrder::Uk)),
        (f("%d-%m-%Y"), Some(DateOrder::Uk)),
        (f("%d.%m.%Y"), Some(DateOrder::Uk)),
        (format!("{} {time}", f("%d/%m/%Y")), Some(DateOrder::Uk)),
        (f("%m/%d/%Y"), Some(DateOrder::Us)),
        (f("%-m/%-d/%Y"), Some(DateOrder::Us)),
        (f("%-d %B %Y"), None),
        (f("%d %b %Y"), None),
        (f("%d-%b-%Y"), None),
        (f("%A %-d %B %Y"), None),
        (f("%a %-d %b %Y"), None),
        (f("%B %-d, %Y"), None),
        (f("%b %-d %Y"), None),
        (
            format!("{}{} {}", d.day(), ordinal(d.day()), f("%B %Y")),
            None,
        ),
        (f("%-d %B %Y").to_uppercase(), None),
        (f("%-d %B %Y").to_lowercase(), None),
    ];
    // Two-digit years: the numeric forms read them as 20yy, the month-name
    // forms as chrono does (00-68 as 20yy); both agree on 2000-2068.
    if (2000..=2068).contains(&d.year()) {
        forms.push((f("%d/%m/%y"), Some(DateOrder::Uk)));
        forms.push((f("%d-%m-%y"), Some(DateOrder::Uk)));
        forms.push((f("%m/%d/%y"), Some(DateOrder::Us)));
        forms.push((f("%d-%b-%y"), None));
    }
    forms
}

proptest! {
    #![proptest_config(runner(256))]

    #[test]
    fn dates_from_any_text_are_plausible_or_rejected(
        s in date_like(),
        order in order(),
        is_1904 in any::<bool>(),
    ) {
        match dates::date(Cell::Text(&s), order, is_1904) {
            Ok(Some(d)) => prop_assert!(
                (EARLIEST..=LATEST).contains(&d.year()),
                "{s:?} read as {d}, outside {EARLIEST}-{LATEST}"
            ),
            Ok(None) => prop_assert!(
                value::is_missing_marker(&s),
                "{s:?} read as missing"
            ),
            Err(reason) => prop_assert!(!reason.is_empty()),
        }
        let _ = dates::parse_date_text(&s, order);
        let _ = dates::date(Cell::IsoDate(&s), order, is_1904);
        let _ = dates::financial_year(Cell::Text(&s), 4, order, is_1904);
    }

    #[test]
    fn dates_from_any_number_count_days_from_the_epoch(
        x in prop_oneof![
            proptest::num::f64::ANY,
            -1e7f64..4e6,
            (0u32..3_000_000).prop_map(f64::from),
        ],
        order in order(),
        is_1904 in any::<bool>(),
    ) {
        for cell in [Cell::Number(x), Cell::Date { serial: x, is_1904 }] {
            match dates::date(cell, order, is_1904) {
                Ok(Some(d)) => {
                    prop_assert!((EARLIEST..=LATEST).contains(&d.year()), "{x} read as {d}");
                    prop_assert_eq!((d - epoch(is_1904)).num_days() as f64, x.floor());
                }
                Ok(None) => prop_assert!(false, "the number {} read as missing", x),
                Err(reason) => prop_assert!(!reason.is_empty()),
            }
        }
        let _ = dates::financial_year(Cell::Number(x), 4, order, is_1904);
        let _ = hubreport::calendar::date_from_serial(x, is_1904);
    }

    #[test]
    fn every_date_in_every_accepted_form_reads_back(
        d in plausible_date(),
        hh in 0u32..24,
        mm in 0u32..60,
        pad in "[ \t]{0,2}",
        is_1904 in any::<bool>(),
    ) {
        for (form, needs) in accepted_forms(d, hh, mm) {
            let text = format!("{pad}{form}{pad}");
            let orders = match needs {
                Some(o) => vec![o],
                None => vec![DateOrder::Uk, DateOrder::Us],
            };
            for order in orders {
                prop_assert_eq!(
                    dates::date(Cell::Text(&text), order, is_1904),
                    Ok(Some(d)),
                    "{:?} read with {:?}", text, order
                );
            }
        }
    }

    #[test]
    fn serials_round_trip_in_both_date_systems(
        d in plausible_date(),
        fraction in 0.0f64..0.999,
        is_1904 in any::<bool>(),
        order in order(),
    ) {
        let days = (d - epoch(is_1904)).num_days();
        let serial = days as f64 + fraction;
        prop_assert_eq!(hubreport::calendar::date_from_serial(serial, is_1904), Some(d));
        // A real date cell carries its own system, whatever the sheet's.
        let cell = Cell::Date { serial, is_1904 };
        prop_assert_eq!(dates::date(cell, order, !is_1904), Ok(Some(d)));
        // A plain number, or a number as text, is a serial in the sheet's system.
        prop_assert_eq!(dates::date(Cell::Number(serial), order, is_1904), Ok(Some(d)));
        let text = serial.to_string();
        prop_assert_eq!(dates::date(Cell::Text(&text), order, is_1904), Ok(Some(d)));
        let whole = days.to_string();
        prop_assert_eq!(dates::date(Cell::Text(&whole), order, is_1904), Ok(Some(d)));
    }

    #[test]
    fn financial_years_read_in_every_accepted_form(
        start in EARLIEST..LATEST,
        d in plausible_date(),
    ) {
        let end = start + 1;
        for form in [
            hubreport::calendar::fy_label(start),
            format!("{start}/{:02}", end % 100),
            format!("FY{start}-{:02}", end % 100),
            format!("fy {start}/{end}"),
            format!("{start}-{end}"),
        ] {
            prop_assert_eq!(
                dates::financial_year(Cell::Text(&form), 4, DateOrder::Uk, false),
                Ok(Some(start)),
                "{}", form
            );
        }
        let text = d.format("%d/%m/%Y").to_string();
        prop_assert_eq!(
            dates::financial_year(Cell::Text(&text), 4, DateOrder::Uk, false),
            Ok(Some(hubreport::calendar::fy_of(d, 4)))
        );
        let bare = start.to_string();
        prop_assert!(dates::financial_year(Cell::Text(&bare), 4, DateOrder::Uk, false).is_err());
    }
}

/// A Likert scale: bounds from 0-2 up to 10 points, labels (distinct when
/// folded, none a number or a missing marker) or none.
fn scale() -> impl Strategy<Value = Scale> {
    (0i64..=2, 1i64..=10).prop_flat_map(|(min, span)| {
        let max = min + span;
        let n = (span + 1) as usize;
        let labels = prop_oneof![
            Just(Vec::new()),
            proptest::collection::vec("[A-Za-z]{2,9}( [A-Za-z]{2,9}){0,3}", n).prop_filter(
                "labels distinct, not numbers, not missing markers",
                |labels| {
                    let mut keys: Vec<String> = labels.iter().map(|l| fold(l)).collect();
                    keys.sort();
                    keys.dedup();
                    keys.len() == labels.len()
                        && labels.iter().all(|l| {
                            !value::is_missing_marker(l) && l.trim().parse::<f64>().is_err()
                        })
                },
            ),
        ];
        labels.prop_map(move |labels| Scale {
            min,
            max,
            labels,
            items: Vec::new(),
        })
    })
}

/// `s` with each ASCII letter's case chosen by `mask`.
fn recase(s: &str, mask: u64) -> String {
    s.chars()
        .enumerate()
        .map(|(i, c)| {
            if mask >> (i % 64) & 1 == 1 {
                c.to_ascii_uppercase()
            } else {
                c.to_ascii_lowercase()
            }
        })
        .collect()
}

proptest! {
    #![proptest_config(runner(256))]

    #[test]
    fn likert_never_panics_and_scores_only_whole_points_on_the_scale(
        scale in scale(),
        s in prop_oneof!["[0-9 .\\-()]{0,12}[A-Za-z ]{0,12}", any::<String>()],
        x in proptest::num::f64::ANY,
    ) {
        for cell in [Cell::Text(&s), Cell::Number(x), Cell::Bool(true), Cell::Error("#N/A")] {
            if let Ok(Some(n)) = value::likert(cell, &scale) {
                prop_assert!(
                    n.fract() == 0.0 && n >= scale.min as f64 && n <= scale.max as f64,
                    "{:?} scored {} on {}-{}", cell, n, scale.min, scale.max
                );
            }
        }
    }

    #[test]
    fn likert_points_and_their_labels_score(
        scale in scale(),
        pick in any::<prop::sample::Index>(),
        mask in any::<u64>(),
        pad in "[ \t]{0,2}",
    ) {
        let n = scale.min + pick.index((scale.max - scale.min + 1) as usize) as i64;
        let want = Ok(Some(n as f64));
        prop_assert_eq!(value::likert(Cell::Number(n as f64), &scale), want.clone());
        let label = scale
            .labels
            .get((n - scale.min) as usize)
            .cloned()
            .unwrap_or_else(|| "Agree".to_string());
        for text in [
            format!("{pad}{n}{pad}"),
            format!("{n}.0"),
            format!("{n} - {label}"),
            format!("{n}. {label}"),
            format!("{n} ({label})"),
            format!("{n}: {label}"),
        ] {
            prop_assert_eq!(value::likert(Cell::Text(&text), &scale), want.clone(), "{:?}", text);
        }
        if !scale.labels.is_empty() {
            let text = format!("{pad}{}{pad}", recase(&label, mask).replace(' ', "  "));
            prop_assert_eq!(value::likert(Cell::Text(&text), &scale), want, "{:?}", text);
        }
    }

    #[test]
    fn likert_off_the_scale_is_rejected(
        scale in scale(),
        below in 1i64..1000,
        above in 1i64..1000,
        fraction in 0.001f64..0.999,
        word in "[A-Za-z]{3,12}",
    ) {
        let label = scale.labels.first().cloned().unwrap_or_else(|| "Agree".into());
        for n in [scale.min - below, scale.max + above] {
            for cell in [
                Cell::Number(n as f64),
                Cell::Text(&n.to_string()),
                Cell::Text(&format!("{n} - {label}")),
            ] {
                let got = value::likert(cell, &scale);
                prop_assert!(got.is_err(), "{:?} on {}-{}: {:?}", cell, scale.min, scale.max, got);
            }
            let got = value::likert(Cell::Number(n as f64), &scale);
            prop_assert!(
                got.as_ref().is_err_and(|e| e.contains("off the")),
                "{} on {}-{}: {:?}", n, scale.min, scale.max, got
            );
        }
        let half = Cell::Number(scale.min as f64 + fraction);
        prop_assert!(value::likert(half, &scale).is_err(), "{:?}", half);
        let unknown = !scale.labels.iter().any(|l| fold(l) == fold(&word))
            && !value::is_missing_marker(&word)
            && word.parse::<f64>().is_err();
        if unknown {
            prop_assert!(value::likert(Cell::Text(&word), &scale).is_err(), "{:?}", word);
        }
    }
}

/// `n` with thousands separators: 1234567 → "1,234,567".
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn missing_marker() -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec![
            "N/A", "n/a", "NA", "n.a.", "-", "--", "TBC", "tba", "TBD", "#N/A", "null", "–", "—",
            "",
        ]),
        "[ \t]{0,2}",
    )
        .prop_map(|(m, pad)| format!("{pad}{m}{pad}"))
}

proptest! {
    #![proptest_config(runner(256))]

    #[test]
    fn numbers_never_panic_and_read_only_finite_values(
        s in prop_oneof!["[-+£$€0-9,. eE]{0,16}", "[ -~]{0,24}", any::<String>()],
        x in proptest::num::f64::ANY,
    ) {
        for cell in [Cell::Text(&s), Cell::Number(x)] {
            if let Ok(Some(n)) = value::number(cell) {
                prop_assert!(n.is_finite(), "{:?} read as {}", cell, n);
            }
            if let Ok(Some(n)) = value::count(cell) {
                prop_assert!(n >= 0, "{:?} counted {}", cell, n);
            }
            if let Ok(Some(n)) = value::money(cell) {
                prop_assert!(n >= 0.0 && n.is_finite(), "{:?} read as money {}", cell, n);
            }
            let _ = value::yes_no(cell);
            let _ = value::duration(cell);
            let _ = value::text(cell);
            let _ = value::identifier(cell);
        }
    }

    #[test]
    fn formatted_numbers_read_back(
        whole in 0u64..1_000_000_000_000,
        pence in 0u32..100,
        negative in any::<bool>(),
        pad in "[ \t]{0,2}",
        nbsp in any::<bool>(),
    ) {
        let sign = if negative { "-" } else { "" };
        let plain: f64 = format!("{sign}{whole}.{pence:02}").parse().unwrap();
        let gap = if nbsp { "\u{a0}" } else { "" };
        for text in [
            format!("{pad}{sign}{}.{pence:02}{pad}", grouped(whole)),
            format!("{pad}{sign}£{gap}{}.{pence:02}{pad}", grouped(whole)),
            format!("£{sign}{}.{pence:02}", grouped(whole)),
        ] {
            prop_assert_eq!(value::number(Cell::Text(&text)), Ok(Some(plain)), "{:?}", text);
            let money = value::money(Cell::Text(&text));
            if negative && plain != 0.0 {
                prop_assert!(money.is_err(), "{:?} read as money {:?}", text, money);
            } else {
                prop_assert_eq!(money, Ok(Some(plain.abs())), "{:?}", text);
            }
        }
        let count = format!("{pad}{}{pad}", grouped(whole));
        prop_assert_eq!(value::count(Cell::Text(&count)), Ok(Some(whole as i64)), "{:?}", count);
        prop_assert_eq!(value::count(Cell::Number(whole as f64)), Ok(Some(whole as i64)));
        if pence > 0 {
            let text = format!("{}.{pence:02}", grouped(whole));
            prop_assert!(value::count(Cell::Text(&text)).is_err(), "{:?}", text);
        }
        if whole > 0 {
            let text = format!("-{}", grouped(whole));
            prop_assert!(value::count(Cell::Text(&text)).is_err(), "{:?}", text);
        }
    }

    #[test]
    fn missing_markers_are_missing_never_zero(m in missing_marker()) {
        prop_assert_eq!(value::number(Cell::Text(&m)), Ok(None), "{:?}", m);
        prop_assert_eq!(value::count(Cell::Text(&m)), Ok(None), "{:?}", m);
        prop_assert_eq!(value::money(Cell::Text(&m)), Ok(None), "{:?}", m);
        prop_assert_eq!(value::likert(Cell::Text(&m), &Scale::agreement()), Ok(None), "{:?}", m);
        prop_assert_eq!(dates::date(Cell::Text(&m), DateOrder::Uk, false), Ok(None), "{:?}", m);
    }
}

/// The built-in status words of the data contract, and the canonical names.
const STATUS_WORDS: [(Word, &[&str]); 8] = [
    (
        Word::Outcome(Status::Attended),
        &[
            "Attended",
            "Present",
            "Completed",
            "attended",
            "Fully attended",
            "Partially attended",
            "Late",
            "P",
            "L",
            "100",
            "50",
        ],
    ),
    (Word::CheckedIn, &["Checked In"]),
    (
        Word::Outcome(Status::Dna),
        &[
            "DNA",
            "Did not attend",
            "No show",
            "Not checked in",
            "Absent",
            "dna",
            "A",
            "0",
        ],
    ),
    (
        Word::Outcome(Status::LateCancellation),
        &["Late cancellation", "late_cancellation"],
    ),
    (
        Word::Outcome(Status::Cancelled),
        &[
            "Cancelled",
            "Withdrawn",
            "Refunded",
            "cancelled",
            "User cancelled",
            "Event cancelled",
            "Session cancelled",
            "Not attending",
            "Excused",
            "E",
        ],
    ),
    (
        Word::Outcome(Status::WalkIn),
        &["Walk-in", "Walk in", "Unbooked", "walk_in"],
    ),
    (Word::Attending, &["Attending"]),
    (
        Word::NotOutcome,
        &[
            "Booked",
            "Wait-listed",
            "Waitlisted",
            "Requested",
            "Approved",
            "Declined",
        ],
    ),
];

/// The word a text is, as the README documents the matching: a grade in
/// brackets after the word ignored, then folded.
fn known_status(s: &str) -> Option<Word> {
    let mut t = s.trim();
    if let Some(open) = t.rfind('(')
        && t.ends_with(')')
        && !t[..open].trim().is_empty()
    {
        t = t[..open].trim();
    }
    if t == "?" {
        return Some(Word::NotOutcome);
    }
    let key = match t.parse::<f64>() {
        Ok(n) if t.bytes().all(|b| b.is_ascii_digit() || b == b'.') => format!("{n}"),
        _ => fold(t),
    };
    STATUS_WORDS
        .iter()
        .find(|(_, words)| words.iter().any(|w| fold(w) == key))
        .map(|(word, _)| *word)
}

/// A status word respelt: any case, and any of space, hyphen, underscore
/// or a run of them between its words.
fn respelt(word: &str, mask: u64, seps: &[String], pad: &str) -> String {
    let parts: Vec<&str> = word.split([' ', '-', '_']).collect();
    let mut out = pad.to_string();
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            out.push_str(&seps[i % seps.len()]);
        }
        out.push_str(&recase(part, mask.rotate_left(i as u32 * 7)));
    }
    out.push_str(pad);
    out
}

fn separators() -> impl Strategy<Value = Vec<String>> {
    proptest::collection::vec("[ _\\-]{1,3}", 1..4)
}

proptest! {
    #![proptest_config(runner(256))]

    #[test]
    fn status_words_read_in_any_case_and_spacing(
        pick in any::<prop::sample::Index>(),
        mask in any::<u64>(),
        seps in separators(),
        pad in "[ \t]{0,2}",
    ) {
        let vocabulary = StatusVocabulary::new(&Config::default());
        let all: Vec<(Word, &str)> = STATUS_WORDS
            .iter()
            .flat_map(|(s, words)| words.iter().map(move |w| (*s, *w)))
            .collect();
        let (status, word) = *pick.get(&all);
        let text = respelt(word, mask, &seps, &pad);
        prop_assert_eq!(vocabulary.parse(Cell::Text(&text)), Ok(Some(status)), "{:?}", text);
    }

    #[test]
    fn any_status_text_reads_as_its_word_or_is_rejected(
        texts in proptest::collection::vec(
            prop_oneof![
                "[A-Za-z _\\-]{0,20}",
                any::<String>(),
                prop::sample::select(vec!["Attended", "walk in", "DNA", "N/A", "", "Maybe"])
                    .prop_map(String::from),
            ],
            1..12,
        ),
    ) {
        // One vocabulary reads the whole column (it caches spellings); a
        // fresh one reads each value: the two must agree.
        let column = StatusVocabulary::new(&Config::default());
        for s in &texts {
            let got = column.parse(Cell::Text(s));
            prop_assert_eq!(&got, &StatusVocabulary::new(&Config::default()).parse(Cell::Text(s)));
            match got {
                Ok(Some(status)) => prop_assert_eq!(known_status(s), Some(status), "{:?}", s),
                Ok(None) => prop_assert!(value::is_missing_marker(s), "{:?} read as missing", s),
                Err(reason) => {
                    prop_assert!(reason.contains("unknown status"), "{}", reason);
                    prop_assert_eq!(known_status(s), None, "{:?} rejected", s);
                }
            }
        }
    }

    #[test]
    fn status_words_added_in_config_read_as_their_status(
        word in "[A-Za-z]{3,10}( [A-Za-z]{3,10}){0,2}",
        which in 0usize..5,
        mask in any::<u64>(),
        seps in separators(),
    ) {
        prop_assume!(known_status(&word).is_none() && !value::is_missing_marker(&word));
        let mut config = Config::default();
        let status = Status::ALL[which];
        let words = match status {
            Status::Attended => &mut config.status.attended,
            Status::WalkIn => &mut config.status.walk_in,
            Status::Dna => &mut config.status.dna,
            Status::LateCancellation => &mut config.status.late_cancellation,
            Status::Cancelled => &mut config.status.cancelled,
        };
        words.push(word.clone());
        let vocabulary = StatusVocabulary::new(&config);
        let text = respelt(&word, mask, &seps, "");
        prop_assert_eq!(
            vocabulary.parse(Cell::Text(&text)),
            Ok(Some(Word::Outcome(status))),
            "{:?}",
            text
        );
    }
}

/// Characters that stress folding: ASCII, accented Latin (Latin-1 and
/// Extended-A, which holds the dotted capital I), combining accents,
/// Greek, ß, ligatures, spaces of every width, `&`, apostrophes,
/// punctuation, digits of other scripts, emoji.
fn name_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => proptest::char::range('a', 'z'),
        2 => proptest::char::range('A', 'Z'),
        1 => proptest::char::range('0', '9'),
        2 => proptest::char::range('\u{c0}', '\u{17f}'),
        1 => proptest::char::range('\u{300}', '\u{36f}'),
        1 => proptest::char::range('\u{370}', '\u{3ff}'),
        1 => prop::sample::select(vec![
            ' ', ' ', '\t', '\u{a0}', '\u{2009}', '\u{3000}', '&', '\'', '’', '.', ',', '-',
            '_', '(', ')', '/', 'ß', 'ẞ', 'ﬁ', 'İ', 'ı', 'Σ', 'ς', '٣', '😀', '\u{200b}',
            '\u{200d}', '\u{feff}',
        ]),
    ]
}

fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => proptest::collection::vec(name_char(), 0..24)
            .prop_map(|cs| cs.into_iter().collect::<String>()),
        1 => any::<String>(),
    ]
}

/// A register-style name: words of letters and digits.
fn words() -> impl Strategy<Value = Vec<String>> {
    proptest::collection::vec("[A-Za-z0-9]{1,10}", 1..5)
}

/// Separators between words: spaces, punctuation, never `&` or an
/// apostrophe (which fold to "and" and to nothing).
fn gaps(n: usize) -> impl Strategy<Value = Vec<String>> {
    proptest::collection::vec("[ \t.,;:/()\\-_!?\"\u{a0}]{1,3}", n + 1)
}

fn joined(words: &[String], gaps: &[String], ends: bool) -> String {
    let mut out = String::new();
    if ends {
        out.push_str(&gaps[0]);
    }
    for (i, w) in words.iter().enumerate() {
        if i > 0 {
            out.push_str(&gaps[i]);
        }
        out.push_str(w);
    }
    if ends {
        out.push_str(&gaps[words.len()]);
    }
    out
}

proptest! {
    #![proptest_config(runner(512))]

    #[test]
    fn folding_is_idempotent(s in name()) {
        let once = fold(&s);
        prop_assert_eq!(fold(&once), once.clone(), "fold({:?}) = {:?}", s, once);
        let key = header_key(&s);
        prop_assert_eq!(header_key(&key), key.clone(), "header_key({:?}) = {:?}", s, key);
    }

    #[test]
    fn folding_ignores_case(s in name()) {
        prop_assert_eq!(fold(&s.to_ascii_uppercase()), fold(&s), "{:?}", s);
        prop_assert_eq!(fold(&s.to_lowercase()), fold(&s), "{:?}", s);
        prop_assert_eq!(header_key(&s.to_lowercase()), header_key(&s), "{:?}", s);
    }

    #[test]
    fn folding_ignores_unicode_normalisation(s in name()) {
        let composed: String = s.nfc().collect();
        let decomposed: String = s.nfd().collect();
        prop_assert_eq!(fold(&composed), fold(&decomposed), "{:?}", s);
    }

    #[test]
    fn folding_reads_any_spacing_and_punctuation_as_one_space(
        (words, gaps) in words().prop_flat_map(|w| { let n = w.len(); (Just(w), gaps(n)) }),
        ends in any::<bool>(),
        mask in any::<u64>(),
    ) {
        let text = recase(&joined(&words, &gaps, ends), mask);
        prop_assert_eq!(fold(&text), fold(&words.join(" ")), "{:?}", text);
        // Without one-letter words (initials, which may run together),
        // the fold is the words in lowercase, one space apart.
        if words.iter().all(|w| w.len() > 1) {
            let want = words.iter().map(|w| w.to_ascii_lowercase()).collect::<Vec<_>>().join(" ");
            prop_assert_eq!(fold(&text), want, "{:?}", text);
        }
    }

    #[test]
    fn folding_reads_ampersand_as_and_and_drops_apostrophes(
        a in "[A-Za-z]{1,10}",
        b in "[A-Za-z]{1,10}",
        at in any::<prop::sample::Index>(),
        curly in any::<bool>(),
    ) {
        let and = fold(&format!("{a} and {b}"));
        for text in [format!("{a} & {b}"), format!("{a}&{b}"), format!("{a}  &  {b}")] {
            prop_assert_eq!(fold(&text), and.clone(), "{:?}", text);
        }
        let i = at.index(a.len() + 1);
        let quote = if curly { '’' } else { '\'' };
        let with = format!("{}{quote}{}", &a[..i], &a[i..]);
        prop_assert_eq!(fold(&with), fold(&a), "{:?}", with);
    }

    #[test]
    fn register_names_resolve_from_any_respelling(
        names in proptest::collection::vec(words(), 1..6),
        pick in any::<prop::sample::Index>(),
        gaps in gaps(6),
        mask in any::<u64>(),
        noise in name(),
    ) {
        let mut register = Register::default();
        let mut added = Vec::new();
        for w in &names {
            let canonical = w.join(" ");
            if register.add(&canonical, &[]).is_ok() {
                added.push((canonical, w.clone()));
            } else {
                // Refused only because an earlier name folds the same.
                prop_assert!(added.iter().any(|(c, _)| fold(c) == fold(&canonical)));
            }
        }
        let (canonical, w) = pick.get(&added).clone();
        let respelt = recase(&joined(&w, &gaps, true), mask);
        prop_assert_eq!(register.resolve(&respelt, "attendance"), (canonical.clone(), true), "{:?}", respelt);
        // A second entry that folds the same is refused.
        prop_assert!(register.add(&respelt, &[]).is_err(), "{:?}", respelt);
        // Anything else resolves without panicking, matched only by its fold.
        let (got, matched) = register.resolve(&noise, "attendance");
        if matched {
            prop_assert!(added.iter().any(|(c, _)| c == &got && fold(c) == fold(&noise)), "{:?}", noise);
        } else {
            prop_assert_eq!(got, noise.trim());
        }
    }
}
