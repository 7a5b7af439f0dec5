//! The `labfit` command: parses arguments, calls the library, prints, and maps results to
//! exit codes (0 ok · 1 threshold not met · 2 bad input or usage · 3 a rule errored).

#![forbid(unsafe_code)]

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
