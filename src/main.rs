use std::process::ExitCode;

// Loading makes millions of small strings; mimalloc allocates and frees them
// far faster than the system allocator, and fragments less.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    return_freed_memory_soon();
    ExitCode::from(hubreport::cli::main())
}

/// A run frees large tables (the loaded rows, each query's intermediates)
/// while it builds the next ones. By default mimalloc commits its arenas up
/// front and keeps freed memory for 10 ms (arenas 100 ms) before handing it
/// back, so the peak holds both the old tables and the new. Handed back after
/// 2 ms, freed memory stops counting towards the peak: in the benchmark the
/// peak is about a sixth lower at scale 20 and a tenth at scale 200, in the
/// same time. (At once, 0 ms, the many small periods of a scale-1 run paid
/// about 0.15 s for it.)
fn return_freed_memory_soon() {
    // Places in mimalloc.h's `mi_option_t` (mimalloc 3, the version this
    // libmimalloc-sys builds; retired options keep their places).
    const ARENA_EAGER_COMMIT: libmimalloc_sys::mi_option_t = 4;
    const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
    // SAFETY: mimalloc's documented calls to read its version and set an
    // option; these values are valid for these two, which may change while
    // the program runs. Another major version keeps its defaults.
    unsafe {
        if libmimalloc_sys::mi_version() / 10_000 == 3 {
            libmimalloc_sys::mi_option_set(ARENA_EAGER_COMMIT, 0);
            libmimalloc_sys::mi_option_set(PURGE_DELAY, 2);
        }
    }
}
