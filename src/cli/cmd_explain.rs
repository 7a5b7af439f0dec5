//! `labfit explain`: why a provider scores what it does under a profile, as a tree.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use labfit::render::{json, tree};
use labfit::report::explain;

use super::{report_error, EvalArgs, Exit, RulesArgs};

/// Output formats of `explain`.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ExplainFormat {
    /// The requirement tree, one requirement a line
    #[default]
    Text,
    /// The requirement tree as JSON: each node's interval, weight, contribution and facts
    Json,
}

#[derive(Args, Debug)]
pub struct ExplainArgs {
    /// Profile: a built-in id (see `labfit list profiles`) or a path
    #[arg(short = 'p', long = "profile", value_name = "PROFILE")]
    pub profile: String,
    /// Evidence: a built-in provider id (see `labfit list providers`) or a path
    #[arg(short = 'e', long = "evidence", value_name = "EVIDENCE")]
    pub evidence: String,
    /// Show only the tree under this requirement (default: the whole profile)
    #[arg(value_name = "REQUIREMENT")]
    pub requirement: Option<String>,
    #[command(flatten)]
    pub rules: RulesArgs,
    #[command(flatten)]
    pub eval: EvalArgs,
    /// Output format
    #[arg(long, value_enum, default_value_t)]
    pub format: ExplainFormat,
    /// Write to FILE instead of stdout
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
}

pub fn run(a: &ExplainArgs) -> Exit {
    let result = super::score_one(&a.rules, &a.eval, &a.profile, &a.evidence).and_then(|report| {
        explain::explain(&report, a.requirement.as_deref())
            .map(|e| (e, report.errors.is_empty()))
            .map_err(labfit::Error::from)
    });
    let (explained, no_rule_errors) = match result {
        Ok(r) => r,
        Err(e) => return report_error(&e),
    };
    let rendered = match a.format {
        ExplainFormat::Json => json::explanation(&explained),
        ExplainFormat::Text => tree::explanation(
            &explained,
            tree::Style::new(super::stdout_color(a.output.is_some())),
        ),
    };
    super::finish(a.output.as_deref(), &rendered, !no_rule_errors)
}
