//! `labfit questions`: the questionnaire to send one provider, most important first — the
//! committee's view (why each question matters), the provider's letter, or a form to fill in.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use labfit::render::{json, markdown, text};

use super::{report_error, EvalArgs, Exit, RulesArgs};

/// Who the questions are for.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Audience {
    /// The lab's committee: each question with its swing, the must-haves and requirements it
    /// bears on, and why
    #[default]
    Committee,
    /// The provider: a letter to send as it is, with numbered questions grouped by topic, the
    /// answer each takes and the documents to attach; no scores, ids or weights
    Provider,
}

/// Output formats of `questions`.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum QuestionsFormat {
    /// A numbered list (the committee's, with why each question matters; or the letter)
    #[default]
    Text,
    /// The same in Markdown
    Markdown,
    /// The questions as JSON (questions/v1)
    Json,
    /// A form to fill in, one row per question (RFC 4180); `labfit import answers` reads it back
    #[cfg(feature = "sheets")]
    Csv,
    /// The same form as an Excel workbook, with drop-down lists (needs -o FILE)
    #[cfg(feature = "sheets")]
    Xlsx,
    /// One row per question with its swing (RFC 4180)
    #[cfg(not(feature = "sheets"))]
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
    /// Who the text or Markdown is for
    #[arg(long = "for", value_enum, default_value_t, value_name = "AUDIENCE")]
    pub audience: Audience,
    /// Write to FILE instead of stdout
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
}

pub fn run(a: &QuestionsArgs) -> Exit {
    let result = (|| {
        let engine = a.rules.engine()?;
        let profile = engine.profile(&a.profile)?;
        let evidence = engine.evidence(&a.evidence)?;
        let options = a.eval.options(&engine)?;
        let r = engine.score(&profile, &evidence, &options);
        Ok::<_, labfit::Error>((engine, r))
    })();
    let (engine, r) = match result {
        Ok(x) => x,
        Err(e) => return report_error(&e),
    };
    let rendered = match (a.format, a.audience) {
        (QuestionsFormat::Text, Audience::Committee) => text::questions(
            &r,
            text::Style::new(super::stdout_color(a.output.is_some())),
        ),
        (QuestionsFormat::Text, Audience::Provider) => text::provider_letter(&r),
        (QuestionsFormat::Markdown, Audience::Committee) => markdown::questions(&r),
        (QuestionsFormat::Markdown, Audience::Provider) => markdown::provider_letter(&r),
        (QuestionsFormat::Json, _) => json::questions(&r),
        #[cfg(feature = "sheets")]
        (QuestionsFormat::Csv | QuestionsFormat::Xlsx, _) => {
            return form(&engine, &r, a);
        }
        #[cfg(not(feature = "sheets"))]
        (QuestionsFormat::Csv, _) => labfit::render::csv::questions(&r),
    };
    let _ = engine;
    super::finish(a.output.as_deref(), &rendered, !r.errors.is_empty())
}

#[cfg(feature = "sheets")]
fn form(engine: &labfit::Engine, r: &labfit::Report, a: &QuestionsArgs) -> Exit {
    let xlsx = a.format == QuestionsFormat::Xlsx;
    if xlsx && a.output.is_none() && std::io::IsTerminal::is_terminal(&std::io::stdout()) {
        super::output::eprint("error: an xlsx workbook is binary and stdout is a terminal\n  = help: write it to a file with -o FILE.xlsx\n");
        return Exit::Input;
    }
    let bytes = match engine.form(r, xlsx) {
        Ok(b) => b,
        Err(e) => return report_error(&e),
    };
    if let Err(e) = super::output::write_bytes(a.output.as_deref(), &bytes) {
        super::output::eprint(&format!("error: {e}\n"));
        return Exit::Input;
    }
    if r.errors.is_empty() {
        Exit::Ok
    } else {
        Exit::RuleError
    }
}
