//! The parent: starts workers, collects their outcomes, reports.

use super::*;

pub(super) struct Outcome {
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

pub(super) struct Worker {
    k: usize,
    child: Child,
    stderr: PathBuf,
    /// The case running, and since when.
    current: Option<(usize, Instant)>,
    killed: bool,
    closed: bool,
    finished: bool,
}

pub(super) fn spawn(
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
            "robustness::mutations::worker",
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
pub(super) fn save_case(plan: &Plan, case: &Case) -> PathBuf {
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

pub(super) fn save_dir() -> PathBuf {
    std::env::var_os("HUBREPORT_MUTATION_SAVE")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_TARGET_TMPDIR")).join("hubreport-mutations"))
}

/// What a worker's stderr says about how it died.
pub(super) fn last_words(stderr: &Path, status: Option<ExitStatus>) -> String {
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

pub(super) fn run() {
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
pub(super) fn summarise(
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
pub(super) fn signature_text(message: &str) -> String {
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

pub(super) fn blank_values(message: &str) -> String {
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

pub(super) fn shorten(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n).collect::<String>())
    }
}
