//! `labfit weights PROFILE`: the weights a profile gives its frameworks and the children of
//! any requirement it judges, with the consistency of each set of pairwise judgements and the
//! judgements to revisit (docs/weights.md).

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use labfit::render::{json, text};
use labfit::report::weighting::WeightingReport;

use super::{report_error, Exit, RulesArgs};

/// Output formats of `weights`.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum WeightsFormat {
    /// Each set of weights, largest first, with its consistency
    #[default]
    Text,
    /// {"frameworks": {…}, "nodes": {…}}: the weights, λ_max, CI, CR, the table and the completion
    Json,
}

#[derive(Args, Debug)]
pub struct WeightsArgs {
    /// Profile: a built-in id (see `labfit list profiles`) or a path
    #[arg(value_name = "PROFILE")]
    pub profile: String,
    #[command(flatten)]
    pub rules: RulesArgs,
    /// Output format
    #[arg(long, value_enum, default_value_t)]
    pub format: WeightsFormat,
    /// Write to FILE instead of stdout
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
}

pub fn run(a: &WeightsArgs) -> Exit {
    let result = a
        .rules
        .engine()
        .and_then(|engine| engine.profile(&a.profile));
    let bound = match result {
        Ok(b) => b,
        Err(e) => return report_error(&e),
    };
    let w = WeightingReport::of(&bound.profile);
    let rendered = match a.format {
        WeightsFormat::Json => json::value(&w),
        WeightsFormat::Text => text::weighting(&bound.profile.id, &w),
    };
    super::finish(a.output.as_deref(), &rendered, false)
}
