//! The test crate's allocator: [`System`], counting live and peak bytes, with
//! a cap a test may arm so that a runaway allocation fails at once instead of
//! exhausting the machine.
//!
//! Every test in the process shares the counts, so a measurement is only
//! that test's when it runs alone: in a process of its own
//! ([`super::in_own_process`]) or in a mutation worker.

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
/// except while a case armed it with [`cap`] (a mutation case in a worker
/// process).
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
            for frame in our_frames(&trace) {
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
pub fn reset_peak() -> usize {
    let live = LIVE.load(Ordering::Relaxed);
    PEAK.store(live, Ordering::Relaxed);
    live
}

/// The highest live bytes since the last [`reset_peak`].
pub fn peak() -> usize {
    PEAK.load(Ordering::Relaxed)
}

/// Refuses any allocation that would take the live bytes above `bytes`,
/// until [`uncap`]; the first refusal is reported on stderr.
pub fn cap(bytes: usize) {
    REFUSED.store(false, Ordering::Relaxed);
    CAP.store(bytes, Ordering::Relaxed);
}

/// Lifts the cap set by [`cap`].
pub fn uncap() {
    CAP.store(usize::MAX, Ordering::Relaxed);
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
