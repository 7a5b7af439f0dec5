//! The `labfit` command: parses arguments, calls the library, prints, and maps results to
//! exit codes (0 ok · 1 threshold not met · 2 bad input or usage · 3 a rule errored).

#![forbid(unsafe_code)]

mod cli;

// A report is thousands of small allocations; the system allocator was a third of a score.
#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cli::main()
}
