//! `labfit check`: lints rule packs, profiles, evidence and tests without scoring; prints every
//! finding rustc-style. Exits 2 when there is an error; warnings alone exit 0, or 1 with
//! `--deny-warnings` (a standard asked for and not met, like `--fail-under`).

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::{Args, ValueEnum};

use labfit::authoring::lint;
use labfit::input::diagnostic::Level;
use labfit::render::json;
use labfit::Date;

use super::{output, Exit};

/// Output formats of `check`.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum CheckFormat {
    /// Each finding rustc-style: message, file:line:col, the line, a hint; then a count
    #[default]
    Text,
    /// The findings as a JSON list, each with severity, message, location and hint
    Json,
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// Files or directories to check (rule packs, profiles, evidence, rule tests); default: the
    /// built-in content
    pub paths: Vec<PathBuf>,
    /// Check waiver expiry as of this date (YYYY-MM-DD; default today)
    #[arg(long = "as-of", value_name = "DATE", value_parser = super::parse_date)]
    pub as_of: Option<Date>,
    /// Exit 1 when there are warnings (errors exit 2 either way; warnings alone exit 0)
    #[arg(long = "deny-warnings")]
    pub deny_warnings: bool,
    /// Output format
    #[arg(long, value_enum, default_value_t)]
    pub format: CheckFormat,
}

pub fn run(a: &CheckArgs) -> Exit {
    let as_of = a.as_of.unwrap_or_else(Date::today);
    let checked = if a.paths.is_empty() {
        lint::check_builtin(as_of)
    } else {
        lint::check_paths(&a.paths, as_of)
    };
    let errors = checked.count(Level::Error);
    let warnings = checked.count(Level::Warning);
    let text = match a.format {
        CheckFormat::Json => json::value(&checked.diagnostics),
        CheckFormat::Text => {
            let color = super::stdout_color(false);
            let mut t = String::new();
            for d in &checked.diagnostics {
                t.push_str(&d.render(color));
                t.push('\n');
            }
            let files = checked.files;
            let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
            if checked.is_clean() {
                let _ = writeln!(t, "{} checked, no problems found", plural(files, "file"));
            } else {
                let _ = writeln!(
                    t,
                    "{} checked: {}, {}",
                    plural(files, "file"),
                    plural(errors, "error"),
                    plural(warnings, "warning")
                );
            }
            if errors == 0 && warnings > 0 {
                let _ = writeln!(
                    t,
                    "{}",
                    if a.deny_warnings {
                        "warnings are denied (--deny-warnings): exit 1"
                    } else {
                        "warnings do not fail the check (--deny-warnings makes them exit 1)"
                    }
                );
            }
            t
        }
    };
    if let Err(e) = output::write(None, &text) {
        output::eprint(&format!("error: {e}\n"));
        return Exit::Input;
    }
    exit(errors, warnings, a.deny_warnings)
}

/// Errors are bad input; warnings fail only when denied.
fn exit(errors: usize, warnings: usize, deny_warnings: bool) -> Exit {
    if errors > 0 {
        Exit::Input
    } else if warnings > 0 && deny_warnings {
        Exit::Threshold
    } else {
        Exit::Ok
    }
}
