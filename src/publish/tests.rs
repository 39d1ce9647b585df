//! The publishing tests: whole folders or none, leftovers cleared or put
//! back, what is not hubreport's left alone, refusals before writing.

use std::path::Path;

use super::checks::Space;
use super::lock::resolved;
use super::names::{marker, parse_aside};
use super::staged::*;
use super::*;

fn files(text: &str) -> Vec<(PathBuf, Vec<u8>)> {
    vec![
        (PathBuf::from("a.txt"), text.as_bytes().to_vec()),
        (PathBuf::from("sub/b.txt"), b"b".to_vec()),
    ]
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The id of a process that has ended.
fn ended_pid() -> u32 {
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let pid = child.id();
    child.wait().unwrap();
    pid
}

/// A period folder as hubreport leaves it: its manifest and one file.
fn period_folder(dir: &Path, label: &str, text: &str) {
    std::fs::create_dir_all(dir).unwrap();
    let manifest = serde_json::json!({ "engine": "hubreport 0.1.0", "period": label });
    std::fs::write(dir.join(MANIFEST), manifest.to_string()).unwrap();
    std::fs::write(dir.join("a.txt"), text).unwrap();
}

fn staged<'a>(root: &Path, slug: &'a str, files: &'a Files) -> Staged<'a> {
    let pid = std::process::id();
    Staged {
        slug,
        files,
        target: root.join(slug),
        tmp: root.join(aside_name(slug, Aside::Tmp, pid)),
        old: root.join(aside_name(slug, Aside::Old, pid)),
    }
}

#[test]
fn publish_replaces_the_folders_whole() {
    let dir = tempfile::tempdir().unwrap();
    let mut lock = lock(dir.path(), false).unwrap();
    let one = files("one");
    let paths = publish(&mut lock, &[("2024-25", &one), ("2024-25-Q1", &one)]).unwrap();
    assert_eq!(
        paths,
        [dir.path().join("2024-25"), dir.path().join("2024-25-Q1")]
    );
    let p = dir.path().join("2024-25");
    std::fs::write(
        p.join(MANIFEST),
        r#"{"engine": "hubreport 0", "period": "2024-25"}"#,
    )
    .unwrap();
    std::fs::write(p.join("stale.txt"), "x").unwrap();
    publish(&mut lock, &[("2024-25", &files("two"))]).unwrap();
    assert_eq!(std::fs::read_to_string(p.join("a.txt")).unwrap(), "two");
    assert_eq!(
        names(&p),
        ["a.txt", "sub"],
        "no file of an earlier run is mixed in"
    );
    assert_eq!(names(dir.path()), [LOCK_FILE, "2024-25", "2024-25-Q1"]);
}

#[test]
fn leftovers_of_an_interrupted_run_are_cleared_or_put_back() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let gone = ended_pid();
    let own = std::process::id();
    // Half-written, by an ended run and by an earlier run with this id.
    for pid in [gone, own] {
        let tmp = d.join(aside_name("2024-25", Aside::Tmp, pid));
        std::fs::create_dir_all(tmp.join("tables")).unwrap();
        std::fs::write(tmp.join(RUN_MARKER), marker(pid, "2024-25")).unwrap();
    }
    // Complete but not yet renamed: its marker is removed already.
    period_folder(
        &d.join(aside_name("2024-25-Q4", Aside::Tmp, gone)),
        "2024-25 Q4",
        "",
    );
    // Left aside between the two renames.
    period_folder(
        &d.join(aside_name("2024-25-Q1", Aside::Old, gone)),
        "2024-25 Q1",
        "previous",
    );
    // Left aside after the second rename.
    period_folder(&d.join("2024-25-Q2"), "2024-25 Q2", "new");
    period_folder(
        &d.join(aside_name("2024-25-Q2", Aside::Old, gone)),
        "2024-25 Q2",
        "previous",
    );
    let _lock = lock(d, false).unwrap();
    assert_eq!(
        std::fs::read_to_string(d.join("2024-25-Q1/a.txt")).unwrap(),
        "previous"
    );
    assert_eq!(
        std::fs::read_to_string(d.join("2024-25-Q2/a.txt")).unwrap(),
        "new"
    );
    assert_eq!(names(d), [LOCK_FILE, "2024-25-Q1", "2024-25-Q2"]);
}

#[test]
fn folders_hubreport_did_not_make_or_that_a_running_process_made_are_left() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let gone = ended_pid();
    let running = std::process::Command::new("sleep")
        .arg("30")
        .spawn()
        .unwrap();
    let mut kept = Vec::new();
    let mut keep = |name: String, marker_text: Option<String>, label: Option<&str>| {
        let path = d.join(&name);
        std::fs::create_dir_all(&path).unwrap();
        std::fs::write(path.join("keep.txt"), "mine").unwrap();
        if let Some(text) = marker_text {
            std::fs::write(path.join(RUN_MARKER), text).unwrap();
        }
        if let Some(label) = label {
            period_folder(&path, label, "mine");
        }
        kept.push(name);
    };
    // Not named for a period, or not by hubreport.
    keep(format!(".notes.tmp-{gone}"), None, None);
    keep(
        format!(".2024-26.tmp-{gone}"),
        Some(marker(gone, "2024-26")),
        None,
    );
    keep(".2024-25.tmp-0".into(), Some(marker(0, "2024-25")), None);
    keep(".2024-25.tmp-+1".into(), None, Some("2024-25"));
    keep(format!(".2024-25.tmp-{gone}.bak"), None, Some("2024-25"));
    // Named like hubreport's, but without its marker or manifest.
    keep(format!(".2024-25.tmp-{gone}"), None, None);
    keep(format!(".2023-24.old-{gone}"), None, None);
    keep(
        format!(".2022-23.tmp-{gone}"),
        Some(marker(gone + 1, "2022-23")),
        None,
    );
    keep(format!(".2021-22.old-{gone}"), None, Some("2021-22 Q1"));
    // A run still going.
    let pid = running.id();
    keep(
        format!(".2024-25-Q1.tmp-{pid}"),
        Some(marker(pid, "2024-25-Q1")),
        None,
    );
    keep(format!(".2024-25-Q2.old-{pid}"), None, Some("2024-25 Q2"));
    let _lock = lock(d, false).unwrap();
    for name in &kept {
        assert_eq!(
            std::fs::read_to_string(d.join(name).join("keep.txt")).unwrap(),
            "mine",
            "{name}"
        );
    }
    kept.push(LOCK_FILE.into());
    kept.sort();
    assert_eq!(names(d), kept, "nothing moved or removed");
    let mut running = running;
    running.kill().unwrap();
    running.wait().unwrap();
}

#[test]
fn period_slugs_and_hidden_names_are_read_strictly() {
    for ok in ["2024-25", "1999-00", "2024-25-Q1", "2024-25-Q4", "sessions"] {
        assert!(is_period_slug(ok), "{ok}");
    }
    for bad in [
        "",
        "2024",
        "2024-26",
        "2024-25-Q5",
        "2024-25-q1",
        "2024-25 Q1",
        "2024/25",
        "202a-25",
        "2024-25-Q1x",
        "2024-2é",
        "../2024-25",
        "Sessions",
        "sessions-1",
    ] {
        assert!(!is_period_slug(bad), "{bad}");
    }
    assert_eq!(
        parse_aside(".2024-25-Q3.tmp-123"),
        Some(("2024-25-Q3", Aside::Tmp, 123))
    );
    assert_eq!(
        parse_aside(".2024-25.old-7"),
        Some(("2024-25", Aside::Old, 7))
    );
    for bad in [
        "2024-25.tmp-1",
        ".2024-25.tmp-",
        ".2024-25.tmp-0",
        ".2024-25.tmp--1",
        ".2024-25.tmp-+1",
        ".2024-25.tmp-4294967296",
        ".2024-25.tmp-2147483648",
        ".2024-25.new-1",
    ] {
        assert_eq!(parse_aside(bad), None, "{bad}");
    }
}

#[test]
fn a_second_lock_is_refused_and_released_on_drop() {
    let dir = tempfile::tempdir().unwrap();
    let first = lock(dir.path(), false).unwrap();
    let e = lock(dir.path(), false).unwrap_err();
    assert!(matches!(e, Error::Locked { .. }), "{e}");
    assert!(
        e.to_string()
            .contains(&format!("process {}", std::process::id())),
        "{e}"
    );
    drop(first);
    lock(dir.path(), false).unwrap();
}

#[test]
fn a_removed_lock_file_is_taken_again_unless_another_run_holds_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(LOCK_FILE);
    let mut first = lock(dir.path(), false).unwrap();
    first.reassert().unwrap();
    std::fs::remove_file(&path).unwrap();
    let second = lock(dir.path(), false).unwrap();
    let e = first.reassert().unwrap_err();
    assert!(matches!(e, Error::Locked { .. }), "{e}");
    let e = publish(&mut first, &[("2024-25", &files("one"))]).unwrap_err();
    assert!(matches!(e, Error::Locked { .. }), "{e}");
    assert_eq!(names(dir.path()), [LOCK_FILE], "nothing was published");
    drop(second);
    std::fs::remove_file(&path).unwrap();
    first.reassert().unwrap();
    assert!(path.is_file());
    assert!(lock(dir.path(), false).is_err(), "held again");
}

#[test]
fn a_temporary_folder_changed_by_another_process_is_not_published() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let pid = std::process::id();
    let one = files("one");
    let s = staged(d, "2024-25", &one);
    /// What another process does to the folder, and what the check says.
    type Tamper = (&'static str, fn(&Path));
    let tamper: [Tamper; 5] = [
        ("'sub/b.txt' is missing", |t| {
            std::fs::remove_file(t.join("sub/b.txt")).unwrap()
        }),
        ("'a.txt' differs", |t| {
            std::fs::write(t.join("a.txt"), "two").unwrap()
        }),
        ("'x.txt' was not written", |t| {
            std::fs::write(t.join("x.txt"), "").unwrap()
        }),
        ("'.hubreport-run' is missing", |t| {
            std::fs::remove_file(t.join(RUN_MARKER)).unwrap()
        }),
        ("cannot be read", |t| std::fs::remove_dir_all(t).unwrap()),
    ];
    for (expected, change) in tamper {
        write_all(std::slice::from_ref(&s), pid).unwrap();
        verify(&s, pid).unwrap();
        change(&s.tmp);
        let e = verify(&s, pid).unwrap_err();
        assert!(e.to_string().contains(expected), "{expected}: {e}");
        assert!(e.to_string().contains("nothing was published"), "{e}");
        assert_eq!(e.exit_code(), crate::error::exit::INPUT);
        discard(std::slice::from_ref(&s));
    }
}

#[test]
fn a_folder_hubreport_did_not_write_is_not_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut lock = lock(d, false).unwrap();
    let one = files("one");
    std::fs::create_dir(d.join("2024-25")).unwrap();
    std::fs::write(d.join("2024-25/notes.txt"), "mine").unwrap();
    std::fs::write(d.join("2024-25-Q1"), "a file").unwrap();
    period_folder(&d.join("2024-25-Q2"), "2024-25 Q3", "another period's");
    for slug in ["2024-25", "2024-25-Q1", "2024-25-Q2"] {
        let e = publish(&mut lock, &[("2024-26-Q1", &one), (slug, &one)]).unwrap_err();
        assert!(matches!(e, Error::Internal(_)), "{e}");
        let e = publish(&mut lock, &[("2024-25-Q4", &one), (slug, &one)]).unwrap_err();
        assert!(matches!(e, Error::Usage(_)), "{e}");
        assert!(
            e.to_string()
                .contains(&format!("'{}'", d.join(slug).display())),
            "{e}"
        );
    }
    assert_eq!(names(d), [LOCK_FILE, "2024-25", "2024-25-Q1", "2024-25-Q2"]);
}

#[test]
fn names_too_long_for_the_filesystem_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let long = vec![(
        PathBuf::from(format!("quarterly-pack-{}.html", "x".repeat(236))),
        Vec::new(),
    )];
    let s = [staged(d, "2024-25-Q1", &long)];
    check_names(d, &s, (256, 4096)).unwrap();
    let e = check_names(d, &s, (255, 4096)).unwrap_err();
    assert!(matches!(e, Error::Usage(_)), "{e}");
    assert!(
        e.to_string().contains("256 bytes") && e.to_string().contains("[[subgroups]]"),
        "{e}"
    );
    let e = check_names(d, &s, (256, 200)).unwrap_err();
    assert!(e.to_string().contains("shorter path"), "{e}");
    let up = vec![(PathBuf::from("../a.txt"), Vec::new())];
    let e = check_names(d, &[staged(d, "2024-25", &up)], (255, 4096)).unwrap_err();
    assert!(matches!(e, Error::Internal(_)), "{e}");
    // The limits of a real filesystem.
    let (name_max, path_max) = name_limits(d);
    assert!((14..=255).contains(&name_max) && (256..=4096).contains(&path_max));
}

#[test]
fn a_run_that_does_not_fit_is_refused_before_writing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let big = vec![
        (PathBuf::from("a.bin"), vec![0u8; 10_000]),
        (PathBuf::from("tables/b.csv"), vec![0u8; 10]),
    ];
    let s = [staged(d, "2024-25", &big), staged(d, "2024-25-Q1", &big)];
    // Per folder: a.bin 3 blocks, b.csv 1, the marker 1, two folders 2.
    let space = |bytes, inodes| Space {
        bytes,
        block: 4096,
        inodes,
    };
    check_space(d, &s, Some(space(14 * 4096, Some(10)))).unwrap();
    let e = check_space(d, &s, Some(space(14 * 4096 - 1, None))).unwrap_err();
    assert_eq!(e.exit_code(), crate::error::exit::INPUT);
    assert_eq!(
        e.to_string(),
        format!(
            "not enough free space in '{}': this run's reports need 57.3 kB and 57.3 kB \
             is free; nothing was written",
            d.display()
        )
    );
    let e = check_space(d, &s, Some(space(1 << 40, Some(9)))).unwrap_err();
    assert!(e.to_string().contains("need 10 files and folders"), "{e}");
    check_space(d, &s, None).unwrap();
    assert!(free_space(d).is_some_and(|s| s.block > 0));
}

#[test]
fn the_output_folder_is_not_the_data_folder_home_or_root() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let data = d.join("data");
    std::fs::create_dir(&data).unwrap();
    let config = d.join("hub.toml");
    std::fs::write(&config, "").unwrap();
    check_out_root(&d.join("out"), &data, Some(&config)).unwrap();
    check_out_root(&data.join("out"), &data, None).unwrap();
    for (out, what) in [
        (data.clone(), "is the data folder"),
        (d.join("data/x/.."), "is the data folder"),
        (d.join("nothing/../data"), "is the data folder"),
        (d.to_path_buf(), "contains the data folder"),
        (PathBuf::from("/"), "is the root folder"),
        (PathBuf::new(), "is an empty path"),
    ] {
        let e = check_out_root(&out, &data, None).unwrap_err();
        assert!(matches!(e, Error::Usage(_)), "{e}");
        assert!(e.to_string().contains(what), "{}: {e}", out.display());
    }
    let elsewhere = tempfile::tempdir().unwrap();
    let e = check_out_root(d, elsewhere.path(), Some(&config)).unwrap_err();
    assert!(e.to_string().contains("contains the config file"), "{e}");
    #[cfg(unix)]
    {
        let link = d.join("link");
        std::os::unix::fs::symlink(&data, &link).unwrap();
        let e = check_out_root(&link, &data, None).unwrap_err();
        assert!(e.to_string().contains("is the data folder"), "{e}");
    }
}

#[test]
fn resolved_paths_follow_links_and_dots_as_far_as_they_exist() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().canonicalize().unwrap();
    assert_eq!(resolved(&d.join("a/b/../c")), d.join("a/c"));
    assert_eq!(resolved(&d.join("a/./b")), d.join("a/b"));
    assert_eq!(resolved(&d), d);
}
