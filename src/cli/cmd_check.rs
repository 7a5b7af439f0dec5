//! `labfit check`: lints rule packs, profiles, evidence and tests without scoring; prints every
//! finding rustc-style and exits 0 when there is none, 2 otherwise.

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::Args;

use labfit::authoring::lint;
use labfit::input::diagnostic::Level;
use labfit::render::json;
use labfit::Date;

use super::{output, Exit, Format};

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// Files or directories to check (rule packs, profiles, evidence, rule tests); default: the
    /// built-in content
    pub paths: Vec<PathBuf>,
    /// Check waiver expiry as of this date (YYYY-MM-DD; default today)
    #[arg(long = "as-of", value_name = "DATE", value_parser = super::parse_date)]
    pub as_of: Option<Date>,
    /// Output format: rustc-style text, or the findings as JSON
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
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
        Format::Json => json::value(&checked.diagnostics),
        Format::Text => {
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
            t
        }
    };
    if let Err(e) = output::write(None, &text) {
        output::eprint(&format!("error: {e}\n"));
        return Exit::Input;
    }
    if errors + warnings == 0 {
        Exit::Ok
    } else {
        Exit::Input
    }
}
