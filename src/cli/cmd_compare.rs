//! `labfit compare`: rank providers under one profile, with a progress bar on a terminal.

use std::io::IsTerminal as _;
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};

use labfit::render::{csv, html, json, junit, markdown, oscal, text};

use super::{report_error, EvalArgs, Exit, RulesArgs};

/// A progress bar is worth drawing from this many providers on.
const PROGRESS_FROM: usize = 4;

/// Output formats of `compare`.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum CompareFormat {
    /// The ranking as a table
    #[default]
    Text,
    /// The ranking with each provider's summary (comparison/v1); with --full, every report
    Json,
    /// A committee report in Markdown
    Markdown,
    /// A self-contained HTML report (inline SVG charts, prints well)
    Html,
    /// JUnit XML: one testsuite per provider, one testcase per requirement
    Junit,
    /// The ranking as CSV (RFC 4180)
    Csv,
    /// OSCAL 1.2.1 assessment results (JSON), one result per provider (docs/oscal.md)
    Oscal,
}

#[derive(Args, Debug)]
pub struct CompareArgs {
    /// Profile: a built-in id or a path
    #[arg(short = 'p', long = "profile", value_name = "PROFILE")]
    pub profile: String,
    /// Evidence files or built-in provider ids (default: every built-in provider)
    #[arg(value_name = "EVIDENCE")]
    pub evidence: Vec<String>,
    /// Rank every built-in provider too (a file for a built-in provider replaces it)
    #[arg(long)]
    pub builtin: bool,
    #[command(flatten)]
    pub rules: RulesArgs,
    #[command(flatten)]
    pub eval: EvalArgs,
    /// Output format
    #[arg(long, value_enum, default_value_t)]
    pub format: CompareFormat,
    /// With --format json: add every provider's full report (2 000 providers make hundreds of
    /// megabytes)
    #[arg(long)]
    pub full: bool,
    /// Write to FILE instead of stdout
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Also say how far the ranking survives other weights and the open questions: SMAA-2
    /// over N samples (docs/weights.md)
    #[arg(long, value_name = "N")]
    pub robustness: Option<usize>,
    /// The seed of the robustness samples (the same seed, the same figures)
    #[arg(long, value_name = "S", requires = "robustness")]
    pub seed: Option<u64>,
    /// Draw the weights around the profile's, with Dirichlet concentration K (larger, closer),
    /// instead of uniformly over every split between the frameworks
    #[arg(long, value_name = "K", requires = "robustness")]
    pub spread: Option<f64>,
}

pub fn run(a: &CompareArgs) -> Exit {
    let result = (|| {
        let engine = a.rules.engine()?;
        let profile = engine.profile(&a.profile)?;
        let gathered = engine.gather(&a.evidence, a.builtin)?;
        let evidence = gathered.evidence;
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
        // The table, CSV and (unless --full) JSON show only the ranking: no need to build
        // every provider's report.
        let ranking_only = match a.format {
            CompareFormat::Text | CompareFormat::Csv => true,
            CompareFormat::Json => !a.full,
            CompareFormat::Markdown
            | CompareFormat::Html
            | CompareFormat::Junit
            | CompareFormat::Oscal => false,
        };
        let tick = || {
            if let Some(pb) = &bar {
                pb.inc(1);
            }
        };
        let cmp = if ranking_only {
            engine.rank_with_progress(&profile, &evidence, &options, &tick)
        } else {
            engine.compare_with_progress(&profile, &evidence, &options, &tick)
        };
        if let Some(pb) = bar {
            pb.finish_and_clear();
        }
        let mut cmp = cmp;
        cmp.notes = gathered.notes;
        if let Some(samples) = a.robustness {
            let ro = labfit::RobustnessOptions {
                samples,
                seed: a.seed.unwrap_or(labfit::DEFAULT_SEED),
                spread: a.spread,
            };
            cmp.robustness = Some(engine.robustness(&profile, &evidence, &cmp, &options, &ro)?);
        }
        Ok::<_, labfit::Error>(cmp)
    })();
    let cmp = match result {
        Ok(c) => c,
        Err(e) => return report_error(&e),
    };
    let rule_errors = cmp.ranking.iter().any(|r| r.errors > 0);
    let rendered = match a.format {
        // Written as it is rendered: with `--full`, a registry's JSON is hundreds of megabytes.
        CompareFormat::Json => {
            return super::finish_with(
                a.output.as_deref(),
                |out| json::write_comparison(out, &cmp),
                rule_errors,
            )
        }
        CompareFormat::Text => text::comparison(
            &cmp,
            text::Style::new(super::stdout_color(a.output.is_some())),
        ),
        CompareFormat::Markdown => markdown::comparison(&cmp),
        CompareFormat::Html => html::comparison(&cmp),
        CompareFormat::Junit => junit::comparison(&cmp),
        CompareFormat::Csv => csv::comparison(&cmp),
        CompareFormat::Oscal => oscal::comparison(&cmp),
    };
    super::finish(a.output.as_deref(), &rendered, rule_errors)
}
