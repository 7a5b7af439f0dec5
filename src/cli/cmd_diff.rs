//! `labfit diff`: what changed between two evidence files of a provider, and how each change
//! moved fit, potential, verdict and must-haves.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use labfit::render::{json, text};

use super::{report_error, EvalArgs, Exit, RulesArgs};

/// Output formats of `diff`.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum DiffFormat {
    /// Each changed fact and what it moved
    #[default]
    Text,
    /// The changes, their effects and both scores as JSON (diff/v1)
    Json,
}

#[derive(Args, Debug)]
pub struct DiffArgs {
    /// The old evidence: a built-in provider id or a path
    #[arg(value_name = "OLD")]
    pub old: String,
    /// The new evidence: a built-in provider id or a path
    #[arg(value_name = "NEW")]
    pub new: String,
    /// Profile: a built-in id or a path
    #[arg(short = 'p', long = "profile", value_name = "PROFILE")]
    pub profile: String,
    #[command(flatten)]
    pub rules: RulesArgs,
    #[command(flatten)]
    pub eval: EvalArgs,
    /// Output format
    #[arg(long, value_enum, default_value_t)]
    pub format: DiffFormat,
    /// Write to FILE instead of stdout
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
}

pub fn run(a: &DiffArgs) -> Exit {
    let result = (|| {
        let engine = a.rules.engine()?;
        let profile = engine.profile(&a.profile)?;
        let old = engine.evidence(&a.old);
        let new = engine.evidence(&a.new);
        let (old, new) = match (old, new) {
            (Ok(o), Ok(n)) => (o, n),
            (Err(e), Ok(_)) | (Ok(_), Err(e)) => return Err(e),
            (Err(a), Err(b)) => return Err(labfit::Error::Many(vec![a, b])),
        };
        let options = a.eval.options(&engine)?;
        Ok::<_, labfit::Error>(engine.diff(&profile, &old, &new, &options))
    })();
    let d = match result {
        Ok(d) => d,
        Err(e) => return report_error(&e),
    };
    let rendered = match a.format {
        DiffFormat::Text => text::diff(
            &d,
            text::Style::new(super::stdout_color(a.output.is_some())),
        ),
        DiffFormat::Json => json::diff(&d),
    };
    super::finish(a.output.as_deref(), &rendered, false)
}
