//! The worker: runs cases in this process, reports each on stdout.

use super::*;
use crate::common::alloc::{self, our_frames};

/// Panics seen during the current case, with where they were raised.
pub(super) static PANICS: Mutex<Vec<(String, std::backtrace::Backtrace)>> = Mutex::new(Vec::new());

pub(super) fn install_panic_recorder() {
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

pub(super) fn keyed_config() -> Config {
    let mut config = Config::default();
    config.pseudonymisation.key = Some("a fixed key for the robustness tests".into());
    config
}

/// Runs one case in this process; the JSON line the worker reports.
pub(super) fn run_case(case: &Case, config: &Config, seen: &mut HashSet<String>) -> Value {
    let dir = tempfile::tempdir().expect("a temporary folder");
    case.write_to(dir.path()).expect("the case's files written");
    let limit = limit(case.input_len());
    PANICS.lock().unwrap_or_else(|e| e.into_inner()).clear();
    let base = alloc::reset_peak();
    alloc::cap(base.saturating_add(hard_cap(limit)));
    let started = Instant::now();
    let result = std::panic::catch_unwind(AssertUnwindSafe(|| load::load(config, dir.path())));
    alloc::uncap();
    let peak = alloc::peak().saturating_sub(base);
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

pub(super) fn mib(bytes: usize) -> String {
    format!("{:.1} MiB", bytes as f64 / MIB as f64)
}

pub(super) fn run() {
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
