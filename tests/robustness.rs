//! Robustness of the load stage, so that what is fixed stays fixed.
//!
//! `properties`: property tests of the value parsers (dates, Likert scores,
//! numbers, statuses, agency names). Each asserts what the data contract says
//! the parser does with every input of a kind, not only that it returns.
//! `PROPTEST_CASES` and `PROPTEST_RNG_SEED` override the modest, fixed defaults.
//!
//! `mutations`: thousands of damaged copies of the fixture files (byte-level
//! damage to any file; structural damage inside xlsx and ods archives, inside
//! xls records and in CSV text) through `load::load`, each case checked for
//! an escaped panic, its peak allocation and an error that names the file.
//! See [`mutations`] for the budget and how to reproduce a failing case.
//!
//! The whole binary runs under a counting allocator: live and peak bytes,
//! and a hard cap that the mutation workers arm around each case.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// [`System`], counting the bytes it has handed out.
struct Counting;

/// Bytes allocated and not yet freed.
static LIVE: AtomicUsize = AtomicUsize::new(0);
/// The highest `LIVE` since the last [`reset_peak`].
static PEAK: AtomicUsize = AtomicUsize::new(0);
/// An allocation that would take `LIVE` above this is refused (null), which
/// the standard library turns into an abort naming its size. `usize::MAX`
/// except while a mutation case runs in a worker process.
static CAP: AtomicUsize = AtomicUsize::new(usize::MAX);

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Set while the first refusal of a case is being reported.
static REFUSED: AtomicBool = AtomicBool::new(false);

fn reserve(size: usize) -> bool {
    let live = LIVE.fetch_add(size, Ordering::Relaxed).saturating_add(size);
    let cap = CAP.load(Ordering::Relaxed);
    if live > cap {
        LIVE.fetch_sub(size, Ordering::Relaxed);
        if !REFUSED.swap(true, Ordering::Relaxed) {
            say_refused(size, live - size, cap);
            // Where it was asked for: the cap is lifted while the backtrace
            // is taken and written, which allocates.
            CAP.store(usize::MAX, Ordering::Relaxed);
            let trace = std::backtrace::Backtrace::force_capture();
            for frame in mutations::our_frames(&trace) {
                eprintln!("  in {frame}");
            }
            CAP.store(cap, Ordering::Relaxed);
        }
        return false;
    }
    PEAK.fetch_max(live, Ordering::Relaxed);
    true
}

/// Writes why an allocation was refused to stderr, without allocating: the
/// standard library's own message, before it aborts, gives only the size.
fn say_refused(size: usize, live: usize, cap: usize) {
    struct Stack {
        buf: [u8; 200],
        len: usize,
    }
    impl std::fmt::Write for Stack {
        fn write_str(&mut self, s: &str) -> std::fmt::Result {
            let n = s.len().min(self.buf.len() - self.len);
            self.buf[self.len..self.len + n].copy_from_slice(&s.as_bytes()[..n]);
            self.len += n;
            Ok(())
        }
    }
    let mut line = Stack {
        buf: [0; 200],
        len: 0,
    };
    let mib = |b: usize| b >> 20;
    let _ = std::fmt::Write::write_fmt(
        &mut line,
        format_args!(
            "\nallocation refused: {size} bytes asked for with {} MiB live, past the cap of {} MiB\n",
            mib(live),
            mib(cap)
        ),
    );
    // SAFETY: writes initialised bytes from a live buffer to stderr.
    unsafe { libc::write(2, line.buf.as_ptr().cast(), line.len) };
}

fn release(size: usize) {
    LIVE.fetch_sub(size, Ordering::Relaxed);
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if !reserve(layout.size()) {
            return std::ptr::null_mut();
        }
        // SAFETY: the caller's contract for `alloc`, passed on unchanged.
        let p = unsafe { System.alloc(layout) };
        if p.is_null() {
            release(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if !reserve(layout.size()) {
            return std::ptr::null_mut();
        }
        // SAFETY: the caller's contract for `alloc_zeroed`, passed on unchanged.
        let p = unsafe { System.alloc_zeroed(layout) };
        if p.is_null() {
            release(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract for `dealloc`, passed on unchanged.
        unsafe { System.dealloc(ptr, layout) };
        release(layout.size());
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let old = layout.size();
        if new_size > old && !reserve(new_size - old) {
            return std::ptr::null_mut();
        }
        // SAFETY: the caller's contract for `realloc`, passed on unchanged.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if p.is_null() {
            if new_size > old {
                release(new_size - old);
            }
        } else if new_size < old {
            release(old - new_size);
        }
        p
    }
}

/// Starts a new peak measurement; returns the bytes live now.
fn reset_peak() -> usize {
    let live = LIVE.load(Ordering::Relaxed);
    PEAK.store(live, Ordering::Relaxed);
    live
}

fn peak() -> usize {
    PEAK.load(Ordering::Relaxed)
}

mod properties {
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
                "N/A", "n/a", "NA", "n.a.", "-", "--", "TBC", "tba", "TBD", "#N/A", "null", "–",
                "—", "",
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
}

/// The mutation test.
///
/// Every case is one damaged file loaded with `load::load` from a fresh data
/// folder (beside undamaged copies of its fixture folder's other files), in a
/// worker process: the test binary started again to run only
/// `mutations::worker`. A worker reports each case on stdout; a case that
/// aborts the process (a refused allocation, a stack overflow) or hangs is
/// recorded against the case, and a new worker carries on after it.
///
/// A case fails when a panic escapes the loader, when its peak allocation
/// exceeds [`limit`], when an error does not name the file, when a source's
/// ledger does not add up, or when it aborts or hangs.
///
/// Cases, in order: the saved reproducers in `tests/fixtures/hostile/`
/// (`hostile:<file>`), constructed hostile files ([`NAMED`], `named:<name>`),
/// then random mutations (`random:<n>`), each from its own RNG seeded by the
/// run's seed and `n`, so a case is the same on every machine.
///
/// Environment:
/// - `HUBREPORT_MUTATIONS=N`: random cases (default 2000; with only this set
///   there is no time limit).
/// - `HUBREPORT_MUTATION_SECONDS=S`: stop starting cases after S seconds
///   (default 50 when neither is set; with only this set, random cases run
///   until then).
/// - `HUBREPORT_MUTATION_SEED=S`: the seed (decimal or 0x-hex).
/// - `HUBREPORT_MUTATION_CASE=id[,id...]`: run only these cases, e.g.
///   `random:1234` or `named:xlsx-stray-cell-at-xfd1048576`.
/// - `HUBREPORT_MUTATION_JOBS=J`: worker processes (default: cores, at most 2).
/// - `HUBREPORT_MUTATION_CASE_SECONDS=S`: a case running longer hangs (60).
/// - `HUBREPORT_MUTATION_SAVE=DIR`: where failing cases' data folders are
///   written (default `<target>/tmp/hubreport-mutations`).
mod mutations {
    use std::collections::{BTreeMap, HashSet};
    use std::io::{BufRead, BufReader, Cursor, Read, Write};
    use std::panic::AssertUnwindSafe;
    use std::path::{Path, PathBuf};
    use std::process::{Child, Command, ExitStatus, Stdio};
    use std::sync::Mutex;
    use std::sync::mpsc;
    use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

    use hubreport::config::Config;
    use hubreport::load;
    use rand::{RngExt, SeedableRng};
    use rand_chacha::ChaCha8Rng;
    use serde_json::{Value, json};

    type Rng = ChaCha8Rng;

    const MIB: usize = 1 << 20;

    /// The peak allocation a case may reach: 64 MiB, plus 200 bytes for
    /// every byte of input.
    ///
    /// The fixed part covers what any load needs whatever its input: reader
    /// and decompression buffers, the config, hash maps, the worker threads.
    /// The proportional part covers each input byte becoming part of a cell:
    /// a spreadsheet cell held as 32 bytes of `calamine::Data` from a few
    /// compressed bytes (sheet XML deflates 5-20 times), then copied into
    /// columns, staged rows and the dataset, each with its strings. A sound
    /// loader stays far below it (the fixtures peak at a few MiB); a loader
    /// that allocates by a sheet's claimed size rather than its content does
    /// not: one cell at XFD1048576 asks for 512 GiB.
    pub fn limit(input: usize) -> usize {
        64 * MIB + 200 * input
    }

    /// While a case runs, an allocation that would take it past its limit is
    /// refused: the worker says so on stderr and the standard library aborts
    /// it. A case that would exhaust the machine's memory (512 GiB for one
    /// stray cell) fails in moments, as a test failure, not a dead machine.
    fn hard_cap(limit: usize) -> usize {
        limit
    }

    const DEFAULT_SEED: u64 = 0x6875_6272_6570_6f72;
    const DEFAULT_RANDOM: usize = 2000;
    const DEFAULT_SECONDS: u64 = 50;
    /// Random inputs are kept below this size.
    const MAX_LEN: usize = 4 * MIB;
    const WORKER: &str = "HUBREPORT_MUTATION_WORKER";
    const PREFIX: &str = "HUBREPORT_MUTATION_PREFIX";
    const MARK: &str = "@@mutation ";

    fn fixtures_dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
    }

    fn env_number(name: &str) -> Option<u64> {
        let text = std::env::var(name).ok()?;
        let text = text.trim();
        let parsed = match text.strip_prefix("0x") {
            Some(hex) => u64::from_str_radix(hex, 16),
            None => text.parse(),
        };
        Some(parsed.unwrap_or_else(|_| panic!("{name}={text} is not a number")))
    }

    fn now_ms() -> u64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64)
    }

    /// What to run: read from the environment, identical in every process.
    #[derive(Debug, Clone)]
    struct Plan {
        seed: u64,
        random: usize,
        seconds: Option<u64>,
        only: Option<Vec<String>>,
        jobs: usize,
        case_seconds: u64,
        prefix: Vec<String>,
    }

    impl Plan {
        fn from_env() -> Plan {
            let random = env_number("HUBREPORT_MUTATIONS");
            let seconds = env_number("HUBREPORT_MUTATION_SECONDS");
            let (random, seconds) = match (random, seconds) {
                (None, None) => (DEFAULT_RANDOM, Some(DEFAULT_SECONDS)),
                (Some(n), s) => (n as usize, s),
                (None, Some(s)) => (1_000_000_000, Some(s)),
            };
            let only = std::env::var("HUBREPORT_MUTATION_CASE").ok().map(|s| {
                s.split(',')
                    .map(|id| id.trim().to_string())
                    .filter(|id| !id.is_empty())
                    .collect()
            });
            let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
            // A worker takes its parent's list: files added to the hostile
            // folder during a run must not shift the cases' numbers.
            let prefix = match std::env::var(PREFIX) {
                Ok(ids) => ids
                    .split(',')
                    .filter(|id| !id.is_empty())
                    .map(String::from)
                    .collect(),
                Err(_) => {
                    let mut prefix: Vec<String> = hostile_files()
                        .iter()
                        .filter_map(|p| p.file_name()?.to_str().map(|n| format!("hostile:{n}")))
                        .collect();
                    prefix.extend(NAMED.iter().map(|(name, _)| format!("named:{name}")));
                    prefix
                }
            };
            Plan {
                seed: env_number("HUBREPORT_MUTATION_SEED").unwrap_or(DEFAULT_SEED),
                random,
                seconds,
                only,
                jobs: env_number("HUBREPORT_MUTATION_JOBS").map_or(cores.min(2), |j| j as usize),
                case_seconds: env_number("HUBREPORT_MUTATION_CASE_SECONDS").unwrap_or(60),
                prefix,
            }
        }

        fn total(&self) -> usize {
            match &self.only {
                Some(ids) => ids.len(),
                None => self.prefix.len() + self.random,
            }
        }

        fn id(&self, i: usize) -> String {
            match &self.only {
                Some(ids) => ids[i].clone(),
                None if i < self.prefix.len() => self.prefix[i].clone(),
                None => format!("random:{}", i - self.prefix.len()),
            }
        }

        fn reproduce(&self, id: &str) -> String {
            format!(
                "HUBREPORT_MUTATION_SEED={:#x} HUBREPORT_MUTATION_CASE={id} cargo test --locked --test robustness mutations -- --nocapture",
                self.seed
            )
        }
    }

    fn hostile_files() -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(fixtures_dir().join("hostile"))
            .map(|dir| {
                dir.filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| hubreport::load::file::is_supported(p))
                    .collect()
            })
            .unwrap_or_default();
        files.sort();
        files
    }

    /// A fixture file: where it is under tests/fixtures, its bytes, and its
    /// archive entries when it is a zip (xlsx, ods).
    struct Fixture {
        rel: &'static str,
        bytes: Vec<u8>,
        entries: Option<Vec<Entry>>,
    }

    type Entry = (String, Vec<u8>);

    /// The fixtures tests/load.rs reads in every format, and the metrics
    /// partnership's CSVs (every source kind).
    const FIXTURES: [&str; 16] = [
        "formats/csv/attendance.csv",
        "formats/csv/evaluations.csv",
        "formats/xlsx/attendance.xlsx",
        "formats/xlsx/evaluations.xlsx",
        "formats/xlsx1904/attendance.xlsx",
        "formats/xlsx1904/evaluations.xlsx",
        "formats/xls/attendance.xls",
        "formats/xls/evaluations.xls",
        "formats/ods/attendance.ods",
        "formats/ods/evaluations.ods",
        "metrics/data/attendance.csv",
        "metrics/data/sessions.csv",
        "metrics/data/evaluations.csv",
        "metrics/data/impact.csv",
        "metrics/data/agency_returns.csv",
        "metrics/data/agencies.csv",
    ];

    struct Fixtures(Vec<Fixture>);

    impl Fixtures {
        fn load() -> Fixtures {
            Fixtures(
                FIXTURES
                    .iter()
                    .map(|rel| {
                        let bytes = std::fs::read(fixtures_dir().join(rel))
                            .unwrap_or_else(|e| panic!("{rel}: {e}"));
                        let entries = if rel.ends_with(".xlsx") || rel.ends_with(".ods") {
                            Some(unzip(&bytes).unwrap_or_else(|| panic!("{rel} is not a zip")))
                        } else {
                            None
                        };
                        Fixture {
                            rel,
                            bytes,
                            entries,
                        }
                    })
                    .collect(),
            )
        }

        fn find(&self, rel: &str) -> usize {
            self.0
                .iter()
                .position(|f| f.rel == rel)
                .unwrap_or_else(|| panic!("no fixture {rel}"))
        }

        /// The undamaged files loaded beside fixture `i`: the rest of its folder.
        fn companions(&self, i: usize) -> Vec<(String, Vec<u8>)> {
            let folder = |rel: &str| rel.rsplit_once('/').map(|(d, _)| d.to_string());
            self.0
                .iter()
                .enumerate()
                .filter(|&(j, f)| j != i && folder(f.rel) == folder(self.0[i].rel))
                .map(|(_, f)| (file_name(f.rel), f.bytes.clone()))
                .collect()
        }
    }

    fn file_name(rel: &str) -> String {
        rel.rsplit('/').next().unwrap_or(rel).to_string()
    }

    /// One case: a damaged file and the undamaged files beside it.
    struct Case {
        id: String,
        /// The damaged file's name in the data folder, and its bytes.
        name: String,
        bytes: Vec<u8>,
        companions: Vec<(String, Vec<u8>)>,
        /// The file it was made from, and what was done to it.
        origin: String,
        mutation: String,
    }

    impl Case {
        fn input_len(&self) -> usize {
            self.bytes.len() + self.companions.iter().map(|(_, b)| b.len()).sum::<usize>()
        }

        fn write_to(&self, dir: &Path) -> std::io::Result<()> {
            std::fs::create_dir_all(dir)?;
            std::fs::write(dir.join(&self.name), &self.bytes)?;
            for (name, bytes) in &self.companions {
                std::fs::write(dir.join(name), bytes)?;
            }
            Ok(())
        }
    }

    fn build_case(fixtures: &Fixtures, plan: &Plan, id: &str) -> Case {
        if let Some(file) = id.strip_prefix("hostile:") {
            let path = fixtures_dir().join("hostile").join(file);
            let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let (kind, _) = file.split_once("--").unwrap_or(("attendance", file));
            let ext = file.rsplit('.').next().unwrap_or("csv");
            let companions = if kind == "attendance" {
                Vec::new()
            } else {
                let i = fixtures.find("formats/csv/attendance.csv");
                vec![(file_name(FIXTURES[i]), fixtures.0[i].bytes.clone())]
            };
            return Case {
                id: id.to_string(),
                name: format!("{kind}.{ext}"),
                bytes,
                companions,
                origin: format!("tests/fixtures/hostile/{file}"),
                mutation: "a saved reproducer".into(),
            };
        }
        let (i, bytes, mutation) = if let Some(name) = id.strip_prefix("named:") {
            let (_, make) = NAMED
                .iter()
                .find(|(n, _)| *n == name)
                .unwrap_or_else(|| panic!("no named case {name}"));
            make(fixtures)
        } else if let Some(n) = id.strip_prefix("random:") {
            let n: u64 = n.parse().unwrap_or_else(|_| panic!("bad case id {id}"));
            let mut rng =
                Rng::seed_from_u64(plan.seed ^ (n + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
            random_mutation(fixtures, &mut rng)
        } else {
            panic!("bad case id {id}: expected hostile:<file>, named:<name> or random:<n>")
        };
        Case {
            id: id.to_string(),
            name: file_name(FIXTURES[i]),
            bytes,
            companions: fixtures.companions(i),
            origin: format!("tests/fixtures/{}", FIXTURES[i]),
            mutation,
        }
    }

    // ---- The worker: runs cases, reports each on stdout. ----

    /// Panics seen during the current case, with where they were raised.
    static PANICS: Mutex<Vec<(String, std::backtrace::Backtrace)>> = Mutex::new(Vec::new());

    fn install_panic_recorder() {
        std::panic::set_hook(Box::new(|info| {
            let payload = info.payload();
            let message = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "(no message)".into());
            let at = info
                .location()
                .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()))
                .unwrap_or_default();
            let trace = std::backtrace::Backtrace::force_capture();
            PANICS
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push((format!("panicked at {at}: {message}"), trace));
        }));
    }

    /// The frames of a backtrace that are in the loader or its readers.
    pub fn our_frames(trace: &std::backtrace::Backtrace) -> Vec<String> {
        let text = trace.to_string();
        let lines: Vec<&str> = text.lines().map(str::trim).collect();
        let mut out = Vec::new();
        for (i, line) in lines.iter().enumerate() {
            // "12: calamine::xlsx::...": the function, without its number.
            let Some((_, function)) = line.split_once(": ") else {
                continue;
            };
            let ours = ["hubreport::", "calamine::", "csv::", "zip::", "quick_xml::"]
                .iter()
                .any(|p| function.trim_start_matches('<').starts_with(p));
            if ours && !line.starts_with("at ") {
                let at = lines
                    .get(i + 1)
                    .filter(|l| l.starts_with("at "))
                    .map(|l| {
                        let at = &l[3..];
                        // Registry sources: from the crate's folder on.
                        let at = at
                            .split_once("/registry/src/")
                            .and_then(|(_, rest)| rest.split_once('/'))
                            .map_or(at, |(_, rest)| rest);
                        format!(" ({at})")
                    })
                    .unwrap_or_default();
                out.push(format!("{function}{at}"));
            }
            if out.len() == 6 {
                break;
            }
        }
        out
    }

    fn keyed_config() -> Config {
        let mut config = Config::default();
        config.pseudonymisation.key = Some("a fixed key for the robustness tests".into());
        config
    }

    /// Runs one case in this process; the JSON line the worker reports.
    fn run_case(case: &Case, config: &Config, seen: &mut HashSet<String>) -> Value {
        let dir = tempfile::tempdir().expect("a temporary folder");
        case.write_to(dir.path()).expect("the case's files written");
        let limit = limit(case.input_len());
        PANICS.lock().unwrap_or_else(|e| e.into_inner()).clear();
        let base = super::reset_peak();
        super::REFUSED.store(false, super::Ordering::Relaxed);
        super::CAP.store(
            base.saturating_add(hard_cap(limit)),
            super::Ordering::Relaxed,
        );
        let started = Instant::now();
        let result = std::panic::catch_unwind(AssertUnwindSafe(|| load::load(config, dir.path())));
        super::CAP.store(usize::MAX, super::Ordering::Relaxed);
        let peak = super::peak().saturating_sub(base);
        let ms = started.elapsed().as_millis() as u64;
        let panics = std::mem::take(&mut *PANICS.lock().unwrap_or_else(|e| e.into_inner()));
        let (mut status, mut detail) = match &result {
            Err(_) => {
                let mut lines = Vec::new();
                for (message, trace) in &panics {
                    lines.push(message.clone());
                    lines.extend(our_frames(trace).into_iter().map(|f| format!("    {f}")));
                }
                ("panic", lines.join("\n"))
            }
            Ok(Err(e)) => {
                let message = e.to_string();
                if message.contains(&case.name) {
                    ("rejected", message)
                } else {
                    ("unnamed-error", message)
                }
            }
            Ok(Ok(data)) => {
                let unbalanced: Vec<String> = data
                    .quality
                    .sources
                    .iter()
                    .filter(|q| q.rows_read != q.rows_loaded + q.rows_rejected + q.rows_skipped)
                    .map(|q| {
                        format!(
                            "{}: read {} != loaded {} + rejected {} + skipped {}",
                            q.file, q.rows_read, q.rows_loaded, q.rows_rejected, q.rows_skipped
                        )
                    })
                    .collect();
                if unbalanced.is_empty() {
                    let rows: usize = data.quality.sources.iter().map(|q| q.rows_read).sum();
                    ("loaded", format!("{rows} rows read"))
                } else {
                    ("ledger", unbalanced.join("; "))
                }
            }
        };
        if peak > limit && matches!(status, "loaded" | "rejected") {
            detail = format!(
                "peak {} against a limit of {} for {} input bytes; it {status}: {detail}",
                mib(peak),
                mib(limit),
                case.input_len()
            );
            status = "over-limit";
        }
        // Panics the loader caught: each with its frames the first time this
        // worker meets it (resolving a backtrace is slow).
        let caught: Vec<Value> = if result.is_err() {
            Vec::new()
        } else {
            panics
                .iter()
                .map(|(m, trace)| {
                    let message = m.replace('\n', " ");
                    let frames = if seen.insert(signature_text(&message)) {
                        our_frames(trace)
                    } else {
                        Vec::new()
                    };
                    json!({ "message": message, "frames": frames })
                })
                .collect()
        };
        drop(result);
        json!({
            "status": status,
            "peak": peak,
            "limit": limit,
            "ms": ms,
            "caught": caught,
            "detail": detail,
        })
    }

    fn mib(bytes: usize) -> String {
        format!("{:.1} MiB", bytes as f64 / MIB as f64)
    }

    #[test]
    #[ignore = "a worker process of mutated_fixtures_neither_panic_nor_exhaust_memory, which starts it"]
    fn worker() {
        let Ok(spec) = std::env::var(WORKER) else {
            eprintln!("run by mutated_fixtures_neither_panic_nor_exhaust_memory, not on its own");
            return;
        };
        let parts: Vec<u64> = spec.split('/').filter_map(|p| p.parse().ok()).collect();
        let [k, jobs, from, deadline_ms] = parts[..] else {
            panic!("{WORKER}={spec}: expected k/jobs/from/deadline_ms");
        };
        let (k, jobs, from) = (k as usize, jobs as usize, from as usize);
        let plan = Plan::from_env();
        let fixtures = Fixtures::load();
        let config = keyed_config();
        install_panic_recorder();
        let mut seen = HashSet::new();
        // A worker whose parent has gone stops.
        let say = |line: String| {
            let mut out = std::io::stdout().lock();
            if writeln!(out, "\n{MARK}{line}")
                .and_then(|_| out.flush())
                .is_err()
            {
                std::process::exit(0);
            }
        };
        for i in (from..plan.total()).filter(|i| i % jobs == k) {
            if now_ms() > deadline_ms {
                say("deadline".into());
                return;
            }
            say(format!("start {i}"));
            // Also on stderr, so that what a dying worker said there is read
            // from this case on.
            eprintln!("\n{MARK}start {i}");
            let case = build_case(&fixtures, &plan, &plan.id(i));
            let outcome = run_case(&case, &config, &mut seen);
            say(format!("done {i} {} {outcome}", case.id));
        }
        say("end".into());
    }

    // ---- The parent: starts workers, collects outcomes, reports. ----

    struct Outcome {
        status: String,
        peak: usize,
        limit: usize,
        ms: u64,
        /// Panics the loader caught: message, and frames when first met.
        caught: Vec<(String, Vec<String>)>,
        detail: String,
    }

    impl Outcome {
        fn failed(&self) -> bool {
            !matches!(self.status.as_str(), "loaded" | "rejected")
        }

        fn from_json(v: &Value) -> Outcome {
            Outcome {
                status: v["status"].as_str().unwrap_or("?").to_string(),
                peak: v["peak"].as_u64().unwrap_or(0) as usize,
                limit: v["limit"].as_u64().unwrap_or(0) as usize,
                ms: v["ms"].as_u64().unwrap_or(0),
                caught: v["caught"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .map(|c| {
                                let message = c["message"].as_str().unwrap_or("").to_string();
                                let frames = c["frames"]
                                    .as_array()
                                    .map(|f| {
                                        f.iter()
                                            .filter_map(|l| l.as_str().map(String::from))
                                            .collect()
                                    })
                                    .unwrap_or_default();
                                (message, frames)
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
                detail: v["detail"].as_str().unwrap_or("").to_string(),
            }
        }
    }

    struct Worker {
        k: usize,
        child: Child,
        stderr: PathBuf,
        /// The case running, and since when.
        current: Option<(usize, Instant)>,
        killed: bool,
        closed: bool,
        finished: bool,
    }

    fn spawn(
        plan: &Plan,
        k: usize,
        from: usize,
        deadline_ms: u64,
        tx: &mpsc::Sender<(usize, Option<String>)>,
    ) -> Worker {
        let logs = save_dir();
        std::fs::create_dir_all(&logs).expect("the mutation folder");
        let stderr = logs.join(format!("worker-{k}.stderr"));
        let mut command = Command::new(std::env::current_exe().expect("the test binary"));
        command
            .args([
                "mutations::worker",
                "--exact",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(WORKER, format!("{k}/{}/{from}/{deadline_ms}", plan.jobs))
            .env("HUBREPORT_MUTATION_SEED", plan.seed.to_string())
            .env("HUBREPORT_MUTATIONS", plan.random.to_string())
            .env(PREFIX, plan.prefix.join(","))
            .env("RUST_BACKTRACE", "0")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&stderr).expect("the worker's stderr file"));
        if let Some(ids) = &plan.only {
            command.env("HUBREPORT_MUTATION_CASE", ids.join(","));
        }
        let mut child = command.spawn().expect("a worker process");
        let stdout = child.stdout.take().expect("the worker's stdout");
        let tx = tx.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Some(at) = line.find(MARK)
                    && tx
                        .send((k, Some(line[at + MARK.len()..].to_string())))
                        .is_err()
                {
                    return;
                }
            }
            let _ = tx.send((k, None));
        });
        Worker {
            k,
            child,
            stderr,
            current: None,
            killed: false,
            closed: false,
            finished: false,
        }
    }

    /// Writes a case's data folder, with a note of what it is, for
    /// `hubreport check --data DIR` or a look by hand.
    fn save_case(plan: &Plan, case: &Case) -> PathBuf {
        let dir = save_dir().join(case.id.replace(':', "-"));
        let _ = std::fs::remove_dir_all(&dir);
        let _ = case.write_to(&dir);
        let _ = std::fs::write(
            dir.join("CASE.txt"),
            format!(
                "{}\n{}\n{}\n{}\n",
                case.id,
                case.origin,
                case.mutation,
                plan.reproduce(&case.id)
            ),
        );
        dir
    }

    fn save_dir() -> PathBuf {
        std::env::var_os("HUBREPORT_MUTATION_SAVE")
            .map(PathBuf::from)
            .unwrap_or_else(|| Path::new(env!("CARGO_TARGET_TMPDIR")).join("hubreport-mutations"))
    }

    /// What a worker's stderr says about how it died.
    fn last_words(stderr: &Path, status: Option<ExitStatus>) -> String {
        let text = std::fs::read(stderr).unwrap_or_default();
        let text = String::from_utf8_lossy(&text[text.len().saturating_sub(8192)..]).to_string();
        let text = text.rsplit(MARK).next().unwrap_or(&text);
        let lines: Vec<&str> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with("start "))
            .collect();
        let telling = [
            "allocation refused",
            "memory allocation of",
            "overflowed its stack",
            "panicked",
            "fatal runtime error",
            "SIG",
        ]
        .iter()
        .find_map(|w| lines.iter().rev().find(|l| l.contains(w)));
        let status = status.map_or("unknown".into(), |s| s.to_string());
        let frames: Vec<&str> = lines
            .iter()
            .skip_while(|l| !l.starts_with("allocation refused"))
            .skip(1)
            .take_while(|l| l.starts_with("in "))
            .copied()
            .collect();
        match telling.or(lines.last()) {
            Some(line) if frames.is_empty() => format!("{line} ({status})"),
            Some(line) => format!("{line} ({status})\n{}", frames.join("\n")),
            None => format!("the worker died ({status})"),
        }
    }

    #[test]
    fn mutated_fixtures_neither_panic_nor_exhaust_memory() {
        let plan = Plan::from_env();
        let total = plan.total();
        let started = Instant::now();
        let deadline_ms = plan
            .seconds
            .map_or(u64::MAX, |s| now_ms().saturating_add(s * 1000));
        let mut plan = plan;
        plan.jobs = plan.jobs.clamp(1, total.max(1));
        let (tx, rx) = mpsc::channel();
        let mut workers: Vec<Worker> = (0..plan.jobs)
            .map(|k| spawn(&plan, k, k, deadline_ms, &tx))
            .collect();
        let mut outcomes: BTreeMap<usize, Outcome> = BTreeMap::new();
        let mut harness_errors = Vec::new();
        let mut cut_short = false;
        let case_limit = Duration::from_secs(plan.case_seconds);
        let mut progress = Instant::now();
        while !workers.iter().all(|w| w.finished) {
            if progress.elapsed() > Duration::from_secs(30) {
                progress = Instant::now();
                eprintln!(
                    "mutation test: {} of {total} cases in {} s, {} failed",
                    outcomes.len(),
                    started.elapsed().as_secs(),
                    outcomes.values().filter(|o| o.failed()).count()
                );
            }
            match rx.recv_timeout(Duration::from_millis(250)) {
                Ok((k, Some(line))) => {
                    let w = &mut workers[k];
                    let (word, rest) = line.split_once(' ').unwrap_or((line.as_str(), ""));
                    match word {
                        "start" => {
                            let i = rest.parse().expect("a case number");
                            w.current = Some((i, Instant::now()));
                        }
                        "done" => {
                            let mut parts = rest.splitn(3, ' ');
                            let i: usize = parts
                                .next()
                                .and_then(|i| i.parse().ok())
                                .expect("a case number");
                            let id = parts.next().unwrap_or("");
                            if id != plan.id(i) {
                                harness_errors.push(format!(
                                    "worker {} ran {id} as case {i}, which is {}",
                                    w.k,
                                    plan.id(i)
                                ));
                            }
                            let v: Value = serde_json::from_str(parts.next().unwrap_or(""))
                                .expect("a JSON outcome");
                            outcomes.insert(i, Outcome::from_json(&v));
                            w.current = None;
                        }
                        "deadline" => {
                            cut_short = true;
                            w.closed = true;
                        }
                        "end" => w.closed = true,
                        _ => {}
                    }
                }
                Ok((k, None)) => {
                    let w = &mut workers[k];
                    let status = w.child.wait().ok();
                    match w.current.take() {
                        Some((i, since)) => {
                            let (status_word, detail) = if w.killed {
                                (
                                    "hang",
                                    format!(
                                        "still running after {} s: the worker was stopped",
                                        since.elapsed().as_secs()
                                    ),
                                )
                            } else {
                                let words = last_words(&w.stderr, status);
                                if words.starts_with("allocation refused") {
                                    ("over-limit", words)
                                } else {
                                    ("abort", words)
                                }
                            };
                            outcomes.insert(
                                i,
                                Outcome {
                                    status: status_word.into(),
                                    peak: 0,
                                    limit: 0,
                                    ms: since.elapsed().as_millis() as u64,
                                    caught: Vec::new(),
                                    detail,
                                },
                            );
                            let next = i + 1;
                            if next < total && now_ms() < deadline_ms {
                                let k = w.k;
                                *w = spawn(&plan, k, next, deadline_ms, &tx);
                            } else {
                                w.finished = true;
                                cut_short |= next < total;
                            }
                        }
                        None => {
                            if !w.closed {
                                harness_errors.push(format!(
                                    "worker {} stopped between cases: {}",
                                    w.k,
                                    last_words(&w.stderr, status)
                                ));
                            }
                            w.finished = true;
                        }
                    }
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    for w in &mut workers {
                        if let Some((_, since)) = w.current
                            && !w.killed
                            && since.elapsed() > case_limit
                        {
                            w.killed = true;
                            let _ = w.child.kill();
                        }
                    }
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            }
        }
        let elapsed = started.elapsed();
        let fixtures = Fixtures::load();
        let report = summarise(&plan, &fixtures, &outcomes, elapsed, cut_short);
        println!("{report}");
        assert!(harness_errors.is_empty(), "{}", harness_errors.join("\n"));
        let failed = outcomes.values().filter(|o| o.failed()).count();
        assert!(
            failed == 0,
            "{failed} of {} mutated inputs failed: the report above lists each distinct failure, an example and how to reproduce it",
            outcomes.len()
        );
    }

    /// The run in words: counts, the largest peaks and slowest cases, every
    /// distinct failure with an example, how to reproduce it and where its
    /// files were saved.
    fn summarise(
        plan: &Plan,
        fixtures: &Fixtures,
        outcomes: &BTreeMap<usize, Outcome>,
        elapsed: Duration,
        cut_short: bool,
    ) -> String {
        let mut out = String::new();
        let mut by_status: BTreeMap<&str, usize> = BTreeMap::new();
        for o in outcomes.values() {
            *by_status.entry(o.status.as_str()).or_default() += 1;
        }
        out.push_str(&format!(
            "mutation test, seed {:#x}: {} cases in {:.1} s{} ({:?})\n",
            plan.seed,
            outcomes.len(),
            elapsed.as_secs_f64(),
            if cut_short {
                format!(
                    ", stopped at the time budget before {} planned",
                    plan.total()
                )
            } else {
                String::new()
            },
            by_status
        ));
        let mut heaviest: Vec<(&usize, &Outcome)> =
            outcomes.iter().filter(|(_, o)| o.limit > 0).collect();
        heaviest.sort_by(|a, b| {
            let ratio = |o: &Outcome| o.peak as f64 / o.limit as f64;
            ratio(b.1).total_cmp(&ratio(a.1))
        });
        out.push_str("largest peaks against their limits:\n");
        for (i, o) in heaviest.iter().take(3) {
            out.push_str(&format!(
                "  {}: {} of {} ({})\n",
                plan.id(**i),
                mib(o.peak),
                mib(o.limit),
                o.status
            ));
        }
        let mut slowest: Vec<(&usize, &Outcome)> = outcomes.iter().collect();
        slowest.sort_by_key(|(_, o)| std::cmp::Reverse(o.ms));
        out.push_str("slowest cases:\n");
        for (i, o) in slowest.iter().take(3) {
            out.push_str(&format!("  {}: {} ms ({})\n", plan.id(**i), o.ms, o.status));
        }
        let mut caught: BTreeMap<String, (usize, usize, Vec<String>)> = BTreeMap::new();
        for (i, o) in outcomes {
            for (message, frames) in &o.caught {
                let entry = caught
                    .entry(signature_text(message))
                    .or_insert((0, *i, Vec::new()));
                entry.0 += 1;
                if entry.2.is_empty() {
                    entry.2.clone_from(frames);
                }
            }
        }
        if !caught.is_empty() {
            out.push_str("panics the loader caught and turned into errors (not failures):\n");
            for (what, (n, i, frames)) in &caught {
                out.push_str(&format!("  {n} x {what} (e.g. {})\n", plan.id(*i)));
                for frame in frames.iter().take(4) {
                    out.push_str(&format!("      {}\n", shorten(frame, 200)));
                }
            }
        }
        // Cases named on the command line: each described and saved.
        if plan.only.is_some() {
            for (i, o) in outcomes {
                let case = build_case(fixtures, plan, &plan.id(*i));
                let dir = save_case(plan, &case);
                let peak = if o.limit > 0 {
                    format!("peak {} of {}, ", mib(o.peak), mib(o.limit))
                } else {
                    String::new()
                };
                out.push_str(&format!(
                    "{}: {} ({} bytes, from {}): {}\n  {peak}{} ms; saved in {}\n  {}\n",
                    case.id,
                    o.status,
                    case.bytes.len(),
                    case.origin,
                    shorten(&case.mutation, 300),
                    o.ms,
                    dir.display(),
                    o.detail.replace('\n', "\n  ")
                ));
            }
        }
        // Failures, grouped by what went wrong and where.
        let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (i, o) in outcomes.iter().filter(|(_, o)| o.failed()) {
            let case = build_case(fixtures, plan, &plan.id(*i));
            let ext = case.name.rsplit('.').next().unwrap_or("").to_string();
            let what = match o.status.as_str() {
                // Each saved reproducer is its own failure.
                _ if case.id.starts_with("hostile:") => case.id.clone(),
                "over-limit" | "hang" => {
                    let kind = case.mutation.split([':', '(']).next().unwrap_or("");
                    format!("{ext} {kind}")
                }
                _ => format!(
                    "{ext} {}",
                    signature_text(o.detail.lines().next().unwrap_or(""))
                ),
            };
            groups
                .entry(format!("{}: {what}", o.status.to_uppercase()))
                .or_default()
                .push(*i);
        }
        if !groups.is_empty() {
            out.push_str(&format!(
                "{} distinct failures (each case's data folder is saved under {}):\n",
                groups.len(),
                save_dir().display()
            ));
        }
        for (signature, cases) in &groups {
            // The smallest input is the easiest to read.
            let mut examples: Vec<(usize, Case)> = cases
                .iter()
                .map(|&i| (i, build_case(fixtures, plan, &plan.id(i))))
                .collect();
            examples.sort_by_key(|(_, c)| c.bytes.len());
            out.push_str(&format!("\n{signature}  [{} cases]\n", cases.len()));
            for (_, case) in &examples {
                save_case(plan, case);
            }
            for (i, case) in examples.iter().take(2) {
                let o = &outcomes[i];
                out.push_str(&format!(
                    "  {} ({} bytes, from {}): {}\n",
                    case.id,
                    case.bytes.len(),
                    case.origin,
                    shorten(&case.mutation, 200)
                ));
                if o.peak > 0 {
                    out.push_str(&format!(
                        "    peak {} of {}, {} ms\n",
                        mib(o.peak),
                        mib(o.limit),
                        o.ms
                    ));
                }
                for line in o.detail.lines().take(10) {
                    out.push_str(&format!("    {}\n", shorten(line, 300)));
                }
                out.push_str(&format!("    reproduce: {}\n", plan.reproduce(&case.id)));
            }
        }
        out
    }

    /// A message with its numbers and quoted values blanked, so that one bug
    /// hit with different values reads as one; a panic keeps its location.
    fn signature_text(message: &str) -> String {
        if let Some(rest) = message.strip_prefix("panicked at ") {
            let (at, what) = rest.split_once(": ").unwrap_or((rest, ""));
            let at = ["/calamine-", "/src/", "/csv-", "/zip-", "/quick-xml-"]
                .iter()
                .find_map(|m| at.find(m).map(|i| &at[i + 1..]))
                .unwrap_or(at);
            return format!("panicked at {at}: {}", blank_values(what));
        }
        blank_values(message)
    }

    fn blank_values(message: &str) -> String {
        let message = message.split(" (").next().unwrap_or(message);
        let mut out = String::new();
        let mut in_quote = false;
        for c in message.chars() {
            if c == '\'' {
                in_quote = !in_quote;
                out.push(c);
            } else if in_quote {
                continue;
            } else if c.is_ascii_digit() {
                if !out.ends_with('N') {
                    out.push('N');
                }
            } else {
                out.push(c);
            }
        }
        shorten(&out, 160)
    }

    fn shorten(s: &str, n: usize) -> String {
        if s.chars().count() <= n {
            s.to_string()
        } else {
            format!("{}…", s.chars().take(n).collect::<String>())
        }
    }

    // ---- Making cases: random mutations. ----

    fn below(rng: &mut Rng, n: usize) -> usize {
        if n == 0 { 0 } else { rng.random_range(0..n) }
    }

    fn pick<'a, T>(rng: &mut Rng, items: &'a [T]) -> &'a T {
        &items[below(rng, items.len())]
    }

    /// Integers that sit on a boundary somewhere: sizes, counts, sheet limits.
    const INTERESTING: [u64; 20] = [
        0,
        1,
        0x7f,
        0x80,
        0xff,
        0x100,
        0x7fff,
        0x8000,
        0xffff,
        0x1_0000,
        16_383,
        16_384,
        1_048_575,
        1_048_576,
        0x7fff_ffff,
        0x8000_0000,
        0xffff_ffff,
        0x1_0000_0000,
        0x7fff_ffff_ffff_ffff,
        u64::MAX,
    ];

    /// Byte strings that mean something to one of the readers.
    const TOKENS: [&[u8]; 16] = [
        b"\"",
        b"<",
        b">",
        b"&",
        b"\r",
        b"\n",
        b",",
        b"\0",
        b"\xef\xbb\xbf",
        b"\xff\xfe",
        b"]]>",
        b"<!--",
        b"PK\x03\x04",
        b"\xd0\xcf\x11\xe0",
        b"\xc3\x28",
        b"\xf4\x90\x80\x80",
    ];

    /// One random change to raw bytes, described.
    fn damage_bytes(rng: &mut Rng, data: &mut Vec<u8>, donor: &[u8]) -> String {
        let len = data.len();
        match below(rng, 9) {
            0 if len > 0 => {
                let n = 1 + below(rng, 8);
                let mut at = Vec::new();
                for _ in 0..n {
                    let p = below(rng, len);
                    data[p] ^= 1 << below(rng, 8);
                    at.push(p);
                }
                format!("flip {n} bits at {at:?}")
            }
            1 if len > 0 => {
                let p = below(rng, len);
                let v = *pick(
                    rng,
                    &[0u8, 0xff, 0x7f, 0x80, b'"', b',', b'\n', b'<', b'0', b'9'],
                );
                data[p] = v;
                format!("byte {p} set to {v:#04x}")
            }
            2 if len > 0 => {
                let width = *pick(rng, &[1usize, 2, 4, 8]);
                let p = below(rng, len);
                let v = *pick(rng, &INTERESTING);
                let big = rng.random_bool(0.5);
                let bytes = if big {
                    v.to_be_bytes()
                } else {
                    v.to_le_bytes()
                };
                let bytes = if big {
                    &bytes[8 - width..]
                } else {
                    &bytes[..width]
                };
                let end = (p + width).min(len);
                data[p..end].copy_from_slice(&bytes[..end - p]);
                format!(
                    "{width}-byte {} integer {v:#x} written at {p}",
                    if big { "big-endian" } else { "little-endian" }
                )
            }
            3 => {
                let n = 1 + below(rng, 64);
                let p = below(rng, len + 1);
                let mut bytes = vec![0u8; n];
                rng.fill(&mut bytes[..]);
                data.splice(p..p, bytes);
                format!("{n} random bytes inserted at {p}")
            }
            4 if len > 0 => {
                let p = below(rng, len);
                let n = 1 + below(rng, (len - p).min(256));
                data.drain(p..p + n);
                format!("{n} bytes deleted at {p}")
            }
            5 if len > 0 => {
                let p = below(rng, len);
                data.truncate(p);
                format!("truncated to {p} bytes")
            }
            6 if len > 0 => {
                let a = below(rng, len);
                let n = 1 + below(rng, (len - a).min(4096));
                let times = if rng.random_bool(0.2) {
                    1 + below(rng, 1000)
                } else {
                    1 + below(rng, 4)
                };
                let times = times.min(MAX_LEN / 4 / n).max(1);
                let chunk: Vec<u8> = data[a..a + n].repeat(times);
                let p = below(rng, len + 1);
                data.splice(p..p, chunk);
                format!("bytes {a}..{} repeated {times} times at {p}", a + n)
            }
            7 if len > 0 && !donor.is_empty() => {
                let a = below(rng, donor.len());
                let n = 1 + below(rng, (donor.len() - a).min(1024));
                let p = below(rng, len);
                let m = below(rng, (len - p).min(1024) + 1);
                data.splice(p..p + m, donor[a..a + n].iter().copied());
                format!("bytes {p}..{} replaced by {n} bytes of another file", p + m)
            }
            _ => {
                let token = *pick(rng, &TOKENS);
                let p = below(rng, len + 1);
                data.splice(p..p, token.iter().copied());
                format!("{:?} inserted at {p}", String::from_utf8_lossy(token))
            }
        }
    }

    /// One to three byte-level changes.
    fn damage_bytes_stacked(rng: &mut Rng, data: &mut Vec<u8>, donor: &[u8]) -> String {
        let n = 1 + below(rng, 3);
        let steps: Vec<String> = (0..n).map(|_| damage_bytes(rng, data, donor)).collect();
        data.truncate(MAX_LEN);
        format!("bytes: {}", steps.join("; "))
    }

    /// Values for a cell, hostile to one parser or another.
    fn hostile_text(rng: &mut Rng) -> String {
        let fixed = [
            "1e309",
            "-1e309",
            "NaN",
            "inf",
            "-0",
            "0x10",
            "1,2,3",
            "£-5",
            "€1.000,50",
            "99999999999999999999999",
            "31/02/2024",
            "29/02/2023",
            "00/00/0000",
            "9999-99-99",
            "2024-04-03T",
            "03/04/2024 25:61",
            "45385.99999999999",
            "2958466",
            "-1",
            "3rd Smarch 2024",
            "0 - None",
            "6 - Very",
            "4.5",
            "5/5",
            "٤",
            "İstanbul Council",
            "a\u{0}b",
            "\u{202e}lacol",
            "\u{feff}",
            "=HYPERLINK(\"http://x\")",
            "Total",
            "Totals",
            "N/A",
            "\"",
            "\r",
            "line\nbreak",
            "\u{7f}\u{1b}[2J",
            "   ",
            "2024-25",
            "FY1999/2001",
            "Walk‐in",
            "Attended ",
        ];
        match below(rng, 6) {
            0 => "9".repeat(1 + below(rng, 400)),
            1 => "x".repeat(1 + below(rng, 100_000)),
            2 => "😀".repeat(1 + below(rng, 1000)),
            _ => pick(rng, &fixed).to_string(),
        }
    }

    fn quoted(s: &str) -> String {
        format!("\"{}\"", s.replace('"', "\"\""))
    }

    fn lines(data: &[u8]) -> Vec<Vec<u8>> {
        data.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect()
    }

    /// One structural change to CSV text, described.
    fn damage_csv(rng: &mut Rng, data: &mut Vec<u8>) -> String {
        let mut rows = lines(data);
        let n = rows.len();
        let desc = match below(rng, 12) {
            0 => {
                let commas: Vec<usize> = data
                    .iter()
                    .enumerate()
                    .filter(|(_, b)| **b == b',' || **b == b'\n')
                    .map(|(i, _)| i + 1)
                    .collect();
                let p = if commas.is_empty() {
                    0
                } else {
                    *pick(rng, &commas)
                };
                data.insert(p.min(data.len()), b'"');
                return format!("csv unbalanced quote: '\"' inserted at byte {p}");
            }
            1 => {
                let width = *pick(rng, &[1000usize, 16_384, 65_536, 250_000]);
                let at = below(rng, n + 1);
                rows.insert(at, vec![b','; width]);
                format!("csv huge row: {width} commas as line {}", at + 1)
            }
            2 => {
                let height = *pick(rng, &[100usize, 1000, 5000]);
                let width = *pick(rng, &[1000usize, 10_000, 50_000]);
                rows.extend(std::iter::repeat_n(b"x".to_vec(), height));
                rows.push(vec![b','; width]);
                format!("csv ragged rows: {height} one-field rows, then one of {width} commas")
            }
            3 => {
                let text = String::from_utf8_lossy(data).to_string();
                let (what, bytes): (&str, Vec<u8>) = match below(rng, 7) {
                    0 => (
                        "UTF-16LE with BOM",
                        [0xff, 0xfe]
                            .into_iter()
                            .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
                            .collect(),
                    ),
                    1 => (
                        "UTF-16BE with BOM",
                        [0xfe, 0xff]
                            .into_iter()
                            .chain(text.encode_utf16().flat_map(u16::to_be_bytes))
                            .collect(),
                    ),
                    2 => (
                        "UTF-16LE without BOM",
                        text.encode_utf16().flat_map(u16::to_le_bytes).collect(),
                    ),
                    3 => (
                        "UTF-32LE with BOM",
                        [0xff, 0xfe, 0, 0]
                            .into_iter()
                            .chain(text.chars().flat_map(|c| (c as u32).to_le_bytes()))
                            .collect(),
                    ),
                    4 => (
                        "two UTF-8 BOMs",
                        b"\xef\xbb\xbf"
                            .iter()
                            .copied()
                            .chain(data.iter().copied())
                            .collect(),
                    ),
                    5 => ("a BOM in the middle", {
                        let mut d = data.clone();
                        let p = below(rng, d.len() + 1);
                        d.splice(p..p, *b"\xef\xbb\xbf");
                        d
                    }),
                    _ => ("Windows-1252 bytes", {
                        let mut d = data.clone();
                        for _ in 0..1 + below(rng, 8) {
                            let p = below(rng, d.len() + 1);
                            d.insert(p, 0x80 + below(rng, 0x80) as u8);
                        }
                        d
                    }),
                };
                *data = bytes;
                return format!("csv encoding: {what}");
            }
            4 => {
                let k = 1 + below(rng, 16);
                for _ in 0..k {
                    let p = below(rng, data.len() + 1);
                    data.insert(p, 0);
                }
                return format!("csv NULs: {k} NUL bytes inserted");
            }
            5 => {
                const ENDINGS: [(&str, &[u8], &[u8]); 4] = [
                    ("CR only", b"\n", b"\r"),
                    ("CRLF", b"\n", b"\r\n"),
                    ("LFCR", b"\n", b"\n\r"),
                    ("blank lines", b"\n", b"\n\n\n"),
                ];
                let (what, from, to) = *pick(rng, &ENDINGS);
                let text = replace_all(data, from, to);
                *data = text;
                if rng.random_bool(0.3) {
                    data.extend(std::iter::repeat_n(b'\n', 10_000));
                }
                return format!("csv line endings: {what}");
            }
            6 => {
                let k = 1 + below(rng, 5);
                let mut what = Vec::new();
                for _ in 0..k {
                    let r = below(rng, n);
                    let mut fields: Vec<Vec<u8>> =
                        rows[r].split(|&b| b == b',').map(<[u8]>::to_vec).collect();
                    let f = below(rng, fields.len());
                    let value = hostile_text(rng);
                    fields[f] = if rng.random_bool(0.7) {
                        quoted(&value).into_bytes()
                    } else {
                        value.clone().into_bytes()
                    };
                    rows[r] = fields.join(&b","[..]);
                    what.push(format!(
                        "line {} field {} = {:?}",
                        r + 1,
                        f + 1,
                        shorten(&value, 40)
                    ));
                }
                format!("csv cells: {}", what.join(", "))
            }
            7 => match below(rng, 4) {
                0 => {
                    let k = *pick(rng, &[10usize, 1000, 100_000]);
                    let mut header = vec![b','; k];
                    header.extend_from_slice(&rows[0]);
                    rows[0] = header;
                    format!("csv header: {k} empty columns before it")
                }
                1 => {
                    let k = 1 + below(rng, 50);
                    let header = rows[0].clone();
                    for _ in 0..k {
                        rows.insert(1, header.clone());
                    }
                    format!("csv header: repeated {k} more times")
                }
                2 => {
                    rows.remove(0);
                    "csv header: removed".into()
                }
                _ => {
                    let header = rows[0].clone();
                    rows[0] = [header.clone(), header].join(&b","[..]);
                    "csv header: every column twice".into()
                }
            },
            8 => {
                let to = *pick(rng, b";\t|");
                for b in data.iter_mut() {
                    if *b == b',' {
                        *b = to;
                    }
                }
                return format!("csv delimiter: {:?}", to as char);
            }
            9 => {
                let r = 1 + below(rng, n.saturating_sub(1).max(1));
                let r = r.min(n - 1);
                let k = *pick(rng, &[10usize, 1000, 20_000]);
                let row = rows[r].clone();
                for _ in 0..k {
                    rows.insert(r, row.clone());
                }
                format!("csv duplicate rows: line {} repeated {k} times", r + 1)
            }
            10 => {
                let k = *pick(rng, &[100usize, 10_000, 200_000]);
                let r = below(rng, n);
                rows[r].extend_from_slice(b",\"");
                rows[r].extend("x\n".repeat(k).into_bytes());
                rows[r].push(b'"');
                format!(
                    "csv multi-line field: {k} lines in one quoted field on line {}",
                    r + 1
                )
            }
            _ => {
                let w = *pick(rng, &[10usize, 300, 2000]);
                for row in &mut rows {
                    row.extend(",x".repeat(w).into_bytes());
                }
                format!("csv wide rows: {w} more fields on every line")
            }
        };
        *data = rows.join(&b"\n"[..]);
        data.truncate(MAX_LEN);
        desc
    }

    fn replace_all(data: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(data.len());
        let mut i = 0;
        while i < data.len() {
            if data[i..].starts_with(from) {
                out.extend_from_slice(to);
                i += from.len();
            } else {
                out.push(data[i]);
                i += 1;
            }
        }
        out
    }

    fn find_all(hay: &[u8], needle: &[u8]) -> Vec<usize> {
        if needle.is_empty() || hay.len() < needle.len() {
            return Vec::new();
        }
        (0..=hay.len() - needle.len())
            .filter(|&i| hay[i..].starts_with(needle))
            .collect()
    }

    fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
        if needle.is_empty() || hay.len() < needle.len() {
            return None;
        }
        (0..=hay.len() - needle.len()).find(|&i| hay[i..].starts_with(needle))
    }

    /// Replaces the value after one occurrence of `open` (an attribute such as
    /// `<c r="`) up to the next `close`; false when there is none.
    fn replace_after(
        rng: &mut Rng,
        xml: &mut Vec<u8>,
        open: &[u8],
        close: &[u8],
        new: &[u8],
    ) -> bool {
        let starts = find_all(xml, open);
        if starts.is_empty() {
            return false;
        }
        let from = *pick(rng, &starts) + open.len();
        let Some(len) = find(&xml[from..], close) else {
            return false;
        };
        xml.splice(from..from + len, new.iter().copied());
        true
    }

    /// Inserts `new` just before `marker` (its first occurrence).
    fn insert_before(xml: &mut Vec<u8>, marker: &[u8], new: &[u8]) -> bool {
        match find(xml, marker) {
            Some(p) => {
                xml.splice(p..p, new.iter().copied());
                true
            }
            None => false,
        }
    }

    fn xml_escape(s: &str) -> String {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    }

    fn unzip(bytes: &[u8]) -> Option<Vec<Entry>> {
        let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
        (0..archive.len())
            .map(|i| {
                let mut file = archive.by_index(i).ok()?;
                let name = file.name().ok()?.to_string();
                let mut data = Vec::new();
                file.read_to_end(&mut data).ok()?;
                Some((name, data))
            })
            .collect()
    }

    fn rezip(entries: &[Entry], deflate: bool) -> Vec<u8> {
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, data) in entries {
            let method = if deflate && name != "mimetype" {
                zip::CompressionMethod::Deflated
            } else {
                zip::CompressionMethod::Stored
            };
            let options = zip::write::SimpleFileOptions::default().compression_method(method);
            if writer.start_file(name.as_str(), options).is_err() {
                continue;
            }
            writer.write_all(data).expect("writing to memory");
        }
        writer.finish().expect("a zip in memory").into_inner()
    }

    fn entry<'a>(entries: &'a mut [Entry], name: &str) -> Option<&'a mut Vec<u8>> {
        entries.iter_mut().find(|(n, _)| n == name).map(|(_, d)| d)
    }

    /// Cell references at and past the sheet's edges, and malformed ones.
    const REFS: [&str; 14] = [
        "XFD1048576",
        "A1048576",
        "XFD1",
        "XFE1",
        "A1048577",
        "A0",
        "",
        "1A",
        "AAAAAAAAAAAAAAAA1",
        "A99999999999999999999",
        "IV65536",
        "ZZ100000",
        "A-1",
        "$B$2",
    ];

    /// Numbers for row and repeat attributes.
    const COUNTS: [&str; 14] = [
        "0",
        "-1",
        "2",
        "1000",
        "16384",
        "16385",
        "65536",
        "1048576",
        "1048577",
        "4294967295",
        "4294967296",
        "18446744073709551616",
        "1e3",
        "x",
    ];

    const VALUES: [&str; 14] = [
        "NaN",
        "inf",
        "-inf",
        "1e308",
        "-1e308",
        "1e-320",
        "99999999999999999999",
        "",
        "abc",
        "2958466",
        "-1",
        "60",
        "0",
        "45385.5",
    ];

    /// One structural change inside an xlsx archive, described.
    fn damage_xlsx(rng: &mut Rng, entries: &mut Vec<Entry>) -> String {
        const SHEET: &str = "xl/worksheets/sheet1.xml";
        let Some(sheet_at) = entries.iter().position(|(n, _)| n == SHEET) else {
            return "xlsx: no sheet to damage".into();
        };
        let op = below(rng, 15);
        let sheet = &mut entries[sheet_at].1;
        match op {
            0 | 1 => {
                let i = if rng.random_bool(0.6) {
                    sheet_at
                } else {
                    below(rng, entries.len())
                };
                let donor = entries[sheet_at].1.clone();
                let (name, data) = &mut entries[i];
                format!(
                    "xlsx entry bytes: {name}: {}",
                    damage_bytes_stacked(rng, data, &donor)
                )
            }
            2 => {
                let r = *pick(rng, &REFS);
                replace_after(rng, sheet, b"<c r=\"", b"\"", r.as_bytes());
                format!("xlsx cell ref: one cell's r=\"{r}\"")
            }
            3 => {
                let r = *pick(rng, &COUNTS);
                replace_after(rng, sheet, b"<row r=\"", b"\"", r.as_bytes());
                format!("xlsx row number: one row's r=\"{r}\"")
            }
            4 => {
                let d = *pick(
                    rng,
                    &[
                        "A1:XFD1048576",
                        "XFD1048576",
                        "A1:A0",
                        ":",
                        "",
                        "A1:ZZZZ99999999",
                    ],
                );
                replace_after(rng, sheet, b"<dimension ref=\"", b"\"", d.as_bytes());
                format!("xlsx dimension: ref=\"{d}\"")
            }
            5 => {
                let r = *pick(rng, &REFS);
                let row: String = r.chars().filter(char::is_ascii_digit).collect();
                let row = if rng.random_bool(0.8) {
                    row
                } else {
                    pick(rng, &COUNTS).to_string()
                };
                let t = *pick(
                    rng,
                    &["", " t=\"n\"", " t=\"inlineStr\"", " t=\"s\"", " t=\"e\""],
                );
                let body = if t == " t=\"inlineStr\"" {
                    "<is><t>x</t></is>".to_string()
                } else {
                    format!("<v>{}</v>", pick(rng, &VALUES))
                };
                let cell = format!("<row r=\"{row}\"><c r=\"{r}\"{t}>{body}</c></row>");
                insert_before(sheet, b"</sheetData>", cell.as_bytes());
                format!("xlsx stray cell: {cell}")
            }
            6 => {
                let v = *pick(rng, &VALUES);
                replace_after(rng, sheet, b"<v>", b"</v>", v.as_bytes());
                format!("xlsx value: one <v>{v}</v>")
            }
            7 => {
                let t = *pick(rng, &["s", "n", "b", "e", "str", "inlineStr", "d", "x", ""]);
                replace_after(rng, sheet, b" t=\"", b"\"", t.as_bytes());
                format!("xlsx cell type: one t=\"{t}\"")
            }
            8 => {
                let s = *pick(rng, &["0", "1", "2", "63", "999999", "-1", "4294967296"]);
                if rng.random_bool(0.5) {
                    replace_after(rng, sheet, b" s=\"", b"\"", s.as_bytes());
                    format!("xlsx style: one cell's s=\"{s}\"")
                } else {
                    let styles = entry(entries, "xl/styles.xml").expect("styles");
                    let id = *pick(rng, &["14", "22", "47", "164", "0", "65535", "-1"]);
                    replace_after(rng, styles, b"numFmtId=\"", b"\"", id.as_bytes());
                    format!("xlsx number format: one numFmtId=\"{id}\"")
                }
            }
            9 => {
                let rows = find_all(sheet, b"<row ");
                let start = *pick(rng, &rows);
                let end = find(&sheet[start..], b"</row>").map_or(sheet.len(), |e| start + e + 6);
                let row = sheet[start..end].to_vec();
                let k = *pick(rng, &[2usize, 100, 5000, 50_000]);
                let k = k.min(MAX_LEN / row.len().max(1));
                let copies = row.repeat(k);
                sheet.splice(end..end, copies);
                format!("xlsx duplicate rows: a row element repeated {k} times")
            }
            10 => {
                let i = below(rng, entries.len());
                let (name, _) = entries.remove(i);
                format!("xlsx missing entry: {name} removed")
            }
            11 => {
                let count = *pick(
                    rng,
                    &[
                        "1",
                        "1000000",
                        "100000000000",
                        "18446744073709551615",
                        "-1",
                        "x",
                    ],
                );
                let sst = format!(
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" count=\"{count}\" uniqueCount=\"{count}\"><si><t>Attended</t></si></sst>"
                );
                let index = *pick(rng, &["0", "1", "4294967295", "-1"]);
                let sheet = &mut entries[sheet_at].1;
                *sheet = replace_all(
                    sheet,
                    b"t=\"inlineStr\"><is><t>Attended</t></is>",
                    format!("t=\"s\"><v>{index}</v>").as_bytes(),
                );
                entries.push(("xl/sharedStrings.xml".into(), sst.into_bytes()));
                format!(
                    "xlsx shared strings: uniqueCount=\"{count}\", cells pointing at string {index}"
                )
            }
            12 => {
                let workbook = entry(entries, "xl/workbook.xml").expect("workbook");
                match below(rng, 4) {
                    0 => {
                        let name = match below(rng, 4) {
                            0 => String::new(),
                            1 => "S".repeat(5000),
                            2 => "a/b\\c:*?[]".into(),
                            _ => "\u{1}\u{2}".into(),
                        };
                        replace_after(
                            rng,
                            workbook,
                            b"name=\"",
                            b"\"",
                            xml_escape(&name).as_bytes(),
                        );
                        format!("xlsx sheet name: {:?}", shorten(&name, 20))
                    }
                    1 => {
                        insert_before(workbook, b"/>", b" state=\"hidden\"");
                        "xlsx hidden sheet: the only sheet hidden".into()
                    }
                    2 => {
                        let sheets = find_all(workbook, b"<sheet ");
                        let start = *pick(rng, &sheets);
                        let end = find(&workbook[start..], b"/>")
                            .map_or(workbook.len(), |e| start + e + 2);
                        let one = workbook[start..end].to_vec();
                        let k = *pick(rng, &[2usize, 1000]);
                        workbook.splice(end..end, one.repeat(k));
                        format!("xlsx duplicate sheets: the sheet listed {} times", k + 1)
                    }
                    _ => {
                        replace_after(rng, workbook, b"r:id=\"", b"\"", b"rId999");
                        "xlsx sheet relation: r:id points nowhere".into()
                    }
                }
            }
            13 => {
                let junk = xml_junk(rng);
                let p = below(rng, sheet.len() + 1);
                sheet.splice(p..p, junk.iter().copied());
                format!(
                    "xlsx markup: {:?} inserted at {p}",
                    shorten(&String::from_utf8_lossy(&junk), 60)
                )
            }
            _ => {
                let text = hostile_text(rng);
                let escaped = if rng.random_bool(0.8) {
                    xml_escape(&text)
                } else {
                    text.clone()
                };
                replace_after(rng, sheet, b"<t>", b"</t>", escaped.as_bytes());
                format!("xlsx text: one string = {:?}", shorten(&text, 40))
            }
        }
    }

    /// Markup that parsers handle badly: deep nesting, entities, unclosed
    /// constructs, character references out of range.
    fn xml_junk(rng: &mut Rng) -> Vec<u8> {
        match below(rng, 8) {
            0 => "<x>".repeat(*pick(rng, &[100usize, 10_000, 200_000])).into_bytes(),
            1 => b"<!DOCTYPE x [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">]>".to_vec(),
            2 => b"&c;&#0;&#x110000;&#xFFFFFFFFF;&unknown;&amp".to_vec(),
            3 => b"<![CDATA[".to_vec(),
            4 => b"<!--".to_vec(),
            5 => b"</sheetData></worksheet>".to_vec(),
            6 => b"<?xml version=\"1.0\" encoding=\"UTF-16\"?>".to_vec(),
            _ => format!("<c r=\"A1\" {}=\"1\"/>", "a".repeat(*pick(rng, &[10usize, 100_000]))).into_bytes(),
        }
    }

    /// One structural change inside an ods archive, described.
    fn damage_ods(rng: &mut Rng, entries: &mut Vec<Entry>) -> String {
        let Some(content_at) = entries.iter().position(|(n, _)| n == "content.xml") else {
            return "ods: no content to damage".into();
        };
        let op = below(rng, 13);
        let content = &mut entries[content_at].1;
        match op {
            0 | 1 => {
                let i = if rng.random_bool(0.6) {
                    content_at
                } else {
                    below(rng, entries.len())
                };
                let donor = entries[content_at].1.clone();
                let (name, data) = &mut entries[i];
                format!(
                    "ods entry bytes: {name}: {}",
                    damage_bytes_stacked(rng, data, &donor)
                )
            }
            2 => {
                let n = *pick(rng, &COUNTS);
                let cells = find_all(content, b"<table:table-cell");
                let at = *pick(rng, &cells) + b"<table:table-cell".len();
                let attr = format!(" table:number-columns-repeated=\"{n}\"");
                content.splice(at..at, attr.bytes());
                format!("ods repeated columns: one cell's number-columns-repeated=\"{n}\"")
            }
            3 => {
                let n = *pick(rng, &COUNTS);
                let rows = find_all(content, b"<table:table-row");
                let at = *pick(rng, &rows) + b"<table:table-row".len();
                let attr = format!(" table:number-rows-repeated=\"{n}\"");
                content.splice(at..at, attr.bytes());
                format!("ods repeated rows: one row's number-rows-repeated=\"{n}\"")
            }
            4 => {
                let t = *pick(
                    rng,
                    &[
                        "float",
                        "date",
                        "time",
                        "percentage",
                        "currency",
                        "boolean",
                        "string",
                        "void",
                        "",
                    ],
                );
                replace_after(rng, content, b"office:value-type=\"", b"\"", t.as_bytes());
                format!("ods value type: one office:value-type=\"{t}\"")
            }
            5 => {
                let d = *pick(
                    rng,
                    &[
                        "99999-99-99",
                        "2024-02-30",
                        "",
                        "-0001-01-01",
                        "2024-04-03T25:61:61",
                        "1e308",
                        "2024-04-03T00:00:00.999999999999Z",
                        "+275760-09-13",
                    ],
                );
                if !replace_after(rng, content, b"office:date-value=\"", b"\"", d.as_bytes()) {
                    return "ods date value: no date to change".into();
                }
                format!("ods date value: one office:date-value=\"{d}\"")
            }
            6 => {
                let rows = find_all(content, b"<table:table-row");
                let start = *pick(rng, &rows);
                let end = find(&content[start..], b"</table:table-row>")
                    .map_or(content.len(), |e| start + e + 18);
                let row = content[start..end].to_vec();
                let k = *pick(rng, &[2usize, 100, 5000, 50_000]);
                let k = k.min(MAX_LEN / row.len().max(1));
                content.splice(end..end, row.repeat(k));
                format!("ods duplicate rows: a row element repeated {k} times")
            }
            7 => {
                let i = below(rng, entries.len());
                let (name, _) = entries.remove(i);
                format!("ods missing entry: {name} removed")
            }
            8 => {
                let text = hostile_text(rng);
                let escaped = if rng.random_bool(0.8) {
                    xml_escape(&text)
                } else {
                    text.clone()
                };
                replace_after(rng, content, b"<text:p>", b"</text:p>", escaped.as_bytes());
                format!("ods text: one paragraph = {:?}", shorten(&text, 40))
            }
            9 => {
                let junk = xml_junk(rng);
                let p = below(rng, content.len() + 1);
                content.splice(p..p, junk.iter().copied());
                format!(
                    "ods markup: {:?} inserted at {p}",
                    shorten(&String::from_utf8_lossy(&junk), 60)
                )
            }
            10 => {
                let n = *pick(rng, &COUNTS);
                let which = *pick(rng, &["columns", "rows"]);
                let cells = find_all(content, b"<table:table-cell ");
                let at = *pick(rng, &cells) + b"<table:table-cell".len();
                let attr = format!(" table:number-{which}-spanned=\"{n}\"");
                content.splice(at..at, attr.bytes());
                format!("ods spanned cell: number-{which}-spanned=\"{n}\"")
            }
            11 => {
                let rows_n = *pick(rng, &COUNTS);
                let cols_n = *pick(rng, &COUNTS);
                let stray = format!(
                    "<table:table-row table:number-rows-repeated=\"{rows_n}\"><table:table-cell/></table:table-row><table:table-row><table:table-cell table:number-columns-repeated=\"{cols_n}\"/><table:table-cell office:value-type=\"string\"><text:p>x</text:p></table:table-cell></table:table-row>"
                );
                insert_before(content, b"</table:table>", stray.as_bytes());
                format!("ods stray cell: after {rows_n} empty rows and {cols_n} empty columns")
            }
            _ => {
                let start = find(content, b"<table:table ").unwrap_or(0);
                let end = find(content, b"</table:table>").map_or(content.len(), |e| e + 14);
                let table = content[start..end].to_vec();
                let k = *pick(rng, &[1usize, 50]);
                content.splice(end..end, table.repeat(k));
                format!("ods duplicate tables: the sheet {k} more times, same name")
            }
        }
    }

    /// The BIFF records of an xls file's workbook stream: (offset, type, length).
    fn biff_records(b: &[u8]) -> Vec<(usize, u16, usize)> {
        let mut out = Vec::new();
        let mut at = 512;
        while at + 4 <= b.len() {
            let kind = u16::from_le_bytes([b[at], b[at + 1]]);
            let len = u16::from_le_bytes([b[at + 2], b[at + 3]]) as usize;
            if (kind == 0 && len == 0) || at + 4 + len > b.len() {
                break;
            }
            out.push((at, kind, len));
            at += 4 + len;
        }
        out
    }

    /// Fields worth poking in the records the reader uses: (offset in the
    /// record's data, width).
    fn biff_fields(kind: u16, len: usize) -> Vec<(usize, usize)> {
        match kind {
            0x00FD | 0x027E | 0x0203 => vec![(0, 2), (2, 2), (4, 2), (6, 4)],
            0x00BD => vec![(0, 2), (2, 2), (len.saturating_sub(2), 2)],
            0x0208 => vec![(0, 2), (2, 2), (4, 2), (6, 2)],
            0x0200 => vec![(0, 4), (4, 4), (8, 2), (10, 2)],
            0x00FC => vec![(0, 4), (4, 4), (8, 2), (10, 1)],
            0x0085 => vec![(0, 4), (4, 1), (5, 1), (6, 1)],
            0x0809 => vec![(0, 2), (2, 2)],
            0x00E0 => vec![(0, 2), (2, 2)],
            0x041E => vec![(0, 2), (2, 2)],
            _ => Vec::new(),
        }
    }

    /// One change to an xls file's records, described.
    fn damage_xls(rng: &mut Rng, data: &mut Vec<u8>) -> String {
        let records = biff_records(data);
        let pokeable: Vec<(usize, u16, usize)> = records
            .iter()
            .copied()
            .filter(|&(_, k, len)| !biff_fields(k, len).is_empty())
            .collect();
        if records.is_empty() || pokeable.is_empty() {
            return damage_bytes_stacked(rng, data, &[]);
        }
        match below(rng, 4) {
            0 | 1 => {
                let (at, kind, len) = *pick(rng, &pokeable);
                let (off, width) = *pick(rng, &biff_fields(kind, len));
                if off + width > len {
                    return format!("xls record {kind:#06x}: too short to poke");
                }
                let v = *pick(rng, &INTERESTING);
                let p = at + 4 + off;
                data[p..p + width].copy_from_slice(&v.to_le_bytes()[..width]);
                format!(
                    "xls record field: record {kind:#06x} at {at}, bytes {off}..{} = {v:#x}",
                    off + width
                )
            }
            2 => {
                let (at, kind, _) = *pick(rng, &records);
                let v = *pick(rng, &[0u16, 1, 0x7fff, 0xffff, 8224, 8225]);
                data[at + 2..at + 4].copy_from_slice(&v.to_le_bytes());
                format!("xls record length: record {kind:#06x} at {at} claims {v} bytes")
            }
            _ => {
                let (at, kind, len) = *pick(rng, &records);
                let one = data[at..at + 4 + len].to_vec();
                if rng.random_bool(0.5) {
                    let k = *pick(rng, &[1usize, 10, 1000]);
                    data.splice(at..at, one.repeat(k));
                    format!("xls duplicate record: record {kind:#06x} at {at} {k} more times")
                } else {
                    data.drain(at..at + 4 + len);
                    format!("xls missing record: record {kind:#06x} at {at} removed")
                }
            }
        }
    }

    /// A random fixture and a random mutation of it.
    fn random_mutation(fixtures: &Fixtures, rng: &mut Rng) -> (usize, Vec<u8>, String) {
        let i = below(rng, fixtures.0.len());
        let fixture = &fixtures.0[i];
        let donor = &fixtures.0[below(rng, fixtures.0.len())].bytes;
        let mut bytes = fixture.bytes.clone();
        let ext = fixture.rel.rsplit('.').next().unwrap_or("");
        let mutation = match (ext, &fixture.entries) {
            ("csv", _) if rng.random_bool(0.6) => {
                let first = damage_csv(rng, &mut bytes);
                if rng.random_bool(0.2) {
                    format!(
                        "{first}; then {}",
                        damage_bytes_stacked(rng, &mut bytes, donor)
                    )
                } else {
                    first
                }
            }
            ("xls", _) if rng.random_bool(0.6) => damage_xls(rng, &mut bytes),
            ("xlsx" | "ods", Some(entries)) if rng.random_bool(0.8) => {
                let mut entries = entries.clone();
                let what = if ext == "xlsx" {
                    damage_xlsx(rng, &mut entries)
                } else {
                    damage_ods(rng, &mut entries)
                };
                bytes = rezip(&entries, rng.random_bool(0.5));
                if rng.random_bool(0.1) {
                    format!(
                        "{what}; then {}",
                        damage_bytes_stacked(rng, &mut bytes, donor)
                    )
                } else {
                    what
                }
            }
            _ => damage_bytes_stacked(rng, &mut bytes, donor),
        };
        (i, bytes, mutation)
    }

    // ---- Making cases: constructed hostile files. ----

    /// A constructed case: the fixture it was made from, its bytes, what it is.
    type Named = (usize, Vec<u8>, String);
    type Maker = fn(&Fixtures) -> Named;

    /// Hostile files built on purpose, each a class of input that has broken
    /// spreadsheet loaders: content placed at a sheet's far corner, counts
    /// that claim more than the file holds, very wide or ragged CSV.
    const NAMED: [(&str, Maker); 12] = [
        ("csv-million-empty-header-columns", |f| {
            let i = f.find("metrics/data/attendance.csv");
            let mut rows = lines(&f.0[i].bytes);
            rows[0].extend(std::iter::repeat_n(b',', 1_000_000));
            (
                i,
                rows.join(&b"\n"[..]),
                "csv header: 1,000,000 empty columns after it, 74 rows below".into(),
            )
        }),
        ("csv-wide-row-below-many-rows", |f| {
            let i = f.find("formats/csv/attendance.csv");
            let mut bytes = f.0[i].bytes.clone();
            for _ in 0..5000 {
                bytes.extend_from_slice(b"S9,x@y.org,Agency,Attended,Course,01/05/2024,\n");
            }
            bytes.extend(std::iter::repeat_n(b',', 50_000));
            bytes.push(b'\n');
            (
                i,
                bytes,
                "csv ragged rows: 5,000 rows of 7 fields, then one of 50,001".into(),
            )
        }),
        ("csv-200000-rows-each-missing-required-values", |f| {
            let i = f.find("formats/csv/attendance.csv");
            let mut rows = lines(&f.0[i].bytes);
            rows.truncate(1);
            rows.extend(std::iter::repeat_n(b"x".to_vec(), 200_000));
            (
                i,
                rows.join(&b"\n"[..]),
                "csv rejected rows: 200,000 rows of one field, each missing three required values"
                    .into(),
            )
        }),
        ("csv-utf16le-with-bom", |f| {
            let i = f.find("formats/csv/attendance.csv");
            let text = String::from_utf8_lossy(&f.0[i].bytes).to_string();
            let bytes = [0xff, 0xfe]
                .into_iter()
                .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
                .collect();
            (
                i,
                bytes,
                "csv encoding: UTF-16LE with BOM (Excel's 'Unicode text')".into(),
            )
        }),
        ("xlsx-stray-cell-at-xfd1048576", |f| {
            xlsx_with_cell(
                f,
                "<row r=\"1048576\"><c r=\"XFD1048576\"><v>1</v></c></row>",
            )
        }),
        ("xlsx-stray-cell-at-a1048576", |f| {
            xlsx_with_cell(f, "<row r=\"1048576\"><c r=\"A1048576\"><v>1</v></c></row>")
        }),
        ("xlsx-stray-cell-at-xfd1", |f| {
            xlsx_with_cell(f, "<row r=\"7\"><c r=\"XFD7\"><v>1</v></c></row>")
        }),
        ("xlsx-shared-strings-claim-1e11-strings", |f| {
            let i = f.find("formats/xlsx/attendance.xlsx");
            let mut entries = f.0[i].entries.clone().expect("entries");
            entries.push((
                "xl/sharedStrings.xml".into(),
                b"<?xml version=\"1.0\" encoding=\"UTF-8\"?><sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" count=\"100000000000\" uniqueCount=\"100000000000\"><si><t>x</t></si></sst>".to_vec(),
            ));
            (
                i,
                rezip(&entries, true),
                "xlsx shared strings: uniqueCount=\"100000000000\" for one string".into(),
            )
        }),
        ("xls-cell-at-row-65535-column-255", |f| {
            let i = f.find("formats/xls/attendance.xls");
            let mut bytes = f.0[i].bytes.clone();
            let (at, _, _) = *biff_records(&bytes)
                .iter()
                .rfind(|r| r.1 == 0x00FD)
                .expect("a LABELSST record");
            bytes[at + 4..at + 6].copy_from_slice(&0xFFFFu16.to_le_bytes());
            bytes[at + 6..at + 8].copy_from_slice(&0x00FFu16.to_le_bytes());
            (
                i,
                bytes,
                "xls record field: the last string cell moved to row 65536, column IV".into(),
            )
        }),
        ("xls-dimensions-claim-the-whole-sheet", |f| {
            let i = f.find("formats/xls/attendance.xls");
            let mut bytes = f.0[i].bytes.clone();
            let (at, _, _) = *biff_records(&bytes)
                .iter()
                .find(|r| r.1 == 0x0200)
                .expect("a DIMENSIONS record");
            bytes[at + 8..at + 12].copy_from_slice(&65536u32.to_le_bytes());
            bytes[at + 14..at + 16].copy_from_slice(&256u16.to_le_bytes());
            (
                i,
                bytes,
                "xls record field: DIMENSIONS claims 65,536 rows and 256 columns".into(),
            )
        }),
        ("ods-cell-repeated-to-the-sheet-edges", |f| {
            let i = f.find("formats/ods/attendance.ods");
            let mut entries = f.0[i].entries.clone().expect("entries");
            let content = entry(&mut entries, "content.xml").expect("content");
            let rows = find_all(content, b"<table:table-row>");
            let at = rows[1] + b"<table:table-row".len();
            content.splice(at..at, *b" table:number-rows-repeated=\"1048570\"");
            let cell = find(&content[at..], b"<table:table-cell").expect("a cell")
                + at
                + b"<table:table-cell".len();
            content.splice(cell..cell, *b" table:number-columns-repeated=\"16380\"");
            (i, rezip(&entries, true), "ods repeated cells: one data cell repeated 16,380 columns, its row 1,048,570 times".into())
        }),
        ("ods-value-below-a-million-empty-rows", |f| {
            let i = f.find("formats/ods/attendance.ods");
            let mut entries = f.0[i].entries.clone().expect("entries");
            let content = entry(&mut entries, "content.xml").expect("content");
            insert_before(
                content,
                b"</table:table>",
                b"<table:table-row table:number-rows-repeated=\"1048000\"><table:table-cell/></table:table-row><table:table-row><table:table-cell office:value-type=\"string\"><text:p>x</text:p></table:table-cell></table:table-row>",
            );
            (
                i,
                rezip(&entries, true),
                "ods stray cell: a value below 1,048,000 empty rows".into(),
            )
        }),
    ];

    fn xlsx_with_cell(f: &Fixtures, row: &str) -> Named {
        let i = f.find("formats/xlsx/attendance.xlsx");
        let mut entries = f.0[i].entries.clone().expect("entries");
        let sheet = entry(&mut entries, "xl/worksheets/sheet1.xml").expect("sheet");
        insert_before(sheet, b"</sheetData>", row.as_bytes());
        (i, rezip(&entries, true), format!("xlsx stray cell: {row}"))
    }
}
