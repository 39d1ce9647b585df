//! Personal details in free text: email addresses and phone numbers are
//! masked, and control characters replaced, in every text value that leaves
//! hubreport (comments on load; agency, course and item names, rejected
//! values and every other text cell of a table or report on output).
//!
//! A leaf module: it depends on nothing else in the crate.

use std::borrow::Cow;
use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

/// What a masked email address reads as.
pub const EMAIL: &str = "[email]";
/// What a masked phone number reads as.
pub const PHONE: &str = "[phone]";

/// The parts of an email address's pattern.
mod email {
    pub const LOCAL: &str = r"[\p{L}\p{M}\p{N}._%+'\-]+";
    pub const LABEL: &str = r"[\p{L}\p{M}\p{N}](?:[\p{L}\p{M}\p{N}\-]*[\p{L}\p{M}\p{N}])?";
    pub const AT_SIGN: &str = r"[@＠﹫]";
    pub const BRACKET_AT: &str = r"\s*[\[({<]\s*(?i:at)\s*[\])}>]\s*";
    pub const DOT: &str = r"(?:[.．]|\s*[\[({<]\s*(?i:dot)\s*[\])}>]\s*|\s+(?i:dot)\s+)";

    pub fn domain() -> String {
        format!(r"{LABEL}(?:{DOT}{LABEL})*")
    }

    /// A domain ending in a dot and a name (`.org`): what a spaced `@` or a
    /// bare word `at` needs before it is taken for an address, so that
    /// `5 @ 4` or `2 at 3.30pm` stays as written.
    pub fn dotted() -> String {
        format!(r"{}{DOT}\p{{L}}{{2,}}", domain())
    }
}

/// Email addresses with an at sign or a bracketed `at`: `jo@example.org`,
/// `jo＠example.org`, `jo @ example.org`, `jo [at] example [dot] org`.
static EMAILS: LazyLock<Regex> = LazyLock::new(|| {
    use email::*;
    Regex::new(&format!(
        r"{LOCAL}(?:(?:{AT_SIGN}|{BRACKET_AT}){domain}|(?:\s+{AT_SIGN}\s*|\s*{AT_SIGN}\s+){dotted})",
        domain = domain(),
        dotted = dotted(),
    ))
    .expect("a valid email pattern")
});

/// Email addresses with the word `at`: `jo at example dot org`. Matched
/// after [`EMAILS`], so that `me at jo@example.org` masks the address only.
static WORD_EMAILS: LazyLock<Regex> = LazyLock::new(|| {
    use email::*;
    Regex::new(&format!(r"{LOCAL}\s+(?i:at)\s+{}", dotted())).expect("a valid email pattern")
});

/// Phone numbers: UK ones, `0` and 9 or 10 more digits, or `+44`/`0044`
/// (with an optional `(0)`) and 9 or 10 digits; and other countries', `+`
/// and 8 to 14 digits. Any one of space, `.`, `-`, `/` (or a bracket) may
/// separate digits; an extension may follow.
static PHONES: LazyLock<Regex> = LazyLock::new(|| {
    let sep = r"(?:[ \t]?[.\-/][ \t]?|[ \t]|\)[ \t]?[.\-/]?[ \t]?|[ \t]?\()?";
    let gap = r"[ \t]?[.\-/]?[ \t]?";
    let national = format!(r"\(?\b0(?:{sep}\d){{9,10}}");
    let international =
        format!(r"(?:\(?\+|\b00)[ \t]?44\)?{gap}(?:\(0\){gap})?\(?[1-9](?:{sep}\d){{8,9}}");
    let extension = r"(?:[ \t]*,?[ \t]*(?i:ext(?:ension|n)?\.?|x)[ \t]*\d{1,6})?";
    let abroad = format!(r"\(?\+[1-9](?:{sep}\d){{7,13}}");
    Regex::new(&format!(
        r"(?:{international}|{abroad}|{national}){extension}"
    ))
    .expect("a valid phone pattern")
});

/// Dates written with `/`, `.` or `-` (`01/04/2024`, `1.4.24`): never part of
/// a phone number.
static DATES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b\d{1,2}([/.\-])\d{1,2}([/.\-])(?:\d{4}|\d{2})\b").expect("a valid date pattern")
});

/// `text` with email addresses and phone numbers masked.
pub fn personal(text: &str) -> Cow<'_, str> {
    and_then(emails(text), phones)
}

/// `text` as it may appear in an output: [`personal`] details masked and
/// every control character (tabs and line breaks included) replaced by a
/// space.
pub fn free_text(text: &str) -> Cow<'_, str> {
    let masked = personal(text);
    if !masked.chars().any(char::is_control) {
        return masked;
    }
    Cow::Owned(
        masked
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect(),
    )
}

/// Email addresses in `text` replaced by [`EMAIL`].
pub fn emails(text: &str) -> Cow<'_, str> {
    if !may_hold_email(text) {
        return Cow::Borrowed(text);
    }
    and_then(EMAILS.replace_all(text, EMAIL), |t| {
        WORD_EMAILS.replace_all(t, EMAIL)
    })
}

/// Phone numbers in `text` replaced by [`PHONE`]; dates are left alone.
pub fn phones(text: &str) -> Cow<'_, str> {
    if text.bytes().filter(u8::is_ascii_digit).count() < 10 {
        return Cow::Borrowed(text);
    }
    let found: Vec<Range<usize>> = between(text, &dates(text))
        .into_iter()
        .flat_map(|span| {
            PHONES
                .find_iter(&text[span.clone()])
                .map(move |m| span.start + m.start()..span.start + m.end())
                .collect::<Vec<_>>()
        })
        .collect();
    if found.is_empty() {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for m in found {
        out.push_str(&text[at..m.start]);
        out.push_str(PHONE);
        at = m.end;
    }
    out.push_str(&text[at..]);
    Cow::Owned(out)
}

/// `f` applied to `text`, still borrowed while neither changed it.
fn and_then<'a>(text: Cow<'a, str>, f: impl Fn(&str) -> Cow<'_, str>) -> Cow<'a, str> {
    match text {
        Cow::Borrowed(t) => f(t),
        Cow::Owned(t) => Cow::Owned(f(&t).into_owned()),
    }
}

/// A cheap test that rules out most text before the email patterns run: an
/// at sign, or the word `at`.
fn may_hold_email(text: &str) -> bool {
    text.contains(['@', '＠', '﹫'])
        || text
            .split(|c: char| !c.is_alphanumeric())
            .any(|word| word.eq_ignore_ascii_case("at"))
}

/// The byte ranges of dates in `text`.
fn dates(text: &str) -> Vec<Range<usize>> {
    DATES
        .captures_iter(text)
        .filter(|c| c.get(1).map(|m| m.as_str()) == c.get(2).map(|m| m.as_str()))
        .filter_map(|c| c.get(0).map(|m| m.range()))
        .collect()
}

/// The ranges of `text` outside `holes` (sorted, not overlapping).
fn between(text: &str, holes: &[Range<usize>]) -> Vec<Range<usize>> {
    let mut out = Vec::with_capacity(holes.len() + 1);
    let mut at = 0;
    for hole in holes {
        out.push(at..hole.start);
        at = hole.end;
    }
    out.push(at..text.len());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn masked(text: &str) -> String {
        personal(text).into_owned()
    }

    #[test]
    fn uk_and_international_phone_numbers_in_every_common_shape_are_masked() {
        for phone in [
            // Landlines: 01xxx, 011x, 01x1, 02x, 03xx, 08xx.
            "0161 496 0000",
            "01614960000",
            "0161-496-0000",
            "0161.496.0000",
            "0161/496/0000",
            "(0161) 496 0000",
            "(0161) 496-0000",
            "(0161)4960000",
            "01632 960001",
            "01632 96000",
            "016977 4321",
            "0113 496 0000",
            "020 7946 0000",
            "020-7946-0000",
            "(020) 7946 0000",
            "029 2018 0000",
            "0300 123 4567",
            "0800 123 4567",
            "0808 157 0000",
            // Mobiles.
            "07700 900123",
            "07700900123",
            "07700 900 123",
            "07700-900-123",
            "077 0090 0123",
            "07700.900.123",
            // International.
            "+44 161 496 0000",
            "+44 (0)161 496 0000",
            "+44 (0) 161 496 0000",
            "+44(0)1614960000",
            "+447700900123",
            "+44 7700 900123",
            "+44-7700-900123",
            "(+44) 7700 900123",
            "0044 161 496 0000",
            "0044 7700 900 123",
            "(0)161 496 0000",
            "+353 1 234 5678",
            "+1 (212) 555-0100",
            "+33 1 23 45 67 89",
            // Extensions.
            "0161 496 0000 ext 123",
            "0161 496 0000 ext. 123",
            "0161 496 0000 extn 12",
            "0161 496 0000 x123",
            "0161 496 0000, ext 4",
            "020 7946 0000 Extension 2201",
        ] {
            assert_eq!(masked(phone), PHONE, "{phone}");
            assert_eq!(
                masked(&format!("Ring me on {phone}, thanks.")),
                "Ring me on [phone], thanks.",
                "{phone}"
            );
        }
        assert_eq!(masked("Call (0161) 496-0000 please"), "Call [phone] please");
        assert_eq!(
            masked("Room 12 0161 496 0000 or 07700 900123"),
            "Room 12 [phone] or [phone]"
        );
        assert_eq!(
            masked("On 01/04/2024 0161 496 0000 rang"),
            "On 01/04/2024 [phone] rang"
        );
        assert_eq!(masked("tel:07700900123;"), "tel:[phone];");
        assert_eq!(masked("Tel: 0161 4960000"), "Tel: [phone]");
    }

    #[test]
    fn numbers_that_are_not_phones_stay() {
        for text in [
            "Used it in 3 of 12 cases in 2024",
            "Sessions on 01/04/2024 and 31/03/2025",
            "01/04/2024 - 31/03/2025",
            "01/04/24 31/03/25",
            "01.04.2024 10.30",
            "2024-04-01 to 2025-03-31",
            "01/04/2024 12:30",
            "1 April 2024, 09:30-16:30",
            "From 09:00 to 17:00, 10:30-12:30",
            "£1,250.00 and £75 and £12,345,678",
            "Cost £1250.50 per 100 places",
            "Session S-2024-001 and S-2024-0012",
            "Ref 2024/25/0001",
            "FY 2024-25 and 2025-26",
            "2023 2024 2025",
            "M1 1AE, SW1A 1AA, B33 8TH",
            "Level 3, 2 x half day, 10 places",
            "Scored 4/5 then 5/5",
            "90% of 1000 staff, 12.5% fewer",
            "Year 2024 2025 2026 2027",
            "Up +20.0 points on 2023-24, +0.80 on 2022-23",
            "Scored +12 of 15, -3 on the year",
            "NHS number withheld; 10 of 12 sessions, 2024/25",
        ] {
            assert_eq!(masked(text), text, "{text}");
        }
    }

    #[test]
    fn email_addresses_plain_and_obfuscated_are_masked() {
        for email in [
            "jo.bloggs@example.org",
            "JO.BLOGGS@EXAMPLE.ORG",
            "jo+training@example.org",
            "jo_bloggs-1@mail.nhs.example.net",
            "o'brien@example.co.uk",
            "jo@localhost",
            "jo＠example.org",
            "jo﹫example.org",
            "jo @ example.org",
            "jo@ example.org",
            "josé.garcía@ejemplo.es",
            "zoë@example.org",
            "用户@例子.广告",
            "jane [at] example.com",
            "jane[at]example.com",
            "jane (at) example.com",
            "jane {at} example.com",
            "jane <at> example.com",
            "jane [AT] example [DOT] com",
            "jane (at) example (dot) co (dot) uk",
            "jane at example dot com",
            "jane AT example DOT org DOT uk",
            "jane at example.com",
            "jane.doe at nhs.net",
        ] {
            assert_eq!(masked(email), EMAIL, "{email}");
            assert_eq!(
                masked(&format!("Email me ({email}), thanks.")),
                "Email me ([email]), thanks.",
                "{email}"
            );
        }
        assert_eq!(
            masked("Email me at jo.bloggs@example.org, or ring 07700 900123."),
            "Email me at [email], or ring [phone]."
        );
        assert_eq!(
            masked("jo.bloggs@example.org."),
            "[email].",
            "a full stop ends the sentence"
        );
    }

    #[test]
    fn text_that_is_not_an_email_stays() {
        for text in [
            "Meet at 10am at the hall.",
            "Arrived at 3.30pm, left at 5.",
            "3 @ £5 each",
            "Look at the data. Then act.",
            "@ the venue",
            "Safeguarding at home and at school",
            "What is the cost at 2.5 hours?",
        ] {
            assert_eq!(masked(text), text, "{text}");
        }
    }

    #[test]
    fn masking_is_idempotent_and_borrows_when_nothing_changes() {
        let text = "Email jo@example.org or ring 0161 496 0000";
        let once = masked(text);
        assert_eq!(masked(&once), once);
        assert!(matches!(personal("Plain text, 3 of 12"), Cow::Borrowed(_)));
        assert!(matches!(free_text("Plain text"), Cow::Borrowed(_)));
    }

    proptest::proptest! {
        #[test]
        fn any_text_is_masked_without_panic_or_control_characters(text in "\\PC*|[0-9 +().@a-z\\-/\t\n]*") {
            let out = free_text(&text);
            proptest::prop_assert!(!out.chars().any(char::is_control));
            proptest::prop_assert_eq!(free_text(&out), out.clone());
        }
    }

    #[test]
    fn control_characters_become_spaces() {
        assert_eq!(
            free_text("a\tb\r\nc\u{1b}[31m\u{7f}\u{85}"),
            "a b  c [31m  "
        );
        assert_eq!(free_text("\t=1+1"), " =1+1");
        assert_eq!(free_text("Émotions, 情感"), "Émotions, 情感");
    }
}
