//! `labfit compare`: rank providers under one profile, with a progress bar on a terminal.

use std::io::IsTerminal as _;
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};

use labfit::report::{csv, html, json, junit, markdown, text};

use super::{output, report_error, EvalArgs, Exit, RulesArgs};

/// A progress bar is worth drawing from this many providers on.
const PROGRESS_FROM: usize = 4;

/// Output formats of `compare`.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum CompareFormat {
    /// The ranking as a table
    #[default]
    Text,
    /// The ranking and every full report (comparison/v1)
    Json,
    /// A committee report in Markdown
    Markdown,
    /// A self-contained HTML report (inline SVG charts, prints well)
    Html,
    /// JUnit XML: one testsuite per provider, one testcase per requirement
    Junit,
    /// The ranking as CSV (RFC 4180)
    Csv,
}

#[derive(Args, Debug)]
pub struct CompareArgs {
    /// Profile: a built-in id or a path
    #[arg(short = 'p', long = "profile", value_name = "PROFILE")]
    pub profile: String,
    /// Evidence files or built-in provider ids (default: every built-in provider)
    #[arg(value_name = "EVIDENCE")]
    pub evidence: Vec<String>,
    #[command(flatten)]
    pub rules: RulesArgs,
    #[command(flatten)]
    pub eval: EvalArgs,
    /// Output format
    #[arg(long, value_enum, default_value_t)]
    pub format: CompareFormat,
    /// Write to FILE instead of stdout
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
}

pub fn run(a: &CompareArgs) -> Exit {
    let result = (|| {
        let engine = a.rules.engine()?;
        let profile = engine.profile(&a.profile)?;
        let names: Vec<String> = if a.evidence.is_empty() {
            engine.builtin_providers().map(str::to_owned).collect()
        } else {
            a.evidence.clone()
        };
        let evidence = names
            .iter()
            .map(|n| engine.evidence(n))
            .collect::<Result<Vec<_>, _>>()?;
        let options = a.eval.options(&engine)?;
        let bar = (evidence.len() >= PROGRESS_FROM && std::io::stderr().is_terminal()).then(|| {
            let pb = ProgressBar::new(evidence.len() as u64);
            if let Ok(style) =
                ProgressStyle::with_template("scoring {pos}/{len} providers {wide_bar} {elapsed}")
            {
                pb.set_style(style);
            }
            pb
        });
        let cmp = match &bar {
            Some(pb) => engine.compare_with_progress(&profile, &evidence, &options, &|| pb.inc(1)),
            None => engine.compare(&profile, &evidence, &options),
        };
        if let Some(pb) = bar {
            pb.finish_and_clear();
        }
        Ok::<_, labfit::Error>(cmp)
    })();
    let cmp = match result {
        Ok(c) => c,
        Err(e) => return report_error(&e),
    };
    let rendered = match a.format {
        CompareFormat::Json => json::render(&cmp),
        CompareFormat::Text => text::comparison(
            &cmp,
            text::Style::new(super::stdout_color(a.output.is_some())),
        ),
        CompareFormat::Markdown => markdown::comparison(&cmp),
        CompareFormat::Html => html::comparison(&cmp),
        CompareFormat::Junit => junit::comparison(&cmp),
        CompareFormat::Csv => csv::comparison(&cmp),
    };
    if let Err(e) = output::write(a.output.as_deref(), &rendered) {
        output::eprint(&format!("error: {e}\n"));
        return Exit::Input;
    }
    if cmp.reports.iter().any(|r| !r.errors.is_empty()) {
        return Exit::RuleError;
    }
    Exit::Ok
}
