use std::process::ExitCode;

fn main() -> ExitCode {
    ExitCode::from(hubreport::cli::main())
}
