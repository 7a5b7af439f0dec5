//! The one loader of rule packs, for scoring and for `labfit check` alike: it reads `--rules`
//! directories and the built-in pack, classifies each file by its header, merges the
//! vocabularies and catalogs pack by pack, builds the graph, compiles the rules and checks
//! that every leaf's check exists.
//!
//! Precedence: packs load in order, and a later pack's definition replaces an earlier one's —
//! a requirement by id, a fact by key, a profile or provider evidence by file stem — with a
//! warning. The built-in pack comes first; then the `--rules` directories in the order given,
//! or, for `labfit check PATH…`, the directories of the files checked in the order the paths
//! were given (see `authoring::lint`). Within one pack, two requirements with the same id are
//! an error, not an override.
//!
//! Two modes. [`strict`] serves scoring, which must not run on a broken pack: the first batch
//! of errors (every file's classification and parse errors, else the graph's, else the
//! checks') is the `Err`. [`lenient`] serves `labfit check`, which reports every problem in
//! one run: every error becomes a diagnostic, a catalog that does not parse gives up what can
//! still be read, and the graph is repaired (a duplicate dropped, a dangling edge removed, a
//! cycle cut) so that the cross-file checks still run.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::engine::error::Error;
use crate::engine::Engine;
use crate::evidence::vocabulary::Vocabulary;
use crate::graph::catalog::{self, Body, Requirement};
use crate::graph::error::GraphError;
use crate::graph::{Graph, NodeKind};
use crate::input::diagnostic::Diagnostic;
use crate::input::error::{did_you_mean, InputError};
use crate::input::kind::{classify, Classified, FileKind};
use crate::input::source::{display_path, InputHash, Location, SourceFile};
use crate::input::yaml;
use crate::profile::params::ParamVocabulary;
use crate::report::{Warning, WarningKind};
use crate::rules::{Limits, RuleSet, Unstated};
use crate::score::AnswerKinds;

mod builtin {
    include!(concat!(env!("OUT_DIR"), "/builtin.rs"));
}

/// A rule pack: its name (the directory as given, or `builtin`) and its files, in the order
/// they load.
#[derive(Clone, Debug)]
pub(crate) struct Pack {
    pub(crate) name: String,
    pub(crate) files: Vec<SourceFile>,
}

/// Where a rule pack comes from, until the engine is built.
#[derive(Clone, Debug)]
pub(super) enum PackSource {
    Dir(PathBuf),
    Files(Pack),
}

impl Pack {
    /// The built-in content compiled into the binary: the rules and their tests, the
    /// profiles and the providers' evidence, sorted by path.
    pub(crate) fn builtin() -> Pack {
        Pack {
            name: "builtin".into(),
            files: builtin::BUILTIN_FILES
                .iter()
                .map(|(path, text)| SourceFile::builtin(path, text))
                .collect(),
        }
    }

    /// The built-in content without the built-in rules (the vocabulary, catalogs and Rhai
    /// files directly in `rules/`): the profiles, the providers' evidence and the rule tests
    /// stay available by id, whatever rules the packs bring.
    pub(super) fn builtin_without_rules() -> Pack {
        let mut pack = Pack::builtin();
        pack.files.retain(|f| {
            f.name()
                .strip_prefix("rules/")
                .is_none_or(|rest| rest.contains('/'))
        });
        pack
    }

    /// A `--rules` directory: its `*.yaml`, `*.yml` and `*.rhai` files, sorted by path. Its
    /// subdirectories are not read (`tests/` holds rule tests that `labfit test` finds itself).
    pub(super) fn read_dir(dir: &Path) -> Result<Pack, Error> {
        let name = display_path(dir);
        let entries = std::fs::read_dir(dir).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => InputError::io_msg(
                &name,
                "no such directory",
                "give --rules the path of a rule pack directory (its catalog YAML, vocabulary and .rhai files)",
            ),
            _ => InputError::io(&name, &e),
        })?;
        let mut paths: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_file())
            .filter(|p| {
                matches!(
                    p.extension().and_then(|e| e.to_str()),
                    Some("yaml" | "yml" | "rhai")
                )
            })
            .collect();
        paths.sort();
        if paths.is_empty() {
            return Err(InputError::io_msg(
                &name,
                "holds no .yaml or .rhai files",
                "point --rules at a rule pack directory (see `labfit new rule`)",
            )
            .into());
        }
        let files = paths
            .iter()
            .map(|p| SourceFile::read(p))
            .collect::<Result<_, _>>()?;
        Ok(Pack { name, files })
    }
}

/// The files the loader read, by kind, in load order: what `labfit check` goes on to check
/// file by file (rules for what they read, profiles by binding them, evidence by parsing it,
/// rule tests by resolving what they name).
#[derive(Clone, Debug, Default)]
pub(crate) struct PackFiles {
    /// Rhai rule files.
    pub(crate) rules: Vec<SourceFile>,
    /// Rule test files.
    pub(crate) rule_tests: Vec<SourceFile>,
    /// Lab profiles.
    pub(crate) profiles: Vec<SourceFile>,
    /// Provider evidence.
    pub(crate) evidence: Vec<SourceFile>,
    /// Questionnaire mappings.
    pub(crate) mappings: Vec<SourceFile>,
}

/// What the lenient loader made of the packs.
#[derive(Debug)]
pub(crate) struct Loaded {
    /// The engine, on the repaired graph.
    pub(crate) engine: Engine,
    /// False when the graph had an error the loader could not repair: the engine's graph is
    /// then empty, and nothing that needs the graph can be checked.
    pub(crate) graph_complete: bool,
    /// Every file, by kind.
    pub(crate) files: PackFiles,
    /// Every load error, and a warning for every definition a later pack replaced, each at
    /// its position.
    pub(crate) findings: Vec<Diagnostic>,
}

/// Loads packs for scoring: any error stops the load.
pub(super) fn strict(packs: Vec<Pack>, limits: Limits) -> Result<Engine, Error> {
    let mut m = Merged::new(packs, Mode::Strict);
    Error::from_list(std::mem::take(&mut m.errors))?;
    let graph = Graph::build(m.requirements(), &m.catalogs)?;
    let rules = RuleSet::compile(m.rule_files(), limits);
    Error::from_list(leaf_errors(&graph, &rules))?;
    Ok(m.into_engine(graph, rules).0)
}

/// Loads packs for checking: every error is a finding, and loading goes on past it.
pub(crate) fn lenient(packs: Vec<Pack>, limits: Limits) -> Loaded {
    let mut m = Merged::new(packs, Mode::Lenient);
    let graph = build_repaired(m.requirements(), &m.catalogs, &mut m.errors);
    let rules = RuleSet::compile(m.rule_files(), limits);
    let graph_complete = graph.is_some();
    let graph = graph.unwrap_or_default();
    if graph_complete {
        m.errors.extend(leaf_errors(&graph, &rules));
    }
    let mut findings: Vec<Diagnostic> = m.errors.iter().flat_map(Error::diagnostics).collect();
    let (engine, files, replaced) = m.into_engine(graph, rules);
    findings.extend(replaced);
    Loaded {
        engine,
        graph_complete,
        files,
        findings,
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Strict,
    Lenient,
}

/// The packs merged in order, before the graph is built.
struct Merged {
    mode: Mode,
    vocab: Vocabulary,
    params: ParamVocabulary,
    /// Requirements by id; a second one of the same pack is kept under a key of its own, so
    /// that the graph reports the duplicate.
    reqs: BTreeMap<String, Requirement>,
    /// Catalog files by name, for positions in the graph's errors.
    catalogs: BTreeMap<String, SourceFile>,
    inputs: Vec<InputHash>,
    files: PackFiles,
    /// Report warnings about replaced definitions, each with its finding (lenient mode only).
    replaced: Vec<(Warning, Option<Diagnostic>)>,
    errors: Vec<Error>,
}

impl Merged {
    fn new(packs: Vec<Pack>, mode: Mode) -> Merged {
        let mut m = Merged {
            mode,
            vocab: Vocabulary::default(),
            params: ParamVocabulary::default(),
            reqs: BTreeMap::new(),
            catalogs: BTreeMap::new(),
            inputs: Vec::new(),
            files: PackFiles::default(),
            replaced: Vec::new(),
            errors: Vec::new(),
        };
        for pack in packs {
            m.add_pack(pack);
        }
        if m.vocab.is_empty() && m.errors.is_empty() {
            m.errors.push(Error::Input(InputError::io_msg(
                "rules",
                "no vocabulary was loaded",
                "a rule pack used without the built-in rules needs a `labfit: vocabulary/v1` file",
            )));
        }
        m
    }

    fn add_pack(&mut self, pack: Pack) {
        let mut reqs: Vec<Requirement> = Vec::new();
        for f in pack.files {
            match classify(&f) {
                Classified::Known(FileKind::Vocabulary) => self.add_vocabulary(&f),
                Classified::Known(FileKind::Parameters) => self.add_parameters(&f),
                Classified::Known(FileKind::Catalog) => {
                    reqs.extend(self.read_catalog(f, &pack.name));
                }
                Classified::Known(FileKind::Rules) => {
                    self.inputs.push(f.input_hash("rule"));
                    self.files.rules.push(f);
                }
                Classified::Known(FileKind::RuleTests) => self.files.rule_tests.push(f),
                Classified::Known(FileKind::Profile) => self.files.profiles.push(f),
                Classified::Known(FileKind::Evidence) => self.files.evidence.push(f),
                Classified::Known(FileKind::Mapping) => self.files.mappings.push(f),
                other => self.errors.push(unclassified(&f, &other)),
            }
        }
        self.add_requirements(reqs);
    }

    fn add_vocabulary(&mut self, f: &SourceFile) {
        match Vocabulary::parse(f) {
            Ok(v) => {
                self.inputs.push(f.input_hash("vocabulary"));
                for k in self.vocab.merge(v) {
                    let message = format!(
                        "fact `{k}` from `{}` replaces an earlier definition",
                        f.name()
                    );
                    self.replace(message, || {
                        let hint = "rules and evidence now read the fact as defined here; rename the key if it is meant to be a new fact";
                        (Vocabulary::locate(f, &k), hint.into())
                    });
                }
            }
            Err(e) => self.failed(f, e, Vocabulary::parse),
        }
    }

    /// A file that does not parse: its error, and in lenient mode every other independent
    /// error in it (`yaml::recover`), so that `labfit check` shows them all in one run.
    fn failed<T>(
        &mut self,
        f: &SourceFile,
        first: InputError,
        parse: impl Fn(&SourceFile) -> Result<T, InputError>,
    ) {
        if self.mode == Mode::Strict {
            self.errors.push(first.into());
            return;
        }
        let (all, _) = yaml::recover(f, parse, yaml::itself);
        if all.is_empty() {
            self.errors.push(first.into());
        }
        self.errors.extend(all.into_iter().map(Error::from));
    }

    fn add_parameters(&mut self, f: &SourceFile) {
        match ParamVocabulary::parse(f) {
            Ok(v) => {
                self.inputs.push(f.input_hash("parameters"));
                for k in self.params.merge(v) {
                    let message = format!(
                        "parameter `{k}` from `{}` replaces an earlier definition",
                        f.name()
                    );
                    self.replace(message, || {
                        let hint = "profiles and rules now use the parameter as declared here; rename it if it is meant to be a new one";
                        (ParamVocabulary::locate(f, &k), hint.into())
                    });
                }
            }
            Err(e) => self.failed(f, e, ParamVocabulary::parse),
        }
    }

    /// A catalog's requirements; in lenient mode, what can still be read of one that does not
    /// parse, so that references to its requirements are not reported as unknown too.
    fn read_catalog(&mut self, f: SourceFile, pack: &str) -> Vec<Requirement> {
        let reqs = match catalog::parse(&f, pack, f.dir()) {
            Ok(reqs) => {
                self.inputs.push(f.input_hash("catalog"));
                reqs
            }
            Err(e) => {
                let strict = self.mode == Mode::Strict;
                self.failed(&f, e, |f| catalog::parse(f, pack, f.dir()));
                if strict {
                    return Vec::new();
                }
                catalog::salvage(&f, pack, f.dir())
            }
        };
        self.catalogs.insert(f.name().to_owned(), f);
        reqs
    }

    /// Merges one pack's requirements: each replaces an earlier pack's requirement of the
    /// same id.
    fn add_requirements(&mut self, reqs: Vec<Requirement>) {
        let mut here: BTreeMap<String, ()> = BTreeMap::new();
        for r in reqs {
            if here.insert(r.id.clone(), ()).is_some() {
                // Leave both for the graph builder, which reports the duplicate.
                let key = format!("{}\u{0}{}", r.id, r.location());
                self.reqs.insert(key, r);
                continue;
            }
            if let Some(old) = self.reqs.remove(&r.id) {
                let message = format!(
                    "requirement `{}` from `{}` overrides the one from `{}`",
                    r.id,
                    r.file(),
                    old.file()
                );
                self.replace(message, || {
                    let hint = format!(
                        "reports will use this definition instead of {}; rename it if it is meant to be a new requirement",
                        old.location()
                    );
                    (r.location().clone(), hint)
                });
            }
            self.reqs.insert(r.id.clone(), r);
        }
    }

    /// Records a definition that replaces an earlier one: a warning in every report, and in
    /// lenient mode a finding at the new definition. `at` gives its position and a hint; it
    /// is asked for only in lenient mode, as finding a position may parse the file again.
    fn replace(&mut self, message: String, at: impl FnOnce() -> (Location, String)) {
        let finding = (self.mode == Mode::Lenient).then(|| {
            let (location, hint) = at();
            Diagnostic::warning(message.clone(), Some(location), Some(hint))
        });
        let warning = Warning {
            kind: WarningKind::Override,
            message,
        };
        self.replaced.push((warning, finding));
    }

    fn requirements(&self) -> Vec<Requirement> {
        self.reqs.values().cloned().collect()
    }

    fn rule_files(&self) -> Vec<(String, SourceFile)> {
        self.files
            .rules
            .iter()
            .map(|f| (f.name().to_owned(), f.clone()))
            .collect()
    }

    /// The engine on `graph` and `rules`, with the packs' profiles and evidence found by file
    /// stem; also the files by kind and the findings about replaced definitions.
    fn into_engine(mut self, graph: Graph, rules: RuleSet) -> (Engine, PackFiles, Vec<Diagnostic>) {
        let mut profiles = BTreeMap::new();
        let mut evidence = BTreeMap::new();
        let mut mappings = BTreeMap::new();
        let mut replaced = Vec::new();
        for (files, map, what) in [
            (&self.files.profiles, &mut profiles, "profile"),
            (&self.files.evidence, &mut evidence, "evidence"),
            (&self.files.mappings, &mut mappings, "mapping"),
        ] {
            for f in files {
                let stem = stem(f);
                if map.insert(stem.clone(), f.clone()).is_some() {
                    let message = format!(
                        "{what} `{stem}` from `{}` replaces the built-in one",
                        f.name()
                    );
                    let hint = format!(
                        "`{stem}` now names this file; rename the file to keep the one it replaces"
                    );
                    replaced.push((message, f.location(1, 1), hint));
                }
            }
        }
        for (message, location, hint) in replaced {
            self.replace(message, || (location, hint));
        }
        // A pack's own tests come before the built-in ones, so that `labfit test --rules DIR`
        // shows the pack's cases first.
        let mut rule_tests = self.files.rule_tests.clone();
        rule_tests.sort_by_key(SourceFile::is_builtin);
        self.inputs.sort();
        let (warnings, findings): (Vec<Warning>, Vec<Option<Diagnostic>>) =
            self.replaced.into_iter().unzip();
        let engine = Engine {
            answers: AnswerKinds::of(&self.vocab),
            unstated: Unstated::of(&self.vocab),
            vocab: Arc::new(self.vocab),
            params: Arc::new(self.params),
            graph,
            rules,
            inputs: self.inputs,
            warnings,
            builtin_profiles: profiles,
            builtin_evidence: evidence,
            builtin_mappings: mappings,
            rule_tests,
            memo: true,
        };
        (engine, self.files, findings.into_iter().flatten().collect())
    }
}

/// The id a profile or evidence file a pack carries answers to: its file name without
/// `.yaml` (`profiles/base-lab.yaml` is `base-lab`).
fn stem(f: &SourceFile) -> String {
    let name = f.name().rsplit('/').next().unwrap_or_default();
    name.trim_end_matches(".yaml")
        .trim_end_matches(".yml")
        .to_owned()
}

/// The error for a file that does not say which kind of labfit file it is.
fn unclassified(f: &SourceFile, what: &Classified) -> Error {
    let kinds = FileKind::headers();
    let start_with = || {
        format!(
            "start the file with one of: {}",
            kinds.map(|k| format!("`labfit: {k}`")).join(", ")
        )
    };
    match what {
        Classified::Unknown(k) => InputError::invalid(
            header_location(f),
            format!("`labfit: {k}` is not a kind of labfit file"),
            Some(
                did_you_mean(k, kinds)
                    .unwrap_or_else(|| format!("the kinds are {}", kinds.join(", "))),
            ),
        ),
        Classified::NoHeader { empty: true } => {
            InputError::invalid(f.location(1, 1), "the file is empty", Some(start_with()))
        }
        Classified::NoHeader { empty: false } | Classified::Known(_) => InputError::invalid(
            f.location(1, 1),
            "missing the `labfit: KIND/v1` header",
            Some(start_with()),
        ),
    }
    .into()
}

/// Where the `labfit:` key is written.
fn header_location(f: &SourceFile) -> Location {
    match yaml::header(f.text()) {
        Some((_, line)) => {
            let col = f
                .text()
                .lines()
                .nth(line.saturating_sub(1))
                .and_then(|l| l.find("labfit:"))
                .map_or(1, |c| c + 1);
            f.location(line, col)
        }
        None => f.location(1, 1),
    }
}

/// Builds the graph, and while it fails, records the errors and repairs what they name (a
/// duplicate dropped, a dangling edge removed, a cycle cut at the edge that closes it), so
/// that every problem is found in one run. `None` when a failure cannot be repaired.
fn build_repaired(
    mut reqs: Vec<Requirement>,
    files: &BTreeMap<String, SourceFile>,
    errors: &mut Vec<Error>,
) -> Option<Graph> {
    // Each round removes at least one requirement or edge, so this many rounds always suffice.
    let rounds = reqs.len()
        + reqs
            .iter()
            .map(|r| match &r.body {
                Body::Composite { children, .. } => children.len(),
                Body::Leaf(_) => 0,
            })
            .sum::<usize>()
        + 1;
    for _ in 0..rounds {
        let found = match Graph::build(reqs.clone(), files) {
            Ok(g) => return Some(g),
            Err(list) => list,
        };
        let mut repaired = false;
        for g in &found {
            match g {
                GraphError::DuplicateId { location, id, .. } => {
                    if let Some(pos) = reqs
                        .iter()
                        .position(|r| &r.id == id && r.location() == location)
                    {
                        reqs.remove(pos);
                        repaired = true;
                    }
                }
                GraphError::UnknownChild { parent, child, .. } => {
                    repaired |= remove_edge(&mut reqs, parent, child);
                }
                GraphError::Cycle { cycle, .. } => {
                    let n = cycle.len();
                    if let (Some(a), Some(b)) =
                        (n.checked_sub(2).and_then(|i| cycle.get(i)), cycle.last())
                    {
                        repaired |= remove_edge(&mut reqs, a, b);
                    }
                }
                _ => {}
            }
        }
        errors.extend(found.into_iter().map(Error::from));
        if !repaired {
            return None;
        }
    }
    None
}

fn remove_edge(reqs: &mut [Requirement], parent: &str, child: &str) -> bool {
    for r in reqs.iter_mut().filter(|r| r.id == parent) {
        if let Body::Composite { children, .. } = &mut r.body {
            let before = children.len();
            children.retain(|(c, _)| c != child);
            if children.len() < before {
                return true;
            }
        }
    }
    false
}

/// Every leaf's check must name a loaded rule file and a function of no parameters defined in
/// it (files that do not compile are left to their compile error).
fn leaf_errors(graph: &Graph, rules: &RuleSet) -> Vec<Error> {
    let mut errors: Vec<Error> = Vec::new();
    for n in graph.nodes() {
        let (Body::Leaf(c), NodeKind::Leaf { rule }) = (&n.req.body, &n.kind) else {
            continue;
        };
        let Some(check) = graph.checks().get(*rule) else {
            continue;
        };
        // Locating re-reads the catalog file, so only an error pays for it.
        let location = || n.req.location().clone();
        if !rules.has_file(&check.file) {
            let known: Vec<String> = rules.files().map(|(p, _)| p.to_owned()).collect();
            errors.push(
                GraphError::BadCheck {
                    location: location(),
                    message: format!(
                        "`{}` checks `{c}`, but `{}` is not a loaded rule file",
                        n.req.id, check.file
                    ),
                    hint: did_you_mean(&check.file, known.iter().map(String::as_str))
                        .or_else(|| Some("the file is relative to the catalog YAML file".into())),
                }
                .into(),
            );
            continue;
        }
        if rules.compile_error(&check.file).is_some() {
            continue; // its checks evaluate to `error`, with the compile error's position
        }
        match rules.arity(&check.file, &check.function) {
            Some(0) => {}
            Some(a) => errors.push(
                GraphError::BadCheck {
                    location: location(),
                    message: format!("check function `{c}` takes {a} parameters"),
                    hint: Some(
                        "a check takes no parameters; read values with fact() and param()".into(),
                    ),
                }
                .into(),
            ),
            None => errors.push(
                GraphError::BadCheck {
                    location: location(),
                    message: format!("`{}` does not define `fn {}()`", check.file, check.function),
                    hint: Some(undefined_hint(rules, &check.file, &check.function)),
                }
                .into(),
            ),
        }
    }
    errors
}

/// The hint for a check naming a function its file does not define: the nearest name, else
/// the functions the file does define.
fn undefined_hint(rules: &RuleSet, file: &str, function: &str) -> String {
    let fns = rules.functions(file);
    if let Some(near) = did_you_mean(function, fns.iter().map(|(f, _)| f.as_str())) {
        return near;
    }
    let defined: Vec<String> = fns.iter().map(|(f, _)| format!("`{f}`")).collect();
    if defined.is_empty() {
        "define the function, or fix the name after `::`".into()
    } else {
        format!(
            "define the function, or fix the name after `::` (the file defines {})",
            defined.join(", ")
        )
    }
}
