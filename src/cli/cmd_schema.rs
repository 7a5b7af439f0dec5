//! `labfit schema KIND`: the JSON Schema of a kind of file, for editors.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use labfit::authoring::schema::{self, SchemaKind};
use labfit::render::json;

use super::{output, report_error, Exit, RulesArgs};

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Provider evidence (evidence/v1), fact keys and types from the vocabulary
    Evidence,
    /// Lab profiles (profile/v1)
    Profile,
    /// Requirement catalogs (catalog/v1)
    Catalog,
    /// Fact vocabularies (vocabulary/v1)
    Vocabulary,
    /// Rule tests (rule-tests/v1), fact keys and types from the vocabulary
    RuleTests,
    /// Parameter vocabularies (parameters/v1)
    Parameters,
    /// The JSON report (report/v1)
    Report,
}

#[derive(Args, Debug)]
pub struct SchemaArgs {
    /// Which kind of file
    #[arg(value_enum)]
    pub kind: Kind,
    #[command(flatten)]
    pub rules: RulesArgs,
    /// Write to FILE instead of stdout
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
}

pub fn run(a: &SchemaArgs) -> Exit {
    let kind = match a.kind {
        Kind::Evidence => SchemaKind::Evidence,
        Kind::Profile => SchemaKind::Profile,
        Kind::Catalog => SchemaKind::Catalog,
        Kind::Vocabulary => SchemaKind::Vocabulary,
        Kind::RuleTests => SchemaKind::RuleTests,
        Kind::Parameters => SchemaKind::Parameters,
        Kind::Report => SchemaKind::Report,
    };
    let engine = match a.rules.engine() {
        Ok(e) => e,
        Err(e) => return report_error(&e),
    };
    let s = schema::schema(kind, Some(engine.vocabulary()));
    if let Err(e) = output::write(a.output.as_deref(), &json::value(&s)) {
        output::eprint(&format!("error: {e}\n"));
        return Exit::Input;
    }
    Exit::Ok
}
