use std::path::Path;

use super::*;

#[test]
fn the_init_template_parses_to_the_defaults() {
    let parsed = Config::parse(DEFAULT_CONFIG_TOML, Path::new("hub.toml")).unwrap();
    assert_eq!(parsed, Config::default());
}

#[test]
fn an_unknown_key_is_an_error_naming_key_and_file() {
    let err = Config::parse("notice_dayz = 3\n", Path::new("conf/hub.toml")).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("notice_dayz"), "{text}");
    assert!(text.contains("conf/hub.toml"), "{text}");
    let err = Config::parse("[sources.attendance]\nsheeet = 2\n", Path::new("x.toml"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("sheeet"), "{err}");
}

#[test]
fn sheet_selector_takes_name_index_or_star() {
    let c = Config::parse(
        "[sources.attendance]\nsheet = 2\n[sources.sessions]\nsheet = \"*\"\n[sources.impact]\nsheet = \"Q1\"\n",
        Path::new("x"),
    )
    .unwrap();
    assert_eq!(c.sources.attendance.sheet, Some(SheetSelector::Index(2)));
    assert_eq!(
        c.sources.sessions.sheet,
        Some(SheetSelector::Name("*".into()))
    );
}

#[test]
fn bad_values_are_explained() {
    for (text, needle) in [
        ("fy_start_month = 13", "fy_start_month"),
        ("[coverage]\ntarget = 90", "coverage.target"),
        ("[scales.c]\nmin = 1\nmax = 1", "scales.c"),
        ("[scales.c]\nmin = 1\nmax = 3\nlabels = [\"a\"]", "3 points"),
        ("[sources.impact]\nheader_row = 0", "header_row"),
    ] {
        let err = Config::parse(text, Path::new("x")).unwrap_err().to_string();
        assert!(err.contains(needle), "{text}: {err}");
    }
}

#[test]
fn items_pick_their_scale_and_level_targets_override() {
    let c = Config::parse(
        "[scales.confidence]\nmin = 1\nmax = 10\nitems = [\"confidence_*\", \"overall\"]\n[coverage.targets_by_level]\n\"Level 3\" = 0.8\n",
        Path::new("x"),
    )
    .unwrap();
    assert_eq!(c.scale_for("confidence_recognise").0, "confidence");
    assert_eq!(c.scale_for("overall").1.max, 10);
    assert_eq!(c.scale_for("knowledge").0, "default");
    assert_eq!(c.target_for("level 3"), 0.8);
    assert_eq!(c.target_for("Level 1"), 0.9);
}

#[test]
fn attendance_cannot_be_disabled() {
    let err = Config::parse(
        "[sources.attendance]\nenabled = false\n",
        Path::new("h.toml"),
    )
    .unwrap_err();
    assert_eq!(err.exit_code(), crate::error::exit::USAGE);
    let text = err.to_string();
    assert!(
        text.starts_with("in config file 'h.toml': attendance cannot be disabled: "),
        "{text}"
    );
    // Other sources can be, and attendance can be said to be enabled.
    Config::parse(
        "[sources.attendance]\nenabled = true\n[sources.impact]\nenabled = false\n",
        Path::new("h.toml"),
    )
    .unwrap();
}

/// Every numeric setting out of its range is a config error naming the
/// key, the value and the range; none panics.
#[test]
fn numbers_out_of_range_name_key_value_and_range() {
    for (text, needle) in [
        (
            "fy_start_month = 0",
            "fy_start_month = 0 is out of range: it must be a month number (4 for April) from 1 to 12",
        ),
        ("fy_start_month = 13", "fy_start_month = 13 is out of range"),
        (
            "notice_days = -1",
            "notice_days = -1 is out of range: it must be a number of days from 0 to 365",
        ),
        ("notice_days = 366", "notice_days = 366 is out"),
        (
            "follow_up_days = 9223372036854775807",
            "follow_up_days = 9223372036854775807 is out of range: it must be a number of days from 1 to 730",
        ),
        (
            "follow_up_days = -9223372036854775808",
            "follow_up_days = -9223372036854775808 is out",
        ),
        ("follow_up_days = 0", "follow_up_days = 0 is out"),
        ("follow_up_days = 731", "follow_up_days = 731 is out"),
        (
            "disclosure_threshold = 0",
            "disclosure_threshold = 0 is out of range: it must be a number of people (1 turns suppression off) from 1 to 100",
        ),
        (
            "disclosure_threshold = 4294967295",
            "disclosure_threshold = 4294967295 is out",
        ),
        (
            "[fees]\nfull_day = -1.0",
            "fees.full_day = -1 is out of range: it must be an amount in pounds from 0 to 100000",
        ),
        ("[fees]\nhalf_day = nan", "fees.half_day = NaN is out"),
        ("[fees]\nhalf_day = inf", "fees.half_day = inf is out"),
        ("[fees]\nfull_day = 1e300", "fees.full_day = 1000"),
        (
            "[coverage]\ntarget = 90",
            "coverage.target = 90 is out of range: it must be a fraction (0.9 for 90%) from 0 to 1",
        ),
        ("[coverage]\ntarget = nan", "coverage.target = NaN is out"),
        (
            "[coverage.targets_by_level]\n\"Level 3\" = -inf",
            "coverage.targets_by_level.\"Level 3\" = -inf is out",
        ),
        (
            "[attention]\nnon_attendance_above = 1.5",
            "attention.non_attendance_above = 1.5 is out",
        ),
        (
            "[attention]\ngain_below = nan",
            "attention.gain_below = NaN is out of range: it must be a Hake gain (0.2 for 20% of the possible improvement) from -1 to 1",
        ),
        (
            "[attention]\ngain_below = -2",
            "attention.gain_below = -2 is out",
        ),
        (
            "[attention]\nresponse_below = -0.1",
            "attention.response_below = -0.1 is out",
        ),
        (
            "[scales.c]\nmin = 0\nmax = 4000000000000000000",
            "scales.c.max = 4000000000000000000 is out of range: it must be a whole number from -1000 to 1000",
        ),
        (
            "[scales.c]\nmin = -9223372036854775808\nmax = 9223372036854775807",
            "scales.c.min = -9223372036854775808 is out",
        ),
        (
            "[scales.c]\nmin = 0\nmax = 1000",
            "scales.c: a 0-1000 scale has 1001 points; a scale has at most 101",
        ),
        (
            "[scales.default]\nmin = 1\nmax = 1000000000",
            "scales.default.max = 1000000000 is out",
        ),
        (
            "[sources.agencies]\nheader_row = 1048577",
            "sources.agencies.header_row = 1048577 is out of range: it must be a row number as Excel shows it from 1 to 1048576",
        ),
        (
            "[sources.impact]\nheader_row = 0",
            "sources.impact.header_row = 0 is out",
        ),
        (
            "[sources.impact]\nsheet = 0",
            "sources.impact.sheet = 0 is out of range: sheet positions are numbered from 1",
        ),
        (
            "[sources.impact]\nsheet = 18446744073709551615",
            "sources.impact.sheet = 18446744073709551615 is out",
        ),
    ] {
        let err = Config::parse(text, Path::new("x")).unwrap_err();
        assert_eq!(err.exit_code(), crate::error::exit::USAGE, "{text}");
        let err = err.to_string();
        assert!(err.contains(needle), "{text}: {err}");
    }
}

#[test]
fn numbers_at_the_ends_of_their_ranges_are_accepted() {
    let c = Config::parse(
        "fy_start_month = 12\nnotice_days = 365\nfollow_up_days = 730\ndisclosure_threshold = 100\n\
         [fees]\nfull_day = 100000\nhalf_day = 0\n[coverage]\ntarget = 1\n\
         [attention]\ngain_below = -1\nnon_attendance_above = 0\nresponse_below = 1\n\
         [scales.c]\nmin = -50\nmax = 50\n[scales.d]\nmin = 999\nmax = 1000\n\
         [sources.impact]\nheader_row = 1048576\nsheet = 10000\n",
        Path::new("x"),
    )
    .unwrap();
    assert_eq!(c.follow_up_days, 730);
    Config::parse(
        "fy_start_month = 1\nnotice_days = 0\nfollow_up_days = 1\ndisclosure_threshold = 1\n",
        Path::new("x"),
    )
    .unwrap();
}

/// `init`'s hub.toml states the range of every numeric setting.
#[test]
fn the_init_template_states_every_range() {
    for range in [
        "1 to 12",
        "0 to 365",
        "1 to 730",
        "1 to 100",
        "0 to 100000",
        "from 0 to 1",
        "-1 to 1",
        "-1000 to 1000",
        "at most 101 points",
        "1 to 1048576",
        "1 to 10000",
    ] {
        assert!(
            DEFAULT_CONFIG_TOML.contains(range),
            "hub.toml does not say '{range}'"
        );
    }
}

#[test]
fn bad_paths_and_globs_are_config_errors() {
    for (text, needle) in [
        (
            "data_dir = \"a\\u0000b\"",
            "data_dir 'a\\0b' holds a NUL character",
        ),
        ("out_dir = \"\\u0000\"", "out_dir"),
        ("queries_dir = \"q\\u0000\"", "queries_dir"),
        ("templates_dir = \"t\\u0000\"", "templates_dir"),
        (
            "[pseudonymisation]\nkey_file = \"k\\u0000\"",
            "pseudonymisation.key_file",
        ),
        (
            "[sources.sessions]\npath = \"s\\u0000.csv\"",
            "sources.sessions.path",
        ),
        (
            "[sources.sessions]\npath = \"[a.csv\"",
            "sources.sessions.path '[a.csv' is not a valid glob",
        ),
        (
            "[sources.attendance]\npath = \"***.csv\"",
            "sources.attendance.path '***.csv' is not a valid glob",
        ),
    ] {
        let err = Config::parse(text, Path::new("x")).unwrap_err();
        assert_eq!(err.exit_code(), crate::error::exit::USAGE, "{text}");
        let err = err.to_string();
        assert!(err.contains(needle), "{text}: {err}");
    }
}

#[test]
fn a_config_that_is_not_utf8_is_a_config_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hub.toml");
    std::fs::write(&path, b"notice_days = 7\npartnership = \"Caf\xe9\"\n").unwrap();
    let err = Config::load(&path).unwrap_err();
    assert_eq!(err.exit_code(), crate::error::exit::USAGE);
    let text = err.to_string();
    assert!(
        text.contains("hub.toml") && text.contains("not UTF-8 text (line 2"),
        "{text}"
    );
    let err = Config::load(dir.path()).unwrap_err();
    assert_eq!(err.exit_code(), crate::error::exit::USAGE, "{err}");
}

#[test]
fn queries_and_templates_folders_must_exist() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hub.toml");
    std::fs::create_dir(dir.path().join("q")).unwrap();
    std::fs::write(dir.path().join("t"), "a file").unwrap();
    std::fs::write(&path, "queries_dir = 'q'\n").unwrap();
    Config::load(&path).unwrap();
    for (text, needle) in [
        ("queries_dir = 'nope'", "queries_dir: no such folder '"),
        ("templates_dir = 't'", "templates_dir: no such folder '"),
    ] {
        std::fs::write(&path, text).unwrap();
        let err = Config::load(&path).unwrap_err();
        assert_eq!(err.exit_code(), crate::error::exit::USAGE, "{err}");
        assert!(err.to_string().contains(needle), "{err}");
    }
}
