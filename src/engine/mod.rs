//! The engine: loads rule packs (built-in and `--rules` directories), validates the graph and
//! compiles every rule once, finds profiles and evidence by built-in id or path, and scores a
//! profile × evidence into a [`Report`](crate::report::Report). It is `Send + Sync`: one
//! engine serves any number of threads. This file holds the types and the builder; each
//! concern of the engine has its own file: loading packs (`load`), finding profiles and
//! evidence (`lookup`), and running and scoring (`run`).

mod assemble;
pub mod compare;
pub mod diff;
pub mod error;
#[cfg(feature = "sheets")]
pub mod import;
pub mod listing;
pub(crate) mod load;
mod lookup;
pub mod robust;
mod run;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use crate::engine::error::Error;
use crate::engine::load::{Pack, PackSource};
use crate::evidence::vocabulary::Vocabulary;
use crate::evidence::FactValue;
use crate::graph::Graph;
use crate::input::date::Date;
use crate::input::source::{InputHash, SourceFile};
use crate::profile::params::ParamVocabulary;
use crate::report::Warning;
use crate::rules::{Limits, RuleSet, Unstated};
use crate::score::AnswerKinds;

pub use lookup::Gathered;
pub use run::Prepared;

/// Options of one scoring run.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Evaluation date (default: today). Expiry and staleness use it.
    pub as_of: Option<Date>,
    /// What-if facts (status `assumed`), as parsed by [`Engine::assumption`].
    pub assumptions: Vec<(String, FactValue)>,
}

/// Builds an [`Engine`] from the built-in content and optional rule-pack directories.
#[derive(Clone, Debug, Default)]
pub struct EngineBuilder {
    packs: Vec<PackSource>,
    no_builtin: bool,
    limits: Option<Limits>,
    no_memo: bool,
    interpreted: bool,
}

impl EngineBuilder {
    /// Adds a rule pack directory (its `*.yaml` catalogs and vocabulary, its `*.rhai` rules).
    /// A requirement with the id of a built-in one replaces it, with a warning.
    pub fn rules_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.packs.push(PackSource::Dir(dir.into()));
        self
    }

    /// Adds a rule pack held in memory, as if its files were a `--rules` directory named
    /// `name`: files named `*.yaml` / `*.yml` are catalogs or a vocabulary, `*.rhai` are rules
    /// (a check `FILE.rhai::f` names the file as given here). For embedders that keep rules
    /// elsewhere than on disk, and for tests and fuzzing that build packs on the fly.
    pub fn pack(mut self, name: &str, files: Vec<SourceFile>) -> Self {
        self.packs.push(PackSource::Files(Pack {
            name: name.to_owned(),
            files,
        }));
        self
    }

    /// Leaves out the built-in rules (a pack must then bring its own vocabulary); the
    /// built-in profiles and providers stay available.
    pub fn without_builtin_rules(mut self) -> Self {
        self.no_builtin = true;
        self
    }

    /// Overrides the sandbox limits (tests use this; the defaults are [`Limits::DEFAULT`]).
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = Some(limits);
        self
    }

    /// Runs every rule in a comparison, instead of reusing the outcome of an earlier provider
    /// that read the same values (the memo, [`crate::rules::Memo`]). The reports are the same
    /// to the byte; tests and benches use this to compare the two paths.
    pub fn without_memo(mut self) -> Self {
        self.no_memo = true;
        self
    }

    /// Runs every check through the Rhai interpreter, instead of natively where the check's
    /// shape allows it ([`RuleSet::interpreted`]). The outcomes are the same, and so are the
    /// reports to the byte; tests and benches use this to compare the two paths.
    pub fn interpreted_rules(mut self) -> Self {
        self.interpreted = true;
        self
    }

    /// Loads, validates and compiles everything; the first batch of errors stops it (see
    /// `engine/load.rs` for the order packs load in and which definition wins).
    pub fn build(self) -> Result<Engine, Error> {
        let mut packs = vec![if self.no_builtin {
            Pack::builtin_without_rules()
        } else {
            Pack::builtin()
        }];
        for p in self.packs {
            packs.push(match p {
                PackSource::Dir(dir) => Pack::read_dir(&dir)?,
                PackSource::Files(pack) => pack,
            });
        }
        let mut engine = load::strict(packs, self.limits.unwrap_or_default())?;
        engine.memo = !self.no_memo;
        if self.interpreted {
            engine.rules = engine.rules.interpreted();
        }
        Ok(engine)
    }
}

/// The loaded rule packs, graph and compiled rules.
#[derive(Debug)]
pub struct Engine {
    vocab: Arc<Vocabulary>,
    params: Arc<ParamVocabulary>,
    graph: Graph,
    rules: RuleSet,
    inputs: Vec<InputHash>,
    warnings: Vec<Warning>,
    builtin_profiles: BTreeMap<String, SourceFile>,
    builtin_evidence: BTreeMap<String, SourceFile>,
    builtin_mappings: BTreeMap<String, SourceFile>,
    rule_tests: Vec<SourceFile>,
    /// Whether comparisons memoise rule outcomes across providers.
    memo: bool,
    /// Each fact's kind of answer, for the questions of every report.
    answers: AnswerKinds,
    /// The vocabulary's keys as unstated facts, shared by every fact table.
    unstated: Unstated,
}

impl Engine {
    /// The built-in rules, profiles and providers.
    pub fn builtin() -> Result<Engine, Error> {
        EngineBuilder::default().build()
    }

    /// A builder, to add rule packs.
    pub fn builder() -> EngineBuilder {
        EngineBuilder::default()
    }

    /// The fact vocabulary.
    pub fn vocabulary(&self) -> &Arc<Vocabulary> {
        &self.vocab
    }

    /// The parameter vocabulary.
    pub fn parameters(&self) -> &Arc<ParamVocabulary> {
        &self.params
    }

    /// The requirement graph.
    pub fn graph(&self) -> &Graph {
        &self.graph
    }

    /// The compiled rules.
    pub fn rules(&self) -> &RuleSet {
        &self.rules
    }

    /// Warnings from loading (overrides).
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }

    /// Built-in profile ids, sorted.
    pub fn builtin_profiles(&self) -> impl Iterator<Item = &str> {
        self.builtin_profiles.keys().map(String::as_str)
    }

    /// Built-in provider ids, sorted.
    pub fn builtin_providers(&self) -> impl Iterator<Item = &str> {
        self.builtin_evidence.keys().map(String::as_str)
    }

    /// Built-in questionnaire mappings (`caiq-v4`, `hecvat-3`), sorted.
    pub fn builtin_mappings(&self) -> impl Iterator<Item = &str> {
        self.builtin_mappings.keys().map(String::as_str)
    }

    /// Rule test files found in the loaded packs (`labfit: rule-tests/v1`).
    pub fn rule_test_files(&self) -> &[SourceFile] {
        &self.rule_tests
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_is_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Engine>();
        assert_send_sync::<Prepared<'static>>();
    }
}
