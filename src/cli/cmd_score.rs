//! `labfit score`: one provider against one profile.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use labfit::render::{html, json, junit, markdown, oscal, text};

use super::{report_error, EvalArgs, Exit, RulesArgs};

/// Output formats of `score`.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ScoreFormat {
    /// A readable summary
    #[default]
    Text,
    /// The full report as JSON (report/v1)
    Json,
    /// A report in Markdown
    Markdown,
    /// A self-contained HTML report (inline SVG charts, prints well)
    Html,
    /// JUnit XML: one testcase per requirement
    Junit,
    /// OSCAL 1.2.1 assessment results (JSON), for GRC tools (docs/oscal.md)
    Oscal,
}

#[derive(Args, Debug)]
pub struct ScoreArgs {
    /// Profile: a built-in id (see `labfit list profiles`) or a path
    #[arg(short = 'p', long = "profile", value_name = "PROFILE")]
    pub profile: String,
    /// Evidence: a built-in provider id (see `labfit list providers`) or a path
    #[arg(short = 'e', long = "evidence", value_name = "EVIDENCE")]
    pub evidence: String,
    #[command(flatten)]
    pub rules: RulesArgs,
    #[command(flatten)]
    pub eval: EvalArgs,
    /// Output format
    #[arg(long, value_enum, default_value_t)]
    pub format: ScoreFormat,
    /// Write to FILE instead of stdout
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Exit 1 when the fit score is below N (0–100)
    #[arg(long = "fail-under", value_name = "N")]
    pub fail_under: Option<f64>,
    /// Exit 1 when the verdict is ineligible
    #[arg(long = "require-eligible")]
    pub require_eligible: bool,
}

pub fn run(a: &ScoreArgs) -> Exit {
    let result = super::score_one(&a.rules, &a.eval, &a.profile, &a.evidence);
    let report = match result {
        Ok(r) => r,
        Err(e) => return report_error(&e),
    };
    let rendered = match a.format {
        ScoreFormat::Json => json::report(&report),
        ScoreFormat::Text => text::report(
            &report,
            text::Style::new(super::stdout_color(a.output.is_some())),
        ),
        ScoreFormat::Markdown => markdown::report(&report),
        ScoreFormat::Html => html::report(&report),
        ScoreFormat::Junit => junit::report(&report),
        ScoreFormat::Oscal => oscal::report(&report),
    };
    let written = super::finish(a.output.as_deref(), &rendered, !report.errors.is_empty());
    if written != Exit::Ok {
        return written;
    }
    if a.require_eligible && report.verdict == labfit::Verdict::Ineligible {
        return Exit::Threshold;
    }
    if let Some(n) = a.fail_under {
        if report.fit < n {
            return Exit::Threshold;
        }
    }
    Exit::Ok
}
