//! `labfit score`: one provider against one profile.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use labfit::render::{html, json, junit, markdown, oscal, text};

use labfit::report::GateState;

use super::{output, report_error, EvalArgs, Exit, RulesArgs};

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
    /// Exit 1 when the fit score is below N (0–100), saying so on stderr
    #[arg(long = "fail-under", value_name = "N", value_parser = parse_score, allow_negative_numbers = true)]
    pub fail_under: Option<f64>,
    /// Exit 1 unless the verdict is eligible (strong, moderate or weak): conditional, with
    /// must-haves still open, and ineligible both fail, as `compare` ranks them
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
    let unmet = thresholds(&report, a.require_eligible, a.fail_under);
    if unmet.is_empty() {
        return Exit::Ok;
    }
    let mut text = String::new();
    for why in unmet {
        text.push_str(&format!("threshold not met: {why}\n"));
    }
    output::eprint(&text);
    Exit::Threshold
}

/// `--fail-under`'s value: a score, 0 to 100.
fn parse_score(s: &str) -> Result<f64, String> {
    let n: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("`{s}` is not a number; give a fit score from 0 to 100"))?;
    if (0.0..=100.0).contains(&n) {
        Ok(n)
    } else {
        Err(format!(
            "{s} is outside 0–100: a fit score is 0 to 100, so the threshold must be too"
        ))
    }
}

/// Why each threshold asked for was not met, one sentence each (none when all are met).
fn thresholds(r: &labfit::Report, require_eligible: bool, fail_under: Option<f64>) -> Vec<String> {
    let mut unmet = Vec::new();
    if require_eligible && r.verdict.group() != 0 {
        let ids = |state: GateState| -> Vec<&str> {
            r.gates
                .iter()
                .filter(|g| g.state == state)
                .map(|g| g.id.as_str())
                .collect()
        };
        let (open, failed) = (ids(GateState::Open), ids(GateState::Failed));
        let why = if failed.is_empty() {
            format!(
                "--require-eligible: the verdict is conditional, {} must-have{} still open ({}); answers that meet {} would make it eligible",
                open.len(),
                if open.len() == 1 { " is" } else { "s are" },
                open.join(", "),
                if open.len() == 1 { "it" } else { "them" }
            )
        } else {
            format!(
                "--require-eligible: the verdict is ineligible, must-have{} failed ({}); no answer can meet {}",
                if failed.len() == 1 { "" } else { "s" },
                failed.join(", "),
                if failed.len() == 1 { "it" } else { "them" }
            )
        };
        unmet.push(why);
    }
    if let Some(n) = fail_under {
        if r.fit < n {
            unmet.push(format!(
                "--fail-under {n}: the fit is {:.1}, below {n} (potential {:.1} if every open question is answered favourably)",
                r.fit, r.potential
            ));
        }
    }
    unmet
}
