use std::process::ExitCode;

// Loading makes millions of small strings; mimalloc allocates and frees them
// far faster than the system allocator, and fragments less.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    ExitCode::from(hubreport::cli::main())
}
