//! Command-line interface: clap definitions and one function per subcommand. Everything here
//! is presentation; the work happens in the library.

mod cmd_check;
mod cmd_compare;
mod cmd_diff;
mod cmd_explain;
#[cfg(feature = "sheets")]
mod cmd_import;
mod cmd_list;
mod cmd_new;
mod cmd_questions;
mod cmd_schema;
mod cmd_score;
#[cfg(feature = "serve")]
mod cmd_serve;
mod cmd_test;
mod cmd_weights;
mod output;

use std::io::IsTerminal as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use labfit::{Date, Engine, Error};

/// Exit codes of the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Exit {
    /// Success.
    Ok = 0,
    /// A threshold asked for was not met (`--fail-under`, `--require-eligible`, a failed test).
    Threshold = 1,
    /// Bad input or usage.
    Input = 2,
    /// Some rule errored (results were still written).
    RuleError = 3,
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> ExitCode {
        ExitCode::from(e as u8)
    }
}

#[derive(Parser, Debug)]
#[command(
    name = "labfit",
    version,
    about = "Score how well a cloud provider fits a laboratory's regulatory profile",
    long_about = "Score how well a cloud provider fits a laboratory's regulatory profile.\n\nRules (Rhai) read a provider's evidence and produce outcomes on a weighted requirement graph; a lab profile (HIPAA + CLIA, Part 11, ISO 17025, …) turns them into a fit score, its potential if open questions resolve, a verdict, and the questions to send the provider.",
    after_help = "Exit codes: 0 ok · 1 a threshold was not met · 2 bad input or usage · 3 a rule errored (results still written)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Score one provider against one profile
    Score(cmd_score::ScoreArgs),
    /// Rank providers under one profile (default: every built-in provider)
    Compare(cmd_compare::CompareArgs),
    /// The questions to send one provider, most important first
    Questions(cmd_questions::QuestionsArgs),
    /// What changed between two evidence files of a provider, and what each change did
    Diff(cmd_diff::DiffArgs),
    /// List built-in content: requirements, profiles, providers or facts
    List(cmd_list::ListArgs),
    /// Run rule tests (rule cases and profile cases)
    Test(cmd_test::TestArgs),
    /// Show why a provider scores what it does: the requirement tree with intervals, weights,
    /// contributions and the facts each check read
    Explain(cmd_explain::ExplainArgs),
    /// The weights a profile gives, and how consistent its pairwise judgements are
    Weights(cmd_weights::WeightsArgs),
    /// Print the JSON Schema of a kind of file, for editors (see docs/writing-rules.md)
    Schema(cmd_schema::SchemaArgs),
    /// Write a commented starting rule pack, profile or evidence file
    New(cmd_new::NewArgs),
    /// Lint rule packs, profiles, evidence and tests without scoring (default: the built-in content)
    Check(cmd_check::CheckArgs),
    /// Bring a provider's answers into its evidence: labfit's form filled in, a CAIQ, a HECVAT
    #[cfg(feature = "sheets")]
    Import(cmd_import::ImportArgs),
    /// Serve scores over HTTP (JSON in and out; see README and GET /openapi.json)
    #[cfg(feature = "serve")]
    Serve(cmd_serve::ServeArgs),
}

/// Options shared by every command that loads rules.
#[derive(Args, Debug, Clone, Default)]
pub struct RulesArgs {
    /// Add a rule pack directory (catalog YAML, vocabulary, *.rhai); repeatable. A requirement
    /// with a built-in id overrides the built-in one.
    #[arg(long = "rules", value_name = "DIR")]
    pub rules: Vec<PathBuf>,
}

impl RulesArgs {
    /// Builds the engine from the built-in pack and the given directories.
    pub fn engine(&self) -> Result<Engine, Error> {
        let mut b = Engine::builder();
        for d in &self.rules {
            b = b.rules_dir(d);
        }
        b.build()
    }
}

/// Options of commands that score.
#[derive(Args, Debug, Clone, Default)]
pub struct EvalArgs {
    /// Evaluate as of this date (YYYY-MM-DD; default today): waiver expiry and evidence age use it
    #[arg(long = "as-of", value_name = "DATE", value_parser = parse_date)]
    pub as_of: Option<Date>,
    /// Assume a fact for a what-if run (status `assumed`); repeatable, e.g. --assume contract.baa=true
    #[arg(long = "assume", value_name = "KEY=VALUE")]
    pub assume: Vec<String>,
}

impl EvalArgs {
    /// The library options, with assumptions parsed against the vocabulary.
    pub fn options(&self, engine: &Engine) -> Result<labfit::Options, Error> {
        let assumptions = self
            .assume
            .iter()
            .map(|a| engine.assumption(a))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(labfit::Options {
            as_of: self.as_of,
            assumptions,
        })
    }
}

pub(crate) fn parse_date(s: &str) -> Result<Date, String> {
    s.parse::<Date>().map_err(|e| e.to_string())
}

/// Whether stderr gets colour.
pub fn stderr_color() -> bool {
    std::env::var_os("NO_COLOR").is_none() && std::io::stderr().is_terminal()
}

/// Whether stdout gets colour (never when writing to a file).
pub fn stdout_color(to_file: bool) -> bool {
    !to_file && std::env::var_os("NO_COLOR").is_none() && std::io::stdout().is_terminal()
}

/// Loads the rules, the profile and one provider's evidence, and scores them: what `score`,
/// `questions` and `explain` all start from.
pub fn score_one(
    rules: &RulesArgs,
    eval: &EvalArgs,
    profile: &str,
    evidence: &str,
) -> Result<labfit::Report, Error> {
    let engine = rules.engine()?;
    let profile = engine.profile(profile)?;
    let evidence = engine.evidence(evidence)?;
    let options = eval.options(&engine)?;
    Ok(engine.score(&profile, &evidence, &options))
}

/// Writes a command's rendered result (stdout or `-o FILE`) and gives the exit code of a run
/// that produced it: 3 when a rule errored, since the result is still written.
pub fn finish(path: Option<&std::path::Path>, rendered: &str, rule_errors: bool) -> Exit {
    finished(output::write(path, rendered), rule_errors)
}

/// [`finish`] for output written as it is rendered.
pub fn finish_with(
    path: Option<&std::path::Path>,
    render: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
    rule_errors: bool,
) -> Exit {
    finished(output::write_with(path, render), rule_errors)
}

fn finished(written: Result<(), String>, rule_errors: bool) -> Exit {
    if let Err(e) = written {
        output::eprint(&format!("error: {e}\n"));
        return Exit::Input;
    }
    if rule_errors {
        Exit::RuleError
    } else {
        Exit::Ok
    }
}

/// Prints every diagnostic of an error to stderr; returns the exit code for bad input.
pub fn report_error(e: &Error) -> Exit {
    let color = stderr_color();
    let mut text = String::new();
    for d in e.diagnostics() {
        text.push_str(&d.render(color));
    }
    output::eprint(&text);
    Exit::Input
}

/// Runs the command line.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() {
                Exit::Input
            } else {
                Exit::Ok
            };
            let _ = e.print();
            return code.into();
        }
    };
    let exit = match cli.command {
        Command::Score(a) => cmd_score::run(&a),
        Command::Compare(a) => cmd_compare::run(&a),
        Command::Questions(a) => cmd_questions::run(&a),
        Command::Diff(a) => cmd_diff::run(&a),
        Command::List(a) => cmd_list::run(&a),
        Command::Test(a) => cmd_test::run(&a),
        Command::Check(a) => cmd_check::run(&a),
        Command::New(a) => cmd_new::run(&a),
        Command::Schema(a) => cmd_schema::run(&a),
        Command::Explain(a) => cmd_explain::run(&a),
        Command::Weights(a) => cmd_weights::run(&a),
        #[cfg(feature = "sheets")]
        Command::Import(a) => cmd_import::run(&a),
        #[cfg(feature = "serve")]
        Command::Serve(a) => cmd_serve::run(&a),
    };
    exit.into()
}
