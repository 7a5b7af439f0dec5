//! `labfit questions`: the questionnaire to send one provider, most important first.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use labfit::render::{csv, json, markdown, text};

use super::{report_error, EvalArgs, Exit, RulesArgs};

/// Output formats of `questions`.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum QuestionsFormat {
    /// A numbered list with why each question matters
    #[default]
    Text,
    /// A letter to the provider, in Markdown
    Markdown,
    /// The questions as JSON (questions/v1)
    Json,
    /// One row per question (RFC 4180)
    Csv,
}

#[derive(Args, Debug)]
pub struct QuestionsArgs {
    /// Profile: a built-in id or a path
    #[arg(short = 'p', long = "profile", value_name = "PROFILE")]
    pub profile: String,
    /// Evidence: a built-in provider id or a path
    #[arg(short = 'e', long = "evidence", value_name = "EVIDENCE")]
    pub evidence: String,
    #[command(flatten)]
    pub rules: RulesArgs,
    #[command(flatten)]
    pub eval: EvalArgs,
    /// Output format
    #[arg(long, value_enum, default_value_t)]
    pub format: QuestionsFormat,
    /// Write to FILE instead of stdout
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
}

pub fn run(a: &QuestionsArgs) -> Exit {
    let result = super::score_one(&a.rules, &a.eval, &a.profile, &a.evidence);
    let r = match result {
        Ok(r) => r,
        Err(e) => return report_error(&e),
    };
    let rendered = match a.format {
        QuestionsFormat::Text => text::questions(
            &r,
            text::Style::new(super::stdout_color(a.output.is_some())),
        ),
        QuestionsFormat::Markdown => markdown::questions(&r),
        QuestionsFormat::Json => json::questions(&r),
        QuestionsFormat::Csv => csv::questions(&r),
    };
    super::finish(a.output.as_deref(), &rendered, !r.errors.is_empty())
}
